/* ep-read-message.c: a received message made safe to show
 *
 * The message is parsed with GMime (leniently: it comes from strangers)
 * and walked once, with a depth bound, to find the body, the attachments,
 * a delivery status report and any S/MIME part. Private mail is opened
 * through the vault (ep-smime.c, ep-pwmail.c); only its cleartext is then
 * walked again, so nothing unprotected around a protected part is shown.
 * ep-read-message-reply.c makes replies and forwards; ep-read-bounce.c
 * reads delivery status reports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-read-message"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include "ep-gmime-private.h"

#include "ep-address.h"
#include "ep-html-text.h"
#include "ep-message.h"
#include "ep-read-message.h"
#include "vault/ep-pwmail.h"
#include "vault/ep-smime.h"
#include "ep-read-message-private.h"

#define MAX_MESSAGE_SIZE (64 * 1024 * 1024)
#define MAX_DEPTH 32
#define MAX_CONTAINERS 2000
#define MAX_PARTS 1000
#define MAX_FILENAME 200

static void
attachment_free (gpointer data)
{
  EpReadAttachment *attachment = data;

  g_free (attachment->filename);
  g_free (attachment->content_type);
  g_free (attachment);
}

void
_ep_read_bounce_free (EpReadBounce *bounce)
{
  if (bounce == NULL)
    return;
  g_free (bounce->original_message_id);
  g_ptr_array_unref (bounce->failed);
  g_free (bounce->status);
  g_free (bounce->diagnostic);
  g_free (bounce);
}

void
ep_read_message_free (EpReadMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->subject);
  g_free (message->from);
  g_free (message->from_address);
  g_free (message->reply_to);
  g_free (message->to);
  g_free (message->cc);
  g_free (message->message_id);
  g_free (message->references);
  g_free (message->in_reply_to);
  g_free (message->problem);
  g_free (message->algorithm);
  g_free (message->signer);
  g_free (message->signer_problem);
  g_free (message->security_summary);
  g_clear_pointer (&message->body, ep_formatted_text_free);
  g_ptr_array_unref (message->attachments);
  _ep_read_bounce_free (message->bounce);
  g_clear_pointer (&message->shown, g_bytes_unref);
  g_free (message);
}

/* Text in @charset (or none) as valid UTF-8, bytes that do not convert
 * replaced by U+FFFD. ISO-8859-1 is read as its superset Windows-1252, as
 * browsers do: mail labelled Latin-1 often is. */
char *
_ep_read_to_utf8 (const char *data,
                  gsize       len,
                  const char *charset)
{
  g_autoptr(GString) out = NULL;
  const char *name;
  GIConv cd;
  char *in = (char *) data;
  gsize in_left = len;

  /* An empty GByteArray's data is NULL */
  if (data == NULL || len == 0)
    return g_strdup ("");
  if (charset == NULL || *charset == '\0' ||
      g_ascii_strcasecmp (charset, "utf-8") == 0 || g_ascii_strcasecmp (charset, "utf8") == 0 ||
      g_ascii_strcasecmp (charset, "us-ascii") == 0)
    return g_utf8_make_valid (data, len);

  name = g_mime_charset_iconv_name (charset);
  if (g_ascii_strcasecmp (name, "iso-8859-1") == 0 || g_ascii_strcasecmp (name, "latin1") == 0 ||
      g_ascii_strcasecmp (charset, "iso-8859-1") == 0)
    name = "WINDOWS-1252";
  cd = g_iconv_open ("UTF-8", name);
  if (cd == (GIConv) -1)
    return g_utf8_make_valid (data, len);

  out = g_string_sized_new (len + len / 2 + 16);
  while (in_left > 0)
    {
      char buffer[4096];
      char *outp = buffer;
      gsize out_left = sizeof buffer;
      gsize r = g_iconv (cd, &in, &in_left, &outp, &out_left);

      g_string_append_len (out, buffer, outp - buffer);
      if (r == (gsize) -1 && errno != E2BIG)
        {
          /* EILSEQ, EINVAL: one byte replaced, and on */
          g_string_append (out, "\xef\xbf\xbd");
          in++;
          in_left--;
          g_iconv (cd, NULL, NULL, NULL, NULL);
        }
    }
  g_iconv_close (cd);
  return g_utf8_make_valid (out->str, out->len);
}

static gboolean
is_encoded_word (const char *token,
                 gsize       len)
{
  guint marks = 0;

  if (len < 8 || strncmp (token, "=?", 2) != 0 || strncmp (token + len - 2, "?=", 2) != 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    marks += token[i] == '?';
  return marks == 4;
}

/* An unstructured header (Subject) from its raw value. GMime 3.2 joins
 * adjacent encoded words before decoding them, so a long subject folded
 * into several base64 words (as GMime itself writes them) is cut at the
 * first padding; each word is decoded on its own instead (RFC 2047 §5),
 * the space between two words dropped. Raw 8-bit text that is not UTF-8
 * is read as Windows-1252. The result is one line. */
char *
_ep_read_decode_header (GMimeParserOptions *options,
                        const char         *raw)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) space = g_string_new (NULL);
  gboolean last_word = FALSE;
  const char *p = raw ? raw : "";

  while (*p != '\0')
    {
      const char *start = p;
      gsize len;

      if (g_ascii_isspace (*p))
        {
          while (g_ascii_isspace (*p))
            p++;
          g_string_append_c (space, ' ');
          continue;
        }
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
      len = p - start;
      if (is_encoded_word (start, len))
        {
          g_autofree char *word = g_strndup (start, len);
          g_autofree char *text = g_mime_utils_header_decode_text (options, word);

          if (!last_word)
            g_string_append_len (out, space->str, space->len);
          g_string_append (out, text ? text : "");
          last_word = TRUE;
        }
      else
        {
          g_autofree char *text = NULL;

          if (g_utf8_validate (start, len, NULL))
            text = g_strndup (start, len);
          else
            text = _ep_read_to_utf8 (start, len, "windows-1252");
          g_string_append_len (out, space->str, space->len);
          g_string_append (out, text);
          last_word = FALSE;
        }
      g_string_truncate (space, 0);
    }
  return ep_message_sanitize_header_text (out->str);
}

static char *
raw_header (GMimeObject *object,
            const char  *name)
{
  GMimeHeader *header = g_mime_header_list_get_header (g_mime_object_get_header_list (object), name);

  return header ? g_strdup (g_mime_header_get_raw_value (header)) : NULL;
}

static char *
addresses_text (InternetAddressList *list)
{
  g_autofree char *text = NULL;

  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  text = internet_address_list_to_string (list, NULL, FALSE);
  return text ? ep_message_sanitize_header_text (text) : NULL;
}

static char *
first_address (InternetAddressList *list)
{
  for (int i = 0; list != NULL && i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        return ep_message_sanitize_header_text (
          internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
    }
  return NULL;
}

static char *
msg_id_of (const char *id)
{
  g_autofree char *bracketed = NULL;

  if (id == NULL || *id == '\0')
    return NULL;
  bracketed = id[0] == '<' ? g_strdup (id) : g_strdup_printf ("<%s>", id);
  return ep_message_clean_msg_ids (bracketed, 1);
}

static void
read_headers (EpReadMessage      *self,
              GMimeMessage       *message,
              GMimeParserOptions *options)
{
  g_autofree char *subject = raw_header (GMIME_OBJECT (message), "Subject");
  GDateTime *date;

  self->subject = _ep_read_decode_header (options, subject);
  self->from = addresses_text (g_mime_message_get_from (message));
  self->from_address = first_address (g_mime_message_get_from (message));
  self->reply_to = addresses_text (g_mime_message_get_reply_to (message));
  self->to = addresses_text (g_mime_message_get_to (message));
  self->cc = addresses_text (g_mime_message_get_cc (message));
  date = g_mime_message_get_date (message);
  self->date = date ? g_date_time_to_unix (date) : 0;
  self->message_id = msg_id_of (g_mime_message_get_message_id (message));
  self->references = ep_message_clean_msg_ids (
    g_mime_object_get_header (GMIME_OBJECT (message), "References"), 100);
  self->in_reply_to = ep_message_clean_msg_ids (
    g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"), 1);
}

/* Nesting GMime would recurse into, counted before it parses: its parser
 * has no depth limit of its own. */
static gboolean
too_many_containers (const char *data,
                     gsize       len)
{
  guint count = 0;

  for (gsize i = 0; i + 10 <= len; i++)
    {
      if ((data[i] | 0x20) != 'm')
        continue;
      if (g_ascii_strncasecmp (data + i, "multipart/", 10) == 0 ||
          g_ascii_strncasecmp (data + i, "message/", 8) == 0)
        if (++count > MAX_CONTAINERS)
          return TRUE;
    }
  return FALSE;
}

GMimeParserOptions *
_ep_read_parser_options (void)
{
  GMimeParserOptions *options = g_mime_parser_options_new ();

  g_mime_parser_options_set_rfc2047_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  return options;
}

GMimeMessage *
_ep_read_parse_bytes (GBytes             *raw,
                      GMimeParserOptions *options)
{
  gsize size;
  const char *data = g_bytes_get_data (raw, &size);
  /* GLib gives NULL for no bytes, which GMime refuses */
  g_autoptr(GMimeStream) mem = g_mime_stream_mem_new_with_buffer (data ? data : "", size);
  g_autoptr(GMimeStream) stream = g_mime_stream_filter_new (mem);
  GMimeFilter *dos2unix = g_mime_filter_dos2unix_new (FALSE);
  g_autoptr(GMimeParser) parser = NULL;

  if (too_many_containers (data, size))
    {
      g_object_unref (dos2unix);
      return NULL;
    }
  /* The wire format is CRLF; GMime's parser wants the local line ends. */
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (stream), dos2unix);
  g_object_unref (dos2unix);
  parser = g_mime_parser_new_with_stream (stream);
  return g_mime_parser_construct_message (parser, options);
}

/* The decoded content of @part. */
GByteArray *
_ep_read_part_bytes (GMimePart *part)
{
  GMimeDataWrapper *wrapper = g_mime_part_get_content (part);
  GByteArray *array = g_byte_array_new ();
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_byte_array (array);

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  if (wrapper != NULL)
    g_mime_data_wrapper_write_to_stream (wrapper, stream);
  return array;
}

static gboolean
type_is (GMimeObject *object,
         const char  *type,
         const char  *subtype)
{
  GMimeContentType *ctype = g_mime_object_get_content_type (object);

  return ctype != NULL && g_mime_content_type_is_type (ctype, type, subtype);
}

static gboolean
is_smime_part (GMimeObject *object)
{
  return type_is (object, "multipart", "signed") ||
         type_is (object, "application", "pkcs7-mime") ||
         type_is (object, "application", "x-pkcs7-mime");
}

typedef struct
{
  GMimeObject *part;
  GMimeObject *group;   /* the multipart/alternative it is an alternative in */
  gboolean     html;
} Candidate;

typedef struct
{
  gboolean     find_protection;
  GArray      *candidates;    /* Candidate */
  GPtrArray   *attachments;   /* GMimeObject, borrowed */
  GMimeObject *protected_part;
  guint        leaves;        /* parts other than the protected one */
  GMimeObject *dsn;           /* message/delivery-status */
  GMimeObject *original;      /* message/rfc822 or text/rfc822-headers of a report */
} Walk;

static void
walk (Walk        *w,
      GMimeObject *object,
      GMimeObject *group,
      guint        depth)
{
  if (depth > MAX_DEPTH || w->leaves + w->attachments->len > MAX_PARTS)
    return;

  if (w->find_protection && depth > 0 && is_smime_part (object))
    {
      if (w->protected_part == NULL)
        w->protected_part = object;
      else
        w->leaves++;
      return;
    }

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      gboolean alternative = type_is (object, "multipart", "alternative");

      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        walk (w, g_mime_multipart_get_part (multipart, i), alternative ? object : group,
              depth + 1);
      return;
    }

  w->leaves++;
  if (type_is (object, "message", "delivery-status") ||
      type_is (object, "message", "global-delivery-status"))
    {
      if (w->dsn == NULL)
        w->dsn = object;
      return;
    }
  if (type_is (object, "text", "rfc822-headers") && w->original == NULL)
    w->original = object;
  if (GMIME_IS_MESSAGE_PART (object))
    {
      if (w->original == NULL)
        w->original = object;
      g_ptr_array_add (w->attachments, object);
      return;
    }
  if (!GMIME_IS_PART (object))
    return;

  {
    const char *disposition = g_mime_object_get_disposition (object);
    gboolean attached = disposition != NULL &&
                        g_ascii_strcasecmp (disposition, GMIME_DISPOSITION_ATTACHMENT) == 0;
    gboolean plain = type_is (object, "text", "plain");
    gboolean html = type_is (object, "text", "html");

    if (!attached && (plain || html))
      {
        Candidate c = { object, group, html };
        g_array_append_val (w->candidates, c);
      }
    else
      g_ptr_array_add (w->attachments, object);
  }
}

static void
walk_init (Walk    *w,
           gboolean find_protection)
{
  memset (w, 0, sizeof *w);
  w->find_protection = find_protection;
  w->candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  w->attachments = g_ptr_array_new ();
}

static void
walk_clear (Walk *w)
{
  g_array_unref (w->candidates);
  g_ptr_array_unref (w->attachments);
}

/* The body: the first text part, or the HTML alternative in its group.
 * Other text parts (not alternatives of the body) join the attachments,
 * so the list of attachments ends with them: the same order each time. */
static const Candidate *
choose_body (Walk *w)
{
  const Candidate *chosen = NULL;

  if (w->candidates->len == 0)
    return NULL;
  chosen = &g_array_index (w->candidates, Candidate, 0);
  if (chosen->group != NULL)
    for (guint i = 0; i < w->candidates->len; i++)
      {
        const Candidate *c = &g_array_index (w->candidates, Candidate, i);

        if (c->group == chosen->group && c->html)
          {
            chosen = c;
            break;
          }
      }
  for (guint i = 0; i < w->candidates->len; i++)
    {
      const Candidate *c = &g_array_index (w->candidates, Candidate, i);

      if (c != chosen && (chosen->group == NULL || c->group != chosen->group))
        g_ptr_array_add (w->attachments, c->part);
    }
  return chosen;
}

/* A name safe to save under: the last path element, without control
 * characters or leading dots, at most MAX_FILENAME bytes. */
char *
_ep_read_sanitize_filename (const char *name,
                            guint       index)
{
  g_autofree char *valid = g_utf8_make_valid (name ? name : "", -1);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *base = valid;
  char *start;

  for (const char *p = valid; *p; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;
  for (const char *p = base; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029 || c == 0x202e || c == 0x202d)
        continue;
      if (out->len + 6 > MAX_FILENAME)
        break;
      g_string_append_unichar (out, c);
    }
  start = out->str;
  while (*start == '.' || g_ascii_isspace (*start))
    start++;
  g_strchomp (start);
  if (*start == '\0')
    return g_strdup_printf ("attachment-%u", index + 1);
  return g_strdup (start);
}

static EpReadAttachment *
describe_attachment (GMimeObject *object,
                     guint        index)
{
  EpReadAttachment *attachment = g_new0 (EpReadAttachment, 1);
  GMimeContentType *ctype = g_mime_object_get_content_type (object);
  g_autofree char *mime = ctype ? g_mime_content_type_get_mime_type (ctype) : NULL;
  g_autofree char *lower = g_ascii_strdown (mime ? mime : "application/octet-stream", -1);
  const char *name = NULL;

  attachment->index = index;
  attachment->content_type = ep_message_sanitize_header_text (lower);
  if (GMIME_IS_PART (object))
    {
      g_autoptr(GMimeStream) null = g_mime_stream_null_new ();
      GMimeDataWrapper *wrapper = g_mime_part_get_content (GMIME_PART (object));

      name = g_mime_part_get_filename (GMIME_PART (object));
      if (wrapper != NULL)
        {
          g_mime_data_wrapper_write_to_stream (wrapper, null);
          attachment->size = GMIME_STREAM_NULL (null)->written;
        }
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    {
      g_autoptr(GMimeStream) null = g_mime_stream_null_new ();
      g_autoptr(GMimeFormatOptions) format = g_mime_format_options_new ();
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));

      /* Counted as ep_read_message_attachment_bytes () writes it */
      g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
      if (inner != NULL)
        g_mime_object_write_to_stream (GMIME_OBJECT (inner), format, null);
      attachment->size = GMIME_STREAM_NULL (null)->written;
    }
  attachment->filename = _ep_read_sanitize_filename (name, index);
  if (name == NULL && GMIME_IS_MESSAGE_PART (object))
    {
      g_free (attachment->filename);
      attachment->filename = g_strdup_printf ("message-%u.eml", index + 1);
    }
  return attachment;
}

/* Undoes format=flowed (RFC 3676): space-stuffing removed, soft line
 * breaks (a line ending in a space, not the signature separator) joined. */
static char *
unflow (const char *text,
        gboolean    delsp)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len;

      if (line[0] == ' ')
        line++;
      len = strlen (line);
      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (len > 0 && line[len - 1] == ' ' && strcmp (line, "-- ") != 0 && lines[i + 1] != NULL &&
          line[0] != '>')
        g_string_append_len (out, line, delsp ? len - 1 : len);
      else
        {
          g_string_append (out, line);
          if (lines[i + 1] != NULL)
            g_string_append_c (out, '\n');
        }
    }
  return g_strdup (out->str);
}

static EpFormattedText *
render_body (const Candidate *c,
             gboolean        *was_html)
{
  g_autoptr(GByteArray) bytes = _ep_read_part_bytes (GMIME_PART (c->part));
  const char *charset = g_mime_object_get_content_type_parameter (c->part, "charset");
  g_autofree char *text = NULL;
  const char *format;

  *was_html = c->html;
  if (c->html)
    return ep_html_to_text (bytes->len > 0 ? (const char *) bytes->data : "", bytes->len, charset);

  text = _ep_read_to_utf8 ((const char *) bytes->data, bytes->len, charset);
  format = g_mime_object_get_content_type_parameter (c->part, "format");
  if (format != NULL && g_ascii_strcasecmp (format, "flowed") == 0)
    {
      const char *delsp = g_mime_object_get_content_type_parameter (c->part, "delsp");
      char *unflowed = unflow (text, delsp != NULL && g_ascii_strcasecmp (delsp, "yes") == 0);

      g_free (text);
      text = unflowed;
    }
  return ep_formatted_text_from_plain (text, -1);
}

/* Body, attachments and report of @message (nothing protected in it any
 * more: cleartext, or mail that was never protected). */
static void
show (EpReadMessage *self,
      GMimeMessage  *message,
      GBytes        *shown)
{
  GMimeObject *top = g_mime_message_get_mime_part (message);
  const Candidate *chosen;
  Walk w;

  self->shown = g_bytes_ref (shown);
  walk_init (&w, FALSE);
  if (top != NULL)
    walk (&w, top, NULL, 0);
  chosen = choose_body (&w);
  self->body = chosen ? render_body (chosen, &self->body_was_html)
                      : ep_formatted_text_from_plain ("", 0);
  for (guint i = 0; i < w.attachments->len; i++)
    g_ptr_array_add (self->attachments, describe_attachment (w.attachments->pdata[i], i));
  if (w.dsn != NULL)
    self->bounce = _ep_read_bounce_parse (w.dsn, w.original);
  walk_clear (&w);
}

static void
fail (EpReadMessage *self,
      const char    *problem)
{
  self->state = EP_READ_FAILED;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_free (self->security_summary);
  self->security_summary = g_strdup (problem);
}

/* The protected part as a message of its own: the outer header fields
 * (not the Content-* ones: the part brings its own), then the part. */
static GBytes *
protected_entity (GMimeMessage *message,
                  GMimeObject  *part)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  g_autoptr(GMimeFormatOptions) format = g_mime_format_options_new ();
  GByteArray *array = g_byte_array_new ();
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_byte_array (array);

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
  for (int i = 0; i < g_mime_header_list_get_count (headers); i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
      const char *name = g_mime_header_get_name (header);
      g_autofree char *value = NULL;

      if (g_ascii_strncasecmp (name, "Content-", 8) == 0 ||
          g_ascii_strcasecmp (name, "MIME-Version") == 0)
        continue;
      value = ep_message_sanitize_header_text (g_mime_header_get_raw_value (header));
      g_byte_array_append (array, (const guint8 *) name, strlen (name));
      g_byte_array_append (array, (const guint8 *) ": ", 2);
      g_byte_array_append (array, (const guint8 *) value, strlen (value));
      g_byte_array_append (array, (const guint8 *) "\r\n", 2);
    }
  g_byte_array_append (array, (const guint8 *) "MIME-Version: 1.0\r\n", 19);
  g_mime_object_write_to_stream (part, format, stream);
  return g_byte_array_free_to_bytes (array);
}

static void
open_smime (EpReadMessage      *self,
            GBytes             *bytes,
            gboolean            encrypted,
            gboolean            left_out,
            EpVault            *vault,
            gboolean            collect,
            GMimeParserOptions *options)
{
  g_autoptr(EpSmimeVerdict) verdict = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMimeMessage) clear = NULL;

  self->protection = EP_READ_SMIME;
  self->encrypted = encrypted;
  self->is_signed = !encrypted;
  if (vault == NULL || !ep_vault_is_loaded (vault))
    {
      fail (self, encrypted
                  ? _("This message is encrypted. Unlock the key vault to read it.")
                  : _("This message is signed. Unlock the key vault to check its signature "
                      "and read it."));
      return;
    }

  verdict = ep_smime_open (vault, bytes, collect, &error);
  if (verdict == NULL)
    {
      fail (self, error->message);
      return;
    }

  self->encrypted = verdict->encrypted;
  self->algorithm = g_strdup (verdict->algorithm);
  self->integrity = verdict->integrity;
  self->is_signed = verdict->is_signed;
  self->signer_trusted = verdict->signer_trusted;
  self->signer = g_strdup (verdict->signer);
  self->signer_problem = g_strdup (verdict->signer_problem);
  if (left_out)
    /* Translators: %s says how the message was protected ("Encrypted (AES-256-CBC) and signed by …") */
    self->security_summary = g_strdup_printf (_("%s. Other parts of the message were not "
                                                "protected and are not shown."),
                                              verdict->summary);
  else
    self->security_summary = g_strdup (verdict->summary);

  clear = _ep_read_parse_bytes (verdict->cleartext, options);
  if (clear == NULL)
    {
      fail (self, _("The decrypted message cannot be read."));
      return;
    }
  show (self, clear, verdict->cleartext);
}

static void
open_password (EpReadMessage      *self,
               GBytes             *raw,
               const char         *password,
               GMimeParserOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) clear = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  EpCipher cipher = EP_CIPHER_NONE;

  self->protection = EP_READ_PASSWORD;
  self->encrypted = TRUE;
  if (password == NULL)
    {
      self->state = EP_READ_NEEDS_PASSWORD;
      self->security_summary = g_strdup (_("This message is protected with a password."));
      return;
    }
  clear = ep_pwmail_open (raw, password, &cipher, &error);
  if (clear == NULL)
    {
      fail (self, error->message);
      return;
    }
  self->algorithm = g_strdup (ep_cipher_name (cipher));
  self->integrity = cipher == EP_CIPHER_AES_256_GCM;
  self->security_summary = self->integrity
    ? g_strdup_printf (_("Opened with its password (%s)"), self->algorithm)
    : g_strdup_printf (_("Opened with its password (%s), not protected against tampering"),
                       self->algorithm);
  message = _ep_read_parse_bytes (clear, options);
  if (message == NULL)
    {
      fail (self, _("The decrypted message cannot be read."));
      return;
    }
  show (self, message, clear);
}

EpReadMessage *
ep_read_message_parse (GBytes      *raw,
                       EpVault     *vault,
                       const char  *password,
                       gboolean     collect,
                       GError     **error)
{
  g_autoptr(EpReadMessage) self = NULL;
  g_autoptr(GMimeParserOptions) options = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  GMimeObject *top;
  Walk w;

  g_return_val_if_fail (raw != NULL, NULL);
  g_return_val_if_fail (vault == NULL || EP_IS_VAULT (vault), NULL);

  if (g_bytes_get_size (raw) > MAX_MESSAGE_SIZE)
    {
      g_set_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID,
                   _("The message is too large to show (over %u MiB)"),
                   MAX_MESSAGE_SIZE / (1024 * 1024));
      return NULL;
    }

  options = _ep_read_parser_options ();
  message = _ep_read_parse_bytes (raw, options);
  if (message == NULL)
    {
      g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID,
                           _("This is not a message that can be read"));
      return NULL;
    }

  self = g_new0 (EpReadMessage, 1);
  self->attachments = g_ptr_array_new_with_free_func (attachment_free);
  self->state = EP_READ_OK;
  read_headers (self, message, options);

  top = g_mime_message_get_mime_part (message);
  if (top != NULL && is_smime_part (top))
    {
      open_smime (self, raw, !type_is (top, "multipart", "signed"), FALSE, vault, collect, options);
      return g_steal_pointer (&self);
    }
  if (ep_pwmail_is_protected (raw))
    {
      open_password (self, raw, password, options);
      return g_steal_pointer (&self);
    }

  /* EFAIL: a protected part inside something larger is opened alone. */
  walk_init (&w, TRUE);
  if (top != NULL)
    walk (&w, top, NULL, 0);
  if (w.protected_part != NULL)
    {
      g_autoptr(GBytes) entity = protected_entity (message, w.protected_part);

      open_smime (self, entity, !type_is (w.protected_part, "multipart", "signed"),
                  w.leaves > 0, vault, collect, options);
      walk_clear (&w);
      return g_steal_pointer (&self);
    }
  walk_clear (&w);

  show (self, message, raw);
  return g_steal_pointer (&self);
}

GBytes *
ep_read_message_attachment_bytes (EpReadMessage  *message,
                                  guint           index,
                                  GError        **error)
{
  g_autoptr(GMimeParserOptions) options = NULL;
  g_autoptr(GMimeMessage) parsed = NULL;
  GMimeObject *top, *part;
  GBytes *bytes = NULL;
  Walk w;

  g_return_val_if_fail (message != NULL, NULL);

  if (message->shown == NULL || index >= message->attachments->len)
    {
      g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_ATTACHMENT,
                           _("The message has no such attachment"));
      return NULL;
    }
  options = _ep_read_parser_options ();
  parsed = _ep_read_parse_bytes (message->shown, options);
  top = parsed ? g_mime_message_get_mime_part (parsed) : NULL;
  walk_init (&w, FALSE);
  if (top != NULL)
    walk (&w, top, NULL, 0);
  choose_body (&w);
  part = index < w.attachments->len ? w.attachments->pdata[index] : NULL;
  if (part != NULL && GMIME_IS_PART (part))
    bytes = g_byte_array_free_to_bytes (_ep_read_part_bytes (GMIME_PART (part)));
  else if (part != NULL && GMIME_IS_MESSAGE_PART (part) &&
           g_mime_message_part_get_message (GMIME_MESSAGE_PART (part)) != NULL)
    {
      GByteArray *array = g_byte_array_new ();
      g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_byte_array (array);
      g_autoptr(GMimeFormatOptions) format = g_mime_format_options_new ();

      g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
      g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
      g_mime_object_write_to_stream (
        GMIME_OBJECT (g_mime_message_part_get_message (GMIME_MESSAGE_PART (part))), format, stream);
      bytes = g_byte_array_free_to_bytes (array);
    }
  walk_clear (&w);
  if (bytes == NULL)
    g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_ATTACHMENT,
                         _("The attachment cannot be read"));
  return bytes;
}
