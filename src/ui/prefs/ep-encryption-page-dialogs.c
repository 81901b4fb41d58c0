/* ep-encryption-page-dialogs.c: what the Encryption page asks before a
 * change (details, removing, accepting, creating your certificate), and
 * the helpers its dialogs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-encryption-page"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-encryption-page-private.h"

/* ---- shared ------------------------------------------------------------- */

EpEncryptionPending *
_ep_encryption_pending_new (EpEncryptionPage *self,
                            GtkWidget        *dialog,
                            const char       *name)
{
  EpEncryptionPending *pending = g_new0 (EpEncryptionPending, 1);

  pending->self = g_object_ref (self);
  g_weak_ref_init (&pending->dialog, dialog);
  pending->name = g_strdup (name);
  return pending;
}

void
_ep_encryption_pending_free (EpEncryptionPending *pending)
{
  g_object_unref (pending->self);
  g_weak_ref_clear (&pending->dialog);
  g_free (pending->name);
  g_free (pending);
}

GtkWidget *
_ep_encryption_message_dialog (EpEncryptionPage *self,
                               const char       *heading,
                               const char       *body)
{
  GtkWidget *dialog = adw_message_dialog_new (_ep_encryption_page_window (self), heading, body);

  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  return dialog;
}

GtkWidget *
_ep_encryption_boxed_list (void)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  return list;
}

GtkWidget *
_ep_encryption_wrapped_label (const char *text,
                              const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* "AB:CD:…", eight groups a line, so two copies are easy to compare. */
static char *
fingerprint_lines (const char *fingerprint)
{
  g_autofree char *text = ep_cert_format_fingerprint (fingerprint);
  guint colons = 0;

  for (char *p = text; *p != '\0'; p++)
    if (*p == ':' && ++colons % 8 == 0)
      *p = '\n';
  return g_steal_pointer (&text);
}

static GtkWidget *
fingerprint_label (const char *fingerprint)
{
  g_autofree char *text = fingerprint_lines (fingerprint);
  GtkWidget *label = _ep_encryption_wrapped_label (text, "monospace");

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.5);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Fingerprint (SHA-256)"),
                                  -1);
  return label;
}

static void
add_field (GtkWidget  *box,
           const char *caption,
           GtkWidget  *value)
{
  gtk_box_append (GTK_BOX (box), _ep_encryption_wrapped_label (caption, "caption-heading"));
  gtk_box_append (GTK_BOX (box), value);
}

static GtkWidget *
value_label (const char *text)
{
  GtkWidget *label = _ep_encryption_wrapped_label (text, NULL);

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_bottom (label, 6);
  return label;
}

/* ---- details ------------------------------------------------------------ */

void
_ep_encryption_page_show_details (EpEncryptionPage *self,
                                  const EpCertInfo *info)
{
  g_autofree char *addresses = g_strjoinv ("\n", info->addresses);
  g_autofree char *from = _ep_encryption_format_date (info->not_before);
  g_autofree char *until = _ep_encryption_format_date (info->not_after);
  g_autofree char *problem = ep_cert_info_describe_problem (info);
  g_autofree char *status = NULL;
  g_autofree char *issuer = NULL;
  GString *usage = g_string_new (NULL);
  GtkWidget *dialog = _ep_encryption_message_dialog (self, info->subject, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);

  if (info->can_sign)
    g_string_append (usage, _("Can sign"));
  if (info->can_encrypt)
    g_string_append_printf (usage, "%s%s", usage->len > 0 ? "\n" : "", _("Can encrypt"));
  if (usage->len == 0)
    g_string_append (usage, _("Cannot sign or encrypt mail"));

  /* Translators: %s says what is wrong, e.g. "it expired on 3 Mar 2026" */
  status = problem != NULL ? g_strdup_printf (_("Not usable: %s"), problem)
                           : g_strdup (info->trusted && info->self_signed
                                       ? _("Usable: accepted by you")
                                       : _("Usable"));
  /* Translators: %s is the issuer's name */
  issuer = info->self_signed ? g_strdup_printf (_("%s (itself)"), info->issuer)
                             : g_strdup (info->issuer);

  if (*addresses != '\0')
    add_field (box, _("Mail Addresses"), value_label (addresses));
  add_field (box, _("Issued By"), value_label (issuer));
  add_field (box, _("Valid From"), value_label (from));
  add_field (box, _("Valid Until"), value_label (until));
  add_field (box, _("Use"), value_label (usage->str));
  add_field (box, _("Status"), value_label (status));
  add_field (box, _("Fingerprint (SHA-256)"), fingerprint_label (info->fingerprint));
  g_string_free (usage, TRUE);

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- simple changes: remove, accept ------------------------------------- */

static void
change_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EpEncryptionPending) pending = user_data;
  g_autoptr(EpVaultOpResult) done = NULL;
  g_autoptr(GError) error = NULL;

  done = _ep_encryption_page_run_finish (result, &error);
  if (done == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_encryption_page_toast_error (pending->self, _("The change was not saved"), error);
      return;
    }

  /* pending->name is the toast that says it is done */
  _ep_encryption_page_toast (pending->self, pending->name);
  _ep_encryption_page_reload (pending->self);
}

static void
on_change_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       EpEncryptionPage *self)
{
  EpVaultOp *op;

  if (g_strcmp0 (response, "remove") == 0)
    op = _ep_encryption_page_op_new (self, EP_VAULT_OP_REMOVE);
  else if (g_strcmp0 (response, "accept") == 0)
    {
      op = _ep_encryption_page_op_new (self, EP_VAULT_OP_SET_TRUSTED);
      op->trusted = TRUE;
    }
  else
    return;

  op->fingerprint = g_strdup (g_object_get_data (G_OBJECT (dialog), "ep-fingerprint"));
  _ep_encryption_page_run (self, op, change_cb,
                           _ep_encryption_pending_new (self, NULL,
                                                       g_object_get_data (G_OBJECT (dialog),
                                                                          "ep-done")));
}

/* @done: the toast once it is done (consumed) */
static GtkWidget *
change_dialog (EpEncryptionPage *self,
               const EpCertInfo *info,
               const char       *heading,
               const char       *body,
               char             *done)
{
  GtkWidget *dialog = _ep_encryption_message_dialog (self, heading, body);

  g_object_set_data_full (G_OBJECT (dialog), "ep-fingerprint", g_strdup (info->fingerprint),
                          g_free);
  g_object_set_data_full (G_OBJECT (dialog), "ep-done", done, g_free);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_change_response_cb), self, 0);
  return dialog;
}

void
_ep_encryption_page_remove (EpEncryptionPage *self,
                            const EpCertInfo *info)
{
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (info->is_identity)
    /* Translators: %s is a certificate's name */
    body = g_strdup_printf (_("“%s” and its private key are removed from the key vault. Mail "
                              "encrypted to this certificate can no longer be read, unless you "
                              "exported it and import it again."), info->subject);
  else
    /* Translators: %s is a certificate's name */
    body = g_strdup_printf (_("You can no longer send encrypted mail to “%s” until you import "
                              "the certificate again or receive signed mail from its owner."),
                            info->subject);

  dialog = change_dialog (self, info,
                          info->is_identity ? _("Remove Your Certificate?")
                                            : _("Remove Certificate?"),
                          body,
                          /* Translators: %s is a certificate's name */
                          g_strdup_printf (_("Removed “%s”"), info->subject));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_ep_encryption_page_accept (EpEncryptionPage *self,
                            const EpCertInfo *info)
{
  g_autofree char *addresses = g_strjoinv (", ", info->addresses);
  g_autofree char *who = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *caption = _ep_encryption_wrapped_label (_("Fingerprint (SHA-256)"),
                                                     "caption-heading");

  /* Translators: a certificate's name and its mail addresses */
  who = *addresses != '\0' ? g_strdup_printf (_("“%s” (%s)"), info->subject, addresses)
                            : g_strdup_printf ("“%s”", info->subject);
  /* Translators: %s is a certificate's name, maybe with its mail addresses */
  body = g_strdup_printf (_("No authority vouches that %s is who it says. Before you accept "
                            "it, ask its owner for the fingerprint, in person or on the phone, "
                            "and check that it is the same as this one:"), who);
  dialog = change_dialog (self, info, _("Accept Certificate?"), body,
                          /* Translators: %s is a certificate's name */
                          g_strdup_printf (_("Accepted “%s”"), info->subject));

  gtk_label_set_xalign (GTK_LABEL (caption), 0.5);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), fingerprint_label (info->fingerprint));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "accept", _("_Accept"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "accept",
                                              ADW_RESPONSE_SUGGESTED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- create your certificate -------------------------------------------- */

static void
create_identity_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EpEncryptionPending) pending = user_data;
  g_autoptr(EpVaultOpResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  done = _ep_encryption_page_run_finish (result, &error);
  if (done == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  _ep_encryption_set_creating (pending->self, FALSE);
  if (done == NULL)
    {
      _ep_encryption_page_toast_error (pending->self, _("Could not create the certificate"),
                                       error);
      return;
    }

  /* Translators: %s is a mail address */
  text = g_strdup_printf (_("Created your certificate for %s"), pending->name);
  _ep_encryption_page_toast (pending->self, text);
  _ep_encryption_page_reload (pending->self);
}

static void
on_create_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       EpEncryptionPage *self)
{
  GPtrArray *accounts = g_object_get_data (G_OBJECT (dialog), "ep-accounts");
  AdwComboRow *row = g_object_get_data (G_OBJECT (dialog), "ep-account-row");
  guint selected = adw_combo_row_get_selected (row);
  EpAccount *account;
  EpVaultOp *op;

  if (g_strcmp0 (response, "create") != 0 || selected >= accounts->len)
    return;

  account = g_ptr_array_index (accounts, selected);
  op = _ep_encryption_page_op_new (self, EP_VAULT_OP_CREATE_IDENTITY);
  op->name = g_strdup (ep_account_get_display_name (account));
  op->address = g_strdup (ep_account_get_address (account));
  _ep_encryption_set_creating (self, TRUE);
  _ep_encryption_page_run (self, op, create_identity_cb,
                           _ep_encryption_pending_new (self, NULL, op->address));
}

static void
ask_create (EpEncryptionPage *self,
            GPtrArray        *accounts)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GtkWidget *dialog;
  GtkWidget *list = _ep_encryption_boxed_list ();
  GtkWidget *row = adw_combo_row_new ();
  guint selected = 0;

  for (guint i = 0; i < accounts->len; i++)
    {
      EpAccount *account = g_ptr_array_index (accounts, i);
      const char *display_name = ep_account_get_display_name (account);
      g_autofree char *item = NULL;

      if (display_name != NULL && *display_name != '\0')
        /* Translators: a person's name and mail address */
        item = g_strdup_printf (_("%s <%s>"), display_name, ep_account_get_address (account));
      else
        item = g_strdup (ep_account_get_address (account));
      gtk_string_list_append (names, item);
      if (ep_account_get_is_default (account))
        selected = i;
    }

  dialog = _ep_encryption_message_dialog (self, _("Create Your Certificate?"),
                                          _("A certificate of your own lets you sign your mail "
                                            "and receive encrypted mail. No authority vouches "
                                            "for it, so the people you write to are asked to "
                                            "accept it. It is valid for three years."));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Account"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (names));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);

  g_object_set_data_full (G_OBJECT (dialog), "ep-accounts", g_ptr_array_ref (accounts),
                          (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data (G_OBJECT (dialog), "ep-account-row", row);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "create", _("C_reate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "create");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_create_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
list_accounts_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EpEncryptionPage) self = user_data;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  accounts = ep_context_list_accounts_finish (EP_CONTEXT (object), result, &error);
  if (accounts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_encryption_page_toast_error (self, _("Could not read the accounts"), error);
      return;
    }

  if (accounts->len == 0)
    {
      _ep_encryption_page_toast (self, _("Add an account first: a certificate is for the "
                                         "address you send from"));
      return;
    }

  ask_create (self, accounts);
}

void
_ep_encryption_page_create_identity (EpEncryptionPage *self)
{
  ep_context_list_accounts_async (self->context, self->cancellable, list_accounts_cb,
                                  g_object_ref (self));
}
