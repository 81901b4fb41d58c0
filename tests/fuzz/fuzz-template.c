/* fuzz-template.c: the {{field}} template parser, and rendering what it
 * parsed against a small table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const columns[] = { "Name", "Email", "Note", "File", "Due", "Amount", NULL };
  static const char * const row[] = { "Zoë <x>", "zoe@example.org", "", "none.pdf", "19.03.2024",
                                      "1.234,50 €", NULL };
  g_autofree char *text = fuzz_text (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpTable) table = ep_table_new (columns);
  const char *newline = strchr (text, '\n');
  g_autofree char *first_line = g_strndup (text, newline ? (gsize) (newline - text) : strlen (text));
  g_autofree char *formatted = NULL;
  EpTemplate *tmpl;

  (void) fuzz_dir ();
  /* The filters' inputs: a workbook's date and number under their
   * formats, and the input's first line as a cell's raw value. */
  ep_table_append_row (table, 2, row, 6);
  ep_table_set_locale (table, (size & 1) ? "de_DE" : "en_US");
  ep_table_set_raw_value (table, 0, 4, "2024-03-19T08:05:00");
  ep_table_set_raw_value (table, 0, 5, "1234.5");
  ep_table_set_raw_value (table, 0, 2, first_line);

  /* The date formatter alone: the first line as the value, the rest as
   * the pattern. */
  formatted = ep_table_format_date (table, first_line, newline ? newline + 1 : "%d %B %Y", NULL);
  g_assert (formatted == NULL || g_utf8_validate (formatted, -1, NULL));

  tmpl = ep_template_parse (text, &error);
  if (tmpl != NULL)
    {
      g_autoptr(GError) render_error = NULL;
      EpDraft *draft = ep_template_render (tmpl, table, 0, fuzz_dir (), &render_error);

      g_assert ((draft == NULL) == (render_error != NULL));
      ep_draft_free (draft);
      ep_template_unref (tmpl);
    }
  return 0;
}
