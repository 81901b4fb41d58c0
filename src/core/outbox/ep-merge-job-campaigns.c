/* ep-merge-job-campaigns.c: the campaigns a merge job made, read and
 * changed off the main thread (recipients, export, the interrupted ones,
 * cancel)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-job"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-merge-job.h"
#include "outbox/ep-campaign.h"
#include "outbox/ep-campaign-export.h"
#include "store/ep-store.h"

/* ---- stored campaigns ----------------------------------------------------- */

typedef struct
{
  EpOutbox *context;
  gint64     id;
  gint64     since;  /* list_recent: finished campaigns since then too */
  char      *path;
} CampaignData;

static void
campaign_data_free (gpointer data)
{
  CampaignData *c = data;

  g_clear_object (&c->context);
  g_free (c->path);
  g_free (c);
}

static GTask *
campaign_task_new (EpMergeJob          *self,
                   gint64               id,
                   const char          *path,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CampaignData *c = g_new0 (CampaignData, 1);

  c->context = g_object_ref (ep_merge_job_get_outbox (self));
  c->id = id;
  c->path = g_strdup (path);
  g_task_set_task_data (task, c, campaign_data_free);
  return task;
}

static void
load_recipients_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  CampaignData *c = task_data;
  GError *error = NULL;
  g_autoptr(GPtrArray) list = ep_store_campaign_recipients (ep_outbox_get_store (c->context),
                                                            c->id, &error);
  GPtrArray *result;

  if (list == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = g_ptr_array_new_full (list->len, (GDestroyNotify) ep_merge_recipient_free);
  for (guint i = 0; i < list->len; i++)
    {
      const EpStoreRecipient *s = g_ptr_array_index (list, i);
      EpMergeRecipient *r = g_new0 (EpMergeRecipient, 1);

      r->row_number = s->row_number;
      r->address = g_strdup (s->address);
      r->state = s->state;
      r->bounced = s->bounce != NULL;
      r->resent = s->was_uncertain;
      /* Came back: what the report said is what the person needs. */
      r->reply = s->bounce != NULL ? g_strdup_printf (_("Returned: %s"), s->bounce) : g_strdup (s->reply);
      g_ptr_array_add (result, r);
    }
  g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

void
ep_merge_job_load_recipients_async (EpMergeJob          *self,
                                    gint64               campaign_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_MERGE_JOB (self));

  task = campaign_task_new (self, campaign_id, NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_merge_job_load_recipients_async);
  g_task_run_in_thread (task, load_recipients_thread);
}

GPtrArray *
ep_merge_job_load_recipients_finish (EpMergeJob    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
export_results_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  CampaignData *c = task_data;
  GError *error = NULL;

  /* For the person: their spreadsheet program's format or locale. */
  if (!ep_campaign_export (c->context, c->id, c->path, ep_export_format_for_path (c->path), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
ep_merge_job_export_results_async (EpMergeJob          *self,
                                   gint64               campaign_id,
                                   const char          *path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_MERGE_JOB (self));
  g_return_if_fail (path != NULL);

  task = campaign_task_new (self, campaign_id, path, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_merge_job_export_results_async);
  g_task_run_in_thread (task, export_results_thread);
}

gboolean
ep_merge_job_export_results_finish (EpMergeJob    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* What the Merge pane shows of campaign @info; who was in flight only
 * when it is @open (not over: what stopped it matters). */
static EpMergeInterrupted *
item_from_info (EpOutbox             *outbox,
                const EpCampaignInfo *info,
                gboolean              open)
{
  EpStore *store = ep_outbox_get_store (outbox);
  EpMergeInterrupted *item;
  g_autoptr(GPtrArray) recipients = NULL;
  g_autoptr(GPtrArray) in_doubt = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;

  in_doubt = g_ptr_array_new ();
  /* Who was in flight matters only for what is not over. */
  recipients = open ? ep_store_campaign_recipients (store, info->id, NULL) : NULL;
  for (guint j = 0; recipients != NULL && j < recipients->len; j++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (recipients, j);
      if (r->state == EP_RECIPIENT_SENDING || r->state == EP_RECIPIENT_UNCERTAIN)
        g_ptr_array_add (in_doubt, g_strdup (r->address));
    }
  g_ptr_array_add (in_doubt, NULL);

  item = g_new0 (EpMergeInterrupted, 1);
  item->id = info->id;
  item->name = g_strdup (info->name);
  tmpl = info->template_text != NULL ? ep_template_parse (info->template_text, NULL) : NULL;
  if (tmpl != NULL && ep_template_get_parts (tmpl)->subject != NULL)
    item->subject = g_strdup (ep_template_get_parts (tmpl)->subject);
  item->base_dir = g_strdup (info->base_dir);
  item->finished = !open;
  item->updated_at = info->updated_at;
  item->reason = g_strdup (info->reason);
  item->was_running = info->state == EP_CAMPAIGN_RUNNING;
  item->sending = item->was_running && ep_outbox_is_sending (outbox, info->id);
  item->created_at = info->created_at;
  item->total = info->total;
  item->sent = info->counts[EP_RECIPIENT_SENT];
  item->failed = info->counts[EP_RECIPIENT_FAILED];
  item->cancelled = info->state == EP_CAMPAIGN_CANCELLED;
  item->skipped = ep_store_campaign_count_skipped (store, info->id);
  item->bounced = ep_store_campaign_count_bounced (store, info->id);
  item->in_doubt = (GStrv) g_ptr_array_free (g_steal_pointer (&in_doubt), FALSE);
  if (info->kind == EP_CAMPAIGN_KIND_MERGE && info->base_dir != NULL && info->template_text != NULL)
    {
      g_autofree char *path = g_build_filename (info->base_dir, info->name, NULL);

      item->can_reopen = g_file_test (path, G_FILE_TEST_IS_REGULAR);
    }
  return item;
}

static void
list_interrupted_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  CampaignData *c = task_data;
  EpStore *store = ep_outbox_get_store (c->context);
  GError *error = NULL;
  g_autoptr(GPtrArray) all = ep_store_campaign_list (store, &error);
  GPtrArray *result;

  if (all == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_merge_interrupted_free);
  for (guint i = 0; i < all->len; i++)
    {
      const EpCampaignInfo *info = g_ptr_array_index (all, i);
      EpMergeInterrupted *item;
      gboolean open;

      /* Campaigns only: single messages resume by themselves. */
      if (info->kind != EP_CAMPAIGN_KIND_MERGE)
        continue;
      open = (info->state == EP_CAMPAIGN_RUNNING || info->state == EP_CAMPAIGN_PAUSED) &&
             ep_campaign_info_open (info) > 0;
      if (!open && (c->since <= 0 || info->updated_at < c->since ||
                    (info->state != EP_CAMPAIGN_FINISHED && info->state != EP_CAMPAIGN_CANCELLED) ||
                    info->counts[EP_RECIPIENT_SENT] == 0))
        continue;

      item = item_from_info (c->context, info, open);
      g_ptr_array_add (result, item);
    }

  g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

void
ep_merge_job_list_interrupted_async (EpMergeJob          *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_MERGE_JOB (self));

  task = campaign_task_new (self, 0, NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_merge_job_list_interrupted_async);
  g_task_run_in_thread (task, list_interrupted_thread);
}

void
ep_merge_job_list_recent_async (EpMergeJob          *self,
                                gint64               since,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_MERGE_JOB (self));

  task = campaign_task_new (self, 0, NULL, cancellable, callback, user_data);
  ((CampaignData *) g_task_get_task_data (task))->since = since;
  g_task_set_source_tag (task, ep_merge_job_list_recent_async);
  g_task_run_in_thread (task, list_interrupted_thread);
}

GPtrArray *
ep_merge_job_list_recent_finish (EpMergeJob    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
ep_merge_job_list_interrupted_finish (EpMergeJob    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
read_campaign_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  CampaignData *c = task_data;
  GError *error = NULL;
  g_autoptr(EpCampaignInfo) info = ep_store_campaign_lookup (ep_outbox_get_store (c->context), c->id, &error);
  EpMergeInterrupted *item;

  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  item = item_from_info (c->context, info, FALSE);
  item->finished = info->state == EP_CAMPAIGN_FINISHED || info->state == EP_CAMPAIGN_CANCELLED;
  g_task_return_pointer (task, item, (GDestroyNotify) ep_merge_interrupted_free);
}

void
ep_merge_job_read_campaign_async (EpMergeJob          *self,
                                  gint64               campaign_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_MERGE_JOB (self));

  task = campaign_task_new (self, campaign_id, NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_merge_job_read_campaign_async);
  g_task_run_in_thread (task, read_campaign_thread);
}

EpMergeInterrupted *
ep_merge_job_read_campaign_finish (EpMergeJob    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
ep_merge_job_cancel_campaign (EpMergeJob  *self,
                              gint64       campaign_id,
                              GError     **error)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), FALSE);

  return ep_campaign_cancel (ep_merge_job_get_outbox (self), campaign_id, error);
}

