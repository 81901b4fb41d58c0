/* ep-vault-private.h: what ep-smime.c takes from the vault (OpenSSL types)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ep-vault.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)

typedef struct
{
  X509     *cert;
  EVP_PKEY *key;
} EpVaultIdentity;

void         _ep_vault_identity_free      (EpVaultIdentity *identity);

/* A new reference to the certificate to encrypt to @address. */
X509        *_ep_vault_dup_recipient_cert (EpVault         *self,
                                           const char      *address,
                                           GError         **error);
/* The signing identity for @address (new references). */
EpVaultIdentity *_ep_vault_dup_identity   (EpVault         *self,
                                           const char      *address,
                                           GError         **error);
/* Every identity, for decryption (EpVaultIdentity). */
GPtrArray   *_ep_vault_dup_identities     (EpVault         *self);
/* A trust store: the system's authorities plus the certificates the
 * person accepted (caller frees). */
X509_STORE  *_ep_vault_new_trust_store    (EpVault         *self);
/* Every certificate in the vault, as intermediates for chain building. */
STACK_OF (X509) *_ep_vault_dup_certs      (EpVault         *self);
/* What the vault would say of @cert (NULL @address: any). */
EpCertInfo  *_ep_vault_describe           (EpVault         *self,
                                           X509            *cert);
/* Parses a certificate file (PEM, DER, PKCS#7): the first certificate. */
X509        *_ep_vault_parse_certificate  (GBytes          *data,
                                           GError         **error);
/* Whether @cert has advertised AES-GCM. */
gboolean     _ep_vault_cert_gcm           (EpVault         *self,
                                           X509            *cert);
/* Adds a certificate found on a verified signature, remembering whether
 * its owner's mail advertised AES-GCM; saves. */
void         _ep_vault_collect            (EpVault         *self,
                                           X509            *cert,
                                           gboolean         gcm);
/* ep-cert.c: "Ann Example <ann@example.org>" */
char        *_ep_cert_display_name        (X509            *cert);
char        *_ep_cert_fingerprint         (X509            *cert);
/* The facts that do not depend on the vault (status: dates and usage). */
EpCertInfo  *_ep_cert_info_new            (X509            *cert);
X509        *_ep_cert_new_self_signed     (const char      *name,
                                           const char      *address,
                                           EVP_PKEY       **key_out,
                                           GError         **error);
GBytes      *_ep_cert_export              (X509            *cert,
                                           EVP_PKEY        *key,
                                           const char      *password,
                                           GError         **error);
STACK_OF (X509) *_ep_cert_parse_all       (GBytes          *data,
                                           GError         **error);

/* ep-smime.c: appends the header fields of @data (a message) to @outer
 * (From, To, Subject…) or @content (Content-*), MIME-Version to neither;
 * returns the body offset. */
gsize        _ep_smime_split_fields       (const char      *data,
                                           gsize            len,
                                           GString         *outer,
                                           GString         *content);

/* ep-pwmail-page.c: the HTML form (message.html) of @entity, the MIME
 * content of a message whose outer header fields are @outer, for
 * @password (NFC). */
GBytes      *_ep_pwmail_page              (GBytes          *entity,
                                           const char      *outer,
                                           const char      *password,
                                           const char      *sender_name,
                                           const char      *hint,
                                           guint            iterations,
                                           GError         **error);
/* The iteration count to use instead of @standard: the same, unless the
 * test suite lowered it (EPISTLE_TEST_KDF_ITERATIONS), so a 50-row merge
 * test does not spend minutes in PBKDF2. */
guint        _ep_pwmail_iterations        (guint            standard);

G_END_DECLS
