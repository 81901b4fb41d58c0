/* ep-vault.c: the key vault
 *
 * One file, written atomically (temporary file, fsync, rename) with mode
 * 0600:
 *
 *   "EPVAULT2" | kdf (1 = key in the keyring, 2 = scrypt passphrase) |
 *   [kdf 2: salt (16) | log2 N | r | p] | nonce (12) |
 *   AES-256-GCM ciphertext | tag (16)
 *
 * Everything before the ciphertext is authenticated too. The plaintext is
 * a GVariant (ep-vault-payload.c): identities, contacts' certificates,
 * accepted fingerprints, fingerprints whose owners advertised AES-GCM,
 * and the passwords remembered per contact (ep-vault-passwords.c). A vault
 * written as "EPVAULT1" (the same without the passwords) is read, and
 * written again as version 2. The key never leaves this file and the
 * keyring; plaintext buffers are wiped when done. A vault that does not
 * open is an error and is never written over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ep-password.h"
#include "ep-vault-state.h"

#define MAGIC        "EPVAULT2"
#define MAGIC_V1     "EPVAULT1"
#define MAGIC_LEN    8
#define KDF_KEYRING  1
#define KDF_SCRYPT   2
#define NONCE_LEN    12
#define TAG_LEN      16
#define SCRYPT_LOG_N 17   /* N = 131072, r = 8: 128 MiB, about 0.3 s */
#define SCRYPT_R     8
#define SCRYPT_P     1

G_DEFINE_FINAL_TYPE (EpVault, ep_vault, G_TYPE_OBJECT)
G_DEFINE_QUARK (ep-vault-error-quark, ep_vault_error)

static const SecretSchema vault_schema = {
  "io.github.epistle.Vault", SECRET_SCHEMA_NONE,
  {
    { "path", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static void
entry_free (Entry *entry)
{
  X509_free (entry->cert);
  EVP_PKEY_free (entry->key);
  g_free (entry->fingerprint);
  g_free (entry);
}

static void
wipe_passphrase (EpVault *self)
{
  if (self->passphrase != NULL)
    {
      OPENSSL_cleanse (self->passphrase, strlen (self->passphrase));
      g_clear_pointer (&self->passphrase, g_free);
    }
}

static void
ep_vault_finalize (GObject *object)
{
  EpVault *self = EP_VAULT (object);

  OPENSSL_cleanse (self->key, sizeof self->key);
  wipe_passphrase (self);
  g_ptr_array_unref (self->entries);
  g_hash_table_unref (self->trusted);
  g_hash_table_unref (self->gcm);
  g_hash_table_unref (self->passwords);
  g_clear_pointer (&self->trust_store, X509_STORE_free);
  g_free (self->trust_key);
  g_free (self->path);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ep_vault_parent_class)->finalize (object);
}

static void
ep_vault_class_init (EpVaultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_vault_finalize;
}

static void
ep_vault_init (EpVault *self)
{
  g_mutex_init (&self->mutex);
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->trusted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->gcm = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->passwords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) ep_password_free);
}

EpVault *
ep_vault_new (const char *path)
{
  EpVault *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (EP_TYPE_VAULT, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
ep_vault_get_path (EpVault *self)
{
  g_return_val_if_fail (EP_IS_VAULT (self), NULL);
  return self->path;
}

gboolean
ep_vault_is_loaded (EpVault *self)
{
  gboolean loaded;

  g_return_val_if_fail (EP_IS_VAULT (self), FALSE);
  g_mutex_lock (&self->mutex);
  loaded = self->loaded;
  g_mutex_unlock (&self->mutex);
  return loaded;
}

/* --- the key ------------------------------------------------------------- */

static gboolean
derive_key (EpVault     *self,
            const char  *passphrase,
            guint        log_n,
            guint        r,
            guint        p,
            GError     **error)
{
  if (log_n > 22 || r == 0 || r > 32 || p == 0 || p > 4 ||
      !EVP_PBE_scrypt (passphrase, strlen (passphrase), self->salt, SALT_LEN,
                       /* At most twice what Epistle writes (128 MiB): a hostile
                        * file cannot make opening take long. */
                       (uint64_t) 1 << log_n, r, p, (uint64_t) 1 << 28, self->key, KEY_LEN))
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_DAMAGED,
                           _("The key vault's key could not be derived from the passphrase"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
keyring_lookup (EpVault       *self,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret;
  guchar *raw;
  gsize len = 0;

  secret = secret_password_lookup_nonpageable_sync (&vault_schema, cancellable, &local_error,
                                                    "path", self->path, NULL);
  if (local_error != NULL)
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_KEYRING,
                   _("The key vault's key could not be read from the keyring: %s"),
                   local_error->message);
      return FALSE;
    }
  if (secret == NULL)
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_LOCKED,
                           _("The key vault's key is not in the keyring: the vault cannot be "
                             "opened. It was left as it is."));
      return FALSE;
    }

  raw = g_base64_decode (secret, &len);
  secret_password_free (secret);
  if (len != KEY_LEN)
    {
      OPENSSL_cleanse (raw, len);
      g_free (raw);
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_TAMPERED,
                           _("The keyring holds a damaged key for the key vault: the vault "
                             "cannot be opened. It was left as it is."));
      return FALSE;
    }
  memcpy (self->key, raw, KEY_LEN);
  OPENSSL_cleanse (raw, len);
  g_free (raw);
  self->have_key = TRUE;
  return TRUE;
}

/* A new vault's key: random, into the keyring; or from the passphrase. */
static gboolean
create_key (EpVault  *self,
            GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;
  char *encoded;
  gboolean ok;

  if (self->passphrase != NULL)
    {
      self->kdf = KDF_SCRYPT;
      if (RAND_bytes (self->salt, SALT_LEN) != 1 ||
          !derive_key (self, self->passphrase, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, error))
        return FALSE;
      wipe_passphrase (self);
      self->have_key = TRUE;
      return TRUE;
    }

  if (RAND_bytes (self->key, KEY_LEN) != 1)
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                           _("No random numbers for the key vault's key"));
      return FALSE;
    }
  encoded = g_base64_encode (self->key, KEY_LEN);
  /* Translators: the keyring item's label */
  label = g_strdup_printf (_("Epistle key vault (%s)"), self->path);
  ok = secret_password_store_sync (&vault_schema, SECRET_COLLECTION_DEFAULT, label, encoded,
                                   NULL, &local_error, "path", self->path, NULL);
  OPENSSL_cleanse (encoded, strlen (encoded));
  g_free (encoded);
  if (!ok)
    {
      OPENSSL_cleanse (self->key, KEY_LEN);
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_KEYRING,
                   _("The key vault's key could not be saved in the keyring: %s"),
                   local_error->message);
      return FALSE;
    }
  self->kdf = KDF_KEYRING;
  self->have_key = TRUE;
  return TRUE;
}

/* --- the file ------------------------------------------------------------ */

static gsize
header_len (int kdf)
{
  return MAGIC_LEN + 1 + (kdf == KDF_SCRYPT ? SALT_LEN + 3 : 0) + NONCE_LEN;
}

static gboolean
gcm_crypt (gboolean      encrypt,
           const guint8 *key,
           const guint8 *nonce,
           const guint8 *aad,
           gsize         aad_len,
           const guint8 *in,
           gsize         len,
           guint8       *out,
           guint8       *tag)
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int n = 0, final = 0;
  gboolean ok;

  ok = ctx != NULL && len <= G_MAXINT &&
       EVP_CipherInit_ex (ctx, EVP_aes_256_gcm (), NULL, key, nonce, encrypt ? 1 : 0) == 1 &&
       EVP_CipherUpdate (ctx, NULL, &n, aad, (int) aad_len) == 1 &&
       EVP_CipherUpdate (ctx, out, &n, in, (int) len) == 1 &&
       (encrypt || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1) &&
       EVP_CipherFinal_ex (ctx, out + n, &final) == 1 &&
       (!encrypt || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1);
  EVP_CIPHER_CTX_free (ctx);
  return ok;
}

static void record_stamp_locked (EpVault *self);

/* Called with the lock held. */
static gboolean
save_locked (EpVault  *self,
             GError  **error)
{
  g_autoptr(GVariant) payload = NULL;
  g_autofree char *dir = NULL;
  g_autofree guint8 *file = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize plain_len, hlen, file_len;
  guint8 *p;
  gboolean ok;

  if (!self->loaded)
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_LOCKED,
                           _("The key vault is not open"));
      return FALSE;
    }
  if (!self->have_key && !create_key (self, error))
    return FALSE;

  payload = _ep_vault_payload_new (self);
  plain_len = g_variant_get_size (payload);
  hlen = header_len (self->kdf);
  file_len = hlen + plain_len + TAG_LEN;
  file = g_malloc (file_len);
  p = file;
  memcpy (p, MAGIC, MAGIC_LEN);
  p += MAGIC_LEN;
  *p++ = (guint8) self->kdf;
  if (self->kdf == KDF_SCRYPT)
    {
      memcpy (p, self->salt, SALT_LEN);
      p += SALT_LEN;
      *p++ = SCRYPT_LOG_N;
      *p++ = SCRYPT_R;
      *p++ = SCRYPT_P;
    }
  if (RAND_bytes (p, NONCE_LEN) != 1)
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                           _("No random numbers for the key vault"));
      return FALSE;
    }

  {
    /* The serialised plaintext is in the variant's own buffer: copy it to
     * one we can wipe, encrypt, wipe. */
    guint8 *plain = g_malloc (MAX (plain_len, 1));
    g_variant_store (payload, plain);
    ok = gcm_crypt (TRUE, self->key, p, file, hlen, plain, plain_len, file + hlen,
                    file + hlen + plain_len);
    OPENSSL_cleanse (plain, plain_len);
    g_free (plain);
  }
  if (!ok)
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                           _("The key vault could not be encrypted"));
      return FALSE;
    }

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                   _("Could not create the folder of the key vault: %s"), g_strerror (saved));
      return FALSE;
    }
  if (!g_file_set_contents_full (self->path, (const char *) file, file_len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                   _("Could not save the key vault: %s"), local_error->message);
      return FALSE;
    }
  record_stamp_locked (self);
  return TRUE;
}

Entry *
_ep_vault_find_entry (EpVault    *self,
                      const char *fingerprint)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (g_ascii_strcasecmp (e->fingerprint, fingerprint) == 0)
        return e;
    }
  return NULL;
}

/* Takes @cert (and @key). An existing contact entry gains the key. */
Entry *
_ep_vault_add_entry (EpVault  *self,
                     X509     *cert,
                     EVP_PKEY *key)
{
  g_autofree char *fp = _ep_cert_fingerprint (cert);
  Entry *e = _ep_vault_find_entry (self, fp);

  if (e != NULL)
    {
      X509_free (cert);
      if (key != NULL && e->key == NULL)
        e->key = key;
      else
        EVP_PKEY_free (key);
      return e;
    }
  e = g_new0 (Entry, 1);
  e->cert = cert;
  e->key = key;
  e->fingerprint = g_steal_pointer (&fp);
  g_ptr_array_add (self->entries, e);
  return e;
}

/* What the file was when this process last read or wrote it: another
 * process (epistle-cli, a second window) may change it meanwhile. */
static void
record_stamp_locked (EpVault *self)
{
  GStatBuf st;

  if (g_stat (self->path, &st) == 0)
    {
      self->stamp_ino = st.st_ino;
      self->stamp_size = st.st_size;
      self->stamp_mtime = st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
    }
}

static gboolean
stamp_changed_locked (EpVault *self)
{
  GStatBuf st;

  if (g_stat (self->path, &st) != 0)
    return FALSE;    /* gone or unreadable: keep what is in memory */
  return st.st_ino != self->stamp_ino || st.st_size != self->stamp_size ||
         st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec != self->stamp_mtime;
}

/* Decrypts and reads @contents (the whole file) into the vault, replacing
 * what it held; nothing changes on an error. Called with the lock held. */
static gboolean
decode_locked (EpVault       *self,
               const guint8  *file,
               gsize          len,
               const char    *passphrase,
               GCancellable  *cancellable,
               GError       **error)
{
  const guint8 *nonce;
  gsize hlen, plain_len = 0;
  guint8 *plain = NULL;
  gboolean ok = FALSE;
  int kdf = len > MAGIC_LEN ? file[MAGIC_LEN] : 0;

  gboolean v1 = len >= MAGIC_LEN && memcmp (file, MAGIC_V1, MAGIC_LEN) == 0;

  if (len < MAGIC_LEN + 1 || (memcmp (file, MAGIC, MAGIC_LEN) != 0 && !v1) ||
      (kdf != KDF_KEYRING && kdf != KDF_SCRYPT) || len < header_len (kdf) + TAG_LEN)
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_DAMAGED,
                   _("The key vault “%s” is damaged (not a vault, or cut short). It was left "
                     "as it is; restore it from a backup."), self->path);
      return FALSE;
    }

  hlen = header_len (kdf);
  if (kdf == KDF_SCRYPT &&
      (!self->have_key || self->kdf != KDF_SCRYPT ||
       memcmp (self->salt, file + MAGIC_LEN + 1, SALT_LEN) != 0))
    {
      if (passphrase == NULL)
        passphrase = self->passphrase;
      if (passphrase == NULL)
        {
          g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_LOCKED,
                               _("The key vault is protected by a passphrase"));
          return FALSE;
        }
      memcpy (self->salt, file + MAGIC_LEN + 1, SALT_LEN);
      if (!derive_key (self, passphrase, file[MAGIC_LEN + 1 + SALT_LEN],
                       file[MAGIC_LEN + 2 + SALT_LEN], file[MAGIC_LEN + 3 + SALT_LEN], error))
        return FALSE;
      self->have_key = TRUE;
    }
  else if (kdf == KDF_KEYRING && (!self->have_key || self->kdf != KDF_KEYRING) &&
           !keyring_lookup (self, cancellable, error))
    return FALSE;
  self->kdf = kdf;

  nonce = file + hlen - NONCE_LEN;
  plain_len = len - hlen - TAG_LEN;
  plain = g_malloc (MAX (plain_len, 1));
  if (!gcm_crypt (FALSE, self->key, nonce, file, hlen, file + hlen, plain_len, plain,
                  (guint8 *) file + len - TAG_LEN))
    {
      self->have_key = FALSE;
      OPENSSL_cleanse (self->key, KEY_LEN);
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_TAMPERED,
                   kdf == KDF_SCRYPT
                   ? _("The key vault “%s” could not be opened: the passphrase is wrong, or "
                       "the file was altered. It was left as it is.")
                   : _("The key vault “%s” could not be opened: it was altered or damaged, "
                       "or the keyring holds another vault's key. It was left as it is."),
                   self->path);
      goto out;
    }

  g_ptr_array_set_size (self->entries, 0);
  g_hash_table_remove_all (self->trusted);
  g_hash_table_remove_all (self->gcm);
  g_hash_table_remove_all (self->passwords);
  if (!_ep_vault_parse_payload (self, plain, plain_len, v1))
    g_warning ("The key vault holds an entry that could not be read; it was kept out");
  ok = TRUE;

out:
  OPENSSL_cleanse (plain, MAX (plain_len, 1));
  g_free (plain);
  return ok;
}

/* Reads the file again if another process changed it since. */
static gboolean
refresh_locked (EpVault       *self,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  gboolean ok;

  if (!stamp_changed_locked (self))
    return TRUE;
  if (!g_file_get_contents (self->path, &contents, &len, &local_error))
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                   _("Could not read the key vault: %s"), local_error->message);
      return FALSE;
    }
  ok = decode_locked (self, (const guint8 *) contents, len, NULL, cancellable, error);
  OPENSSL_cleanse (contents, len);
  if (ok)
    record_stamp_locked (self);
  return ok;
}

gboolean
ep_vault_load_sync (EpVault       *self,
                    const char    *passphrase,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (EP_IS_VAULT (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (self->loaded)
    {
      /* Loaded: only what another process changed since is read again. */
      ok = refresh_locked (self, cancellable, error);
      g_mutex_unlock (&self->mutex);
      return ok;
    }

  if (!g_file_get_contents (self->path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          /* No vault yet: an empty one, written with a new key when it
           * first holds something. */
          self->loaded = TRUE;
          if (passphrase != NULL)
            self->passphrase = g_strdup (passphrase);
          ok = TRUE;
        }
      else
        g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                     _("Could not read the key vault: %s"), local_error->message);
      goto out;
    }

  ok = decode_locked (self, (const guint8 *) contents, len, passphrase, cancellable, error);
  if (ok)
    {
      self->loaded = TRUE;
      record_stamp_locked (self);
    }

out:
  if (contents != NULL)
    OPENSSL_cleanse (contents, len);
  g_mutex_unlock (&self->mutex);
  return ok;
}

/* --- changing it ------------------------------------------------------- */

/* Before a change: loaded, and up to date with what another process
 * wrote (else its change would be lost on saving). */
static gboolean
check_loaded_locked (EpVault  *self,
                     GError  **error)
{
  if (self->loaded)
    return refresh_locked (self, NULL, error);
  g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_LOCKED,
                       _("The key vault is not open"));
  return FALSE;
}

gboolean
_ep_vault_check_loaded_locked (EpVault  *self,
                               GError  **error)
{
  return check_loaded_locked (self, error);
}

gboolean
_ep_vault_save_locked (EpVault  *self,
                       GError  **error)
{
  return save_locked (self, error);
}

EpCertInfo *
ep_vault_import_identity (EpVault     *self,
                          GBytes      *pkcs12,
                          const char  *password,
                          GError     **error)
{
  gsize size;
  const unsigned char *data;
  PKCS12 *p12;
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  STACK_OF (X509) *ca = NULL;
  g_autofree char *fp = NULL;
  gboolean saved;

  g_return_val_if_fail (EP_IS_VAULT (self), NULL);
  g_return_val_if_fail (pkcs12 != NULL, NULL);

  data = g_bytes_get_data (pkcs12, &size);
  p12 = d2i_PKCS12 (NULL, &data, (long) size);
  if (p12 == NULL)
    {
      ERR_clear_error ();
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_FILE,
                           _("The file is not a PKCS #12 certificate file (.p12, .pfx)"));
      return NULL;
    }
  if (!PKCS12_verify_mac (p12, password ? password : "", -1) &&
      !(password == NULL || *password == '\0' ? PKCS12_verify_mac (p12, NULL, 0) : FALSE))
    {
      PKCS12_free (p12);
      ERR_clear_error ();
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD,
                           _("The password does not open this certificate file"));
      return NULL;
    }
  if (!PKCS12_parse (p12, password ? password : "", &key, &cert, &ca) || key == NULL ||
      cert == NULL)
    {
      PKCS12_free (p12);
      EVP_PKEY_free (key);
      X509_free (cert);
      sk_X509_pop_free (ca, X509_free);
      ERR_clear_error ();
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_FILE,
                           _("The certificate file holds no certificate with its private key"));
      return NULL;
    }
  PKCS12_free (p12);

  fp = _ep_cert_fingerprint (cert);
  g_mutex_lock (&self->mutex);
  if (!check_loaded_locked (self, error))
    {
      g_mutex_unlock (&self->mutex);
      EVP_PKEY_free (key);
      X509_free (cert);
      sk_X509_pop_free (ca, X509_free);
      return NULL;
    }
  X509_up_ref (cert);
  _ep_vault_add_entry (self, cert, key);
  for (int i = 0; i < sk_X509_num (ca); i++)
    {
      X509 *c = sk_X509_value (ca, i);
      X509_up_ref (c);
      _ep_vault_add_entry (self, c, NULL);
    }
  sk_X509_pop_free (ca, X509_free);
  /* One's own certificate, imported by oneself: accepted. */
  g_hash_table_add (self->trusted, g_strdup (fp));
  saved = save_locked (self, error);
  if (!saved)
    {
      Entry *e = _ep_vault_find_entry (self, fp);
      g_ptr_array_remove (self->entries, e);
      g_hash_table_remove (self->trusted, fp);
    }
  g_mutex_unlock (&self->mutex);

  {
    EpCertInfo *info = saved ? _ep_vault_describe (self, cert) : NULL;
    X509_free (cert);
    return info;
  }
}

EpCertInfo *
ep_vault_create_identity (EpVault     *self,
                          const char  *name,
                          const char  *address,
                          GError     **error)
{
  g_autoptr(EVP_PKEY) key = NULL;
  g_autoptr(X509) cert = NULL;
  g_autofree char *fp = NULL;
  gboolean ok;

  g_return_val_if_fail (EP_IS_VAULT (self), NULL);
  g_return_val_if_fail (address != NULL && strchr (address, '@') != NULL, NULL);

  cert = _ep_cert_new_self_signed (name, address, &key, error);
  if (cert == NULL)
    return NULL;

  fp = _ep_cert_fingerprint (cert);
  g_mutex_lock (&self->mutex);
  if (!check_loaded_locked (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }
  X509_up_ref (cert);
  EVP_PKEY_up_ref (key);
  _ep_vault_add_entry (self, cert, key);
  g_hash_table_add (self->trusted, g_strdup (fp));
  ok = save_locked (self, error);
  if (!ok)
    {
      g_ptr_array_remove (self->entries, _ep_vault_find_entry (self, fp));
      g_hash_table_remove (self->trusted, fp);
    }
  g_mutex_unlock (&self->mutex);

  return ok ? _ep_vault_describe (self, cert) : NULL;
}

GBytes *
ep_vault_export (EpVault     *self,
                 const char  *fingerprint,
                 const char  *password,
                 GError     **error)
{
  g_autoptr(X509) cert = NULL;
  g_autoptr(EVP_PKEY) key = NULL;
  Entry *e;

  g_return_val_if_fail (EP_IS_VAULT (self), NULL);
  g_return_val_if_fail (fingerprint != NULL, NULL);

  g_mutex_lock (&self->mutex);
  e = _ep_vault_find_entry (self, fingerprint);
  if (e != NULL)
    {
      X509_up_ref (e->cert);
      cert = e->cert;
      if (e->key != NULL && EVP_PKEY_up_ref (e->key))
        key = e->key;
    }
  g_mutex_unlock (&self->mutex);

  if (cert == NULL || (password != NULL && key == NULL))
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NOT_FOUND,
                   password ? _("No identity has the fingerprint %s")
                            : _("No certificate has the fingerprint %s"), fingerprint);
      return NULL;
    }

  return _ep_cert_export (cert, password != NULL ? key : NULL, password, error);
}

GPtrArray *
ep_vault_import_certificates (EpVault  *self,
                              GBytes   *data,
                              GError  **error)
{
  STACK_OF (X509) *certs;
  g_autoptr(GPtrArray) added = NULL;
  gboolean ok;

  g_return_val_if_fail (EP_IS_VAULT (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  certs = _ep_cert_parse_all (data, error);
  if (certs == NULL)
    return NULL;

  g_mutex_lock (&self->mutex);
  if (!check_loaded_locked (self, error))
    {
      g_mutex_unlock (&self->mutex);
      sk_X509_pop_free (certs, X509_free);
      return NULL;
    }
  for (int i = 0; i < sk_X509_num (certs); i++)
    {
      X509 *c = sk_X509_value (certs, i);
      X509_up_ref (c);
      _ep_vault_add_entry (self, c, NULL);
    }
  ok = save_locked (self, error);
  g_mutex_unlock (&self->mutex);

  if (ok)
    {
      added = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_cert_info_free);
      for (int i = 0; i < sk_X509_num (certs); i++)
        g_ptr_array_add (added, _ep_vault_describe (self, sk_X509_value (certs, i)));
    }
  sk_X509_pop_free (certs, X509_free);
  return g_steal_pointer (&added);
}

gboolean
ep_vault_set_trusted (EpVault     *self,
                      const char  *fingerprint,
                      gboolean     trusted,
                      GError     **error)
{
  g_autofree char *fp = NULL;
  gboolean ok, was;

  g_return_val_if_fail (EP_IS_VAULT (self), FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  fp = g_ascii_strdown (fingerprint, -1);
  g_mutex_lock (&self->mutex);
  if (!check_loaded_locked (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  if (_ep_vault_find_entry (self, fp) == NULL)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NOT_FOUND,
                   _("No certificate has the fingerprint %s"), fingerprint);
      return FALSE;
    }
  was = g_hash_table_contains (self->trusted, fp);
  if (trusted)
    g_hash_table_add (self->trusted, g_strdup (fp));
  else
    g_hash_table_remove (self->trusted, fp);
  ok = save_locked (self, error);
  if (!ok && was != trusted)
    {
      if (was)
        g_hash_table_add (self->trusted, g_strdup (fp));
      else
        g_hash_table_remove (self->trusted, fp);
    }
  g_mutex_unlock (&self->mutex);
  return ok;
}

gboolean
ep_vault_remove (EpVault     *self,
                 const char  *fingerprint,
                 GError     **error)
{
  Entry *e;
  gboolean ok;

  g_return_val_if_fail (EP_IS_VAULT (self), FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  if (!check_loaded_locked (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  e = _ep_vault_find_entry (self, fingerprint);
  if (e == NULL)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NOT_FOUND,
                   _("No certificate has the fingerprint %s"), fingerprint);
      return FALSE;
    }
  g_hash_table_remove (self->trusted, e->fingerprint);
  g_hash_table_remove (self->gcm, e->fingerprint);
  g_ptr_array_remove (self->entries, e);
  ok = save_locked (self, error);
  g_mutex_unlock (&self->mutex);
  return ok;
}

void
_ep_vault_collect (EpVault  *self,
                   X509     *cert,
                   gboolean  gcm)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fp = _ep_cert_fingerprint (cert);
  gboolean changed = FALSE;

  g_mutex_lock (&self->mutex);
  if (self->loaded)
    {
      if (_ep_vault_find_entry (self, fp) == NULL)
        {
          X509_up_ref (cert);
          _ep_vault_add_entry (self, cert, NULL);
          changed = TRUE;
        }
      if (gcm != g_hash_table_contains (self->gcm, fp))
        {
          if (gcm)
            g_hash_table_add (self->gcm, g_strdup (fp));
          else
            g_hash_table_remove (self->gcm, fp);
          changed = TRUE;
        }
      if (changed && !save_locked (self, &error))
        g_warning ("A certificate from signed mail was not kept: %s", error->message);
    }
  g_mutex_unlock (&self->mutex);
}
