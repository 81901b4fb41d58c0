/* ep-merge-message-step.h: the merge wizard's Message step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_MERGE_MESSAGE_STEP (ep_merge_message_step_get_type ())

G_DECLARE_FINAL_TYPE (EpMergeMessageStep, ep_merge_message_step, EP, MERGE_MESSAGE_STEP, GtkWidget)

GtkWidget *ep_merge_message_step_new            (EpMergeJob         *job);
void       ep_merge_message_step_set_accounts   (EpMergeMessageStep *self,
                                                 GPtrArray          *accounts);
/* Puts "{{ @column }}" in To. */
void       ep_merge_message_step_set_to_column  (EpMergeMessageStep *self,
                                                 const char         *column);
/* The message as written, for the merge's draft ("changed" says when). */
GVariant  *ep_merge_message_step_save_state     (EpMergeMessageStep *self);
/* A campaign's message again (Retry Failed of a past campaign). */
void       ep_merge_message_step_set_parts      (EpMergeMessageStep    *self,
                                                 const EpTemplateParts *parts,
                                                 const char            *account_uid);
void       ep_merge_message_step_restore_state  (EpMergeMessageStep *self,
                                                 GVariant           *state);

G_END_DECLS
