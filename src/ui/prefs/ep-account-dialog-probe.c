/* ep-account-dialog-probe.c: the account dialog's connection probe, run by
 * its "Test Connection" button
 *
 * Builds server configs from the form (or, when editing with the password
 * left empty, from the saved account and its keyring item, on a worker),
 * then probes SMTP and, if set, IMAP off the main thread and reports what
 * each server said.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-account-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-account-dialog-private.h"

/* @css_class is "success" or "error" (also what the icon tells AT-SPI). */
static void
set_probe_status (EpAccountDialog *self,
                  const char      *icon_name,
                  const char      *css_class,
                  const char      *text)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_icon), "error");

  if (icon_name != NULL)
    {
      gtk_image_set_from_icon_name (self->test_result_icon, icon_name);
      gtk_widget_add_css_class (GTK_WIDGET (self->test_result_icon), css_class);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->test_result_icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      g_str_equal (css_class, "error") ? _("Failed") : _("Succeeded"),
                                      -1);
      gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_label), "dim-label");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->test_result_label), "dim-label");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->test_result_icon), icon_name != NULL);
  gtk_label_set_text (self->test_result_label, text);
  /* A GtkLabel renames itself after its text; keep the name the UI tests
   * and screen readers know it by (the text stays readable through the
   * Text interface). */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->test_result_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Connection Test Result"),
                                  -1);
}

static void
set_probing (EpAccountDialog *self,
             gboolean         probing)
{
  gtk_widget_set_sensitive (self->test_button, !probing);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), probing);
  gtk_spinner_set_spinning (self->test_spinner, probing);
}

static void
show_connecting (EpAccountDialog      *self,
                 const EpServerConfig *config)
{
  /* Translators: %s is a server name, %u its port */
  g_autofree char *text = g_strdup_printf (_("Connecting to %s, port %u…"),
                                           config->host, (guint) config->port);

  set_probe_status (self, NULL, NULL, text);
}

static void
append_probe_result (EpAccountDialog     *self,
                     const char          *label,
                     const EpServerProbe *probe,
                     const GError        *error)
{
  if (self->probe_report->len > 0)
    g_string_append_c (self->probe_report, '\n');

  if (probe != NULL)
    {
      g_autofree char *text = ep_server_probe_describe (probe, label);

      g_string_append (self->probe_report, text);
    }
  else
    {
      self->probe_failed = TRUE;
      /* Translators: %s is "SMTP" or "IMAP"; the error follows on the next line */
      g_string_append_printf (self->probe_report, _("%s failed:"), label);
      g_string_append_printf (self->probe_report, "\n  %s\n", error->message);
    }
}

/* Tick callbacks run before layout: on the second frame after the result
 * was set, the scrolled window knows its new height. */
static gboolean
scroll_to_end_cb (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  EpAccountDialog *self = EP_ACCOUNT_DIALOG (widget);
  GtkAdjustment *adjustment;

  if (self->scrolled_window == NULL)
    return G_SOURCE_REMOVE;

  if (++self->scroll_frames < 2)
    return G_SOURCE_CONTINUE;

  adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));

  return G_SOURCE_REMOVE;
}

static void
finish_probe (EpAccountDialog *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  set_probing (self, FALSE);

  g_string_append (text, self->probe_failed ? _("The test failed.") : _("The connection works."));
  g_string_append (text, "\n\n");
  g_string_append (text, self->probe_report->str);
  if (self->probe_without_password)
    {
      g_string_append_c (text, '\n');
      g_string_append (text, _("No password was entered, so logging in was not tested."));
    }

  while (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);

  if (self->probe_failed)
    set_probe_status (self, "dialog-error-symbolic", "error", text->str);
  else
    set_probe_status (self, "emblem-ok-symbolic", "success", text->str);

  /* The result is at the end of the form; show it once it is laid out. */
  self->scroll_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_end_cb, NULL, NULL);
}

static void
imap_probe_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpAccountDialog) self = user_data;
  g_autoptr(EpServerProbe) probe = NULL;
  g_autoptr(GError) error = NULL;

  probe = ep_imap_probe_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  append_probe_result (self, "IMAP", probe, error);
  finish_probe (self);
}

static void
smtp_probe_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpAccountDialog) self = user_data;
  g_autoptr(EpServerProbe) probe = NULL;
  g_autoptr(EpServerConfig) imap = NULL;
  g_autoptr(GError) error = NULL;

  probe = ep_smtp_probe_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  append_probe_result (self, "SMTP", probe, error);

  imap = g_steal_pointer (&self->pending_imap);
  if (imap != NULL)
    {
      show_connecting (self, imap);
      ep_imap_probe_async (imap, ep_context_get_protocol_log (self->context),
                           self->cancellable, imap_probe_cb, g_object_ref (self));
      return;
    }

  finish_probe (self);
}

static void
start_probes (EpAccountDialog *self,
              EpServerConfig  *smtp,
              EpServerConfig  *imap)
{
  g_clear_pointer (&self->pending_imap, ep_server_config_free);
  self->pending_imap = imap;
  self->probe_without_password = smtp->auth == EP_AUTH_NONE;

  show_connecting (self, smtp);
  ep_smtp_probe_async (smtp, ep_context_get_protocol_log (self->context),
                       self->cancellable, smtp_probe_cb, g_object_ref (self));
  ep_server_config_free (smtp);
}

/* Edit mode with the password row left empty: the saved password is looked
 * up in the keyring, off the main thread (by the core). */
static void
load_saved_configs_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(EpAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  EpServerConfig *smtp = NULL;
  EpServerConfig *imap = NULL;

  if (!ep_account_server_configs_finish (result, &smtp, &imap, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      set_probing (self, FALSE);
      set_probe_status (self, "dialog-error-symbolic", "error", error->message);
      return;
    }

  start_probes (self, smtp, imap);
}

void
_ep_account_dialog_start_probe (EpAccountDialog *self)
{
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  EpServerConfig *smtp;
  EpServerConfig *imap = NULL;

  account = _ep_account_dialog_build_account (self, TRUE, &error);
  if (account == NULL)
    {
      set_probe_status (self, "dialog-error-symbolic", "error", error->message);
      return;
    }

  g_string_truncate (self->probe_report, 0);
  self->probe_failed = FALSE;
  set_probing (self, TRUE);

  if (self->account != NULL && *password == '\0')
    {
      set_probe_status (self, NULL, NULL, _("Looking up the saved password…"));
      ep_account_server_configs_async (account, self->cancellable, load_saved_configs_cb,
                                       g_object_ref (self));
      return;
    }

  smtp = ep_account_server_config (account, FALSE, password);
  if (ep_account_get_imap_host (account) != NULL)
    imap = ep_account_server_config (account, TRUE, password);

  start_probes (self, smtp, imap);
}

