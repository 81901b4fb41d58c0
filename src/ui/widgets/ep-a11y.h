/* ep-a11y.h: accessibility helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void ep_a11y_name_button (GtkWidget  *button,
                          const char *name);

G_END_DECLS
