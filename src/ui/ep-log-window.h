/* ep-log-window.h: the redacted connection log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_LOG_WINDOW (ep_log_window_get_type ())

G_DECLARE_FINAL_TYPE (EpLogWindow, ep_log_window, EP, LOG_WINDOW, AdwWindow)

EpLogWindow *ep_log_window_new (GtkWindow     *parent,
                                EpProtocolLog *log);

G_END_DECLS
