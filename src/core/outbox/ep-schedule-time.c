/* ep-schedule-time.c: send times as people and scripts write them
 *
 * Times are stored as unix seconds (UTC) and shown in local time. A local
 * wall time is turned into an instant only when exactly one instant has
 * that wall time in the zone: one skipped when the clocks go forward, or
 * repeated when they go back, is refused with a message that says what to
 * write instead. (GLib itself would shift it: g_date_time_new() makes
 * 02:30 in a gap 03:00 and takes the standard-time one of a repeated
 * time.)
 *
 * How g_time_zone_find_interval() answers for a local time, measured on
 * GLib 2.74 with Europe/Berlin, America/New_York, Australia/Lord_Howe
 * (30 min shift) and Europe/Moscow 2011/2014 (a change of the standard
 * offset, both sides is_dst = FALSE):
 *  - an ordinary time: the same interval for STANDARD and DAYLIGHT;
 *  - a time in a gap: -1 for both;
 *  - a repeated time: two different intervals, one per type asked for,
 *    also when neither side is daylight time (the type then only picks
 *    the earlier or the later of the two).
 * So both types are asked, and each answer is kept only if converting
 * back (UNIVERSAL) gives the same offset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-schedule-time"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ep-schedule-time.h"

typedef struct
{
  int year;
  int month;
  int day;
  int hour;
  int minute;
  int second;
} WallTime;

G_DEFINE_QUARK (ep-schedule-time-error-quark, ep_schedule_time_error)

static gboolean
wall_time_is_valid (const WallTime *wt)
{
  return wt->year >= 1 && wt->year <= 9999 &&
         wt->month >= 1 && wt->month <= 12 &&
         wt->day >= 1 &&
         wt->day <= g_date_get_days_in_month ((GDateMonth) wt->month, (GDateYear) wt->year) &&
         wt->hour >= 0 && wt->hour <= 23 &&
         wt->minute >= 0 && wt->minute <= 59 &&
         wt->second >= 0 && wt->second <= 59;
}

/* The wall time as seconds, as if it were UTC. */
static gint64
wall_time_to_seconds (const WallTime *wt)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (wt->year, wt->month, wt->day,
                                                 wt->hour, wt->minute, wt->second);

  g_assert (dt != NULL);
  return g_date_time_to_unix (dt);
}

/* "2026-10-25 02:30", with ":SS" when there are seconds. */
static char *
wall_time_to_string (const WallTime *wt)
{
  if (wt->second != 0)
    return g_strdup_printf ("%04d-%02d-%02d %02d:%02d:%02d", wt->year, wt->month, wt->day,
                            wt->hour, wt->minute, wt->second);
  return g_strdup_printf ("%04d-%02d-%02d %02d:%02d", wt->year, wt->month, wt->day,
                          wt->hour, wt->minute);
}

/* "+02:00", "-05:00", "+10:30". */
static char *
offset_to_string (gint32 offset)
{
  gint32 minutes = ABS (offset) / 60;

  return g_strdup_printf ("%c%02d:%02d", offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

/* "02:00": the wall clock at @seconds (wall seconds, as if UTC), with
 * the date when @other_day (a gap that skips midnight or a whole day). */
static char *
clock_to_string (gint64   seconds,
                 gboolean other_day)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (seconds);

  if (dt == NULL)
    return g_strdup ("?");
  return g_date_time_format (dt, other_day ? "%Y-%m-%d %H:%M" : "%H:%M");
}

static const char *
zone_name (GTimeZone *zone)
{
  const char *name = g_time_zone_get_identifier (zone);

  return name != NULL && *name != '\0' ? name : _("the local time zone");
}

/* The offset in force at the instant @t. */
static gint32
offset_at (GTimeZone *zone,
           gint64     t)
{
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, t);

  return interval >= 0 ? g_time_zone_get_offset (zone, interval) : G_MININT32;
}

static void
set_nonexistent_error (GTimeZone      *zone,
                       const WallTime *wt,
                       gint64          wall,
                       GError        **error)
{
  g_autofree char *when = wall_time_to_string (wt);
  gint64 start = wall;
  int after;
  gint32 offset_after;
  gint32 offset_before;
  gint64 transition;

  /* adjust_time() moves a time in a gap to the first wall time after it
   * (02:30 → 03:00): that gives the transition and the offsets around it. */
  after = g_time_zone_adjust_time (zone, G_TIME_TYPE_STANDARD, &start);
  offset_after = g_time_zone_get_offset (zone, after);
  transition = start - offset_after;
  offset_before = offset_at (zone, transition - 1);

  if (offset_at (zone, transition) == offset_after &&
      offset_before != G_MININT32 && offset_before < offset_after &&
      transition + offset_before <= wall && wall < transition + offset_after)
    {
      gint64 from_wall = transition + offset_before;
      gint64 to_wall = transition + offset_after;
      /* A gap that skips a date (Pacific/Apia, 2011-12-30) names them. */
      gboolean other_day = from_wall / 86400 != to_wall / 86400;
      g_autofree char *from = clock_to_string (from_wall, other_day);
      g_autofree char *to = clock_to_string (to_wall, other_day);

      g_set_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_NONEXISTENT,
                   /* Translators: "2026-03-29 02:30 does not exist in Europe/Berlin
                    * (clocks go forward from 02:00 to 03:00): choose another time" */
                   _("%s does not exist in %s (clocks go forward from %s to %s): "
                     "choose another time"),
                   when, zone_name (zone), from, to);
    }
  else
    {
      g_set_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_NONEXISTENT,
                   /* Translators: "2026-03-29 02:30 does not exist in Europe/Berlin
                    * (clocks go forward): choose another time" */
                   _("%s does not exist in %s (clocks go forward): choose another time"),
                   when, zone_name (zone));
    }
}

/* The one instant whose wall time in @zone is @wt, or an error. */
static gboolean
resolve_local (GTimeZone      *zone,
               const WallTime *wt,
               gint64         *unix_time,
               GError        **error)
{
  static const GTimeType types[] = { G_TIME_TYPE_STANDARD, G_TIME_TYPE_DAYLIGHT };
  g_autoptr(GTimeZone) local = zone == NULL ? g_time_zone_new_local () : NULL;
  gint64 wall = wall_time_to_seconds (wt);
  gint64 instants[G_N_ELEMENTS (types)];
  gint32 offsets[G_N_ELEMENTS (types)];
  guint n = 0;

  if (zone == NULL)
    zone = local;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      int interval = g_time_zone_find_interval (zone, types[i], wall);
      gint32 offset;
      gint64 t;

      if (interval < 0)
        continue;
      offset = g_time_zone_get_offset (zone, interval);
      t = wall - offset;
      if (offset_at (zone, t) != offset || (n > 0 && instants[0] == t))
        continue;
      instants[n] = t;
      offsets[n] = offset;
      n++;
    }

  if (n == 0)
    {
      set_nonexistent_error (zone, wt, wall, error);
      return FALSE;
    }

  if (n > 1)
    {
      g_autofree char *when = wall_time_to_string (wt);
      /* The earlier instant has the larger offset. */
      guint first = instants[0] < instants[1] ? 0 : 1;
      g_autofree char *earlier = offset_to_string (offsets[first]);
      g_autofree char *later = offset_to_string (offsets[1 - first]);

      g_set_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_AMBIGUOUS,
                   /* Translators: "2026-10-25 02:30 happens twice in Europe/Berlin
                    * (clocks go back): give the offset, +02:00 or +01:00" */
                   _("%s happens twice in %s (clocks go back): give the offset, %s or %s"),
                   when, zone_name (zone), earlier, later);
      return FALSE;
    }

  *unix_time = instants[0];
  return TRUE;
}

/* Reads @min_digits to @max_digits decimal digits. */
static gboolean
read_number (const char **p,
             guint        min_digits,
             guint        max_digits,
             int         *value)
{
  guint n = 0;
  int v = 0;

  while (n < max_digits && g_ascii_isdigit ((*p)[n]))
    {
      v = v * 10 + g_ascii_digit_value ((*p)[n]);
      n++;
    }
  if (n < min_digits)
    return FALSE;

  *p += n;
  *value = v;
  return TRUE;
}

static gboolean
read_char (const char **p,
           char         c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* "Z", "+01:00", "+0100", "+01", "-05:00"… */
static gboolean
read_offset (const char **p,
             gint32      *offset)
{
  int sign;
  int hours;
  int minutes = 0;

  if (**p == 'Z' || **p == 'z')
    {
      (*p)++;
      *offset = 0;
      return TRUE;
    }

  if (**p == '+')
    sign = 1;
  else if (**p == '-')
    sign = -1;
  else
    return FALSE;
  (*p)++;

  if (!read_number (p, 2, 2, &hours))
    return FALSE;
  if (**p == ':')
    {
      (*p)++;
      if (!read_number (p, 2, 2, &minutes))
        return FALSE;
    }
  else if (g_ascii_isdigit (**p) && !read_number (p, 2, 2, &minutes))
    {
      return FALSE;
    }

  if (hours > 23 || minutes > 59)
    return FALSE;

  *offset = sign * (hours * 3600 + minutes * 60);
  return TRUE;
}

/* The grammar of ep_schedule_time_parse(); TRUE with @has_offset unset
 * for a local time. Ranges are checked by the caller. */
static gboolean
read_date_time (const char *text,
                WallTime   *wt,
                gboolean   *has_offset,
                gint32     *offset)
{
  const char *p = text;

  memset (wt, 0, sizeof *wt);
  *has_offset = FALSE;

  if (!read_number (&p, 4, 4, &wt->year) || !read_char (&p, '-') ||
      !read_number (&p, 1, 2, &wt->month) || !read_char (&p, '-') ||
      !read_number (&p, 1, 2, &wt->day))
    return FALSE;

  if (*p == 'T' || *p == 't')
    p++;
  else if (*p == ' ')
    while (*p == ' ')
      p++;
  else
    return FALSE;

  if (!read_number (&p, 1, 2, &wt->hour) || !read_char (&p, ':') ||
      !read_number (&p, 2, 2, &wt->minute))
    return FALSE;
  if (read_char (&p, ':') && !read_number (&p, 2, 2, &wt->second))
    return FALSE;

  while (*p == ' ')
    p++;
  if (*p != '\0')
    {
      if (!read_offset (&p, offset))
        return FALSE;
      *has_offset = TRUE;
    }

  return *p == '\0';
}

gboolean
ep_schedule_time_parse (const char  *text,
                        GTimeZone   *zone,
                        gint64      *unix_time,
                        GError     **error)
{
  g_autofree char *copy = NULL;
  WallTime wt;
  gboolean has_offset;
  gint32 offset = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (unix_time != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    {
      g_set_error_literal (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_INVALID,
                           _("No send time given: write it as 2026-12-24 08:00"));
      return FALSE;
    }

  if (!read_date_time (copy, &wt, &has_offset, &offset))
    {
      g_set_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_INVALID,
                   /* Translators: the example times are ISO 8601 and stay as they are */
                   _("“%s” is not a date and time: write it as 2026-12-24 08:00, "
                     "or 2026-12-24T08:00+01:00 with an offset"),
                   copy);
      return FALSE;
    }

  if (!wall_time_is_valid (&wt))
    {
      g_set_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_INVALID,
                   _("“%s” is not a valid date and time"), copy);
      return FALSE;
    }

  if (has_offset)
    {
      *unix_time = wall_time_to_seconds (&wt) - offset;
      return TRUE;
    }

  return resolve_local (zone, &wt, unix_time, error);
}

gboolean
ep_schedule_time_from_local (GTimeZone  *zone,
                             int         year,
                             int         month,
                             int         day,
                             int         hour,
                             int         minute,
                             gint64     *unix_time,
                             GError    **error)
{
  WallTime wt = { year, month, day, hour, minute, 0 };

  g_return_val_if_fail (unix_time != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!wall_time_is_valid (&wt))
    {
      g_autofree char *when = wall_time_to_string (&wt);

      g_set_error (error, EP_SCHEDULE_TIME_ERROR, EP_SCHEDULE_TIME_ERROR_INVALID,
                   _("“%s” is not a valid date and time"), when);
      return FALSE;
    }

  return resolve_local (zone, &wt, unix_time, error);
}

char *
ep_schedule_time_format (gint64     unix_time,
                         GTimeZone *zone)
{
  g_autoptr(GTimeZone) local = zone == NULL ? g_time_zone_new_local () : NULL;
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) dt = NULL;
  char *text;

  if (utc == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, unix_time);

  dt = g_date_time_to_timezone (utc, zone != NULL ? zone : local);
  if (dt == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, unix_time);

  /* Translators: a scheduled send time in g_date_time_format() notation,
   * "Thu 24 Dec 2026, 08:00 CET"; %Z is the time zone's abbreviation */
  text = g_date_time_format (dt, _("%a %-d %b %Y, %H:%M %Z"));
  if (text == NULL)  /* a broken translation */
    text = g_date_time_format (dt, "%a %-d %b %Y, %H:%M %Z");

  return text;
}

char *
ep_schedule_time_describe_lateness (gint64 scheduled,
                                    gint64 actual)
{
  gint64 late = actual - scheduled;
  guint minutes;
  guint hours;
  guint days;
  g_autofree char *big = NULL;
  g_autofree char *small = NULL;
  g_autofree char *duration = NULL;

  if (late < 60)
    return g_strdup (_("on time"));

  late /= 60;
  minutes = (guint) (late % 60);
  hours = (guint) (late / 60 % 24);
  days = (guint) MIN (late / (60 * 24), G_MAXUINT);

  if (days > 0)
    {
      /* A day late, the minutes no longer matter. */
      big = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", days), days);
      if (hours > 0)
        small = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u h", "%u h", hours), hours);
    }
  else if (hours > 0)
    {
      big = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u h", "%u h", hours), hours);
      if (minutes > 0)
        small = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u min", "%u min", minutes),
                                 minutes);
    }
  else
    {
      big = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u min", "%u min", minutes), minutes);
    }

  if (small != NULL)
    /* Translators: a duration in two parts, "2 h" and "10 min" */
    duration = g_strdup_printf (C_("duration", "%s %s"), big, small);
  else
    duration = g_steal_pointer (&big);

  /* Translators: "2 h 10 min late": how long after its time it was sent */
  return g_strdup_printf (_("%s late"), duration);
}
