/* ep-smime.h: S/MIME (RFC 8551) signing, encryption, decryption and
 * verification with OpenSSL's CMS, keys from the vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vault/ep-vault.h"

G_BEGIN_DECLS

#define EP_SMIME_ERROR (ep_smime_error_quark ())

typedef enum
{
  EP_SMIME_ERROR_NOT_SMIME,       /* neither signed nor encrypted */
  EP_SMIME_ERROR_MALFORMED,       /* not a CMS structure Epistle can read */
  EP_SMIME_ERROR_NO_KEY,          /* encrypted for nobody whose key the vault holds */
  EP_SMIME_ERROR_DECRYPT,         /* decryption or its integrity check failed */
  EP_SMIME_ERROR_BAD_SIGNATURE,   /* the signature does not match the content */
  EP_SMIME_ERROR_FAILED,          /* building the protected message failed */
} EpSmimeError;

typedef enum
{
  EP_PROTECT_NONE    = 0,
  EP_PROTECT_SIGN    = 1 << 0,
  EP_PROTECT_ENCRYPT = 1 << 1,
  /* Encrypt with AES-256-GCM AuthEnvelopedData even if a recipient has
   * not advertised it (the default is CBC unless every one has). */
  EP_PROTECT_GCM     = 1 << 2,
  /* Encrypt with a password instead of certificates (ep-pwmail.h): for
   * recipients without one. Not with EP_PROTECT_ENCRYPT. */
  EP_PROTECT_PASSWORD = 1 << 3,
} EpProtection;

/* What ep_smime_protect () did. */
typedef enum
{
  EP_CIPHER_NONE,
  EP_CIPHER_AES_256_CBC,
  EP_CIPHER_AES_256_GCM,
} EpCipher;

const char  *ep_cipher_name           (EpCipher cipher);

GQuark       ep_smime_error_quark     (void);

/* Why a message cannot be protected as asked, or TRUE: the sender's
 * identity (to sign, and always to encrypt when it has one: signed inside)
 * and a usable certificate for every address in @recipients (or, for a
 * merge row, @recipient_cert: that row's certificate file, for all of
 * them). The error names the address and the reason. */
gboolean     ep_smime_check           (EpVault            *vault,
                                       EpProtection        protection,
                                       const char         *sender,
                                       const char * const *recipients,
                                       GBytes             *recipient_cert,
                                       GError            **error);

/* Returns @message (RFC 5322, CRLF) signed (multipart/signed, SHA-256,
 * with the signer's certificate and SMIMECapabilities) and/or encrypted
 * (application/pkcs7-mime, signed inside when the sender has an identity)
 * for @recipients and the sender, so the Sent copy stays readable. The
 * outer headers (From, To, Subject, Date, Message-ID) stay readable.
 * @cipher, if not NULL, says which cipher encrypted it. */
GBytes      *ep_smime_protect         (EpVault            *vault,
                                       GBytes             *message,
                                       EpProtection        protection,
                                       const char         *sender,
                                       const char * const *recipients,
                                       GBytes             *recipient_cert,
                                       EpCipher           *cipher,
                                       GError            **error);

/* A message opened: what protected it, and its cleartext. */
typedef struct
{
  gboolean  encrypted;
  EpCipher  cipher;             /* when encrypted (CBC also for AES-128/192-CBC) */
  char     *algorithm;          /* "AES-256-CBC", "AES-128-CBC", "AES-256-GCM" */
  gboolean  integrity;          /* tampering would be detected (GCM or a valid signature) */
  gboolean  is_signed;
  gboolean  signer_trusted;     /* the signer's certificate verifies now */
  char     *signer;             /* "Ann Example <ann@example.org>" */
  char     *signer_fingerprint;
  char     *signer_problem;     /* why the signer is not trusted, or NULL */
  /* The message with its outer headers and the decrypted / verified
   * content in place of the protection: what a reader shows. */
  GBytes   *cleartext;
  /* One line for people: "Encrypted (AES-256-CBC) and signed by …". */
  char     *summary;
} EpSmimeVerdict;

void            ep_smime_verdict_free (EpSmimeVerdict *verdict);

/* Decrypts (with an identity in the vault) and verifies @message. Fails
 * closed: when decryption, its tag check or a signature fails, the error
 * says so and no part of the plaintext is returned. Encrypted CBC content
 * without a valid signature is returned with integrity FALSE ("not
 * protected against tampering"). A valid signature's certificate (and
 * whether it advertised AES-GCM) is collected into the vault when
 * @collect is set. */
EpSmimeVerdict *ep_smime_open         (EpVault            *vault,
                                       GBytes             *message,
                                       gboolean            collect,
                                       GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpSmimeVerdict, ep_smime_verdict_free)

G_END_DECLS
