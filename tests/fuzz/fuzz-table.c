/* fuzz-table.c: the spreadsheet readers (CSV with encoding detection,
 * XLSX, ODS), by the file name's extension FUZZ_EXT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = fuzz_file ("input" FUZZ_EXT, data, size);
  g_autoptr(GError) error = NULL;
  EpTable *table = ep_table_read (path, NULL, NULL, &error);

  if (table != NULL)
    {
      /* Walk what was read, as the wizard would. */
      for (guint r = 0; r < ep_table_get_n_rows (table); r++)
        for (guint c = 0; c < ep_table_get_n_columns (table); c++)
          (void) strlen (ep_table_get_value (table, r, c));
      ep_table_unref (table);
    }
  g_unlink (path);
  return 0;
}
