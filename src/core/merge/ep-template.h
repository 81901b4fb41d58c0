/* ep-template.h: mail-merge templates ({{ column }}, defaults, {{#if}})
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A template file is a header block, a blank line, then the body:
 *
 *   To: {{ Name }} <{{ Email }}>
 *   Cc: ...            Bcc: ...          Reply-To: ...
 *   Subject: Your marks, {{ First name | default: "there" }}
 *   Attachment: invoices/{{ Invoice }}.pdf      (repeatable)
 *   Format: markdown                            (optional; plain by default)
 *
 *   Dear {{ Name }},
 *   {{#if Note}}Note: {{ Note }}{{else}}Nothing to add.{{/if}}
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mail/ep-message.h"
#include "table/ep-table.h"

G_BEGIN_DECLS

#define EP_TEMPLATE_ERROR (ep_template_error_quark ())

typedef enum
{
  EP_TEMPLATE_ERROR_SYNTAX,          /* unbalanced {{ }}, {{#if}} without {{/if}}, ... */
  EP_TEMPLATE_ERROR_UNKNOWN_HEADER,  /* a header line the format does not know */
  EP_TEMPLATE_ERROR_UNKNOWN_COLUMN,  /* names the column and the closest one */
  EP_TEMPLATE_ERROR_HEADER_INJECTION,/* a value bound for a header holds a line
                                      * break or another control character */
  EP_TEMPLATE_ERROR_TOO_LARGE,       /* over EP_TEMPLATE_MAX_SIZE */
  EP_TEMPLATE_ERROR_NOT_A_DATE,      /* {{ x | date: … }} on a value that is none */
} EpTemplateError;

/* Limits against damaged or hostile templates: the text of a letter is
 * far shorter than 8 MiB, and nobody nests {{#if}} 100 deep. */
#define EP_TEMPLATE_MAX_SIZE (8 * 1024 * 1024)
#define EP_TEMPLATE_MAX_DEPTH 100

/* A parsed template; immutable and reference-counted. */
typedef struct _EpTemplate EpTemplate;

/* The parts a person edits (the wizard fills this and saves it). */
typedef struct
{
  char      *to;
  char      *cc;
  char      *bcc;
  char      *reply_to;
  char      *subject;
  GPtrArray *attachments;  /* char *: path templates, may contain {{ }} */
  char      *body;
  gboolean   markdown;
} EpTemplateParts;

#define EP_TYPE_TEMPLATE (ep_template_get_type ())

GQuark           ep_template_error_quark       (void);
GType            ep_template_get_type          (void) G_GNUC_CONST;

/* Errors carry the line number ("line 3: ...") of the template text. */
EpTemplate      *ep_template_parse             (const char             *text,
                                                GError                **error);
EpTemplate      *ep_template_new_from_file     (const char             *path,
                                                GError                **error);
EpTemplate      *ep_template_new_from_parts    (const EpTemplateParts  *parts,
                                                GError                **error);
EpTemplate      *ep_template_ref               (EpTemplate             *self);
void             ep_template_unref             (EpTemplate             *self);

const EpTemplateParts *ep_template_get_parts   (EpTemplate             *self);
/* The file text (parsing it again gives the same template). */
char            *ep_template_to_text           (EpTemplate             *self);
/* Every column name the template refers to, in order of first use. */
const char * const *ep_template_get_columns    (EpTemplate             *self);

/* Fails with EP_TEMPLATE_ERROR_UNKNOWN_COLUMN for the first column @table
 * lacks: “No column “Emial” in the data. Did you mean “Email”?”. */
gboolean         ep_template_check_columns     (EpTemplate             *self,
                                                EpTable                *table,
                                                GError                **error);

/* Renders row @row (an index into @table, not a row number). The draft has
 * no sender (the caller sets it). Values are inserted as they are in
 * text/plain and escaped in the HTML part; a CR, LF or other control
 * character in a value that lands in a header is an error. Attachment
 * paths are resolved relative to @base_dir (the data file's folder) but
 * not opened. Safe to call from several threads at once; the template
 * keeps a reference to the last table it rendered (its column lookup). */
EpDraft         *ep_template_render            (EpTemplate             *self,
                                                EpTable                *table,
                                                guint                   row,
                                                const char             *base_dir,
                                                GError                **error);

EpTemplateParts *ep_template_parts_new         (void);
void             ep_template_parts_free        (EpTemplateParts        *parts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpTemplate, ep_template_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpTemplateParts, ep_template_parts_free)

G_END_DECLS
