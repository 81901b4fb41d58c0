/* ep-campaign.h: the send engine for merges (journal, pacing, retries)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ep-context.h"
#include "merge/ep-template.h"
#include "table/ep-table.h"

G_BEGIN_DECLS

#define EP_CAMPAIGN_ERROR (ep_campaign_error_quark ())

typedef enum
{
  EP_CAMPAIGN_ERROR_NO_ACCOUNT,    /* the campaign's account was removed */
  EP_CAMPAIGN_ERROR_FINISHED,      /* nothing left to send */
  EP_CAMPAIGN_ERROR_BUSY,          /* another runner has it */
} EpCampaignError;

/* Why a run ended. */
typedef enum
{
  EP_CAMPAIGN_END_FINISHED,      /* every recipient is sent or failed */
  EP_CAMPAIGN_END_PAUSED,        /* ep_campaign_runner_pause() */
  EP_CAMPAIGN_END_CANCELLED,     /* ep_campaign_runner_cancel(): the rest is not sent */
  EP_CAMPAIGN_END_AUTH,          /* login refused: new credentials, then resume */
  EP_CAMPAIGN_END_DAILY_LIMIT,   /* resume after the time in the reason */
  EP_CAMPAIGN_END_SERVER,        /* the server keeps failing (down, bad settings) */
  EP_CAMPAIGN_END_TLS,           /* no secure connection (certificate, STARTTLS) */
} EpCampaignEnd;

typedef struct
{
  gint64      campaign_id;
  guint       total;
  guint       sent;
  guint       failed;
  guint       waiting;       /* deferred, to be retried */
  guint       remaining;     /* not yet sent or failed (includes waiting) */
  guint       uncertain;     /* resent after a crash left them in doubt */
  double      per_minute;    /* measured over this run */
  /* The recipient that just changed, if any (row_number 0 otherwise). */
  guint       row_number;
  const char *address;
  const char *state;
  const char *reply;
} EpCampaignProgress;

typedef void (*EpCampaignProgressFunc) (const EpCampaignProgress *progress,
                                        gpointer                  user_data);

/* Creates a campaign from the rows @rows (table indexes) of @table: the
 * template text, the rows' values and a Message-ID per recipient are
 * stored in one transaction. Returns the campaign id or 0. */
gint64      ep_campaign_create        (EpContext    *context,
                                       EpAccount    *account,
                                       EpTemplate   *tmpl,
                                       EpTable      *table,
                                       GArray       *rows,
                                       const char   *name,
                                       const char   *base_dir,
                                       guint         connections,
                                       guint         rate,
                                       guint         daily_limit,
                                       GError      **error);

/* Renders row @row of @table to the account's own address with "[TEST]"
 * before the subject and sends it at once (not journaled). */
gboolean    ep_campaign_test_send     (EpContext    *context,
                                       EpAccount    *account,
                                       EpTemplate   *tmpl,
                                       EpTable      *table,
                                       guint         row,
                                       const char   *base_dir,
                                       char        **message_id,
                                       GCancellable *cancellable,
                                       GError      **error);

/* Writes row, address, status, server reply, time (UTC, ISO 8601),
 * Message-ID as CSV; cells that a spreadsheet would run as a formula are
 * prefixed with an apostrophe. */
gboolean    ep_campaign_export_csv    (EpContext    *context,
                                       gint64        id,
                                       const char   *path,
                                       GError      **error);

/* Marks a campaign cancelled, unless it has finished or is being sent by
 * any process (EP_CAMPAIGN_ERROR_BUSY: pause or cancel it there). */
gboolean    ep_campaign_cancel        (EpContext    *context,
                                       gint64        id,
                                       GError      **error);

const char *ep_campaign_end_describe  (EpCampaignEnd end);

#define EP_TYPE_CAMPAIGN_RUNNER (ep_campaign_runner_get_type ())

G_DECLARE_FINAL_TYPE (EpCampaignRunner, ep_campaign_runner, EP, CAMPAIGN_RUNNER, GObject)

GQuark            ep_campaign_error_quark                (void);

EpCampaignRunner *ep_campaign_runner_new                 (EpContext              *context,
                                                          gint64                  id,
                                                          GError                **error);
/* Called from worker threads, one call at a time. */
void              ep_campaign_runner_set_progress_func   (EpCampaignRunner       *self,
                                                          EpCampaignProgressFunc  func,
                                                          gpointer                user_data,
                                                          GDestroyNotify          destroy);
/* First retry after @first_delay seconds, doubling each time, at most
 * @max_attempts sends per recipient (defaults 30 s, 5). */
void              ep_campaign_runner_set_retry_policy    (EpCampaignRunner       *self,
                                                          guint                   first_delay,
                                                          guint                   max_attempts);
/* Sends until the campaign ends or stops; blocks (run it in a worker
 * thread in a UI). Recovers from a crash first: recipients left "sending"
 * become "uncertain" and are sent again. FALSE only when the journal
 * itself cannot be used; @end says why it stopped. */
gboolean          ep_campaign_runner_run                 (EpCampaignRunner       *self,
                                                          EpCampaignEnd          *end,
                                                          char                  **reason,
                                                          GError                **error);
/* Thread-safe. Messages already on the wire finish first. */
void              ep_campaign_runner_pause               (EpCampaignRunner       *self);
void              ep_campaign_runner_cancel              (EpCampaignRunner       *self);

G_END_DECLS
