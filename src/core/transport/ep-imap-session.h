/* ep-imap-session.h: an IMAP session Epistle speaks itself
 *
 * libcurl connects, does TLS (implicit or STARTTLS, required, verified)
 * and logs in with CURLOPT_CONNECT_ONLY; the commands after that are
 * Epistle's, sent with curl_easy_send and answered through the response
 * parser. One session belongs to one thread at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "transport/ep-imap-parser.h"
#include "transport/ep-protocol-log.h"
#include "transport/ep-server-config.h"

G_BEGIN_DECLS

typedef struct _EpImapSession EpImapSession;

/* Called for every untagged response while a command runs; the response
 * stays owned by the session. Returning FALSE with @error set stops the
 * command (the session is closed then, it is out of step). */
typedef gboolean (*EpImapUntaggedFunc) (const EpImapResponse *response,
                                        gpointer              user_data,
                                        GError              **error);

EpImapSession *ep_imap_session_open        (const EpServerConfig *config,
                                            EpProtocolLog        *log,
                                            GCancellable         *cancellable,
                                            GError              **error);
/* Says LOGOUT (briefly) when the session is still usable, then frees. */
void           ep_imap_session_close       (EpImapSession        *session);
gboolean       ep_imap_session_is_usable   (EpImapSession        *session);
gboolean       ep_imap_session_has_capability (EpImapSession     *session,
                                            const char           *capability);
const char    *ep_imap_session_get_host    (EpImapSession        *session);

/* Runs @command (without its tag; no CR/LF inside) and waits for its
 * completion. OK returns TRUE (@code/@code_args of the tagged response
 * are kept in *@tagged when given). NO and BAD are EP_TRANSPORT_ERROR
 * errors quoting the server. Every untagged response goes to @func (may
 * be NULL). Timeouts: no byte from the server for the configured response
 * time is an error; @cancellable stops it (the session is closed). */
gboolean       ep_imap_session_run         (EpImapSession        *session,
                                            const char           *command,
                                            EpImapUntaggedFunc    func,
                                            gpointer              user_data,
                                            EpImapResponse      **tagged,
                                            GCancellable         *cancellable,
                                            GError              **error);

/* APPEND @mailbox_raw (flags) {n}\r\n<message>: with a synchronising
 * literal (waits for "+"), or LITERAL+ when offered. *@uid gets the
 * APPENDUID when the server says it (0 otherwise). */
gboolean       ep_imap_session_append      (EpImapSession        *session,
                                            const char           *mailbox_raw,
                                            const char           *flags,
                                            GBytes               *message,
                                            guint32              *uid,
                                            GCancellable         *cancellable,
                                            GError              **error);

/* IDLE (RFC 2177) on the selected mailbox until the server reports a
 * change (EXISTS, EXPUNGE, FETCH, VANISHED), @max_seconds pass (then it
 * ends IDLE cleanly; servers drop idle sessions after 30 minutes) or
 * @cancellable is cancelled (then DONE is sent too, and FALSE returned
 * with G_IO_ERROR_CANCELLED). *@changed says whether anything changed. */
gboolean       ep_imap_session_idle        (EpImapSession        *session,
                                            guint                 max_seconds,
                                            gboolean             *changed,
                                            GCancellable         *cancellable,
                                            GError              **error);

G_END_DECLS
