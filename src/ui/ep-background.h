/* ep-background.h: scheduled mail while no window is open
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_BACKGROUND (ep_background_get_type ())

G_DECLARE_FINAL_TYPE (EpBackground, ep_background, EP, BACKGROUND, GObject)

/* Runs the scheduler of @outbox for @app: holds @app while anything is
 * scheduled (unless the "run-in-background" setting is off), keeps an
 * XDG autostart entry (outside Flatpak) so Epistle starts at login while
 * there is, says once in a notification that it keeps running when the
 * last window closes, and says which scheduled items went late. */
EpBackground *ep_background_new           (GApplication *app,
                                           EpOutbox     *outbox);
EpScheduler  *ep_background_get_scheduler (EpBackground *self);
/* TRUE while it keeps the application for scheduled mail. */
gboolean      ep_background_is_holding    (EpBackground *self);
/* The last window is about to close. */
void          ep_background_window_closed (EpBackground *self);
/* The autostart entry's path, whether or not it exists. */
char         *ep_background_autostart_path (void);

G_END_DECLS
