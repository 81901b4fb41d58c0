/* ep-vault-op.c: the vault's operations as one typed request, each in a
 * GTask worker on a snapshot (EpVaultOp), each opening the vault first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <string.h>

#include "ep-vault-op.h"

static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

void
ep_vault_op_free (EpVaultOp *op)
{
  g_clear_object (&op->vault);
  g_clear_object (&op->file);
  wipe_free (op->password);
  g_free (op->fingerprint);
  g_free (op->name);
  g_free (op->address);
  g_free (op);
}

void
ep_vault_op_result_free (EpVaultOpResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->certs, g_ptr_array_unref);
  g_clear_pointer (&result->info, ep_cert_info_free);
  g_free (result);
}

static gboolean
run_op (EpVaultOp        *op,
        EpVaultOpResult  *result,
        GCancellable     *cancellable,
        GError          **error)
{
  g_autoptr(GBytes) bytes = NULL;

  switch (op->kind)
    {
    case EP_VAULT_OP_LIST:
      result->certs = ep_vault_list (op->vault);
      return TRUE;

    case EP_VAULT_OP_IMPORT_IDENTITY:
      bytes = g_file_load_bytes (op->file, cancellable, NULL, error);
      if (bytes == NULL)
        return FALSE;
      result->info = ep_vault_import_identity (op->vault, bytes, op->password, error);
      return result->info != NULL;

    case EP_VAULT_OP_CREATE_IDENTITY:
      result->info = ep_vault_create_identity (op->vault, op->name, op->address, error);
      return result->info != NULL;

    case EP_VAULT_OP_EXPORT:
      bytes = ep_vault_export (op->vault, op->fingerprint, op->password, error);
      return bytes != NULL &&
             g_file_replace_contents (op->file, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL, FALSE,
                                      G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                      NULL, cancellable, error);

    case EP_VAULT_OP_IMPORT_CERTS:
      bytes = g_file_load_bytes (op->file, cancellable, NULL, error);
      if (bytes == NULL)
        return FALSE;
      result->certs = ep_vault_import_certificates (op->vault, bytes, error);
      return result->certs != NULL;

    case EP_VAULT_OP_SET_TRUSTED:
      return ep_vault_set_trusted (op->vault, op->fingerprint, op->trusted, error);

    case EP_VAULT_OP_REMOVE:
      return ep_vault_remove (op->vault, op->fingerprint, error);

    default:
      g_assert_not_reached ();
    }
}

static void
vault_op_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  EpVaultOp *op = task_data;
  g_autoptr(EpVaultOpResult) result = g_new0 (EpVaultOpResult, 1);
  GError *error = NULL;

  if (!ep_vault_load_sync (op->vault, NULL, cancellable, &error) ||
      !run_op (op, result, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&result),
                           (GDestroyNotify) ep_vault_op_result_free);
}

EpVaultOp *
ep_vault_op_new (EpVault       *vault,
                 EpVaultOpKind  kind)
{
  EpVaultOp *op = g_new0 (EpVaultOp, 1);

  g_return_val_if_fail (EP_IS_VAULT (vault), NULL);

  op->kind = kind;
  op->vault = g_object_ref (vault);
  return op;
}

void
ep_vault_op_run_async (EpVaultOp           *op,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  /* No source object: the worker must not hold (and maybe drop the last
   * reference to) a widget; callers pass their own reference. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_vault_op_run_async);
  g_task_set_task_data (task, op, (GDestroyNotify) ep_vault_op_free);
  g_task_run_in_thread (task, vault_op_thread);
}

EpVaultOpResult *
ep_vault_op_run_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
