/* ep-encryption-page-files.c: the Encryption page's imports and exports:
 * your certificate from and to PKCS #12 with a password, contacts'
 * certificates from PEM, DER or PKCS #7
 *
 * The import dialog stays open on a wrong password: AdwMessageDialog closes
 * itself on any response, so its close is refused (a "close-request"
 * handler run after the class handler) until a response other than Import
 * lets it go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-encryption-page"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-encryption-page-private.h"

#define MAY_CLOSE_KEY "ep-may-close"

/* ---- helpers ------------------------------------------------------------ */

static gboolean
on_keep_open_close_request_cb (GtkWindow *dialog,
                               gpointer   user_data)
{
  return g_object_get_data (G_OBJECT (dialog), MAY_CLOSE_KEY) == NULL;
}

static void
keep_open (GtkWidget *dialog)
{
  g_signal_connect_after (dialog, "close-request",
                          G_CALLBACK (on_keep_open_close_request_cb), NULL);
}

static void
close_dialog (GtkWidget *dialog)
{
  g_object_set_data (G_OBJECT (dialog), MAY_CLOSE_KEY, GINT_TO_POINTER (TRUE));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
on_password_dialog_unrealize_cb (GtkWindow *dialog)
{
  gtk_window_set_focus (dialog, NULL);
}

/* libadwaita 1.2's AdwPasswordEntryRow never disconnects from its text's
 * "notify::has-focus": when the window that still has the text focused
 * goes, the text loses the focus after the row is gone, and the handler
 * crashes (gtk_editable_get_delegate on the freed row). So the focus goes
 * first, however the dialog closes. */
static void
guard_password_focus (GtkWidget *dialog)
{
  g_signal_connect (dialog, "unrealize", G_CALLBACK (on_password_dialog_unrealize_cb), NULL);
}

static GtkWidget *
password_row (const char *title)
{
  GtkWidget *row = adw_password_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
  return row;
}

static GtkFileChooserNative *
file_chooser (EpEncryptionPage     *self,
              const char           *title,
              GtkFileChooserAction  action,
              const char           *accept_label)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, _ep_encryption_page_window (self), action,
                                         accept_label, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  return chooser;
}

static void
add_filter (GtkFileChooserNative *chooser,
            const char           *name,
            const char * const   *patterns,
            const char * const   *mime_types)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  for (guint i = 0; mime_types != NULL && mime_types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (filter, mime_types[i]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
}

static void
add_all_files_filter (GtkFileChooserNative *chooser)
{
  static const char * const all[] = { "*", NULL };

  add_filter (chooser, _("All Files"), all, NULL);
}

static char *
file_display_name (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);

  return g_filename_display_name (basename != NULL ? basename : "?");
}

/* ---- export ------------------------------------------------------------- */

typedef struct
{
  char *fingerprint;
  char *subject;
  char *password;   /* wiped when freed */
} ExportData;

static void
export_data_free (ExportData *data)
{
  if (data->password != NULL)
    explicit_bzero (data->password, strlen (data->password));
  g_free (data->password);
  g_free (data->fingerprint);
  g_free (data->subject);
  g_free (data);
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EpEncryptionPending) pending = user_data;
  g_autoptr(EpVaultOpResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  done = _ep_encryption_page_run_finish (result, &error);
  if (done == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_encryption_page_toast_error (pending->self, _("Could not export the certificate"),
                                         error);
      return;
    }

  /* Translators: %s is a file name */
  text = g_strdup_printf (_("Exported to “%s”"), pending->name);
  _ep_encryption_page_toast (pending->self, text);
}

static void
on_export_chooser_response_cb (GtkNativeDialog  *chooser,
                               int               response,
                               EpEncryptionPage *self)
{
  ExportData *data = g_object_get_data (G_OBJECT (chooser), "ep-export");
  g_autoptr(GFile) file = NULL;
  g_autofree char *name = NULL;
  EpVaultOp *op;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    {
      name = file_display_name (file);
      op = _ep_encryption_page_op_new (self, EP_VAULT_OP_EXPORT);
      op->fingerprint = g_strdup (data->fingerprint);
      op->password = g_strdup (data->password);
      op->file = g_steal_pointer (&file);
      _ep_encryption_page_run (self, op, export_cb,
                               _ep_encryption_pending_new (self, NULL, name));
    }
  g_object_unref (chooser);
}

static void
on_export_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       EpEncryptionPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "ep-password");
  ExportData *data;
  GtkFileChooserNative *chooser;
  g_autofree char *file_name = NULL;

  if (g_strcmp0 (response, "export") != 0)
    return;

  data = g_new0 (ExportData, 1);
  data->fingerprint = g_strdup (g_object_get_data (G_OBJECT (dialog), "ep-fingerprint"));
  data->subject = g_strdup (g_object_get_data (G_OBJECT (dialog), "ep-subject"));
  data->password = g_strdup (gtk_editable_get_text (entry));

  /* Translators: the file name offered when exporting; %s is the certificate's name */
  file_name = g_strdup_printf (_("%s.p12"), data->subject);
  g_strdelimit (file_name, "/\\", '-');

  chooser = file_chooser (self, _("Export Your Certificate"), GTK_FILE_CHOOSER_ACTION_SAVE,
                          _("_Export"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  g_object_set_data_full (G_OBJECT (chooser), "ep-export", data,
                          (GDestroyNotify) export_data_free);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_chooser_response_cb),
                           self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_export_password_changed_cb (GtkEditable      *editable,
                               AdwMessageDialog *dialog)
{
  GtkEditable *first = g_object_get_data (G_OBJECT (dialog), "ep-password");
  GtkEditable *second = g_object_get_data (G_OBJECT (dialog), "ep-confirm");
  GtkWidget *mismatch = g_object_get_data (G_OBJECT (dialog), "ep-mismatch");
  const char *a = gtk_editable_get_text (first);
  const char *b = gtk_editable_get_text (second);
  gboolean same = g_strcmp0 (a, b) == 0;

  gtk_widget_set_visible (mismatch, *b != '\0' && !same);
  adw_message_dialog_set_response_enabled (dialog, "export", *a != '\0' && same);
}

void
_ep_encryption_page_export (EpEncryptionPage *self,
                            const EpCertInfo *info)
{
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = _ep_encryption_boxed_list ();
  GtkWidget *first = password_row (_("Password"));
  GtkWidget *second = password_row (_("Confirm Password"));
  GtkWidget *mismatch = _ep_encryption_wrapped_label (_("The passwords are not the same."),
                                                      "error");

  dialog = _ep_encryption_message_dialog (self, _("Export Your Certificate"),
                                          _("The file holds your private key. Choose a password "
                                            "to protect it: it is asked for when the file is "
                                            "imported."));
  guard_password_focus (dialog);
  gtk_list_box_append (GTK_LIST_BOX (list), first);
  gtk_list_box_append (GTK_LIST_BOX (list), second);
  gtk_box_append (GTK_BOX (box), list);
  gtk_widget_set_visible (mismatch, FALSE);
  gtk_box_append (GTK_BOX (box), mismatch);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  g_object_set_data_full (G_OBJECT (dialog), "ep-fingerprint", g_strdup (info->fingerprint),
                          g_free);
  g_object_set_data_full (G_OBJECT (dialog), "ep-subject", g_strdup (info->subject), g_free);
  g_object_set_data (G_OBJECT (dialog), "ep-password", first);
  g_object_set_data (G_OBJECT (dialog), "ep-confirm", second);
  g_object_set_data (G_OBJECT (dialog), "ep-mismatch", mismatch);
  g_signal_connect (first, "changed", G_CALLBACK (on_export_password_changed_cb), dialog);
  g_signal_connect (second, "changed", G_CALLBACK (on_export_password_changed_cb), dialog);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "export", _("_Export…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "export",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "export", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "export");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_export_response_cb), self, 0);
  gtk_window_set_focus (GTK_WINDOW (dialog), first);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- import your certificate -------------------------------------------- */

static void
import_identity_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EpEncryptionPending) pending = user_data;
  g_autoptr(GtkWidget) dialog = g_weak_ref_get (&pending->dialog);
  g_autoptr(EpVaultOpResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  done = _ep_encryption_page_run_finish (result, &error);
  if (done == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (done == NULL && dialog != NULL &&
      g_error_matches (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD))
    {
      GtkWidget *entry = g_object_get_data (G_OBJECT (dialog), "ep-password");
      GtkWidget *label = g_object_get_data (G_OBJECT (dialog), "ep-error");

      g_debug ("Importing your certificate: %s", error->message);
      gtk_label_set_text (GTK_LABEL (label), error->message);
      gtk_widget_set_visible (label, TRUE);
      adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "import", TRUE);
      g_object_set_data (G_OBJECT (dialog), "ep-busy", NULL);
      gtk_widget_grab_focus (entry);
      gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
      return;
    }

  if (dialog != NULL)
    close_dialog (dialog);

  if (done == NULL)
    {
      /* Translators: %s is a file name */
      text = g_strdup_printf (_("Could not import “%s”"), pending->name);
      _ep_encryption_page_toast_error (pending->self, text, error);
      return;
    }

  /* Translators: %s is a certificate's name */
  text = g_strdup_printf (_("Imported your certificate “%s”"), done->info->subject);
  _ep_encryption_page_toast (pending->self, text);
  _ep_encryption_page_reload (pending->self);
}

static void
on_import_identity_response_cb (AdwMessageDialog *dialog,
                                const char       *response,
                                EpEncryptionPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "ep-password");
  GFile *file = g_object_get_data (G_OBJECT (dialog), "ep-file");
  g_autofree char *name = NULL;
  EpVaultOp *op;

  if (g_strcmp0 (response, "import") != 0)
    {
      close_dialog (GTK_WIDGET (dialog));
      return;
    }
  if (g_object_get_data (G_OBJECT (dialog), "ep-busy") != NULL)
    return;

  g_object_set_data (G_OBJECT (dialog), "ep-busy", GINT_TO_POINTER (TRUE));
  adw_message_dialog_set_response_enabled (dialog, "import", FALSE);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (dialog), "ep-error"), FALSE);

  name = file_display_name (file);
  op = _ep_encryption_page_op_new (self, EP_VAULT_OP_IMPORT_IDENTITY);
  op->file = g_object_ref (file);
  op->password = g_strdup (gtk_editable_get_text (entry));
  _ep_encryption_page_run (self, op, import_identity_cb,
                           _ep_encryption_pending_new (self, GTK_WIDGET (dialog), name));
}

static void
ask_import_password (EpEncryptionPage *self,
                     GFile            *file)
{
  g_autofree char *name = file_display_name (file);
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = _ep_encryption_boxed_list ();
  GtkWidget *entry = password_row (_("Password"));
  GtkWidget *error = _ep_encryption_wrapped_label (NULL, "error");

  /* Translators: %s is a file name */
  body = g_strdup_printf (_("Enter the password that protects “%s”."), name);
  dialog = _ep_encryption_message_dialog (self, _("Import Your Certificate"), body);
  keep_open (dialog);
  guard_password_focus (dialog);

  gtk_list_box_append (GTK_LIST_BOX (list), entry);
  gtk_box_append (GTK_BOX (box), list);
  gtk_widget_set_visible (error, FALSE);
  gtk_label_set_selectable (GTK_LABEL (error), TRUE);
  gtk_box_append (GTK_BOX (box), error);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  g_object_set_data_full (G_OBJECT (dialog), "ep-file", g_object_ref (file), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "ep-password", entry);
  g_object_set_data (G_OBJECT (dialog), "ep-error", error);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "import", _("_Import"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "import");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_import_identity_response_cb),
                           self, 0);
  gtk_window_set_focus (GTK_WINDOW (dialog), entry);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_import_identity_chooser_response_cb (GtkNativeDialog  *chooser,
                                        int               response,
                                        EpEncryptionPage *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    ask_import_password (self, file);
  g_object_unref (chooser);
}

void
_ep_encryption_page_import_identity (EpEncryptionPage *self)
{
  static const char * const patterns[] = { "*.p12", "*.pfx", "*.P12", "*.PFX", NULL };
  static const char * const mime_types[] = { "application/x-pkcs12", NULL };
  GtkFileChooserNative *chooser;

  chooser = file_chooser (self, _("Import Your Certificate"), GTK_FILE_CHOOSER_ACTION_OPEN,
                          _("_Open"));
  add_filter (chooser, _("Certificates with Key (.p12, .pfx)"), patterns, mime_types);
  add_all_files_filter (chooser);
  g_signal_connect_object (chooser, "response",
                           G_CALLBACK (on_import_identity_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- import contacts' certificates -------------------------------------- */

static void
import_certs_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EpEncryptionPending) pending = user_data;
  g_autoptr(EpVaultOpResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n;

  done = _ep_encryption_page_run_finish (result, &error);
  if (done == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Translators: %s is a file name */
          text = g_strdup_printf (_("Could not import “%s”"), pending->name);
          _ep_encryption_page_toast_error (pending->self, text, error);
        }
      return;
    }

  n = done->certs->len;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u certificate",
                                       "Imported %u certificates", n), n);
  _ep_encryption_page_toast (pending->self, text);
  _ep_encryption_page_reload (pending->self);
}

static void
on_import_certs_chooser_response_cb (GtkNativeDialog  *chooser,
                                     int               response,
                                     EpEncryptionPage *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *name = NULL;
  EpVaultOp *op;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    {
      name = file_display_name (file);
      op = _ep_encryption_page_op_new (self, EP_VAULT_OP_IMPORT_CERTS);
      op->file = g_steal_pointer (&file);
      _ep_encryption_page_run (self, op, import_certs_cb,
                               _ep_encryption_pending_new (self, NULL, name));
    }
  g_object_unref (chooser);
}

void
_ep_encryption_page_import_certificates (EpEncryptionPage *self)
{
  static const char * const patterns[] = {
    "*.pem", "*.crt", "*.cer", "*.p7b", "*.p7c",
    "*.PEM", "*.CRT", "*.CER", "*.P7B", "*.P7C", NULL
  };
  static const char * const mime_types[] = {
    "application/x-x509-ca-cert", "application/pkix-cert", "application/x-pem-file",
    "application/x-pkcs7-certificates", "application/pkcs7-mime", NULL
  };
  GtkFileChooserNative *chooser;

  chooser = file_chooser (self, _("Import Contacts’ Certificates"), GTK_FILE_CHOOSER_ACTION_OPEN,
                          _("_Open"));
  add_filter (chooser, _("Certificates (.pem, .crt, .cer, .p7b, .p7c)"), patterns, mime_types);
  add_all_files_filter (chooser);
  g_signal_connect_object (chooser, "response",
                           G_CALLBACK (on_import_certs_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- a file opened with Epistle ----------------------------------------- */

void
ep_encryption_page_import_file (EpEncryptionPage *self,
                                GFile            *file)
{
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *lower = g_ascii_strdown (base ? base : "", -1);
  g_autofree char *name = file_display_name (file);
  EpVaultOp *op;

  g_return_if_fail (EP_IS_ENCRYPTION_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  /* A certificate with its key asks for its password; one without goes
   * to the contacts' certificates. */
  if (g_str_has_suffix (lower, ".p12") || g_str_has_suffix (lower, ".pfx"))
    {
      ask_import_password (self, file);
      return;
    }
  op = _ep_encryption_page_op_new (self, EP_VAULT_OP_IMPORT_CERTS);
  op->file = g_object_ref (file);
  _ep_encryption_page_run (self, op, import_certs_cb,
                           _ep_encryption_pending_new (self, NULL, name));
}
