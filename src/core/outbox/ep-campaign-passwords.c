/* ep-campaign-passwords.c: generated campaign passwords, in the keyring
 *
 * One keyring item per campaign (schema io.github.epistle.CampaignPasswords,
 * attribute "campaign": the campaign's first Message-ID), its secret one
 * line per recipient: "Message-ID<TAB>password". The store never holds
 * them; the results export is the only other place they go, and only
 * when the person exports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-campaign"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "ep-campaign-passwords.h"
#include "ep-campaign.h"
#include "vault/ep-password.h"

static const SecretSchema passwords_schema = {
  "io.github.epistle.CampaignPasswords", SECRET_SCHEMA_NONE,
  {
    { "campaign", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static void
keyring_error (GError     **error,
               GError      *cause,
               const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what,
               cause ? cause->message : _("unknown error"));
}

gboolean
ep_campaign_passwords_store (const char    *key,
                             const char    *campaign_name,
                             GHashTable    *passwords,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;
  GString *secret = g_string_new (NULL);
  GHashTableIter iter;
  gpointer id, password;
  gboolean ok;

  g_return_val_if_fail (key != NULL && passwords != NULL, FALSE);

  g_hash_table_iter_init (&iter, passwords);
  while (g_hash_table_iter_next (&iter, &id, &password))
    g_string_append_printf (secret, "%s\t%s\n", (char *) id, (char *) password);
  /* TRANSLATORS: the label of a keyring item; %s is a campaign's name */
  label = g_strdup_printf (_("Epistle: passwords of the campaign “%s”"), campaign_name);
  ok = secret_password_store_sync (&passwords_schema, SECRET_COLLECTION_DEFAULT, label,
                                   secret->str, cancellable, &local_error,
                                   "campaign", key, NULL);
  memset (secret->str, 0, secret->len);
  g_string_free (secret, TRUE);
  if (!ok)
    keyring_error (error, local_error, _("Could not keep the generated passwords in the keyring"));
  return ok;
}

GHashTable *
ep_campaign_passwords_lookup (const char    *key,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GHashTable *passwords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) ep_password_free);
  char *secret;
  char *line, *next;

  g_return_val_if_fail (key != NULL, NULL);

  secret = secret_password_lookup_nonpageable_sync (&passwords_schema, cancellable, &local_error,
                                                    "campaign", key, NULL);
  if (local_error != NULL)
    {
      g_hash_table_unref (passwords);
      keyring_error (error, local_error, _("Could not read the generated passwords from the keyring"));
      return NULL;
    }
  for (line = secret; line != NULL && *line != '\0'; line = next)
    {
      char *tab;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      tab = strchr (line, '\t');
      if (tab == NULL)
        continue;
      *tab = '\0';
      g_hash_table_insert (passwords, g_strdup (line), g_strdup (tab + 1));
    }
  secret_password_free (secret);
  return passwords;
}

gboolean
ep_campaign_passwords_clear (const char    *key,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (key != NULL, FALSE);

  secret_password_clear_sync (&passwords_schema, cancellable, &local_error,
                              "campaign", key, NULL);
  if (local_error != NULL)
    {
      keyring_error (error, local_error, _("Could not remove the generated passwords from the keyring"));
      return FALSE;
    }
  return TRUE;
}
