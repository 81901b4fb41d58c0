/* ep-account-server.c: an account's connection settings for its servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-account-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-account-server.h"
#include "ep-account-secret.h"

EpServerConfig *
ep_account_server_config (EpAccount  *account,
                          gboolean    imap,
                          const char *secret)
{
  EpServerConfig *config;

  g_return_val_if_fail (EP_IS_ACCOUNT (account), NULL);

  if (imap)
    config = ep_server_config_new (ep_account_get_imap_host (account),
                                   (guint16) ep_account_get_imap_port (account),
                                   ep_account_get_imap_security (account));
  else
    config = ep_server_config_new (ep_account_get_smtp_host (account),
                                   (guint16) ep_account_get_smtp_port (account),
                                   ep_account_get_smtp_security (account));

  config->username = g_strdup (ep_account_get_login (account));
  config->ca_file = g_strdup (ep_account_get_ca_file (account));
  config->auth = (secret != NULL && *secret != '\0') ? ep_account_get_auth_method (account)
                                                       : EP_AUTH_NONE;
  if (config->auth != EP_AUTH_NONE)
    ep_server_config_set_secret (config, secret);

  return config;
}

static EpServerConfig *
make_config (EpAccount     *account,
             gboolean       imap,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret = NULL;
  EpServerConfig *config;

  if (ep_account_get_auth_method (account) != EP_AUTH_NONE)
    {
      secret = ep_account_secret_lookup_sync (ep_account_get_uid (account),
                                              cancellable, &local_error);
      /* No password saved is not an error: connect without logging in. */
      if (secret == NULL &&
          !g_error_matches (local_error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_NO_SECRET))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  config = ep_account_server_config (account, imap, secret);
  ep_account_secret_free (secret);

  return config;
}

EpServerConfig *
ep_account_smtp_config_sync (EpAccount     *account,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (EP_IS_ACCOUNT (account), NULL);

  return make_config (account, FALSE, cancellable, error);
}

EpServerConfig *
ep_account_imap_config_sync (EpAccount     *account,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (EP_IS_ACCOUNT (account), NULL);

  if (ep_account_get_imap_host (account) == NULL)
    {
      g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                   _("Account “%s” has no IMAP server"), ep_account_get_name (account));
      return NULL;
    }

  return make_config (account, TRUE, cancellable, error);
}

typedef struct
{
  EpServerConfig *smtp;
  EpServerConfig *imap;
} Configs;

static void
configs_free (gpointer data)
{
  Configs *c = data;

  g_clear_pointer (&c->smtp, ep_server_config_free);
  g_clear_pointer (&c->imap, ep_server_config_free);
  g_free (c);
}

static void
configs_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  EpAccount *account = task_data;
  Configs *configs = g_new0 (Configs, 1);
  GError *error = NULL;

  configs->smtp = ep_account_smtp_config_sync (account, cancellable, &error);
  if (configs->smtp != NULL && ep_account_get_imap_host (account) != NULL)
    configs->imap = ep_account_imap_config_sync (account, cancellable, &error);

  if (error != NULL)
    {
      configs_free (configs);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, configs, configs_free);
}

void
ep_account_server_configs_async (EpAccount           *account,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GVariant) dict = NULL;

  g_return_if_fail (EP_IS_ACCOUNT (account));

  /* The worker owns a copy: the caller may go on editing its account. */
  dict = ep_account_to_variant (account);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_account_server_configs_async);
  g_task_set_task_data (task, ep_account_new_from_variant (dict), g_object_unref);
  g_task_run_in_thread (task, configs_thread);
}

gboolean
ep_account_server_configs_finish (GAsyncResult    *result,
                                  EpServerConfig **smtp,
                                  EpServerConfig **imap,
                                  GError         **error)
{
  Configs *configs;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  configs = g_task_propagate_pointer (G_TASK (result), error);
  if (configs == NULL)
    return FALSE;
  *smtp = g_steal_pointer (&configs->smtp);
  *imap = g_steal_pointer (&configs->imap);
  configs_free (configs);
  return TRUE;
}
