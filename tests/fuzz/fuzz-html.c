/* fuzz-html.c: HTML mail to formatted text (the reading pane), checking the
 * output's invariants: valid UTF-8 without NUL, spans inside the text, on
 * character boundaries, ordered by start, one style each, links with a target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"

static void
check (const EpFormattedText *text)
{
  gsize len = strlen (text->text);
  gsize previous = 0;

  g_assert (g_utf8_validate (text->text, (gssize) len, NULL));
  /* 4 MiB and the "…" after it. */
  g_assert_cmpuint (len, <=, 4 * 1024 * 1024 + 3);
  for (guint i = 0; i < text->spans->len; i++)
    {
      const EpTextSpan *span = g_ptr_array_index (text->spans, i);

      g_assert_cmpuint (span->start, <, span->end);
      g_assert_cmpuint (span->end, <=, len);
      g_assert_cmpuint (span->start, >=, previous);
      g_assert (g_utf8_get_char_validated (text->text + span->start, -1) != (gunichar) -1);
      g_assert (span->end == len ||
                g_utf8_get_char_validated (text->text + span->end, -1) != (gunichar) -1);
      g_assert (span->style != 0 && (span->style & (span->style - 1)) == 0);
      g_assert ((span->style == EP_TEXT_LINK) == (span->link != NULL));
      if (span->style == EP_TEXT_LINK)
        g_assert (g_ascii_strncasecmp (span->link, "http:", 5) == 0 ||
                  g_ascii_strncasecmp (span->link, "https:", 6) == 0 ||
                  g_ascii_strncasecmp (span->link, "mailto:", 7) == 0 ||
                  g_ascii_strncasecmp (span->link, "ftp:", 4) == 0);
      previous = span->start;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(EpFormattedText) text = NULL;
  g_autoptr(EpFormattedText) latin = NULL;

  (void) fuzz_dir ();
  text = ep_html_to_text ((const char *) data, (gssize) size, NULL);
  check (text);
  /* The same bytes under a MIME charset that every byte is valid in. */
  latin = ep_html_to_text ((const char *) data, (gssize) size, "iso-8859-1");
  check (latin);
  return 0;
}
