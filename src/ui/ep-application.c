/* ep-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-application.h"
#include "ep-background.h"
#include "ep-window.h"
#include "prefs/ep-preferences-window.h"

struct _EpApplication
{
  AdwApplication  parent_instance;
  EpContext      *context;
  GError         *context_error;
  GHashTable     *campaigns;   /* gint64 id → EpOutboxTask */
  gboolean        holding;     /* while the outbox has work */
  guint           inhibit_cookie;  /* the session does not end unasked meanwhile */
  EpBackground   *background;  /* scheduled mail */
};

G_DEFINE_FINAL_TYPE (EpApplication, ep_application, ADW_TYPE_APPLICATION)

static void
on_about_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  EpApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "The Epistle developers", NULL };

  adw_show_about_window (window,
                         "application-name", _("Epistle"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Epistle developers"),
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Send mail that matters, from your own account"),
                         NULL);
}

static void
on_preferences_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  EpApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  EpPreferencesWindow *prefs;

  if (self->context == NULL)
    return;

  prefs = ep_preferences_window_new (window, self->context);
  gtk_window_present (GTK_WINDOW (prefs));
}

static gboolean any_window_visible (EpApplication *self);

static gpointer
ref_window (gconstpointer window,
            gpointer      unused)
{
  return g_object_ref ((gpointer) window);
}

static gboolean
close_windows_idle (gpointer data)
{
  GtkApplication *app = data;
  GList *windows = g_list_copy_deep (gtk_application_get_windows (app), ref_window, NULL);

  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);
  return G_SOURCE_REMOVE;
}

static void
quit_response (AdwMessageDialog *dialog,
               const char       *response,
               EpApplication    *self)
{
  if (g_strcmp0 (response, "quit") == 0)
    {
      /* The journal keeps what was not sent; at most what is on the wire
       * now is sent again, reported, on resume. */
      g_application_quit (G_APPLICATION (self));
      return;
    }
  /* Keep sending: the windows go (once this dialog has closed: it is
   * transient for them), the outbox keeps the application. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_windows_idle, g_object_ref (self), g_object_unref);
}

/* The quit dialog's text: each campaign it asks about, as far as it is
 * now (it goes on sending while the dialog is open), then what quitting
 * means. */
static char *
quit_body (GPtrArray *tasks)
{
  g_autoptr(GString) body = g_string_new (NULL);

  for (guint i = 0; i < tasks->len; i++)
    {
      EpOutboxTask *task = g_ptr_array_index (tasks, i);
      const EpCampaignProgress *p = ep_outbox_task_get_progress (task);

      if (i > 0)
        g_string_append (body, "\n");
      /* TRANSLATORS: "“Kunden.xlsx”: 12 of 37 sent" */
      g_string_append_printf (body, _("“%s”: %u of %u sent"), ep_outbox_task_get_name (task),
                              p->sent, p->total);
    }
  g_string_append (body, "\n\n");
  g_string_append (body, _("Epistle can finish in the background with its windows closed. If it "
                           "quits now, what is not sent stays in the outbox and can be resumed; a "
                           "message on its way at this moment may be sent again then."));
  return g_string_free (g_steal_pointer (&body), FALSE);
}

static void
on_quit_dialog_progress_cb (AdwMessageDialog *dialog)
{
  GPtrArray *tasks = g_object_get_data (G_OBJECT (dialog), "tasks");
  g_autofree char *body = quit_body (tasks);

  adw_message_dialog_set_body (dialog, body);
}

/* Quit (Ctrl+Q, the menu) while mail is going asks first, and the safe
 * answer (go on in the background) is the default and what Escape does. */
static void
on_quit_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  EpApplication *self = EP_APPLICATION (user_data);
  EpOutbox *outbox = self->context != NULL ? ep_context_get_outbox (self->context) : NULL;
  GListModel *tasks = outbox != NULL ? ep_outbox_get_tasks (outbox) : NULL;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  for (guint i = 0; tasks != NULL && i < g_list_model_get_n_items (tasks); i++)
    {
      g_autoptr(EpOutboxTask) task = g_list_model_get_item (tasks, i);

      if (ep_outbox_task_get_running (task))
        g_ptr_array_add (running, g_steal_pointer (&task));
    }
  /* The focus may be elsewhere (another application, a dialog that just
   * went): any window of ours that shows will do to ask on. */
  if (parent == NULL || !gtk_widget_get_visible (GTK_WIDGET (parent)))
    for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
      if (gtk_widget_get_visible (l->data))
        {
          parent = l->data;
          break;
        }
  if (running->len == 0 || parent == NULL || !any_window_visible (self))
    {
      g_application_quit (G_APPLICATION (self));
      return;
    }

  body = quit_body (running);
  dialog = adw_message_dialog_new (parent, _("Stop Sending and Quit?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "quit", _("Stop and _Quit"),
                                    "background", _("_Keep Sending in the Background"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "quit",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "background",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "background");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "background");
  /* The counts follow the sending while the dialog is open. */
  for (guint i = 0; i < running->len; i++)
    g_signal_connect_object (g_ptr_array_index (running, i), "progress",
                             G_CALLBACK (on_quit_dialog_progress_cb), dialog, G_CONNECT_SWAPPED);
  g_object_set_data_full (G_OBJECT (dialog), "tasks", g_steal_pointer (&running),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (quit_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* epistle-cli scheduled, rescheduled or cancelled something (over D-Bus). */
static void
on_rescan_outbox_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  EpApplication *self = EP_APPLICATION (user_data);

  /* The scheduler and the Scheduled pane both look again. */
  if (self->context != NULL)
    ep_outbox_notify_changed (ep_context_get_outbox (self->context));
}

/* A notification about scheduled mail: the window, on its Scheduled pane. */
static void
on_show_scheduled_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  /* The window's pane follows this setting. */
  g_settings_set_string (settings, "last-pane", "scheduled");
  g_application_activate (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", on_about_action },
  { "preferences", on_preferences_action },
  { "quit", on_quit_action },
  { "rescan-outbox", on_rescan_outbox_action },
  { "show-scheduled", on_show_scheduled_action },
};

static void on_task_finished_cb (EpOutboxTask  *task,
                                 EpApplication *self);

/* The outbox keeps the application alive while it has work, so closing
 * the window never stops a campaign or a message waiting to go. */
static void
on_outbox_busy_cb (EpOutbox      *outbox,
                   GParamSpec    *pspec,
                   EpApplication *self)
{
  gboolean busy = ep_outbox_get_busy (outbox);

  if (busy && !self->holding)
    g_application_hold (G_APPLICATION (self));
  else if (!busy && self->holding)
    g_application_release (G_APPLICATION (self));
  self->holding = busy;

  /* Logging out or shutting down while mail goes: the session asks first
   * (its dialog names Epistle and why), and query-end brings up ours. */
  if (busy && self->inhibit_cookie == 0)
    self->inhibit_cookie = gtk_application_inhibit (GTK_APPLICATION (self),
                                                    gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                    GTK_APPLICATION_INHIBIT_LOGOUT,
                                                    _("Epistle is sending mail"));
  else if (!busy && self->inhibit_cookie != 0)
    {
      gtk_application_uninhibit (GTK_APPLICATION (self), self->inhibit_cookie);
      self->inhibit_cookie = 0;
    }
}

/* The session is ending: the same question as Quit, while mail goes. */
static void
on_query_end_cb (GtkApplication *app,
                 EpApplication  *self)
{
  if (self->holding)
    g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
}

static void
on_outbox_tasks_changed_cb (GListModel    *tasks,
                            guint          position,
                            guint          removed,
                            guint          added,
                            EpApplication *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(EpOutboxTask) task = g_list_model_get_item (tasks, i);

      if (g_object_get_data (G_OBJECT (task), "ep-application-watched") == NULL)
        {
          g_object_set_data (G_OBJECT (task), "ep-application-watched", GINT_TO_POINTER (1));
          g_signal_connect_object (task, "finished", G_CALLBACK (on_task_finished_cb), self, 0);
        }
    }
}

static void
resume_messages_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EpApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  int n = ep_outbox_resume_messages_finish (EP_OUTBOX (object), result, &error);

  if (n < 0)
    g_warning ("Could not read the outbox: %s", error->message);
  else if (n > 0)
    g_info ("%d message(s) left in the outbox by an earlier run are being sent", n);
}

static void
ep_application_startup (GApplication *app)
{
  EpApplication *self = EP_APPLICATION (app);
  EpOutbox *outbox;
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (ep_application_parent_class)->startup (app);

  g_signal_connect (self, "query-end", G_CALLBACK (on_query_end_cb), self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", help_accels);

  /* Opening the store is quick (a local SQLite file); failures are shown
   * in the window rather than silently ignored. */
  self->context = ep_context_new (NULL, &self->context_error);
  if (self->context == NULL)
    {
      g_warning ("Could not open the Epistle database: %s", self->context_error->message);
      return;
    }

  outbox = ep_context_get_outbox (self->context);
  g_signal_connect_object (outbox, "notify::busy", G_CALLBACK (on_outbox_busy_cb), self, 0);
  g_signal_connect_object (ep_outbox_get_tasks (outbox), "items-changed",
                           G_CALLBACK (on_outbox_tasks_changed_cb), self, 0);
  /* Whatever an earlier run left in the outbox goes now; scheduled mail
   * at its time, or now if it came due while Epistle was not running. */
  ep_outbox_resume_messages_async (outbox, NULL, resume_messages_cb, g_object_ref (self));
  self->background = ep_background_new (app, outbox);
}

static void
ep_application_activate (GApplication *app)
{
  EpApplication *self = EP_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (ep_window_new (self, self->context, self->context_error));

  gtk_window_present (window);
}

/* "Open With Epistle" / `epistle FILE…`: a spreadsheet opens in the merge
 * wizard, a certificate is imported into the key vault; other files are
 * attached to the message being composed. */
static void
ep_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  GtkWindow *window;

  ep_application_activate (app);
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (EP_IS_WINDOW (window))
    ep_window_open_files (EP_WINDOW (window), files, n_files);
}

static void
ep_application_dispose (GObject *object)
{
  EpApplication *self = (EpApplication *)object;

  g_clear_pointer (&self->campaigns, g_hash_table_unref);
  g_clear_object (&self->background);
  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (ep_context_get_outbox (self->context), self);
  g_clear_object (&self->context);
  g_clear_error (&self->context_error);

  G_OBJECT_CLASS (ep_application_parent_class)->dispose (object);
}

static void
ep_application_class_init (EpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ep_application_dispose;
  app_class->startup = ep_application_startup;
  app_class->activate = ep_application_activate;
  app_class->open = ep_application_open;
}

static void
ep_application_init (EpApplication *self)
{
  self->campaigns = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

static gboolean
release_later (gpointer data)
{
  EpApplication *self = data;
  gboolean visible = FALSE;

  /* Nothing to show and nothing to send: end, even if a hidden dialog (a
   * file chooser that was used earlier) is still around to keep us. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (gtk_widget_get_visible (l->data))
      visible = TRUE;

  g_application_release (G_APPLICATION (self));
  /* Not while scheduled mail waits: quit would override its hold. */
  if (!visible && (self->context == NULL || !ep_outbox_get_busy (ep_context_get_outbox (self->context))) &&
      (self->background == NULL || !ep_background_is_holding (self->background)))
    g_application_quit (G_APPLICATION (self));

  return G_SOURCE_REMOVE;
}

static gboolean
any_window_visible (EpApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (gtk_widget_get_visible (l->data))
      return TRUE;
  return FALSE;
}

/* A single message whose Compose pane is gone (the window was closed, or
 * it was left in the outbox by an earlier run). */
static void
notify_message (EpOutboxTask  *task,
                EpApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = g_strdup_printf ("message-%" G_GINT64_FORMAT, ep_outbox_task_get_id (task));
  g_autofree char *title = NULL;
  const char *name = ep_outbox_task_get_name (task);
  EpRecipientState state = ep_outbox_task_get_last_state (task);

  if (ep_outbox_task_get_end (task) == EP_CAMPAIGN_END_FINISHED && state == EP_RECIPIENT_SENT)
    title = g_strdup_printf (_("Message “%s” Sent"), name);
  else if (ep_outbox_task_get_end (task) == EP_CAMPAIGN_END_CANCELLED)
    return;
  else
    title = g_strdup_printf (_("Message “%s” Not Sent"), name);

  notification = g_notification_new (title);
  if (ep_outbox_task_get_last_reply (task) != NULL || ep_outbox_task_get_reason (task) != NULL)
    g_notification_set_body (notification, ep_outbox_task_get_reason (task)
                                           ? ep_outbox_task_get_reason (task)
                                           : ep_outbox_task_get_last_reply (task));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* Says how a campaign ended, also (and mostly) when no window shows it. */
static void
on_task_finished_cb (EpOutboxTask  *task,
                     EpApplication *self)
{
  const EpCampaignProgress *p = ep_outbox_task_get_progress (task);
  EpCampaignEnd end = ep_outbox_task_get_end (task);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = g_strdup_printf ("campaign-%" G_GINT64_FORMAT, ep_outbox_task_get_id (task));
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  if (ep_outbox_task_get_kind (task) == EP_CAMPAIGN_KIND_MESSAGE)
    {
      /* While a window shows Compose, Compose says it. */
      if (!any_window_visible (self))
        {
          notify_message (task, self);
          g_application_hold (G_APPLICATION (self));
          g_timeout_add_seconds (2, release_later, self);
        }
      return;
    }

  if (end == EP_CAMPAIGN_END_PAUSED)
    return;  /* the person asked for it */

  if (end == EP_CAMPAIGN_END_FINISHED)
    {
      title = g_strdup_printf (_("“%s” Sent"), ep_outbox_task_get_name (task));
      body = g_strdup_printf (_("%u of %u messages sent, %u failed."), p->sent, p->total, p->failed);
    }
  else if (end == EP_CAMPAIGN_END_LATER)
    {
      title = g_strdup_printf (_("“%s”: Today’s Share Sent"), ep_outbox_task_get_name (task));
      body = g_strdup_printf (_("%u of %u messages sent. %s"), p->sent, p->total,
                              ep_outbox_task_get_reason (task) ? ep_outbox_task_get_reason (task) : "");
    }
  else if (end == EP_CAMPAIGN_END_CANCELLED)
    {
      title = g_strdup_printf (_("“%s” Cancelled"), ep_outbox_task_get_name (task));
      body = g_strdup_printf (_("%u of %u messages were sent."), p->sent, p->total);
    }
  else
    {
      title = g_strdup_printf (_("“%s” Paused"), ep_outbox_task_get_name (task));
      body = g_strdup_printf ("%s%s%s", ep_campaign_end_describe (end),
                              ep_outbox_task_get_reason (task) ? ": " : "",
                              ep_outbox_task_get_reason (task) ? ep_outbox_task_get_reason (task) : "");
    }

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (G_APPLICATION (self), id, notification);

  /* With no window left the application ends when the campaign does; give
   * the notification a moment to leave first. */
  g_application_hold (G_APPLICATION (self));
  g_timeout_add_seconds (2, release_later, self);
}

/* The task of campaign @id, kept for the application's lifetime so every
 * window sees the same one (borrowed). */
EpOutboxTask *
ep_application_get_campaign (EpApplication  *self,
                             gint64          id,
                             GError        **error)
{
  EpOutboxTask *task;

  g_return_val_if_fail (EP_IS_APPLICATION (self), NULL);

  task = g_hash_table_lookup (self->campaigns, &id);
  if (task != NULL)
    return task;

  task = ep_outbox_open_task (ep_context_get_outbox (self->context), id, error);
  if (task == NULL)
    return NULL;

  g_hash_table_insert (self->campaigns, g_memdup2 (&id, sizeof id), task);

  return task;
}

gboolean
ep_application_is_campaign_running (EpApplication *self,
                                    gint64         id)
{
  EpOutboxTask *task = g_hash_table_lookup (self->campaigns, &id);

  return task != NULL && ep_outbox_task_get_running (task);
}

EpApplication *
ep_application_new (void)
{
  return g_object_new (EP_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", APP_PATH,
                       /* query-end, when the session is about to end */
                       "register-session", TRUE,
                       NULL);
}

EpScheduler *
ep_application_get_scheduler (EpApplication *self)
{
  g_return_val_if_fail (EP_IS_APPLICATION (self), NULL);
  return self->background ? ep_background_get_scheduler (self->background) : NULL;
}

void
ep_application_window_closed (EpApplication *self)
{
  g_return_if_fail (EP_IS_APPLICATION (self));
  if (self->background != NULL)
    ep_background_window_closed (self->background);
}

EpContext *
ep_application_get_context (EpApplication *self)
{
  g_return_val_if_fail (EP_IS_APPLICATION (self), NULL);
  return self->context;
}
