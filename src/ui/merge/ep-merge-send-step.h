/* ep-merge-send-step.h: the merge wizard's Send step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MERGE_SEND_STEP (ep_merge_send_step_get_type ())

G_DECLARE_FINAL_TYPE (EpMergeSendStep, ep_merge_send_step, EP, MERGE_SEND_STEP, GtkWidget)

GtkWidget *ep_merge_send_step_new (EpMergeJob *job);

G_END_DECLS
