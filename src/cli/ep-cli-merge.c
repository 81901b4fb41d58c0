/* ep-cli-merge.c: epistle-cli merge
 *
 *   epistle-cli merge --data FILE --template FILE [--rows RANGES] (--dry-run … | --account NAME …)
 *
 * Sending creates a campaign and runs it with run_campaign() (ep-cli-campaign.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

static gboolean
confirm (const char *question)
{
  char answer[16] = "";

  g_print ("%s [y/N] ", question);
  fflush (stdout);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;

  return answer[0] == 'y' || answer[0] == 'Y';
}

typedef struct
{
  EpTemplate    *tmpl;
  EpTable       *table;
  EpMergeReport *report;
  const char    *base_dir;
  const char    *output_dir;
  guint          n_workers;
  guint64        bytes;      /* atomic adds */
  GMutex         lock;
  GError        *error;      /* the first failure */
  guint          error_row;
} DryRun;

typedef struct
{
  DryRun *run;
  guint   first;
} DryWorker;

/* Renders every n-th valid row to a complete message (and maybe a file). */
static gpointer
dry_run_worker (gpointer data)
{
  DryWorker *w = data;
  DryRun *run = w->run;
  guint64 bytes = 0;

  for (guint i = w->first; i < run->report->valid_rows->len; i += run->n_workers)
    {
      guint row = g_array_index (run->report->valid_rows, guint, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(EpDraft) draft = ep_template_render (run->tmpl, run->table, row, run->base_dir, &error);
      g_autoptr(EpOutgoing) outgoing = NULL;

      if (draft != NULL)
        {
          draft->from_address = g_strdup ("sender@example.invalid");
          outgoing = ep_message_build (draft, cancellable, &error);
        }

      if (outgoing != NULL && run->output_dir != NULL)
        {
          g_autofree char *name = g_strdup_printf ("row-%05u.eml", ep_table_get_row_number (run->table, row));
          g_autofree char *path = g_build_filename (run->output_dir, name, NULL);
          gsize len;
          const char *bytes_data = g_bytes_get_data (outgoing->data, &len);

          if (!g_file_set_contents (path, bytes_data, len, &error))
            g_clear_pointer (&outgoing, ep_outgoing_unref);
        }

      if (outgoing == NULL)
        {
          g_mutex_lock (&run->lock);
          if (run->error == NULL)
            {
              run->error = g_steal_pointer (&error);
              run->error_row = ep_table_get_row_number (run->table, row);
            }
          g_mutex_unlock (&run->lock);
          break;
        }

      bytes += g_bytes_get_size (outgoing->data);

      if (run->error != NULL)
        break;
    }

  g_mutex_lock (&run->lock);
  run->bytes += bytes;
  g_mutex_unlock (&run->lock);

  return NULL;
}

/* A dry run renders on every core: messages are independent, and building
 * MIME is the slow part of a large merge. */
static int
dry_run (EpTemplate    *tmpl,
         EpTable       *table,
         EpMergeReport *report,
         const char    *base_dir,
         const char    *output_dir)
{
  g_autofree char *size = NULL;
  g_autofree DryWorker *workers = NULL;
  g_autofree GThread **threads = NULL;
  DryRun run = { 0, };
  int status;

  if (output_dir != NULL && g_mkdir_with_parents (output_dir, 0700) != 0)
    {
      int errsv = errno;
      g_printerr (_("epistle-cli: could not create %s: %s\n"), output_dir, g_strerror (errsv));
      return EXIT_BAD_INPUT;
    }

  run.tmpl = tmpl;
  run.table = table;
  run.report = report;
  run.base_dir = base_dir;
  run.output_dir = output_dir;
  run.n_workers = CLAMP (g_get_num_processors (), 1, 16);
  g_mutex_init (&run.lock);

  workers = g_new0 (DryWorker, run.n_workers);
  threads = g_new0 (GThread *, run.n_workers);
  for (guint i = 0; i < run.n_workers; i++)
    {
      workers[i].run = &run;
      workers[i].first = i;
      threads[i] = g_thread_new ("ep-dry-run", dry_run_worker, &workers[i]);
    }
  for (guint i = 0; i < run.n_workers; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&run.lock);

  if (run.error != NULL)
    {
      g_printerr (_("Row %u: %s\n"), run.error_row, run.error->message);
      status = exit_code_for (run.error);
      g_error_free (run.error);
      return status;
    }

  size = g_format_size (run.bytes);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Rendered %u message (%s)%s%s.\n",
                        "Rendered %u messages (%s)%s%s.\n", report->valid_rows->len),
           report->valid_rows->len, size, output_dir ? _(" into ") : "", output_dir ? output_dir : "");

  return report->problems->len > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

/* The rows of campaign @id that failed or bounced, as --rows reads them
 * ("4,9"); an error when there are none. */
static char *
failed_rows (EpContext  *context,
             gint64      id,
             GError    **error)
{
  g_autoptr(GPtrArray) recipients = ep_store_campaign_recipients (ep_context_get_store (context), id, error);
  g_autoptr(GString) rows = g_string_new (NULL);

  if (recipients == NULL)
    return NULL;
  for (guint i = 0; i < recipients->len; i++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (recipients, i);

      if (r->state != EP_RECIPIENT_FAILED && r->bounce == NULL)
        continue;
      if (rows->len > 0)
        g_string_append_c (rows, ',');
      g_string_append_printf (rows, "%u", r->row_number);
    }
  if (rows->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Campaign %" G_GINT64_FORMAT " has no row that failed or bounced"), id);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&rows), FALSE);
}

int
cmd_merge (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(EpTable) table = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;
  g_autoptr(EpRowRanges) ranges = NULL;
  g_autoptr(EpMergeReport) report = NULL;
  gint64 retry_failed = 0;
  g_autofree char *data = NULL, *template_path = NULL, *rows = NULL, *output_dir = NULL;
  g_autofree char *account_name = NULL, *base_dir = NULL, *name = NULL, *text = NULL;
  g_autofree char *at = NULL, *window_text = NULL;
  g_autoptr(GArray) plan = NULL;
  EpSendWindow window = EP_SEND_WINDOW_NONE;
  gint64 not_before = 0;
  gboolean spread = FALSE, weekdays = FALSE;
  gboolean dry = FALSE, yes = FALSE, skip_invalid = FALSE, test = FALSE;
  gboolean sign = FALSE, encrypt = FALSE, skip_unencryptable = FALSE;
  g_autofree char *cert_column = NULL;
  g_autofree char *password_column = NULL, *password_hint = NULL;
  gboolean allow_weak = FALSE, generate = FALSE, by_password;
  g_autofree char *test_password = NULL;
  int send_unencrypted = -1;
  EpCampaignProtection protection = EP_CAMPAIGN_PROTECTION_INIT;
  TableArgs targs = { 0, };
  g_auto(PacingArgs) pacing = { 0, };
  const EpProvider *provider;
  guint rate = 0, daily = 0;
  gint64 id;
  int status;

  pacing_args_init (&pacing);

  {
    GOptionEntry entries[] = {
      { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, N_("The spreadsheet (CSV, XLSX or ODS)"), N_("FILE") },
      { "sheet", 0, 0, G_OPTION_ARG_STRING, &targs.sheet, N_("Sheet of a workbook"), N_("NAME") },
      { "encoding", 0, 0, G_OPTION_ARG_STRING, &targs.encoding, N_("Text encoding of a CSV file"), N_("ENC") },
      { "delimiter", 0, 0, G_OPTION_ARG_STRING, &targs.delimiter, N_("Field separator of a CSV file"), N_("C") },
      { "locale", 0, 0, G_OPTION_ARG_STRING, &targs.locale, N_("Workbooks: the locale numbers and dates are shown in, such as de_DE (default: the desktop’s)"), N_("NAME") },
      { "template", 0, 0, G_OPTION_ARG_FILENAME, &template_path, N_("The message template"), N_("FILE") },
      { "rows", 0, 0, G_OPTION_ARG_STRING, &rows, N_("Only these rows, e.g. 2-10,15,40-"), N_("RANGES") },
      { "retry-failed", 0, 0, G_OPTION_ARG_INT64, &retry_failed,
        N_("Only the rows that failed or bounced in campaign ID (after you fixed them in the spreadsheet)"), N_("ID") },
      { "skip-invalid", 0, 0, G_OPTION_ARG_NONE, &skip_invalid, N_("Send the rows without problems, skip the others"), NULL },
      { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry, N_("Render every message, send nothing"), NULL },
      { "output-dir", 0, 0, G_OPTION_ARG_FILENAME, &output_dir, N_("With --dry-run: write one .eml per row here"), N_("DIR") },
      { "test", 0, 0, G_OPTION_ARG_NONE, &test, N_("Send the first row to yourself, subject marked [TEST]"), NULL },
      { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("Send from this account"), N_("NAME") },
      { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask for confirmation"), NULL },
      { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("Start at this time (ISO 8601; local time without an offset)"), N_("TIME") },
      { "spread", 0, 0, G_OPTION_ARG_NONE, &spread, N_("Send at most the daily limit a day, over as many days as it takes"), NULL },
      { "window", 0, 0, G_OPTION_ARG_STRING, &window_text, N_("With --spread: send only between these local times"), N_("08:00-18:00") },
      { "weekdays", 0, 0, G_OPTION_ARG_NONE, &weekdays, N_("With --spread: send only Monday to Friday"), NULL },
      { "sign", 0, 0, G_OPTION_ARG_NONE, &sign, N_("Sign every message with your certificate (S/MIME)"), NULL },
      { "encrypt", 0, 0, G_OPTION_ARG_NONE, &encrypt, N_("Encrypt each message for its own recipient (S/MIME)"), NULL },
      { "cert-column", 0, 0, G_OPTION_ARG_STRING, &cert_column, N_("With --encrypt: the column naming each row's certificate file (else the vault's, by address)"), N_("COLUMN") },
      { "skip-unencryptable", 0, 0, G_OPTION_ARG_NONE, &skip_unencryptable, N_("With --encrypt: skip the rows without a usable certificate"), NULL },
      { "send-unencrypted", 0, 0, G_OPTION_ARG_INT, &send_unencrypted, N_("With --encrypt: send the N rows without a usable certificate unencrypted (N must match)"), N_("N") },
      { "password-column", 0, 0, G_OPTION_ARG_STRING, &password_column, N_("Protect each message with the password in this column (the recipient opens message.html in a browser)"), N_("COLUMN") },
      { "password-hint", 0, 0, G_OPTION_ARG_STRING, &password_hint, N_("With --password-column: a hint shown to every recipient"), N_("TEXT") },
      { "generate-passwords", 0, 0, G_OPTION_ARG_NONE, &generate, N_("Protect each message with a new password; they are in the results export (campaign export) for you to deliver"), NULL },
      { "allow-weak-password", 0, 0, G_OPTION_ARG_NONE, &allow_weak, N_("With --password-column: send even to rows whose password is easy to guess"), NULL },
      PACING_ENTRIES (pacing),
      { NULL }
    };
    g_autoptr(GOptionContext) options = g_option_context_new (_("— send a personalised message to every row of a spreadsheet"));

    g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse (options, &argc, &argv, &error))
      {
        table_args_clear (&targs);
        return usage_error ("%s", error->message);
      }
  }

  status = EXIT_OK;
  by_password = password_column != NULL || generate;
  if (password_column != NULL && generate)
    status = usage_error (_("--password-column or --generate-passwords: one of them"));
  else if (by_password && (encrypt || cert_column != NULL || send_unencrypted >= 0))
    status = usage_error (_("--password-column protects with passwords instead of certificates: "
                            "leave out --encrypt, --cert-column and --send-unencrypted"));
  else if (!by_password && (password_hint != NULL || allow_weak))
    status = usage_error (_("--password-hint and --allow-weak-password go with --password-column "
                            "or --generate-passwords"));
  else if (by_password && dry)
    status = usage_error (_("--dry-run writes the messages unprotected; leave out --password-column"));
  else if (data == NULL || template_path == NULL)
    status = usage_error (_("merge needs --data FILE and --template FILE"));
  else if (!dry && account_name == NULL)
    status = usage_error (_("merge needs --account NAME (or --dry-run)"));
  else if (dry && (account_name != NULL || test))
    status = usage_error (_("--dry-run sends nothing; leave out --account and --test"));
  else if (output_dir != NULL && !dry)
    status = usage_error (_("--output-dir goes with --dry-run"));
  else if (at != NULL && (dry || test))
    status = usage_error (_("--at schedules a campaign; leave out --dry-run and --test"));
  else if (at != NULL && !parse_send_time (at, &not_before, &error))
    status = usage_error ("%s", error->message);
  else if ((window_text != NULL || weekdays) && !spread)
    status = usage_error (_("--window and --weekdays go with --spread"));
  else if (spread && (dry || test))
    status = usage_error (_("--spread plans a campaign over days; leave out --dry-run and --test"));
  else if (window_text != NULL && !ep_send_window_parse_hours (window_text, &window, &error))
    status = usage_error ("%s", error->message);
  else if ((cert_column != NULL || send_unencrypted >= 0 || (skip_unencryptable && !by_password)) &&
           !encrypt)
    status = usage_error (_("--cert-column, --skip-unencryptable and --send-unencrypted go with --encrypt"));
  else if (skip_unencryptable && send_unencrypted >= 0)
    status = usage_error (_("--skip-unencryptable or --send-unencrypted: one of them"));
  else if ((sign || encrypt) && dry)
    status = usage_error (_("--dry-run writes the messages unprotected; leave out --sign and --encrypt"));
  else if (!pacing_args_check (&pacing, &rate))
    status = EXIT_BAD_INPUT;
  if (status != EXIT_OK)
    {
      table_args_clear (&targs);
      return status;
    }
  if (weekdays)
    window.days = EP_SEND_WINDOW_WEEKDAYS;

  if (retry_failed != 0)
    {
      if (rows != NULL)
        {
          table_args_clear (&targs);
          return usage_error (_("--retry-failed chooses the rows itself; leave out --rows"));
        }
      context = open_context (&error);
      if (context == NULL || (rows = failed_rows (context, retry_failed, &error)) == NULL)
        {
          table_args_clear (&targs);
          return fail (g_steal_pointer (&error));
        }
      g_print (_("Rows that failed in campaign %" G_GINT64_FORMAT ": %s\n"), retry_failed, rows);
    }

  ranges = ep_row_ranges_parse (rows, &error);
  if (ranges == NULL)
    {
      table_args_clear (&targs);
      return fail (g_steal_pointer (&error));
    }

  table = read_table (data, &targs, &error);
  table_args_clear (&targs);
  if (table == NULL)
    return fail (g_steal_pointer (&error));

  tmpl = ep_template_new_from_file (template_path, &error);
  if (tmpl == NULL)
    return fail (g_steal_pointer (&error));

  {
    g_autofree char *absolute = g_canonicalize_filename (data, NULL);
    base_dir = g_path_get_dirname (absolute);
    name = g_path_get_basename (absolute);
  }

  report = ep_merge_validate (tmpl, table, ranges, base_dir, cancellable, &error);
  if (report == NULL)
    return fail (g_steal_pointer (&error));

  text = ep_merge_report_format (report);
  /* With --sign/--encrypt, the report waits for the certificate check:
   * "No problems" is not said before rows that cannot be encrypted. */
  if (text != NULL && *text != '\0' && !(sign || encrypt || by_password))
    g_print ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");

  if (dry)
    return dry_run (tmpl, table, report, base_dir, output_dir);

  if (report->valid_rows->len == 0)
    {
      if ((sign || encrypt || by_password) && text != NULL)
        g_print ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
      g_printerr (_("epistle-cli: no row can be sent; nothing was sent\n"));
      return EXIT_BAD_INPUT;
    }

  if (context == NULL && (context = open_context (&error)) == NULL)
    return fail (g_steal_pointer (&error));

  account = ep_context_find_account (context, account_name, &error);
  if (account == NULL)
    return fail (g_steal_pointer (&error));

  if (sign || encrypt || by_password)
    {
      g_autoptr(GPtrArray) problems = NULL;
      guint n_weak = 0;

      protection.protection = (sign ? EP_PROTECT_SIGN : 0) | (encrypt ? EP_PROTECT_ENCRYPT : 0) |
                              (by_password ? EP_PROTECT_PASSWORD : 0);
      if (cert_column != NULL &&
          (protection.cert_column = ep_table_find_column (table, cert_column)) < 0)
        return usage_error (_("There is no column “%s” in %s"), cert_column, name);
      protection.generate_passwords = generate;
      if (password_column != NULL &&
          (protection.password_column = ep_table_find_column (table, password_column)) < 0)
        return usage_error (_("There is no column “%s” in %s"), password_column, name);
      protection.password_hint = password_hint;
      problems = ep_campaign_check_protection (ep_context_get_outbox (context), account, tmpl,
                                               table, report->valid_rows, base_dir, &protection,
                                               cancellable, &error);
      if (problems == NULL)
        return fail (g_steal_pointer (&error));
      if (text != NULL && *text != '\0' && (report->problems->len > 0 || problems->len == 0))
        g_print ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
      for (guint i = 0; i < problems->len; i++)
        {
          const EpMergeProblem *p = g_ptr_array_index (problems, i);
          g_print (_("Row %u: %s\n"), p->row_number, p->message);
        }
      /* Weak passwords are warnings: sent only when the person says so. */
      for (guint i = problems->len; i > 0; i--)
        if (((EpMergeProblem *) g_ptr_array_index (problems, i - 1))->kind == EP_MERGE_PROBLEM_WEAK_PASSWORD)
          {
            g_ptr_array_remove_index (problems, i - 1);
            n_weak++;
          }
      if (n_weak > 0 && !allow_weak)
        {
          g_printerr (g_dngettext (GETTEXT_PACKAGE,
                                   "epistle-cli: nothing was sent. %u row has a weak password: "
                                   "choose a stronger one, or send anyway with --allow-weak-password.\n",
                                   "epistle-cli: nothing was sent. %u rows have a weak password: "
                                   "choose stronger ones, or send anyway with --allow-weak-password.\n",
                                   n_weak), n_weak);
          return EXIT_BAD_INPUT;
        }
      if (problems->len > 0 && by_password && !skip_unencryptable)
        {
          g_printerr (g_dngettext (GETTEXT_PACKAGE,
                                   "epistle-cli: nothing was sent. %u row has no usable password: "
                                   "fix it, or skip it with --skip-unencryptable.\n",
                                   "epistle-cli: nothing was sent. %u rows have no usable password: "
                                   "fix them, or skip them with --skip-unencryptable.\n",
                                   problems->len), problems->len);
          return EXIT_BAD_INPUT;
        }
      if (problems->len > 0)
        {
          if (skip_unencryptable)
            {
              for (guint i = 0; i < problems->len; i++)
                {
                  const EpMergeProblem *p = g_ptr_array_index (problems, i);
                  for (guint j = 0; j < report->valid_rows->len; j++)
                    if (g_array_index (report->valid_rows, guint, j) == p->row)
                      {
                        g_array_remove_index (report->valid_rows, j);
                        break;
                      }
                }
              g_print (g_dngettext (GETTEXT_PACKAGE, "%u row is skipped: it cannot be encrypted.\n",
                                    "%u rows are skipped: they cannot be encrypted.\n", problems->len),
                       problems->len);
              if (report->valid_rows->len == 0)
                {
                  g_printerr (_("epistle-cli: no row can be sent encrypted; nothing was sent\n"));
                  return EXIT_BAD_INPUT;
                }
            }
          else if (send_unencrypted == (int) problems->len)
            protection.send_unprotected = TRUE;
          else
            {
              g_printerr (g_dngettext (GETTEXT_PACKAGE,
                                       "epistle-cli: nothing was sent. %u row cannot be encrypted: "
                                       "skip it with --skip-unencryptable, or send it unencrypted "
                                       "with --send-unencrypted %u.\n",
                                       "epistle-cli: nothing was sent. %u rows cannot be encrypted: "
                                       "skip them with --skip-unencryptable, or send them unencrypted "
                                       "with --send-unencrypted %u.\n", problems->len),
                          problems->len, problems->len);
              return EXIT_BAD_INPUT;
            }
        }
    }

  if (test)
    {
      g_autofree char *message_id = NULL;
      guint row = g_array_index (report->valid_rows, guint, 0);

      /* The campaign's passwords are made when it is created: a test
       * gets one of its own, shown here. */
      if (generate)
        {
          test_password = ep_password_generate ();
          protection.password = test_password;
        }
      if (!ep_campaign_test_send (ep_context_get_outbox (context), account, tmpl, table, row, base_dir,
                                  protection.protection ? &protection : NULL, &message_id,
                                  cancellable, &error))
        return fail (g_steal_pointer (&error));

      g_print (_("Test message for row %u sent to %s: <%s>\n"),
               ep_table_get_row_number (table, row), ep_account_get_address (account), message_id);
      if (test_password != NULL)
        g_print (_("It opens with the password %s\n"), test_password);
      if (test_password != NULL)
        memset (test_password, 0, strlen (test_password));
      return EXIT_OK;
    }

  if (report->problems->len > 0 && !skip_invalid)
    {
      g_printerr (_("epistle-cli: nothing was sent. Fix the rows above, or send the %u rows "
                    "without problems with --skip-invalid.\n"), report->valid_rows->len);
      return EXIT_BAD_INPUT;
    }

  /* Pacing: the account's provider limits unless given. */
  provider = ep_provider_lookup (ep_account_get_preset (account));
  if (pacing.rate == NULL)
    rate = provider != NULL ? provider->per_minute : 0;
  if (pacing.daily_limit >= 0)
    daily = pacing.daily_limit;
  else
    daily = provider != NULL ? provider->per_day : 0;

  /* Spread: the days it will take, shown before the question. */
  if (spread && daily == 0)
    return usage_error (_("--spread needs a daily limit: give --daily-limit N (the account’s "
                          "provider documents none)"));
  if (spread)
    {
      g_autofree char *text_plan = NULL;

      plan = ep_outbox_plan_spread (ep_context_get_outbox (context), ep_account_get_uid (account),
                                    report->valid_rows->len, daily, rate,
                                    not_before > 0 ? not_before : g_get_real_time () / G_USEC_PER_SEC,
                                    &window, &error);
      if (plan == NULL)
        return fail (g_steal_pointer (&error));
      text_plan = ep_spread_plan_describe (plan, NULL, TRUE);
      g_print (g_dngettext (GETTEXT_PACKAGE, "Spread over %u day, at most %u a day",
                            "Spread over %u days, at most %u a day", plan->len), plan->len, daily);
      if (ep_send_window_is_set (&window))
        {
          g_autofree char *w = ep_send_window_describe (&window);

          g_print (_(", %s"), w);
        }
      g_print (":\n%s\n", text_plan);
      /* Outside the window now (or the limit is used up today): it waits
       * for its first day, as a scheduled campaign. */
      if (not_before == 0 && g_array_index (plan, EpSpreadDay, 0).first > g_get_real_time () / G_USEC_PER_SEC)
        not_before = g_array_index (plan, EpSpreadDay, 0).first;
    }

  if (!yes)
    {
      g_autofree char *question = NULL;

      if (!isatty (STDIN_FILENO))
        {
          g_printerr (_("epistle-cli: add --yes to send without a question when not on a terminal\n"));
          return EXIT_BAD_INPUT;
        }
      question = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Send %u message from “%s” (%s)?",
                                               "Send %u messages from “%s” (%s)?",
                                               report->valid_rows->len),
                                  report->valid_rows->len, ep_account_get_name (account),
                                  ep_account_get_address (account));
      if (!confirm (question))
        {
          g_print (_("Nothing was sent.\n"));
          return EXIT_OK;
        }
    }

  {
    EpCampaignTiming timing = { not_before, spread, window };

    id = ep_campaign_create (ep_context_get_outbox (context), account, tmpl, table, report->valid_rows, name,
                             base_dir, pacing.connections > 0 ? (guint) pacing.connections : 1,
                             rate, daily, &timing, &protection, &error);
  }
  if (id == 0)
    return fail (g_steal_pointer (&error));
  {
    /* The rows left out, with why, for the results (campaign export). */
    g_autoptr(GPtrArray) skipped = ep_campaign_skipped_rows (report, tmpl, table, base_dir,
                                                             protection.protection != 0);

    if (!ep_store_campaign_add_skipped (ep_outbox_get_store (ep_context_get_outbox (context)), id,
                                        skipped, &error))
      {
        g_printerr (_("epistle-cli: the skipped rows were not recorded: %s\n"), error->message);
        g_clear_error (&error);
      }
  }

  g_print (_("Campaign %" G_GINT64_FORMAT ": %u recipients from %s"),
           id, report->valid_rows->len, name);
  if (rate > 0)
    g_print (_(", at most %u per minute"), rate);
  if (daily > 0)
    g_print (_(", at most %u per day"), daily);
  g_print (".\n");
  fflush (stdout);

  if (not_before > 0)
    {
      g_autofree char *when = ep_schedule_time_format (not_before, NULL);

      /* Rendered from the snapshot taken now: later edits of the
       * spreadsheet change nothing. */
      notify_running_app ();
      g_print (_("Scheduled for %s (see “schedule list”).\n"), when);
      return EXIT_OK;
    }

  return run_campaign (context, id, &pacing);
}
