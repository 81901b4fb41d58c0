/* ep-merge-step.h: what the merge wizard needs of each of its steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MERGE_STEP (ep_merge_step_get_type ())

G_DECLARE_INTERFACE (EpMergeStep, ep_merge_step, EP, MERGE_STEP, GtkWidget)

/* Every step has a construct-only "job" (EpMergeJob) and a read-only
 * boolean "can-continue" that the wizard's Next button follows. */
struct _EpMergeStepInterface
{
  GTypeInterface parent_iface;

  /* The wizard has just shown the step. */
  void (*enter) (EpMergeStep *self);
};

void     ep_merge_step_enter            (EpMergeStep *self);
gboolean ep_merge_step_get_can_continue (EpMergeStep *self);

G_END_DECLS
