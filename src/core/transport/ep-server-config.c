/* ep-server-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-server-config"

#include "config.h"

#include <string.h>
#include <openssl/crypto.h>

#include "ep-server-config.h"

G_DEFINE_BOXED_TYPE (EpServerConfig, ep_server_config,
                     ep_server_config_copy, ep_server_config_free)

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      OPENSSL_cleanse (*str, strlen (*str));
      g_clear_pointer (str, g_free);
    }
}

EpServerConfig *
ep_server_config_new (const char *host,
                      guint16     port,
                      EpSecurity  security)
{
  EpServerConfig *config = g_new0 (EpServerConfig, 1);

  config->host = g_strdup (host);
  config->port = port;
  config->security = security;
  config->auth = EP_AUTH_PASSWORD;

  return config;
}

EpServerConfig *
ep_server_config_copy (const EpServerConfig *config)
{
  EpServerConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_memdup2 (config, sizeof *config);
  copy->host = g_strdup (config->host);
  copy->username = g_strdup (config->username);
  copy->secret = g_strdup (config->secret);
  copy->ca_file = g_strdup (config->ca_file);

  return copy;
}

void
ep_server_config_free (EpServerConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->host);
  g_free (config->username);
  wipe_string (&config->secret);
  g_free (config->ca_file);
  g_free (config);
}

void
ep_server_config_set_secret (EpServerConfig *config,
                             const char     *secret)
{
  g_return_if_fail (config != NULL);

  wipe_string (&config->secret);
  config->secret = g_strdup (secret);
}
