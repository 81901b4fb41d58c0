/* ep-provider.h: provider presets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

#include "ep-types.h"

G_BEGIN_DECLS

typedef struct
{
  const char  *id;              /* "gmail", "outlook", … "generic" */
  const char  *name;            /* shown to people */
  const char  *smtp_host;       /* NULL for generic */
  guint16      smtp_port;
  EpSecurity   smtp_security;
  const char  *imap_host;
  guint16      imap_port;
  EpSecurity   imap_security;
  guint        per_minute;      /* messages per minute, 0 = no documented limit */
  guint        per_day;         /* recipients/messages per day, 0 = none documented */
  guint64      max_message_size;/* bytes, 0 = unknown */
  const char  *note;            /* e.g. app passwords; may be NULL */
  gboolean     files_sent;      /* the server puts mail sent through it into Sent itself */
} EpProvider;

const EpProvider  *ep_provider_lookup (const char *id);
const EpProvider  *ep_provider_get_all (guint     *n_providers);
const EpProvider  *ep_provider_guess_for_address (const char *address);
/* Whether the provider whose IMAP server is @imap_host files sent mail
 * itself (so a client's APPEND to Sent would make a second copy). */
gboolean           ep_provider_files_sent (const char *imap_host);

G_END_DECLS
