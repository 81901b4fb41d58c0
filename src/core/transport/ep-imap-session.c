/* ep-imap-session.c: IMAP commands on a libcurl CONNECT_ONLY session
 *
 * libcurl's IMAP requests drop literals, have no IDLE and hide APPENDUID,
 * so libcurl only connects, secures and logs in; then the wire is ours.
 * curl_easy_recv is called until CURLE_AGAIN before waiting on the socket:
 * TLS may hold decrypted bytes that poll() cannot see.
 *
 * The protocol log gets every command (redacted as SMTP's is) and every
 * status line, but only the names of data responses: message contents
 * never go into a log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-imap"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-autocleanups-private.h"
#include "ep-curl-private.h"
#include "ep-imap-session.h"
#include "ep-transport-error.h"

#define MAX_LITERAL     (256u * 1024 * 1024)  /* a message body; larger is refused */
#define MAX_LINE        (1024u * 1024)
#define RECV_CHUNK      65536
#define DEFAULT_TIMEOUT 60

struct _EpImapSession
{
  CURL          *curl;
  EpCurlSession  cs;            /* libcurl's part: greeting, TLS, login */
  EpImapParser  *parser;
  EpProtocolLog *log;           /* owned ref, may be NULL */
  GPtrArray     *capabilities;  /* upper-cased strings */
  char          *host;
  curl_socket_t  sock;
  guint          tag;
  guint          timeout;       /* seconds without a byte from the server */
  gboolean       usable;
};

static void
log_line (EpImapSession     *self,
          EpProtocolLogKind  kind,
          const char        *line)
{
  if (self->log != NULL)
    ep_protocol_log_append (self->log, kind, line);
}

static void
log_response (EpImapSession        *self,
              const EpImapResponse *r)
{
  g_autofree char *line = NULL;

  if (self->log == NULL)
    return;

  switch (r->kind)
    {
    case EP_IMAP_RESPONSE_CONTINUATION:
      line = g_strdup_printf ("+ %s", r->text ? r->text : "");
      break;
    case EP_IMAP_RESPONSE_TAGGED:
    case EP_IMAP_RESPONSE_UNTAGGED:
      if (r->status != EP_IMAP_STATUS_NONE)
        {
          static const char * const names[] = { "", "OK", "NO", "BAD", "BYE", "PREAUTH" };

          line = g_strdup_printf ("%s %s %s%s%s%s", r->tag ? r->tag : "*", names[r->status],
                                  r->code ? "[" : "", r->code ? r->code : "",
                                  r->code ? "] " : "", r->text ? r->text : "");
        }
      else if (r->has_number)
        line = g_strdup_printf ("* %" G_GUINT64_FORMAT " %s …", r->number, r->name ? r->name : "");
      else
        line = g_strdup_printf ("* %s …", r->name ? r->name : "");
      break;
    default:
      return;
    }
  ep_protocol_log_append (self->log, EP_PROTOCOL_LOG_SERVER, line);
}

static GError *
lost_error (EpImapSession *self,
            const char    *why)
{
  self->usable = FALSE;
  return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                      _("The connection to %s was lost: %s"), self->host, why);
}

/* Waits until the socket is ready or the deadline passes. Returns 1 when
 * ready, 0 on timeout, -1 with @error (cancelled or poll failed). */
static int
wait_socket (EpImapSession  *self,
             gboolean        for_write,
             gint64          deadline,
             GCancellable   *cancellable,
             GError        **error)
{
  GPollFD fds[2] = { { 0 } };
  int nfds = 1;
  int rc;
  gint64 now = g_get_monotonic_time ();
  int timeout_ms;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      self->usable = FALSE;
      return -1;
    }
  if (now >= deadline)
    return 0;
  timeout_ms = (int) MIN ((deadline - now + 999) / 1000, G_MAXINT);

  fds[0].fd = self->sock;
  fds[0].events = for_write ? G_IO_OUT : G_IO_IN;
  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    nfds = 2;

  do
    rc = g_poll (fds, nfds, timeout_ms);
  while (rc < 0 && errno == EINTR);

  if (nfds == 2)
    g_cancellable_release_fd (cancellable);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      self->usable = FALSE;
      return -1;
    }
  if (rc < 0)
    {
      g_propagate_error (error, lost_error (self, g_strerror (errno)));
      return -1;
    }
  return rc > 0 ? 1 : 0;
}

static gboolean
send_bytes (EpImapSession  *self,
            const void     *data,
            gsize           len,
            GCancellable   *cancellable,
            GError        **error)
{
  const char *p = data;
  gint64 deadline = g_get_monotonic_time () + (gint64) self->timeout * G_USEC_PER_SEC;

  while (len > 0)
    {
      size_t sent = 0;
      CURLcode rc = curl_easy_send (self->curl, p, len, &sent);

      if (rc == CURLE_OK)
        {
          p += sent;
          len -= sent;
          deadline = g_get_monotonic_time () + (gint64) self->timeout * G_USEC_PER_SEC;
          continue;
        }
      if (rc != CURLE_AGAIN)
        {
          g_propagate_error (error, lost_error (self, curl_easy_strerror (rc)));
          return FALSE;
        }
      switch (wait_socket (self, TRUE, deadline, cancellable, error))
        {
        case -1:
          return FALSE;
        case 0:
          g_propagate_error (error, lost_error (self, _("it stopped taking data")));
          return FALSE;
        default:
          break;
        }
    }
  return TRUE;
}

/* The next response, reading as needed. With @idle_deadline > 0 a quiet
 * server until then is not an error: NULL with no error and *@quiet set. */
static EpImapResponse *
read_response (EpImapSession  *self,
               gint64          idle_deadline,
               gboolean       *quiet,
               GCancellable   *cancellable,
               GError        **error)
{
  guint8 buf[RECV_CHUNK];

  if (quiet != NULL)
    *quiet = FALSE;

  for (;;)
    {
      g_autoptr(GError) parse_error = NULL;
      EpImapResponse *r = ep_imap_parser_next (self->parser, &parse_error);
      size_t got = 0;
      CURLcode rc;

      if (r != NULL)
        {
          log_response (self, r);
          return r;
        }
      if (parse_error != NULL)
        {
          self->usable = FALSE;
          g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                       _("%s answered something that is not IMAP: %s"),
                       self->host, parse_error->message);
          return NULL;
        }

      rc = curl_easy_recv (self->curl, buf, sizeof buf, &got);
      if (rc == CURLE_OK && got > 0)
        {
          ep_imap_parser_feed (self->parser, buf, got);
          continue;
        }
      if (rc == CURLE_OK)
        {
          g_propagate_error (error, lost_error (self, _("the server closed it")));
          return NULL;
        }
      if (rc != CURLE_AGAIN)
        {
          g_propagate_error (error, lost_error (self, curl_easy_strerror (rc)));
          return NULL;
        }

      {
        gint64 deadline = idle_deadline > 0 ? idle_deadline
                          : g_get_monotonic_time () + (gint64) self->timeout * G_USEC_PER_SEC;

        switch (wait_socket (self, FALSE, deadline, cancellable, error))
          {
          case -1:
            return NULL;
          case 0:
            if (idle_deadline > 0)
              {
                if (quiet != NULL)
                  *quiet = TRUE;
                return NULL;
              }
            g_propagate_error (error, lost_error (self, _("the server stopped answering")));
            return NULL;
          default:
            break;
          }
      }
    }
}

static char *
send_command (EpImapSession  *self,
              const char     *command,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autofree char *tag = g_strdup_printf ("E%u", ++self->tag);
  g_autofree char *line = g_strdup_printf ("%s %s", tag, command);
  g_autofree char *safe = ep_protocol_redact_command (line, TRUE);
  g_autofree char *wire = g_strdup_printf ("%s\r\n", line);

  log_line (self, EP_PROTOCOL_LOG_CLIENT, safe);
  if (!send_bytes (self, wire, strlen (wire), cancellable, error))
    return NULL;
  return g_steal_pointer (&tag);
}

static GError *
refused_error (EpImapSession        *self,
               const char           *command,
               const EpImapResponse *r)
{
  g_autofree char *verb = g_strdup (command);
  char *space = strchr (verb, ' ');

  if (space != NULL)
    *space = '\0';
  return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_REJECTED,
                      _("%s refused %s: %s"), self->host, verb,
                      r->text && *r->text ? r->text : _("no reason given"));
}

/* Reads until the tagged completion of @tag. */
static gboolean
finish_command (EpImapSession       *self,
                const char          *tag,
                const char          *command,
                EpImapUntaggedFunc   func,
                gpointer             user_data,
                EpImapResponse     **tagged,
                GCancellable        *cancellable,
                GError             **error)
{
  for (;;)
    {
      g_autoptr(EpImapResponse) r = read_response (self, 0, NULL, cancellable, error);

      if (r == NULL)
        return FALSE;

      if (r->kind == EP_IMAP_RESPONSE_TAGGED)
        {
          if (g_strcmp0 (r->tag, tag) != 0)
            continue;  /* a stray completion of something abandoned */
          if (r->status != EP_IMAP_STATUS_OK)
            {
              g_propagate_error (error, refused_error (self, command, r));
              return FALSE;
            }
          if (tagged != NULL)
            *tagged = g_steal_pointer (&r);
          return TRUE;
        }

      if (r->kind == EP_IMAP_RESPONSE_CONTINUATION)
        {
          self->usable = FALSE;
          g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                       _("%s asked for more data in the middle of %s"), self->host, command);
          return FALSE;
        }

      if (r->status == EP_IMAP_STATUS_BYE)
        {
          self->usable = FALSE;
          g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                       _("%s ended the session: %s"), self->host,
                       r->text && *r->text ? r->text : _("no reason given"));
          return FALSE;
        }

      if (g_strcmp0 (r->name, "CAPABILITY") == 0 && r->data != NULL)
        {
          g_ptr_array_set_size (self->capabilities, 0);
          for (guint i = 0; i < ep_imap_value_n_items (r->data); i++)
            {
              const char *word = ep_imap_value_string (ep_imap_value_item (r->data, i));

              if (word != NULL)
                g_ptr_array_add (self->capabilities, g_ascii_strup (word, -1));
            }
        }

      if (func != NULL && !func (r, user_data, error))
        {
          self->usable = FALSE;
          return FALSE;
        }
    }
}

gboolean
ep_imap_session_run (EpImapSession       *self,
                     const char          *command,
                     EpImapUntaggedFunc   func,
                     gpointer             user_data,
                     EpImapResponse     **tagged,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autofree char *tag = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (command != NULL, FALSE);
  g_return_val_if_fail (strpbrk (command, "\r\n") == NULL, FALSE);

  if (!self->usable)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                   _("The connection to %s is closed"), self->host);
      return FALSE;
    }

  tag = send_command (self, command, cancellable, error);
  if (tag == NULL)
    return FALSE;
  return finish_command (self, tag, command, func, user_data, tagged, cancellable, error);
}

static void
read_capabilities (EpImapSession *self)
{
  g_ptr_array_set_size (self->capabilities, 0);
  for (guint i = 0; i < self->cs.capabilities->len; i++)
    g_ptr_array_add (self->capabilities,
                     g_ascii_strup (g_ptr_array_index (self->cs.capabilities, i), -1));
}

EpImapSession *
ep_imap_session_open (const EpServerConfig  *config,
                      EpProtocolLog         *log,
                      GCancellable          *cancellable,
                      GError               **error)
{
  EpImapSession *self;
  curl_socket_t sock = CURL_SOCKET_BAD;
  CURLcode rc;

  g_return_val_if_fail (config != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  self = g_new0 (EpImapSession, 1);
  self->log = log ? g_object_ref (log) : NULL;
  self->host = g_strdup (config->host);
  self->timeout = config->response_timeout ? config->response_timeout : DEFAULT_TIMEOUT;
  self->capabilities = g_ptr_array_new_with_free_func (g_free);
  self->parser = ep_imap_parser_new (MAX_LITERAL, MAX_LINE);
  _ep_curl_session_init (&self->cs, log, cancellable, TRUE);

  self->curl = _ep_curl_session_open (&self->cs, config, "imap", "imaps", "/", error);
  if (self->curl == NULL)
    goto fail;

  /* Connect, TLS, greeting, CAPABILITY, STARTTLS and the login, then stop. */
  curl_easy_setopt (self->curl, CURLOPT_CONNECT_ONLY, 1L);
  rc = curl_easy_perform (self->curl);
  if (rc != CURLE_OK)
    {
      g_propagate_error (error, _ep_curl_session_error (&self->cs, self->curl, rc, config));
      goto fail;
    }

  if (config->auth != EP_AUTH_NONE && config->username != NULL && *config->username &&
      !self->cs.auth_ok)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_AUTH,
                   _("%s did not log Epistle in: %s"), config->host,
                   self->cs.last_reply ? self->cs.last_reply : _("no reason given"));
      goto fail;
    }

  if (curl_easy_getinfo (self->curl, CURLINFO_ACTIVESOCKET, &sock) != CURLE_OK ||
      sock == CURL_SOCKET_BAD)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                   _("The connection to %s could not be used"), config->host);
      goto fail;
    }
  self->sock = sock;
  /* From here on the session logs itself (without message contents). */
  curl_easy_setopt (self->curl, CURLOPT_VERBOSE, 0L);
  self->cs.cancellable = NULL;
  self->usable = TRUE;

  read_capabilities (self);
  /* Capabilities change after login (IDLE, CONDSTORE); ask again. */
  if (!ep_imap_session_run (self, "CAPABILITY", NULL, NULL, NULL, cancellable, error))
    goto fail;

  return self;

fail:
  self->usable = FALSE;
  ep_imap_session_close (self);
  return NULL;
}

void
ep_imap_session_close (EpImapSession *self)
{
  if (self == NULL)
    return;

  if (self->usable)
    {
      g_autoptr(GError) error = NULL;
      guint timeout = self->timeout;

      /* A quick goodbye; a server that does not answer is not waited for. */
      self->timeout = MIN (timeout, 5);
      if (!ep_imap_session_run (self, "LOGOUT", NULL, NULL, NULL, NULL, &error))
        g_debug ("LOGOUT: %s", error->message);
      self->timeout = timeout;
    }

  g_clear_pointer (&self->curl, curl_easy_cleanup);
  _ep_curl_session_clear (&self->cs);
  g_clear_pointer (&self->parser, ep_imap_parser_free);
  g_clear_object (&self->log);
  g_clear_pointer (&self->capabilities, g_ptr_array_unref);
  g_free (self->host);
  g_free (self);
}

gboolean
ep_imap_session_is_usable (EpImapSession *self)
{
  return self != NULL && self->usable;
}

gboolean
ep_imap_session_has_capability (EpImapSession *self,
                                const char    *capability)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->capabilities->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->capabilities, i), capability) == 0)
      return TRUE;
  return FALSE;
}

const char *
ep_imap_session_get_host (EpImapSession *self)
{
  return self->host;
}

gboolean
ep_imap_session_append (EpImapSession  *self,
                        const char     *mailbox_raw,
                        const char     *flags,
                        GBytes         *message,
                        guint32        *uid,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_autoptr(GString) command = g_string_new ("APPEND ");
  g_autoptr(EpImapResponse) tagged = NULL;
  g_autofree char *tag = NULL;
  gboolean plus = ep_imap_session_has_capability (self, "LITERAL+");
  gsize len = g_bytes_get_size (message);

  g_return_val_if_fail (self != NULL, FALSE);

  if (uid != NULL)
    *uid = 0;
  if (!ep_imap_append_quoted (command, mailbox_raw))
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                   _("The folder name “%s” cannot be sent to the server"), mailbox_raw);
      return FALSE;
    }
  if (flags != NULL && *flags != '\0')
    g_string_append_printf (command, " (%s)", flags);
  g_string_append_printf (command, " {%" G_GSIZE_FORMAT "%s}", len, plus ? "+" : "");

  if (!self->usable)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                   _("The connection to %s is closed"), self->host);
      return FALSE;
    }
  tag = send_command (self, command->str, cancellable, error);
  if (tag == NULL)
    return FALSE;

  if (!plus)
    {
      /* Wait for "+" (or a refusal) before the literal. */
      for (;;)
        {
          g_autoptr(EpImapResponse) r = read_response (self, 0, NULL, cancellable, error);

          if (r == NULL)
            return FALSE;
          if (r->kind == EP_IMAP_RESPONSE_CONTINUATION)
            break;
          if (r->kind == EP_IMAP_RESPONSE_TAGGED && g_strcmp0 (r->tag, tag) == 0)
            {
              g_propagate_error (error, refused_error (self, "APPEND", r));
              return FALSE;
            }
        }
    }

  if (!send_bytes (self, g_bytes_get_data (message, NULL), len, cancellable, error) ||
      !send_bytes (self, "\r\n", 2, cancellable, error))
    return FALSE;
  log_line (self, EP_PROTOCOL_LOG_CLIENT, "{message}");

  if (!finish_command (self, tag, "APPEND", NULL, NULL, &tagged, cancellable, error))
    return FALSE;

  if (uid != NULL && g_strcmp0 (tagged->code, "APPENDUID") == 0 && tagged->code_args != NULL)
    {
      guint64 value = 0;

      if (ep_imap_value_number (ep_imap_value_item (tagged->code_args, 1), &value) &&
          value <= G_MAXUINT32)
        *uid = (guint32) value;
    }
  return TRUE;
}

static gboolean
is_change (const EpImapResponse *r)
{
  return r->kind == EP_IMAP_RESPONSE_UNTAGGED &&
         (g_strcmp0 (r->name, "EXISTS") == 0 || g_strcmp0 (r->name, "EXPUNGE") == 0 ||
          g_strcmp0 (r->name, "FETCH") == 0 || g_strcmp0 (r->name, "VANISHED") == 0 ||
          g_strcmp0 (r->name, "RECENT") == 0);
}

gboolean
ep_imap_session_idle (EpImapSession  *self,
                      guint           max_seconds,
                      gboolean       *changed,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autofree char *tag = NULL;
  g_autoptr(GError) wait_error = NULL;
  gint64 deadline;
  gboolean cancelled = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (changed != NULL, FALSE);

  *changed = FALSE;
  if (!self->usable)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                   _("The connection to %s is closed"), self->host);
      return FALSE;
    }

  tag = send_command (self, "IDLE", cancellable, error);
  if (tag == NULL)
    return FALSE;

  /* "+ idling", or a refusal. */
  for (;;)
    {
      g_autoptr(EpImapResponse) r = read_response (self, 0, NULL, cancellable, error);

      if (r == NULL)
        return FALSE;
      if (r->kind == EP_IMAP_RESPONSE_CONTINUATION)
        break;
      if (r->kind == EP_IMAP_RESPONSE_TAGGED && g_strcmp0 (r->tag, tag) == 0)
        {
          g_propagate_error (error, refused_error (self, "IDLE", r));
          return FALSE;
        }
      if (is_change (r))
        *changed = TRUE;
    }

  deadline = g_get_monotonic_time () + (gint64) MAX (max_seconds, 1) * G_USEC_PER_SEC;
  while (!*changed)
    {
      gboolean quiet = FALSE;
      g_autoptr(EpImapResponse) r = read_response (self, deadline, &quiet, cancellable, &wait_error);

      if (r == NULL)
        {
          if (quiet)
            break;
          if (g_error_matches (wait_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              /* Still in step: end IDLE politely below. */
              self->usable = TRUE;
              cancelled = TRUE;
              break;
            }
          g_propagate_error (error, g_steal_pointer (&wait_error));
          return FALSE;
        }
      if (r->status == EP_IMAP_STATUS_BYE)
        {
          self->usable = FALSE;
          g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                       _("%s ended the session: %s"), self->host,
                       r->text && *r->text ? r->text : _("no reason given"));
          return FALSE;
        }
      if (is_change (r))
        *changed = TRUE;
    }

  log_line (self, EP_PROTOCOL_LOG_CLIENT, "DONE");
  if (!send_bytes (self, "DONE\r\n", 6, NULL, error))
    return FALSE;

  {
    guint timeout = self->timeout;
    gboolean ok;

    if (cancelled)
      self->timeout = MIN (timeout, 5);
    ok = finish_command (self, tag, "IDLE", NULL, NULL, NULL, NULL, error);
    self->timeout = timeout;
    if (!ok)
      return FALSE;
  }

  if (cancelled)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));
      return FALSE;
    }
  return TRUE;
}
