/* ep-compose-page-edit.c: what comes into Compose from elsewhere
 *
 * A scheduled message taken back, a reply or forward from the Inbox
 * (protection first, so a quote of private mail is never a plain draft),
 * and Ctrl+N's empty form.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-compose-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-compose-page-private.h"

static void
start_new_message (EpComposePage *self)
{
  _ep_compose_page_delete_draft (self);
  _ep_compose_page_clear_message (self);
  gtk_label_set_text (self->status_label, "");
  gtk_widget_grab_focus (GTK_WIDGET (self->to_row));
}

static void
on_start_new_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          EpComposePage    *self)
{
  if (g_strcmp0 (response, "discard") == 0 && !self->sending)
    start_new_message (self);
}

void
ep_compose_page_edit (EpComposePage *self,
                      const EpDraft *draft)
{
  g_return_if_fail (EP_IS_COMPOSE_PAGE (self));
  g_return_if_fail (draft != NULL);

  self->loading = TRUE;
  _ep_compose_page_apply_draft (self, draft);
  self->loading = FALSE;
  _ep_compose_page_validate (self);
  /* A draft again, saved like any other. */
  _ep_compose_page_schedule_save (self);
  gtk_label_set_text (self->status_label, _("Taken back from the schedule"));
}

void
ep_compose_page_reply (EpComposePage *self,
                       const EpDraft *draft)
{
  GtkTextIter start;

  g_return_if_fail (EP_IS_COMPOSE_PAGE (self));
  g_return_if_fail (draft != NULL);

  self->loading = TRUE;
  /* Protection first: a reply to private mail quotes its plaintext, which
   * must never be kept as a plain draft, not even for a moment. */
  if (draft->password != NULL)
    _ep_compose_page_password_set (self, draft->password);
  else if (draft->encrypt)
    gtk_toggle_button_set_active (self->encrypt_toggle, TRUE);
  _ep_compose_page_apply_draft (self, draft);
  _ep_compose_page_signature_reset (self, EP_SIGNATURE_ABOVE_QUOTE);
  _ep_compose_page_signature_sync (self);
  self->loading = FALSE;
  _ep_compose_page_validate (self);
  _ep_compose_page_schedule_save (self);
  gtk_label_set_text (self->status_label, "");
  /* The answer goes above the quote. */
  gtk_text_buffer_get_start_iter (gtk_text_view_get_buffer (self->body_view), &start);
  gtk_text_buffer_place_cursor (gtk_text_view_get_buffer (self->body_view), &start);
  gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
}

/* Ctrl+N: an empty form for a new message. What is being written is
 * never dropped without asking; while a message is going, the form is
 * left alone. */
void
ep_compose_page_start_new (EpComposePage *self)
{
  GtkRoot *root;
  const char *subject;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  g_return_if_fail (EP_IS_COMPOSE_PAGE (self));

  if (self->sending)
    return;
  if (ep_compose_page_is_empty (self))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->to_row));
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  subject = gtk_editable_get_text (GTK_EDITABLE (self->subject_row));
  if (subject[0] != '\0')
    body = g_strdup_printf (_("The message “%s” being written is discarded, with its draft."), subject);
  else
    body = g_strdup (_("The message being written is discarded, with its draft."));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Discard the Message and Start a New One?"),
                                                       body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"),
                                    "discard", _("_Discard and Start New"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_start_new_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
