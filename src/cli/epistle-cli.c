/* epistle-cli.c: the headless front end
 *
 *   epistle-cli account add|list|remove|test …
 *   epistle-cli send --account NAME --to ADDR … --subject TEXT --body TEXT …
 *   epistle-cli table|merge|campaign …   (ep-cli-merge.c)
 *
 * Exit codes: 0 done; 2 bad input; 3 authentication; 4 TLS or certificate;
 * 5 rejected by the server (5xx); 6 transient (4xx, network, timeout).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

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

static int
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

static void
add_all (GPtrArray  *dest,
         char      **values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    g_ptr_array_add (dest, g_strdup (values[i]));
}

static int
cmd_send (int    argc,
          char **argv)
{
  g_autofree char *account_name = NULL, *subject = NULL, *body = NULL, *body_file = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) to = NULL, cc = NULL, bcc = NULL, attach = NULL;
  gboolean markdown = FALSE, dry_run = FALSE, verbose = FALSE;
  int timeout = 0;
  GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("Send from this account"), N_("NAME") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("A recipient (repeat for more)"), N_("ADDR") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc, N_("A copy recipient"), N_("ADDR") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bcc, N_("A hidden recipient (never in the headers)"), N_("ADDR") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The subject"), N_("TEXT") },
    { "body", 0, 0, G_OPTION_ARG_STRING, &body, N_("The message text"), N_("TEXT") },
    { "body-file", 0, 0, G_OPTION_ARG_FILENAME, &body_file, N_("Read the message text from FILE (UTF-8)"), N_("FILE") },
    { "markdown", 0, 0, G_OPTION_ARG_NONE, &markdown, N_("The text is Markdown: send HTML with a plain-text part"), NULL },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &attach, N_("Attach a file (repeat for more)"), N_("FILE") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Build the message but do not send it"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("With --dry-run: write the message here"), N_("FILE.eml") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Print the protocol dialogue to stderr (passwords removed)"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Give up when the server is silent this long (default 60)"), N_("SECONDS") },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (_("— send a message"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(EpDraft) draft = ep_draft_new ();
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(EpServerConfig) config = NULL;
  g_autoptr(EpSmtpReport) report = NULL;
  g_autoptr(EpProtocolLog) log = ep_protocol_log_new (0);

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);

  if (argc > 1)
    return usage_error (_("Unexpected argument “%s”"), argv[1]);
  if (account_name == NULL)
    return usage_error (_("send needs --account NAME"));
  if (to == NULL && cc == NULL && bcc == NULL)
    return usage_error (_("send needs at least one --to, --cc or --bcc"));
  if (subject == NULL)
    return usage_error (_("send needs --subject"));
  if ((body == NULL) == (body_file == NULL))
    return usage_error (_("send needs exactly one of --body and --body-file"));
  if (output != NULL && !dry_run)
    return usage_error (_("--output is only used with --dry-run"));
  if (timeout < 0 || timeout > 3600)
    return usage_error (_("--timeout must be between 1 and 3600 seconds"));

  if (body_file != NULL)
    {
      gsize len;

      if (!g_file_get_contents (body_file, &body, &len, &error))
        return usage_error ("%s", error->message);
      if (!g_utf8_validate_len (body, len, NULL))
        return usage_error (_("%s is not UTF-8 text"), body_file);
    }

  context = open_context (&error);
  if (context == NULL || (account = ep_context_find_account (context, account_name, &error)) == NULL)
    return fail (g_steal_pointer (&error));

  draft->from_name = g_strdup (ep_account_get_display_name (account));
  draft->from_address = g_strdup (ep_account_get_address (account));
  add_all (draft->to, to);
  add_all (draft->cc, cc);
  add_all (draft->bcc, bcc);
  draft->subject = g_strdup (subject);
  draft->body = g_strdup (body);
  draft->markdown = markdown;
  add_all (draft->attachments, attach);

  outgoing = ep_message_build (draft, cancellable, &error);
  if (outgoing == NULL)
    return fail (g_steal_pointer (&error));

  if (dry_run)
    {
      gsize size;
      const char *data = g_bytes_get_data (outgoing->data, &size);

      if (output != NULL)
        {
          if (!g_file_set_contents_full (output, data, size, G_FILE_SET_CONTENTS_CONSISTENT,
                                         0600, &error))
            return fail (g_steal_pointer (&error));
          g_print (_("Message written to %s (%" G_GSIZE_FORMAT " bytes, %u recipients); "
                     "nothing was sent.\n"), output, size, g_strv_length (outgoing->recipients));
        }
      else
        fwrite (data, 1, size, stdout);
      return EXIT_OK;
    }

  config = ep_context_smtp_config_sync (context, account, cancellable, &error);
  if (config == NULL)
    return fail (g_steal_pointer (&error));
  config->connect_timeout = config->response_timeout = (guint) timeout;

  report = ep_smtp_send_sync (config, outgoing->envelope_from,
                              (const char * const *) outgoing->recipients,
                              outgoing->data, log, cancellable, &error);
  if (verbose)
    print_log (log);

  if (report == NULL)
    return fail (g_steal_pointer (&error));

  for (guint i = 0; i < report->accepted->len; i++)
    g_print (_("Sent to %s\n"), (const char *) g_ptr_array_index (report->accepted, i));

  if (report->rejected->len > 0)
    {
      gboolean permanent = FALSE;

      for (guint i = 0; i < report->rejected->len; i++)
        {
          const EpRecipientStatus *s = g_ptr_array_index (report->rejected, i);

          g_printerr (_("epistle-cli: %s was refused by the server: %s\n"), s->address, s->reply);
          if (s->code >= 500)
            permanent = TRUE;
        }
      return permanent ? EXIT_REJECTED : EXIT_TRANSIENT;
    }

  g_print (_("Message <%s> accepted: %s\n"), outgoing->message_id,
           report->final_reply ? report->final_reply : "");
  return EXIT_OK;
}

static void
print_help (void)
{
  g_print (_("Usage:\n"
             "  epistle-cli account add NAME --email ADDR [--name DISPLAY] [--preset ID]\n"
             "        --smtp HOST:PORT --smtp-security tls|starttls|none\n"
             "        [--imap HOST:PORT --imap-security tls|starttls|none]\n"
             "        [--user USER] [--ca-file PEM] [--password-stdin]\n"
             "  epistle-cli account list\n"
             "  epistle-cli account remove NAME\n"
             "  epistle-cli account test NAME [--verbose] [--timeout SECONDS]\n"
             "  epistle-cli send --account NAME --to ADDR [--to ADDR]... [--cc ADDR]...\n"
             "        [--bcc ADDR]... --subject TEXT (--body TEXT | --body-file FILE)\n"
             "        [--markdown] [--attach FILE]... [--dry-run [--output FILE.eml]] [--verbose]\n"
             "        [--timeout SECONDS]\n"
             "  epistle-cli table FILE [--sheet NAME] [--encoding ENC] [--delimiter C]\n"
             "        [--format json|csv]\n"
             "  epistle-cli merge --data FILE [--sheet NAME] [--encoding ENC] [--delimiter C]\n"
             "        --template FILE [--rows RANGES] [--skip-invalid]\n"
             "        (--dry-run [--output-dir DIR] | --test --account NAME |\n"
             "         --account NAME [--connections K] [--rate N/min] [--daily-limit N]\n"
             "         [--retry-after SECONDS] [--max-attempts N] [--yes])\n"
             "  epistle-cli campaign list | show ID | cancel ID | export ID --output FILE.csv\n"
             "  epistle-cli campaign resume ID [--connections K] [--rate N/min] [--daily-limit N]\n"
             "        [--retry-after SECONDS] [--max-attempts N]\n"
             "\n"
             "Exit status: 0 done, 2 bad input, 3 authentication, 4 TLS or certificate,\n"
             "5 rejected by the server, 6 temporary failure (try again later).\n"
             "A merge exits 2 when rows have problems and nothing was sent, 5 when the\n"
             "campaign finished with failed recipients, 3 or 6 when it paused.\n"));
}

int
main (int    argc,
      char **argv)
{
  const char *ctype;
  int status;

  setlocale (LC_ALL, "");
  /* Scripts and cron jobs often run in the plain C locale, where GLib would
   * refuse a UTF-8 subject or name given as an argument. Like Python (PEP
   * 538), treat the C locale's text as UTF-8. */
  ctype = setlocale (LC_CTYPE, NULL);
  if (ctype == NULL || g_str_equal (ctype, "C") || g_str_equal (ctype, "POSIX"))
    setlocale (LC_CTYPE, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  signal (SIGPIPE, SIG_IGN);
  ep_core_init ();

  cancellable = g_cancellable_new ();

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_help ();
      status = argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
    }
  else if (g_str_equal (argv[1], "--version"))
    {
      g_print ("epistle-cli %s\n", PACKAGE_VERSION);
      status = EXIT_OK;
    }
  else if (g_str_equal (argv[1], "account"))
    status = cmd_account (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "send"))
    status = cmd_send (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "table"))
    status = cmd_table (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "merge"))
    status = cmd_merge (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "campaign"))
    status = cmd_campaign (argc - 1, argv + 1);
  else
    status = usage_error (_("Unknown command “%s”"), argv[1]);

  g_clear_object (&cancellable);
  ep_core_shutdown ();

  return status;
}
