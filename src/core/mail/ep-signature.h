/* ep-signature.h: an account's signature in the text of a message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* What goes under a message for @signature: a blank line, the
 * separator line "-- " (RFC 3676) and the signature; NULL when
 * @signature is NULL or only white space. */
char     *ep_signature_block       (const char *signature);

/* Where the block for @signature is in @body, in characters: from the
 * blank line before the separator (when there is one) to the end of the
 * signature's last line. The separator must start a line and the
 * signature end one, so a quoted "> -- " is not taken for it. FALSE when
 * it is not there as it was put in (the person changed or removed it). */
gboolean  ep_signature_find        (const char *body,
                                    const char *signature,
                                    glong      *start,
                                    glong      *end);

/* The part of @text above its last signature separator line, and (in
 * @signature, when not NULL) the lines under it; the whole of @text
 * and NULL when it has none. */
char     *ep_signature_split       (const char  *text,
                                    char       **signature);

G_END_DECLS
