/* test-imap-parser.c: the IMAP response parser, on transcripts of the
 * rig's Dovecot (imap-transcripts/, made by capture.py) fed in one piece,
 * byte by byte and in random splits, and on hostile input
 *
 * No ep_core_init () here on purpose: the parser must decode RFC 2047
 * words without a context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <epistle-core.h>

#define MAX_LITERAL (1024 * 1024)
#define MAX_LINE    (64 * 1024)

/* ---- a canonical text form of responses, to compare whole trees ---- */

static void
dump_value (GString           *out,
            const EpImapValue *v)
{
  switch (v->kind)
    {
    case EP_IMAP_NIL:
      g_string_append (out, "NIL");
      break;
    case EP_IMAP_ATOM:
      g_string_append (out, v->str);
      break;
    case EP_IMAP_NUMBER:
      g_string_append_printf (out, "#%" G_GUINT64_FORMAT, v->number);
      g_assert_cmpuint (strtoull (v->str, NULL, 10), ==, v->number);
      break;
    case EP_IMAP_STRING:
      g_string_append_c (out, '"');
      for (gsize i = 0; i < v->len; i++)
        {
          guchar ch = (guchar) v->str[i];

          if (ch == '"' || ch == '\\')
            g_string_append_printf (out, "\\%c", ch);
          else if (ch < 0x20 || ch >= 0x7f)
            g_string_append_printf (out, "\\x%02x", ch);
          else
            g_string_append_c (out, (char) ch);
        }
      g_string_append_c (out, '"');
      break;
    case EP_IMAP_LIST:
      g_string_append_c (out, '(');
      for (guint i = 0; i < v->items->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          dump_value (out, g_ptr_array_index (v->items, i));
        }
      g_string_append_c (out, ')');
      break;
    default:
      g_assert_not_reached ();
    }
}

static char *
dump_response (const EpImapResponse *r)
{
  static const char *const status[] = { "", "OK", "NO", "BAD", "BYE", "PREAUTH" };
  GString *out = g_string_new (NULL);

  switch (r->kind)
    {
    case EP_IMAP_RESPONSE_TAGGED:
      g_string_append (out, r->tag);
      break;
    case EP_IMAP_RESPONSE_UNTAGGED:
      g_string_append_c (out, '*');
      break;
    case EP_IMAP_RESPONSE_CONTINUATION:
      g_string_append_c (out, '+');
      break;
    default:
      g_assert_not_reached ();
    }
  if (r->status != EP_IMAP_STATUS_NONE)
    {
      g_string_append_printf (out, " %s", status[r->status]);
      if (r->code != NULL)
        {
          g_string_append_printf (out, " [%s", r->code);
          if (r->code_args != NULL)
            {
              g_string_append_c (out, ' ');
              dump_value (out, r->code_args);
            }
          g_string_append_c (out, ']');
        }
      g_assert_null (r->name);
      g_assert_null (r->data);
    }
  if (r->text != NULL)
    g_string_append_printf (out, " text=%s", r->text);
  if (r->has_number)
    g_string_append_printf (out, " %" G_GUINT64_FORMAT, r->number);
  if (r->name != NULL)
    {
      g_string_append_printf (out, " %s ", r->name);
      g_assert_nonnull (r->data);
      dump_value (out, r->data);
    }
  return g_string_free (out, FALSE);
}

/* ---- feeding ---- */

typedef enum { WHOLE, BYTES, RANDOM } Mode;

/* Every response in @data as dumps; asserts no error and nothing left. */
static GPtrArray *
parse_all (const guint8 *data,
           gsize         len,
           Mode          mode,
           guint32       seed,
           GPtrArray   **responses)
{
  g_autoptr(EpImapParser) parser = ep_imap_parser_new (MAX_LITERAL, MAX_LINE);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GPtrArray *dumps = g_ptr_array_new_with_free_func (g_free);
  gsize at = 0;

  if (responses != NULL)
    *responses = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_imap_response_free);
  while (at < len)
    {
      gsize n = mode == WHOLE ? len : mode == BYTES ? 1 : (gsize) g_rand_int_range (rand, 1, 40);
      EpImapResponse *r;

      n = MIN (n, len - at);
      ep_imap_parser_feed (parser, data + at, n);
      at += n;
      for (;;)
        {
          g_autoptr(GError) error = NULL;

          r = ep_imap_parser_next (parser, &error);
          g_assert_no_error (error);
          if (r == NULL)
            break;
          g_ptr_array_add (dumps, dump_response (r));
          if (responses != NULL)
            g_ptr_array_add (*responses, r);
          else
            ep_imap_response_free (r);
        }
    }
  g_assert_cmpuint (ep_imap_parser_pending (parser), ==, 0);
  return dumps;
}

static GBytes *
transcript (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".txt", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "core", "imap-transcripts", file, NULL);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Parses @name every way, checks the ways agree, returns the responses. */
static GPtrArray *
parse_transcript (const char  *name,
                  GPtrArray  **dumps)
{
  g_autoptr(GBytes) bytes = transcript (name);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GPtrArray *responses = NULL;
  g_autoptr(GPtrArray) whole = parse_all (data, len, WHOLE, 0, &responses);
  g_autoptr(GPtrArray) bytewise = parse_all (data, len, BYTES, 0, NULL);

  g_assert_cmpuint (whole->len, ==, bytewise->len);
  for (guint i = 0; i < whole->len; i++)
    g_assert_cmpstr (whole->pdata[i], ==, bytewise->pdata[i]);
  for (guint32 seed = 1; seed <= 20; seed++)
    {
      g_autoptr(GPtrArray) split = parse_all (data, len, RANDOM, seed, NULL);

      g_assert_cmpuint (whole->len, ==, split->len);
      for (guint i = 0; i < whole->len; i++)
        g_assert_cmpstr (whole->pdata[i], ==, split->pdata[i]);
    }
  *dumps = g_steal_pointer (&whole);
  return responses;
}

static void
assert_dumps (const char        *name,
              const char *const *expected)
{
  g_autoptr(GPtrArray) dumps = NULL;
  g_autoptr(GPtrArray) responses = parse_transcript (name, &dumps);
  guint n = g_strv_length ((char **) expected);

  g_assert_cmpuint (responses->len, ==, dumps->len);
  for (guint i = 0; i < MIN (n, dumps->len); i++)
    g_assert_cmpstr (dumps->pdata[i], ==, expected[i]);
  g_assert_cmpuint (dumps->len, ==, n);
}

/* ---- the transcripts ---- */

static void
test_greeting_capability (void)
{
  const char *const greeting[] = {
    "* OK [CAPABILITY (IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN)] text=Dovecot (Debian) ready.",
    NULL
  };
  const char *const capability[] = {
    "* CAPABILITY (IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS "
    "LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS "
    "BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE)",
    "a1 OK text=Capability completed (0.001 + 0.000 secs).",
    NULL
  };

  assert_dumps ("greeting", greeting);
  assert_dumps ("capability", capability);
  /* "I18NLEVEL=1" is one atom: the dump's "#" would only mark a number. */
  {
    g_autoptr(GPtrArray) dumps = NULL;
    g_autoptr(GPtrArray) responses = parse_transcript ("capability", &dumps);
    const EpImapResponse *r = responses->pdata[0];
    const EpImapValue *v = NULL;

    for (guint i = 0; i < ep_imap_value_n_items (r->data); i++)
      if (g_str_has_prefix (ep_imap_value_string (ep_imap_value_item (r->data, i)), "I18NLEVEL"))
        v = ep_imap_value_item (r->data, i);
    g_assert_nonnull (v);
    g_assert_cmpint (v->kind, ==, EP_IMAP_ATOM);
    g_assert_cmpstr (v->str, ==, "I18NLEVEL=1");
    g_assert_cmpuint (ep_imap_value_n_items (r->data), ==, 38);
    g_assert_cmpstr (((EpImapResponse *) responses->pdata[1])->tag, ==, "a1");
  }
}

static void
test_list (void)
{
  const char *const expected[] = {
    "* LIST (() \"/\" \"Caf&AOk- &- Co\")",
    "* LIST ((\\Drafts) \"/\" Drafts)",
    "* LIST ((\\Sent) \"/\" Sent)",
    "* LIST ((\\Trash) \"/\" Trash)",
    "* LIST ((\\Junk) \"/\" Junk)",
    "* LIST ((\\Archive) \"/\" Archive)",
    "* LIST (() \"/\" INBOX)",
    "a2 OK text=List completed (0.001 + 0.000 secs).",
    NULL
  };
  const struct { const char *raw, *name, *special; } want[] = {
    { "Caf&AOk- &- Co", "Café & Co", NULL },
    { "Drafts", "Drafts", "\\Drafts" },
    { "Sent", "Sent", "\\Sent" },
    { "Trash", "Trash", "\\Trash" },
    { "Junk", "Junk", "\\Junk" },
    { "Archive", "Archive", "\\Archive" },
    { "INBOX", "INBOX", "\\Inbox" },
  };
  g_autoptr(GPtrArray) dumps = NULL;
  g_autoptr(GPtrArray) responses = parse_transcript ("list", &dumps);

  assert_dumps ("list", expected);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EpImapMailbox) m = ep_imap_mailbox_parse (responses->pdata[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (m->raw_name, ==, want[i].raw);
      g_assert_cmpstr (m->name, ==, want[i].name);
      g_assert_cmpstr (m->special_use, ==, want[i].special);
      g_assert_cmpint (m->delimiter, ==, '/');
      g_assert_true (m->selectable);
      g_assert_cmpuint (g_strv_length (m->attributes), ==, want[i].special != NULL && i != 6 ? 1 : 0);
    }
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (ep_imap_mailbox_parse (responses->pdata[7], &error));
    g_assert_error (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_SYNTAX);
  }
}

static void
test_select (void)
{
  const char *const expected[] = {
    "* FLAGS ((\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1))",
    "* OK [PERMANENTFLAGS ((\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 \\*))] text=Flags permitted.",
    "* 5 EXISTS ()",
    "* 5 RECENT ()",
    "* OK [UNSEEN (#2)] text=First unseen.",
    "* OK [UIDVALIDITY (#1796191702)] text=UIDs valid",
    "* OK [UIDNEXT (#6)] text=Predicted next UID",
    "* OK [HIGHESTMODSEQ (#7)] text=Highest",
    "a3 OK [READ-WRITE] text=Select completed (0.001 + 0.000 secs).",
    NULL
  };
  g_autoptr(GPtrArray) dumps = NULL;
  g_autoptr(GPtrArray) responses = parse_transcript ("select", &dumps);
  const EpImapResponse *uidvalidity = responses->pdata[5];
  guint64 n = 0;

  assert_dumps ("select", expected);
  g_assert_cmpint (uidvalidity->kind, ==, EP_IMAP_RESPONSE_UNTAGGED);
  g_assert_cmpint (uidvalidity->status, ==, EP_IMAP_STATUS_OK);
  g_assert_cmpstr (uidvalidity->code, ==, "UIDVALIDITY");
  g_assert_true (ep_imap_value_number (ep_imap_value_item (uidvalidity->code_args, 0), &n));
  g_assert_cmpuint (n, ==, 1796191702);
  g_assert_null (((EpImapResponse *) responses->pdata[8])->code_args);
}

static void
test_fetch (void)
{
  static const struct {
    guint32 uid;
    const char *flags;
    guint64 size;
    const char *subject, *from_name, *from, *to, *in_reply_to, *message_id, *type;
    gboolean attachments, encrypted, is_signed, report;
  } want[] = {
    { 1, "\\Seen \\Recent", 237, "Hello there", "Ann Example", "ann@example.com",
      "bob@example.org carol@example.net", NULL, "<plain-1@example.com>", "text/plain",
      FALSE, FALSE, FALSE, FALSE },
    { 2, "\\Flagged \\Recent", 604, "Grüße aus Köln report", "Jörg Müller", "joerg@example.de",
      "", "<plain-1@example.com>", "<multi-2@example.de>", "multipart/mixed",
      TRUE, FALSE, FALSE, FALSE },
    { 3, "\\Recent", 417, "Encrypted", "Secret Sender", "secret@example.com",
      "bob@example.org", NULL, "<smime-3@example.com>", "application/pkcs7-mime",
      FALSE, TRUE, FALSE, FALSE },
    { 4, "\\Answered \\Recent $Label1", 571, "Signed", "Signer", "signer@example.com",
      "bob@example.org", NULL, "<signed-4@example.com>", "multipart/signed",
      FALSE, FALSE, TRUE, FALSE },
    { 5, "\\Recent", 625, "Undelivered Mail Returned to Sender", "Mail Delivery System",
      "MAILER-DAEMON@example.org", "bob@example.org", NULL, "<bounce-5@example.org>", "multipart/report",
      FALSE, FALSE, FALSE, TRUE },
  };
  g_autoptr(GPtrArray) dumps = NULL;
  g_autoptr(GPtrArray) responses = parse_transcript ("fetch", &dumps);

  g_assert_cmpuint (responses->len, ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EpImapFetch) f = ep_imap_fetch_parse (responses->pdata[i], &error);
      g_autofree char *flags = NULL;
      g_autoptr(GString) to = g_string_new (NULL);
      EpImapEnvelope *e;

      g_assert_no_error (error);
      g_assert_cmpuint (f->seq, ==, i + 1);
      g_assert_cmpuint (f->uid, ==, want[i].uid);
      g_assert_true (f->has_flags);
      flags = g_strjoinv (" ", f->flags);
      g_assert_cmpstr (flags, ==, want[i].flags);
      /* "17-Jul-1996 09:44:25 +0000" (appended as 02:44:25 -0700) */
      g_assert_cmpint (f->internaldate, ==, 837596665);
      g_assert_cmpuint (f->size, ==, want[i].size);
      g_assert_cmpuint (f->modseq, ==, 7);
      g_assert_null (f->body);
      g_assert_null (f->header);

      e = f->envelope;
      g_assert_nonnull (e);
      g_assert_cmpstr (e->subject, ==, want[i].subject);
      g_assert_cmpuint (e->from->len, ==, 1);
      g_assert_cmpstr (((EpImapAddress *) e->from->pdata[0])->name, ==, want[i].from_name);
      g_assert_cmpstr (((EpImapAddress *) e->from->pdata[0])->address, ==, want[i].from);
      g_assert_cmpuint (e->sender->len, ==, 1);
      g_assert_cmpuint (e->reply_to->len, ==, 1);
      for (guint j = 0; j < e->to->len; j++)
        g_string_append_printf (to, "%s%s", j > 0 ? " " : "",
                                ((EpImapAddress *) e->to->pdata[j])->address);
      g_assert_cmpstr (to->str, ==, want[i].to);
      g_assert_cmpuint (e->cc->len, ==, 0);
      g_assert_cmpuint (e->bcc->len, ==, 0);
      g_assert_cmpstr (e->in_reply_to, ==, want[i].in_reply_to);
      g_assert_cmpstr (e->message_id, ==, want[i].message_id);
      g_assert_nonnull (e->date);

      g_assert_nonnull (f->body_summary);
      g_assert_cmpstr (f->body_summary->content_type, ==, want[i].type);
      g_assert_cmpint (f->body_summary->has_attachments, ==, want[i].attachments);
      g_assert_cmpint (f->body_summary->is_encrypted, ==, want[i].encrypted);
      g_assert_cmpint (f->body_summary->is_signed, ==, want[i].is_signed);
      g_assert_cmpint (f->body_summary->is_report, ==, want[i].report);
    }
  /* Bob's name came through; carol has none. */
  {
    g_autoptr(EpImapFetch) f = ep_imap_fetch_parse (responses->pdata[0], NULL);

    g_assert_cmpstr (((EpImapAddress *) f->envelope->to->pdata[0])->name, ==, "Bob");
    g_assert_null (((EpImapAddress *) f->envelope->to->pdata[1])->name);
    g_assert_cmpstr (f->envelope->date, ==, "Wed, 17 Jul 1996 02:44:25 -0700");
  }
  g_assert_cmpstr (dumps->pdata[5], ==, "a4 OK text=Fetch completed (0.001 + 0.000 secs).");
  g_assert_null (ep_imap_fetch_parse (responses->pdata[5], NULL));
}

static void
test_body (void)
{
  g_autoptr(GBytes) raw = transcript ("body");
  g_autoptr(GPtrArray) dumps = NULL;
  g_autoptr(GPtrArray) responses = parse_transcript ("body", &dumps);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpImapFetch) f = ep_imap_fetch_parse (responses->pdata[0], &error);
  const EpImapValue *items = ((EpImapResponse *) responses->pdata[0])->data;
  const EpImapValue *fields;
  gsize len;
  const char *body;

  g_assert_no_error (error);
  g_assert_cmpuint (responses->len, ==, 2);
  g_assert_cmpuint (f->uid, ==, 2);
  g_assert_false (f->has_flags);
  g_assert_null (f->flags);
  g_assert_nonnull (f->body);
  body = g_bytes_get_data (f->body, &len);
  g_assert_cmpuint (len, ==, 604);
  g_assert_true (g_str_has_prefix (body, "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.de>\r\n"));
  g_assert_true (g_str_has_suffix (body, "--b1--\r\n"));
  /* The literal is the server's bytes exactly. */
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), body));

  /* The section with a space and parentheses is one atom. */
  g_assert_cmpuint (ep_imap_value_n_items (items), ==, 6);
  g_assert_cmpstr (ep_imap_value_string (ep_imap_value_item (items, 2)), ==, "BODY[]");
  fields = ep_imap_value_item (items, 4);
  g_assert_cmpint (fields->kind, ==, EP_IMAP_ATOM);
  g_assert_cmpstr (fields->str, ==, "BODY[HEADER.FIELDS (DATE FROM)]");
  g_assert_cmpstr (ep_imap_value_string (ep_imap_value_item (items, 5)), ==,
                   "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.de>\r\n"
                   "Date: Thu, 18 Jul 1996 10:00:00 +0200\r\n\r\n");
  g_assert_null (f->header);    /* HEADER.FIELDS is not the whole header */
}

static void
test_status_search_idle (void)
{
  const char *const status[] = {
    "* STATUS (INBOX (MESSAGES #5 UIDNEXT #6 UIDVALIDITY #1796191702 UNSEEN #4 HIGHESTMODSEQ #7))",
    "a6 OK [CLIENTBUG] text=Status on selected mailbox completed (0.001 + 0.000 secs).",
    NULL
  };
  const char *const search[] = {
    "* SEARCH (#1 #2 #3 #4 #5)",
    "a7 OK text=Search completed (0.001 + 0.000 secs).",
    NULL
  };
  const char *const esearch[] = {
    "* ESEARCH ((TAG \"a8\") UID MIN #1 MAX #5 ALL 1:5 COUNT #5)",
    "a8 OK text=Search completed (0.001 + 0.000 secs).",
    NULL
  };
  const char *const idle[] = {
    "+ text=idling",
    "* 6 EXISTS ()",
    "* 6 RECENT ()",
    "a9 OK text=Idle completed (0.524 + 0.522 + 0.523 secs).",
    NULL
  };
  g_autoptr(GPtrArray) dumps = NULL;
  g_autoptr(GPtrArray) responses = parse_transcript ("esearch", &dumps);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = NULL;

  assert_dumps ("status", status);
  assert_dumps ("search", search);
  assert_dumps ("esearch", esearch);
  assert_dumps ("idle", idle);

  uids = ep_imap_parse_uid_set (ep_imap_value_string (
           ep_imap_value_item (((EpImapResponse *) responses->pdata[0])->data, 7)), 5, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uids->len, ==, 5);
  g_assert_cmpuint (g_array_index (uids, guint32, 4), ==, 5);
}

/* ---- responses written by hand ---- */

static EpImapResponse *
parse_one_len (const char *text,
               gsize       len)
{
  g_autoptr(EpImapParser) parser = ep_imap_parser_new (MAX_LITERAL, MAX_LINE);
  g_autoptr(GError) error = NULL;
  EpImapResponse *r;

  ep_imap_parser_feed (parser, (const guint8 *) text, len);
  r = ep_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  if (r == NULL)
    g_error ("no response from “%s”", text);
  return r;
}

static EpImapResponse *
parse_one (const char *text)
{
  return parse_one_len (text, strlen (text));
}

/* (a macro, so the text may hold NULs) */
#define assert_parses(text, dump) assert_parses_len (text, sizeof (text) - 1, dump)

static void
assert_parses_len (const char *text,
                   gsize       len,
                   const char *dump)
{
  g_autoptr(EpImapResponse) r = parse_one_len (text, len);
  g_autofree char *got = dump_response (r);

  g_assert_cmpstr (got, ==, dump);
}

static void
test_shapes (void)
{
  assert_parses ("* 2 EXPUNGE\r\n", "* 2 EXPUNGE ()");
  assert_parses ("* 3 EXISTS\n", "* 3 EXISTS ()");     /* bare LF */
  assert_parses ("* VANISHED (EARLIER) 1:4,7\r\n", "* VANISHED ((EARLIER) 1:4,7)");
  assert_parses ("* ESEARCH (TAG \"A3\") UID ALL 1:5\r\n", "* ESEARCH ((TAG \"A3\") UID ALL 1:5)");
  assert_parses ("* SEARCH\r\n", "* SEARCH ()");
  assert_parses ("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n",
                 "* LIST ((\\HasNoChildren \\Sent) \"/\" \"Sent Items\")");
  assert_parses ("* STATUS \"INBOX\" (MESSAGES 3 UIDNEXT 4)\r\n",
                 "* STATUS (\"INBOX\" (MESSAGES #3 UIDNEXT #4))");
  assert_parses ("* ENABLED CONDSTORE QRESYNC\r\n", "* ENABLED (CONDSTORE QRESYNC)");
  assert_parses ("* BYE Autologout; idle for too long\r\n", "* BYE text=Autologout; idle for too long");
  assert_parses ("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n",
                 "* PREAUTH [CAPABILITY (IMAP4rev1 IDLE)] text=Logged in");
  assert_parses ("A1 OK [APPENDUID 38505 3955] APPEND completed\r\n",
                 "A1 OK [APPENDUID (#38505 #3955)] text=APPEND completed");
  assert_parses ("A2 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
                 "A2 OK [COPYUID (#38505 304,319:320 3956:3958)] text=Done");
  assert_parses ("* OK [ALERT] System shutdown in 10 minutes\r\n",
                 "* OK [ALERT] text=System shutdown in 10 minutes");
  assert_parses ("* OK [CLOSED] Previous mailbox closed\r\n", "* OK [CLOSED] text=Previous mailbox closed");
  assert_parses ("A3 NO [NOMODSEQ] Sorry\r\n", "A3 NO [NOMODSEQ] text=Sorry");
  assert_parses ("a bad BAD\r\n", "a BAD text=BAD");
  assert_parses ("A4 ok done\r\n", "A4 OK text=done");
  assert_parses ("+\r\n", "+ text=");
  assert_parses ("+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHe==\r\n",
                 "+ text=YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHe==");
  assert_parses ("* OK [UNKNOWN-CTE foo\"bar] x\r\n", "* OK [UNKNOWN-CTE (foo\"bar)] text=x");
  assert_parses ("* 1 FETCH (FLAGS () X \"a\\\\b\\\"c\" Y NIL Z nil)\r\n",
                 "* 1 FETCH (FLAGS () X \"a\\\\b\\\"c\" Y NIL Z NIL)");
  assert_parses ("* 1 FETCH (BODY[1.2.MIME]<0.100> {3+}\r\na\0b BINARY[1] ~{2}\r\n\xff\r)\r\n",
                 "* 1 FETCH (BODY[1.2.MIME]<0.100> \"a\\x00b\" BINARY[1] \"\\xff\\x0d\")");
  assert_parses ("* 1 FETCH (X 99999999999999999999 Y 9223372036854775807)\r\n",
                 "* 1 FETCH (X 99999999999999999999 Y #9223372036854775807)");
  /* Status text never announces a literal. */
  assert_parses ("A5 OK done {5}\r\n", "A5 OK text=done {5}");
  assert_parses ("* OK see {5}\r\n", "* OK text=see {5}");
  assert_parses ("+ ready {5}\r\n", "+ text=ready {5}");
  /* A mailbox name as a literal, and a name that is a number. */
  assert_parses ("* LIST () \"/\" {4}\r\nab c\r\n", "* LIST (() \"/\" \"ab c\")");
  assert_parses ("* LSUB () NIL 2024\r\n", "* LSUB (() NIL #2024)");
  /* Blank lines between responses are skipped. */
  assert_parses ("\r\n\n* 4 EXISTS\r\n", "* 4 EXISTS ()");

  {
    g_autoptr(EpImapResponse) r = parse_one ("* LSUB (\\Noselect \\HasChildren) NIL 2024\r\n");
    g_autoptr(EpImapMailbox) m = ep_imap_mailbox_parse (r, NULL);

    g_assert_cmpstr (m->name, ==, "2024");
    g_assert_cmpint (m->delimiter, ==, 0);
    g_assert_false (m->selectable);
    g_assert_null (m->special_use);
    g_assert_cmpstr (m->attributes[0], ==, "\\Noselect");
  }
  {
    g_autoptr(EpImapResponse) r = parse_one ("* 5 FETCH (UID 9 INTERNALDATE \" 7-Feb-2024 23:59:60 +0130\" "
                                             "RFC822.HEADER {4}\r\nA: b BODY[HEADER] NIL)\r\n");
    g_autoptr(EpImapFetch) f = ep_imap_fetch_parse (r, NULL);

    g_assert_cmpint (f->internaldate, ==, 1707345000);  /* Python: calendar.timegm ((2024, 2, 7, 23, 59, 60)) - 5400 */
    g_assert_cmpuint (g_bytes_get_size (f->header), ==, 4);
    g_assert_null (f->envelope);
    g_assert_null (f->body_summary);
  }
}

static void
test_envelope_details (void)
{
  g_autoptr(EpImapResponse) r = parse_one (
    "* 1 FETCH (ENVELOPE (NIL \"=?utf-8?q?caf=C3=A9?= \xff\" "
    "((NIL NIL \"friends\" NIL)(\"=?iso-8859-1?q?J=F6rg?=\" NIL \"j\" \"x.de\")(NIL NIL NIL NIL)(NIL NIL \"root\" NIL)) "
    "NIL NIL NIL NIL NIL NIL NIL) "
    "BODYSTRUCTURE (((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"html\" NIL NIL NIL \"7bit\" 1 1) \"alternative\")"
    "(\"application\" \"pkcs7-mime\" (\"name\" \"smime.p7m\") NIL NIL \"base64\" 3 NIL) \"mixed\"))\r\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(EpImapFetch) f = ep_imap_fetch_parse (r, &error);
  EpImapEnvelope *e;

  g_assert_no_error (error);
  e = f->envelope;
  g_assert_null (e->date);
  g_assert_true (g_utf8_validate (e->subject, -1, NULL));
  g_assert_true (g_str_has_prefix (e->subject, "café "));
  /* The group's markers are skipped; a mailbox without a host stays. */
  g_assert_cmpuint (e->from->len, ==, 2);
  g_assert_cmpstr (((EpImapAddress *) e->from->pdata[0])->name, ==, "Jörg");
  g_assert_cmpstr (((EpImapAddress *) e->from->pdata[0])->address, ==, "j@x.de");
  g_assert_cmpstr (((EpImapAddress *) e->from->pdata[1])->address, ==, "root");
  g_assert_cmpuint (e->sender->len, ==, 0);
  /* Password mail: a smime.p7m attachment inside multipart/mixed. */
  g_assert_cmpstr (f->body_summary->content_type, ==, "multipart/mixed");
  g_assert_true (f->body_summary->is_encrypted);
  g_assert_false (f->body_summary->has_attachments);
  g_assert_false (f->body_summary->is_signed);

  {
    g_autoptr(EpImapResponse) bad = parse_one ("* 1 FETCH (ENVELOPE (NIL NIL NIL))\r\n");
    g_autoptr(GError) error2 = NULL;

    g_assert_null (ep_imap_fetch_parse (bad, &error2));
    g_assert_error (error2, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_SYNTAX);
  }
  {
    g_autoptr(EpImapResponse) bad = parse_one ("* 1 FETCH (UID 4294967296)\r\n");

    g_assert_null (ep_imap_fetch_parse (bad, NULL));
  }
  {
    g_autoptr(EpImapResponse) signed_data = parse_one (
      "* 1 FETCH (BODYSTRUCTURE (\"application\" \"x-pkcs7-mime\" (\"smime-type\" \"signed-data\") NIL NIL \"base64\" 3))\r\n");
    g_autoptr(EpImapFetch) sf = ep_imap_fetch_parse (signed_data, NULL);

    g_assert_true (sf->body_summary->is_signed);
    g_assert_false (sf->body_summary->is_encrypted);
  }
}

/* ---- hostile input ---- */

static GError *
parse_error (gsize       max_literal,
             const char *text,
             gsize       len)
{
  g_autoptr(EpImapParser) parser = ep_imap_parser_new (max_literal, 1024);
  GError *error = NULL;
  GError *again = NULL;
  EpImapResponse *r;

  ep_imap_parser_feed (parser, (const guint8 *) text, len);
  while ((r = ep_imap_parser_next (parser, &error)) != NULL)
    ep_imap_response_free (r);
  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  /* Sticky: the same error again. */
  g_assert_null (ep_imap_parser_next (parser, &again));
  g_assert_error (again, error->domain, error->code);
  g_assert_cmpstr (again->message, ==, error->message);
  g_error_free (again);
  return error;
}

#define assert_refused(lit, text, code, needle) G_STMT_START {                  \
    g_autoptr(GError) e_ = parse_error (lit, text, sizeof (text) - 1);          \
    g_assert_error (e_, EP_IMAP_PARSER_ERROR, code);                            \
    if (strstr (e_->message, needle) == NULL)                                   \
      g_error ("“%s” not in “%s”", needle, e_->message);                        \
  } G_STMT_END

static void
test_hostile (void)
{
  /* Oversize literal: refused at its header, before its bytes come. */
  assert_refused (100, "* 1 FETCH (BODY[] {101}\r\n", EP_IMAP_PARSER_ERROR_TOO_BIG, "{101}");
  assert_refused (100, "* 1 FETCH (BODY[] {99999999999999999999}\r\n", EP_IMAP_PARSER_ERROR_TOO_BIG,
                  "literal too large");
  assert_refused (100, "* 1 FETCH (BODY[] {18446744073709551616}\r\n", EP_IMAP_PARSER_ERROR_TOO_BIG, "");
  assert_refused (100, "* LIST () \"/\" \"abc\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "unterminated quoted");
  assert_refused (100, "* 1 FETCH (X \"a\\b\")\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "escape");
  assert_refused (100, "* 1 FETCH (X \0)\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "NUL");
  assert_refused (100, "A1 XYZZY hello\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "A1 XYZZY hello");
  assert_refused (100, "A1\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "tag");
  assert_refused (100, "* 1 FETCH (UID 1) junk\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "end");
  assert_refused (100, "* 1 FETCH (UID 1\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "unterminated list");
  assert_refused (100, "* 1 FETCH (BODY[1 {3}\r\nabc)\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "");
  assert_refused (100, "* 1 FETCH (X {3}abc)\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "literal");
  assert_refused (100, "* 99999999999999999999 EXISTS\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "");
  assert_refused (100, "*\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "");
  assert_refused (100, "* 1 FETCH (\xc3\x28 \"\x01\x7f\")\r\n", EP_IMAP_PARSER_ERROR_SYNTAX, "\\x01\\x7f");
  /* 8-bit bytes are kept (and escaped in the error above); in a name: */
  {
    g_autoptr(EpImapResponse) r = parse_one ("* LIST () \"/\" \"Caf\xc3\xa9 \xff\"\r\n");
    g_autoptr(EpImapMailbox) m = ep_imap_mailbox_parse (r, NULL);

    g_assert_cmpstr (m->raw_name, ==, "Caf\xc3\xa9 \xff");
    g_assert_true (g_utf8_validate (m->name, -1, NULL));
    g_assert_true (g_str_has_prefix (m->name, "Café "));
  }
  /* Nesting: 60 levels are fine, 100 are not. */
  {
    g_autoptr(GString) ok = g_string_new ("* X ");
    g_autoptr(GString) deep = g_string_new ("* X ");
    g_autoptr(EpImapResponse) r = NULL;
    g_autoptr(GError) error = NULL;

    for (int i = 0; i < 60; i++)
      g_string_append_c (ok, '(');
    for (int i = 0; i < 60; i++)
      g_string_append_c (ok, ')');
    g_string_append (ok, "\r\n");
    r = parse_one (ok->str);
    for (int i = 0; i < 100; i++)
      g_string_append_c (deep, '(');
    g_string_append (deep, "\r\n");
    error = parse_error (100, deep->str, deep->len);
    g_assert_error (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_TOO_BIG);
  }
  /* A long line is refused before its end arrives; the quote is short. */
  {
    g_autoptr(EpImapParser) parser = ep_imap_parser_new (100, 1024);
    g_autoptr(GError) error = NULL;
    char line[2000];

    memset (line, 'a', sizeof line);
    memcpy (line, "* X ", 4);
    ep_imap_parser_feed (parser, (const guint8 *) line, sizeof line);
    g_assert_null (ep_imap_parser_next (parser, &error));
    g_assert_error (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_TOO_BIG);
    g_assert_cmpuint (strlen (error->message), <, 200);
  }
}

static void
test_literal_split (void)
{
  g_autoptr(EpImapParser) parser = ep_imap_parser_new (100, 1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpImapResponse) r = NULL;
  g_autoptr(EpImapFetch) f = NULL;
  const char *parts[] = { "* 1 FETCH (UID 3 BODY[] {1", "0}\r", "\n01234", "56789", ")", "\r", "\nA1 OK\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (parts) - 1; i++)
    {
      ep_imap_parser_feed (parser, (const guint8 *) parts[i], strlen (parts[i]));
      g_assert_null (ep_imap_parser_next (parser, &error));
      g_assert_no_error (error);
    }
  ep_imap_parser_feed (parser, (const guint8 *) parts[6], strlen (parts[6]));
  r = ep_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  f = ep_imap_fetch_parse (r, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (f->body), ==, 10);
  g_assert_cmpmem (g_bytes_get_data (f->body, NULL), 10, "0123456789", 10);
  g_assert_cmpuint (ep_imap_parser_pending (parser), ==, 7);
  g_clear_pointer (&r, ep_imap_response_free);
  r = ep_imap_parser_next (parser, &error);
  g_assert_cmpstr (r->tag, ==, "A1");
  g_assert_cmpuint (ep_imap_parser_pending (parser), ==, 0);
}

static void
test_many_items (void)
{
  g_autoptr(GString) line = g_string_new ("* SEARCH");
  g_autoptr(EpImapParser) parser = ep_imap_parser_new (100, 4 * 1024 * 1024);
  g_autoptr(EpImapParser) small = ep_imap_parser_new (100, 4 * 1024 * 1024);
  g_autoptr(EpImapResponse) r = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 1; i <= 200000; i++)
    g_string_append_printf (line, " %u", i);
  g_string_append (line, "\r\n");
  ep_imap_parser_feed (parser, (const guint8 *) line->str, line->len);
  r = ep_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ep_imap_value_n_items (r->data), ==, 200000);

  ep_imap_parser_set_max_values (small, 100000);
  ep_imap_parser_feed (small, (const guint8 *) line->str, line->len);
  g_assert_null (ep_imap_parser_next (small, &error));
  g_assert_error (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_TOO_BIG);
  g_clear_error (&error);

  /* And with a smaller line limit, the line itself is refused. */
  {
    g_autoptr(EpImapParser) short_lines = ep_imap_parser_new (100, 64 * 1024);

    ep_imap_parser_feed (short_lines, (const guint8 *) line->str, line->len);
    g_assert_null (ep_imap_parser_next (short_lines, &error));
    g_assert_error (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_TOO_BIG);
  }
}

/* ---- the small pieces ---- */

static void
test_uid_set (void)
{
  const struct { const char *set; guint32 star; const char *want; } cases[] = {
    { "1:3,7,9:*", 10, "1 2 3 7 9 10" },
    { "5:2", 0, "2 3 4 5" },
    { "3,1,2,2:3", 0, "1 2 3" },
    { "*", 4, "4" },
    { "*:3", 5, "3 4 5" },
    { "4294967295", 0, "4294967295" },
    { "1:*", 0, NULL },
    { "0", 9, NULL },
    { "", 9, NULL },
    { "a", 9, NULL },
    { "1,,2", 9, NULL },
    { "1:", 9, NULL },
    { "1 2", 9, NULL },
    { "4294967296", 9, NULL },
    { "1:4294967295", 9, "" },  /* too many */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) uids = ep_imap_parse_uid_set (cases[i].set, cases[i].star, 100, &error);
      g_autoptr(GString) got = g_string_new (NULL);

      if (cases[i].want == NULL || cases[i].want[0] == '\0')
        {
          g_assert_null (uids);
          g_assert_error (error, EP_IMAP_PARSER_ERROR,
                          (cases[i].want == NULL ? EP_IMAP_PARSER_ERROR_SYNTAX : EP_IMAP_PARSER_ERROR_TOO_BIG));
          continue;
        }
      g_assert_no_error (error);
      for (guint j = 0; j < uids->len; j++)
        g_string_append_printf (got, "%s%u", j > 0 ? " " : "", g_array_index (uids, guint32, j));
      g_assert_cmpstr (got->str, ==, cases[i].want);
    }
  /* Overlaps count once against the bound. */
  {
    g_autoptr(GArray) uids = ep_imap_parse_uid_set ("1:100,1:100,50:60", 0, 100, NULL);

    g_assert_cmpuint (uids->len, ==, 100);
  }
}

static void
test_utf7 (void)
{
  const struct { const char *raw, *utf8; } pairs[] = {
    { "INBOX", "INBOX" },
    { "Caf&AOk- &- Co", "Café & Co" },
    { "&-", "&" },
    { "&Jjo-!", "☺!" },
    { "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語" },
    { "&2D3eAA-", "😀" },
    { "Entw&APw-rfe", "Entwürfe" },
    { "&BBoEPgRABDcEOAQ9BDA-", "Корзина" },
  };
  const char *bad[] = {
    "&AOk", "&AO-", "&2D3-", "&3gA-", "Caf\xc3\xa9", "&-&", "&Jjo", "&*-", "&AAA-", "a\tb",
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *decoded = ep_imap_utf7_decode (pairs[i].raw);
      g_autofree char *encoded = ep_imap_utf7_encode (pairs[i].utf8);

      g_assert_cmpstr (decoded, ==, pairs[i].utf8);
      g_assert_cmpstr (encoded, ==, pairs[i].raw);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *decoded = ep_imap_utf7_decode (bad[i]);

      if (decoded != NULL)
        g_error ("%s decoded to %s", bad[i], decoded);
    }
  g_assert_null (ep_imap_utf7_encode ("\xff"));
}

static void
test_quoted_and_accessors (void)
{
  g_autoptr(GString) out = g_string_new ("LOGIN ");
  EpImapValue nil = { EP_IMAP_NIL, 0, NULL, 0, NULL };
  guint64 n = 1;

  g_assert_true (ep_imap_append_quoted (out, "a\"b\\c"));
  g_assert_cmpstr (out->str, ==, "LOGIN \"a\\\"b\\\\c\"");
  g_assert_false (ep_imap_append_quoted (out, "a\r\nb"));
  g_assert_false (ep_imap_append_quoted (out, "café"));
  g_assert_cmpstr (out->str, ==, "LOGIN \"a\\\"b\\\\c\"");

  g_assert_null (ep_imap_value_string (&nil));
  g_assert_null (ep_imap_value_string (NULL));
  g_assert_false (ep_imap_value_number (&nil, &n));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (ep_imap_value_n_items (&nil), ==, 0);
  g_assert_null (ep_imap_value_item (&nil, 0));
  g_assert_null (ep_imap_value_item (NULL, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/imap-parser/transcript/greeting-capability", test_greeting_capability);
  g_test_add_func ("/imap-parser/transcript/list", test_list);
  g_test_add_func ("/imap-parser/transcript/select", test_select);
  g_test_add_func ("/imap-parser/transcript/fetch", test_fetch);
  g_test_add_func ("/imap-parser/transcript/body", test_body);
  g_test_add_func ("/imap-parser/transcript/status-search-idle", test_status_search_idle);
  g_test_add_func ("/imap-parser/shapes", test_shapes);
  g_test_add_func ("/imap-parser/envelope", test_envelope_details);
  g_test_add_func ("/imap-parser/hostile", test_hostile);
  g_test_add_func ("/imap-parser/literal-split", test_literal_split);
  g_test_add_func ("/imap-parser/many-items", test_many_items);
  g_test_add_func ("/imap-parser/uid-set", test_uid_set);
  g_test_add_func ("/imap-parser/utf7", test_utf7);
  g_test_add_func ("/imap-parser/quoted-accessors", test_quoted_and_accessors);
  return g_test_run ();
}
