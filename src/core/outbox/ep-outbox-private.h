/* ep-outbox-private.h: shared by the files of the outbox module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-outbox.h"
#include "vault/ep-password.h"
#include "vault/ep-pwmail.h"

G_BEGIN_DECLS

/* The account with @uid, read from the store (worker threads). */
EpAccount *_ep_outbox_find_account     (EpOutbox    *self,
                                        const char  *uid,
                                        GError     **error);
/* A copy a worker may own. */
EpAccount *_ep_outbox_account_snapshot (EpAccount   *account);
/* The lock file that makes one process at a time send campaign @id. */
char      *_ep_outbox_lock_path        (EpOutbox    *self,
                                        gint64       id);
void       _ep_outbox_get_retry_policy (EpOutbox    *self,
                                        guint       *first_delay,
                                        guint       *max_attempts);
GMainContext *_ep_outbox_get_main_context (EpOutbox *self);
/* The stored message of single-message entry @id (worker threads). */
EpOutgoing *_ep_outbox_load_message    (EpOutbox    *self,
                                        gint64       id,
                                        GError     **error);
/* Signs and/or encrypts @outgoing in place (loads the vault; worker
 * threads). @recipient_cert: a merge row's own certificate file;
 * @password and @pw_options: with EP_PROTECT_PASSWORD. */
gboolean   _ep_outbox_protect          (EpOutbox              *self,
                                        EpOutgoing            *outgoing,
                                        EpProtection           protection,
                                        GBytes                *recipient_cert,
                                        const char            *password,
                                        const EpPwmailOptions *pw_options,
                                        GCancellable          *cancellable,
                                        GError               **error);
/* ep-campaign.c: the campaign @id is going: its generated passwords too. */
void       _ep_campaign_forget_passwords (EpOutbox                 *outbox,
                                          gint64                    id);
/* ep-campaign-protect.c: row @row's password (EP_PROTECT_PASSWORD), or
 * NULL with an error saying what is wrong with it; ep_password_free (). */
char      *_ep_campaign_row_password   (const EpCampaignProtection *protection,
                                        EpTable                    *table,
                                        guint                       row,
                                        GError                    **error);
/* ep-campaign-protect.c: row @row of a protected merge, built and
 * protected as it will be sent. */
GBytes    *_ep_campaign_protect_row    (EpOutbox                   *outbox,
                                        EpAccount                  *account,
                                        EpTemplate                 *tmpl,
                                        EpTable                    *table,
                                        guint                       row,
                                        const char                 *base_dir,
                                        const EpCampaignProtection *protection,
                                        const char                 *message_id,
                                        const char                 *password,
                                        GCancellable               *cancellable,
                                        GError                    **error);
/* ep-outbox-sent.c: after a run of entry @id, a sent single message is
 * appended to the account's Sent folder; a failure is only reported. */
void       _ep_outbox_copy_to_sent     (EpOutbox     *self,
                                        gint64        id,
                                        GCancellable *cancellable);
void       _ep_outbox_emit_changed     (EpOutbox    *self);
/* Called by a task when it starts and when it finishes. */
void       _ep_outbox_task_started     (EpOutbox     *self,
                                        EpOutboxTask *task);
void       _ep_outbox_task_finished    (EpOutbox     *self,
                                        EpOutboxTask *task);

EpOutboxTask *_ep_outbox_task_new      (EpOutbox     *outbox,
                                        gint64        id,
                                        GError      **error);
void       _ep_outbox_task_set_message_id (EpOutboxTask *self,
                                           const char   *message_id);

G_END_DECLS
