/* ep-table-numfmt.c: what a spreadsheet number format shows
 *
 * A cell in a workbook holds a number; its format code decides what a
 * person reads: "#,##0.00 \"€\"" shows 1234.5 as "1.234,50 €" in German,
 * "DD.MM.YYYY" shows 45370 as "19.03.2024". This renders the codes of
 * ECMA-376 §18.8.31 as LibreOffice and Excel display them:
 *
 * - sections positive;negative;zero;text, or chosen by [>100] conditions;
 * - digit placeholders 0 # ?, the decimal point, thousands separators
 *   and scaling commas, %, E+00, literal text ("kg", \k, [$€-407], _x as
 *   a space; [Red] and *x fills show nothing), General and @;
 * - dates and times: y yy yyyy, m mm mmm mmmm mmmmm, d dd ddd dddd, h hh,
 *   mm and ss as minutes and seconds, .0 fractions, AM/PM and A/P, and
 *   the elapsed [h] [mm] [ss].
 *
 * Date and time sections are shown by ep-table-numfmt-date.c.
 * Separators and names come from the locale (ep-table-locale.c); a
 * [$-407] in the code names the locale its month and day names are in.
 * Fractions (# ?/?) are not rendered: such a section shows the number as
 * General.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ep-table-numfmt-private.h"


/* ---- parsing ---------------------------------------------------------------- */

static void
add_tok (Section    *s,
         TokKind     kind,
         int         width,
         const char *text,
         gssize      len)
{
  Tok tok = { kind, width, text != NULL ? g_strndup (text, len) : NULL };

  /* Adjacent literals are one. */
  if (kind == TOK_LITERAL && s->toks->len > 0)
    {
      Tok *last = &g_array_index (s->toks, Tok, s->toks->len - 1);

      if (last->kind == TOK_LITERAL)
        {
          char *joined = g_strconcat (last->text, tok.text, NULL);

          g_free (last->text);
          g_free (tok.text);
          last->text = joined;
          return;
        }
    }
  g_array_append_val (s->toks, tok);
}

static int
run_length (const char *p,
            char        c)
{
  int n = 0;

  while (g_ascii_tolower (p[n]) == c)
    n++;
  return n;
}

/* [...] at @p (past the '['), up to @close: a condition, a currency or
 * locale, an elapsed time, or a colour (nothing). */
static void
parse_bracket (Section    *s,
               const char *p,
               const char *close)
{
  gsize len = close - p;
  char lower = g_ascii_tolower (*p);

  if (*p == '<' || *p == '>' || *p == '=')
    {
      const char *q = p + 1;

      if (*p == '<' && *q == '=')
        s->cond = COND_LE, q++;
      else if (*p == '<' && *q == '>')
        s->cond = COND_NE, q++;
      else if (*p == '>' && *q == '=')
        s->cond = COND_GE, q++;
      else
        s->cond = *p == '<' ? COND_LT : *p == '>' ? COND_GT : COND_EQ;
      s->cond_value = g_ascii_strtod (q, NULL);
      return;
    }
  if (*p == '$')
    {
      /* [$€-407]: the symbol, then the locale's id in hex. */
      const char *dash = memchr (p, '-', len);
      const char *end = dash != NULL ? dash : close;

      if (end > p + 1)
        add_tok (s, TOK_LITERAL, 0, p + 1, end - p - 1);
      if (dash != NULL)
        {
          guint lcid = (guint) g_ascii_strtoull (dash + 1, NULL, 16);

          if (lcid != 0)
            s->names = _ep_table_locale_for_lcid (lcid);
        }
      return;
    }
  if ((lower == 'h' || lower == 'm' || lower == 's') && run_length (p, lower) == (int) len)
    {
      s->is_date = TRUE;
      add_tok (s, lower == 'h' ? TOK_ELAPSED_H : lower == 'm' ? TOK_ELAPSED_M : TOK_ELAPSED_S,
               (int) len, NULL, 0);
    }
  /* [Red], [Color12], [DBNum1], [NatNum1]: nothing shown. */
}

/* m and mm are minutes after an hour or before a second. */
static void
resolve_minutes (Section *s)
{
  for (guint i = 0; i < s->toks->len; i++)
    {
      Tok *tok = &g_array_index (s->toks, Tok, i);

      if (tok->kind != TOK_MONTH || tok->width > 2)
        continue;
      for (int j = (int) i - 1; j >= 0; j--)
        {
          TokKind k = g_array_index (s->toks, Tok, j).kind;

          if (k == TOK_LITERAL)
            continue;
          if (k == TOK_HOUR || k == TOK_ELAPSED_H)
            tok->kind = TOK_MINUTE;
          break;
        }
      for (guint j = i + 1; tok->kind == TOK_MONTH && j < s->toks->len; j++)
        {
          TokKind k = g_array_index (s->toks, Tok, j).kind;

          if (k == TOK_LITERAL)
            continue;
          if (k == TOK_SECOND || k == TOK_ELAPSED_S)
            tok->kind = TOK_MINUTE;
          break;
        }
    }
}

/* Where each comma of a number section goes: a comma between integer
 * placeholders groups thousands, commas after the last one scale. */
static void
parse_commas (Section    *s,
              const char *start,
              const char *end)
{
  gboolean seen_digit = FALSE, after_point = FALSE;

  for (const char *p = start; p < end; p++)
    {
      if (*p == '"')
        {
          const char *close = memchr (p + 1, '"', end - p - 1);

          p = close != NULL ? close : end - 1;
        }
      else if ((*p == '\\' || *p == '_' || *p == '*') && p + 1 < end)
        p++;
      else if (*p == '[')
        {
          const char *close = memchr (p, ']', end - p);

          p = close != NULL ? close : end - 1;
        }
      else if (*p == '.')
        after_point = TRUE;
      else if (*p == '0' || *p == '#' || *p == '?')
        seen_digit = TRUE;
      else if (*p == ',' && seen_digit)
        {
          const char *q = p;

          while (q < end && *q == ',')
            q++;
          if (q < end && (*q == '0' || *q == '#' || *q == '?'))
            {
              if (!after_point)
                s->grouping = TRUE;
            }
          else
            s->scale += (int) (q - p);
          p = q - 1;
        }
    }
}

static void
parse_section (Section    *s,
               const char *start,
               const char *end)
{
  gboolean after_point = FALSE;
  const char *p = start;

  s->toks = g_array_new (FALSE, FALSE, sizeof (Tok));

  while (p < end)
    {
      char c = *p, lower = g_ascii_tolower (c);
      int n;

      if (c == '"')
        {
          const char *close = memchr (p + 1, '"', end - p - 1);

          if (close == NULL)
            close = end;
          add_tok (s, TOK_LITERAL, 0, p + 1, close - p - 1);
          p = close < end ? close + 1 : end;
        }
      else if (c == '\\' && p + 1 < end)
        {
          int len = g_utf8_skip[(guchar) p[1]];

          add_tok (s, TOK_LITERAL, 0, p + 1, MIN (len, end - p - 1));
          p += 1 + MIN (len, end - p - 1);
        }
      else if (c == '_' && p + 1 < end)
        {
          /* Room for the next character's width: a space. */
          add_tok (s, TOK_LITERAL, 0, " ", 1);
          p += 1 + MIN (g_utf8_skip[(guchar) p[1]], end - p - 1);
        }
      else if (c == '*' && p + 1 < end)
        p += 1 + MIN (g_utf8_skip[(guchar) p[1]], end - p - 1);   /* a fill */
      else if (c == '[')
        {
          const char *close = memchr (p, ']', end - p);

          if (close == NULL)
            break;
          parse_bracket (s, p + 1, close);
          p = close + 1;
        }
      else if (c == '0' || c == '#' || c == '?')
        {
          if (s->is_date && c == '0' && after_point)
            {
              /* ss.00: the seconds' fraction. */
              n = run_length (p, '0');
              add_tok (s, TOK_SUBSECOND, n, NULL, 0);
              s->subsecond = MAX (s->subsecond, n);
              p += n;
              continue;
            }
          add_tok (s, TOK_DIGIT, c, NULL, 0);
          if (after_point)
            s->n_decimals++;
          p++;
        }
      else if (c == '.')
        {
          gboolean seconds_before = s->toks->len > 0 &&
            g_array_index (s->toks, Tok, s->toks->len - 1).kind == TOK_SECOND;

          after_point = TRUE;
          if (s->is_date && seconds_before && p[1] == '0')
            {
              p++;
              continue;
            }
          add_tok (s, TOK_POINT, 0, NULL, 0);
          p++;
        }
      else if (c == ',')
        {
          add_tok (s, TOK_COMMA, 0, NULL, 0);
          p++;
        }
      else if (c == '%')
        {
          s->percent++;
          add_tok (s, TOK_PERCENT, 0, NULL, 0);
          p++;
        }
      else if (lower == 'e' && (p[1] == '+' || p[1] == '-') && !s->is_date)
        {
          const char *q = p + 2;

          while (q < end && (*q == '0' || *q == '#'))
            q++;
          add_tok (s, TOK_EXPONENT, (int) (q - p - 2), p + 1, 1);
          p = q;
        }
      else if (g_ascii_strncasecmp (p, "General", 7) == 0 && end - p >= 7)
        {
          add_tok (s, TOK_GENERAL, 0, NULL, 0);
          p += 7;
        }
      else if (c == '@')
        {
          add_tok (s, TOK_GENERAL, 0, NULL, 0);
          p++;
        }
      else if ((g_ascii_strncasecmp (p, "AM/PM", 5) == 0 && end - p >= 5) ||
               (g_ascii_strncasecmp (p, "A/P", 3) == 0 && end - p >= 3))
        {
          n = g_ascii_strncasecmp (p, "AM/PM", 5) == 0 && end - p >= 5 ? 5 : 3;
          add_tok (s, TOK_AMPM, 0, p, n);
          s->has_ampm = TRUE;
          s->is_date = TRUE;
          p += n;
        }
      else if (lower == 'y' || lower == 'e')
        {
          n = run_length (p, lower);
          add_tok (s, TOK_YEAR, lower == 'e' || n > 2 ? 4 : 2, NULL, 0);
          s->is_date = TRUE;
          p += n;
        }
      else if (lower == 'm')
        {
          n = run_length (p, 'm');
          add_tok (s, TOK_MONTH, MIN (n, 5), NULL, 0);
          s->is_date = TRUE;
          p += n;
        }
      else if (lower == 'd')
        {
          n = run_length (p, 'd');
          add_tok (s, TOK_DAY, MIN (n, 4), NULL, 0);
          s->is_date = TRUE;
          p += n;
        }
      else if (lower == 'h' || lower == 's')
        {
          n = run_length (p, lower);
          add_tok (s, lower == 'h' ? TOK_HOUR : TOK_SECOND, MIN (n, 2), NULL, 0);
          s->is_date = TRUE;
          p += n;
        }
      else if (c == '/' && s->is_date)
        {
          add_tok (s, TOK_DATE_SEP, 0, NULL, 0);
          p++;
        }
      else if (c == '/' && !s->is_date && s->toks->len > 0 &&
               g_array_index (s->toks, Tok, s->toks->len - 1).kind == TOK_DIGIT)
        {
          s->fraction = TRUE;
          p++;
        }
      else
        {
          int len = MIN (g_utf8_skip[(guchar) c], end - p);

          add_tok (s, TOK_LITERAL, 0, p, len);
          p += len;
        }
    }

  if (s->is_date)
    resolve_minutes (s);
  else
    parse_commas (s, start, end);
}

EpNumFmt *
_ep_num_fmt_new (const char          *code,
                 const EpTableLocale *locale)
{
  EpNumFmt *fmt = g_new0 (EpNumFmt, 1);
  const char *start = code;

  fmt->locale = locale;
  for (const char *p = code;; p++)
    {
      if (*p == '"')
        {
          const char *close = strchr (p + 1, '"');

          p = close != NULL ? close : p + strlen (p) - 1;
          continue;
        }
      if ((*p == '\\' || *p == '_' || *p == '*') && p[1] != '\0')
        {
          p++;
          continue;
        }
      if (*p != ';' && *p != '\0')
        continue;
      if (fmt->n_sections < G_N_ELEMENTS (fmt->sections))
        {
          Section *s = &fmt->sections[fmt->n_sections++];

          parse_section (s, start, p);
          if (s->cond != COND_NONE)
            fmt->conditional = TRUE;
        }
      if (*p == '\0')
        break;
      start = p + 1;
    }

  /* An empty code is General. */
  if (*code == '\0')
    add_tok (&fmt->sections[0], TOK_GENERAL, 0, NULL, 0);

  return fmt;
}

/* ECMA-376 §18.8.30; the ids not listed show General. */
static const char *
builtin_code (guint                id,
              const EpTableLocale *locale,
              char                *buf,
              gsize                len)
{
  static const char * const codes[] = {
    [1] = "0", [2] = "0.00", [3] = "#,##0", [4] = "#,##0.00",
    [11] = "0.00E+00", [12] = "# ?/?", [13] = "# ?\?/??",
    [15] = "d-mmm-yy", [16] = "d-mmm", [17] = "mmm-yy", [18] = "h:mm AM/PM",
    [19] = "h:mm:ss AM/PM", [20] = "h:mm", [21] = "h:mm:ss",
    [37] = "#,##0 ;(#,##0)", [38] = "#,##0 ;[Red](#,##0)",
    [39] = "#,##0.00;(#,##0.00)", [40] = "#,##0.00;[Red](#,##0.00)",
    [45] = "mm:ss", [46] = "[h]:mm:ss", [47] = "mmss.0", [48] = "##0.0E+0", [49] = "@",
  };

  switch (id)
    {
    case 9:
      g_snprintf (buf, len, "0\"%s\"", locale->percent);
      return buf;
    case 10:
      g_snprintf (buf, len, "0.00\"%s\"", locale->percent);
      return buf;
    case 14:
      return locale->short_date;
    case 22:
      g_snprintf (buf, len, "%s hh:mm", locale->short_date);
      return buf;
    default:
      /* 27–36 and 50–58 are East Asian dates: the locale's short date. */
      if ((id >= 27 && id <= 36) || (id >= 50 && id <= 58))
        return locale->short_date;
      return id < G_N_ELEMENTS (codes) && codes[id] != NULL ? codes[id] : "";
    }
}

EpNumFmt *
_ep_num_fmt_new_builtin (guint                id,
                         const EpTableLocale *locale)
{
  char buf[96];
  EpNumFmt *fmt = _ep_num_fmt_new (builtin_code (id, locale, buf, sizeof buf), locale);

  /* 9 and 10 were written with the percent sign as text. */
  if (id == 9 || id == 10)
    fmt->sections[0].percent = 1;
  return fmt;
}

void
_ep_num_fmt_free (EpNumFmt *fmt)
{
  if (fmt == NULL)
    return;

  for (guint i = 0; i < fmt->n_sections; i++)
    {
      GArray *toks = fmt->sections[i].toks;

      for (guint j = 0; j < toks->len; j++)
        g_free (g_array_index (toks, Tok, j).text);
      g_array_unref (toks);
    }
  g_free (fmt);
}

/* ---- numbers ------------------------------------------------------------- */

/* @value ≥ 0 rounded half away from zero to @decimals places, on its 15
 * significant digits (as General shows it, so 1.005 rounds to 1.01):
 * the integer digits without leading zeros ("" for 0) and exactly
 * @decimals fraction digits. */
static void
round_decimal (double   value,
               int      decimals,
               GString *int_digits,
               GString *frac_digits)
{
  char buf[64], digits[40];
  int exp10, n = 0, point, keep;
  char *e;

  g_string_truncate (int_digits, 0);
  g_string_truncate (frac_digits, 0);
  g_snprintf (buf, sizeof buf, "%.14e", value);
  e = strchr (buf, 'e');
  exp10 = e != NULL ? (int) g_ascii_strtoll (e + 1, NULL, 10) : 0;
  for (char *p = buf; p < (e != NULL ? e : buf + strlen (buf)); p++)
    if (g_ascii_isdigit (*p))
      digits[n++] = *p;
  digits[n] = '\0';
  if (value == 0)
    exp10 = 0, n = 1;

  /* The value is 0.d1d2…dn × 10^point. */
  point = exp10 + 1;
  keep = point + decimals;
  if (keep < 0)
    keep = -1;   /* every digit is below the last place kept */
  if (keep >= 0 && keep < n)
    {
      gboolean up = digits[keep] >= '5';

      n = keep;
      for (int i = n - 1; up && i >= 0; i--)
        {
          if (digits[i] == '9')
            digits[i] = '0';
          else
            {
              digits[i]++;
              up = FALSE;
            }
        }
      if (up)
        {
          memmove (digits + 1, digits, n);
          digits[0] = '1';
          n++;
          point++;
        }
    }
  else if (keep < 0)
    n = 0;

  for (int i = 0; i < point; i++)
    g_string_append_c (int_digits, i < n ? digits[i] : '0');
  for (int i = point; i < point + decimals; i++)
    g_string_append_c (frac_digits, i >= 0 && i < n ? digits[i] : '0');

  /* No leading zeros: "0" is "". */
  while (int_digits->len > 0 && int_digits->str[0] == '0')
    g_string_erase (int_digits, 0, 1);
}

static void
append_general (GString             *out,
                double               value,
                const EpTableLocale *locale)
{
  char buf[48];
  const char *text = _ep_table_format_number (value, buf, sizeof buf);

  for (const char *p = text; *p; p++)
    {
      if (*p == '.')
        g_string_append (out, locale->decimal);
      else
        g_string_append_c (out, *p);
    }
}

static void
append_grouped (GString             *out,
                const char          *digits,
                const EpTableLocale *locale)
{
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, locale->group);
      g_string_append_c (out, digits[i]);
    }
}

/* A number section with @value ≥ 0; FALSE if the number shows as zero. */
static gboolean
render_number (const Section       *s,
               double               value,
               const EpTableLocale *locale,
               GString             *out)
{
  g_autoptr(GString) int_digits = g_string_new (NULL);
  g_autoptr(GString) frac_digits = g_string_new (NULL);
  int n_int = 0, n_int_zero = 0, exponent = 0, exp_index = -1, seen_int = 0;
  gboolean nonzero;
  int frac_end;
  g_autofree int *frac_shown = NULL;

  for (int i = 0; i < s->percent; i++)
    value *= 100;
  for (int i = 0; i < s->scale; i++)
    value /= 1000;

  for (guint i = 0; i < s->toks->len; i++)
    {
      const Tok *tok = &g_array_index (s->toks, Tok, i);

      if (tok->kind == TOK_POINT || tok->kind == TOK_EXPONENT)
        {
          if (tok->kind == TOK_EXPONENT)
            exp_index = (int) i;
          break;
        }
      if (tok->kind == TOK_DIGIT)
        {
          n_int++;
          if (tok->width == '0')
            n_int_zero++;
        }
    }
  for (guint i = 0; exp_index < 0 && i < s->toks->len; i++)
    if (g_array_index (s->toks, Tok, i).kind == TOK_EXPONENT)
      exp_index = (int) i;

  if (exp_index >= 0 && value != 0 && isfinite (value))
    {
      int step = MAX (n_int, 1);

      exponent = (int) floor (log10 (value));
      if (n_int > 1)
        exponent = (int) floor ((double) exponent / step) * step;
      else
        exponent -= MAX (n_int, 1) - 1;
      value /= pow (10, exponent);
      round_decimal (value, s->n_decimals, int_digits, frac_digits);
      if ((int) int_digits->len > step)
        {
          exponent += n_int > 1 ? step : 1;
          value /= n_int > 1 ? pow (10, step) : 10;
          round_decimal (value, s->n_decimals, int_digits, frac_digits);
        }
    }
  else
    round_decimal (value, s->n_decimals, int_digits, frac_digits);

  nonzero = int_digits->len > 0 || strspn (frac_digits->str, "0") < frac_digits->len;

  /* Which fraction places show: trailing zeros in # places go, in ? places
   * become spaces. 0 = shown, 1 = space, 2 = gone. */
  frac_shown = g_new0 (int, MAX (s->n_decimals, 1));
  frac_end = s->n_decimals;
  {
    int place = s->n_decimals;

    for (int i = (int) s->toks->len - 1; i >= 0 && place > 0; i--)
      {
        const Tok *tok = &g_array_index (s->toks, Tok, i);

        if (tok->kind != TOK_DIGIT || (exp_index >= 0 && i > exp_index))
          continue;
        place--;
        if (tok->width == '0' || frac_digits->str[place] != '0')
          break;
        frac_shown[place] = tok->width == '#' ? 2 : 1;
        if (tok->width == '#')
          frac_end = place;
      }
  }

  /* The integer part: with grouping all at the first placeholder; else
   * from the right, the first placeholder taking what is left over. */
  {
    int fill = (int) int_digits->len - (n_int - 1);   /* digits for the first */
    int place = 0, frac_place = 0;
    gboolean after_point = FALSE;

    if (n_int == 0 && s->n_decimals > 0 && int_digits->len > 0)
      {
        /* ".00" still shows an integer part that is not zero. */
        if (s->grouping)
          append_grouped (out, int_digits->str, locale);
        else
          g_string_append (out, int_digits->str);
      }

    for (guint i = 0; i < s->toks->len; i++)
      {
        const Tok *tok = &g_array_index (s->toks, Tok, i);

        switch (tok->kind)
          {
          case TOK_LITERAL:
            g_string_append (out, tok->text);
            break;
          case TOK_PERCENT:
            g_string_append_c (out, '%');
            break;
          case TOK_GENERAL:
            append_general (out, value, locale);
            break;
          case TOK_POINT:
            after_point = TRUE;
            /* LibreOffice leaves out a point with no digits after it. */
            if (frac_end > 0)
              g_string_append (out, locale->decimal);
            break;
          case TOK_EXPONENT:
            g_string_append_c (out, 'E');
            if (exponent < 0)
              g_string_append_c (out, '-');
            else if (tok->text[0] == '+')
              g_string_append_c (out, '+');
            g_string_append_printf (out, "%0*d", MAX (tok->width, 1), abs (exponent));
            after_point = TRUE;
            frac_place = s->n_decimals;   /* no more fraction digits */
            break;
          case TOK_DIGIT:
            if (after_point && (int) i > exp_index && exp_index >= 0)
              break;   /* consumed by the exponent */
            if (after_point)
              {
                if (frac_place < s->n_decimals)
                  {
                    if (frac_shown[frac_place] == 0)
                      g_string_append_c (out, frac_digits->str[frac_place]);
                    else if (frac_shown[frac_place] == 1)
                      g_string_append_c (out, ' ');
                  }
                frac_place++;
                break;
              }
            if (s->grouping)
              {
                if (seen_int++ == 0)
                  {
                    g_autoptr(GString) digits = g_string_new (int_digits->str);

                    while ((int) digits->len < n_int_zero)
                      g_string_prepend_c (digits, '0');
                    append_grouped (out, digits->str, locale);
                  }
                break;
              }
            {
              /* The digit for this place, counted from the right. */
              int from_right = n_int - 1 - place;
              int index = (int) int_digits->len - 1 - from_right;

              if (place == 0 && fill > 1)
                g_string_append_len (out, int_digits->str, fill);
              else if (index >= 0)
                g_string_append_c (out, int_digits->str[index]);
              else if (tok->width == '0')
                g_string_append_c (out, '0');
              else if (tok->width == '?')
                g_string_append_c (out, ' ');
              place++;
            }
            break;
          default:
            break;
          }
      }
  }

  return nonzero;
}

/* ---- choosing the section ------------------------------------------------ */

static gboolean
condition_holds (const Section *s,
                 double         v)
{
  switch (s->cond)
    {
    case COND_LT: return v < s->cond_value;
    case COND_LE: return v <= s->cond_value;
    case COND_GT: return v > s->cond_value;
    case COND_GE: return v >= s->cond_value;
    case COND_EQ: return v == s->cond_value;
    case COND_NE: return v != s->cond_value;
    case COND_NONE:
    default: return TRUE;
    }
}

/* The section for @number, and whether it shows a minus sign itself (the
 * negative section does; a one-section format gets a "-"). */
static const Section *
choose_section (const EpNumFmt *fmt,
                double          number,
                gboolean       *minus)
{
  *minus = number < 0;

  if (fmt->conditional)
    {
      for (guint i = 0; i < MIN (fmt->n_sections, 2); i++)
        {
          const Section *s = &fmt->sections[i];

          if (s->cond != COND_NONE && condition_holds (s, number))
            {
              /* [<0] shows its own sign. */
              if ((s->cond == COND_LT || s->cond == COND_LE) && s->cond_value <= 0)
                *minus = FALSE;
              return s;
            }
        }
      for (guint i = 0; i < MIN (fmt->n_sections, 3); i++)
        if (fmt->sections[i].cond == COND_NONE)
          return &fmt->sections[i];
      return &fmt->sections[fmt->n_sections - 1];
    }

  if (fmt->n_sections >= 3 && number == 0)
    return &fmt->sections[2];
  if (fmt->n_sections >= 2 && number < 0)
    {
      *minus = FALSE;
      return &fmt->sections[1];
    }
  return &fmt->sections[0];
}

const char *
_ep_num_fmt_render (const EpNumFmt      *fmt,
                    const EpTableLocale *locale,
                    const char          *text,
                    gboolean             date1904,
                    GString             *scratch)
{
  const Section *s;
  char *end = NULL;
  double number;
  gboolean minus;

  if (fmt == NULL)
    {
      char buf[48];
      const char *general = _ep_table_format_number_text (text, buf, sizeof buf);

      if (strcmp (locale->decimal, ".") == 0)
        {
          if (general == text)
            return text;
          g_string_assign (scratch, general);
          return scratch->str;
        }
      number = g_ascii_strtod (text, &end);
      if (end == text)
        return text;
      g_string_truncate (scratch, 0);
      append_general (scratch, number, locale);
      return scratch->str;
    }

  number = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (number))
    return text;

  s = choose_section (fmt, number, &minus);
  g_string_truncate (scratch, 0);

  if (s->fraction)
    {
      append_general (scratch, number, locale);
      return scratch->str;
    }
  if (s->is_date)
    {
      /* Before 1900 (LibreOffice and openpyxl write negative serials) in
       * a one-section format; the negative section of several shows the
       * number without its sign. */
      if (_ep_num_fmt_render_date (s, minus || fmt->n_sections == 1 ? number : fabs (number),
                                   date1904, locale, scratch))
        return scratch->str;
      /* Out of range: as General. */
      g_string_truncate (scratch, 0);
      append_general (scratch, number, locale);
      return scratch->str;
    }

  if (!render_number (s, fabs (number), locale, scratch))
    minus = FALSE;   /* -0.001 as 0.00: no sign */
  if (minus)
    g_string_prepend_c (scratch, '-');
  return scratch->str;
}

const char *
_ep_num_fmt_raw (const EpNumFmt *fmt,
                 const char     *text,
                 gboolean        date1904,
                 GString        *scratch)
{
  const Section *s;
  char *end = NULL;
  double number;
  gboolean minus;

  if (fmt == NULL)
    return text;
  number = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (number))
    return text;
  s = choose_section (fmt, number, &minus);
  if (!s->is_date || !_ep_num_fmt_serial_to_iso (s, number, date1904, scratch))
    return text;
  return scratch->str;
}
