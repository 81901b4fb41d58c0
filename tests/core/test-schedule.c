/* test-schedule.c: the scheduler's clock and its send times
 *
 * The clock part drives a fake EpClock (defined here) through the jumps
 * and resumes the real one reacts to, then arms the real EpSystemClock
 * once and has it hear logind (on a private bus). The time part parses, refuses and prints send times in fixed
 * zones (Europe/Berlin, America/New_York) and a fixed locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include <epistle-core.h>

/* 2026-06-01T12:00:00Z: an arbitrary "now" for the fake clock. */
#define T0 G_GINT64_CONSTANT (1780315200)

/* A clock the test sets by hand. Like the real one, it wakes when time
 * passes the alarm (which is then spent) and whenever it is set. */

#define FAKE_TYPE_CLOCK (fake_clock_get_type ())
G_DECLARE_FINAL_TYPE (FakeClock, fake_clock, FAKE, CLOCK, GObject)

struct _FakeClock
{
  GObject  parent_instance;

  gint64   now;
  gint64   alarm;       /* 0 = none */
  guint    n_armed;     /* wake_at() calls */
  guint    n_wakes;     /* "wake" emissions */
};

static void fake_clock_iface_init (EpClockInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeClock, fake_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EP_TYPE_CLOCK, fake_clock_iface_init))

static gint64
fake_clock_now (EpClock *clock)
{
  return FAKE_CLOCK (clock)->now;
}

static void
fake_clock_wake_at (EpClock *clock,
                    gint64   when)
{
  FakeClock *self = FAKE_CLOCK (clock);

  self->alarm = when;
  self->n_armed++;
}

static void
fake_clock_iface_init (EpClockInterface *iface)
{
  iface->now = fake_clock_now;
  iface->wake_at = fake_clock_wake_at;
}

static void
fake_clock_class_init (FakeClockClass *klass)
{
}

static void
fake_clock_init (FakeClock *self)
{
}

static FakeClock *
fake_clock_new (gint64 now)
{
  FakeClock *self = g_object_new (FAKE_TYPE_CLOCK, NULL);

  self->now = now;
  return self;
}

static void
fake_clock_emit (FakeClock *self)
{
  self->n_wakes++;
  ep_clock_emit_wake (EP_CLOCK (self));
}

/* Time passes normally: a wake only if the alarm comes. */
static void
fake_clock_advance (FakeClock *self,
                    gint64     seconds)
{
  self->now += seconds;
  if (self->alarm != 0 && self->now >= self->alarm)
    {
      self->alarm = 0;
      fake_clock_emit (self);
    }
}

/* The wall clock is set (either way): always a wake, the alarm is spent
 * if it has come. */
static void
fake_clock_set (FakeClock *self,
                gint64     now)
{
  self->now = now;
  if (self->alarm != 0 && self->now >= self->alarm)
    self->alarm = 0;
  fake_clock_emit (self);
}

/* The machine sleeps through @seconds: no timer runs. */
static void
fake_clock_sleep (FakeClock *self,
                  gint64     seconds)
{
  self->now += seconds;
}

/* A tiny scheduler: due times, sorted; on each wake it sends what is due
 * (recording when) and arms the clock for the next one. */
typedef struct
{
  EpClock *clock;
  GArray  *due;         /* gint64, ascending */
  GArray  *sent_due;    /* gint64: the due time of each one sent… */
  GArray  *sent_at;     /* gint64: …and the time it was sent */
} Listener;

static void
listener_rescan (Listener *listener)
{
  gint64 now = ep_clock_now (listener->clock);

  while (listener->due->len > 0 && g_array_index (listener->due, gint64, 0) <= now)
    {
      gint64 due = g_array_index (listener->due, gint64, 0);

      g_array_append_val (listener->sent_due, due);
      g_array_append_val (listener->sent_at, now);
      g_array_remove_index (listener->due, 0);
    }

  ep_clock_wake_at (listener->clock,
                    listener->due->len > 0 ? g_array_index (listener->due, gint64, 0) : 0);
}

static void
on_clock_wake_cb (EpClock  *clock,
                  Listener *listener)
{
  listener_rescan (listener);
}

static void
listener_init (Listener     *listener,
               EpClock      *clock,
               const gint64 *due,
               guint         n_due)
{
  listener->clock = clock;
  listener->due = g_array_new (FALSE, FALSE, sizeof (gint64));
  listener->sent_due = g_array_new (FALSE, FALSE, sizeof (gint64));
  listener->sent_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (listener->due, due, n_due);
  g_signal_connect (clock, "wake", G_CALLBACK (on_clock_wake_cb), listener);
  listener_rescan (listener);
}

static void
listener_clear (Listener *listener)
{
  g_signal_handlers_disconnect_by_data (listener->clock, listener);
  g_array_unref (listener->due);
  g_array_unref (listener->sent_due);
  g_array_unref (listener->sent_at);
}

static gint64
sent_at (Listener *listener,
         guint     i)
{
  g_assert_cmpuint (i, <, listener->sent_at->len);
  return g_array_index (listener->sent_at, gint64, i);
}

static void
test_clock_jump_forward (void)
{
  g_autoptr(FakeClock) clock = fake_clock_new (T0);
  const gint64 due[] = { T0 + 3600, T0 + 86400 };
  Listener listener;
  g_autofree char *late = NULL;

  listener_init (&listener, EP_CLOCK (clock), due, G_N_ELEMENTS (due));
  g_assert_cmpint (clock->alarm, ==, T0 + 3600);
  g_assert_cmpuint (listener.sent_at->len, ==, 0);

  /* Set two hours ahead: past the first alarm, not the second. */
  fake_clock_set (clock, T0 + 7200);
  g_assert_cmpuint (clock->n_wakes, ==, 1);
  g_assert_cmpuint (listener.sent_at->len, ==, 1);
  g_assert_cmpint (g_array_index (listener.sent_due, gint64, 0), ==, T0 + 3600);
  g_assert_cmpint (sent_at (&listener, 0), ==, T0 + 7200);
  g_assert_cmpint (clock->alarm, ==, T0 + 86400);

  late = ep_schedule_time_describe_lateness (T0 + 3600, sent_at (&listener, 0));
  g_assert_cmpstr (late, ==, "1 h late");

  /* Time goes on to a minute before the second: nothing more. */
  fake_clock_advance (clock, 86400 - 7200 - 60);
  g_assert_cmpuint (clock->n_wakes, ==, 1);
  g_assert_cmpuint (listener.sent_at->len, ==, 1);

  listener_clear (&listener);
}

static void
test_clock_jump_back (void)
{
  g_autoptr(FakeClock) clock = fake_clock_new (T0);
  const gint64 due[] = { T0 + 3600 };
  Listener listener;
  guint armed;
  g_autofree char *late = NULL;

  listener_init (&listener, EP_CLOCK (clock), due, G_N_ELEMENTS (due));
  armed = clock->n_armed;

  /* Set a day back: the listener looks, sends nothing, re-arms the same time. */
  fake_clock_set (clock, T0 - 86400);
  g_assert_cmpuint (clock->n_wakes, ==, 1);
  g_assert_cmpuint (listener.sent_at->len, ==, 0);
  g_assert_cmpuint (clock->n_armed, ==, armed + 1);
  g_assert_cmpint (clock->alarm, ==, T0 + 3600);

  /* Up to a second before it: nothing early. */
  fake_clock_advance (clock, 86400 + 3600 - 1);
  g_assert_cmpuint (listener.sent_at->len, ==, 0);

  /* At its time: sent, on time, once. */
  fake_clock_advance (clock, 1);
  g_assert_cmpuint (clock->n_wakes, ==, 2);
  g_assert_cmpuint (listener.sent_at->len, ==, 1);
  g_assert_cmpint (sent_at (&listener, 0), ==, T0 + 3600);
  g_assert_cmpint (clock->alarm, ==, 0);
  late = ep_schedule_time_describe_lateness (T0 + 3600, sent_at (&listener, 0));
  g_assert_cmpstr (late, ==, "on time");

  fake_clock_advance (clock, 86400);
  g_assert_cmpuint (listener.sent_at->len, ==, 1);

  listener_clear (&listener);
}

static void
test_clock_resume_late (void)
{
  g_autoptr(FakeClock) clock = fake_clock_new (T0);
  const gint64 due[] = { T0 + 60 };
  Listener listener;
  g_autofree char *late = NULL;

  listener_init (&listener, EP_CLOCK (clock), due, G_N_ELEMENTS (due));

  /* Asleep through the due time: no timer ran. */
  fake_clock_sleep (clock, 2 * 3600 + 10 * 60 + 60 + 30);
  g_assert_cmpuint (listener.sent_at->len, ==, 0);

  /* Resumed: the wake is seen, what came due is sent, late. */
  fake_clock_emit (clock);
  g_assert_cmpuint (listener.sent_at->len, ==, 1);
  g_assert_cmpint (sent_at (&listener, 0), ==, clock->now);
  g_assert_cmpint (clock->alarm, ==, 0);

  late = ep_schedule_time_describe_lateness (T0 + 60, sent_at (&listener, 0));
  g_assert_cmpstr (late, ==, "2 h 10 min late");

  listener_clear (&listener);
}

static void
on_system_clock_wake_cb (EpClock  *clock,
                         gpointer  user_data)
{
  gint64 *woken_at = user_data;

  *woken_at = ep_clock_now (clock);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

static void
test_system_clock_wakes (void)
{
  g_autoptr(EpClock) clock = ep_system_clock_new ();
  gint64 when;
  gint64 woken_at = 0;
  guint timeout_id;

  g_object_add_weak_pointer (G_OBJECT (clock), (gpointer *) &clock);
  g_assert_true (EP_IS_CLOCK (clock));
  g_assert_cmpint (ABS (ep_clock_now (clock) - g_get_real_time () / G_USEC_PER_SEC), <=, 1);

  g_signal_connect (clock, "wake", G_CALLBACK (on_system_clock_wake_cb), &woken_at);
  timeout_id = g_timeout_add_seconds (10, on_timeout_cb, NULL);

  when = ep_clock_now (clock) + 1;
  ep_clock_wake_at (clock, when);
  /* (A wake before that, say from NTP setting the clock, is allowed.) */
  while (woken_at < when)
    g_main_context_iteration (NULL, TRUE);

  /* The alarm came at its time, promptly. */
  g_assert_cmpint (woken_at, <=, when + 5);

  g_source_remove (timeout_id);

  /* Disposed and gone (weak pointer cleared) once the last ref is dropped. */
  g_object_unref (clock);
  g_assert_null (clock);
}

static void
on_resume_wake_cb (EpClock  *clock,
                   gpointer  user_data)
{
  guint *n_wakes = user_data;

  (*n_wakes)++;
}

static void
emit_prepare_for_sleep (GDBusConnection *bus,
                        gboolean         starting)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (bus, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", starting), &error);
  g_assert_no_error (error);
}

/* Every signal sent on @bus before this has been dispatched when it
 * returns: the reply comes after them on the same connection. */
static void
round_trip (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL,
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The private system bus of test_system_clock_resume (), kept until the
 * subprocess exits. */
static GTestDBus *volatile resume_dbus;   /* volatile: a store never read would be dropped */

/* logind on a private bus that stands in for the system bus: the test
 * owns org.freedesktop.login1 and says the machine slept and resumed.
 * In a subprocess, so that the bus address and connection stay there. */
static void
test_system_clock_resume (void)
{
  g_autoptr(GTestDBus) dbus = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EpClock) clock = NULL;
  g_autofree char *daemon = g_find_program_in_path ("dbus-daemon");
  guint n_wakes = 0;
  guint before;
  guint timeout_id;

  if (daemon == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      return;
    }
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  dbus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (dbus);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (dbus), TRUE);

  /* The same (singleton) connection as the clock's: signals and replies
   * then come back in the order they were sent. */
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.login1", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);

  clock = ep_system_clock_new ();
  g_signal_connect (clock, "wake", G_CALLBACK (on_resume_wake_cb), &n_wakes);
  timeout_id = g_timeout_add_seconds (10, on_timeout_cb, NULL);

  /* The clock subscribes once it has the bus: say "resumed" until it hears. */
  while (n_wakes == 0)
    {
      emit_prepare_for_sleep (bus, FALSE);
      round_trip (bus);
      g_usleep (20 * 1000);
    }
  round_trip (bus);

  /* Going to sleep is not a wake; resuming is, once. */
  before = n_wakes;
  emit_prepare_for_sleep (bus, TRUE);
  round_trip (bus);
  g_assert_cmpuint (n_wakes, ==, before);
  emit_prepare_for_sleep (bus, FALSE);
  round_trip (bus);
  g_assert_cmpuint (n_wakes, ==, before + 1);

  g_source_remove (timeout_id);
  /* dbus stays up until this process exits (GTestDBus's watcher ends
   * it): taking it down first would close the system bus under us. Held
   * by a static, not dropped: LeakSanitizer saw the dropped one leak. */
  resume_dbus = g_steal_pointer (&dbus);
}

static GTimeZone *
zone (const char *identifier)
{
  GTimeZone *tz = g_time_zone_new_identifier (identifier);

  g_assert_nonnull (tz);
  g_assert_cmpstr (g_time_zone_get_identifier (tz), ==, identifier);
  return tz;
}

static gint64
utc (int year,
     int month,
     int day,
     int hour,
     int minute,
     int second)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, second);

  return g_date_time_to_unix (dt);
}

static void
assert_parses (const char *text,
               GTimeZone  *tz,
               gint64      expected)
{
  g_autoptr(GError) error = NULL;
  gint64 t = -1;

  g_assert_true (ep_schedule_time_parse (text, tz, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t, ==, expected);
}

static char *
assert_refused (const char          *text,
                GTimeZone           *tz,
                EpScheduleTimeError  code)
{
  g_autoptr(GError) error = NULL;
  gint64 t = -1;

  g_assert_false (ep_schedule_time_parse (text, tz, &t, &error));
  g_assert_error (error, EP_SCHEDULE_TIME_ERROR, (int) code);
  g_assert_cmpint (t, ==, -1);
  return g_strdup (error->message);
}

static void
test_parse_offset (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");

  /* An offset or Z wins over the zone. */
  assert_parses ("2026-12-24T08:00+01:00", berlin, utc (2026, 12, 24, 7, 0, 0));
  assert_parses ("2026-12-24 08:00-0500", berlin, utc (2026, 12, 24, 13, 0, 0));
  assert_parses ("2026-12-24T08:00:30Z", berlin, utc (2026, 12, 24, 8, 0, 30));
  assert_parses ("2026-12-24t08:00z", NULL, utc (2026, 12, 24, 8, 0, 0));
  assert_parses ("  2026-12-24 08:00:00 +05:30 ", NULL, utc (2026, 12, 24, 2, 30, 0));
  assert_parses ("2026-12-24T08:00-05", NULL, utc (2026, 12, 24, 13, 0, 0));
}

static void
test_parse_local (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  g_autoptr(GTimeZone) new_york = zone ("America/New_York");

  assert_parses ("2026-12-24T08:00", berlin, utc (2026, 12, 24, 7, 0, 0));
  assert_parses ("2026-12-24 08:00", berlin, utc (2026, 12, 24, 7, 0, 0));
  assert_parses ("2026-07-01 08:00:15", berlin, utc (2026, 7, 1, 6, 0, 15));
  assert_parses ("2026-12-24 08:00", new_york, utc (2026, 12, 24, 13, 0, 0));
  assert_parses ("2026-07-01T08:00", new_york, utc (2026, 7, 1, 12, 0, 0));

  /* Either side of the changes, by a minute. */
  assert_parses ("2026-03-29 01:59", berlin, utc (2026, 3, 29, 0, 59, 0));
  assert_parses ("2026-03-29 03:00", berlin, utc (2026, 3, 29, 1, 0, 0));
  assert_parses ("2026-10-25 01:59", berlin, utc (2026, 10, 24, 23, 59, 0));
  assert_parses ("2026-10-25 03:00", berlin, utc (2026, 10, 25, 2, 0, 0));
  assert_parses ("2026-11-01 00:59", new_york, utc (2026, 11, 1, 4, 59, 0));
  assert_parses ("2026-11-01 02:00", new_york, utc (2026, 11, 1, 7, 0, 0));

  /* NULL is the local zone: TZ=UTC here. */
  assert_parses ("2026-12-24 08:00", NULL, utc (2026, 12, 24, 8, 0, 0));
}

static void
test_parse_nonexistent (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  g_autoptr(GTimeZone) new_york = zone ("America/New_York");
  g_autofree char *message = NULL;
  g_autofree char *message_ny = NULL;

  message = assert_refused ("2026-03-29 02:30", berlin, EP_SCHEDULE_TIME_ERROR_NONEXISTENT);
  g_assert_cmpstr (message, ==,
                   "2026-03-29 02:30 does not exist in Europe/Berlin "
                   "(clocks go forward from 02:00 to 03:00): choose another time");
  g_free (assert_refused ("2026-03-29T02:00", berlin, EP_SCHEDULE_TIME_ERROR_NONEXISTENT));
  g_free (assert_refused ("2026-03-29 02:59:59", berlin, EP_SCHEDULE_TIME_ERROR_NONEXISTENT));

  message_ny = assert_refused ("2026-03-08 02:30", new_york, EP_SCHEDULE_TIME_ERROR_NONEXISTENT);
  g_assert_cmpstr (message_ny, ==,
                   "2026-03-08 02:30 does not exist in America/New_York "
                   "(clocks go forward from 02:00 to 03:00): choose another time");

  /* With an offset they are instants like any other. */
  assert_parses ("2026-03-29T02:30+01:00", berlin, utc (2026, 3, 29, 1, 30, 0));
  assert_parses ("2026-03-29T02:30+02:00", berlin, utc (2026, 3, 29, 0, 30, 0));
  assert_parses ("2026-03-08T02:30-05:00", new_york, utc (2026, 3, 8, 7, 30, 0));
}

static void
test_parse_ambiguous (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  g_autoptr(GTimeZone) new_york = zone ("America/New_York");
  g_autofree char *message = NULL;
  g_autofree char *message_ny = NULL;

  message = assert_refused ("2026-10-25 02:30", berlin, EP_SCHEDULE_TIME_ERROR_AMBIGUOUS);
  g_assert_cmpstr (message, ==,
                   "2026-10-25 02:30 happens twice in Europe/Berlin (clocks go back): "
                   "give the offset, +02:00 or +01:00");
  g_free (assert_refused ("2026-10-25T02:00", berlin, EP_SCHEDULE_TIME_ERROR_AMBIGUOUS));

  message_ny = assert_refused ("2026-11-01 01:30", new_york, EP_SCHEDULE_TIME_ERROR_AMBIGUOUS);
  g_assert_cmpstr (message_ny, ==,
                   "2026-11-01 01:30 happens twice in America/New_York (clocks go back): "
                   "give the offset, -04:00 or -05:00");

  /* Both readings, by their offsets. */
  assert_parses ("2026-10-25T02:30+02:00", berlin, utc (2026, 10, 25, 0, 30, 0));
  assert_parses ("2026-10-25T02:30+01:00", berlin, utc (2026, 10, 25, 1, 30, 0));
  assert_parses ("2026-11-01T01:30-04:00", new_york, utc (2026, 11, 1, 5, 30, 0));
  assert_parses ("2026-11-01T01:30-05:00", new_york, utc (2026, 11, 1, 6, 30, 0));
}

static void
test_parse_invalid (void)
{
  static const char *const malformed[] = {
    "tomorrow",
    "2026-13-01 08:00",
    "2026-02-30 08:00",
    "",
    "   ",
    "2026-12-24",
    "2026-12-24 24:00",
    "2026-12-24 08:60",
    "2026-12-24 08:00:60",
    "2026-12-24 08:00+01:00 extra",
    "2026-12-24 08:00+1",
    "2026-12-24 08:00+24:00",
    "2026-12-24 08:00:00.5",
    "26-12-24 08:00",
    "0000-01-01 08:00",
    "2026/12/24 08:00",
  };
  g_autofree char *message = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    g_free (assert_refused (malformed[i], NULL, EP_SCHEDULE_TIME_ERROR_INVALID));

  message = assert_refused ("tomorrow", NULL, EP_SCHEDULE_TIME_ERROR_INVALID);
  g_assert_cmpstr (message, ==,
                   "“tomorrow” is not a date and time: write it as 2026-12-24 08:00, "
                   "or 2026-12-24T08:00+01:00 with an offset");
  g_clear_pointer (&message, g_free);
  message = assert_refused ("2026-02-30 08:00", NULL, EP_SCHEDULE_TIME_ERROR_INVALID);
  g_assert_cmpstr (message, ==, "“2026-02-30 08:00” is not a valid date and time");

  /* A leap day is fine. */
  assert_parses ("2028-02-29 08:00", NULL, utc (2028, 2, 29, 8, 0, 0));
}

static void
test_from_local (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  g_autoptr(GError) error = NULL;
  gint64 t = 0;

  g_assert_true (ep_schedule_time_from_local (berlin, 2026, 12, 24, 8, 0, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t, ==, utc (2026, 12, 24, 7, 0, 0));

  g_assert_false (ep_schedule_time_from_local (berlin, 2026, 3, 29, 2, 30, &t, &error));
  g_assert_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_NONEXISTENT);
  g_clear_error (&error);

  g_assert_false (ep_schedule_time_from_local (berlin, 2026, 10, 25, 2, 30, &t, &error));
  g_assert_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_AMBIGUOUS);
  g_assert_cmpstr (error->message, ==,
                   "2026-10-25 02:30 happens twice in Europe/Berlin (clocks go back): "
                   "give the offset, +02:00 or +01:00");
  g_clear_error (&error);

  g_assert_false (ep_schedule_time_from_local (berlin, 2026, 2, 30, 8, 0, &t, &error));
  g_assert_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "“2026-02-30 08:00” is not a valid date and time");
  g_clear_error (&error);

  g_assert_cmpint (t, ==, utc (2026, 12, 24, 7, 0, 0));
}

static void
test_format (void)
{
  g_autoptr(GTimeZone) berlin = zone ("Europe/Berlin");
  g_autoptr(GTimeZone) new_york = zone ("America/New_York");
  g_autoptr(GTimeZone) plus_one = g_time_zone_new_identifier ("+01:00");
  g_autofree char *winter = ep_schedule_time_format (utc (2026, 12, 24, 7, 0, 0), berlin);
  g_autofree char *summer = ep_schedule_time_format (utc (2026, 7, 1, 6, 5, 0), berlin);
  g_autofree char *ny_before = ep_schedule_time_format (utc (2026, 3, 8, 6, 59, 0), new_york);
  g_autofree char *ny_after = ep_schedule_time_format (utc (2026, 3, 8, 7, 0, 0), new_york);
  g_autofree char *fixed = ep_schedule_time_format (utc (2026, 12, 24, 7, 0, 0), plus_one);
  g_autofree char *local = ep_schedule_time_format (utc (2026, 12, 24, 7, 0, 0), NULL);

  g_assert_cmpstr (winter, ==, "Thu 24 Dec 2026, 08:00 CET");
  g_assert_cmpstr (summer, ==, "Wed 1 Jul 2026, 08:05 CEST");
  g_assert_cmpstr (ny_before, ==, "Sun 8 Mar 2026, 01:59 EST");
  g_assert_cmpstr (ny_after, ==, "Sun 8 Mar 2026, 03:00 EDT");
  g_assert_cmpstr (fixed, ==, "Thu 24 Dec 2026, 08:00 +01:00");
  g_assert_cmpstr (local, ==, "Thu 24 Dec 2026, 07:00 UTC");  /* TZ=UTC */
}

static void
test_lateness (void)
{
  static const struct {
    gint64      late;
    const char *expected;
  } cases[] = {
    { -3600, "on time" },
    { 0, "on time" },
    { 59, "on time" },
    { 60, "1 min late" },
    { 5 * 60 + 59, "5 min late" },
    { 3600, "1 h late" },
    { 2 * 3600 + 10 * 60 + 5, "2 h 10 min late" },
    { 23 * 3600 + 59 * 60 + 59, "23 h 59 min late" },
    { 86400 + 59 * 60, "1 day late" },
    { 86400 + 2 * 3600 + 30 * 60, "1 day 2 h late" },
    { 3 * 86400, "3 days late" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ep_schedule_time_describe_lateness (T0, T0 + cases[i].late);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

int
main (int    argc,
      char **argv)
{
  /* Fixed output: untranslated strings, English day names, UTC. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("TZ", "UTC", TRUE);
  setlocale (LC_ALL, "");

  ep_core_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/outbox/clock/jump-forward", test_clock_jump_forward);
  g_test_add_func ("/outbox/clock/jump-back", test_clock_jump_back);
  g_test_add_func ("/outbox/clock/resume-late", test_clock_resume_late);
  g_test_add_func ("/outbox/clock/system-wakes", test_system_clock_wakes);
  g_test_add_func ("/outbox/clock/system-resume", test_system_clock_resume);
  g_test_add_func ("/outbox/schedule-time/parse-offset", test_parse_offset);
  g_test_add_func ("/outbox/schedule-time/parse-local", test_parse_local);
  g_test_add_func ("/outbox/schedule-time/parse-nonexistent", test_parse_nonexistent);
  g_test_add_func ("/outbox/schedule-time/parse-ambiguous", test_parse_ambiguous);
  g_test_add_func ("/outbox/schedule-time/parse-invalid", test_parse_invalid);
  g_test_add_func ("/outbox/schedule-time/from-local", test_from_local);
  g_test_add_func ("/outbox/schedule-time/format", test_format);
  g_test_add_func ("/outbox/schedule-time/lateness", test_lateness);

  return g_test_run ();
}
