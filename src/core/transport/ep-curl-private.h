/* ep-curl-private.h: what the SMTP and IMAP transports share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <curl/curl.h>
#include <gio/gio.h>

#include "ep-protocol-log.h"
#include "ep-server-config.h"
#include "ep-smtp.h"

G_BEGIN_DECLS

typedef struct
{
  char  *address;
  guint  code;
  char  *reply;
} EpCurlRcpt;

/* Per-transfer state: lives on the worker's stack, never shared. */
typedef struct
{
  EpProtocolLog *log;           /* borrowed, may be NULL */
  GCancellable  *cancellable;   /* borrowed, may be NULL */
  gboolean       imap;

  GString       *in_line;       /* partial lines, the wire is not line-aligned */
  GString       *out_line;
  GString       *reply;         /* multi-line SMTP reply being assembled */

  char          *last_reply;    /* last complete reply (SMTP) or tagged/greeting line (IMAP) */
  char          *last_verb;     /* verb of the last command we sent */
  char          *greeting;
  char          *tls_info;      /* "TLSv1.3 / TLS_AES_256_GCM_SHA384" */
  char          *cert_subject;
  char          *pending_rcpt;
  GPtrArray     *rcpts;         /* EpCurlRcpt */
  GPtrArray     *capabilities;  /* strings */
  gboolean       auth_attempted;
  guint          auth_code;     /* SMTP reply code to AUTH, 0 if none */
  gboolean       auth_ok;
  guint64        data_bytes;

  char           errbuf[CURL_ERROR_SIZE];
} EpCurlSession;

void    _ep_curl_session_init  (EpCurlSession        *session,
                                EpProtocolLog        *log,
                                GCancellable         *cancellable,
                                gboolean              imap);
void    _ep_curl_session_clear (EpCurlSession        *session);
CURL   *_ep_curl_session_open  (EpCurlSession        *session,
                                const EpServerConfig *config,
                                const char           *plain_scheme,
                                const char           *tls_scheme,
                                const char           *path,
                                GError              **error);
GError *_ep_curl_session_error (EpCurlSession        *session,
                                CURL                 *curl,
                                CURLcode              code,
                                const EpServerConfig *config);


EpServerProbe *_ep_curl_probe_sync (const EpServerConfig *config,
                                    gboolean              imap,
                                    EpProtocolLog        *log,
                                    GCancellable         *cancellable,
                                    GError              **error);

G_END_DECLS
