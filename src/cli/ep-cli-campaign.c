/* ep-cli-campaign.c: epistle-cli campaign, and running a campaign for it
 * and for merge
 *
 *   epistle-cli campaign list | show ID | resume ID | cancel ID | export ID --output FILE [--format F]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <signal.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include <epistle-core.h>

#include "ep-cli.h"

/* ---- running an outbox task ---------------------------------------------- */

/* The one place where the CLI drives the outbox: an EpOutboxTask runs in
 * core worker threads and reports on this main loop, where Ctrl+C is
 * handled too. merge, campaign resume, send and outbox run come here. */

typedef struct
{
  EpOutboxTask *task;
  GMainLoop    *loop;
  gboolean      tty;
  gboolean      quiet;
  guint         interrupts;
} Run;

static void
on_recipient_changed_cb (EpOutboxTask *task,
                         guint         row_number,
                         const char   *address,
                         guint         state,
                         const char   *reply,
                         Run          *run)
{
  if (state == EP_RECIPIENT_FAILED || state == EP_RECIPIENT_DEFERRED ||
      state == EP_RECIPIENT_UNCERTAIN)
    {
      if (run->tty && !run->quiet)
        g_printerr ("\r\033[K");
      if (ep_outbox_task_get_kind (task) == EP_CAMPAIGN_KIND_MESSAGE)
        g_printerr (_("%s: %s — %s\n"), address, ep_recipient_state_to_string (state),
                    reply ? reply : "");
      else
        g_printerr (_("Row %u (%s): %s — %s\n"), row_number, address,
                    ep_recipient_state_to_string (state), reply ? reply : "");
    }
}

static void
on_progress_cb (EpOutboxTask *task,
                Run          *run)
{
  const EpCampaignProgress *p = ep_outbox_task_get_progress (task);

  if (run->quiet)
    return;
  if (run->tty)
    g_printerr (_("\rSent %u of %u, %u failed, %u waiting to retry, %.0f per minute"),
                p->sent, p->total, p->failed, p->waiting, p->per_minute);
  else if ((p->sent + p->failed) % 100 == 0 || p->remaining == 0)
    g_printerr (_("Sent %u of %u, %u failed, %u waiting to retry\n"),
                p->sent, p->total, p->failed, p->waiting);
}

static void
on_finished_cb (EpOutboxTask *task,
                Run          *run)
{
  g_main_loop_quit (run->loop);
}

static gboolean
on_interrupt (gpointer data)
{
  Run *run = data;

  if (run->interrupts++ == 0)
    {
      g_printerr (_("\nPausing after the messages on the wire… (press Ctrl+C again to stop at once)\n"));
      ep_outbox_task_pause (run->task);
      return G_SOURCE_CONTINUE;
    }

  /* A second Ctrl+C: leave now; the journal says where we were and any
   * message in flight is marked uncertain on the next run. */
  _exit (130);
}

void
run_task (EpOutboxTask *task,
          gboolean      quiet)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Run run = { 0, };
  guint sigint, sigterm;

  run.task = task;
  run.loop = loop;
  run.quiet = quiet;
  run.tty = isatty (STDERR_FILENO);
  g_signal_connect (task, "recipient-changed", G_CALLBACK (on_recipient_changed_cb), &run);
  g_signal_connect (task, "progress", G_CALLBACK (on_progress_cb), &run);
  g_signal_connect (task, "finished", G_CALLBACK (on_finished_cb), &run);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  ep_outbox_task_start (task);
  if (ep_outbox_task_get_running (task))
    g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (task, &run);
  if (run.tty && !quiet)
    g_printerr ("\n");
}

int
run_campaign (EpContext  *context,
              gint64      id,
              PacingArgs *pacing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autoptr(EpOutboxTask) task = NULL;
  EpCampaignEnd end;
  const char *reason;
  int status;

  task = ep_outbox_open_task (ep_context_get_outbox (context), id, &error);
  if (task == NULL)
    return fail (g_steal_pointer (&error));

  ep_outbox_task_set_retry_policy (task,
                                   pacing->retry_after >= 0 ? (guint) pacing->retry_after : 30,
                                   pacing->max_attempts > 0 ? (guint) pacing->max_attempts : 5);
  run_task (task, FALSE);
  end = ep_outbox_task_get_end (task);
  reason = ep_outbox_task_get_reason (task);

  /* The run could not start: another process sends it, it has finished,
   * its account is gone, the journal failed. */
  if (ep_outbox_task_get_error (task) != NULL)
    return fail (g_error_copy (ep_outbox_task_get_error (task)));

  info = ep_store_campaign_lookup (ep_context_get_store (context), id, &error);
  if (info == NULL)
    return fail (g_steal_pointer (&error));

  if (info->was_uncertain > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "%u recipient was in flight when a previous run stopped; "
                          "their message was sent again (see “campaign show %" G_GINT64_FORMAT "”).\n",
                          "%u recipients were in flight when a previous run stopped; "
                          "their message was sent again (see “campaign show %" G_GINT64_FORMAT "”).\n",
                          info->was_uncertain), info->was_uncertain, id);

  g_print (_("Campaign %" G_GINT64_FORMAT ": %s. %u of %u sent, %u failed.\n"),
           id, ep_campaign_end_describe (end), info->counts[EP_RECIPIENT_SENT], info->total,
           info->counts[EP_RECIPIENT_FAILED]);
  {
    guint skipped = ep_store_campaign_count_skipped (ep_context_get_store (context), id);

    if (skipped > 0)
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "%u row of the spreadsheet was skipped (see “campaign export”).\n",
                            "%u rows of the spreadsheet were skipped (see “campaign export”).\n",
                            skipped), skipped);
  }
  if (reason != NULL)
    g_print ("%s\n", reason);

  switch (end)
    {
    case EP_CAMPAIGN_END_FINISHED:
      status = info->counts[EP_RECIPIENT_FAILED] > 0 ? EXIT_REJECTED : EXIT_OK;
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
    case EP_CAMPAIGN_END_LATER:
      /* On plan: the rest is scheduled. */
      g_print (_("Epistle sends the rest at its time when it runs in the background; "
                 "on a machine without a desktop run “epistle-cli outbox run” then "
                 "(see “epistle-cli schedule show %" G_GINT64_FORMAT "”).\n"), id);
      return EXIT_OK;
    case EP_CAMPAIGN_END_STORE:
      status = EXIT_FAILURE_GENERIC;
      break;
    case EP_CAMPAIGN_END_PAUSED:
    case EP_CAMPAIGN_END_DAILY_LIMIT:
    case EP_CAMPAIGN_END_SERVER:
    case EP_CAMPAIGN_END_WAITING:
    default:
      status = EXIT_TRANSIENT;
      break;
    }

  if (end != EP_CAMPAIGN_END_FINISHED && end != EP_CAMPAIGN_END_CANCELLED)
    g_print (_("Resume with: epistle-cli campaign resume %" G_GINT64_FORMAT "\n"), id);

  return status;
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
      const EpCampaignInfo *info = g_ptr_array_index (list, i);
      g_autofree char *when = NULL;

      if (info->kind != EP_CAMPAIGN_KIND_MERGE)
        continue;  /* single messages: “outbox list” */
      when = format_time (info->created_at);
      g_print (_("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%u/%u sent, %u failed\n"),
               info->id, when, ep_campaign_state_to_string (info->state), info->name,
               info->counts[EP_RECIPIENT_SENT], info->total, info->counts[EP_RECIPIENT_FAILED]);
    }

  return EXIT_OK;
}

static int
campaign_show (EpContext *context,
               gint64     id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpCampaignInfo) info = ep_store_campaign_lookup (ep_context_get_store (context), id, &error);
  g_autoptr(GPtrArray) recipients = NULL;
  g_autofree char *when = NULL;

  if (info == NULL)
    return fail (g_steal_pointer (&error));

  when = format_time (info->created_at);
  g_print (_("Campaign %" G_GINT64_FORMAT ": %s, created %s\n"), id, info->name, when);
  g_print (_("State: %s\n"), ep_campaign_state_to_string (info->state));
  if (info->reason != NULL)
    g_print (_("Reason: %s\n"), info->reason);
  g_print (_("Recipients: %u — %u sent, %u failed, %u pending, %u waiting to retry, %u uncertain\n"),
           info->total, info->counts[EP_RECIPIENT_SENT], info->counts[EP_RECIPIENT_FAILED],
           info->counts[EP_RECIPIENT_PENDING], info->counts[EP_RECIPIENT_DEFERRED],
           info->counts[EP_RECIPIENT_UNCERTAIN] + info->counts[EP_RECIPIENT_SENDING]);
  g_print (_("Skipped rows (not sent, with a problem): %u\n"),
           ep_store_campaign_count_skipped (ep_context_get_store (context), id));
  g_print (_("Pacing: %u connection(s), %u per minute (0 = unpaced), daily limit %u (0 = none)\n"),
           info->connections, info->rate, info->daily_limit);

  recipients = ep_store_campaign_recipients (ep_context_get_store (context), id, &error);
  if (recipients == NULL)
    return fail (g_steal_pointer (&error));

  for (guint i = 0; i < recipients->len; i++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (recipients, i);

      if (r->bounce != NULL)
        g_print (_("Row %u\t%s\tbounced\t%s\n"), r->row_number, r->address, r->bounce);
      else if (r->was_uncertain || r->state != EP_RECIPIENT_SENT)
        g_print (_("Row %u\t%s\t%s%s\t%s\n"), r->row_number, r->address,
                 ep_recipient_state_to_string (r->state),
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
  g_autofree char *format = NULL;
  g_auto(PacingArgs) pacing = { 0, };
  const char *verb;
  guint rate = 0;
  gint64 id = 0;

  pacing_args_init (&pacing);

  {
    GOptionEntry entries[] = {
      { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("export: the file to write (.csv or .xlsx)"), N_("FILE") },
      { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("export: csv (comma, for programs; the default for .csv), "
                                                         "csv-locale (for a spreadsheet in your locale: BOM, “;” where decimals have a comma) "
                                                         "or xlsx (the default for .xlsx)"), N_("FORMAT") },
      PACING_ENTRIES (pacing),
      { NULL }
    };
    g_autoptr(GOptionContext) options = g_option_context_new (_("list | show ID | resume ID | cancel ID | export ID --output FILE"));

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
      g_autoptr(GHashTable) passwords = NULL;

      EpExportFormat fmt;

      if (output == NULL)
        return usage_error (_("campaign export needs --output FILE (.csv or .xlsx)"));
      if (format == NULL)
        fmt = ep_export_format_for_path (output) == EP_EXPORT_XLSX ? EP_EXPORT_XLSX : EP_EXPORT_CSV;
      else if (g_str_equal (format, "csv"))
        fmt = EP_EXPORT_CSV;
      else if (g_str_equal (format, "csv-locale"))
        fmt = EP_EXPORT_CSV_LOCALE;
      else if (g_str_equal (format, "xlsx"))
        fmt = EP_EXPORT_XLSX;
      else
        return usage_error (_("--format is csv, csv-locale or xlsx, not “%s”"), format);
      if (!ep_campaign_export (ep_context_get_outbox (context), id, output, fmt, &error))
        return fail (g_steal_pointer (&error));
      g_print (_("Results written to %s\n"), output);
      passwords = ep_campaign_generated_passwords (ep_context_get_outbox (context), id, NULL, NULL);
      if (passwords != NULL && g_hash_table_size (passwords) > 0)
        g_print (_("It contains the passwords Epistle generated (readable by you only): deliver "
                   "each one apart from its message, and then delete the file.\n"));
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "cancel"))
    {
      g_autoptr(EpCampaignInfo) info = ep_store_campaign_lookup (ep_context_get_store (context), id, &error);

      if (info == NULL)
        return fail (g_steal_pointer (&error));
      if (!ep_campaign_cancel (ep_context_get_outbox (context), id, &error))
        {
          if (g_error_matches (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY))
            {
              g_printerr ("epistle-cli: %s\n", error->message);
              return EXIT_TRANSIENT;
            }
          return fail (g_steal_pointer (&error));
        }
      g_print (_("Campaign %" G_GINT64_FORMAT " cancelled; %u recipients were not sent.\n"),
               id, ep_campaign_info_open (info));
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "resume"))
    {
      g_autoptr(EpCampaignInfo) info = ep_store_campaign_lookup (ep_context_get_store (context), id, &error);

      if (info == NULL)
        return fail (g_steal_pointer (&error));

      if (pacing.connections > 0 || pacing.rate != NULL || pacing.daily_limit >= 0)
        {
          guint connections = pacing.connections > 0 ? (guint) pacing.connections : info->connections;

          if (pacing.rate == NULL)
            rate = info->rate;
          if (!ep_store_campaign_set_pacing (ep_context_get_store (context), id, connections, rate,
                                             pacing.daily_limit >= 0 ? (guint) pacing.daily_limit
                                                                     : info->daily_limit,
                                             &error))
            return fail (g_steal_pointer (&error));
        }

      return run_campaign (context, id, &pacing);
    }

  return usage_error (_("Unknown campaign command “%s”"), verb);
}
