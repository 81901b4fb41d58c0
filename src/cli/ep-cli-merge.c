/* ep-cli-merge.c: epistle-cli merge and campaign
 *
 *   epistle-cli merge --data FILE --template FILE [--rows RANGES] (--dry-run … | --account NAME …)
 *   epistle-cli campaign list | show ID | resume ID | cancel ID | export ID --output FILE.csv
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
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "ep-cli.h"

/* ---- pacing arguments ---------------------------------------------------- */

/* "30/min", "30", "600/h", "0" (unpaced) → messages per minute. */
static gboolean
parse_rate (const char *text,
            guint      *per_minute)
{
  g_auto(GStrv) parts = g_strsplit (text, "/", 2);
  guint64 n;

  if (!g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 0, G_MAXUINT32, &n, NULL))
    return FALSE;

  if (parts[1] == NULL || g_str_equal (parts[1], "min") || g_str_equal (parts[1], "minute") ||
      g_str_equal (parts[1], "m"))
    *per_minute = n;
  else if (g_str_equal (parts[1], "h") || g_str_equal (parts[1], "hour"))
    {
      /* Pacing works per minute; never round a limit up. */
      if (n != 0 && n < 60)
        return FALSE;
      *per_minute = n / 60;
    }
  else
    return FALSE;

  return TRUE;
}

typedef struct
{
  int   connections;
  char *rate;
  int   daily_limit;
  int   retry_after;
  int   max_attempts;
} PacingArgs;

#define PACING_ENTRIES(p) \
  { "connections", 0, 0, G_OPTION_ARG_INT, &(p).connections, N_("Connections in parallel (default 1)"), N_("K") }, \
  { "rate", 0, 0, G_OPTION_ARG_STRING, &(p).rate, N_("At most N messages per minute (N/min or N/h; 0 = no pacing)"), N_("N/min") }, \
  { "daily-limit", 0, 0, G_OPTION_ARG_INT, &(p).daily_limit, N_("At most N messages in 24 hours from this account (0 = none)"), N_("N") }, \
  { "retry-after", 0, 0, G_OPTION_ARG_INT, &(p).retry_after, N_("First retry after a temporary failure, in seconds (default 30, doubling)"), N_("SECONDS") }, \
  { "max-attempts", 0, 0, G_OPTION_ARG_INT, &(p).max_attempts, N_("Attempts per recipient before giving up (default 5)"), N_("N") }

static void
pacing_args_init (PacingArgs *p)
{
  p->connections = -1;
  p->rate = NULL;
  p->daily_limit = -1;
  p->retry_after = -1;
  p->max_attempts = -1;
}

static gboolean
pacing_args_check (PacingArgs *p,
                   guint      *rate)
{
  if (p->connections != -1 && (p->connections < 1 || p->connections > 16))
    {
      usage_error (_("--connections must be between 1 and 16"));
      return FALSE;
    }
  if (p->rate != NULL && !parse_rate (p->rate, rate))
    {
      usage_error (_("--rate must look like 30/min or 600/h (at least 60/h), not “%s”"), p->rate);
      return FALSE;
    }
  if (p->daily_limit < -1 || p->retry_after < -1 || p->max_attempts == 0 || p->max_attempts < -1)
    {
      usage_error (_("--daily-limit, --retry-after and --max-attempts take a positive number"));
      return FALSE;
    }
  return TRUE;
}

/* ---- running a campaign -------------------------------------------------- */

typedef struct
{
  EpCampaignRunner *runner;
  GMainLoop        *loop;
  gboolean          ok;
  EpCampaignEnd     end;
  char             *reason;
  GError           *error;
  gboolean          tty;
  guint             interrupts;
} Run;

static void
on_progress (const EpCampaignProgress *p,
             gpointer                  user_data)
{
  Run *run = user_data;

  if (p->row_number != 0 && p->state != NULL &&
      (g_str_equal (p->state, "failed") || g_str_equal (p->state, "deferred") ||
       g_str_equal (p->state, "uncertain")))
    {
      if (run->tty)
        g_printerr ("\r\033[K");
      g_printerr (_("Row %u (%s): %s — %s\n"), p->row_number, p->address, p->state,
                  p->reply ? p->reply : "");
    }

  if (run->tty)
    g_printerr (_("\rSent %u of %u, %u failed, %u waiting to retry, %.0f per minute"),
                p->sent, p->total, p->failed, p->waiting, p->per_minute);
  else if (p->row_number == 0 || (p->sent + p->failed) % 100 == 0 || p->remaining == 0)
    g_printerr (_("Sent %u of %u, %u failed, %u waiting to retry\n"),
                p->sent, p->total, p->failed, p->waiting);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
run_thread (gpointer data)
{
  Run *run = data;

  run->ok = ep_campaign_runner_run (run->runner, &run->end, &run->reason, &run->error);
  /* Through the main context: a quit before the loop runs would be lost. */
  g_idle_add (quit_loop, run->loop);

  return NULL;
}

static gboolean
on_interrupt (gpointer data)
{
  Run *run = data;

  if (run->interrupts++ == 0)
    {
      g_printerr (_("\nPausing after the messages on the wire… (press Ctrl+C again to stop at once)\n"));
      ep_campaign_runner_pause (run->runner);
      return G_SOURCE_CONTINUE;
    }

  /* A second Ctrl+C: leave now; the journal says where we were and any
   * message in flight is marked uncertain on the next resume. */
  _exit (130);
}

static int
run_campaign (EpContext  *context,
              gint64      id,
              PacingArgs *pacing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Run run = { 0, };
  GThread *thread;
  guint sigint, sigterm;
  guint sent = 0, failed = 0, total = 0, uncertain = 0;
  int status;

  run.runner = ep_campaign_runner_new (context, id, &error);
  if (run.runner == NULL)
    return fail (g_steal_pointer (&error));

  ep_campaign_runner_set_retry_policy (run.runner,
                                       pacing->retry_after >= 0 ? (guint) pacing->retry_after : 30,
                                       pacing->max_attempts > 0 ? (guint) pacing->max_attempts : 5);
  run.loop = loop;
  run.tty = isatty (STDERR_FILENO);
  ep_campaign_runner_set_progress_func (run.runner, on_progress, &run, NULL);

  sigint = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  thread = g_thread_new ("ep-cli-run", run_thread, &run);
  g_main_loop_run (loop);
  g_thread_join (thread);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (run.tty)
    g_printerr ("\n");

  if (!run.ok)
    {
      g_object_unref (run.runner);
      return fail (run.error);
    }

  info = ep_store_campaign_lookup (ep_context_get_store (context), id, NULL);
  if (info != NULL)
    {
      g_variant_lookup (info, "sent", "u", &sent);
      g_variant_lookup (info, "failed", "u", &failed);
      g_variant_lookup (info, "total", "u", &total);
      g_variant_lookup (info, "was_uncertain", "u", &uncertain);
    }

  if (uncertain > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "%u recipient was in flight when a previous run stopped; "
                          "their message was sent again (see “campaign show %" G_GINT64_FORMAT "”).\n",
                          "%u recipients were in flight when a previous run stopped; "
                          "their message was sent again (see “campaign show %" G_GINT64_FORMAT "”).\n",
                          uncertain), uncertain, id);

  g_print (_("Campaign %" G_GINT64_FORMAT ": %s. %u of %u sent, %u failed.\n"),
           id, ep_campaign_end_describe (run.end), sent, total, failed);
  if (run.reason != NULL)
    g_print ("%s\n", run.reason);

  switch (run.end)
    {
    case EP_CAMPAIGN_END_FINISHED:
      status = failed > 0 ? EXIT_REJECTED : EXIT_OK;
      break;
    case EP_CAMPAIGN_END_AUTH:
      status = EXIT_AUTH;
      break;
    case EP_CAMPAIGN_END_TLS:
      status = EXIT_TLS;
      break;
    case EP_CAMPAIGN_END_CANCELLED:
      status = EXIT_OK;
      break;
    case EP_CAMPAIGN_END_PAUSED:
    case EP_CAMPAIGN_END_DAILY_LIMIT:
    case EP_CAMPAIGN_END_SERVER:
    default:
      status = EXIT_TRANSIENT;
      break;
    }

  if (run.end != EP_CAMPAIGN_END_FINISHED && run.end != EP_CAMPAIGN_END_CANCELLED)
    g_print (_("Resume with: epistle-cli campaign resume %" G_GINT64_FORMAT "\n"), id);

  g_free (run.reason);
  g_object_unref (run.runner);

  return status;
}

/* ---- merge -------------------------------------------------------------- */

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
  g_autofree char *data = NULL, *template_path = NULL, *rows = NULL, *output_dir = NULL;
  g_autofree char *account_name = NULL, *base_dir = NULL, *name = NULL, *text = NULL;
  gboolean dry = FALSE, yes = FALSE, skip_invalid = FALSE, test = FALSE;
  TableArgs targs = { 0, };
  PacingArgs pacing;
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
      { "template", 0, 0, G_OPTION_ARG_FILENAME, &template_path, N_("The message template"), N_("FILE") },
      { "rows", 0, 0, G_OPTION_ARG_STRING, &rows, N_("Only these rows, e.g. 2-10,15,40-"), N_("RANGES") },
      { "skip-invalid", 0, 0, G_OPTION_ARG_NONE, &skip_invalid, N_("Send the rows without problems, skip the others"), NULL },
      { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry, N_("Render every message, send nothing"), NULL },
      { "output-dir", 0, 0, G_OPTION_ARG_FILENAME, &output_dir, N_("With --dry-run: write one .eml per row here"), N_("DIR") },
      { "test", 0, 0, G_OPTION_ARG_NONE, &test, N_("Send the first row to yourself, subject marked [TEST]"), NULL },
      { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("Send from this account"), N_("NAME") },
      { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask for confirmation"), NULL },
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
  if (data == NULL || template_path == NULL)
    status = usage_error (_("merge needs --data FILE and --template FILE"));
  else if (!dry && account_name == NULL)
    status = usage_error (_("merge needs --account NAME (or --dry-run)"));
  else if (dry && (account_name != NULL || test))
    status = usage_error (_("--dry-run sends nothing; leave out --account and --test"));
  else if (output_dir != NULL && !dry)
    status = usage_error (_("--output-dir goes with --dry-run"));
  else if (!pacing_args_check (&pacing, &rate))
    status = EXIT_BAD_INPUT;
  if (status != EXIT_OK)
    {
      table_args_clear (&targs);
      return status;
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
  if (text != NULL && *text != '\0')
    g_print ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");

  if (dry)
    return dry_run (tmpl, table, report, base_dir, output_dir);

  if (report->valid_rows->len == 0)
    {
      g_printerr (_("epistle-cli: no row can be sent; nothing was sent\n"));
      return EXIT_BAD_INPUT;
    }

  context = open_context (&error);
  if (context == NULL)
    return fail (g_steal_pointer (&error));

  account = ep_context_find_account (context, account_name, &error);
  if (account == NULL)
    return fail (g_steal_pointer (&error));

  if (test)
    {
      g_autofree char *message_id = NULL;
      guint row = g_array_index (report->valid_rows, guint, 0);

      if (!ep_campaign_test_send (context, account, tmpl, table, row, base_dir, &message_id,
                                  cancellable, &error))
        return fail (g_steal_pointer (&error));

      g_print (_("Test message for row %u sent to %s: <%s>\n"),
               ep_table_get_row_number (table, row), ep_account_get_address (account), message_id);
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

  id = ep_campaign_create (context, account, tmpl, table, report->valid_rows, name, base_dir,
                           pacing.connections > 0 ? (guint) pacing.connections : 1,
                           rate, daily, &error);
  if (id == 0)
    return fail (g_steal_pointer (&error));

  g_print (_("Campaign %" G_GINT64_FORMAT ": %u recipients from %s"),
           id, report->valid_rows->len, name);
  if (rate > 0)
    g_print (_(", at most %u per minute"), rate);
  if (daily > 0)
    g_print (_(", at most %u per day"), daily);
  g_print (".\n");
  fflush (stdout);

  return run_campaign (context, id, &pacing);
}

/* ---- campaign ------------------------------------------------------------ */

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;
  *id = value;
  return TRUE;
}

static guint
info_uint (GVariant   *info,
           const char *key)
{
  guint value = 0;

  g_variant_lookup (info, key, "u", &value);
  return value;
}

static const char *
info_str (GVariant   *info,
          const char *key)
{
  const char *value = "";

  g_variant_lookup (info, key, "&s", &value);
  return value;
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

static int
campaign_list (EpContext *context)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ep_store_campaign_list (ep_context_get_store (context), &error);

  if (list == NULL)
    return fail (g_steal_pointer (&error));

  if (list->len == 0)
    g_print (_("No campaigns.\n"));

  for (guint i = 0; i < list->len; i++)
    {
      GVariant *info = g_ptr_array_index (list, i);
      gint64 id = 0, created = 0;
      g_autofree char *when = NULL;

      g_variant_lookup (info, "id", "x", &id);
      g_variant_lookup (info, "created_at", "x", &created);
      when = format_time (created);
      g_print (_("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%u/%u sent, %u failed\n"),
               id, when, info_str (info, "state"), info_str (info, "name"),
               info_uint (info, "sent"), info_uint (info, "total"), info_uint (info, "failed"));
    }

  return EXIT_OK;
}

static int
campaign_show (EpContext *context,
               gint64     id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) info = ep_store_campaign_lookup (ep_context_get_store (context), id, &error);
  g_autoptr(GPtrArray) recipients = NULL;
  g_autofree char *when = NULL;
  gint64 created = 0;
  const char *reason = NULL;

  if (info == NULL)
    return fail (g_steal_pointer (&error));

  g_variant_lookup (info, "created_at", "x", &created);
  when = format_time (created);
  g_print (_("Campaign %" G_GINT64_FORMAT ": %s, created %s\n"), id, info_str (info, "name"), when);
  g_print (_("State: %s\n"), info_str (info, "state"));
  if (g_variant_lookup (info, "reason", "&s", &reason))
    g_print (_("Reason: %s\n"), reason);
  g_print (_("Recipients: %u — %u sent, %u failed, %u pending, %u waiting to retry, %u uncertain\n"),
           info_uint (info, "total"), info_uint (info, "sent"), info_uint (info, "failed"),
           info_uint (info, "pending"), info_uint (info, "deferred"),
           info_uint (info, "uncertain") + info_uint (info, "sending"));
  g_print (_("Pacing: %u connection(s), %u per minute (0 = unpaced), daily limit %u (0 = none)\n"),
           info_uint (info, "connections"), info_uint (info, "rate"), info_uint (info, "daily_limit"));

  recipients = ep_store_campaign_recipients (ep_context_get_store (context), id, &error);
  if (recipients == NULL)
    return fail (g_steal_pointer (&error));

  for (guint i = 0; i < recipients->len; i++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (recipients, i);

      if (r->was_uncertain || !g_str_equal (r->state, "sent"))
        g_print (_("Row %u\t%s\t%s%s\t%s\n"), r->row_number, r->address, r->state,
                 r->was_uncertain ? _(" (was in flight during a crash; sent again)") : "",
                 r->reply ? r->reply : "");
    }

  return EXIT_OK;
}

int
cmd_campaign (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autofree char *output = NULL;
  PacingArgs pacing;
  const char *verb;
  guint rate = 0;
  gint64 id = 0;

  pacing_args_init (&pacing);

  {
    GOptionEntry entries[] = {
      { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("export: the CSV file to write"), N_("FILE") },
      PACING_ENTRIES (pacing),
      { NULL }
    };
    g_autoptr(GOptionContext) options = g_option_context_new (_("list | show ID | resume ID | cancel ID | export ID --output FILE.csv"));

    g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse (options, &argc, &argv, &error))
      return usage_error ("%s", error->message);
  }

  if (argc < 2)
    return usage_error (_("campaign needs list, show, resume, cancel or export"));
  verb = argv[1];

  if (!g_str_equal (verb, "list"))
    {
      if (argc != 3 || !parse_id (argv[2], &id))
        return usage_error (_("campaign %s needs a campaign ID (see “campaign list”)"), verb);
    }

  if (!pacing_args_check (&pacing, &rate))
    return EXIT_BAD_INPUT;

  context = open_context (&error);
  if (context == NULL)
    return fail (g_steal_pointer (&error));

  if (g_str_equal (verb, "list"))
    return campaign_list (context);
  else if (g_str_equal (verb, "show"))
    return campaign_show (context, id);
  else if (g_str_equal (verb, "export"))
    {
      if (output == NULL)
        return usage_error (_("campaign export needs --output FILE.csv"));
      if (!ep_campaign_export_csv (context, id, output, &error))
        return fail (g_steal_pointer (&error));
      g_print (_("Results written to %s\n"), output);
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "cancel"))
    {
      g_autoptr(GVariant) info = ep_store_campaign_lookup (ep_context_get_store (context), id, &error);

      if (info == NULL)
        return fail (g_steal_pointer (&error));
      if (!ep_campaign_cancel (context, id, &error))
        {
          if (g_error_matches (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY))
            {
              g_printerr ("epistle-cli: %s\n", error->message);
              return EXIT_TRANSIENT;
            }
          return fail (g_steal_pointer (&error));
        }
      g_print (_("Campaign %" G_GINT64_FORMAT " cancelled; %u recipients were not sent.\n"),
               id, info_uint (info, "pending") + info_uint (info, "deferred") +
                   info_uint (info, "uncertain") + info_uint (info, "sending"));
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "resume"))
    {
      g_autoptr(GVariant) info = ep_store_campaign_lookup (ep_context_get_store (context), id, &error);

      if (info == NULL)
        return fail (g_steal_pointer (&error));

      if (pacing.connections > 0 || pacing.rate != NULL || pacing.daily_limit >= 0)
        {
          guint connections = pacing.connections > 0 ? (guint) pacing.connections : info_uint (info, "connections");

          if (pacing.rate == NULL)
            rate = info_uint (info, "rate");
          if (!ep_store_campaign_set_pacing (ep_context_get_store (context), id, connections, rate,
                                             pacing.daily_limit >= 0 ? (guint) pacing.daily_limit
                                                                     : info_uint (info, "daily_limit"),
                                             &error))
            return fail (g_steal_pointer (&error));
        }

      return run_campaign (context, id, &pacing);
    }

  return usage_error (_("Unknown campaign command “%s”"), verb);
}
