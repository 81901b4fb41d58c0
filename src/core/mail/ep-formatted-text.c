/* ep-formatted-text.c: text with style spans, and the builder that lays it out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-formatted-text"

#include "config.h"

#include <string.h>

#include "ep-formatted-text.h"
#include "ep-formatted-text-private.h"

#define UNSET G_MAXSIZE

static void
span_free (gpointer data)
{
  EpTextSpan *span = data;

  if (span == NULL)
    return;
  g_free (span->link);
  g_free (span);
}

static EpTextSpan *
span_new (gsize        start,
          gsize        end,
          EpTextStyle  style,
          guint        level,
          const char  *link)
{
  EpTextSpan *span = g_new0 (EpTextSpan, 1);

  span->start = start;
  span->end = end;
  span->style = style;
  span->level = level;
  span->link = g_strdup (link);
  return span;
}

static int
compare_spans (gconstpointer a,
               gconstpointer b)
{
  const EpTextSpan *x = *(EpTextSpan * const *) a;
  const EpTextSpan *y = *(EpTextSpan * const *) b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1;
  return (int) x->style - (int) y->style;
}

/* Plain text */

static gsize
quote_depth (const char *line,
             gsize       len,
             gsize      *prefix)
{
  gsize depth = 0;
  gsize i = 0;

  while (i < len)
    {
      if (line[i] == '>')
        {
          depth++;
          i++;
        }
      else if (line[i] == ' ' && depth > 0)
        {
          gsize j = i;

          while (j < len && line[j] == ' ')
            j++;
          if (j < len && line[j] == '>')
            i = j;
          else
            break;
        }
      else
        break;
    }
  if (prefix != NULL)
    *prefix = i;
  return depth;
}

static gboolean
is_url_end (guchar c)
{
  return c <= ' ' || c == '<' || c == '>' || c == '"' || c == 0x7f;
}

/* The length of a bare URL at @p (start of a word), or 0. */
static gsize
url_length (const char *p,
            gsize       avail)
{
  static const char *const schemes[] = { "https://", "http://", "mailto:" };
  gsize n = 0;
  gsize scheme = 0;

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      gsize l = strlen (schemes[i]);

      if (avail > l && g_ascii_strncasecmp (p, schemes[i], l) == 0)
        {
          scheme = l;
          break;
        }
    }
  if (scheme == 0)
    return 0;

  n = scheme;
  while (n < avail && !is_url_end ((guchar) p[n]))
    n++;

  /* Sentence punctuation after a URL is not part of it. */
  while (n > scheme)
    {
      char c = p[n - 1];

      if (strchr (".,;:!?'*", c) != NULL)
        n--;
      else if (c == ')' || c == ']')
        {
          char open = c == ')' ? '(' : '[';
          gssize balance = 0;

          for (gsize i = 0; i < n; i++)
            balance += p[i] == open ? 1 : p[i] == c ? -1 : 0;
          if (balance >= 0)
            break;
          n--;
        }
      else
        break;
    }
  return n > scheme ? n : 0;
}

static void
add_links (GPtrArray  *spans,
           const char *text,
           gsize       start,
           gsize       end)
{
  gsize i = start;

  while (i < end)
    {
      gsize n = 0;

      if ((text[i] == 'h' || text[i] == 'H' || text[i] == 'm' || text[i] == 'M') &&
          (i == start || !g_ascii_isalnum (text[i - 1])))
        n = url_length (text + i, end - i);
      if (n > 0)
        {
          g_autofree char *link = g_strndup (text + i, n);

          g_ptr_array_add (spans, span_new (i, i + n, EP_TEXT_LINK, 0, link));
          i += n;
        }
      else
        i++;
    }
}

/* Public API */

EpFormattedText *
ep_formatted_text_new (void)
{
  EpFormattedText *text = g_new0 (EpFormattedText, 1);

  text->text = g_strdup ("");
  text->spans = g_ptr_array_new_with_free_func (span_free);
  return text;
}

void
ep_formatted_text_free (EpFormattedText *text)
{
  if (text == NULL)
    return;
  g_free (text->text);
  g_clear_pointer (&text->spans, g_ptr_array_unref);
  g_free (text);
}

EpFormattedText *
ep_formatted_text_from_plain (const char *plain,
                              gssize      len)
{
  EpFormattedText *result;
  g_autofree char *valid = NULL;
  GString *out;
  const char *p;
  const char *end;
  gsize quote_start = 0;
  gsize quote_end = 0;
  gsize depth = 0;

  g_return_val_if_fail (plain != NULL || len == 0, NULL);

  if (len < 0)
    len = (gssize) strlen (plain);
  /* NUL bytes are not valid here and become U+FFFD too. */
  valid = g_utf8_make_valid (plain != NULL ? plain : "", len);

  result = ep_formatted_text_new ();
  out = g_string_sized_new (strlen (valid));
  p = valid;
  end = valid + strlen (valid);

  while (p < end)
    {
      const char *eol = p;
      gsize line_start;
      gsize line_depth;

      while (eol < end && *eol != '\n' && *eol != '\r')
        eol++;

      line_start = out->len;
      g_string_append_len (out, p, eol - p);
      line_depth = quote_depth (p, eol - p, NULL);

      if (line_depth != depth)
        {
          if (depth > 0 && quote_end > quote_start)
            g_ptr_array_add (result->spans,
                             span_new (quote_start, quote_end, EP_TEXT_QUOTE, depth, NULL));
          depth = line_depth;
          quote_start = line_start;
        }
      quote_end = out->len;
      add_links (result->spans, out->str, line_start, out->len);

      if (eol < end)
        {
          g_string_append_c (out, '\n');
          if (*eol == '\r' && eol + 1 < end && eol[1] == '\n')
            eol++;
          eol++;
        }
      p = eol;
    }
  if (depth > 0 && quote_end > quote_start)
    g_ptr_array_add (result->spans,
                     span_new (quote_start, quote_end, EP_TEXT_QUOTE, depth, NULL));

  g_ptr_array_sort (result->spans, compare_spans);
  g_free (result->text);
  result->text = g_string_free (out, FALSE);
  return result;
}

/* The builder */

EpTextBuilder *
_ep_text_builder_new (gsize limit)
{
  EpTextBuilder *builder = g_new0 (EpTextBuilder, 1);

  builder->text = g_string_new (NULL);
  builder->spans = g_ptr_array_new_with_free_func (span_free);
  builder->unstarted = g_array_new (FALSE, FALSE, sizeof (guint));
  builder->limit = limit;
  return builder;
}

void
_ep_text_builder_free (EpTextBuilder *builder)
{
  if (builder == NULL)
    return;
  g_string_free (builder->text, TRUE);
  g_ptr_array_unref (builder->spans);
  g_array_unref (builder->unstarted);
  g_free (builder);
}

/* Appends within the limit; past it, cuts on a character boundary and
 * ends the text with "…". */
static void
append_capped (EpTextBuilder *builder,
               const char    *text,
               gsize          len)
{
  gsize room;

  if (builder->full || len == 0)
    return;
  room = builder->limit > builder->text->len ? builder->limit - builder->text->len : 0;
  if (len <= room)
    {
      g_string_append_len (builder->text, text, len);
      return;
    }
  while (room > 0 && ((guchar) text[room] & 0xc0) == 0x80)
    room--;
  g_string_append_len (builder->text, text, room);
  g_string_append (builder->text, "…");
  builder->full = TRUE;
}

static void
append_spaces (EpTextBuilder *builder,
               guint          n)
{
  static const char spaces[] = "                                ";

  while (n > 0 && !builder->full)
    {
      guint k = MIN (n, sizeof spaces - 1);

      append_capped (builder, spaces, k);
      n -= k;
    }
}

/* Pays what is owed before text: line breaks and indentation, kept
 * spaces, a collapsed space; then starts the spans waiting for text. */
static void
flush (EpTextBuilder *builder)
{
  if (builder->pending_nl > 0)
    {
      if (builder->text->len > 0)
        {
          for (guint i = 0; i < builder->pending_nl && !builder->full; i++)
            append_capped (builder, "\n", 1);
        }
      builder->pending_nl = 0;
      builder->pending_space = FALSE;
      if (builder->text->len > 0)
        append_spaces (builder, builder->indent);
    }
  append_spaces (builder, builder->pending_spaces + (builder->pending_space ? 1 : 0));
  builder->pending_spaces = 0;
  builder->pending_space = FALSE;

  for (guint i = 0; i < builder->unstarted->len; i++)
    {
      EpTextSpan *span = g_ptr_array_index (builder->spans,
                                            g_array_index (builder->unstarted, guint, i));

      span->start = builder->text->len;
    }
  g_array_set_size (builder->unstarted, 0);
  builder->line_has_text = TRUE;
}

static gboolean
at_line_start (EpTextBuilder *builder)
{
  return builder->pending_nl > 0 || builder->text->len == 0 ||
         builder->text->str[builder->text->len - 1] == '\n';
}

static void
collapsible_space (EpTextBuilder *builder)
{
  if (builder->pending_space)
    return;
  if (builder->pending_spaces > 0)
    {
      builder->pending_space = TRUE;
      return;
    }
  if (at_line_start (builder) || builder->text->str[builder->text->len - 1] == ' ')
    return;
  builder->pending_space = TRUE;
}

void
_ep_text_builder_text (EpTextBuilder *builder,
                       const char    *text,
                       gsize          len)
{
  g_autofree char *valid = NULL;
  gsize i = 0;

  if (!g_utf8_validate_len (text, len, NULL))
    {
      text = valid = g_utf8_make_valid (text, (gssize) len);
      len = strlen (valid);
    }

  while (i < len && !builder->full)
    {
      guchar c = (guchar) text[i];
      gsize run;

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
        {
          collapsible_space (builder);
          i++;
          continue;
        }
      if (c == 0xc2 && i + 1 < len && (guchar) text[i + 1] == 0xa0)
        {
          builder->pending_spaces++;
          i += 2;
          continue;
        }
      run = i + 1;
      while (run < len)
        {
          guchar d = (guchar) text[run];

          if (d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == '\f' ||
              (d == 0xc2 && run + 1 < len && (guchar) text[run + 1] == 0xa0))
            break;
          run++;
        }
      flush (builder);
      append_capped (builder, text + i, run - i);
      i = run;
    }
}

void
_ep_text_builder_verbatim (EpTextBuilder *builder,
                           const char    *text,
                           gsize          len)
{
  g_autofree char *valid = NULL;
  gsize i = 0;

  if (!g_utf8_validate_len (text, len, NULL))
    {
      text = valid = g_utf8_make_valid (text, (gssize) len);
      len = strlen (valid);
    }

  while (i < len && !builder->full)
    {
      gsize run = i;

      if (text[i] == '\n')
        {
          _ep_text_builder_newline (builder);
          i++;
          continue;
        }
      if (text[i] == '\r')
        {
          i++;
          continue;
        }
      while (run < len && text[run] != '\n' && text[run] != '\r')
        run++;
      flush (builder);
      append_capped (builder, text + i, run - i);
      i = run;
    }
}

void
_ep_text_builder_literal (EpTextBuilder *builder,
                          const char    *text)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  builder->pending_space = FALSE;
  flush (builder);
  append_capped (builder, text, strlen (text));
}

void
_ep_text_builder_block (EpTextBuilder *builder,
                        guint          lines)
{
  if (builder->inline_depth > 0)
    {
      collapsible_space (builder);
      return;
    }
  /* A line that holds only kept spaces (<p>&nbsp;</p>) is an empty line. */
  if (!builder->line_has_text && builder->pending_spaces > 0)
    builder->pending_nl++;
  builder->pending_nl = MAX (builder->pending_nl, lines);
  builder->pending_spaces = 0;
  builder->pending_space = FALSE;
  builder->line_has_text = FALSE;
}

void
_ep_text_builder_newline (EpTextBuilder *builder)
{
  if (builder->inline_depth > 0)
    {
      collapsible_space (builder);
      return;
    }
  builder->pending_nl++;
  builder->pending_spaces = 0;
  builder->pending_space = FALSE;
  builder->line_has_text = FALSE;
}

guint
_ep_text_builder_open (EpTextBuilder *builder,
                       EpTextStyle    style,
                       guint          level,
                       const char    *link)
{
  guint handle = builder->spans->len;

  g_ptr_array_add (builder->spans, span_new (UNSET, UNSET, style, level, link));
  g_array_append_val (builder->unstarted, handle);
  return handle;
}

void
_ep_text_builder_close (EpTextBuilder *builder,
                        guint          handle)
{
  EpTextSpan *span;

  if (handle == EP_TEXT_SPAN_NONE)
    return;
  g_assert (handle < builder->spans->len);
  span = g_ptr_array_index (builder->spans, handle);
  if (span->start == UNSET)
    {
      /* Never got text: it will be dropped. */
      for (guint i = 0; i < builder->unstarted->len; i++)
        if (g_array_index (builder->unstarted, guint, i) == handle)
          {
            g_array_remove_index (builder->unstarted, i);
            break;
          }
      span->start = span->end = 0;
      return;
    }
  if (span->end == UNSET)
    span->end = builder->text->len;
}

const char *
_ep_text_builder_span_text (EpTextBuilder *builder,
                            guint          handle,
                            gsize         *len)
{
  EpTextSpan *span = g_ptr_array_index (builder->spans, handle);

  if (span->start == UNSET || span->start >= builder->text->len)
    {
      *len = 0;
      return "";
    }
  *len = (span->end == UNSET ? builder->text->len : span->end) - span->start;
  return builder->text->str + span->start;
}

EpFormattedText *
_ep_text_builder_finish (EpTextBuilder *builder)
{
  EpFormattedText *result = ep_formatted_text_new ();
  gsize len = builder->text->len;

  for (guint i = 0; i < builder->spans->len; i++)
    {
      EpTextSpan *span = g_ptr_array_index (builder->spans, i);

      if (span->start == UNSET)
        continue;
      if (span->end == UNSET || span->end > len)
        span->end = len;
      if (span->start >= span->end)
        continue;
      g_ptr_array_add (result->spans, g_steal_pointer (&builder->spans->pdata[i]));
    }
  g_free (result->text);
  result->text = g_string_free (builder->text, FALSE);
  builder->text = NULL;
  g_ptr_array_unref (builder->spans);   /* the stolen ones are NULL there */
  g_array_unref (builder->unstarted);
  g_free (builder);
  return result;
}
