/* ep-send-window.c: the hours and days a spread campaign may send in
 *
 * A window is local wall time (weekdays 08:00–18:00 means that in the
 * zone the person lives in, summer and winter). It is only ever asked
 * "is this instant inside?" and "when does it next open?", so a day that
 * is 23 or 25 hours long needs nothing special: each day's opening and
 * closing are made from that day's date.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-send-window"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ep-send-window.h"
#include "ep-schedule-time.h"

gboolean
ep_send_window_is_set (const EpSendWindow *window)
{
  g_return_val_if_fail (window != NULL, FALSE);

  return window->start >= 0 ||
         (window->days != 0 && (window->days & EP_SEND_WINDOW_ALL_DAYS) != EP_SEND_WINDOW_ALL_DAYS);
}

/* "8", "08:00", "8:30", "24:00": minutes after midnight, or -1. */
static int
parse_clock (const char *text)
{
  unsigned hours = 0, minutes = 0;
  int used = 0;

  if (sscanf (text, "%2u:%2u%n", &hours, &minutes, &used) == 2 && text[used] == '\0')
    ;
  else if (sscanf (text, "%2u%n", &hours, &used) == 1 && text[used] == '\0')
    minutes = 0;
  else
    return -1;
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0))
    return -1;
  return hours * 60 + minutes;
}

gboolean
ep_send_window_parse_hours (const char    *text,
                            EpSendWindow  *window,
                            GError       **error)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) parts = NULL;
  int start, end;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (window != NULL, FALSE);

  copy = g_strstrip (g_strdup (text));
  /* An en dash is what people (and typographers) write. */
  parts = strstr (copy, "\u2013") ? g_strsplit (copy, "\u2013", 2) : g_strsplit (copy, "-", 2);
  if (g_strv_length (parts) != 2 ||
      (start = parse_clock (g_strstrip (parts[0]))) < 0 ||
      (end = parse_clock (g_strstrip (parts[1]))) < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a sending window: write it as 08:00-18:00"), text);
      return FALSE;
    }
  if (end <= start)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The sending window “%s” ends before it begins: write it as 08:00-18:00, "
                     "within one day"), text);
      return FALSE;
    }
  window->start = start;
  window->end = end;
  return TRUE;
}

static gboolean
day_allowed (const EpSendWindow *window,
             GDateTime          *day)
{
  guint days = window->days != 0 ? window->days : EP_SEND_WINDOW_ALL_DAYS;

  return (days & (1u << (g_date_time_get_day_of_week (day) - 1))) != 0;
}

/* That day's local wall time @minutes after midnight (1440: the next
 * midnight). g_date_time_new () moves a time the clocks skip forward. */
static gint64
day_at (GTimeZone *zone,
        GDateTime *day,
        int        minutes)
{
  g_autoptr(GDateTime) dt = NULL;

  if (minutes >= 1440)
    {
      g_autoptr(GDateTime) next = g_date_time_add_days (day, 1);

      dt = g_date_time_new (zone, g_date_time_get_year (next), g_date_time_get_month (next),
                            g_date_time_get_day_of_month (next), 0, 0, 0);
    }
  else
    dt = g_date_time_new (zone, g_date_time_get_year (day), g_date_time_get_month (day),
                          g_date_time_get_day_of_month (day), minutes / 60, minutes % 60, 0);
  return g_date_time_to_unix (dt);
}

gint64
ep_send_window_next_open (const EpSendWindow *window,
                          GTimeZone          *zone,
                          gint64              t)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) midnight = NULL;

  g_return_val_if_fail (window != NULL, t);

  if (!ep_send_window_is_set (window))
    return t;
  if (zone == NULL)
    zone = local = g_time_zone_new_local ();

  now = g_date_time_new_from_unix_utc (t);
  if (now == NULL)
    return t;
  {
    g_autoptr(GDateTime) here = g_date_time_to_timezone (now, zone);

    midnight = g_date_time_new (zone, g_date_time_get_year (here), g_date_time_get_month (here),
                                g_date_time_get_day_of_month (here), 0, 0, 0);
  }

  /* Today, or one of the next seven days, has an allowed day. */
  for (int i = 0; i < 8; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (midnight, i);
      gint64 open, close;

      if (!day_allowed (window, day))
        continue;
      open = day_at (zone, day, window->start >= 0 ? window->start : 0);
      close = day_at (zone, day, window->start >= 0 ? window->end : 1440);
      if (t < close)
        return MAX (t, open);
    }

  return t;
}

gboolean
ep_send_window_contains (const EpSendWindow *window,
                         GTimeZone          *zone,
                         gint64              t)
{
  return ep_send_window_next_open (window, zone, t) == t;
}

char *
ep_send_window_describe (const EpSendWindow *window)
{
  g_autoptr(GString) some = NULL;
  guint days;
  const char *which;

  g_return_val_if_fail (window != NULL, NULL);

  days = window->days != 0 ? window->days & EP_SEND_WINDOW_ALL_DAYS : EP_SEND_WINDOW_ALL_DAYS;
  if (days == EP_SEND_WINDOW_ALL_DAYS)
    which = _("every day");
  else if (days == EP_SEND_WINDOW_WEEKDAYS)
    which = _("weekdays");
  else
    {
      /* "Mon, Wed, Fri": the names of the days of 2024-01-01 (a Monday) on. */
      some = g_string_new (NULL);
      for (int i = 0; i < 7; i++)
        if (days & (1u << i))
          {
            g_autoptr(GDateTime) day = g_date_time_new_utc (2024, 1, 1 + i, 12, 0, 0);
            g_autofree char *name = g_date_time_format (day, "%a");

            if (some->len > 0)
              g_string_append (some, ", ");
            g_string_append (some, name);
          }
      which = some->str;
    }

  if (window->start < 0)
    return g_strdup (which);
  /* TRANSLATORS: "weekdays, 08:00–18:00" */
  return g_strdup_printf (_("%s, %02d:%02d–%02d:%02d"), which,
                          window->start / 60, window->start % 60,
                          window->end / 60, window->end % 60);
}
