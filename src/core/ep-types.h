/* ep-types.h: small enums shared by several core modules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* How a connection is secured. NONE is only ever used when a person chose it. */
typedef enum
{
  EP_SECURITY_TLS,       /* implicit TLS (smtps, imaps) */
  EP_SECURITY_STARTTLS,  /* plain connect, STARTTLS required: no downgrade */
  EP_SECURITY_NONE,      /* no encryption at all */
} EpSecurity;

typedef enum
{
  EP_AUTH_PASSWORD,      /* AUTH PLAIN / LOGIN with a password or app password */
  EP_AUTH_OAUTH2,        /* XOAUTH2 / OAUTHBEARER with a bearer token */
  EP_AUTH_NONE,          /* no login (a local relay) */
} EpAuthMethod;

const char *ep_security_to_string     (EpSecurity    security);
gboolean    ep_security_from_string   (const char   *text,
                                       EpSecurity   *security);
const char *ep_auth_method_to_string  (EpAuthMethod  method);
gboolean    ep_auth_method_from_string (const char  *text,
                                        EpAuthMethod *method);

G_END_DECLS
