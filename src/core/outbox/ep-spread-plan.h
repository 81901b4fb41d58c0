/* ep-spread-plan.h: how many messages of a spread campaign go on which day
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

#include "ep-send-window.h"

G_BEGIN_DECLS

/* One local calendar day of a plan. */
typedef struct
{
  gint64 first;   /* unix time of its first message */
  guint  count;
} EpSpreadDay;

/* Plans @n messages from @start under the same rules the campaign runner
 * keeps: at most @daily_limit (0 = none) in any 24 hours from the account,
 * counting @recent (unix times of its messages already sent, ascending;
 * may be NULL), at most @rate per minute (0 = unpaced), only inside
 * @window (NULL = any time). Returns EpSpreadDay, oldest first, days in
 * @zone (NULL = local). */
GArray *ep_spread_plan_compute  (guint               n,
                                 guint               daily_limit,
                                 guint               rate,
                                 gint64              start,
                                 const EpSendWindow *window,
                                 GTimeZone          *zone,
                                 GArray             *recent);
/* "Wed 2 Dec, 22:40: 50 · Thu 3 Dec, 22:40: 50 · Fri 4 Dec, 22:40: 20",
 * one day per line when @lines. */
char   *ep_spread_plan_describe (GArray             *plan,
                                 GTimeZone          *zone,
                                 gboolean            lines);

G_END_DECLS
