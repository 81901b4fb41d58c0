/* ep-template.c: mail-merge templates, parsed once and rendered per row
 *
 * A template is parsed into one node list per field (To, Cc, Bcc,
 * Reply-To, Subject, each Attachment line, the body). A node is literal
 * text, a value ({{ column }} with an optional default) or a condition
 * ({{#if column}} … {{else}} … {{/if}}, nestable). Columns are named by
 * index into the template's own list of names. This file reads the file
 * format and compiles; ep-template-render.c renders rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-template"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ep-template.h"
#include "ep-template-private.h"

G_DEFINE_QUARK (ep-template-error-quark, ep_template_error)
G_DEFINE_BOXED_TYPE (EpTemplate, ep_template, ep_template_ref, ep_template_unref)

const char * const _ep_template_field_names[] = {
  "To", "Cc", "Bcc", "Reply-To", "Subject", "Attachment", NULL,
};

/* Nodes */

static void
node_free (gpointer data)
{
  TemplateNode *node = data;

  g_free (node->text);
  g_free (node->format);
  g_clear_pointer (&node->then_nodes, g_ptr_array_unref);
  g_clear_pointer (&node->else_nodes, g_ptr_array_unref);
  g_free (node);
}

static GPtrArray *
node_list_new (void)
{
  return g_ptr_array_new_with_free_func (node_free);
}

/* Parts */

EpTemplateParts *
ep_template_parts_new (void)
{
  EpTemplateParts *parts = g_new0 (EpTemplateParts, 1);

  parts->attachments = g_ptr_array_new_with_free_func (g_free);

  return parts;
}

void
ep_template_parts_free (EpTemplateParts *parts)
{
  if (parts == NULL)
    return;

  g_free (parts->to);
  g_free (parts->cc);
  g_free (parts->bcc);
  g_free (parts->reply_to);
  g_free (parts->subject);
  g_clear_pointer (&parts->attachments, g_ptr_array_unref);
  g_free (parts->body);
  g_free (parts);
}

static char **
parts_field (EpTemplateParts *parts,
             EpTemplateField  field)
{
  switch (field)
    {
    case EP_TEMPLATE_FIELD_TO:
      return &parts->to;
    case EP_TEMPLATE_FIELD_CC:
      return &parts->cc;
    case EP_TEMPLATE_FIELD_BCC:
      return &parts->bcc;
    case EP_TEMPLATE_FIELD_REPLY_TO:
      return &parts->reply_to;
    case EP_TEMPLATE_FIELD_SUBJECT:
      return &parts->subject;
    case EP_TEMPLATE_FIELD_BODY:
      return &parts->body;
    case EP_TEMPLATE_FIELD_ATTACHMENT:
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

/* A copy with no NULL strings, header values on one line and trimmed. */
static EpTemplateParts *
parts_normalize (const EpTemplateParts *src)
{
  EpTemplateParts *parts = ep_template_parts_new ();

  for (guint f = 0; f < N_SINGLE_FIELDS; f++)
    {
      const char *value;
      char *copy;

      if (f == EP_TEMPLATE_FIELD_ATTACHMENT)
        continue;

      value = *parts_field ((EpTemplateParts *) src, f);
      copy = g_strdup (value ? value : "");
      if (f != EP_TEMPLATE_FIELD_BODY)
        {
          for (char *p = copy; *p; p++)
            if (*p == '\r' || *p == '\n' || *p == '\t')
              *p = ' ';
          g_strstrip (copy);
        }
      *parts_field (parts, f) = copy;
    }

  for (guint i = 0; src->attachments != NULL && i < src->attachments->len; i++)
    {
      char *copy = g_strdup (g_ptr_array_index (src->attachments, i));

      for (char *p = copy; *p; p++)
        if (*p == '\r' || *p == '\n' || *p == '\t')
          *p = ' ';
      g_strstrip (copy);
      if (*copy != '\0')
        g_ptr_array_add (parts->attachments, copy);
      else
        g_free (copy);
    }

  parts->markdown = src->markdown;

  return parts;
}

/* Compiling a field into nodes */

typedef struct
{
  EpTemplateField  field;
  const char      *source;
  guint            line;      /* in the template file; 0 = not from a file */
  GPtrArray      **dest;
} Job;

typedef struct
{
  GPtrArray  *columns;        /* char *, not yet NULL-terminated */
  GHashTable *column_index;   /* name → index + 1 */
} Compiler;

typedef struct
{
  TemplateNode      *node;
  GPtrArray *parent;
  char      *tag;
  guint      line;
  gboolean   in_else;
} OpenIf;

static void
open_if_free (gpointer data)
{
  OpenIf *open = data;

  g_free (open->tag);
  g_free (open);
}

G_GNUC_PRINTF (4, 5)
static void
syntax_error (GError    **error,
              const Job  *job,
              guint       offset,
              const char *format,
              ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (job->line > 0)
    g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                 /* Translators: %u is a line number, %s says what is wrong */
                 _("line %u: %s"), job->line + offset, what);
  else if (job->field == EP_TEMPLATE_FIELD_BODY)
    g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                 _("line %u of the text: %s"), offset + 1, what);
  else
    g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                 /* Translators: the first %s is a header name (Subject, To…) */
                 _("%s field: %s"), _ep_template_field_names[job->field], what);
}

static guint
intern_column (Compiler   *compiler,
               const char *name)
{
  gpointer index = g_hash_table_lookup (compiler->column_index, name);
  char *copy;

  if (index != NULL)
    return GPOINTER_TO_UINT (index) - 1;

  copy = g_strdup (name);
  g_ptr_array_add (compiler->columns, copy);
  g_hash_table_insert (compiler->column_index, copy, GUINT_TO_POINTER (compiler->columns->len));

  return compiler->columns->len - 1;
}

static void
add_text (GPtrArray *nodes,
          GString   *text)
{
  TemplateNode *node;

  if (text->len == 0)
    return;

  node = g_new0 (TemplateNode, 1);
  node->kind = NODE_TEXT;
  node->len = text->len;
  node->text = g_strndup (text->str, text->len);
  g_ptr_array_add (nodes, node);
  g_string_truncate (text, 0);
}

/* The end of the tag that starts at @start ("{{"), or NULL: the first "}}"
 * on the same line, not counting one inside the quotes of a default. */
static const char *
find_tag_end (const char *start)
{
  gboolean seen_pipe = FALSE;
  char quote = 0;

  for (const char *q = start + 2; *q != '\0' && *q != '\n'; q++)
    {
      if (quote != 0)
        {
          if (*q == '\\' && q[1] != '\0' && q[1] != '\n')
            q++;
          else if (*q == quote)
            quote = 0;
        }
      else if (*q == '|')
        seen_pipe = TRUE;
      else if (seen_pipe && (*q == '"' || *q == '\''))
        quote = *q;
      else if (q[0] == '}' && q[1] == '}')
        return q;
    }

  return NULL;
}

static char *
shorten (const char *text,
         gsize       len)
{
  const char *end = memchr (text, '\n', len);
  glong chars;

  if (end != NULL)
    len = end - text;
  chars = g_utf8_strlen (text, len);
  if (chars > 40)
    {
      g_autofree char *head = g_utf8_substring (text, 0, 37);
      return g_strconcat (head, "…", NULL);
    }

  return g_strndup (text, len);
}

static GPtrArray *
compile_field (Compiler   *compiler,
               const Job  *job,
               GError    **error)
{
  g_autoptr(GPtrArray) root = node_list_new ();
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (open_if_free);
  g_autoptr(GString) text = g_string_new (NULL);
  GPtrArray *current = root;
  const char *p = job->source;
  guint offset = 0;

  while (*p != '\0')
    {
      const char *end;
      g_autofree char *content = NULL;
      g_autofree char *tag = NULL;

      if (p[0] == '\\' && p[1] == '{' && p[2] == '{')
        {
          g_string_append (text, "{{");
          p += 3;
          continue;
        }

      if (p[0] != '{' || p[1] != '{')
        {
          if (*p == '\n')
            offset++;
          g_string_append_c (text, *p++);
          continue;
        }

      end = find_tag_end (p);
      if (end == NULL)
        {
          g_autofree char *shown = shorten (p, strlen (p));
          syntax_error (error, job, offset, _("“%s” is never closed with “}}”"), shown);
          return NULL;
        }

      add_text (current, text);
      tag = g_strndup (p, end + 2 - p);
      content = g_strstrip (g_strndup (p + 2, end - p - 2));
      p = end + 2;

      if (*content == '\0')
        {
          syntax_error (error, job, offset, _("“%s” names no column"), tag);
          return NULL;
        }
      else if (content[0] == '#')
        {
          const char *rest = content + 1;
          OpenIf *open;
          TemplateNode *node;

          if (!g_str_has_prefix (rest, "if") || (rest[2] != '\0' && rest[2] != ' ' && rest[2] != '\t'))
            {
              syntax_error (error, job, offset,
                            _("“%s” is not known; use “{{#if column}}”"), tag);
              return NULL;
            }
          rest += 2;
          while (*rest == ' ' || *rest == '\t')
            rest++;
          if (*rest == '\0')
            {
              syntax_error (error, job, offset, _("“%s” names no column"), tag);
              return NULL;
            }

          /* Rendering and freeing recurse once per level. */
          if (stack->len >= EP_TEMPLATE_MAX_DEPTH)
            {
              syntax_error (error, job, offset,
                            _("“%s” is nested more than %u deep"), tag, EP_TEMPLATE_MAX_DEPTH);
              return NULL;
            }

          node = g_new0 (TemplateNode, 1);
          node->kind = NODE_IF;
          node->column = intern_column (compiler, rest);
          node->then_nodes = node_list_new ();
          node->else_nodes = node_list_new ();
          g_ptr_array_add (current, node);

          open = g_new0 (OpenIf, 1);
          open->node = node;
          open->parent = current;
          open->tag = g_steal_pointer (&tag);
          open->line = offset;
          g_ptr_array_add (stack, open);
          current = node->then_nodes;
        }
      else if (content[0] == '/')
        {
          g_autofree char *what = g_strstrip (g_strdup (content + 1));
          OpenIf *open;

          if (strcmp (what, "if") != 0)
            {
              syntax_error (error, job, offset, _("“%s” is not known; use “{{/if}}”"), tag);
              return NULL;
            }
          if (stack->len == 0)
            {
              syntax_error (error, job, offset,
                            _("“%s” has no “{{#if …}}” before it"), tag);
              return NULL;
            }
          open = g_ptr_array_index (stack, stack->len - 1);
          current = open->parent;
          g_ptr_array_remove_index (stack, stack->len - 1);
        }
      else if (strcmp (content, "else") == 0)
        {
          OpenIf *open;

          if (stack->len == 0)
            {
              syntax_error (error, job, offset,
                            _("“%s” has no “{{#if …}}” before it"), tag);
              return NULL;
            }
          open = g_ptr_array_index (stack, stack->len - 1);
          if (open->in_else)
            {
              syntax_error (error, job, offset,
                            _("“%s” appears twice for “%s”"), tag, open->tag);
              return NULL;
            }
          open->in_else = TRUE;
          current = open->node->else_nodes;
        }
      else
        {
          char *bar = strchr (content, '|');
          g_autofree char *default_value = NULL;
          g_autofree char *format = NULL;
          TemplateValueFilter filter = FILTER_NONE;
          TemplateNode *node;

          if (bar != NULL)
            {
              g_autofree char *problem = NULL;

              if (!_ep_template_parse_filters (bar + 1, &default_value, &filter, &format, &problem))
                {
                  syntax_error (error, job, offset, _("“%s”: %s"), tag, problem);
                  return NULL;
                }
              *bar = '\0';
              g_strchomp (content);
              if (*content == '\0')
                {
                  syntax_error (error, job, offset, _("“%s” names no column"), tag);
                  return NULL;
                }
            }

          node = g_new0 (TemplateNode, 1);
          node->kind = NODE_VALUE;
          node->column = intern_column (compiler, content);
          node->text = g_steal_pointer (&default_value);
          node->filter = filter;
          node->format = g_steal_pointer (&format);
          g_ptr_array_add (current, node);
        }
    }

  if (stack->len > 0)
    {
      OpenIf *open = g_ptr_array_index (stack, stack->len - 1);

      syntax_error (error, job, open->line, _("“%s” is never closed with “{{/if}}”"),
                    open->tag);
      return NULL;
    }

  add_text (current, text);

  return g_steal_pointer (&root);
}

static int
compare_jobs (gconstpointer a,
              gconstpointer b)
{
  const Job *ja = a;
  const Job *jb = b;

  return (ja->line > jb->line) - (ja->line < jb->line);
}

static void
template_free (gpointer data)
{
  EpTemplate *self = data;

  g_clear_pointer (&self->parts, ep_template_parts_free);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  for (guint f = 0; f < N_SINGLE_FIELDS; f++)
    g_clear_pointer (&self->segments[f], g_ptr_array_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->map_table, ep_table_unref);
  g_clear_pointer (&self->map, g_free);
  g_mutex_clear (&self->map_lock);
}

/* Takes @parts (normalized). @lines: where each field starts in the file
 * (indexed by field), @attachment_lines likewise; both NULL if not from a
 * file. Fields are compiled in file order so the first error is reported. */
static EpTemplate *
compile (EpTemplateParts  *parts,
         const guint      *lines,
         const guint      *attachment_lines,
         GError          **error)
{
  EpTemplate *self = g_atomic_rc_box_new0 (EpTemplate);
  g_autoptr(GArray) jobs = g_array_new (FALSE, TRUE, sizeof (Job));
  g_autoptr(GHashTable) column_index = g_hash_table_new (g_str_hash, g_str_equal);
  Compiler compiler;

  g_mutex_init (&self->map_lock);
  self->parts = parts;
  self->columns = g_ptr_array_new_with_free_func (g_free);
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  compiler.columns = self->columns;
  compiler.column_index = column_index;

  for (guint f = 0; f < N_SINGLE_FIELDS; f++)
    {
      Job job = { 0, };

      if (f == EP_TEMPLATE_FIELD_ATTACHMENT)
        continue;
      job.field = f;
      job.source = *parts_field (parts, f);
      job.line = lines != NULL ? lines[f] : 0;
      job.dest = &self->segments[f];
      g_array_append_val (jobs, job);
    }

  g_ptr_array_set_size (self->attachments, parts->attachments->len);
  for (guint i = 0; i < parts->attachments->len; i++)
    {
      Job job = { 0, };

      job.field = EP_TEMPLATE_FIELD_ATTACHMENT;
      job.source = g_ptr_array_index (parts->attachments, i);
      job.line = attachment_lines != NULL ? attachment_lines[i] : 0;
      job.dest = (GPtrArray **) &g_ptr_array_index (self->attachments, i);
      g_array_append_val (jobs, job);
    }

  if (lines != NULL)
    g_array_sort (jobs, compare_jobs);

  for (guint i = 0; i < jobs->len; i++)
    {
      const Job *job = &g_array_index (jobs, Job, i);

      *job->dest = compile_field (&compiler, job, error);
      if (*job->dest == NULL)
        {
          /* Attachment slots not yet compiled are NULL; give them lists. */
          for (guint j = 0; j < self->attachments->len; j++)
            if (g_ptr_array_index (self->attachments, j) == NULL)
              g_ptr_array_index (self->attachments, j) = node_list_new ();
          g_atomic_rc_box_release_full (self, template_free);
          return NULL;
        }
    }

  g_ptr_array_add (self->columns, NULL);

  return self;
}

/* Reading the file format */

#define FIELD_FORMAT 100

static const struct
{
  const char *name;
  guint       field;
} headers[] = {
  { "to", EP_TEMPLATE_FIELD_TO },
  { "cc", EP_TEMPLATE_FIELD_CC },
  { "bcc", EP_TEMPLATE_FIELD_BCC },
  { "reply-to", EP_TEMPLATE_FIELD_REPLY_TO },
  { "subject", EP_TEMPLATE_FIELD_SUBJECT },
  { "attachment", EP_TEMPLATE_FIELD_ATTACHMENT },
  { "format", FIELD_FORMAT },
};

typedef struct
{
  EpTemplateParts *parts;
  guint            lines[N_SINGLE_FIELDS];
  GArray          *attachment_lines;
  gboolean         seen[N_SINGLE_FIELDS];
  gboolean         seen_format;
} Reader;

static gboolean
commit_header (Reader      *reader,
               guint        field,
               guint        line,
               GString     *value,
               GError     **error)
{
  g_autofree char *text = g_strstrip (g_strdup (value->str));

  if (field == FIELD_FORMAT)
    {
      if (reader->seen_format)
        {
          g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                       _("line %u: “%s” appears twice"), line, "Format");
          return FALSE;
        }
      reader->seen_format = TRUE;
      if (g_ascii_strcasecmp (text, "markdown") == 0 || g_ascii_strcasecmp (text, "md") == 0)
        reader->parts->markdown = TRUE;
      else if (g_ascii_strcasecmp (text, "plain") == 0 || g_ascii_strcasecmp (text, "text") == 0)
        reader->parts->markdown = FALSE;
      else
        {
          g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                       _("line %u: the format is “markdown” or “plain”, not “%s”"),
                       line, text);
          return FALSE;
        }
    }
  else if (field == EP_TEMPLATE_FIELD_ATTACHMENT)
    {
      if (*text != '\0')
        {
          g_ptr_array_add (reader->parts->attachments, g_steal_pointer (&text));
          g_array_append_val (reader->attachment_lines, line);
        }
    }
  else if (field == EP_TEMPLATE_FIELD_TO || field == EP_TEMPLATE_FIELD_CC ||
           field == EP_TEMPLATE_FIELD_BCC)
    {
      char **slot = parts_field (reader->parts, field);

      /* Several To: lines add up. */
      if (*slot != NULL && **slot != '\0' && *text != '\0')
        {
          char *joined = g_strconcat (*slot, ", ", text, NULL);
          g_free (*slot);
          *slot = joined;
        }
      else if (*slot == NULL || **slot == '\0')
        {
          g_free (*slot);
          *slot = g_steal_pointer (&text);
          reader->lines[field] = line;
        }
    }
  else
    {
      char **slot = parts_field (reader->parts, field);

      if (reader->seen[field])
        {
          g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                       _("line %u: “%s” appears twice"), line, _ep_template_field_names[field]);
          return FALSE;
        }
      reader->seen[field] = TRUE;
      g_free (*slot);
      *slot = g_steal_pointer (&text);
      reader->lines[field] = line;
    }

  return TRUE;
}

static gboolean
is_blank_line (const char *p,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != ' ' && p[i] != '\t')
      return FALSE;
  return TRUE;
}

EpTemplate *
ep_template_parse (const char  *text,
                   GError     **error)
{
  g_autoptr(EpTemplateParts) parts = ep_template_parts_new ();
  g_autoptr(GArray) attachment_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GString) norm = g_string_new (NULL);
  g_autoptr(GString) value = g_string_new (NULL);
  Reader reader = { 0, };
  const char *invalid;
  const char *p;
  guint field = G_MAXUINT;
  guint field_line = 0;
  guint line = 1;
  guint body_line = 1;
  EpTemplate *self;

  g_return_val_if_fail (text != NULL, NULL);

  if (g_str_has_prefix (text, "\xEF\xBB\xBF"))
    text += 3;

  if (strnlen (text, EP_TEMPLATE_MAX_SIZE + 1) > EP_TEMPLATE_MAX_SIZE)
    {
      g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_TOO_LARGE,
                   _("the template is larger than %u MiB; a message this long cannot be sent"),
                   EP_TEMPLATE_MAX_SIZE / (1024 * 1024));
      return NULL;
    }

  if (!g_utf8_validate (text, -1, &invalid))
    {
      guint bad_line = 1;

      for (p = text; p < invalid; p++)
        if (*p == '\n')
          bad_line++;
      g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                   _("line %u: the template is not valid UTF-8 text"), bad_line);
      return NULL;
    }

  /* CRLF (and a lone CR) become LF. */
  for (p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (norm, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (norm, *p);
    }

  reader.parts = parts;
  reader.attachment_lines = attachment_lines;

  p = norm->str;
  for (;;)
    {
      const char *eol = strchr (p, '\n');
      gsize len = eol != NULL ? (gsize) (eol - p) : strlen (p);

      if (len == 0 || is_blank_line (p, len))
        {
          /* End of the header block (or of the whole text). */
          if (field != G_MAXUINT && !commit_header (&reader, field, field_line, value, error))
            return NULL;
          p = eol != NULL ? eol + 1 : p + len;
          body_line = line + 1;
          break;
        }

      if (p[0] == ' ' || p[0] == '\t')
        {
          g_autofree char *more = g_strstrip (g_strndup (p, len));

          if (field == G_MAXUINT)
            {
              g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                           _("line %u: an indented line continues a header, but "
                             "there is none before it"), line);
              return NULL;
            }
          g_string_append_c (value, ' ');
          g_string_append (value, more);
        }
      else
        {
          const char *colon = memchr (p, ':', len);
          g_autofree char *name = NULL;
          guint i;

          if (field != G_MAXUINT && !commit_header (&reader, field, field_line, value, error))
            return NULL;

          if (colon == NULL)
            {
              g_autofree char *shown = shorten (p, len);
              g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                           _("line %u: “%s” is not a header such as “Subject: …”; "
                             "a blank line must separate the headers from the text"),
                           line, shown);
              return NULL;
            }

          name = g_strstrip (g_strndup (p, colon - p));
          for (i = 0; i < G_N_ELEMENTS (headers); i++)
            if (g_ascii_strcasecmp (name, headers[i].name) == 0)
              break;
          if (i == G_N_ELEMENTS (headers))
            {
              g_autofree char *shown = shorten (name, strlen (name));
              g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_UNKNOWN_HEADER,
                           _("line %u: unknown header “%s” (known: To, Cc, Bcc, Reply-To, "
                             "Subject, Attachment, Format); a blank line must separate "
                             "the headers from the text"),
                           line, shown);
              return NULL;
            }

          field = headers[i].field;
          field_line = line;
          g_string_assign (value, "");
          g_string_append_len (value, colon + 1, len - (colon + 1 - p));
        }

      line++;
      if (eol == NULL)
        {
          /* Headers only, no body. */
          if (field != G_MAXUINT && !commit_header (&reader, field, field_line, value, error))
            return NULL;
          p += len;
          body_line = line;
          break;
        }
      p = eol + 1;
    }

  parts->body = g_strdup (p);
  reader.lines[EP_TEMPLATE_FIELD_BODY] = body_line;
  for (guint f = 0; f < N_SINGLE_FIELDS; f++)
    if (reader.lines[f] == 0)
      reader.lines[f] = 1;

  {
    EpTemplateParts *normalized = parts_normalize (parts);

    self = compile (normalized, reader.lines, (const guint *) attachment_lines->data, error);
  }

  return self;
}

EpTemplate *
ep_template_new_from_file (const char  *path,
                           GError     **error)
{
  g_autofree char *contents = NULL;
  GStatBuf st;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  /* Before opening it: a FIFO would block until written to, a device
   * may never end. */
  if (g_stat (path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      g_autofree char *name = g_filename_display_name (path);

      if (S_ISDIR (st.st_mode))
        g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                     _("%s is a folder, not a template"), name);
      else
        g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                     _("%s is not a regular file (a pipe, a socket or a device)"), name);
      return NULL;
    }
  if (g_stat (path, &st) == 0 && st.st_size > EP_TEMPLATE_MAX_SIZE)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_TOO_LARGE,
                   _("%s is larger than %u MiB; a message this long cannot be sent"),
                   name, EP_TEMPLATE_MAX_SIZE / (1024 * 1024));
      return NULL;
    }

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  if (memchr (contents, '\0', len) != NULL)
    {
      g_autofree char *name = g_filename_display_name (path);
      g_set_error (error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_SYNTAX,
                   _("%s is not a text file"), name);
      return NULL;
    }

  {
    EpTemplate *self = ep_template_parse (contents, error);

    if (self == NULL)
      {
        g_autofree char *name = g_filename_display_name (path);
        g_prefix_error (error, "%s: ", name);
      }
    return self;
  }
}

EpTemplate *
ep_template_new_from_parts (const EpTemplateParts  *parts,
                            GError                **error)
{
  g_return_val_if_fail (parts != NULL, NULL);

  return compile (parts_normalize (parts), NULL, NULL, error);
}

EpTemplate *
ep_template_ref (EpTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
ep_template_unref (EpTemplate *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, template_free);
}

const EpTemplateParts *
ep_template_get_parts (EpTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->parts;
}

const char * const *
ep_template_get_columns (EpTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->columns->pdata;
}

char *
ep_template_to_text (EpTemplate *self)
{
  const EpTemplateParts *parts;
  GString *text;

  g_return_val_if_fail (self != NULL, NULL);

  parts = self->parts;
  text = g_string_new (NULL);

  for (guint f = 0; f < EP_TEMPLATE_FIELD_ATTACHMENT; f++)
    {
      const char *value = *parts_field (self->parts, f);

      if (*value != '\0')
        g_string_append_printf (text, "%s: %s\n", _ep_template_field_names[f], value);
    }
  for (guint i = 0; i < parts->attachments->len; i++)
    g_string_append_printf (text, "Attachment: %s\n",
                            (const char *) g_ptr_array_index (parts->attachments, i));
  if (parts->markdown)
    g_string_append (text, "Format: markdown\n");

  g_string_append_c (text, '\n');
  g_string_append (text, parts->body);

  return g_string_free (text, FALSE);
}
