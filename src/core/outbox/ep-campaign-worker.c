/* ep-campaign-worker.c: one connection of the send engine
 *
 * Each of the run's K threads keeps one SMTP connection open across
 * messages: it waits for its paced slot, checks the sending window and
 * the daily limit, takes the next recipient of the batch it claimed from
 * the journal, builds its message, sends it, and records the batch's
 * outcomes with the claim of the next batch (see ep-campaign-runner.c for
 * what the journal guarantees).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-campaign-worker"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail/ep-message.h"
#include "transport/ep-smtp.h"
#include "transport/ep-transport-error.h"

#include "ep-campaign-runner-private.h"

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
  _ep_campaign_runner_request_stop (self, EP_CAMPAIGN_END_LATER, NULL);
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
      _ep_campaign_runner_request_stop (self, EP_CAMPAIGN_END_STORE, error->message);
      return FALSE;
    }

  g_mutex_lock (&self->mutex);
  if (sent + self->in_flight >= self->daily_limit && self->spread)
    {
      /* Spread over days: the rest waits for its day (finish_run). */
      _ep_campaign_runner_request_stop_locked (self, EP_CAMPAIGN_END_LATER, NULL);
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
      _ep_campaign_runner_request_stop_locked (self, EP_CAMPAIGN_END_DAILY_LIMIT, reason);
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  self->in_flight++;
  g_mutex_unlock (&self->mutex);

  return TRUE;
}

/* Messages per minute over the last RECENT_SENDS accepted: the intervals
 * between them, up to @now, so a wait (a retry, pacing, a slow server)
 * brings the rate down while it lasts, and the first message of a paced
 * run does not count as an interval. 0 until two were sent. */
static double
recent_rate (EpCampaignRunner *self,
             gint64            now)
{
  guint n = MIN (self->sent_this_run, RECENT_SENDS);
  gint64 oldest;

  if (n < 2)
    return 0;
  oldest = self->recent[(self->recent_next + RECENT_SENDS - n) % RECENT_SENDS];
  if (now <= oldest)
    return 0;
  return (n - 1) * 60.0 * G_USEC_PER_SEC / (double) (now - oldest);
}

void
_ep_campaign_runner_report_progress_locked (EpCampaignRunner       *self,
                                            const EpStoreRecipient *r,
                                            EpRecipientState        state,
                                            const char             *reply,
                                            gint64                  next_attempt,
                                            const EpSmtpReport     *report)
{
  if (self->progress_func == NULL)
    return;

  self->progress.per_minute = recent_rate (self, g_get_monotonic_time ());
  /* Paced, the starts keep to the pacing; two answers closer together
   * than it (the one before was slower) are not a faster rate, and the
   * person set the pacing: never show more than it. */
  if (self->rate > 0 && self->progress.per_minute > self->rate)
    self->progress.per_minute = self->rate;
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
  ep_table_set_locale (table, self->locale);
  for (guint i = 0; r->raw != NULL && r->raw[i] != NULL && r->raw[i + 1] != NULL; i += 2)
    {
      guint64 column;

      if (g_ascii_string_to_unsigned (r->raw[i], 10, 0, G_MAXUINT, &column, NULL) &&
          column < ep_table_get_n_columns (table))
        ep_table_set_raw_value (table, 0, (guint) column, r->raw[i + 1]);
    }

  draft = ep_template_render (self->tmpl, table, 0, self->base_dir, error);
  if (draft == NULL)
    return NULL;

  draft->from_name = g_strdup (self->from_name);
  draft->from_address = g_strdup (self->from_address);
  draft->message_id = g_strdup (r->message_id);

  return ep_message_build (draft, NULL, error);
}

/* A message tried and its outcome, until the next exchange records it. */
typedef struct
{
  EpStoreRecipient *r;             /* borrowed from Sender.claimed */
  EpRecipientState  state;
  guint             code;
  char             *reply;
  gint64            next_attempt;
  EpCampaignEnd     stop;
  EpSmtpReport     *report;
} Done;

static void
done_clear (Done *d)
{
  g_clear_pointer (&d->reply, g_free);
  g_clear_pointer (&d->report, ep_smtp_report_free);
}

/* What one attempt came to (nothing recorded yet). */
static void
classify (EpCampaignRunner       *self,
          EpSmtpConnection       *connection,
          EpStoreRecipient       *r,
          gsize                   message_size,
          EpSmtpReport           *report,
          const GError           *error,
          Done                   *done)
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

  done->r = r;
  done->state = state;
  done->code = code;
  done->reply = g_steal_pointer (&reply);
  done->next_attempt = next_attempt;
  done->stop = stop;
  done->report = report;
}

/* Called with the lock held, once @d is recorded: counts it, stops the
 * run if it says so, and reports it. */
static void
account_locked (EpCampaignRunner *self,
                const Done       *d)
{
  const EpStoreRecipient *r = d->r;
  EpRecipientState state = d->state;
  const char *reply = d->reply;

  self->in_flight--;

  if (state == EP_RECIPIENT_SENT)
    {
      self->progress.sent++;
      self->sent_this_run++;
      self->recent[self->recent_next] = g_get_monotonic_time ();
      self->recent_next = (self->recent_next + 1) % RECENT_SENDS;
      self->consecutive_failures = 0;
    }
  else if (state == EP_RECIPIENT_FAILED)
    self->progress.failed++;
  else if (state == EP_RECIPIENT_DEFERRED &&
           ++self->consecutive_failures >= MAX_CONSECUTIVE_FAILURES)
    _ep_campaign_runner_request_stop_locked (self, EP_CAMPAIGN_END_SERVER, reply);

  /* Only deferred recipients carry a retry time into their claim. */
  if (r->next_attempt > 0 && state != EP_RECIPIENT_DEFERRED && self->progress.waiting > 0)
    self->progress.waiting--;
  else if (r->next_attempt == 0 && state == EP_RECIPIENT_DEFERRED)
    self->progress.waiting++;

  if (state == EP_RECIPIENT_SENT || state == EP_RECIPIENT_FAILED)
    self->progress.remaining--;

  if (d->stop != EP_CAMPAIGN_END_FINISHED)
    _ep_campaign_runner_request_stop_locked (self, d->stop, reply);

  _ep_campaign_runner_report_progress_locked (self, r, state, reply, d->next_attempt, d->report);
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
      _ep_campaign_runner_request_stop_locked (self, EP_CAMPAIGN_END_STORE, error->message);
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }

  return TRUE;
}

/* A message built ahead, for the recipient it was built for. */
typedef struct
{
  const EpStoreRecipient *r;
  EpOutgoing             *outgoing;
  GError                 *error;
} Built;

static void
built_free (Built *b)
{
  g_clear_pointer (&b->outgoing, ep_outgoing_unref);
  g_clear_error (&b->error);
  g_free (b);
}

/* A connection's builder: renders the recipients it claimed, in order,
 * on a thread of its own while the previous message is on the wire. It
 * shares nothing with the other connections' but the run's read-only
 * template and account (no lock); at most one batch is built ahead. */
typedef struct
{
  EpCampaignRunner *self;
  GAsyncQueue      *in;            /* EpStoreRecipient * (borrowed); itself: stop */
  GAsyncQueue      *out;           /* Built * */
  GThread          *thread;
} Prefetch;

static gpointer
prefetch_thread (gpointer data)
{
  Prefetch *p = data;

  for (;;)
    {
      gpointer item = g_async_queue_pop (p->in);
      Built *b;

      if (item == p)
        break;
      b = g_new0 (Built, 1);
      b->r = item;
      b->outgoing = build_message (p->self, b->r, &b->error);
      g_async_queue_push (p->out, b);
    }

  return NULL;
}

static void
prefetch_start (Prefetch         *p,
                EpCampaignRunner *self)
{
  p->self = self;
  p->in = g_async_queue_new ();
  p->out = g_async_queue_new_full ((GDestroyNotify) built_free);
  p->thread = g_thread_new ("ep-campaign-build", prefetch_thread, p);
}

/* Stops the builder at once (what it has not started is dropped) and
 * frees what it built and nobody took. */
static void
prefetch_stop (Prefetch *p)
{
  g_async_queue_push_front (p->in, p);
  g_thread_join (p->thread);
  g_async_queue_unref (p->in);
  g_async_queue_unref (p->out);
}

/* One connection's share of the journal: the recipients it claimed, the
 * first of them not yet taken, and what it tried and has not recorded. */
typedef struct
{
  EpCampaignRunner *self;
  GPtrArray        *claimed;       /* EpStoreRecipient */
  guint             next;
  GArray           *done;          /* Done */
  gboolean          broken;        /* the journal failed: record nothing more */
} Sender;

/* In one transaction: records what @s has done, then claims up to @max
 * more recipients (replacing those it held, all taken), or, with
 * @release, gives back those it claimed and never took. FALSE (and the
 * run stops) when the journal cannot be written; the rows then stay
 * "sending" and the next run sends them again, reported uncertain. */
static gboolean
exchange (Sender   *s,
          guint     max,
          gboolean  release,
          gint64    now,
          gint64   *next_due)
{
  EpCampaignRunner *self = s->self;
  g_autoptr(GArray) outcomes = g_array_new (FALSE, TRUE, sizeof (EpStoreOutcome));
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  for (guint i = 0; i < s->done->len; i++)
    {
      const Done *d = &g_array_index (s->done, Done, i);
      EpStoreOutcome o = { d->r->row_number, d->state, d->code, d->reply, d->next_attempt, FALSE };

      g_array_append_val (outcomes, o);
    }
  for (guint i = s->next; release && i < s->claimed->len; i++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (s->claimed, i);
      EpStoreOutcome o = { r->row_number, r->claimed_from, 0, NULL, 0, TRUE };

      g_array_append_val (outcomes, o);
    }

  /* Another Epistle may hold the database for a moment (creating a large
   * campaign): try for a while before giving up on the journal. */
  for (guint attempt = 0; attempt < 20 && !ok; attempt++)
    {
      g_clear_error (&error);
      ok = ep_store_recipient_exchange (self->store, self->id, (const EpStoreOutcome *) outcomes->data,
                                        outcomes->len, max, now, fresh, next_due, &error);
      if (!ok)
        g_usleep (G_USEC_PER_SEC / 2);
    }

  g_mutex_lock (&self->mutex);
  if (ok)
    for (guint i = 0; i < s->done->len; i++)
      account_locked (self, &g_array_index (s->done, Done, i));
  else
    {
      /* The journal, not the server, failed: say so, and stop. */
      self->in_flight -= s->done->len;
      _ep_campaign_runner_request_stop_locked (self, EP_CAMPAIGN_END_STORE, error->message);
      s->broken = TRUE;
    }
  g_mutex_unlock (&self->mutex);
  g_array_set_size (s->done, 0);

  if (ok && (max > 0 || release))
    {
      g_ptr_array_unref (s->claimed);
      s->claimed = g_steal_pointer (&fresh);
      s->next = 0;
    }

  return ok;
}

/* How many recipients a connection claims at a time. Paced sends and
 * single messages take one at a time, and record each outcome at once:
 * they have no throughput to win and their progress shows as it happens. */
static guint
batch_size (EpCampaignRunner *self)
{
  return self->kind == EP_CAMPAIGN_KIND_MESSAGE || self->rate > 0 ? 1 : EP_SEND_BATCH;
}

gpointer
_ep_campaign_runner_worker (gpointer data)
{
  EpCampaignRunner *self = data;
  g_autoptr(EpSmtpConnection) connection = ep_smtp_connection_new (self->config);
  Sender s = { self, NULL, 0, NULL, FALSE };
  guint batch = batch_size (self);
  Prefetch prefetch;

  s.claimed = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  s.done = g_array_new (FALSE, TRUE, sizeof (Done));
  g_array_set_clear_func (s.done, (GDestroyNotify) done_clear);
  prefetch_start (&prefetch, self);

  for (;;)
    {
      EpStoreRecipient *r;
      g_autoptr(EpOutgoing) outgoing = NULL;
      g_autoptr(EpSmtpReport) report = NULL;
      g_autoptr(GError) error = NULL;
      gint64 next_due = 0;
      gint64 slot = 0;
      gint64 now;
      Done done = { 0, };

      if (!wait_for_slot (self, &slot) || !check_window (self) || !check_daily_limit (self))
        break;

      if (!take_retry_now (self))
        break;

      now = g_get_real_time () / G_USEC_PER_SEC;
      if (s.next == s.claimed->len)
        {
          if (!exchange (&s, batch, FALSE, now, &next_due))
            {
              g_mutex_lock (&self->mutex);
              self->in_flight--;
              g_mutex_unlock (&self->mutex);
              break;
            }
          for (guint i = 0; i < s.claimed->len; i++)
            g_async_queue_push (prefetch.in, g_ptr_array_index (s.claimed, i));
        }
      if (s.next == s.claimed->len)
        {
          gboolean stop;

          g_mutex_lock (&self->mutex);
          self->in_flight--;
          /* Nothing was sent in this slot: give it back unless another
           * worker has reserved one after it. */
          if (slot != 0 && self->rate > 0 &&
              self->next_slot == slot + (G_USEC_PER_SEC * 60) / self->rate)
            self->next_slot = slot;
          if (next_due == 0)
            stop = TRUE;
          else if (!self->wait_for_retries && self->in_flight == 0)
            {
              /* Leave the retries in the journal for a later run. */
              _ep_campaign_runner_request_stop_locked (self, EP_CAMPAIGN_END_WAITING, NULL);
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

      r = g_ptr_array_index (s.claimed, s.next++);
      {
        Built *b = g_async_queue_pop (prefetch.out);

        g_assert (b->r == r);
        outgoing = g_steal_pointer (&b->outgoing);
        error = g_steal_pointer (&b->error);
        built_free (b);
      }
      if (outgoing != NULL)
        report = ep_smtp_connection_send (connection, outgoing->envelope_from,
                                          (const char * const *) outgoing->recipients,
                                          outgoing->data, self->log, self->cancellable, &error);

      classify (self, connection, r, outgoing ? g_bytes_get_size (outgoing->data) : 0,
                g_steal_pointer (&report), error, &done);
      g_array_append_val (s.done, done);

      /* Anything but a success is recorded at once (it may stop the run);
       * so is every outcome of a paced send, and of a recipient sent again
       * after a crash: it may have a copy already, and a second crash
       * before its outcome is recorded would send it a third. */
      if ((done.state != EP_RECIPIENT_SENT || self->rate > 0 || r->was_uncertain) &&
          !exchange (&s, 0, FALSE, now, NULL))
        break;
    }

  /* What was tried is recorded; what was claimed and not taken goes back. */
  prefetch_stop (&prefetch);
  if (!s.broken)
    exchange (&s, 0, TRUE, 0, NULL);
  g_array_unref (s.done);
  g_ptr_array_unref (s.claimed);

  return NULL;
}
