/* ep-formatted-text.c: TEMPORARY minimal stand-in (no spans), so the
 * message reader links; the real one is built in another branch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-formatted-text"

#include "config.h"

#include <string.h>

#include "ep-formatted-text.h"

static void
span_free (gpointer data)
{
  EpTextSpan *span = data;

  g_free (span->link);
  g_free (span);
}

EpFormattedText *
ep_formatted_text_new (void)
{
  EpFormattedText *text = g_new0 (EpFormattedText, 1);

  text->text = g_strdup ("");
  text->spans = g_ptr_array_new_with_free_func (span_free);
  return text;
}

void
ep_formatted_text_free (EpFormattedText *text)
{
  if (text == NULL)
    return;
  g_free (text->text);
  g_ptr_array_unref (text->spans);
  g_free (text);
}

EpFormattedText *
ep_formatted_text_from_plain (const char *plain,
                              gssize      len)
{
  EpFormattedText *text = ep_formatted_text_new ();
  g_autofree char *valid = g_utf8_make_valid (plain, len);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p++)
    if (!(p[0] == '\r' && p[1] == '\n'))
      g_string_append_c (out, *p);
  g_free (text->text);
  text->text = g_string_free (out, FALSE);
  return text;
}
