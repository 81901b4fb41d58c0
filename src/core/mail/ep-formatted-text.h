/* ep-formatted-text.h: text with style spans, what the reading pane shows
 *
 * The inbox never renders mail with a web engine. Plain text and HTML
 * (through ep-html-text.c, libxml2's HTML parser) both become an
 * EpFormattedText: UTF-8 text plus spans over byte ranges of it. The UI
 * turns spans into GtkTextTags; the core never includes GTK.
 *
 * Spans of different styles may overlap (bold inside a link inside a
 * quote). QUOTE spans never overlap each other: each covers a run of text
 * at one depth, so a reply quoting a reply has a depth-1 span, a depth-2
 * span, then depth 1 again. A span covers no separator it did not contain
 * (no leading or trailing blank line).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EP_TEXT_BOLD      = 1 << 0,
  EP_TEXT_ITALIC    = 1 << 1,
  EP_TEXT_UNDERLINE = 1 << 2,
  EP_TEXT_STRIKE    = 1 << 3,
  EP_TEXT_MONOSPACE = 1 << 4,
  EP_TEXT_HEADING   = 1 << 5,   /* h1…h6 (level in EpTextSpan.level) */
  EP_TEXT_QUOTE     = 1 << 6,   /* blockquote or "> " lines (depth in level) */
  EP_TEXT_LINK      = 1 << 7,   /* href in EpTextSpan.link */
} EpTextStyle;

typedef struct
{
  gsize        start;   /* byte offsets into EpFormattedText.text, start < end, */
  gsize        end;     /* both on UTF-8 character boundaries */
  EpTextStyle  style;   /* exactly one flag per span */
  guint        level;   /* heading level 1–6, quote depth ≥ 1; else 0 */
  char        *link;    /* EP_TEXT_LINK only: the real target, as written */
} EpTextSpan;

typedef struct
{
  char      *text;      /* valid UTF-8, NUL-terminated, no NUL inside */
  GPtrArray *spans;     /* EpTextSpan, ordered by start */
} EpFormattedText;

EpFormattedText *ep_formatted_text_new        (void);
void             ep_formatted_text_free       (EpFormattedText *text);
/* Plain text: invalid UTF-8 replaced, CRLF → LF, lines starting with ">"
 * get QUOTE spans by depth, bare http(s):// and mailto: URLs LINK spans. */
EpFormattedText *ep_formatted_text_from_plain (const char      *plain,
                                               gssize           len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpFormattedText, ep_formatted_text_free)

G_END_DECLS
