/* ep-smtp.h: sending one message over SMTP with libcurl
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

G_BEGIN_DECLS

typedef struct
{
  char  *address;
  guint  code;     /* the server's reply code, e.g. 550 */
  char  *reply;    /* the server's full reply text */
} EpRecipientStatus;

/* What happened to a message the server accepted (possibly not for every
 * recipient: @rejected lists the ones it refused, with its words). */
typedef struct
{
  GPtrArray *accepted;     /* char *: addresses the server took */
  GPtrArray *rejected;     /* EpRecipientStatus */
  char      *final_reply;  /* reply to the end of DATA, e.g. "250 2.0.0 Ok: queued" */
  guint64    size;         /* bytes sent */
} EpSmtpReport;

/* What a connection test found. */
typedef struct
{
  char       *greeting;
  char       *tls;           /* protocol and cipher, NULL without TLS */
  char       *certificate;   /* subject of the verified certificate */
  GStrv       capabilities;
  gboolean    auth_attempted;
  gboolean    authenticated;
  guint64     size_limit;    /* SMTP SIZE, 0 when not announced */
} EpServerProbe;

#define EP_TYPE_SMTP_REPORT (ep_smtp_report_get_type ())
#define EP_TYPE_SERVER_PROBE (ep_server_probe_get_type ())

GType          ep_smtp_report_get_type  (void) G_GNUC_CONST;
void           ep_smtp_report_free      (EpSmtpReport   *report);
EpSmtpReport  *ep_smtp_report_copy      (const EpSmtpReport *report);
GType          ep_server_probe_get_type (void) G_GNUC_CONST;
void           ep_server_probe_free     (EpServerProbe  *probe);
EpServerProbe *ep_server_probe_copy     (const EpServerProbe *probe);
char          *ep_server_probe_describe (const EpServerProbe *probe,
                                         const char          *label);

/* A connection kept open across messages (one easy handle); use from one
 * thread at a time. */
typedef struct _EpSmtpConnection EpSmtpConnection;

EpSmtpConnection *ep_smtp_connection_new   (const EpServerConfig *config);
void           ep_smtp_connection_free    (EpSmtpConnection     *self);
void           ep_smtp_connection_close   (EpSmtpConnection     *self);
EpSmtpReport  *ep_smtp_connection_send    (EpSmtpConnection     *self,
                                           const char           *envelope_from,
                                           const char * const   *recipients,
                                           GBytes               *message,
                                           EpProtocolLog        *log,
                                           GCancellable         *cancellable,
                                           GError              **error);

const char    *ep_smtp_connection_get_last_reply (EpSmtpConnection *self);
guint64        ep_smtp_connection_get_bytes_sent (EpSmtpConnection *self);

EpSmtpReport  *ep_smtp_send_sync        (const EpServerConfig *config,
                                         const char           *envelope_from,
                                         const char * const   *recipients,
                                         GBytes               *message,
                                         EpProtocolLog        *log,
                                         GCancellable         *cancellable,
                                         GError              **error);
void           ep_smtp_send_async       (const EpServerConfig *config,
                                         const char           *envelope_from,
                                         const char * const   *recipients,
                                         GBytes               *message,
                                         EpProtocolLog        *log,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
EpSmtpReport  *ep_smtp_send_finish      (GAsyncResult         *result,
                                         GError              **error);

EpServerProbe *ep_smtp_probe_sync       (const EpServerConfig *config,
                                         EpProtocolLog        *log,
                                         GCancellable         *cancellable,
                                         GError              **error);
void           ep_smtp_probe_async      (const EpServerConfig *config,
                                         EpProtocolLog        *log,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
EpServerProbe *ep_smtp_probe_finish     (GAsyncResult         *result,
                                         GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpSmtpReport, ep_smtp_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpServerProbe, ep_server_probe_free)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpSmtpConnection, ep_smtp_connection_free)

G_END_DECLS
