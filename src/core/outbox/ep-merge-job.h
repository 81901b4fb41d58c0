/* ep-merge-job.h: one merge being prepared, the state its steps share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "account/ep-account.h"
#include "outbox/ep-outbox.h"
#include "table/ep-table.h"
#include "merge/ep-template.h"
#include "merge/ep-merge.h"
#include "account/ep-account.h"
#include "merge/ep-merge.h"
#include "merge/ep-template.h"
#include "table/ep-table.h"

G_BEGIN_DECLS

/* A recipient of a stored campaign. */
typedef struct
{
  guint  row_number;
  char  *address;
  EpRecipientState  state;
  gboolean bounced;     /* sent, then came back */
  gboolean resent;      /* in flight when a run stopped, so sent again:
                         * the recipient may have it twice */
  char  *reply;
} EpMergeRecipient;

/* A campaign that stopped before every message was sent (or, listed
 * by ep_merge_job_list_recent_async, one that is running or finished). */
typedef struct
{
  gint64    id;
  char     *name;
  char     *subject;     /* the template's subject, {{ }} and all; may be NULL */
  char     *base_dir;    /* the spreadsheet's folder */
  gboolean  finished;    /* finished or cancelled (recent listings only) */
  gboolean  cancelled;   /* of those, cancelled */
  gint64    updated_at;  /* unix time of its last change */
  char     *reason;      /* NULL when none was recorded */
  gboolean  was_running; /* the app stopped while sending (else: paused) */
  gboolean  sending;     /* another process (epistle-cli, the service) sends it now */
  gint64    created_at;  /* unix time */
  guint     total;
  guint     sent;
  guint     failed;
  guint     skipped;     /* rows the check left out (campaign_skipped) */
  guint     bounced;     /* sent, then came back */
  GStrv     in_doubt;    /* addresses in flight when it stopped */
  gboolean  can_reopen;  /* its spreadsheet is where it was sent from, and
                          * its message is stored: Retry Failed can open it */
} EpMergeInterrupted;

void ep_merge_recipient_free   (EpMergeRecipient   *recipient);
void ep_merge_interrupted_free (EpMergeInterrupted *interrupted);

#define EP_TYPE_MERGE_JOB (ep_merge_job_get_type ())

G_DECLARE_FINAL_TYPE (EpMergeJob, ep_merge_job, EP, MERGE_JOB, GObject)

EpMergeJob    *ep_merge_job_new                    (EpOutbox            *outbox);
EpOutbox      *ep_merge_job_get_outbox             (EpMergeJob          *self);

/* The spreadsheet: a new path drops the table read from the last one. */
const char    *ep_merge_job_get_path               (EpMergeJob          *self);
const char    *ep_merge_job_get_base_dir           (EpMergeJob          *self);
void           ep_merge_job_set_path               (EpMergeJob          *self,
                                                    const char          *path);
EpTable       *ep_merge_job_get_table              (EpMergeJob          *self);
double         ep_merge_job_get_read_fraction      (EpMergeJob          *self);
void           ep_merge_job_read_async             (EpMergeJob          *self,
                                                    const char          *sheet,
                                                    const char          *encoding,
                                                    char                 delimiter,
                                                    const char          *locale,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* FALSE with G_IO_ERROR_CANCELLED also when a newer read replaced this one. */
gboolean       ep_merge_job_read_finish            (EpMergeJob          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
gboolean       ep_merge_job_get_reading            (EpMergeJob          *self);
/* Forgets the spreadsheet, its table and the report. */
void           ep_merge_job_reset                  (EpMergeJob          *self);
int            ep_merge_job_guess_address_column   (EpMergeJob          *self);
int            ep_merge_job_guess_attachment_column (EpMergeJob         *self);

/* The message: a template (NULL while it does not make sense) and a sender. */
EpTemplate    *ep_merge_job_get_template           (EpMergeJob          *self);
void           ep_merge_job_set_template           (EpMergeJob          *self,
                                                    EpTemplate          *tmpl);
EpAccount     *ep_merge_job_get_account            (EpMergeJob          *self);
void           ep_merge_job_set_account            (EpMergeJob          *self,
                                                    EpAccount           *account);

/* Checking every chosen row; the report (NULL until a check ends) goes
 * whenever the table or the template changes. */
EpMergeReport *ep_merge_job_get_report             (EpMergeJob          *self);
void           ep_merge_job_clear_report           (EpMergeJob          *self);
gboolean       ep_merge_job_get_validating         (EpMergeJob          *self);
void           ep_merge_job_validate_async         (EpMergeJob          *self,
                                                    const char          *ranges,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* FALSE with G_IO_ERROR_CANCELLED also when a newer check replaced this one. */
gboolean       ep_merge_job_validate_finish        (EpMergeJob          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* Send the rows without problems, leaving the others out. */
gboolean       ep_merge_job_get_skip_invalid       (EpMergeJob          *self);
void           ep_merge_job_set_skip_invalid       (EpMergeJob          *self,
                                                    gboolean             skip_invalid);

/* When the campaign to be created starts (unix time; 0 = at once, as soon
 * as it is created): a later time schedules it. */
void           ep_merge_job_set_start_at           (EpMergeJob          *self,
                                                    gint64               start_at);
gint64         ep_merge_job_get_start_at           (EpMergeJob          *self);
/* Sign and/or encrypt each message for its own recipient (NULL: none). */
void           ep_merge_job_set_protection         (EpMergeJob                 *self,
                                                    const EpCampaignProtection *protection);
const EpCampaignProtection *
               ep_merge_job_get_protection         (EpMergeJob                 *self);
/* The hint shown to recipients of password-protected messages. */
void           ep_merge_job_set_password_hint      (EpMergeJob                 *self,
                                                    const char                 *hint);
/* Spread over days (at most the daily limit a day) within @window (NULL =
 * any time), or not. */
void           ep_merge_job_set_spread             (EpMergeJob          *self,
                                                    gboolean             spread,
                                                    const EpSendWindow  *window);
gboolean       ep_merge_job_get_spread             (EpMergeJob          *self);
/* The days the campaign to be created would go on, spread, from its start
 * (or now): EpSpreadDay. NULL on a store error. Blocks (one indexed read
 * of what the account sent in the last 24 hours). */
GArray        *ep_merge_job_plan_spread            (EpMergeJob          *self,
                                                    GError             **error);

/* Pacing of the campaign to be created. */
void           ep_merge_job_set_pacing             (EpMergeJob          *self,
                                                    guint                connections,
                                                    guint                rate,
                                                    guint                daily_limit);

/* Sending: need a template, an account and a report with valid rows. */
void           ep_merge_job_test_send_async        (EpMergeJob          *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* Returns the Message-ID of the test message; @test_password (optional)
 * the password that protects it when the campaign's passwords are
 * generated (ep_password_free), else NULL. */
char          *ep_merge_job_test_send_finish       (EpMergeJob          *self,
                                                    GAsyncResult        *result,
                                                    char               **test_password,
                                                    GError             **error);
void           ep_merge_job_create_campaign_async  (EpMergeJob          *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* Returns the new campaign's id, or 0. */
gint64         ep_merge_job_create_campaign_finish (EpMergeJob          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Stored campaigns. */
void           ep_merge_job_load_recipients_async  (EpMergeJob          *self,
                                                    gint64               campaign_id,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* Returns EpMergeRecipient, in row order. */
GPtrArray     *ep_merge_job_load_recipients_finish (EpMergeJob          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void           ep_merge_job_export_results_async   (EpMergeJob          *self,
                                                    gint64               campaign_id,
                                                    const char          *path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean       ep_merge_job_export_results_finish  (EpMergeJob          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void           ep_merge_job_list_interrupted_async (EpMergeJob          *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* Returns EpMergeInterrupted, newest first. */
GPtrArray     *ep_merge_job_list_interrupted_finish (EpMergeJob         *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* Like list_interrupted, plus the merge campaigns that finished since
 * @since (unix time): what was sent from a spreadsheet lately. */
void           ep_merge_job_list_recent_async      (EpMergeJob          *self,
                                                    gint64               since,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GPtrArray     *ep_merge_job_list_recent_finish     (EpMergeJob          *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* One campaign as the lists give it, whatever its state (finished: it
 * finished or was cancelled), read off the main thread; NULL with the
 * store's error when there is no such campaign. */
void           ep_merge_job_read_campaign_async    (EpMergeJob          *self,
                                                    gint64               campaign_id,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
EpMergeInterrupted *ep_merge_job_read_campaign_finish (EpMergeJob       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* Marks a campaign that is not being sent cancelled. */
gboolean       ep_merge_job_cancel_campaign        (EpMergeJob          *self,
                                                    gint64               campaign_id,
                                                    GError             **error);

G_END_DECLS
