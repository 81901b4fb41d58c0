/* ep-campaign-runner.h: the send engine (journal, pacing, retries)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "outbox/ep-campaign.h"

G_BEGIN_DECLS

#define EP_TYPE_CAMPAIGN_RUNNER (ep_campaign_runner_get_type ())

G_DECLARE_FINAL_TYPE (EpCampaignRunner, ep_campaign_runner, EP, CAMPAIGN_RUNNER, GObject)

EpCampaignRunner *ep_campaign_runner_new                 (EpOutbox               *outbox,
                                                          gint64                  id,
                                                          GError                **error);
/* Called from worker threads, one call at a time. */
void              ep_campaign_runner_set_progress_func   (EpCampaignRunner       *self,
                                                          EpCampaignProgressFunc  func,
                                                          gpointer                user_data,
                                                          GDestroyNotify          destroy);
/* First retry after @first_delay seconds, doubling each time, at most
 * @max_attempts sends per recipient (defaults 30 s, 5). */
void              ep_campaign_runner_set_retry_policy    (EpCampaignRunner       *self,
                                                          guint                   first_delay,
                                                          guint                   max_attempts);
/* Sends until the campaign ends or stops; blocks (worker threads only).
 * Recovers from a crash first: recipients left in flight become
 * "uncertain" and are sent again. FALSE only when the journal itself
 * cannot be used; @end says why it stopped. */
gboolean          ep_campaign_runner_run                 (EpCampaignRunner       *self,
                                                          EpCampaignEnd          *end,
                                                          char                  **reason,
                                                          GError                **error);
/* Thread-safe. Messages already on the wire finish first. */
void              ep_campaign_runner_pause               (EpCampaignRunner       *self);
void              ep_campaign_runner_cancel              (EpCampaignRunner       *self);
/* FALSE: a run ends (EP_CAMPAIGN_END_WAITING) when only retries are
 * left, instead of waiting for them; they stay in the journal. */
void              ep_campaign_runner_set_wait_for_retries (EpCampaignRunner      *self,
                                                          gboolean                wait);
/* Connect and response timeout of this run, in seconds (0: the default). */
void              ep_campaign_runner_set_timeout         (EpCampaignRunner       *self,
                                                          guint                   seconds);
/* Thread-safe: recipients waiting to retry are tried at once. */
void              ep_campaign_runner_retry_now           (EpCampaignRunner       *self);

G_END_DECLS
