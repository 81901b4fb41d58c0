/* ep-html-text.c: HTML mail to formatted text, with no web engine
 *
 * libxml2's HTML parser builds the tree (recover mode, no network, no
 * DTD); two iterative walks over it lay it out. The first marks tables
 * (layout or data) and finds <base href>; the second writes the text
 * through the builder of ep-formatted-text.c. Nothing here can run a
 * script or fetch anything: images become their alt text, links are text
 * with a span, and only http(s), mailto and ftp targets become links.
 * Hidden text (display:none, the hidden attribute, zero-size fonts) is
 * dropped, because spammers and phishers hide text from the reader.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-html-text"

#include "config.h"

#include <string.h>
#include <libxml/HTMLparser.h>
#include <glib/gi18n-lib.h>

#include "ep-html-text.h"
#include "ep-formatted-text-private.h"
#include "ep-html-text-private.h"

#define MAX_DEPTH  256
#define MAX_OUTPUT (4 * 1024 * 1024)
#define MAX_HTML  ((gsize) 64 * 1024 * 1024)   /* HTML read at most */
#define MAX_SPANS  4
#define RULE       "────────────────────"
#define CELL_SEP   " │"   /* and a space, dropped at the end of a line */

/* The first walk's findings, kept in a table node's _private. */
enum
{
  TABLE_NESTED     = 1 << 0,   /* a cell holds another table: layout */
  TABLE_MULTI_CELL = 1 << 1,   /* some row has two cells or more */
};

typedef enum
{
  KIND_INLINE,
  KIND_DROP,
  KIND_BLOCK,
  KIND_STYLE,
  KIND_HEADING,
  KIND_LIST,
  KIND_ITEM,
  KIND_QUOTE,
  KIND_PRE,
  KIND_TABLE,
  KIND_ROW,
  KIND_CELL,
  KIND_LINK,
  KIND_IMAGE,
  KIND_BREAK,
  KIND_RULE,
  KIND_PARAGRAPH,
  KIND_INDENT,
} Kind;

typedef struct
{
  const char  *name;
  Kind         kind;
  guint        lines;   /* KIND_BLOCK: line breaks around it */
  EpTextStyle  style;   /* KIND_STYLE */
} Element;

static const Element elements[] = {
  { "a", KIND_LINK, 0, 0 },
  { "address", KIND_BLOCK, 1, 0 },
  { "applet", KIND_DROP, 0, 0 },
  { "area", KIND_DROP, 0, 0 },
  { "article", KIND_BLOCK, 1, 0 },
  { "aside", KIND_BLOCK, 1, 0 },
  { "audio", KIND_DROP, 0, 0 },
  { "b", KIND_STYLE, 0, EP_TEXT_BOLD },
  { "blockquote", KIND_QUOTE, 2, 0 },
  { "body", KIND_BLOCK, 1, 0 },
  { "br", KIND_BREAK, 0, 0 },
  { "button", KIND_DROP, 0, 0 },
  { "canvas", KIND_DROP, 0, 0 },
  { "caption", KIND_BLOCK, 1, 0 },
  { "center", KIND_BLOCK, 1, 0 },
  { "cite", KIND_STYLE, 0, EP_TEXT_ITALIC },
  { "code", KIND_STYLE, 0, EP_TEXT_MONOSPACE },
  { "datalist", KIND_DROP, 0, 0 },
  { "dd", KIND_INDENT, 1, 0 },
  { "del", KIND_STYLE, 0, EP_TEXT_STRIKE },
  { "details", KIND_BLOCK, 1, 0 },
  { "dfn", KIND_STYLE, 0, EP_TEXT_ITALIC },
  { "dialog", KIND_DROP, 0, 0 },
  { "div", KIND_BLOCK, 1, 0 },
  { "dl", KIND_BLOCK, 2, 0 },
  { "dt", KIND_BLOCK, 1, 0 },
  { "em", KIND_STYLE, 0, EP_TEXT_ITALIC },
  { "embed", KIND_DROP, 0, 0 },
  { "fieldset", KIND_BLOCK, 1, 0 },
  { "figcaption", KIND_BLOCK, 1, 0 },
  { "figure", KIND_BLOCK, 2, 0 },
  { "footer", KIND_BLOCK, 1, 0 },
  { "form", KIND_BLOCK, 1, 0 },
  { "frame", KIND_DROP, 0, 0 },
  { "frameset", KIND_DROP, 0, 0 },
  { "h1", KIND_HEADING, 2, 0 },
  { "h2", KIND_HEADING, 2, 0 },
  { "h3", KIND_HEADING, 2, 0 },
  { "h4", KIND_HEADING, 2, 0 },
  { "h5", KIND_HEADING, 2, 0 },
  { "h6", KIND_HEADING, 2, 0 },
  { "head", KIND_DROP, 0, 0 },
  { "header", KIND_BLOCK, 1, 0 },
  { "hgroup", KIND_BLOCK, 1, 0 },
  { "hr", KIND_RULE, 2, 0 },
  { "html", KIND_BLOCK, 1, 0 },
  { "i", KIND_STYLE, 0, EP_TEXT_ITALIC },
  { "iframe", KIND_DROP, 0, 0 },
  { "img", KIND_IMAGE, 0, 0 },
  { "input", KIND_DROP, 0, 0 },
  { "ins", KIND_STYLE, 0, EP_TEXT_UNDERLINE },
  { "kbd", KIND_STYLE, 0, EP_TEXT_MONOSPACE },
  { "legend", KIND_BLOCK, 1, 0 },
  { "li", KIND_ITEM, 1, 0 },
  { "listing", KIND_PRE, 2, 0 },
  { "main", KIND_BLOCK, 1, 0 },
  { "map", KIND_DROP, 0, 0 },
  { "math", KIND_DROP, 0, 0 },
  { "menu", KIND_LIST, 2, 0 },
  { "meta", KIND_DROP, 0, 0 },
  { "meter", KIND_DROP, 0, 0 },
  { "nav", KIND_BLOCK, 1, 0 },
  { "noframes", KIND_DROP, 0, 0 },
  { "noscript", KIND_DROP, 0, 0 },
  { "object", KIND_DROP, 0, 0 },
  { "ol", KIND_LIST, 2, 0 },
  { "optgroup", KIND_DROP, 0, 0 },
  { "option", KIND_DROP, 0, 0 },
  { "p", KIND_PARAGRAPH, 2, 0 },
  { "param", KIND_DROP, 0, 0 },
  { "plaintext", KIND_PRE, 2, 0 },
  { "pre", KIND_PRE, 2, 0 },
  { "progress", KIND_DROP, 0, 0 },
  { "s", KIND_STYLE, 0, EP_TEXT_STRIKE },
  { "samp", KIND_STYLE, 0, EP_TEXT_MONOSPACE },
  { "script", KIND_DROP, 0, 0 },
  { "section", KIND_BLOCK, 1, 0 },
  { "select", KIND_DROP, 0, 0 },
  { "source", KIND_DROP, 0, 0 },
  { "strike", KIND_STYLE, 0, EP_TEXT_STRIKE },
  { "strong", KIND_STYLE, 0, EP_TEXT_BOLD },
  { "style", KIND_DROP, 0, 0 },
  { "summary", KIND_BLOCK, 1, 0 },
  { "svg", KIND_DROP, 0, 0 },
  { "table", KIND_TABLE, 2, 0 },
  { "td", KIND_CELL, 1, 0 },
  { "template", KIND_DROP, 0, 0 },
  { "textarea", KIND_DROP, 0, 0 },
  { "th", KIND_CELL, 1, 0 },
  { "title", KIND_DROP, 0, 0 },
  { "tr", KIND_ROW, 1, 0 },
  { "track", KIND_DROP, 0, 0 },
  { "tt", KIND_STYLE, 0, EP_TEXT_MONOSPACE },
  { "u", KIND_STYLE, 0, EP_TEXT_UNDERLINE },
  { "ul", KIND_LIST, 2, 0 },
  { "var", KIND_STYLE, 0, EP_TEXT_ITALIC },
  { "video", KIND_DROP, 0, 0 },
  { "xmp", KIND_PRE, 2, 0 },
};

static const Element inline_element = { "", KIND_INLINE, 0, 0 };

enum
{
  FRAME_PRE      = 1 << 0,
  FRAME_QUOTE    = 1 << 1,
  FRAME_LIST     = 1 << 2,
  FRAME_ORDERED  = 1 << 3,
  FRAME_LINK     = 1 << 4,
  FRAME_INLINE   = 1 << 5,
  FRAME_DATA     = 1 << 6,   /* a data table */
  FRAME_INDENT   = 1 << 7,   /* restores the indent on leaving */
};

typedef struct
{
  xmlNode *node;
  guint    spans[MAX_SPANS];
  guint    n_spans;
  guint    lines;          /* block breaks on leaving */
  guint    flags;
  guint    saved_indent;
  guint    saved_list;     /* Render.list, .table, .row before this frame */
  guint    saved_table;
  guint    saved_row;
  guint    counter;        /* list: items so far; row and table: cells so far */
  guint    link;
  guint    styles;         /* the emphasis this frame turned on */
  char    *href;
} Frame;

typedef struct
{
  EpTextBuilder *builder;
  GArray        *frames;
  char          *base;
  guint          list;     /* index + 1 of the innermost list frame, or 0 */
  guint          table;    /* same for the innermost table */
  guint          row;      /* same for the innermost row */
  guint          pre;
  guint          links;
  guint          quote_depth;
  guint          quote_span;
  guint          styles;   /* emphasis on now: nested <b><b> make one span */
} Render;

static const Element *
find_element (const xmlChar *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    if (g_ascii_strcasecmp (elements[i].name, (const char *) name) == 0)
      return &elements[i];
  return &inline_element;
}

static gboolean
is_named (xmlNode    *node,
          const char *name)
{
  return node->type == XML_ELEMENT_NODE && node->name != NULL &&
         g_ascii_strcasecmp ((const char *) node->name, name) == 0;
}

static char *
get_attr (xmlNode    *node,
          const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *copy;

  if (value == NULL)
    return NULL;
  copy = g_strdup ((const char *) value);
  xmlFree (value);
  return copy;
}

/* A style attribute in lower case without white space, so that
 * "Display : NONE" reads "display:none". */
static char *
get_style (xmlNode *node)
{
  g_autofree char *style = get_attr (node, "style");
  char *out;
  char *q;

  if (style == NULL)
    return NULL;
  out = q = style;
  for (char *p = style; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      *q++ = g_ascii_tolower (*p);
  *q = '\0';
  return g_strdup (out);
}

static gboolean
style_has (const char *style,
           const char *property,
           const char *value)
{
  g_autofree char *needle = g_strconcat (property, ":", value, NULL);
  const char *p = style;
  gsize n = strlen (needle);

  while ((p = strstr (p, needle)) != NULL)
    {
      /* A whole property name: "max-height" is not "height". */
      if (p == style || p[-1] == ';' || p[-1] == '{' || p[-1] == '"')
        return TRUE;
      p += n;
    }
  return FALSE;
}

static gboolean
style_hides (const char *style)
{
  const char *p;

  if (style == NULL)
    return FALSE;
  if (style_has (style, "display", "none") || style_has (style, "visibility", "hidden") ||
      style_has (style, "mso-hide", "all"))
    return TRUE;
  /* font-size:0, 0px, 0pt, 0em… but not 0.8em. */
  for (p = style; (p = strstr (p, "font-size:0")) != NULL; p += 11)
    if ((p == style || p[-1] == ';') && p[11] != '.' && !g_ascii_isdigit (p[11]))
      return TRUE;
  return FALSE;
}

static gboolean
is_pixel_size (const char *value)
{
  gint64 n;
  char *end = NULL;

  if (value == NULL)
    return FALSE;
  n = g_ascii_strtoll (value, &end, 10);
  return end != value && (n == 0 || n == 1) && (*end == '\0' || g_str_equal (end, "px"));
}

/* The first walk */

static void
mark_tables (xmlNode  *root,
             char    **base)
{
  g_autoptr(GPtrArray) tables = g_ptr_array_new ();
  xmlNode *node = root;

  while (node != NULL)
    {
      gboolean descend = TRUE;

      if (node->type == XML_ELEMENT_NODE)
        {
          if (is_named (node, "table"))
            {
              if (tables->len > 0)
                {
                  xmlNode *outer = g_ptr_array_index (tables, tables->len - 1);

                  outer->_private = GUINT_TO_POINTER (GPOINTER_TO_UINT (outer->_private) |
                                                      TABLE_NESTED);
                }
              node->_private = NULL;
              g_ptr_array_add (tables, node);
            }
          else if (is_named (node, "tr") && tables->len > 0)
            {
              xmlNode *table = g_ptr_array_index (tables, tables->len - 1);
              guint cells = 0;

              for (xmlNode *c = node->children; c != NULL; c = c->next)
                if (is_named (c, "td") || is_named (c, "th"))
                  cells++;
              if (cells >= 2)
                table->_private = GUINT_TO_POINTER (GPOINTER_TO_UINT (table->_private) |
                                                    TABLE_MULTI_CELL);
            }
          else if (is_named (node, "base") && *base == NULL)
            {
              g_autofree char *href = get_attr (node, "href");

              if (href != NULL && (g_ascii_strncasecmp (href, "http://", 7) == 0 ||
                                   g_ascii_strncasecmp (href, "https://", 8) == 0))
                *base = g_steal_pointer (&href);
            }
        }
      else
        descend = node->type == XML_HTML_DOCUMENT_NODE || node->type == XML_DOCUMENT_NODE;

      if (descend && node->children != NULL)
        {
          node = node->children;
          continue;
        }
      while (node != NULL)
        {
          if (tables->len > 0 && g_ptr_array_index (tables, tables->len - 1) == node)
            g_ptr_array_remove_index (tables, tables->len - 1);
          if (node == root)
            node = NULL;
          else if (node->next != NULL)
            {
              node = node->next;
              break;
            }
          else
            node = node->parent;
        }
    }
}

/* The second walk */

static Frame *
frame_at (Render *render,
          guint   index_plus_one)
{
  if (index_plus_one == 0)
    return NULL;
  return &g_array_index (render->frames, Frame, index_plus_one - 1);
}

static void
set_quote_depth (Render *render,
                 guint   depth)
{
  _ep_text_builder_close (render->builder, render->quote_span);
  render->quote_span = EP_TEXT_SPAN_NONE;
  render->quote_depth = depth;
  if (depth > 0)
    render->quote_span = _ep_text_builder_open (render->builder, EP_TEXT_QUOTE, depth, NULL);
}

static void
add_span (Frame       *frame,
          guint        handle)
{
  if (frame->n_spans < MAX_SPANS)
    frame->spans[frame->n_spans++] = handle;
}

static void
write_image (Render  *render,
             xmlNode *node)
{
  g_autofree char *width = get_attr (node, "width");
  g_autofree char *height = get_attr (node, "height");
  g_autofree char *alt = NULL;
  g_autofree char *label = NULL;

  /* Tracking pixels say nothing to the reader. */
  if (is_pixel_size (width) || is_pixel_size (height))
    return;
  alt = get_attr (node, "alt");
  if (alt != NULL)
    g_strstrip (alt);
  if (alt == NULL || (alt[0] == '\0' && render->links > 0))
    label = g_strdup_printf ("[%s]", _("image"));
  else if (alt[0] != '\0')
    label = g_strdup_printf ("[%s: %s]", _("image"), alt);
  else
    return;   /* alt="": decorative, as the HTML standard says */
  _ep_text_builder_text (render->builder, label, strlen (label));
}

static void
open_emphasis (Render      *render,
               Frame       *frame,
               EpTextStyle  style)
{
  if (render->styles & style)
    return;
  render->styles |= style;
  frame->styles |= style;
  add_span (frame, _ep_text_builder_open (render->builder, style, 0, NULL));
}

static void
open_styles (Render  *render,
             Frame   *frame,
             const char *style)
{
  if (style == NULL)
    return;
  if (style_has (style, "font-weight", "bold") || style_has (style, "font-weight", "700") ||
      style_has (style, "font-weight", "800") || style_has (style, "font-weight", "900"))
    open_emphasis (render, frame, EP_TEXT_BOLD);
  if (style_has (style, "font-style", "italic"))
    open_emphasis (render, frame, EP_TEXT_ITALIC);
  if (style_has (style, "text-decoration", "underline"))
    open_emphasis (render, frame, EP_TEXT_UNDERLINE);
  if (style_has (style, "text-decoration", "line-through"))
    open_emphasis (render, frame, EP_TEXT_STRIKE);
}

static guint
list_start (xmlNode *node)
{
  g_autofree char *start = get_attr (node, "start");
  gint64 n;

  if (start == NULL)
    return 0;
  n = g_ascii_strtoll (start, NULL, 10);
  return n >= 1 && n < 1000000 ? (guint) n - 1 : 0;
}

/* Returns whether to walk the element's children. */
static gboolean
enter_element (Render  *render,
               xmlNode *node)
{
  EpTextBuilder *b = render->builder;
  const Element *element = find_element (node->name);
  g_autofree char *style = NULL;
  Frame frame = { 0, };

  if (element->kind == KIND_DROP || xmlHasProp (node, (const xmlChar *) "hidden"))
    return FALSE;
  style = get_style (node);
  if (style_hides (style))
    return FALSE;

  switch (element->kind)
    {
    case KIND_BREAK:
      _ep_text_builder_newline (b);
      return FALSE;
    case KIND_IMAGE:
      write_image (render, node);
      return FALSE;
    case KIND_RULE:
      _ep_text_builder_block (b, 2);
      _ep_text_builder_literal (b, RULE);
      _ep_text_builder_block (b, 2);
      return FALSE;
    default:
      break;
    }

  /* Deeper than this, elements only pass their text on. */
  if (render->frames->len >= MAX_DEPTH)
    return TRUE;

  frame.node = node;
  frame.link = EP_TEXT_SPAN_NONE;
  frame.saved_indent = b->indent;
  frame.saved_list = render->list;
  frame.saved_table = render->table;
  frame.saved_row = render->row;

  /* libxml2 2.9 reads Word's <o:p> as <p>; a <p> cannot hold one. */
  if (element->kind == KIND_PARAGRAPH && node->parent != NULL && is_named (node->parent, "p"))
    element = &inline_element;

  switch (element->kind)
    {
    case KIND_BLOCK:
    case KIND_PARAGRAPH:
      frame.lines = element->lines;
      if (element->kind == KIND_PARAGRAPH)
        {
          g_autofree char *klass = get_attr (node, "class");

          /* Outlook's paragraphs have no margins; its empty ones
           * (<o:p>&nbsp;</o:p>) are the blank lines. */
          if ((klass != NULL && strstr (klass, "Mso") != NULL) ||
              (style != NULL && (style_has (style, "margin", "0;") ||
                                 style_has (style, "margin", "0px;"))))
            frame.lines = 1;
        }
      _ep_text_builder_block (b, frame.lines);
      break;
    case KIND_STYLE:
      open_emphasis (render, &frame, element->style);
      break;
    case KIND_HEADING:
      frame.lines = 2;
      _ep_text_builder_block (b, 2);
      add_span (&frame, _ep_text_builder_open (b, EP_TEXT_HEADING,
                                               (guint) (node->name[1] - '0'), NULL));
      break;
    case KIND_QUOTE:
      frame.lines = 2;
      frame.flags |= FRAME_QUOTE;
      _ep_text_builder_block (b, 2);
      set_quote_depth (render, render->quote_depth + 1);
      break;
    case KIND_PRE:
      frame.lines = 2;
      frame.flags |= FRAME_PRE;
      _ep_text_builder_block (b, 2);
      render->pre++;
      open_emphasis (render, &frame, EP_TEXT_MONOSPACE);
      break;
    case KIND_LIST:
      frame.lines = render->list > 0 ? 1 : 2;
      frame.flags |= FRAME_LIST | FRAME_INDENT;
      if (is_named (node, "ol"))
        {
          frame.flags |= FRAME_ORDERED;
          frame.counter = list_start (node);
        }
      _ep_text_builder_block (b, frame.lines);
      render->list = render->frames->len + 1;
      break;
    case KIND_ITEM:
      {
        Frame *list = frame_at (render, render->list);
        g_autofree char *bullet = NULL;

        frame.lines = 1;
        frame.flags |= FRAME_INDENT;
        _ep_text_builder_block (b, 1);
        if (list != NULL)
          {
            b->indent = list->saved_indent;
            list->counter++;
          }
        if (list != NULL && (list->flags & FRAME_ORDERED))
          bullet = g_strdup_printf ("%u.", list->counter);
        else
          bullet = g_strdup ("•");
        /* The space after it goes if the item starts with a block. */
        _ep_text_builder_literal (b, bullet);
        _ep_text_builder_text (b, " ", 1);
        b->indent += (guint) g_utf8_strlen (bullet, -1) + 1;
      }
      break;
    case KIND_INDENT:
      frame.lines = 1;
      frame.flags |= FRAME_INDENT;
      _ep_text_builder_block (b, 1);
      b->indent += 4;
      break;
    case KIND_TABLE:
      {
        guint marks = GPOINTER_TO_UINT (node->_private);
        g_autofree char *role = get_attr (node, "role");
        gboolean data = (marks & TABLE_MULTI_CELL) && !(marks & TABLE_NESTED) &&
                        (role == NULL || !g_str_equal (role, "presentation"));

        frame.lines = data ? 2 : 1;
        frame.flags |= data ? FRAME_DATA : 0;
        _ep_text_builder_block (b, frame.lines);
        render->table = render->frames->len + 1;
        render->row = 0;
      }
      break;
    case KIND_ROW:
      frame.lines = 1;
      _ep_text_builder_block (b, 1);
      render->row = render->frames->len + 1;
      break;
    case KIND_CELL:
      {
        Frame *table = frame_at (render, render->table);
        Frame *row = frame_at (render, render->row);

        if (table == NULL || !(table->flags & FRAME_DATA))
          {
            frame.lines = 1;
            _ep_text_builder_block (b, 1);
            break;
          }
        if (row == NULL)
          row = table;
        if (row->counter++ > 0)
          {
            _ep_text_builder_literal (b, CELL_SEP);
            _ep_text_builder_text (b, " ", 1);
          }
        frame.flags |= FRAME_INLINE;
        b->inline_depth++;
        if (is_named (node, "th"))
          open_emphasis (render, &frame, EP_TEXT_BOLD);
      }
      break;
    case KIND_LINK:
      {
        g_autofree char *href = get_attr (node, "href");

        if (href == NULL || render->links > 0)
          break;
        frame.href = _ep_html_link_target (href, render->base);
        if (frame.href == NULL)
          break;
        frame.flags |= FRAME_LINK;
        frame.link = _ep_text_builder_open (b, EP_TEXT_LINK, 0, frame.href);
        render->links++;
      }
      break;
    default:
      break;
    }
  open_styles (render, &frame, style);
  g_array_append_val (render->frames, frame);
  return TRUE;
}

static void
leave_element (Render *render)
{
  EpTextBuilder *b = render->builder;
  Frame frame = g_array_index (render->frames, Frame, render->frames->len - 1);

  g_array_set_size (render->frames, render->frames->len - 1);

  for (guint i = frame.n_spans; i > 0; i--)
    _ep_text_builder_close (b, frame.spans[i - 1]);
  render->styles &= ~frame.styles;

  if (frame.flags & FRAME_LINK)
    {
      gsize len;
      const char *label = _ep_text_builder_span_text (b, frame.link, &len);

      _ep_text_builder_close (b, frame.link);
      render->links--;
      if (len > 0 && !_ep_html_label_is_target (label, len, frame.href))
        {
          guint target;

          _ep_text_builder_literal (b, " <");
          target = _ep_text_builder_open (b, EP_TEXT_LINK, 0, frame.href);
          _ep_text_builder_literal (b, frame.href);
          _ep_text_builder_close (b, target);
          _ep_text_builder_literal (b, ">");
        }
      g_free (frame.href);
    }
  if (frame.flags & FRAME_INLINE)
    b->inline_depth--;
  if (frame.flags & FRAME_PRE)
    render->pre--;
  if (frame.flags & FRAME_QUOTE)
    {
      _ep_text_builder_block (b, frame.lines);
      set_quote_depth (render, render->quote_depth - 1);
    }
  if (frame.flags & FRAME_INDENT)
    b->indent = frame.saved_indent;
  render->list = frame.saved_list;
  render->table = frame.saved_table;
  render->row = frame.saved_row;
  if (frame.lines > 0)
    _ep_text_builder_block (b, frame.lines);
}

static void
write_text (Render  *render,
            xmlNode *node)
{
  const char *text = (const char *) node->content;
  g_autofree char *valid = NULL;
  gsize len;

  if (text == NULL)
    return;
  len = strlen (text);
  if (!g_utf8_validate (text, (gssize) len, NULL))
    {
      text = valid = g_utf8_make_valid (text, (gssize) len);
      len = strlen (valid);
    }
  if (render->pre > 0)
    {
      /* A newline right after <pre> is not content (HTML standard). */
      if (node->prev == NULL && node->parent != NULL && is_named (node->parent, "pre"))
        {
          if (len > 0 && text[0] == '\r')
            text++, len--;
          if (len > 0 && text[0] == '\n')
            text++, len--;
        }
      _ep_text_builder_verbatim (render->builder, text, len);
    }
  else
    _ep_text_builder_text (render->builder, text, len);
}

static void
render_tree (Render  *render,
             xmlNode *root)
{
  xmlNode *node = root;

  while (node != NULL && !render->builder->full)
    {
      gboolean descend = FALSE;

      switch (node->type)
        {
        case XML_HTML_DOCUMENT_NODE:
        case XML_DOCUMENT_NODE:
          descend = TRUE;
          break;
        case XML_ELEMENT_NODE:
          descend = enter_element (render, node);
          break;
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          write_text (render, node);
          break;
        default:   /* comments (and so <!--[if mso]>), processing instructions, DTD */
          break;
        }

      if (descend && node->children != NULL)
        {
          node = node->children;
          continue;
        }
      while (node != NULL)
        {
          if (render->frames->len > 0 &&
              g_array_index (render->frames, Frame, render->frames->len - 1).node == node)
            leave_element (render);
          if (node == root)
            node = NULL;
          else if (node->next != NULL)
            {
              node = node->next;
              break;
            }
          else
            node = node->parent;
        }
    }
  /* Stopped at the cap: links still open hold their targets. */
  for (guint i = 0; i < render->frames->len; i++)
    g_free (g_array_index (render->frames, Frame, i).href);
}

/* The charset a <meta> near the start declares (<meta charset=…> or
 * http-equiv's content="text/html; charset=…"), as HTML5's prescan reads
 * it, or NULL. */
static char *
meta_charset (const char *html,
              gsize       len)
{
  gsize n = MIN (len, 4096);
  const char *end = html + n;
  const char *p = html;

  while ((p = g_strstr_len (p, end - p, "<")) != NULL && p + 5 < end)
    {
      const char *close;
      const char *c;

      p++;
      if (g_ascii_strncasecmp (p, "meta", 4) != 0 || g_ascii_isalnum (p[4]))
        continue;
      close = memchr (p, '>', end - p);
      if (close == NULL)
        break;
      for (c = p; c + 7 < close; c++)
        {
          const char *v;
          const char *e;

          if (g_ascii_strncasecmp (c, "charset", 7) != 0)
            continue;
          v = c + 7;
          while (v < close && g_ascii_isspace (*v))
            v++;
          if (v >= close || *v != '=')
            continue;
          v++;
          while (v < close && (g_ascii_isspace (*v) || *v == '"' || *v == '\''))
            v++;
          for (e = v; e < close && (g_ascii_isalnum (*e) || strchr ("-_.:", *e) != NULL); e++)
            ;
          if (e > v)
            return g_strndup (v, e - v);
        }
      p = close;
    }
  return NULL;
}

static gboolean
charset_known (const char *charset)
{
  xmlCharEncodingHandlerPtr handler;

  if (charset == NULL || charset[0] == '\0')
    return FALSE;
  handler = xmlFindCharEncodingHandler (charset);
  if (handler == NULL)
    return FALSE;
  xmlCharEncCloseFunc (handler);
  return TRUE;
}

/* libxml2 reports conversion errors (bytes invalid in the charset) to its
 * generic handler, stderr, whatever the parser's options say. */
static void
ignore_error (void       *ctx,
              const char *msg,
              ...)
{
}

static htmlDocPtr
parse (const char *html,
       gsize       len,
       const char *charset)
{
  htmlParserCtxtPtr ctxt;
  htmlDocPtr doc;
  g_autofree char *declared = NULL;
  const char *encoding = "UTF-8";
  xmlGenericErrorFunc saved_error;
  void *saved_error_ctx;
  /* XML_PARSE_HUGE lifts libxml2's limit of 256 nested elements, past
   * which it stops reading and the rest of the mail would be lost; the
   * walks below are iterative and keep their own bound. */
  int options = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC |
                XML_PARSE_HUGE;

  if (len == 0)
    return NULL;
  /* The MIME charset wins over a <meta>, which wins over UTF-8; an
   * unknown name is ignored. */
  if (charset_known (charset))
    encoding = charset;
  else if (charset_known ((declared = meta_charset (html, len))))
    encoding = declared;

  ctxt = htmlNewParserCtxt ();
  if (ctxt == NULL)
    return NULL;
  /* Nothing from outside: no external subset, no entity resolution. */
  if (ctxt->sax != NULL)
    {
      ctxt->sax->externalSubset = NULL;
      ctxt->sax->resolveEntity = NULL;
    }
  /* Both are per thread in libxml2. */
  saved_error = xmlGenericError;
  saved_error_ctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc (NULL, ignore_error);
  doc = htmlCtxtReadMemory (ctxt, html, (int) MIN (len, MAX_HTML), NULL, encoding,
                            options);
  xmlSetGenericErrorFunc (saved_error_ctx, saved_error);
  htmlFreeParserCtxt (ctxt);
  return doc;
}

EpFormattedText *
ep_html_to_text (const char *html,
                 gssize      len,
                 const char *charset)
{
  g_autoptr(EpTextBuilder) builder = NULL;
  Render render = { 0, };
  htmlDocPtr doc;

  g_return_val_if_fail (html != NULL || len == 0, NULL);

  if (len < 0)
    len = (gssize) strlen (html);
  doc = parse (html, (gsize) len, charset);
  if (doc == NULL)
    return ep_formatted_text_new ();

  builder = _ep_text_builder_new (MAX_OUTPUT);
  render.builder = builder;
  render.frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  render.quote_span = EP_TEXT_SPAN_NONE;

  mark_tables ((xmlNode *) doc, &render.base);
  render_tree (&render, (xmlNode *) doc);

  g_array_unref (render.frames);
  g_free (render.base);
  xmlFreeDoc (doc);
  return _ep_text_builder_finish (g_steal_pointer (&builder));
}
