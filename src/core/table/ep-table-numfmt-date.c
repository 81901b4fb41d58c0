/* ep-table-numfmt-date.c: a date or time number format section, shown
 *
 * y yy yyyy, m mm mmm mmmm mmmmm, d dd ddd dddd, h hh, mm and ss as
 * minutes and seconds, .0 fractions, AM/PM and A/P, the elapsed [h] [mm]
 * [ss]; month and day names in the section's [$-407] locale, else the
 * reader's. Excel's serials: days from 1899-12-30 (with its 29 February
 * 1900), or from 1904-01-01.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <math.h>

#include "ep-table-numfmt-private.h"

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void
civil_from_days (gint64  z,
                 int    *year,
                 int    *month,
                 int    *day)
{
  gint64 era, yoe, y, doy, mp;
  guint64 doe;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (guint64) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = (int) (y + (*month <= 2));
}

/* A serial date and time in the section's pattern; FALSE if out of range. */
gboolean
_ep_num_fmt_render_date (const Section       *s,
                         double               serial,
                         gboolean             date1904,
                         const EpTableLocale *locale,
                         GString             *out)
{
  const EpTableLocale *names = s->names != NULL ? s->names : locale;
  gint64 units_per_day = 86400, days, units, seconds, sub;
  int year = 1900, month = 2, day = 29, weekday, hour, pow10 = 1;

  /* Excel has no dates before 1900, but LibreOffice and openpyxl write
   * them as negative serials from 1899-12-30: 0001-01-01 to 9999-12-31. */
  if (!isfinite (serial) || serial < -693593 || serial >= 2958466)
    return FALSE;

  for (int i = 0; i < MIN (s->subsecond, 6); i++)
    pow10 *= 10;
  units_per_day *= pow10;
  days = (gint64) floor (serial);
  units = (gint64) llround ((serial - floor (serial)) * (double) units_per_day);
  if (units >= units_per_day)
    {
      days++;
      units -= units_per_day;
    }
  seconds = units / pow10;
  sub = units % pow10;
  hour = (int) (seconds / 3600);

  if (date1904)
    civil_from_days (days - 24107, &year, &month, &day);          /* 1904-01-01 */
  else if (days >= 61 || days < 0)
    civil_from_days (days - 25569, &year, &month, &day);          /* 1899-12-30 */
  else if (days != 60)
    civil_from_days (days - 25568, &year, &month, &day);          /* 1899-12-31 */
  weekday = (int) ((((days - (date1904 ? 24107 : 25569)) + 4) % 7 + 7) % 7);

  for (guint i = 0; i < s->toks->len; i++)
    {
      const Tok *tok = &g_array_index (s->toks, Tok, i);

      switch (tok->kind)
        {
        case TOK_LITERAL:
          g_string_append (out, tok->text);
          break;
        case TOK_POINT:
          g_string_append_c (out, '.');
          break;
        case TOK_COMMA:
          g_string_append_c (out, ',');
          break;
        case TOK_DATE_SEP:
          g_string_append (out, names->date_sep);
          break;
        case TOK_YEAR:
          if (tok->width == 2)
            g_string_append_printf (out, "%02d", year % 100);
          else
            g_string_append_printf (out, "%04d", year);
          break;
        case TOK_MONTH:
          if (tok->width <= 2)
            g_string_append_printf (out, "%0*d", tok->width, month);
          else if (tok->width == 3)
            g_string_append (out, names->months_abbr[month - 1]);
          else if (tok->width == 4)
            g_string_append (out, names->months[month - 1]);
          else
            g_string_append_unichar (out, g_utf8_get_char (names->months[month - 1]));
          break;
        case TOK_DAY:
          if (tok->width <= 2)
            g_string_append_printf (out, "%0*d", tok->width, day);
          else if (tok->width == 3)
            g_string_append (out, names->days_abbr[weekday]);
          else
            g_string_append (out, names->days[weekday]);
          break;
        case TOK_HOUR:
          {
            int h = hour;

            if (s->has_ampm)
              h = h % 12 == 0 ? 12 : h % 12;
            g_string_append_printf (out, "%0*d", tok->width, h);
          }
          break;
        case TOK_MINUTE:
          g_string_append_printf (out, "%0*d", tok->width, (int) (seconds / 60 % 60));
          break;
        case TOK_SECOND:
          g_string_append_printf (out, "%0*d", tok->width, (int) (seconds % 60));
          break;
        case TOK_SUBSECOND:
          {
            char digits[8];

            g_snprintf (digits, sizeof digits, "%0*d", MIN (s->subsecond, 6), (int) sub);
            g_string_append (out, locale->decimal);
            g_string_append_len (out, digits, MIN (tok->width, 6));
          }
          break;
        case TOK_AMPM:
          if (tok->text[1] == '/')
            {
              /* A/P: the letter in the code's own case. */
              g_string_append_c (out, hour < 12 ? tok->text[0] : tok->text[2]);
            }
          else
            g_string_append (out, hour < 12 ? names->am : names->pm);
          break;
        case TOK_ELAPSED_H:
          g_string_append_printf (out, "%0*" G_GINT64_FORMAT, tok->width,
                                  days * 24 + seconds / 3600);
          break;
        case TOK_ELAPSED_M:
          g_string_append_printf (out, "%0*" G_GINT64_FORMAT, tok->width,
                                  days * 1440 + seconds / 60);
          break;
        case TOK_ELAPSED_S:
          g_string_append_printf (out, "%0*" G_GINT64_FORMAT, tok->width,
                                  days * 86400 + seconds);
          break;
        default:
          break;
        }
    }
  return TRUE;
}

/* A serial as ISO 8601: the date, the date and time, or (for a time of
 * day under a format without a date) the time; FALSE if out of range. */
gboolean
_ep_num_fmt_serial_to_iso (const Section *s,
                           double         serial,
                           gboolean       date1904,
                           GString       *out)
{
  gint64 days, seconds;
  int year = 1900, month = 2, day = 29;
  gboolean has_date = FALSE;

  if (!isfinite (serial) || serial < -693593 || serial >= 2958466)
    return FALSE;

  days = (gint64) floor (serial);
  seconds = (gint64) llround ((serial - floor (serial)) * 86400.0);
  if (seconds >= 86400)
    {
      days++;
      seconds -= 86400;
    }
  for (guint i = 0; i < s->toks->len; i++)
    {
      TokKind kind = g_array_index (s->toks, Tok, i).kind;

      if (kind == TOK_YEAR || kind == TOK_MONTH || kind == TOK_DAY)
        has_date = TRUE;
    }

  g_string_truncate (out, 0);
  if (!has_date && days == 0)
    {
      g_string_append_printf (out, "%02d:%02d:%02d", (int) (seconds / 3600),
                              (int) (seconds / 60 % 60), (int) (seconds % 60));
      return TRUE;
    }

  if (date1904)
    civil_from_days (days - 24107, &year, &month, &day);
  else if (days >= 61 || days < 0)
    civil_from_days (days - 25569, &year, &month, &day);
  else if (days != 60)
    civil_from_days (days - 25568, &year, &month, &day);
  g_string_append_printf (out, "%04d-%02d-%02d", year, month, day);
  if (seconds != 0)
    g_string_append_printf (out, "T%02d:%02d:%02d", (int) (seconds / 3600),
                            (int) (seconds / 60 % 60), (int) (seconds % 60));
  return TRUE;
}
