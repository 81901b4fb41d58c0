/* ep-protection-check.h: can a message be signed and encrypted as asked?
 * (Compose asks while a person types; the answer comes from a worker.)
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

typedef struct
{
  char      *sign_problem;  /* why it cannot be signed; NULL: it can (or not asked) */
  GPtrArray *known;         /* char *: recipients with a usable certificate */
  GPtrArray *missing;       /* char *: "why" for each recipient without one */
  /* The password remembered for every one of the recipients (the same
   * one), or NULL. */
  char      *remembered_password;
} EpProtectionCheck;

void               ep_protection_check_free   (EpProtectionCheck *check);

/* Loads @vault and looks up the sender's identity (@sign) and every one
 * of @recipients' certificates (@encrypt; the sender's own address counts
 * as known when they have an identity), in a worker. */
void               ep_protection_check_async  (EpVault             *vault,
                                               const char          *sender,
                                               const char * const  *recipients,
                                               gboolean             sign,
                                               gboolean             encrypt,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
EpProtectionCheck *ep_protection_check_finish (GAsyncResult        *result,
                                               GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpProtectionCheck, ep_protection_check_free)

G_END_DECLS
