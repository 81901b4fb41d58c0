/* ep-campaign-runner.c: sending a campaign or a message through the journal
 *
 * The journal (store/ep-store-campaign.c, store/ep-store-journal.c) is the
 * source of truth, and commits in groups: each connection claims a batch
 * of up to EP_SEND_BATCH recipients in one transaction (committed as
 * EP_RECIPIENT_SENDING before any of their messages is built), and records
 * their outcomes in the transaction that claims its next batch. A failure
 * is recorded at once, and so is every outcome of a paced send (those
 * claim one at a time); a run that stops gives back what it claimed and
 * never sent.
 *
 * The guarantee: after a kill -9 nobody is lost, and the recipients sent
 * again are at most those claimed and not yet recorded, at most K
 * connections × EP_SEND_BATCH. The next run marks them "uncertain",
 * reports them so, and sends them again with the same Message-ID (a
 * duplicate beats a loss); the outcome of each of those is recorded as
 * soon as it comes, so a further kill sends one a third time only if it
 * lands on that very message in flight. tests/net/test_merge.py kills a
 * run at each boundary of a batch to check it; tests/soak kills one at
 * 20 random points.
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

#include "ep-schedule-time.h"
#include "ep-spread-plan.h"
#include "account/ep-account-server.h"
#include "mail/ep-message.h"
#include "transport/ep-smtp.h"
#include "transport/ep-transport-error.h"

#include "ep-campaign-runner-private.h"

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
  g_clear_pointer (&self->locale, g_free);
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

void
_ep_campaign_runner_request_stop_locked (EpCampaignRunner *self,
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

void
_ep_campaign_runner_request_stop (EpCampaignRunner *self,
                                  EpCampaignEnd     end,
                                  const char       *reason)
{
  g_mutex_lock (&self->mutex);
  _ep_campaign_runner_request_stop_locked (self, end, reason);
  g_mutex_unlock (&self->mutex);
}

void
ep_campaign_runner_pause (EpCampaignRunner *self)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  _ep_campaign_runner_request_stop (self, EP_CAMPAIGN_END_PAUSED, NULL);
}

void
ep_campaign_runner_cancel (EpCampaignRunner *self)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  _ep_campaign_runner_request_stop (self, EP_CAMPAIGN_END_CANCELLED, NULL);
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
  g_clear_pointer (&self->locale, g_free);
  self->locale = g_strdup (info->locale);
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
  self->recent_next = 0;
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
  _ep_campaign_runner_report_progress_locked (self, NULL, EP_RECIPIENT_PENDING, NULL, 0, NULL);
  g_mutex_unlock (&self->mutex);

  connections = self->kind == EP_CAMPAIGN_KIND_MESSAGE ? 1 : CLAMP (info->connections, 1, MAX_CONNECTIONS);
  for (guint i = 0; i < connections; i++)
    g_ptr_array_add (threads, g_thread_new ("ep-campaign", _ep_campaign_runner_worker, self));
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
