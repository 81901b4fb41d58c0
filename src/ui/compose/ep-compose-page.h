/* ep-compose-page.h: the Compose pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_COMPOSE_PAGE (ep_compose_page_get_type ())

G_DECLARE_FINAL_TYPE (EpComposePage, ep_compose_page, EP, COMPOSE_PAGE, GtkWidget)

void ep_compose_page_add_files  (EpComposePage *self,
                                 GSList        *files);
void ep_compose_page_save_now   (EpComposePage *self);
/* Nothing written, nothing attached, nothing sending. */
gboolean ep_compose_page_is_empty (EpComposePage *self);
/* Puts @draft (a scheduled message taken back) in the form. */
void ep_compose_page_edit       (EpComposePage *self,
                                 const EpDraft *draft);
/* Puts a reply or forward (from the Inbox) in the form; its In-Reply-To
 * and References go with the message when it is sent. */
void ep_compose_page_reply      (EpComposePage *self,
                                 const EpDraft *draft);

/* An empty form for a new message (asks before discarding one). */
void ep_compose_page_start_new  (EpComposePage *self);

G_END_DECLS
