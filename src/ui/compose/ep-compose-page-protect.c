/* ep-compose-page-protect.c: Sign and Encrypt in Compose
 *
 * The two toggles are remembered per account (GSettings sign-accounts,
 * encrypt-accounts). Whenever the recipients, the account or a toggle
 * change, ep_protection_check_async () asks the vault which recipients have a usable
 * certificate and whether the account has one to sign with; the line
 * under the addresses says so, and Send stays off while encryption is on
 * and someone's certificate is missing; then it offers to protect the
 * message with a password instead (ep-compose-page-password.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-compose-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-compose-page-private.h"

static void
show_result (EpComposePage     *self,
             const EpProtectionCheck *r,
             const GError      *error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean sign = gtk_toggle_button_get_active (self->sign_toggle);
  gboolean encrypt = gtk_toggle_button_get_active (self->encrypt_toggle);
  gboolean problem = FALSE;

  gboolean missing = FALSE;

  if (r != NULL && r->remembered_password != NULL)
    _ep_compose_page_password_offer (self, r->remembered_password);
  if (!sign && !encrypt)
    {
      /* A password alone needs nothing from the vault to send. */
      self->protection_ok = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self->protection_label), FALSE);
      _ep_compose_page_actions_update (self);
      return;
    }

  if (error != NULL)
    {
      g_string_append (text, error->message);
      problem = TRUE;
    }
  else
    {
      if (sign && r->sign_problem != NULL)
        {
          g_string_append (text, r->sign_problem);
          problem = TRUE;
        }
      if (encrypt && r->missing->len > 0)
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          /* Translators: followed by one reason per address */
          g_string_append (text, _("Cannot encrypt:"));
          for (guint i = 0; i < r->missing->len; i++)
            g_string_append_printf (text, "\n%s", (char *) g_ptr_array_index (r->missing, i));
          problem = TRUE;
          missing = TRUE;
        }
      else if (encrypt && r->known->len > 0)
        {
          g_autofree char *list = NULL;

          g_ptr_array_add (r->known, NULL);
          list = g_strjoinv (", ", (char **) r->known->pdata);
          g_ptr_array_remove_index (r->known, r->known->len - 1);
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append_printf (text, sign ? _("Signed, and encrypted for %s and you")
                                             : _("Encrypted for %s and you"), list);
        }
      else if (sign && !encrypt && r->sign_problem == NULL)
        g_string_append (text, _("Signed with your certificate"));
    }

  self->protection_ok = !problem;
  gtk_label_set_text (self->protection_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->protection_label), (sign || encrypt) && text->len > 0);
  if (problem)
    gtk_widget_add_css_class (GTK_WIDGET (self->protection_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->protection_label), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->protection_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Protection"), -1);
  /* Someone has no certificate: a password reaches them all. */
  gtk_widget_set_visible (GTK_WIDGET (self->password_instead_button), missing);
  _ep_compose_page_actions_update (self);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(EpComposePage) self = user_data;
  g_autoptr(GError) error = NULL;
  EpProtectionCheck *r = ep_protection_check_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->protection_checking = FALSE;
  show_result (self, r, error);
  g_clear_pointer (&r, ep_protection_check_free);
}

static void
add_addresses (GPtrArray   *out,
               AdwEntryRow *row)
{
  g_autoptr(GPtrArray) list = ep_address_list_parse (gtk_editable_get_text (GTK_EDITABLE (row)),
                                                     NULL);

  for (guint i = 0; list != NULL && i < list->len; i++)
    g_ptr_array_add (out, g_strdup (((EpAddress *) g_ptr_array_index (list, i))->address));
}

static gboolean
run_check (gpointer user_data)
{
  EpComposePage *self = user_data;
  EpAccount *account = _ep_compose_page_selected_account (self);
  g_autoptr(GPtrArray) recipients = NULL;

  self->protection_source = 0;
  g_cancellable_cancel (self->protection_cancellable);
  g_clear_object (&self->protection_cancellable);

  if (account == NULL)
    return G_SOURCE_REMOVE;

  recipients = g_ptr_array_new_with_free_func (g_free);
  add_addresses (recipients, self->to_row);
  add_addresses (recipients, self->cc_row);
  add_addresses (recipients, self->bcc_row);
  g_ptr_array_add (recipients, NULL);

  self->protection_cancellable = g_cancellable_new ();
  self->protection_checking = TRUE;
  ep_protection_check_async (ep_context_get_vault (self->context),
                             ep_account_get_address (account),
                             (const char * const *) recipients->pdata,
                             gtk_toggle_button_get_active (self->sign_toggle),
                             gtk_toggle_button_get_active (self->encrypt_toggle),
                             self->protection_cancellable, check_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

void
_ep_compose_page_protect_check (EpComposePage *self)
{
  gboolean on = gtk_toggle_button_get_active (self->sign_toggle) ||
                gtk_toggle_button_get_active (self->encrypt_toggle) ||
                _ep_compose_page_password_on (self);

  g_clear_handle_id (&self->protection_source, g_source_remove);
  if (!gtk_toggle_button_get_active (self->encrypt_toggle))
    gtk_widget_set_visible (GTK_WIDGET (self->password_instead_button), FALSE);
  if (!on)
    {
      g_cancellable_cancel (self->protection_cancellable);
      self->protection_checking = FALSE;
      self->protection_ok = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self->protection_label), FALSE);
      _ep_compose_page_actions_update (self);
      return;
    }
  /* Not while every key is typed: when typing pauses. */
  self->protection_checking = TRUE;
  _ep_compose_page_actions_update (self);
  self->protection_source = g_timeout_add (250, run_check, self);
}

gboolean
_ep_compose_page_protect_ready (EpComposePage *self)
{
  return !self->protection_checking && self->protection_ok &&
         _ep_compose_page_password_ready (self);
}

void
_ep_compose_page_protect_apply (EpComposePage *self,
                                EpDraft       *draft)
{
  draft->sign = gtk_toggle_button_get_active (self->sign_toggle);
  draft->encrypt = gtk_toggle_button_get_active (self->encrypt_toggle);
  _ep_compose_page_password_apply (self, draft);
}

static gboolean
uid_in (GSettings  *settings,
        const char *key,
        const char *uid)
{
  g_auto(GStrv) uids = g_settings_get_strv (settings, key);
  return g_strv_contains ((const char * const *) uids, uid);
}

static void
remember (GSettings  *settings,
          const char *key,
          const char *uid,
          gboolean    on)
{
  g_auto(GStrv) uids = g_settings_get_strv (settings, key);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  for (guint i = 0; uids[i] != NULL; i++)
    if (!g_str_equal (uids[i], uid))
      g_strv_builder_add (builder, uids[i]);
  if (on)
    g_strv_builder_add (builder, uid);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (settings, key, (const char * const *) updated);
}

static void
on_toggled_cb (EpComposePage *self)
{
  EpAccount *account = _ep_compose_page_selected_account (self);

  if (self->protection_loading)
    return;
  if (account != NULL)
    {
      remember (self->settings, "sign-accounts", ep_account_get_uid (account),
                gtk_toggle_button_get_active (self->sign_toggle));
      remember (self->settings, "encrypt-accounts", ep_account_get_uid (account),
                gtk_toggle_button_get_active (self->encrypt_toggle));
    }
  _ep_compose_page_protect_check (self);
  /* Encrypt on: the plain draft goes (see save_draft ()). */
  _ep_compose_page_schedule_save (self);
}

void
_ep_compose_page_protect_account_changed (EpComposePage *self)
{
  EpAccount *account = _ep_compose_page_selected_account (self);
  const char *uid = account ? ep_account_get_uid (account) : "";

  self->protection_loading = TRUE;
  gtk_toggle_button_set_active (self->sign_toggle, uid_in (self->settings, "sign-accounts", uid));
  gtk_toggle_button_set_active (self->encrypt_toggle,
                                uid_in (self->settings, "encrypt-accounts", uid));
  self->protection_loading = FALSE;
  _ep_compose_page_protect_check (self);
}

void
_ep_compose_page_protect_init (EpComposePage *self)
{
  self->protection_ok = TRUE;
  g_signal_connect_swapped (self->sign_toggle, "toggled", G_CALLBACK (on_toggled_cb), self);
  g_signal_connect_swapped (self->encrypt_toggle, "toggled", G_CALLBACK (on_toggled_cb), self);
}

void
_ep_compose_page_protect_dispose (EpComposePage *self)
{
  g_clear_handle_id (&self->protection_source, g_source_remove);
  g_cancellable_cancel (self->protection_cancellable);
  g_clear_object (&self->protection_cancellable);
}
