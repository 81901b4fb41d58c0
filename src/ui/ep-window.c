/* ep-window.c: the main window
 *
 * A welcome page until an account exists; then the panes (only Compose is
 * built so far; Merge, Scheduled and Inbox join the view stack when their
 * issues build them). Files dropped on the window are attached.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-log-window.h"
#include "ep-window.h"
#include "merge/ep-merge-wizard.h"
#include "scheduled/ep-scheduled-page.h"
#include "compose/ep-compose-page.h"
#include "inbox/ep-inbox-page.h"
#include "prefs/ep-account-dialog.h"
#include "prefs/ep-preferences-window.h"
#include "widgets/ep-a11y.h"
#include "widgets/ep-toast.h"

struct _EpWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwStatusPage        *welcome_page;
  AdwViewStack         *view_stack;
  GtkBox               *compose_box;
  GtkWidget            *add_account_button;

  /* owned */
  EpContext            *context;
  GSettings            *settings;
  GCancellable         *cancellable;

  /* borrowed */
  EpComposePage        *compose_page;
  GtkBox               *merge_box;
  EpMergeWizard        *merge_page;
  GtkBox               *scheduled_box;
  EpScheduledPage      *scheduled_page;
  GtkBox               *inbox_box;
  EpInboxPage          *inbox_page;
};

G_DEFINE_FINAL_TYPE (EpWindow, ep_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
list_accounts_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EpWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = ep_context_list_accounts_finish (EP_CONTEXT (object), result, &error);

  if (accounts == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_title (self->welcome_page, _("Epistle Cannot Read Its Accounts"));
      adw_status_page_set_description (self->welcome_page, error->message);
      gtk_stack_set_visible_child_name (self->main_stack, "welcome");
      return;
    }

  if (self->merge_page != NULL)
    ep_merge_wizard_set_accounts (self->merge_page, accounts);
  if (self->scheduled_page != NULL)
    ep_scheduled_page_set_accounts (self->scheduled_page, accounts);
  if (self->inbox_page != NULL)
    ep_inbox_page_set_accounts (self->inbox_page, accounts);
  gtk_stack_set_visible_child_name (self->main_stack, accounts->len > 0 ? "main" : "welcome");
}

static void
refresh_accounts (EpWindow *self)
{
  ep_context_list_accounts_async (self->context, self->cancellable, list_accounts_cb,
                                  g_object_ref (self));
}

static void
win_add_account_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  EpWindow *self = EP_WINDOW (widget);
  EpAccountDialog *dialog;

  if (self->context == NULL)
    return;

  dialog = ep_account_dialog_new (GTK_WINDOW (self), self->context, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
win_show_log_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EpWindow *self = EP_WINDOW (widget);
  EpLogWindow *log;

  if (self->context == NULL)
    return;

  log = ep_log_window_new (GTK_WINDOW (self), ep_context_get_protocol_log (self->context));
  gtk_window_present (GTK_WINDOW (log));
}

static gboolean
on_drop_cb (GtkDropTarget *target,
            const GValue  *value,
            double         x,
            double         y,
            EpWindow      *self)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (self->compose_page == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  ep_window_open_files (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

static gboolean
ep_window_close_request (GtkWindow *window)
{
  EpWindow *self = EP_WINDOW (window);

  /* A pending draft save starts now; the application stays alive (held)
   * until it is on disk. */
  if (self->compose_page != NULL)
    ep_compose_page_save_now (self->compose_page);
  if (EP_IS_APPLICATION (gtk_window_get_application (window)))
    ep_application_window_closed (EP_APPLICATION (gtk_window_get_application (window)));

  return GTK_WINDOW_CLASS (ep_window_parent_class)->close_request (window);
}

static void
take_back_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EpWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) draft = ep_outbox_take_back_finish (EP_OUTBOX (object), result, &error);

  if (draft == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ep_toast_show_text (GTK_WIDGET (self->toast_overlay), "scheduled", error->message);
      return;
    }
  if (self->compose_page == NULL)
    return;
  if (!ep_compose_page_is_empty (self->compose_page))
    {
      /* Written into meanwhile: nothing is mixed; it waits with the drafts. */
      ep_toast_show_text (GTK_WIDGET (self->toast_overlay), "scheduled",
                          _("It is no longer scheduled and was kept as a draft"));
      return;
    }
  ep_compose_page_edit (self->compose_page, draft);
  adw_view_stack_set_visible_child_name (self->view_stack, "compose");
  /* Compose's own kind: it replaces the stale "Scheduled for …". */
  ep_toast_show_text (GTK_WIDGET (self->compose_page), "compose",
                      _("Back in Compose; it is no longer scheduled"));
}

static void
on_edit_requested (EpScheduledPage *page,
                   gint64           id,
                   EpWindow        *self)
{
  if (self->compose_page == NULL)
    return;
  /* Never over what the person is writing. */
  if (!ep_compose_page_is_empty (self->compose_page))
    {
      ep_toast_show_text (GTK_WIDGET (self->toast_overlay), "scheduled",
                          _("Compose holds another message: send or clear it first, then Edit"));
      return;
    }
  ep_outbox_take_back_async (ep_context_get_outbox (self->context), id, self->cancellable,
                             take_back_cb, g_object_ref (self));
}

static void
on_compose_requested (EpInboxPage *page,
                      EpDraft     *draft,
                      EpWindow    *self)
{
  if (self->compose_page == NULL)
    return;
  /* Never over what the person is writing. */
  if (!ep_compose_page_is_empty (self->compose_page))
    {
      ep_toast_show_text (GTK_WIDGET (self->toast_overlay), "inbox-reply",
                          _("Compose holds another message: send or clear it first"));
      return;
    }
  ep_compose_page_reply (self->compose_page, draft);
  adw_view_stack_set_visible_child_name (self->view_stack, "compose");
}

static void
on_unread_changed (EpWindow *self)
{
  AdwViewStackPage *page = adw_view_stack_get_page (self->view_stack, GTK_WIDGET (self->inbox_box));
  guint unread = ep_inbox_page_get_unread (self->inbox_page);

  adw_view_stack_page_set_badge_number (page, unread);
  adw_view_stack_page_set_needs_attention (page, unread > 0);
}

static void
on_new_mail (EpInbox     *inbox,
             const char  *account_uid,
             guint        count,
             EpWindow    *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autofree char *body = NULL;

  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self)))
    return;

  /* The newest unread Inbox message says who; encrypted mail only that. */
  folders = ep_store_inbox_folders (ep_context_get_store (self->context), account_uid, NULL);
  for (guint i = 0; folders != NULL && i < folders->len && body == NULL; i++)
    {
      EpInboxFolder *f = g_ptr_array_index (folders, i);
      g_autoptr(GArray) ids = NULL;

      if (g_strcmp0 (f->special_use, "\\Inbox") != 0)
        continue;
      ids = ep_store_inbox_list (ep_context_get_store (self->context), f->id, NULL, NULL);
      for (guint j = 0; ids != NULL && j < ids->len && body == NULL; j++)
        {
          g_autoptr(EpInboxSummary) s = ep_store_inbox_lookup (ep_context_get_store (self->context),
                                                               g_array_index (ids, gint64, j), NULL);
          const char *who;

          if (s == NULL || (s->state & EP_INBOX_SEEN))
            continue;
          who = s->from_name && *s->from_name ? s->from_name : s->from_address ? s->from_address : _("someone");
          body = s->encrypted ? g_strdup_printf (_("Encrypted message from %s"), who)
                              : g_strdup_printf (_("From %s: %s"), who, s->subject ? s->subject : "");
        }
    }

  {
    g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u New Message",
                                                           "%u New Messages", count), count);

    notification = g_notification_new (title);
  }
  if (body != NULL)
    g_notification_set_body (notification, body);
  g_application_send_notification (app, "new-mail", notification);
}

static void
ep_window_constructed (GObject *object)
{
  EpWindow *self = (EpWindow *)object;

  G_OBJECT_CLASS (ep_window_parent_class)->constructed (object);

  if (self->context == NULL)
    return;

  self->compose_page = g_object_new (EP_TYPE_COMPOSE_PAGE,
                                     "context", self->context,
                                     "vexpand", TRUE,
                                     NULL);
  gtk_box_append (self->compose_box, GTK_WIDGET (self->compose_page));

  self->merge_page = g_object_new (EP_TYPE_MERGE_WIZARD,
                                   "context", self->context,
                                   "vexpand", TRUE,
                                   NULL);
  gtk_box_append (self->merge_box, GTK_WIDGET (self->merge_page));

  self->scheduled_page = ep_scheduled_page_new (self->context);
  gtk_widget_set_vexpand (GTK_WIDGET (self->scheduled_page), TRUE);
  gtk_box_append (self->scheduled_box, GTK_WIDGET (self->scheduled_page));
  g_signal_connect_object (self->scheduled_page, "edit-requested", G_CALLBACK (on_edit_requested), self, 0);

  self->inbox_page = ep_inbox_page_new (self->context);
  gtk_widget_set_vexpand (GTK_WIDGET (self->inbox_page), TRUE);
  gtk_box_append (self->inbox_box, GTK_WIDGET (self->inbox_page));
  g_signal_connect_object (self->inbox_page, "compose-requested", G_CALLBACK (on_compose_requested), self, 0);
  g_signal_connect_object (self->inbox_page, "notify::unread", G_CALLBACK (on_unread_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ep_context_get_inbox (self->context), "new-mail", G_CALLBACK (on_new_mail), self, 0);

  g_signal_connect_object (self->context, "accounts-changed", G_CALLBACK (refresh_accounts),
                           self, G_CONNECT_SWAPPED);
  refresh_accounts (self);
}

static void
ep_window_dispose (GObject *object)
{
  EpWindow *self = (EpWindow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_WINDOW);
  self->compose_page = NULL;
  self->merge_page = NULL;
  self->scheduled_page = NULL;
  self->inbox_page = NULL;
  g_clear_object (&self->context);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ep_window_parent_class)->dispose (object);
}

static void
ep_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EpWindow *self = EP_WINDOW (object);

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
ep_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  EpWindow *self = EP_WINDOW (object);

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
win_show_pane_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  EpWindow *self = EP_WINDOW (widget);
  const char *pane = g_variant_get_string (param, NULL);

  /* Only once there is an account: before, the welcome page is all. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "main") == 0 &&
      adw_view_stack_get_child_by_name (self->view_stack, pane) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, pane);
}

static void
win_new_message_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  EpWindow *self = EP_WINDOW (widget);

  if (self->compose_page == NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "main") != 0)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "compose");
  ep_compose_page_start_new (self->compose_page);
}

static void
win_show_help_overlay_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *overlay;

  /* Built when asked for and destroyed when closed, not GtkApplication's
   * help overlay, which stays a hidden window for the window's life: GTK
   * 4.8's accessibility root answers a child index past its shown windows
   * with its last window, and a window never shown has no object path, so
   * a screen reader asking while a dialog closes crashed the app. */
  builder = gtk_builder_new_from_resource (APP_PATH "/ui/help-overlay.ui");
  overlay = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
  gtk_window_set_transient_for (overlay, GTK_WINDOW (widget));
  gtk_window_present (overlay);
}

static void
ep_window_class_init (EpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ep_window_constructed;
  object_class->dispose = ep_window_dispose;
  object_class->get_property = ep_window_get_property;
  object_class->set_property = ep_window_set_property;
  window_class->close_request = ep_window_close_request;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EP_TYPE_COMPOSE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/window/ep-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EpWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, EpWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, EpWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, EpWindow, scheduled_box);
  gtk_widget_class_bind_template_child (widget_class, EpWindow, inbox_box);
  gtk_widget_class_bind_template_child (widget_class, EpWindow, merge_box);
  gtk_widget_class_bind_template_child (widget_class, EpWindow, compose_box);
  gtk_widget_class_bind_template_child (widget_class, EpWindow, add_account_button);

  gtk_widget_class_install_action (widget_class, "win.add-account", NULL, win_add_account_action);
  gtk_widget_class_install_action (widget_class, "win.show-log", NULL, win_show_log_action);
  gtk_widget_class_install_action (widget_class, "win.show-help-overlay", NULL,
                                   win_show_help_overlay_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.show-log", NULL);
  gtk_widget_class_install_action (widget_class, "win.new-message", NULL, win_new_message_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-message", NULL);
  /* Alt+1…4: the panes, in the order of the view switcher. */
  gtk_widget_class_install_action (widget_class, "win.show-pane", "s", win_show_pane_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-pane", "s", "compose");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-pane", "s", "merge");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-pane", "s", "scheduled");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.show-pane", "s", "inbox");
}

static void
ep_window_init (EpWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  ep_a11y_name_button (self->add_account_button, _("Add Account"));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "last-pane", self->view_stack, "visible-child-name",
                   G_SETTINGS_BIND_DEFAULT);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

EpWindow *
ep_window_new (EpApplication *application,
               EpContext     *context,
               const GError  *context_error)
{
  EpWindow *self = g_object_new (EP_TYPE_WINDOW,
                                 "application", application,
                                 "context", context,
                                 NULL);

  if (context == NULL)
    {
      adw_status_page_set_icon_name (self->welcome_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->welcome_page, _("Epistle Cannot Open Its Data"));
      adw_status_page_set_description (self->welcome_page,
                                       context_error ? context_error->message : NULL);
      gtk_widget_set_visible (adw_status_page_get_child (self->welcome_page), FALSE);
      gtk_stack_set_visible_child_name (self->main_stack, "welcome");
    }

  return self;
}

static void
attach_files (EpWindow  *self,
              GFile    **files,
              int        n_files)
{
  GSList *list = NULL;

  if (self->compose_page == NULL)
    return;

  for (int i = n_files - 1; i >= 0; i--)
    list = g_slist_prepend (list, files[i]);
  ep_compose_page_add_files (self->compose_page, list);
  g_slist_free (list);
  adw_view_stack_set_visible_child_name (self->view_stack, "compose");
}

/* Spreadsheets go to the merge wizard (the first one; a merge reads one
 * file), anything else is attached to the message being composed. */
void
ep_window_open_files (EpWindow  *self,
                      GFile    **files,
                      int        n_files)
{
  g_autoptr(GPtrArray) attach = g_ptr_array_new ();
  GFile *spreadsheet = NULL;

  g_return_if_fail (EP_IS_WINDOW (self));

  for (int i = 0; i < n_files; i++)
    {
      if (spreadsheet == NULL && ep_merge_wizard_is_spreadsheet (files[i]))
        spreadsheet = files[i];
      else if (ep_preferences_window_is_certificate_file (files[i]) && self->context != NULL)
        {
          /* A certificate: into the key vault (Preferences, Encryption). */
          EpPreferencesWindow *prefs = ep_preferences_window_new (GTK_WINDOW (self), self->context);

          gtk_window_present (GTK_WINDOW (prefs));
          ep_preferences_window_import_certificate (prefs, files[i]);
        }
      else
        g_ptr_array_add (attach, files[i]);
    }

  if (attach->len > 0)
    attach_files (self, (GFile **) attach->pdata, attach->len);

  if (spreadsheet != NULL && self->merge_page != NULL)
    {
      ep_merge_wizard_open_file (self->merge_page, spreadsheet);
      adw_view_stack_set_visible_child_name (self->view_stack, "merge");
    }
}
