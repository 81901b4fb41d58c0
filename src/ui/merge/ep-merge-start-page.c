/* ep-merge-start-page.c: the Merge pane before a spreadsheet is open
 *
 * Open a spreadsheet; below, every merge campaign that is not over: the
 * ones this Epistle sends now (also those started before the window was
 * last closed), with their progress, leading to the progress page with
 * Pause and Cancel; the ones another Epistle process sends (its campaign
 * lock is held); the ones that stopped, to resume or discard; and the
 * latest finished or cancelled ones, leading to their results. It also
 * asks before a spreadsheet that is being sent, or was sent lately, is
 * opened to be sent again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-start-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-merge-start-page.h"
#include "ep-merge-private.h"
#include "widgets/ep-a11y.h"

/* "Sent lately": a spreadsheet sent this long ago is asked about. */
#define RECENT_SECONDS (7 * 24 * 3600)
/* Past campaigns shown; the CLI's campaign list has them all. */
#define HISTORY_ROWS 10
/* While another process sends, its count is read again this often. */
#define ELSEWHERE_REFRESH_SECONDS 2

struct _EpMergeStartPage
{
  GtkWidget            parent_instance;

  /* template widgets */
  AdwPreferencesGroup *running_group;
  AdwPreferencesGroup *resume_group;
  AdwPreferencesGroup *history_group;

  /* owned */
  EpMergeJob          *job;
  GCancellable        *cancellable;       /* cancelled in dispose */
  GCancellable        *list_cancellable;  /* the listing under way */
  GPtrArray           *rows;              /* the rows shown, in either group */
  guint                elsewhere_source;  /* reads again while another process sends */
};

G_DEFINE_FINAL_TYPE (EpMergeStartPage, ep_merge_start_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_JOB,
  N_PROPS
};

enum {
  SHOW_CAMPAIGN,
  RESUME_CAMPAIGN,
  OPEN_CONFIRMED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- helpers ---------------------------------------------------------------- */

/* The task this process has for campaign @id, running or not (full). */
static EpOutboxTask *
find_task (EpMergeStartPage *self,
           gint64            id)
{
  GListModel *tasks = ep_outbox_get_tasks (ep_merge_job_get_outbox (self->job));

  for (guint i = 0; i < g_list_model_get_n_items (tasks); i++)
    {
      g_autoptr(EpOutboxTask) task = g_list_model_get_item (tasks, i);

      if (ep_outbox_task_get_id (task) == id)
        return g_steal_pointer (&task);
    }
  return NULL;
}

static gboolean
running_here (EpMergeStartPage *self,
              gint64            id)
{
  g_autoptr(EpOutboxTask) task = find_task (self, id);

  return task != NULL && ep_outbox_task_get_running (task);
}

/* "Kunden.xlsx, “Rechnung {{ Nr }}”, created 2 Dec 2026 10:12. " */
static void
append_identity (GString                  *out,
                 const EpMergeInterrupted *item)
{
  g_autofree char *created = item->created_at > 0 ? ep_schedule_time_format (item->created_at, NULL)
                                                  : NULL;

  if (item->subject != NULL && item->subject[0] != '\0')
    /* TRANSLATORS: the campaign's subject line, before its date */
    g_string_append_printf (out, _("Subject “%s”. "), item->subject);
  if (created != NULL)
    /* TRANSLATORS: the date a campaign was created, before what became of it */
    g_string_append_printf (out, _("Created %s. "), created);
}

static char *
running_title (EpOutboxTask *task)
{
  const EpCampaignProgress *p = ep_outbox_task_get_progress (task);

  /* TRANSLATORS: "Sending Kunden.xlsx — 12 of 37" */
  return g_strdup_printf (_("Sending %s — %u of %u"), ep_outbox_task_get_name (task),
                          p->sent, p->total);
}

static void
clear_rows (EpMergeStartPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

/* ---- signal callbacks ------------------------------------------------------- */

static gint64
campaign_id_of (gpointer object)
{
  return *(gint64 *) g_object_get_data (G_OBJECT (object), "campaign-id");
}

static void
set_campaign_id (gpointer object,
                 gint64   id)
{
  g_object_set_data_full (G_OBJECT (object), "campaign-id", g_memdup2 (&id, sizeof id), g_free);
}

static void
on_show_clicked_cb (GtkButton        *button,
                    EpMergeStartPage *self)
{
  g_signal_emit (self, signals[SHOW_CAMPAIGN], 0, campaign_id_of (button));
}

static void
on_resume_clicked_cb (GtkButton        *button,
                      EpMergeStartPage *self)
{
  g_signal_emit (self, signals[RESUME_CAMPAIGN], 0, campaign_id_of (button));
}

static void
on_running_task_progress_cb (EpOutboxTask *task,
                             AdwActionRow *row)
{
  g_autofree char *title = running_title (task);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
}

static void
on_running_task_over_cb (EpOutboxTask     *task,
                         GParamSpec       *pspec,
                         EpMergeStartPage *self)
{
  if (!ep_outbox_task_get_running (task))
    ep_merge_start_page_refresh (self);
}

static void
discard_response (AdwMessageDialog *dialog,
                  const char       *response,
                  EpMergeStartPage *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "discard") != 0)
    return;
  /* Cancelled, not deleted: what was sent stays in its results. */
  if (!ep_merge_job_cancel_campaign (self->job, campaign_id_of (dialog), &error))
    _ep_merge_error_dialog (GTK_WIDGET (self), _("The Campaign Could Not Be Discarded"), error->message);
  ep_merge_start_page_refresh (self);
}

static void
on_discard_clicked_cb (GtkButton        *button,
                       EpMergeStartPage *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "campaign-name");
  guint left = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "campaign-left"));
  g_autofree char *heading = g_strdup_printf (_("Discard “%s”?"), name);
  g_autofree char *body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "The %u message not sent yet will not be sent. "
                                                        "What was sent stays in the results.",
                                                        "The %u messages not sent yet will not be sent. "
                                                        "What was sent stays in the results.", left), left);
  GtkWidget *dialog = adw_message_dialog_new (_ep_merge_parent_window (GTK_WIDGET (self)), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep It"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  set_campaign_id (dialog, campaign_id_of (button));
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- rows ------------------------------------------------------------------- */

/* @a11y (consumed): the accessible name, which says which campaign. */
static GtkWidget *
campaign_button (EpMergeStartPage         *self,
                 const EpMergeInterrupted *item,
                 const char               *mnemonic,
                 char                     *a11y,
                 GCallback                 callback)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  ep_a11y_name_button (button, a11y);
  g_free (a11y);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  set_campaign_id (button, item->id);
  g_object_set_data_full (G_OBJECT (button), "campaign-name", g_strdup (item->name), g_free);
  g_object_set_data (G_OBJECT (button), "campaign-left",
                     GUINT_TO_POINTER (item->total - item->sent - item->failed));
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

/* Sent by this Epistle now: its live count, and the way to its progress. */
static GtkWidget *
running_row (EpMergeStartPage         *self,
             const EpMergeInterrupted *item)
{
  g_autoptr(EpOutboxTask) task = find_task (self, item->id);
  g_autofree char *title = running_title (task);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;

  append_identity (subtitle, item);
  g_string_truncate (subtitle, subtitle->len > 0 ? subtitle->len - 1 : 0);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  button = campaign_button (self, item, _("_Show Progress"),
                            g_strdup_printf (_("Show Progress of %s"), item->name),
                            G_CALLBACK (on_show_clicked_cb));
  gtk_widget_add_css_class (button, "suggested-action");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  g_signal_connect_object (task, "progress", G_CALLBACK (on_running_task_progress_cb), row, 0);
  g_signal_connect_object (task, "notify::running", G_CALLBACK (on_running_task_over_cb), self, 0);
  return row;
}

static char *
interrupted_title (const EpMergeInterrupted *item)
{
  return g_strdup_printf (_("%s: %u of %u not sent yet"), item->name,
                          item->total - item->sent - item->failed, item->total);
}

static GtkWidget *
interrupted_row (EpMergeStartPage         *self,
                 const EpMergeInterrupted *item)
{
  GtkWidget *row, *button;
  guint n_in_doubt = item->in_doubt ? g_strv_length (item->in_doubt) : 0;
  g_autofree char *title = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);

  title = interrupted_title (item);
  append_identity (subtitle, item);
  if (item->sending)
    g_string_append (subtitle, _("Being sent now by another Epistle (epistle-cli or the background "
                                 "service)."));
  else if (item->reason != NULL)
    g_string_append (subtitle, item->reason);
  else if (item->was_running)
    g_string_append (subtitle, _("Epistle stopped while sending."));
  else
    g_string_append (subtitle, _("Paused."));
  if (n_in_doubt > 0 && !item->sending)
    {
      g_autofree char *who = g_strjoinv (", ", item->in_doubt);
      g_string_append_printf (subtitle,
                              g_dngettext (GETTEXT_PACKAGE,
                                           " The message to %s was being sent at that moment; it "
                                           "may have arrived, and will be sent again.",
                                           " The messages to %s were being sent at that moment; "
                                           "they may have arrived, and will be sent again.",
                                           n_in_doubt), who);
    }

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  /* Another process has it: nothing to resume or discard from here; its
   * count is read again while it sends (list_elsewhere_cb ()). */
  if (item->sending)
    {
      g_object_set_data_full (G_OBJECT (row), "elsewhere-id", g_memdup2 (&item->id, sizeof item->id),
                              g_free);
      return row;
    }

  button = campaign_button (self, item, _("_Discard"), g_strdup_printf (_("Discard %s"), item->name),
                            G_CALLBACK (on_discard_clicked_cb));
  gtk_widget_add_css_class (button, "flat");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  button = campaign_button (self, item, _("_Resume"), g_strdup_printf (_("Resume %s"), item->name),
                            G_CALLBACK (on_resume_clicked_cb));
  gtk_widget_add_css_class (button, "suggested-action");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

/* A finished or cancelled campaign: when, how it went, and its results. */
static GtkWidget *
history_row (EpMergeStartPage         *self,
             const EpMergeInterrupted *item)
{
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *when = ep_schedule_time_format (item->updated_at, NULL);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;

  if (item->subject != NULL && item->subject[0] != '\0')
    g_string_append_printf (subtitle, _("Subject “%s”. "), item->subject);
  /* TRANSLATORS: "Cancelled 2 Dec 2026 10:12: 12 sent, 1 failed" */
  g_string_append_printf (subtitle, item->cancelled ? _("Cancelled %s: ") : _("Finished %s: "), when);
  g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, "%u of %u sent", "%u of %u sent",
                                                 item->total), item->sent, item->total);
  if (item->failed > 0)
    g_string_append_printf (subtitle, _(", %u failed"), item->failed);
  if (item->bounced > 0)
    g_string_append_printf (subtitle, _(", %u came back"), item->bounced);
  if (item->skipped > 0)
    g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, ", %u row skipped",
                                                   ", %u rows skipped", item->skipped),
                            item->skipped);
  g_string_append_c (subtitle, '.');

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  button = campaign_button (self, item, _("_Results"), g_strdup_printf (_("Results of %s"), item->name),
                            G_CALLBACK (on_show_clicked_cb));
  gtk_widget_add_css_class (button, "flat");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  return row;
}

/* One listing at a time: a newer one replaces the rows, so an older one
 * still under way is dropped rather than rebuilding them again. Since the
 * beginning: every finished campaign that sent anything. */
static void
start_listing (EpMergeStartPage    *self,
               GAsyncReadyCallback  callback)
{
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();
  ep_merge_job_list_recent_async (self->job, 1, self->list_cancellable, callback,
                                  g_object_ref (self));
}

static gboolean refresh_elsewhere_cb (gpointer data);

/* The rows another process sends, by campaign id. */
static GHashTable *
elsewhere_rows (EpMergeStartPage *self)
{
  GHashTable *rows = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < self->rows->len; i++)
    {
      gint64 *id = g_object_get_data (g_ptr_array_index (self->rows, i), "elsewhere-id");

      if (id != NULL)
        g_hash_table_insert (rows, id, g_ptr_array_index (self->rows, i));
    }
  return rows;
}

/* The counts of what another process sends, updated in their rows rather
 * than the rows built anew (which would take a screen reader's place or
 * the keyboard focus every few seconds); anything else changed (one ended,
 * another began) lists everything again. */
static void
list_elsewhere_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EpMergeStartPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ep_merge_job_list_recent_finish (EP_MERGE_JOB (object), result, &error);
  g_autoptr(GHashTable) rows = NULL;
  guint n_elsewhere = 0;
  gboolean new_one = FALSE;

  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Listing unfinished campaigns: %s", error->message);
      return;
    }
  if (self->running_group == NULL)
    return;  /* disposed */

  rows = elsewhere_rows (self);
  for (guint i = 0; i < list->len; i++)
    {
      const EpMergeInterrupted *item = g_ptr_array_index (list, i);

      if (!item->finished && item->sending && !running_here (self, item->id))
        {
          GtkWidget *row = g_hash_table_lookup (rows, &item->id);
          g_autofree char *title = NULL;

          if (row == NULL)
            {
              new_one = TRUE;
              break;
            }
          title = interrupted_title (item);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          n_elsewhere++;
        }
    }
  if (new_one || n_elsewhere != g_hash_table_size (rows))
    {
      ep_merge_start_page_refresh (self);
      return;
    }
  if (n_elsewhere > 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->elsewhere_source = g_timeout_add_seconds (ELSEWHERE_REFRESH_SECONDS, refresh_elsewhere_cb, self);
}

static gboolean
refresh_elsewhere_cb (gpointer data)
{
  EpMergeStartPage *self = data;

  self->elsewhere_source = 0;
  start_listing (self, list_elsewhere_cb);
  return G_SOURCE_REMOVE;
}

static void
on_unmap_cb (EpMergeStartPage *self)
{
  g_clear_handle_id (&self->elsewhere_source, g_source_remove);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EpMergeStartPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ep_merge_job_list_recent_finish (EP_MERGE_JOB (object), result, &error);
  guint n_running = 0, n_stopped = 0, n_past = 0, n_elsewhere = 0;

  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Listing unfinished campaigns: %s", error->message);
      return;
    }
  if (self->running_group == NULL)
    return;  /* disposed */

  clear_rows (self);
  for (guint i = 0; i < list->len; i++)
    {
      const EpMergeInterrupted *item = g_ptr_array_index (list, i);
      gboolean here = !item->finished && item->sending && running_here (self, item->id);
      GtkWidget *row;

      if (!item->finished && item->sending && !here)
        n_elsewhere++;

      if (item->finished)
        {
          /* Newest first: the latest few. */
          if (n_past++ >= HISTORY_ROWS)
            continue;
          row = history_row (self, item);
          adw_preferences_group_add (self->history_group, row);
        }
      else
        {
          row = here ? running_row (self, item) : interrupted_row (self, item);
          adw_preferences_group_add (here ? self->running_group : self->resume_group, row);
          if (here)
            n_running++;
          else
            n_stopped++;
        }
      g_ptr_array_add (self->rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->running_group), n_running > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->resume_group), n_stopped > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), n_past > 0);

  /* Sent by the CLI or the background service: no progress signal comes
   * from there, so its count is read again from the store while it is
   * shown, until it ends (finished, or stopped). */
  g_clear_handle_id (&self->elsewhere_source, g_source_remove);
  if (n_elsewhere > 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->elsewhere_source = g_timeout_add_seconds (ELSEWHERE_REFRESH_SECONDS, refresh_elsewhere_cb, self);
}

/* ---- asking before a spreadsheet is sent again ----------------------------- */

static void
confirm_response (AdwMessageDialog *dialog,
                  const char       *response,
                  EpMergeStartPage *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "path");

  if (g_strcmp0 (response, "open") == 0)
    g_signal_emit (self, signals[OPEN_CONFIRMED], 0, path);
  else if (g_strcmp0 (response, "show") == 0)
    g_signal_emit (self, signals[SHOW_CAMPAIGN], 0, campaign_id_of (dialog));
  else if (g_strcmp0 (response, "resume") == 0)
    g_signal_emit (self, signals[RESUME_CAMPAIGN], 0, campaign_id_of (dialog));
}

static void
ask_before_opening (EpMergeStartPage         *self,
                    const char               *path,
                    const EpMergeInterrupted *item)
{
  g_autofree char *heading = NULL;
  g_autofree char *updated = ep_schedule_time_format (item->updated_at, NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  const char *suggested = NULL;
  GtkWidget *dialog;

  append_identity (body, item);
  if (item->finished)
    {
      heading = g_strdup_printf (_("“%s” Was Sent on %s"), item->name, updated);
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u of %u message was sent. ",
                                                 "%u of %u messages were sent. ", item->total),
                              item->sent, item->total);
    }
  else if (item->sending)
    {
      heading = g_strdup_printf (_("“%s” Is Being Sent"), item->name);
      g_string_append_printf (body, _("%u of %u sent so far. "), item->sent, item->total);
      if (running_here (self, item->id))
        suggested = "show";
      else
        g_string_append (body, _("Another Epistle (epistle-cli or the background service) sends it. "));
    }
  else
    {
      heading = g_strdup_printf (_("“%s” Has an Unfinished Campaign"), item->name);
      g_string_append_printf (body, _("%u of %u not sent yet. Resuming sends only to them. "),
                              item->total - item->sent - item->failed, item->total);
      suggested = "resume";
    }
  g_string_append (body, _("A new campaign from this spreadsheet sends every row again."));

  dialog = adw_message_dialog_new (_ep_merge_parent_window (GTK_WIDGET (self)), heading, body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "open", _("_Open Anyway"));
  if (g_strcmp0 (suggested, "show") == 0)
    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "show", _("_Show Progress"));
  else if (g_strcmp0 (suggested, "resume") == 0)
    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "resume", _("_Resume"));
  if (suggested != NULL)
    adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), suggested,
                                                ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog),
                                           suggested != NULL ? suggested : "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  set_campaign_id (dialog, item->id);
  g_object_set_data_full (G_OBJECT (dialog), "path", g_strdup (path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  EpMergeStartPage *self;
  char             *path;
} OpenCall;

static void
open_call_free (OpenCall *call)
{
  g_object_unref (call->self);
  g_free (call->path);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpenCall, open_call_free)

static void
list_recent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OpenCall) call = user_data;
  EpMergeStartPage *self = call->self;
  const char *path = call->path;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ep_merge_job_list_recent_finish (EP_MERGE_JOB (object), result, &error);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *dir = g_path_get_dirname (path);

  if (self->running_group == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  if (list == NULL)
    g_warning ("Listing recent campaigns: %s", error->message);
  /* Newest first: the one that matters is the first of this file; one
   * not over comes before one sent earlier. */
  for (guint pass = 0; list != NULL && pass < 2; pass++)
    for (guint i = 0; i < list->len; i++)
      {
        const EpMergeInterrupted *item = g_ptr_array_index (list, i);

        if (item->finished == (pass == 0) || g_strcmp0 (item->name, name) != 0 ||
            g_strcmp0 (item->base_dir, dir) != 0)
          continue;
        ask_before_opening (self, path, item);
        return;
      }
  g_signal_emit (self, signals[OPEN_CONFIRMED], 0, path);
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ep_merge_start_page_dispose (GObject *object)
{
  EpMergeStartPage *self = (EpMergeStartPage *)object;
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->list_cancellable);
  g_clear_handle_id (&self->elsewhere_source, g_source_remove);
  if (self->rows != NULL)
    g_ptr_array_set_size (self->rows, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_MERGE_START_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ep_merge_start_page_parent_class)->dispose (object);
}

static void
ep_merge_start_page_finalize (GObject *object)
{
  EpMergeStartPage *self = (EpMergeStartPage *)object;

  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ep_merge_start_page_parent_class)->finalize (object);
}

static void
ep_merge_start_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  EpMergeStartPage *self = EP_MERGE_START_PAGE (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_start_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  EpMergeStartPage *self = EP_MERGE_START_PAGE (object);

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
ep_merge_start_page_class_init (EpMergeStartPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_merge_start_page_dispose;
  object_class->finalize = ep_merge_start_page_finalize;
  object_class->get_property = ep_merge_start_page_get_property;
  object_class->set_property = ep_merge_start_page_set_property;

  properties[PROP_JOB] = g_param_spec_object ("job", NULL, NULL, EP_TYPE_MERGE_JOB,
                                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                              G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The campaign's progress page is wanted; resume this campaign. */
  signals[SHOW_CAMPAIGN] = g_signal_new ("show-campaign", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[RESUME_CAMPAIGN] = g_signal_new ("resume-campaign", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[OPEN_CONFIRMED] = g_signal_new ("open-confirmed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/merge/ep-merge-start-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, EpMergeStartPage, running_group);
  gtk_widget_class_bind_template_child (widget_class, EpMergeStartPage, resume_group);
  gtk_widget_class_bind_template_child (widget_class, EpMergeStartPage, history_group);
}

static void
ep_merge_start_page_init (EpMergeStartPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Each time it is shown: another process may have started, finished
   * or left a campaign meanwhile. */
  g_signal_connect (self, "map", G_CALLBACK (ep_merge_start_page_refresh), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap_cb), NULL);
}

/* ---- public API ------------------------------------------------------------- */

GtkWidget *
ep_merge_start_page_new (EpMergeJob *job)
{
  return g_object_new (EP_TYPE_MERGE_START_PAGE, "job", job, NULL);
}

void
ep_merge_start_page_refresh (EpMergeStartPage *self)
{
  g_return_if_fail (EP_IS_MERGE_START_PAGE (self));

  start_listing (self, list_cb);
}

void
ep_merge_start_page_confirm_open (EpMergeStartPage *self,
                                  const char       *path)
{
  OpenCall *call;

  g_return_if_fail (EP_IS_MERGE_START_PAGE (self));
  g_return_if_fail (path != NULL);

  call = g_new0 (OpenCall, 1);
  call->self = g_object_ref (self);
  call->path = g_strdup (path);
  ep_merge_job_list_recent_async (self->job, g_get_real_time () / G_USEC_PER_SEC - RECENT_SECONDS,
                                  self->cancellable, list_recent_cb, call);
}
