/* ep-csv-writer.c: the one CSV writer
 *
 * Quoting through libcsv's csv_write(); formula neutralisation here, so
 * every CSV Epistle writes is safe to open in a spreadsheet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-csv-writer"

#include "config.h"

#include <string.h>
#include <csv.h>

#include "ep-csv-writer.h"

static gboolean
looks_like_formula (const char *cell)
{
  return cell[0] != '\0' && strchr ("=+-@\t\r", cell[0]) != NULL;
}

void
ep_csv_append_cell (GString    *out,
                    const char *cell,
                    gboolean    last)
{
  ep_csv_append_cell_sep (out, cell, ',', last);
}

void
ep_csv_append_cell_sep (GString    *out,
                        const char *cell,
                        char        separator,
                        gboolean    last)
{
  g_autofree char *safe = NULL;
  gsize len, room, old;

  g_return_if_fail (out != NULL);

  if (cell == NULL)
    cell = "";
  if (looks_like_formula (cell))
    cell = safe = g_strconcat ("'", cell, NULL);

  len = strlen (cell);
  room = len * 2 + 2;   /* every quote doubled, plus the two around */
  old = out->len;
  g_string_set_size (out, old + room);
  g_string_truncate (out, old + csv_write (out->str + old, room, cell, len));
  if (last)
    g_string_append (out, "\r\n");
  else
    g_string_append_c (out, separator);
}

void
ep_csv_append_row (GString            *out,
                   const char * const *cells,
                   gsize               n_cells)
{
  ep_csv_append_row_sep (out, cells, n_cells, ',');
}

void
ep_csv_append_row_sep (GString            *out,
                       const char * const *cells,
                       gsize               n_cells,
                       char                separator)
{
  g_return_if_fail (out != NULL);

  if (n_cells == 0)
    {
      g_string_append (out, "\r\n");
      return;
    }
  for (gsize i = 0; i < n_cells; i++)
    ep_csv_append_cell_sep (out, cells ? cells[i] : NULL, separator, i + 1 == n_cells);
}
