/* ep-table-numfmt.c: what a spreadsheet number format shows
 *
 * A format code ("yyyy-mm-dd", "0%", "#,##0.00 \"€\"") decides how a
 * number cell reads. Dates and times come out as ISO 8601, percentages as
 * 25%, other numbers as in "General". A section made only of text shows
 * that text instead of the number: LibreOffice's boolean format
 * "TRUE";"TRUE";"FALSE" shows TRUE for 1 and FALSE for 0. Sections are
 * positive;negative;zero(;text), as in Excel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ep-table-private.h"

/* The end of the code element at @p: a quoted string, an escape, a
 * [bracket]; else the character. Never past the terminating NUL. */
static const char *
skip_element (const char *p)
{
  if (*p == '"')
    {
      const char *close = strchr (p + 1, '"');

      return close != NULL ? close + 1 : p + strlen (p);
    }
  if ((*p == '\\' || *p == '_' || *p == '*') && p[1] != '\0')
    return p + 2;
  if (*p == '[')
    {
      const char *close = strchr (p, ']');

      return close != NULL ? close + 1 : p + strlen (p);
    }
  return p + 1;
}

/* What a number format shows, from its code: date/time tokens outside
 * quotes, brackets and escapes; a % sign. */
static EpFmtKind
classify_format_code (const char *code)
{
  gboolean date = FALSE, time = FALSE, elapsed = FALSE, percent = FALSE, month = FALSE;

  for (const char *p = code; *p; p++)
    {
      char c = g_ascii_tolower (*p);

      if (*p == '"')
        {
          p = strchr (p + 1, '"');
          if (p == NULL)
            break;
          continue;
        }
      if (*p == '\\' || *p == '_' || *p == '*')
        {
          if (p[1] != '\0')
            p++;
          continue;
        }
      if (*p == '[')
        {
          /* [h], [mm], [ss]: elapsed time; [Red], [$€-407]: not. */
          const char *close = strchr (p, ']');

          if (close == NULL)
            break;
          if (close - p >= 2 && strchr ("hms", g_ascii_tolower (p[1])) != NULL)
            elapsed = time = TRUE;
          p = close;
          continue;
        }
      if (c == ';')
        break;   /* the first section decides */
      if (c == 'd' || c == 'y')
        date = TRUE;
      else if (c == 'm')
        month = TRUE;
      else if (c == 'h' || c == 's')
        time = TRUE;
      else if (c == '%')
        percent = TRUE;
    }

  /* m is minutes next to h or s, else the month. */
  if (month && !time)
    date = TRUE;
  if (date && time)
    return EP_FMT_DATETIME;
  if (date)
    return EP_FMT_DATE;
  if (elapsed)
    return EP_FMT_ELAPSED;
  if (time)
    return EP_FMT_TIME;
  if (percent)
    return EP_FMT_PERCENT;
  return EP_FMT_NONE;
}

static EpFmtKind
classify_builtin (guint id)
{
  if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) ||
      (id >= 50 && id <= 58))
    return EP_FMT_DATE;
  if (id == 46)
    return EP_FMT_ELAPSED;
  if ((id >= 18 && id <= 21) || id == 45 || id == 47 || id == 32 || id == 33)
    return EP_FMT_TIME;
  if (id == 22)
    return EP_FMT_DATETIME;
  if (id == 9 || id == 10)
    return EP_FMT_PERCENT;
  return EP_FMT_NONE;
}

/* The text a section shows when it has no digit, date or text
 * placeholder; NULL when it shows the number. [$€-407] shows its currency
 * symbol; colours, locales, padding (_x) and fills (*x) show nothing. */
static char *
section_literal (const char *start,
                 const char *end)
{
  GString *out = g_string_new (NULL);

  for (const char *p = start; p < end; p = skip_element (p))
    {
      if (*p == '"')
        {
          const char *close = strchr (p + 1, '"');

          if (close == NULL || close > end)
            close = end;
          g_string_append_len (out, p + 1, close - p - 1);
        }
      else if (*p == '\\' && p + 1 < end)
        g_string_append_c (out, p[1]);
      else if (*p == '[' && p[1] == '$')
        {
          const char *q = p + 2;

          while (q < end && *q != '-' && *q != ']')
            q++;
          g_string_append_len (out, p + 2, q - p - 2);
        }
      else if (*p == '[' || *p == '_' || *p == '*')
        continue;
      else if ((guchar) *p >= 0x80 || strchr ("$-+/():!^&'~{}<>= ", *p) != NULL)
        g_string_append_c (out, *p);
      else
        {
          g_string_free (out, TRUE);
          return NULL;
        }
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_condition (const char *p)
{
  return p[0] == '[' && (p[1] == '<' || p[1] == '>' || p[1] == '=');
}

/* Fills in the text sections of @fmt from @code. */
static void
read_sections (EpNumFmt   *fmt,
               const char *code)
{
  const char *start = code;
  const char *p = code;

  for (;;)
    {
      if (*p == ';' || *p == '\0')
        {
          if (fmt->n_sections < G_N_ELEMENTS (fmt->literal))
            fmt->literal[fmt->n_sections++] = section_literal (start, p);
          if (*p == '\0')
            break;
          start = ++p;
          continue;
        }
      if (is_condition (p))
        fmt->conditional = TRUE;
      p = skip_element (p);
    }

  /* An empty code is "General", not a format that shows nothing. */
  if (fmt->n_sections == 1 && fmt->literal[0] != NULL && *code == '\0')
    g_clear_pointer (&fmt->literal[0], g_free);

  /* [>100]"big";"small": which section applies is not by sign. */
  if (fmt->conditional)
    for (guint i = 0; i < G_N_ELEMENTS (fmt->literal); i++)
      g_clear_pointer (&fmt->literal[i], g_free);

  for (guint i = 0; i < fmt->n_sections; i++)
    if (fmt->literal[i] != NULL)
      fmt->has_literal = TRUE;

  if (fmt->n_sections == 1 && fmt->literal[0] != NULL)
    fmt->negative = g_strconcat ("-", fmt->literal[0], NULL);
}

EpNumFmt *
_ep_num_fmt_new (const char *code)
{
  EpNumFmt *fmt = g_new0 (EpNumFmt, 1);

  fmt->kind = classify_format_code (code);
  read_sections (fmt, code);

  return fmt;
}

EpNumFmt *
_ep_num_fmt_new_builtin (guint id)
{
  EpNumFmt *fmt = g_new0 (EpNumFmt, 1);

  fmt->kind = classify_builtin (id);
  fmt->n_sections = 1;

  return fmt;
}

void
_ep_num_fmt_free (EpNumFmt *fmt)
{
  if (fmt == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (fmt->literal); i++)
    g_free (fmt->literal[i]);
  g_free (fmt->negative);
  g_free (fmt);
}

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

/* An Excel serial date as ISO 8601; 1900 system with its 29 February. */
static const char *
format_serial (double     serial,
               EpFmtKind  kind,
               gboolean   date1904,
               char      *buf,
               gsize      len)
{
  gint64 days, seconds;
  int year = 1900, month = 2, day = 29;

  /* Excel has no dates before 1900, but LibreOffice and openpyxl write
   * them as negative serials from 1899-12-30: 0001-01-01 to 9999-12-31. */
  if (!isfinite (serial) || serial < -693593 || serial >= 2958466)
    return _ep_table_format_number (serial, buf, len);

  days = (gint64) floor (serial);
  seconds = (gint64) llround ((serial - floor (serial)) * 86400.0);
  if (seconds >= 86400)
    {
      days++;
      seconds -= 86400;
    }

  if (kind == EP_FMT_TIME || kind == EP_FMT_ELAPSED)
    {
      gint64 hours = seconds / 3600 + (kind == EP_FMT_ELAPSED ? days * 24 : 0);

      g_snprintf (buf, len, "%02d:%02d:%02d", (int) hours, (int) (seconds / 60 % 60),
                  (int) (seconds % 60));
      return buf;
    }

  if (date1904)
    civil_from_days (days - 24107, &year, &month, &day);          /* 1904-01-01 */
  else if (days >= 61 || days < 0)
    civil_from_days (days - 25569, &year, &month, &day);          /* 1899-12-30 */
  else if (days != 60)
    civil_from_days (days - 25568, &year, &month, &day);          /* 1899-12-31 */

  if (kind == EP_FMT_DATETIME)
    g_snprintf (buf, len, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
                (int) (seconds / 3600), (int) (seconds / 60 % 60), (int) (seconds % 60));
  else
    g_snprintf (buf, len, "%04d-%02d-%02d", year, month, day);
  return buf;
}

/* The section for @number: positive;negative;zero. */
static guint
section_of (const EpNumFmt *fmt,
            double          number)
{
  if (fmt->n_sections >= 3 && number == 0)
    return 2;
  if (fmt->n_sections >= 2 && number < 0)
    return 1;
  return 0;
}

const char *
_ep_num_fmt_render (const EpNumFmt *fmt,
                    const char     *text,
                    gboolean        date1904,
                    char           *buf,
                    gsize           len)
{
  char *end = NULL;
  double number;

  if (fmt == NULL || (fmt->kind == EP_FMT_NONE && !fmt->has_literal))
    return _ep_table_format_number_text (text, buf, len);

  number = g_ascii_strtod (text, &end);
  if (end == text)
    return text;

  if (fmt->has_literal)
    {
      guint section = section_of (fmt, number);

      if (fmt->literal[section] != NULL)
        return section == 0 && number < 0 ? fmt->negative : fmt->literal[section];
    }

  if (fmt->kind == EP_FMT_NONE)
    return _ep_table_format_number_text (text, buf, len);
  if (fmt->kind == EP_FMT_PERCENT)
    {
      char n[48];

      g_snprintf (buf, len, "%s%%", _ep_table_format_number (number * 100, n, sizeof n));
      return buf;
    }
  return format_serial (number, fmt->kind, date1904, buf, len);
}
