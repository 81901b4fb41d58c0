/* ep-transport-error.h: transport errors and the retry policy they encode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define EP_TRANSPORT_ERROR (ep_transport_error_quark ())

typedef enum
{
  EP_TRANSPORT_ERROR_TRANSIENT,  /* 4yz, connection lost, timeout: retry later */
  EP_TRANSPORT_ERROR_REJECTED,   /* 5yz: permanent for this message/recipient */
  EP_TRANSPORT_ERROR_AUTH,       /* 530/534/535, login denied: ask for credentials */
  EP_TRANSPORT_ERROR_TLS,        /* no TLS offered, handshake or certificate failure */
  EP_TRANSPORT_ERROR_CONFIG,     /* bad host, port or option: fix the account */
} EpTransportError;

/* What a sender does about a failed send: the one place errors are
 * sorted (the outbox never matches codes itself). */
typedef enum
{
  EP_SEND_RETRY,        /* 4yz, connection lost, timeout: defer and retry */
  EP_SEND_REJECTED,     /* 5yz: fail this message with the server's words */
  EP_SEND_STOP_AUTH,    /* login refused: stop, ask for credentials */
  EP_SEND_STOP_TLS,     /* no secure connection: stop, nothing was sent */
  EP_SEND_STOP_CONFIG,  /* bad host, port or option: stop, fix the account */
  EP_SEND_CANCELLED,    /* stopped by the person mid-transfer */
  EP_SEND_LOCAL,        /* not the server: the message could not be built */
} EpSendAction;

GQuark   ep_transport_error_quark        (void);
EpSendAction ep_transport_error_classify (const GError *error);
gboolean ep_transport_error_is_transient (const GError *error);
GError  *ep_transport_error_from_curl    (int         curl_code,
                                          long        response_code,
                                          const char *server_reply,
                                          const char *curl_message,
                                          const char *host);

G_END_DECLS
