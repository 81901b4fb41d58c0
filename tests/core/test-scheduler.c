/* test-scheduler.c: EpScheduler over a real store, a fake clock and a fake
 * network monitor
 *
 * What is due is started (and how late it was is said), what is not is
 * left with the clock armed for it, an entry with no time or an undo delay
 * is not the scheduler's, a wake at the armed time starts the next, and
 * due entries wait while the network is down and go when it is back. The
 * entries' account does not exist, so a started task ends at once without
 * touching the network; only the scheduler's decisions are tested here
 * (the rig tests send for real).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <epistle-core.h>

#include "../test-tmpdir.h"

/* ---- a clock the test sets ---------------------------------------------- */

#define TEST_TYPE_CLOCK (test_clock_get_type ())
G_DECLARE_FINAL_TYPE (TestClock, test_clock, TEST, CLOCK, GObject)

struct _TestClock
{
  GObject parent_instance;
  gint64  now;
  gint64  armed;
};

static void test_clock_iface_init (EpClockInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestClock, test_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EP_TYPE_CLOCK, test_clock_iface_init))

static gint64
test_clock_now (EpClock *clock)
{
  return TEST_CLOCK (clock)->now;
}

static void
test_clock_wake_at (EpClock *clock,
                    gint64   when)
{
  TEST_CLOCK (clock)->armed = when;
}

static void
test_clock_iface_init (EpClockInterface *iface)
{
  iface->now = test_clock_now;
  iface->wake_at = test_clock_wake_at;
}

static void
test_clock_class_init (TestClockClass *klass)
{
}

static void
test_clock_init (TestClock *self)
{
}

/* ---- a network monitor the test switches -------------------------------- */

#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject  parent_instance;
  gboolean available;
};

static void test_monitor_iface_init (GNetworkMonitorInterface *iface);
static void test_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_monitor_iface_init))

static gboolean
test_monitor_initable_init_fn (GInitable     *initable,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return TRUE;
}

static void
test_monitor_initable_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable_init_fn;
}

enum { PROP_0, PROP_AVAILABLE, PROP_METERED, PROP_CONNECTIVITY };

static void
test_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
  self->available = TRUE;
}

static void
test_monitor_set (TestMonitor *self,
                  gboolean     available)
{
  self->available = available;
  g_signal_emit_by_name (self, "network-changed", available);
}

/* ---- fixture ------------------------------------------------------------ */

typedef struct
{
  char        *dir;
  EpStore     *store;
  EpOutbox    *outbox;
  TestClock   *clock;
  TestMonitor *monitor;
  EpScheduler *scheduler;
  GPtrArray   *started;     /* char *: "name+lateness" */
  guint        scans;
} Fixture;

static void
on_started (EpScheduler  *scheduler,
            EpOutboxTask *task,
            gint64        lateness,
            Fixture      *f)
{
  g_ptr_array_add (f->started, g_strdup_printf ("%s+%" G_GINT64_FORMAT,
                                                ep_outbox_task_get_name (task), lateness));
}

static void
on_n_waiting (Fixture *f)
{
  f->scans++;
}

static gint64
add_entry (Fixture    *f,
           const char *name,
           gint64      not_before,
           gboolean    scheduled)
{
  g_autoptr(EpCampaignInfo) info = ep_campaign_info_new ();
  g_autoptr(GBytes) data = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 17);
  const char *to[] = { "someone@example.test", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = g_strdup_printf ("%s@example.test", name);
  gint64 id;

  info->kind = EP_CAMPAIGN_KIND_MESSAGE;
  info->account_uid = g_strdup ("no-such-account");
  info->name = g_strdup (name);
  info->not_before = not_before;
  info->scheduled = scheduled;
  id = ep_store_message_insert (f->store, info, "someone@example.test", message_id,
                                "me@example.test", to, data, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* Runs the main loop until @f has seen @scans scans (bounded). */
static void
wait_scans (Fixture *f,
            guint    scans)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (f->scans < scans)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(EpProtocolLog) log = ep_protocol_log_new (100);

  f->dir = g_dir_make_tmp ("ep-scheduler-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "epistle.db", NULL);
  f->store = ep_store_new (path, &error);
  g_assert_no_error (error);
  f->outbox = ep_outbox_new (f->store, log, f->dir);
  f->clock = g_object_new (TEST_TYPE_CLOCK, NULL);
  /* The tasks it starts read the real clock: start from the real time. */
  f->clock->now = g_get_real_time () / G_USEC_PER_SEC;
  f->monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  f->started = g_ptr_array_new_with_free_func (g_free);
}

static void
start_scheduler (Fixture *f)
{
  f->scheduler = ep_scheduler_new (f->outbox, EP_CLOCK (f->clock), G_NETWORK_MONITOR (f->monitor));
  g_signal_connect (f->scheduler, "started", G_CALLBACK (on_started), f);
  g_signal_connect_swapped (f->scheduler, "notify::n-waiting", G_CALLBACK (on_n_waiting), f);
  ep_scheduler_start (f->scheduler);
}

static void
drain (void)
{
  /* Let tasks that ended at once (no account) deliver "finished". */
  for (guint i = 0; i < 200 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  drain ();
  /* A scan still running holds the scheduler: it must not report to the
   * next test's fixture (which may be at the same address). */
  if (f->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (f->scheduler, f);
  g_clear_object (&f->scheduler);
  g_clear_object (&f->outbox);
  g_clear_object (&f->store);
  g_clear_object (&f->clock);
  g_clear_object (&f->monitor);
  g_clear_pointer (&f->started, g_ptr_array_unref);
  test_remove_tree (f->dir);
  g_free (f->dir);
}

static gboolean
started (Fixture    *f,
         const char *what)
{
  for (guint i = 0; i < f->started->len; i++)
    if (g_str_equal (g_ptr_array_index (f->started, i), what))
      return TRUE;
  return FALSE;
}

/* ---- tests ---------------------------------------------------------------- */

static void
test_due_now_later_and_not_ours (Fixture       *f,
                                 gconstpointer  data)
{
  gint64 now = f->clock->now;

  gint64 missed = add_entry (f, "missed", now - 100, TRUE); /* came due while nothing ran */
  add_entry (f, "later", now + 200, TRUE);
  add_entry (f, "much-later", now + 86400, TRUE);
  add_entry (f, "at-once", 0, FALSE);           /* not the scheduler's */

  start_scheduler (f);
  wait_scans (f, 1);

  g_assert_cmpuint (f->started->len, ==, 1);
  g_assert_true (started (f, "missed+100"));
  g_assert_cmpuint (ep_scheduler_get_n_waiting (f->scheduler), ==, 2);
  g_assert_cmpint (ep_scheduler_get_next_due (f->scheduler), ==, now + 200);
  /* Armed for the earliest waiting one, at its wall-clock time. */
  g_assert_cmpint (f->clock->armed, ==, now + 200);

  /* It could not go (its account is gone): it is no longer waiting, so no
   * later scan starts it again and again. */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    EpCampaignState state = EP_CAMPAIGN_READY;
    g_autofree char *reason = NULL;

    while (state == EP_CAMPAIGN_READY)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(EpCampaignInfo) info = NULL;

        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
        info = ep_store_campaign_lookup (f->store, missed, &error);
        g_assert_no_error (error);
        state = info->state;
        g_free (reason);
        reason = g_strdup (info->reason);
        if (state == EP_CAMPAIGN_READY)
          g_usleep (10000);
      }
    g_assert_cmpint (state, ==, EP_CAMPAIGN_PAUSED);
    g_assert_nonnull (reason);
    g_test_message ("held back: %s", reason);
  }
  drain ();
  g_assert_cmpuint (f->started->len, ==, 1);

  /* The clock says its time has come (on time, or after a resume). */
  f->clock->now = now + 200;
  ep_clock_emit_wake (EP_CLOCK (f->clock));
  wait_scans (f, 2);
  g_assert_cmpuint (f->started->len, ==, 2);
  g_assert_true (started (f, "later+0"));
  g_assert_cmpuint (ep_scheduler_get_n_waiting (f->scheduler), ==, 1);
  /* The next is a day away: armed no later than a few minutes ahead, as
   * another process may schedule something sooner. */
  g_assert_cmpint (f->clock->armed, >, now + 200);
  g_assert_cmpint (f->clock->armed, <=, now + 200 + 600);

  /* A wake with nothing due (a clock set back) starts nothing. */
  drain ();
  f->clock->now = now - 3600;
  ep_clock_emit_wake (EP_CLOCK (f->clock));
  drain ();
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (f->started->len, ==, 2);
}

static void
test_offline_waits_for_the_network (Fixture       *f,
                                    gconstpointer  data)
{
  gint64 now = f->clock->now;

  add_entry (f, "offline", now - 5, TRUE);
  f->monitor->available = FALSE;
  start_scheduler (f);
  wait_scans (f, 1);

  /* Due, but not started: it would only spend its retries. */
  g_assert_cmpuint (f->started->len, ==, 0);
  g_assert_cmpuint (ep_scheduler_get_n_waiting (f->scheduler), ==, 1);

  f->clock->now = now + 30;
  test_monitor_set (f->monitor, TRUE);
  wait_scans (f, 2);
  g_assert_cmpuint (f->started->len, ==, 1);
  g_assert_true (started (f, "offline+35"));
  g_assert_cmpuint (ep_scheduler_get_n_waiting (f->scheduler), ==, 0);
}

static void
test_rescheduled_in_the_store_is_seen (Fixture       *f,
                                       gconstpointer  data)
{
  gint64 now = f->clock->now;
  g_autoptr(GError) error = NULL;
  gint64 id = add_entry (f, "moved", now + 250, TRUE);

  start_scheduler (f);
  wait_scans (f, 1);
  g_assert_cmpint (f->clock->armed, ==, now + 250);

  /* Another process (epistle-cli) moves it earlier and says so. */
  g_assert_true (ep_store_campaign_set_not_before (f->store, id, now + 100, &error));
  g_assert_no_error (error);
  ep_outbox_notify_changed (f->outbox);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (f->clock->armed != now + 100)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  }
  g_assert_cmpuint (f->started->len, ==, 0);
}

static void
on_held (EpScheduler *scheduler,
         const char  *name,
         gint64       lateness,
         Fixture     *f)
{
  g_ptr_array_add (f->started, g_strdup_printf ("held:%s+%" G_GINT64_FORMAT, name, lateness));
}

static void
rescheduled_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ep_outbox_reschedule_finish (EP_OUTBOX (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_late_entries_held_for_confirmation (Fixture       *f,
                                         gconstpointer  data)
{
  gint64 now = f->clock->now;
  gint64 missed = add_entry (f, "long-missed", now - 3600, TRUE);
  gboolean done = FALSE;

  add_entry (f, "just-due", now - 10, TRUE);   /* late by less than the threshold */
  f->scheduler = ep_scheduler_new (f->outbox, EP_CLOCK (f->clock), G_NETWORK_MONITOR (f->monitor));
  g_signal_connect (f->scheduler, "started", G_CALLBACK (on_started), f);
  g_signal_connect (f->scheduler, "held", G_CALLBACK (on_held), f);
  g_signal_connect_swapped (f->scheduler, "notify::n-waiting", G_CALLBACK (on_n_waiting), f);
  ep_scheduler_set_hold_late (f->scheduler, 60);
  ep_scheduler_start (f->scheduler);
  wait_scans (f, 1);

  /* The one an hour late is held and said so; the other goes. */
  g_assert_cmpuint (f->started->len, ==, 2);
  g_assert_true (started (f, "held:long-missed+3600"));
  g_assert_true (started (f, "just-due+10"));
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    g_autoptr(EpCampaignInfo) info = NULL;

    for (;;)
      {
        g_autoptr(GError) error = NULL;

        g_clear_pointer (&info, ep_campaign_info_free);
        info = ep_store_campaign_lookup (f->store, missed, &error);
        g_assert_no_error (error);
        if (info->state == EP_CAMPAIGN_PAUSED)
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10000);
      }
    g_assert_nonnull (strstr (info->reason, "held for you to send or reschedule"));
    g_assert_nonnull (strstr (info->reason, "1 h late"));
    /* Still the person's: listed as waiting, with its time. */
    g_assert_true (ep_campaign_info_is_waiting (info));
    g_assert_cmpint (info->not_before, ==, now - 3600);
  }
  drain ();
  g_assert_cmpuint (f->started->len, ==, 2);

  /* Send Now in the pane: it goes, and is not held again. */
  ep_outbox_reschedule_async (f->outbox, missed, now, NULL, rescheduled_cb, &done);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!done || f->started->len < 3)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  }
  g_assert_true (started (f, "long-missed+0"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ep_core_init ();

  g_test_add ("/outbox/scheduler/due-now-later-and-not-ours", Fixture, NULL,
              fixture_set_up, test_due_now_later_and_not_ours, fixture_tear_down);
  g_test_add ("/outbox/scheduler/late-held-for-confirmation", Fixture, NULL,
              fixture_set_up, test_late_entries_held_for_confirmation, fixture_tear_down);
  g_test_add ("/outbox/scheduler/offline-waits-for-the-network", Fixture, NULL,
              fixture_set_up, test_offline_waits_for_the_network, fixture_tear_down);
  g_test_add ("/outbox/scheduler/rescheduled-in-the-store-is-seen", Fixture, NULL,
              fixture_set_up, test_rescheduled_in_the_store_is_seen, fixture_tear_down);

  return g_test_run ();
}
