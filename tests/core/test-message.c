/* test-message.c: MIME building, checked by parsing the result back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include "mail/ep-gmime-private.h"

#include <epistle-core.h>

static GMimeMessage *
parse (EpOutgoing *outgoing)
{
  gsize size;
  const char *data = g_bytes_get_data (outgoing->data, &size);
  GMimeStream *mem = g_mime_stream_mem_new_with_buffer (data, size);
  GMimeStream *stream = g_mime_stream_filter_new (mem);
  GMimeFilter *dos2unix = g_mime_filter_dos2unix_new (FALSE);
  GMimeParser *parser;
  GMimeMessage *message;

  /* The wire format is CRLF; GMime's parser wants the local line ends. */
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (stream), dos2unix);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);

  g_object_unref (parser);
  g_object_unref (dos2unix);
  g_object_unref (stream);
  g_object_unref (mem);
  g_assert_nonnull (message);

  return message;
}

static char *
raw_text (EpOutgoing *outgoing)
{
  gsize size;
  const char *data = g_bytes_get_data (outgoing->data, &size);

  return g_strndup (data, size);
}

static char *
raw_headers (EpOutgoing *outgoing)
{
  char *text = raw_text (outgoing);
  char *end = strstr (text, "\r\n\r\n");

  g_assert_nonnull (end);
  end[2] = '\0';
  return text;
}

static EpDraft *
basic_draft (void)
{
  EpDraft *draft = ep_draft_new ();

  draft->from_name = g_strdup ("Änne Müller");
  draft->from_address = g_strdup ("anne@school.example");
  g_ptr_array_add (draft->to, g_strdup ("Bob Student <bob@example.org>"));
  draft->subject = g_strdup ("Zeugnis für Björn – Résumé ✓");
  draft->body = g_strdup ("Hallo Björn,\n\nhier sind deine Noten.\n.\nEine Zeile mit einem Punkt.\n");

  return draft;
}

static void
test_headers_encoded (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = ep_message_build (draft, NULL, &error);
  g_autofree char *headers = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  InternetAddressList *from;

  g_assert_no_error (error);
  headers = raw_headers (outgoing);

  /* Only 7-bit in the headers: non-ASCII goes as RFC 2047 encoded words. */
  for (const char *p = headers; *p; p++)
    g_assert_cmpint ((guchar) *p, <, 0x80);
  g_assert_nonnull (strstr (headers, "Subject: "));
  g_assert_nonnull (strstr (strstr (headers, "Subject: "), "=?UTF-8?"));
  g_assert_nonnull (strstr (headers, "From: =?UTF-8?"));
  g_assert_nonnull (strstr (headers, "Date: "));
  g_assert_nonnull (strstr (headers, "MIME-Version: 1.0"));

  message = parse (outgoing);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Zeugnis für Björn – Résumé ✓");
  from = g_mime_message_get_from (message);
  g_assert_cmpint (internet_address_list_length (from), ==, 1);
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (from, 0)), ==,
                   "Änne Müller");

  /* Message-ID on the sender's domain */
  g_assert_true (g_str_has_suffix (g_mime_message_get_message_id (message), "@school.example"));
  g_assert_cmpstr (outgoing->message_id, ==, g_mime_message_get_message_id (message));
  g_assert_nonnull (g_mime_message_get_date (message));
}

static void
test_crlf_only (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data;

  g_ptr_array_add (draft->attachments, g_strdup (g_test_get_filename (G_TEST_DIST, "core", "test-message.c", NULL)));
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);

  data = g_bytes_get_data (outgoing->data, &size);
  for (gsize i = 0; i < size; i++)
    if (data[i] == '\n')
      g_assert_true (i > 0 && data[i - 1] == '\r');
}

static void
test_bcc_not_in_headers (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *lower = NULL;

  g_ptr_array_add (draft->cc, g_strdup ("carol@example.org, BOB@example.org"));
  g_ptr_array_add (draft->bcc, g_strdup ("Hidden Person <hidden@secret.example>"));
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);

  raw = raw_text (outgoing);
  lower = g_ascii_strdown (raw, -1);
  g_assert_null (strstr (lower, "bcc"));
  g_assert_null (strstr (lower, "hidden"));

  /* The envelope has every recipient once (Bob was typed twice). */
  g_assert_cmpuint (g_strv_length (outgoing->recipients), ==, 3);
  g_assert_cmpstr (outgoing->recipients[0], ==, "bob@example.org");
  g_assert_cmpstr (outgoing->recipients[1], ==, "carol@example.org");
  g_assert_cmpstr (outgoing->recipients[2], ==, "hidden@secret.example");
  g_assert_cmpstr (outgoing->envelope_from, ==, "anne@school.example");
}

static void
test_header_injection (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *headers = NULL;

  g_free (draft->subject);
  draft->subject = g_strdup ("Marks\r\nBcc: evil@attacker.example\r\nX-Injected: yes");
  g_free (draft->from_name);
  draft->from_name = g_strdup ("Ann\nReply-To: evil@attacker.example");

  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);
  headers = raw_headers (outgoing);
  g_assert_null (strstr (headers, "\r\nBcc:"));
  g_assert_null (strstr (headers, "\r\nX-Injected:"));
  g_assert_null (strstr (headers, "\r\nReply-To:"));

  message = parse (outgoing);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==,
                   "Marks Bcc: evil@attacker.example X-Injected: yes");
  g_assert_cmpuint (g_strv_length (outgoing->recipients), ==, 1);

  /* An address with a line break is refused outright. */
  {
    g_autoptr(EpDraft) bad = basic_draft ();
    g_autoptr(GError) bad_error = NULL;
    g_autoptr(EpOutgoing) none = NULL;

    g_ptr_array_add (bad->to, g_strdup ("ok@example.org\r\nBcc: evil@attacker.example"));
    none = ep_message_build (bad, NULL, &bad_error);
    g_assert_null (none);
    g_assert_error (bad_error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS);
  }
}

static void
test_attachment_exact (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ep-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "Zeugnis Björn – 2026.pdf", NULL);
  g_autofree char *path2 = g_build_filename (dir, "data.bin", NULL);
  g_autofree char *headers = NULL;
  g_autofree char *raw = NULL;
  guint8 content[70000];
  GMimeMultipart *mixed;
  GMimeObject *part;

  g_assert_no_error (error);
  for (guint i = 0; i < sizeof content; i++)
    content[i] = (guint8) g_test_rand_int_range (0, 256);
  memcpy (content, "%PDF-1.4\n", 9);
  g_assert_true (g_file_set_contents (path, (const char *) content, sizeof content, NULL));
  g_assert_true (g_file_set_contents (path2, (const char *) content + 9, 1000, NULL));

  g_ptr_array_add (draft->attachments, g_strdup (path));
  g_ptr_array_add (draft->attachments, g_strdup (path2));
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);

  raw = raw_text (outgoing);
  /* RFC 2231 names, UTF-8 */
  g_assert_nonnull (strstr (raw, "filename*=UTF-8''Zeugnis%20Bj%C3%B6rn%20%E2%80%93%202026.pdf"));

  message = parse (outgoing);
  mixed = GMIME_MULTIPART (g_mime_message_get_mime_part (message));
  g_assert_true (GMIME_IS_MULTIPART (mixed));
  g_assert_cmpint (g_mime_multipart_get_count (mixed), ==, 3);

  part = g_mime_multipart_get_part (mixed, 0);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (part), "text", "plain"));

  part = g_mime_multipart_get_part (mixed, 1);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "Zeugnis Björn – 2026.pdf");
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (part),
                                              "application", "pdf"));
  {
    GMimeDataWrapper *wrapper = g_mime_part_get_content (GMIME_PART (part));
    GByteArray *decoded = g_byte_array_new ();
    GMimeStream *out = g_mime_stream_mem_new_with_byte_array (decoded);

    g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (out), FALSE);
    g_mime_data_wrapper_write_to_stream (wrapper, out);
    g_assert_cmpmem (decoded->data, decoded->len, content, sizeof content);
    g_object_unref (out);
    g_byte_array_unref (decoded);
  }

  part = g_mime_multipart_get_part (mixed, 2);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "data.bin");
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (part)), ==,
                   GMIME_CONTENT_ENCODING_BASE64);

  g_unlink (path);
  g_unlink (path2);
  g_rmdir (dir);
}

static void
test_attachment_missing (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;

  g_ptr_array_add (draft->attachments, g_strdup ("/nonexistent/invoice-412.pdf"));
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_null (outgoing);
  g_assert_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_ATTACHMENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/invoice-412.pdf"));
}

static void
test_markdown (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  GMimeObject *root;
  GMimeObject *plain;
  GMimeObject *html;
  g_autofree char *plain_text = NULL;
  g_autofree char *html_text = NULL;

  g_free (draft->body);
  draft->body = g_strdup ("# Noten\n\nDu hast **sehr gut** bestanden.\n\n| Fach | Note |\n|---|---|\n| Mathe | 1 |\n\n<script>alert(1)</script>\n");
  draft->markdown = TRUE;

  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);
  message = parse (outgoing);

  root = g_mime_message_get_mime_part (message);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (root),
                                              "multipart", "alternative"));
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (root)), ==, 2);

  plain = g_mime_multipart_get_part (GMIME_MULTIPART (root), 0);
  html = g_mime_multipart_get_part (GMIME_MULTIPART (root), 1);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (plain), "text", "plain"));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (html), "text", "html"));

  plain_text = g_mime_text_part_get_text (GMIME_TEXT_PART (plain));
  html_text = g_mime_text_part_get_text (GMIME_TEXT_PART (html));
  g_assert_nonnull (strstr (plain_text, "**sehr gut**"));
  g_assert_nonnull (strstr (html_text, "<h1>Noten</h1>"));
  g_assert_nonnull (strstr (html_text, "<strong>sehr gut</strong>"));
  g_assert_nonnull (strstr (html_text, "<table>"));
  /* Raw HTML from the source is escaped, never passed through. */
  g_assert_null (strstr (html_text, "<script>"));
  g_assert_nonnull (strstr (html_text, "&lt;script&gt;"));
}

static void
test_plain_roundtrip (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = ep_message_build (draft, NULL, &error);
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *text = NULL;
  GMimeObject *root;

  g_assert_no_error (error);
  message = parse (outgoing);
  root = g_mime_message_get_mime_part (message);
  g_assert_true (GMIME_IS_TEXT_PART (root));
  g_assert_cmpstr (g_mime_object_get_content_type_parameter (root, "charset"), ==, "utf-8");
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (root));
  g_assert_cmpstr (text, ==, "Hallo Björn,\n\nhier sind deine Noten.\n.\nEine Zeile mit einem Punkt.\n");
}

static void
test_no_recipients (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;

  g_ptr_array_set_size (draft->to, 0);
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_null (outgoing);
  g_assert_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_NO_RECIPIENTS);
}

static void
test_bad_recipient_named (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;

  g_ptr_array_add (draft->cc, g_strdup ("good@example.org, student412@example"));
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_null (outgoing);
  g_assert_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (error->message, "student412@example"));
}

static void
test_long_lines (void)
{
  g_autoptr(EpDraft) draft = basic_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  GString *word_soup = g_string_new (NULL);
  g_autofree char *subject = NULL;
  gsize size, line = 0;
  const char *data;

  /* A 420-character subject must be folded, not cut. */
  for (guint i = 0; i < 60; i++)
    g_string_append (word_soup, "Wörter ");
  subject = g_strdup (word_soup->str);
  for (guint i = 60; i < 500; i++)
    g_string_append (word_soup, "Wörter ");
  g_free (draft->subject);
  draft->subject = g_strdup (subject);
  g_free (draft->body);
  /* One 3,500-character paragraph, as Markdown: long in text and in HTML. */
  draft->body = g_string_free (word_soup, FALSE);
  draft->markdown = TRUE;

  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);

  /* RFC 5322 §2.1.1: no line over 998 characters (servers refuse them). */
  data = g_bytes_get_data (outgoing->data, &size);
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\n')
        line = 0;
      else
        g_assert_cmpuint (++line, <=, 998 + 1);
    }

  /* Every encoded word must decode on its own (RFC 2047 §5); GMime's own
   * reader merges adjacent words and stops at base64 padding, so decode
   * word by word, as other mail programs do. */
  {
    g_autofree char *raw = raw_headers (outgoing);
    const char *start = strstr (raw, "\r\nSubject: ") + strlen ("\r\nSubject: ");
    const char *end = start;
    g_autofree char *value = NULL;
    g_auto(GStrv) words = NULL;
    g_autoptr(GString) decoded = g_string_new (NULL);
    g_autofree char *expected = g_strstrip (g_strdup (subject));

    while (!(end[0] == '\r' && end[1] == '\n' && end[2] != ' ' && end[2] != '\t'))
      end++;
    value = g_strndup (start, end - start);
    words = g_strsplit_set (value, " \t\r\n", -1);
    for (guint i = 0; words[i] != NULL; i++)
      {
        g_autofree char *text = NULL;

        if (*words[i] == '\0')
          continue;
        g_assert_true (g_str_has_prefix (words[i], "=?UTF-8?"));
        text = g_mime_utils_header_decode_text (NULL, words[i]);
        g_string_append (decoded, text);
      }
    g_assert_cmpstr (decoded->str, ==, expected);
  }
}

int
main (int    argc,
      char **argv)
{
  ep_core_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mail/message/headers-encoded", test_headers_encoded);
  g_test_add_func ("/mail/message/crlf-only", test_crlf_only);
  g_test_add_func ("/mail/message/bcc-not-in-headers", test_bcc_not_in_headers);
  g_test_add_func ("/mail/message/header-injection", test_header_injection);
  g_test_add_func ("/mail/message/attachment-exact", test_attachment_exact);
  g_test_add_func ("/mail/message/attachment-missing", test_attachment_missing);
  g_test_add_func ("/mail/message/markdown", test_markdown);
  g_test_add_func ("/mail/message/plain-roundtrip", test_plain_roundtrip);
  g_test_add_func ("/mail/message/no-recipients", test_no_recipients);
  g_test_add_func ("/mail/message/long-lines", test_long_lines);
  g_test_add_func ("/mail/message/bad-recipient-named", test_bad_recipient_named);

  return g_test_run ();
}
