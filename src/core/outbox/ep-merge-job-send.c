/* ep-merge-job-send.c: the merge job's test message and the campaign it
 * creates, each in a worker thread on a snapshot of the job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-job"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-merge-job.h"
#include "ep-merge-job-private.h"
#include "ep-outbox-private.h"
#include "outbox/ep-campaign.h"
#include "outbox/ep-campaign-export.h"

/* ---- sending ------------------------------------------------------------ */

/* Everything a send needs, taken when it starts. */
typedef struct
{
  EpOutbox  *context;
  EpAccount  *account;
  EpTemplate *tmpl;
  EpTable    *table;
  GArray     *rows;
  GPtrArray  *problems;        /* the report's (EpMergeProblem), for the skipped rows */
  char       *name;
  char       *base_dir;
  guint       connections, rate, daily;
  EpCampaignTiming timing;
  EpCampaignProtection protection;
  char       *hint;            /* protection.password_hint points here */
  char       *test_password;   /* a test of generated passwords: its own */
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *s = data;

  g_clear_object (&s->context);
  g_clear_object (&s->account);
  g_clear_pointer (&s->tmpl, ep_template_unref);
  g_clear_pointer (&s->table, ep_table_unref);
  g_clear_pointer (&s->rows, g_array_unref);
  g_clear_pointer (&s->problems, g_ptr_array_unref);
  g_free (s->name);
  g_free (s->base_dir);
  g_free (s->hint);
  ep_password_free (s->test_password);
  g_free (s);
}

/* NULL (and @task returned) when the job is not ready to send. */
static SendData *
send_data_new (EpMergeJob *self,
               GTask      *task)
{
  SendData *s;

  if (self->tmpl == NULL || self->table == NULL || self->account == NULL ||
      self->report == NULL || self->report->valid_rows->len == 0 || self->path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("The merge is not ready to send"));
      return NULL;
    }

  s = g_new0 (SendData, 1);
  s->context = g_object_ref (self->context);
  s->account = g_object_ref (self->account);
  s->tmpl = ep_template_ref (self->tmpl);
  s->table = ep_table_ref (self->table);
  s->rows = g_array_ref (self->report->valid_rows);
  s->problems = g_ptr_array_ref (self->report->problems);
  s->name = g_path_get_basename (self->path);
  s->base_dir = g_strdup (self->base_dir);
  s->connections = self->connections;
  s->rate = self->rate;
  s->daily = self->daily_limit;
  s->timing.not_before = self->start_at;
  s->timing.spread = self->spread;
  s->timing.window = self->window;
  s->protection = self->protection;
  s->protection.password_hint = s->hint = g_strdup (self->password_hint);
  return s;
}

static void
test_send_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  SendData *s = task_data;
  GError *error = NULL;
  char *message_id = NULL;

  if (s->protection.generate_passwords)
    s->protection.password = s->test_password = ep_password_generate ();
  if (!ep_campaign_test_send (s->context, s->account, s->tmpl, s->table,
                              g_array_index (s->rows, guint, 0), s->base_dir,
                              s->protection.protection ? &s->protection : NULL, &message_id,
                              cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, message_id, g_free);
}

void
ep_merge_job_test_send_async (EpMergeJob          *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *s;

  g_return_if_fail (EP_IS_MERGE_JOB (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_merge_job_test_send_async);
  if ((s = send_data_new (self, task)) == NULL)
    return;
  g_task_set_task_data (task, s, send_data_free);
  g_task_run_in_thread (task, test_send_thread);
}

char *
ep_merge_job_test_send_finish (EpMergeJob    *self,
                               GAsyncResult  *result,
                               char         **test_password,
                               GError       **error)
{
  SendData *s;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  s = g_task_get_task_data (G_TASK (result));
  if (test_password != NULL)
    *test_password = s != NULL ? g_strdup (s->test_password) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The rows the check left out go into the campaign's results with why
 * (a failure here loses only that listing, never the campaign). */
static void
record_skipped (SendData *s,
                gint64    id)
{
  EpMergeReport report = { 0, s->rows, s->problems };
  g_autoptr(GPtrArray) skipped = ep_campaign_skipped_rows (&report, s->tmpl, s->table, s->base_dir,
                                                           s->protection.protection != 0);
  g_autoptr(GError) error = NULL;

  if (!ep_store_campaign_add_skipped (ep_outbox_get_store (s->context), id, skipped, &error))
    g_warning ("Campaign %" G_GINT64_FORMAT ": the skipped rows were not recorded: %s", id, error->message);
}

static void
create_campaign_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  SendData *s = task_data;
  GError *error = NULL;
  /* Scheduled or spread: its rows and template are the snapshot taken now. */
  gint64 id = ep_campaign_create (s->context, s->account, s->tmpl, s->table, s->rows, s->name,
                                  s->base_dir, s->connections, s->rate, s->daily, &s->timing,
                                  s->protection.protection ? &s->protection : NULL, &error);

  if (id == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  record_skipped (s, id);
  g_task_return_int (task, id);
}

void
ep_merge_job_create_campaign_async (EpMergeJob          *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *s;

  g_return_if_fail (EP_IS_MERGE_JOB (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_merge_job_create_campaign_async);
  if ((s = send_data_new (self, task)) == NULL)
    return;
  g_task_set_task_data (task, s, send_data_free);
  g_task_run_in_thread (task, create_campaign_thread);
}

gint64
ep_merge_job_create_campaign_finish (EpMergeJob    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  gssize id;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  id = g_task_propagate_int (G_TASK (result), error);
  /* A scheduled one: the scheduler (and whoever lists them) looks again. */
  if (id > 0 && ((SendData *) g_task_get_task_data (G_TASK (result)))->timing.not_before > 0)
    ep_outbox_notify_changed (self->context);
  return id > 0 ? id : 0;
}

