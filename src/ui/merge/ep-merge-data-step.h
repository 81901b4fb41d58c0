/* ep-merge-data-step.h: the merge wizard's Data step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MERGE_DATA_STEP (ep_merge_data_step_get_type ())

G_DECLARE_FINAL_TYPE (EpMergeDataStep, ep_merge_data_step, EP, MERGE_DATA_STEP, GtkWidget)

GtkWidget *ep_merge_data_step_new              (EpMergeJob      *job);
/* How to read the spreadsheet again, as chosen on this step. */
void       ep_merge_data_step_get_read_options (EpMergeDataStep *self,
                                                char           **sheet,
                                                const char     **encoding,
                                                char            *delimiter,
                                                const char     **locale);
/* A new file starts from detection, whatever the last one needed. */
void       ep_merge_data_step_reset_options    (EpMergeDataStep *self);
void       ep_merge_data_step_set_read_options (EpMergeDataStep *self,
                                                const char      *sheet,
                                                const char      *encoding,
                                                char             delimiter,
                                                const char      *locale);

G_END_DECLS
