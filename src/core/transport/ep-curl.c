/* ep-curl.c: libcurl easy-handle setup, protocol logging and error capture
 *
 * One session per transfer, created and destroyed on the worker thread
 * (libcurl-thread). TLS is verified always; STARTTLS is required whenever
 * the account asks for it (CURLUSESSL_ALL: no downgrade).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-curl"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-autocleanups-private.h"
#include "ep-curl-private.h"
#include "ep-smtp.h"
#include "ep-transport-error.h"

#define DEFAULT_CONNECT_TIMEOUT 30
#define DEFAULT_RESPONSE_TIMEOUT 60

static void
rcpt_free (gpointer data)
{
  EpCurlRcpt *rcpt = data;

  g_free (rcpt->address);
  g_free (rcpt->reply);
  g_free (rcpt);
}

void
_ep_curl_session_init (EpCurlSession *session,
                       EpProtocolLog *log,
                       GCancellable  *cancellable,
                       gboolean       imap)
{
  memset (session, 0, sizeof *session);
  session->log = log;
  session->cancellable = cancellable;
  session->imap = imap;
  session->in_line = g_string_new (NULL);
  session->out_line = g_string_new (NULL);
  session->reply = g_string_new (NULL);
  session->rcpts = g_ptr_array_new_with_free_func (rcpt_free);
  session->capabilities = g_ptr_array_new_with_free_func (g_free);
}

void
_ep_curl_session_clear (EpCurlSession *session)
{
  g_string_free (session->in_line, TRUE);
  g_string_free (session->out_line, TRUE);
  g_string_free (session->reply, TRUE);
  g_free (session->last_reply);
  g_free (session->last_verb);
  g_free (session->greeting);
  g_free (session->tls_info);
  g_free (session->cert_subject);
  g_free (session->pending_rcpt);
  g_ptr_array_unref (session->rcpts);
  g_ptr_array_unref (session->capabilities);
}

static void
set_str (char       **dest,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*dest);
  *dest = copy;
}

/* A complete SMTP reply (possibly multi-line) has arrived. */
static void
smtp_reply_done (EpCurlSession *s,
                 guint          code)
{
  const char *verb = s->last_verb;
  g_autofree char *text = g_strdup (s->reply->str);

  g_strchomp (text);
  /* The reply to QUIT ("221 Bye") explains nothing: keep the one before. */
  if (g_strcmp0 (verb, "QUIT") != 0)
    set_str (&s->last_reply, text);

  if (verb == NULL)
    {
      set_str (&s->greeting, text);
    }
  else if (g_str_equal (verb, "RCPT") && s->pending_rcpt != NULL)
    {
      EpCurlRcpt *rcpt = g_new0 (EpCurlRcpt, 1);

      rcpt->address = g_steal_pointer (&s->pending_rcpt);
      rcpt->code = code;
      rcpt->reply = g_strdup (text);
      g_ptr_array_add (s->rcpts, rcpt);
    }
  else if (g_str_equal (verb, "EHLO") && code == 250)
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      g_ptr_array_set_size (s->capabilities, 0);
      /* The first line is the server's name; the rest are extensions. */
      for (guint i = 1; lines[i] != NULL; i++)
        if (strlen (lines[i]) > 4)
          g_ptr_array_add (s->capabilities, g_strdup (lines[i] + 4));
    }
  else if (g_str_equal (verb, "AUTH") && code != 334)
    {
      s->auth_code = code;
      s->auth_ok = (code == 235);
    }

  g_string_truncate (s->reply, 0);
}

static void
imap_line_in (EpCurlSession *s,
              const char    *line)
{
  if (g_str_has_prefix (line, "* "))
    {
      const char *caps = NULL;

      if (s->greeting == NULL && (g_str_has_prefix (line, "* OK") ||
                                  g_str_has_prefix (line, "* PREAUTH") ||
                                  g_str_has_prefix (line, "* BYE")))
        {
          set_str (&s->greeting, line + 2);
          set_str (&s->last_reply, line + 2);
        }

      if (g_str_has_prefix (line, "* CAPABILITY "))
        caps = line + strlen ("* CAPABILITY ");
      else if ((caps = strstr (line, "[CAPABILITY ")) != NULL)
        caps += strlen ("[CAPABILITY ");

      if (caps != NULL)
        {
          g_autofree char *copy = g_strdup (caps);
          g_auto(GStrv) words = NULL;
          char *end = strchr (copy, ']');

          if (end != NULL)
            *end = '\0';
          words = g_strsplit (copy, " ", -1);
          g_ptr_array_set_size (s->capabilities, 0);
          for (guint i = 0; words[i] != NULL; i++)
            if (*words[i] != '\0')
              g_ptr_array_add (s->capabilities, g_strdup (words[i]));
        }
    }
  else if (!g_str_has_prefix (line, "+"))
    {
      /* A tagged completion: "A003 OK ..." / "A003 NO [AUTHENTICATIONFAILED] ..." */
      const char *rest = strchr (line, ' ');

      set_str (&s->last_reply, rest ? rest + 1 : line);

      if (g_strcmp0 (s->last_verb, "AUTHENTICATE") == 0 || g_strcmp0 (s->last_verb, "LOGIN") == 0)
        s->auth_ok = rest != NULL && g_str_has_prefix (rest + 1, "OK");
    }
}

static void
line_in (EpCurlSession *s,
         const char    *line)
{
  if (s->log != NULL)
    ep_protocol_log_append (s->log, EP_PROTOCOL_LOG_SERVER, line);

  if (s->imap)
    {
      imap_line_in (s, line);
      return;
    }

  if (strlen (line) >= 3 && g_ascii_isdigit (line[0]) && g_ascii_isdigit (line[1]) &&
      g_ascii_isdigit (line[2]))
    {
      if (s->reply->len > 0)
        g_string_append_c (s->reply, '\n');
      g_string_append (s->reply, line);

      if (line[3] != '-')
        smtp_reply_done (s, (guint) g_ascii_strtoull (line, NULL, 10));
    }
}

static void
line_out (EpCurlSession *s,
          const char    *line)
{
  g_autofree char *safe = ep_protocol_redact_command (line, s->imap);
  g_auto(GStrv) words = g_strsplit (safe, " ", 3);
  const char *verb = NULL;

  if (s->imap)
    {
      if (words[0] != NULL && words[1] != NULL)
        verb = words[1];
    }
  else
    verb = words[0];

  /* SASL continuation lines are not commands: keep the AUTH verb current. */
  if (verb != NULL && !g_str_equal (safe, "[redacted]"))
    {
      g_autofree char *upper = g_ascii_strup (verb, -1);

      set_str (&s->last_verb, upper);
      if (g_str_equal (upper, "AUTH") || g_str_equal (upper, "AUTHENTICATE") ||
          g_str_equal (upper, "LOGIN"))
        s->auth_attempted = TRUE;

      if (!s->imap && g_str_equal (upper, "RCPT"))
        {
          const char *lt = strchr (line, '<');
          const char *gt = lt ? strchr (lt, '>') : NULL;

          g_free (s->pending_rcpt);
          s->pending_rcpt = (lt && gt) ? g_strndup (lt + 1, gt - lt - 1) : NULL;
        }
    }

  if (s->log != NULL)
    ep_protocol_log_append (s->log, EP_PROTOCOL_LOG_CLIENT, safe);
}

static void
feed_lines (EpCurlSession *s,
            GString       *buffer,
            const char    *data,
            size_t         size,
            gboolean       incoming)
{
  char *nl;

  g_string_append_len (buffer, data, size);

  while ((nl = memchr (buffer->str, '\n', buffer->len)) != NULL)
    {
      gsize len = nl - buffer->str;
      g_autofree char *line = g_strndup (buffer->str, len);

      g_strchomp (line);
      g_string_erase (buffer, 0, len + 1);

      if (incoming)
        line_in (s, line);
      else
        line_out (s, line);
    }
}

static void
info_text (EpCurlSession *s,
           const char    *data,
           size_t         size)
{
  g_autofree char *text = g_strndup (data, size);
  const char *p;

  g_strchomp (text);

  if ((p = strstr (text, "SSL connection using ")) != NULL)
    set_str (&s->tls_info, p + strlen ("SSL connection using "));
  else if ((p = strstr (text, " subject: ")) != NULL && s->cert_subject == NULL)
    set_str (&s->cert_subject, p + strlen (" subject: "));

  /* Handshake message-by-message chatter ("TLSv1.3 (IN), TLS handshake, …")
   * buries the dialogue; the outcome line above is what matters. */
  g_strstrip (text);
  if (g_str_has_prefix (text, "TLSv1") && (strstr (text, "(IN)") || strstr (text, "(OUT)")))
    return;

  if (s->log != NULL && *text != '\0')
    ep_protocol_log_append (s->log, EP_PROTOCOL_LOG_INFO, text);
}

static int
debug_cb (CURL          *handle,
          curl_infotype  type,
          char          *data,
          size_t         size,
          void          *user_data)
{
  EpCurlSession *s = user_data;

  switch (type)
    {
    case CURLINFO_TEXT:
      info_text (s, data, size);
      break;

    case CURLINFO_HEADER_IN:
      feed_lines (s, s->in_line, data, size, TRUE);
      break;

    case CURLINFO_HEADER_OUT:
      feed_lines (s, s->out_line, data, size, FALSE);
      break;

    case CURLINFO_DATA_OUT:
      /* Message content is never logged, only counted. */
      s->data_bytes += size;
      break;

    case CURLINFO_DATA_IN:
    case CURLINFO_SSL_DATA_IN:
    case CURLINFO_SSL_DATA_OUT:
    case CURLINFO_END:
    default:
      break;
    }

  return 0;
}

static int
xferinfo_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  EpCurlSession *s = user_data;

  return g_cancellable_is_cancelled (s->cancellable) ? 1 : 0;
}

static gboolean
valid_host (const char *host)
{
  if (host == NULL || *host == '\0' || strlen (host) > 253)
    return FALSE;
  for (const char *p = host; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == ':' || *p == '_' ||
          *p == '[' || *p == ']'))
      return FALSE;
  return TRUE;
}

CURL *
_ep_curl_session_open (EpCurlSession        *session,
                       const EpServerConfig *config,
                       const char           *plain_scheme,
                       const char           *tls_scheme,
                       const char           *path,
                       GError              **error)
{
  g_autoptr(CURLU) url = NULL;
  g_autofree char *url_text = NULL;
  g_autofree char *port = NULL;
  CURL *curl;
  long use_ssl;

  if (!valid_host (config->host))
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                   _("“%s” is not a valid server name"), config->host ? config->host : "");
      return NULL;
    }

  if (config->port == 0)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                   _("No port is set for %s"), config->host);
      return NULL;
    }

  /* Build the URL with the URL API so a host can never smuggle a path. */
  url = curl_url ();
  port = g_strdup_printf ("%u", config->port);
  if (curl_url_set (url, CURLUPART_SCHEME,
                    config->security == EP_SECURITY_TLS ? tls_scheme : plain_scheme, 0) ||
      curl_url_set (url, CURLUPART_HOST, config->host, 0) ||
      curl_url_set (url, CURLUPART_PORT, port, 0) ||
      curl_url_set (url, CURLUPART_PATH, path ? path : "/", CURLU_URLENCODE) ||
      curl_url_get (url, CURLUPART_URL, &url_text, 0))
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                   _("“%s” is not a valid server name"), config->host);
      return NULL;
    }

  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_set_error_literal (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                           _("Could not start a network transfer"));
      curl_free (url_text);
      return NULL;
    }

  switch (config->security)
    {
    case EP_SECURITY_TLS:
    case EP_SECURITY_STARTTLS:
      use_ssl = CURLUSESSL_ALL;
      break;
    case EP_SECURITY_NONE:
    default:
      use_ssl = CURLUSESSL_NONE;
      break;
    }

  curl_easy_setopt (curl, CURLOPT_URL, url_text);
  curl_free (g_steal_pointer (&url_text));

  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, session->errbuf);
  curl_easy_setopt (curl, CURLOPT_USE_SSL, use_ssl);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (curl, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
  if (config->ca_file != NULL && *config->ca_file != '\0')
    curl_easy_setopt (curl, CURLOPT_CAINFO, config->ca_file);

  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, (long) (config->connect_timeout ? config->connect_timeout : DEFAULT_CONNECT_TIMEOUT));
  curl_easy_setopt (curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long) (config->response_timeout ? config->response_timeout : DEFAULT_RESPONSE_TIMEOUT));
  /* A stalled upload (a laptop going to sleep mid-DATA) ends in a timeout,
   * never a hang: less than 1 byte/s for the response timeout aborts. */
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_TIME, (long) (config->response_timeout ? config->response_timeout : DEFAULT_RESPONSE_TIMEOUT));

  curl_easy_setopt (curl, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt (curl, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt (curl, CURLOPT_DEBUGDATA, session);
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, session);

  switch (config->auth)
    {
    case EP_AUTH_PASSWORD:
      if (config->username != NULL && *config->username != '\0')
        {
          curl_easy_setopt (curl, CURLOPT_USERNAME, config->username);
          curl_easy_setopt (curl, CURLOPT_PASSWORD, config->secret ? config->secret : "");
          /* Only mechanisms that are safe inside TLS and that every server has;
           * never fall back to something weaker on our own. */
          curl_easy_setopt (curl, CURLOPT_LOGIN_OPTIONS, "AUTH=*");
        }
      break;

    case EP_AUTH_OAUTH2:
      curl_easy_setopt (curl, CURLOPT_USERNAME, config->username ? config->username : "");
      curl_easy_setopt (curl, CURLOPT_XOAUTH2_BEARER, config->secret ? config->secret : "");
      break;

    case EP_AUTH_NONE:
    default:
      break;
    }

  return curl;
}

GError *
_ep_curl_session_error (EpCurlSession        *session,
                        CURL                 *curl,
                        CURLcode              code,
                        const EpServerConfig *config)
{
  long response = 0;

  if (code == CURLE_ABORTED_BY_CALLBACK && !g_cancellable_is_cancelled (session->cancellable))
    code = CURLE_OPERATION_TIMEDOUT;

  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &response);

  /* libcurl leaves the response code at 0 for some failures; the last reply
   * we saw on the wire still tells 4xx from 5xx. */
  if (response == 0 && session->last_reply != NULL && !session->imap &&
      g_ascii_isdigit (session->last_reply[0]))
    response = (long) g_ascii_strtoll (session->last_reply, NULL, 10);

  /* Replies below 400 are not an explanation of a failure. */
  return ep_transport_error_from_curl (code, response,
                                       (response >= 400 ||
                                        (session->imap && session->last_reply &&
                                         !g_str_has_prefix (session->last_reply, "OK")))
                                       ? session->last_reply : NULL,
                                       session->errbuf, config->host);
}

static size_t
discard_cb (char   *ptr,
            size_t  size,
            size_t  nmemb,
            void   *user_data)
{
  return size * nmemb;
}

static guint64
parse_size_limit (GPtrArray *capabilities)
{
  for (guint i = 0; i < capabilities->len; i++)
    {
      const char *cap = g_ptr_array_index (capabilities, i);

      if (g_ascii_strncasecmp (cap, "SIZE", 4) == 0 && (cap[4] == ' ' || cap[4] == '\0'))
        return cap[4] ? g_ascii_strtoull (cap + 5, NULL, 10) : 0;
    }
  return 0;
}

/* A connection test: libcurl connects, does TLS (required unless the
 * account says none), greets and logs in; a NOOP then proves the session.
 * Reports what the server offered and whether the login was accepted. */
EpServerProbe *
_ep_curl_probe_sync (const EpServerConfig *config,
                     gboolean              imap,
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

  _ep_curl_session_init (&session, log, cancellable, imap);

  curl = _ep_curl_session_open (&session, config, imap ? "imap" : "smtp",
                                imap ? "imaps" : "smtps", "/", error);
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
  /* SMTP greetings start with the code: "220 host ESMTP"; show the rest. */
  if (!imap && probe->greeting && strlen (probe->greeting) > 4)
    memmove (probe->greeting, probe->greeting + 4, strlen (probe->greeting + 4) + 1);
  /* IMAP greetings: "OK [CAPABILITY …] Dovecot ready."; show the words. */
  if (imap && probe->greeting && g_str_has_prefix (probe->greeting, "OK "))
    {
      const char *words = probe->greeting + 3;
      char *copy;

      if (*words == '[' && strchr (words, ']') != NULL)
        words = strchr (words, ']') + 1;
      copy = g_strstrip (g_strdup (words));
      g_free (probe->greeting);
      probe->greeting = copy;
    }
  probe->tls = g_strdup (session.tls_info);
  probe->certificate = g_strdup (session.cert_subject);
  probe->auth_attempted = session.auth_attempted;
  probe->authenticated = session.auth_ok;
  probe->size_limit = imap ? 0 : parse_size_limit (session.capabilities);
  g_ptr_array_add (session.capabilities, NULL);
  probe->capabilities = g_strdupv ((char **) session.capabilities->pdata);

  _ep_curl_session_clear (&session);

  if (config->auth != EP_AUTH_NONE && config->username != NULL && *config->username &&
      !probe->authenticated)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_AUTH,
                   _("%s did not offer a way to log in on this connection, so the "
                     "user name and password could not be checked"), config->host);
      ep_server_probe_free (probe);
      return NULL;
    }

  return probe;
}
