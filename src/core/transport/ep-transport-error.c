/* ep-transport-error.c: mapping libcurl results to EpTransportError
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-transport-error"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>

#include "ep-transport-error.h"

G_DEFINE_QUARK (ep-transport-error-quark, ep_transport_error)

gboolean
ep_transport_error_is_transient (const GError *error)
{
  return error != NULL &&
         g_error_matches (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT);
}

EpSendAction
ep_transport_error_classify (const GError *error)
{
  g_return_val_if_fail (error != NULL, EP_SEND_LOCAL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return EP_SEND_CANCELLED;
  if (error->domain != EP_TRANSPORT_ERROR)
    return EP_SEND_LOCAL;

  switch ((EpTransportError) error->code)
    {
    case EP_TRANSPORT_ERROR_TRANSIENT:
      return EP_SEND_RETRY;
    case EP_TRANSPORT_ERROR_REJECTED:
      return EP_SEND_REJECTED;
    case EP_TRANSPORT_ERROR_AUTH:
      return EP_SEND_STOP_AUTH;
    case EP_TRANSPORT_ERROR_TLS:
      return EP_SEND_STOP_TLS;
    case EP_TRANSPORT_ERROR_CONFIG:
      return EP_SEND_STOP_CONFIG;
    default:
      /* An unknown transport failure: never lose the message. */
      return EP_SEND_RETRY;
    }
}

static gboolean
is_tls_failure (int code)
{
  switch (code)
    {
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_config_failure (int code)
{
  switch (code)
    {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_auth_reply (long response_code)
{
  /* 530 authentication required, 534 mechanism too weak / web login required,
   * 535 credentials invalid. 454 is a *temporary* auth failure: transient. */
  return response_code == 530 || response_code == 534 || response_code == 535;
}

/* Returns a new GError describing a failed transfer.
 *
 * @curl_code: the CURLcode
 * @response_code: CURLINFO_RESPONSE_CODE (0 when the server said nothing)
 * @server_reply: the last reply the server sent, as text (may be NULL)
 * @curl_message: libcurl's error buffer (may be NULL or empty)
 * @host: the host, for the message
 *
 * The server's words are kept verbatim in the message, because that is what
 * tells a user (or their admin) what went wrong. */
GError *
ep_transport_error_from_curl (int         curl_code,
                              long        response_code,
                              const char *server_reply,
                              const char *curl_message,
                              const char *host)
{
  g_autofree char *detail = NULL;

  if (curl_code == CURLE_ABORTED_BY_CALLBACK)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));

  if (host == NULL)
    host = "?";

  if (server_reply != NULL && *server_reply != '\0')
    detail = g_strdup (server_reply);
  else if (curl_message != NULL && *curl_message != '\0')
    detail = g_strdup (curl_message);
  else
    detail = g_strdup (curl_easy_strerror ((CURLcode) curl_code));

  g_strstrip (detail);

  if (is_tls_failure (curl_code))
    {
      g_autofree char *lead = NULL;
      /* Always show libcurl's own words here: they name the TLS problem. */
      const char *why = (curl_message && *curl_message) ? curl_message : detail;

      if (curl_code == CURLE_USE_SSL_FAILED)
        lead = g_strdup_printf (_("%s did not offer a secure (TLS) connection, so nothing "
                                  "was sent. Check the port and security setting, or the "
                                  "network: something may be stripping encryption."), host);
      else if (curl_code == CURLE_PEER_FAILED_VERIFICATION)
        lead = g_strdup_printf (_("The certificate of %s could not be verified, so nothing "
                                  "was sent. If your provider uses its own certificate "
                                  "authority, choose its CA file in the account settings."),
                                host);
      else if (curl_code == CURLE_SSL_CACERT_BADFILE)
        lead = g_strdup_printf (_("The CA file chosen for %s could not be read."), host);
      else
        lead = g_strdup_printf (_("The secure (TLS) connection to %s failed."), host);

      return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TLS, "%s (%s)", lead, why);
    }

  if (curl_code == CURLE_LOGIN_DENIED || is_auth_reply (response_code))
    {
      if (response_code >= 400 && response_code < 500)
        return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                            _("%s could not check the password right now: %s"),
                            host, detail);
      return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_AUTH,
                          _("%s did not accept the user name or password: %s"),
                          host, detail);
    }

  if (is_config_failure (curl_code) || curl_code == CURLE_COULDNT_RESOLVE_HOST)
    {
      /* An unknown host is usually a typo, but it is also what an offline
       * laptop reports; keep it transient so a queued send is retried. */
      if (curl_code == CURLE_COULDNT_RESOLVE_HOST)
        return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                            _("Could not find the server %s (check the host name and the "
                              "network connection): %s"), host, detail);
      return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                          _("The connection settings for %s are not usable: %s"),
                          host, detail);
    }

  if (response_code >= 500 && response_code < 600)
    return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_REJECTED,
                        _("%s rejected the message: %s"), host, detail);

  if (response_code >= 400 && response_code < 500)
    return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                        _("%s temporarily refused the message: %s"), host, detail);

  switch (curl_code)
    {
    case CURLE_COULDNT_CONNECT:
      return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                          _("Could not connect to %s: %s"), host, detail);
    case CURLE_OPERATION_TIMEDOUT:
      return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                          _("%s did not answer in time: %s"), host, detail);
    default:
      /* Lost connection, short reads, odd replies without a code: the
       * message may be retried; the outbox's backoff keeps it polite. */
      return g_error_new (EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                          _("The connection to %s failed: %s"), host, detail);
    }
}
