/* ep-account-secret.c: libsecret, schema io.github.epistle.Account
 *
 * The secret is keyed by the account's uid (stable across renames). Secrets
 * are returned in libsecret's non-pageable memory and must be released with
 * ep_account_secret_free(), which wipes them. Errors never contain them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-account-secret"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "ep-account.h"
#include "ep-account-secret.h"

static const SecretSchema account_schema = {
  "io.github.epistle.Account", SECRET_SCHEMA_NONE,
  {
    { "uid", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static void
keyring_error (GError     **error,
               GError      *cause,
               const char  *what)
{
  g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_KEYRING,
               "%s: %s", what, cause ? cause->message : _("unknown error"));
}

gboolean
ep_account_secret_store_sync (const char    *uid,
                              const char    *label,
                              const char    *secret,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (uid != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  if (!secret_password_store_sync (&account_schema, SECRET_COLLECTION_DEFAULT,
                                   label, secret, cancellable, &local_error,
                                   "uid", uid, NULL))
    {
      keyring_error (error, local_error, _("Could not save the password in the keyring"));
      return FALSE;
    }

  return TRUE;
}

char *
ep_account_secret_lookup_sync (const char    *uid,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret;

  g_return_val_if_fail (uid != NULL, NULL);

  secret = secret_password_lookup_nonpageable_sync (&account_schema, cancellable, &local_error,
                                                    "uid", uid, NULL);
  if (local_error != NULL)
    {
      keyring_error (error, local_error, _("Could not read the password from the keyring"));
      return NULL;
    }

  if (secret == NULL)
    g_set_error_literal (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_NO_SECRET,
                         _("No password is saved for this account"));

  return secret;
}

gboolean
ep_account_secret_clear_sync (const char    *uid,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (uid != NULL, FALSE);

  secret_password_clear_sync (&account_schema, cancellable, &local_error, "uid", uid, NULL);
  if (local_error != NULL)
    {
      keyring_error (error, local_error, _("Could not remove the password from the keyring"));
      return FALSE;
    }

  return TRUE;
}

void
ep_account_secret_free (char *secret)
{
  if (secret != NULL)
    secret_password_free (secret);
}
