/* ep-cli-account.c: epistle-cli account
 *
 *   epistle-cli account add NAME --email ADDR (--preset ID | --smtp HOST:PORT …)
 *   epistle-cli account list | remove NAME | test NAME [--verbose] [--timeout SECONDS]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <unistd.h>
#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

static int
cmd_account_add (int    argc,
                 char **argv)
{
  g_autofree char *email = NULL, *display = NULL, *preset = NULL, *smtp = NULL;
  g_autofree char *smtp_security = NULL, *imap = NULL, *imap_security = NULL;
  g_autofree char *user = NULL, *ca_file = NULL, *auth = NULL;
  gboolean password_stdin = FALSE;
  GOptionEntry entries[] = {
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_("The sender address"), N_("ADDR") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &display, N_("Your name, as recipients see it"), N_("DISPLAY") },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, N_("gmail, google-workspace, outlook, yahoo, fastmail, icloud or generic"), N_("ID") },
    { "smtp", 0, 0, G_OPTION_ARG_STRING, &smtp, N_("SMTP server"), N_("HOST:PORT") },
    { "smtp-security", 0, 0, G_OPTION_ARG_STRING, &smtp_security, N_("tls, starttls or none"), N_("MODE") },
    { "imap", 0, 0, G_OPTION_ARG_STRING, &imap, N_("IMAP server"), N_("HOST:PORT") },
    { "imap-security", 0, 0, G_OPTION_ARG_STRING, &imap_security, N_("tls, starttls or none"), N_("MODE") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("Login name (default: the address)"), N_("USER") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Trust this CA certificate (PEM) for the account"), N_("PEM") },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &auth, N_("password (default), oauth2 (token on stdin) or none"), N_("METHOD") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the password (or token) from standard input"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (_("NAME — add an account"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autoptr(EpAccount) account = NULL;
  g_autofree char *smtp_host = NULL, *imap_host = NULL;
  guint smtp_port = 0, imap_port = 0;
  EpSecurity security;
  EpAuthMethod method = EP_AUTH_PASSWORD;
  char *secret = NULL;
  int status;

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);

  if (argc != 2)
    return usage_error (_("account add needs exactly one NAME"));
  if (email == NULL)
    return usage_error (_("account add needs --email"));

  account = ep_account_new (argv[1]);
  g_object_set (account, "address", email, "display-name", display, "username", user, NULL);

  if (preset != NULL && !ep_account_apply_preset (account, preset))
    return usage_error (_("Unknown preset “%s” (use gmail, google-workspace, outlook, yahoo, "
                          "fastmail, icloud or generic)"), preset);

  if (smtp != NULL)
    {
      if (!parse_host_port (smtp, &smtp_host, &smtp_port))
        return usage_error (_("--smtp must be HOST:PORT, not “%s”"), smtp);
      g_object_set (account, "smtp-host", smtp_host, "smtp-port", smtp_port, NULL);
    }
  else if (ep_account_get_smtp_host (account) == NULL)
    return usage_error (_("account add needs --smtp HOST:PORT (or a --preset)"));

  if (smtp_security != NULL)
    {
      if (!ep_security_from_string (smtp_security, &security))
        return usage_error (_("--smtp-security must be tls, starttls or none, not “%s”"), smtp_security);
      g_object_set (account, "smtp-security", (guint) security, NULL);
    }
  else if (preset == NULL)
    return usage_error (_("account add needs --smtp-security tls|starttls|none"));

  if (imap != NULL)
    {
      if (!parse_host_port (imap, &imap_host, &imap_port))
        return usage_error (_("--imap must be HOST:PORT, not “%s”"), imap);
      g_object_set (account, "imap-host", imap_host, "imap-port", imap_port, NULL);
    }
  if (imap_security != NULL)
    {
      if (!ep_security_from_string (imap_security, &security))
        return usage_error (_("--imap-security must be tls, starttls or none, not “%s”"), imap_security);
      g_object_set (account, "imap-security", (guint) security, NULL);
    }

  if (ca_file != NULL)
    {
      g_autofree char *absolute = g_canonicalize_filename (ca_file, NULL);
      g_object_set (account, "ca-file", absolute, NULL);
    }

  if (auth != NULL && !ep_auth_method_from_string (auth, &method))
    return usage_error (_("--auth must be password, oauth2 or none, not “%s”"), auth);
  g_object_set (account, "auth-method", (guint) method, NULL);

  if (!ep_account_validate (account, &error))
    return fail (g_steal_pointer (&error));

  if (ep_account_get_smtp_security (account) == EP_SECURITY_NONE)
    g_printerr (_("Warning: this account sends without encryption; its password and "
                  "messages can be read on the network.\n"));

  if (method != EP_AUTH_NONE && (password_stdin || isatty (STDIN_FILENO)))
    secret = read_password (password_stdin);

  context = open_context (&error);
  if (context == NULL)
    {
      wipe_and_free (secret);
      return fail (g_steal_pointer (&error));
    }

  if (!ep_context_add_account (context, account, secret, cancellable, &error))
    status = fail (g_steal_pointer (&error));
  else
    {
      g_print (_("Added account “%s” (%s)%s.\n"), ep_account_get_name (account),
               ep_account_get_address (account),
               (secret && *secret) ? _(", password saved in the keyring") : "");
      status = EXIT_OK;
    }

  wipe_and_free (secret);
  return status;
}

static int
cmd_account_list (int    argc,
                  char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = open_context (&error);
  g_autoptr(GPtrArray) accounts = NULL;

  if (context == NULL || (accounts = ep_context_list_accounts (context, &error)) == NULL)
    return fail (g_steal_pointer (&error));

  if (accounts->len == 0)
    {
      g_print (_("No accounts. Add one with “epistle-cli account add”.\n"));
      return EXIT_OK;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      EpAccount *a = g_ptr_array_index (accounts, i);

      g_print ("%s%s\t%s\tsmtp %s:%u (%s)", ep_account_get_name (a),
               ep_account_get_is_default (a) ? " *" : "", ep_account_get_address (a),
               ep_account_get_smtp_host (a), ep_account_get_smtp_port (a),
               ep_security_to_string (ep_account_get_smtp_security (a)));
      if (ep_account_get_imap_host (a) != NULL)
        g_print ("\timap %s:%u (%s)", ep_account_get_imap_host (a), ep_account_get_imap_port (a),
                 ep_security_to_string (ep_account_get_imap_security (a)));
      g_print ("\n");
    }

  return EXIT_OK;
}

static int
cmd_account_remove (int    argc,
                    char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autoptr(EpAccount) account = NULL;

  if (argc != 2)
    return usage_error (_("account remove needs exactly one NAME"));

  context = open_context (&error);
  if (context == NULL ||
      (account = ep_context_find_account (context, argv[1], &error)) == NULL ||
      !ep_context_remove_account (context, account, cancellable, &error))
    return fail (g_steal_pointer (&error));

  g_print (_("Removed account “%s” and its saved password.\n"), argv[1]);
  return EXIT_OK;
}

static int
cmd_account_test (int    argc,
                  char **argv)
{
  gboolean verbose = FALSE;
  int timeout = 0;
  GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Print the protocol dialogue (passwords removed)"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Give up when a server is silent this long (default 60)"), N_("SECONDS") },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (_("NAME — test an account’s connections"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(EpServerConfig) config = NULL;
  g_autoptr(EpServerProbe) probe = NULL;
  g_autoptr(EpProtocolLog) log = ep_protocol_log_new (0);
  g_autofree char *label = NULL;
  int status = EXIT_OK;

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (argc != 2)
    return usage_error (_("account test needs exactly one NAME"));
  if (timeout < 0 || timeout > 3600)
    return usage_error (_("--timeout must be between 1 and 3600 seconds"));

  context = open_context (&error);
  if (context == NULL ||
      (account = ep_context_find_account (context, argv[1], &error)) == NULL ||
      (config = ep_context_smtp_config_sync (context, account, cancellable, &error)) == NULL)
    return fail (g_steal_pointer (&error));
  config->connect_timeout = config->response_timeout = (guint) timeout;

  label = g_strdup_printf ("SMTP %s:%u (%s)", config->host, config->port,
                           ep_security_to_string (config->security));
  probe = ep_smtp_probe_sync (config, log, cancellable, &error);
  if (verbose)
    print_log (log);
  if (probe == NULL)
    {
      g_print (_("%s: failed\n"), label);
      return fail (g_steal_pointer (&error));
    }
  {
    g_autofree char *text = ep_server_probe_describe (probe, label);
    g_print ("%s", text);
  }

  if (ep_account_get_imap_host (account) != NULL)
    {
      g_autoptr(EpServerConfig) imap = NULL;
      g_autoptr(EpServerProbe) imap_probe = NULL;
      g_autofree char *imap_label = NULL;

      ep_protocol_log_clear (log);
      imap = ep_context_imap_config_sync (context, account, cancellable, &error);
      if (imap == NULL)
        return fail (g_steal_pointer (&error));
      imap->connect_timeout = imap->response_timeout = (guint) timeout;
      imap_label = g_strdup_printf ("IMAP %s:%u (%s)", imap->host, imap->port,
                                    ep_security_to_string (imap->security));
      imap_probe = ep_imap_probe_sync (imap, log, cancellable, &error);
      if (verbose)
        print_log (log);
      if (imap_probe == NULL)
        {
          g_print (_("%s: failed\n"), imap_label);
          return fail (g_steal_pointer (&error));
        }
      {
        g_autofree char *text = ep_server_probe_describe (imap_probe, imap_label);
        g_print ("%s", text);
      }
    }

  g_print (_("Account “%s” works.\n"), ep_account_get_name (account));
  return status;
}

int
cmd_account (int    argc,
             char **argv)
{
  if (argc < 2)
    return usage_error (_("account needs a command: add, list, remove or test"));

  if (g_str_equal (argv[1], "add"))
    return cmd_account_add (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return cmd_account_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "remove"))
    return cmd_account_remove (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "test"))
    return cmd_account_test (argc - 1, argv + 1);

  return usage_error (_("Unknown account command “%s”"), argv[1]);
}
