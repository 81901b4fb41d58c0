/* ep-inbox-sync.h: IMAP folders into the inbox cache, and back
 *
 * Blocking functions for worker threads (EpInbox runs them in GTasks;
 * the CLI calls them directly). Each opens its own session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "store/ep-store-inbox.h"
#include "transport/ep-imap-session.h"

G_BEGIN_DECLS

typedef struct
{
  guint folders;        /* folders synced */
  guint added;          /* new messages cached */
  guint flags_changed;  /* messages whose flags were fetched again */
  guint removed;        /* messages gone from the server */
  guint resets;         /* folders emptied for a new UIDVALIDITY */
  guint new_in_inbox;   /* new unread messages in the Inbox */
  guint bounces;        /* returned messages matched to a campaign recipient */
} EpInboxSyncStats;

/* Progress from the worker: @done of @total messages of @folder. */
typedef void (*EpInboxProgressFunc) (const char *folder,
                                     guint       done,
                                     guint       total,
                                     gpointer    user_data);

/* Syncs every folder of the account (only the Inbox with @inbox_only):
 * LIST with special use, then per folder new messages by UID, flag
 * changes (CHANGEDSINCE with CONDSTORE) and expunges; a changed
 * UIDVALIDITY resets the folder. */
gboolean ep_inbox_sync_account (EpStore              *store,
                                const char           *account_uid,
                                const EpServerConfig *config,
                                gboolean              inbox_only,
                                EpProtocolLog        *log,
                                EpInboxProgressFunc   progress,
                                gpointer              progress_data,
                                EpInboxSyncStats     *stats,
                                GCancellable         *cancellable,
                                GError              **error);

/* The raw message: from the cache, else fetched (BODY.PEEK[]), cached
 * and indexed. */
GBytes  *ep_inbox_fetch_body   (EpStore              *store,
                                const EpServerConfig *config,
                                gint64                message_id,
                                EpProtocolLog        *log,
                                GCancellable         *cancellable,
                                GError              **error);

/* Sets or clears a flag on the server and then in the cache. */
gboolean ep_inbox_store_flag   (EpStore              *store,
                                const EpServerConfig *config,
                                gint64                message_id,
                                EpInboxFlags          flag,
                                gboolean              set,
                                EpProtocolLog        *log,
                                GCancellable         *cancellable,
                                GError              **error);

/* Waits on the account's Inbox with IDLE until something changes or
 * @max_seconds pass; where IDLE is not offered, returns after at most five
 * minutes with *@changed set (the caller syncs: polling). */
gboolean ep_inbox_wait_for_change (const EpServerConfig *config,
                                   guint                 max_seconds,
                                   gboolean             *changed,
                                   EpProtocolLog        *log,
                                   GCancellable         *cancellable,
                                   GError              **error);

G_END_DECLS
