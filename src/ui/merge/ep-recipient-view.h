/* ep-recipient-view.h: a campaign's recipients as a table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A GtkColumnView over @recipients (EpRecipientItem), labelled
 * "Recipients" for screen readers. */
GtkWidget *ep_recipient_view_new (GListModel *recipients);

G_END_DECLS
