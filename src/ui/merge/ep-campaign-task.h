/* ep-campaign-task.h: a campaign being sent, seen from the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_CAMPAIGN_TASK (ep_campaign_task_get_type ())

G_DECLARE_FINAL_TYPE (EpCampaignTask, ep_campaign_task, EP, CAMPAIGN_TASK, GObject)

EpCampaignTask           *ep_campaign_task_new          (EpContext       *context,
                                                         gint64           id,
                                                         GError         **error);
gint64                    ep_campaign_task_get_id       (EpCampaignTask  *self);
const char               *ep_campaign_task_get_name     (EpCampaignTask  *self);
gboolean                  ep_campaign_task_get_running  (EpCampaignTask  *self);
/* The latest progress (row fields unset). */
const EpCampaignProgress *ep_campaign_task_get_progress (EpCampaignTask  *self);
/* Set once "finished" was emitted. */
EpCampaignEnd             ep_campaign_task_get_end      (EpCampaignTask  *self);
const char               *ep_campaign_task_get_reason   (EpCampaignTask  *self);

void                      ep_campaign_task_start        (EpCampaignTask  *self);
void                      ep_campaign_task_pause        (EpCampaignTask  *self);
void                      ep_campaign_task_cancel       (EpCampaignTask  *self);

G_END_DECLS
