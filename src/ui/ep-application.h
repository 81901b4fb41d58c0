/* ep-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_APPLICATION (ep_application_get_type ())

G_DECLARE_FINAL_TYPE (EpApplication, ep_application, EP, APPLICATION, AdwApplication)

EpApplication *ep_application_new         (void);
EpContext     *ep_application_get_context (EpApplication *self);

/* The campaign being sent, or a new task for it; lives as long as the
 * application, so a campaign goes on when its window closes. */
EpOutboxTask           *ep_application_get_campaign      (EpApplication *self,
                                                          gint64         id,
                                                          GError       **error);
gboolean                ep_application_is_campaign_running (EpApplication *self,
                                                          gint64         id);
/* Starts scheduled mail when it is due (NULL without a store). */
EpScheduler            *ep_application_get_scheduler     (EpApplication *self);
/* A main window is closing: scheduled mail keeps the application running,
 * and it says so once. */
void                    ep_application_window_closed     (EpApplication *self);

G_END_DECLS
