/* ep-campaign-task.c: runs an EpCampaignRunner in a worker thread and
 * brings its progress to the main thread
 *
 * The runner reports from its worker threads; here each report is folded
 * into a snapshot under a lock and one idle callback per main-loop turn
 * emits "progress" and a "recipient-changed" per recipient that changed,
 * so a fast campaign never floods the main loop. "finished" comes last.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-campaign-task"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-campaign-task.h"

typedef struct
{
  guint  row_number;
  char  *address;
  char  *state;
  char  *reply;
} Change;

struct _EpCampaignTask
{
  GObject             parent_instance;

  EpCampaignRunner   *runner;
  char               *name;
  gint64              id;
  gboolean            running;
  EpCampaignEnd       end;
  char               *reason;

  GMutex              mutex;
  EpCampaignProgress  shared;    /* written by workers */
  GPtrArray          *changes;   /* Change, written by workers */
  guint               idle_id;
  EpCampaignProgress  progress;  /* main thread copy */
};

G_DEFINE_FINAL_TYPE (EpCampaignTask, ep_campaign_task, G_TYPE_OBJECT)

enum {
  PROGRESS,
  RECIPIENT_CHANGED,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
change_free (gpointer data)
{
  Change *c = data;

  g_free (c->address);
  g_free (c->state);
  g_free (c->reply);
  g_free (c);
}

static gboolean
deliver_progress (gpointer data)
{
  EpCampaignTask *self = data;
  g_autoptr(GPtrArray) changes = NULL;

  g_mutex_lock (&self->mutex);
  self->idle_id = 0;
  self->progress = self->shared;
  changes = g_steal_pointer (&self->changes);
  self->changes = g_ptr_array_new_with_free_func (change_free);
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < changes->len; i++)
    {
      const Change *c = g_ptr_array_index (changes, i);
      g_signal_emit (self, signals[RECIPIENT_CHANGED], 0, c->row_number, c->address, c->state, c->reply);
    }
  g_signal_emit (self, signals[PROGRESS], 0);

  return G_SOURCE_REMOVE;
}

static void
on_runner_progress (const EpCampaignProgress *p,
                    gpointer                  user_data)
{
  EpCampaignTask *self = user_data;

  g_mutex_lock (&self->mutex);
  self->shared = *p;
  self->shared.row_number = 0;
  self->shared.address = self->shared.state = self->shared.reply = NULL;
  if (p->row_number != 0)
    {
      Change *c = g_new0 (Change, 1);

      c->row_number = p->row_number;
      c->address = g_strdup (p->address);
      c->state = g_strdup (p->state);
      c->reply = g_strdup (p->reply);
      g_ptr_array_add (self->changes, c);
    }
  if (self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, deliver_progress,
                                     g_object_ref (self), g_object_unref);
  g_mutex_unlock (&self->mutex);
}

static void
ep_campaign_task_finalize (GObject *object)
{
  EpCampaignTask *self = (EpCampaignTask *)object;

  g_clear_object (&self->runner);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->reason, g_free);
  g_clear_pointer (&self->changes, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ep_campaign_task_parent_class)->finalize (object);
}

static void
ep_campaign_task_class_init (EpCampaignTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ep_campaign_task_finalize;

  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RECIPIENT_CHANGED] = g_signal_new ("recipient-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_STRING,
                                             G_TYPE_STRING, G_TYPE_STRING);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ep_campaign_task_init (EpCampaignTask *self)
{
  g_mutex_init (&self->mutex);
  self->changes = g_ptr_array_new_with_free_func (change_free);
}

EpCampaignTask *
ep_campaign_task_new (EpContext  *context,
                      gint64      id,
                      GError    **error)
{
  g_autoptr(EpCampaignTask) self = g_object_new (EP_TYPE_CAMPAIGN_TASK, NULL);
  g_autoptr(GVariant) info = ep_store_campaign_lookup (ep_context_get_store (context), id, error);

  if (info == NULL)
    return NULL;

  self->runner = ep_campaign_runner_new (context, id, error);
  if (self->runner == NULL)
    return NULL;

  self->id = id;
  g_variant_lookup (info, "name", "s", &self->name);
  g_variant_lookup (info, "total", "u", &self->progress.total);
  g_variant_lookup (info, "sent", "u", &self->progress.sent);
  g_variant_lookup (info, "failed", "u", &self->progress.failed);
  self->progress.remaining = self->progress.total - self->progress.sent - self->progress.failed;
  self->progress.campaign_id = id;
  /* Until the runner reports, what the journal says is the progress. */
  self->shared = self->progress;
  ep_campaign_runner_set_progress_func (self->runner, on_runner_progress, self, NULL);

  return g_steal_pointer (&self);
}

gint64
ep_campaign_task_get_id (EpCampaignTask *self)
{
  return self->id;
}

const char *
ep_campaign_task_get_name (EpCampaignTask *self)
{
  return self->name;
}

gboolean
ep_campaign_task_get_running (EpCampaignTask *self)
{
  return self->running;
}

const EpCampaignProgress *
ep_campaign_task_get_progress (EpCampaignTask *self)
{
  return &self->progress;
}

EpCampaignEnd
ep_campaign_task_get_end (EpCampaignTask *self)
{
  return self->end;
}

const char *
ep_campaign_task_get_reason (EpCampaignTask *self)
{
  return self->reason;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EpCampaignTask *self = source_object;
  EpCampaignEnd end = EP_CAMPAIGN_END_PAUSED;
  char *reason = NULL;
  GError *error = NULL;

  if (!ep_campaign_runner_run (self->runner, &end, &reason, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  self->end = end;  /* read on the main thread after the task returns */
  g_task_return_pointer (task, reason, g_free);
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  EpCampaignTask *self = EP_CAMPAIGN_TASK (object);
  g_autoptr(GError) error = NULL;
  char *reason = g_task_propagate_pointer (G_TASK (result), &error);

  /* Deliver what is still queued before saying it finished. */
  g_mutex_lock (&self->mutex);
  if (self->idle_id != 0)
    {
      g_source_remove (self->idle_id);
      self->idle_id = 0;
    }
  g_mutex_unlock (&self->mutex);
  deliver_progress (self);

  self->running = FALSE;
  g_free (self->reason);
  if (error != NULL)
    {
      self->end = EP_CAMPAIGN_END_SERVER;
      self->reason = g_strdup (error->message);
    }
  else
    self->reason = reason;

  g_signal_emit (self, signals[FINISHED], 0);
  g_application_release (g_application_get_default ());
}

/* Holds the application until the campaign stops, so closing the window
 * does not stop it. */
void
ep_campaign_task_start (EpCampaignTask *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_CAMPAIGN_TASK (self));

  if (self->running)
    return;

  self->running = TRUE;
  g_clear_pointer (&self->reason, g_free);
  g_application_hold (g_application_get_default ());

  task = g_task_new (self, NULL, run_done, NULL);
  g_task_set_source_tag (task, ep_campaign_task_start);
  g_task_run_in_thread (task, run_in_thread);
}

void
ep_campaign_task_pause (EpCampaignTask *self)
{
  ep_campaign_runner_pause (self->runner);
}

void
ep_campaign_task_cancel (EpCampaignTask *self)
{
  ep_campaign_runner_cancel (self->runner);
}
