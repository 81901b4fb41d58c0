/* ep-merge-util.c: helpers shared by the merge wizard's steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-util"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ep-merge-private.h"
#include "widgets/ep-toast.h"

GtkWindow *
_ep_merge_parent_window (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
_ep_merge_error_dialog (GtkWidget  *widget,
                        const char *heading,
                        const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (_ep_merge_parent_window (widget), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_ep_merge_toast (GtkWidget  *widget,
                 const char *text)
{
  ep_toast_show_text (widget, "merge", text);
}

/* Each combo row keeps one list for its life and only its items change,
 * so the row's selection and popover keep working on the same model. */
void
_ep_merge_set_string_model (AdwComboRow        *row,
                            const char * const *items,
                            guint               selected)
{
  GListModel *model = adw_combo_row_get_model (row);

  if (!GTK_IS_STRING_LIST (model))
    {
      g_autoptr(GtkStringList) list = gtk_string_list_new (items);
      adw_combo_row_set_model (row, G_LIST_MODEL (list));
    }
  else
    gtk_string_list_splice (GTK_STRING_LIST (model), 0, g_list_model_get_n_items (model), items);

  adw_combo_row_set_selected (row, selected);
}

char *
_ep_merge_chip_text (const char *column)
{
  return g_strdup_printf ("{{ %s }}", column);
}

char *
_ep_merge_single_column (const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  if (!g_str_has_prefix (trimmed, "{{") || !g_str_has_suffix (trimmed, "}}") ||
      strlen (trimmed) < 4 || strstr (trimmed + 2, "{{") != NULL)
    return NULL;
  return g_strstrip (g_strndup (trimmed + 2, strlen (trimmed) - 4));
}
