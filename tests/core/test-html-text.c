/* test-html-text.c: HTML mail and plain text to formatted text
 *
 * The fixtures in tests/fuzz/corpus/html are written the way Thunderbird,
 * Outlook, Gmail, Apple Mail and newsletter tools write mail; they seed
 * the fuzz target too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <epistle-core.h>

static const char *
style_name (EpTextStyle style)
{
  switch (style)
    {
    case EP_TEXT_BOLD: return "bold";
    case EP_TEXT_ITALIC: return "italic";
    case EP_TEXT_UNDERLINE: return "underline";
    case EP_TEXT_STRIKE: return "strike";
    case EP_TEXT_MONOSPACE: return "mono";
    case EP_TEXT_HEADING: return "heading";
    case EP_TEXT_QUOTE: return "quote";
    case EP_TEXT_LINK: return "link";
    default: return "?";
    }
}

/* One line per span: "start style[level] “covered text”[ → link]". */
static char *
describe_spans (const EpFormattedText *text)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < text->spans->len; i++)
    {
      const EpTextSpan *span = g_ptr_array_index (text->spans, i);

      g_string_append_printf (out, "%" G_GSIZE_FORMAT " %s", span->start,
                              style_name (span->style));
      if (span->level > 0)
        g_string_append_printf (out, "%u", span->level);
      g_string_append_printf (out, " “%.*s”", (int) (span->end - span->start),
                              text->text + span->start);
      if (span->link != NULL)
        g_string_append_printf (out, " → %s", span->link);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static void
check_invariants (const EpFormattedText *text)
{
  gsize len = strlen (text->text);
  gsize previous = 0;

  g_assert_true (g_utf8_validate (text->text, (gssize) len, NULL));
  for (guint i = 0; i < text->spans->len; i++)
    {
      const EpTextSpan *span = g_ptr_array_index (text->spans, i);

      g_assert_cmpuint (span->start, <, span->end);
      g_assert_cmpuint (span->end, <=, len);
      g_assert_cmpuint (span->start, >=, previous);
      g_assert_true (g_utf8_validate (text->text + span->start,
                                      (gssize) (span->end - span->start), NULL));
      previous = span->start;
    }
}

static EpFormattedText *
render_fixture (const char *name,
                const char *charset)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "html",
                                                 name, NULL);
  g_autofree char *html = NULL;
  gsize len;
  EpFormattedText *text;

  g_assert_true (g_file_get_contents (path, &html, &len, NULL));
  text = ep_html_to_text (html, (gssize) len, charset);
  check_invariants (text);
  return text;
}

static void
assert_render (const char *html,
               const char *charset,
               const char *expected_text,
               const char *expected_spans)
{
  g_autoptr(EpFormattedText) text = ep_html_to_text (html, -1, charset);
  g_autofree char *spans = describe_spans (text);

  check_invariants (text);
  g_assert_cmpstr (text->text, ==, expected_text);
  g_assert_cmpstr (spans, ==, expected_spans);
}

static void
assert_fixture (const char *name,
                const char *expected_text,
                const char *expected_spans)
{
  g_autoptr(EpFormattedText) text = render_fixture (name, NULL);
  g_autofree char *spans = describe_spans (text);

  g_assert_cmpstr (text->text, ==, expected_text);
  g_assert_cmpstr (spans, ==, expected_spans);
}

static void
test_thunderbird_reply (void)
{
  assert_fixture ("thunderbird-reply.html",
    "Hi Jörg,\n"
    "\n"
    "Thanks, the draft looks good. Two things:\n"
    "\n"
    "1. the date is 12 March\n"
    "2. see https://example.org/agenda\n"
    "\n"
    "On 02/03/2026 10:14, Ann Smith wrote:\n"
    "\n"
    "Here is the draft.\n"
    "\n"
    "Earlier text\n"
    "\n"
    "Ann\n"
    "\n"
    "-- \n"
    "Jörg Müller\n"
    "  Room 4",
    "23 italic “draft”\n"
    "69 bold “12 March”\n"
    "85 link “https://example.org/agenda” → https://example.org/agenda\n"
    "152 quote1 “Here is the draft.”\n"
    "172 quote2 “Earlier text”\n"
    "186 quote1 “Ann”\n"
    "191 mono “-- \n"
    "Jörg Müller\n"
    "  Room 4”\n");
}

static void
test_outlook_latin1 (void)
{
  assert_fixture ("outlook-latin1.html",
    "Hallo Frau Schmidt,\n"
    "\n"
    "anbei die Unterlagen für Montag.  Bitte prüfen.\n"
    "\n"
    "Grüße\n"
    "Max\n"
    "\n"
    "Von: Anna Schmidt <anna@example.de>\n"
    "Gesendet: Montag, 2. März 2026 09:00\n"
    "Betreff: Unterlagen\n"
    "\n"
    "Können Sie mir die Unterlagen schicken?",
    "47 bold “Montag”\n"
    "85 bold “Von:”\n"
    "121 bold “Gesendet:”\n"
    "159 bold “Betreff:”\n");
}

static void
test_gmail (void)
{
  assert_fixture ("gmail.html",
    "Sure, works for me.\n"
    "\n"
    "See you at the café <https://maps.example.com/?q=cafe>.\n"
    "\n"
    "\n"
    "On Mon, 2 Mar 2026 at 09:00, Bob <bob@example.com> wrote:\n"
    "\n"
    "Lunch on Friday?\n"
    "\n"
    "--\n"
    "Bob\n"
    "www.example.com",
    "32 link “the café” → https://maps.example.com/?q=cafe\n"
    "43 link “https://maps.example.com/?q=cafe” → https://maps.example.com/?q=cafe\n"
    "114 link “bob@example.com” → mailto:bob@example.com\n"
    "139 quote1 “Lunch on Friday?\n"
    "\n"
    "--\n"
    "Bob\n"
    "www.example.com”\n");
}

static void
test_apple_mail (void)
{
  assert_fixture ("apple-mail.html",
    "Yes — the second option.\n"
    "\n"
    "Cheers,\n"
    "Eve\n"
    "\n"
    "On 2 Mar 2026, at 09:00, Dan <dan@example.net> wrote:\n"
    "\n"
    "Which option?\n"
    "First or second?",
    "12 underline “second”\n"
    "41 quote1 “On 2 Mar 2026, at 09:00, Dan <dan@example.net> wrote:\n"
    "\n"
    "Which option?\n"
    "First or second?”\n"
    "110 bold “First”\n"
    "119 italic “second”\n");
}

static void
test_newsletter (void)
{
  assert_fixture ("newsletter.html",
    "[image: Example News] <https://news.example.com/?utm_source=nl>\n"
    "\n"
    "This week\n"
    "\n"
    "Three stories for you.\n"
    "\n"
    "Plan │ Price\n"
    "Basic │ 5 €\n"
    "Pro │ 12 €\n"
    "\n"
    "Read the first story <https://news.example.com/issue/42/stories/1>\n"
    "\n"
    "Visit the shop → <https://news.example.com/shop>\n"
    "You got this because you subscribed. Unsubscribe <https://news.example.com/unsubscribe?u=abc>",
    "0 link “[image: Example News]” → https://news.example.com/?utm_source=nl\n"
    "23 link “https://news.example.com/?utm_source=nl” → https://news.example.com/?utm_source=nl\n"
    "65 heading1 “This week”\n"
    "100 bold “Plan”\n"
    "109 bold “Price”\n"
    "139 bold “12 €”\n"
    "147 link “Read the first story” → https://news.example.com/issue/42/stories/1\n"
    "169 link “https://news.example.com/issue/42/stories/1” → https://news.example.com/issue/42/stories/1\n"
    "215 link “Visit the shop →” → https://news.example.com/shop\n"
    "235 link “https://news.example.com/shop” → https://news.example.com/shop\n"
    "303 link “Unsubscribe” → https://news.example.com/unsubscribe?u=abc\n"
    "316 link “https://news.example.com/unsubscribe?u=abc” → https://news.example.com/unsubscribe?u=abc\n");
}

static void
test_hostile (void)
{
  assert_fixture ("hostile.html",
    "fake\n"
    "\n"
    "\"; document.write(s);\n"
    "\n"
    "Dear customer,\n"
    "\n"
    "Your account is locked.\n"
    "\n"
    "https://www.paypal.com/signin <https://paypal.example.evil.test/login>\n"
    "\n"
    "Click to verify or here or there\n"
    "\n"
    "[image][image: Bank logo]\n"
    "\n"
    "Call us, mail help@bank.example.\n"
    "\n"
    "unclosed bold both",
    "70 link “https://www.paypal.com/signin” → https://paypal.example.evil.test/login\n"
    "101 link “https://paypal.example.evil.test/login” → https://paypal.example.evil.test/login\n"
    "217 link “help@bank.example” → MAILTO:help@bank.example\n"
    "246 bold “bold both”\n"
    "251 italic “both”\n");
}

/* The hostile fixture mentions remote images, frames and forms: none of
 * their URLs may reach the text, only link targets do. */
static void
test_no_remote_urls (void)
{
  g_autoptr(EpFormattedText) text = render_fixture ("hostile.html", NULL);

  g_assert_null (strstr (text->text, "evil.example/"));
  g_assert_null (strstr (text->text, "javascript"));
  g_assert_null (strstr (text->text, "not text"));
  g_assert_null (strstr (text->text, "secret"));
  g_assert_null (strstr (text->text, "shh"));
}

static void
test_inline (void)
{
  /* White space collapses as in a browser; &nbsp; stays. */
  assert_render ("<p>  one\n\t two&nbsp;&nbsp;three </p>\n\n<p> four</p>", NULL,
                 "one two  three\n\nfour", "");
  /* Gmail's empty lines are <div><br></div>. */
  assert_render ("<div>a</div><div><br></div><div>b<br></div><div>c</div>", NULL,
                 "a\n\nb\nc", "");
  assert_render ("<h2>Title</h2><p>x<s>y</s><code>z</code></p><hr><p>end</p>", NULL,
                 "Title\n\nxyz\n\n────────────────────\n\nend",
                 "0 heading2 “Title”\n8 strike “y”\n9 mono “z”\n");
  /* The label is the address: no target after it. */
  assert_render ("<a href=\"mailto:ann@example.com\">ann@example.com</a> "
                 "<a href=\"https://example.com/\">https://example.com</a> "
                 "<a href=\"https://example.com\">example.com</a>", NULL,
                 "ann@example.com https://example.com example.com",
                 "0 link “ann@example.com” → mailto:ann@example.com\n"
                 "16 link “https://example.com” → https://example.com/\n"
                 "36 link “example.com” → https://example.com\n");
  /* Relative links need a <base>; a fragment is nothing to follow. */
  assert_render ("<a href=\"/x\">rel</a> <a href=\"#top\">top</a> <a name=\"n\">anchor</a>", NULL,
                 "rel top anchor", "");
  assert_render ("<ul><li>a<ol><li>b</li><li>c<br>more</li></ol></li><li>d</li></ul><p>after</p>",
                 NULL, "• a\n  1. b\n  2. c\n     more\n• d\n\nafter", "");
  assert_render ("<ul><li><ul><li>in</li></ul></li><li></li></ul>"
                 "<table><tr><td>a</td><td></td></tr><tr><td>b</td><td>c</td></tr></table>",
                 NULL, "•\n  • in\n•\n\na │\nb │ c", "");
  assert_render ("<dl><dt>Term</dt><dd>Meaning</dd></dl>", NULL, "Term\n    Meaning", "");
  /* <pre> keeps its spaces and tabs, but not the newline after the tag. */
  assert_render ("<p>x</p><pre>\n a\r\n\tb</pre>", NULL, "x\n\n a\n\tb", "3 mono “ a\n\tb”\n");
  /* Emphasis nested in itself is one span. */
  assert_render ("<b>a<strong>b</strong></b><span style=\"font-weight:700\">c</span>", NULL,
                 "abc", "0 bold “ab”\n2 bold “c”\n");
}

static void
test_charset (void)
{
  /* No MIME charset and no <meta>: UTF-8. */
  assert_render ("<p>caf\xc3\xa9</p>", NULL, "café", "");
  /* The MIME charset wins over a <meta>. */
  assert_render ("<meta charset=\"utf-8\"><p>caf\xe9</p>", "iso-8859-1", "café", "");
  assert_render ("<meta charset=iso-8859-1><p>caf\xe9</p>", NULL, "café", "");
  assert_render ("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
                 "<p>\x93quoted\x94 \x80</p>", NULL, "“quoted” €", "");
  /* An unknown MIME charset is ignored. */
  assert_render ("<p>caf\xc3\xa9</p>", "x-no-such-charset", "café", "");
}

static void
test_outlook_charset (void)
{
  /* Declared Latin-1 in the MIME part but read as UTF-8 by mistake: the
   * text stays valid UTF-8 whatever the bytes. */
  g_autoptr(EpFormattedText) wrong = render_fixture ("outlook-latin1.html", "utf-8");
  g_autoptr(EpFormattedText) right = render_fixture ("outlook-latin1.html", "iso-8859-1");

  g_assert_null (strstr (wrong->text, "für"));
  g_assert_nonnull (strstr (wrong->text, "Hallo Frau Schmidt,"));
  g_assert_nonnull (strstr (right->text, "anbei die Unterlagen für Montag."));
}

static void
test_invalid_bytes (void)
{
  const char html[] = "<p>a\0b</p><p>\xff\xfe\xc3(</p><p>end";
  g_autoptr(EpFormattedText) text = ep_html_to_text (html, sizeof html - 1, NULL);

  check_invariants (text);
  g_assert_true (g_str_has_prefix (text->text, "a"));
  g_assert_true (g_str_has_suffix (text->text, "end"));
}

static void
test_deep_nesting (void)
{
  GString *html = g_string_new ("<p>intro</p>");
  g_autoptr(EpFormattedText) text = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append (html, "<div><b>");
  g_string_append (html, "deep");
  for (guint i = 0; i < 100000; i++)
    g_string_append (html, "</b></div>");
  g_string_append (html, "<p>after</p>");

  text = ep_html_to_text (html->str, (gssize) html->len, NULL);
  g_string_free (html, TRUE);
  check_invariants (text);
  /* Past 256 levels elements only pass their text on; nothing is lost. */
  g_assert_cmpstr (text->text, ==, "intro\n\ndeep\n\nafter");
  g_assert_cmpuint (text->spans->len, ==, 1);
}

static void
test_huge_text (void)
{
  gsize n = 5 * 1024 * 1024;
  char *html = g_malloc (n + 16);
  g_autoptr(EpFormattedText) text = NULL;
  gsize len;

  memcpy (html, "<p><b>", 6);
  /* "é" repeated, so the cut has to find a character boundary. */
  for (gsize i = 6; i + 2 <= n; i += 2)
    memcpy (html + i, "\xc3\xa9", 2);
  text = ep_html_to_text (html, (gssize) n, NULL);
  g_free (html);
  check_invariants (text);
  len = strlen (text->text);
  g_assert_cmpuint (len, <=, 4 * 1024 * 1024 + 3);
  g_assert_cmpuint (len, >=, 4 * 1024 * 1024 - 1);
  g_assert_true (g_str_has_suffix (text->text, "é…"));
  g_assert_cmpuint (text->spans->len, ==, 1);
}

static void
test_empty (void)
{
  assert_render ("", NULL, "", "");
  assert_render ("<html><head><title>t</title></head><body> \n </body></html>", NULL, "", "");
  assert_render ("<!--[if mso]><p>Outlook only</p><![endif]-->", NULL, "", "");
  /* What newsletters show everyone but Outlook is outside the comments. */
  assert_render ("<!--[if mso]><p>Outlook only</p><![endif]--><!--[if !mso]><!-->"
                 "<p>Everyone else</p><!--<![endif]-->", NULL, "Everyone else", "");
}

static void
test_plain (void)
{
  const char plain[] = "Hi,\r\nsee https://example.com/a_(b). or mailto:x@example.org!\r\n"
                       "> quoted\n> > deeper\n>> deeper too\n\xff\n";
  g_autoptr(EpFormattedText) text = ep_formatted_text_from_plain (plain, sizeof plain - 1);
  g_autofree char *spans = describe_spans (text);

  check_invariants (text);
  g_assert_cmpstr (text->text, ==, "Hi,\nsee https://example.com/a_(b). or mailto:x@example.org!\n"
                   "> quoted\n> > deeper\n>> deeper too\n\xef\xbf\xbd\n");
  g_assert_cmpstr (spans, ==,
                   "8 link “https://example.com/a_(b)” → https://example.com/a_(b)\n"
                   "38 link “mailto:x@example.org” → mailto:x@example.org\n"
                   "60 quote1 “> quoted”\n"
                   "69 quote2 “> > deeper\n>> deeper too”\n");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/html-text/thunderbird", test_thunderbird_reply);
  g_test_add_func ("/html-text/outlook", test_outlook_latin1);
  g_test_add_func ("/html-text/outlook-charset", test_outlook_charset);
  g_test_add_func ("/html-text/gmail", test_gmail);
  g_test_add_func ("/html-text/apple-mail", test_apple_mail);
  g_test_add_func ("/html-text/newsletter", test_newsletter);
  g_test_add_func ("/html-text/hostile", test_hostile);
  g_test_add_func ("/html-text/no-remote-urls", test_no_remote_urls);
  g_test_add_func ("/html-text/inline", test_inline);
  g_test_add_func ("/html-text/charset", test_charset);
  g_test_add_func ("/html-text/invalid-bytes", test_invalid_bytes);
  g_test_add_func ("/html-text/deep-nesting", test_deep_nesting);
  g_test_add_func ("/html-text/huge-text", test_huge_text);
  g_test_add_func ("/html-text/empty", test_empty);
  g_test_add_func ("/formatted-text/plain", test_plain);

  return g_test_run ();
}
