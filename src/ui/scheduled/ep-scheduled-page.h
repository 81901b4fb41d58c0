/* ep-scheduled-page.h: the Scheduled pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_SCHEDULED_PAGE (ep_scheduled_page_get_type ())

G_DECLARE_FINAL_TYPE (EpScheduledPage, ep_scheduled_page, EP, SCHEDULED_PAGE, GtkWidget)

/* Lists what waits for its time in @context's outbox, with Send Now,
 * Reschedule and Cancel, and the scheduled items sent lately with their
 * lateness. */
EpScheduledPage *ep_scheduled_page_new          (EpContext       *context);
/* EpAccount: to name each item's account. */
void             ep_scheduled_page_set_accounts (EpScheduledPage *self,
                                                 GPtrArray       *accounts);
void             ep_scheduled_page_reload       (EpScheduledPage *self);

G_END_DECLS
