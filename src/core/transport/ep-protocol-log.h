/* ep-protocol-log.h: a redacted record of protocol dialogues
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  EP_PROTOCOL_LOG_INFO,     /* what the library says it is doing ("* ...") */
  EP_PROTOCOL_LOG_CLIENT,   /* what we sent ("C: ...") */
  EP_PROTOCOL_LOG_SERVER,   /* what the server sent ("S: ...") */
} EpProtocolLogKind;

#define EP_TYPE_PROTOCOL_LOG (ep_protocol_log_get_type ())

G_DECLARE_FINAL_TYPE (EpProtocolLog, ep_protocol_log, EP, PROTOCOL_LOG, GObject)

EpProtocolLog *ep_protocol_log_new      (guint              max_lines);
void           ep_protocol_log_append   (EpProtocolLog     *self,
                                         EpProtocolLogKind  kind,
                                         const char        *line);
char          *ep_protocol_log_dup_text (EpProtocolLog     *self);
guint          ep_protocol_log_get_n_lines (EpProtocolLog  *self);
void           ep_protocol_log_clear    (EpProtocolLog     *self);

G_END_DECLS

G_BEGIN_DECLS

char *ep_protocol_redact_command (const char *line,
                                  gboolean    imap);

G_END_DECLS
