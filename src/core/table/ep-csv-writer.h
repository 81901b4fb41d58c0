/* ep-csv-writer.h: the one CSV writer (results export, `epistle-cli table`)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Appends one CSV record (RFC 4180: quoted where needed, CRLF at the end)
 * of @n_cells cells to @out. A cell that a spreadsheet would run as a
 * formula (it starts with = + - @ TAB or CR) is prefixed with an
 * apostrophe, so opening the file never runs data as a formula. NULL
 * cells are empty. */
void ep_csv_append_row (GString           *out,
                        const char * const *cells,
                        gsize               n_cells);

/* The same with @separator (";" for a spreadsheet whose locale writes
 * decimal commas) between the cells. */
void ep_csv_append_row_sep (GString            *out,
                            const char * const *cells,
                            gsize               n_cells,
                            char                separator);

/* One cell, with "," (or @separator) after it or CRLF when @last. */
void ep_csv_append_cell (GString    *out,
                         const char *cell,
                         gboolean    last);
void ep_csv_append_cell_sep (GString    *out,
                             const char *cell,
                             char        separator,
                             gboolean    last);

G_END_DECLS
