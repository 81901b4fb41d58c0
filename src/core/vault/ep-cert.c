/* ep-cert.c: certificates as people see them (EpCertInfo), and reading
 * certificate files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <string.h>
#include <openssl/x509v3.h>

#include "ep-vault-private.h"

void
ep_cert_info_free (EpCertInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->fingerprint);
  g_free (info->subject);
  g_free (info->issuer);
  g_strfreev (info->addresses);
  g_free (info);
}

char *
ep_cert_format_fingerprint (const char *fingerprint)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (fingerprint != NULL, NULL);

  for (guint i = 0; fingerprint[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (s, ':');
      g_string_append_c (s, g_ascii_toupper (fingerprint[i]));
    }
  return g_string_free (s, FALSE);
}

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_time);

  /* Translators: a certificate's expiry date, e.g. "3 Mar 2026" */
  return dt ? g_date_time_format (dt, _("%-d %b %Y")) : g_strdup ("?");
}

char *
ep_cert_info_describe_problem (const EpCertInfo *info)
{
  g_autofree char *date = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  switch (info->status)
    {
    case EP_CERT_OK:
      return NULL;
    case EP_CERT_EXPIRED:
      date = format_date (info->not_after);
      return g_strdup_printf (_("it expired on %s"), date);
    case EP_CERT_NOT_YET_VALID:
      date = format_date (info->not_before);
      return g_strdup_printf (_("it is valid only from %s"), date);
    case EP_CERT_UNTRUSTED:
      return g_strdup (_("no authority vouches for it and it has not been accepted"));
    case EP_CERT_WRONG_USAGE:
      return g_strdup (_("it is not meant for mail"));
    default:
      g_return_val_if_reached (NULL);
    }
}

static char *
name_entry (const X509_NAME *name,
            int              nid)
{
  int index = X509_NAME_get_index_by_NID (name, nid, -1);
  unsigned char *utf8 = NULL;
  char *text;
  int len;

  if (index < 0)
    return NULL;
  len = ASN1_STRING_to_UTF8 (&utf8,
                             X509_NAME_ENTRY_get_data (X509_NAME_get_entry (name, index)));
  if (len < 0)
    return NULL;
  text = g_utf8_make_valid ((const char *) utf8, len);
  OPENSSL_free (utf8);
  return text;
}

static char *
name_text (const X509_NAME *name)
{
  char *cn = name_entry (name, NID_commonName);
  g_autoptr(BIO) bio = NULL;
  char *data;
  long len;

  if (cn != NULL)
    return cn;

  bio = BIO_new (BIO_s_mem ());
  X509_NAME_print_ex (bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  len = BIO_get_mem_data (bio, &data);
  return g_utf8_make_valid (data, len);
}

static gint64
asn1_time_to_unix (const ASN1_TIME *time)
{
  struct tm tm = { 0 };

  if (time == NULL || !ASN1_TIME_to_tm (time, &tm))
    return 0;
  return (gint64) timegm (&tm);
}

static GStrv
cert_addresses (X509 *cert)
{
  STACK_OF (OPENSSL_STRING) *emails = X509_get1_email (cert);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (int i = 0; i < sk_OPENSSL_STRING_num (emails); i++)
    {
      g_autofree char *lower = g_ascii_strdown (sk_OPENSSL_STRING_value (emails, i), -1);
      g_strv_builder_add (builder, lower);
    }
  X509_email_free (emails);
  return g_strv_builder_end (builder);
}

char *
_ep_cert_display_name (X509 *cert)
{
  g_autofree char *cn = name_entry (X509_get_subject_name (cert), NID_commonName);
  g_auto(GStrv) addresses = cert_addresses (cert);
  const char *address = addresses[0];

  if (cn != NULL && address != NULL && g_ascii_strcasecmp (cn, address) != 0)
    return g_strdup_printf ("%s <%s>", cn, address);
  if (address != NULL)
    return g_strdup (address);
  return name_text (X509_get_subject_name (cert));
}

char *
_ep_cert_fingerprint (X509 *cert)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  GString *s = g_string_new (NULL);

  X509_digest (cert, EVP_sha256 (), md, &len);
  for (unsigned int i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", md[i]);
  return g_string_free (s, FALSE);
}

/* The facts of @cert that do not depend on the vault. */
EpCertInfo *
_ep_cert_info_new (X509 *cert)
{
  EpCertInfo *info = g_new0 (EpCertInfo, 1);
  uint32_t ku = X509_get_key_usage (cert);
  uint32_t xku = X509_get_extended_key_usage (cert);
  gboolean mail = (xku & XKU_SMIME) != 0 || xku == UINT32_MAX;

  info->fingerprint = _ep_cert_fingerprint (cert);
  info->subject = name_text (X509_get_subject_name (cert));
  info->issuer = name_text (X509_get_issuer_name (cert));
  info->addresses = cert_addresses (cert);
  info->not_before = asn1_time_to_unix (X509_get0_notBefore (cert));
  info->not_after = asn1_time_to_unix (X509_get0_notAfter (cert));
  info->self_signed = X509_check_issued (cert, cert) == X509_V_OK;
  info->can_encrypt = mail && (ku & (KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT)) != 0;
  info->can_sign = mail && (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;

  if (X509_cmp_current_time (X509_get0_notAfter (cert)) < 0)
    info->status = EP_CERT_EXPIRED;
  else if (X509_cmp_current_time (X509_get0_notBefore (cert)) > 0)
    info->status = EP_CERT_NOT_YET_VALID;
  else if (!info->can_encrypt && !info->can_sign)
    info->status = EP_CERT_WRONG_USAGE;
  else
    info->status = EP_CERT_OK;

  return info;
}

static void
bad_file (GError **error)
{
  g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_FILE,
                       _("The file holds no certificate (PEM, DER or PKCS #7 expected)"));
}

/* Every certificate in a PEM, DER or PKCS #7 file, in file order. */
STACK_OF (X509) *
_ep_cert_parse_all (GBytes  *data,
                    GError **error)
{
  gsize size;
  const guchar *bytes = g_bytes_get_data (data, &size);
  STACK_OF (X509) *certs = sk_X509_new_null ();
  g_autoptr(BIO) bio = BIO_new_mem_buf (bytes, (int) MIN (size, G_MAXINT));
  STACK_OF (X509_INFO) *infos;
  PKCS7 *p7 = NULL;
  const unsigned char *p;

  infos = PEM_X509_INFO_read_bio (bio, NULL, NULL, NULL);
  for (int i = 0; infos && i < sk_X509_INFO_num (infos); i++)
    {
      X509_INFO *xi = sk_X509_INFO_value (infos, i);
      if (xi->x509 != NULL && X509_up_ref (xi->x509))
        sk_X509_push (certs, xi->x509);
    }
  sk_X509_INFO_pop_free (infos, X509_INFO_free);

  if (sk_X509_num (certs) == 0)
    {
      BIO_reset (bio);
      p7 = PEM_read_bio_PKCS7 (bio, NULL, NULL, NULL);
      if (p7 == NULL)
        {
          p = bytes;
          p7 = d2i_PKCS7 (NULL, &p, (long) size);
        }
      if (p7 == NULL)
        {
          X509 *one;
          p = bytes;
          one = d2i_X509 (NULL, &p, (long) size);
          if (one != NULL)
            sk_X509_push (certs, one);
        }
      else if (PKCS7_type_is_signed (p7) && p7->d.sign != NULL && p7->d.sign->cert != NULL)
        {
          for (int i = 0; i < sk_X509_num (p7->d.sign->cert); i++)
            {
              X509 *c = sk_X509_value (p7->d.sign->cert, i);
              if (X509_up_ref (c))
                sk_X509_push (certs, c);
            }
        }
      PKCS7_free (p7);
    }

  ERR_clear_error ();
  if (sk_X509_num (certs) == 0)
    {
      sk_X509_free (certs);
      bad_file (error);
      return NULL;
    }
  return certs;
}

X509 *
_ep_vault_parse_certificate (GBytes  *data,
                             GError **error)
{
  STACK_OF (X509) *certs = _ep_cert_parse_all (data, error);
  X509 *first;

  if (certs == NULL)
    return NULL;
  first = sk_X509_shift (certs);
  sk_X509_pop_free (certs, X509_free);
  return first;
}

static gboolean
add_ext (X509       *cert,
         int         nid,
         const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ext;
  gboolean ok;

  X509V3_set_ctx_nodb (&ctx);
  X509V3_set_ctx (&ctx, cert, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  ok = ext != NULL && X509_add_ext (cert, ext, -1);
  X509_EXTENSION_free (ext);
  return ok;
}

/* A personal certificate for @address: RSA 3072, SHA-256, 3 years, for
 * signing and encrypting mail; its key in @key_out. */
X509 *
_ep_cert_new_self_signed (const char  *name,
                          const char  *address,
                          EVP_PKEY   **key_out,
                          GError     **error)
{
  g_autoptr(EVP_PKEY) key = NULL;
  g_autoptr(X509) cert = NULL;
  g_autofree char *san = NULL;
  X509_NAME *subject;
  unsigned char serial[16];
  BIGNUM *bn;
  gboolean ok;

  if (name == NULL || *name == '\0')
    name = address;
  if (strpbrk (address, ",\r\n") != NULL)
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_FILE,
                   _("“%s” is not a mail address"), address);
      return NULL;
    }

  key = EVP_RSA_gen (3072);
  cert = X509_new ();
  RAND_bytes (serial, sizeof serial);
  serial[0] &= 0x7f;
  bn = BN_bin2bn (serial, sizeof serial, NULL);
  san = g_strdup_printf ("email:%s", address);

  subject = cert ? X509_get_subject_name (cert) : NULL;
  ok = key != NULL && cert != NULL && bn != NULL &&
       X509_set_version (cert, X509_VERSION_3) &&
       BN_to_ASN1_INTEGER (bn, X509_get_serialNumber (cert)) != NULL &&
       X509_gmtime_adj (X509_getm_notBefore (cert), -300) != NULL &&
       X509_gmtime_adj (X509_getm_notAfter (cert), 3L * 365 * 24 * 3600) != NULL &&
       X509_NAME_add_entry_by_NID (subject, NID_commonName, MBSTRING_UTF8,
                                   (const unsigned char *) name, -1, -1, 0) &&
       X509_set_issuer_name (cert, subject) &&
       X509_set_pubkey (cert, key) &&
       add_ext (cert, NID_basic_constraints, "critical,CA:FALSE") &&
       add_ext (cert, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
       add_ext (cert, NID_ext_key_usage, "emailProtection") &&
       add_ext (cert, NID_subject_alt_name, san) &&
       add_ext (cert, NID_subject_key_identifier, "hash") &&
       X509_sign (cert, key, EVP_sha256 ()) > 0;
  BN_free (bn);
  ERR_clear_error ();
  if (!ok)
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                           _("The certificate could not be created"));
      return NULL;
    }
  *key_out = g_steal_pointer (&key);
  return g_steal_pointer (&cert);
}

/* @cert as PEM, or with @key as PKCS #12 protected by @password. */
GBytes *
_ep_cert_export (X509        *cert,
                 EVP_PKEY    *key,
                 const char  *password,
                 GError     **error)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  gboolean ok;
  char *data;
  long len;

  if (password != NULL)
    {
      g_autofree char *friendly = _ep_cert_display_name (cert);
      PKCS12 *p12 = PKCS12_create (password, friendly, key, cert, NULL,
                                   NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                                   NID_pbe_WithSHA1And3_Key_TripleDES_CBC, 0, -1, 0);
      /* A SHA-1 MAC: OpenSSL 3 would write SHA-256, which gpgsm 2.2
       * cannot check. */
      ok = p12 != NULL && PKCS12_set_mac (p12, password, -1, NULL, 0, 2048, EVP_sha1 ()) &&
           i2d_PKCS12_bio (bio, p12);
      PKCS12_free (p12);
    }
  else
    ok = PEM_write_bio_X509 (bio, cert);
  ERR_clear_error ();

  if (!ok)
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_IO,
                           _("The certificate could not be written"));
      return NULL;
    }
  len = BIO_get_mem_data (bio, &data);
  return g_bytes_new (data, len);
}
