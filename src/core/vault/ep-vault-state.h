/* ep-vault-state.h: the vault's state, shared by ep-vault.c (the file,
 * changes) and ep-vault-lookup.c (finding certificates)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-vault-private.h"

G_BEGIN_DECLS

#define SALT_LEN     16
#define KEY_LEN      32

typedef struct
{
  X509     *cert;
  EVP_PKEY *key;      /* identities only */
  char     *fingerprint;
} Entry;

struct _EpVault
{
  GObject     parent_instance;

  char       *path;
  GMutex      mutex;
  gboolean    loaded;
  gboolean    have_key;
  guint8      key[KEY_LEN];
  int         kdf;
  guint8      salt[SALT_LEN];
  char       *passphrase;   /* kept only to create a passphrase vault on first save */
  GPtrArray  *entries;      /* Entry */
  GHashTable *trusted;      /* fingerprint set */
  GHashTable *gcm;          /* fingerprint set */
  GHashTable *passwords;    /* address (casefolded) → password, remembered */
  X509_STORE *trust_store;  /* the last one built (ep-vault-lookup.c), or NULL */
  char       *trust_key;    /* the accepted fingerprints it was built from */
  guint64     stamp_ino;    /* the file as last read or written */
  gint64      stamp_size;
  gint64      stamp_mtime;  /* ns */
};

/* Before a change (loaded, and up to date with the file), and after it;
 * with the lock held. */
gboolean _ep_vault_check_loaded_locked (EpVault  *self,
                                        GError  **error);
gboolean _ep_vault_save_locked         (EpVault  *self,
                                        GError  **error);

/* ep-vault.c: @cert (and @key, an identity's) added, or merged into the
 * entry with the same fingerprint; takes both; with the lock held. */
Entry   *_ep_vault_add_entry           (EpVault  *self,
                                        X509     *cert,
                                        EVP_PKEY *key);
/* ep-vault-payload.c: the state as the plaintext of the file, and back
 * (@v1: a version 1 file); with the lock held. */
GVariant *_ep_vault_payload_new        (EpVault      *self);
gboolean  _ep_vault_parse_payload      (EpVault      *self,
                                        const guint8 *plain,
                                        gsize         len,
                                        gboolean      v1);

/* The entry with @fingerprint, or NULL; with the lock held. */
Entry *_ep_vault_find_entry (EpVault    *self,
                             const char *fingerprint);

G_END_DECLS
