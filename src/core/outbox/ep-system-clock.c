/* ep-system-clock.c: the real wall clock
 *
 * The alarm is a timerfd on CLOCK_REALTIME armed at an absolute time with
 * TFD_TIMER_CANCEL_ON_SET, so it fires at the wall-clock time however
 * long the machine slept, and a read fails with ECANCELED when the clock
 * is set; either way "wake" is emitted. With no alarm the timer stays
 * armed at a far-future time, so that clock changes are still noticed.
 * logind's PrepareForSleep(false) (resumed) also emits "wake".
 *
 * Without timerfd (it cannot fail on Linux short of running out of file
 * descriptors) a 30 s timeout re-checks the clock instead: it notices
 * the alarm, and a jump of the wall clock against the monotonic clock
 * (set, or slept), at most 30 s late.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-system-clock"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "ep-system-clock.h"

#define FALLBACK_INTERVAL 30          /* s */
#define FALLBACK_SLACK    (5 * G_USEC_PER_SEC)
/* 9999-12-31T23:59:59Z: "never", while still noticing clock changes. */
#define FAR_FUTURE        G_GINT64_CONSTANT (253402300799)

struct _EpSystemClock
{
  GObject           parent_instance;

  GMainContext     *main_context;
  GSource          *source;         /* timerfd watch, or the fallback timeout */
  GDBusConnection  *system_bus;
  GCancellable     *cancellable;    /* getting the system bus */
  int               fd;             /* timerfd, -1 in the fallback */
  guint             sleep_id;       /* PrepareForSleep subscription */
  gint64            when;           /* armed time, 0 = none */
  gint64            last_real;      /* fallback: clocks at the last check */
  gint64            last_monotonic;
};

static void   ep_system_clock_iface_init (EpClockInterface *iface);
static gint64 ep_system_clock_now        (EpClock          *clock);

G_DEFINE_FINAL_TYPE_WITH_CODE (EpSystemClock, ep_system_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EP_TYPE_CLOCK, ep_system_clock_iface_init))

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

static void
weak_ref_free (gpointer data)
{
  GWeakRef *ref = data;

  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
arm_timer (EpSystemClock *self)
{
  struct itimerspec spec;

  g_assert (self->fd >= 0);

  memset (&spec, 0, sizeof spec);
  spec.it_value.tv_sec = (time_t) (self->when > 0 ? self->when : FAR_FUTURE);

  if (timerfd_settime (self->fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL) != 0)
    g_warning ("Could not arm the wake-up timer for %" G_GINT64_FORMAT ": %s",
               self->when, g_strerror (errno));
}

static gboolean
on_timerfd_ready_cb (int           fd,
                     GIOCondition  condition,
                     gpointer      user_data)
{
  EpSystemClock *self = EP_SYSTEM_CLOCK (user_data);
  guint64 expirations = 0;
  ssize_t n;

  n = read (fd, &expirations, sizeof expirations);
  if (n == (ssize_t) sizeof expirations)
    {
      /* The armed time has come; the alarm is spent. Re-arm far away
       * before emitting, so a listener that arms again is not undone. */
      g_debug ("Alarm at %" G_GINT64_FORMAT " fired", self->when);
      self->when = 0;
      arm_timer (self);
      ep_clock_emit_wake (EP_CLOCK (self));
    }
  else if (n < 0 && errno == ECANCELED)
    {
      /* The wall clock was set: the same alarm stands, unless the clock
       * went past it (one wake for both, not a second one at once). */
      g_debug ("The wall clock was set");
      if (self->when > 0 && ep_system_clock_now (EP_CLOCK (self)) >= self->when)
        self->when = 0;
      arm_timer (self);
      ep_clock_emit_wake (EP_CLOCK (self));
    }
  else if (n < 0 && errno != EAGAIN && errno != EINTR)
    {
      g_warning ("Could not read the wake-up timer: %s", g_strerror (errno));
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_fallback_tick_cb (gpointer user_data)
{
  EpSystemClock *self = EP_SYSTEM_CLOCK (user_data);
  gint64 real = g_get_real_time ();
  gint64 monotonic = g_get_monotonic_time ();
  gint64 drift = (real - self->last_real) - (monotonic - self->last_monotonic);
  gboolean wake = FALSE;

  self->last_real = real;
  self->last_monotonic = monotonic;

  if (drift > FALLBACK_SLACK || drift < -FALLBACK_SLACK)
    {
      g_debug ("The wall clock jumped by %" G_GINT64_FORMAT " s", drift / G_USEC_PER_SEC);
      wake = TRUE;
    }

  if (self->when > 0 && real / G_USEC_PER_SEC >= self->when)
    {
      self->when = 0;
      wake = TRUE;
    }

  if (wake)
    ep_clock_emit_wake (EP_CLOCK (self));

  return G_SOURCE_CONTINUE;
}

static void
on_prepare_for_sleep_cb (GDBusConnection *connection,
                         const char      *sender_name,
                         const char      *object_path,
                         const char      *interface_name,
                         const char      *signal_name,
                         GVariant        *parameters,
                         gpointer         user_data)
{
  g_autoptr(EpSystemClock) self = g_weak_ref_get (user_data);
  gboolean starting;

  if (self == NULL || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &starting);
  if (!starting)
    {
      g_debug ("Resumed from sleep");
      ep_clock_emit_wake (EP_CLOCK (self));
    }
}

static void
get_system_bus_cb (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);
  g_autoptr(EpSystemClock) self = g_weak_ref_get (user_data);

  weak_ref_free (user_data);

  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, so no wake-up on resume: %s", error->message);
      return;
    }
  if (self == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  self->system_bus = g_steal_pointer (&bus);
  /* Without logind nothing ever matches: resumes then go unnoticed but
   * for the timer, which fires late at worst by the time it took. */
  self->sleep_id = g_dbus_connection_signal_subscribe (self->system_bus,
                                                       "org.freedesktop.login1",
                                                       "org.freedesktop.login1.Manager",
                                                       "PrepareForSleep",
                                                       "/org/freedesktop/login1",
                                                       NULL,
                                                       G_DBUS_SIGNAL_FLAGS_NONE,
                                                       on_prepare_for_sleep_cb,
                                                       weak_ref_new (self),
                                                       weak_ref_free);
}

static gint64
ep_system_clock_now (EpClock *clock)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
ep_system_clock_wake_at (EpClock *clock,
                         gint64   when)
{
  EpSystemClock *self = EP_SYSTEM_CLOCK (clock);

  self->when = when;
  if (self->fd >= 0)
    arm_timer (self);
}

static void
ep_system_clock_iface_init (EpClockInterface *iface)
{
  iface->now = ep_system_clock_now;
  iface->wake_at = ep_system_clock_wake_at;
}

static void
ep_system_clock_dispose (GObject *object)
{
  EpSystemClock *self = EP_SYSTEM_CLOCK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->sleep_id != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_id);
      self->sleep_id = 0;
    }
  g_clear_object (&self->system_bus);

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }

  G_OBJECT_CLASS (ep_system_clock_parent_class)->dispose (object);
}

static void
ep_system_clock_finalize (GObject *object)
{
  EpSystemClock *self = EP_SYSTEM_CLOCK (object);

  g_clear_pointer (&self->main_context, g_main_context_unref);

  G_OBJECT_CLASS (ep_system_clock_parent_class)->finalize (object);
}

static void
ep_system_clock_class_init (EpSystemClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ep_system_clock_dispose;
  object_class->finalize = ep_system_clock_finalize;
}

static void
ep_system_clock_init (EpSystemClock *self)
{
  self->main_context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();

  self->fd = timerfd_create (CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
  if (self->fd >= 0)
    {
      arm_timer (self);
      self->source = g_unix_fd_source_new (self->fd, G_IO_IN);
      g_source_set_callback (self->source, G_SOURCE_FUNC (on_timerfd_ready_cb), self, NULL);
    }
  else
    {
      g_debug ("timerfd_create failed (%s): checking the clock every %d s instead",
               g_strerror (errno), FALLBACK_INTERVAL);
      self->last_real = g_get_real_time ();
      self->last_monotonic = g_get_monotonic_time ();
      self->source = g_timeout_source_new_seconds (FALLBACK_INTERVAL);
      g_source_set_callback (self->source, on_fallback_tick_cb, self, NULL);
    }
  g_source_set_static_name (self->source, "[epistle] wall clock");
  g_source_attach (self->source, self->main_context);

  /* Completes (and the subscription then delivers) in main_context. */
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, get_system_bus_cb, weak_ref_new (self));
}

EpClock *
ep_system_clock_new (void)
{
  return g_object_new (EP_TYPE_SYSTEM_CLOCK, NULL);
}
