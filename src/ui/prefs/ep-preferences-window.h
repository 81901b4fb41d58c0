/* ep-preferences-window.h: accounts (and, later, other preferences)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_PREFERENCES_WINDOW (ep_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (EpPreferencesWindow, ep_preferences_window, EP, PREFERENCES_WINDOW, AdwPreferencesWindow)

EpPreferencesWindow *ep_preferences_window_new (GtkWindow *parent,
                                                EpContext *context);
void      ep_preferences_window_import_certificate  (EpPreferencesWindow *self,
                                                     GFile               *file);
/* By its name: .p12, .pfx, .pem, .crt, .cer, .der, .p7b, .p7c */
gboolean  ep_preferences_window_is_certificate_file (GFile               *file);

G_END_DECLS
