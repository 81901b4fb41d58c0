/* ep-table-date.c: a cell's date written in another pattern
 *
 * For the template filter {{ due | date: "%d %B %Y" }}: the value under
 * the cell's format (ep_table_get_raw_value: ISO 8601 for XLSX and ODS
 * dates), or a date typed as text in a CSV (2024-03-19 or 19.03.2024),
 * written with month and day names of the table's locale (ICU's data,
 * not the C library's, which may not have the locale generated).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-table-private.h"

typedef struct
{
  int      year, month, day;
  int      hour, minute, second;
  gboolean has_date;
} DateValue;

static gboolean
read_number (const char **p,
             int          min_digits,
             int          max_digits,
             int         *out)
{
  int n = 0, value = 0;

  while (n < max_digits && g_ascii_isdigit ((*p)[n]))
    {
      value = value * 10 + ((*p)[n] - '0');
      n++;
    }
  if (n < min_digits)
    return FALSE;
  *p += n;
  *out = value;
  return TRUE;
}

static gboolean
read_time (const char **p,
           DateValue   *d)
{
  if (!read_number (p, 1, 2, &d->hour) || **p != ':')
    return FALSE;
  (*p)++;
  if (!read_number (p, 2, 2, &d->minute))
    return FALSE;
  if (**p == ':')
    {
      (*p)++;
      if (!read_number (p, 2, 2, &d->second))
        return FALSE;
      /* Fractions of a second are not written by any pattern here. */
      if (**p == '.' || **p == ',')
        for ((*p)++; g_ascii_isdigit (**p); (*p)++)
          ;
    }
  return d->hour < 24 && d->minute < 60 && d->second < 61;
}

static gboolean
parse_value (const char *text,
             DateValue  *d)
{
  const char *p = text;
  int a, b, c;

  memset (d, 0, sizeof *d);
  while (*p == ' ')
    p++;

  /* A time of day alone: 14:30, 14:30:05 */
  if (read_number (&p, 1, 2, &a) && *p == ':')
    {
      p = text;
      while (*p == ' ')
        p++;
      if (!read_time (&p, d))
        return FALSE;
    }
  else
    {
      p = text;
      while (*p == ' ')
        p++;
      if (!read_number (&p, 1, 4, &a))
        return FALSE;
      if (*p == '-')              /* 2024-03-19 */
        {
          p++;
          if (!read_number (&p, 1, 2, &b) || *p++ != '-' || !read_number (&p, 1, 2, &c))
            return FALSE;
          d->year = a, d->month = b, d->day = c;
        }
      else if (*p == '.')         /* 19.03.2024 */
        {
          p++;
          if (!read_number (&p, 1, 2, &b) || *p++ != '.' || !read_number (&p, 4, 4, &c))
            return FALSE;
          d->year = c, d->month = b, d->day = a;
        }
      else
        return FALSE;
      d->has_date = TRUE;
      if (*p == 'T' || *p == ' ')
        {
          p++;
          if (*p != '\0' && !read_time (&p, d))
            return FALSE;
        }
      if (!g_date_valid_dmy (d->day, d->month, d->year))
        return FALSE;
    }

  while (*p == ' ')
    p++;
  return *p == '\0';
}

/* The conversions a pattern may use; NULL when @c is none of them. */
static const char *
conversion_kind (char c)
{
  switch (c)
    {
    case 'd': case 'e': case 'm': case 'B': case 'b': case 'Y': case 'y':
    case 'A': case 'a': case 'j':
      return "date";
    case 'H': case 'I': case 'M': case 'S': case 'p':
      return "time";
    case '%':
      return "";
    default:
      return NULL;
    }
}

gboolean
ep_table_check_date_format (const char  *format,
                            GError     **error)
{
  g_return_val_if_fail (format != NULL, FALSE);

  /* What is copied through and named in errors is always text. */
  if (!g_utf8_validate (format, -1, NULL))
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED,
                           _("The date pattern is not valid UTF-8 text"));
      return FALSE;
    }
  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p != '%')
        continue;
      p++;
      if (*p == '-')
        p++;
      if (*p == '\0' || conversion_kind (*p) == NULL)
        {
          g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED,
                       _("“%%%c” is not a date pattern; use %%d, %%e, %%m, %%B, %%b, %%Y, "
                         "%%y, %%A, %%a, %%H, %%I, %%M, %%S or %%p"),
                       g_ascii_isgraph (*p) ? *p : ' ');
          return FALSE;
        }
    }
  return TRUE;
}

char *
ep_table_format_date (EpTable     *table,
                      const char  *value,
                      const char  *format,
                      GError     **error)
{
  const EpTableLocale *names;
  g_autoptr(GString) out = g_string_new (NULL);
  DateValue d;
  GDate date;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  if (!ep_table_check_date_format (format, error))
    return NULL;
  if (!parse_value (value, &d))
    {
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED,
                   _("“%s” is not a date (a spreadsheet date, or text such as 2024-03-19 "
                     "or 19.03.2024)"), value);
      return NULL;
    }
  names = _ep_table_locale_get (table != NULL ? ep_table_get_locale (table) : NULL);
  if (d.has_date)
    g_date_set_dmy (&date, d.day, d.month, d.year);

  for (const char *p = format; *p != '\0'; p++)
    {
      gboolean pad = TRUE;
      int weekday;

      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      if (*p == '-')
        {
          pad = FALSE;
          p++;
        }
      if (g_str_equal (conversion_kind (*p), "date") && !d.has_date)
        {
          g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED,
                       _("“%s” is a time of day, with no date for “%%%c”"), value, *p);
          return NULL;
        }
      weekday = d.has_date ? g_date_get_weekday (&date) % 7 : 0;  /* from Sunday */
      switch (*p)
        {
        case 'd': g_string_append_printf (out, pad ? "%02d" : "%d", d.day); break;
        case 'e': g_string_append_printf (out, "%d", d.day); break;
        case 'm': g_string_append_printf (out, pad ? "%02d" : "%d", d.month); break;
        case 'B': g_string_append (out, names->months[d.month - 1]); break;
        case 'b': g_string_append (out, names->months_abbr[d.month - 1]); break;
        case 'Y': g_string_append_printf (out, "%04d", d.year); break;
        case 'y': g_string_append_printf (out, "%02d", d.year % 100); break;
        case 'A': g_string_append (out, names->days[weekday]); break;
        case 'a': g_string_append (out, names->days_abbr[weekday]); break;
        case 'j': g_string_append_printf (out, pad ? "%03u" : "%u", g_date_get_day_of_year (&date)); break;
        case 'H': g_string_append_printf (out, pad ? "%02d" : "%d", d.hour); break;
        case 'I': g_string_append_printf (out, pad ? "%02d" : "%d", (d.hour + 11) % 12 + 1); break;
        case 'M': g_string_append_printf (out, "%02d", d.minute); break;
        case 'S': g_string_append_printf (out, "%02d", d.second); break;
        case 'p': g_string_append (out, d.hour < 12 ? names->am : names->pm); break;
        case '%': g_string_append_c (out, '%'); break;
        default: g_assert_not_reached ();
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
