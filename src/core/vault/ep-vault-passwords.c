/* ep-vault-passwords.c: passwords remembered per contact, for
 * password-protected mail to the same person again
 *
 * Kept in the vault file with its certificates (ep-vault.c encrypts it),
 * by address, case-insensitively. Only when the person asks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-password.h"
#include "ep-vault-state.h"

static char *
key_for (const char *address)
{
  g_autofree char *stripped = g_strstrip (g_strdup (address));
  return g_utf8_casefold (stripped, -1);
}

char *
ep_vault_dup_password (EpVault    *self,
                       const char *address)
{
  g_autofree char *key = NULL;
  char *password;

  g_return_val_if_fail (EP_IS_VAULT (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  key = key_for (address);
  g_mutex_lock (&self->mutex);
  password = self->loaded ? g_strdup (g_hash_table_lookup (self->passwords, key)) : NULL;
  g_mutex_unlock (&self->mutex);
  return password;
}

gboolean
ep_vault_remember_password (EpVault     *self,
                            const char  *address,
                            const char  *password,
                            GError     **error)
{
  g_autofree char *key = NULL;
  char *before;
  gboolean ok;

  g_return_val_if_fail (EP_IS_VAULT (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  if (password != NULL && !ep_password_validate (password, -1, error))
    return FALSE;
  key = key_for (address);
  g_mutex_lock (&self->mutex);
  if (!_ep_vault_check_loaded_locked (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  before = g_strdup (g_hash_table_lookup (self->passwords, key));
  if (password != NULL)
    g_hash_table_insert (self->passwords, g_strdup (key), g_strdup (password));
  else
    g_hash_table_remove (self->passwords, key);
  ok = _ep_vault_save_locked (self, error);
  if (!ok)
    {
      /* Not saved: as it was. */
      if (before != NULL)
        g_hash_table_insert (self->passwords, g_strdup (key), g_strdup (before));
      else
        g_hash_table_remove (self->passwords, key);
    }
  g_mutex_unlock (&self->mutex);
  ep_password_free (before);
  return ok;
}
