/* ep-table-model.h: the rows of an EpTable as a GListModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_ROW_ITEM (ep_row_item_get_type ())

G_DECLARE_FINAL_TYPE (EpRowItem, ep_row_item, EP, ROW_ITEM, GObject)

#define EP_TYPE_TABLE_MODEL (ep_table_model_get_type ())

G_DECLARE_FINAL_TYPE (EpTableModel, ep_table_model, EP, TABLE_MODEL, GObject)

/* The row's index into the table. */
guint         ep_row_item_get_index  (EpRowItem    *self);

EpTableModel *ep_table_model_new       (EpTable      *table);
EpTable      *ep_table_model_get_table (EpTableModel *self);

G_END_DECLS
