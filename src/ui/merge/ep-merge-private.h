/* ep-merge-private.h: helpers shared by the merge wizard's steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

GtkWindow *_ep_merge_parent_window   (GtkWidget          *widget);
void       _ep_merge_error_dialog    (GtkWidget          *widget,
                                      const char         *heading,
                                      const char         *body);
void       _ep_merge_toast           (GtkWidget          *widget,
                                      const char         *text);
void       _ep_merge_set_string_model (AdwComboRow       *row,
                                      const char * const *items,
                                      guint               selected);
char      *_ep_merge_chip_text       (const char         *column);
/* The column of "{{ Column }}" alone, or NULL. */
char      *_ep_merge_single_column   (const char         *text);

G_END_DECLS
