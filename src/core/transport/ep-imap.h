/* ep-imap.h: IMAP over libcurl (connection test for now)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ep-protocol-log.h"
#include "ep-server-config.h"
#include "ep-smtp.h"

G_BEGIN_DECLS

EpServerProbe *ep_imap_probe_sync   (const EpServerConfig *config,
                                     EpProtocolLog        *log,
                                     GCancellable         *cancellable,
                                     GError              **error);
void           ep_imap_probe_async  (const EpServerConfig *config,
                                     EpProtocolLog        *log,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
EpServerProbe *ep_imap_probe_finish (GAsyncResult         *result,
                                     GError              **error);

G_END_DECLS
