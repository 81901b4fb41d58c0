/* ep-campaign-runner-private.h: shared by the files of the send engine
 * (ep-campaign-runner.c: a run, its locks and its end; ep-campaign-worker.c:
 * one connection's loop, pacing and limits, and the outcome of each message)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-campaign-runner.h"
#include "ep-outbox-private.h"
#include "ep-send-window.h"
#include "merge/ep-template.h"
#include "transport/ep-protocol-log.h"
#include "transport/ep-server-config.h"

G_BEGIN_DECLS

/* Transient failures in a row, with no success between, before a run
 * stops instead of burning every recipient's retries on a dead server. */
#define MAX_CONSECUTIVE_FAILURES 10
#define MAX_CONNECTIONS 16

struct _EpCampaignRunner
{
  GObject          parent_instance;

  EpOutbox        *outbox;
  EpStore         *store;
  gint64           id;

  guint            first_delay;
  guint            max_attempts;
  gboolean         policy_set;

  EpCampaignProgressFunc progress_func;
  gpointer         progress_data;
  GDestroyNotify   progress_destroy;

  /* Set up by run() for its workers. */
  EpCampaignKind   kind;
  EpTemplate      *tmpl;
  GStrv            columns;
  char            *locale;         /* the sheet's Numbers and Dates, or NULL */
  char            *base_dir;
  char            *account_uid;
  char            *from_name;
  char            *from_address;
  EpOutgoing      *message;         /* a single message, as stored */
  EpServerConfig  *config;
  EpProtocolLog   *log;             /* single messages only */
  guint            rate;
  guint            daily_limit;
  gboolean         spread;
  EpSendWindow     window;

  GMutex           mutex;
  GCond            cond;
  gboolean         running;
  gboolean         stopping;
  gboolean         retry_now;
  gboolean         wait_for_retries;
  guint            timeout;         /* seconds; 0 = the transport's */
  EpCampaignEnd    end;
  char            *reason;
  gint64           next_slot;       /* monotonic µs: next paced start */
  guint            in_flight;
  guint            consecutive_failures;
  EpCampaignProgress progress;
  gint64           started_at;      /* monotonic µs */
  int              lock_fd;
  guint            sent_this_run;
  /* When the last RECENT_SENDS messages were accepted (monotonic µs, a
   * ring from recent_next): the rate is measured over these, so a long
   * wait or a fast start does not stay in it. */
#define RECENT_SENDS 32
  gint64           recent[RECENT_SENDS];
  guint            recent_next;
  GCancellable    *cancellable;     /* cancel(): stops transfers on the wire */
};

/* Called with the lock held; the first reason to stop wins. */
void     _ep_campaign_runner_request_stop_locked   (EpCampaignRunner       *self,
                                                    EpCampaignEnd           end,
                                                    const char             *reason);
void     _ep_campaign_runner_request_stop          (EpCampaignRunner       *self,
                                                    EpCampaignEnd           end,
                                                    const char             *reason);
/* Called with the lock held. */
void     _ep_campaign_runner_report_progress_locked (EpCampaignRunner      *self,
                                                    const EpStoreRecipient *r,
                                                    EpRecipientState        state,
                                                    const char             *reply,
                                                    gint64                  next_attempt,
                                                    const EpSmtpReport     *report);
/* One connection's thread: sends until the run stops or nothing is left. */
gpointer _ep_campaign_runner_worker                (gpointer                data);

G_END_DECLS
