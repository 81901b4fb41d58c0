/* ep-draft.h: a message as a person wrote it, and its a{sv} form
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
 * b@y.org"); several entries per field are allowed. Every char * may be
 * NULL; the arrays are never NULL (ep_draft_new() makes them empty). */
typedef struct
{
  gint64     id;           /* the store's row; 0 = not saved yet */
  char      *account_uid;  /* optional: the account it is written from */
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
  /* Optional, for a reply: the msg-ids it answers ("<a@x> <b@y>"), written
   * as In-Reply-To and References; anything not shaped like a msg-id is
   * left out when the message is built. */
  char      *in_reply_to;
  char      *references;
  /* S/MIME: sign with the sender's certificate, encrypt for every
   * recipient (and the sender); the outbox applies them after building. */
  gboolean   sign;
  gboolean   encrypt;
  gboolean   gcm;          /* with encrypt: AES-256-GCM even if not advertised */
  /* Password-protected instead (ep-pwmail.h): the password lives only in
   * memory, never in a stored draft; the hint is shown to the recipient. */
  char      *password;
  char      *password_hint;
  gboolean   remember_password;  /* for each recipient, in the vault, once sent */
} EpDraft;

#define EP_TYPE_DRAFT (ep_draft_get_type ())

GType     ep_draft_get_type     (void) G_GNUC_CONST;
EpDraft  *ep_draft_new          (void);
EpDraft  *ep_draft_copy         (const EpDraft  *draft);
void      ep_draft_free         (EpDraft        *draft);

GVariant *ep_draft_to_variant   (const EpDraft  *draft);
EpDraft  *ep_draft_from_variant (GVariant       *variant,
                                 GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpDraft, ep_draft_free)

G_END_DECLS
