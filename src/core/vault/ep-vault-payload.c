/* ep-vault-payload.c: what the vault file holds, as a GVariant
 *
 *   version 2: (a(ayay)aayasasa{ss}): identities (certificate DER, PKCS #8
 *   key DER), contacts' certificates (DER), accepted fingerprints,
 *   fingerprints whose owners advertised AES-GCM, remembered passwords
 *   (address → password); version 1: the same without the passwords.
 *
 * ep-vault.c encrypts it; this file only builds and reads it, with the
 * vault's lock held. The plaintext is wiped by the caller.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <openssl/err.h>

#include "ep-password.h"
#include "ep-vault-state.h"

#define PAYLOAD_TYPE    "(a(ayay)aayasasa{ss})"
#define PAYLOAD_TYPE_V1 "(a(ayay)aayasas)"

GVariant *
_ep_vault_payload_new (EpVault *self)
{
  GVariantBuilder ids, contacts, trusted, gcm, passwords;
  GHashTableIter iter;
  gpointer key, value;

  g_variant_builder_init (&ids, G_VARIANT_TYPE ("a(ayay)"));
  g_variant_builder_init (&contacts, G_VARIANT_TYPE ("aay"));
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      unsigned char *der = NULL;
      int len = i2d_X509 (e->cert, &der);
      GVariant *cert = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, der, MAX (len, 0), 1);

      OPENSSL_free (der);
      if (e->key != NULL)
        {
          unsigned char *kder = NULL;
          int klen = i2d_PrivateKey (e->key, &kder);
          GVariant *k = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, kder, MAX (klen, 0), 1);
          OPENSSL_clear_free (kder, MAX (klen, 0));
          g_variant_builder_add (&ids, "(@ay@ay)", cert, k);
        }
      else
        g_variant_builder_add (&contacts, "@ay", cert);
    }

  g_variant_builder_init (&trusted, G_VARIANT_TYPE_STRING_ARRAY);
  g_hash_table_iter_init (&iter, self->trusted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_variant_builder_add (&trusted, "s", key);
  g_variant_builder_init (&gcm, G_VARIANT_TYPE_STRING_ARRAY);
  g_hash_table_iter_init (&iter, self->gcm);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_variant_builder_add (&gcm, "s", key);

  g_variant_builder_init (&passwords, G_VARIANT_TYPE ("a{ss}"));
  g_hash_table_iter_init (&iter, self->passwords);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_variant_builder_add (&passwords, "{ss}", key, value);

  return g_variant_ref_sink (g_variant_new ("(@a(ayay)@aay@as@as@a{ss})",
                                            g_variant_builder_end (&ids),
                                            g_variant_builder_end (&contacts),
                                            g_variant_builder_end (&trusted),
                                            g_variant_builder_end (&gcm),
                                            g_variant_builder_end (&passwords)));
}

gboolean
_ep_vault_parse_payload (EpVault       *self,
                         const guint8  *plain,
                         gsize          len,
                         gboolean       v1)
{
  g_autoptr(GBytes) bytes = g_bytes_new (plain, len);
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_from_bytes (
    G_VARIANT_TYPE (v1 ? PAYLOAD_TYPE_V1 : PAYLOAD_TYPE), bytes, FALSE));
  g_autoptr(GVariantIter) ids = NULL, contacts = NULL, trusted = NULL, gcm = NULL;
  g_autoptr(GVariantIter) passwords = NULL;
  GVariant *cert_v, *key_v;
  const char *fp, *address, *password;
  gboolean ok = TRUE;

  if (v1)
    g_variant_get (v, PAYLOAD_TYPE_V1, &ids, &contacts, &trusted, &gcm);
  else
    g_variant_get (v, PAYLOAD_TYPE, &ids, &contacts, &trusted, &gcm, &passwords);
  while (passwords != NULL && g_variant_iter_next (passwords, "{&s&s}", &address, &password))
    g_hash_table_insert (self->passwords, g_strdup (address), g_strdup (password));
  while (g_variant_iter_next (ids, "(@ay@ay)", &cert_v, &key_v))
    {
      gsize clen, klen;
      const unsigned char *c = g_variant_get_fixed_array (cert_v, &clen, 1);
      const unsigned char *k = g_variant_get_fixed_array (key_v, &klen, 1);
      X509 *cert = d2i_X509 (NULL, &c, (long) clen);
      EVP_PKEY *key = d2i_AutoPrivateKey (NULL, &k, (long) klen);

      if (cert != NULL && key != NULL)
        _ep_vault_add_entry (self, cert, key);
      else
        {
          X509_free (cert);
          EVP_PKEY_free (key);
          ok = FALSE;
        }
      g_variant_unref (cert_v);
      g_variant_unref (key_v);
    }
  while (g_variant_iter_next (contacts, "@ay", &cert_v))
    {
      gsize clen;
      const unsigned char *c = g_variant_get_fixed_array (cert_v, &clen, 1);
      X509 *cert = d2i_X509 (NULL, &c, (long) clen);

      if (cert != NULL)
        _ep_vault_add_entry (self, cert, NULL);
      else
        ok = FALSE;
      g_variant_unref (cert_v);
    }
  while (g_variant_iter_next (trusted, "&s", &fp))
    g_hash_table_add (self->trusted, g_ascii_strdown (fp, -1));
  while (g_variant_iter_next (gcm, "&s", &fp))
    g_hash_table_add (self->gcm, g_ascii_strdown (fp, -1));
  ERR_clear_error ();
  return ok;
}
