/* ep-compose-page-send.c: sending the message being composed, through
 * the outbox
 *
 * Send builds the message and commits it to the outbox (EpOutbox) with a
 * short undo delay; an "Undo" toast and the Cancel button take it back
 * before it goes, with everything in Compose as it was. While it waits,
 * sends or waits to retry after a temporary failure, Compose shows which,
 * with Send Now and Cancel; the result is a toast, or a dialog that keeps
 * the message when it could not go. The outbox keeps the application
 * alive, so closing the window does not lose a message on its way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-compose-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-compose-page-private.h"
#include "prefs/ep-password-dialog.h"
#include "widgets/ep-a11y.h"
#include "widgets/ep-toast.h"

static void update_status (EpComposePage *self);

static gboolean
pulse_cb (gpointer user_data)
{
  EpComposePage *self = user_data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

/* While the message is in the outbox, Compose is read-only and the main
 * button takes it back (Cancel) instead of sending. */
static void
set_sending (EpComposePage *self,
             gboolean       sending)
{
  self->sending = sending;

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), sending);
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  if (sending)
    self->pulse_source = g_timeout_add (100, pulse_cb, self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->from_row), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->to_row), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cc_row), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->bcc_row), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->subject_row), !sending);
  _ep_compose_page_password_set_sensitive (self, !sending);
  gtk_text_view_set_editable (self->body_view, !sending);
  gtk_button_set_label (self->send_button, sending ? _("_Cancel") : _("_Send"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->send_button),
                                  sending ? "compose.cancel-send" : "compose.send");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->send_button),
                               sending ? _("Stop sending; the message is kept")
                                       : _("Send the message (Ctrl+Return)"));
  if (sending)
    gtk_widget_remove_css_class (GTK_WIDGET (self->send_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->send_button), "suggested-action");
  ep_a11y_name_button (GTK_WIDGET (self->send_button), sending ? _("Cancel Sending") : _("Send"));
  if (!sending)
    {
      g_clear_handle_id (&self->countdown_source, g_source_remove);
      gtk_widget_set_visible (GTK_WIDGET (self->send_now_button), FALSE);
      gtk_label_set_text (self->status_label, "");
    }

  _ep_compose_page_actions_update (self);
}

static void
notify_if_unfocused (EpComposePage *self,
                     const char    *title,
                     const char    *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GNotification) notification = NULL;

  if (root == NULL || gtk_window_is_active (GTK_WINDOW (root)))
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (g_application_get_default (), "send-result", notification);
}

static void
on_password_saved_cb (EpPasswordDialog *dialog,
                      EpComposePage    *self)
{
  _ep_compose_page_toast (self, _("Password saved; sending again"));
  _ep_compose_page_send (self);
}

static void
on_failure_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        EpComposePage    *self)
{
  if (g_strcmp0 (response, "password") == 0)
    {
      EpAccount *account = _ep_compose_page_selected_account (self);
      const char *reason = g_object_get_data (G_OBJECT (dialog), "reason");
      EpPasswordDialog *password;

      if (account == NULL)
        return;

      password = ep_password_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         self->context, account, reason);
      g_signal_connect_object (password, "saved", G_CALLBACK (on_password_saved_cb), self, 0);
      gtk_window_present (GTK_WINDOW (password));
    }
}

/* @title, when given, replaces the heading the error would get. */
static void
show_failure_titled (EpComposePage *self,
                     const GError  *error,
                     const char    *title)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *heading = _("The Message Was Not Sent");
  const char *hint = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (g_error_matches (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_AUTH))
    {
      heading = _("Wrong Password");
      hint = _("Enter the password again. Many providers need an app password here, not the one you sign in with on the web.");
    }
  else if (g_error_matches (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TLS))
    {
      heading = _("No Secure Connection");
      hint = _("Nothing was sent. Check the server, port and security in Preferences; if your organisation uses its own certificate authority, choose its CA file for the account.");
    }
  else if (g_error_matches (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_REJECTED))
    heading = _("The Server Refused the Message");
  else if (g_error_matches (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT))
    hint = _("This is usually temporary. Your message is kept; try again later.");
  else if (error->domain == EP_MAIL_ERROR)
    heading = _("The Message Cannot Be Built");

  body = hint ? g_strdup_printf ("%s\n\n%s", error->message, hint) : g_strdup (error->message);
  if (title != NULL)
    heading = title;

  dialog = adw_message_dialog_new (GTK_WINDOW (root), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  if (g_error_matches (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_AUTH))
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "password", _("_Re-enter Password"));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "password",
                                                  ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "password");
      g_object_set_data_full (G_OBJECT (dialog), "reason", g_strdup (error->message), g_free);
    }
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_failure_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}


static void
show_failure (EpComposePage *self,
              const GError  *error)
{
  show_failure_titled (self, error, NULL);
}

/* ---- the message in the outbox ------------------------------------------- */

static char *
format_local_time (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%X") : g_strdup ("");
}

/* What the message is doing now, in the status line; Send Now while it
 * waits (the undo delay or a retry). */
static void
update_status (EpComposePage *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 not_before;
  g_autofree char *text = NULL;
  gboolean waiting = FALSE;

  if (self->task == NULL)
    return;

  not_before = ep_outbox_task_get_not_before (self->task);
  if (not_before > 0)
    {
      gint64 left = MAX (not_before - now, 0);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Sending in %u second…",
                                           "Sending in %u seconds…", (gulong) left), (guint) left);
      waiting = TRUE;
    }
  else if (ep_outbox_task_get_last_state (self->task) == EP_RECIPIENT_DEFERRED)
    {
      g_autofree char *when = format_local_time (ep_outbox_task_get_next_retry (self->task));
      const char *reply = ep_outbox_task_get_last_reply (self->task);

      /* Not an error yet: it is in the outbox and goes by itself. */
      text = g_strdup_printf (_("Waiting to retry at %s — %s"), when, reply ? reply : "");
      waiting = TRUE;
    }
  else
    text = g_strdup (_("Sending…"));

  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), text);
  gtk_widget_set_visible (GTK_WIDGET (self->send_now_button), waiting);
  _ep_compose_page_actions_update (self);
}

static gboolean
countdown_cb (gpointer data)
{
  EpComposePage *self = data;

  update_status (self);
  if (self->task == NULL || ep_outbox_task_get_not_before (self->task) == 0)
    {
      /* The undo delay is over: the Undo toast would no longer undo. */
      if (self->task != NULL)
        ep_toast_dismiss (GTK_WIDGET (self), "compose");
      self->countdown_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
forget_task (EpComposePage *self)
{
  if (self->task == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->task, self);
  g_clear_object (&self->task);
  ep_toast_dismiss (GTK_WIDGET (self), "compose");
}

static void
show_sent (EpComposePage      *self,
           const EpSmtpReport *report)
{
  if (report == NULL || report->rejected->len == 0)
    {
      guint n = report ? report->accepted->len : 0;
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Message sent to %u recipient",
                                                            "Message sent to %u recipients", n), n);

      _ep_compose_page_delete_draft (self);
      _ep_compose_page_clear_message (self);
      _ep_compose_page_toast (self, text);
      notify_if_unfocused (self, _("Message sent"), text);
    }
  else
    {
      /* Sent to some: keep only the refused addresses, so they can be
       * corrected and sent again without anyone getting it twice. */
      g_autoptr(GString) refused = g_string_new (NULL);
      g_autoptr(GString) body = g_string_new (NULL);
      g_autoptr(GError) partial = NULL;
      g_autofree char *refused_part = NULL;
      g_autofree char *title = NULL;
      guint n_sent, n_all;

      for (guint i = 0; i < report->rejected->len; i++)
        {
          const EpRecipientStatus *s = g_ptr_array_index (report->rejected, i);

          g_string_append_printf (refused, "%s%s", i ? ", " : "", s->address);
          g_string_append_printf (body, "%s: %s\n", s->address, s->reply);
        }
      g_string_prepend (body, _("The message was sent to the other recipients. The server refused:\n"));
      g_string_append (body, _("Only the refused addresses were left in To, so you can correct them and send again."));

      self->loading = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->to_row), refused->str);
      gtk_editable_set_text (GTK_EDITABLE (self->cc_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->bcc_row), "");
      self->loading = FALSE;
      _ep_compose_page_validate (self);
      _ep_compose_page_schedule_save (self);

      partial = g_error_new_literal (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_REJECTED, body->str);
      /* It went, to most: the heading says so before what was refused. */
      n_sent = report->accepted->len;
      n_all = n_sent + report->rejected->len;
      refused_part = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u address refused",
                                                   "%u addresses refused", report->rejected->len),
                                      report->rejected->len);
      /* Translators: "Sent to 1 of 2; 1 address refused" */
      title = g_strdup_printf (_("Sent to %u of %u; %s"), n_sent, n_all, refused_part);
      notify_if_unfocused (self, title, body->str);
      show_failure_titled (self, partial, title);
    }
}

static void
on_task_finished_cb (EpOutboxTask  *task,
                     EpComposePage *self)
{
  g_autoptr(EpOutboxTask) held = g_object_ref (task);
  EpCampaignEnd end = ep_outbox_task_get_end (task);
  EpRecipientState state = ep_outbox_task_get_last_state (task);
  const char *reason = ep_outbox_task_get_reason (task);
  const char *reply = ep_outbox_task_get_last_reply (task);
  gboolean undoing = self->undoing;
  g_autoptr(GError) error = NULL;

  self->undoing = FALSE;
  set_sending (self, FALSE);

  switch (end)
    {
    case EP_CAMPAIGN_END_FINISHED:
      forget_task (self);
      if (state == EP_RECIPIENT_SENT)
        {
          show_sent (self, ep_outbox_task_get_last_report (held));
          return;
        }
      /* Failed for good (a 5xx, or every retry used up). */
      error = g_error_new_literal (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_REJECTED,
                                   reply ? reply : _("The server refused the message"));
      break;

    case EP_CAMPAIGN_END_CANCELLED:
      forget_task (self);
      _ep_compose_page_toast (self, undoing ? _("Not sent; the message is back for editing")
                                            : _("Sending stopped; the message is kept"));
      _ep_compose_page_schedule_save (self);
      return;

    case EP_CAMPAIGN_END_AUTH:
      error = g_error_new_literal (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_AUTH,
                                   reason ? reason : reply);
      break;

    case EP_CAMPAIGN_END_TLS:
      error = g_error_new_literal (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TLS,
                                   reason ? reason : reply);
      break;

    case EP_CAMPAIGN_END_PAUSED:
    case EP_CAMPAIGN_END_DAILY_LIMIT:
    case EP_CAMPAIGN_END_SERVER:
    case EP_CAMPAIGN_END_STORE:
    case EP_CAMPAIGN_END_WAITING:
    default:
      error = g_error_new (EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY, "%s%s%s",
                           ep_campaign_end_describe (end), reason ? ": " : "",
                           reason ? reason : "");
      break;
    }

  /* Not sent: the message stays in Compose, and leaves the outbox (a new
   * Send queues it again, as it is then). */
  forget_task (self);
  ep_outbox_task_cancel (held);
  g_warning ("Sending failed: %s", error->message);
  notify_if_unfocused (self, _("Message not sent"), error->message);
  show_failure (self, error);
  _ep_compose_page_schedule_save (self);
}

static void
on_task_progress_cb (EpOutboxTask  *task,
                     EpComposePage *self)
{
  update_status (self);
}

static void
on_undo_cb (EpComposePage *self)
{
  if (self->task == NULL || ep_outbox_task_get_not_before (self->task) == 0)
    return;

  self->undoing = TRUE;
  ep_outbox_task_cancel (self->task);
}

static void
queued_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EpComposePage) self = user_data;
  g_autoptr(GError) error = NULL;
  EpOutboxTask *task = ep_outbox_send_message_finish (EP_OUTBOX (object), result, &error);

  g_clear_object (&self->send_cancellable);

  if (task == NULL)
    {
      set_sending (self, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not queue the message: %s", error->message);
      show_failure (self, error);
      return;
    }

  if (!ep_outbox_task_get_running (task))
    {
      /* Scheduled: it is in the outbox, built as it is now, and the
       * Scheduled pane shows it; Compose is free for the next message. */
      g_autofree char *when = ep_schedule_time_format (ep_outbox_task_get_scheduled_for (task), NULL);
      g_autofree char *text = g_strdup_printf (_("Scheduled for %s"), when);

      g_object_unref (task);
      set_sending (self, FALSE);
      _ep_compose_page_delete_draft (self);
      _ep_compose_page_clear_message (self);
      _ep_compose_page_toast (self, text);
      return;
    }

  self->task = task;
  g_signal_connect_object (task, "progress", G_CALLBACK (on_task_progress_cb), self, 0);
  g_signal_connect_object (task, "finished", G_CALLBACK (on_task_finished_cb), self, 0);
  g_signal_connect_object (task, "notify::not-before", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);

  if (ep_outbox_task_get_not_before (task) > 0)
    {
      AdwToast *toast = adw_toast_new (_("Sending…"));

      adw_toast_set_button_label (toast, _("Undo"));
      /* Up for as long as Undo can work; the next toast of Compose replaces it. */
      adw_toast_set_timeout (toast, g_settings_get_uint (self->settings, "undo-send-delay"));
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_cb), self,
                               G_CONNECT_SWAPPED);
      ep_toast_show (GTK_WIDGET (self), "compose", toast);
      self->countdown_source = g_timeout_add_seconds (1, countdown_cb, self);
    }
  update_status (self);
}

static void send_message (EpComposePage *self,
                          gint64         not_before);

void
_ep_compose_page_send (EpComposePage *self)
{
  guint delay = g_settings_get_uint (self->settings, "undo-send-delay");

  /* A weak password is confirmed first; the undo delay counts from then. */
  if (!_ep_compose_page_password_confirm (self, -1))
    return;
  send_message (self, delay > 0 ? g_get_real_time () / G_USEC_PER_SEC + delay : 0);
}

void
_ep_compose_page_send_at (EpComposePage *self,
                          gint64         not_before)
{
  if (!_ep_compose_page_password_confirm (self, not_before))
    return;
  send_message (self, not_before);
}

static void
send_message (EpComposePage *self,
              gint64         not_before)
{
  EpAccount *account = _ep_compose_page_selected_account (self);
  g_autoptr(EpDraft) draft = NULL;

  if (account == NULL || self->sending)
    return;

  _ep_compose_page_validate (self);
  if (!self->addresses_valid || self->n_recipients == 0)
    return;

  draft = _ep_compose_page_build_draft (self);

  /* Make sure the draft on disk is current before it leaves. */
  ep_compose_page_save_now (self);

  g_clear_object (&self->send_cancellable);
  self->send_cancellable = g_cancellable_new ();
  set_sending (self, TRUE);
  gtk_label_set_text (self->status_label, _("Sending…"));
  ep_outbox_send_message_async (ep_context_get_outbox (self->context), account, draft,
                                not_before, self->send_cancellable, queued_cb, g_object_ref (self));
}

void
_ep_compose_page_cancel_send (EpComposePage *self)
{
  if (self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
  if (self->task != NULL)
    {
      self->undoing = ep_outbox_task_get_not_before (self->task) > 0;
      ep_outbox_task_cancel (self->task);
    }
}

void
_ep_compose_page_send_now (EpComposePage *self)
{
  if (self->task == NULL)
    return;

  ep_toast_dismiss (GTK_WIDGET (self), "compose");
  ep_outbox_task_send_now (self->task);
  update_status (self);
}

/* The page goes away (the window closed): the message stays in the
 * outbox and goes on its own; the application says how it went. */
void
_ep_compose_page_send_dispose (EpComposePage *self)
{
  if (self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
  g_clear_object (&self->send_cancellable);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  if (self->task != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->task, self);
      g_clear_object (&self->task);
    }
}
