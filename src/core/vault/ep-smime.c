/* ep-smime.c: S/MIME with OpenSSL's CMS
 *
 * Protecting: the message's content (its Content-* header fields and its
 * body, exactly as built, 7-bit, CRLF) is the MIME entity that is signed
 * (CMS detached, SHA-256, written by OpenSSL as multipart/signed) and/or
 * encrypted (EnvelopedData AES-256-CBC, or AuthEnvelopedData AES-256-GCM,
 * written as application/pkcs7-mime). The other header fields (From, To,
 * Subject, Date, Message-ID) stay outside, readable, as RFC 8551 does.
 *
 * Opening: OpenSSL parses the S/MIME structure (SMIME_read_CMS), decrypts
 * into memory and verifies; nothing decrypted leaves this file unless
 * every step succeeded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-smime"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ep-smime.h"
#include "ep-vault-private.h"

G_DEFINE_QUARK (ep-smime-error-quark, ep_smime_error)

#define MAX_DEPTH 4

const char *
ep_cipher_name (EpCipher cipher)
{
  switch (cipher)
    {
    case EP_CIPHER_AES_256_CBC:
      return "AES-256-CBC";
    case EP_CIPHER_AES_256_GCM:
      return "AES-256-GCM";
    case EP_CIPHER_NONE:
    default:
      return NULL;
    }
}

void
ep_smime_verdict_free (EpSmimeVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->algorithm);
  g_free (verdict->signer);
  g_free (verdict->signer_fingerprint);
  g_free (verdict->signer_problem);
  g_clear_pointer (&verdict->cleartext, g_bytes_unref);
  g_free (verdict->summary);
  g_free (verdict);
}

/* --- header fields --------------------------------------------------------- */

/* Where the header ends: the offset of the body (after the empty line);
 * @len if there is none. */
static gsize
body_offset (const char *data,
             gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != '\n')
        continue;
      if (i + 1 < len && data[i + 1] == '\n')
        return i + 2;
      if (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n')
        return i + 3;
    }
  return len;
}

typedef enum { FIELD_OUTER, FIELD_CONTENT, FIELD_MIME_VERSION } FieldKind;

static FieldKind
field_kind (const char *line,
            gsize       len)
{
  if (len >= 8 && g_ascii_strncasecmp (line, "Content-", 8) == 0)
    return FIELD_CONTENT;
  if (len >= 13 && g_ascii_strncasecmp (line, "MIME-Version:", 13) == 0)
    return FIELD_MIME_VERSION;
  return FIELD_OUTER;
}

/* Appends the header fields of @data (a message) to @outer or @content,
 * by kind (MIME-Version to neither: whoever writes the result adds one);
 * folded lines stay with their field. Returns the body offset. */
gsize
_ep_smime_split_fields (const char *data,
              gsize       len,
              GString    *outer,
              GString    *content)
{
  gsize body = body_offset (data, len);
  gsize end = body;
  FieldKind kind = FIELD_OUTER;

  /* Leave the empty line out */
  while (end > 0 && (data[end - 1] == '\n' || data[end - 1] == '\r'))
    end--;
  for (gsize i = 0; i < end;)
    {
      const char *nl = memchr (data + i, '\n', end - i);
      gsize line_end = nl ? (gsize) (nl - data) + 1 : end;
      const char *line = data + i;
      gsize line_len = line_end - i;

      GString *sink;

      if (line[0] != ' ' && line[0] != '\t')
        kind = field_kind (line, line_len);
      sink = kind == FIELD_OUTER ? outer : kind == FIELD_CONTENT ? content : NULL;
      if (sink != NULL)
        {
          g_string_append_len (sink, line, line_len);
          if (nl == NULL)
            g_string_append (sink, "\r\n");
        }
      i = line_end;
    }
  return body;
}

/* The value of the Content-Type field (unfolded, lowercase), or "". */
static char *
content_type_of (const char *data,
                 gsize       len)
{
  g_autoptr(GString) outer = g_string_new (NULL);
  g_autoptr(GString) content = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  GString *value = NULL;

  _ep_smime_split_fields (data, len, outer, content);
  lines = g_strsplit (content->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strchomp (lines[i]);
      if (value != NULL && (lines[i][0] == ' ' || lines[i][0] == '\t'))
        g_string_append (value, lines[i]);
      else if (value != NULL)
        break;
      else if (g_ascii_strncasecmp (lines[i], "Content-Type:", 13) == 0)
        value = g_string_new (lines[i] + 13);
    }
  if (value == NULL)
    return g_strdup ("");
  {
    char *lower = g_ascii_strdown (g_strstrip (value->str), -1);
    g_string_free (value, TRUE);
    return lower;
  }
}

static gboolean
is_smime_type (const char *ctype)
{
  return g_str_has_prefix (ctype, "multipart/signed") ||
         g_str_has_prefix (ctype, "application/pkcs7-mime") ||
         g_str_has_prefix (ctype, "application/x-pkcs7-mime");
}

static GBytes *
bio_to_bytes (BIO *bio)
{
  char *data;
  long len = BIO_get_mem_data (bio, &data);

  return g_bytes_new (data, len);
}

/* --- protecting ---------------------------------------------------------- */

/* What OpenSSL wrote, with CRLF line ends throughout: SMIME_write_CMS
 * ends its header lines with CRLF (CMS_CRLFEOL) but its base64 lines with
 * LF alone, which SMTP servers refuse ("line too long"). Content that is
 * CRLF already (the signed part) is unchanged. */
static GBytes *
bio_to_crlf_bytes (BIO *bio)
{
  char *data;
  long len = BIO_get_mem_data (bio, &data);
  GByteArray *out = g_byte_array_sized_new (len + len / 32 + 2);

  for (long i = 0; i < len; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_byte_array_append (out, (const guint8 *) "\r", 1);
      g_byte_array_append (out, (const guint8 *) data + i, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

static void
cms_failed (GError    **error,
            const char *what)
{
  unsigned long code = ERR_peek_last_error ();
  char reason[256] = "";

  if (code != 0)
    ERR_error_string_n (code, reason, sizeof reason);
  ERR_clear_error ();
  g_set_error (error, EP_SMIME_ERROR, EP_SMIME_ERROR_FAILED, "%s%s%s", what,
               *reason ? ": " : "", reason);
}

/* Whether @address is in @cert. */
static gboolean
cert_has_address (X509       *cert,
                  const char *address)
{
  return X509_check_email (cert, address, strlen (address), 0) == 1;
}

/* The certificates to encrypt to: every recipient's, then the sender's
 * own (the Sent copy), without duplicates. */
static STACK_OF (X509) *
recipient_certs (EpVault            *vault,
                 const char         *sender,
                 const char * const *recipients,
                 GBytes             *recipient_cert,
                 EpVaultIdentity    *identity,
                 gboolean           *all_gcm,
                 GError            **error)
{
  STACK_OF (X509) *certs = sk_X509_new_null ();
  g_autoptr(X509) row_cert = NULL;
  gboolean gcm = TRUE;

  if (recipient_cert != NULL)
    {
      row_cert = _ep_vault_parse_certificate (recipient_cert, error);
      if (row_cert == NULL)
        goto fail;
    }

  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    {
      X509 *cert;

      if (row_cert != NULL && cert_has_address (row_cert, recipients[i]))
        {
          g_autoptr(GError) why = NULL;
          g_autoptr(EpCertInfo) info = NULL;
          g_autoptr(GBytes) copy = g_bytes_ref (recipient_cert);

          info = ep_vault_check_certificate (vault, copy, recipients[i], &why);
          if (info == NULL)
            {
              g_propagate_error (error, g_steal_pointer (&why));
              goto fail;
            }
          X509_up_ref (row_cert);
          cert = row_cert;
        }
      else if (identity != NULL && cert_has_address (identity->cert, recipients[i]))
        continue;
      else
        {
          g_autoptr(GError) why = NULL;

          cert = _ep_vault_dup_recipient_cert (vault, recipients[i], &why);
          if (cert == NULL && row_cert != NULL)
            {
              /* The row named a certificate file: say what it is for. */
              g_auto(GStrv) for_whom = NULL;
              g_autoptr(EpCertInfo) info = _ep_cert_info_new (row_cert);

              for_whom = g_strdupv (info->addresses);
              g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_CERTIFICATE,
                           _("The row's certificate is for %s, not for %s"),
                           for_whom[0] ? for_whom[0] : info->subject, recipients[i]);
              goto fail;
            }
          if (cert == NULL)
            {
              g_propagate_error (error, g_steal_pointer (&why));
              goto fail;
            }
        }
      gcm = gcm && _ep_vault_cert_gcm (vault, cert);
      sk_X509_push (certs, cert);
    }

  /* GCM only when every other recipient advertised it (none: CBC, which
   * every client of the sender's reads too). */
  gcm = gcm && sk_X509_num (certs) > 0;

  /* The sender reads their own copy: with their identity, else with a
   * certificate of theirs the vault knows. */
  if (identity != NULL)
    {
      X509_up_ref (identity->cert);
      sk_X509_push (certs, identity->cert);
    }
  else if (sender != NULL)
    {
      X509 *own = _ep_vault_dup_recipient_cert (vault, sender, NULL);
      if (own != NULL)
        sk_X509_push (certs, own);
    }

  *all_gcm = gcm;
  return certs;

fail:
  sk_X509_pop_free (certs, X509_free);
  return NULL;
}

gboolean
ep_smime_check (EpVault            *vault,
                EpProtection        protection,
                const char         *sender,
                const char * const *recipients,
                GBytes             *recipient_cert,
                GError            **error)
{
  EpVaultIdentity *identity = NULL;
  STACK_OF (X509) *certs;
  gboolean gcm;

  g_return_val_if_fail (EP_IS_VAULT (vault), FALSE);

  if (protection & EP_PROTECT_SIGN)
    {
      identity = _ep_vault_dup_identity (vault, sender, error);
      if (identity == NULL)
        return FALSE;
    }
  else if (protection & EP_PROTECT_ENCRYPT)
    identity = _ep_vault_dup_identity (vault, sender, NULL);

  if (protection & EP_PROTECT_ENCRYPT)
    {
      certs = recipient_certs (vault, sender, recipients, recipient_cert, identity, &gcm, error);
      if (certs == NULL)
        {
          g_clear_pointer (&identity, _ep_vault_identity_free);
          return FALSE;
        }
      sk_X509_pop_free (certs, X509_free);
    }
  g_clear_pointer (&identity, _ep_vault_identity_free);
  return TRUE;
}

/* The capabilities a signature advertises: AES-256-GCM first (Epistle
 * reads it), then the CBC ciphers everyone reads. */
static gboolean
add_capabilities (CMS_SignerInfo *si)
{
  STACK_OF (X509_ALGOR) *caps = NULL;
  gboolean ok;

  ok = CMS_add_simple_smimecap (&caps, NID_aes_256_gcm, -1) &&
       CMS_add_simple_smimecap (&caps, NID_aes_256_cbc, -1) &&
       CMS_add_simple_smimecap (&caps, NID_aes_192_cbc, -1) &&
       CMS_add_simple_smimecap (&caps, NID_aes_128_cbc, -1) &&
       CMS_add_smimecap (si, caps);
  sk_X509_ALGOR_pop_free (caps, X509_ALGOR_free);
  return ok;
}

/* multipart/signed around @entity (MIME-Version first). */
static GBytes *
sign_entity (EpVaultIdentity *identity,
             GBytes          *entity,
             GError         **error)
{
  gsize len;
  const char *data = g_bytes_get_data (entity, &len);
  g_autoptr(BIO) in = BIO_new_mem_buf (data, (int) len);
  g_autoptr(BIO) again = BIO_new_mem_buf (data, (int) len);
  g_autoptr(BIO) out = BIO_new (BIO_s_mem ());
  g_autoptr(CMS_ContentInfo) cms = NULL;
  int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
  CMS_SignerInfo *si;

  cms = CMS_sign (NULL, NULL, NULL, NULL, flags);
  si = cms ? CMS_add1_signer (cms, identity->cert, identity->key, EVP_sha256 (),
                              flags | CMS_NOSMIMECAP) : NULL;
  if (si == NULL || !add_capabilities (si) || !CMS_final (cms, in, NULL, flags) ||
      /* Signed above: the writer copies the content as it is (without
       * CMS_REUSE_DIGEST it would sign a second time). */
      !SMIME_write_CMS (out, cms, again,
                        CMS_DETACHED | CMS_BINARY | CMS_CRLFEOL | CMS_REUSE_DIGEST))
    {
      cms_failed (error, _("The message could not be signed"));
      return NULL;
    }
  return bio_to_crlf_bytes (out);
}

static GBytes *
encrypt_entity (STACK_OF (X509) *certs,
                gboolean         gcm,
                GBytes          *entity,
                GError         **error)
{
  gsize len;
  const char *data = g_bytes_get_data (entity, &len);
  g_autoptr(BIO) in = BIO_new_mem_buf (data, (int) len);
  g_autoptr(BIO) out = BIO_new (BIO_s_mem ());
  g_autoptr(CMS_ContentInfo) cms = NULL;

  cms = CMS_encrypt (certs, in, gcm ? EVP_aes_256_gcm () : EVP_aes_256_cbc (), CMS_BINARY);
  if (cms == NULL || !SMIME_write_CMS (out, cms, NULL, CMS_CRLFEOL))
    {
      cms_failed (error, _("The message could not be encrypted"));
      return NULL;
    }
  return bio_to_crlf_bytes (out);
}

GBytes *
ep_smime_protect (EpVault            *vault,
                  GBytes             *message,
                  EpProtection        protection,
                  const char         *sender,
                  const char * const *recipients,
                  GBytes             *recipient_cert,
                  EpCipher           *cipher,
                  GError            **error)
{
  g_autoptr(GString) outer = g_string_new (NULL);
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(GBytes) entity = NULL;
  EpVaultIdentity *identity = NULL;
  STACK_OF (X509) *certs = NULL;
  GBytes *result = NULL;
  gboolean gcm = FALSE;
  const char *data;
  gsize len, body;

  g_return_val_if_fail (EP_IS_VAULT (vault), NULL);
  g_return_val_if_fail (message != NULL, NULL);

  if (cipher != NULL)
    *cipher = EP_CIPHER_NONE;
  if (protection == EP_PROTECT_NONE)
    return g_bytes_ref (message);

  if (protection & EP_PROTECT_SIGN)
    {
      identity = _ep_vault_dup_identity (vault, sender, error);
      if (identity == NULL)
        return NULL;
    }
  else if (protection & EP_PROTECT_ENCRYPT)
    /* Always signed inside when there is an identity: CBC alone has no
     * integrity. */
    identity = _ep_vault_dup_identity (vault, sender, NULL);

  if (protection & EP_PROTECT_ENCRYPT)
    {
      certs = recipient_certs (vault, sender, recipients, recipient_cert, identity, &gcm, error);
      if (certs == NULL)
        goto out;
      gcm = gcm || (protection & EP_PROTECT_GCM) != 0;
    }

  data = g_bytes_get_data (message, &len);
  body = _ep_smime_split_fields (data, len, outer, content);
  g_string_append (content, "\r\n");
  g_string_append_len (content, data + body, len - body);
  entity = g_bytes_new (content->str, content->len);

  if (identity != NULL)
    {
      GBytes *signed_entity = sign_entity (identity, entity, error);
      if (signed_entity == NULL)
        goto out;
      g_bytes_unref (entity);
      entity = signed_entity;
    }
  if (certs != NULL)
    {
      GBytes *encrypted = encrypt_entity (certs, gcm, entity, error);
      if (encrypted == NULL)
        goto out;
      g_bytes_unref (entity);
      entity = encrypted;
      if (cipher != NULL)
        *cipher = gcm ? EP_CIPHER_AES_256_GCM : EP_CIPHER_AES_256_CBC;
    }

  data = g_bytes_get_data (entity, &len);
  g_string_append_len (outer, data, len);
  result = g_bytes_new (outer->str, outer->len);

out:
  /* The cleartext entity is wiped: only the protected form leaves. */
  OPENSSL_cleanse (content->str, content->len);
  g_clear_pointer (&identity, _ep_vault_identity_free);
  sk_X509_pop_free (certs, X509_free);
  return result;
}

/* --- opening ------------------------------------------------------------ */

/* The content-encryption algorithm of an (Auth)EnvelopedData, read from
 * its DER with OpenSSL's ASN.1 reader: ContentInfo → [0] → the data →
 * encryptedContentInfo → contentEncryptionAlgorithm. */
static int
content_cipher_nid (CMS_ContentInfo *cms)
{
  unsigned char *der = NULL;
  int der_len = i2d_CMS_ContentInfo (cms, &der);
  const unsigned char *p = der, *end = der + MAX (der_len, 0);
  long len;
  int tag, xclass, nid = NID_undef;

  /* ContentInfo SEQUENCE, contentType OID, [0] EXPLICIT, (Auth)EnvelopedData SEQUENCE */
#define ENTER() (ASN1_get_object (&p, &len, &tag, &xclass, end - p) & 0x80 ? FALSE : TRUE)
#define SKIP() G_STMT_START { if (!ENTER ()) goto out; p += len; } G_STMT_END
  if (der_len <= 0 || !ENTER ())
    goto out;
  SKIP ();           /* contentType */
  if (!ENTER () || !ENTER ())
    goto out;
  SKIP ();           /* version */
  for (;;)
    {
      const unsigned char *start = p;
      if (!ENTER ())
        goto out;
      if (xclass == V_ASN1_UNIVERSAL && tag == V_ASN1_SEQUENCE)
        {
          /* encryptedContentInfo: contentType, then the algorithm */
          SKIP ();
          if (!ENTER ())
            goto out;
          {
            const unsigned char *oid_start = p;
            ASN1_OBJECT *oid;
            if (!ENTER ())
              goto out;
            p = oid_start;
            oid = d2i_ASN1_OBJECT (NULL, &p, end - p);
            nid = oid ? OBJ_obj2nid (oid) : NID_undef;
            ASN1_OBJECT_free (oid);
          }
          goto out;
        }
      (void) start;
      p += len;     /* originatorInfo [0], recipientInfos SET */
    }
#undef SKIP
#undef ENTER
out:
  OPENSSL_free (der);
  ERR_clear_error ();
  return nid;
}

typedef struct
{
  EpVault        *vault;
  EpSmimeVerdict *verdict;
  gboolean        collect;
} OpenOp;

static gboolean open_entity (OpenOp *op, GBytes *entity, guint depth, GBytes **content,
                             GError **error);

static gboolean
decrypt (OpenOp           *op,
         CMS_ContentInfo  *cms,
         GBytes          **plaintext,
         GError          **error)
{
  g_autoptr(GPtrArray) identities = _ep_vault_dup_identities (op->vault);
  gboolean tried = FALSE;
  int nid = content_cipher_nid (cms);

  for (guint i = 0; i < identities->len; i++)
    {
      EpVaultIdentity *id = g_ptr_array_index (identities, i);
      g_autoptr(BIO) out = BIO_new (BIO_s_mem ());
      STACK_OF (CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos (cms);
      gboolean ours = FALSE;

      for (int r = 0; r < sk_CMS_RecipientInfo_num (ris); r++)
        {
          CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value (ris, r);
          int type = CMS_RecipientInfo_type (ri);

          if (type == CMS_RECIPINFO_TRANS && CMS_RecipientInfo_ktri_cert_cmp (ri, id->cert) == 0)
            ours = TRUE;
          else if (type == CMS_RECIPINFO_AGREE)
            {
              STACK_OF (CMS_RecipientEncryptedKey) *reks = CMS_RecipientInfo_kari_get0_reks (ri);
              for (int k = 0; k < sk_CMS_RecipientEncryptedKey_num (reks); k++)
                if (CMS_RecipientEncryptedKey_cert_cmp (sk_CMS_RecipientEncryptedKey_value (reks, k),
                                                        id->cert) == 0)
                  ours = TRUE;
            }
        }
      if (!ours)
        continue;

      tried = TRUE;
      /* Into memory; kept only if every check passed (a GCM tag fails
       * after the plaintext was written). */
      if (CMS_decrypt (cms, id->key, id->cert, NULL, out, CMS_BINARY))
        {
          op->verdict->encrypted = TRUE;
          op->verdict->cipher = nid == NID_aes_256_gcm || nid == NID_aes_128_gcm ||
                                nid == NID_aes_192_gcm ? EP_CIPHER_AES_256_GCM : EP_CIPHER_AES_256_CBC;
          /* "aes-256-cbc" → "AES-256-CBC" */
          op->verdict->algorithm = g_ascii_strup (nid != NID_undef ? OBJ_nid2ln (nid) : "?", -1);
          if (nid == NID_aes_128_gcm || nid == NID_aes_192_gcm || nid == NID_aes_256_gcm)
            op->verdict->integrity = TRUE;
          *plaintext = bio_to_bytes (out);
          ERR_clear_error ();
          return TRUE;
        }
      {
        char *data;
        long len = BIO_get_mem_data (out, &data);
        OPENSSL_cleanse (data, len);
      }
      ERR_clear_error ();
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_DECRYPT,
                           _("The message could not be decrypted: it was altered or damaged. "
                             "Nothing of it is shown."));
      return FALSE;
    }

  if (!tried)
    g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_NO_KEY,
                         _("The message is encrypted for someone else: none of your "
                           "certificates can open it"));
  return FALSE;
}

static gboolean
advertises_gcm (CMS_SignerInfo *si)
{
  int index = CMS_signed_get_attr_by_NID (si, NID_SMIMECapabilities, -1);
  X509_ATTRIBUTE *attr = index >= 0 ? CMS_signed_get_attr (si, index) : NULL;
  ASN1_TYPE *value = attr ? X509_ATTRIBUTE_get0_type (attr, 0) : NULL;
  STACK_OF (X509_ALGOR) *caps;
  const unsigned char *p;
  gboolean gcm = FALSE;

  if (value == NULL || value->type != V_ASN1_SEQUENCE)
    return FALSE;
  p = value->value.sequence->data;
  caps = d2i_X509_ALGORS (NULL, &p, value->value.sequence->length);
  for (int i = 0; i < sk_X509_ALGOR_num (caps); i++)
    {
      const ASN1_OBJECT *oid;
      X509_ALGOR_get0 (&oid, NULL, NULL, sk_X509_ALGOR_value (caps, i));
      if (OBJ_obj2nid (oid) == NID_aes_256_gcm)
        gcm = TRUE;
    }
  sk_X509_ALGOR_pop_free (caps, X509_ALGOR_free);
  ERR_clear_error ();
  return gcm;
}

static gboolean
verify (OpenOp           *op,
        CMS_ContentInfo  *cms,
        BIO              *detached,
        GBytes          **content,
        GError          **error)
{
  g_autoptr(BIO) out = BIO_new (BIO_s_mem ());
  g_autoptr(X509_STORE) store = X509_STORE_new ();
  STACK_OF (X509) *signers;
  X509 *signer;
  EpSmimeVerdict *v = op->verdict;

  /* The signature itself first: does it match the content? */
  if (!CMS_verify (cms, NULL, store, detached, out, CMS_NO_SIGNER_CERT_VERIFY))
    {
      ERR_clear_error ();
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_BAD_SIGNATURE,
                           _("The signature does not match the message: it was changed after "
                             "it was signed. Nothing of it is shown."));
      return FALSE;
    }

  signers = CMS_get0_signers (cms);
  signer = sk_X509_num (signers) > 0 ? sk_X509_value (signers, 0) : NULL;
  sk_X509_free (signers);
  v->is_signed = TRUE;
  v->integrity = TRUE;
  if (signer != NULL)
    {
      g_autoptr(X509_STORE) trust = _ep_vault_new_trust_store (op->vault);
      STACK_OF (X509) *untrusted = CMS_get1_certs (cms);
      STACK_OF (X509) *known = _ep_vault_dup_certs (op->vault);
      X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
      g_autoptr(EpCertInfo) info = _ep_vault_describe (op->vault, signer);
      STACK_OF (CMS_SignerInfo) *sis = CMS_get0_SignerInfos (cms);

      for (int i = 0; i < sk_X509_num (known); i++)
        {
          X509 *c = sk_X509_value (known, i);
          X509_up_ref (c);
          sk_X509_push (untrusted, c);
        }
      sk_X509_pop_free (known, X509_free);

      v->signer = _ep_cert_display_name (signer);
      v->signer_fingerprint = g_strdup (info->fingerprint);
      if (info->status == EP_CERT_EXPIRED || info->status == EP_CERT_NOT_YET_VALID)
        v->signer_problem = ep_cert_info_describe_problem (info);
      else if (info->trusted)
        v->signer_trusted = TRUE;
      else if (ctx != NULL && X509_STORE_CTX_init (ctx, trust, signer, untrusted) &&
               X509_STORE_CTX_set_purpose (ctx, X509_PURPOSE_SMIME_SIGN) &&
               X509_verify_cert (ctx) == 1)
        v->signer_trusted = TRUE;
      else
        {
          int code = ctx ? X509_STORE_CTX_get_error (ctx) : 0;
          v->signer_problem = code == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
                              code == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
                              code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                              code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
                              ? g_strdup (_("no authority vouches for the signer's certificate "
                                            "and it has not been accepted"))
                              : g_strdup (X509_verify_cert_error_string (code));
        }
      X509_STORE_CTX_free (ctx);
      sk_X509_pop_free (untrusted, X509_free);

      if (op->collect)
        _ep_vault_collect (op->vault, signer,
                           sk_CMS_SignerInfo_num (sis) > 0 &&
                           advertises_gcm (sk_CMS_SignerInfo_value (sis, 0)));
    }
  ERR_clear_error ();
  *content = bio_to_bytes (out);
  return TRUE;
}

/* Opens one layer of @entity (a message or a MIME entity); @content gets
 * what is inside, opened further if it is S/MIME too. */
static gboolean
open_entity (OpenOp   *op,
             GBytes   *entity,
             guint     depth,
             GBytes  **content,
             GError  **error)
{
  gsize len;
  const char *data = g_bytes_get_data (entity, &len);
  g_autofree char *ctype = content_type_of (data, len);
  g_autoptr(BIO) in = NULL;
  BIO *detached = NULL;
  g_autoptr(CMS_ContentInfo) cms = NULL;
  g_autoptr(GBytes) inner = NULL;
  gboolean ok;

  if (!is_smime_type (ctype) || depth >= MAX_DEPTH)
    {
      if (depth == 0)
        {
          g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_NOT_SMIME,
                               _("The message is neither signed nor encrypted (S/MIME)"));
          return FALSE;
        }
      *content = g_bytes_ref (entity);
      return TRUE;
    }

  in = BIO_new_mem_buf (data, (int) MIN (len, G_MAXINT));
  cms = SMIME_read_CMS (in, &detached);
  if (cms == NULL)
    {
      ERR_clear_error ();
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_MALFORMED,
                           _("The message's S/MIME part is damaged and cannot be read"));
      return FALSE;
    }

  switch (OBJ_obj2nid (CMS_get0_type (cms)))
    {
    case NID_pkcs7_enveloped:
    case NID_id_smime_ct_authEnvelopedData:
      ok = decrypt (op, cms, &inner, error);
      break;
    case NID_pkcs7_signed:
      ok = verify (op, cms, detached, &inner, error);
      break;
    default:
      ok = FALSE;
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_MALFORMED,
                           _("The message's S/MIME part is of a kind Epistle cannot read"));
    }
  BIO_free (detached);
  if (!ok)
    return FALSE;

  ok = open_entity (op, inner, depth + 1, content, error);
  if (!ok)
    {
      gsize ilen;
      char *idata = (char *) g_bytes_get_data (inner, &ilen);
      OPENSSL_cleanse (idata, ilen);
    }
  return ok;
}

static char *
summarize (const EpSmimeVerdict *v)
{
  g_autofree char *signature = NULL;

  if (v->is_signed && v->signer_trusted)
    signature = g_strdup_printf (_("signed by %s"), v->signer);
  else if (v->is_signed)
    signature = g_strdup_printf (_("signed by %s, not verified: %s"),
                                 v->signer ? v->signer : _("an unknown signer"),
                                 v->signer_problem ? v->signer_problem : "?");

  if (v->encrypted && signature != NULL)
    return g_strdup_printf (_("Encrypted (%s) and %s"), v->algorithm, signature);
  if (v->encrypted && v->integrity)
    return g_strdup_printf (_("Encrypted (%s)"), v->algorithm);
  if (v->encrypted)
    return g_strdup_printf (_("Encrypted (%s), not protected against tampering"), v->algorithm);
  {
    char *s = g_strdup (signature);
    s[0] = g_unichar_toupper (s[0]);
    return s;
  }
}

EpSmimeVerdict *
ep_smime_open (EpVault   *vault,
               GBytes    *message,
               gboolean   collect,
               GError   **error)
{
  g_autoptr(EpSmimeVerdict) verdict = g_new0 (EpSmimeVerdict, 1);
  g_autoptr(GString) outer = g_string_new (NULL);
  g_autoptr(GString) fields = g_string_new (NULL);
  g_autoptr(GBytes) content = NULL;
  OpenOp op = { vault, verdict, collect };
  const char *data;
  gsize len;

  g_return_val_if_fail (EP_IS_VAULT (vault), NULL);
  g_return_val_if_fail (message != NULL, NULL);

  if (!open_entity (&op, message, 0, &content, error))
    return NULL;

  /* The outer header fields, then the content in place of the protection */
  data = g_bytes_get_data (message, &len);
  _ep_smime_split_fields (data, len, outer, fields);
  g_string_append (outer, "MIME-Version: 1.0\r\n");
  data = g_bytes_get_data (content, &len);
  {
    /* The content's own fields (its MIME-Version left out: one is
     * enough), then its body. */
    g_autoptr(GString) cfields = g_string_new (NULL);
    g_autoptr(GString) cother = g_string_new (NULL);
    gsize body = _ep_smime_split_fields (data, len, cother, cfields);

    g_string_append_len (outer, cfields->str, cfields->len);
    g_string_append (outer, "\r\n");
    g_string_append_len (outer, data + body, len - body);
  }
  verdict->cleartext = g_bytes_new (outer->str, outer->len);
  OPENSSL_cleanse (outer->str, outer->len);
  verdict->summary = summarize (verdict);
  return g_steal_pointer (&verdict);
}
