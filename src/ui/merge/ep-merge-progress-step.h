/* ep-merge-progress-step.h: the merge wizard's last step, a campaign being sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>


G_BEGIN_DECLS

#define EP_TYPE_MERGE_PROGRESS_STEP (ep_merge_progress_step_get_type ())

G_DECLARE_FINAL_TYPE (EpMergeProgressStep, ep_merge_progress_step, EP, MERGE_PROGRESS_STEP, GtkWidget)

GtkWidget *ep_merge_progress_step_new      (EpMergeJob          *job);
/* Follows @task from now on, showing its progress first. */
/* The campaign shown; NULL before set_task (). */
EpOutboxTask *ep_merge_progress_step_get_task (EpMergeProgressStep *self);
void       ep_merge_progress_step_set_task (EpMergeProgressStep *self,
                                            EpOutboxTask      *task);

G_END_DECLS
