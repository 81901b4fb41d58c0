/* ep-message.h: building a complete MIME message from a draft
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ep-draft.h"

G_BEGIN_DECLS

/* A message ready for the wire: RFC 5322 bytes with CRLF line ends, and the
 * envelope (which, unlike the headers, includes Bcc). */
typedef struct
{
  char   *envelope_from;
  GStrv   recipients;
  GBytes *data;
  char   *message_id;
} EpOutgoing;

#define EP_TYPE_OUTGOING (ep_outgoing_get_type ())

GType       ep_outgoing_get_type (void) G_GNUC_CONST;
EpOutgoing *ep_outgoing_ref      (EpOutgoing    *outgoing);
void        ep_outgoing_unref    (EpOutgoing    *outgoing);
EpOutgoing *ep_outgoing_new      (const char         *envelope_from,
                                  const char * const *recipients,
                                  GBytes             *data,
                                  const char         *message_id);

EpOutgoing *ep_message_build     (const EpDraft *draft,
                                  GCancellable  *cancellable,
                                  GError       **error);
char       *ep_message_sanitize_header_text (const char *text);
/* The msg-ids in @text ("<a@x> <b@y>"), only those shaped like one (no
 * space, no CR/LF), the last @max of them, or NULL if none. */
char       *ep_message_clean_msg_ids        (const char *text,
                                             guint       max);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpOutgoing, ep_outgoing_unref)

G_END_DECLS
