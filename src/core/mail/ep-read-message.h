/* ep-read-message.h: a received message made safe to show
 *
 * Raw RFC 5322 bytes (from the inbox cache) are parsed with GMime into
 * what the reading pane shows: headers, one body as EpFormattedText,
 * the attachments, and what protected the message. Private mail follows
 * the EFAIL rules: only the decrypted (or verified) part is shown, never
 * joined with unprotected parts around it; a failure is an error with
 * no way to show the content anyway; nothing remote is ever loaded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mail/ep-draft.h"
#include "mail/ep-formatted-text.h"
#include "vault/ep-vault.h"

G_BEGIN_DECLS

typedef enum
{
  EP_READ_PLAIN,          /* nothing protected it */
  EP_READ_SMIME,          /* S/MIME encrypted and/or signed: see verdict fields */
  EP_READ_PASSWORD,       /* Epistle's password-protected mail */
} EpReadProtection;

typedef enum
{
  EP_READ_OK,             /* shown (opened, or not protected) */
  EP_READ_NEEDS_PASSWORD, /* password mail: ask, then ep_read_message_parse again with it */
  EP_READ_FAILED,         /* decryption / verification failed: body is NULL, problem says why */
} EpReadState;

typedef struct
{
  char   *filename;       /* sanitised for saving: no '/', no leading '.', never empty */
  char   *content_type;   /* "application/pdf" */
  gsize   size;           /* decoded bytes */
  guint   index;          /* for ep_read_message_attachment_bytes() */
} EpReadAttachment;

/* A delivery status notification (RFC 3464) or a recognisable bounce. */
typedef struct
{
  char      *original_message_id;  /* "<…>" of the message that bounced, or NULL */
  GPtrArray *failed;               /* char *: final recipients that failed (Action: failed) */
  char      *status;               /* "5.1.1", or NULL */
  char      *diagnostic;           /* the remote server's words, or NULL */
  gboolean   permanent;            /* 5.x.x */
} EpReadBounce;

typedef struct
{
  /* Headers, decoded to UTF-8 (RFC 2047, also GMime 3.2's folded-word defect) */
  char      *subject;
  char      *from;                 /* "Ann Example <ann@example.org>" */
  char      *from_address;         /* "ann@example.org" */
  char      *reply_to;             /* or NULL */
  char      *to;                   /* joined with ", " */
  char      *cc;
  gint64     date;                 /* unix time, 0 when missing or unreadable */
  char      *message_id;           /* "<…>" or NULL */
  char      *references;           /* as written, or NULL */
  char      *in_reply_to;

  EpReadState       state;
  EpReadProtection  protection;
  char             *problem;       /* EP_READ_FAILED: a sentence for people */
  /* S/MIME verdict, EP_READ_SMIME */
  gboolean   encrypted;
  char      *algorithm;            /* "AES-256-GCM" */
  gboolean   integrity;
  gboolean   is_signed;
  gboolean   signer_trusted;
  char      *signer;
  char      *signer_problem;
  char      *security_summary;     /* one line for the banner, translated, or NULL for plain */

  EpFormattedText *body;           /* NULL when FAILED or NEEDS_PASSWORD */
  gboolean   body_was_html;
  GPtrArray *attachments;          /* EpReadAttachment */
  EpReadBounce *bounce;            /* or NULL */

  /*< private >*/
  GBytes    *shown;                /* the bytes the view above came from (cleartext for private mail) */
} EpReadMessage;

void           ep_read_message_free  (EpReadMessage *message);

/* @vault: may be NULL (locked or none): encrypted mail then fails with a
 * problem saying the vault is needed. @password: for password mail, or
 * NULL. @collect: offer certificates from validly signed mail to the
 * vault. Returns NULL with an error only when @raw is not a message at
 * all; protection failures are EP_READ_FAILED with a problem. */
EpReadMessage *ep_read_message_parse (GBytes        *raw,
                                      EpVault       *vault,
                                      const char    *password,
                                      gboolean       collect,
                                      GError       **error);

GBytes        *ep_read_message_attachment_bytes (EpReadMessage *message,
                                                 guint          index,
                                                 GError       **error);

typedef enum
{
  EP_REPLY_SENDER,
  EP_REPLY_ALL,
  EP_REPLY_FORWARD,
} EpReplyKind;

/* A draft for Compose (S/MIME encrypted mail: with encrypt set; the
 * attachments of protected mail are not forwarded, never written out
 * decrypted): To/Cc chosen (Reply-To honoured; Reply All leaves
 * out @own_address), "Re: " / "Fwd: " added once, In-Reply-To and
 * References set (References: the original's plus its Message-ID), the
 * body quoted with "> " after an "On …, … wrote:" line (translatable),
 * forwards carry the attachments. Private mail is quoted only from what
 * was shown. */
EpDraft       *ep_read_message_make_reply (EpReadMessage *message,
                                           EpReplyKind    kind,
                                           const char    *own_address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpReadMessage, ep_read_message_free)

G_END_DECLS
