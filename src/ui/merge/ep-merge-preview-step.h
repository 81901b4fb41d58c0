/* ep-merge-preview-step.h: the merge wizard's Preview step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MERGE_PREVIEW_STEP (ep_merge_preview_step_get_type ())

G_DECLARE_FINAL_TYPE (EpMergePreviewStep, ep_merge_preview_step, EP, MERGE_PREVIEW_STEP, GtkWidget)

GtkWidget *ep_merge_preview_step_new (EpMergeJob *job);
/* Sets the Rows field ("4, 9"; "" for all). */
void       ep_merge_preview_step_set_rows (EpMergePreviewStep *self,
                                           const char         *rows);

G_END_DECLS
