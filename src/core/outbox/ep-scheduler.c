/* ep-scheduler.c: starts scheduled outbox entries when they are due
 *
 * A scan lists the outbox's entries off the main thread, starts the ones
 * that are due and arms the clock for the earliest of the rest. The clock
 * wakes at a wall-clock time (so a machine that slept past it sends on
 * waking, not a sleep's length later) and also after a clock change or a
 * resume, when a scan simply runs again. Every start goes through the
 * outbox's task, which claims recipients in the journal: a scan that runs
 * twice, or a second process, can never send an entry twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-scheduler"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-scheduler.h"
#include "ep-schedule-time.h"

/* Another process (epistle-cli) may schedule something: look at least
 * this often even with nothing to wait for. */
#define RESCAN_INTERVAL 300

struct _EpScheduler
{
  GObject          parent_instance;

  EpOutbox        *outbox;
  EpClock         *clock;
  GNetworkMonitor *monitor;
  GCancellable    *cancellable;
  gboolean         started;
  gboolean         scanning;
  gboolean         scan_again;
  gboolean         waiting_for_network;
  gboolean         scanned;
  guint            n_waiting;
  gint64           next_due;
  /* Scans are numbered; at most one runs at a time. */
  guint64          scan_seq;
  /* gint64 id -> guint64: entries that ended with an error and are being
   * held back. A scan numbered up to the value may have read the entry
   * before its hold was written, so it leaves the entry alone. */
  GHashTable      *holding;
  gint64           hold_late;       /* seconds; 0 = send late entries at once */
};

#define HOLD_PENDING G_MAXUINT64

G_DEFINE_FINAL_TYPE (EpScheduler, ep_scheduler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_N_WAITING,
  N_PROPS
};

enum {
  STARTED,
  HELD,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void scan (EpScheduler *self);

static void
ep_scheduler_dispose (GObject *object)
{
  EpScheduler *self = EP_SCHEDULER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->clock != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->clock, self);
      ep_clock_wake_at (self->clock, 0);
    }
  if (self->outbox != NULL)
    g_signal_handlers_disconnect_by_data (self->outbox, self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->clock);
  g_clear_object (&self->outbox);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (ep_scheduler_parent_class)->dispose (object);
}

static void
ep_scheduler_finalize (GObject *object)
{
  EpScheduler *self = EP_SCHEDULER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->holding, g_hash_table_unref);

  G_OBJECT_CLASS (ep_scheduler_parent_class)->finalize (object);
}

static void
ep_scheduler_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  EpScheduler *self = EP_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_N_WAITING:
      g_value_set_uint (value, self->n_waiting);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_scheduler_class_init (EpSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ep_scheduler_dispose;
  object_class->finalize = ep_scheduler_finalize;
  object_class->get_property = ep_scheduler_get_property;

  properties[PROP_N_WAITING] =
    g_param_spec_uint ("n-waiting", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STARTED] = g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   EP_TYPE_OUTBOX_TASK, G_TYPE_INT64);
  signals[HELD] = g_signal_new ("held", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                G_TYPE_STRING, G_TYPE_INT64);
}

static void
ep_scheduler_init (EpScheduler *self)
{
  self->cancellable = g_cancellable_new ();
  self->holding = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

static void
holding_set (EpScheduler *self,
             gint64       id,
             guint64      until_scan)
{
  g_hash_table_replace (self->holding, g_memdup2 (&id, sizeof id),
                        g_memdup2 (&until_scan, sizeof until_scan));
}

static void
on_wake (EpScheduler *self)
{
  ep_scheduler_rescan (self);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    EpScheduler     *self)
{
  if (available && self->waiting_for_network)
    ep_scheduler_rescan (self);
}

EpScheduler *
ep_scheduler_new (EpOutbox        *outbox,
                  EpClock         *clock,
                  GNetworkMonitor *monitor)
{
  EpScheduler *self;

  g_return_val_if_fail (EP_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (EP_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor), NULL);

  self = g_object_new (EP_TYPE_SCHEDULER, NULL);
  self->outbox = g_object_ref (outbox);
  self->clock = g_object_ref (clock);
  self->monitor = g_object_ref (monitor != NULL ? monitor : g_network_monitor_get_default ());

  g_signal_connect_swapped (self->clock, "wake", G_CALLBACK (on_wake), self);
  g_signal_connect_swapped (self->outbox, "changed", G_CALLBACK (ep_scheduler_rescan), self);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);

  return self;
}

void
ep_scheduler_start (EpScheduler *self)
{
  g_return_if_fail (EP_IS_SCHEDULER (self));

  if (self->started)
    return;
  self->started = TRUE;
  scan (self);
}

void
ep_scheduler_rescan (EpScheduler *self)
{
  g_return_if_fail (EP_IS_SCHEDULER (self));

  if (!self->started)
    return;
  if (self->scanning)
    {
      self->scan_again = TRUE;
      return;
    }
  scan (self);
}

void
ep_scheduler_set_hold_late (EpScheduler *self,
                            gint64       late_after)
{
  g_return_if_fail (EP_IS_SCHEDULER (self));
  self->hold_late = MAX (late_after, 0);
}

guint
ep_scheduler_get_n_waiting (EpScheduler *self)
{
  g_return_val_if_fail (EP_IS_SCHEDULER (self), 0);
  return self->n_waiting;
}

gint64
ep_scheduler_get_next_due (EpScheduler *self)
{
  g_return_val_if_fail (EP_IS_SCHEDULER (self), 0);
  return self->next_due;
}

/* A ready entry with a time whose recipients are not all done. */
static gboolean
is_scheduled_entry (const EpCampaignInfo *info)
{
  return info->state == EP_CAMPAIGN_READY && info->not_before > 0 &&
         ep_campaign_info_open (info) > 0;
}

typedef struct
{
  EpStore *store;
  gint64   id;
  char    *reason;
} HoldBack;

static void
hold_back_free (gpointer data)
{
  HoldBack *hold = data;

  g_object_unref (hold->store);
  g_free (hold->reason);
  g_free (hold);
}

static void
hold_back_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  HoldBack *hold = task_data;
  GError *error = NULL;

  if (!ep_store_campaign_set_state (hold->store, hold->id, EP_CAMPAIGN_PAUSED, hold->reason, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
hold_back_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  EpScheduler *self = EP_SCHEDULER (object);
  HoldBack *hold = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* Written (or failed): a scan that starts from now on reads it; the one
   * running now, if any, may not have. */
  holding_set (self, hold->id, self->scan_seq);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not record why a scheduled item did not go: %s", error->message);
  else if (self->outbox != NULL)
    ep_outbox_notify_changed (self->outbox);
}

/* Pauses @id with @reason (off the main thread), where the person sees
 * it. Until that is written the store still says ready: no scan starts it
 * meanwhile. */
static void
hold_back (EpScheduler *self,
           gint64       id,
           const char  *reason)
{
  g_autoptr(GTask) hold = NULL;
  HoldBack *data = g_new0 (HoldBack, 1);

  data->store = g_object_ref (ep_outbox_get_store (self->outbox));
  data->id = id;
  data->reason = g_strdup (reason);
  holding_set (self, id, HOLD_PENDING);
  hold = g_task_new (self, self->cancellable, hold_back_cb, NULL);
  g_task_set_task_data (hold, data, hold_back_free);
  g_task_run_in_thread (hold, hold_back_thread);
}

/* A scheduled entry whose run could not even start (its account was
 * removed, the journal failed) is held back with the reason, where the
 * person sees it, instead of being started again by every scan. */
static void
on_started_task_finished (EpOutboxTask *task,
                          EpScheduler  *self)
{
  g_signal_handlers_disconnect_by_func (task, on_started_task_finished, self);
  g_debug ("“%s” ended: %s, %s", ep_outbox_task_get_name (task),
           ep_campaign_end_describe (ep_outbox_task_get_end (task)),
           ep_outbox_task_get_error (task) ? ep_outbox_task_get_error (task)->message : "no error");
  /* Nothing wrong with it, or another process sends it (or has sent it):
   * not ours to hold back. */
  if (ep_outbox_task_get_error (task) == NULL ||
      g_error_matches (ep_outbox_task_get_error (task), EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY) ||
      g_error_matches (ep_outbox_task_get_error (task), EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_FINISHED))
    return;

  g_message ("The scheduled “%s” could not be sent: %s", ep_outbox_task_get_name (task),
             ep_outbox_task_get_error (task)->message);
  hold_back (self, ep_outbox_task_get_id (task), ep_outbox_task_get_error (task)->message);
}

static void
start_due (EpScheduler          *self,
           const EpCampaignInfo *info,
           gint64                now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpOutboxTask) task = ep_outbox_open_task (self->outbox, info->id, &error);

  if (task == NULL)
    {
      g_warning ("Could not start the scheduled “%s”: %s", info->name, error->message);
      return;
    }
  if (ep_outbox_task_get_running (task))
    return;

  g_debug ("Starting “%s”, due at %" G_GINT64_FORMAT ", at %" G_GINT64_FORMAT,
           info->name, info->not_before, now);
  g_signal_connect_object (task, "finished", G_CALLBACK (on_started_task_finished), self, 0);
  ep_outbox_task_start (task);
  g_signal_emit (self, signals[STARTED], 0, task, MAX (now - info->not_before, 0));
}

static void
scan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EpScheduler) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = ep_outbox_list_campaigns_finish (EP_OUTBOX (object), result, &error);
  gint64 now;
  gint64 next_due = 0;
  guint n_waiting = 0;
  gboolean online;

  self->scanning = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  now = ep_clock_now (self->clock);
  online = g_network_monitor_get_network_available (self->monitor);
  self->waiting_for_network = FALSE;

  if (all == NULL)
    {
      /* What waits is unknown, not nothing: keep what was known (and the
       * application's hold), and look again soon. */
      g_warning ("Could not read the outbox for scheduled mail: %s", error->message);
      ep_clock_wake_at (self->clock, now + 30);
      if (self->scan_again)
        {
          self->scan_again = FALSE;
          scan (self);
        }
      return;
    }

  /* Oldest first, so what came due first goes first. */
  for (guint i = all->len; i > 0; i--)
    {
      const EpCampaignInfo *info = g_ptr_array_index (all, i - 1);
      EpOutboxTask *open;

      guint64 *hold_until = g_hash_table_lookup (self->holding, &info->id);

      if (hold_until != NULL)
        {
          if (*hold_until >= self->scan_seq)
            continue;
          /* This scan read the store after the hold was written. */
          g_hash_table_remove (self->holding, &info->id);
        }
      /* Sending (or waiting for a retry) in this process: not started
       * again, but still counted, so the application keeps running and
       * the autostart entry stays until it has gone. */
      open = ep_outbox_find_task (self->outbox, info->id);
      if (open != NULL && ep_outbox_task_get_running (open))
        {
          if (info->scheduled && ep_campaign_info_open (info) > 0)
            n_waiting++;
          continue;
        }
      if (!is_scheduled_entry (info))
        continue;

      if (info->not_before <= now && online && self->hold_late > 0 &&
          now - info->not_before >= self->hold_late)
        {
          g_autofree char *late = ep_schedule_time_describe_lateness (info->not_before, now);
          g_autofree char *reason = g_strdup_printf (_("held for you to send or reschedule, as it "
                                                       "came due while Epistle was not running (%s)"),
                                                     late);

          g_message ("Holding back the late “%s” (due %" G_GINT64_FORMAT ", now %" G_GINT64_FORMAT ")",
                     info->name, info->not_before, now);
          hold_back (self, info->id, reason);
          g_signal_emit (self, signals[HELD], 0, info->name, now - info->not_before);
          continue;
        }
      if (info->not_before <= now && online)
        {
          start_due (self, info, now);
          continue;
        }
      if (info->not_before <= now)
        self->waiting_for_network = TRUE;
      n_waiting++;
      if (info->not_before > now && (next_due == 0 || info->not_before < next_due))
        next_due = info->not_before;
    }

  self->next_due = next_due;
  /* The first scan always tells: until then nothing was known. */
  if (n_waiting != self->n_waiting || !self->scanned)
    {
      self->scanned = TRUE;
      self->n_waiting = n_waiting;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
    }

  ep_clock_wake_at (self->clock, next_due > 0 ? MIN (next_due, now + RESCAN_INTERVAL)
                                              : now + RESCAN_INTERVAL);

  if (self->scan_again)
    {
      self->scan_again = FALSE;
      scan (self);
    }
}

static void
scan (EpScheduler *self)
{
  self->scanning = TRUE;
  self->scan_seq++;
  ep_outbox_list_timed_async (self->outbox, self->cancellable, scan_cb, g_object_ref (self));
}
