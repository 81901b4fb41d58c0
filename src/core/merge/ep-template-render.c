/* ep-template-render.c: a row of data through a parsed template
 *
 * Each column name is looked up in the table once per row; then the nodes
 * are walked. Values go into the text as they are. For Markdown the HTML
 * source is built in the same pass with every value escaped, so data can
 * never become markup. Values bound for a header are refused if they hold
 * a line break or another control character (header injection). In an
 * address field, a value in the name part ("{{ Name }} <{{ Email }}>") is
 * a literal name: it is quoted as needed, so its quotes, commas and angle
 * brackets never read as address syntax.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-template"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-template.h"
#include "ep-template-private.h"

/* Columns */

/* Optimal string alignment distance over casefolded characters. */
static guint
edit_distance (const char *a,
               const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a, -1);
  g_autofree char *fb = g_utf8_casefold (b, -1);
  g_autofree gunichar *ua = NULL;
  g_autofree gunichar *ub = NULL;
  g_autofree guint *d = NULL;
  glong n, m;
  guint result;

  ua = g_utf8_to_ucs4_fast (fa, -1, &n);
  ub = g_utf8_to_ucs4_fast (fb, -1, &m);
  d = g_new0 (guint, (n + 1) * (m + 1));

#define D(i, j) d[(i) * (m + 1) + (j)]
  for (glong i = 0; i <= n; i++)
    D (i, 0) = i;
  for (glong j = 0; j <= m; j++)
    D (0, j) = j;
  for (glong i = 1; i <= n; i++)
    for (glong j = 1; j <= m; j++)
      {
        guint cost = ua[i - 1] == ub[j - 1] ? 0 : 1;
        guint best = MIN (D (i - 1, j) + 1, D (i, j - 1) + 1);

        best = MIN (best, D (i - 1, j - 1) + cost);
        if (i > 1 && j > 1 && ua[i - 1] == ub[j - 2] && ua[i - 2] == ub[j - 1])
          best = MIN (best, D (i - 2, j - 2) + 1);
        D (i, j) = best;
      }
  result = D (n, m);
#undef D

  return result;
}

static const char *
closest_column (EpTable    *table,
                const char *name)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name));
  glong len = g_utf8_strlen (stripped, -1);
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint n = ep_table_get_n_columns (table);

  for (guint c = 0; c < n; c++)
    {
      const char *column = ep_table_get_column (table, c);
      glong clen = g_utf8_strlen (column, -1);
      guint distance = edit_distance (stripped, column);
      guint limit = MAX (1, MAX (len, clen) / 3);

      /* Close enough to be a typo, and not a rewrite of a short name. */
      if (distance <= limit && distance < (guint) MIN (len, clen) && distance < best_distance)
        {
          best = column;
          best_distance = distance;
        }
    }

  return best;
}

static void
set_unknown_column_error (GError     **error,
                          EpTable     *table,
                          const char  *name)
{
  const char *suggestion = closest_column (table, name);

  if (suggestion != NULL)
    g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_UNKNOWN_COLUMN,
                 _("No column “%s” in the data. Did you mean “%s”?"), name, suggestion);
  else
    g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_UNKNOWN_COLUMN,
                 _("No column “%s” in the data."), name);
}

gboolean
ep_template_check_columns (EpTemplate  *self,
                           EpTable     *table,
                           GError     **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (table != NULL, FALSE);

  for (guint i = 0; i + 1 < self->columns->len; i++)
    {
      const char *name = g_ptr_array_index (self->columns, i);

      if (ep_table_find_column (table, name) < 0)
        {
          set_unknown_column_error (error, table, name);
          return FALSE;
        }
    }

  return TRUE;
}

/* Rendering */

typedef struct
{
  EpTable         *table;
  guint            row;
  const int       *map;          /* template column → table column */
  EpTemplateField  field;
  gboolean         header;       /* values must not hold control characters */
  gboolean         name_row;
  guint            n_values;     /* values inserted into this field */
  guint            n_filled;     /* … that were not blank */
  GArray          *spans;        /* Span: where values went, address fields only */
  GError          *error;        /* the first header injection */
} Render;

typedef struct
{
  gsize start;
  gsize end;
} Span;

/* Template text of an address field, read one character at a time. */
typedef struct
{
  gboolean in_quotes;
  gboolean escaped;
  int      angle;
} Syntax;

static gboolean
is_blank (const char *value)
{
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* A control character that must not reach a header: C0, DEL, C1, and the
 * Unicode line and paragraph separators; 0 if none. */
static gunichar
find_control (const char *value)
{
  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    {
      gunichar c;

      if (*p < 0x20 || *p == 0x7f)
        return *p;
      if (*p < 0x80)
        continue;

      c = g_utf8_get_char ((const char *) p);
      if ((c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029)
        return c;
      p = (const guchar *) g_utf8_next_char (p) - 1;
    }

  return 0;
}

static void
set_injection_error (Render     *ctx,
                     guint       column,
                     gunichar    c)
{
  const char *name = ep_table_get_column (ctx->table, column);
  const char *field = _ep_template_field_names[ctx->field];
  g_autofree char *what = NULL;

  if (c == '\r' || c == '\n' || c == 0x2028 || c == 0x2029)
    what = g_strdup_printf (_("The value in column “%s” contains a line break, which "
                              "cannot go into the %s field"), name, field);
  else
    what = g_strdup_printf (_("The value in column “%s” contains a control character "
                              "(U+%04X), which cannot go into the %s field"),
                            name, (guint) c, field);

  if (ctx->name_row)
    ctx->error = g_error_new (EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_HEADER_INJECTION,
                              /* Translators: %u is a row number, %s says what is wrong */
                              _("Row %u: %s"),
                              ep_table_get_row_number (ctx->table, ctx->row), what);
  else
    ctx->error = g_error_new_literal (EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_HEADER_INJECTION,
                                      what);
}

static void
set_date_error (Render       *ctx,
                guint         column,
                const GError *why)
{
  const char *name = ep_table_get_column (ctx->table, column);

  if (ctx->error != NULL)
    return;
  if (ctx->name_row)
    /* Translators: "Row 5: column “Due”: “soon” is not a date (…)" */
    ctx->error = g_error_new (EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_NOT_A_DATE,
                              _("Row %u: column “%s”: %s"),
                              ep_table_get_row_number (ctx->table, ctx->row), name, why->message);
  else
    ctx->error = g_error_new (EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_NOT_A_DATE,
                              _("Column “%s”: %s"), name, why->message);
}

/* The value a tag puts in: as the sheet shows it, or through its filter. */
static const char *
node_value (Render             *ctx,
            const TemplateNode *node,
            char              **owned)
{
  guint column = ctx->map[node->column];
  const char *value;
  g_autoptr(GError) error = NULL;

  *owned = NULL;
  if (node->filter == FILTER_NONE)
    return ep_table_get_value (ctx->table, ctx->row, column);
  value = ep_table_get_raw_value (ctx->table, ctx->row, column);
  if (node->filter != FILTER_DATE || is_blank (value))
    return value;
  *owned = ep_table_format_date (ctx->table, value, node->format, &error);
  if (*owned == NULL)
    {
      /* Never the wrong text in a letter: the row fails with why. */
      set_date_error (ctx, column, error);
      return "";
    }
  return *owned;
}

/* Markdown: a backslash before every ASCII punctuation character keeps
 * data literal (no emphasis, links, raw HTML or autolinks). */
static void
append_markdown_escaped (GString    *out,
                         const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if (g_ascii_ispunct (*p))
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
}

static void
render_nodes (Render    *ctx,
              GPtrArray *nodes,
              GString   *out,
              GString   *html)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      const TemplateNode *node = g_ptr_array_index (nodes, i);
      g_autofree char *owned = NULL;
      const char *value;
      Span span;

      switch (node->kind)
        {
        case NODE_TEXT:
          g_string_append_len (out, node->text, node->len);
          if (html != NULL)
            g_string_append_len (html, node->text, node->len);
          break;

        case NODE_VALUE:
          value = node_value (ctx, node, &owned);
          ctx->n_values++;
          if (node->text != NULL && is_blank (value))
            {
              /* The default is template text, written by the author. */
              ctx->n_filled++;
              g_string_append (out, node->text);
              if (html != NULL)
                g_string_append (html, node->text);
              break;
            }
          if (!is_blank (value))
            ctx->n_filled++;
          if (ctx->header && ctx->error == NULL)
            {
              gunichar c = find_control (value);

              if (c != 0)
                set_injection_error (ctx, ctx->map[node->column], c);
            }
          span.start = out->len;
          g_string_append (out, value);
          span.end = out->len;
          if (ctx->spans != NULL)
            g_array_append_val (ctx->spans, span);
          if (html != NULL)
            append_markdown_escaped (html, value);
          break;

        case NODE_IF:
          value = ep_table_get_value (ctx->table, ctx->row, ctx->map[node->column]);
          render_nodes (ctx, is_blank (value) ? node->else_nodes : node->then_nodes, out, html);
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static void
syntax_feed (Syntax *syntax,
             char    c)
{
  if (syntax->escaped)
    syntax->escaped = FALSE;
  else if (syntax->in_quotes && c == '\\')
    syntax->escaped = TRUE;
  else if (c == '"')
    syntax->in_quotes = !syntax->in_quotes;
  else if (!syntax->in_quotes && c == '<')
    syntax->angle++;
  else if (!syntax->in_quotes && c == '>' && syntax->angle > 0)
    syntax->angle--;
}

/* Whether the template text after value @i, up to the end of its mailbox
 * (a comma), opens an angle address: then the value is part of a name. */
static gboolean
is_name_part (const GString *out,
              const GArray  *spans,
              guint          i)
{
  Syntax syntax = { FALSE, FALSE, 0 };
  gsize pos = g_array_index (spans, Span, i).end;

  for (guint next = i + 1; ; next++)
    {
      gsize end = next < spans->len ? g_array_index (spans, Span, next).start : out->len;

      for (; pos < end; pos++)
        {
          char c = out->str[pos];

          if (!syntax.in_quotes && c == '<')
            return TRUE;
          if (!syntax.in_quotes && c == ',')
            return FALSE;
          syntax_feed (&syntax, c);
        }
      if (next >= spans->len)
        return FALSE;
      pos = g_array_index (spans, Span, next).end;
    }
}

/* RFC 5322 specials that a phrase cannot hold unquoted; GMime reads “.”
 * in a name (obsolete syntax), so it is left alone. */
static gboolean
needs_quotes (const char *value,
              gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (strchr ("()<>[]:;@\\,\"", value[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
append_quoted_content (GString    *out,
                       const char *value,
                       gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (value[i] == '"' || value[i] == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, value[i]);
    }
}

/* Rewrites an address field so that every value in a name part is a
 * literal name: inside the author's quotes it is escaped; elsewhere it is
 * made one quoted-string when it holds a special. Values in angle brackets,
 * or that make up a mailbox by themselves, are addresses and stay as they are. */
static void
quote_names (GString      *out,
             const GArray *spans)
{
  g_autoptr(GString) result = g_string_sized_new (out->len + 16);
  Syntax syntax = { FALSE, FALSE, 0 };
  gsize pos = 0;

  for (guint i = 0; i < spans->len; i++)
    {
      const Span *span = &g_array_index (spans, Span, i);
      const char *value = out->str + span->start;
      gsize len = span->end - span->start;

      for (; pos < span->start; pos++)
        {
          syntax_feed (&syntax, out->str[pos]);
          g_string_append_c (result, out->str[pos]);
        }

      if (syntax.in_quotes)
        append_quoted_content (result, value, len);
      else if (syntax.angle == 0 && needs_quotes (value, len) && is_name_part (out, spans, i))
        {
          g_string_append_c (result, '"');
          append_quoted_content (result, value, len);
          g_string_append_c (result, '"');
        }
      else
        g_string_append_len (result, value, len);
      pos = span->end;
    }
  g_string_append_len (result, out->str + pos, out->len - pos);

  g_string_assign (out, result->str);
}

/* A header field, trimmed; "" when empty. An address field whose values
 * were all blank is empty too ("{{ Name }} <{{ Email }}>" on a blank row). */
static char *
render_header (Render          *ctx,
               GPtrArray       *nodes,
               EpTemplateField  field)
{
  GString *out = g_string_new (NULL);

  ctx->field = field;
  ctx->header = TRUE;
  ctx->n_values = 0;
  ctx->n_filled = 0;
  if (field <= EP_TEMPLATE_FIELD_REPLY_TO)
    ctx->spans = g_array_new (FALSE, FALSE, sizeof (Span));
  render_nodes (ctx, nodes, out, NULL);
  if (ctx->spans != NULL)
    {
      quote_names (out, ctx->spans);
      g_clear_pointer (&ctx->spans, g_array_unref);
    }

  g_strstrip (out->str);
  out->len = strlen (out->str);

  if (field <= EP_TEMPLATE_FIELD_REPLY_TO && ctx->n_values > 0 && ctx->n_filled == 0)
    g_string_truncate (out, 0);

  return g_string_free (out, FALSE);
}

static int *
map_columns (EpTemplate  *self,
             EpTable     *table,
             GError     **error)
{
  guint n = self->columns->len - 1;
  g_autofree int *map = g_new (int, MAX (n, 1));

  /* Rendering row after row of one table looks the names up once. */
  g_mutex_lock (&self->map_lock);
  if (self->map_table == table)
    {
      memcpy (map, self->map, sizeof (int) * n);
      g_mutex_unlock (&self->map_lock);
      return g_steal_pointer (&map);
    }
  g_mutex_unlock (&self->map_lock);

  for (guint i = 0; i < n; i++)
    {
      const char *name = g_ptr_array_index (self->columns, i);

      map[i] = ep_table_find_column (table, name);
      if (map[i] < 0)
        {
          set_unknown_column_error (error, table, name);
          return NULL;
        }
    }

  g_mutex_lock (&self->map_lock);
  g_clear_pointer (&self->map_table, ep_table_unref);
  g_free (self->map);
  self->map_table = ep_table_ref (table);
  self->map = g_memdup2 (map, sizeof (int) * MAX (n, 1));
  g_mutex_unlock (&self->map_lock);

  return g_steal_pointer (&map);
}

EpDraft *
_ep_template_render_row (EpTemplate  *self,
                         EpTable     *table,
                         guint        row,
                         const char  *base_dir,
                         gboolean     name_row,
                         GError     **error)
{
  g_autoptr(EpDraft) draft = NULL;
  g_autofree int *map = NULL;
  Render ctx = { 0, };
  GPtrArray *lists[] = { NULL, NULL, NULL };

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (row < ep_table_get_n_rows (table), NULL);

  map = map_columns (self, table, error);
  if (map == NULL)
    return NULL;

  ctx.table = table;
  ctx.row = row;
  ctx.map = map;
  ctx.name_row = name_row;

  draft = ep_draft_new ();
  lists[EP_TEMPLATE_FIELD_TO] = draft->to;
  lists[EP_TEMPLATE_FIELD_CC] = draft->cc;
  lists[EP_TEMPLATE_FIELD_BCC] = draft->bcc;

  for (guint f = EP_TEMPLATE_FIELD_TO; f <= EP_TEMPLATE_FIELD_BCC; f++)
    {
      char *value = render_header (&ctx, self->segments[f], f);

      if (*value != '\0')
        g_ptr_array_add (lists[f], value);
      else
        g_free (value);
    }

  draft->reply_to = render_header (&ctx, self->segments[EP_TEMPLATE_FIELD_REPLY_TO],
                                   EP_TEMPLATE_FIELD_REPLY_TO);
  if (*draft->reply_to == '\0')
    g_clear_pointer (&draft->reply_to, g_free);

  draft->subject = render_header (&ctx, self->segments[EP_TEMPLATE_FIELD_SUBJECT],
                                  EP_TEMPLATE_FIELD_SUBJECT);

  for (guint i = 0; i < self->attachments->len; i++)
    {
      g_autofree char *path = render_header (&ctx, g_ptr_array_index (self->attachments, i),
                                             EP_TEMPLATE_FIELD_ATTACHMENT);

      /* An empty line lets a column name an attachment for some rows only. */
      if (*path != '\0')
        g_ptr_array_add (draft->attachments, g_canonicalize_filename (path, base_dir));
    }

  if (ctx.error != NULL)
    {
      g_propagate_error (error, ctx.error);
      return NULL;
    }

  {
    GString *body = g_string_new (NULL);
    GString *html = self->parts->markdown ? g_string_new (NULL) : NULL;

    ctx.field = EP_TEMPLATE_FIELD_BODY;
    ctx.header = FALSE;
    render_nodes (&ctx, self->segments[EP_TEMPLATE_FIELD_BODY], body, html);
    draft->body = g_string_free (body, FALSE);
    draft->markdown = self->parts->markdown;
    if (html != NULL)
      draft->html_source = g_string_free (html, FALSE);
  }

  if (ctx.error != NULL)
    {
      g_propagate_error (error, ctx.error);
      return NULL;
    }

  return g_steal_pointer (&draft);
}

EpDraft *
ep_template_render (EpTemplate  *self,
                    EpTable     *table,
                    guint        row,
                    const char  *base_dir,
                    GError     **error)
{
  return _ep_template_render_row (self, table, row, base_dir, TRUE, error);
}

static const char *
find_blank (EpTemplate *self,
            EpTable    *table,
            guint       row,
            GPtrArray  *nodes)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      const TemplateNode *node = g_ptr_array_index (nodes, i);
      const char *found = NULL;
      int column;

      if (node->kind == NODE_TEXT)
        continue;

      column = ep_table_find_column (table, g_ptr_array_index (self->columns, node->column));
      if (column < 0)
        continue;

      if (node->kind == NODE_VALUE)
        {
          if (node->text == NULL && is_blank (ep_table_get_value (table, row, column)))
            return ep_table_get_column (table, column);
        }
      else if (is_blank (ep_table_get_value (table, row, column)))
        found = find_blank (self, table, row, node->else_nodes);
      else
        found = find_blank (self, table, row, node->then_nodes);

      if (found != NULL)
        return found;
    }

  return NULL;
}

const char *
_ep_template_find_blank_column (EpTemplate      *self,
                                EpTable         *table,
                                guint            row,
                                EpTemplateField  field)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field != EP_TEMPLATE_FIELD_ATTACHMENT, NULL);

  return find_blank (self, table, row, self->segments[field]);
}
