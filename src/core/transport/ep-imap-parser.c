/* ep-imap-parser.c: IMAP responses from bytes, the generic part
 *
 * Two steps per response. Framing finds where a response ends (its lines
 * and the literals announced at their ends), incrementally, so a response
 * fed byte by byte is scanned once; it enforces max_line and max_literal
 * before a byte of the literal is kept. Then the complete response is
 * parsed by recursive descent into EpImapValue trees. The accessors and
 * command quoting are in ep-imap-value.c, the typed views (FETCH, LIST)
 * in ep-imap-fetch.c, UID sets and mailbox names in ep-imap-utf7.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-imap-parser.h"

#define MAX_DEPTH       64
#define MAX_VALUES      1000000
#define QUOTE_MAX       80

G_DEFINE_QUARK (ep-imap-parser-error-quark, ep_imap_parser_error)

struct _EpImapParser
{
  gsize       max_literal;
  gsize       max_line;
  gsize       max_values;
  GByteArray *buf;
  gsize       start;          /* first byte of the response being framed */
  gsize       scan;           /* next byte framing looks at */
  gsize       line_start;     /* the current line (outside literals) */
  guint64     literal_left;   /* bytes of a literal still to come */
  gboolean    in_literal;
  gboolean    first_line;     /* no line of this response complete yet */
  gboolean    may_continue;   /* untagged data: lines may end in literals */
  guint64     line_bytes;     /* this response's lines, together */
  guint64     literal_bytes;  /* and its literals */
  GError     *error;          /* sticky */
};

/* ---- values ---- */

static EpImapValue *
value_new (EpImapValueKind kind)
{
  EpImapValue *value = g_new0 (EpImapValue, 1);

  value->kind = kind;
  if (kind == EP_IMAP_LIST)
    value->items = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_imap_value_free);
  return value;
}

/* ---- errors ---- */

/* The start of a server line, safe to show: at most QUOTE_MAX bytes, up to
 * its end, control and 8-bit bytes as \xNN. */
static char *
quote_line (const guint8 *p,
            const guint8 *end)
{
  GString *out = g_string_new (NULL);
  gsize n = 0;

  for (; p < end && *p != '\n'; p++, n++)
    {
      if (n == QUOTE_MAX)
        {
          g_string_append (out, "…");
          break;
        }
      if (*p == '\r')
        {
          if (p + 1 < end && p[1] == '\n')
            break;
          g_string_append (out, "\\r");
        }
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p < 0x20 || *p >= 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  return g_string_free (out, FALSE);
}

static void
set_error (GError       **error,
           int            code,
           const char    *why,
           const guint8  *line,
           const guint8  *end)
{
  g_autofree char *quoted = quote_line (line, end);

  /* TRANSLATORS: the first %s says what is wrong, the second quotes the server */
  g_set_error (error, EP_IMAP_PARSER_ERROR, code,
               _("The server's answer is not IMAP (%s): “%s”"), why, quoted);
}

/* ---- the parser of one complete response ---- */

typedef struct
{
  const guint8 *p;
  const guint8 *end;
  const guint8 *line;      /* the line being parsed, for errors */
  gsize         n_values;
  gsize         max_values;
  GError      **error;
} Cursor;

static gboolean
fail (Cursor     *c,
      int         code,
      const char *why)
{
  if (c->error != NULL && *c->error == NULL)
    set_error (c->error, code, why, c->line, c->end);
  return FALSE;
}

static gboolean
at_eol (const Cursor *c)
{
  return c->p < c->end &&
         (*c->p == '\n' || (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n'));
}

static gboolean
eat_eol (Cursor *c)
{
  if (!at_eol (c))
    return FALSE;
  c->p += *c->p == '\r' ? 2 : 1;
  c->line = c->p;
  return TRUE;
}

static void
skip_sp (Cursor *c)
{
  while (c->p < c->end && *c->p == ' ')
    c->p++;
}

/* Atoms stop here (RFC 3501 atom-specials, less the list wildcards and
 * backslash, which flags and sequence sets use). */
static gboolean
is_atom_char (guint8 ch,
              gboolean stop_at_bracket)
{
  if (ch < 0x20 || ch == 0x7f)
    return FALSE;
  switch (ch)
    {
    case ' ': case '(': case ')': case '{': case '"':
      return FALSE;
    case ']':
      return !stop_at_bracket;
    default:
      return TRUE;
    }
}

static gboolean
is_digits (const char *s,
           gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* A string of digits as a number that fits in 63 bits. */
static gboolean
digits_to_number (const char *s,
                  gsize       len,
                  guint64    *out)
{
  guint64 n = 0;

  if (!is_digits (s, len))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guint64 digit = (guint64) (s[i] - '0');

      if (n > ((guint64) G_MAXINT64 - digit) / 10)
        return FALSE;
      n = n * 10 + digit;
    }
  *out = n;
  return TRUE;
}

static gboolean
count_value (Cursor *c)
{
  if (++c->n_values > c->max_values)
    return fail (c, EP_IMAP_PARSER_ERROR_TOO_BIG, "too many values in one response");
  return TRUE;
}

static EpImapValue *parse_value (Cursor *c, guint depth, gboolean in_brackets);

static EpImapValue *
parse_quoted (Cursor *c)
{
  GString *s = g_string_new (NULL);
  EpImapValue *value;

  c->p++;
  for (;;)
    {
      if (c->p >= c->end || *c->p == '\r' || *c->p == '\n' || *c->p == '\0')
        {
          g_string_free (s, TRUE);
          fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "unterminated quoted string");
          return NULL;
        }
      if (*c->p == '"')
        break;
      if (*c->p == '\\')
        {
          c->p++;
          if (c->p >= c->end || (*c->p != '"' && *c->p != '\\'))
            {
              g_string_free (s, TRUE);
              fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "bad escape in a quoted string");
              return NULL;
            }
        }
      g_string_append_c (s, (char) *c->p);
      c->p++;
    }
  c->p++;
  value = value_new (EP_IMAP_STRING);
  value->len = s->len;
  value->str = g_string_free (s, FALSE);
  return value;
}

/* "{n}" or "{n+}" (LITERAL+) or "~{n}" (literal8) at a line's end, then
 * the n bytes. */
static EpImapValue *
parse_literal (Cursor *c)
{
  guint64 n = 0;
  gboolean digits = FALSE;
  EpImapValue *value;

  if (*c->p == '~')
    c->p++;
  if (c->p >= c->end || *c->p != '{')
    {
      fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "“~” without a literal");
      return NULL;
    }
  c->p++;
  while (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      if (n > (G_MAXUINT64 - 9) / 10)
        {
          fail (c, EP_IMAP_PARSER_ERROR_TOO_BIG, "literal too large");
          return NULL;
        }
      n = n * 10 + (guint64) (*c->p - '0');
      digits = TRUE;
      c->p++;
    }
  if (c->p < c->end && *c->p == '+')
    c->p++;
  if (!digits || c->p >= c->end || *c->p != '}')
    {
      fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "bad literal");
      return NULL;
    }
  c->p++;
  if (!eat_eol (c))
    {
      fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "a literal not at the end of its line");
      return NULL;
    }
  if (n > (guint64) (c->end - c->p))
    {
      fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "literal longer than the response");
      return NULL;
    }
  value = value_new (EP_IMAP_STRING);
  value->len = (gsize) n;
  value->str = g_malloc ((gsize) n + 1);
  memcpy (value->str, c->p, (gsize) n);
  value->str[n] = '\0';
  c->p += n;
  c->line = c->p;
  return value;
}

static EpImapValue *
parse_atom (Cursor  *c,
            gboolean in_brackets)
{
  const guint8 *start = c->p;
  EpImapValue *value;
  gsize len;

  while (c->p < c->end && is_atom_char (*c->p, in_brackets))
    {
      if (*c->p == '[')
        {
          /* A FETCH item's section: anything up to "]" on this line,
           * spaces and parentheses included. */
          const guint8 *close = c->p + 1;

          while (close < c->end && *close != ']' && *close != '\r' && *close != '\n')
            close++;
          if (close >= c->end || *close != ']')
            {
              fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "unterminated “[”");
              return NULL;
            }
          c->p = close + 1;
          continue;
        }
      c->p++;
    }
  len = (gsize) (c->p - start);
  if (len == 0)
    {
      fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "unexpected character");
      return NULL;
    }

  if (len == 3 && g_ascii_strncasecmp ((const char *) start, "NIL", 3) == 0)
    return value_new (EP_IMAP_NIL);

  value = value_new (EP_IMAP_ATOM);
  value->str = g_strndup ((const char *) start, len);
  value->len = len;
  if (digits_to_number (value->str, len, &value->number))
    value->kind = EP_IMAP_NUMBER;
  return value;
}

static EpImapValue *
parse_list (Cursor  *c,
            guint    depth)
{
  EpImapValue *list;

  if (depth >= MAX_DEPTH)
    {
      fail (c, EP_IMAP_PARSER_ERROR_TOO_BIG, "lists nested too deeply");
      return NULL;
    }
  c->p++;
  list = value_new (EP_IMAP_LIST);
  for (;;)
    {
      EpImapValue *item;

      skip_sp (c);
      if (c->p >= c->end || at_eol (c))
        {
          ep_imap_value_free (list);
          fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "unterminated list");
          return NULL;
        }
      if (*c->p == ')')
        break;
      item = parse_value (c, depth + 1, FALSE);
      if (item == NULL)
        {
          ep_imap_value_free (list);
          return NULL;
        }
      g_ptr_array_add (list->items, item);
    }
  c->p++;
  return list;
}

static EpImapValue *
parse_value (Cursor  *c,
             guint    depth,
             gboolean in_brackets)
{
  if (!count_value (c))
    return NULL;
  if (c->p >= c->end)
    {
      fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "response ends early");
      return NULL;
    }
  switch (*c->p)
    {
    case '(':
      return parse_list (c, depth);
    case '"':
      return parse_quoted (c);
    case '{':
      return parse_literal (c);
    case '~':
      if (c->p + 1 < c->end && c->p[1] == '{')
        return parse_literal (c);
      return parse_atom (c, in_brackets);
    default:
      return parse_atom (c, in_brackets);
    }
}

/* Values separated by spaces up to the end of the line (literals inside
 * them continue it), as one LIST value. */
static EpImapValue *
parse_values_to_eol (Cursor *c)
{
  EpImapValue *list = value_new (EP_IMAP_LIST);

  for (;;)
    {
      EpImapValue *item;

      skip_sp (c);
      if (c->p >= c->end || at_eol (c))
        break;
      item = parse_value (c, 1, FALSE);
      if (item == NULL)
        {
          ep_imap_value_free (list);
          return NULL;
        }
      g_ptr_array_add (list->items, item);
    }
  return list;
}

/* A word of letters, digits and "-" up to a space or the end of the line,
 * upper-cased; NULL when there is none. */
static char *
parse_word (Cursor *c)
{
  const guint8 *start = c->p;

  while (c->p < c->end && is_atom_char (*c->p, TRUE) && *c->p != '[')
    c->p++;
  if (c->p == start)
    return NULL;
  return g_ascii_strup ((const char *) start, c->p - start);
}

static char *
rest_of_line (Cursor *c)
{
  const guint8 *start = c->p;
  g_autofree char *raw = NULL;

  while (c->p < c->end && !at_eol (c))
    c->p++;
  raw = g_strndup ((const char *) start, c->p - start);
  return g_utf8_make_valid (raw, -1);
}

/* resp-text: ["[" code [SP args] "]"] text */
static gboolean
parse_resp_text (Cursor         *c,
                 EpImapResponse *response)
{
  if (c->p < c->end && *c->p == ' ')
    c->p++;
  if (c->p < c->end && *c->p == '[')
    {
      const guint8 *open = c->p;
      const guint8 *close = memchr (open, ']', c->end - open);
      const guint8 *eol = open;

      while (eol < c->end && *eol != '\n')
        eol++;
      if (close != NULL && close < eol)
        {
          c->p++;
          response->code = parse_word (c);
          if (response->code == NULL)
            return fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "empty response code");
          if (c->p < c->end && *c->p == ' ')
            {
              const guint8 *args_start = c->p;
              EpImapValue *args = value_new (EP_IMAP_LIST);
              gboolean ok = TRUE;

              for (;;)
                {
                  EpImapValue *item;

                  skip_sp (c);
                  if (c->p >= c->end || *c->p == ']' || at_eol (c))
                    break;
                  item = parse_value (c, 1, TRUE);
                  if (item == NULL)
                    {
                      ok = FALSE;
                      break;
                    }
                  g_ptr_array_add (args->items, item);
                }
              if (!ok || c->p >= c->end || *c->p != ']')
                {
                  /* Not values (a server's own code): its text as one atom. */
                  EpImapValue *raw = value_new (EP_IMAP_ATOM);
                  const guint8 *from = args_start + 1;

                  if (c->error != NULL && *c->error != NULL &&
                      (*c->error)->code == EP_IMAP_PARSER_ERROR_TOO_BIG)
                    {
                      ep_imap_value_free (args);
                      ep_imap_value_free (raw);
                      return FALSE;
                    }
                  if (c->error != NULL)
                    g_clear_error (c->error);
                  ep_imap_value_free (args);
                  args = value_new (EP_IMAP_LIST);
                  raw->str = g_strndup ((const char *) from, close - from);
                  raw->len = close - from;
                  g_ptr_array_add (args->items, raw);
                  c->p = close;
                  c->line = open;
                }
              response->code_args = args;
            }
          if (c->p >= c->end || *c->p != ']')
            return fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "bad response code");
          c->p++;
          if (c->p < c->end && *c->p == ' ')
            c->p++;
        }
    }
  response->text = rest_of_line (c);
  return TRUE;
}

static EpImapStatus
status_word (const char *word)
{
  if (word == NULL)
    return EP_IMAP_STATUS_NONE;
  if (strcmp (word, "OK") == 0)
    return EP_IMAP_STATUS_OK;
  if (strcmp (word, "NO") == 0)
    return EP_IMAP_STATUS_NO;
  if (strcmp (word, "BAD") == 0)
    return EP_IMAP_STATUS_BAD;
  if (strcmp (word, "BYE") == 0)
    return EP_IMAP_STATUS_BYE;
  if (strcmp (word, "PREAUTH") == 0)
    return EP_IMAP_STATUS_PREAUTH;
  return EP_IMAP_STATUS_NONE;
}

static gboolean
is_tag_char (guint8 ch)
{
  return ch > 0x20 && ch < 0x7f && strchr ("(){\"%*\\+", ch) == NULL;
}

static gboolean
parse_untagged (Cursor         *c,
                EpImapResponse *r)
{
  g_autofree char *word = NULL;

  if (c->p >= c->end || *c->p != ' ')
    return fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "no space after “*”");
  c->p++;

  if (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      const guint8 *start = c->p;

      while (c->p < c->end && g_ascii_isdigit (*c->p))
        c->p++;
      if (!digits_to_number ((const char *) start, c->p - start, &r->number))
        return fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "number too large");
      r->has_number = TRUE;
      if (c->p >= c->end || *c->p != ' ')
        return fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "no name after a number");
      c->p++;
      r->name = parse_word (c);
      if (r->name == NULL)
        return fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "no name after a number");
      if (strcmp (r->name, "FETCH") == 0)
        {
          skip_sp (c);
          if (c->p >= c->end || *c->p != '(')
            return fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "FETCH without a list");
          if (!count_value (c))
            return FALSE;
          r->data = parse_list (c, 0);
          if (r->data == NULL)
            return FALSE;
          skip_sp (c);
        }
      else
        {
          r->data = parse_values_to_eol (c);
          if (r->data == NULL)
            return FALSE;
        }
      return TRUE;
    }

  word = parse_word (c);
  if (word == NULL)
    return fail (c, EP_IMAP_PARSER_ERROR_SYNTAX, "no name after “*”");
  r->status = status_word (word);
  if (r->status != EP_IMAP_STATUS_NONE)
    return parse_resp_text (c, r);
  r->name = g_steal_pointer (&word);
  r->data = parse_values_to_eol (c);
  return r->data != NULL;
}

static EpImapResponse *
parse_response (const guint8 *start,
                const guint8 *end,
                gsize         max_values,
                GError      **error)
{
  g_autoptr(EpImapResponse) r = g_new0 (EpImapResponse, 1);
  Cursor c = { start, end, start, 0, max_values, error };
  gboolean ok;

  if (*c.p == '+')
    {
      r->kind = EP_IMAP_RESPONSE_CONTINUATION;
      c.p++;
      ok = parse_resp_text (&c, r);
    }
  else if (*c.p == '*')
    {
      r->kind = EP_IMAP_RESPONSE_UNTAGGED;
      c.p++;
      ok = parse_untagged (&c, r);
    }
  else
    {
      const guint8 *tag = c.p;
      g_autofree char *word = NULL;

      r->kind = EP_IMAP_RESPONSE_TAGGED;
      while (c.p < c.end && is_tag_char (*c.p))
        c.p++;
      if (c.p == tag || c.p >= c.end || *c.p != ' ')
        return fail (&c, EP_IMAP_PARSER_ERROR_SYNTAX, "not a tag"), NULL;
      r->tag = g_strndup ((const char *) tag, c.p - tag);
      c.p++;
      word = parse_word (&c);
      r->status = status_word (word);
      if (r->status != EP_IMAP_STATUS_OK && r->status != EP_IMAP_STATUS_NO &&
          r->status != EP_IMAP_STATUS_BAD)
        return fail (&c, EP_IMAP_PARSER_ERROR_SYNTAX, "no OK, NO or BAD after the tag"), NULL;
      ok = parse_resp_text (&c, r);
    }
  if (!ok)
    return NULL;
  skip_sp (&c);
  if (!eat_eol (&c) || c.p != c.end)
    return fail (&c, EP_IMAP_PARSER_ERROR_SYNTAX, "unexpected data at the end"), NULL;
  return g_steal_pointer (&r);
}

/* ---- framing ---- */

EpImapParser *
ep_imap_parser_new (gsize max_literal,
                    gsize max_line)
{
  EpImapParser *parser = g_new0 (EpImapParser, 1);

  parser->max_literal = max_literal;
  parser->max_line = MAX (max_line, 16);
  parser->max_values = MAX_VALUES;
  parser->buf = g_byte_array_new ();
  parser->first_line = TRUE;
  return parser;
}

void
ep_imap_parser_set_max_values (EpImapParser *parser,
                               gsize         max_values)
{
  g_return_if_fail (parser != NULL);
  parser->max_values = MAX (max_values, 1);
}

void
ep_imap_parser_free (EpImapParser *parser)
{
  if (parser == NULL)
    return;
  g_byte_array_unref (parser->buf);
  g_clear_error (&parser->error);
  g_free (parser);
}

void
ep_imap_parser_feed (EpImapParser *parser,
                     const guint8 *data,
                     gsize         len)
{
  g_return_if_fail (parser != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (parser->error != NULL || len == 0)
    return;
  if (parser->start > 0)
    {
      /* What earlier responses used goes first. */
      gsize drop = parser->start;

      g_byte_array_remove_range (parser->buf, 0, (guint) drop);
      parser->start = 0;
      parser->scan -= drop;
      parser->line_start -= drop;
    }
  g_byte_array_append (parser->buf, data, (guint) len);
}

gsize
ep_imap_parser_pending (EpImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);
  return parser->buf->len - parser->start;
}

static void
reset_frame (EpImapParser *parser)
{
  parser->start = parser->scan;
  parser->line_start = parser->scan;
  parser->in_literal = FALSE;
  parser->literal_left = 0;
  parser->first_line = TRUE;
  parser->may_continue = FALSE;
  parser->line_bytes = 0;
  parser->literal_bytes = 0;
}

/* Untagged data ("* 5 FETCH", "* LIST") may carry literals; status
 * responses, tagged responses and continuations are one line. */
static gboolean
line_may_continue (const guint8 *p,
                   const guint8 *end)
{
  const guint8 *w;
  gsize n;

  if (end - p < 2 || p[0] != '*' || p[1] != ' ')
    return FALSE;
  w = p + 2;
  for (n = 0; w + n < end && g_ascii_isalpha (w[n]); n++)
    ;
  if (w + n < end && w[n] != ' ' && w[n] != '\r' && w[n] != '[')
    return TRUE;
  return !((n == 2 && (g_ascii_strncasecmp ((const char *) w, "OK", 2) == 0 ||
                       g_ascii_strncasecmp ((const char *) w, "NO", 2) == 0)) ||
           (n == 3 && (g_ascii_strncasecmp ((const char *) w, "BAD", 3) == 0 ||
                       g_ascii_strncasecmp ((const char *) w, "BYE", 3) == 0)) ||
           (n == 7 && g_ascii_strncasecmp ((const char *) w, "PREAUTH", 7) == 0));
}

/* The literal announced at the end of [p, end) (CR and LF removed):
 * 1 with its size in *n, 0 for none, -1 when its size overflows. */
static int
literal_at_end (const guint8 *p,
                const guint8 *end,
                guint64      *n)
{
  const guint8 *q = end;
  guint64 value = 0, scale = 1;
  gboolean overflow = FALSE;

  if (q == p || q[-1] != '}')
    return 0;
  q--;
  if (q > p && q[-1] == '+')
    q--;
  if (q == p || !g_ascii_isdigit (q[-1]))
    return 0;
  while (q > p && g_ascii_isdigit (q[-1]))
    {
      guint64 digit = (guint64) (q[-1] - '0');

      if (!overflow)
        {
          if (digit != 0 && (scale == 0 || digit > G_MAXUINT64 / scale ||
                             value > G_MAXUINT64 - digit * scale))
            overflow = TRUE;
          else
            value += digit * scale;
          if (scale > G_MAXUINT64 / 10)
            scale = 0;      /* only zeros may follow */
          else
            scale *= 10;
        }
      q--;
    }
  if (q == p || q[-1] != '{')
    return 0;
  if (overflow)
    return -1;
  *n = value;
  return 1;
}

static EpImapResponse *
fail_frame (EpImapParser *parser,
            int           code,
            const char   *why,
            GError      **error)
{
  const guint8 *data = parser->buf->data;

  set_error (&parser->error, code, why, data + parser->line_start, data + parser->buf->len);
  g_propagate_error (error, g_error_copy (parser->error));
  return NULL;
}

EpImapResponse *
ep_imap_parser_next (EpImapParser *parser,
                     GError      **error)
{
  g_return_val_if_fail (parser != NULL, NULL);

  if (parser->error != NULL)
    {
      g_propagate_error (error, g_error_copy (parser->error));
      return NULL;
    }

  for (;;)
    {
      const guint8 *data = parser->buf->data;
      gsize len = parser->buf->len;
      const guint8 *lf;
      gsize line_end, line_len;
      guint64 n = 0;
      int literal;

      if (parser->in_literal)
        {
          guint64 take = MIN (parser->literal_left, (guint64) (len - parser->scan));

          parser->scan += (gsize) take;
          parser->literal_left -= take;
          if (parser->literal_left > 0)
            return NULL;
          parser->in_literal = FALSE;
          parser->line_start = parser->scan;
          continue;
        }

      if (parser->scan >= len)
        return NULL;
      lf = memchr (data + parser->scan, '\n', len - parser->scan);
      if (memchr (data + parser->scan, '\0', (lf != NULL ? (gsize) (lf - data) : len) - parser->scan) != NULL)
        return fail_frame (parser, EP_IMAP_PARSER_ERROR_SYNTAX, "NUL byte in a line", error);
      if (lf == NULL)
        {
          parser->scan = len;
          if (len - parser->line_start > parser->max_line + 1)
            return fail_frame (parser, EP_IMAP_PARSER_ERROR_TOO_BIG, "line too long", error);
          return NULL;
        }

      line_end = (gsize) (lf - data);
      parser->scan = line_end + 1;
      line_len = line_end - parser->line_start;
      if (line_len > 0 && data[line_end - 1] == '\r')
        line_len--;
      if (line_len > parser->max_line)
        return fail_frame (parser, EP_IMAP_PARSER_ERROR_TOO_BIG, "line too long", error);

      if (parser->first_line)
        {
          if (line_len == 0)
            {
              /* Blank lines between responses carry nothing. */
              reset_frame (parser);
              continue;
            }
          parser->first_line = FALSE;
          parser->may_continue = line_may_continue (data + parser->line_start,
                                                    data + parser->line_start + line_len);
        }
      parser->line_bytes += line_len;
      if (parser->line_bytes > 2 * (guint64) parser->max_line)
        return fail_frame (parser, EP_IMAP_PARSER_ERROR_TOO_BIG, "response too long", error);

      literal = parser->may_continue
        ? literal_at_end (data + parser->line_start, data + parser->line_start + line_len, &n)
        : 0;
      if (literal < 0 || (literal > 0 && n > parser->max_literal))
        return fail_frame (parser, EP_IMAP_PARSER_ERROR_TOO_BIG, "literal too large", error);
      if (literal > 0)
        {
          parser->literal_bytes += n;
          if (parser->literal_bytes > 2 * (guint64) parser->max_literal)
            return fail_frame (parser, EP_IMAP_PARSER_ERROR_TOO_BIG, "literals too large", error);
          parser->in_literal = TRUE;
          parser->literal_left = n;
          continue;
        }

      /* A whole response. */
      {
        EpImapResponse *response;
        GError *local = NULL;
        gsize from = parser->start;

        response = parse_response (data + from, data + parser->scan, parser->max_values, &local);
        if (response == NULL)
          {
            parser->error = local;
            g_propagate_error (error, g_error_copy (local));
            return NULL;
          }
        reset_frame (parser);
        return response;
      }
    }
}
