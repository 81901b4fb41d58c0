/* ep-markdown.h: Markdown to HTML with md4c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

char *ep_markdown_to_html (const char  *markdown,
                           GError     **error);

G_END_DECLS
