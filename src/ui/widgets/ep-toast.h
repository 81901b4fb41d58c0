/* ep-toast.h: toasts that replace stale ones
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows @toast (consumed) in the toast overlay around @inside, first
 * dismissing the toast of the same @kind shown there before, if it is
 * still up: AdwToastOverlay queues toasts, so an old message would
 * otherwise hold a new one back. @kind is a static string ("compose",
 * "merge", …). Returns the toast (borrowed), or NULL without an overlay. */
AdwToast *ep_toast_show      (GtkWidget  *inside,
                              const char *kind,
                              AdwToast   *toast);
AdwToast *ep_toast_show_text (GtkWidget  *inside,
                              const char *kind,
                              const char *text);
/* Dismisses the toast of @kind around @inside, if any. */
void      ep_toast_dismiss   (GtkWidget  *inside,
                              const char *kind);

G_END_DECLS
