/* ep-merge-wizard.c: the Merge pane
 *
 * Steps: open a spreadsheet (file chooser, drop, or "Open With") → Data →
 * Message → Preview → Send → the campaign's progress and outcome. The
 * wizard only navigates: it owns one EpMergeJob, the state its steps
 * share, hands it to each step (one template class per step, see
 * ep-merge-*-step.c), and follows the visible step's "can-continue" with
 * its Next button. The start page (with the campaigns that were
 * interrupted) and the page shown while reading are the wizard's own.
 *
 * Reading, checking, creating the campaign and sending all run in worker
 * threads through the core; the campaign itself belongs to an
 * EpOutboxTask held by the application, so it keeps going when the
 * window closes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-wizard"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ep-application.h"
#include "ep-merge-wizard.h"
#include "ep-merge-step.h"
#include "ep-merge-data-step.h"
#include "ep-merge-message-step.h"
#include "ep-merge-preview-step.h"
#include "ep-merge-send-step.h"
#include "ep-merge-progress-step.h"
#include "ep-merge-start-page.h"
#include "ep-merge-private.h"
#include "widgets/ep-a11y.h"

/* The steps that Back and Next go through, in order. */
typedef enum
{
  STEP_DATA,
  STEP_MESSAGE,
  STEP_PREVIEW,
  STEP_SEND,
  N_STEPS,
  STEP_NONE = -1,
} Step;

static const struct { const char *name; const char *title; } step_pages[N_STEPS] = {
  [STEP_DATA] = { "data", N_("Data") },
  [STEP_MESSAGE] = { "message", N_("Message") },
  [STEP_PREVIEW] = { "preview", N_("Preview") },
  [STEP_SEND] = { "send", N_("Send") },
};

struct _EpMergeWizard
{
  GtkWidget            parent_instance;

  /* template widgets */
  GtkWidget           *box;
  GtkStack            *steps;
  GtkLabel            *loading_label;
  GtkProgressBar      *loading_progress;
  GtkWidget           *nav_bar;
  GtkLabel            *step_label;
  GtkWidget           *next_step_button;

  /* owned */
  EpContext           *context;
  EpMergeJob          *job;
  GCancellable        *cancellable;
  GCancellable        *read_cancellable;
  GVariant            *pending_draft;     /* a draft to restore once its file is read */
  guint                draft_source;      /* saves the draft shortly after a change */
  gboolean             draft_saving;
  gboolean             draft_save_again;
  gboolean             draft_delete_after_save;

  /* borrowed */
  GtkWidget           *step[N_STEPS];
  GtkWidget           *progress_step;
  char                *retry_rows;      /* Retry Failed: rows to select once read */
  GtkWidget           *start_page;        /* what is sending, what stopped */
  GBinding            *next_binding;      /* visible step's can-continue → Next */
};

G_DEFINE_FINAL_TYPE (EpMergeWizard, ep_merge_wizard, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
refresh_resume (EpMergeWizard *self)
{
  if (self->start_page != NULL)
    ep_merge_start_page_refresh (EP_MERGE_START_PAGE (self->start_page));
}

static void delete_draft (EpMergeWizard *self);
static gboolean draft_is_empty (GVariant *state);
static void on_message_step_changed (EpMergeMessageStep *step,
                                     EpMergeWizard      *self);

/* ---- navigation ------------------------------------------------------------ */

static Step
current_step (EpMergeWizard *self)
{
  GtkWidget *visible = gtk_stack_get_visible_child (self->steps);

  for (Step s = 0; s < N_STEPS; s++)
    if (self->step[s] != NULL && self->step[s] == visible)
      return s;
  return STEP_NONE;
}

static void
update_navigation (EpMergeWizard *self)
{
  Step step = current_step (self);
  g_autofree char *text = NULL;

  g_clear_pointer (&self->next_binding, g_binding_unbind);
  gtk_widget_set_visible (self->nav_bar, step != STEP_NONE);
  if (step == STEP_NONE)
    return;

  text = g_strdup_printf (_("Step %d of %u: %s"), step + 1, (guint) N_STEPS, _(step_pages[step].title));
  gtk_label_set_label (self->step_label, text);

  gtk_widget_set_visible (self->next_step_button, step + 1 < N_STEPS);
  self->next_binding = g_object_bind_property (self->step[step], "can-continue",
                                               self->next_step_button, "sensitive",
                                               G_BINDING_SYNC_CREATE);
}

static void
go_to_page (EpMergeWizard *self,
            const char    *name)
{
  gtk_stack_set_visible_child_name (self->steps, name);
  update_navigation (self);
}

static void
go_to_step (EpMergeWizard *self,
            Step           step)
{
  go_to_page (self, step_pages[step].name);
  ep_merge_step_enter (EP_MERGE_STEP (self->step[step]));
}

/* ---- reading ------------------------------------------------------------- */

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EpMergeWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *heading = NULL;

  if (self->steps == NULL)
    return;  /* disposed */

  if (ep_merge_job_read_finish (self->job, result, &error))
    {
      g_autoptr(GVariant) draft = g_steal_pointer (&self->pending_draft);

      /* The person went elsewhere while it was read (a campaign's
       * progress or results, from the start page): the last run's draft
       * comes back behind that page, which stays. */
      if (draft != NULL && self->retry_rows == NULL &&
          g_strcmp0 (gtk_stack_get_visible_child_name (self->steps), "loading") != 0)
        {
          ep_merge_message_step_restore_state (EP_MERGE_MESSAGE_STEP (self->step[STEP_MESSAGE]), draft);
          return;
        }
      go_to_step (self, STEP_DATA);
      if (self->retry_rows != NULL)
        {
          /* Retry Failed: the sheet as it is now (the person fixed it),
           * the same message, only the rows that failed. */
          g_autofree char *rows = g_steal_pointer (&self->retry_rows);
          g_autofree char *text = g_strdup_printf (_("Only the rows that failed: %s"), rows);

          go_to_step (self, STEP_MESSAGE);
          ep_merge_preview_step_set_rows (EP_MERGE_PREVIEW_STEP (self->step[STEP_PREVIEW]), rows);
          go_to_step (self, STEP_PREVIEW);
          _ep_merge_toast (GTK_WIDGET (self), text);
          return;
        }
      if (draft != NULL)
        {
          /* The merge that was being written when Epistle last ran. */
          ep_merge_message_step_restore_state (EP_MERGE_MESSAGE_STEP (self->step[STEP_MESSAGE]), draft);
          go_to_step (self, STEP_MESSAGE);
          _ep_merge_toast (GTK_WIDGET (self), _("The merge you were writing is back"));
        }
      else
        {
          /* Read again another way (a region, a separator): the draft
           * says so, if there is a message to keep. */
          g_autoptr(GVariant) state = g_variant_ref_sink (ep_merge_message_step_save_state (
                                        EP_MERGE_MESSAGE_STEP (self->step[STEP_MESSAGE])));

          if (!draft_is_empty (state))
            on_message_step_changed (EP_MERGE_MESSAGE_STEP (self->step[STEP_MESSAGE]), self);
        }
      return;
    }
  g_clear_pointer (&self->pending_draft, g_variant_unref);

  /* A newer read replaced this one: its result no longer matters. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && ep_merge_job_get_reading (self->job))
    return;
  g_clear_pointer (&self->retry_rows, g_free);

  go_to_page (self, ep_merge_job_get_table (self->job) != NULL ? "data" : "start");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  base = g_path_get_basename (ep_merge_job_get_path (self->job));
  heading = g_strdup_printf (_("“%s” Cannot Be Read"), base);
  _ep_merge_error_dialog (GTK_WIDGET (self), heading, error->message);
}

static void
start_reading (EpMergeWizard *self)
{
  g_autofree char *sheet = NULL;
  g_autofree char *base = NULL;
  g_autofree char *text = NULL;
  const char *encoding, *locale;
  char delimiter;

  if (ep_merge_job_get_path (self->job) == NULL)
    return;

  g_cancellable_cancel (self->read_cancellable);
  g_clear_object (&self->read_cancellable);
  self->read_cancellable = g_cancellable_new ();

  ep_merge_data_step_get_read_options (EP_MERGE_DATA_STEP (self->step[STEP_DATA]),
                                       &sheet, &encoding, &delimiter, &locale);

  base = g_path_get_basename (ep_merge_job_get_path (self->job));
  text = g_strdup_printf (_("Reading “%s”…"), base);
  gtk_label_set_label (self->loading_label, text);
  go_to_page (self, "loading");

  ep_merge_job_read_async (self->job, sheet, encoding, delimiter, locale, self->read_cancellable,
                           read_cb, g_object_ref (self));
}

static void
open_path (EpMergeWizard *self,
           const char    *path)
{
  /* Opened by the person while the last run's draft was still being read
   * (its file is large, or the machine is busy): this file comes without
   * that draft's message, at its first step; the draft stays stored. */
  g_clear_pointer (&self->pending_draft, g_variant_unref);
  ep_merge_data_step_reset_options (EP_MERGE_DATA_STEP (self->step[STEP_DATA]));
  ep_merge_job_set_path (self->job, path);
  start_reading (self);
}

static void
replace_response (AdwMessageDialog *dialog,
                  const char       *response,
                  EpMergeWizard    *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "path");

  if (g_strcmp0 (response, "replace") == 0)
    ep_merge_start_page_confirm_open (EP_MERGE_START_PAGE (self->start_page), path);
}

static void
open_chooser_response (GtkNativeDialog *chooser,
                       int              response,
                       EpMergeWizard   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      ep_merge_wizard_open_file (self, file);
    }
  g_object_unref (chooser);
}

static GtkFileFilter *
spreadsheet_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Spreadsheets"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_mime_type (filter, "text/tab-separated-values");
  gtk_file_filter_add_mime_type (filter, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  gtk_file_filter_add_mime_type (filter, "application/vnd.oasis.opendocument.spreadsheet");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_filter_add_suffix (filter, "xlsx");
  gtk_file_filter_add_suffix (filter, "ods");
  return filter;
}

/* ---- campaigns ------------------------------------------------------------- */

static void
run_campaign (EpMergeWizard *self,
              gint64         id,
              const char    *error_heading,
              gboolean       start)
{
  g_autoptr(GError) error = NULL;
  EpOutboxTask *task = ep_application_get_campaign (EP_APPLICATION (g_application_get_default ()),
                                                      id, &error);

  if (task == NULL)
    {
      _ep_merge_error_dialog (GTK_WIDGET (self), error_heading, error->message);
      return;
    }
  ep_merge_progress_step_set_task (EP_MERGE_PROGRESS_STEP (self->progress_step), task);
  go_to_page (self, "progress");
  if (start)
    ep_outbox_task_start (task);
}

static void
on_start_page_show_campaign (EpMergeStartPage *page,
                             gint64            id,
                             EpMergeWizard    *self)
{
  run_campaign (self, id, _("The Campaign Cannot Be Shown"), FALSE);
}

static void
on_start_page_resume_campaign (EpMergeStartPage *page,
                               gint64            id,
                               EpMergeWizard    *self)
{
  run_campaign (self, id, _("The Campaign Cannot Be Resumed"), TRUE);
}

static void
on_start_page_open_confirmed (EpMergeStartPage *page,
                              const char       *path,
                              EpMergeWizard    *self)
{
  open_path (self, path);
}

/* ---- signal callbacks ------------------------------------------------------ */

static void
on_next_step_button_clicked_cb (GtkButton     *button,
                                EpMergeWizard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "merge.next", NULL);
}

static void
on_data_step_options_changed (EpMergeDataStep *step,
                              EpMergeWizard   *self)
{
  start_reading (self);
}

static void
on_data_step_address_column_chosen (EpMergeDataStep *step,
                                    const char      *column,
                                    EpMergeWizard   *self)
{
  ep_merge_message_step_set_to_column (EP_MERGE_MESSAGE_STEP (self->step[STEP_MESSAGE]), column);
}

static void
on_send_step_campaign_created (EpMergeSendStep *step,
                               gint64           id,
                               EpMergeWizard   *self)
{
  gint64 start_at = ep_merge_job_get_start_at (self->job);

  delete_draft (self);
  if (start_at > 0)
    {
      /* Scheduled: the Scheduled pane shows it until it starts, and the
       * scheduler starts it, also with the window closed. */
      g_autofree char *when = ep_schedule_time_format (start_at, NULL);
      g_autofree char *text = g_strdup_printf (_("The campaign is scheduled for %s"), when);

      ep_merge_job_set_start_at (self->job, 0);
      _ep_merge_toast (GTK_WIDGET (self), text);
      go_to_page (self, "start");
      return;
    }
  run_campaign (self, id, _("The Campaign Could Not Start"), TRUE);
}

static void
on_progress_step_retry_rows (EpMergeProgressStep *step,
                             const char          *rows,
                             EpMergeWizard       *self)
{
  EpOutboxTask *task = ep_merge_progress_step_get_task (step);
  EpStore *store = ep_outbox_get_store (ep_merge_job_get_outbox (self->job));
  g_autoptr(EpCampaignInfo) info = task != NULL ? ep_store_campaign_lookup (store, ep_outbox_task_get_id (task), NULL)
                                                : NULL;
  g_autofree char *path = info != NULL && info->base_dir != NULL
                          ? g_build_filename (info->base_dir, info->name, NULL) : NULL;

  /* A past campaign, opened from the list: its spreadsheet and its
   * message again, as they were sent. */
  if (path != NULL && g_strcmp0 (path, ep_merge_job_get_path (self->job)) != 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EpTemplate) tmpl = ep_template_parse (info->template_text, &error);

      if (tmpl == NULL)
        {
          _ep_merge_error_dialog (GTK_WIDGET (self), _("The Campaign Cannot Be Sent Again"),
                                  error->message);
          return;
        }
      ep_merge_message_step_set_parts (EP_MERGE_MESSAGE_STEP (self->step[STEP_MESSAGE]),
                                       ep_template_get_parts (tmpl), info->account_uid);
      ep_merge_data_step_reset_options (EP_MERGE_DATA_STEP (self->step[STEP_DATA]));
      ep_merge_job_set_path (self->job, path);
    }
  g_free (self->retry_rows);
  self->retry_rows = g_strdup (rows);
  start_reading (self);
}

static void
on_progress_step_campaign_over (EpMergeProgressStep *step,
                                EpMergeWizard       *self)
{
  refresh_resume (self);
}

/* ---- the merge's draft ------------------------------------------------------ */

static void save_draft (EpMergeWizard *self);

static void
save_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpMergeWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ep_context_save_merge_draft_finish (EP_CONTEXT (object), result, &error))
    g_warning ("Could not save the merge's draft: %s", error->message);
  self->draft_saving = FALSE;
  if (self->draft_delete_after_save)
    delete_draft (self);
  else if (self->draft_save_again)
    save_draft (self);
}

static gboolean
draft_is_empty (GVariant *state)
{
  const char *subject = "", *body = "";
  g_autofree const char **attachments = NULL;

  g_variant_lookup (state, "subject", "&s", &subject);
  g_variant_lookup (state, "body", "&s", &body);
  g_variant_lookup (state, "attachments", "^a&s", &attachments);
  return subject[0] == '\0' && body[0] == '\0' && (attachments == NULL || attachments[0] == NULL);
}

static void
save_draft (EpMergeWizard *self)
{
  const char *path = ep_merge_job_get_path (self->job);
  g_autoptr(GVariant) state = NULL;

  g_clear_handle_id (&self->draft_source, g_source_remove);
  self->draft_save_again = FALSE;
  if (path == NULL || self->step[STEP_MESSAGE] == NULL)
    return;
  if (self->draft_saving)
    {
      self->draft_save_again = TRUE;
      return;
    }
  state = g_variant_ref_sink (ep_merge_message_step_save_state (EP_MERGE_MESSAGE_STEP (self->step[STEP_MESSAGE])));
  /* A spreadsheet opened and nothing written yet is no draft. */
  if (draft_is_empty (state))
    {
      delete_draft (self);
      return;
    }
  /* And how the spreadsheet was read: its sheet, encoding, separator
   * and region, to read it the same way again. */
  {
    GVariantDict dict;
    g_autofree char *sheet = NULL;
    const char *encoding, *locale;
    char delimiter;

    g_variant_dict_init (&dict, state);
    ep_merge_data_step_get_read_options (EP_MERGE_DATA_STEP (self->step[STEP_DATA]),
                                         &sheet, &encoding, &delimiter, &locale);
    if (sheet != NULL)
      g_variant_dict_insert (&dict, "read-sheet", "s", sheet);
    if (encoding != NULL)
      g_variant_dict_insert (&dict, "read-encoding", "s", encoding);
    if (delimiter != 0)
      g_variant_dict_insert (&dict, "read-delimiter", "y", (guchar) delimiter);
    if (locale != NULL)
      g_variant_dict_insert (&dict, "read-locale", "s", locale);
    g_variant_unref (state);
    state = g_variant_ref_sink (g_variant_dict_end (&dict));
  }
  self->draft_saving = TRUE;
  /* Not cancelled with the window: what was written is kept. */
  ep_context_save_merge_draft_async (self->context, path, state, NULL, save_draft_cb,
                                     g_object_ref (self));
}

static gboolean
save_draft_timeout_cb (gpointer data)
{
  EpMergeWizard *self = data;

  self->draft_source = 0;
  save_draft (self);
  return G_SOURCE_REMOVE;
}

static void
on_message_step_changed (EpMergeMessageStep *step,
                         EpMergeWizard      *self)
{
  /* Not while a restored draft waits for its file. */
  if (self->pending_draft != NULL || ep_merge_job_get_table (self->job) == NULL)
    return;
  self->draft_delete_after_save = FALSE;
  g_clear_handle_id (&self->draft_source, g_source_remove);
  self->draft_source = g_timeout_add (500, save_draft_timeout_cb, self);
}

static void
delete_draft_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ep_context_delete_merge_draft_finish (EP_CONTEXT (object), result, &error))
    g_warning ("Could not remove the merge's draft: %s", error->message);
}

/* The campaign exists (or the person started over): no draft any more. */
static void
delete_draft (EpMergeWizard *self)
{
  g_clear_handle_id (&self->draft_source, g_source_remove);
  self->draft_save_again = FALSE;
  self->draft_delete_after_save = self->draft_saving;
  if (!self->draft_saving)
    ep_context_delete_merge_draft_async (self->context, NULL, delete_draft_cb, NULL);
}

static void
load_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpMergeWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) draft = ep_context_load_merge_draft_finish (EP_CONTEXT (object), result,
                                                                 &path, &error);

  if (draft == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the merge's draft: %s", error->message);
      return;
    }
  /* Something was opened or shown meanwhile (a file, a campaign's
   * results), or the file is gone: the draft stays until the next merge
   * replaces it. */
  if (self->steps == NULL || ep_merge_job_get_path (self->job) != NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->steps), "start") != 0 ||
      !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return;

  self->pending_draft = g_steal_pointer (&draft);
  ep_merge_data_step_reset_options (EP_MERGE_DATA_STEP (self->step[STEP_DATA]));
  {
    const char *sheet = NULL, *encoding = NULL, *locale = NULL;
    guchar delimiter = 0;

    g_variant_lookup (self->pending_draft, "read-sheet", "&s", &sheet);
    g_variant_lookup (self->pending_draft, "read-encoding", "&s", &encoding);
    g_variant_lookup (self->pending_draft, "read-delimiter", "y", &delimiter);
    g_variant_lookup (self->pending_draft, "read-locale", "&s", &locale);
    ep_merge_data_step_set_read_options (EP_MERGE_DATA_STEP (self->step[STEP_DATA]),
                                         sheet, encoding, (char) delimiter, locale);
  }
  ep_merge_job_set_path (self->job, path);
  start_reading (self);
}

/* ---- actions ---------------------------------------------------------------- */

static void
merge_open_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EpMergeWizard *self = EP_MERGE_WIZARD (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = spreadsheet_filter ();

  chooser = gtk_file_chooser_native_new (_("Open Spreadsheet"), _ep_merge_parent_window (widget),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (open_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
merge_cancel_reading_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  g_cancellable_cancel (EP_MERGE_WIZARD (widget)->read_cancellable);
}

static void
merge_next_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EpMergeWizard *self = EP_MERGE_WIZARD (widget);
  Step step = current_step (self);

  if (step == STEP_NONE || step + 1 >= N_STEPS ||
      !ep_merge_step_get_can_continue (EP_MERGE_STEP (self->step[step])))
    return;
  go_to_step (self, step + 1);
}

static void
merge_back_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EpMergeWizard *self = EP_MERGE_WIZARD (widget);
  Step step = current_step (self);

  if (step == STEP_DATA)
    go_to_page (self, "start");
  else if (step != STEP_NONE)
    go_to_page (self, step_pages[step - 1].name);
}

static void
merge_new_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EpMergeWizard *self = EP_MERGE_WIZARD (widget);

  delete_draft (self);
  ep_merge_job_reset (self->job);
  go_to_page (self, "start");
  refresh_resume (self);
}

/* ---- GObject ---------------------------------------------------------------- */

/* Text buttons get one accessible name each (GTK 4.8 doubles them). */
static void
name_buttons (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && gtk_button_get_label (GTK_BUTTON (child)) != NULL)
        {
          g_autofree char *name = g_strdup (gtk_button_get_label (GTK_BUTTON (child)));
          char *underscore = strchr (name, '_');

          if (underscore != NULL)
            memmove (underscore, underscore + 1, strlen (underscore));
          ep_a11y_name_button (child, name);
        }
      name_buttons (child);
    }
}

static void
ep_merge_wizard_constructed (GObject *object)
{
  EpMergeWizard *self = (EpMergeWizard *)object;
  GtkWidget *(*step_new[N_STEPS]) (EpMergeJob *) = {
    [STEP_DATA] = ep_merge_data_step_new,
    [STEP_MESSAGE] = ep_merge_message_step_new,
    [STEP_PREVIEW] = ep_merge_preview_step_new,
    [STEP_SEND] = ep_merge_send_step_new,
  };

  G_OBJECT_CLASS (ep_merge_wizard_parent_class)->constructed (object);

  self->job = ep_merge_job_new (ep_context_get_outbox (self->context));
  g_object_bind_property (self->job, "read-fraction", self->loading_progress, "fraction",
                          G_BINDING_SYNC_CREATE);

  for (Step s = 0; s < N_STEPS; s++)
    {
      self->step[s] = step_new[s] (self->job);
      gtk_stack_add_titled (self->steps, self->step[s], step_pages[s].name, _(step_pages[s].title));
    }
  self->start_page = ep_merge_start_page_new (self->job);
  gtk_stack_add_titled (self->steps, self->start_page, "start", _("Mail Merge"));
  gtk_stack_set_visible_child (self->steps, self->start_page);
  g_signal_connect_object (self->start_page, "show-campaign",
                           G_CALLBACK (on_start_page_show_campaign), self, 0);
  g_signal_connect_object (self->start_page, "resume-campaign",
                           G_CALLBACK (on_start_page_resume_campaign), self, 0);
  g_signal_connect_object (self->start_page, "open-confirmed",
                           G_CALLBACK (on_start_page_open_confirmed), self, 0);
  self->progress_step = ep_merge_progress_step_new (self->job);
  gtk_stack_add_titled (self->steps, self->progress_step, "progress", _("Sending"));

  g_signal_connect_object (self->step[STEP_DATA], "options-changed",
                           G_CALLBACK (on_data_step_options_changed), self, 0);
  g_signal_connect_object (self->step[STEP_DATA], "address-column-chosen",
                           G_CALLBACK (on_data_step_address_column_chosen), self, 0);
  g_signal_connect_object (self->step[STEP_SEND], "campaign-created",
                           G_CALLBACK (on_send_step_campaign_created), self, 0);
  g_signal_connect_object (self->progress_step, "campaign-over",
                           G_CALLBACK (on_progress_step_campaign_over), self, 0);
  g_signal_connect_object (self->progress_step, "retry-rows",
                           G_CALLBACK (on_progress_step_retry_rows), self, 0);

  g_signal_connect_object (self->step[STEP_MESSAGE], "changed",
                           G_CALLBACK (on_message_step_changed), self, 0);

  name_buttons (GTK_WIDGET (self));
  update_navigation (self);
  refresh_resume (self);
  ep_context_load_merge_draft_async (self->context, self->cancellable, load_draft_cb,
                                     g_object_ref (self));
}

static void
ep_merge_wizard_dispose (GObject *object)
{
  EpMergeWizard *self = (EpMergeWizard *)object;

  /* A change not saved yet is saved now (the window is closing). */
  if (self->draft_source != 0)
    save_draft (self);
  g_clear_handle_id (&self->draft_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->read_cancellable);
  g_clear_pointer (&self->next_binding, g_binding_unbind);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_MERGE_WIZARD);
  memset (self->step, 0, sizeof self->step);
  self->progress_step = NULL;
  self->start_page = NULL;

  G_OBJECT_CLASS (ep_merge_wizard_parent_class)->dispose (object);
}

static void
ep_merge_wizard_finalize (GObject *object)
{
  EpMergeWizard *self = (EpMergeWizard *)object;

  g_clear_object (&self->context);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->read_cancellable);
  g_clear_pointer (&self->pending_draft, g_variant_unref);
  g_clear_pointer (&self->retry_rows, g_free);

  G_OBJECT_CLASS (ep_merge_wizard_parent_class)->finalize (object);
}

static void
ep_merge_wizard_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EpMergeWizard *self = EP_MERGE_WIZARD (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_wizard_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EpMergeWizard *self = EP_MERGE_WIZARD (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_wizard_class_init (EpMergeWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ep_merge_wizard_constructed;
  object_class->dispose = ep_merge_wizard_dispose;
  object_class->finalize = ep_merge_wizard_finalize;
  object_class->get_property = ep_merge_wizard_get_property;
  object_class->set_property = ep_merge_wizard_set_property;

  properties[PROP_CONTEXT] = g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                                                  G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/merge/ep-merge-wizard.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_bind_template_child (widget_class, EpMergeWizard, box);
  gtk_widget_class_bind_template_child (widget_class, EpMergeWizard, steps);
  gtk_widget_class_bind_template_child (widget_class, EpMergeWizard, loading_label);
  gtk_widget_class_bind_template_child (widget_class, EpMergeWizard, loading_progress);
  gtk_widget_class_bind_template_child (widget_class, EpMergeWizard, nav_bar);
  gtk_widget_class_bind_template_child (widget_class, EpMergeWizard, step_label);
  gtk_widget_class_bind_template_child (widget_class, EpMergeWizard, next_step_button);

  gtk_widget_class_bind_template_callback (widget_class, on_next_step_button_clicked_cb);

  gtk_widget_class_install_action (widget_class, "merge.open", NULL, merge_open_action);
  gtk_widget_class_install_action (widget_class, "merge.cancel-reading", NULL, merge_cancel_reading_action);
  gtk_widget_class_install_action (widget_class, "merge.next", NULL, merge_next_action);
  gtk_widget_class_install_action (widget_class, "merge.back", NULL, merge_back_action);
  gtk_widget_class_install_action (widget_class, "merge.new", NULL, merge_new_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "merge.open", NULL);
}

static void
ep_merge_wizard_init (EpMergeWizard *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- public API ------------------------------------------------------------- */

gboolean
ep_merge_wizard_is_spreadsheet (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *lower = path ? g_ascii_strdown (path, -1) : NULL;

  return lower != NULL &&
         (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv") ||
          g_str_has_suffix (lower, ".xlsx") || g_str_has_suffix (lower, ".ods"));
}

void
ep_merge_wizard_open_file (EpMergeWizard *self,
                           GFile         *file)
{
  g_autofree char *path = NULL;
  g_autofree char *current = NULL;
  g_autofree char *next = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  g_return_if_fail (EP_IS_MERGE_WIZARD (self));

  if ((path = g_file_get_path (file)) == NULL)
    return;

  /* Only a merge being prepared is worth asking about. */
  if (ep_merge_job_get_table (self->job) == NULL || current_step (self) == STEP_NONE ||
      g_strcmp0 (path, ep_merge_job_get_path (self->job)) == 0)
    {
      /* Asks first if it is being sent, or was lately. */
      ep_merge_start_page_confirm_open (EP_MERGE_START_PAGE (self->start_page), path);
      return;
    }

  current = g_path_get_basename (ep_merge_job_get_path (self->job));
  next = g_path_get_basename (path);
  body = g_strdup_printf (_("The merge of “%s” is being prepared. Open “%s” instead? "
                            "The message you wrote stays."), current, next);
  dialog = adw_message_dialog_new (_ep_merge_parent_window (GTK_WIDGET (self)),
                                   _("Replace the Spreadsheet?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep"),
                                    "replace", _("_Open"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "path", g_steal_pointer (&path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (replace_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
ep_merge_wizard_set_accounts (EpMergeWizard *self,
                              GPtrArray     *accounts)
{
  g_return_if_fail (EP_IS_MERGE_WIZARD (self));

  ep_merge_message_step_set_accounts (EP_MERGE_MESSAGE_STEP (self->step[STEP_MESSAGE]), accounts);
}
