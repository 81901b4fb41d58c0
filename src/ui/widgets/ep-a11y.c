/* ep-a11y.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ep-a11y.h"

/* GTK 4.8 names a button with a text label after both its accessible label
 * and the label widget inside it ("Send Send"). Give it exactly one name;
 * call again after changing the button's label. */
void
ep_a11y_name_button (GtkWidget  *button,
                     const char *name)
{
  g_return_if_fail (GTK_IS_WIDGET (button));

  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}
