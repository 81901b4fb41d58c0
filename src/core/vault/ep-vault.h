/* ep-vault.h: the per-user key vault (identities, contacts' certificates,
 * trust decisions), one AES-256-GCM file whose key is in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define EP_VAULT_ERROR (ep_vault_error_quark ())

typedef enum
{
  EP_VAULT_ERROR_LOCKED,          /* no key: not in the keyring, no passphrase */
  EP_VAULT_ERROR_DAMAGED,         /* not a vault, or cut short */
  EP_VAULT_ERROR_TAMPERED,        /* the tag check failed: altered, or another key */
  EP_VAULT_ERROR_IO,              /* reading or writing the file */
  EP_VAULT_ERROR_KEYRING,         /* the Secret Service failed */
  EP_VAULT_ERROR_BAD_FILE,        /* an import that is not a certificate / PKCS#12 */
  EP_VAULT_ERROR_BAD_PASSWORD,    /* a PKCS#12 that this password does not open */
  EP_VAULT_ERROR_NOT_FOUND,       /* no such fingerprint */
  EP_VAULT_ERROR_NO_CERTIFICATE,  /* no usable certificate for an address */
  EP_VAULT_ERROR_NO_IDENTITY,     /* no identity (certificate + key) for an address */
} EpVaultError;

/* Whether a certificate can be used now. */
typedef enum
{
  EP_CERT_OK,
  EP_CERT_EXPIRED,
  EP_CERT_NOT_YET_VALID,
  EP_CERT_UNTRUSTED,       /* no authority vouches for it and nobody accepted it */
  EP_CERT_WRONG_USAGE,     /* its key usage forbids mail encryption / signing */
} EpCertStatus;

/* A certificate as a person sees it. */
typedef struct
{
  char         *fingerprint;   /* SHA-256, 64 lowercase hex digits */
  char         *subject;       /* the common name, or the whole name */
  char         *issuer;
  GStrv         addresses;     /* the mail addresses it is for (lowercase) */
  gint64        not_before;    /* unix time */
  gint64        not_after;
  gboolean      is_identity;   /* its private key is in the vault */
  gboolean      trusted;       /* a person accepted it */
  gboolean      self_signed;
  gboolean      can_encrypt;
  gboolean      can_sign;
  gboolean      gcm;           /* its owner's signed mail advertised AES-GCM */
  EpCertStatus  status;        /* for mail now */
} EpCertInfo;

void         ep_cert_info_free        (EpCertInfo *info);
/* "expired on 3 Mar 2026", "no authority vouches for it", … or NULL for OK */
char        *ep_cert_info_describe_problem (const EpCertInfo *info);
/* "AB:CD:…" in groups, for people */
char        *ep_cert_format_fingerprint (const char *fingerprint);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpCertInfo, ep_cert_info_free)

#define EP_TYPE_VAULT (ep_vault_get_type ())

G_DECLARE_FINAL_TYPE (EpVault, ep_vault, EP, VAULT, GObject)

GQuark       ep_vault_error_quark     (void);

/* @path: the vault file. Nothing is read until ep_vault_load_sync (). */
EpVault     *ep_vault_new             (const char    *path);
const char  *ep_vault_get_path        (EpVault       *self);

/* Reads the vault with its key from the keyring (@passphrase NULL) or
 * derived from @passphrase (scrypt). A missing file is an empty vault,
 * written (with a new key) on the first change. A damaged, tampered or
 * unopenable vault is an error and is never overwritten. Once loaded,
 * later calls do nothing. Thread-safe, as is everything below. */
gboolean     ep_vault_load_sync       (EpVault       *self,
                                       const char    *passphrase,
                                       GCancellable  *cancellable,
                                       GError       **error);
gboolean     ep_vault_is_loaded       (EpVault       *self);

/* EpCertInfo: identities first, then contacts, each by subject. */
GPtrArray   *ep_vault_list            (EpVault       *self);

/* Adds the certificate and key of a PKCS#12 file (.p12/.pfx). */
EpCertInfo  *ep_vault_import_identity (EpVault       *self,
                                       GBytes        *pkcs12,
                                       const char    *password,
                                       GError       **error);
/* Creates a personal self-signed identity (RSA 3072, 3 years) for
 * @address; the person's own acceptance of it is recorded. */
EpCertInfo  *ep_vault_create_identity (EpVault       *self,
                                       const char    *name,
                                       const char    *address,
                                       GError       **error);
/* Writes the identity @fingerprint as PKCS#12 with @password (PBE-SHA1-3DES,
 * SHA-1 MAC: what gpgsm and older clients import), or its certificate
 * alone as PEM when @password is NULL. */
GBytes      *ep_vault_export          (EpVault       *self,
                                       const char    *fingerprint,
                                       const char    *password,
                                       GError       **error);
/* Adds contacts' certificates from PEM, DER or PKCS#7 (.p7b/.p7c);
 * returns the EpCertInfo of each one added or already there. */
GPtrArray   *ep_vault_import_certificates (EpVault   *self,
                                           GBytes    *data,
                                           GError   **error);
/* Accepts (or no longer accepts) a certificate no authority vouches for. */
gboolean     ep_vault_set_trusted     (EpVault       *self,
                                       const char    *fingerprint,
                                       gboolean       trusted,
                                       GError       **error);
/* ep-vault-passwords.c: the password remembered for @address (a copy,
 * ep_password_free ()), or NULL; the vault must be loaded. */
char        *ep_vault_dup_password    (EpVault       *self,
                                       const char    *address);
/* Remembers @password for @address (NULL forgets it), in the vault file. */
gboolean     ep_vault_remember_password (EpVault     *self,
                                         const char  *address,
                                         const char  *password,
                                         GError     **error);
/* Removes a contact's certificate or an identity, key included. */
gboolean     ep_vault_remove          (EpVault       *self,
                                       const char    *fingerprint,
                                       GError       **error);

/* The best certificate to encrypt to @address (usable, newest), or NULL
 * with EP_VAULT_ERROR_NO_CERTIFICATE saying why (none, expired, …). */
EpCertInfo  *ep_vault_lookup_recipient (EpVault      *self,
                                        const char   *address,
                                        GError      **error);
/* The identity that signs for @address, or NULL with
 * EP_VAULT_ERROR_NO_IDENTITY. */
EpCertInfo  *ep_vault_lookup_identity (EpVault       *self,
                                       const char    *address,
                                       GError       **error);

/* Checks a certificate file that is not in the vault (a per-row
 * certificate of a merge) for @address; NULL and the reason if unusable. */
EpCertInfo  *ep_vault_check_certificate (EpVault     *self,
                                         GBytes      *data,
                                         const char  *address,
                                         GError     **error);

G_END_DECLS
