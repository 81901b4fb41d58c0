/* ep-imap.c: IMAP connection test over libcurl
 *
 * libcurl does the greeting, CAPABILITY, STARTTLS (required) and the login;
 * a NOOP then proves the session. The inbox (a later issue) talks IMAP on a
 * CONNECT_ONLY handle with its own parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-imap"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-autocleanups-private.h"
#include "ep-curl-private.h"
#include "ep-imap.h"
#include "ep-transport-error.h"

EpServerProbe *
ep_imap_probe_sync (const EpServerConfig *config,
                    EpProtocolLog        *log,
                    GCancellable         *cancellable,
                    GError              **error)
{
  return _ep_curl_probe_sync (config, TRUE, log, cancellable, error);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const EpServerConfig *config = task_data;
  GError *error = NULL;
  EpServerProbe *probe;

  probe = ep_imap_probe_sync (config, g_object_get_data (G_OBJECT (task), "log"),
                              cancellable, &error);
  if (probe == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, probe, (GDestroyNotify) ep_server_probe_free);
}

void
ep_imap_probe_async (const EpServerConfig *config,
                     EpProtocolLog        *log,
                     GCancellable         *cancellable,
                     GAsyncReadyCallback   callback,
                     gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_imap_probe_async);
  g_task_set_task_data (task, ep_server_config_copy (config),
                        (GDestroyNotify) ep_server_config_free);
  if (log != NULL)
    g_object_set_data_full (G_OBJECT (task), "log", g_object_ref (log), g_object_unref);
  g_task_run_in_thread (task, probe_thread);
}

EpServerProbe *
ep_imap_probe_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
