/* ep-password-dialog.c: asks for an account's password again (after the
 * server refused the saved one) and stores it in the keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-password-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-password-dialog.h"
#include "widgets/ep-a11y.h"

struct _EpPasswordDialog
{
  AdwWindow     parent_instance;

  /* Template widgets */
  GtkWidget    *cancel_button;
  GtkWidget    *save_button;
  GtkSpinner   *spinner;
  GtkLabel     *heading_label;
  GtkLabel     *reason_label;
  GtkLabel     *hint_label;
  AdwEntryRow  *password_row;
  GtkLabel     *error_label;

  /* Owned */
  EpContext    *context;
  EpAccount    *account;
  char         *reason;
  GCancellable *cancellable;

  gboolean      saving;
};

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_ACCOUNT,
  PROP_REASON,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (EpPasswordDialog, ep_password_dialog, ADW_TYPE_WINDOW)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
update_save_button (EpPasswordDialog *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  gtk_widget_set_sensitive (self->save_button, !self->saving && *password != '\0');
}

static void
set_saving (EpPasswordDialog *self,
            gboolean          saving)
{
  self->saving = saving;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), saving);
  gtk_spinner_set_spinning (self->spinner, saving);
  update_save_button (self);
}

static void
store_secret_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EpPasswordDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ep_context_account_op_finish (EP_CONTEXT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_debug ("Storing the password failed: %s", error->message);
      set_saving (self, FALSE);
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_save_button_clicked_cb (EpPasswordDialog *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (self->saving || *password == '\0')
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  set_saving (self, TRUE);
  ep_context_store_secret_async (self->context, self->account, password, self->cancellable,
                                 store_secret_cb, g_object_ref (self));
}

static void
on_password_row_changed_cb (EpPasswordDialog *self)
{
  update_save_button (self);
}

static void
ep_password_dialog_constructed (GObject *object)
{
  EpPasswordDialog *self = (EpPasswordDialog *)object;
  const EpProvider *provider;
  g_autofree char *heading = NULL;

  G_OBJECT_CLASS (ep_password_dialog_parent_class)->constructed (object);

  g_assert (EP_IS_CONTEXT (self->context));
  g_assert (EP_IS_ACCOUNT (self->account));

  /* Translators: %s is an account name, %s an email address */
  heading = g_strdup_printf (_("Enter the password for “%s” (%s)"),
                             ep_account_get_name (self->account),
                             ep_account_get_login (self->account));
  gtk_label_set_text (self->heading_label, heading);

  if (self->reason != NULL && *self->reason != '\0')
    {
      gtk_label_set_text (self->reason_label, self->reason);
      gtk_widget_set_visible (GTK_WIDGET (self->reason_label), TRUE);
    }

  provider = ep_provider_lookup (ep_account_get_preset (self->account));
  if (provider != NULL && provider->note != NULL)
    gtk_label_set_text (self->hint_label, _(provider->note));
  else
    gtk_label_set_text (self->hint_label,
                        _("Many providers need an app password here rather than the password you sign in with on the web. It is kept in your keyring."));

  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->password_row));
}

static void
ep_password_dialog_dispose (GObject *object)
{
  EpPasswordDialog *self = (EpPasswordDialog *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_PASSWORD_DIALOG);
  g_clear_object (&self->context);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (ep_password_dialog_parent_class)->dispose (object);
}

static void
ep_password_dialog_finalize (GObject *object)
{
  EpPasswordDialog *self = (EpPasswordDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reason, g_free);

  G_OBJECT_CLASS (ep_password_dialog_parent_class)->finalize (object);
}

static void
ep_password_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EpPasswordDialog *self = EP_PASSWORD_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_password_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EpPasswordDialog *self = EP_PASSWORD_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;

    case PROP_REASON:
      self->reason = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_password_dialog_class_init (EpPasswordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = ep_password_dialog_constructed;
  object_class->dispose = ep_password_dialog_dispose;
  object_class->finalize = ep_password_dialog_finalize;
  object_class->get_property = ep_password_dialog_get_property;
  object_class->set_property = ep_password_dialog_set_property;

  properties[PROP_CONTEXT] = g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT, flags);
  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, EP_TYPE_ACCOUNT, flags);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EpPasswordDialog::saved:
   *
   * The new password is in the keyring. The dialog closes right after.
   */
  signals[SAVED] = g_signal_new ("saved",
                                 G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 0);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_PATH "/ui/prefs/ep-password-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EpPasswordDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EpPasswordDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, EpPasswordDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, EpPasswordDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, EpPasswordDialog, reason_label);
  gtk_widget_class_bind_template_child (widget_class, EpPasswordDialog, hint_label);
  gtk_widget_class_bind_template_child (widget_class, EpPasswordDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, EpPasswordDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_save_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_password_row_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ep_password_dialog_init (EpPasswordDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  ep_a11y_name_button (GTK_WIDGET (self->cancel_button), _("Cancel"));
  ep_a11y_name_button (GTK_WIDGET (self->save_button), _("Save"));
}

EpPasswordDialog *
ep_password_dialog_new (GtkWindow  *parent,
                        EpContext  *context,
                        EpAccount  *account,
                        const char *reason)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (EP_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (EP_IS_ACCOUNT (account), NULL);

  return g_object_new (EP_TYPE_PASSWORD_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "context", context,
                       "account", account,
                       "reason", reason,
                       NULL);
}
