/* ep-encryption-page.c: Preferences, Encryption: the lists of your
 * certificates and your contacts' certificates, and the vault calls.
 *
 * Every vault call can block (the keyring over D-Bus, the vault file, key
 * generation), so each runs in a GTask worker on a snapshot (EpVaultOp),
 * and opens the vault first. If it cannot be opened, the page says why and
 * offers nothing that would write a new vault over the old one. The lists
 * are read again when the page is mapped and after each change; a newer
 * listing cancels an older one. The vault calls are in
 * ep-encryption-page-vault.c, the dialogs in ep-encryption-page-dialogs.c
 * and, for files, ep-encryption-page-files.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-encryption-page"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "widgets/ep-a11y.h"
#include "widgets/ep-toast.h"
#include "ep-encryption-page-private.h"

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (EpEncryptionPage, ep_encryption_page, ADW_TYPE_PREFERENCES_PAGE)

static GParamSpec *properties[N_PROPS];

/* ---- helpers ------------------------------------------------------------ */

GtkWindow *
_ep_encryption_page_window (EpEncryptionPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
_ep_encryption_page_toast (EpEncryptionPage *self,
                           const char       *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  ep_toast_show_text (GTK_WIDGET (self), "encryption", escaped);
}

void
_ep_encryption_page_toast_error (EpEncryptionPage *self,
                                 const char       *what,
                                 const GError     *error)
{
  /* Translators: "<what failed>: <the reason>" */
  g_autofree char *text = g_strdup_printf (_("%s: %s"), what, error->message);

  g_warning ("%s: %s", what, error->message);
  _ep_encryption_page_toast (self, text);
  _ep_encryption_page_reload (self);
}

char *
_ep_encryption_format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_time);

  /* Translators: a date, as in "3 Mar 2029" (see g_date_time_format) */
  return dt != NULL ? g_date_time_format (dt, _("%-d %b %Y")) : g_strdup ("?");
}

void
_ep_encryption_page_actions_update (EpEncryptionPage *self)
{
  gboolean can_change = self->loaded && !self->load_failed;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "encryption.import-identity",
                                 can_change && self->creating == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "encryption.create-identity",
                                 can_change && self->creating == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "encryption.import-certificates",
                                 can_change);
}

void
_ep_encryption_set_creating (EpEncryptionPage *self,
                             gboolean          creating)
{
  g_assert (creating || self->creating > 0);

  self->creating += creating ? 1 : -1;
  gtk_widget_set_visible (GTK_WIDGET (self->creating_row), self->creating > 0);
  gtk_spinner_set_spinning (self->creating_spinner, self->creating > 0);
  _ep_encryption_page_actions_update (self);
}

static const EpCertInfo *
widget_cert (gpointer widget)
{
  return g_object_get_data (G_OBJECT (widget), "ep-cert");
}

/* The certificate stays valid as long as the button: it holds the list. */
static void
set_widget_cert (gpointer          widget,
                 GPtrArray        *certs,
                 const EpCertInfo *info)
{
  g_object_set_data_full (G_OBJECT (widget), "ep-certs", g_ptr_array_ref (certs),
                          (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data (G_OBJECT (widget), "ep-cert", (gpointer) info);
}

static void
clear_rows (EpEncryptionPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_row (EpEncryptionPage    *self,
         AdwPreferencesGroup *group,
         GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
}

/* ---- signal callbacks --------------------------------------------------- */

static void
on_details_clicked_cb (GtkButton        *button,
                       EpEncryptionPage *self)
{
  _ep_encryption_page_show_details (self, widget_cert (button));
}

static void
on_export_clicked_cb (GtkButton        *button,
                      EpEncryptionPage *self)
{
  _ep_encryption_page_export (self, widget_cert (button));
}

static void
on_remove_clicked_cb (GtkButton        *button,
                      EpEncryptionPage *self)
{
  _ep_encryption_page_remove (self, widget_cert (button));
}

static void
on_accept_clicked_cb (GtkButton        *button,
                      EpEncryptionPage *self)
{
  _ep_encryption_page_accept (self, widget_cert (button));
}

/* ---- the rows ----------------------------------------------------------- */

static GtkWidget *
row_button (EpEncryptionPage *self,
            GPtrArray        *certs,
            const EpCertInfo *info,
            const char       *icon_name,
            const char       *label,
            const char       *tooltip,
            GCallback         clicked)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                  -1);
  set_widget_cert (button, certs, info);
  g_signal_connect_object (button, "clicked", clicked, self, 0);
  return button;
}

/* "a@example.org" over "Expires 3 Mar 2029 · <what is wrong>"; the
 * problem alone goes to @problem_out (NULL if none). */
static char *
cert_subtitle (const EpCertInfo  *info,
               char             **problem_out)
{
  g_autofree char *addresses = g_strjoinv (", ", info->addresses);
  g_autofree char *date = _ep_encryption_format_date (info->not_after);
  g_autofree char *reason = ep_cert_info_describe_problem (info);
  g_autofree char *expires = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *line = NULL;
  const char *parts[3] = { NULL, };
  guint n = 0;

  if (info->status == EP_CERT_UNTRUSTED)
    problem = g_strdup (_("Not verified: no authority vouches for it"));
  else if (reason != NULL)
    /* Translators: %s says why, e.g. "it expired on 3 Mar 2026" */
    problem = g_strdup_printf (_("Not usable: %s"), reason);

  if (info->status != EP_CERT_EXPIRED)
    /* Translators: %s is a date */
    parts[n++] = expires = g_strdup_printf (_("Expires %s"), date);
  if (problem != NULL)
    parts[n++] = problem;
  else if (info->trusted && !info->is_identity)
    parts[n++] = _("Accepted by you");
  line = g_strjoinv (" · ", (char **) parts);

  if (problem_out != NULL)
    *problem_out = g_steal_pointer (&problem);
  if (*addresses == '\0')
    return g_steal_pointer (&line);
  return g_strconcat (addresses, "\n", line, NULL);
}

static GtkWidget *
cert_row (EpEncryptionPage *self,
          GPtrArray        *certs,
          const EpCertInfo *info)
{
  g_autofree char *problem = NULL;
  g_autofree char *subtitle = cert_subtitle (info, &problem);
  /* Translators: %s is a certificate's name */
  g_autofree char *details_tip = g_strdup_printf (_("Show the details of “%s”"), info->subject);
  /* Translators: %s is a certificate's name */
  g_autofree char *remove_tip = g_strdup_printf (_("Remove “%s”"), info->subject);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->subject);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (problem != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, info->status == EP_CERT_UNTRUSTED ? "warning" : "error");
      gtk_widget_set_tooltip_text (icon, problem);
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, problem, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    }

  if (!info->is_identity && info->status == EP_CERT_UNTRUSTED)
    {
      g_autofree char *accept_tip = NULL;
      GtkWidget *accept = gtk_button_new_with_mnemonic (_("_Accept…"));

      /* Translators: %s is a certificate's name */
      accept_tip = g_strdup_printf (_("Accept “%s” after comparing its fingerprint"),
                                    info->subject);
      gtk_widget_set_valign (accept, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (accept, accept_tip);
      ep_a11y_name_button (accept, _("Accept…"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (accept),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, accept_tip, -1);
      set_widget_cert (accept, certs, info);
      g_signal_connect_object (accept, "clicked", G_CALLBACK (on_accept_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), accept);
    }

  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (self, certs, info, "help-about-symbolic", _("Details"),
                                         details_tip, G_CALLBACK (on_details_clicked_cb)));
  if (info->is_identity)
    {
      /* Translators: %s is a certificate's name */
      g_autofree char *export_tip = g_strdup_printf (_("Export “%s” with its key"),
                                                     info->subject);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 row_button (self, certs, info, "document-save-as-symbolic",
                                             _("Export…"), export_tip,
                                             G_CALLBACK (on_export_clicked_cb)));
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (self, certs, info, "user-trash-symbolic", _("Remove…"),
                                         remove_tip, G_CALLBACK (on_remove_clicked_cb)));
  return row;
}

static GtkWidget *
empty_row (const char *title,
           const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
show_status (EpEncryptionPage *self,
             const GError     *error)
{
  gboolean failed = error != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->status_group), !self->loaded || failed);
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), !failed);
  gtk_spinner_set_spinning (self->status_spinner, !failed && !self->loaded);
  gtk_widget_set_visible (self->status_icon, failed);
  gtk_widget_set_visible (self->retry_button, failed);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row),
                                 failed ? _("The Key Vault Could Not Be Opened")
                                        : _("Opening the Key Vault…"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->status_row),
                               failed ? error->message : "");
  /* Nothing that would write a new vault over one that is there. */
  gtk_widget_set_visible (GTK_WIDGET (self->identities_group), self->loaded && !failed);
  gtk_widget_set_visible (GTK_WIDGET (self->contacts_group), self->loaded && !failed);
}

static void
populate (EpEncryptionPage *self,
          GPtrArray        *certs)
{
  guint identities = 0, contacts = 0;

  clear_rows (self);

  for (guint i = 0; i < certs->len; i++)
    {
      const EpCertInfo *info = g_ptr_array_index (certs, i);

      add_row (self, info->is_identity ? self->identities_group : self->contacts_group,
               cert_row (self, certs, info));
      if (info->is_identity)
        identities++;
      else
        contacts++;
    }

  if (identities == 0)
    add_row (self, self->identities_group,
             empty_row (_("No Certificate Yet"),
                        _("Import yours from a file, or create one to sign your mail and "
                          "receive encrypted mail.")));
  if (contacts == 0)
    add_row (self, self->contacts_group,
             empty_row (_("No Certificates Yet"),
                        _("They are added when you import them or receive signed mail.")));
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EpEncryptionPage) self = user_data;
  g_autoptr(EpVaultOpResult) listing = NULL;
  g_autoptr(GError) error = NULL;

  listing = _ep_encryption_page_run_finish (result, &error);
  if (listing == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_warning ("Opening the key vault failed: %s", error->message);
      clear_rows (self);
      self->load_failed = TRUE;
      show_status (self, error);
      _ep_encryption_page_actions_update (self);
      return;
    }

  self->loaded = TRUE;
  self->load_failed = FALSE;
  populate (self, listing->certs);
  show_status (self, NULL);
  _ep_encryption_page_actions_update (self);
}

void
_ep_encryption_page_reload (EpEncryptionPage *self)
{
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();

  if (self->load_failed)
    {
      /* Trying again: say so until it answers. */
      self->load_failed = FALSE;
      self->loaded = FALSE;
      show_status (self, NULL);
      gtk_spinner_set_spinning (self->status_spinner, TRUE);
    }

  _ep_encryption_page_run (self, _ep_encryption_page_op_new (self, EP_VAULT_OP_LIST),
                           list_cb, g_object_ref (self));
}

/* ---- actions ------------------------------------------------------------ */

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  _ep_encryption_page_reload (EP_ENCRYPTION_PAGE (widget));
}

static void
import_identity_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  _ep_encryption_page_import_identity (EP_ENCRYPTION_PAGE (widget));
}

static void
create_identity_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  _ep_encryption_page_create_identity (EP_ENCRYPTION_PAGE (widget));
}

static void
import_certificates_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  _ep_encryption_page_import_certificates (EP_ENCRYPTION_PAGE (widget));
}

/* ---- GObject ------------------------------------------------------------ */

static void
ep_encryption_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ep_encryption_page_parent_class)->map (widget);

  _ep_encryption_page_reload (EP_ENCRYPTION_PAGE (widget));
}

static void
ep_encryption_page_constructed (GObject *object)
{
  EpEncryptionPage *self = (EpEncryptionPage *)object;

  G_OBJECT_CLASS (ep_encryption_page_parent_class)->constructed (object);

  g_assert (EP_IS_CONTEXT (self->context));
}

static void
ep_encryption_page_dispose (GObject *object)
{
  EpEncryptionPage *self = (EpEncryptionPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->list_cancellable);
  if (self->rows != NULL)
    g_ptr_array_set_size (self->rows, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_ENCRYPTION_PAGE);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (ep_encryption_page_parent_class)->dispose (object);
}

static void
ep_encryption_page_finalize (GObject *object)
{
  EpEncryptionPage *self = (EpEncryptionPage *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ep_encryption_page_parent_class)->finalize (object);
}

static void
ep_encryption_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EpEncryptionPage *self = EP_ENCRYPTION_PAGE (object);

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
ep_encryption_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EpEncryptionPage *self = EP_ENCRYPTION_PAGE (object);

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
ep_encryption_page_class_init (EpEncryptionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ep_encryption_page_constructed;
  object_class->dispose = ep_encryption_page_dispose;
  object_class->finalize = ep_encryption_page_finalize;
  object_class->get_property = ep_encryption_page_get_property;
  object_class->set_property = ep_encryption_page_set_property;

  widget_class->map = ep_encryption_page_map;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_PATH "/ui/prefs/ep-encryption-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, status_group);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, identities_group);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, import_identity_button);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, creating_row);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, creating_spinner);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, contacts_group);
  gtk_widget_class_bind_template_child (widget_class, EpEncryptionPage, import_certs_button);

  gtk_widget_class_install_action (widget_class, "encryption.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "encryption.import-identity", NULL,
                                   import_identity_action);
  gtk_widget_class_install_action (widget_class, "encryption.create-identity", NULL,
                                   create_identity_action);
  gtk_widget_class_install_action (widget_class, "encryption.import-certificates", NULL,
                                   import_certificates_action);
}

static void
ep_encryption_page_init (EpEncryptionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->list_cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();

  /* One name each (GTK 4.8 would also append the button content's label),
   * and one that says which list it imports into. */
  ep_a11y_name_button (self->import_identity_button, _("Import Your Certificate"));
  ep_a11y_name_button (self->create_button, _("Create a Certificate"));
  ep_a11y_name_button (self->import_certs_button, _("Import Contacts’ Certificates"));
  ep_a11y_name_button (self->retry_button, _("Try Again"));

  show_status (self, NULL);
  _ep_encryption_page_actions_update (self);
}

GtkWidget *
ep_encryption_page_new (EpContext *context)
{
  g_return_val_if_fail (EP_IS_CONTEXT (context), NULL);

  return g_object_new (EP_TYPE_ENCRYPTION_PAGE,
                       "context", context,
                       NULL);
}

/* ---- the vault's operations, off the main thread (core) ------------------ */

EpVaultOp *
_ep_encryption_page_op_new (EpEncryptionPage *self,
                            EpVaultOpKind     kind)
{
  return ep_vault_op_new (ep_context_get_vault (self->context), kind);
}

void
_ep_encryption_page_run (EpEncryptionPage    *self,
                         EpVaultOp           *op,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  ep_vault_op_run_async (op,
                         op->kind == EP_VAULT_OP_LIST ? self->list_cancellable : self->cancellable,
                         callback, user_data);
}

EpVaultOpResult *
_ep_encryption_page_run_finish (GAsyncResult  *result,
                                GError       **error)
{
  return ep_vault_op_run_finish (result, error);
}
