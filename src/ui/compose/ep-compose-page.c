/* ep-compose-page.c: write a message and send it
 *
 * Addresses are validated as they are typed (the bad one is marked and
 * explained, and Send stays off); the draft is saved to the store shortly
 * after every change, so a crash or quit loses nothing; sending runs in a
 * worker through the core, with progress shown and the result as a toast
 * (success) or a dialog that keeps the message (failure).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-compose-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-compose-page.h"
#include "ep-compose-page-private.h"
#include "prefs/ep-password-dialog.h"
#include "widgets/ep-a11y.h"
#include "widgets/ep-toast.h"
#include "ep-send-later-dialog.h"

#define SAVE_DELAY_MS 400

G_DEFINE_FINAL_TYPE (EpComposePage, ep_compose_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


EpAccount *
_ep_compose_page_selected_account (EpComposePage *self)
{
  guint pos = adw_combo_row_get_selected (self->from_row);

  if (self->accounts == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->accounts->len)
    return NULL;
  return g_ptr_array_index (self->accounts, pos);
}

char *
_ep_compose_page_body_text (EpComposePage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
_ep_compose_page_toast (EpComposePage *self,
       const char    *text)
{
  ep_toast_show_text (GTK_WIDGET (self), "compose", text);
}

void
_ep_compose_page_actions_update (EpComposePage *self)
{
  gboolean can_send = !self->sending && self->addresses_valid && self->n_recipients > 0 &&
                      _ep_compose_page_selected_account (self) != NULL &&
                      _ep_compose_page_protect_ready (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.send", can_send);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.send-later", can_send);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.cancel-send", self->sending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.send-now",
                                 self->task != NULL && ep_outbox_task_get_running (self->task));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.attach", !self->sending);
}

/* ---- validation ---------------------------------------------------------- */

static gboolean
check_row (EpComposePage  *self,
           AdwEntryRow    *row,
           guint           index,
           const char     *field,
           GString        *problems)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ep_address_list_parse (text, &error);
  gboolean typing = (gtk_widget_get_state_flags (GTK_WIDGET (row)) & GTK_STATE_FLAG_FOCUS_WITHIN) != 0;

  if (list == NULL)
    {
      /* Send stays off either way; the why waits until the field is left. */
      if (typing && !self->address_shown[index])
        {
          gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
          gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
          return FALSE;
        }
      self->address_shown[index] = TRUE;
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), error->message);
      if (problems->len > 0)
        g_string_append_c (problems, '\n');
      /* Translators: "To: “x” is not a valid email address: …" */
      g_string_append_printf (problems, _("%s: %s"), field, error->message);
      return FALSE;
    }

  self->address_shown[index] = FALSE;
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
  self->n_recipients += list->len;
  return TRUE;
}

void
_ep_compose_page_validate (EpComposePage *self)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  gboolean ok = TRUE;

  self->n_recipients = 0;
  ok &= check_row (self, self->to_row, 0, _("To"), problems);
  ok &= check_row (self, self->cc_row, 1, _("Cc"), problems);
  ok &= check_row (self, self->bcc_row, 2, _("Bcc"), problems);
  self->addresses_valid = ok;

  /* The label keeps its line when empty: the fields below do not jump
   * when an explanation comes or goes. */
  gtk_label_set_text (self->address_error_label, problems->str);
  /* GTK 4.8 renames a label after its new text; keep the stable name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->address_error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Address Problem"), -1);

  _ep_compose_page_protect_check (self);
  _ep_compose_page_actions_update (self);
}

/* ---- size ---------------------------------------------------------------- */

void
_ep_compose_page_update_size_warning (EpComposePage *self)
{
  EpAccount *account = _ep_compose_page_selected_account (self);
  const EpProvider *provider = account ? ep_provider_lookup (ep_account_get_preset (account)) : NULL;
  guint64 total = 0;
  guint64 encoded;

  for (guint i = 0; i < self->attachments->len; i++)
    total += ((Attachment *) g_ptr_array_index (self->attachments, i))->size;

  /* Base64 makes attachments about 4/3 their size on the wire. */
  encoded = total / 3 * 4 + 4096;

  if (provider != NULL && provider->max_message_size > 0 && encoded > provider->max_message_size)
    {
      g_autofree char *have = g_format_size (encoded);
      g_autofree char *limit = g_format_size (provider->max_message_size);
      g_autofree char *text = g_strdup_printf (_("With attachments the message is about %s; "
                                                 "%s accepts at most %s, so it will probably "
                                                 "be refused."), have, _(provider->name), limit);

      gtk_label_set_text (self->size_warning_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->size_warning_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->size_warning_label), FALSE);
}

/* ---- drafts -------------------------------------------------------------- */

/* The message as it stands: one entry per address field, as typed. */
EpDraft *
_ep_compose_page_build_draft (EpComposePage *self)
{
  EpDraft *draft = ep_draft_new ();
  EpAccount *account = _ep_compose_page_selected_account (self);

  draft->id = self->draft_id;
  draft->account_uid = account ? g_strdup (ep_account_get_uid (account)) : NULL;
  g_ptr_array_add (draft->to, g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_row))));
  g_ptr_array_add (draft->cc, g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->cc_row))));
  g_ptr_array_add (draft->bcc, g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->bcc_row))));
  draft->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_row)));
  draft->body = _ep_compose_page_body_text (self);
  draft->markdown = gtk_toggle_button_get_active (self->markdown_toggle);
  _ep_compose_page_protect_apply (self, draft);
  draft->in_reply_to = g_strdup (self->in_reply_to);
  draft->references = g_strdup (self->references);
  for (guint i = 0; i < self->attachments->len; i++)
    g_ptr_array_add (draft->attachments,
                     g_strdup (((Attachment *) g_ptr_array_index (self->attachments, i))->path));

  return draft;
}

static gboolean
is_empty (EpComposePage *self)
{
  g_autofree char *body = _ep_compose_page_body_text (self);

  return *gtk_editable_get_text (GTK_EDITABLE (self->to_row)) == '\0' &&
         *gtk_editable_get_text (GTK_EDITABLE (self->cc_row)) == '\0' &&
         *gtk_editable_get_text (GTK_EDITABLE (self->bcc_row)) == '\0' &&
         *gtk_editable_get_text (GTK_EDITABLE (self->subject_row)) == '\0' &&
         _ep_compose_page_signature_is_blank (self, body) && self->attachments->len == 0;
}

static void save_draft (EpComposePage *self);
static void delete_draft_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data);

static void
save_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpComposePage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = ep_context_save_draft_finish (EP_CONTEXT (object), result, &error);
  self->saving = FALSE;

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Could not save the draft: %s", error->message);
          gtk_label_set_text (self->status_label, _("Draft not saved"));
          gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), error->message);
        }
      /* The row was deleted meanwhile (sent): start a new one next time. */
      if (g_error_matches (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND))
        self->draft_id = 0;
    }
  else if (self->discard_after_save)
    {
      /* The message was sent while this save was on its way: the row it
       * wrote is stale, remove it rather than restore it next time. */
      ep_context_delete_draft_async (self->context, id, NULL, delete_draft_cb, NULL);
      self->draft_id = 0;
      self->save_again = FALSE;
    }
  else
    {
      self->draft_id = id;
      gtk_label_set_text (self->status_label, _("Draft saved"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), NULL);
    }

  self->discard_after_save = FALSE;
  g_application_release (g_application_get_default ());

  if (self->save_again)
    {
      self->save_again = FALSE;
      save_draft (self);
    }
}

static void
save_draft (EpComposePage *self)
{
  g_autoptr(EpDraft) draft = NULL;

  if (self->context == NULL || self->sending)
    return;

  /* A message meant to be encrypted is never stored in plain text: no
   * draft while Encrypt or Protect with a Password is on, and the one
   * saved before goes. (The password is never in a draft either.) */
  if (gtk_toggle_button_get_active (self->encrypt_toggle) || _ep_compose_page_password_on (self))
    {
      _ep_compose_page_delete_draft (self);
      gtk_label_set_text (self->status_label, _("Not kept as a draft"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label),
                                   _ep_compose_page_password_on (self)
                                   ? _("Protect with a Password is on: the message is never "
                                       "stored unprotected, so it is not saved as a draft")
                                   : _("Encrypt is on: the message is never stored unencrypted, "
                                       "so it is not saved as a draft"));
      return;
    }

  /* One save at a time, so a new draft is never inserted twice. */
  if (self->saving)
    {
      self->save_again = TRUE;
      return;
    }

  if (self->draft_id == 0 && is_empty (self))
    return;

  self->saving = TRUE;
  /* Keep the application alive until the draft is on disk, even if the
   * window closes right after a keystroke. */
  g_application_hold (g_application_get_default ());
  draft = _ep_compose_page_build_draft (self);
  g_assert (draft->password == NULL);
  ep_context_save_draft_async (self->context, draft, NULL, save_draft_cb, g_object_ref (self));
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  EpComposePage *self = user_data;

  self->save_source = 0;
  save_draft (self);
  return G_SOURCE_REMOVE;
}

void
_ep_compose_page_schedule_save (EpComposePage *self)
{
  if (self->loading)
    return;

  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

void
ep_compose_page_save_now (EpComposePage *self)
{
  g_return_if_fail (EP_IS_COMPOSE_PAGE (self));

  if (self->save_source != 0)
    {
      g_clear_handle_id (&self->save_source, g_source_remove);
      save_draft (self);
    }
}

/* ---- accounts ------------------------------------------------------------ */

static void
list_accounts_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EpComposePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = ep_context_list_accounts_finish (EP_CONTEXT (object), result, &error);
  EpAccount *previous = _ep_compose_page_selected_account (self);
  g_autofree char *keep_uid = g_strdup (self->wanted_account_uid
                                        ? self->wanted_account_uid
                                        : previous ? ep_account_get_uid (previous) : NULL);
  guint select = GTK_INVALID_LIST_POSITION;
  gboolean was_loading = self->loading;

  if (accounts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_compose_page_toast (self, error->message);
      return;
    }

  self->loading = TRUE;
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  self->accounts = g_steal_pointer (&accounts);

  gtk_string_list_splice (self->from_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->from_model)), NULL);
  for (guint i = 0; i < self->accounts->len; i++)
    {
      EpAccount *a = g_ptr_array_index (self->accounts, i);
      g_autofree char *label = ep_account_get_display_name (a)
        ? g_strdup_printf ("%s <%s>", ep_account_get_display_name (a), ep_account_get_address (a))
        : g_strdup (ep_account_get_address (a));

      gtk_string_list_append (self->from_model, label);
      if (keep_uid != NULL && g_str_equal (keep_uid, ep_account_get_uid (a)))
        select = i;
      else if (select == GTK_INVALID_LIST_POSITION && keep_uid == NULL && ep_account_get_is_default (a))
        select = i;
    }
  if (select == GTK_INVALID_LIST_POSITION && self->accounts->len > 0)
    select = 0;
  adw_combo_row_set_selected (self->from_row, select);
  g_clear_pointer (&self->wanted_account_uid, g_free);
  self->loading = was_loading;

  _ep_compose_page_update_size_warning (self);
  /* The account's signature may be new even if From stayed. */
  _ep_compose_page_signature_sync (self);
  _ep_compose_page_actions_update (self);
}

static void
reload_accounts (EpComposePage *self)
{
  ep_context_list_accounts_async (self->context, self->cancellable, list_accounts_cb,
                                  g_object_ref (self));
}

/* ---- loading a saved draft ---------------------------------------------- */

static void
set_row_entries (AdwEntryRow *row,
                 GPtrArray   *entries)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, g_ptr_array_index (entries, i));
    }
  gtk_editable_set_text (GTK_EDITABLE (row), text->str);
}

/* Fills the form from @draft (self->loading must be set). */
void
_ep_compose_page_apply_draft (EpComposePage *self,
             const EpDraft *draft)
{
  /* Addresses that come with a draft were not just typed: say at once
   * what is wrong with them. */
  for (guint i = 0; i < G_N_ELEMENTS (self->address_shown); i++)
    self->address_shown[i] = TRUE;
  _ep_compose_page_signature_reset (self, EP_SIGNATURE_ADOPT);
  self->draft_id = draft->id;
  g_free (self->in_reply_to);
  self->in_reply_to = g_strdup (draft->in_reply_to);
  g_free (self->references);
  self->references = g_strdup (draft->references);
  if (draft->account_uid != NULL)
    {
      g_free (self->wanted_account_uid);
      self->wanted_account_uid = g_strdup (draft->account_uid);
      reload_accounts (self);
    }
  set_row_entries (self->to_row, draft->to);
  set_row_entries (self->cc_row, draft->cc);
  set_row_entries (self->bcc_row, draft->bcc);
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), draft->subject ? draft->subject : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view),
                            draft->body ? draft->body : "", -1);
  gtk_toggle_button_set_active (self->markdown_toggle, draft->markdown);
  for (guint i = 0; i < draft->attachments->len; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (g_ptr_array_index (draft->attachments, i));
      _ep_compose_page_add_file (self, file);
    }
  _ep_compose_page_signature_sync (self);
}

static void
load_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpComposePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) draft = ep_context_load_draft_finish (EP_CONTEXT (object), result, &error);

  if (draft == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_compose_page_toast (self, error->message);
      self->loading = FALSE;
      return;
    }

  _ep_compose_page_apply_draft (self, draft);
  self->loading = FALSE;
  _ep_compose_page_validate (self);
  gtk_label_set_text (self->status_label, _("Draft restored"));
}

static void
delete_draft_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ep_context_delete_draft_finish (EP_CONTEXT (object), result, &error))
    g_warning ("Could not delete the sent draft: %s", error->message);
}

/* After a message has gone: its draft is not needed any more. */
void
_ep_compose_page_delete_draft (EpComposePage *self)
{
  if (self->saving)
    self->discard_after_save = TRUE;
  else if (self->draft_id > 0)
    ep_context_delete_draft_async (self->context, self->draft_id, NULL, delete_draft_cb, NULL);
  self->draft_id = 0;
}

void
_ep_compose_page_clear_message (EpComposePage *self)
{
  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->cc_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->bcc_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view), "", -1);
  g_ptr_array_set_size (self->attachments, 0);
  g_clear_pointer (&self->in_reply_to, g_free);
  g_clear_pointer (&self->references, g_free);
  _ep_compose_page_rebuild_attachment_rows (self);
  _ep_compose_page_update_size_warning (self);
  _ep_compose_page_password_clear (self);
  _ep_compose_page_signature_reset (self, EP_SIGNATURE_BELOW);
  _ep_compose_page_signature_sync (self);
  self->loading = FALSE;
  _ep_compose_page_validate (self);
}

static void
compose_cancel_send_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  _ep_compose_page_cancel_send (EP_COMPOSE_PAGE (widget));
}

static void
compose_send_now_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  _ep_compose_page_send_now (EP_COMPOSE_PAGE (widget));
}

static void
compose_send_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  _ep_compose_page_send (EP_COMPOSE_PAGE (widget));
}

static void
on_send_later_chosen_cb (EpSendLaterDialog *dialog,
                         gint64             when,
                         EpComposePage     *self)
{
  _ep_compose_page_send_at (self, when);
}

static void
compose_send_later_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  EpComposePage *self = EP_COMPOSE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  EpSendLaterDialog *dialog = ep_send_later_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                        NULL, 0);

  g_signal_connect_object (dialog, "chosen", G_CALLBACK (on_send_later_chosen_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- signal callbacks ---------------------------------------------------- */

static void
on_address_changed_cb (EpComposePage *self)
{
  _ep_compose_page_validate (self);
  _ep_compose_page_schedule_save (self);
}

/* The row still has the focus while "leave" runs: say it was left. */
static void
on_address_left_cb (GtkEventControllerFocus *focus,
                    EpComposePage           *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (focus), "address-field"));

  self->address_shown[index] = TRUE;
  _ep_compose_page_validate (self);
}

static void
on_changed_cb (EpComposePage *self)
{
  _ep_compose_page_schedule_save (self);
}

static void
on_from_selected_cb (EpComposePage *self)
{
  _ep_compose_page_update_size_warning (self);
  _ep_compose_page_signature_sync (self);
  _ep_compose_page_protect_account_changed (self);
  _ep_compose_page_actions_update (self);
  _ep_compose_page_schedule_save (self);
}

static void
on_markdown_toggled_cb (EpComposePage *self)
{
  gtk_text_view_set_monospace (self->body_view, gtk_toggle_button_get_active (self->markdown_toggle));
  _ep_compose_page_schedule_save (self);
}

/* ---- GObject ------------------------------------------------------------- */

static void
ep_compose_page_constructed (GObject *object)
{
  EpComposePage *self = (EpComposePage *)object;

  G_OBJECT_CLASS (ep_compose_page_parent_class)->constructed (object);

  if (self->context == NULL)
    return;

  g_signal_connect_object (self->context, "accounts-changed", G_CALLBACK (reload_accounts),
                           self, G_CONNECT_SWAPPED);
  self->loading = TRUE;
  reload_accounts (self);
  ep_context_load_draft_async (self->context, self->cancellable, load_draft_cb, g_object_ref (self));
}

static void
ep_compose_page_dispose (GObject *object)
{
  EpComposePage *self = (EpComposePage *)object;

  g_cancellable_cancel (self->cancellable);
  _ep_compose_page_send_dispose (self);
  _ep_compose_page_protect_dispose (self);
  _ep_compose_page_password_dispose (self);
  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_COMPOSE_PAGE);
  g_clear_object (&self->context);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->from_model);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->in_reply_to, g_free);
  g_clear_pointer (&self->references, g_free);
  g_clear_pointer (&self->signature, g_free);
  g_clear_pointer (&self->wanted_account_uid, g_free);

  G_OBJECT_CLASS (ep_compose_page_parent_class)->dispose (object);
}

static void
ep_compose_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EpComposePage *self = EP_COMPOSE_PAGE (object);

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
ep_compose_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EpComposePage *self = EP_COMPOSE_PAGE (object);

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
ep_compose_page_class_init (EpComposePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ep_compose_page_constructed;
  object_class->dispose = ep_compose_page_dispose;
  object_class->get_property = ep_compose_page_get_property;
  object_class->set_property = ep_compose_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_PATH "/ui/compose/ep-compose-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, box);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, from_row);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, to_row);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, cc_row);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, bcc_row);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, subject_row);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, address_error_label);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, body_view);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, attachment_list);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, size_warning_label);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, markdown_toggle);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, sign_toggle);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, encrypt_toggle);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, protection_label);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, send_button);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, send_now_button);
  gtk_widget_class_bind_template_child (widget_class, EpComposePage, status_label);
  _ep_compose_page_password_class_init (widget_class);

  gtk_widget_class_install_action (widget_class, "compose.send", NULL, compose_send_action);
  gtk_widget_class_install_action (widget_class, "compose.send-later", NULL, compose_send_later_action);
  gtk_widget_class_install_action (widget_class, "compose.attach", NULL,
                                   _ep_compose_page_attach_action);
  gtk_widget_class_install_action (widget_class, "compose.cancel-send", NULL,
                                   compose_cancel_send_action);
  gtk_widget_class_install_action (widget_class, "compose.send-now", NULL,
                                   compose_send_now_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "compose.attach", NULL);

}

static void
ep_compose_page_init (EpComposePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  ep_a11y_name_button (GTK_WIDGET (self->send_button), _("Send"));
  ep_a11y_name_button (GTK_WIDGET (self->send_now_button), _("Send Now"));
  ep_a11y_name_button (GTK_WIDGET (self->markdown_toggle), _("Markdown"));
  ep_a11y_name_button (GTK_WIDGET (self->sign_toggle), _("Sign"));
  ep_a11y_name_button (GTK_WIDGET (self->encrypt_toggle), _("Encrypt"));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->attachments = g_ptr_array_new_with_free_func (_ep_compose_page_attachment_free);
  self->from_model = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->from_row, G_LIST_MODEL (self->from_model));

  g_signal_connect_swapped (self->to_row, "changed", G_CALLBACK (on_address_changed_cb), self);
  g_signal_connect_swapped (self->cc_row, "changed", G_CALLBACK (on_address_changed_cb), self);
  g_signal_connect_swapped (self->bcc_row, "changed", G_CALLBACK (on_address_changed_cb), self);
  /* Leaving an address field shows what is wrong with it. */
  {
    AdwEntryRow *rows[] = { self->to_row, self->cc_row, self->bcc_row };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      {
        GtkEventController *focus = gtk_event_controller_focus_new ();

        g_object_set_data (G_OBJECT (focus), "address-field", GUINT_TO_POINTER (i));
        g_signal_connect (focus, "leave", G_CALLBACK (on_address_left_cb), self);
        gtk_widget_add_controller (GTK_WIDGET (rows[i]), focus);
      }
  }
  g_signal_connect_swapped (self->subject_row, "changed", G_CALLBACK (on_changed_cb), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->body_view), "changed",
                            G_CALLBACK (on_changed_cb), self);
  g_signal_connect_swapped (self->from_row, "notify::selected", G_CALLBACK (on_from_selected_cb), self);
  g_signal_connect_swapped (self->markdown_toggle, "toggled", G_CALLBACK (on_markdown_toggled_cb), self);
  _ep_compose_page_protect_init (self);
  _ep_compose_page_password_init (self);

  /* Ctrl+Return sends, Shift+Ctrl+Return sends later, from anywhere in
   * Compose: caught before the focused field, as the body would
   * otherwise take Ctrl+Return as a new line. */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                            gtk_named_action_new ("compose.send")));
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Shift><Control>Return|<Shift><Control>KP_Enter"),
                                                            gtk_named_action_new ("compose.send-later")));
    gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  }

  _ep_compose_page_validate (self);
}

gboolean
ep_compose_page_is_empty (EpComposePage *self)
{
  g_autofree char *body = NULL;

  g_return_val_if_fail (EP_IS_COMPOSE_PAGE (self), FALSE);

  body = _ep_compose_page_body_text (self);
  return !self->sending && self->attachments->len == 0 &&
         gtk_editable_get_text (GTK_EDITABLE (self->to_row))[0] == '\0' &&
         gtk_editable_get_text (GTK_EDITABLE (self->cc_row))[0] == '\0' &&
         gtk_editable_get_text (GTK_EDITABLE (self->bcc_row))[0] == '\0' &&
         gtk_editable_get_text (GTK_EDITABLE (self->subject_row))[0] == '\0' &&
         (_ep_compose_page_signature_is_blank (self, body) || g_strstrip (body)[0] == '\0');
}
