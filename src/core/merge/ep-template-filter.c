/* ep-template-filter.c: the filters of a value tag
 *
 *   {{ Name | default: "there" }}      the text when the cell is blank
 *   {{ Amount | raw }}                 the value under the cell's format
 *   {{ Due | date: "%d %B %Y" }}       a date in another pattern
 *
 * They chain ({{ Due | date: "%d.%m." | default: "soon" }}); a quoted
 * argument takes "…" or '…', with a backslash escaping the next character.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-template"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-template-private.h"

static void
skip_blanks (const char **p)
{
  while (**p == ' ' || **p == '\t')
    (*p)++;
}

/* NAME, or NAME: "argument"; moves @p past it and the blanks after it. */
static gboolean
read_filter (const char **p,
             char       **name,
             char       **argument)
{
  const char *start;
  g_autoptr(GString) value = NULL;
  char quote;

  skip_blanks (p);
  start = *p;
  while (g_ascii_isalpha (**p))
    (*p)++;
  *name = g_strndup (start, *p - start);
  *argument = NULL;
  skip_blanks (p);
  if (**p != ':')
    return **name != '\0';
  (*p)++;
  skip_blanks (p);
  if (**p != '"' && **p != '\'')
    return FALSE;
  quote = *(*p)++;
  value = g_string_new (NULL);
  for (; **p != '\0' && **p != quote; (*p)++)
    {
      if (**p == '\\' && (*p)[1] != '\0')
        (*p)++;
      g_string_append_c (value, **p);
    }
  if (**p != quote)
    return FALSE;
  (*p)++;
  skip_blanks (p);
  *argument = g_string_free (g_steal_pointer (&value), FALSE);
  return TRUE;
}

gboolean
_ep_template_parse_filters (const char           *text,
                            char                **default_value,
                            TemplateValueFilter  *filter,
                            char                **format,
                            char                **problem)
{
  const char *p = text;
  g_autofree char *def = NULL;
  g_autofree char *fmt = NULL;
  TemplateValueFilter kind = FILTER_NONE;

  for (;;)
    {
      g_autofree char *name = NULL;
      g_autofree char *argument = NULL;
      g_autoptr(GError) error = NULL;

      if (!read_filter (&p, &name, &argument) || (*p != '\0' && *p != '|'))
        {
          /* xgettext:no-c-format */
          *problem = g_strdup (_("after “|” come the filters “default: \"text\"”, "
                                 "“raw” and “date: \"%d.%m.%Y\"”"));
          return FALSE;
        }
      if (g_str_equal (name, "default") && argument != NULL && def == NULL)
        def = g_steal_pointer (&argument);
      else if (g_str_equal (name, "raw") && argument == NULL && kind == FILTER_NONE)
        kind = FILTER_RAW;
      else if (g_str_equal (name, "date") && argument != NULL && kind == FILTER_NONE)
        {
          if (!ep_table_check_date_format (argument, &error))
            {
              *problem = g_strdup (error->message);
              return FALSE;
            }
          kind = FILTER_DATE;
          fmt = g_steal_pointer (&argument);
        }
      else
        {
          *problem = g_strdup_printf (_("“%s” is not a filter here (known: “default: \"text\"”, "
                                        "“raw” and “date: \"%%d.%%m.%%Y\"”, each once)"), name);
          return FALSE;
        }
      if (*p == '\0')
        break;
      p++;   /* the next "|" */
    }

  *default_value = g_steal_pointer (&def);
  *filter = kind;
  *format = g_steal_pointer (&fmt);
  return TRUE;
}
