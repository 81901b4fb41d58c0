/* ep-message-list.c: the message list of a folder, over the inbox cache
 *
 * The ids are read at once (one indexed query); summaries are read by
 * primary key when a row asks, on the main thread: a lookup in the
 * cached database costs microseconds, far below a frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-message-list"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-message-list.h"

/* ---- EpMessageItem ---- */

struct _EpMessageItem
{
  GObject         parent_instance;
  EpInboxSummary *summary;
  char           *date_text;
};

G_DEFINE_FINAL_TYPE (EpMessageItem, ep_message_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_SUBJECT,
  ITEM_PROP_SENDER,
  ITEM_PROP_DATE_TEXT,
  ITEM_PROP_UNREAD,
  ITEM_PROP_FLAGGED,
  ITEM_PROP_ENCRYPTED,
  ITEM_PROP_ATTACHMENTS,
  ITEM_N_PROPS
};

static GParamSpec *item_props[ITEM_N_PROPS];

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (unix_time);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (date == NULL || unix_time == 0)
    return g_strdup ("");
  if (g_date_time_get_year (date) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (date) == g_date_time_get_day_of_year (now))
    /* Translators: the time of a message received today */
    return g_date_time_format (date, _("%H:%M"));
  if (g_date_time_get_year (date) == g_date_time_get_year (now))
    /* Translators: the date of a message received this year */
    return g_date_time_format (date, _("%e %b"));
  /* Translators: the date of an older message */
  return g_date_time_format (date, _("%e %b %Y"));
}

static void
ep_message_item_finalize (GObject *object)
{
  EpMessageItem *self = EP_MESSAGE_ITEM (object);

  ep_inbox_summary_free (self->summary);
  g_free (self->date_text);
  G_OBJECT_CLASS (ep_message_item_parent_class)->finalize (object);
}

static void
ep_message_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EpMessageItem *self = EP_MESSAGE_ITEM (object);
  const EpInboxSummary *s = self->summary;

  switch (prop_id)
    {
    case ITEM_PROP_SUBJECT:
      g_value_set_string (value, s->subject && *s->subject ? s->subject : _("(No subject)"));
      break;
    case ITEM_PROP_SENDER:
      g_value_set_string (value, s->from_name && *s->from_name ? s->from_name
                                 : s->from_address ? s->from_address : _("Unknown sender"));
      break;
    case ITEM_PROP_DATE_TEXT:
      g_value_set_string (value, self->date_text);
      break;
    case ITEM_PROP_UNREAD:
      g_value_set_boolean (value, !(s->state & EP_INBOX_SEEN));
      break;
    case ITEM_PROP_FLAGGED:
      g_value_set_boolean (value, (s->state & EP_INBOX_FLAGGED) != 0);
      break;
    case ITEM_PROP_ENCRYPTED:
      g_value_set_boolean (value, s->encrypted);
      break;
    case ITEM_PROP_ATTACHMENTS:
      g_value_set_boolean (value, s->has_attachments);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_message_item_class_init (EpMessageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ep_message_item_finalize;
  object_class->get_property = ep_message_item_get_property;

  item_props[ITEM_PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_props[ITEM_PROP_SENDER] = g_param_spec_string ("sender", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_props[ITEM_PROP_DATE_TEXT] = g_param_spec_string ("date-text", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_props[ITEM_PROP_UNREAD] = g_param_spec_boolean ("unread", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_props[ITEM_PROP_FLAGGED] = g_param_spec_boolean ("flagged", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_props[ITEM_PROP_ENCRYPTED] = g_param_spec_boolean ("encrypted", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_props[ITEM_PROP_ATTACHMENTS] = g_param_spec_boolean ("attachments", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_props);
}

static void
ep_message_item_init (EpMessageItem *self)
{
}

static EpMessageItem *
ep_message_item_new (EpInboxSummary *summary)
{
  EpMessageItem *self = g_object_new (EP_TYPE_MESSAGE_ITEM, NULL);

  self->summary = summary;
  self->date_text = format_date (summary->date);
  return self;
}

/* Takes @summary; says what changed. */
static void
ep_message_item_update (EpMessageItem  *self,
                        EpInboxSummary *summary)
{
  EpInboxFlags old = self->summary->state;

  ep_inbox_summary_free (self->summary);
  self->summary = summary;
  if ((old ^ summary->state) & EP_INBOX_SEEN)
    g_object_notify_by_pspec (G_OBJECT (self), item_props[ITEM_PROP_UNREAD]);
  if ((old ^ summary->state) & EP_INBOX_FLAGGED)
    g_object_notify_by_pspec (G_OBJECT (self), item_props[ITEM_PROP_FLAGGED]);
}

gint64
ep_message_item_get_id (EpMessageItem *self)
{
  g_return_val_if_fail (EP_IS_MESSAGE_ITEM (self), 0);
  return self->summary->id;
}

const EpInboxSummary *
ep_message_item_get_summary (EpMessageItem *self)
{
  g_return_val_if_fail (EP_IS_MESSAGE_ITEM (self), NULL);
  return self->summary;
}

/* ---- EpMessageList ---- */

struct _EpMessageList
{
  GObject     parent_instance;
  EpStore    *store;
  gint64      folder_id;
  char       *search;
  GArray     *ids;      /* gint64 */
  GPtrArray  *items;    /* EpMessageItem or NULL (not read yet), parallel to ids */
};

static void ep_message_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EpMessageList, ep_message_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ep_message_list_model_init))

static GType
get_item_type (GListModel *model)
{
  return EP_TYPE_MESSAGE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return EP_MESSAGE_LIST (model)->ids->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  EpMessageList *self = EP_MESSAGE_LIST (model);
  EpMessageItem *item;

  if (position >= self->ids->len)
    return NULL;
  item = g_ptr_array_index (self->items, position);
  if (item == NULL)
    {
      g_autoptr(GError) error = NULL;
      EpInboxSummary *summary = ep_store_inbox_lookup (self->store,
                                                       g_array_index (self->ids, gint64, position),
                                                       &error);

      if (summary == NULL)
        {
          /* Gone since the list was read: shown empty until the reload. */
          g_debug ("Message list: %s", error->message);
          summary = ep_inbox_summary_new ();
          summary->id = g_array_index (self->ids, gint64, position);
          summary->state = EP_INBOX_SEEN;
        }
      item = ep_message_item_new (summary);
      g_ptr_array_index (self->items, position) = item;
    }
  return g_object_ref (item);
}

static void
ep_message_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
ep_message_list_finalize (GObject *object)
{
  EpMessageList *self = EP_MESSAGE_LIST (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->ids, g_array_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_free (self->search);
  G_OBJECT_CLASS (ep_message_list_parent_class)->finalize (object);
}

static void
ep_message_list_class_init (EpMessageListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_message_list_finalize;
}

static void
clear_item (gpointer item)
{
  if (item != NULL)
    g_object_unref (item);
}

static void
ep_message_list_init (EpMessageList *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->items = g_ptr_array_new_with_free_func (clear_item);
}

EpMessageList *
ep_message_list_new (EpStore *store)
{
  EpMessageList *self = g_object_new (EP_TYPE_MESSAGE_LIST, NULL);

  self->store = g_object_ref (store);
  return self;
}

static GArray *
read_ids (EpMessageList *self)
{
  g_autoptr(GError) error = NULL;
  GArray *ids;

  if (self->folder_id == 0)
    return g_array_new (FALSE, FALSE, sizeof (gint64));
  ids = ep_store_inbox_list (self->store, self->folder_id, self->search, &error);
  if (ids == NULL)
    {
      g_warning ("Could not read the message list: %s", error->message);
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  return ids;
}

void
ep_message_list_reload (EpMessageList *self)
{
  g_autoptr(GArray) ids = NULL;
  guint old_len, new_len, prefix = 0, suffix = 0;

  g_return_if_fail (EP_IS_MESSAGE_LIST (self));

  ids = read_ids (self);
  old_len = self->ids->len;
  new_len = ids->len;

  /* New mail comes on top and a deleted message is one gap: what stayed
   * before and after the change keeps its rows (and selection). */
  while (prefix < old_len && prefix < new_len &&
         g_array_index (self->ids, gint64, prefix) == g_array_index (ids, gint64, prefix))
    prefix++;
  while (suffix < old_len - prefix && suffix < new_len - prefix &&
         g_array_index (self->ids, gint64, old_len - 1 - suffix) ==
         g_array_index (ids, gint64, new_len - 1 - suffix))
    suffix++;

  /* Rows that stay: flags may have changed. */
  for (guint i = 0; i < old_len; i++)
    {
      EpMessageItem *item = g_ptr_array_index (self->items, i);
      EpInboxSummary *summary;

      if (item == NULL || (i >= prefix && i < old_len - suffix))
        continue;
      summary = ep_store_inbox_lookup (self->store, item->summary->id, NULL);
      if (summary != NULL)
        ep_message_item_update (item, summary);
    }

  /* Items of the changed range that are still listed are kept (their
   * objects, so a selection of one survives the change). */
  {
    g_autoptr(GHashTable) kept = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);

    for (guint i = prefix; i < old_len - suffix; i++)
      {
        EpMessageItem *item = g_ptr_array_index (self->items, i);

        if (item != NULL)
          g_hash_table_insert (kept, &item->summary->id, g_object_ref (item));
      }
    g_array_remove_range (self->ids, prefix, old_len - prefix - suffix);
    g_array_insert_vals (self->ids, prefix, &g_array_index (ids, gint64, prefix),
                         new_len - prefix - suffix);
    g_ptr_array_remove_range (self->items, prefix, old_len - prefix - suffix);
    for (guint i = 0; i < new_len - prefix - suffix; i++)
      {
        gint64 id = g_array_index (self->ids, gint64, prefix + i);
        EpMessageItem *item = g_hash_table_lookup (kept, &id);
        EpInboxSummary *summary;

        if (item != NULL && (summary = ep_store_inbox_lookup (self->store, id, NULL)) != NULL)
          ep_message_item_update (item, summary);
        g_ptr_array_insert (self->items, prefix + i, item ? g_object_ref (item) : NULL);
      }
  }

  if (old_len - prefix - suffix > 0 || new_len - prefix - suffix > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, old_len - prefix - suffix,
                                new_len - prefix - suffix);
}

void
ep_message_list_set_folder (EpMessageList *self,
                            gint64         folder_id,
                            const char    *search)
{
  guint old_len;

  g_return_if_fail (EP_IS_MESSAGE_LIST (self));

  if (search != NULL && *search == '\0')
    search = NULL;
  if (self->folder_id == folder_id && g_strcmp0 (self->search, search) == 0)
    {
      ep_message_list_reload (self);
      return;
    }

  old_len = self->ids->len;
  self->folder_id = folder_id;
  g_free (self->search);
  self->search = g_strdup (search);
  g_array_unref (self->ids);
  self->ids = read_ids (self);
  g_ptr_array_set_size (self->items, 0);
  g_ptr_array_set_size (self->items, self->ids->len);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->ids->len);
}

gint64
ep_message_list_get_folder (EpMessageList *self)
{
  g_return_val_if_fail (EP_IS_MESSAGE_LIST (self), 0);
  return self->folder_id;
}

guint
ep_message_list_find (EpMessageList *self,
                      gint64         id)
{
  g_return_val_if_fail (EP_IS_MESSAGE_LIST (self), G_MAXUINT);

  for (guint i = 0; i < self->ids->len; i++)
    if (g_array_index (self->ids, gint64, i) == id)
      return i;
  return G_MAXUINT;
}
