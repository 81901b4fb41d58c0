/* ep-schedule-time.h: send times as people and scripts write them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define EP_SCHEDULE_TIME_ERROR (ep_schedule_time_error_quark ())

typedef enum
{
  EP_SCHEDULE_TIME_ERROR_INVALID,      /* not a date and time */
  EP_SCHEDULE_TIME_ERROR_NONEXISTENT,  /* skipped when the clocks go forward */
  EP_SCHEDULE_TIME_ERROR_AMBIGUOUS,    /* happens twice when the clocks go back */
} EpScheduleTimeError;

GQuark   ep_schedule_time_error_quark       (void);

/* ISO 8601 "2026-12-24T08:00" or "2026-12-24 08:00", optional ":SS",
 * optional offset ("+01:00", "-0500", "Z"). Without an offset it is a
 * local time in @zone (NULL = local). A local time that does not exist or
 * happens twice is refused (the message names the time and, when it is
 * ambiguous, the two offsets to choose from): never shifted silently. */
gboolean ep_schedule_time_parse             (const char  *text,
                                             GTimeZone   *zone,
                                             gint64      *unix_time,
                                             GError     **error);
/* The same for a local wall time given as fields (a date/time picker). */
gboolean ep_schedule_time_from_local        (GTimeZone   *zone,
                                             int          year,
                                             int          month,
                                             int          day,
                                             int          hour,
                                             int          minute,
                                             gint64      *unix_time,
                                             GError     **error);
/* "Thu 24 Dec 2026, 08:00 CET": local time in @zone (NULL = local). */
char    *ep_schedule_time_format            (gint64       unix_time,
                                             GTimeZone   *zone);
/* "5 min late", "2 h 10 min late", "on time" (under 60 s). */
char    *ep_schedule_time_describe_lateness (gint64       scheduled,
                                             gint64       actual);

G_END_DECLS
