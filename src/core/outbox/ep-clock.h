/* ep-clock.h: the wall clock the scheduler wakes on, behind an interface
 * so that tests can drive it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

#define EP_TYPE_CLOCK (ep_clock_get_type ())

G_DECLARE_INTERFACE (EpClock, ep_clock, EP, CLOCK, GObject)

/* Signal "wake" (no arguments, G_SIGNAL_RUN_LAST): the armed time has
 * come, OR the wall clock was set (a jump either way), OR the machine
 * resumed from sleep. Listeners re-read now() and re-scan; arming again
 * is their job. Emitted in the main context the clock was created in. */
struct _EpClockInterface
{
  GTypeInterface parent_iface;

  /* Wall clock, unix seconds (UTC). */
  gint64 (*now)     (EpClock *self);
  /* Unix seconds; 0 = no alarm. */
  void   (*wake_at) (EpClock *self,
                     gint64   when);
};

gint64 ep_clock_now       (EpClock *self);
void   ep_clock_wake_at   (EpClock *self,
                           gint64   when);
/* For implementations. */
void   ep_clock_emit_wake (EpClock *self);

G_END_DECLS
