/* ep-outbox-protect.c: what the outbox does to a message before storing
 * it: S/MIME (ep-smime.h) or a password (ep-pwmail.h), as its draft or its
 * campaign asks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-outbox.h"
#include "ep-outbox-private.h"

EpProtection
ep_outbox_draft_protection (const EpDraft *draft)
{
  EpProtection protection = EP_PROTECT_NONE;

  if (draft->sign)
    protection |= EP_PROTECT_SIGN;
  if (draft->encrypt)
    protection |= EP_PROTECT_ENCRYPT | (draft->gcm ? EP_PROTECT_GCM : 0);
  if (draft->password != NULL)
    protection |= EP_PROTECT_PASSWORD;
  return protection;
}

gboolean
ep_outbox_protect_draft_message (EpOutbox       *self,
                                 EpOutgoing     *outgoing,
                                 const EpDraft  *draft,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  EpPwmailOptions pw = { NULL, };
  EpVault *vault = ep_outbox_get_vault (self);

  g_return_val_if_fail (EP_IS_OUTBOX (self), FALSE);
  pw.sender_name = draft->from_name && *draft->from_name ? draft->from_name : draft->from_address;
  pw.hint = draft->password_hint;
  if (!_ep_outbox_protect (self, outgoing, ep_outbox_draft_protection (draft), NULL,
                           draft->password, &pw, cancellable, error))
    return FALSE;
  /* Asked to: the next message to them starts with it. */
  if (draft->password != NULL && draft->remember_password)
    {
      g_autoptr(GError) why = NULL;

      if (ep_vault_load_sync (vault, NULL, cancellable, &why))
        for (guint i = 0; outgoing->recipients[i] != NULL && why == NULL; i++)
          ep_vault_remember_password (vault, outgoing->recipients[i], draft->password, &why);
      if (why != NULL)
        g_warning ("The password was not remembered: %s", why->message);
    }
  return TRUE;
}

/* Signs and/or encrypts @outgoing as asked (worker thread). */
gboolean
_ep_outbox_protect (EpOutbox              *self,
                    EpOutgoing            *outgoing,
                    EpProtection           protection,
                    GBytes                *recipient_cert,
                    const char            *password,
                    const EpPwmailOptions *pw_options,
                    GCancellable          *cancellable,
                    GError               **error)
{
  EpVault *vault = ep_outbox_get_vault (self);
  GBytes *protected;

  if (protection == EP_PROTECT_NONE)
    return TRUE;
  if ((protection & EP_PROTECT_PASSWORD) && (protection & EP_PROTECT_ENCRYPT))
    {
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_FAILED,
                           _("A message is encrypted either for certificates or with a "
                             "password, not both"));
      return FALSE;
    }
  if ((protection & EP_PROTECT_PASSWORD) && !ep_password_validate (password, -1, error))
    return FALSE;
  if ((protection & (EP_PROTECT_SIGN | EP_PROTECT_ENCRYPT)) != 0)
    {
      if (!ep_vault_load_sync (vault, NULL, cancellable, error))
        return FALSE;
      /* With a password: signed inside, when asked. */
      protected = ep_smime_protect (vault, outgoing->data, protection & ~EP_PROTECT_PASSWORD,
                                    outgoing->envelope_from,
                                    (const char * const *) outgoing->recipients, recipient_cert,
                                    NULL, error);
      if (protected == NULL)
        return FALSE;
      g_bytes_unref (outgoing->data);
      outgoing->data = protected;
    }
  if (protection & EP_PROTECT_PASSWORD)
    {
      protected = ep_pwmail_protect (outgoing->data, password, pw_options, error);
      if (protected == NULL)
        return FALSE;
      g_bytes_unref (outgoing->data);
      outgoing->data = protected;
    }
  return TRUE;
}
