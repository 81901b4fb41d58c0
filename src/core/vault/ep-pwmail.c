/* ep-pwmail.c: password-protected mail
 *
 * One message, two forms of the same content:
 *   - smime.p7m, CMS AuthEnvelopedData (AES-256-GCM) with a password
 *     recipient (RFC 3211): PBKDF2-HMAC-SHA1 (OpenSSL's PRF for PWRI, not
 *     choosable) and an AES-256-CBC key wrap, which Epistle and
 *     `openssl cms -decrypt -pwri_password` open;
 *   - message.html, which any current browser opens offline
 *     (ep-pwmail-page.c).
 * In front of them a readable part tells the recipient how to open it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include "mail/ep-gmime-private.h"
#include <openssl/err.h>
#include <openssl/x509.h>

#include "ep-password.h"
#include "ep-pwmail.h"
#include "ep-smime.h"
#include "ep-vault-private.h"

/* A hostile message could ask for billions of iterations and hang the
 * reader: more than this is refused before any key is derived. A fuzzing
 * build refuses far fewer, so that a mutated count costs no more than the
 * fuzzer's 1 s per input and the fuzzer goes on past the key derivation
 * (the refusal path itself is the same). */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define MAX_OPEN_ITERATIONS 100000
#else
#define MAX_OPEN_ITERATIONS 20000000
#endif

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PBKDF2PARAM, PBKDF2PARAM_free)

/* The password as it is hashed: NFC, so "é" typed either way opens it. */
static char *
normalized (const char  *password,
            GError     **error)
{
  if (!ep_password_validate (password, -1, error))
    return NULL;
  return g_utf8_normalize (password, -1, G_NORMALIZE_NFC);
}

/* --- protecting ------------------------------------------------------ */

static GBytes *
pwri_der (GBytes      *entity,
          const char  *password,
          GError     **error)
{
  gsize len;
  const char *data = g_bytes_get_data (entity, &len);
  g_autoptr(BIO) in = BIO_new_mem_buf (data, (int) len);
  g_autoptr(BIO) out = BIO_new (BIO_s_mem ());
  g_autoptr(CMS_ContentInfo) cms = NULL;
  unsigned char *pass;
  char *der;
  long der_len;

  cms = CMS_encrypt (NULL, in, EVP_aes_256_gcm (), CMS_BINARY | CMS_PARTIAL);
  /* CMS owns (and wipes) the copy it is given. */
  pass = OPENSSL_memdup (password, strlen (password));
  if (cms == NULL || pass == NULL ||
      CMS_add0_recipient_password (cms, (int) _ep_pwmail_iterations (EP_PWMAIL_PWRI_ITERATIONS),
                                   NID_undef, NID_undef, pass, strlen (password),
                                   EVP_aes_256_cbc ()) == NULL)
    {
      OPENSSL_clear_free (pass, strlen (password));
      goto failed;
    }
  if (!CMS_final (cms, in, NULL, CMS_BINARY) || i2d_CMS_bio (out, cms) != 1)
    goto failed;
  der_len = BIO_get_mem_data (out, &der);
  return g_bytes_new (der, der_len);

failed:
  ERR_clear_error ();
  g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_FAILED,
                       _("The message could not be encrypted"));
  return NULL;
}

char *
ep_pwmail_explanation (const char *sender_name,
                       const char *hint)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text,
                          /* TRANSLATORS: the readable part of a password-protected
                           * message; %s is the sender's name */
                          _("%s sent you a message protected with a password."), sender_name);
  g_string_append (text, "\n\n");
  g_string_append (text,
                   _("To read it, open the attached file “message.html” in a web browser and "
                     "type the password. It opens without an internet connection, and nothing "
                     "is sent anywhere."));
  g_string_append (text, "\n\n");
  g_string_append_printf (text,
                          _("The password is not in this email: %s gives it to you another way, "
                            "for example in person, by phone or by text message."), sender_name);
  g_string_append (text, "\n\n");
  if (hint != NULL && *hint != '\0')
    {
      /* TRANSLATORS: %s is a hint the sender wrote */
      g_string_append_printf (text, _("Hint: %s"), hint);
      g_string_append (text, "\n\n");
    }
  g_string_append (text,
                   _("Mail programs that read S/MIME can open the attached “smime.p7m” with the "
                     "same password."));
  g_string_append_c (text, '\n');
  return g_string_free (text, FALSE);
}

static GMimePart *
attachment (const char *type,
            const char *subtype,
            const char *filename,
            GBytes     *data)
{
  GMimePart *part = g_mime_part_new_with_type (type, subtype);
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (data, NULL),
                                                                     g_bytes_get_size (data));
  g_autoptr(GMimeDataWrapper) wrapper = g_mime_data_wrapper_new_with_stream (stream,
                                                                            GMIME_CONTENT_ENCODING_DEFAULT);

  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_filename (part, filename);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  return part;
}

GBytes *
ep_pwmail_protect (GBytes                *message,
                   const char            *password,
                   const EpPwmailOptions *options,
                   GError               **error)
{
  g_autoptr(GString) outer = g_string_new (NULL);
  g_autoptr(GString) content = g_string_new (NULL);
  g_autofree char *pw = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) entity = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GMimeMultipart) multipart = NULL;
  g_autoptr(GMimeTextPart) readable = NULL;
  g_autoptr(GMimePart) p7m = NULL;
  g_autoptr(GMimePart) html = NULL;
  GMimeFormatOptions *format;
  const char *sender = options && options->sender_name ? options->sender_name : "";
  const char *hint = options ? options->hint : NULL;
  const char *data;
  GBytes *result = NULL;
  gsize len, body;

  g_return_val_if_fail (message != NULL, NULL);

  pw = normalized (password, error);
  if (pw == NULL)
    return NULL;
  if (hint != NULL && *hint != '\0')
    {
      g_autofree char *h = g_utf8_casefold (hint, -1);
      g_autofree char *p = g_utf8_casefold (pw, -1);
      if (strstr (h, p) != NULL)
        {
          g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD,
                               _("The password hint contains the password"));
          goto out;
        }
    }

  data = g_bytes_get_data (message, &len);
  body = _ep_smime_split_fields (data, len, outer, content);
  g_string_append (content, "\r\n");
  g_string_append_len (content, data + body, len - body);
  entity = g_bytes_new (content->str, content->len);

  der = pwri_der (entity, pw, error);
  if (der == NULL)
    goto out;
  page = _ep_pwmail_page (entity, outer->str, pw, sender, hint,
                          _ep_pwmail_iterations (EP_PWMAIL_PAGE_ITERATIONS), error);
  if (page == NULL)
    goto out;

  multipart = g_mime_multipart_new_with_subtype ("mixed");
  readable = g_mime_text_part_new_with_subtype ("plain");
  text = ep_pwmail_explanation (sender, hint);
  g_mime_text_part_set_text (readable, text);
  /* 7-bit safe whatever the server offers (no 8BITMIME needed). */
  g_mime_part_set_content_encoding (GMIME_PART (readable), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  g_mime_multipart_add (multipart, GMIME_OBJECT (readable));

  p7m = attachment ("application", "pkcs7-mime", "smime.p7m", der);
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (p7m), "smime-type", "authEnveloped-data");
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (p7m), "name", "smime.p7m");
  g_mime_multipart_add (multipart, GMIME_OBJECT (p7m));

  html = attachment ("text", "html", "message.html", page);
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (html), "charset", "utf-8");
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (html), "name", "message.html");
  g_mime_multipart_add (multipart, GMIME_OBJECT (html));

  format = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
  {
    g_autofree char *mime = g_mime_object_to_string (GMIME_OBJECT (multipart), format);
    g_string_append (outer, "MIME-Version: 1.0\r\n");
    g_string_append (outer, mime);
  }
  g_mime_format_options_free (format);
  result = g_bytes_new (outer->str, outer->len);

out:
  /* Only the protected form leaves. */
  OPENSSL_cleanse (content->str, content->len);
  OPENSSL_cleanse (pw, strlen (pw));
  return result;
}

/* --- opening --------------------------------------------------------- */

static GMimePart *
find_p7m (GMimeObject *object,
          guint        depth)
{
  if (depth > 16)
    return NULL;
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        {
          GMimePart *found = find_p7m (g_mime_multipart_get_part (multipart, i), depth + 1);
          if (found != NULL)
            return found;
        }
      return NULL;
    }
  if (GMIME_IS_PART (object))
    {
      GMimeContentType *type = g_mime_object_get_content_type (object);
      if (g_mime_content_type_is_type (type, "application", "pkcs7-mime") ||
          g_mime_content_type_is_type (type, "application", "x-pkcs7-mime"))
        return GMIME_PART (object);
    }
  return NULL;
}

/* The CMS of @message's first pkcs7-mime part, if it has a password
 * recipient; NULL otherwise, @damaged set when there is such a part but
 * it is not CMS. */
static CMS_ContentInfo *
password_cms (GBytes   *message,
              gboolean *damaged)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (message, NULL),
                                                                     g_bytes_get_size (message));
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  g_autoptr(GMimeMessage) parsed = g_mime_parser_construct_message (parser, NULL);
  GMimeObject *root = parsed ? g_mime_message_get_mime_part (parsed) : NULL;
  GMimePart *part = root ? find_p7m (root, 0) : NULL;
  GMimeDataWrapper *wrapper = part ? g_mime_part_get_content (part) : NULL;
  g_autoptr(GByteArray) der = g_byte_array_new ();
  g_autoptr(GMimeStream) out = NULL;
  g_autoptr(BIO) bio = NULL;
  CMS_ContentInfo *cms;
  STACK_OF (CMS_RecipientInfo) *ris;

  *damaged = FALSE;
  if (wrapper == NULL)
    return NULL;
  out = g_mime_stream_mem_new_with_byte_array (der);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (out), FALSE);
  g_mime_data_wrapper_write_to_stream (wrapper, out);   /* base64 decoded */
  bio = BIO_new_mem_buf (der->data, (int) der->len);
  cms = d2i_CMS_bio (bio, NULL);
  if (cms == NULL)
    {
      ERR_clear_error ();
      *damaged = TRUE;
      return NULL;
    }
  ris = CMS_get0_RecipientInfos (cms);
  for (int i = 0; i < sk_CMS_RecipientInfo_num (ris); i++)
    if (CMS_RecipientInfo_type (sk_CMS_RecipientInfo_value (ris, i)) == CMS_RECIPINFO_PASS)
      return cms;
  CMS_ContentInfo_free (cms);
  return NULL;
}

gboolean
ep_pwmail_is_protected (GBytes *message)
{
  g_autoptr(CMS_ContentInfo) cms = NULL;
  gboolean damaged;

  g_return_val_if_fail (message != NULL, FALSE);
  cms = password_cms (message, &damaged);
  return cms != NULL;
}

/* The largest PBKDF2 iteration count in @cms (0 if none is found), read
 * from its DER: each PBKDF2 algorithm identifier's parameters follow the
 * PBKDF2 OID (1.2.840.113549.1.5.12). */
static long
max_iterations (CMS_ContentInfo *cms)
{
  static const guchar oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c };
  unsigned char *der = NULL;
  int len = i2d_CMS_ContentInfo (cms, &der);
  long max = 0;

  for (int i = 0; len > 0 && i + (int) sizeof oid < len; i++)
    {
      const unsigned char *p = der + i + sizeof oid;
      g_autoptr(PBKDF2PARAM) params = NULL;

      if (memcmp (der + i, oid, sizeof oid) != 0)
        continue;
      params = d2i_PBKDF2PARAM (NULL, &p, len - i - (int) sizeof oid);
      if (params == NULL)
        {
          ERR_clear_error ();
          max = G_MAXLONG;   /* unreadable: treat as too costly */
          continue;
        }
      max = MAX (max, ASN1_INTEGER_get (params->iter));
    }
  OPENSSL_free (der);
  return max;
}

GBytes *
ep_pwmail_open (GBytes      *message,
                const char  *password,
                EpCipher    *cipher,
                GError     **error)
{
  g_autoptr(CMS_ContentInfo) cms = NULL;
  g_autoptr(BIO) out = NULL;
  g_autoptr(GString) outer = NULL;
  g_autoptr(GString) ignored = NULL;
  g_autofree char *pw = NULL;
  const char *data;
  char *plain;
  long plain_len, iterations;
  gboolean damaged;
  gsize len;
  int ok;

  g_return_val_if_fail (message != NULL, NULL);

  cms = password_cms (message, &damaged);
  if (cms == NULL && damaged)
    {
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_MALFORMED,
                           _("The encrypted part of the message is damaged. Nothing of it is "
                             "shown."));
      return NULL;
    }
  if (cms == NULL)
    {
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_NOT_SMIME,
                           _("The message is not protected with a password"));
      return NULL;
    }
  iterations = max_iterations (cms);
  if (iterations <= 0 || iterations > MAX_OPEN_ITERATIONS)
    {
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_MALFORMED,
                           _("The message asks for an unreasonable amount of work to open "
                             "it, and is not opened"));
      return NULL;
    }
  pw = normalized (password, error);
  if (pw == NULL)
    return NULL;

  out = BIO_new (BIO_s_mem ());
  /* Into memory; kept only if decryption and the GCM tag check passed. */
  ok = CMS_decrypt_set1_password (cms, (unsigned char *) pw, strlen (pw)) &&
       CMS_decrypt (cms, NULL, NULL, NULL, out, CMS_BINARY);
  OPENSSL_cleanse (pw, strlen (pw));
  plain_len = BIO_get_mem_data (out, &plain);
  if (!ok)
    {
      OPENSSL_cleanse (plain, plain_len);
      ERR_clear_error ();
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_DECRYPT,
                           _("This password does not open the message (or the message was "
                             "altered). Nothing of it is shown."));
      return NULL;
    }

  if (cipher != NULL)
    *cipher = OBJ_obj2nid (CMS_get0_type (cms)) == NID_id_smime_ct_authEnvelopedData
              ? EP_CIPHER_AES_256_GCM : EP_CIPHER_AES_256_CBC;
  data = g_bytes_get_data (message, &len);
  outer = g_string_new (NULL);
  ignored = g_string_new (NULL);
  _ep_smime_split_fields (data, len, outer, ignored);
  g_string_append (outer, "MIME-Version: 1.0\r\n");
  g_string_append_len (outer, plain, plain_len);
  OPENSSL_cleanse (plain, plain_len);
  {
    gsize n = outer->len;
    return g_bytes_new_take (g_string_free (g_steal_pointer (&outer), FALSE), n);
  }
}
