/* ep-account-server.h: an account's connection settings for its servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "account/ep-account.h"
#include "transport/ep-server-config.h"

G_BEGIN_DECLS

/* The settings of @account for its SMTP (or IMAP) server, with @secret as
 * the password or token. Without a secret the connection is made without
 * logging in; the server then says whether it needs one. */
EpServerConfig *ep_account_server_config     (EpAccount     *account,
                                              gboolean       imap,
                                              const char    *secret);
/* The same with the secret from the keyring. Blocks: worker threads only. */
EpServerConfig *ep_account_smtp_config_sync  (EpAccount     *account,
                                              GCancellable  *cancellable,
                                              GError       **error);
EpServerConfig *ep_account_imap_config_sync  (EpAccount     *account,
                                              GCancellable  *cancellable,
                                              GError       **error);

/* Both configurations (IMAP only if the account has a server) with the
 * saved secret, looked up in a worker; callbacks in the caller's context. */
void            ep_account_server_configs_async  (EpAccount           *account,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        ep_account_server_configs_finish (GAsyncResult        *result,
                                                  EpServerConfig     **smtp,
                                                  EpServerConfig     **imap,
                                                  GError             **error);

G_END_DECLS
