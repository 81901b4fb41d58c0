/* ep-message-view.h: the reading pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MESSAGE_VIEW (ep_message_view_get_type ())

G_DECLARE_FINAL_TYPE (EpMessageView, ep_message_view, EP, MESSAGE_VIEW, AdwBin)

EpMessageView *ep_message_view_new         (EpContext     *context);
/* Shows message @id of the cache (0: none), fetching it if needed. */
void           ep_message_view_show        (EpMessageView *self,
                                            gint64         id);
gint64         ep_message_view_get_id      (EpMessageView *self);
/* What is shown, or NULL (nothing yet, or it could not be opened). */
EpReadMessage *ep_message_view_get_message (EpMessageView *self);
/* The password that opened the shown password mail (for a reply), or NULL. */
const char    *ep_message_view_get_password (EpMessageView *self);

G_END_DECLS
