/* ep-vault-lookup.c: finding certificates in the vault: for a recipient,
 * for signing, for decrypting; and how far each can be trusted (the
 * system's authorities plus the certificates the person accepted)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ep-vault-state.h"

/* --- looking at it ----------------------------------------------------- */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The accepted fingerprints, sorted and joined: what a trust store is
 * built from besides the system's authorities. With the lock held. */
static char *
trusted_key_locked (EpVault *self)
{
  g_autoptr(GPtrArray) fps = g_ptr_array_new ();
  g_autoptr(GString) key = g_string_new (NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (g_hash_table_contains (self->trusted, e->fingerprint))
        g_ptr_array_add (fps, e->fingerprint);
    }
  g_ptr_array_sort (fps, compare_strings);
  for (guint i = 0; i < fps->len; i++)
    g_string_append_printf (key, "%s;", (const char *) g_ptr_array_index (fps, i));
  return g_string_free (g_steal_pointer (&key), FALSE);
}

/* The system's authorities and the accepted certificates, as a new
 * reference. Loading the system's bundle parses every authority in it
 * (about 140 on Debian, through OpenSSL 3.0's decoders): a merge that
 * checks each row's certificate would do that once per row, so the store
 * is kept and built again only when the accepted certificates change.
 * OpenSSL's X509_STORE may verify in several threads at once. */
X509_STORE *
_ep_vault_new_trust_store (EpVault *self)
{
  g_autofree char *key = NULL;
  X509_STORE *store;

  g_mutex_lock (&self->mutex);
  key = trusted_key_locked (self);
  if (self->trust_store != NULL && g_strcmp0 (self->trust_key, key) == 0 &&
      X509_STORE_up_ref (self->trust_store))
    {
      store = self->trust_store;
      g_mutex_unlock (&self->mutex);
      return store;
    }

  store = X509_STORE_new ();
  X509_STORE_set_default_paths (store);
  /* An accepted certificate verifies by itself, without its issuer. */
  X509_STORE_set_flags (store, X509_V_FLAG_PARTIAL_CHAIN);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (g_hash_table_contains (self->trusted, e->fingerprint))
        X509_STORE_add_cert (store, e->cert);
    }
  if (X509_STORE_up_ref (store))
    {
      g_clear_pointer (&self->trust_store, X509_STORE_free);
      self->trust_store = store;
      g_free (self->trust_key);
      self->trust_key = g_steal_pointer (&key);
    }
  g_mutex_unlock (&self->mutex);
  ERR_clear_error ();
  return store;
}

STACK_OF (X509) *
_ep_vault_dup_certs (EpVault *self)
{
  STACK_OF (X509) *certs = sk_X509_new_null ();

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (X509_up_ref (e->cert))
        sk_X509_push (certs, e->cert);
    }
  g_mutex_unlock (&self->mutex);
  return certs;
}

/* Whether @cert chains to an authority or an accepted certificate. */
static gboolean
verifies (X509_STORE      *store,
          STACK_OF (X509) *untrusted,
          X509            *cert)
{
  X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
  gboolean ok;

  ok = ctx != NULL && X509_STORE_CTX_init (ctx, store, cert, untrusted) == 1 &&
       X509_verify_cert (ctx) == 1;
  X509_STORE_CTX_free (ctx);
  ERR_clear_error ();
  return ok;
}

EpCertInfo *
_ep_vault_describe (EpVault *self,
                    X509    *cert)
{
  EpCertInfo *info = _ep_cert_info_new (cert);
  g_autoptr(X509_STORE) store = NULL;
  STACK_OF (X509) *untrusted;
  Entry *e;

  g_mutex_lock (&self->mutex);
  e = _ep_vault_find_entry (self, info->fingerprint);
  info->is_identity = e != NULL && e->key != NULL;
  info->trusted = g_hash_table_contains (self->trusted, info->fingerprint);
  info->gcm = g_hash_table_contains (self->gcm, info->fingerprint);
  g_mutex_unlock (&self->mutex);

  if (info->status == EP_CERT_OK && !info->trusted)
    {
      store = _ep_vault_new_trust_store (self);
      untrusted = _ep_vault_dup_certs (self);
      if (!verifies (store, untrusted, cert))
        info->status = EP_CERT_UNTRUSTED;
      sk_X509_pop_free (untrusted, X509_free);
    }
  return info;
}

gboolean
_ep_vault_cert_gcm (EpVault *self,
                    X509    *cert)
{
  g_autofree char *fp = _ep_cert_fingerprint (cert);
  gboolean gcm;

  g_mutex_lock (&self->mutex);
  gcm = g_hash_table_contains (self->gcm, fp);
  g_mutex_unlock (&self->mutex);
  return gcm;
}

static int
compare_info (gconstpointer a,
              gconstpointer b)
{
  const EpCertInfo *x = *(EpCertInfo **) a, *y = *(EpCertInfo **) b;

  if (x->is_identity != y->is_identity)
    return x->is_identity ? -1 : 1;
  return g_utf8_collate (x->subject, y->subject);
}

GPtrArray *
ep_vault_list (EpVault *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_cert_info_free);
  STACK_OF (X509) *certs;

  g_return_val_if_fail (EP_IS_VAULT (self), list);

  certs = _ep_vault_dup_certs (self);
  for (int i = 0; i < sk_X509_num (certs); i++)
    g_ptr_array_add (list, _ep_vault_describe (self, sk_X509_value (certs, i)));
  sk_X509_pop_free (certs, X509_free);
  g_ptr_array_sort (list, compare_info);
  return list;
}

static gboolean
has_address (const EpCertInfo *info,
             const char       *address)
{
  for (guint i = 0; info->addresses[i] != NULL; i++)
    if (g_ascii_strcasecmp (info->addresses[i], address) == 0)
      return TRUE;
  return FALSE;
}

/* The best certificate for @address: usable for @encrypt (else signing,
 * with a key), newest first; else the reason. */
static X509 *
lookup (EpVault     *self,
        const char  *address,
        gboolean     encrypt,
        EpCertInfo **info_out,
        GError     **error)
{
  STACK_OF (X509) *certs = _ep_vault_dup_certs (self);
  X509 *best = NULL;
  g_autoptr(EpCertInfo) best_info = NULL;
  g_autoptr(EpCertInfo) problem = NULL;

  for (int i = 0; i < sk_X509_num (certs); i++)
    {
      X509 *cert = sk_X509_value (certs, i);
      g_autoptr(EpCertInfo) info = _ep_vault_describe (self, cert);

      if (!has_address (info, address) || (encrypt ? !info->can_encrypt : !info->is_identity))
        continue;
      if (!encrypt && !info->can_sign)
        continue;
      /* One's own identity is one's own: no authority needed to sign. */
      if (!encrypt && info->status == EP_CERT_UNTRUSTED)
        info->status = EP_CERT_OK;
      if (info->status != EP_CERT_OK)
        {
          if (problem == NULL || info->not_after > problem->not_after)
            {
              ep_cert_info_free (problem);
              problem = g_steal_pointer (&info);
            }
          continue;
        }
      if (best_info == NULL || info->not_after > best_info->not_after)
        {
          ep_cert_info_free (best_info);
          best_info = g_steal_pointer (&info);
          best = cert;
        }
    }

  if (best != NULL)
    X509_up_ref (best);
  sk_X509_pop_free (certs, X509_free);

  if (best == NULL)
    {
      g_autofree char *why = problem ? ep_cert_info_describe_problem (problem) : NULL;

      if (encrypt)
        g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_CERTIFICATE,
                     why ? _("The certificate for %s cannot be used: %s")
                         : _("No certificate is known for %s"), address, why);
      else
        g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_IDENTITY,
                     why ? _("Your certificate for %s cannot be used: %s")
                         : _("You have no certificate for %s: import one or create one in "
                             "Preferences, Encryption"), address, why);
      return NULL;
    }
  if (info_out != NULL)
    *info_out = g_steal_pointer (&best_info);
  return best;
}

/* The EpCertInfo of lookup ()'s choice. */
static EpCertInfo *
lookup_info (EpVault     *self,
             const char  *address,
             gboolean     encrypt,
             GError     **error)
{
  EpCertInfo *info = NULL;

  g_return_val_if_fail (EP_IS_VAULT (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  X509_free (lookup (self, address, encrypt, &info, error));
  return info;
}

EpCertInfo *
ep_vault_lookup_recipient (EpVault     *self,
                           const char  *address,
                           GError     **error)
{
  return lookup_info (self, address, TRUE, error);
}

EpCertInfo *
ep_vault_lookup_identity (EpVault     *self,
                          const char  *address,
                          GError     **error)
{
  return lookup_info (self, address, FALSE, error);
}

X509 *
_ep_vault_dup_recipient_cert (EpVault     *self,
                              const char  *address,
                              GError     **error)
{
  return lookup (self, address, TRUE, NULL, error);
}

void
_ep_vault_identity_free (EpVaultIdentity *identity)
{
  X509_free (identity->cert);
  EVP_PKEY_free (identity->key);
  g_free (identity);
}

static EpVaultIdentity *
identity_of (Entry *e)
{
  EpVaultIdentity *id = g_new0 (EpVaultIdentity, 1);

  X509_up_ref (e->cert);
  EVP_PKEY_up_ref (e->key);
  id->cert = e->cert;
  id->key = e->key;
  return id;
}

EpVaultIdentity *
_ep_vault_dup_identity (EpVault     *self,
                        const char  *address,
                        GError     **error)
{
  g_autoptr(X509) cert = lookup (self, address, FALSE, NULL, error);
  g_autofree char *fp = NULL;
  EpVaultIdentity *id = NULL;
  Entry *e;

  if (cert == NULL)
    return NULL;
  fp = _ep_cert_fingerprint (cert);
  g_mutex_lock (&self->mutex);
  e = _ep_vault_find_entry (self, fp);
  if (e != NULL && e->key != NULL)
    id = identity_of (e);
  g_mutex_unlock (&self->mutex);
  if (id == NULL)
    g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_IDENTITY,
                 _("You have no certificate for %s"), address);
  return id;
}

GPtrArray *
_ep_vault_dup_identities (EpVault *self)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func ((GDestroyNotify) _ep_vault_identity_free);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (e->key != NULL)
        g_ptr_array_add (ids, identity_of (e));
    }
  g_mutex_unlock (&self->mutex);
  return ids;
}

EpCertInfo *
ep_vault_check_certificate (EpVault     *self,
                            GBytes      *data,
                            const char  *address,
                            GError     **error)
{
  g_autoptr(X509) cert = NULL;
  g_autoptr(EpCertInfo) info = NULL;
  g_autofree char *why = NULL;

  g_return_val_if_fail (EP_IS_VAULT (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  cert = _ep_vault_parse_certificate (data, error);
  if (cert == NULL)
    return NULL;
  info = _ep_vault_describe (self, cert);

  if (address != NULL && !has_address (info, address))
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_CERTIFICATE,
                   _("The certificate is for %s, not for %s"),
                   info->addresses[0] ? info->addresses[0] : info->subject, address);
      return NULL;
    }
  if (info->status == EP_CERT_OK && !info->can_encrypt)
    info->status = EP_CERT_WRONG_USAGE;
  why = ep_cert_info_describe_problem (info);
  if (why != NULL)
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_CERTIFICATE,
                   _("The certificate for %s cannot be used: %s"),
                   address ? address : info->subject, why);
      return NULL;
    }
  return g_steal_pointer (&info);
}
