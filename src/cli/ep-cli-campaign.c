/* ep-cli-campaign.c: epistle-cli campaign, and running a campaign for it
 * and for merge
 *
 *   epistle-cli campaign list | show ID | resume ID | cancel ID | export ID --output FILE.csv
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

/* ---- running a campaign -------------------------------------------------- */

/* The one place where the CLI drives an EpCampaignRunner: a worker thread
 * runs it while the main loop handles progress and Ctrl+C. Both merge and
 * campaign resume go through run_campaign(). */

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

int
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
