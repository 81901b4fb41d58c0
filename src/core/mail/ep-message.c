/* ep-message.c: EpDraft → MIME with GMime
 *
 * Structure:
 *   plain:     text/plain
 *   markdown:  multipart/alternative (text/plain source, text/html)
 *   + files:   multipart/mixed (body, attachment, attachment, …)
 *
 * Bcc recipients go into the envelope only, never into a header. Header
 * text (the subject, display names) is stripped of line breaks, so no field
 * can start a new header, and GMime writes non-ASCII as RFC 2047 words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-message"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include "ep-gmime-private.h"

#include "ep-address.h"
#include "ep-markdown.h"
#include "ep-message.h"

G_DEFINE_BOXED_TYPE (EpOutgoing, ep_outgoing, ep_outgoing_ref, ep_outgoing_unref)

static void
outgoing_clear (gpointer data)
{
  EpOutgoing *outgoing = data;

  g_free (outgoing->envelope_from);
  g_strfreev (outgoing->recipients);
  g_clear_pointer (&outgoing->data, g_bytes_unref);
  g_free (outgoing->message_id);
}

EpOutgoing *
ep_outgoing_ref (EpOutgoing *outgoing)
{
  return g_atomic_rc_box_acquire (outgoing);
}

void
ep_outgoing_unref (EpOutgoing *outgoing)
{
  g_atomic_rc_box_release_full (outgoing, outgoing_clear);
}

/* A message built earlier (the outbox keeps it as bytes). */
EpOutgoing *
ep_outgoing_new (const char         *envelope_from,
                 const char * const *recipients,
                 GBytes             *data,
                 const char         *message_id)
{
  EpOutgoing *outgoing;

  g_return_val_if_fail (envelope_from != NULL && recipients != NULL && data != NULL, NULL);

  outgoing = g_atomic_rc_box_new0 (EpOutgoing);
  outgoing->envelope_from = g_strdup (envelope_from);
  outgoing->recipients = g_strdupv ((char **) recipients);
  outgoing->data = g_bytes_ref (data);
  outgoing->message_id = g_strdup (message_id);
  return outgoing;
}

/* Header text: one line, no control characters, valid UTF-8. */
char *
ep_message_sanitize_header_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\r' || c == '\n' || c == '\t' || g_unichar_iscntrl (c))
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_unichar (out, c);
    }

  g_strstrip (out->str);
  out->len = strlen (out->str);

  return g_string_free (out, FALSE);
}

static gboolean
add_addresses (GPtrArray            *fields,
               InternetAddressList  *header,
               GPtrArray            *envelope,
               GHashTable           *seen,
               GError              **error)
{
  for (guint i = 0; i < fields->len; i++)
    {
      g_autoptr(GPtrArray) parsed = ep_address_list_parse (g_ptr_array_index (fields, i), error);

      if (parsed == NULL)
        return FALSE;

      for (guint j = 0; j < parsed->len; j++)
        {
          const EpAddress *a = g_ptr_array_index (parsed, j);
          g_autofree char *key = g_utf8_casefold (a->address, -1);

          if (header != NULL)
            {
              g_autofree char *name = a->name ? ep_message_sanitize_header_text (a->name) : NULL;
              InternetAddress *mb = internet_address_mailbox_new (name, a->address);

              internet_address_set_charset (mb, "UTF-8");

              internet_address_list_add (header, mb);
              g_object_unref (mb);
            }

          /* One RCPT per address, however often it was typed. */
          if (!g_hash_table_contains (seen, key))
            {
              g_ptr_array_add (envelope, g_strdup (a->address));
              g_hash_table_add (seen, g_steal_pointer (&key));
            }
        }
    }

  return TRUE;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

/* Text is always sent as UTF-8 (g_mime_text_part_set_text() would pick a
 * legacy charset when one happens to fit). */
static GMimeObject *
text_part (const char *subtype,
           const char *text)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (text, strlen (text));
  g_autoptr(GMimeDataWrapper) wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);

  g_mime_part_set_content (GMIME_PART (part), wrapper);
  g_mime_text_part_set_charset (part, is_ascii (text) ? "us-ascii" : "utf-8");
  g_mime_part_set_content_encoding (GMIME_PART (part),
                                    g_mime_part_get_best_content_encoding (GMIME_PART (part),
                                                                           GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT (part);
}

static GMimeObject *
build_body (const EpDraft  *draft,
            GError        **error)
{
  g_autofree char *body = g_utf8_make_valid (draft->body ? draft->body : "", -1);
  g_autofree char *html = NULL;
  GMimeMultipart *alternative;
  GMimeObject *plain;
  GMimeObject *rich;

  /* Normalise line ends, a lone CR (old Mac text, a spreadsheet cell)
   * included: GMime writes CRLF on output and would pass a bare CR on. */
  {
    g_auto(GStrv) lines = g_strsplit (body, "\r\n", -1);
    g_free (body);
    body = g_strdelimit (g_strjoinv ("\n", lines), "\r", '\n');
  }

  if (!draft->markdown)
    return text_part ("plain", body);

  if (draft->html_source != NULL)
    {
      g_autofree char *source = g_utf8_make_valid (draft->html_source, -1);
      g_auto(GStrv) lines = g_strsplit (source, "\r\n", -1);

      g_free (source);
      source = g_strdelimit (g_strjoinv ("\n", lines), "\r", '\n');
      html = ep_markdown_to_html (source, error);
    }
  else
    html = ep_markdown_to_html (body, error);
  if (html == NULL)
    return NULL;

  plain = text_part ("plain", body);
  rich = text_part ("html", html);

  alternative = g_mime_multipart_new_with_subtype ("alternative");
  g_mime_multipart_add (alternative, plain);
  g_mime_multipart_add (alternative, rich);
  g_object_unref (plain);
  g_object_unref (rich);

  return GMIME_OBJECT (alternative);
}

static void
set_param_charset (GMimeParamList *params,
                   const char     *name)
{
  GMimeParam *param = params ? g_mime_param_list_get_parameter (params, name) : NULL;

  if (param != NULL)
    g_mime_param_set_charset (param, "UTF-8");
}

static GMimeObject *
attachment_part (const char    *path,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *mime_type = NULL;
  g_autofree char *display = g_filename_display_basename (path);
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeDataWrapper) wrapper = NULL;
  g_auto(GStrv) type_parts = NULL;
  GMimePart *part;
  gconstpointer data;
  gsize size;

  bytes = g_file_load_bytes (file, cancellable, NULL, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_ATTACHMENT,
                   _("Could not attach “%s”: %s"), path, local_error->message);
      return NULL;
    }

  data = g_bytes_get_data (bytes, &size);
  content_type = g_content_type_guess (display, data, size, NULL);
  mime_type = g_content_type_get_mime_type (content_type);
  if (mime_type == NULL || strchr (mime_type, '/') == NULL)
    {
      g_free (mime_type);
      mime_type = g_strdup ("application/octet-stream");
    }
  type_parts = g_strsplit (mime_type, "/", 2);

  part = g_mime_part_new_with_type (type_parts[0], type_parts[1]);
  {
    /* A file name may hold CR, LF or other controls; the header may not. */
    g_autofree char *clean = ep_message_sanitize_header_text (display);

    g_mime_part_set_filename (part, clean);
  }
  set_param_charset (g_mime_content_type_get_parameters (g_mime_object_get_content_type (GMIME_OBJECT (part))), "name");
  set_param_charset (g_mime_content_disposition_get_parameters (g_mime_object_get_content_disposition (GMIME_OBJECT (part))), "filename");
  g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_ATTACHMENT);

  stream = g_mime_stream_mem_new_with_buffer (data, size);
  wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);

  return GMIME_OBJECT (part);
}

/* "<a@x> <b@y>" with only what is shaped like a msg-id kept (printable
 * ASCII in angle brackets, no space, no "<" or ">" inside), at most
 * @max of them (the last ones), or NULL: nothing else can reach a header. */
char *
ep_message_clean_msg_ids (const char *text,
                          guint       max)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = text;

  while (p != NULL && *p != '\0')
    {
      const char *start = strchr (p, '<');
      const char *end;
      gboolean ok = TRUE;

      if (start == NULL)
        break;
      end = strchr (start + 1, '>');
      if (end == NULL)
        break;
      if (end - start < 2 || end - start > 250)
        ok = FALSE;
      for (const char *q = start + 1; ok && q < end; q++)
        if ((guchar) *q <= 32 || (guchar) *q >= 127 || *q == '<')
          ok = FALSE;
      if (ok)
        g_ptr_array_add (ids, (gpointer) start);
      p = end + 1;
    }
  if (ids->len == 0)
    return NULL;
  for (guint i = ids->len > max ? ids->len - max : 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_len (out, id, strchr (id, '>') - id + 1);
    }
  return g_strdup (out->str);
}

static char *
domain_of (const char *address)
{
  const char *at = strrchr (address, '@');

  return g_strdup (at ? at + 1 : "localhost");
}

EpOutgoing *
ep_message_build (const EpDraft  *draft,
                  GCancellable   *cancellable,
                  GError        **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GPtrArray) envelope = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GMimeObject) body = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *from_name = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *message_id = NULL;
  GMimeFormatOptions *format;
  GByteArray *array;
  EpOutgoing *outgoing;
  InternetAddress *from;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!ep_address_validate (draft->from_address, error))
    {
      g_prefix_error (error, _("Sender: "));
      return NULL;
    }

  message = g_mime_message_new (TRUE);

  from_name = draft->from_name ? ep_message_sanitize_header_text (draft->from_name) : NULL;
  from = internet_address_mailbox_new (from_name && *from_name ? from_name : NULL,
                                       draft->from_address);
  internet_address_set_charset (from, "UTF-8");
  internet_address_list_add (g_mime_message_get_from (message), from);
  g_object_unref (from);

  if (!add_addresses (draft->to, g_mime_message_get_addresses (message, GMIME_ADDRESS_TYPE_TO),
                      envelope, seen, error) ||
      !add_addresses (draft->cc, g_mime_message_get_addresses (message, GMIME_ADDRESS_TYPE_CC),
                      envelope, seen, error) ||
      !add_addresses (draft->bcc, NULL, envelope, seen, error))
    return NULL;

  if (envelope->len == 0)
    {
      g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_NO_RECIPIENTS,
                           _("The message has no recipients"));
      return NULL;
    }

  subject = ep_message_sanitize_header_text (draft->subject);
  g_mime_message_set_subject (message, subject, "utf-8");

  now = g_date_time_new_now_local ();
  g_mime_message_set_date (message, now);

  if (draft->reply_to != NULL && *draft->reply_to != '\0')
    {
      g_autoptr(GPtrArray) reply_to = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GHashTable) ignored_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      g_ptr_array_add (reply_to, g_strdup (draft->reply_to));
      if (!add_addresses (reply_to, g_mime_message_get_reply_to (message),
                          ignored, ignored_seen, error))
        {
          g_prefix_error (error, _("Reply-To: "));
          return NULL;
        }
    }

  domain = domain_of (draft->from_address);
  if (draft->message_id != NULL && *draft->message_id != '\0')
    {
      g_autofree char *clean = ep_message_sanitize_header_text (draft->message_id);
      message_id = g_strdup (g_strstrip (g_strdelimit (clean, "<> ", ' ')));
    }
  /* One the header line cannot hold (RFC 5322: 998 octets) is no id. */
  if (message_id == NULL || *message_id == '\0' || strlen (message_id) > 900)
    {
      g_free (message_id);
      message_id = g_mime_utils_generate_message_id (domain);
    }
  g_mime_message_set_message_id (message, message_id);

  {
    g_autofree char *in_reply_to = ep_message_clean_msg_ids (draft->in_reply_to, 1);
    g_autofree char *references = ep_message_clean_msg_ids (draft->references, 20);

    if (in_reply_to != NULL)
      g_mime_object_set_header (GMIME_OBJECT (message), "In-Reply-To", in_reply_to, NULL);
    if (references != NULL)
      g_mime_object_set_header (GMIME_OBJECT (message), "References", references, NULL);
  }

  body = build_body (draft, error);
  if (body == NULL)
    return NULL;

  if (draft->attachments->len == 0)
    g_mime_message_set_mime_part (message, body);
  else
    {
      g_autoptr(GMimeMultipart) mixed = g_mime_multipart_new_with_subtype ("mixed");

      g_mime_multipart_add (mixed, body);
      for (guint i = 0; i < draft->attachments->len; i++)
        {
          GMimeObject *part = attachment_part (g_ptr_array_index (draft->attachments, i),
                                               cancellable, error);
          if (part == NULL)
            return NULL;
          g_mime_multipart_add (mixed, part);
          g_object_unref (part);
        }
      g_mime_message_set_mime_part (message, GMIME_OBJECT (mixed));
    }

  format = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_format_options_set_param_encoding_method (format, GMIME_PARAM_ENCODING_METHOD_RFC2231);

  array = g_byte_array_new ();
  stream = g_mime_stream_mem_new_with_byte_array (array);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  if (g_mime_object_write_to_stream (GMIME_OBJECT (message), format, stream) < 0 ||
      g_mime_stream_flush (stream) < 0)
    {
      g_mime_format_options_free (format);
      g_byte_array_unref (array);
      g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID,
                           _("The message could not be written"));
      return NULL;
    }
  g_mime_format_options_free (format);

  outgoing = g_atomic_rc_box_new0 (EpOutgoing);
  outgoing->envelope_from = g_strdup (draft->from_address);
  g_ptr_array_add (envelope, NULL);
  outgoing->recipients = (GStrv) g_ptr_array_steal (envelope, NULL);
  outgoing->data = g_byte_array_free_to_bytes (array);
  outgoing->message_id = g_steal_pointer (&message_id);

  return outgoing;
}
