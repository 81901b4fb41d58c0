/* ep-recipient-view.c: a campaign's recipients as a table: row,
 * address, status (returned, sent again) and the server's reply, each
 * row following its item's state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ep-recipient-item.h"
#include "ep-recipient-view.h"

static const char *
state_label (EpRecipientState state)
{
  if (state == EP_RECIPIENT_PENDING)
    return _("Not sent yet");
  return ep_recipient_state_describe (state);
}

static void
recipient_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
recipient_sync (EpRecipientItem *r,
                GParamSpec      *pspec,
                GtkListItem     *item)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (item), "column"));
  const char *reply = ep_recipient_item_get_reply (r);
  char number[16];

  switch (column)
    {
    case 0:
      g_snprintf (number, sizeof number, "%u", ep_recipient_item_get_row_number (r));
      gtk_label_set_label (label, number);
      break;
    case 1:
      gtk_label_set_label (label, ep_recipient_item_get_address (r));
      break;
    case 2:
      if (ep_recipient_item_get_bounced (r))
        gtk_label_set_label (label, _("Returned"));
      else if (ep_recipient_item_get_resent (r) && ep_recipient_item_get_state (r) == EP_RECIPIENT_SENT)
        /* In flight when Epistle stopped: the server may have had it. */
        gtk_label_set_label (label, _("Sent again, maybe twice"));
      else
        gtk_label_set_label (label, state_label (ep_recipient_item_get_state (r)));
      break;
    default:
      gtk_label_set_label (label, reply ? reply : "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), reply);
      break;
    }
}

static void
recipient_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  EpRecipientItem *r = gtk_list_item_get_item (item);

  g_object_set_data (G_OBJECT (item), "column", user_data);
  recipient_sync (r, NULL, item);
  g_signal_connect_object (r, "notify::state", G_CALLBACK (recipient_sync), item, 0);
}

static void
recipient_unbind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  EpRecipientItem *r = gtk_list_item_get_item (item);

  g_signal_handlers_disconnect_by_func (r, recipient_sync, item);
}

GtkWidget *
ep_recipient_view_new (GListModel *recipients)
{
  const char *titles[] = { N_("Row"), N_("Recipient"), N_("Status"), N_("Server Reply") };
  GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (recipients));
  GtkWidget *view = gtk_column_view_new (GTK_SELECTION_MODEL (selection));

  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Recipients"), -1);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) col = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (recipient_setup), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (recipient_bind), GINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (recipient_unbind), NULL);
      col = gtk_column_view_column_new (_(titles[i]), factory);
      gtk_column_view_column_set_resizable (col, TRUE);
      if (i == 3)
        gtk_column_view_column_set_expand (col, TRUE);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), col);
    }
  return view;
}
