/* ep-table-model.c: the rows of an EpTable as a GListModel
 *
 * All rows of a table, without an object per row kept around: 100,000
 * rows cost nothing until they scroll into view. Each EpRowItem is made
 * on demand and only knows its index.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table-model"

#include "config.h"

#include "ep-table-model.h"

struct _EpRowItem
{
  GObject parent_instance;
  guint   index;
};

struct _EpTableModel
{
  GObject  parent_instance;
  EpTable *table;
};

static void ep_table_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE (EpRowItem, ep_row_item, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE_WITH_CODE (EpTableModel, ep_table_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ep_table_model_list_model_init))

static void
ep_row_item_class_init (EpRowItemClass *klass)
{
}

static void
ep_row_item_init (EpRowItem *self)
{
}

guint
ep_row_item_get_index (EpRowItem *self)
{
  g_return_val_if_fail (EP_IS_ROW_ITEM (self), 0);
  return self->index;
}

static GType
ep_table_model_get_item_type (GListModel *model)
{
  return EP_TYPE_ROW_ITEM;
}

static guint
ep_table_model_get_n_items (GListModel *model)
{
  return ep_table_get_n_rows (EP_TABLE_MODEL (model)->table);
}

static gpointer
ep_table_model_get_item (GListModel *model,
                         guint       position)
{
  EpRowItem *item;

  if (position >= ep_table_get_n_rows (EP_TABLE_MODEL (model)->table))
    return NULL;

  item = g_object_new (EP_TYPE_ROW_ITEM, NULL);
  item->index = position;
  return item;
}

static void
ep_table_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ep_table_model_get_item_type;
  iface->get_n_items = ep_table_model_get_n_items;
  iface->get_item = ep_table_model_get_item;
}

static void
ep_table_model_finalize (GObject *object)
{
  g_clear_pointer (&EP_TABLE_MODEL (object)->table, ep_table_unref);
  G_OBJECT_CLASS (ep_table_model_parent_class)->finalize (object);
}

static void
ep_table_model_class_init (EpTableModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_table_model_finalize;
}

static void
ep_table_model_init (EpTableModel *self)
{
}

EpTableModel *
ep_table_model_new (EpTable *table)
{
  EpTableModel *self;

  g_return_val_if_fail (table != NULL, NULL);

  self = g_object_new (EP_TYPE_TABLE_MODEL, NULL);
  self->table = ep_table_ref (table);
  return self;
}

EpTable *
ep_table_model_get_table (EpTableModel *self)
{
  g_return_val_if_fail (EP_IS_TABLE_MODEL (self), NULL);
  return self->table;
}
