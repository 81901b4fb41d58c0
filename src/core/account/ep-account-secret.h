/* ep-account-secret.h: account passwords and tokens in the Secret Service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean  ep_account_secret_store_sync  (const char    *uid,
                                         const char    *label,
                                         const char    *secret,
                                         GCancellable  *cancellable,
                                         GError       **error);
char     *ep_account_secret_lookup_sync (const char    *uid,
                                         GCancellable  *cancellable,
                                         GError       **error);
gboolean  ep_account_secret_clear_sync  (const char    *uid,
                                         GCancellable  *cancellable,
                                         GError       **error);
void      ep_account_secret_free        (char          *secret);



G_END_DECLS
