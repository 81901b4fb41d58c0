/* ep-account-dialog.c: add or edit an account
 *
 * The dialog edits a private copy of the account. The password goes from
 * the password row straight to the core (the keyring), never anywhere else.
 * Everything that touches the network, the keyring or the disk runs through
 * the core's async API; callbacks hold a reference to the dialog and bail
 * out on G_IO_ERROR_CANCELLED, which every operation gets once the dialog
 * is disposed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-account-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-account-dialog-private.h"
#include "widgets/ep-a11y.h"
#include "widgets/ep-toast.h"


enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_ACCOUNT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (EpAccountDialog, ep_account_dialog, ADW_TYPE_WINDOW)

static GParamSpec *properties[N_PROPS];

/* ---- helpers ------------------------------------------------------------ */

static char *
dup_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
set_text (AdwEntryRow *row,
          const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
}

static void
set_port (AdwEntryRow *row,
          guint        port)
{
  g_autofree char *text = port ? g_strdup_printf ("%u", port) : NULL;

  set_text (row, text);
}

static gboolean
parse_port (AdwEntryRow *row,
            guint       *port)
{
  g_autofree char *text = dup_text (row);
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;

  *port = (guint) value;
  return TRUE;
}

static void
mark_error (gpointer widget)
{
  gtk_widget_add_css_class (GTK_WIDGET (widget), "error");
}

static void
hide_error (EpAccountDialog *self)
{
  gtk_widget_set_visible (self->error_box, FALSE);
  gtk_label_set_text (self->error_label, "");
}

static void
show_error (EpAccountDialog *self,
            const char      *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (self->error_box, TRUE);
  /* The message sits above the form: bring it into view. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);
}

static guint
provider_index (const EpProvider *provider)
{
  guint n = 0;
  const EpProvider *all = ep_provider_get_all (&n);

  for (guint i = 0; i < n; i++)
    if (&all[i] == provider)
      return i;

  return n - 1;
}

static void
update_provider_note (EpAccountDialog *self)
{
  g_autofree char *text = NULL;
  const EpProvider *p = self->provider;

  if (p == NULL)
    return;

  if (p->note != NULL)
    {
      text = g_strdup (_(p->note));
    }
  else if (p->smtp_host == NULL)
    {
      g_autofree char *address = dup_text (self->address_row);
      const EpProvider *guess = ep_provider_guess_for_address (address);

      if (guess != NULL && guess != p)
        /* Translators: both %s are a provider's name, e.g. "Gmail" */
        text = g_strdup_printf (_("This looks like a %s address: choose %s as the provider to fill in its servers."),
                                _(guess->name), _(guess->name));
      else
        text = g_strdup (_("Enter the servers your provider gives for mail programs below. Its help pages usually list them under “SMTP” and “IMAP”."));
    }

  gtk_label_set_text (self->provider_note, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->provider_note), text != NULL);
}

static gboolean
text_equals (AdwEntryRow *row,
             const char  *value)
{
  g_autofree char *text = dup_text (row);

  return value != NULL && g_strcmp0 (text, value) == 0;
}

/* Fills the server rows from @p. Choosing "Other" never keeps the previous
 * provider's servers: they would be a silent guess. */
static void
apply_provider (EpAccountDialog  *self,
                const EpProvider *p)
{
  const EpProvider *old = self->provider;

  self->provider = p;

  if (!self->loading)
    {
      if (p->smtp_host != NULL)
        {
          adw_combo_row_set_selected (self->smtp_security_row, p->smtp_security);
          set_text (self->smtp_host_row, p->smtp_host);
          set_port (self->smtp_port_row, p->smtp_port);
        }
      else if (old == NULL || text_equals (self->smtp_host_row, old->smtp_host))
        {
          adw_combo_row_set_selected (self->smtp_security_row, p->smtp_security);
          set_text (self->smtp_host_row, NULL);
          set_port (self->smtp_port_row, p->smtp_port);
        }

      if (p->imap_host != NULL)
        {
          adw_combo_row_set_selected (self->imap_security_row, p->imap_security);
          set_text (self->imap_host_row, p->imap_host);
          set_port (self->imap_port_row, p->imap_port);
        }
      else if (old == NULL || text_equals (self->imap_host_row, old->imap_host))
        {
          adw_combo_row_set_selected (self->imap_security_row, p->imap_security);
          set_text (self->imap_host_row, NULL);
          set_port (self->imap_port_row, p->imap_port);
        }
    }

  update_provider_note (self);
}

/* The CA file can be typed or pasted as a path, or chosen with the file
 * chooser; empty means the system's certificates. */
static void
on_ca_file_changed_cb (EpAccountDialog *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ca_file_row))));

  g_free (self->ca_file);
  self->ca_file = *text ? g_steal_pointer (&text) : NULL;
  gtk_widget_set_visible (self->ca_file_clear_button, self->ca_file != NULL);
}

static void
set_ca_file (EpAccountDialog *self,
             const char      *path)
{
  gtk_editable_set_text (GTK_EDITABLE (self->ca_file_row), path ? path : "");
  on_ca_file_changed_cb (self);
}

/* Marks the address row and explains why; @required: empty is an error. */
static gboolean
check_address (EpAccountDialog  *self,
               gboolean          required,
               GError          **error)
{
  g_autofree char *address = dup_text (self->address_row);
  g_autoptr(GError) local_error = NULL;

  if (*address == '\0' && !required)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->address_error), FALSE);
      return TRUE;
    }

  if (*address == '\0')
    g_set_error_literal (&local_error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS,
                         _("Enter the email address you send from."));
  else
    ep_address_validate (address, &local_error);

  if (local_error != NULL)
    {
      mark_error (self->address_row);
      gtk_label_set_text (self->address_error, local_error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->address_error), TRUE);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->address_error), FALSE);
  return TRUE;
}

static EpAccount *
copy_account (EpAccount *account)
{
  g_autoptr(GVariant) dict = ep_account_to_variant (account);

  return ep_account_new_from_variant (dict);
}

/* An account from the form, or NULL with the first problem in @error (and
 * the row concerned marked). @for_probe: only what the connection probe needs. */
EpAccount *
_ep_account_dialog_build_account (EpAccountDialog  *self,
                                  gboolean          for_probe,
                                  GError          **error)
{
  g_autoptr(EpAccount) account = NULL;
  g_autofree char *display_name = dup_text (self->display_name_row);
  g_autofree char *address = dup_text (self->address_row);
  g_autofree char *name = dup_text (self->name_row);
  g_autofree char *username = dup_text (self->username_row);
  g_autofree char *smtp_host = dup_text (self->smtp_host_row);
  g_autofree char *imap_host = dup_text (self->imap_host_row);
  guint smtp_port = 0;
  guint imap_port = 0;

  if (!for_probe && !check_address (self, TRUE, error))
    return NULL;

  if (*smtp_host == '\0')
    {
      mark_error (self->smtp_host_row);
      g_set_error_literal (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                           _("Enter the SMTP server your provider gives for sending mail, for example smtp.example.com."));
      return NULL;
    }

  if (!parse_port (self->smtp_port_row, &smtp_port))
    {
      mark_error (self->smtp_port_row);
      g_set_error_literal (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                           _("The SMTP port must be a number from 1 to 65535."));
      return NULL;
    }

  if (*imap_host != '\0' && !parse_port (self->imap_port_row, &imap_port))
    {
      mark_error (self->imap_port_row);
      g_set_error_literal (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                           _("The IMAP port must be a number from 1 to 65535."));
      return NULL;
    }

  if (*name == '\0')
    {
      g_free (name);
      name = g_strdup (*address ? address : smtp_host);
    }

  account = self->account ? copy_account (self->account) : ep_account_new (name);
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->signature_view);
    GtkTextIter start, end;
    g_autofree char *signature = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    signature = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
    g_object_set (account, "signature", *signature != '\0' ? signature : NULL, NULL);
  }
  g_object_set (account,
                "name", name,
                "display-name", display_name,
                "address", address,
                "smtp-host", smtp_host,
                "smtp-port", smtp_port,
                "smtp-security", adw_combo_row_get_selected (self->smtp_security_row),
                "imap-host", imap_host,
                "imap-port", imap_port,
                "imap-security", adw_combo_row_get_selected (self->imap_security_row),
                /* Empty or the address: log in with the address. */
                "username", g_strcmp0 (username, address) == 0 ? NULL : username,
                "preset", self->provider ? self->provider->id : "generic",
                "ca-file", NULL,
                NULL);

  /* Validate without the CA file: checking that it exists touches the disk,
   * which the core does again in its worker when saving. */
  if (!for_probe && !ep_account_validate (account, error))
    return NULL;

  g_object_set (account, "ca-file", self->ca_file, NULL);

  return g_steal_pointer (&account);
}

static void
set_saving (EpAccountDialog *self,
            gboolean         saving)
{
  self->saving = !!saving;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), !saving);
  gtk_widget_set_visible (GTK_WIDGET (self->save_spinner), saving);
  gtk_spinner_set_spinning (self->save_spinner, saving);
}

/* ---- signal callbacks --------------------------------------------------- */

static void
on_field_changed_cb (GtkEditable     *editable,
                     EpAccountDialog *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
}

static void
on_address_row_changed_cb (EpAccountDialog *self,
                           GtkEditable     *editable)
{
  g_autofree char *address = dup_text (self->address_row);

  /* Account Name and User Name follow the address until someone types
   * something else into them. */
  if (!self->loading)
    {
      if (gtk_editable_get_text (GTK_EDITABLE (self->name_row))[0] == '\0' ||
          text_equals (self->name_row, self->last_address))
        set_text (self->name_row, address);
      if (gtk_editable_get_text (GTK_EDITABLE (self->username_row))[0] == '\0' ||
          text_equals (self->username_row, self->last_address))
        set_text (self->username_row, address);
    }

  g_free (self->last_address);
  self->last_address = g_steal_pointer (&address);

  /* Clear a shown error as soon as the address is fixed; new errors wait
   * until the row loses focus, not at every keystroke. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->address_error)))
    check_address (self, FALSE, NULL);

  update_provider_note (self);
}

static void
on_address_focus_leave_cb (EpAccountDialog *self)
{
  /* Focus also leaves while the dialog is being destroyed. */
  if (self->address_row == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  check_address (self, FALSE, NULL);
}

static void
on_provider_row_selected_cb (EpAccountDialog *self)
{
  guint n = 0;
  const EpProvider *all = ep_provider_get_all (&n);
  guint selected = adw_combo_row_get_selected (self->provider_row);

  if (selected < n)
    apply_provider (self, &all[selected]);
}

/* Moves a port that was the usual one for the old security to the usual
 * one for the new. */
static void
follow_security (EpAccountDialog *self,
                 AdwEntryRow     *port_row,
                 EpSecurity      *previous,
                 EpSecurity       current,
                 const guint      usual[3])
{
  guint port = 0;

  if (!self->loading && current <= EP_SECURITY_NONE && *previous <= EP_SECURITY_NONE &&
      parse_port (port_row, &port) && port == usual[*previous])
    set_port (port_row, usual[current]);

  *previous = current;
}

static void
on_security_row_changed_cb (EpAccountDialog *self)
{
  static const guint smtp_ports[3] = { 465, 587, 587 };
  static const guint imap_ports[3] = { 993, 143, 143 };
  guint smtp = adw_combo_row_get_selected (self->smtp_security_row);
  guint imap = adw_combo_row_get_selected (self->imap_security_row);

  follow_security (self, self->smtp_port_row, &self->smtp_security, smtp, smtp_ports);
  follow_security (self, self->imap_port_row, &self->imap_security, imap, imap_ports);

  gtk_widget_set_visible (self->smtp_security_warning, smtp == EP_SECURITY_NONE);
  gtk_widget_set_visible (self->imap_security_warning, imap == EP_SECURITY_NONE);
}

static void
on_ca_chooser_response_cb (GtkNativeDialog *native,
                           int              response,
                           EpAccountDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        set_ca_file (self, path);
      else
        ep_toast_show_text (GTK_WIDGET (self->toast_overlay), "account",
                            _("Choose a file on this computer"));
    }

  g_clear_object (&self->ca_chooser);
}

static void
on_ca_file_button_clicked_cb (EpAccountDialog *self)
{
  GtkFileFilter *filter;

  if (self->ca_chooser != NULL)
    return;

  self->ca_chooser = gtk_file_chooser_native_new (_("Choose CA File"), GTK_WINDOW (self),
                                                  GTK_FILE_CHOOSER_ACTION_OPEN,
                                                  _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->ca_chooser), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.cer");
  gtk_file_filter_add_mime_type (filter, "application/x-pem-file");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_chooser), filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All Files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_chooser), filter);
  g_object_unref (filter);

  g_signal_connect_object (self->ca_chooser, "response",
                           G_CALLBACK (on_ca_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->ca_chooser));
}

static void
on_ca_file_clear_clicked_cb (EpAccountDialog *self)
{
  set_ca_file (self, NULL);
}

static void
save_account_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EpAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ep_context_account_op_finish (EP_CONTEXT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_debug ("Saving the account failed: %s", error->message);
      set_saving (self, FALSE);
      show_error (self, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_save_button_clicked_cb (EpAccountDialog *self)
{
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *password;

  if (self->saving)
    return;

  hide_error (self);

  account = _ep_account_dialog_build_account (self, FALSE, &error);
  if (account == NULL)
    {
      /* An address problem is explained right under its row. */
      if (error->domain == EP_MAIL_ERROR)
        gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
      else
        show_error (self, error->message);
      return;
    }

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (*password == '\0')
    password = NULL;

  set_saving (self, TRUE);

  if (self->account != NULL)
    ep_context_update_account_async (self->context, account, password, self->cancellable,
                                     save_account_cb, g_object_ref (self));
  else
    ep_context_add_account_async (self->context, account, password, self->cancellable,
                                  save_account_cb, g_object_ref (self));
}

/* ---- GObject ------------------------------------------------------------ */

static void
load_account (EpAccountDialog *self,
              EpAccount       *account)
{
  const EpProvider *provider = ep_provider_lookup (ep_account_get_preset (account));
  const char *username = ep_account_get_username (account);
  guint imap_port = ep_account_get_imap_port (account);
  GtkEditable *delegate;

  if (provider == NULL)
    provider = ep_provider_lookup ("generic");

  self->loading = TRUE;

  adw_combo_row_set_selected (self->provider_row, provider_index (provider));
  apply_provider (self, provider);

  set_text (self->display_name_row, ep_account_get_display_name (account));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->signature_view),
                            ep_account_get_signature (account) ? ep_account_get_signature (account) : "", -1);
  set_text (self->address_row, ep_account_get_address (account));
  set_text (self->name_row, ep_account_get_name (account));
  set_text (self->username_row, username ? username : ep_account_get_address (account));
  set_text (self->smtp_host_row, ep_account_get_smtp_host (account));
  set_port (self->smtp_port_row, ep_account_get_smtp_port (account));
  adw_combo_row_set_selected (self->smtp_security_row, ep_account_get_smtp_security (account));
  set_text (self->imap_host_row, ep_account_get_imap_host (account));
  set_port (self->imap_port_row, imap_port ? imap_port : 993);
  adw_combo_row_set_selected (self->imap_security_row, ep_account_get_imap_security (account));
  set_ca_file (self, ep_account_get_ca_file (account));

  self->smtp_security = ep_account_get_smtp_security (account);
  self->imap_security = ep_account_get_imap_security (account);
  self->loading = FALSE;

  on_security_row_changed_cb (self);
  update_provider_note (self);

  gtk_window_set_title (GTK_WINDOW (self), _("Edit Account"));
  gtk_button_set_label (self->save_button, _("_Save"));
  ep_a11y_name_button (GTK_WIDGET (self->save_button), _("Save"));

  delegate = gtk_editable_get_delegate (GTK_EDITABLE (self->password_row));
  if (GTK_IS_TEXT (delegate))
    gtk_text_set_placeholder_text (GTK_TEXT (delegate), _("Unchanged"));
  gtk_label_set_text (self->password_hint,
                      _("Leave the password empty to keep the saved one. It is kept in your keyring, never in a file."));
}

static void
ep_account_dialog_constructed (GObject *object)
{
  EpAccountDialog *self = (EpAccountDialog *)object;

  G_OBJECT_CLASS (ep_account_dialog_parent_class)->constructed (object);

  g_assert (EP_IS_CONTEXT (self->context));

  if (self->account != NULL)
    {
      load_account (self, self->account);
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->password_row));
    }
  else
    {
      const EpProvider *generic = ep_provider_lookup ("generic");

      adw_combo_row_set_selected (self->provider_row, provider_index (generic));
      apply_provider (self, generic);
      self->smtp_security = adw_combo_row_get_selected (self->smtp_security_row);
      self->imap_security = adw_combo_row_get_selected (self->imap_security_row);
      on_security_row_changed_cb (self);
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->display_name_row));
    }
}

static void
ep_account_dialog_dispose (GObject *object)
{
  EpAccountDialog *self = (EpAccountDialog *)object;

  g_cancellable_cancel (self->cancellable);

  if (self->ca_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->ca_chooser));
      g_clear_object (&self->ca_chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_ACCOUNT_DIALOG);

  g_clear_object (&self->context);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (ep_account_dialog_parent_class)->dispose (object);
}

static void
ep_account_dialog_finalize (GObject *object)
{
  EpAccountDialog *self = (EpAccountDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pending_imap, ep_server_config_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->last_address, g_free);
  g_string_free (self->probe_report, TRUE);

  G_OBJECT_CLASS (ep_account_dialog_parent_class)->finalize (object);
}

static void
ep_account_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EpAccountDialog *self = EP_ACCOUNT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_account_dialog_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  EpAccountDialog *self = EP_ACCOUNT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_account_dialog_class_init (EpAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ep_account_dialog_constructed;
  object_class->dispose = ep_account_dialog_dispose;
  object_class->finalize = ep_account_dialog_finalize;
  object_class->get_property = ep_account_dialog_get_property;
  object_class->set_property = ep_account_dialog_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, EP_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_PATH "/ui/prefs/ep-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, provider_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, provider_note);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, signature_view);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, address_error);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, password_hint);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, smtp_host_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, smtp_port_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, smtp_security_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, smtp_security_warning);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, imap_host_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, imap_port_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, imap_security_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, imap_security_warning);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, ca_file_row);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, ca_file_clear_button);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, test_button);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, test_result_icon);
  gtk_widget_class_bind_template_child (widget_class, EpAccountDialog, test_result_label);

  gtk_widget_class_bind_template_callback (widget_class, on_save_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_address_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_security_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ca_file_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ca_file_clear_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ca_file_changed_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_test_button_clicked_cb",
                                                G_CALLBACK (_ep_account_dialog_start_probe));

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ep_account_dialog_init (EpAccountDialog *self)
{
  g_autoptr(GtkStringList) providers = gtk_string_list_new (NULL);
  GtkEventController *focus;
  const EpProvider *all;
  guint n = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->probe_report = g_string_new (NULL);

  all = ep_provider_get_all (&n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (providers, _(all[i].name));

  self->loading = TRUE;
  adw_combo_row_set_model (self->provider_row, G_LIST_MODEL (providers));
  self->loading = FALSE;
  g_signal_connect_object (self->provider_row, "notify::selected",
                           G_CALLBACK (on_provider_row_selected_cb), self, G_CONNECT_SWAPPED);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (on_address_focus_leave_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->address_row), focus);

  ep_a11y_name_button (GTK_WIDGET (self->cancel_button), _("Cancel"));
  ep_a11y_name_button (GTK_WIDGET (self->save_button), _("Add"));
  ep_a11y_name_button (GTK_WIDGET (self->test_button), _("Test Connection"));

  set_ca_file (self, NULL);
}

EpAccountDialog *
ep_account_dialog_new (GtkWindow *parent,
                       EpContext *context,
                       EpAccount *account)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (EP_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (!account || EP_IS_ACCOUNT (account), NULL);

  return g_object_new (EP_TYPE_ACCOUNT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "context", context,
                       "account", account,
                       NULL);
}
