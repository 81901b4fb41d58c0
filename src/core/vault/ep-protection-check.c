/* ep-protection-check.c: can a message be signed and encrypted as asked?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include "ep-password.h"
#include "ep-protection-check.h"

typedef struct
{
  EpVault   *vault;
  char      *sender;
  GStrv      recipients;
  gboolean   sign;
  gboolean   encrypt;
} CheckOp;

static void
check_op_free (CheckOp *op)
{
  g_clear_object (&op->vault);
  g_free (op->sender);
  g_strfreev (op->recipients);
  g_free (op);
}

void
ep_protection_check_free (EpProtectionCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->sign_problem);
  g_ptr_array_unref (check->known);
  g_ptr_array_unref (check->missing);
  ep_password_free (check->remembered_password);
  g_free (check);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckOp *op = task_data;
  EpProtectionCheck *r;
  GError *error = NULL;

  if (!ep_vault_load_sync (op->vault, NULL, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  r = g_new0 (EpProtectionCheck, 1);
  r->known = g_ptr_array_new_with_free_func (g_free);
  r->missing = g_ptr_array_new_with_free_func (g_free);

  if (op->sign)
    {
      g_autoptr(EpCertInfo) own = ep_vault_lookup_identity (op->vault, op->sender, &error);
      if (own == NULL)
        {
          r->sign_problem = g_strdup (error->message);
          g_clear_error (&error);
        }
    }

  for (guint i = 0; op->encrypt && op->recipients[i] != NULL; i++)
    {
      const char *address = op->recipients[i];
      g_autoptr(EpCertInfo) info = NULL;

      /* One's own copy is readable with one's identity. */
      if (g_ascii_strcasecmp (address, op->sender) == 0)
        {
          g_autoptr(EpCertInfo) own = ep_vault_lookup_identity (op->vault, address, NULL);
          if (own != NULL)
            {
              g_ptr_array_add (r->known, g_strdup (address));
              continue;
            }
        }
      info = ep_vault_lookup_recipient (op->vault, address, &error);
      if (info != NULL)
        g_ptr_array_add (r->known, g_strdup (address));
      else
        {
          g_ptr_array_add (r->missing, g_strdup (error->message));
          g_clear_error (&error);
        }
    }

  for (guint i = 0; op->recipients[i] != NULL; i++)
    {
      char *pw = ep_vault_dup_password (op->vault, op->recipients[i]);

      if (pw == NULL || (i > 0 && g_strcmp0 (pw, r->remembered_password) != 0))
        {
          ep_password_free (pw);
          g_clear_pointer (&r->remembered_password, ep_password_free);
          break;
        }
      if (i == 0)
        r->remembered_password = pw;
      else
        ep_password_free (pw);
    }

  g_task_return_pointer (task, r, (GDestroyNotify) ep_protection_check_free);
}

void
ep_protection_check_async (EpVault             *vault,
                           const char          *sender,
                           const char * const  *recipients,
                           gboolean             sign,
                           gboolean             encrypt,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckOp *op;

  g_return_if_fail (EP_IS_VAULT (vault));
  g_return_if_fail (sender != NULL);

  op = g_new0 (CheckOp, 1);
  op->vault = g_object_ref (vault);
  op->sender = g_strdup (sender);
  op->recipients = g_strdupv ((char **) recipients);
  if (op->recipients == NULL)
    op->recipients = g_new0 (char *, 1);
  op->sign = sign;
  op->encrypt = encrypt;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_protection_check_async);
  g_task_set_task_data (task, op, (GDestroyNotify) check_op_free);
  g_task_run_in_thread (task, check_thread);
}

EpProtectionCheck *
ep_protection_check_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
