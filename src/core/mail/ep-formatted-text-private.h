/* ep-formatted-text-private.h: building an EpFormattedText block by block
 *
 * The builder lays text out the way a browser does outside <pre>: runs of
 * white space collapse to one space, white space at the start and end of a
 * line disappears, and line breaks are written lazily, only once more text
 * follows (so no block leaves blank lines at the start or the end). Spans
 * open and close around that text; a span starts at the first character
 * written after it was opened, so it never covers a collapsed separator.
 * Text past the limit is cut on a character boundary and "…" ends it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mail/ep-formatted-text.h"

G_BEGIN_DECLS

typedef struct
{
  GString   *text;
  GPtrArray *spans;          /* EpTextSpan, in the order they were opened */
  GArray    *unstarted;      /* guint: open spans still waiting for text */
  gsize      limit;
  guint      pending_nl;     /* line breaks owed before the next text */
  guint      pending_spaces; /* spaces that do not collapse (&nbsp;) */
  guint      indent;         /* spaces at the start of each new line */
  guint      inline_depth;   /* > 0: breaks become spaces (table cells) */
  gboolean   pending_space;  /* one collapsed space owed */
  gboolean   line_has_text;
  gboolean   full;
} EpTextBuilder;

#define EP_TEXT_SPAN_NONE G_MAXUINT

EpTextBuilder   *_ep_text_builder_new      (gsize          limit);
void             _ep_text_builder_free     (EpTextBuilder *builder);
EpFormattedText *_ep_text_builder_finish   (EpTextBuilder *builder);

/* Text with browser white space rules (U+00A0 becomes a space that stays). */
void             _ep_text_builder_text     (EpTextBuilder *builder,
                                            const char    *text,
                                            gsize          len);
/* Text as it is (<pre>): spaces kept, each "\n" a line break. */
void             _ep_text_builder_verbatim (EpTextBuilder *builder,
                                            const char    *text,
                                            gsize          len);
/* Markup of our own (bullets, cell separators): written as is, after any
 * owed line break; an owed collapsed space before it is dropped. */
void             _ep_text_builder_literal  (EpTextBuilder *builder,
                                            const char    *text);
/* At least @lines line breaks before the next text (1 = new line, 2 = blank
 * line); does not add to breaks already owed. */
void             _ep_text_builder_block    (EpTextBuilder *builder,
                                            guint          lines);
/* One more line break (<br>). */
void             _ep_text_builder_newline  (EpTextBuilder *builder);

/* Returns a handle for _ep_text_builder_close (); @link is copied. */
guint            _ep_text_builder_open     (EpTextBuilder *builder,
                                            EpTextStyle    style,
                                            guint          level,
                                            const char    *link);
void             _ep_text_builder_close    (EpTextBuilder *builder,
                                            guint          handle);
/* The text a span covers so far ("" when it has none yet). */
const char      *_ep_text_builder_span_text (EpTextBuilder *builder,
                                             guint          handle,
                                             gsize         *len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpTextBuilder, _ep_text_builder_free)

G_END_DECLS
