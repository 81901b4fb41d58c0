/* ep-scheduler.h: starts scheduled outbox entries when they are due
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "outbox/ep-clock.h"
#include "outbox/ep-outbox.h"

G_BEGIN_DECLS

#define EP_TYPE_SCHEDULER (ep_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (EpScheduler, ep_scheduler, EP, SCHEDULER, GObject)

/* Watches @outbox's scheduled entries (ready, with a not-before time) and
 * starts each when @clock says it is due, or at once if it came due while
 * nothing was running (catch-up). Due entries wait while @monitor (NULL:
 * the default one) says there is no network, instead of spending their
 * retries. It looks again on the clock's "wake" (its alarm, a clock
 * change, a resume from sleep), on the outbox's "changed", when the
 * network comes back, and at least every few minutes (another process,
 * epistle-cli, may have scheduled something). */
EpScheduler *ep_scheduler_new           (EpOutbox        *outbox,
                                         EpClock         *clock,
                                         GNetworkMonitor *monitor);
/* The first look; until then nothing is started. */
void         ep_scheduler_start         (EpScheduler     *self);
void         ep_scheduler_rescan        (EpScheduler     *self);
/* Entries waiting for their time (property "n-waiting"): while there are
 * any, a front end keeps running. Known after the first scan. */
guint        ep_scheduler_get_n_waiting (EpScheduler     *self);
/* The earliest time among them, or 0. */
gint64       ep_scheduler_get_next_due  (EpScheduler     *self);

/* Catch-up: an entry found due @late_after seconds or more after its time
 * (it came due while nothing ran, or the machine slept) is held back for
 * the person to send or reschedule, instead of going at once; 0 (the
 * default) sends it at once. */
void         ep_scheduler_set_hold_late (EpScheduler     *self,
                                         gint64           late_after);

/* Signal "started" (EpOutboxTask *task, gint64 lateness): a scheduled
 * entry was started, @lateness seconds after its time (0 when on time or
 * early).
 * Signal "held" (const char *name, gint64 lateness): an entry that was
 * late was held back (ep_scheduler_set_hold_late ()). */

G_END_DECLS
