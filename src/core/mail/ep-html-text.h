/* ep-html-text.h: HTML mail to formatted text, with no web engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include "mail/ep-formatted-text.h"

G_BEGIN_DECLS

/* Parses @html (@len bytes; -1 = NUL-terminated) with libxml2's HTML
 * parser (no network, no entities from outside, recover mode) and lays it
 * out as text: paragraphs and headings as blocks separated by blank lines,
 * <br> as a line break, lists as "• " / "1. " items (nested indented),
 * blockquotes as QUOTE spans, <pre> kept verbatim (MONOSPACE), tables
 * approximated (one line per row, cells separated by " │ " or tabs),
 * emphasis as spans. A link is a LINK span over its label; when the label
 * is not its target the target follows in brackets: "label <https://…>"
 * (a LINK span of its own over the URL). Only http(s), mailto and ftp
 * targets are links (relative ones resolved against <base href>); any
 * other (javascript:, data:, a relative one without base) leaves its
 * label as plain text. Hidden text (display:none, visibility:hidden,
 * mso-hide:all, font-size:0, the hidden attribute) is dropped, and so are
 * tracking pixels (width or height 0 or 1).
 * Images become "[image: alt]" and are never fetched; script, style, head,
 * template, iframe, object and form controls are dropped, as are comments.
 * @charset: the MIME part's charset, or NULL (then a <meta> charset, else
 * UTF-8). Never fails: damaged HTML gives what could be read. Bounded:
 * nesting deeper than 256 is flattened, output is capped at 4 MiB. */
EpFormattedText *ep_html_to_text (const char *html,
                                  gssize      len,
                                  const char *charset);

G_END_DECLS
