/* test-spread.c: sending windows and spread plans
 *
 * The plan is what the wizard and `merge --spread` show before anything
 * goes, so it is checked message by message against the rules the runner
 * keeps: a rolling 24 hours for the daily limit (counting what the account
 * sent before), the pacing, and a window of local hours and weekdays, in
 * fixed zones (UTC, Europe/Berlin across both of its 2026 changes).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <epistle-core.h>

#define DAY (24 * 3600)

static gint64
at (GTimeZone *zone,
    int        year,
    int        month,
    int        day,
    int        hour,
    int        minute,
    int        second)
{
  g_autoptr(GDateTime) dt = g_date_time_new (zone, year, month, day, hour, minute, second);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

static const EpSpreadDay *
day_of (GArray *plan,
        guint   i)
{
  g_assert_cmpuint (i, <, plan->len);
  return &g_array_index (plan, EpSpreadDay, i);
}

static void
test_hundred_twenty_at_fifty (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  gint64 start = at (utc, 2026, 12, 2, 9, 0, 0);
  g_autoptr(GArray) plan = ep_spread_plan_compute (120, 50, 0, start, NULL, utc, NULL);
  g_autofree char *text = NULL;

  g_assert_cmpuint (plan->len, ==, 3);
  g_assert_cmpuint (day_of (plan, 0)->count, ==, 50);
  g_assert_cmpuint (day_of (plan, 1)->count, ==, 50);
  g_assert_cmpuint (day_of (plan, 2)->count, ==, 20);
  g_assert_cmpint (day_of (plan, 0)->first, ==, start);
  /* The first message leaves the rolling 24 hours a second after it is
   * 24 hours old; the next day's share may go from then. */
  g_assert_cmpint (day_of (plan, 1)->first, ==, start + DAY + 1);
  g_assert_cmpint (day_of (plan, 2)->first, ==, start + 2 * (DAY + 1));

  text = ep_spread_plan_describe (plan, utc, FALSE);
  g_assert_cmpstr (text, ==, "Wed 2 Dec, 09:00: 50 messages · Thu 3 Dec, 09:00: 50 messages · "
                             "Fri 4 Dec, 09:00: 20 messages");
}

static void
test_no_limit_is_one_day (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  gint64 start = at (utc, 2026, 12, 2, 9, 0, 0);
  g_autoptr(GArray) plan = ep_spread_plan_compute (500, 0, 0, start, NULL, utc, NULL);
  g_autoptr(GArray) none = ep_spread_plan_compute (0, 50, 0, start, NULL, utc, NULL);

  g_assert_cmpuint (plan->len, ==, 1);
  g_assert_cmpuint (day_of (plan, 0)->count, ==, 500);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_recent_messages_count (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  gint64 start = at (utc, 2026, 12, 2, 12, 0, 0);
  g_autoptr(GArray) recent = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) plan = NULL;

  /* 45 went out in the hour before, a minute apart. */
  for (int i = 0; i < 45; i++)
    {
      gint64 t = start - 3600 + 60 * i;

      g_array_append_val (recent, t);
    }
  plan = ep_spread_plan_compute (30, 50, 0, start, NULL, utc, recent);

  g_assert_cmpuint (plan->len, ==, 2);
  g_assert_cmpuint (day_of (plan, 0)->count, ==, 5);
  g_assert_cmpuint (day_of (plan, 1)->count, ==, 25);
  /* The sixth may go when the first of the 45 is out of the 24 hours. */
  g_assert_cmpint (day_of (plan, 1)->first, ==, start - 3600 + DAY + 1);
}

static void
test_weekdays_window_with_pacing (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  EpSendWindow window = { EP_SEND_WINDOW_WEEKDAYS, 8 * 60, 18 * 60 };
  /* Friday 4 December 2026, 17:30. */
  gint64 start = at (berlin, 2026, 12, 4, 17, 30, 0);
  g_autoptr(GArray) plan = ep_spread_plan_compute (120, 50, 1, start, &window, berlin, NULL);
  g_autofree char *text = NULL;

  g_assert_nonnull (berlin);
  /* Friday until the window closes (one a minute), the weekend skipped,
   * Monday the daily limit, Tuesday the rest once Monday's first is out of
   * the 24 hours. */
  g_assert_cmpuint (plan->len, ==, 3);
  g_assert_cmpuint (day_of (plan, 0)->count, ==, 30);
  g_assert_cmpint (day_of (plan, 0)->first, ==, start);
  g_assert_cmpuint (day_of (plan, 1)->count, ==, 50);
  g_assert_cmpint (day_of (plan, 1)->first, ==, at (berlin, 2026, 12, 7, 8, 0, 0));
  g_assert_cmpuint (day_of (plan, 2)->count, ==, 40);
  g_assert_cmpint (day_of (plan, 2)->first, ==, at (berlin, 2026, 12, 8, 8, 0, 1));

  text = ep_spread_plan_describe (plan, berlin, TRUE);
  g_assert_cmpstr (text, ==, "Fri 4 Dec, 17:30: 30 messages\nMon 7 Dec, 08:00: 50 messages\n"
                             "Tue 8 Dec, 08:00: 40 messages");
}

static void
test_window_across_dst (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  EpSendWindow morning = { 0, 9 * 60, 10 * 60 };
  EpSendWindow skipped = { 0, 2 * 60 + 30, 4 * 60 };
  /* Saturday 28 March 2026, 09:00 CET; the clocks go forward that night. */
  gint64 start = at (berlin, 2026, 3, 28, 9, 0, 0);
  g_autoptr(GArray) plan = ep_spread_plan_compute (20, 10, 0, start, &morning, berlin, NULL);

  /* Saturday's ten leave the rolling 24 hours on Sunday at 10:00:01
   * summer time, after Sunday's window: the next ten go on Monday. */
  g_assert_cmpuint (plan->len, ==, 2);
  g_assert_cmpuint (day_of (plan, 0)->count, ==, 10);
  g_assert_cmpuint (day_of (plan, 1)->count, ==, 10);
  g_assert_cmpint (day_of (plan, 1)->first, ==, at (berlin, 2026, 3, 30, 9, 0, 0));

  /* A window opening at 02:30, which does not exist on 29 March, opens
   * when the clocks have gone forward (03:00 CEST, 01:00 UTC). */
  g_assert_cmpint (ep_send_window_next_open (&skipped, berlin, at (berlin, 2026, 3, 29, 0, 0, 0)),
                   ==, 1774746000);
  /* On 25 October (25 hours long) the window is the same wall time. */
  g_assert_cmpint (ep_send_window_next_open (&morning, berlin, at (berlin, 2026, 10, 25, 0, 0, 0)),
                   ==, at (berlin, 2026, 10, 25, 9, 0, 0));
  g_assert_cmpint (at (berlin, 2026, 10, 25, 9, 0, 0) - at (berlin, 2026, 10, 24, 9, 0, 0), ==, DAY + 3600);
}

static void
test_window_next_open (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  EpSendWindow office = { EP_SEND_WINDOW_WEEKDAYS, 8 * 60, 18 * 60 };
  EpSendWindow weekdays = { EP_SEND_WINDOW_WEEKDAYS, -1, -1 };
  EpSendWindow none = EP_SEND_WINDOW_NONE;
  EpSendWindow every = { EP_SEND_WINDOW_ALL_DAYS, -1, -1 };
  gint64 wed_noon = at (utc, 2026, 12, 2, 12, 0, 0);
  gint64 sat = at (utc, 2026, 12, 5, 10, 0, 0);

  g_assert_false (ep_send_window_is_set (&none));
  g_assert_false (ep_send_window_is_set (&every));
  g_assert_true (ep_send_window_is_set (&weekdays));
  g_assert_true (ep_send_window_is_set (&office));

  g_assert_true (ep_send_window_contains (&office, utc, wed_noon));
  g_assert_cmpint (ep_send_window_next_open (&none, utc, sat), ==, sat);
  /* Before opening, after closing (the next morning), at the close
   * (exclusive), on a Saturday (Monday). */
  g_assert_cmpint (ep_send_window_next_open (&office, utc, at (utc, 2026, 12, 2, 6, 0, 0)),
                   ==, at (utc, 2026, 12, 2, 8, 0, 0));
  g_assert_cmpint (ep_send_window_next_open (&office, utc, at (utc, 2026, 12, 2, 19, 0, 0)),
                   ==, at (utc, 2026, 12, 3, 8, 0, 0));
  g_assert_cmpint (ep_send_window_next_open (&office, utc, at (utc, 2026, 12, 2, 18, 0, 0)),
                   ==, at (utc, 2026, 12, 3, 8, 0, 0));
  g_assert_cmpint (ep_send_window_next_open (&office, utc, sat), ==, at (utc, 2026, 12, 7, 8, 0, 0));
  g_assert_cmpint (ep_send_window_next_open (&weekdays, utc, sat), ==, at (utc, 2026, 12, 7, 0, 0, 0));
  g_assert_cmpint (ep_send_window_next_open (&weekdays, utc, wed_noon), ==, wed_noon);
}

static void
test_window_parse_and_describe (void)
{
  struct { const char *text; int start, end; } good[] = {
    { "08:00-18:00", 480, 1080 },
    { " 8-18 ", 480, 1080 },
    { "08:30\u201317:45", 510, 1065 },
    { "00:00-24:00", 0, 1440 },
  };
  const char *bad[] = { "18:00-08:00", "08:00-08:00", "25:00-26:00", "08:60-09:00",
                        "morgens", "08:00", "-", "", "24:30-25:00" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      EpSendWindow w = EP_SEND_WINDOW_NONE;
      g_autoptr(GError) error = NULL;

      g_assert_true (ep_send_window_parse_hours (good[i].text, &w, &error));
      g_assert_no_error (error);
      g_assert_cmpint (w.start, ==, good[i].start);
      g_assert_cmpint (w.end, ==, good[i].end);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      EpSendWindow w = EP_SEND_WINDOW_NONE;
      g_autoptr(GError) error = NULL;

      g_assert_false (ep_send_window_parse_hours (bad[i], &w, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "window"));
      g_assert_cmpint (w.start, ==, -1);
    }

  {
    EpSendWindow office = { EP_SEND_WINDOW_WEEKDAYS, 8 * 60, 18 * 60 };
    EpSendWindow hours = { 0, 9 * 60, 17 * 60 + 30 };
    EpSendWindow some = { 0x15, -1, -1 };
    g_autofree char *a = ep_send_window_describe (&office);
    g_autofree char *b = ep_send_window_describe (&hours);
    g_autofree char *c = ep_send_window_describe (&some);

    g_assert_cmpstr (a, ==, "weekdays, 08:00–18:00");
    g_assert_cmpstr (b, ==, "every day, 09:00–17:30");
    g_assert_cmpstr (c, ==, "Mon, Wed, Fri");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("TZ", "UTC", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/outbox/spread/120-at-50", test_hundred_twenty_at_fifty);
  g_test_add_func ("/outbox/spread/no-limit", test_no_limit_is_one_day);
  g_test_add_func ("/outbox/spread/recent", test_recent_messages_count);
  g_test_add_func ("/outbox/spread/weekdays-window", test_weekdays_window_with_pacing);
  g_test_add_func ("/outbox/spread/dst", test_window_across_dst);
  g_test_add_func ("/outbox/send-window/next-open", test_window_next_open);
  g_test_add_func ("/outbox/send-window/parse", test_window_parse_and_describe);

  return g_test_run ();
}
