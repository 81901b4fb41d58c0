/* epistle-cli.c: the headless front end: main, dispatch and help
 *
 *   epistle-cli account add|list|remove|test …   (ep-cli-account.c)
 *   epistle-cli send --account NAME --to ADDR …  (ep-cli-send.c)
 *   epistle-cli table FILE …                     (ep-cli-table.c)
 *   epistle-cli merge …                          (ep-cli-merge.c)
 *   epistle-cli campaign …                       (ep-cli-campaign.c)
 *   epistle-cli outbox list | run                (ep-cli-outbox.c)
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
#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

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
             "        [--timeout SECONDS] [--wait] [--retry-after SECONDS] [--max-attempts N]\n"
             "        [--at TIME] [--sign] [--encrypt [--gcm]]\n"
             "  epistle-cli outbox list | run [--account NAME] [--wait]\n"
             "  epistle-cli schedule list | show ID | cancel ID | send-now ID\n"
             "  epistle-cli schedule reschedule ID --at TIME\n"
             "  epistle-cli table FILE [--sheet NAME] [--encoding ENC] [--delimiter C]\n"
             "        [--locale NAME] [--format json|csv]\n"
             "  epistle-cli merge --data FILE [--sheet NAME] [--encoding ENC] [--delimiter C]\n"
             "        [--locale NAME] --template FILE [--rows RANGES] [--skip-invalid]\n"
             "        (--dry-run [--output-dir DIR] | --test --account NAME |\n"
             "         --account NAME [--connections K] [--rate N/min] [--daily-limit N]\n"
             "         [--retry-after SECONDS] [--max-attempts N] [--at TIME] [--yes])\n"
             "  epistle-cli campaign list | show ID | cancel ID | export ID --output FILE.csv|FILE.xlsx\n"
             "  epistle-cli campaign resume ID [--connections K] [--rate N/min] [--daily-limit N]\n"
             "        [--retry-after SECONDS] [--max-attempts N]\n"
             "  epistle-cli vault list | import-identity FILE.p12 [--password-stdin]\n"
             "  epistle-cli vault create-identity --account NAME\n"
             "  epistle-cli vault import-cert FILE | trust FP | untrust FP | remove FP\n"
             "  epistle-cli vault export FP [--p12 [--password-stdin]] --output FILE\n"
             "  epistle-cli decrypt FILE.eml | verify FILE.eml\n"
             "  epistle-cli inbox sync --account NAME [--inbox-only] [--verbose]\n"
             "  epistle-cli inbox folders [--account NAME]\n"
             "  epistle-cli inbox list --account NAME [--folder NAME] [--search WORDS]\n"
             "  epistle-cli inbox show ID [--password-stdin]\n"
             "  epistle-cli inbox flag ID --seen | --unseen | --flagged | --unflagged\n"
             "  epistle-cli inbox watch --account NAME [--timeout SECONDS]\n"
             "\n"
             "Exit status: 0 done, 2 bad input, 3 authentication, 4 TLS or certificate,\n"
             "5 rejected by the server, 6 temporary failure (the message stays in the\n"
             "outbox; “outbox run” tries again), 7 decryption, integrity or signature failed\n"
             "(nothing of the message is shown).\n"
             "A merge exits 2 when rows have problems and nothing was sent, 5 when the\n"
             "campaign finished with failed recipients, 3 or 6 when it paused.\n"
             "TIME is ISO 8601 (2026-12-24T08:00, with an offset such as +01:00 or\n"
             "without: then local time). Scheduled mail is sent by Epistle running in\n"
             "the background, or by “outbox run” (for cron or a systemd timer).\n"));
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
  else if (g_str_equal (argv[1], "inbox"))
    status = cmd_inbox (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "outbox"))
    status = cmd_outbox (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "schedule"))
    status = cmd_schedule (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "vault"))
    status = cmd_vault (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "decrypt") || g_str_equal (argv[1], "verify"))
    status = cmd_open (argc - 1, argv + 1);
  else
    status = usage_error (_("Unknown command “%s”"), argv[1]);

  g_clear_object (&cancellable);
  ep_core_shutdown ();

  return status;
}
