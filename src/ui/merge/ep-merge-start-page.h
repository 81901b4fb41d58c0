/* ep-merge-start-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MERGE_START_PAGE (ep_merge_start_page_get_type ())

G_DECLARE_FINAL_TYPE (EpMergeStartPage, ep_merge_start_page, EP, MERGE_START_PAGE, GtkWidget)

GtkWidget *ep_merge_start_page_new          (EpMergeJob       *job);
/* Lists again what is sending, paused or interrupted. */
void       ep_merge_start_page_refresh      (EpMergeStartPage *self);
/* Says so first if @path is being sent or was sent lately; then (or at
 * once) emits "open-confirmed" with @path. */
void       ep_merge_start_page_confirm_open (EpMergeStartPage *self,
                                             const char       *path);

G_END_DECLS
