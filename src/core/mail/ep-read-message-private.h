/* ep-read-message-private.h: shared by ep-read-message*.c and ep-read-bounce.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-gmime-private.h"
#include "ep-read-message.h"

G_BEGIN_DECLS

GMimeParserOptions *_ep_read_parser_options    (void);
GMimeMessage       *_ep_read_parse_bytes       (GBytes             *raw,
                                                GMimeParserOptions *options);
GByteArray         *_ep_read_part_bytes        (GMimePart          *part);
char               *_ep_read_to_utf8           (const char         *data,
                                                gsize               len,
                                                const char         *charset);
char               *_ep_read_decode_header     (GMimeParserOptions *options,
                                                const char         *raw);
char               *_ep_read_sanitize_filename (const char         *name,
                                                guint               index);

/* ep-read-bounce.c: @dsn is the message/delivery-status part, @original
 * the returned message (message/rfc822) or its headers, or NULL. */
EpReadBounce       *_ep_read_bounce_parse      (GMimeObject        *dsn,
                                                GMimeObject        *original);
void                _ep_read_bounce_free       (EpReadBounce       *bounce);

G_END_DECLS
