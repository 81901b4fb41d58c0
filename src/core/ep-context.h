/* ep-context.h: the services one front end (UI or CLI) works with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "account/ep-account.h"
#include "store/ep-store.h"
#include "transport/ep-protocol-log.h"
#include "transport/ep-server-config.h"

G_BEGIN_DECLS

#define EP_TYPE_CONTEXT (ep_context_get_type ())

G_DECLARE_FINAL_TYPE (EpContext, ep_context, EP, CONTEXT, GObject)

void            ep_core_init                 (void);
void            ep_core_shutdown             (void);

EpContext      *ep_context_new               (const char    *data_dir,
                                              GError       **error);
EpStore        *ep_context_get_store         (EpContext     *self);
EpProtocolLog  *ep_context_get_protocol_log  (EpContext     *self);
const char     *ep_context_get_data_dir      (EpContext     *self);

GPtrArray      *ep_context_list_accounts     (EpContext     *self,
                                              GError       **error);
EpAccount      *ep_context_find_account      (EpContext     *self,
                                              const char    *name,
                                              GError       **error);
EpAccount      *ep_context_get_default_account (EpContext   *self,
                                                GError     **error);
gboolean        ep_context_add_account       (EpContext     *self,
                                              EpAccount     *account,
                                              const char    *secret,
                                              GCancellable  *cancellable,
                                              GError       **error);
gboolean        ep_context_remove_account    (EpContext     *self,
                                              EpAccount     *account,
                                              GCancellable  *cancellable,
                                              GError       **error);
EpServerConfig *ep_context_smtp_config_sync  (EpContext     *self,
                                              EpAccount     *account,
                                              GCancellable  *cancellable,
                                              GError       **error);
EpServerConfig *ep_context_imap_config_sync  (EpContext     *self,
                                              EpAccount     *account,
                                              GCancellable  *cancellable,
                                              GError       **error);

G_END_DECLS
