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
#include "mail/ep-message.h"
#include "transport/ep-smtp.h"
#include "store/ep-store.h"
#include "transport/ep-protocol-log.h"
#include "transport/ep-server-config.h"
#include "outbox/ep-outbox.h"
#include "inbox/ep-inbox.h"

G_BEGIN_DECLS

#define EP_TYPE_CONTEXT (ep_context_get_type ())

G_DECLARE_FINAL_TYPE (EpContext, ep_context, EP, CONTEXT, GObject)

void            ep_core_init                 (void);
void            ep_core_shutdown             (void);

EpContext      *ep_context_new               (const char    *data_dir,
                                              GError       **error);
EpStore        *ep_context_get_store         (EpContext     *self);
EpProtocolLog  *ep_context_get_protocol_log  (EpContext     *self);
EpOutbox       *ep_context_get_outbox        (EpContext     *self);
EpVault        *ep_context_get_vault         (EpContext     *self);
/* The inbox service, made on first use. */
EpInbox        *ep_context_get_inbox         (EpContext     *self);
const char     *ep_context_get_data_dir      (EpContext     *self);

GPtrArray      *ep_context_list_accounts     (EpContext     *self,
                                              GError       **error);
EpAccount      *ep_context_find_account      (EpContext     *self,
                                              const char    *name,
                                              GError       **error);
gboolean        ep_context_add_account       (EpContext     *self,
                                              EpAccount     *account,
                                              const char    *secret,
                                              GCancellable  *cancellable,
                                              GError       **error);
gboolean        ep_context_remove_account    (EpContext     *self,
                                              EpAccount     *account,
                                              GCancellable  *cancellable,
                                              GError       **error);
EpServerConfig *ep_context_server_config     (EpAccount     *account,
                                              gboolean       imap,
                                              const char    *secret);
EpServerConfig *ep_context_smtp_config_sync  (EpContext     *self,
                                              EpAccount     *account,
                                              GCancellable  *cancellable,
                                              GError       **error);
EpServerConfig *ep_context_imap_config_sync  (EpContext     *self,
                                              EpAccount     *account,
                                              GCancellable  *cancellable,
                                              GError       **error);

/* Async forms for the UI: everything that touches the keyring, the disk or
 * the network runs in a worker thread; callbacks run in the caller's main
 * context. "accounts-changed" is emitted (main thread) after any change. */
void            ep_context_add_account_async     (EpContext           *self,
                                                  EpAccount           *account,
                                                  const char          *secret,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void            ep_context_update_account_async  (EpContext           *self,
                                                  EpAccount           *account,
                                                  const char          *secret,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void            ep_context_remove_account_async  (EpContext           *self,
                                                  EpAccount           *account,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void            ep_context_set_default_account_async (EpContext       *self,
                                                  EpAccount           *account,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void            ep_context_store_secret_async    (EpContext           *self,
                                                  EpAccount           *account,
                                                  const char          *secret,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        ep_context_account_op_finish     (EpContext           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

void            ep_context_list_accounts_async   (EpContext           *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray      *ep_context_list_accounts_finish  (EpContext           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

void            ep_context_save_draft_async      (EpContext           *self,
                                                  const EpDraft       *draft,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gint64          ep_context_save_draft_finish     (EpContext           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void            ep_context_load_draft_async      (EpContext           *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
EpDraft        *ep_context_load_draft_finish     (EpContext           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void            ep_context_delete_draft_async    (EpContext           *self,
                                                  gint64               id,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        ep_context_delete_draft_finish   (EpContext           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* The merge wizard's draft (one; see ep_store_merge_draft_save()).
 * Loading gives NULL with @error unset when there is none. */
void            ep_context_save_merge_draft_async   (EpContext           *self,
                                                     const char          *path,
                                                     GVariant            *message,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean        ep_context_save_merge_draft_finish  (EpContext           *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void            ep_context_load_merge_draft_async   (EpContext           *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GVariant       *ep_context_load_merge_draft_finish  (EpContext           *self,
                                                     GAsyncResult        *result,
                                                     char               **path,
                                                     GError             **error);
void            ep_context_delete_merge_draft_async (EpContext           *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean        ep_context_delete_merge_draft_finish (EpContext          *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);

G_END_DECLS
