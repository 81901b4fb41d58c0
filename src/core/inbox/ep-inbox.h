/* ep-inbox.h: received mail as a service: sync, bodies, flags, new mail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "account/ep-account.h"
#include "inbox/ep-inbox-sync.h"
#include "mail/ep-read-message.h"

G_BEGIN_DECLS

typedef struct _EpContext EpContext;

#define EP_TYPE_INBOX (ep_inbox_get_type ())

G_DECLARE_FINAL_TYPE (EpInbox, ep_inbox, EP, INBOX, GObject)

/* Owned by its context (ep_context_get_inbox); @context is not ref'd. */
EpInbox  *ep_inbox_new               (EpContext           *context);

/* Syncs the account (only its Inbox with @inbox_only) in a worker. A sync
 * asked for while one runs for the same account is folded into a second
 * run after it, which answers it. Signals come in the
 * context the inbox was made in: "changed" (account uid) after anything in
 * the cache changed, "new-mail" (account uid, count of new unread Inbox
 * messages) after a sync found some, "sync-failed" (account uid, GError). */
void      ep_inbox_sync_async        (EpInbox             *self,
                                      EpAccount           *account,
                                      gboolean             inbox_only,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean  ep_inbox_sync_finish       (EpInbox             *self,
                                      GAsyncResult        *result,
                                      EpInboxSyncStats    *stats,
                                      GError             **error);
gboolean  ep_inbox_is_syncing        (EpInbox             *self,
                                      const char          *account_uid);

/* The raw message (cached, else fetched and cached). */
void      ep_inbox_fetch_body_async  (EpInbox             *self,
                                      gint64               message_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GBytes   *ep_inbox_fetch_body_finish (EpInbox             *self,
                                      GAsyncResult        *result,
                                      GError             **error);

/* Message @message_id's @raw bytes made ready to show (parsed; private
 * mail opened through the vault, loaded first if it needs to be). */
void      ep_inbox_open_message_async  (EpInbox             *self,
                                        gint64               message_id,
                                        GBytes              *raw,
                                        const char          *password,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
EpReadMessage *ep_inbox_open_message_finish (EpInbox       *self,
                                        GAsyncResult        *result,
                                        GError             **error);

void      ep_inbox_set_flag_async    (EpInbox             *self,
                                      gint64               message_id,
                                      EpInboxFlags         flag,
                                      gboolean             set,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean  ep_inbox_set_flag_finish   (EpInbox             *self,
                                      GAsyncResult        *result,
                                      GError             **error);

/* New mail while the app runs: for every account with an IMAP server, a
 * thread waits on its Inbox with IDLE (polling every @poll_seconds where
 * IDLE is not offered) and asks for a sync when something arrives.
 * Failures back off up to 10 minutes, and a sync follows every
 * reconnection. Restarting does not wait for the old threads;
 * ep_inbox_stop_watching (at the end) does. */
void      ep_inbox_start_watching    (EpInbox             *self,
                                      guint                poll_seconds);
void      ep_inbox_stop_watching     (EpInbox             *self);

G_END_DECLS
