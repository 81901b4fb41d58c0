/* test-signature.c: the signature in a message's text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <epistle-core.h>

static void
test_block (void)
{
  g_autofree char *block = ep_signature_block ("  Anna Beispiel\nKlasse 7b\n\n");

  g_assert_cmpstr (block, ==, "\n\n-- \nAnna Beispiel\nKlasse 7b");
  g_assert_null (ep_signature_block (NULL));
  g_assert_null (ep_signature_block (" \n\t\n"));
}

static void
assert_found (const char *body,
              const char *signature,
              glong       want_start,
              glong       want_end)
{
  glong start = -1, end = -1;

  if (!ep_signature_find (body, signature, &start, &end))
    g_error ("the signature %s was not found in %s", signature, body);
  g_assert_cmpint (start, ==, want_start);
  g_assert_cmpint (end, ==, want_end);
}

static void
test_find (void)
{
  const char *sig = "Anna Beispiel\nKlasse 7b";

  /* Under a message, with the blank line put above it. */
  assert_found ("Hallo\n\n-- \nAnna Beispiel\nKlasse 7b", sig, 5, 34);
  /* In characters, not bytes. */
  assert_found ("Grüße\n\n-- \nJörg", "Jörg", 5, 15);
  /* Above a reply's quote. */
  assert_found ("\n\n-- \nAnna Beispiel\nKlasse 7b\n\nAm Montag schrieb Bob:\n> Hallo", sig, 0, 29);
  /* Stored with white space around it: the same signature. */
  assert_found ("x\n\n-- \nAnna Beispiel\nKlasse 7b", "\nAnna Beispiel\nKlasse 7b\n", 1, 30);

  /* Changed by the person, or quoted: not the one that was put in. */
  g_assert_false (ep_signature_find ("x\n\n-- \nAnna Beispiel\nKlasse 7c", sig, NULL, NULL));
  g_assert_false (ep_signature_find ("x\n\n-- \nAnna Beispiel\nKlasse 7bb", sig, NULL, NULL));
  g_assert_false (ep_signature_find ("> -- \n> Anna Beispiel\n> Klasse 7b", sig, NULL, NULL));
  g_assert_false (ep_signature_find ("x -- \nAnna Beispiel\nKlasse 7b", sig, NULL, NULL));
  g_assert_false (ep_signature_find ("x\n\n-- \nAnna", NULL, NULL, NULL));
}

static void
test_split (void)
{
  g_autofree char *sig = NULL;
  g_autofree char *text = ep_signature_split ("Hallo\n-- \nAnna\n-- \nKlasse 7b\n", &sig);
  g_autofree char *none_sig = NULL;
  g_autofree char *none = ep_signature_split ("Hallo\n> -- \n> Bob\n--\nx", &none_sig);

  /* The last separator line is the one. */
  g_assert_cmpstr (text, ==, "Hallo\n-- \nAnna\n");
  g_assert_cmpstr (sig, ==, "Klasse 7b\n");
  g_assert_cmpstr (none, ==, "Hallo\n> -- \n> Bob\n--\nx");
  g_assert_null (none_sig);
}

static void
test_markdown (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *html = ep_markdown_to_html ("Danke\n-- \n**Anna** Beispiel\nKlasse 7b\n", &error);

  g_assert_no_error (error);
  /* "-- " under a line does not make it a heading. */
  g_assert_nonnull (strstr (html, "<p>Danke</p>"));
  g_assert_null (strstr (html, "<h2>"));
  /* Its lines stay lines, and Markdown in it still works. */
  g_assert_nonnull (strstr (html, "<div class=\"signature\">\n<p>--<br>\n"
                                  "<strong>Anna</strong> Beispiel<br>\nKlasse 7b</p>\n</div>"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mail/signature/block", test_block);
  g_test_add_func ("/mail/signature/find", test_find);
  g_test_add_func ("/mail/signature/split", test_split);
  g_test_add_func ("/mail/signature/markdown", test_markdown);
  return g_test_run ();
}
