/* fuzz-template.c: the {{field}} template parser, and rendering what it
 * parsed against a small table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_autoptr(GError) error = NULL;
  EpTemplate *tmpl;
  static EpTable *table;

  (void) fuzz_dir ();
  if (table == NULL)
    {
      static const char * const columns[] = { "Name", "Email", "Note", "File", NULL };
      static const char * const row[] = { "Zoë <x>", "zoe@example.org", "", "none.pdf", NULL };
      table = ep_table_new (columns);
      ep_table_append_row (table, 2, row, 4);
    }
  tmpl = ep_template_parse (text, &error);
  if (tmpl != NULL)
    {
      g_autoptr(GError) render_error = NULL;
      EpDraft *draft = ep_template_render (tmpl, table, 0, fuzz_dir (), &render_error);
      ep_draft_free (draft);
      ep_template_unref (tmpl);
    }
  return 0;
}
