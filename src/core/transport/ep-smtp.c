/* ep-smtp.c: SMTP submission over libcurl
 *
 * One easy handle per operation, made and destroyed on the calling (worker)
 * thread. The server's replies are captured from the debug stream so that
 * every failure carries the server's own words, and each RCPT is paired with
 * its reply so a partly accepted message says who was refused and why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-smtp"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-autocleanups-private.h"
#include "ep-curl-private.h"
#include "ep-smtp.h"
#include "ep-transport-error.h"

G_DEFINE_BOXED_TYPE (EpSmtpReport, ep_smtp_report, ep_smtp_report_copy, ep_smtp_report_free)
G_DEFINE_BOXED_TYPE (EpServerProbe, ep_server_probe, ep_server_probe_copy, ep_server_probe_free)

typedef struct
{
  GBytes *bytes;
  gsize   offset;
} Upload;

static void
recipient_status_free (gpointer data)
{
  EpRecipientStatus *status = data;

  g_free (status->address);
  g_free (status->reply);
  g_free (status);
}

static EpSmtpReport *
smtp_report_new (void)
{
  EpSmtpReport *report = g_new0 (EpSmtpReport, 1);

  report->accepted = g_ptr_array_new_with_free_func (g_free);
  report->rejected = g_ptr_array_new_with_free_func (recipient_status_free);

  return report;
}

void
ep_smtp_report_free (EpSmtpReport *report)
{
  if (report == NULL)
    return;

  g_ptr_array_unref (report->accepted);
  g_ptr_array_unref (report->rejected);
  g_free (report->final_reply);
  g_free (report);
}

EpSmtpReport *
ep_smtp_report_copy (const EpSmtpReport *report)
{
  EpSmtpReport *copy = smtp_report_new ();

  for (guint i = 0; i < report->accepted->len; i++)
    g_ptr_array_add (copy->accepted, g_strdup (g_ptr_array_index (report->accepted, i)));
  for (guint i = 0; i < report->rejected->len; i++)
    {
      const EpRecipientStatus *s = g_ptr_array_index (report->rejected, i);
      EpRecipientStatus *c = g_new0 (EpRecipientStatus, 1);

      c->address = g_strdup (s->address);
      c->code = s->code;
      c->reply = g_strdup (s->reply);
      g_ptr_array_add (copy->rejected, c);
    }
  copy->final_reply = g_strdup (report->final_reply);
  copy->size = report->size;

  return copy;
}

void
ep_server_probe_free (EpServerProbe *probe)
{
  if (probe == NULL)
    return;

  g_free (probe->greeting);
  g_free (probe->tls);
  g_free (probe->certificate);
  g_strfreev (probe->capabilities);
  g_free (probe);
}

EpServerProbe *
ep_server_probe_copy (const EpServerProbe *probe)
{
  EpServerProbe *copy = g_memdup2 (probe, sizeof *probe);

  copy->greeting = g_strdup (probe->greeting);
  copy->tls = g_strdup (probe->tls);
  copy->certificate = g_strdup (probe->certificate);
  copy->capabilities = g_strdupv (probe->capabilities);

  return copy;
}

/* A short, human account of what a connection test found. */
char *
ep_server_probe_describe (const EpServerProbe *probe,
                          const char          *label)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) mechs = g_ptr_array_new_with_free_func (g_free);

  g_string_append_printf (out, "%s:\n", label);
  if (probe->greeting != NULL)
    g_string_append_printf (out, _("  Server: %s\n"), probe->greeting);
  if (probe->tls != NULL)
    g_string_append_printf (out, _("  Encryption: %s, certificate verified (%s)\n"),
                            probe->tls, probe->certificate ? probe->certificate : "?");
  else
    g_string_append (out, _("  Encryption: none (the connection is not encrypted)\n"));

  for (guint i = 0; probe->capabilities && probe->capabilities[i]; i++)
    {
      const char *cap = probe->capabilities[i];

      if (g_ascii_strncasecmp (cap, "AUTH ", 5) == 0)
        g_ptr_array_add (mechs, g_strdup (cap + 5));
      else if (g_ascii_strncasecmp (cap, "AUTH=", 5) == 0)
        g_ptr_array_add (mechs, g_strdup (cap + 5));
    }
  g_ptr_array_add (mechs, NULL);

  if (mechs->len > 1)
    {
      g_autofree char *joined = g_strjoinv (" ", (char **) mechs->pdata);
      g_string_append_printf (out, _("  Login methods offered: %s\n"), joined);
    }

  if (probe->auth_attempted)
    g_string_append (out, probe->authenticated ? _("  Login: accepted\n")
                                               : _("  Login: refused\n"));
  else
    g_string_append (out, _("  Login: not used\n"));

  if (probe->size_limit > 0)
    {
      g_autofree char *size = g_format_size (probe->size_limit);
      g_string_append_printf (out, _("  Largest message accepted: %s\n"), size);
    }

  return g_string_free (out, FALSE);
}

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  nitems,
         void   *user_data)
{
  Upload *upload = user_data;
  gsize total;
  const guint8 *data = g_bytes_get_data (upload->bytes, &total);
  gsize n = MIN (size * nitems, total - upload->offset);

  memcpy (buffer, data + upload->offset, n);
  upload->offset += n;

  return n;
}

/* Envelope addresses go into SMTP commands verbatim: refuse anything that
 * could end a command line or break out of the angle brackets. */
static gboolean
check_envelope_address (const char  *address,
                        GError     **error)
{
  if (address == NULL || *address == '\0')
    {
      g_set_error_literal (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                           _("An envelope address is empty"));
      return FALSE;
    }

  for (const char *p = address; *p; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == ' ')
        {
          g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                       _("“%s” cannot be used as an envelope address"), address);
          return FALSE;
        }
    }

  return TRUE;
}

struct _EpSmtpConnection
{
  EpServerConfig *config;
  CURL           *curl;
  /* The handle's debug, progress and error-buffer pointers point here, so
   * the session lives as long as the handle; it is reset per message. */
  EpCurlSession   session;
  guint           n_sent;
};

EpSmtpConnection *
ep_smtp_connection_new (const EpServerConfig *config)
{
  EpSmtpConnection *self = g_new0 (EpSmtpConnection, 1);

  g_return_val_if_fail (config != NULL, NULL);

  self->config = ep_server_config_copy (config);
  _ep_curl_session_init (&self->session, NULL, NULL, FALSE);

  return self;
}

void
ep_smtp_connection_free (EpSmtpConnection *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->curl, curl_easy_cleanup);
  _ep_curl_session_clear (&self->session);
  ep_server_config_free (self->config);
  g_free (self);
}

/* Closes the connection; the next message opens a new one. */
void
ep_smtp_connection_close (EpSmtpConnection *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->curl, curl_easy_cleanup);
}

EpSmtpReport *
ep_smtp_connection_send (EpSmtpConnection   *self,
                         const char         *envelope_from,
                         const char * const *recipients,
                         GBytes             *message,
                         EpProtocolLog      *log,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autoptr(curl_slist) rcpt_list = NULL;
  g_autofree char *from = NULL;
  EpCurlSession *session;
  EpSmtpReport *report;
  Upload upload = { message, 0 };
  CURLcode rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!check_envelope_address (envelope_from, error))
    return NULL;

  if (recipients == NULL || recipients[0] == NULL)
    {
      g_set_error_literal (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                           _("The message has no recipients"));
      return NULL;
    }

  for (guint i = 0; recipients[i] != NULL; i++)
    {
      g_autofree char *bracketed = NULL;

      if (!check_envelope_address (recipients[i], error))
        return NULL;
      bracketed = g_strdup_printf ("<%s>", recipients[i]);
      rcpt_list = curl_slist_append (rcpt_list, bracketed);
    }

  /* Fresh per-message state at the same address the handle points to. */
  session = &self->session;
  _ep_curl_session_clear (session);
  _ep_curl_session_init (session, log, cancellable, FALSE);

  if (self->curl == NULL)
    {
      self->curl = _ep_curl_session_open (session, self->config, "smtp", "smtps", "/", error);
      if (self->curl == NULL)
        return NULL;

#if LIBCURL_VERSION_NUM >= 0x080200
      curl_easy_setopt (self->curl, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#else
      curl_easy_setopt (self->curl, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
      curl_easy_setopt (self->curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (self->curl, CURLOPT_READFUNCTION, read_cb);
    }

  from = g_strdup_printf ("<%s>", envelope_from);
  curl_easy_setopt (self->curl, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (self->curl, CURLOPT_MAIL_RCPT, rcpt_list);
  curl_easy_setopt (self->curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt (self->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) g_bytes_get_size (message));

  if (log != NULL)
    ep_protocol_log_append (log, EP_PROTOCOL_LOG_INFO,
                            self->config->security == EP_SECURITY_NONE
                            ? "Connecting without encryption (chosen for this account)"
                            : "Connecting; TLS required, certificate verified");

  rc = curl_easy_perform (self->curl);

  /* libcurl keeps pointers to these options; they die with this frame. */
  curl_easy_setopt (self->curl, CURLOPT_MAIL_RCPT, NULL);
  curl_easy_setopt (self->curl, CURLOPT_READDATA, NULL);

  if (log != NULL && session->data_bytes > 0)
    {
      g_autofree char *line = g_strdup_printf ("[message content: %" G_GUINT64_FORMAT
                                               " bytes, not logged]", session->data_bytes);
      ep_protocol_log_append (log, EP_PROTOCOL_LOG_INFO, line);
    }

  if (rc != CURLE_OK)
    {
      g_propagate_error (error, _ep_curl_session_error (session, self->curl, rc, self->config));
      /* After a failure start over on a new connection rather than trust
       * the state of this one. */
      ep_smtp_connection_close (self);
      return NULL;
    }

  self->n_sent++;

  report = smtp_report_new ();
  report->final_reply = g_strdup (session->last_reply);
  report->size = g_bytes_get_size (message);

  for (guint i = 0; recipients[i] != NULL; i++)
    {
      const EpCurlRcpt *found = NULL;

      for (guint j = 0; j < session->rcpts->len; j++)
        {
          const EpCurlRcpt *r = g_ptr_array_index (session->rcpts, j);

          if (g_ascii_strcasecmp (r->address, recipients[i]) == 0)
            found = r;
        }

      if (found != NULL && found->code >= 300)
        {
          EpRecipientStatus *status = g_new0 (EpRecipientStatus, 1);

          status->address = g_strdup (recipients[i]);
          status->code = found->code;
          status->reply = g_strdup (found->reply);
          g_ptr_array_add (report->rejected, status);
        }
      else
        g_ptr_array_add (report->accepted, g_strdup (recipients[i]));
    }

  /* Do not keep the caller's log and cancellable past this call. */
  session->log = NULL;
  session->cancellable = NULL;

  return report;
}

/* The server's last reply on this connection (after a failed send, the
 * reply that explains it), or NULL. */
const char *
ep_smtp_connection_get_last_reply (EpSmtpConnection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->session.last_reply;
}

/* How much of the last message went out (all of it means the server may
 * have it even if its reply never came). */
guint64
ep_smtp_connection_get_bytes_sent (EpSmtpConnection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->session.data_bytes;
}

EpSmtpReport *
ep_smtp_send_sync (const EpServerConfig *config,
                   const char           *envelope_from,
                   const char * const   *recipients,
                   GBytes               *message,
                   EpProtocolLog        *log,
                   GCancellable         *cancellable,
                   GError              **error)
{
  EpSmtpConnection *connection;
  EpSmtpReport *report;

  g_return_val_if_fail (config != NULL, NULL);

  connection = ep_smtp_connection_new (config);
  report = ep_smtp_connection_send (connection, envelope_from, recipients, message,
                                    log, cancellable, error);
  ep_smtp_connection_free (connection);

  return report;
}

EpServerProbe *
ep_smtp_probe_sync (const EpServerConfig *config,
                    EpProtocolLog        *log,
                    GCancellable         *cancellable,
                    GError              **error)
{
  return _ep_curl_probe_sync (config, FALSE, log, cancellable, error);
}

/* Async wrappers: the task data is a snapshot, the worker touches nothing else. */

typedef struct
{
  EpServerConfig *config;
  char           *from;
  GStrv           recipients;
  GBytes         *message;
  EpProtocolLog  *log;
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *d = data;

  ep_server_config_free (d->config);
  g_free (d->from);
  g_strfreev (d->recipients);
  g_clear_pointer (&d->message, g_bytes_unref);
  g_clear_object (&d->log);
  g_free (d);
}

static void
send_message_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  SendData *d = task_data;
  GError *error = NULL;
  EpSmtpReport *report;

  report = ep_smtp_send_sync (d->config, d->from, (const char * const *) d->recipients,
                              d->message, d->log, cancellable, &error);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) ep_smtp_report_free);
}

void
ep_smtp_send_async (const EpServerConfig *config,
                    const char           *envelope_from,
                    const char * const   *recipients,
                    GBytes               *message,
                    EpProtocolLog        *log,
                    GCancellable         *cancellable,
                    GAsyncReadyCallback   callback,
                    gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *d = g_new0 (SendData, 1);

  d->config = ep_server_config_copy (config);
  d->from = g_strdup (envelope_from);
  d->recipients = g_strdupv ((char **) recipients);
  d->message = g_bytes_ref (message);
  d->log = log ? g_object_ref (log) : NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_smtp_send_async);
  g_task_set_task_data (task, d, send_data_free);
  g_task_run_in_thread (task, send_message_thread);
}

EpSmtpReport *
ep_smtp_send_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ep_smtp_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  EpServerConfig *config;
  EpProtocolLog  *log;
} ProbeData;

static void
probe_data_free (gpointer data)
{
  ProbeData *d = data;

  ep_server_config_free (d->config);
  g_clear_object (&d->log);
  g_free (d);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ProbeData *d = task_data;
  GError *error = NULL;
  EpServerProbe *probe;

  probe = ep_smtp_probe_sync (d->config, d->log, cancellable, &error);
  if (probe == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, probe, (GDestroyNotify) ep_server_probe_free);
}

void
ep_smtp_probe_async (const EpServerConfig *config,
                     EpProtocolLog        *log,
                     GCancellable         *cancellable,
                     GAsyncReadyCallback   callback,
                     gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  ProbeData *d = g_new0 (ProbeData, 1);

  d->config = ep_server_config_copy (config);
  d->log = log ? g_object_ref (log) : NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_smtp_probe_async);
  g_task_set_task_data (task, d, probe_data_free);
  g_task_run_in_thread (task, probe_thread);
}

EpServerProbe *
ep_smtp_probe_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
