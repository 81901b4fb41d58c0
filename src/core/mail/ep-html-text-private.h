/* ep-html-text-private.h: the link rules of ep-html-text.c (ep-html-link.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The target of @href (resolved against @base, which may be NULL), or
 * NULL when it is not a link the reader may follow. */
char     *_ep_html_link_target     (const char *href,
                                    const char *base);
/* Whether the visible label already says where the link goes (ignoring a
 * mailto: prefix, a missing http(s):// and a trailing slash). */
gboolean  _ep_html_label_is_target (const char *label,
                                    gsize       label_len,
                                    const char *target);

G_END_DECLS
