/* ep-vault-op.h: the vault's operations as one typed request, run off the
 * main thread (what Preferences, Encryption does: list, import, create,
 * export, trust, remove)
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

/* What a worker does with the vault; every operation opens it first. */
typedef enum
{
  EP_VAULT_OP_LIST,
  EP_VAULT_OP_IMPORT_IDENTITY,  /* file, password */
  EP_VAULT_OP_CREATE_IDENTITY,  /* name, address */
  EP_VAULT_OP_EXPORT,           /* fingerprint, password, file (written) */
  EP_VAULT_OP_IMPORT_CERTS,     /* file */
  EP_VAULT_OP_SET_TRUSTED,      /* fingerprint, trusted */
  EP_VAULT_OP_REMOVE,           /* fingerprint */
} EpVaultOpKind;

/* A snapshot of everything the worker needs. */
typedef struct
{
  EpVaultOpKind  kind;
  EpVault       *vault;
  GFile         *file;
  char          *password;     /* wiped when freed */
  char          *fingerprint;
  char          *name;
  char          *address;
  gboolean       trusted;
} EpVaultOp;

typedef struct
{
  GPtrArray     *certs;        /* EpCertInfo: LIST, IMPORT_CERTS */
  EpCertInfo    *info;         /* IMPORT_IDENTITY, CREATE_IDENTITY */
} EpVaultOpResult;

EpVaultOp       *ep_vault_op_new          (EpVault             *vault,
                                           EpVaultOpKind        kind);
void             ep_vault_op_free         (EpVaultOp           *op);
void             ep_vault_op_result_free  (EpVaultOpResult     *result);
/* Opens the vault and runs @op (consumed) in a worker thread. */
void             ep_vault_op_run_async    (EpVaultOp           *op,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
EpVaultOpResult *ep_vault_op_run_finish   (GAsyncResult        *result,
                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpVaultOpResult, ep_vault_op_result_free)

G_END_DECLS
