/* test-transport.c: error mapping, redaction, input checks (no network)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <curl/curl.h>

#include <epistle-core.h>

static void
test_error_mapping (void)
{
  const struct {
    int curl_code;
    long response;
    const char *reply;
    GQuark domain;
    int code;
    const char *contains;
  } cases[] = {
    /* RCPT / MAIL / DATA replies */
    { CURLE_SEND_ERROR, 550, "550 5.1.1 <x@example.org>: Recipient address rejected",
      0, EP_TRANSPORT_ERROR_REJECTED, "550 5.1.1 <x@example.org>: Recipient address rejected" },
    { CURLE_SEND_ERROR, 451, "451 4.3.0 Try again later", 0, EP_TRANSPORT_ERROR_TRANSIENT, "451 4.3.0" },
    { CURLE_WEIRD_SERVER_REPLY, 554, "554 5.7.1 Message refused", 0, EP_TRANSPORT_ERROR_REJECTED, "554 5.7.1" },
    { CURLE_WEIRD_SERVER_REPLY, 452, "452 4.3.1 Insufficient storage", 0, EP_TRANSPORT_ERROR_TRANSIENT, "452" },
    { CURLE_SEND_ERROR, 552, "552 5.3.4 Message size exceeds fixed limit", 0, EP_TRANSPORT_ERROR_REJECTED, "552" },
    { CURLE_SEND_ERROR, 421, "421 4.7.0 Too many connections", 0, EP_TRANSPORT_ERROR_TRANSIENT, "421" },
    /* authentication */
    { CURLE_LOGIN_DENIED, 535, "535 5.7.8 Authentication credentials invalid", 0, EP_TRANSPORT_ERROR_AUTH, "535 5.7.8" },
    { CURLE_LOGIN_DENIED, 0, NULL, 0, EP_TRANSPORT_ERROR_AUTH, "example.org" },
    { CURLE_SEND_ERROR, 530, "530 5.7.0 Authentication required", 0, EP_TRANSPORT_ERROR_AUTH, "530" },
    { CURLE_LOGIN_DENIED, 454, "454 4.7.0 Temporary authentication failure", 0, EP_TRANSPORT_ERROR_TRANSIENT, "454" },
    /* TLS */
    { CURLE_USE_SSL_FAILED, 250, NULL, 0, EP_TRANSPORT_ERROR_TLS, "did not offer a secure" },
    { CURLE_PEER_FAILED_VERIFICATION, 0, NULL, 0, EP_TRANSPORT_ERROR_TLS, "could not be verified" },
    { CURLE_SSL_CONNECT_ERROR, 0, NULL, 0, EP_TRANSPORT_ERROR_TLS, "TLS" },
    { CURLE_SSL_CACERT_BADFILE, 0, NULL, 0, EP_TRANSPORT_ERROR_TLS, "CA file" },
    /* network */
    { CURLE_COULDNT_CONNECT, 0, NULL, 0, EP_TRANSPORT_ERROR_TRANSIENT, "Could not connect" },
    { CURLE_OPERATION_TIMEDOUT, 0, NULL, 0, EP_TRANSPORT_ERROR_TRANSIENT, "in time" },
    { CURLE_RECV_ERROR, 354, NULL, 0, EP_TRANSPORT_ERROR_TRANSIENT, "failed" },
    { CURLE_GOT_NOTHING, 0, NULL, 0, EP_TRANSPORT_ERROR_TRANSIENT, "failed" },
    { CURLE_COULDNT_RESOLVE_HOST, 0, NULL, 0, EP_TRANSPORT_ERROR_TRANSIENT, "Could not find" },
    /* configuration */
    { CURLE_URL_MALFORMAT, 0, NULL, 0, EP_TRANSPORT_ERROR_CONFIG, "not usable" },
    { CURLE_UNSUPPORTED_PROTOCOL, 0, NULL, 0, EP_TRANSPORT_ERROR_CONFIG, "not usable" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = ep_transport_error_from_curl (cases[i].curl_code, cases[i].response,
                                                              cases[i].reply, "libcurl says",
                                                              "smtp.example.org");

      if (!g_error_matches (error, EP_TRANSPORT_ERROR, cases[i].code))
        g_error ("case %u (curl %d, reply %ld): expected code %d, got %s %d: %s", i,
                 cases[i].curl_code, cases[i].response, cases[i].code,
                 g_quark_to_string (error->domain), error->code, error->message);
      if (strstr (error->message, cases[i].contains) == NULL)
        g_error ("case %u: “%s” not in “%s”", i, cases[i].contains, error->message);
      g_assert_cmpint (ep_transport_error_is_transient (error), ==,
                       cases[i].code == EP_TRANSPORT_ERROR_TRANSIENT);
      /* …and what the outbox does about it follows from the code alone. */
      {
        static const EpSendAction action_of[] = {
          [EP_TRANSPORT_ERROR_TRANSIENT] = EP_SEND_RETRY,
          [EP_TRANSPORT_ERROR_REJECTED] = EP_SEND_REJECTED,
          [EP_TRANSPORT_ERROR_AUTH] = EP_SEND_STOP_AUTH,
          [EP_TRANSPORT_ERROR_TLS] = EP_SEND_STOP_TLS,
          [EP_TRANSPORT_ERROR_CONFIG] = EP_SEND_STOP_CONFIG,
        };

        if (ep_transport_error_classify (error) != action_of[cases[i].code])
          g_error ("case %u: classified %d, expected %d", i, ep_transport_error_classify (error),
                   action_of[cases[i].code]);
      }
    }

  /* Errors from elsewhere: a cancelled transfer, and our own side (a
   * message that cannot be built) are never retried as a server failure. */
  {
    g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
    g_autoptr(GError) local = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOENT, "gone.pdf");
    g_autoptr(GError) unknown = g_error_new_literal (EP_TRANSPORT_ERROR, 99, "new code");

    g_assert_cmpint (ep_transport_error_classify (cancelled), ==, EP_SEND_CANCELLED);
    g_assert_cmpint (ep_transport_error_classify (local), ==, EP_SEND_LOCAL);
    /* An unknown transport failure keeps the message and retries. */
    g_assert_cmpint (ep_transport_error_classify (unknown), ==, EP_SEND_RETRY);
  }

  {
    g_autoptr(GError) error = ep_transport_error_from_curl (CURLE_ABORTED_BY_CALLBACK, 0, NULL,
                                                            NULL, "h");
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

static void
test_redaction (void)
{
  const struct { const char *line; gboolean imap; const char *expected; } cases[] = {
    { "EHLO client.example", FALSE, "EHLO client.example" },
    { "MAIL FROM:<a@example.org> SIZE=1234", FALSE, "MAIL FROM:<a@example.org> SIZE=1234" },
    { "RCPT TO:<b@example.org>", FALSE, "RCPT TO:<b@example.org>" },
    { "AUTH PLAIN AGFubgBzM2NyM3Q=", FALSE, "AUTH PLAIN [redacted]" },
    { "AUTH LOGIN", FALSE, "AUTH LOGIN" },
    { "YW5u", FALSE, "[redacted]" },                 /* LOGIN user name */
    { "czNjcjN0", FALSE, "[redacted]" },             /* LOGIN password */
    { "AUTH XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHRva2VuAQE=", FALSE, "AUTH XOAUTH2 [redacted]" },
    { "dXNlcj1hAWF1dGg9QmVhcmVyIHRva2VuAQE=", FALSE, "[redacted]" },
    { "", FALSE, "" },
    { "A001 CAPABILITY", TRUE, "A001 CAPABILITY" },
    { "A002 AUTHENTICATE PLAIN AGFubgBzM2NyM3Q=", TRUE, "A002 AUTHENTICATE PLAIN [redacted]" },
    { "A002 LOGIN ann s3cr3t", TRUE, "A002 LOGIN [redacted]" },
    { "A002 LOGIN \"ann\" \"s3cr3t\"", TRUE, "A002 LOGIN [redacted]" },
    { "AGFubgBzM2NyM3Q=", TRUE, "[redacted]" },
    { "A003 SELECT INBOX", TRUE, "A003 SELECT INBOX" },
    { "DONE", TRUE, "DONE" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = ep_protocol_redact_command (cases[i].line, cases[i].imap);
      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

static void
test_log_bounded (void)
{
  g_autoptr(EpProtocolLog) log = ep_protocol_log_new (3);
  g_autofree char *text = NULL;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %u", i);
      ep_protocol_log_append (log, EP_PROTOCOL_LOG_SERVER, line);
    }
  g_assert_cmpuint (ep_protocol_log_get_n_lines (log), ==, 3);
  text = ep_protocol_log_dup_text (log);
  g_assert_null (strstr (text, "line 6"));
  g_assert_nonnull (strstr (text, "S: line 9"));
}

static void
test_envelope_injection (void)
{
  g_autoptr(EpServerConfig) config = ep_server_config_new ("127.0.0.1", 9, EP_SECURITY_TLS);
  g_autoptr(GBytes) body = g_bytes_new_static ("x\r\n", 3);
  g_autoptr(EpProtocolLog) log = ep_protocol_log_new (0);
  g_autoptr(GError) error = NULL;
  const char *bad[] = { "a@example.org>\r\nRCPT TO:<evil@example.org", NULL };
  g_autoptr(EpSmtpReport) report = NULL;

  report = ep_smtp_send_sync (config, "me@example.org", bad, body, log, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG);
  /* Refused before any connection was attempted. */
  g_assert_cmpuint (ep_protocol_log_get_n_lines (log), ==, 0);
}

static void
test_cancelled_before_start (void)
{
  g_autoptr(EpServerConfig) config = ep_server_config_new ("127.0.0.1", 9, EP_SECURITY_TLS);
  g_autoptr(GBytes) body = g_bytes_new_static ("x\r\n", 3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  const char *rcpt[] = { "b@example.org", NULL };
  g_autoptr(EpSmtpReport) report = NULL;

  g_cancellable_cancel (cancellable);
  report = ep_smtp_send_sync (config, "a@example.org", rcpt, body, NULL, cancellable, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_bad_host (void)
{
  g_autoptr(EpServerConfig) config = ep_server_config_new ("smtp.example.org/evil?x", 465, EP_SECURITY_TLS);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpServerProbe) probe = ep_smtp_probe_sync (config, NULL, NULL, &error);

  g_assert_null (probe);
  g_assert_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "smtp.example.org/evil?x"));
}

static void
test_secret_wiped_copy (void)
{
  g_autoptr(EpServerConfig) config = ep_server_config_new ("h.example", 465, EP_SECURITY_TLS);
  g_autoptr(EpServerConfig) copy = NULL;

  ep_server_config_set_secret (config, "hunter2");
  copy = ep_server_config_copy (config);
  g_assert_cmpstr (copy->secret, ==, "hunter2");
  g_assert_true (copy->secret != config->secret);
}

typedef struct
{
  GMainLoop *loop;
  GError    *error;
  gboolean   done;
} CancelData;

static void
cancel_send_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CancelData *data = user_data;
  g_autoptr(EpSmtpReport) report = ep_smtp_send_finish (result, &data->error);

  g_assert_null (report);
  data->done = TRUE;
  g_main_loop_quit (data->loop);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
give_up_cb (gpointer user_data)
{
  g_error ("cancelling a transfer did not stop it (120 s, against a 600 s timeout)");
  return G_SOURCE_REMOVE;
}

/* A server that accepts and never speaks: only cancellation can end the
 * transfer before the (long) response timeout. */
static void
test_cancel_in_flight (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(EpServerConfig) config = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("x\r\n", 3);
  g_autoptr(GError) error = NULL;
  const char *rcpt[] = { "b@example.org", NULL };
  CancelData data = { g_main_loop_new (NULL, FALSE), NULL, FALSE };
  guint give_up;

  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);

  config = ep_server_config_new ("127.0.0.1",
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)),
                                 EP_SECURITY_TLS);
  config->response_timeout = 600;

  ep_smtp_send_async (config, "a@example.org", rcpt, body, NULL, cancellable,
                      cancel_send_cb, &data);
  g_timeout_add (300, cancel_cb, cancellable);
  give_up = g_timeout_add_seconds (120, give_up_cb, NULL);
  g_main_loop_run (data.loop);
  g_source_remove (give_up);

  /* Cancelled, not timed out (the server stays silent for 600 s): the
   * give-up source would have ended the loop otherwise. */
  g_assert_true (data.done);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.error);
  g_main_loop_unref (data.loop);
}

int
main (int    argc,
      char **argv)
{
  ep_core_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transport/error-mapping", test_error_mapping);
  g_test_add_func ("/transport/redaction", test_redaction);
  g_test_add_func ("/transport/log-bounded", test_log_bounded);
  g_test_add_func ("/transport/envelope-injection", test_envelope_injection);
  g_test_add_func ("/transport/cancelled-before-start", test_cancelled_before_start);
  g_test_add_func ("/transport/cancel-in-flight", test_cancel_in_flight);
  g_test_add_func ("/transport/bad-host", test_bad_host);
  g_test_add_func ("/transport/secret-copy", test_secret_wiped_copy);

  return g_test_run ();
}
