/* ep-template-private.h: what ep-merge.c needs from the template engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-template.h"

G_BEGIN_DECLS

typedef enum
{
  EP_TEMPLATE_FIELD_TO,
  EP_TEMPLATE_FIELD_CC,
  EP_TEMPLATE_FIELD_BCC,
  EP_TEMPLATE_FIELD_REPLY_TO,
  EP_TEMPLATE_FIELD_SUBJECT,
  EP_TEMPLATE_FIELD_ATTACHMENT,
  EP_TEMPLATE_FIELD_BODY,
} EpTemplateField;

/* ep_template_render(), with error messages that name the row only when
 * @name_row is set (the merge report puts “Row N:” in front itself). */
EpDraft    *_ep_template_render_row         (EpTemplate      *self,
                                             EpTable         *table,
                                             guint            row,
                                             const char      *base_dir,
                                             gboolean         name_row,
                                             GError         **error);

/* The first column used in @field whose value in @row is blank, or NULL. */
const char *_ep_template_find_blank_column  (EpTemplate      *self,
                                             EpTable         *table,
                                             guint            row,
                                             EpTemplateField  field);

#define N_SINGLE_FIELDS (EP_TEMPLATE_FIELD_BODY + 1)

typedef enum
{
  NODE_TEXT,
  NODE_VALUE,
  NODE_IF,
} TemplateNodeKind;

typedef enum
{
  FILTER_NONE,
  FILTER_RAW,     /* {{ x | raw }}: the value under the cell's format */
  FILTER_DATE,    /* {{ x | date: "%d %B %Y" }} */
} TemplateValueFilter;

typedef struct
{
  TemplateNodeKind  kind;
  guint             column;      /* VALUE, IF: index into the template's columns */
  char             *text;        /* TEXT: the text; VALUE: the default, or NULL */
  gsize             len;         /* TEXT: length of @text */
  TemplateValueFilter filter;    /* VALUE */
  char             *format;      /* VALUE with FILTER_DATE: its pattern */
  GPtrArray        *then_nodes;  /* IF */
  GPtrArray        *else_nodes;  /* IF */
} TemplateNode;

struct _EpTemplate
{
  EpTemplateParts *parts;
  GPtrArray       *columns;                   /* char *, NULL-terminated */
  GPtrArray       *segments[N_SINGLE_FIELDS]; /* TemplateNode *; ATTACHMENT unused */
  GPtrArray       *attachments;               /* GPtrArray of TemplateNode * */

  /* The column lookup of the last table rendered (a table is immutable, so
   * the map stays right while the reference is held). */
  GMutex           map_lock;
  EpTable         *map_table;
  int             *map;
};

/* "To", "Cc", …, "Attachment", indexed by EpTemplateField (header names,
 * not translated). */
extern const char * const _ep_template_field_names[];

/* ep-template-filter.c: what follows the first "|" of a value tag. On
 * failure, @problem says what is wrong (the caller names the tag). */
gboolean _ep_template_parse_filters (const char           *text,
                                     char                **default_value,
                                     TemplateValueFilter  *filter,
                                     char                **format,
                                     char                **problem);

G_END_DECLS
