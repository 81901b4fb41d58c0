/* ep-compose-page-attach.c: the message's attachments
 *
 * Files come from the Attach Files dialog, from files dropped on the page
 * and from a restored draft; each is looked up asynchronously (a file that
 * is gone or not a regular file gives a toast), listed once with its type
 * and size and a button to remove it, and the draft is saved.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-compose-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-compose-page-private.h"

void
_ep_compose_page_attachment_free (gpointer data)
{
  Attachment *a = data;

  g_free (a->path);
  g_free (a->name);
  g_free (a->type);
  g_free (a);
}

static void
on_remove_attachment_clicked_cb (GtkButton     *button,
                                 EpComposePage *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");

  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *a = g_ptr_array_index (self->attachments, i);

      if (g_strcmp0 (a->path, path) == 0)
        {
          g_ptr_array_remove_index (self->attachments, i);
          break;
        }
    }

  _ep_compose_page_rebuild_attachment_rows (self);
  _ep_compose_page_update_size_warning (self);
  _ep_compose_page_schedule_save (self);
}

void
_ep_compose_page_rebuild_attachment_rows (EpComposePage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachment_list))) != NULL)
    gtk_list_box_remove (self->attachment_list, child);

  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *a = g_ptr_array_index (self->attachments, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *size = g_format_size (a->size);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", a->type, size);
      g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), a->name);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), a->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("mail-attachment-symbolic"));

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, remove_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
      g_object_set_data_full (G_OBJECT (remove), "path", g_strdup (a->path), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_attachment_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

      gtk_list_box_append (self->attachment_list, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->attachment_list), self->attachments->len > 0);
}

static void
query_info_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpComposePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *path = g_file_get_path (G_FILE (object));
  Attachment *a;

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (info == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Could not attach %s: %s"),
                                                   path ? path : "?", error->message);
          _ep_compose_page_toast (self, text);
        }
      return;
    }

  if (path == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *text = g_strdup_printf (_("%s is not a file that can be attached"),
                                               g_file_info_get_display_name (info));
      _ep_compose_page_toast (self, text);
      return;
    }

  for (guint i = 0; i < self->attachments->len; i++)
    if (g_str_equal (((Attachment *) g_ptr_array_index (self->attachments, i))->path, path))
      return;

  a = g_new0 (Attachment, 1);
  a->path = g_steal_pointer (&path);
  a->name = g_strdup (g_file_info_get_display_name (info));
  a->size = (guint64) g_file_info_get_size (info);
  a->type = g_content_type_get_description (g_file_info_get_content_type (info)
                                            ? g_file_info_get_content_type (info)
                                            : "application/octet-stream");
  g_ptr_array_add (self->attachments, a);

  _ep_compose_page_rebuild_attachment_rows (self);
  _ep_compose_page_update_size_warning (self);
  _ep_compose_page_schedule_save (self);
}

void
_ep_compose_page_add_file (EpComposePage *self,
                           GFile         *file)
{
  g_file_query_info_async (file,
                           G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                           G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                           G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                           G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, self->cancellable,
                           query_info_cb, g_object_ref (self));
}

void
ep_compose_page_add_files (EpComposePage *self,
                           GSList        *files)
{
  g_return_if_fail (EP_IS_COMPOSE_PAGE (self));

  if (self->sending)
    return;

  for (GSList *l = files; l != NULL; l = l->next)
    _ep_compose_page_add_file (self, l->data);
}

static void
on_file_chooser_response_cb (GtkNativeDialog *chooser,
                             int              response,
                             EpComposePage   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          _ep_compose_page_add_file (self, file);
        }
    }

  g_object_unref (chooser);
}

void
_ep_compose_page_attach_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  EpComposePage *self = EP_COMPOSE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Attach Files"), GTK_WINDOW (root),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
