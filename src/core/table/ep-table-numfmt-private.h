/* ep-table-numfmt-private.h: a parsed number format, shared by the
 * number renderer (ep-table-numfmt.c) and the date one
 * (ep-table-numfmt-date.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-table-private.h"

G_BEGIN_DECLS

typedef enum
{
  TOK_LITERAL,
  TOK_DIGIT,      /* width: '0', '#' or '?' */
  TOK_POINT,
  TOK_COMMA,      /* placed by parse_commas (); text in a date */
  TOK_DATE_SEP,   /* '/' in a date: the locale's separator */
  TOK_PERCENT,
  TOK_EXPONENT,   /* text: "+" or "-"; width: digits */
  TOK_GENERAL,    /* General, or @ for a number */
  TOK_YEAR,       /* width 2 or 4 */
  TOK_MONTH,      /* width 1–5 */
  TOK_DAY,        /* width 1–4 */
  TOK_HOUR,
  TOK_MINUTE,
  TOK_SECOND,
  TOK_SUBSECOND,  /* width: digits after the point */
  TOK_AMPM,       /* text: "AM/PM", "am/pm", "A/P", "a/p" */
  TOK_ELAPSED_H,
  TOK_ELAPSED_M,
  TOK_ELAPSED_S,
} TokKind;

typedef struct
{
  TokKind  kind;
  int      width;   /* TOK_DIGIT: the placeholder character */
  char    *text;
} Tok;

typedef enum
{
  COND_NONE, COND_LT, COND_LE, COND_GT, COND_GE, COND_EQ, COND_NE,
} CondOp;

typedef struct
{
  GArray               *toks;        /* Tok */
  CondOp                cond;
  double                cond_value;
  gboolean              is_date;
  gboolean              has_ampm;
  gboolean              fraction;    /* # ?/?: shown as General */
  gboolean              grouping;    /* #,##0 */
  int                   scale;       /* trailing commas: ÷ 1000 each */
  int                   percent;
  int                   n_decimals;  /* digit placeholders after the point */
  int                   subsecond;   /* digits of the seconds' fraction */
  const EpTableLocale  *names;       /* [$-407], else NULL */
} Section;

struct _EpNumFmt
{
  Section              sections[4];
  guint                n_sections;
  gboolean             conditional;
  const EpTableLocale *locale;
};

/* A date or time section with the serial @serial; FALSE when the serial
 * is out of range (the caller then shows it as General). */
gboolean _ep_num_fmt_render_date (const Section       *s,
                                  double               serial,
                                  gboolean             date1904,
                                  const EpTableLocale *locale,
                                  GString             *out);

gboolean _ep_num_fmt_serial_to_iso (const Section       *s,
                                    double               serial,
                                    gboolean             date1904,
                                    GString             *out);

G_END_DECLS
