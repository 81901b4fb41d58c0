/* ep-campaign-protect.c: protected merges (S/MIME per recipient)
 *
 * Each row's message is encrypted for its own recipient (a certificate
 * from the vault by address, or the row's own certificate file) and
 * signed with the sender's identity when asked (always signed inside when
 * encrypted and the sender has one). The check runs before anything is
 * stored, so a person sees by row number which rows cannot be protected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-campaign"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-campaign.h"
#include "ep-outbox.h"
#include "ep-outbox-private.h"
#include "merge/ep-merge.h"

/* The row's certificate file, read; NULL when the row names none. */
static GBytes *
row_certificate (const EpCampaignProtection *protection,
                 EpTable                    *table,
                 guint                       row,
                 const char                 *base_dir,
                 GError                    **error)
{
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;
  gsize len;

  if (protection->cert_column < 0)
    return NULL;
  {
    const char *v = ep_table_get_value (table, row, (guint) protection->cert_column);
    value = g_strstrip (g_strdup (v != NULL ? v : ""));
  }
  if (*value == '\0')
    return NULL;

  path = g_path_is_absolute (value) ? g_strdup (value)
                                    : g_build_filename (base_dir ? base_dir : ".", value, NULL);
  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_CERTIFICATE,
                   _("The certificate file “%s” cannot be read: %s"), value,
                   local_error->message);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

/* Row @row's password (surrounding spaces removed: a cell shows none),
 * or NULL with an error that says what is wrong with it. */
char *
_ep_campaign_row_password (const EpCampaignProtection *protection,
              EpTable                    *table,
              guint                       row,
              GError                    **error)
{
  const char *v = protection->password_column >= 0
                  ? ep_table_get_value (table, row, (guint) protection->password_column) : NULL;
  char *password = g_strstrip (g_strdup (v != NULL ? v : ""));

  if (*password == '\0')
    {
      g_free (password);
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD,
                   _("No password in the column “%s”"),
                   protection->password_column >= 0
                   ? ep_table_get_column (table, (guint) protection->password_column) : "");
      return NULL;
    }
  if (!ep_password_validate (password, -1, error))
    {
      ep_password_free (password);
      return NULL;
    }
  return password;
}

static EpOutgoing *
build_row (EpOutbox                   *outbox,
           EpAccount                  *account,
           EpTemplate                 *tmpl,
           EpTable                    *table,
           guint                       row,
           const char                 *base_dir,
           const char                 *message_id,
           GCancellable               *cancellable,
           GError                    **error)
{
  g_autoptr(EpDraft) draft = ep_template_render (tmpl, table, row, base_dir, error);

  if (draft == NULL)
    return NULL;
  draft->from_name = g_strdup (ep_account_get_display_name (account));
  draft->from_address = g_strdup (ep_account_get_address (account));
  draft->message_id = g_strdup (message_id);
  return ep_message_build (draft, cancellable, error);
}

GBytes *
_ep_campaign_protect_row (EpOutbox                   *outbox,
                          EpAccount                  *account,
                          EpTemplate                 *tmpl,
                          EpTable                    *table,
                          guint                       row,
                          const char                 *base_dir,
                          const EpCampaignProtection *protection,
                          const char                 *message_id,
                          const char                 *password,
                          GCancellable               *cancellable,
                          GError                    **error)
{
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) why = NULL;
  EpProtection asked = protection->protection;

  outgoing = build_row (outbox, account, tmpl, table, row, base_dir, message_id, cancellable,
                        error);
  if (outgoing == NULL)
    return NULL;

  if (asked & EP_PROTECT_PASSWORD)
    {
      EpPwmailOptions pw = { NULL, protection->password_hint };
      char *from_column = NULL;
      gboolean ok;

      if (password == NULL)
        {
          from_column = _ep_campaign_row_password (protection, table, row, error);
          if (from_column == NULL)
            return NULL;
        }
      pw.sender_name = ep_account_get_display_name (account);
      if (pw.sender_name == NULL || *pw.sender_name == '\0')
        pw.sender_name = ep_account_get_address (account);
      ok = _ep_outbox_protect (outbox, outgoing, asked, NULL, password ? password : from_column,
                               &pw, cancellable, error);
      ep_password_free (from_column);
      return ok ? g_bytes_ref (outgoing->data) : NULL;
    }

  cert = row_certificate (protection, table, row, base_dir, &why);
  if (why == NULL &&
      _ep_outbox_protect (outbox, outgoing, asked, cert, NULL, NULL, cancellable, &why))
    return g_bytes_ref (outgoing->data);

  /* A row without a usable certificate: unencrypted only if the person
   * confirmed it (signed still, when asked). */
  if (protection->send_unprotected && (asked & EP_PROTECT_ENCRYPT) &&
      g_error_matches (why, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_CERTIFICATE))
    {
      g_clear_error (&why);
      if (_ep_outbox_protect (outbox, outgoing, asked & EP_PROTECT_SIGN, NULL, NULL, NULL, cancellable,
                              &why))
        return g_bytes_ref (outgoing->data);
    }
  g_propagate_error (error, g_steal_pointer (&why));
  return NULL;
}

static void
add_problem (GPtrArray          *problems,
             EpTable            *table,
             guint               row,
             EpMergeProblemKind  kind,
             const char         *message)
{
  EpMergeProblem *p = g_new0 (EpMergeProblem, 1);

  p->row = row;
  p->row_number = ep_table_get_row_number (table, row);
  p->kind = kind;
  p->message = g_strdup (message);
  g_ptr_array_add (problems, p);
}

GPtrArray *
ep_campaign_check_protection (EpOutbox                   *outbox,
                              EpAccount                  *account,
                              EpTemplate                 *tmpl,
                              EpTable                    *table,
                              GArray                     *rows,
                              const char                 *base_dir,
                              const EpCampaignProtection *protection,
                              GCancellable               *cancellable,
                              GError                    **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_merge_problem_free);
  EpVault *vault;
  const char *sender;

  g_return_val_if_fail (EP_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (protection != NULL, NULL);

  vault = ep_outbox_get_vault (outbox);
  if (!ep_vault_load_sync (vault, NULL, cancellable, error))
    return NULL;
  sender = ep_account_get_address (account);

  /* No identity to sign with is the campaign's problem, not a row's. */
  if ((protection->protection & EP_PROTECT_SIGN) &&
      !ep_smime_check (vault, EP_PROTECT_SIGN, sender, NULL, NULL, error))
    return NULL;

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      guint row = g_array_index (rows, guint, i);
      g_autoptr(EpDraft) draft = NULL;
      g_autoptr(EpOutgoing) outgoing = NULL;
      g_autoptr(GBytes) cert = NULL;
      g_autoptr(GError) why = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if ((protection->protection & EP_PROTECT_PASSWORD) &&
          (protection->generate_passwords || protection->password != NULL))
        break;   /* made by Epistle: nothing to check */
      if (protection->protection & EP_PROTECT_PASSWORD)
        {
          char *password = _ep_campaign_row_password (protection, table, row, &why);
          g_autofree char *advice = NULL;
          EpMergeProblemKind kind = EP_MERGE_PROBLEM_PASSWORD;

          if (password != NULL)
            {
              if (!protection->allow_weak &&
                  ep_password_strength (password, NULL, &advice) == EP_PASSWORD_WEAK)
                why = g_error_new (EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD,
                                   _("The password is weak: %s"), advice);
              kind = EP_MERGE_PROBLEM_WEAK_PASSWORD;
              ep_password_free (password);
            }
          if (why != NULL)
            add_problem (problems, table, row, kind, why->message);
          continue;
        }
      if (!(protection->protection & EP_PROTECT_ENCRYPT))
        break;

      draft = ep_template_render (tmpl, table, row, base_dir, NULL);
      if (draft == NULL)
        continue;   /* the merge report has it already */
      draft->from_address = g_strdup (sender);
      /* Only the envelope matters here: no attachments read. */
      g_ptr_array_set_size (draft->attachments, 0);
      outgoing = ep_message_build (draft, cancellable, NULL);
      if (outgoing == NULL)
        continue;
      cert = row_certificate (protection, table, row, base_dir, &why);
      if (why == NULL)
        ep_smime_check (vault, EP_PROTECT_ENCRYPT, sender,
                        (const char * const *) outgoing->recipients, cert, &why);
      if (why != NULL)
        add_problem (problems, table, row, EP_MERGE_PROBLEM_CERTIFICATE, why->message);
    }
  return g_steal_pointer (&problems);
}
