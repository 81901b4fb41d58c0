/* ep-server-config.h: everything a transfer needs to reach one server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ep-types.h"

G_BEGIN_DECLS

/* An immutable-by-convention snapshot handed to worker threads. The secret
 * is wiped when the config is freed. */
typedef struct
{
  char         *host;
  guint16       port;
  EpSecurity    security;
  EpAuthMethod  auth;
  char         *username;
  char         *secret;              /* password or OAuth2 bearer token */
  char         *ca_file;             /* NULL: the system trust store */
  guint         connect_timeout;     /* seconds; 0 = default (30) */
  guint         response_timeout;    /* seconds; 0 = default (60) */
} EpServerConfig;

#define EP_TYPE_SERVER_CONFIG (ep_server_config_get_type ())

GType           ep_server_config_get_type (void) G_GNUC_CONST;
EpServerConfig *ep_server_config_new      (const char           *host,
                                           guint16               port,
                                           EpSecurity            security);
EpServerConfig *ep_server_config_copy     (const EpServerConfig *config);
void            ep_server_config_free     (EpServerConfig       *config);
void            ep_server_config_set_secret (EpServerConfig     *config,
                                             const char         *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpServerConfig, ep_server_config_free)

G_END_DECLS
