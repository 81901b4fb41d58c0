/* ep-inbox-page.h: the Inbox pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_INBOX_PAGE (ep_inbox_page_get_type ())

G_DECLARE_FINAL_TYPE (EpInboxPage, ep_inbox_page, EP, INBOX_PAGE, GtkWidget)

/* Signals: "compose-requested" (EpDraft *: a reply or forward to open in
 * Compose). Property "unread": unread messages in the Inbox folders. */
EpInboxPage *ep_inbox_page_new        (EpContext   *context);
/* The accounts changed: folders and watching follow. */
void         ep_inbox_page_set_accounts (EpInboxPage *self,
                                         GPtrArray   *accounts);
guint        ep_inbox_page_get_unread (EpInboxPage *self);

G_END_DECLS
