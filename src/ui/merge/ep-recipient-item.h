/* ep-recipient-item.h: a recipient of the campaign being sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_RECIPIENT_ITEM (ep_recipient_item_get_type ())

G_DECLARE_FINAL_TYPE (EpRecipientItem, ep_recipient_item, EP, RECIPIENT_ITEM, GObject)

EpRecipientItem *ep_recipient_item_new            (guint            row_number,
                                                   const char      *address,
                                                   EpRecipientState  state,
                                                   const char      *reply);
guint            ep_recipient_item_get_row_number (EpRecipientItem *self);
const char      *ep_recipient_item_get_address    (EpRecipientItem *self);
EpRecipientState  ep_recipient_item_get_state      (EpRecipientItem *self);
const char      *ep_recipient_item_get_reply      (EpRecipientItem *self);
/* Sent, then came back (a bounce): failed after all. */
gboolean         ep_recipient_item_get_bounced    (EpRecipientItem *self);
void             ep_recipient_item_set_bounced    (EpRecipientItem *self,
                                                   gboolean         bounced);
/* In flight when a run stopped, so sent again: maybe received twice. */
gboolean         ep_recipient_item_get_resent     (EpRecipientItem *self);
void             ep_recipient_item_set_resent     (EpRecipientItem *self,
                                                   gboolean         resent);
/* Notifies "state". */
void             ep_recipient_item_update         (EpRecipientItem *self,
                                                   EpRecipientState  state,
                                                   const char      *reply);

G_END_DECLS
