/* ep-outbox.h: the one way anything is sent
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
#include "store/ep-store.h"
#include "transport/ep-protocol-log.h"
#include "outbox/ep-outbox-task.h"
#include "vault/ep-smime.h"

G_BEGIN_DECLS

#define EP_TYPE_OUTBOX (ep_outbox_get_type ())

G_DECLARE_FINAL_TYPE (EpOutbox, ep_outbox, EP, OUTBOX, GObject)

/* Created by EpContext with what it needs: the journal, the protocol log
 * (single messages log their SMTP dialogue there) and the data folder
 * (per-campaign lock files). Progress and "finished" of its tasks are
 * delivered in the thread-default main context of the caller of new(). */
EpOutbox      *ep_outbox_new                 (EpStore       *store,
                                              EpProtocolLog *log,
                                              const char    *data_dir);
EpStore       *ep_outbox_get_store           (EpOutbox      *self);
/* The key vault ($data_dir/vault), not loaded until first needed. */
EpVault       *ep_outbox_get_vault           (EpOutbox      *self);
/* What @draft's sign / encrypt / gcm ask for. */
EpProtection   ep_outbox_draft_protection    (const EpDraft *draft);
/* Signs and/or encrypts @outgoing (built from @draft) in place as @draft
 * asks: certificates, or its password. Worker threads (loads the vault,
 * derives keys). */
gboolean       ep_outbox_protect_draft_message (EpOutbox     *self,
                                                EpOutgoing   *outgoing,
                                                const EpDraft *draft,
                                                GCancellable *cancellable,
                                                GError      **error);
EpProtocolLog *ep_outbox_get_protocol_log    (EpOutbox      *self);
const char    *ep_outbox_get_data_dir        (EpOutbox      *self);

/* Single messages: first retry after @first_delay seconds, doubling, at
 * most @max_attempts sends (defaults 30 s, 6). */
void           ep_outbox_set_retry_policy    (EpOutbox      *self,
                                              guint          first_delay,
                                              guint          max_attempts);

/* An entry whose not-before time is at least this many seconds ahead is
 * scheduled: nothing in this process waits for it on a timer; an
 * EpScheduler starts it when it is due (a shorter wait, the undo delay,
 * is the task's own). */
#define EP_OUTBOX_SCHEDULE_AFTER 120   /* above the undo delay's maximum (60) */
gboolean       ep_outbox_is_scheduled        (gint64         not_before,
                                              gint64         now);

/* Builds @draft (reading attachments) in a worker, commits it to the
 * journal as a one-recipient entry that may go at @not_before (unix time;
 * 0 = at once) and starts its task, unless it is scheduled (see above):
 * then its task is returned not started and "changed" is emitted. The
 * task's "finished" says what happened. */
void           ep_outbox_send_message_async  (EpOutbox            *self,
                                              EpAccount           *account,
                                              const EpDraft       *draft,
                                              gint64               not_before,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
EpOutboxTask  *ep_outbox_send_message_finish (EpOutbox            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* The task of campaign or message @id: the one running or waiting, or a
 * new one, not started. */
EpOutboxTask  *ep_outbox_open_task           (EpOutbox      *self,
                                              gint64         id,
                                              GError       **error);
/* Another process (epistle-cli) changed the scheduled entries: emits
 * "changed" so that whoever shows or runs them looks again. */
void           ep_outbox_notify_changed      (EpOutbox      *self);
/* The task of @id this process has open, or NULL (borrowed). */
EpOutboxTask  *ep_outbox_find_task           (EpOutbox      *self,
                                              gint64         id);
/* EpOutboxTask: every task started in this process and not yet finished
 * (main thread only). */
GListModel    *ep_outbox_get_tasks           (EpOutbox      *self);
/* TRUE while a task runs or waits: a front end keeps the process alive. */
gboolean       ep_outbox_get_busy            (EpOutbox      *self);

/* Starts every single message left unfinished by an earlier run (a
 * crash, a quit while one waited to retry): in flight ones are sent again
 * with their Message-ID and reported uncertain. Completes with the number
 * of messages restarted. */
void           ep_outbox_resume_messages_async  (EpOutbox            *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gint           ep_outbox_resume_messages_finish (EpOutbox            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Moves a scheduled entry (not started yet) to @not_before (unix time);
 * emits "changed". Fails for one that is sending or has been sent. */
void           ep_outbox_reschedule_async    (EpOutbox            *self,
                                              gint64               id,
                                              gint64               not_before,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       ep_outbox_reschedule_finish   (EpOutbox            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Takes a scheduled single message out of the outbox and gives back its
 * draft as it was written, saved with the drafts (its id set), for
 * Compose (Edit); emits "changed". Fails, removing nothing, for one that
 * is sending or was sent, or that has no draft (scheduled by
 * epistle-cli). */
void           ep_outbox_take_back_async     (EpOutbox            *self,
                                              gint64               id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
EpDraft       *ep_outbox_take_back_finish    (EpOutbox            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Store reads off the main thread. */
void           ep_outbox_list_campaigns_async    (EpOutbox            *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* Whether a process holds @id's sender lock now (this one included):
 * "running" in the store then means it is being sent, not that a sender
 * stopped. Blocks (a file lock, no waiting). */
gboolean       ep_outbox_is_sending              (EpOutbox            *self,
                                                  gint64               id);
/* The days a campaign of @n messages from @account_uid would go on if
 * spread from @start (see ep_spread_plan_compute (); the account's
 * messages of the last 24 hours count). EpSpreadDay; NULL on a store
 * error. Blocks (one indexed read). */
GArray        *ep_outbox_plan_spread             (EpOutbox            *self,
                                                  const char          *account_uid,
                                                  guint                n,
                                                  guint                daily_limit,
                                                  guint                rate,
                                                  gint64               start,
                                                  const EpSendWindow  *window,
                                                  GError             **error);
/* Only the entries with a not-before time (what the scheduler and the
 * Scheduled pane look at, on every change); finished with
 * ep_outbox_list_campaigns_finish (). */
void           ep_outbox_list_timed_async        (EpOutbox            *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* EpCampaignInfo, newest first. */
GPtrArray     *ep_outbox_list_campaigns_finish   (EpOutbox            *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void           ep_outbox_list_recipients_async   (EpOutbox            *self,
                                                  gint64               id,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* EpStoreRecipient, in row order. */
GPtrArray     *ep_outbox_list_recipients_finish  (EpOutbox            *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
