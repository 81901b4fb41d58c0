/* ep-campaign-runner.c: sending a campaign or a message through the journal
 *
 * The journal (store/ep-store-campaign.c) is the source of truth. A worker
 * claims a recipient (committed as EP_RECIPIENT_SENDING) just before building
 * and sending its message, and records the outcome (committed) right
 * after. A crash therefore leaves at most the messages on the wire in
 * doubt; the next run marks them "uncertain" and sends them again, with the
 * same Message-ID (a duplicate beats a loss).
 *
 * K worker threads each keep one SMTP connection open across messages.
 * Pacing is a shared schedule of start times (rate per minute) and a
 * rolling 24-hour count (daily limit). 4xx replies and lost connections
 * defer the recipient with exponential backoff; 5xx replies fail it with
 * the server's words and the campaign goes on; a refused login, a TLS or
 * configuration failure, or a server that keeps failing, stops the run
 * with everything not sent still pending.
 *
 * A single message from Compose is a one-recipient campaign whose message
 * is stored built; the same claims, outcomes and retries apply.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-campaign-runner"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "ep-campaign-runner.h"
#include "ep-outbox-private.h"
#include "ep-schedule-time.h"
#include "ep-spread-plan.h"
#include "account/ep-account-server.h"
#include "mail/ep-message.h"
#include "transport/ep-smtp.h"
#include "transport/ep-transport-error.h"

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
  GCancellable    *cancellable;     /* cancel(): stops transfers on the wire */
};

G_DEFINE_FINAL_TYPE (EpCampaignRunner, ep_campaign_runner, G_TYPE_OBJECT)

/* ---- the runner -------------------------------------------------------- */

static void
ep_campaign_runner_finalize (GObject *object)
{
  EpCampaignRunner *self = (EpCampaignRunner *)object;

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  g_clear_pointer (&self->tmpl, ep_template_unref);
  g_clear_pointer (&self->columns, g_strfreev);
  g_clear_pointer (&self->base_dir, g_free);
  g_clear_pointer (&self->account_uid, g_free);
  g_clear_pointer (&self->from_name, g_free);
  g_clear_pointer (&self->from_address, g_free);
  g_clear_pointer (&self->config, ep_server_config_free);
  g_clear_pointer (&self->message, ep_outgoing_unref);
  g_clear_pointer (&self->reason, g_free);
  g_clear_object (&self->log);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->outbox);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (ep_campaign_runner_parent_class)->finalize (object);
}

static void
ep_campaign_runner_class_init (EpCampaignRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_campaign_runner_finalize;
}

static void
ep_campaign_runner_init (EpCampaignRunner *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->first_delay = 30;
  self->max_attempts = 5;
  self->wait_for_retries = TRUE;
  self->cancellable = g_cancellable_new ();
  self->lock_fd = -1;
}

EpCampaignRunner *
ep_campaign_runner_new (EpOutbox  *outbox,
                        gint64     id,
                        GError   **error)
{
  g_autoptr(EpCampaignRunner) self = NULL;
  g_autoptr(EpCampaignInfo) info = NULL;

  g_return_val_if_fail (EP_IS_OUTBOX (outbox), NULL);

  info = ep_store_campaign_lookup (ep_outbox_get_store (outbox), id, error);
  if (info == NULL)
    return NULL;

  self = g_object_new (EP_TYPE_CAMPAIGN_RUNNER, NULL);
  self->outbox = g_object_ref (outbox);
  self->store = g_object_ref (ep_outbox_get_store (outbox));
  self->id = id;
  self->progress.campaign_id = id;

  return g_steal_pointer (&self);
}

void
ep_campaign_runner_set_progress_func (EpCampaignRunner       *self,
                                      EpCampaignProgressFunc  func,
                                      gpointer                user_data,
                                      GDestroyNotify          destroy)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  self->progress_func = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
}

void
ep_campaign_runner_set_retry_policy (EpCampaignRunner *self,
                                     guint             first_delay,
                                     guint             max_attempts)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  self->first_delay = first_delay;
  self->max_attempts = MAX (max_attempts, 1);
  self->policy_set = TRUE;
}

static gboolean
lock_campaign (EpCampaignRunner  *self,
               GError           **error)
{
  g_autofree char *path = _ep_outbox_lock_path (self->outbox, self->id);

  if (self->lock_fd < 0)
    self->lock_fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not open %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                   _("Campaign %" G_GINT64_FORMAT " is being sent by another Epistle "
                     "(the app or epistle-cli)"), self->id);
      return FALSE;
    }

  return TRUE;
}

/* Called with the lock held when a run ends: ready for the next run. */
static void
unlock_campaign (EpCampaignRunner *self)
{
  if (self->lock_fd >= 0)
    flock (self->lock_fd, LOCK_UN);
  self->stopping = FALSE;
  g_clear_pointer (&self->reason, g_free);
}

/* Called with the lock held; the first reason to stop wins. */
static void
request_stop_locked (EpCampaignRunner *self,
                     EpCampaignEnd     end,
                     const char       *reason)
{
  if (!self->stopping)
    {
      self->stopping = TRUE;
      self->end = end;
      g_free (self->reason);
      self->reason = g_strdup (reason);
    }
  g_cond_broadcast (&self->cond);
}

static void
request_stop (EpCampaignRunner *self,
              EpCampaignEnd     end,
              const char       *reason)
{
  g_mutex_lock (&self->mutex);
  request_stop_locked (self, end, reason);
  g_mutex_unlock (&self->mutex);
}

void
ep_campaign_runner_pause (EpCampaignRunner *self)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  request_stop (self, EP_CAMPAIGN_END_PAUSED, NULL);
}

void
ep_campaign_runner_cancel (EpCampaignRunner *self)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  request_stop (self, EP_CAMPAIGN_END_CANCELLED, NULL);
  /* What is on the wire stops too: the person wants nothing more to go
   * (a message cut off mid-DATA is recorded uncertain, never sent). */
  g_cancellable_cancel (self->cancellable);
}

void
ep_campaign_runner_set_wait_for_retries (EpCampaignRunner *self,
                                         gboolean          wait)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));
  self->wait_for_retries = wait;
}

void
ep_campaign_runner_set_timeout (EpCampaignRunner *self,
                                guint             seconds)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));
  self->timeout = seconds;
}

void
ep_campaign_runner_retry_now (EpCampaignRunner *self)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  g_mutex_lock (&self->mutex);
  self->retry_now = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

/* Sleeps until @until (monotonic µs), a stop or a "retry now"; TRUE when
 * woken by a stop. */
static gboolean
wait_until_locked (EpCampaignRunner *self,
                   gint64            until)
{
  while (!self->stopping && !self->retry_now && g_get_monotonic_time () < until)
    g_cond_wait_until (&self->cond, &self->mutex, until);

  return self->stopping;
}

/* Paces starts: with a rate, each message starts at least 60/rate seconds
 * after the previous one, across all connections. FALSE when stopping. */
static gboolean
wait_for_slot (EpCampaignRunner *self,
               gint64           *reserved)
{
  gboolean ok;

  *reserved = 0;
  g_mutex_lock (&self->mutex);
  if (self->rate > 0)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 slot = MAX (now, self->next_slot);

      self->next_slot = slot + (G_USEC_PER_SEC * 60) / self->rate;
      *reserved = slot;
      wait_until_locked (self, slot);
    }
  ok = !self->stopping;
  g_mutex_unlock (&self->mutex);

  return ok;
}

/* FALSE (and the run stops) when a spread campaign's sending window has
 * closed. */
static gboolean
check_window (EpCampaignRunner *self)
{
  if (!self->spread ||
      ep_send_window_contains (&self->window, NULL, g_get_real_time () / G_USEC_PER_SEC))
    return TRUE;
  request_stop (self, EP_CAMPAIGN_END_LATER, NULL);
  return FALSE;
}

/* FALSE (and the run stops) when the account's daily limit is reached. */
static gboolean
check_daily_limit (EpCampaignRunner *self)
{
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint sent = 0;

  if (self->daily_limit == 0)
    {
      g_mutex_lock (&self->mutex);
      self->in_flight++;
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }

  /* A limit that cannot be checked stops sending; it never allows it. */
  if (!ep_store_sent_since (self->store, self->account_uid, now - 24 * 3600, &sent, &error))
    {
      request_stop (self, EP_CAMPAIGN_END_STORE, error->message);
      return FALSE;
    }

  g_mutex_lock (&self->mutex);
  if (sent + self->in_flight >= self->daily_limit && self->spread)
    {
      /* Spread over days: the rest waits for its day (finish_run). */
      request_stop_locked (self, EP_CAMPAIGN_END_LATER, NULL);
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  if (sent + self->in_flight >= self->daily_limit)
    {
      g_autofree char *reason =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%u message was sent from this account in the last 24 hours, "
                                      "the daily limit is %u. Resume later.",
                                      "%u messages were sent from this account in the last 24 hours, "
                                      "the daily limit is %u. Resume later.", sent),
                         sent, self->daily_limit);
      request_stop_locked (self, EP_CAMPAIGN_END_DAILY_LIMIT, reason);
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  self->in_flight++;
  g_mutex_unlock (&self->mutex);

  return TRUE;
}

static void
report_progress_locked (EpCampaignRunner       *self,
                        const EpStoreRecipient *r,
                        EpRecipientState        state,
                        const char             *reply,
                        gint64                  next_attempt,
                        const EpSmtpReport     *report)
{
  double minutes = (g_get_monotonic_time () - self->started_at) / (60.0 * G_USEC_PER_SEC);

  if (self->progress_func == NULL)
    return;

  self->progress.per_minute = minutes > 0 ? self->sent_this_run / minutes : 0;
  self->progress.row_number = r ? r->row_number : 0;
  self->progress.address = r ? r->address : NULL;
  self->progress.state = state;
  self->progress.reply = reply;
  self->progress.next_attempt = next_attempt;
  self->progress.report = report;
  self->progress_func (&self->progress, self->progress_data);
  self->progress.row_number = 0;
  self->progress.address = self->progress.reply = NULL;
  self->progress.state = EP_RECIPIENT_PENDING;
  self->progress.next_attempt = 0;
  self->progress.report = NULL;
}

static guint
reply_code_of (const char *reply)
{
  if (reply != NULL && g_ascii_isdigit (reply[0]) && g_ascii_isdigit (reply[1]) &&
      g_ascii_isdigit (reply[2]))
    return (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
  return 0;
}

/* Renders a recipient's message from its snapshot. */
static EpOutgoing *
build_message (EpCampaignRunner       *self,
               const EpStoreRecipient *r,
               GError                **error)
{
  g_autoptr(EpTable) table = NULL;
  g_autoptr(EpDraft) draft = NULL;

  /* A single message was built when it was queued; it goes as it is. */
  if (self->kind == EP_CAMPAIGN_KIND_MESSAGE)
    return ep_outgoing_ref (self->message);
  /* So was each message of a protected merge (encrypted, signed). */
  if (r->message != NULL)
    {
      g_auto(GStrv) envelope = g_strsplit (r->address, ", ", -1);
      return ep_outgoing_new (self->from_address, (const char * const *) envelope, r->message,
                              r->message_id);
    }

  if (self->tmpl == NULL)
    {
      g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_QUERY,
                   _("The protected message for row %u is missing from the journal"),
                   r->row_number);
      return NULL;
    }

  table = ep_table_new ((const char * const *) self->columns);
  ep_table_append_row (table, r->row_number, (const char * const *) r->values,
                       g_strv_length (r->values));

  draft = ep_template_render (self->tmpl, table, 0, self->base_dir, error);
  if (draft == NULL)
    return NULL;

  draft->from_name = g_strdup (self->from_name);
  draft->from_address = g_strdup (self->from_address);
  draft->message_id = g_strdup (r->message_id);

  return ep_message_build (draft, NULL, error);
}

/* Records the outcome of one attempt; returns FALSE if the journal failed. */
static gboolean
record (EpCampaignRunner       *self,
        const EpStoreRecipient *r,
        EpRecipientState        state,
        guint                   code,
        const char             *reply,
        gint64                  next_attempt)
{
  g_autoptr(GError) error = NULL;

  /* Another Epistle may hold the database for a moment (creating a large
   * campaign): try for a while before giving up on the journal. */
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_clear_error (&error);
      if (ep_store_recipient_update (self->store, self->id, r->row_number, state, code, reply,
                                     next_attempt, &error))
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 2);
    }

  /* The journal, not the server, failed: say so, and stop. */
  g_mutex_lock (&self->mutex);
  self->in_flight--;
  request_stop_locked (self, EP_CAMPAIGN_END_STORE, error->message);
  g_mutex_unlock (&self->mutex);
  return FALSE;
}

static void
handle_result (EpCampaignRunner       *self,
               EpSmtpConnection       *connection,
               const EpStoreRecipient *r,
               gsize                   message_size,
               EpSmtpReport           *report,
               const GError           *error)
{
  EpRecipientState state;
  g_autofree char *reply = NULL;
  guint code = 0;
  gint64 next_attempt = 0;
  EpCampaignEnd stop = EP_CAMPAIGN_END_FINISHED;

  if (report != NULL)
    {
      state = EP_RECIPIENT_SENT;
      reply = g_strdup (report->final_reply);
      code = reply_code_of (reply);
      if (report->rejected->len > 0)
        {
          g_autoptr(GString) text = g_string_new (reply);

          for (guint i = 0; i < report->rejected->len; i++)
            {
              const EpRecipientStatus *s = g_ptr_array_index (report->rejected, i);
              g_string_append_printf (text, "; %s refused: %s", s->address, s->reply ? s->reply : "");
            }
          g_free (reply);
          reply = g_string_free (g_steal_pointer (&text), FALSE);
        }
    }
  else
    {
      reply = g_strdup (error->message);

      switch (ep_transport_error_classify (error))
        {
        case EP_SEND_CANCELLED:
          /* Stopped mid-transfer: the server may have it. */
          state = EP_RECIPIENT_UNCERTAIN;
          break;

        case EP_SEND_STOP_AUTH:
        case EP_SEND_STOP_TLS:
        case EP_SEND_STOP_CONFIG:
          /* Nothing was sent (these fail before MAIL FROM): back in the
           * queue for when the account is fixed. */
          state = EP_RECIPIENT_PENDING;
          stop = ep_transport_error_classify (error) == EP_SEND_STOP_AUTH ? EP_CAMPAIGN_END_AUTH
                 : ep_transport_error_classify (error) == EP_SEND_STOP_TLS ? EP_CAMPAIGN_END_TLS
                 : EP_CAMPAIGN_END_SERVER;
          break;

        case EP_SEND_REJECTED:
          state = EP_RECIPIENT_FAILED;
          code = reply_code_of (ep_smtp_connection_get_last_reply (connection));
          break;

        case EP_SEND_RETRY:
          /* 4xx, a lost connection, a timeout: later, unless tried enough. */
          code = reply_code_of (ep_smtp_connection_get_last_reply (connection));
          if (r->attempts >= self->max_attempts)
            state = EP_RECIPIENT_FAILED;
          else if (message_size > 0 && code == 0 &&
                   ep_smtp_connection_get_bytes_sent (connection) >= message_size)
            {
              /* All of it went out and no reply came: the server may have
               * it. Sent again at once, and reported, as after a crash. */
              state = EP_RECIPIENT_UNCERTAIN;
              if (++self->consecutive_failures >= MAX_CONSECUTIVE_FAILURES)
                stop = EP_CAMPAIGN_END_SERVER;
            }
          else
            {
              guint delay = self->first_delay << MIN (r->attempts - 1, 10u);

              state = EP_RECIPIENT_DEFERRED;
              next_attempt = g_get_real_time () / G_USEC_PER_SEC + MIN (delay, 3600u);
            }
          break;

        case EP_SEND_LOCAL:
        default:
          /* Our side: the message could not be built (say an attachment
           * was removed since the campaign started). */
          state = EP_RECIPIENT_FAILED;
          break;
        }
    }

  if (!record (self, r, state, code, reply, next_attempt))
    return;

  g_mutex_lock (&self->mutex);
  self->in_flight--;

  if (state == EP_RECIPIENT_SENT)
    {
      self->progress.sent++;
      self->sent_this_run++;
      self->consecutive_failures = 0;
    }
  else if (state == EP_RECIPIENT_FAILED)
    self->progress.failed++;
  else if (state == EP_RECIPIENT_DEFERRED &&
           ++self->consecutive_failures >= MAX_CONSECUTIVE_FAILURES)
    request_stop_locked (self, EP_CAMPAIGN_END_SERVER, reply);

  /* Only deferred recipients carry a retry time into their claim. */
  if (r->next_attempt > 0 && state != EP_RECIPIENT_DEFERRED && self->progress.waiting > 0)
    self->progress.waiting--;
  else if (r->next_attempt == 0 && state == EP_RECIPIENT_DEFERRED)
    self->progress.waiting++;

  if (state == EP_RECIPIENT_SENT || state == EP_RECIPIENT_FAILED)
    self->progress.remaining--;

  if (stop != EP_CAMPAIGN_END_FINISHED)
    request_stop_locked (self, stop, reply);

  report_progress_locked (self, r, state, reply, next_attempt, report);
  g_mutex_unlock (&self->mutex);
}

/* "Send Now" on waiting retries: makes them due in the journal. FALSE
 * (and the run stops) if the journal cannot be written. */
static gboolean
take_retry_now (EpCampaignRunner *self)
{
  g_autoptr(GError) error = NULL;
  gboolean asked;

  g_mutex_lock (&self->mutex);
  asked = self->retry_now;
  self->retry_now = FALSE;
  g_mutex_unlock (&self->mutex);

  if (asked && !ep_store_campaign_retry_now (self->store, self->id, &error))
    {
      g_mutex_lock (&self->mutex);
      self->in_flight--;
      request_stop_locked (self, EP_CAMPAIGN_END_STORE, error->message);
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }

  return TRUE;
}

static gpointer
worker (gpointer data)
{
  EpCampaignRunner *self = data;
  g_autoptr(EpSmtpConnection) connection = ep_smtp_connection_new (self->config);

  for (;;)
    {
      g_autoptr(EpStoreRecipient) r = NULL;
      g_autoptr(EpOutgoing) outgoing = NULL;
      g_autoptr(EpSmtpReport) report = NULL;
      g_autoptr(GError) error = NULL;
      gint64 next_due = 0;
      gint64 slot = 0;
      gint64 now;

      if (!wait_for_slot (self, &slot) || !check_window (self) || !check_daily_limit (self))
        break;

      if (!take_retry_now (self))
        break;

      now = g_get_real_time () / G_USEC_PER_SEC;
      r = ep_store_recipient_claim (self->store, self->id, now, &next_due, &error);
      if (r == NULL)
        {
          gboolean stop;

          g_mutex_lock (&self->mutex);
          self->in_flight--;
          /* Nothing was sent in this slot: give it back unless another
           * worker has reserved one after it. */
          if (slot != 0 && self->rate > 0 &&
              self->next_slot == slot + (G_USEC_PER_SEC * 60) / self->rate)
            self->next_slot = slot;
          if (error != NULL)
            request_stop_locked (self, EP_CAMPAIGN_END_STORE, error->message);
          if (next_due == 0 || error != NULL)
            stop = TRUE;
          else if (!self->wait_for_retries && self->in_flight == 0)
            {
              /* Leave the retries in the journal for a later run. */
              request_stop_locked (self, EP_CAMPAIGN_END_WAITING, NULL);
              stop = TRUE;
            }
          else
            {
              /* Only retries are left: wait for the next one (the other
               * workers may still be sending). */
              gint64 wait = MAX (next_due - now, 1) * G_USEC_PER_SEC;
              stop = wait_until_locked (self, g_get_monotonic_time () + MIN (wait, G_USEC_PER_SEC));
            }
          g_mutex_unlock (&self->mutex);
          if (stop)
            break;
          continue;
        }

      outgoing = build_message (self, r, &error);
      if (outgoing != NULL)
        report = ep_smtp_connection_send (connection, outgoing->envelope_from,
                                          (const char * const *) outgoing->recipients,
                                          outgoing->data, self->log, self->cancellable, &error);

      handle_result (self, connection, r, outgoing ? g_bytes_get_size (outgoing->data) : 0,
                     report, error);
    }

  return NULL;
}

/* A spread campaign whose share for today went: it waits, as a scheduled
 * entry, for the first time the plan allows (the same rules as the
 * checks above), with a reason that says what happens. */
static gboolean
plan_next_day (EpCampaignRunner      *self,
               const EpCampaignInfo  *after,
               char                 **reason,
               GError               **error)
{
  g_autoptr(GArray) plan = ep_outbox_plan_spread (self->outbox, self->account_uid, 1, self->daily_limit, 0,
                                                  g_get_real_time () / G_USEC_PER_SEC + 1, &self->window, error);
  g_autofree char *when = NULL;
  gint64 resume;

  if (plan == NULL)
    return FALSE;
  resume = g_array_index (plan, EpSpreadDay, 0).first;
  if (!ep_store_campaign_set_not_before (self->store, self->id, resume, error))
    return FALSE;

  when = ep_schedule_time_format (resume, NULL);
  g_mutex_lock (&self->mutex);
  g_free (self->reason);
  self->reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%u message is left; it goes from %s.",
                                               "%u messages are left; they go from %s.",
                                               ep_campaign_info_open (after)),
                                  ep_campaign_info_open (after), when);
  if (reason != NULL)
    {
      g_free (*reason);
      *reason = g_strdup (self->reason);
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

/* Ends a run (the mutex not held): the next run may start. */
static void
end_run (EpCampaignRunner *self)
{
  g_mutex_lock (&self->mutex);
  self->running = FALSE;
  unlock_campaign (self);
  g_mutex_unlock (&self->mutex);
}

/* Reads what the workers need from the journal and the account. FALSE
 * with @error when the run cannot start; TRUE with *@end set when it ends
 * before it starts (no password: paused for credentials). */
static gboolean
prepare_run (EpCampaignRunner  *self,
             EpCampaignInfo    *info,
             EpCampaignEnd     *end,
             char             **reason,
             GError           **error)
{
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(GError) local_error = NULL;

  if (info->state == EP_CAMPAIGN_FINISHED || info->state == EP_CAMPAIGN_CANCELLED)
    {
      g_set_error (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_FINISHED,
                   info->state == EP_CAMPAIGN_FINISHED
                   ? _("Campaign %" G_GINT64_FORMAT " has finished; nothing is left to send")
                   : _("Campaign %" G_GINT64_FORMAT " was cancelled"), self->id);
      return FALSE;
    }

  account = _ep_outbox_find_account (self->outbox, info->account_uid, error);
  if (account == NULL)
    return FALSE;

  self->kind = info->kind;
  self->rate = info->rate;
  self->daily_limit = info->daily_limit;
  self->spread = info->spread;
  self->window = info->window;
  g_clear_pointer (&self->columns, g_strfreev);
  self->columns = g_strdupv (info->columns);
  g_clear_pointer (&self->tmpl, ep_template_unref);
  g_clear_pointer (&self->message, ep_outgoing_unref);
  g_clear_object (&self->log);

  if (info->kind == EP_CAMPAIGN_KIND_MESSAGE)
    {
      self->message = _ep_outbox_load_message (self->outbox, self->id, error);
      if (self->message == NULL)
        return FALSE;
      self->log = g_object_ref (ep_outbox_get_protocol_log (self->outbox));
      if (!self->policy_set)
        _ep_outbox_get_retry_policy (self->outbox, &self->first_delay, &self->max_attempts);
    }
  else if (info->protection == 0)
    {
      self->tmpl = ep_template_parse (info->template_text, error);
      if (self->tmpl == NULL)
        return FALSE;
    }

  g_free (self->base_dir);
  self->base_dir = g_strdup (info->base_dir);
  g_free (self->account_uid);
  self->account_uid = g_strdup (info->account_uid);
  g_free (self->from_name);
  self->from_name = g_strdup (ep_account_get_display_name (account));
  g_free (self->from_address);
  self->from_address = g_strdup (ep_account_get_address (account));

  g_clear_pointer (&self->config, ep_server_config_free);
  self->config = ep_account_smtp_config_sync (account, NULL, &local_error);
  if (self->config == NULL)
    {
      /* No password in the keyring (or the keyring is locked). */
      *end = EP_CAMPAIGN_END_AUTH;
      if (reason != NULL)
        *reason = g_strdup (local_error->message);
      if (!ep_store_campaign_set_state (self->store, self->id, EP_CAMPAIGN_PAUSED,
                                        local_error->message, error))
        return FALSE;
      return TRUE;
    }
  if (self->timeout > 0)
    self->config->connect_timeout = self->config->response_timeout = self->timeout;

  return TRUE;
}

gboolean
ep_campaign_runner_run (EpCampaignRunner  *self,
                        EpCampaignEnd     *end,
                        char             **reason,
                        GError           **error)
{
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autoptr(EpCampaignInfo) after = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  EpCampaignState state;
  guint connections;
  int recovered;

  g_return_val_if_fail (EP_IS_CAMPAIGN_RUNNER (self), FALSE);
  g_return_val_if_fail (end != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  if (self->running)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error_literal (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                           _("This campaign is already being sent"));
      return FALSE;
    }

  /* One sender per campaign across processes (the app and the CLI): a
   * second one would take the first one's messages in flight for a crash.
   * The kernel drops the lock when the process ends, however it ends. */
  if (!lock_campaign (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  self->running = TRUE;
  /* A pause or cancel asked for before this point still counts: the stop
   * flag is reset when a run ends, not when it starts. */
  g_mutex_unlock (&self->mutex);

  recovered = ep_store_campaign_recover (self->store, self->id, error);
  if (recovered < 0)
    goto fail;
  if (recovered > 0)
    g_info ("Campaign %" G_GINT64_FORMAT ": %d recipient(s) were in flight during a crash; "
            "they are sent again", self->id, recovered);

  info = ep_store_campaign_lookup (self->store, self->id, error);
  if (info == NULL)
    goto fail;

  *end = EP_CAMPAIGN_END_FINISHED;
  if (!prepare_run (self, info, end, reason, error))
    goto fail;
  if (self->config == NULL)
    {
      end_run (self);
      return TRUE;
    }

  self->progress.total = info->total;
  self->progress.sent = info->counts[EP_RECIPIENT_SENT];
  self->progress.failed = info->counts[EP_RECIPIENT_FAILED];
  self->progress.waiting = info->counts[EP_RECIPIENT_DEFERRED];
  self->progress.uncertain = info->was_uncertain;
  self->progress.remaining = info->total - self->progress.sent - self->progress.failed;
  self->started_at = g_get_monotonic_time ();
  self->sent_this_run = 0;
  g_mutex_lock (&self->mutex);
  if (!self->stopping && g_cancellable_is_cancelled (self->cancellable))
    g_cancellable_reset (self->cancellable);
  g_mutex_unlock (&self->mutex);
  self->next_slot = 0;
  self->in_flight = 0;
  self->consecutive_failures = 0;

  if (!ep_store_campaign_set_state (self->store, self->id, EP_CAMPAIGN_RUNNING, NULL, error)
      || !ep_store_campaign_mark_started (self->store, self->id, g_get_real_time () / G_USEC_PER_SEC, error))
    goto fail;

  g_mutex_lock (&self->mutex);
  report_progress_locked (self, NULL, EP_RECIPIENT_PENDING, NULL, 0, NULL);
  g_mutex_unlock (&self->mutex);

  connections = self->kind == EP_CAMPAIGN_KIND_MESSAGE ? 1 : CLAMP (info->connections, 1, MAX_CONNECTIONS);
  for (guint i = 0; i < connections; i++)
    g_ptr_array_add (threads, g_thread_new ("ep-campaign", worker, self));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  after = ep_store_campaign_lookup (self->store, self->id, error);
  if (after == NULL)
    goto fail;

  g_mutex_lock (&self->mutex);
  /* A cancel or pause that came as the last message went: nothing was
   * stopped, it is finished. */
  if (ep_campaign_info_open (after) == 0 &&
      (!self->stopping || self->end == EP_CAMPAIGN_END_CANCELLED ||
       self->end == EP_CAMPAIGN_END_PAUSED || self->end == EP_CAMPAIGN_END_LATER))
    self->end = EP_CAMPAIGN_END_FINISHED;
  else if (!self->stopping)
    {
      /* The workers ran out of work with some left: should not happen. */
      self->end = EP_CAMPAIGN_END_PAUSED;
    }
  *end = self->end;
  if (reason != NULL)
    *reason = g_strdup (self->reason);
  g_mutex_unlock (&self->mutex);

  switch (*end)
    {
    case EP_CAMPAIGN_END_FINISHED:
      state = EP_CAMPAIGN_FINISHED;
      break;
    case EP_CAMPAIGN_END_CANCELLED:
      state = EP_CAMPAIGN_CANCELLED;
      break;
    case EP_CAMPAIGN_END_WAITING:
      state = EP_CAMPAIGN_READY;   /* still queued: a later run retries */
      break;
    case EP_CAMPAIGN_END_LATER:
      /* Waits for its day like any scheduled entry. */
      state = EP_CAMPAIGN_READY;
      if (!plan_next_day (self, after, reason, error))
        goto fail;
      break;
    case EP_CAMPAIGN_END_PAUSED:
    case EP_CAMPAIGN_END_AUTH:
    case EP_CAMPAIGN_END_DAILY_LIMIT:
    case EP_CAMPAIGN_END_SERVER:
    case EP_CAMPAIGN_END_TLS:
    case EP_CAMPAIGN_END_STORE:
    default:
      state = EP_CAMPAIGN_PAUSED;
      break;
    }

  if (!ep_store_campaign_set_state (self->store, self->id, state, self->reason, error))
    goto fail;

  end_run (self);
  return TRUE;

fail:
  end_run (self);
  return FALSE;
}
