/* ep-cli-schedule.c: epistle-cli schedule
 *
 *   epistle-cli schedule list
 *   epistle-cli schedule show ID
 *   epistle-cli schedule cancel ID
 *   epistle-cli schedule reschedule ID --at TIME
 *   epistle-cli schedule send-now ID
 *
 * What waits for its time (send --at, merge --at, Send Later in the
 * window). Times are shown in local time with the zone; TIME is ISO 8601,
 * local time without an offset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"


gboolean
parse_send_time (const char  *text,
                 gint64      *unix_time,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!ep_schedule_time_parse (text, NULL, unix_time, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--at: %s", local_error->message);
      return FALSE;
    }
  if (*unix_time <= g_get_real_time () / G_USEC_PER_SEC)
    {
      g_autofree char *when = ep_schedule_time_format (*unix_time, NULL);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--at: %s is in the past"), when);
      return FALSE;
    }
  return TRUE;
}

void
notify_running_app (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;

  /* A running Epistle looks at the outbox again at once; without one,
   * nothing is started (the next start, or the autostart at login, sees
   * it). */
  if (bus == NULL)
    return;
  reply = g_dbus_connection_call_sync (bus, APP_ID, APP_PATH,
                                       "org.freedesktop.Application", "ActivateAction",
                                       g_variant_new ("(sava{sv})", "rescan-outbox", NULL, NULL),
                                       NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, 2000, NULL, NULL);
}

static EpCampaignInfo *
lookup (EpContext   *context,
        const char  *text,
        GError     **error)
{
  gint64 id = g_ascii_strtoll (text, NULL, 10);

  if (id <= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a scheduled item’s number (see schedule list)"), text);
      return NULL;
    }
  return ep_store_campaign_lookup (ep_context_get_store (context), id, error);
}

/* The item @text names, if it is waiting; otherwise NULL with *@status set
 * (the error already printed). */
static EpCampaignInfo *
lookup_waiting (EpContext  *context,
                const char *text,
                int        *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpCampaignInfo) info = lookup (context, text, &error);

  if (info == NULL)
    *status = fail (g_steal_pointer (&error));
  else if (!ep_campaign_info_is_waiting (info))
    *status = usage_error (_("“%s” is not waiting to be sent"), info->name);
  else
    return g_steal_pointer (&info);
  return NULL;
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Rescheduled;

static void
rescheduled_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Rescheduled *r = user_data;

  ep_outbox_reschedule_finish (EP_OUTBOX (object), result, &r->error);
  r->done = TRUE;
}

/* The outbox's own reschedule (a held-back item waits again), run here. */
static gboolean
reschedule (EpContext  *context,
            gint64      id,
            gint64      when,
            GError    **error)
{
  Rescheduled r = { FALSE, NULL };

  ep_outbox_reschedule_async (ep_context_get_outbox (context), id, when, cancellable,
                              rescheduled_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (r.error != NULL)
    {
      g_propagate_error (error, r.error);
      return FALSE;
    }
  return TRUE;
}

static void
print_entry (const EpCampaignInfo *info)
{
  g_autofree char *when = ep_schedule_time_format (info->not_before, NULL);

  g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%u\t%s\n", info->id, when,
           info->kind == EP_CAMPAIGN_KIND_MESSAGE ? _("message") : _("campaign"),
           ep_campaign_info_open (info), info->name);
}

static int
schedule_list (EpContext *context)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = ep_store_campaign_list (ep_context_get_store (context), &error);
  guint shown = 0;

  if (all == NULL)
    return fail (g_steal_pointer (&error));

  {
    g_autoptr(GPtrArray) waiting = g_ptr_array_new ();

    for (guint i = 0; i < all->len; i++)
      if (ep_campaign_info_is_waiting (g_ptr_array_index (all, i)))
        g_ptr_array_add (waiting, g_ptr_array_index (all, i));
    /* Soonest first. */
    g_ptr_array_sort (waiting, ep_campaign_info_compare_time);
    for (guint i = 0; i < waiting->len; i++)
      print_entry (g_ptr_array_index (waiting, i));
    shown = waiting->len;
  }

  if (shown == 0)
    g_print (_("Nothing is scheduled.\n"));
  return EXIT_OK;
}

static int
schedule_show (EpContext  *context,
               const char *id_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpCampaignInfo) info = lookup (context, id_text, &error);
  g_autofree char *when = NULL;

  if (info == NULL)
    return fail (g_steal_pointer (&error));

  when = info->not_before > 0 ? ep_schedule_time_format (info->not_before, NULL) : g_strdup (_("at once"));
  g_print (_("Number:      %" G_GINT64_FORMAT "\n"), info->id);
  g_print (_("Name:        %s\n"), info->name);
  g_print (_("Kind:        %s\n"), info->kind == EP_CAMPAIGN_KIND_MESSAGE ? _("message") : _("campaign"));
  g_print (_("Send at:     %s\n"), when);
  g_print (_("Recipients:  %u (%u not sent yet)\n"), info->total, ep_campaign_info_open (info));
  if (info->started_at > 0)
    {
      g_autofree char *started = ep_schedule_time_format (info->started_at, NULL);
      g_autofree char *late = info->not_before > 0
                              ? ep_schedule_time_describe_lateness (info->not_before, info->started_at)
                              : NULL;

      g_print (_("Started:     %s%s%s%s\n"), started, late ? " (" : "", late ? late : "", late ? ")" : "");
      if (info->not_before > 0)
        g_print (_("Lateness:    %" G_GINT64_FORMAT " s\n"), info->started_at - info->not_before);
    }
  g_print (_("State:       %s\n"), ep_campaign_state_to_string (info->state));
  if (info->reason != NULL)
    g_print (_("Why:         %s\n"), info->reason);
  if (info->spread)
    {
      g_autofree char *window = ep_send_window_describe (&info->window);

      g_print (_("Spread:      at most %u a day, %s\n"), info->daily_limit, window);
    }
  if (info->spread && ep_campaign_info_is_waiting (info) && ep_campaign_info_open (info) > 0)
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      g_autoptr(GArray) plan = ep_outbox_plan_spread (ep_context_get_outbox (context), info->account_uid,
                                                      ep_campaign_info_open (info), info->daily_limit,
                                                      info->rate, MAX (info->not_before, now),
                                                      &info->window, &error);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (plan == NULL)
        return fail (g_steal_pointer (&error));
      text = ep_spread_plan_describe (plan, NULL, TRUE);
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        g_print ("%s%s\n", i == 0 ? _("Plan:        ") : "             ", lines[i]);
    }
  return EXIT_OK;
}

static int
schedule_cancel (EpContext  *context,
                 const char *id_text)
{
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;
  g_autoptr(EpCampaignInfo) info = lookup_waiting (context, id_text, &status);
  g_autoptr(EpOutboxTask) task = NULL;

  if (info == NULL)
    return status;

  task = ep_outbox_open_task (ep_context_get_outbox (context), info->id, &error);
  if (task == NULL)
    return fail (g_steal_pointer (&error));
  /* A message leaves the outbox; a campaign is marked cancelled. */
  ep_outbox_task_cancel (task);
  while (ep_outbox_task_get_running (task))
    g_main_context_iteration (NULL, TRUE);
  if (ep_outbox_task_get_error (task) != NULL)
    return fail (g_error_copy (ep_outbox_task_get_error (task)));

  notify_running_app ();
  /* A spread campaign may have sent its first days already. */
  if (info->counts[EP_RECIPIENT_SENT] > 0)
    g_print (_("Cancelled “%s”: %u of %u had been sent; the other %u will not be.\n"), info->name,
             info->counts[EP_RECIPIENT_SENT], info->total, ep_campaign_info_open (info));
  else
    g_print (_("Cancelled “%s”: nothing was sent.\n"), info->name);
  return EXIT_OK;
}

static int
schedule_reschedule (EpContext  *context,
                     const char *id_text,
                     const char *at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autofree char *when = NULL;
  int status = EXIT_OK;
  gint64 not_before;

  if (at == NULL)
    return usage_error (_("reschedule needs --at TIME"));
  if (!parse_send_time (at, &not_before, &error))
    return usage_error ("%s", error->message);
  if ((info = lookup_waiting (context, id_text, &status)) == NULL)
    return status;
  if (!reschedule (context, info->id, not_before, &error))
    return fail (g_steal_pointer (&error));

  notify_running_app ();
  when = ep_schedule_time_format (not_before, NULL);
  g_print (_("“%s” will be sent at %s.\n"), info->name, when);
  return EXIT_OK;
}

static int
schedule_send_now (EpContext  *context,
                   const char *id_text)
{
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;
  g_autoptr(EpCampaignInfo) info = lookup_waiting (context, id_text, &status);
  g_autoptr(EpOutboxTask) task = NULL;

  if (info == NULL)
    return status;
  /* Its time becomes now: the app's scheduler would start it too, and the
   * journal lets only one of them send each recipient. */
  if (!reschedule (context, info->id, g_get_real_time () / G_USEC_PER_SEC, &error))
    return fail (g_steal_pointer (&error));

  g_print (_("Sending “%s” now:\n"), info->name);
  if (info->kind != EP_CAMPAIGN_KIND_MESSAGE)
    {
      g_auto(PacingArgs) pacing = { 0, };

      pacing_args_init (&pacing);
      return run_campaign (context, info->id, &pacing);
    }
  task = ep_outbox_open_task (ep_context_get_outbox (context), info->id, &error);
  if (task == NULL)
    return fail (g_steal_pointer (&error));
  run_task (task, TRUE);
  return report_message (task);
}

int
cmd_schedule (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autofree char *at = NULL;
  GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("reschedule: the new time (ISO 8601; local time without an offset)"), N_("TIME") },
    { NULL }
  };
  g_autoptr(GOptionContext) options =
    g_option_context_new (_("list | show ID | cancel ID | reschedule ID --at TIME | send-now ID"));

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (argc < 2)
    return usage_error (_("schedule needs list, show, cancel, reschedule or send-now"));
  if (!g_str_equal (argv[1], "list") && argc != 3)
    return usage_error (_("schedule %s needs the number of an item (see schedule list)"), argv[1]);

  context = open_context (&error);
  if (context == NULL)
    return fail (g_steal_pointer (&error));

  if (g_str_equal (argv[1], "list"))
    return schedule_list (context);
  if (g_str_equal (argv[1], "show"))
    return schedule_show (context, argv[2]);
  if (g_str_equal (argv[1], "cancel"))
    return schedule_cancel (context, argv[2]);
  if (g_str_equal (argv[1], "reschedule"))
    return schedule_reschedule (context, argv[2], at);
  if (g_str_equal (argv[1], "send-now"))
    return schedule_send_now (context, argv[2]);

  return usage_error (_("Unknown schedule command “%s”"), argv[1]);
}
