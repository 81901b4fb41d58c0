/* ep-merge-page.h: the Merge pane, a wizard from spreadsheet to campaign
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MERGE_PAGE (ep_merge_page_get_type ())

G_DECLARE_FINAL_TYPE (EpMergePage, ep_merge_page, EP, MERGE_PAGE, GtkWidget)

/* Opens @file in the wizard; asks first if another one is being edited. */
void     ep_merge_page_open_file        (EpMergePage *self,
                                         GFile       *file);
gboolean ep_merge_page_is_spreadsheet   (GFile       *file);
void     ep_merge_page_set_accounts     (EpMergePage *self,
                                         GPtrArray   *accounts);

G_END_DECLS
