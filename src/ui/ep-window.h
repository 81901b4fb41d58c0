/* ep-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

#include "ep-application.h"

G_BEGIN_DECLS

#define EP_TYPE_WINDOW (ep_window_get_type ())

G_DECLARE_FINAL_TYPE (EpWindow, ep_window, EP, WINDOW, AdwApplicationWindow)

EpWindow *ep_window_new (EpApplication *application,
                         EpContext     *context,
                         const GError  *context_error);

void      ep_window_open_files   (EpWindow  *self,
                                  GFile    **files,
                                  int        n_files);

G_END_DECLS
