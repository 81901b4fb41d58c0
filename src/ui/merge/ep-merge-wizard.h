/* ep-merge-wizard.h: the Merge pane, a wizard from spreadsheet to campaign
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MERGE_WIZARD (ep_merge_wizard_get_type ())

G_DECLARE_FINAL_TYPE (EpMergeWizard, ep_merge_wizard, EP, MERGE_WIZARD, GtkWidget)

/* Opens @file in the wizard; asks first if another one is being edited. */
void     ep_merge_wizard_open_file      (EpMergeWizard *self,
                                         GFile         *file);
gboolean ep_merge_wizard_is_spreadsheet (GFile         *file);
void     ep_merge_wizard_set_accounts   (EpMergeWizard *self,
                                         GPtrArray     *accounts);

G_END_DECLS
