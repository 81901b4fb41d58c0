/* ep-merge-progress-step.c: the merge wizard's last step, a campaign being sent
 *
 * Progress, pause, resume and cancel, the state of every recipient, and,
 * once the campaign is over, its outcome with the export of the results.
 * The campaign itself is an EpOutboxTask held by the application: it
 * goes on when the window closes. "campaign-over" says it finished or was
 * cancelled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-progress-step"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ep-application.h"
#include "ep-merge-progress-step.h"
#include "ep-merge-step.h"
#include "ep-recipient-item.h"
#include "ep-recipient-view.h"
#include "ep-merge-private.h"
#include "prefs/ep-password-dialog.h"

struct _EpMergeProgressStep
{
  GtkWidget          parent_instance;

  /* template widgets */
  GtkStack          *pages;
  GtkLabel          *progress_title;
  GtkProgressBar    *progress_bar;
  GtkLabel          *progress_stats;
  GtkLabel          *progress_reason;
  GtkWidget         *pause_button;
  GtkWidget         *resume_button;
  GtkWidget         *cancel_button;
  GtkScrolledWindow *recipients_scroller;
  AdwStatusPage     *done_page;

  /* owned */
  EpMergeJob        *job;
  GCancellable      *cancellable;
  GCancellable      *done_cancellable;     /* the end page's read */
  EpOutboxTask    *task;
  GListStore        *recipients;
  GHashTable        *recipient_items;      /* row_number → EpRecipientItem */

  gboolean           campaign_over;        /* finished or cancelled */
  gboolean           was_cancelled;        /* opened after it was cancelled */
  AdwMessageDialog  *cancel_dialog;        /* weak: its count follows the sending */
  GtkWidget         *retry_button;
};

enum {
  PROP_0,
  PROP_JOB,
  PROP_CAN_CONTINUE,
  N_PROPS
};

enum {
  CAMPAIGN_OVER,
  RETRY_ROWS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void ep_merge_step_iface_init (EpMergeStepInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EpMergeProgressStep, ep_merge_progress_step, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (EP_TYPE_MERGE_STEP, ep_merge_step_iface_init))

/* What a call into the job was for, beside the step it reports to. */
typedef struct
{
  EpMergeProgressStep *self;
  gint64               id;
  char                *path;
} Call;

static Call *
call_new (EpMergeProgressStep *self,
          gint64               id,
          const char          *path)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->id = id;
  call->path = g_strdup (path);
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_free (call->path);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

/* ---- the recipient list ------------------------------------------------- */

static void
build_recipient_view (EpMergeProgressStep *self)
{
  gtk_scrolled_window_set_child (self->recipients_scroller,
                                 ep_recipient_view_new (G_LIST_MODEL (self->recipients)));
}

static void
load_recipients_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  EpMergeProgressStep *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ep_merge_job_load_recipients_finish (EP_MERGE_JOB (object), result, &error);
  g_autoptr(GPtrArray) items = NULL;
  gint64 id = call->id;

  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Listing the recipients of campaign %" G_GINT64_FORMAT ": %s", id, error->message);
      return;
    }
  if (self->task == NULL || ep_outbox_task_get_id (self->task) != id)
    return;

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < list->len; i++)
    {
      const EpMergeRecipient *s = g_ptr_array_index (list, i);
      EpRecipientItem *r = ep_recipient_item_new (s->row_number, s->address, s->state, s->reply);

      ep_recipient_item_set_bounced (r, s->bounced);
      ep_recipient_item_set_resent (r, s->resent);

      g_hash_table_insert (self->recipient_items, GUINT_TO_POINTER (s->row_number), r);
      g_ptr_array_add (items, r);
    }
  g_list_store_splice (self->recipients, 0, g_list_model_get_n_items (G_LIST_MODEL (self->recipients)),
                       items->pdata, items->len);
}

/* ---- progress ------------------------------------------------------------- */

static char *
cancel_body (const EpCampaignProgress *p)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u recipient has not been sent the message and will not be.",
                                       "%u recipients have not been sent the message and will not be.",
                                       p->remaining), p->remaining);
}

static char *
local_time (gint64 when)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (when);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  /* Today: the time; later: the day too. */
  if (g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now) &&
      g_date_time_get_year (dt) == g_date_time_get_year (now))
    return g_date_time_format (dt, "%H:%M");
  return g_date_time_format (dt, "%a %H:%M");
}

static void
update_progress (EpMergeProgressStep *self)
{
  const EpCampaignProgress *p;
  g_autofree char *stats = NULL;
  g_autofree char *fraction_text = NULL;
  g_autoptr(GString) eta = g_string_new (NULL);
  gboolean running;
  gint64 retry_at;

  if (self->task == NULL)
    return;

  p = ep_outbox_task_get_progress (self->task);
  running = ep_outbox_task_get_running (self->task);

  fraction_text = g_strdup_printf (_("%u of %u"), p->sent + p->failed, p->total);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 p->total > 0 ? (double) (p->sent + p->failed) / p->total : 0);
  gtk_progress_bar_set_text (self->progress_bar, fraction_text);

  if (running && p->per_minute > 0.5 && p->remaining > 0)
    {
      guint minutes = (guint) (p->remaining / p->per_minute + 0.5);

      if (minutes < 1)
        g_string_append (eta, _(", less than a minute left"));
      else
        g_string_append_printf (eta, g_dngettext (GETTEXT_PACKAGE, ", about %u minute left",
                                                  ", about %u minutes left", minutes), minutes);
    }

  /* Looked up only when only retries are left (it walks the deferred). */
  retry_at = running && p->remaining > 0 && p->waiting >= p->remaining
             ? ep_outbox_task_get_earliest_retry (self->task) : 0;
  if (retry_at > g_get_real_time () / G_USEC_PER_SEC)
    {
      /* Only retries are left: when the next goes, not a stale rate. */
      g_autofree char *when = local_time (retry_at);

      stats = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Sent %u · Failed %u · Waiting until %s to retry %u recipient",
                                            "Sent %u · Failed %u · Waiting until %s to retry %u recipients",
                                            p->waiting),
                               p->sent, p->failed, when, p->waiting);
    }
  else if (running && p->per_minute > 0.5)
    stats = g_strdup_printf (_("Sent %u · Failed %u · Remaining %u · %.0f per minute%s"),
                             p->sent, p->failed, p->remaining, p->per_minute, eta->str);
  else
    stats = g_strdup_printf (_("Sent %u · Failed %u · Remaining %u"), p->sent, p->failed, p->remaining);
  gtk_label_set_label (self->progress_stats, stats);

  if (self->cancel_dialog != NULL)
    {
      g_autofree char *body = cancel_body (p);
      adw_message_dialog_set_body (self->cancel_dialog, body);
    }

  /* The title says what is happening: a paused campaign is not sending. */
  if (!self->campaign_over)
    {
      g_autofree char *title = running ? g_strdup_printf (_("Sending “%s”"), ep_outbox_task_get_name (self->task))
                                       : g_strdup_printf (_("“%s” Is Paused"), ep_outbox_task_get_name (self->task));

      gtk_label_set_label (self->progress_title, title);
    }
  else
    {
      gboolean cancelled = self->was_cancelled ||
                           ep_outbox_task_get_end (self->task) == EP_CAMPAIGN_END_CANCELLED;
      g_autofree char *title = cancelled ? g_strdup_printf (_("“%s” Was Cancelled"), ep_outbox_task_get_name (self->task))
                                         : g_strdup_printf (_("“%s” Was Sent"), ep_outbox_task_get_name (self->task));

      gtk_label_set_label (self->progress_title, title);
    }

  gtk_widget_set_visible (self->pause_button, running && !self->campaign_over);
  gtk_widget_set_visible (self->resume_button, !running && !self->campaign_over);
  gtk_widget_set_visible (self->cancel_button, !self->campaign_over);
}

/* Whether the campaign shown was made from the spreadsheet the job has
 * open (not one reopened from the start page after another was read). */
static gboolean
is_this_jobs (EpMergeProgressStep *self)
{
  const char *path = ep_merge_job_get_path (self->job);
  g_autofree char *base = path != NULL ? g_path_get_basename (path) : NULL;

  return base != NULL && g_strcmp0 (base, ep_outbox_task_get_name (self->task)) == 0;
}

/* The row numbers that failed or came back, as the Rows field reads
 * them: "4, 9". */
static char *
failed_rows (EpMergeProgressStep *self)
{
  g_autoptr(GString) rows = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->recipients));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EpRecipientItem) r = g_list_model_get_item (G_LIST_MODEL (self->recipients), i);

      if (ep_recipient_item_get_state (r) != EP_RECIPIENT_FAILED && !ep_recipient_item_get_bounced (r))
        continue;
      if (rows->len > 0)
        g_string_append (rows, ", ");
      g_string_append_printf (rows, "%u", ep_recipient_item_get_row_number (r));
    }
  return g_string_free (g_steal_pointer (&rows), FALSE);
}

/* The end page, with what the store says of campaign @c (read off the
 * main thread): the rows skipped and returned, and whether its
 * spreadsheet is there for Retry Failed. */
static void
show_done_with (EpMergeProgressStep      *self,
                const EpMergeInterrupted *c)
{
  const EpCampaignProgress *p = ep_outbox_task_get_progress (self->task);
  gboolean cancelled = ep_outbox_task_get_end (self->task) == EP_CAMPAIGN_END_CANCELLED ||
                       self->was_cancelled;
  guint skipped = c->skipped;
  guint bounced = c->bounced;
  g_autofree char *description = NULL;

  if (cancelled)
    description = g_strdup_printf (_("%u of %u messages were sent before the campaign was cancelled."),
                                   p->sent, p->total);
  else if (p->failed > 0)
    description = g_strdup_printf (_("%u of %u messages were sent. %u could not be delivered; "
                                     "the results say why."), p->sent, p->total, p->failed);
  else
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The message was sent.",
                                                "All %u messages were sent.", p->total), p->total);
  if (bounced > 0)
    {
      /* Delivered, then returned by the recipient's server (the Inbox
       * matched the report to the message). */
      g_autofree char *back = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u of them came back undelivered.",
                                                            "%u of them came back undelivered.",
                                                            bounced), bounced);
      g_autofree char *both = g_strconcat (description, " ", back, NULL);

      g_free (description);
      description = g_steal_pointer (&both);
    }
  if (skipped > 0)
    {
      /* The rows the check left out belong to the count a person makes. */
      g_autofree char *rows = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u row of the spreadsheet was skipped "
                                                            "(it had a problem); the results list it.",
                                                            "%u rows of the spreadsheet were skipped "
                                                            "(they had problems); the results list them.",
                                                            skipped), skipped);
      g_autofree char *both = g_strconcat (description, " ", rows, NULL);

      g_free (description);
      description = g_steal_pointer (&both);
    }
  if (p->uncertain > 0)
    {
      /* Rows that were on the wire when a run stopped (a crash, a kill)
       * were sent again: the server may have taken them the first time. */
      g_autofree char *again = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u message was being sent when Epistle "
                                                             "stopped and was sent again, so its "
                                                             "recipient may have it twice; the results "
                                                             "mark it.",
                                                             "%u messages were being sent when Epistle "
                                                             "stopped and were sent again, so their "
                                                             "recipients may have them twice; the "
                                                             "results mark them.",
                                                             p->uncertain), p->uncertain);
      g_autofree char *both = g_strconcat (description, " ", again, NULL);

      g_free (description);
      description = g_steal_pointer (&both);
    }
  /* Retry what failed, from the spreadsheet this wizard has open, or (a
   * past campaign) from the one it was sent from. */
  gtk_widget_set_visible (self->retry_button, !cancelled && p->failed + bounced > 0 &&
                                              (is_this_jobs (self) || c->can_reopen));
  adw_status_page_set_title (self->done_page,
                             cancelled ? _("Campaign Cancelled") : _("Campaign Finished"));
  adw_status_page_set_description (self->done_page, description);
  gtk_stack_set_visible_child_name (self->pages, "done");
}

static void
read_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  EpMergeProgressStep *self = call->self;
  g_autoptr(GError) error = NULL;
  EpMergeInterrupted *c = ep_merge_job_read_campaign_finish (EP_MERGE_JOB (object), result, &error);
  EpMergeInterrupted none = { .id = call->id };

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->task == NULL || ep_outbox_task_get_id (self->task) != call->id)
    g_clear_pointer (&c, ep_merge_interrupted_free);
  else
    {
      if (c == NULL)
        g_warning ("Reading campaign %" G_GINT64_FORMAT ": %s", call->id, error->message);
      if (c != NULL && c->cancelled)
        self->was_cancelled = TRUE;
      if (c != NULL && c->finished && !self->campaign_over)
        {
          /* A past campaign, opened from the list: over already. */
          self->campaign_over = TRUE;
          update_progress (self);
        }
      if (self->campaign_over)
        show_done_with (self, c != NULL ? c : &none);
      g_clear_pointer (&c, ep_merge_interrupted_free);
    }
}

/* The end page once the campaign's counts are read; also what tells a
 * past campaign (not running) from a paused one. */
static void
show_done (EpMergeProgressStep *self)
{
  const EpCampaignProgress *p = ep_outbox_task_get_progress (self->task);
  gint64 id = ep_outbox_task_get_id (self->task);

  if (self->campaign_over && ep_outbox_task_get_end (self->task) == EP_CAMPAIGN_END_LATER)
    {
      g_autofree char *description = NULL;

      /* Spread over days: the rest is a scheduled campaign now. */
      description = g_strdup_printf (_("%u of %u messages were sent. %s The Scheduled pane shows the "
                                       "rest; it goes also with the window closed."),
                                     p->sent, p->total, ep_outbox_task_get_reason (self->task)
                                                        ? ep_outbox_task_get_reason (self->task) : "");
      adw_status_page_set_title (self->done_page, _("Today’s Share Sent"));
      adw_status_page_set_description (self->done_page, description);
      gtk_stack_set_visible_child_name (self->pages, "done");
      return;
    }
  g_cancellable_cancel (self->done_cancellable);
  g_clear_object (&self->done_cancellable);
  self->done_cancellable = g_cancellable_new ();
  ep_merge_job_read_campaign_async (self->job, id, self->done_cancellable, read_done_cb,
                                    call_new (self, id, NULL));
}

static void
campaign_over (EpMergeProgressStep *self)
{
  self->campaign_over = TRUE;
  update_progress (self);
  show_done (self);
  g_signal_emit (self, signals[CAMPAIGN_OVER], 0);
}

/* ---- signal callbacks ------------------------------------------------------ */

static void
on_task_progress (EpOutboxTask      *task,
                  EpMergeProgressStep *self)
{
  update_progress (self);
}

static void
on_task_recipient_changed (EpOutboxTask      *task,
                           guint                row_number,
                           const char          *address,
                           guint                state,
                           const char          *reply,
                           EpMergeProgressStep *self)
{
  EpRecipientItem *r = g_hash_table_lookup (self->recipient_items, GUINT_TO_POINTER (row_number));

  if (r != NULL)
    ep_recipient_item_update (r, state, reply);
}

static void
on_password_saved (EpPasswordDialog    *dialog,
                   EpMergeProgressStep *self)
{
  if (self->task != NULL)
    ep_outbox_task_start (self->task);
  update_progress (self);
}

static void
on_task_finished (EpOutboxTask      *task,
                  EpMergeProgressStep *self)
{
  EpCampaignEnd end = ep_outbox_task_get_end (task);
  const char *reason = ep_outbox_task_get_reason (task);
  EpAccount *account = ep_merge_job_get_account (self->job);
  g_autofree char *text = NULL;

  if (end == EP_CAMPAIGN_END_FINISHED || end == EP_CAMPAIGN_END_CANCELLED ||
      end == EP_CAMPAIGN_END_LATER)
    {
      campaign_over (self);
      return;
    }
  update_progress (self);

  text = g_strdup_printf ("%s%s%s", ep_campaign_end_describe (end),
                          reason ? ". " : "", reason ? reason : "");
  gtk_label_set_label (self->progress_reason, text);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_reason), TRUE);

  if (end == EP_CAMPAIGN_END_AUTH && account != NULL)
    {
      EpPasswordDialog *dialog = ep_password_dialog_new (_ep_merge_parent_window (GTK_WIDGET (self)),
                                                         ep_application_get_context (EP_APPLICATION (g_application_get_default ())),
                                                         account, reason);
      g_signal_connect_object (dialog, "saved", G_CALLBACK (on_password_saved), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
cancel_response (AdwMessageDialog    *dialog,
                 const char          *response,
                 EpMergeProgressStep *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "stop") != 0 || self->task == NULL)
    return;

  if (ep_outbox_task_get_running (self->task))
    ep_outbox_task_cancel (self->task);
  else if (!ep_merge_job_cancel_campaign (self->job, ep_outbox_task_get_id (self->task), &error))
    _ep_merge_error_dialog (GTK_WIDGET (self), _("The Campaign Could Not Be Cancelled"), error->message);
  else
    {
      self->was_cancelled = TRUE;
      campaign_over (self);
    }
}

static void
export_results_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  EpMergeProgressStep *self = call->self;
  g_autoptr(GError) error = NULL;
  const char *path = call->path;

  if (!ep_merge_job_export_results_finish (EP_MERGE_JOB (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_merge_error_dialog (GTK_WIDGET (self), _("The Results Were Not Exported"), error->message);
    }
  else
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *text = g_strdup_printf (_("Results saved as “%s”"), base);
      const EpCampaignProtection *p = ep_merge_job_get_protection (EP_MERGE_JOB (object));

      if ((p->protection & EP_PROTECT_PASSWORD) && p->generate_passwords)
        {
          /* It holds secrets: say so where it cannot be missed. */
          g_autofree char *body = g_strdup_printf (_("“%s” holds each recipient’s password and "
                                                     "can be read by you only. Give each "
                                                     "password to its recipient apart from the "
                                                     "message (in person, by phone or by text "
                                                     "message), then delete the file."), base);
          _ep_merge_error_dialog (GTK_WIDGET (self), _("Results Saved, with the Passwords"), body);
          return;
        }
      _ep_merge_toast (GTK_WIDGET (self), text);
    }
}

static void
export_response (GtkNativeDialog     *chooser,
                 int                  response,
                 EpMergeProgressStep *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->task != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);
      gint64 id = ep_outbox_task_get_id (self->task);

      if (path != NULL)
        ep_merge_job_export_results_async (self->job, id, path, self->cancellable,
                                           export_results_cb, call_new (self, id, path));
    }
  g_object_unref (chooser);
}

/* ---- actions ---------------------------------------------------------------- */

static void
merge_pause_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  EpMergeProgressStep *self = EP_MERGE_PROGRESS_STEP (widget);

  if (self->task != NULL)
    {
      ep_outbox_task_pause (self->task);
      gtk_label_set_label (self->progress_reason, _("Pausing after the messages being sent…"));
      gtk_widget_set_visible (GTK_WIDGET (self->progress_reason), TRUE);
    }
}

static void
merge_resume_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EpMergeProgressStep *self = EP_MERGE_PROGRESS_STEP (widget);

  if (self->task != NULL && !ep_outbox_task_get_running (self->task))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_reason), FALSE);
      ep_outbox_task_start (self->task);
      update_progress (self);
    }
}

static void
merge_cancel_campaign_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  EpMergeProgressStep *self = EP_MERGE_PROGRESS_STEP (widget);
  const EpCampaignProgress *p;
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  if (self->task == NULL)
    return;

  p = ep_outbox_task_get_progress (self->task);
  body = cancel_body (p);
  dialog = adw_message_dialog_new (_ep_merge_parent_window (widget), _("Cancel the Campaign?"), body);
  g_set_weak_pointer (&self->cancel_dialog, ADW_MESSAGE_DIALOG (dialog));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Sending"),
                                    "stop", _("_Cancel Campaign"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (cancel_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_filter (GtkFileChooserNative *chooser,
            const char           *name,
            const char           *pattern)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
}

static void
merge_export_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EpMergeProgressStep *self = EP_MERGE_PROGRESS_STEP (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;
  g_autofree char *stem = NULL;

  if (self->task == NULL)
    return;

  stem = g_strdup (ep_outbox_task_get_name (self->task));
  if (strrchr (stem, '.') != NULL)
    *strrchr (stem, '.') = '\0';
  /* A workbook by default; a name ending in .csv gives CSV for the
   * person's locale (ep_export_format_for_path ()). */
  name = g_strdup_printf (_("%s results.xlsx"), stem);
  chooser = gtk_file_chooser_native_new (_("Export Results"), _ep_merge_parent_window (widget),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  add_filter (chooser, _("Excel Workbook"), "*.xlsx");
  add_filter (chooser, _("CSV for This Language’s Spreadsheets"), "*.csv");
  /* Beside the spreadsheet it came from, where the person looks: the
   * campaign's own folder (a past campaign, opened from the list, may not
   * be the file the wizard has open), else the wizard's file's. */
  {
    EpStore *store = ep_outbox_get_store (ep_merge_job_get_outbox (self->job));
    g_autoptr(EpCampaignInfo) info = ep_store_campaign_lookup (store, ep_outbox_task_get_id (self->task),
                                                               NULL);
    g_autofree char *dir = NULL;

    if (info != NULL && info->base_dir != NULL && g_file_test (info->base_dir, G_FILE_TEST_IS_DIR))
      dir = g_strdup (info->base_dir);
    else if (ep_merge_job_get_path (self->job) != NULL)
      dir = g_path_get_dirname (ep_merge_job_get_path (self->job));
    if (dir != NULL)
      {
        g_autoptr(GFile) folder = g_file_new_for_path (dir);

        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
      }
  }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
merge_retry_failed_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  EpMergeProgressStep *self = EP_MERGE_PROGRESS_STEP (widget);
  g_autofree char *rows = NULL;

  if (self->task == NULL)
    return;
  rows = failed_rows (self);
  if (rows[0] != '\0')
    g_signal_emit (self, signals[RETRY_ROWS], 0, rows);
}

static void
merge_show_details_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  gtk_stack_set_visible_child_name (EP_MERGE_PROGRESS_STEP (widget)->pages, "progress");
}

/* ---- EpMergeStep ------------------------------------------------------------ */

static void
ep_merge_step_iface_init (EpMergeStepInterface *iface)
{
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ep_merge_progress_step_dispose (GObject *object)
{
  EpMergeProgressStep *self = (EpMergeProgressStep *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->done_cancellable);
  g_clear_object (&self->done_cancellable);
  if (self->task != NULL)
    g_signal_handlers_disconnect_by_data (self->task, self);
  g_clear_object (&self->task);
  g_clear_weak_pointer (&self->cancel_dialog);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_MERGE_PROGRESS_STEP);
  g_clear_object (&self->job);

  G_OBJECT_CLASS (ep_merge_progress_step_parent_class)->dispose (object);
}

static void
ep_merge_progress_step_finalize (GObject *object)
{
  EpMergeProgressStep *self = (EpMergeProgressStep *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->recipients);
  g_clear_pointer (&self->recipient_items, g_hash_table_unref);

  G_OBJECT_CLASS (ep_merge_progress_step_parent_class)->finalize (object);
}

static void
ep_merge_progress_step_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  EpMergeProgressStep *self = EP_MERGE_PROGRESS_STEP (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case PROP_CAN_CONTINUE:
      g_value_set_boolean (value, FALSE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_progress_step_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  EpMergeProgressStep *self = EP_MERGE_PROGRESS_STEP (object);

  switch (prop_id)
    {
    case PROP_JOB:
      self->job = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_progress_step_class_init (EpMergeProgressStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_merge_progress_step_dispose;
  object_class->finalize = ep_merge_progress_step_finalize;
  object_class->get_property = ep_merge_progress_step_get_property;
  object_class->set_property = ep_merge_progress_step_set_property;

  g_object_class_override_property (object_class, PROP_JOB, "job");
  g_object_class_override_property (object_class, PROP_CAN_CONTINUE, "can-continue");

  signals[CAMPAIGN_OVER] =
    g_signal_new ("campaign-over", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Retry Failed: the row numbers to send again, as the Rows field
   * reads them. */
  signals[RETRY_ROWS] =
    g_signal_new ("retry-rows", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/merge/ep-merge-progress-step.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, pages);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, progress_title);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, progress_stats);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, progress_reason);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, pause_button);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, resume_button);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, recipients_scroller);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, done_page);
  gtk_widget_class_bind_template_child (widget_class, EpMergeProgressStep, retry_button);

  gtk_widget_class_install_action (widget_class, "merge.pause", NULL, merge_pause_action);
  gtk_widget_class_install_action (widget_class, "merge.resume", NULL, merge_resume_action);
  gtk_widget_class_install_action (widget_class, "merge.cancel-campaign", NULL, merge_cancel_campaign_action);
  gtk_widget_class_install_action (widget_class, "merge.export", NULL, merge_export_action);
  gtk_widget_class_install_action (widget_class, "merge.show-details", NULL, merge_show_details_action);
  gtk_widget_class_install_action (widget_class, "merge.retry-failed", NULL, merge_retry_failed_action);
}

static void
ep_merge_progress_step_init (EpMergeProgressStep *self)
{
  self->cancellable = g_cancellable_new ();
  self->recipients = g_list_store_new (EP_TYPE_RECIPIENT_ITEM);
  self->recipient_items = g_hash_table_new (NULL, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  build_recipient_view (self);
}

/* ---- public API ------------------------------------------------------------- */

GtkWidget *
ep_merge_progress_step_new (EpMergeJob *job)
{
  return g_object_new (EP_TYPE_MERGE_PROGRESS_STEP, "job", job, NULL);
}

EpOutboxTask *
ep_merge_progress_step_get_task (EpMergeProgressStep *self)
{
  g_return_val_if_fail (EP_IS_MERGE_PROGRESS_STEP (self), NULL);

  return self->task;
}

void
ep_merge_progress_step_set_task (EpMergeProgressStep *self,
                                 EpOutboxTask      *task)
{
  g_autofree char *title = NULL;

  g_return_if_fail (EP_IS_MERGE_PROGRESS_STEP (self));
  g_return_if_fail (EP_IS_OUTBOX_TASK (task));

  if (self->task != NULL)
    g_signal_handlers_disconnect_by_data (self->task, self);
  g_set_object (&self->task, task);
  self->campaign_over = FALSE;

  g_list_store_remove_all (self->recipients);
  g_hash_table_remove_all (self->recipient_items);

  title = g_strdup_printf (_("Sending “%s”"), ep_outbox_task_get_name (task));
  gtk_label_set_label (self->progress_title, title);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_reason), FALSE);
  /* The end page says nothing until this campaign has ended. */
  adw_status_page_set_title (self->done_page, "");
  adw_status_page_set_description (self->done_page, NULL);
  gtk_stack_set_visible_child_name (self->pages, "progress");

  g_signal_connect_object (task, "progress", G_CALLBACK (on_task_progress), self, 0);
  g_signal_connect_object (task, "recipient-changed", G_CALLBACK (on_task_recipient_changed), self, 0);
  g_signal_connect_object (task, "finished", G_CALLBACK (on_task_finished), self, 0);

  update_progress (self);

  /* A past campaign (from the list of them): its end page, with the
   * results, the export and Retry Failed. */
  self->was_cancelled = FALSE;
  if (!ep_outbox_task_get_running (task))
    show_done (self);

  ep_merge_job_load_recipients_async (self->job, ep_outbox_task_get_id (task), self->cancellable,
                                      load_recipients_cb,
                                      call_new (self, ep_outbox_task_get_id (task), NULL));
}
