/* ep-outbox-task.c: runs an EpCampaignRunner in a worker thread and
 * brings its progress to the main thread
 *
 * The runner reports from its worker threads; each report is folded into
 * a snapshot under a lock, and one idle callback per main-loop turn (in
 * the outbox's main context) emits "progress" and a "recipient-changed"
 * per recipient that changed, so a fast campaign never floods the main
 * loop. "finished" comes last. A task whose entry must wait (the undo
 * delay of a single message) waits on a timer before its run starts; until
 * then, cancelling it removes a single message from the outbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-outbox-task"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-outbox-task.h"
#include "ep-campaign-runner.h"
#include "ep-outbox-private.h"

typedef struct
{
  guint             row_number;
  char             *address;
  EpRecipientState  state;
  char             *reply;
  gint64            next_attempt;
  EpSmtpReport     *report;
} Change;

typedef enum
{
  RUN_RUN,
  RUN_DISCARD,   /* remove a single message that never started */
  RUN_CANCEL,    /* mark a campaign that is not running cancelled */
} RunKind;

struct _EpOutboxTask
{
  GObject             parent_instance;

  EpOutbox           *outbox;
  EpCampaignRunner   *runner;
  GMainContext       *main_context;
  char               *name;
  char               *message_id;
  gint64              id;
  EpCampaignKind      kind;
  gint64              not_before;
  gboolean            running;     /* started: waiting or sending */
  gboolean            in_thread;   /* the run itself */
  GSource            *wait_source;
  EpCampaignEnd       end;
  char               *reason;
  GError             *error;       /* the run could not start or use the journal */
  EpRecipientState    last_state;
  char               *last_reply;
  EpSmtpReport       *last_report;
  gint64              next_retry;
  GHashTable         *retries;     /* row number → next attempt, of the deferred */

  GMutex              mutex;
  EpCampaignProgress  shared;      /* written by workers */
  GPtrArray          *changes;     /* Change, written by workers */
  GSource            *idle_source;
  EpCampaignProgress  progress;    /* main thread copy */
};

G_DEFINE_FINAL_TYPE (EpOutboxTask, ep_outbox_task, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_NOT_BEFORE,
  N_PROPS
};

enum {
  PROGRESS,
  RECIPIENT_CHANGED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void run (EpOutboxTask *self,
                 RunKind       kind);

static void
change_free (gpointer data)
{
  Change *c = data;

  g_free (c->address);
  g_free (c->reply);
  g_clear_pointer (&c->report, ep_smtp_report_free);
  g_free (c);
}

static gboolean
deliver_progress (gpointer data)
{
  EpOutboxTask *self = data;
  g_autoptr(GPtrArray) changes = NULL;

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->idle_source, g_source_unref);
  self->progress = self->shared;
  changes = g_steal_pointer (&self->changes);
  self->changes = g_ptr_array_new_with_free_func (change_free);
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < changes->len; i++)
    {
      const Change *c = g_ptr_array_index (changes, i);

      self->last_state = c->state;
      g_free (self->last_reply);
      self->last_reply = g_strdup (c->reply);
      self->next_retry = c->state == EP_RECIPIENT_DEFERRED ? c->next_attempt : 0;
      if (c->state == EP_RECIPIENT_DEFERRED && c->next_attempt > 0)
        g_hash_table_insert (self->retries, GUINT_TO_POINTER (c->row_number),
                             g_memdup2 (&c->next_attempt, sizeof c->next_attempt));
      else
        g_hash_table_remove (self->retries, GUINT_TO_POINTER (c->row_number));
      g_clear_pointer (&self->last_report, ep_smtp_report_free);
      self->last_report = c->report ? ep_smtp_report_copy (c->report) : NULL;
      g_signal_emit (self, signals[RECIPIENT_CHANGED], 0, c->row_number, c->address,
                     (guint) c->state, c->reply);
    }
  g_signal_emit (self, signals[PROGRESS], 0);

  return G_SOURCE_REMOVE;
}

static void
on_runner_progress (const EpCampaignProgress *p,
                    gpointer                  user_data)
{
  EpOutboxTask *self = user_data;

  g_mutex_lock (&self->mutex);
  self->shared = *p;
  self->shared.row_number = 0;
  self->shared.address = self->shared.reply = NULL;
  self->shared.report = NULL;
  if (p->row_number != 0)
    {
      Change *c = g_new0 (Change, 1);

      c->row_number = p->row_number;
      c->address = g_strdup (p->address);
      c->state = p->state;
      c->reply = g_strdup (p->reply);
      c->next_attempt = p->next_attempt;
      c->report = p->report ? ep_smtp_report_copy (p->report) : NULL;
      g_ptr_array_add (self->changes, c);
    }
  if (self->idle_source == NULL)
    {
      self->idle_source = g_idle_source_new ();
      g_source_set_priority (self->idle_source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (self->idle_source, deliver_progress, g_object_ref (self),
                             g_object_unref);
      g_source_attach (self->idle_source, self->main_context);
    }
  g_mutex_unlock (&self->mutex);
}

static void
ep_outbox_task_dispose (GObject *object)
{
  EpOutboxTask *self = (EpOutboxTask *)object;

  if (self->wait_source != NULL)
    {
      g_source_destroy (self->wait_source);
      g_clear_pointer (&self->wait_source, g_source_unref);
    }

  G_OBJECT_CLASS (ep_outbox_task_parent_class)->dispose (object);
}

static void
ep_outbox_task_finalize (GObject *object)
{
  EpOutboxTask *self = (EpOutboxTask *)object;

  g_clear_object (&self->runner);
  g_clear_object (&self->outbox);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->message_id, g_free);
  g_clear_pointer (&self->reason, g_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->last_reply, g_free);
  g_clear_pointer (&self->last_report, ep_smtp_report_free);
  g_clear_pointer (&self->changes, g_ptr_array_unref);
  g_clear_pointer (&self->retries, g_hash_table_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ep_outbox_task_parent_class)->finalize (object);
}

static void
ep_outbox_task_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EpOutboxTask *self = EP_OUTBOX_TASK (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_NOT_BEFORE:
      g_value_set_int64 (value, self->not_before);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_outbox_task_class_init (EpOutboxTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ep_outbox_task_dispose;
  object_class->finalize = ep_outbox_task_finalize;
  object_class->get_property = ep_outbox_task_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NOT_BEFORE] =
    g_param_spec_int64 ("not-before", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RECIPIENT_CHANGED] = g_signal_new ("recipient-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_STRING,
                                             G_TYPE_UINT, G_TYPE_STRING);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ep_outbox_task_init (EpOutboxTask *self)
{
  g_mutex_init (&self->mutex);
  self->changes = g_ptr_array_new_with_free_func (change_free);
  self->retries = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

EpOutboxTask *
_ep_outbox_task_new (EpOutbox  *outbox,
                     gint64     id,
                     GError   **error)
{
  g_autoptr(EpOutboxTask) self = g_object_new (EP_TYPE_OUTBOX_TASK, NULL);
  g_autoptr(EpCampaignInfo) info = ep_store_campaign_lookup (ep_outbox_get_store (outbox), id,
                                                             error);

  if (info == NULL)
    return NULL;

  self->runner = ep_campaign_runner_new (outbox, id, error);
  if (self->runner == NULL)
    return NULL;

  self->outbox = g_object_ref (outbox);
  self->main_context = g_main_context_ref (_ep_outbox_get_main_context (outbox));
  self->id = id;
  self->kind = info->kind;
  self->not_before = info->not_before;
  self->name = g_strdup (info->name);
  if (info->kind == EP_CAMPAIGN_KIND_MESSAGE)
    {
      g_autoptr(GPtrArray) recipients = ep_store_campaign_recipients (ep_outbox_get_store (outbox),
                                                                      id, error);
      const EpStoreRecipient *r;

      if (recipients == NULL)
        return NULL;
      if (recipients->len > 0)
        {
          r = g_ptr_array_index (recipients, 0);
          self->message_id = g_strdup (r->message_id);
          self->last_state = r->state;
          self->last_reply = g_strdup (r->reply);
        }
    }
  self->progress.campaign_id = id;
  self->progress.total = info->total;
  self->progress.sent = info->counts[EP_RECIPIENT_SENT];
  self->progress.failed = info->counts[EP_RECIPIENT_FAILED];
  self->progress.waiting = info->counts[EP_RECIPIENT_DEFERRED];
  self->progress.uncertain = info->was_uncertain;
  self->progress.remaining = ep_campaign_info_open (info);
  /* Until the runner reports, what the journal says is the progress. */
  self->shared = self->progress;
  ep_campaign_runner_set_progress_func (self->runner, on_runner_progress, self, NULL);

  return g_steal_pointer (&self);
}

void
_ep_outbox_task_set_message_id (EpOutboxTask *self,
                                const char   *message_id)
{
  g_free (self->message_id);
  self->message_id = g_strdup (message_id);
}

gint64
ep_outbox_task_get_id (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), 0);
  return self->id;
}

EpCampaignKind
ep_outbox_task_get_kind (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), EP_CAMPAIGN_KIND_MERGE);
  return self->kind;
}

const char *
ep_outbox_task_get_name (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), NULL);
  return self->name;
}

gboolean
ep_outbox_task_get_running (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), FALSE);
  return self->running;
}

gint64
ep_outbox_task_get_not_before (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), 0);
  return self->wait_source != NULL ? self->not_before : 0;
}

const EpCampaignProgress *
ep_outbox_task_get_progress (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), NULL);
  return &self->progress;
}

EpRecipientState
ep_outbox_task_get_last_state (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), EP_RECIPIENT_PENDING);
  return self->last_state;
}

const char *
ep_outbox_task_get_last_reply (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), NULL);
  return self->last_reply;
}

gint64
ep_outbox_task_get_next_retry (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), 0);
  return self->next_retry;
}

gint64
ep_outbox_task_get_earliest_retry (EpOutboxTask *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 earliest = 0;

  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), 0);

  g_hash_table_iter_init (&iter, self->retries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (earliest == 0 || *(gint64 *) value < earliest)
      earliest = *(gint64 *) value;
  return earliest;
}

EpCampaignEnd
ep_outbox_task_get_end (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), EP_CAMPAIGN_END_PAUSED);
  return self->end;
}

const char *
ep_outbox_task_get_reason (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), NULL);
  return self->reason;
}

const GError *
ep_outbox_task_get_error (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), NULL);
  return self->error;
}

const EpSmtpReport *
ep_outbox_task_get_last_report (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), NULL);
  return self->last_report;
}

void
ep_outbox_task_set_wait_for_retries (EpOutboxTask *self,
                                     gboolean      wait)
{
  g_return_if_fail (EP_IS_OUTBOX_TASK (self));
  ep_campaign_runner_set_wait_for_retries (self->runner, wait);
}

void
ep_outbox_task_set_timeout (EpOutboxTask *self,
                            guint         seconds)
{
  g_return_if_fail (EP_IS_OUTBOX_TASK (self));
  ep_campaign_runner_set_timeout (self->runner, seconds);
}

void
ep_outbox_task_set_retry_policy (EpOutboxTask *self,
                                 guint         first_delay,
                                 guint         max_attempts)
{
  g_return_if_fail (EP_IS_OUTBOX_TASK (self));
  ep_campaign_runner_set_retry_policy (self->runner, first_delay, max_attempts);
}

const char *
ep_outbox_task_get_message_id (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), NULL);
  return self->message_id;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EpOutboxTask *self = source_object;
  RunKind kind = GPOINTER_TO_INT (task_data);
  EpStore *store = ep_outbox_get_store (self->outbox);
  EpCampaignEnd end = EP_CAMPAIGN_END_PAUSED;
  char *reason = NULL;
  GError *error = NULL;

  switch (kind)
    {
    case RUN_DISCARD:
      /* Undo: nothing of it went anywhere; nothing of it stays. */
      _ep_campaign_forget_passwords (self->outbox, self->id);
      if (!ep_store_campaign_delete (store, self->id, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      end = EP_CAMPAIGN_END_CANCELLED;
      break;

    case RUN_CANCEL:
      if (!ep_campaign_cancel (self->outbox, self->id, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      end = EP_CAMPAIGN_END_CANCELLED;
      break;

    case RUN_RUN:
    default:
      if (!ep_campaign_runner_run (self->runner, &end, &reason, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      /* A single message sent: a copy into the Sent folder, which can
       * neither fail nor repeat the send (ep-outbox-sent.c). Not for
       * merge campaigns: hundreds of copies of one template. */
      if (self->kind == EP_CAMPAIGN_KIND_MESSAGE && end == EP_CAMPAIGN_END_FINISHED)
        _ep_outbox_copy_to_sent (self->outbox, self->id, NULL);
      /* A single message stopped before it went: back to Compose. */
      if (self->kind == EP_CAMPAIGN_KIND_MESSAGE && end == EP_CAMPAIGN_END_CANCELLED &&
          !ep_store_campaign_delete (store, self->id, &error))
        {
          g_warning ("Could not remove a cancelled message from the outbox: %s", error->message);
          g_clear_error (&error);
        }
      break;
    }

  self->end = end;  /* read on the main thread after the task returns */
  g_task_return_pointer (task, reason, g_free);
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  EpOutboxTask *self = EP_OUTBOX_TASK (object);
  g_autoptr(GError) error = NULL;
  char *reason = g_task_propagate_pointer (G_TASK (result), &error);

  /* Deliver what is still queued before saying it finished. */
  g_mutex_lock (&self->mutex);
  if (self->idle_source != NULL)
    {
      g_source_destroy (self->idle_source);
      g_clear_pointer (&self->idle_source, g_source_unref);
    }
  g_mutex_unlock (&self->mutex);
  deliver_progress (self);

  self->in_thread = FALSE;
  self->running = FALSE;
  g_free (self->reason);
  g_clear_error (&self->error);
  if (error != NULL)
    {
      self->error = g_error_copy (error);
      self->end = g_error_matches (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY)
                  ? EP_CAMPAIGN_END_PAUSED : EP_CAMPAIGN_END_STORE;
      self->reason = g_strdup (error->message);
    }
  else
    self->reason = reason;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_signal_emit (self, signals[FINISHED], 0);
  _ep_outbox_task_finished (self->outbox, self);
}

static void
run (EpOutboxTask *self,
     RunKind       kind)
{
  g_autoptr(GTask) task = NULL;

  self->in_thread = TRUE;
  task = g_task_new (self, NULL, run_done, NULL);
  g_task_set_source_tag (task, run);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);
  g_task_run_in_thread (task, run_in_thread);
}

static void
stop_waiting (EpOutboxTask *self)
{
  if (self->wait_source == NULL)
    return;

  g_source_destroy (self->wait_source);
  g_clear_pointer (&self->wait_source, g_source_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOT_BEFORE]);
}

static gboolean
on_wait_over_cb (gpointer data)
{
  EpOutboxTask *self = data;

  g_clear_pointer (&self->wait_source, g_source_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOT_BEFORE]);
  run (self, RUN_RUN);

  return G_SOURCE_REMOVE;
}

gint64
ep_outbox_task_get_scheduled_for (EpOutboxTask *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX_TASK (self), 0);
  return self->not_before;
}

void
ep_outbox_task_start (EpOutboxTask *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_if_fail (EP_IS_OUTBOX_TASK (self));

  if (self->running)
    return;

  self->running = TRUE;
  g_clear_pointer (&self->reason, g_free);
  _ep_outbox_task_started (self->outbox, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (self->not_before > now)
    {
      /* The undo delay is seconds; a later send time is the scheduler's. */
      self->wait_source = g_timeout_source_new_seconds ((guint) MIN (self->not_before - now, G_MAXUINT));
      g_source_set_callback (self->wait_source, on_wait_over_cb, self, NULL);
      g_source_attach (self->wait_source, self->main_context);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOT_BEFORE]);
      return;
    }

  run (self, RUN_RUN);
}

void
ep_outbox_task_pause (EpOutboxTask *self)
{
  g_return_if_fail (EP_IS_OUTBOX_TASK (self));

  if (self->wait_source != NULL)
    {
      /* Not started: it simply does not start. */
      stop_waiting (self);
      self->running = FALSE;
      self->end = EP_CAMPAIGN_END_PAUSED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
      g_signal_emit (self, signals[FINISHED], 0);
      _ep_outbox_task_finished (self->outbox, self);
      return;
    }

  ep_campaign_runner_pause (self->runner);
}

void
ep_outbox_task_cancel (EpOutboxTask *self)
{
  g_return_if_fail (EP_IS_OUTBOX_TASK (self));

  if (self->in_thread)
    {
      ep_campaign_runner_cancel (self->runner);
      return;
    }

  stop_waiting (self);
  if (!self->running)
    {
      self->running = TRUE;
      _ep_outbox_task_started (self->outbox, self);
    }
  run (self, self->kind == EP_CAMPAIGN_KIND_MESSAGE ? RUN_DISCARD : RUN_CANCEL);
}

void
ep_outbox_task_send_now (EpOutboxTask *self)
{
  g_return_if_fail (EP_IS_OUTBOX_TASK (self));

  if (self->wait_source != NULL)
    {
      stop_waiting (self);
      run (self, RUN_RUN);
    }
  else if (self->in_thread)
    ep_campaign_runner_retry_now (self->runner);
  else
    {
      /* Waiting retries in the journal are due now, in the run about to
       * start. */
      ep_campaign_runner_retry_now (self->runner);
      ep_outbox_task_start (self);
    }
}
