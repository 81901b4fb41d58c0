/* ep-send-window.h: the hours and days a spread campaign may send in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define EP_SEND_WINDOW_WEEKDAYS 0x1f   /* Monday to Friday */
#define EP_SEND_WINDOW_ALL_DAYS 0x7f

/* Local wall times, in the zone the times are shown in. */
typedef struct
{
  guint days;    /* bit 0 = Monday … bit 6 = Sunday; 0 = every day */
  int   start;   /* minutes after local midnight; -1 = no hours (all day) */
  int   end;     /* minutes after local midnight, after start, at most 1440 */
} EpSendWindow;

#define EP_SEND_WINDOW_NONE ((EpSendWindow) { 0, -1, -1 })

/* Whether it restricts anything (some hours, or not every day). */
gboolean ep_send_window_is_set    (const EpSendWindow *window);
/* "08:00-18:00" (also with an en dash, or "8-18"): sets start and end of
 * @window, leaves its days. */
gboolean ep_send_window_parse_hours (const char    *text,
                                     EpSendWindow  *window,
                                     GError       **error);
/* The first instant at or after @t inside @window in @zone (NULL = local):
 * @t itself when it is inside. A window that opens at a local time the
 * clocks skip opens when they have gone forward. */
gint64   ep_send_window_next_open (const EpSendWindow *window,
                                   GTimeZone          *zone,
                                   gint64              t);
gboolean ep_send_window_contains  (const EpSendWindow *window,
                                   GTimeZone          *zone,
                                   gint64              t);
/* "weekdays, 08:00–18:00", "every day, 09:00–17:00", "weekdays". */
char    *ep_send_window_describe  (const EpSendWindow *window);

G_END_DECLS
