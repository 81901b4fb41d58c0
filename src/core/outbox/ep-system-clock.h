/* ep-system-clock.h: the real wall clock (timerfd + logind)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include "outbox/ep-clock.h"

G_BEGIN_DECLS

#define EP_TYPE_SYSTEM_CLOCK (ep_system_clock_get_type ())

G_DECLARE_FINAL_TYPE (EpSystemClock, ep_system_clock, EP, SYSTEM_CLOCK, GObject)

/* "wake" is emitted in the thread-default main context of the caller. */
EpClock *ep_system_clock_new (void);

G_END_DECLS
