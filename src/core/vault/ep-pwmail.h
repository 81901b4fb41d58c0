/* ep-pwmail.h: password-protected mail: one message in two forms, a CMS
 * password recipient (RFC 3211) and a self-contained HTML page that any
 * browser opens offline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vault/ep-smime.h"

G_BEGIN_DECLS

/* PBKDF2 iteration counts. OpenSSL's PWRI key derivation is HMAC-SHA1
 * (its PRF cannot be chosen); the page's is HMAC-SHA256. Both follow
 * today's guidance (OWASP, 2023): 1,300,000 and 600,000. */
#define EP_PWMAIL_PWRI_ITERATIONS 1300000
#define EP_PWMAIL_PAGE_ITERATIONS 600000

/* Who wrote the message and what the recipient is told. */
typedef struct
{
  const char *sender_name;   /* "Ann Example", or the address */
  const char *hint;          /* optional; never the password */
} EpPwmailOptions;

/* Returns @message (RFC 5322, CRLF) protected with @password: its outer
 * headers (From, To, Subject, Date, Message-ID) stay readable, and its
 * content becomes a multipart/mixed of a readable explanation, the CMS
 * password-recipient form (smime.p7m: AES-256-GCM content, AES-256-CBC key
 * wrap) and message.html. Fresh salts and IVs each time. The password
 * appears in neither form; a hint containing it is refused. */
GBytes     *ep_pwmail_protect       (GBytes                *message,
                                     const char            *password,
                                     const EpPwmailOptions *options,
                                     GError               **error);

/* The readable part of such a message: who sent it and how to open it
 * (what the recipient sees first). */
char       *ep_pwmail_explanation   (const char            *sender_name,
                                     const char            *hint);

/* TRUE if @message carries a CMS part encrypted for a password. */
gboolean    ep_pwmail_is_protected  (GBytes                *message);

/* The message with its outer headers and the decrypted content in place
 * of the protection. Fails closed: with a wrong password (or altered
 * content) the error says so and no part of the plaintext is returned.
 * @cipher (optional): what encrypted it; only AES-256-GCM (what Epistle
 * writes) would have noticed tampering, CBC (openssl's command line) not. */
GBytes     *ep_pwmail_open          (GBytes                *message,
                                     const char            *password,
                                     EpCipher              *cipher,
                                     GError               **error);

G_END_DECLS
