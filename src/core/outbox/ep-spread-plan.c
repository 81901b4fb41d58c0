/* ep-spread-plan.c: how many messages of a spread campaign go on which day
 *
 * The plan is worked out message by message with the runner's own rules,
 * so what is shown before confirming is what the runner will do, given
 * the same clock: the k-th message may go no sooner than 24 hours and a
 * second after the (k − limit)-th one from the account (the limit is a
 * rolling 24 hours, as providers count it), no sooner than the pacing
 * allows, and only inside the sending window. The days are local
 * calendar days.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-spread-plan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-spread-plan.h"

#define DAY_SECONDS (24 * 3600)

/* A campaign larger than this is planned by its first days only. */
#define MAX_PLANNED 10000000

GArray *
ep_spread_plan_compute (guint               n,
                        guint               daily_limit,
                        guint               rate,
                        gint64              start,
                        const EpSendWindow *window,
                        GTimeZone          *zone,
                        GArray             *recent)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GArray) times = NULL;
  GArray *plan = g_array_new (FALSE, FALSE, sizeof (EpSpreadDay));
  EpSendWindow none = EP_SEND_WINDOW_NONE;
  guint n_recent = recent != NULL ? recent->len : 0;
  gint64 cursor = start * G_USEC_PER_SEC;   /* microseconds, for the pacing */
  gint64 spacing = rate > 0 ? (G_USEC_PER_SEC * 60) / rate : 0;
  int last_year = 0, last_day = 0;

  if (window == NULL)
    window = &none;
  if (zone == NULL)
    zone = local = g_time_zone_new_local ();

  n = MIN (n, MAX_PLANNED);
  times = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_recent + n);
  if (recent != NULL)
    g_array_append_vals (times, recent->data, recent->len);

  for (guint i = 0; i < n; i++)
    {
      guint k = n_recent + i;
      gint64 t = cursor;
      gint64 seconds;
      g_autoptr(GDateTime) utc = NULL;
      g_autoptr(GDateTime) day = NULL;

      if (daily_limit > 0 && k >= daily_limit)
        t = MAX (t, (g_array_index (times, gint64, k - daily_limit) + DAY_SECONDS + 1) * G_USEC_PER_SEC);
      seconds = (t + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
      if (!ep_send_window_contains (window, zone, seconds))
        {
          seconds = ep_send_window_next_open (window, zone, seconds);
          t = seconds * G_USEC_PER_SEC;
        }
      g_array_append_val (times, seconds);
      cursor = t + spacing;

      utc = g_date_time_new_from_unix_utc (seconds);
      day = g_date_time_to_timezone (utc, zone);
      if (plan->len == 0 || g_date_time_get_year (day) != last_year ||
          g_date_time_get_day_of_year (day) != last_day)
        {
          EpSpreadDay entry = { seconds, 0 };

          g_array_append_val (plan, entry);
          last_year = g_date_time_get_year (day);
          last_day = g_date_time_get_day_of_year (day);
        }
      g_array_index (plan, EpSpreadDay, plan->len - 1).count++;
    }

  return plan;
}

char *
ep_spread_plan_describe (GArray    *plan,
                         GTimeZone *zone,
                         gboolean   lines)
{
  g_autoptr(GTimeZone) local = NULL;
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (plan != NULL, NULL);

  if (zone == NULL)
    zone = local = g_time_zone_new_local ();

  for (guint i = 0; i < plan->len; i++)
    {
      const EpSpreadDay *day = &g_array_index (plan, EpSpreadDay, i);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (day->first);
      g_autoptr(GDateTime) here = g_date_time_to_timezone (utc, zone);
      /* TRANSLATORS: a day of a plan, "Wed 2 Dec, 08:00"; see g_date_time_format () */
      g_autofree char *when = g_date_time_format (here, _("%a %-d %b, %H:%M"));

      if (i > 0)
        g_string_append (text, lines ? "\n" : " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%s: %u message",
                                                 "%s: %u messages", day->count),
                              g_strstrip (when), day->count);
    }

  return g_string_free (text, FALSE);
}
