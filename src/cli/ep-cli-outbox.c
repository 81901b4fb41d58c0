/* ep-cli-outbox.c: epistle-cli outbox
 *
 *   epistle-cli outbox list
 *   epistle-cli outbox run [--account NAME] [--wait] [--retry-after S] [--max-attempts N]
 *
 * "run" sends every single message left in the outbox (a temporary
 * failure, a crash, a kill) and every scheduled item that is due, leaves
 * what is scheduled for later, and exits: for cron or a systemd user timer
 * on machines without a desktop, and for scripts. A message that was on the wire when its sender died is sent
 * again with the same Message-ID and reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

static gboolean
is_open_message (const EpCampaignInfo *info)
{
  return info->kind == EP_CAMPAIGN_KIND_MESSAGE && info->state != EP_CAMPAIGN_FINISHED &&
         info->state != EP_CAMPAIGN_CANCELLED && ep_campaign_info_open (info) > 0;
}

static int
outbox_list (EpContext *context)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = ep_store_campaign_list (ep_context_get_store (context), &error);
  guint shown = 0;

  if (all == NULL)
    return fail (g_steal_pointer (&error));

  for (guint i = 0; i < all->len; i++)
    {
      const EpCampaignInfo *info = g_ptr_array_index (all, i);
      g_autoptr(GPtrArray) recipients = NULL;
      const EpStoreRecipient *r;

      if (!is_open_message (info))
        continue;
      recipients = ep_store_campaign_recipients (ep_context_get_store (context), info->id, &error);
      if (recipients == NULL)
        return fail (g_steal_pointer (&error));
      if (recipients->len == 0)
        continue;
      r = g_ptr_array_index (recipients, 0);
      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\n", info->id,
               ep_recipient_state_to_string (r->state), info->name, r->address,
               info->reason ? info->reason : (r->reply ? r->reply : ""));
      shown++;
    }

  if (shown == 0)
    g_print (_("The outbox is empty.\n"));
  return EXIT_OK;
}

static int
outbox_run (EpContext  *context,
            const char *account_name,
            gboolean    wait,
            int         retry_after,
            int         max_attempts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = ep_store_campaign_list (ep_context_get_store (context), &error);
  g_autoptr(EpAccount) account = NULL;
  int status = EXIT_OK;
  guint ran = 0, later = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (all == NULL)
    return fail (g_steal_pointer (&error));
  if (account_name != NULL &&
      (account = ep_context_find_account (context, account_name, &error)) == NULL)
    return fail (g_steal_pointer (&error));

  if (retry_after >= 0 || max_attempts > 0)
    ep_outbox_set_retry_policy (ep_context_get_outbox (context),
                                retry_after >= 0 ? (guint) retry_after : 30,
                                max_attempts > 0 ? (guint) max_attempts : 6);

  /* Oldest first: they go in the order they were sent. */
  for (guint i = all->len; i > 0; i--)
    {
      const EpCampaignInfo *info = g_ptr_array_index (all, i - 1);
      g_autoptr(EpOutboxTask) task = NULL;
      /* Due: a scheduled campaign whose time has come, or one whose run
       * was killed (left "running" with nobody holding its lock). */
      gboolean due_campaign = info->kind == EP_CAMPAIGN_KIND_MERGE && info->not_before <= now &&
                              ((info->state == EP_CAMPAIGN_READY && ep_campaign_info_is_waiting (info)) ||
                               (info->state == EP_CAMPAIGN_RUNNING && info->scheduled &&
                                ep_campaign_info_open (info) > 0 &&
                                !ep_outbox_is_sending (ep_context_get_outbox (context), info->id)));
      int one;

      if ((!is_open_message (info) && !due_campaign) ||
          (account != NULL && g_strcmp0 (info->account_uid, ep_account_get_uid (account)) != 0))
        continue;
      /* Scheduled for later: left for its time. */
      if (info->not_before > now && info->state == EP_CAMPAIGN_READY)
        {
          later++;
          continue;
        }
      if (due_campaign)
        {
          g_auto(PacingArgs) pacing = { 0, };

          pacing_args_init (&pacing);
          g_print (_("Campaign %" G_GINT64_FORMAT " “%s” (scheduled):\n"), info->id, info->name);
          one = run_campaign (context, info->id, &pacing);
          if (status == EXIT_OK)
            status = one;
          ran++;
          continue;
        }

      task = ep_outbox_open_task (ep_context_get_outbox (context), info->id, &error);
      if (task == NULL)
        return fail (g_steal_pointer (&error));

      g_print (_("Message %" G_GINT64_FORMAT " “%s”:\n"), info->id, info->name);
      ep_outbox_task_set_wait_for_retries (task, wait);
      /* Asked for now: what waits to retry is tried at once. */
      ep_outbox_task_send_now (task);
      run_task (task, TRUE);
      one = report_message (task);
      if (status == EXIT_OK)
        status = one;
      ran++;
    }

  if (ran == 0 && later == 0)
    g_print (_("Nothing to send: the outbox is empty.\n"));
  else if (ran == 0)
    g_print (_("Nothing is due yet.\n"));
  if (later > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "%u scheduled item waits for its time (see “schedule list”).\n",
                          "%u scheduled items wait for their time (see “schedule list”).\n", later), later);
  return status;
}

int
cmd_outbox (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autofree char *account_name = NULL;
  gboolean wait = FALSE;
  int retry_after = -1, max_attempts = -1;
  GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("run: only this account’s messages"), N_("NAME") },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait, N_("run: after a temporary failure, wait and retry"), NULL },
    { "retry-after", 0, 0, G_OPTION_ARG_INT, &retry_after, N_("First retry after a temporary failure, in seconds (default 30, doubling)"), N_("SECONDS") },
    { "max-attempts", 0, 0, G_OPTION_ARG_INT, &max_attempts, N_("Attempts before giving up (default 6)"), N_("N") },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (_("list | run — the messages waiting to be sent"));

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (argc != 2)
    return usage_error (_("outbox needs list or run"));
  if (retry_after < -1 || max_attempts == 0 || max_attempts < -1)
    return usage_error (_("--retry-after and --max-attempts take a positive number"));

  context = open_context (&error);
  if (context == NULL)
    return fail (g_steal_pointer (&error));

  if (g_str_equal (argv[1], "list"))
    return outbox_list (context);
  if (g_str_equal (argv[1], "run"))
    return outbox_run (context, account_name, wait, retry_after, max_attempts);

  return usage_error (_("Unknown outbox command “%s”"), argv[1]);
}
