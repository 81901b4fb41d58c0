/* ep-send-later-dialog.h: choosing when a message (or a scheduled item) goes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define EP_TYPE_SEND_LATER_DIALOG (ep_send_later_dialog_get_type ())

G_DECLARE_FINAL_TYPE (EpSendLaterDialog, ep_send_later_dialog, EP, SEND_LATER_DIALOG, AdwWindow)

/* @initial: unix time to start from (0: the next full hour). Emits
 * "chosen" (gint64 unix time) when the person confirms a valid time in
 * the future, then closes. Times that do not exist or are ambiguous in
 * the local zone are refused in the dialog, never shifted. */
EpSendLaterDialog *ep_send_later_dialog_new (GtkWindow  *parent,
                                             const char *action_label,
                                             gint64      initial);

G_END_DECLS
