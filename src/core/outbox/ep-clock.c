/* ep-clock.c: the wall clock the scheduler wakes on
 *
 * An alarm is one absolute wall-clock time, not an interval: a machine
 * that sleeps through it, or whose clock is set, still wakes the
 * scheduler, which then looks at what is due (DESIGN.md, Scheduling).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-clock"

#include "config.h"

#include "ep-clock.h"

enum {
  WAKE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (EpClock, ep_clock, G_TYPE_OBJECT)

static void
ep_clock_default_init (EpClockInterface *iface)
{
  signals[WAKE] = g_signal_new ("wake",
                                G_TYPE_FROM_INTERFACE (iface),
                                G_SIGNAL_RUN_LAST,
                                0,
                                NULL, NULL,
                                NULL,
                                G_TYPE_NONE, 0);
}

gint64
ep_clock_now (EpClock *self)
{
  EpClockInterface *iface;

  g_return_val_if_fail (EP_IS_CLOCK (self), 0);

  iface = EP_CLOCK_GET_IFACE (self);
  g_return_val_if_fail (iface->now != NULL, 0);

  return iface->now (self);
}

void
ep_clock_wake_at (EpClock *self,
                  gint64   when)
{
  EpClockInterface *iface;

  g_return_if_fail (EP_IS_CLOCK (self));
  g_return_if_fail (when >= 0);

  iface = EP_CLOCK_GET_IFACE (self);
  g_return_if_fail (iface->wake_at != NULL);

  iface->wake_at (self, when);
}

void
ep_clock_emit_wake (EpClock *self)
{
  g_return_if_fail (EP_IS_CLOCK (self));

  g_signal_emit (self, signals[WAKE], 0);
}
