/* ep-preferences-window.c: the accounts list: choose the default, add,
 * edit and remove accounts. The list is rebuilt whenever the context says
 * its accounts changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-preferences-window.h"
#include "ep-account-dialog.h"
#include "ep-encryption-page.h"
#include "widgets/ep-toast.h"

struct _EpPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwPreferencesGroup  *accounts_group;
  GtkWidget            *add_button;
  GtkSpinButton        *undo_delay_spin;
  GtkSwitch            *background_switch;
  GtkSwitch            *hold_late_switch;

  /* Owned */
  EpContext            *context;
  GCancellable         *cancellable;       /* account operations */
  GCancellable         *list_cancellable;  /* the latest listing only */
  GPtrArray            *rows;              /* GtkWidget: what the group shows now */
  GtkWidget            *default_group;     /* never shown: makes even a lone
                                            * "Default" button a radio button */
  GSettings            *settings;


  gboolean              populating;
  GtkWidget            *encryption_page;
};

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (EpPreferencesWindow, ep_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GParamSpec *properties[N_PROPS];

static void reload (EpPreferencesWindow *self);

/* ---- helpers ------------------------------------------------------------ */

/* @title is markup: escape error text (it may hold '<' or '&'). */
static void
toast (EpPreferencesWindow *self,
       const char          *title)
{
  AdwToast *t = adw_toast_new (title);

  /* A newer result replaces a stale one instead of queueing behind it. */
  adw_toast_set_timeout (t, 0);
  ep_toast_show (GTK_WIDGET (self), "preferences", t);
}

static EpAccount *
widget_account (gpointer widget)
{
  return g_object_get_data (G_OBJECT (widget), "ep-account");
}

static void
set_widget_account (gpointer   widget,
                    EpAccount *account)
{
  g_object_set_data_full (G_OBJECT (widget), "ep-account",
                          g_object_ref (account), g_object_unref);
}

static void
clear_rows (EpPreferencesWindow *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->accounts_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_row (EpPreferencesWindow *self,
         GtkWidget           *row)
{
  adw_preferences_group_add (self->accounts_group, row);
  g_ptr_array_add (self->rows, row);
}

/* ---- async callbacks ---------------------------------------------------- */

static void
account_op_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *title = NULL;

  if (!ep_context_account_op_finish (EP_CONTEXT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_warning ("Account operation failed: %s", error->message);
      detail = g_markup_escape_text (error->message, -1);
      /* Translators: %s is the reason */
      title = g_strdup_printf (_("The change was not saved: %s"), detail);
      toast (self, title);
      /* Show what is really stored (e.g. the radio buttons). */
      reload (self);
    }
}

/* ---- signal callbacks --------------------------------------------------- */

static void
on_default_toggled_cb (GtkCheckButton      *button,
                       EpPreferencesWindow *self)
{
  EpAccount *account = widget_account (button);

  if (self->populating || !gtk_check_button_get_active (button) ||
      ep_account_get_is_default (account))
    return;

  ep_context_set_default_account_async (self->context, account, self->cancellable,
                                        account_op_cb, g_object_ref (self));
}

static void
on_edit_clicked_cb (GtkButton           *button,
                    EpPreferencesWindow *self)
{
  EpAccountDialog *dialog = ep_account_dialog_new (GTK_WINDOW (self), self->context,
                                                   widget_account (button));

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_remove_response_cb (AdwMessageDialog    *dialog,
                       const char          *response,
                       EpPreferencesWindow *self)
{
  if (g_strcmp0 (response, "remove") != 0)
    return;

  ep_context_remove_account_async (self->context, widget_account (dialog), self->cancellable,
                                   account_op_cb, g_object_ref (self));
}

static void
on_remove_clicked_cb (GtkButton           *button,
                      EpPreferencesWindow *self)
{
  EpAccount *account = widget_account (button);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove Account?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Remove account “%s”? Its saved password is removed from the keyring too."),
                                  ep_account_get_name (account));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  set_widget_account (dialog, account);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_add_button_clicked_cb (EpPreferencesWindow *self)
{
  EpAccountDialog *dialog = ep_account_dialog_new (GTK_WINDOW (self), self->context, NULL);

  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
icon_button (const char *icon_name,
             const char *label,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                  -1);
  return button;
}

static GtkWidget *
account_row (EpPreferencesWindow *self,
             EpAccount           *account)
{
  const char *name = ep_account_get_name (account);
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", ep_account_get_address (account),
                                               ep_account_get_smtp_host (account));
  /* Translators: %s is an account name */
  g_autofree char *edit_tip = g_strdup_printf (_("Edit “%s”"), name);
  /* Translators: %s is an account name */
  g_autofree char *remove_tip = g_strdup_printf (_("Remove “%s”"), name);
  /* Translators: %s is an account name */
  g_autofree char *default_tip = g_strdup_printf (_("Send new messages from “%s”"), name);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *edit = icon_button ("document-edit-symbolic", _("Edit"), edit_tip);
  GtkWidget *remove = icon_button ("user-trash-symbolic", _("Remove"), remove_tip);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (check, default_tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Default"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, default_tip,
                                  -1);
  gtk_check_button_set_group (GTK_CHECK_BUTTON (check), GTK_CHECK_BUTTON (self->default_group));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), ep_account_get_is_default (account));
  set_widget_account (check, account);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_default_toggled_cb), self, 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

  set_widget_account (edit, account);
  g_signal_connect_object (edit, "clicked", G_CALLBACK (on_edit_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);

  set_widget_account (remove, account);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  return row;
}

static void
populate (EpPreferencesWindow *self,
          GPtrArray           *accounts)
{
  self->populating = TRUE;
  clear_rows (self);

  if (accounts->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Accounts"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Add the account you send mail from."));
      add_row (self, row);
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      add_row (self, account_row (self, g_ptr_array_index (accounts, i)));
    }

  self->populating = FALSE;
}

static void
list_accounts_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EpPreferencesWindow) self = user_data;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *title = NULL;

  accounts = ep_context_list_accounts_finish (EP_CONTEXT (object), result, &error);
  if (accounts == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_warning ("Listing accounts failed: %s", error->message);
      detail = g_markup_escape_text (error->message, -1);
      /* Translators: %s is the reason */
      title = g_strdup_printf (_("Could not read the accounts: %s"), detail);
      toast (self, title);
      return;
    }

  populate (self, accounts);
}

static void
reload (EpPreferencesWindow *self)
{
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();

  ep_context_list_accounts_async (self->context, self->list_cancellable,
                                  list_accounts_cb, g_object_ref (self));
}

static void
on_context_accounts_changed_cb (EpPreferencesWindow *self)
{
  reload (self);
}

/* ---- GObject ------------------------------------------------------------ */

static void
ep_preferences_window_constructed (GObject *object)
{
  EpPreferencesWindow *self = (EpPreferencesWindow *)object;

  G_OBJECT_CLASS (ep_preferences_window_parent_class)->constructed (object);

  g_assert (EP_IS_CONTEXT (self->context));

  g_signal_connect_object (self->context, "accounts-changed",
                           G_CALLBACK (on_context_accounts_changed_cb), self, G_CONNECT_SWAPPED);
  reload (self);

  self->encryption_page = ep_encryption_page_new (self->context);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                              ADW_PREFERENCES_PAGE (self->encryption_page));
}

static void
ep_preferences_window_dispose (GObject *object)
{
  EpPreferencesWindow *self = (EpPreferencesWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->list_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (ep_preferences_window_parent_class)->dispose (object);
}

static void
ep_preferences_window_finalize (GObject *object)
{
  EpPreferencesWindow *self = (EpPreferencesWindow *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->default_group);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ep_preferences_window_parent_class)->finalize (object);
}

static void
ep_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EpPreferencesWindow *self = EP_PREFERENCES_WINDOW (object);

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
ep_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EpPreferencesWindow *self = EP_PREFERENCES_WINDOW (object);

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
ep_preferences_window_class_init (EpPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ep_preferences_window_constructed;
  object_class->dispose = ep_preferences_window_dispose;
  object_class->finalize = ep_preferences_window_finalize;
  object_class->get_property = ep_preferences_window_get_property;
  object_class->set_property = ep_preferences_window_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_PATH "/ui/prefs/ep-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EpPreferencesWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, EpPreferencesWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, EpPreferencesWindow, undo_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, EpPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, EpPreferencesWindow, hold_late_switch);
  gtk_widget_class_bind_template_callback (widget_class, on_add_button_clicked_cb);
}

static void
ep_preferences_window_init (EpPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Named once: GTK 4.8 would also append the button content's label. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->add_button),
                                 GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Add Account…"),
                                  -1);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "undo-send-delay",
                   gtk_spin_button_get_adjustment (self->undo_delay_spin), "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "hold-late-items", self->hold_late_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  self->default_group = g_object_ref_sink (gtk_check_button_new ());
}

EpPreferencesWindow *
ep_preferences_window_new (GtkWindow *parent,
                           EpContext *context)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (EP_IS_CONTEXT (context), NULL);

  return g_object_new (EP_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "context", context,
                       NULL);
}

/* A certificate file opened with Epistle (from Files, or `epistle FILE`):
 * the Encryption page imports it, asking for the password of a .p12. */
void
ep_preferences_window_import_certificate (EpPreferencesWindow *self,
                                          GFile               *file)
{
  g_return_if_fail (EP_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self),
                                           ADW_PREFERENCES_PAGE (self->encryption_page));
  ep_encryption_page_import_file (EP_ENCRYPTION_PAGE (self->encryption_page), file);
}

gboolean
ep_preferences_window_is_certificate_file (GFile *file)
{
  static const char * const extensions[] = {
    ".p12", ".pfx", ".pem", ".crt", ".cer", ".der", ".p7b", ".p7c",
  };
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = name ? g_ascii_strdown (name, -1) : NULL;

  for (guint i = 0; lower != NULL && i < G_N_ELEMENTS (extensions); i++)
    if (g_str_has_suffix (lower, extensions[i]))
      return TRUE;
  return FALSE;
}
