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

G_END_DECLS
