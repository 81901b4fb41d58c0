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

static size_t
discard_cb (char   *ptr,
            size_t  size,
            size_t  nmemb,
            void   *user_data)
{
  return size * nmemb;
}

EpServerProbe *
ep_imap_probe_sync (const EpServerConfig *config,
                    EpProtocolLog        *log,
                    GCancellable         *cancellable,
                    GError              **error)
{
  g_autoptr(CURL) curl = NULL;
  EpServerProbe *probe;
  EpCurlSession session;
  CURLcode rc;

  g_return_val_if_fail (config != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  _ep_curl_session_init (&session, log, cancellable, TRUE);

  curl = _ep_curl_session_open (&session, config, "imap", "imaps", "/", error);
  if (curl == NULL)
    {
      _ep_curl_session_clear (&session);
      return NULL;
    }

  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, "NOOP");
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, discard_cb);

  rc = curl_easy_perform (curl);
  if (rc != CURLE_OK)
    {
      g_propagate_error (error, _ep_curl_session_error (&session, curl, rc, config));
      _ep_curl_session_clear (&session);
      return NULL;
    }

  probe = g_new0 (EpServerProbe, 1);
  probe->greeting = g_strdup (session.greeting);
  probe->tls = g_strdup (session.tls_info);
  probe->certificate = g_strdup (session.cert_subject);
  probe->auth_attempted = session.auth_attempted;
  probe->authenticated = session.auth_ok;
  g_ptr_array_add (session.capabilities, NULL);
  probe->capabilities = g_strdupv ((char **) session.capabilities->pdata);
  g_ptr_array_remove_index (session.capabilities, session.capabilities->len - 1);

  _ep_curl_session_clear (&session);

  if (config->auth != EP_AUTH_NONE && config->username != NULL && *config->username &&
      !probe->authenticated)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_AUTH,
                   _("%s did not let us log in on this connection"), config->host);
      ep_server_probe_free (probe);
      return NULL;
    }

  return probe;
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
