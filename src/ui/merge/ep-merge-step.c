/* ep-merge-step.c: what the merge wizard needs of each of its steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-step"

#include "config.h"

#include "ep-merge-step.h"

G_DEFINE_INTERFACE (EpMergeStep, ep_merge_step, GTK_TYPE_WIDGET)

static void
ep_merge_step_default_init (EpMergeStepInterface *iface)
{
  g_object_interface_install_property (iface,
                                       g_param_spec_object ("job", NULL, NULL, EP_TYPE_MERGE_JOB,
                                                            G_PARAM_READWRITE |
                                                            G_PARAM_CONSTRUCT_ONLY |
                                                            G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
                                       g_param_spec_boolean ("can-continue", NULL, NULL, FALSE,
                                                             G_PARAM_READABLE |
                                                             G_PARAM_STATIC_STRINGS |
                                                             G_PARAM_EXPLICIT_NOTIFY));
}

void
ep_merge_step_enter (EpMergeStep *self)
{
  EpMergeStepInterface *iface;

  g_return_if_fail (EP_IS_MERGE_STEP (self));

  iface = EP_MERGE_STEP_GET_IFACE (self);
  if (iface->enter != NULL)
    iface->enter (self);
}

gboolean
ep_merge_step_get_can_continue (EpMergeStep *self)
{
  gboolean can_continue = FALSE;

  g_return_val_if_fail (EP_IS_MERGE_STEP (self), FALSE);

  g_object_get (self, "can-continue", &can_continue, NULL);
  return can_continue;
}
