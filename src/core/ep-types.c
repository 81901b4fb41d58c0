/* ep-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-types"

#include "config.h"

#include "ep-types.h"

static const char *security_names[] = { "tls", "starttls", "none" };
static const char *auth_names[] = { "password", "oauth2", "none" };

const char *
ep_security_to_string (EpSecurity security)
{
  g_return_val_if_fail (security <= EP_SECURITY_NONE, NULL);
  return security_names[security];
}

gboolean
ep_security_from_string (const char *text,
                         EpSecurity *security)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (security_names); i++)
    {
      if (g_ascii_strcasecmp (text, security_names[i]) == 0)
        {
          *security = (EpSecurity) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
ep_auth_method_to_string (EpAuthMethod method)
{
  g_return_val_if_fail (method <= EP_AUTH_NONE, NULL);
  return auth_names[method];
}

gboolean
ep_auth_method_from_string (const char   *text,
                            EpAuthMethod *method)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (auth_names); i++)
    {
      if (g_ascii_strcasecmp (text, auth_names[i]) == 0)
        {
          *method = (EpAuthMethod) i;
          return TRUE;
        }
    }
  return FALSE;
}
