/* ep-pwmail-page.c: message.html, the form of a password-protected
 * message that any browser opens offline
 *
 * The message's text body and attachments are put into a small JSON
 * document, encrypted with AES-256-GCM under a key derived from the
 * password with PBKDF2-HMAC-SHA256, and embedded in a page whose only
 * code is the decryptor in password-page/page.js (its format is
 * documented there). The page's Content-Security-Policy allows exactly
 * that script and that style sheet, by hash, and nothing else: no request
 * of any kind. The body is shown as text, never as HTML.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include "mail/ep-gmime-private.h"
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ep-pwmail.h"
#include "ep-smime.h"
#include "ep-vault-private.h"
#include "epistle-core-resources.h"

#define SALT_LEN 16
#define IV_LEN   12
#define TAG_LEN  16

guint
_ep_pwmail_iterations (guint standard)
{
  const char *test = g_getenv ("EPISTLE_TEST_KDF_ITERATIONS");
  guint64 n;

  if (test == NULL || !g_ascii_string_to_unsigned (test, 10, 1000, standard, &n, NULL))
    return standard;
  return (guint) n;
}

/* --- JSON, written by hand: strings, arrays and objects only ----------- */

/* A JSON string; '<', '>' and '&' escaped too, so the document can sit in
 * a <script> element ("</script>" cannot occur). */
static void
json_string (GString    *out,
             const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s ? s : ""; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20 || c == '<' || c == '>' || c == '&')
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
json_member (GString    *out,
             const char *name,
             const char *value,
             gboolean    last)
{
  json_string (out, name);
  g_string_append_c (out, ':');
  json_string (out, value);
  if (!last)
    g_string_append_c (out, ',');
}

/* --- what the page shows ---------------------------------------------- */

typedef struct
{
  char      *body;          /* the first text/plain part, UTF-8 */
  GString   *attachments;   /* JSON array members */
  guint      n_attachments;
} Content;

static GBytes *
part_bytes (GMimePart *part)
{
  GMimeDataWrapper *wrapper = g_mime_part_get_content (part);
  GByteArray *array = g_byte_array_new ();
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_byte_array (array);

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  if (wrapper != NULL)
    g_mime_data_wrapper_write_to_stream (wrapper, stream);   /* decoded */
  return g_byte_array_free_to_bytes (array);
}

static void
add_attachment (Content    *content,
                const char *name,
                const char *type,
                GBytes     *data)
{
  g_autofree char *base64 = g_base64_encode (g_bytes_get_data (data, NULL), g_bytes_get_size (data));

  if (content->n_attachments++ > 0)
    g_string_append_c (content->attachments, ',');
  g_string_append_c (content->attachments, '{');
  json_member (content->attachments, "name", name, FALSE);
  json_member (content->attachments, "type", type, FALSE);
  json_member (content->attachments, "data", base64, TRUE);
  g_string_append_c (content->attachments, '}');
}

static void
collect (GMimeObject *object,
         Content     *content,
         guint        depth)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);
  g_autofree char *mime_type = g_mime_content_type_get_mime_type (type);

  if (depth > 16)
    return;
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (multipart);

      /* Signed inside: the content, not the signature. */
      if (g_mime_content_type_is_type (type, "multipart", "signed"))
        n = MIN (n, 1);
      for (int i = 0; i < n; i++)
        collect (g_mime_multipart_get_part (multipart, i), content, depth + 1);
      return;
    }
  if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *message = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      g_autofree char *text = message ? g_mime_object_to_string (GMIME_OBJECT (message), NULL) : NULL;
      g_autoptr(GBytes) data = g_bytes_new (text ? text : "", text ? strlen (text) : 0);

      add_attachment (content, "message.eml", "message/rfc822", data);
      return;
    }
  if (GMIME_IS_PART (object))
    {
      GMimePart *part = GMIME_PART (object);
      const char *filename = g_mime_part_get_filename (part);

      if (filename != NULL || g_mime_part_is_attachment (part))
        {
          g_autoptr(GBytes) data = part_bytes (part);
          add_attachment (content, filename ? filename : "attachment", mime_type, data);
        }
      else if (content->body == NULL && GMIME_IS_TEXT_PART (object) &&
               g_mime_content_type_is_type (type, "text", "plain"))
        {
          g_autofree char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (object));
          GString *lf = g_string_new (text);

          /* Line ends as a browser shows text: LF. */
          g_string_replace (lf, "\r\n", "\n", 0);
          if (text != NULL)
            OPENSSL_cleanse (text, strlen (text));
          content->body = g_string_free (lf, FALSE);
        }
      /* Anything else (the HTML alternative of a Markdown message, a
       * signature) has its text in the body already. */
    }
}

/* From, To, Subject and Date of @outer, decoded, for people. */
static void
outer_json (GString    *out,
            const char *outer)
{
  g_autofree char *text = g_strconcat (outer, "\r\n", NULL);
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (text, strlen (text));
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  g_autoptr(GMimeMessage) message = g_mime_parser_construct_message (parser, NULL);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *date = NULL;

  if (message != NULL)
    {
      GDateTime *dt = g_mime_message_get_date (message);
      from = internet_address_list_to_string (g_mime_message_get_from (message), NULL, FALSE);
      to = internet_address_list_to_string (g_mime_message_get_to (message), NULL, FALSE);
      if (dt != NULL)
        /* Unambiguous in any language: 2026-12-02 09:30 (+01:00) */
        date = g_date_time_format (dt, "%Y-%m-%d %H:%M (%:z)");
    }
  json_member (out, "from", from, FALSE);
  json_member (out, "to", to, FALSE);
  json_member (out, "subject", message ? g_mime_message_get_subject (message) : NULL, FALSE);
  json_member (out, "date", date, FALSE);
}

/* --- the encrypted payload --------------------------------------------- */

static char *
encrypt_payload (const GString *plain,
                 const char    *password,
                 guint          iterations,
                 GError       **error)
{
  guchar salt[SALT_LEN], iv[IV_LEN], key[32], tag[TAG_LEN];
  g_autofree guchar *cipher = g_malloc (plain->len + TAG_LEN);
  g_autofree char *salt64 = NULL;
  g_autofree char *iv64 = NULL;
  g_autofree char *data64 = NULL;
  EVP_CIPHER_CTX *ctx = NULL;
  GString *out = NULL;
  int n = 0, final = 0;

  if (RAND_bytes (salt, sizeof salt) != 1 || RAND_bytes (iv, sizeof iv) != 1 ||
      PKCS5_PBKDF2_HMAC (password, strlen (password), salt, sizeof salt, (int) iterations,
                         EVP_sha256 (), sizeof key, key) != 1 ||
      (ctx = EVP_CIPHER_CTX_new ()) == NULL ||
      EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, key, iv) != 1 ||
      EVP_EncryptUpdate (ctx, cipher, &n, (const guchar *) plain->str, (int) plain->len) != 1 ||
      EVP_EncryptFinal_ex (ctx, cipher + n, &final) != 1 ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1)
    {
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_FAILED,
                           _("The message could not be encrypted"));
      goto out;
    }
  memcpy (cipher + n + final, tag, TAG_LEN);

  salt64 = g_base64_encode (salt, sizeof salt);
  iv64 = g_base64_encode (iv, sizeof iv);
  data64 = g_base64_encode (cipher, n + final + TAG_LEN);
  out = g_string_new ("{\"v\":1,");
  json_member (out, "kdf", "PBKDF2-HMAC-SHA256", FALSE);
  g_string_append_printf (out, "\"iterations\":%u,", iterations);
  json_member (out, "salt", salt64, FALSE);
  json_member (out, "cipher", "AES-256-GCM", FALSE);
  json_member (out, "iv", iv64, FALSE);
  json_member (out, "data", data64, TRUE);
  g_string_append_c (out, '}');

out:
  OPENSSL_cleanse (key, sizeof key);
  EVP_CIPHER_CTX_free (ctx);
  return out ? g_string_free (out, FALSE) : NULL;
}

/* --- the page ------------------------------------------------------------ */

static char *
resource_text (const char *name)
{
  g_autofree char *path = g_strconcat ("/io/github/epistle/core/password-page/", name, NULL);
  g_autoptr(GBytes) data = g_resource_lookup_data (epistle_core_get_resource (), path,
                                                   G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  g_assert (data != NULL);   /* compiled in */
  return g_strndup (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
}

/* 'sha256-…' for a CSP source list. */
static char *
csp_hash (const char *text)
{
  guchar digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  g_autofree char *base64 = NULL;

  EVP_Digest (text, strlen (text), digest, &len, EVP_sha256 (), NULL);
  base64 = g_base64_encode (digest, len);
  return g_strdup_printf ("'sha256-%s'", base64);
}

/* The template with every @NAME@ replaced by its value, in one pass, so
 * no value can bring in a placeholder of its own. Values whose name is in
 * @raw go in as they are (code and JSON); the others are HTML-escaped. */
static GString *
fill (const char         *tmpl,
      GHashTable         *values,
      const char * const *raw)
{
  GString *out = g_string_new (NULL);
  const char *p = tmpl;

  while (*p != '\0')
    {
      const char *at = strchr (p, '@');
      const char *end = at ? strchr (at + 1, '@') : NULL;
      g_autofree char *name = NULL;
      const char *value;

      if (end == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, at - p);
      name = g_strndup (at, end + 1 - at);
      value = g_hash_table_lookup (values, name);
      if (value == NULL)
        {
          /* Not a placeholder: keep the '@' and look on from the next one. */
          g_string_append_c (out, '@');
          p = at + 1;
          continue;
        }
      if (g_strv_contains (raw, name))
        g_string_append (out, value);
      else
        {
          g_autofree char *escaped = g_markup_escape_text (value, -1);
          g_string_append (out, escaped);
        }
      p = end + 1;
    }
  return out;
}

GBytes *
_ep_pwmail_page (GBytes     *entity,
                 const char *outer,
                 const char *password,
                 const char *sender_name,
                 const char *hint,
                 guint       iterations,
                 GError    **error)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (entity, NULL),
                                                                     g_bytes_get_size (entity));
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  g_autoptr(GMimeObject) object = g_mime_parser_construct_part (parser, NULL);
  Content content = { NULL, g_string_new (NULL), 0 };
  g_autoptr(GString) plain = g_string_new ("{");
  g_autoptr(GString) strings = g_string_new ("{");
  g_autofree char *payload = NULL;
  g_autofree char *style = resource_text ("page.css");
  g_autofree char *script = resource_text ("page.js");
  g_autofree char *csp = NULL;
  g_autofree char *title = NULL;
  g_autofree char *hint_text = NULL;
  GString *page;
  gsize page_len;

  if (object == NULL)
    {
      g_set_error_literal (error, EP_SMIME_ERROR, EP_SMIME_ERROR_FAILED,
                           _("The message could not be read to protect it"));
      g_string_free (content.attachments, TRUE);
      return NULL;
    }
  collect (object, &content, 0);

  outer_json (plain, outer);
  json_member (plain, "body", content.body, FALSE);
  g_string_append_printf (plain, "\"attachments\":[%s]}", content.attachments->str);
  payload = encrypt_payload (plain, password, iterations, error);
  OPENSSL_cleanse (plain->str, plain->len);
  if (content.body != NULL)
    OPENSSL_cleanse (content.body, strlen (content.body));
  OPENSSL_cleanse (content.attachments->str, content.attachments->len);
  g_free (content.body);
  g_string_free (content.attachments, TRUE);
  if (payload == NULL)
    return NULL;

  {
    g_autofree char *script_hash = csp_hash (script);
    g_autofree char *style_hash = csp_hash (style);
    csp = g_strdup_printf ("default-src 'none'; script-src %s; style-src %s; "
                           "img-src 'none'; connect-src 'none'; form-action 'none'; "
                           "base-uri 'none'", script_hash, style_hash);
  }

  json_member (strings, "wrong", _("This password does not open the message. Check it and try again."),
               FALSE);
  json_member (strings, "unsupported",
               _("This browser cannot open the message. Try a current version of Firefox, "
                 "Chrome, Edge or Safari."), TRUE);
  g_string_append_c (strings, '}');

  /* TRANSLATORS: the title of the page that opens a password-protected
   * message; %s is the sender's name */
  title = g_strdup_printf (_("A message from %s"), sender_name);
  if (hint != NULL && *hint != '\0')
    /* TRANSLATORS: %s is a hint the sender wrote, such as "your pupil's birthday" */
    hint_text = g_strdup_printf (_("Hint: %s"), hint);

  {
    static const char * const raw[] = { "@HINT_HIDDEN@", "@STRINGS@", "@STYLE@", "@SCRIPT@",
                                        "@PAYLOAD@", NULL };
    g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
    g_autofree char *tmpl = resource_text ("page.html");

    /* TRANSLATORS: the language code of the page that opens a
     * password-protected message (its <html lang>) */
    g_hash_table_insert (values, "@LANG@", (char *) C_("html lang", "en"));
    g_hash_table_insert (values, "@TITLE@", title);
    g_hash_table_insert (values, "@INTRO@",
                         (char *) _("This message is protected with a password. Type the password "
                                    "the sender gave you to read it. It opens here, in your "
                                    "browser: nothing is sent anywhere."));
    g_hash_table_insert (values, "@PASSWORD_LABEL@", (char *) _("Password"));
    g_hash_table_insert (values, "@HINT_HIDDEN@", (char *) (hint_text ? "" : " hidden"));
    g_hash_table_insert (values, "@HINT@", hint_text ? hint_text : (char *) "");
    g_hash_table_insert (values, "@OPEN_LABEL@", (char *) _("Open"));
    g_hash_table_insert (values, "@WORKING@", (char *) _("Opening…"));
    g_hash_table_insert (values, "@FROM_LABEL@", (char *) _("From"));
    g_hash_table_insert (values, "@SUBJECT_LABEL@", (char *) _("Subject"));
    g_hash_table_insert (values, "@DATE_LABEL@", (char *) _("Date"));
    g_hash_table_insert (values, "@ATTACHMENTS_LABEL@", (char *) _("Attachments"));
    g_hash_table_insert (values, "@CSP@", csp);
    g_hash_table_insert (values, "@STRINGS@", strings->str);
    g_hash_table_insert (values, "@STYLE@", style);
    g_hash_table_insert (values, "@SCRIPT@", script);
    g_hash_table_insert (values, "@PAYLOAD@", payload);
    page = fill (tmpl, values, raw);
  }

  page_len = page->len;
  return g_bytes_new_take (g_string_free (page, FALSE), page_len);
}
