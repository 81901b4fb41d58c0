/* ep-outbox-task.h: one campaign or message being sent, seen from the
 * main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "outbox/ep-campaign.h"

G_BEGIN_DECLS

#define EP_TYPE_OUTBOX_TASK (ep_outbox_task_get_type ())

G_DECLARE_FINAL_TYPE (EpOutboxTask, ep_outbox_task, EP, OUTBOX_TASK, GObject)

/* Signals (main context of the outbox's creator):
 *   "progress" ()            the counts changed
 *   "recipient-changed" (guint row, const char *address,
 *                        guint EpRecipientState, const char *reply)
 *   "finished" ()            the run ended; get_end() says why
 * Properties: "running" (sending or waiting to), "not-before" (x). */

gint64                    ep_outbox_task_get_id         (EpOutboxTask  *self);
EpCampaignKind            ep_outbox_task_get_kind       (EpOutboxTask  *self);
const char               *ep_outbox_task_get_name       (EpOutboxTask  *self);
gboolean                  ep_outbox_task_get_running    (EpOutboxTask  *self);
/* Unix time before which it does not start; 0 once it has. */
gint64                    ep_outbox_task_get_not_before (EpOutboxTask  *self);
/* The entry's not-before time as stored (unix time; 0 = at once), whether
 * or not this task waits for it. */
gint64                    ep_outbox_task_get_scheduled_for (EpOutboxTask *self);
/* The latest progress (row fields unset). */
const EpCampaignProgress *ep_outbox_task_get_progress   (EpOutboxTask  *self);
/* The last recipient change reported (a message's only recipient). */
EpRecipientState          ep_outbox_task_get_last_state (EpOutboxTask  *self);
const char               *ep_outbox_task_get_last_reply (EpOutboxTask  *self);
/* Unix time of the next retry when the last state is deferred. */
gint64                    ep_outbox_task_get_next_retry (EpOutboxTask  *self);
/* The earliest retry (unix time) among the recipients this run deferred
 * and has not sent since; 0 if none. */
gint64                    ep_outbox_task_get_earliest_retry (EpOutboxTask *self);
/* Set once "finished" was emitted. */
EpCampaignEnd             ep_outbox_task_get_end        (EpOutboxTask  *self);
const char               *ep_outbox_task_get_reason     (EpOutboxTask  *self);
/* The Message-ID of a single message (without angle brackets). */
const char               *ep_outbox_task_get_message_id (EpOutboxTask  *self);

/* Set when the last run could not start or could not use the journal
 * (end is then PAUSED or STORE and the reason is its message). */
const GError             *ep_outbox_task_get_error      (EpOutboxTask  *self);
/* What the server took and refused, once the last change was "sent". */
const EpSmtpReport       *ep_outbox_task_get_last_report (EpOutboxTask *self);

/* Run options, before start(): see EpCampaignRunner. */
void                      ep_outbox_task_set_wait_for_retries (EpOutboxTask *self,
                                                               gboolean      wait);
void                      ep_outbox_task_set_timeout    (EpOutboxTask  *self,
                                                         guint          seconds);
void                      ep_outbox_task_set_retry_policy (EpOutboxTask *self,
                                                           guint         first_delay,
                                                           guint         max_attempts);

/* Starts the run (at not_before, if later). */
void                      ep_outbox_task_start          (EpOutboxTask  *self);
void                      ep_outbox_task_pause          (EpOutboxTask  *self);
/* Stops and marks it cancelled: the rest is not sent. A single message
 * that has not started yet ("Undo") is removed from the outbox instead;
 * "finished" comes with EP_CAMPAIGN_END_CANCELLED either way. */
void                      ep_outbox_task_cancel         (EpOutboxTask  *self);
/* Skips the wait: the undo delay, or the backoff of waiting retries. */
void                      ep_outbox_task_send_now       (EpOutboxTask  *self);

G_END_DECLS
