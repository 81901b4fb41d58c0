/* ep-table-private.h: what the readers share with the row model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-table.h"

G_BEGIN_DECLS

/* No value a person types into a cell is this long; a longer one is a
 * damaged or hostile file. */
#define EP_TABLE_MAX_CELL (1024 * 1024)

void           _ep_table_set_source    (EpTable               *self,
                                        EpTableFormat          format,
                                        const char * const    *sheets,
                                        const char            *sheet,
                                        const char            *encoding,
                                        char                   delimiter);
GPtrArray     *_ep_table_clean_header  (GPtrArray             *raw,
                                        GPtrArray             *warnings);
EpTableFormat  _ep_table_sniff_zip     (const char            *path);

EpTable       *_ep_table_read_csv      (const char            *path,
                                        const EpTableOptions  *options,
                                        GCancellable          *cancellable,
                                        GError               **error);
EpTable       *_ep_table_read_xlsx     (const char            *path,
                                        const EpTableOptions  *options,
                                        GCancellable          *cancellable,
                                        GError               **error);
EpTable       *_ep_table_read_ods      (const char            *path,
                                        const EpTableOptions  *options,
                                        GCancellable          *cancellable,
                                        GError               **error);

G_END_DECLS
