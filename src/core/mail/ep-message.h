/* ep-message.h: building a complete MIME message from a draft
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a person wrote. Address fields hold text as typed ("Ann <a@x.org>,
 * b@y.org"); several entries per field are allowed. */
typedef struct
{
  char      *from_name;
  char      *from_address;
  GPtrArray *to;           /* char * */
  GPtrArray *cc;           /* char * */
  GPtrArray *bcc;          /* char * */
  char      *subject;
  char      *body;
  gboolean   markdown;
  GPtrArray *attachments;  /* char *: file paths */
  char      *reply_to;     /* optional, as typed */
  /* Optional: the Markdown source of the HTML part when it must differ from
   * @body (a merge escapes data values for Markdown but shows them as they
   * are in the text/plain part). Used only when @markdown is set. */
  char      *html_source;
  /* Optional: a fixed Message-ID (without angle brackets), so a message
   * sent again after a crash keeps its identity. */
  char      *message_id;
} EpDraft;

/* A message ready for the wire: RFC 5322 bytes with CRLF line ends, and the
 * envelope (which, unlike the headers, includes Bcc). */
typedef struct
{
  char   *envelope_from;
  GStrv   recipients;
  GBytes *data;
  char   *message_id;
} EpOutgoing;

#define EP_TYPE_DRAFT (ep_draft_get_type ())
#define EP_TYPE_OUTGOING (ep_outgoing_get_type ())

GType       ep_draft_get_type    (void) G_GNUC_CONST;
EpDraft    *ep_draft_new         (void);
EpDraft    *ep_draft_copy        (const EpDraft *draft);
void        ep_draft_free        (EpDraft       *draft);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpDraft, ep_draft_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpOutgoing, ep_outgoing_unref)

G_END_DECLS
