/* ep-message-view.c: the reading pane
 *
 * A message is fetched (or read from the cache) and parsed in a worker;
 * private mail is opened there through the vault. What comes back is
 * shown as formatted text in a read-only GtkTextView: no web engine, so
 * no script runs and nothing remote is ever loaded. A link opens only
 * after a dialog that shows where it really goes. A message that could
 * not be opened shows why, and nothing of its content.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-message-view"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ep-message-view.h"
#include "widgets/ep-toast.h"

struct _EpMessageView
{
  AdwBin          parent_instance;

  EpContext      *context;
  GtkStack       *stack;
  AdwStatusPage  *failed_page;
  AdwStatusPage  *password_page;
  GtkPasswordEntry *password_entry;
  GtkLabel       *subject_label;
  GtkLabel       *from_label;
  GtkLabel       *to_label;
  GtkLabel       *date_label;
  GtkBox         *banner;
  GtkImage       *banner_icon;
  GtkLabel       *banner_label;
  GtkTextView    *text_view;
  AdwPreferencesGroup *attachments_group;
  GPtrArray      *attachment_rows;

  gint64          id;
  char           *password;   /* what opened the shown password mail */
  GBytes         *raw;
  EpReadMessage  *message;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (EpMessageView, ep_message_view, ADW_TYPE_BIN)

/* ---- showing ---- */

static GtkTextTag *
style_tag (GtkTextBuffer    *buffer,
           const EpTextSpan *span)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  g_autofree char *name = NULL;
  GtkTextTag *tag;

  switch (span->style)
    {
    case EP_TEXT_BOLD: name = g_strdup ("bold"); break;
    case EP_TEXT_ITALIC: name = g_strdup ("italic"); break;
    case EP_TEXT_UNDERLINE: name = g_strdup ("underline"); break;
    case EP_TEXT_STRIKE: name = g_strdup ("strike"); break;
    case EP_TEXT_MONOSPACE: name = g_strdup ("monospace"); break;
    case EP_TEXT_HEADING: name = g_strdup_printf ("heading%u", CLAMP (span->level, 1, 3)); break;
    case EP_TEXT_QUOTE: name = g_strdup_printf ("quote%u", CLAMP (span->level, 1, 4)); break;
    case EP_TEXT_LINK:
      tag = gtk_text_buffer_create_tag (buffer, NULL, "underline", PANGO_UNDERLINE_SINGLE,
                                        "foreground", "#3584e4", NULL);
      g_object_set_data_full (G_OBJECT (tag), "ep-link", g_strdup (span->link), g_free);
      return tag;
    default:
      return NULL;
    }

  tag = gtk_text_tag_table_lookup (table, name);
  if (tag != NULL)
    return tag;

  if (span->style == EP_TEXT_BOLD)
    tag = gtk_text_buffer_create_tag (buffer, name, "weight", PANGO_WEIGHT_BOLD, NULL);
  else if (span->style == EP_TEXT_ITALIC)
    tag = gtk_text_buffer_create_tag (buffer, name, "style", PANGO_STYLE_ITALIC, NULL);
  else if (span->style == EP_TEXT_UNDERLINE)
    tag = gtk_text_buffer_create_tag (buffer, name, "underline", PANGO_UNDERLINE_SINGLE, NULL);
  else if (span->style == EP_TEXT_STRIKE)
    tag = gtk_text_buffer_create_tag (buffer, name, "strikethrough", TRUE, NULL);
  else if (span->style == EP_TEXT_MONOSPACE)
    tag = gtk_text_buffer_create_tag (buffer, name, "family", "monospace", NULL);
  else if (span->style == EP_TEXT_HEADING)
    tag = gtk_text_buffer_create_tag (buffer, name, "weight", PANGO_WEIGHT_BOLD, "scale",
                                      span->level <= 1 ? 1.4 : span->level == 2 ? 1.2 : 1.1, NULL);
  else
    tag = gtk_text_buffer_create_tag (buffer, name, "left-margin", 12 + 16 * (int) CLAMP (span->level, 1, 4),
                                      "foreground", "#6f6f6f", NULL);
  return tag;
}

static void
show_text (EpMessageView         *self,
           const EpFormattedText *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  const char *base = text->text;
  const char *cursor = base;
  glong cursor_offset = 0;

  gtk_text_buffer_set_text (buffer, text->text, -1);

  for (guint i = 0; i < text->spans->len; i++)
    {
      const EpTextSpan *span = g_ptr_array_index (text->spans, i);
      GtkTextIter start, end;
      glong start_offset, end_offset;
      GtkTextTag *tag;

      /* Spans come ordered by start: walk forward, never from the top. */
      if (base + span->start < cursor)
        {
          cursor = base;
          cursor_offset = 0;
        }
      start_offset = cursor_offset + g_utf8_pointer_to_offset (cursor, base + span->start);
      cursor = base + span->start;
      cursor_offset = start_offset;
      end_offset = start_offset + g_utf8_pointer_to_offset (base + span->start, base + span->end);

      tag = style_tag (buffer, span);
      if (tag == NULL)
        continue;
      gtk_text_buffer_get_iter_at_offset (buffer, &start, (int) start_offset);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, (int) end_offset);
      gtk_text_buffer_apply_tag (buffer, tag, &start, &end);
    }
}

static void
save_response (GtkNativeDialog *dialog,
               int              response,
               gpointer         user_data)
{
  EpMessageView *self = user_data;
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "ep-index"));

  if (response == GTK_RESPONSE_ACCEPT && self->message != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = ep_read_message_attachment_bytes (self->message, index, &error);
      gsize len = 0;
      const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

      if (bytes == NULL ||
          !g_file_replace_contents (file, data ? data : "", len, NULL, FALSE,
                                    G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                    NULL, NULL, &error))
        ep_toast_show_text (GTK_WIDGET (self), "attachment", error->message);
      else
        ep_toast_show_text (GTK_WIDGET (self), "attachment", _("Attachment saved"));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
save_clicked (GtkButton     *button,
              EpMessageView *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "ep-index"));
  GtkFileChooserNative *dialog;
  EpReadAttachment *a = NULL;

  if (self->message == NULL)
    return;
  for (guint i = 0; i < self->message->attachments->len; i++)
    if (((EpReadAttachment *) g_ptr_array_index (self->message->attachments, i))->index == index)
      a = g_ptr_array_index (self->message->attachments, i);
  if (a == NULL)
    return;

  dialog = gtk_file_chooser_native_new (_("Save Attachment"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), a->filename);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_object_set_data (G_OBJECT (dialog), "ep-index", GUINT_TO_POINTER (index));
  g_signal_connect (dialog, "response", G_CALLBACK (save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
clear_attachments (EpMessageView *self)
{
  for (guint i = 0; i < self->attachment_rows->len; i++)
    adw_preferences_group_remove (self->attachments_group, g_ptr_array_index (self->attachment_rows, i));
  g_ptr_array_set_size (self->attachment_rows, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->attachments_group), FALSE);
}

static void
show_attachments (EpMessageView *self)
{
  clear_attachments (self);
  for (guint i = 0; i < self->message->attachments->len; i++)
    {
      EpReadAttachment *a = g_ptr_array_index (self->message->attachments, i);
      g_autofree char *size = g_format_size (a->size);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", a->content_type, size);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_from_icon_name ("document-save-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), a->filename);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Save"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Save"), -1);
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data (G_OBJECT (button), "ep-index", GUINT_TO_POINTER (a->index));
      g_signal_connect (button, "clicked", G_CALLBACK (save_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (self->attachments_group, row);
      g_ptr_array_add (self->attachment_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->attachments_group), self->attachment_rows->len > 0);
}

static void
show_banner (EpMessageView *self)
{
  EpReadMessage *m = self->message;
  const char *classes[] = { "success", "warning", NULL };

  for (guint i = 0; classes[i] != NULL; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->banner), classes[i]);

  if (m->security_summary == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->banner), FALSE);
      return;
    }
  gtk_label_set_text (self->banner_label, m->security_summary);
  if ((m->encrypted && m->integrity) || (m->is_signed && m->signer_trusted))
    {
      gtk_image_set_from_icon_name (self->banner_icon, "channel-secure-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->banner), "success");
    }
  else
    {
      gtk_image_set_from_icon_name (self->banner_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->banner), "warning");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->banner), TRUE);
}

static void
show_message (EpMessageView *self)
{
  EpReadMessage *m = self->message;
  g_autoptr(GDateTime) date = m->date ? g_date_time_new_from_unix_local (m->date) : NULL;
  g_autofree char *when = date ? g_date_time_format (date, _("%A, %-d %B %Y, %H:%M")) : NULL;
  g_autofree char *to = NULL;

  switch (m->state)
    {
    case EP_READ_NEEDS_PASSWORD:
      gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
      gtk_stack_set_visible_child_name (self->stack, "password");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
      return;
    case EP_READ_FAILED:
      if (m->protection == EP_READ_PASSWORD && self->raw != NULL)
        {
          /* A wrong password: ask again, saying so. */
          adw_status_page_set_description (self->password_page,
                                           m->problem ? m->problem : _("That password does not open this message."));
          gtk_stack_set_visible_child_name (self->stack, "password");
          gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
          return;
        }
      adw_status_page_set_description (self->failed_page,
                                       m->problem ? m->problem : _("The message could not be opened."));
      gtk_stack_set_visible_child_name (self->stack, "failed");
      return;
    case EP_READ_OK:
    default:
      break;
    }

  gtk_label_set_text (self->subject_label, m->subject && *m->subject ? m->subject : _("(No subject)"));
  gtk_label_set_text (self->from_label, m->from ? m->from : "");
  to = m->cc && *m->cc ? g_strdup_printf (_("To %s; Cc %s"), m->to ? m->to : "", m->cc)
                       : g_strdup_printf (_("To %s"), m->to ? m->to : "");
  gtk_label_set_text (self->to_label, to);
  gtk_label_set_text (self->date_label, when ? when : "");
  show_banner (self);
  if (m->body != NULL)
    show_text (self, m->body);
  else
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", -1);
  show_attachments (self);
  gtk_stack_set_visible_child_name (self->stack, "message");
}

/* ---- opening ---- */

static void
wipe_password (char **password)
{
  if (*password != NULL)
    {
      memset (*password, 0, strlen (*password));
      g_clear_pointer (password, g_free);
    }
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EpMessageView) self = user_data;
  g_autoptr(GError) error = NULL;
  EpReadMessage *message = ep_inbox_open_message_finish (EP_INBOX (object), result, &error);

  if (message == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->failed_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "failed");
      return;
    }
  g_clear_pointer (&self->message, ep_read_message_free);
  self->message = message;
  show_message (self);
}

static void
open_raw (EpMessageView *self,
          const char    *password)
{
  ep_inbox_open_message_async (ep_context_get_inbox (self->context), self->id, self->raw, password,
                               self->cancellable, opened_cb, g_object_ref (self));
}

static void
fetched_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EpMessageView) self = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *raw = ep_inbox_fetch_body_finish (EP_INBOX (object), result, &error);

  if (raw == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->failed_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "failed");
      return;
    }
  g_clear_pointer (&self->raw, g_bytes_unref);
  self->raw = raw;
  open_raw (self, NULL);
}

void
ep_message_view_show (EpMessageView *self,
                      gint64         id)
{
  g_return_if_fail (EP_IS_MESSAGE_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->message, ep_read_message_free);
  g_clear_pointer (&self->raw, g_bytes_unref);
  wipe_password (&self->password);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", -1);
  clear_attachments (self);
  self->id = id;

  if (id == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "loading");
  ep_inbox_fetch_body_async (ep_context_get_inbox (self->context), id, self->cancellable,
                             fetched_cb, g_object_ref (self));
}

gint64
ep_message_view_get_id (EpMessageView *self)
{
  g_return_val_if_fail (EP_IS_MESSAGE_VIEW (self), 0);
  return self->id;
}

EpReadMessage *
ep_message_view_get_message (EpMessageView *self)
{
  g_return_val_if_fail (EP_IS_MESSAGE_VIEW (self), NULL);
  return self->message != NULL && self->message->state == EP_READ_OK ? self->message : NULL;
}

const char *
ep_message_view_get_password (EpMessageView *self)
{
  g_return_val_if_fail (EP_IS_MESSAGE_VIEW (self), NULL);
  return self->message != NULL && self->message->state == EP_READ_OK &&
         self->message->protection == EP_READ_PASSWORD ? self->password : NULL;
}

static void
password_activate (EpMessageView *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));

  if (self->raw == NULL || *password == '\0')
    return;
  gtk_stack_set_visible_child_name (self->stack, "loading");
  wipe_password (&self->password);
  self->password = g_strdup (password);
  open_raw (self, password);
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
}

/* ---- links ---- */

static gboolean
openable_link (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  /* Never file:, smb: or a custom handler from a message. */
  return scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0 ||
                            g_ascii_strcasecmp (scheme, "https") == 0 ||
                            g_ascii_strcasecmp (scheme, "mailto") == 0);
}

/* The link as it must be read: control and direction characters (which
 * could make it look like another address) shown as codes. */
static char *
visible_link (const char *uri)
{
  g_autofree char *valid = g_utf8_make_valid (uri, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
          (c >= 0x2066 && c <= 0x2069) || c == 0x061C)
        g_string_append_printf (out, "<U+%04X>", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
link_response (AdwMessageDialog *dialog,
               const char       *response,
               gpointer          user_data)
{
  const char *uri = g_object_get_data (G_OBJECT (dialog), "ep-link");

  if (g_strcmp0 (response, "open") == 0 && uri != NULL)
    gtk_show_uri (GTK_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog))), uri, GDK_CURRENT_TIME);
}

static void
text_released (GtkGestureClick *gesture,
               int              n_press,
               double           x,
               double           y,
               EpMessageView   *self)
{
  GtkTextIter iter;
  int bx, by;
  GSList *tags;
  const char *link = NULL;
  g_autofree char *shown = NULL;
  GtkWidget *dialog;

  gtk_text_view_window_to_buffer_coords (self->text_view, GTK_TEXT_WINDOW_WIDGET, (int) x, (int) y, &bx, &by);
  if (!gtk_text_view_get_iter_at_location (self->text_view, &iter, bx, by))
    return;
  tags = gtk_text_iter_get_tags (&iter);
  for (GSList *l = tags; l != NULL && link == NULL; l = l->next)
    link = g_object_get_data (l->data, "ep-link");
  g_slist_free (tags);
  if (link == NULL)
    return;
  if (!openable_link (link))
    {
      ep_toast_show_text (GTK_WIDGET (self), "link", _("Only web and mail links can be opened from a message"));
      return;
    }
  shown = visible_link (link);

  /* Where a link really goes is shown before anything opens. */
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Open Link?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog), _("This link goes to:\n%s"), shown);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "open", _("_Open Link"), NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "ep-link", g_strdup (link), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (link_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- construction ---- */

static GtkWidget *
make_label (const char *css,
            gboolean    selectable)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), selectable);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static void
build (EpMessageView *self)
{
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *page, *box, *scrolled, *spinner, *button, *header;
  GtkEventController *click;

  self->stack = GTK_STACK (stack);

  page = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "mail-read-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("No Message Selected"));
  gtk_stack_add_named (self->stack, page, "empty");

  spinner = gtk_spinner_new ();
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_stack_add_named (self->stack, spinner, "loading");

  page = adw_status_page_new ();
  self->failed_page = ADW_STATUS_PAGE (page);
  adw_status_page_set_icon_name (self->failed_page, "dialog-error-symbolic");
  adw_status_page_set_title (self->failed_page, _("This Message Cannot Be Shown"));
  gtk_stack_add_named (self->stack, page, "failed");

  page = adw_status_page_new ();
  self->password_page = ADW_STATUS_PAGE (page);
  adw_status_page_set_icon_name (self->password_page, "dialog-password-symbolic");
  adw_status_page_set_title (self->password_page, _("Protected with a Password"));
  adw_status_page_set_description (self->password_page,
                                   _("The sender gave you the password another way, such as by phone or text message."));
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  self->password_entry = GTK_PASSWORD_ENTRY (gtk_password_entry_new ());
  gtk_password_entry_set_show_peek_icon (self->password_entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->password_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Password"), -1);
  g_signal_connect_swapped (self->password_entry, "activate", G_CALLBACK (password_activate), self);
  button = gtk_button_new_with_mnemonic (_("_Open"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Open Message"), -1);
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (password_activate), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->password_entry));
  gtk_box_append (GTK_BOX (box), button);
  adw_status_page_set_child (self->password_page, box);
  gtk_stack_add_named (self->stack, page, "password");

  /* The message */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 12);

  header = make_label ("title-3", TRUE);
  self->subject_label = GTK_LABEL (header);
  gtk_box_append (GTK_BOX (box), header);
  self->from_label = GTK_LABEL (make_label ("heading", TRUE));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->from_label));
  self->to_label = GTK_LABEL (make_label ("dim-label", TRUE));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->to_label));
  self->date_label = GTK_LABEL (make_label ("dim-label", FALSE));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->date_label));

  self->banner = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8));
  gtk_widget_add_css_class (GTK_WIDGET (self->banner), "card");
  gtk_widget_add_css_class (GTK_WIDGET (self->banner), "security-banner");
  self->banner_icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_margin_start (GTK_WIDGET (self->banner_icon), 10);
  self->banner_label = GTK_LABEL (make_label (NULL, FALSE));
  gtk_widget_set_margin_top (GTK_WIDGET (self->banner_label), 8);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->banner_label), 8);
  gtk_widget_set_margin_end (GTK_WIDGET (self->banner_label), 10);
  gtk_widget_set_hexpand (GTK_WIDGET (self->banner_label), TRUE);
  gtk_box_append (self->banner, GTK_WIDGET (self->banner_icon));
  gtk_box_append (self->banner, GTK_WIDGET (self->banner_label));
  gtk_widget_set_visible (GTK_WIDGET (self->banner), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->banner));

  self->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_editable (self->text_view, FALSE);
  gtk_text_view_set_cursor_visible (self->text_view, FALSE);
  gtk_text_view_set_wrap_mode (self->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->text_view, 12);
  gtk_widget_set_vexpand (GTK_WIDGET (self->text_view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message Text"), -1);
  click = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  g_signal_connect (click, "released", G_CALLBACK (text_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), click);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->text_view));

  self->attachments_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->attachments_group, _("Attachments"));
  gtk_widget_set_visible (GTK_WIDGET (self->attachments_group), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->attachments_group));

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_stack_add_named (self->stack, scrolled, "message");

  gtk_stack_set_visible_child_name (self->stack, "empty");
  adw_bin_set_child (ADW_BIN (self), stack);
}

static void
ep_message_view_dispose (GObject *object)
{
  EpMessageView *self = EP_MESSAGE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->message, ep_read_message_free);
  g_clear_pointer (&self->raw, g_bytes_unref);
  wipe_password (&self->password);
  g_clear_pointer (&self->attachment_rows, g_ptr_array_unref);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (ep_message_view_parent_class)->dispose (object);
}

static void
ep_message_view_class_init (EpMessageViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ep_message_view_dispose;
}

static void
ep_message_view_init (EpMessageView *self)
{
  self->attachment_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  build (self);
}

EpMessageView *
ep_message_view_new (EpContext *context)
{
  EpMessageView *self = g_object_new (EP_TYPE_MESSAGE_VIEW, NULL);

  self->context = g_object_ref (context);
  return self;
}
