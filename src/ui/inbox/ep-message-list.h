/* ep-message-list.h: the message list of a folder, over the inbox cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <epistle-core.h>

G_BEGIN_DECLS

/* One message of the list: what a row shows, updated in place. */
#define EP_TYPE_MESSAGE_ITEM (ep_message_item_get_type ())
G_DECLARE_FINAL_TYPE (EpMessageItem, ep_message_item, EP, MESSAGE_ITEM, GObject)

gint64                ep_message_item_get_id      (EpMessageItem *self);
const EpInboxSummary *ep_message_item_get_summary (EpMessageItem *self);

/* A GListModel of EpMessageItem, newest first. Holds only the ids of the
 * folder's messages; an item is read from the store when a row first
 * asks for it, so a folder of 100,000 messages costs 800 KB of ids and
 * as many items as were on screen. */
#define EP_TYPE_MESSAGE_LIST (ep_message_list_get_type ())
G_DECLARE_FINAL_TYPE (EpMessageList, ep_message_list, EP, MESSAGE_LIST, GObject)

EpMessageList *ep_message_list_new        (EpStore       *store);
/* Shows @folder_id (0: nothing), only messages matching @search (or all). */
void           ep_message_list_set_folder (EpMessageList *self,
                                           gint64         folder_id,
                                           const char    *search);
gint64         ep_message_list_get_folder (EpMessageList *self);
/* Reads the folder again: rows that stayed keep their place and update
 * (read, flagged); new and removed ones are one change. */
void           ep_message_list_reload     (EpMessageList *self);
/* The position of message @id, or G_MAXUINT. */
guint          ep_message_list_find       (EpMessageList *self,
                                           gint64         id);

G_END_DECLS
