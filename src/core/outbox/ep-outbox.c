/* ep-outbox.c: the one way anything is sent
 *
 * Every message goes through here: a merge campaign, or a single message
 * from Compose, which becomes a one-recipient entry of the same journal
 * (store/ep-store-campaign.c), built and committed before anything is
 * sent, so a crash, a 4xx or a dropped connection never loses it. Each
 * entry being sent is an EpOutboxTask; the outbox keeps the ones started
 * in this process and says when it is "busy", so the front end can keep
 * the process alive until they are done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-outbox"

#include "config.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <glib/gi18n-lib.h>

#include "ep-outbox.h"
#include "ep-outbox-private.h"
#include "ep-spread-plan.h"
#include "mail/ep-address.h"

struct _EpOutbox
{
  GObject        parent_instance;

  EpStore       *store;
  EpProtocolLog *log;
  EpVault       *vault;         /* made when first asked for */
  GMutex         vault_mutex;
  char          *data_dir;
  GMainContext  *main_context;
  GListStore    *tasks;         /* EpOutboxTask started and not finished */
  GHashTable    *known;         /* id → EpOutboxTask (weak): one task per entry */
  guint          first_delay;
  guint          max_attempts;
};

G_DEFINE_FINAL_TYPE (EpOutbox, ep_outbox, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ep_outbox_finalize (GObject *object)
{
  EpOutbox *self = (EpOutbox *)object;

  g_clear_object (&self->tasks);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->log);
  g_clear_object (&self->vault);
  g_mutex_clear (&self->vault_mutex);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->main_context, g_main_context_unref);

  G_OBJECT_CLASS (ep_outbox_parent_class)->finalize (object);
}

static void
ep_outbox_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EpOutbox *self = EP_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, ep_outbox_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_outbox_class_init (EpOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ep_outbox_finalize;
  object_class->get_property = ep_outbox_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The entries waiting for a time changed (one was scheduled,
   * rescheduled or cancelled): a scheduler looks again. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

void
_ep_outbox_emit_changed (EpOutbox *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ep_outbox_notify_changed (EpOutbox *self)
{
  g_return_if_fail (EP_IS_OUTBOX (self));
  _ep_outbox_emit_changed (self);
}

gboolean
ep_outbox_is_scheduled (gint64 not_before,
                        gint64 now)
{
  return not_before > 0 && not_before - now >= EP_OUTBOX_SCHEDULE_AFTER;
}

static void
ep_outbox_init (EpOutbox *self)
{
  self->tasks = g_list_store_new (EP_TYPE_OUTBOX_TASK);
  self->known = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_mutex_init (&self->vault_mutex);
  self->main_context = g_main_context_ref_thread_default ();
  self->first_delay = 30;
  self->max_attempts = 6;
}

EpOutbox *
ep_outbox_new (EpStore       *store,
               EpProtocolLog *log,
               const char    *data_dir)
{
  EpOutbox *self;

  g_return_val_if_fail (EP_IS_STORE (store), NULL);
  g_return_val_if_fail (EP_IS_PROTOCOL_LOG (log), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (EP_TYPE_OUTBOX, NULL);
  self->store = g_object_ref (store);
  self->log = g_object_ref (log);
  self->data_dir = g_strdup (data_dir);

  return self;
}

EpVault *
ep_outbox_get_vault (EpOutbox *self)
{
  EpVault *vault;

  g_return_val_if_fail (EP_IS_OUTBOX (self), NULL);

  g_mutex_lock (&self->vault_mutex);
  if (self->vault == NULL)
    {
      g_autofree char *path = g_build_filename (self->data_dir, "vault", NULL);
      self->vault = ep_vault_new (path);
    }
  vault = self->vault;
  g_mutex_unlock (&self->vault_mutex);
  return vault;
}

EpStore *
ep_outbox_get_store (EpOutbox *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX (self), NULL);
  return self->store;
}

EpProtocolLog *
ep_outbox_get_protocol_log (EpOutbox *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX (self), NULL);
  return self->log;
}

const char *
ep_outbox_get_data_dir (EpOutbox *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX (self), NULL);
  return self->data_dir;
}

void
ep_outbox_set_retry_policy (EpOutbox *self,
                            guint     first_delay,
                            guint     max_attempts)
{
  g_return_if_fail (EP_IS_OUTBOX (self));

  self->first_delay = first_delay;
  self->max_attempts = MAX (max_attempts, 1);
}

GListModel *
ep_outbox_get_tasks (EpOutbox *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX (self), NULL);
  return G_LIST_MODEL (self->tasks);
}

gboolean
ep_outbox_get_busy (EpOutbox *self)
{
  g_return_val_if_fail (EP_IS_OUTBOX (self), FALSE);
  return g_list_model_get_n_items (G_LIST_MODEL (self->tasks)) > 0;
}

/* ---- private ------------------------------------------------------------ */

GMainContext *
_ep_outbox_get_main_context (EpOutbox *self)
{
  return self->main_context;
}

void
_ep_outbox_get_retry_policy (EpOutbox *self,
                             guint    *first_delay,
                             guint    *max_attempts)
{
  *first_delay = self->first_delay;
  *max_attempts = self->max_attempts;
}

char *
_ep_outbox_lock_path (EpOutbox *self,
                      gint64    id)
{
  g_autofree char *name = g_strdup_printf ("campaign-%" G_GINT64_FORMAT ".lock", id);

  return g_build_filename (self->data_dir, name, NULL);
}

EpAccount *
_ep_outbox_account_snapshot (EpAccount *account)
{
  g_autoptr(GVariant) dict = ep_account_to_variant (account);

  return ep_account_new_from_variant (dict);
}

EpAccount *
_ep_outbox_find_account (EpOutbox    *self,
                         const char  *uid,
                         GError     **error)
{
  g_autoptr(GPtrArray) rows = ep_store_account_list (self->store, error);

  if (rows == NULL)
    return NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(EpAccount) account = ep_account_new_from_variant (g_ptr_array_index (rows, i));

      if (g_strcmp0 (ep_account_get_uid (account), uid) == 0)
        return g_steal_pointer (&account);
    }

  g_set_error_literal (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_NO_ACCOUNT,
                       _("The account this campaign sends from no longer exists"));
  return NULL;
}

EpOutgoing *
_ep_outbox_load_message (EpOutbox  *self,
                         gint64     id,
                         GError   **error)
{
  g_autofree char *from = NULL;
  g_auto(GStrv) to = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GPtrArray) recipients = NULL;

  if (!ep_store_message_load (self->store, id, &from, &to, &data, error))
    return NULL;
  recipients = ep_store_campaign_recipients (self->store, id, error);
  if (recipients == NULL)
    return NULL;

  return ep_outgoing_new (from, (const char * const *) to, data,
                          recipients->len > 0
                          ? ((EpStoreRecipient *) g_ptr_array_index (recipients, 0))->message_id
                          : NULL);
}

static gboolean
find_task (EpOutbox     *self,
           EpOutboxTask *task,
           guint        *position)
{
  return g_list_store_find (self->tasks, task, position);
}

void
_ep_outbox_task_started (EpOutbox     *self,
                         EpOutboxTask *task)
{
  gboolean was_busy = ep_outbox_get_busy (self);

  if (!find_task (self, task, NULL))
    g_list_store_append (self->tasks, task);
  if (!was_busy)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
_ep_outbox_task_finished (EpOutbox     *self,
                          EpOutboxTask *task)
{
  guint position;

  if (find_task (self, task, &position))
    {
      g_list_store_remove (self->tasks, position);
      if (!ep_outbox_get_busy (self))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  /* A scheduled entry may have been sent, cancelled or paused. */
  _ep_outbox_emit_changed (self);
}

/* ---- tasks -------------------------------------------------------------- */

static void
forget_task (gpointer  data,
             GObject  *where_the_object_was)
{
  EpOutbox *self = data;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == (gpointer) where_the_object_was)
      {
        g_hash_table_iter_remove (&iter);
        break;
      }
}

EpOutboxTask *
ep_outbox_find_task (EpOutbox *self,
                     gint64    id)
{
  g_return_val_if_fail (EP_IS_OUTBOX (self), NULL);
  return g_hash_table_lookup (self->known, &id);
}

EpOutboxTask *
ep_outbox_open_task (EpOutbox  *self,
                     gint64     id,
                     GError   **error)
{
  EpOutboxTask *task;
  gint64 *key;

  g_return_val_if_fail (EP_IS_OUTBOX (self), NULL);

  task = g_hash_table_lookup (self->known, &id);
  if (task != NULL)
    return g_object_ref (task);

  task = _ep_outbox_task_new (self, id, error);
  if (task == NULL)
    return NULL;

  key = g_new (gint64, 1);
  *key = id;
  /* Known while anyone holds it (a task holds the outbox, so the outbox
   * outlives every task). */
  g_hash_table_insert (self->known, key, task);
  g_object_weak_ref (G_OBJECT (task), forget_task, self);

  return task;
}

/* ---- single messages ---------------------------------------------------- */

typedef struct
{
  EpAccount *account;   /* a private copy */
  EpDraft   *draft;
  gint64     not_before;
  gboolean   scheduled;   /* decided once, when it was asked for */
  gint64     id;
  char      *message_id;
} SendOp;

static void
send_op_free (gpointer data)
{
  SendOp *op = data;

  g_clear_object (&op->account);
  g_clear_pointer (&op->draft, ep_draft_free);
  g_free (op->message_id);
  g_free (op);
}

/* Every address the message goes to, for the journal and its listing. */
static char *
envelope_text (const EpOutgoing *outgoing)
{
  return g_strjoinv (", ", outgoing->recipients);
}

static void
send_message_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  EpOutbox *self = source_object;
  SendOp *op = task_data;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(EpCampaignInfo) info = ep_campaign_info_new ();
  g_autofree char *address = NULL;
  GError *error = NULL;

  g_free (op->draft->from_name);
  op->draft->from_name = g_strdup (ep_account_get_display_name (op->account));
  g_free (op->draft->from_address);
  op->draft->from_address = g_strdup (ep_account_get_address (op->account));

  outgoing = ep_message_build (op->draft, cancellable, &error);
  if (outgoing == NULL ||
      !ep_outbox_protect_draft_message (self, outgoing, op->draft, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  info->kind = EP_CAMPAIGN_KIND_MESSAGE;
  info->account_uid = g_strdup (ep_account_get_uid (op->account));
  info->name = g_strdup (op->draft->subject ? op->draft->subject : "");
  info->not_before = op->not_before;
  info->scheduled = op->scheduled;
  address = envelope_text (outgoing);

  op->id = ep_store_message_insert (self->store, info, address, outgoing->message_id,
                                    outgoing->envelope_from,
                                    (const char * const *) outgoing->recipients,
                                    outgoing->data, &error);
  if (op->id == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  op->message_id = g_strdup (outgoing->message_id);
  /* Scheduled: the draft too, so Edit can bring it back as written;
   * never for an encrypted message, which is kept as ciphertext only. */
  if (info->scheduled && !op->draft->encrypt && op->draft->password == NULL &&
      !ep_store_message_set_draft (self->store, op->id, op->draft, &error))
    {
      g_warning ("The scheduled message cannot be edited later: %s", error->message);
      g_clear_error (&error);
    }

  g_task_return_boolean (task, TRUE);
}

void
ep_outbox_send_message_async (EpOutbox            *self,
                              EpAccount           *account,
                              const EpDraft       *draft,
                              gint64               not_before,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendOp *op;

  g_return_if_fail (EP_IS_OUTBOX (self));
  g_return_if_fail (EP_IS_ACCOUNT (account));
  g_return_if_fail (draft != NULL);

  op = g_new0 (SendOp, 1);
  op->account = _ep_outbox_account_snapshot (account);
  op->draft = ep_draft_copy (draft);
  op->not_before = not_before;
  op->scheduled = ep_outbox_is_scheduled (not_before, g_get_real_time () / G_USEC_PER_SEC);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_outbox_send_message_async);
  g_task_set_task_data (task, op, send_op_free);
  g_task_run_in_thread (task, send_message_thread);
}

EpOutboxTask *
ep_outbox_send_message_finish (EpOutbox      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  SendOp *op;
  EpOutboxTask *task;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  op = g_task_get_task_data (G_TASK (result));
  task = ep_outbox_open_task (self, op->id, error);
  if (task == NULL)
    return NULL;

  _ep_outbox_task_set_message_id (task, op->message_id);
  if (op->scheduled)
    _ep_outbox_emit_changed (self); /* a scheduler starts it when it is due */
  else
    ep_outbox_task_start (task);

  return task;
}

/* ---- after a crash ------------------------------------------------------ */

static void
resume_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EpOutbox *self = source_object;
  g_autoptr(GPtrArray) all = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GError *error = NULL;

  all = ep_store_campaign_list (self->store, &error);
  if (all == NULL)
    {
      g_array_unref (ids);
      g_task_return_error (task, error);
      return;
    }

  /* Oldest first: they go in the order they were sent. */
  for (guint i = all->len; i > 0; i--)
    {
      const EpCampaignInfo *info = g_ptr_array_index (all, i - 1);

      /* Scheduled ones (a ready entry with a time) are the scheduler's. */
      if (info->kind == EP_CAMPAIGN_KIND_MESSAGE &&
          (info->state == EP_CAMPAIGN_RUNNING ||
           (info->state == EP_CAMPAIGN_READY && info->not_before == 0)) &&
          ep_campaign_info_open (info) > 0)
        g_array_append_val (ids, info->id);
    }

  g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
}

void
ep_outbox_resume_messages_async (EpOutbox            *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_outbox_resume_messages_async);
  g_task_run_in_thread (task, resume_thread);
}

gint
ep_outbox_resume_messages_finish (EpOutbox      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_autoptr(GArray) ids = NULL;
  gint started = 0;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  ids = g_task_propagate_pointer (G_TASK (result), error);
  if (ids == NULL)
    return -1;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(EpOutboxTask) task = ep_outbox_open_task (self, g_array_index (ids, gint64, i),
                                                          &local_error);

      if (task == NULL)
        {
          g_warning ("Could not resume a message from the outbox: %s", local_error->message);
          continue;
        }
      if (!ep_outbox_task_get_running (task))
        {
          ep_outbox_task_start (task);
          started++;
        }
    }

  return started;
}

/* ---- reads -------------------------------------------------------------- */

static void
list_campaigns_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  EpOutbox *self = source_object;
  GError *error = NULL;
  GPtrArray *all = GPOINTER_TO_INT (task_data)
                   ? ep_store_campaign_list_timed (self->store, &error)
                   : ep_store_campaign_list (self->store, &error);

  if (all == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, all, (GDestroyNotify) g_ptr_array_unref);
}

void
ep_outbox_list_campaigns_async (EpOutbox            *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_outbox_list_campaigns_async);
  g_task_run_in_thread (task, list_campaigns_thread);
}

void
ep_outbox_list_timed_async (EpOutbox            *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EP_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  /* Read back by ep_outbox_list_campaigns_finish (). */
  g_task_set_source_tag (task, ep_outbox_list_campaigns_async);
  g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
  g_task_run_in_thread (task, list_campaigns_thread);
}

GPtrArray *
ep_outbox_list_campaigns_finish (EpOutbox      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_recipients_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  EpOutbox *self = source_object;
  gint64 *id = task_data;
  GError *error = NULL;
  GPtrArray *list = ep_store_campaign_recipients (self->store, *id, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
ep_outbox_list_recipients_async (EpOutbox            *self,
                                 gint64               id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gint64 *data;

  g_return_if_fail (EP_IS_OUTBOX (self));

  data = g_new (gint64, 1);
  *data = id;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_outbox_list_recipients_async);
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, list_recipients_thread);
}

GPtrArray *
ep_outbox_list_recipients_finish (EpOutbox      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- send later --------------------------------------------------------- */

typedef struct
{
  gint64 id;
  gint64 not_before;
} RescheduleOp;

static void
reschedule_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  EpOutbox *self = source_object;
  RescheduleOp *op = task_data;
  g_autoptr(EpCampaignInfo) info = NULL;
  GError *error = NULL;

  info = ep_store_campaign_lookup (self->store, op->id, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Waiting, or held back because it could not go (then it waits again). */
  if ((info->state != EP_CAMPAIGN_READY && !(info->state == EP_CAMPAIGN_PAUSED && info->scheduled)) ||
      info->not_before == 0)
    {
      g_task_return_new_error (task, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                               _("“%s” is no longer waiting to be sent, so it cannot be "
                                 "rescheduled"), info->name);
      return;
    }
  if (!ep_store_campaign_set_not_before (self->store, op->id, op->not_before, &error) ||
      (info->state == EP_CAMPAIGN_PAUSED &&
       !ep_store_campaign_set_state (self->store, op->id, EP_CAMPAIGN_READY, NULL, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
ep_outbox_reschedule_async (EpOutbox            *self,
                            gint64               id,
                            gint64               not_before,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RescheduleOp *op;
  EpOutboxTask *open;

  g_return_if_fail (EP_IS_OUTBOX (self));
  g_return_if_fail (not_before > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_outbox_reschedule_async);
  open = g_hash_table_lookup (self->known, &id);
  if (open != NULL && ep_outbox_task_get_running (open))
    {
      g_task_return_new_error (task, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                               _("“%s” is being sent now, so it cannot be rescheduled"),
                               ep_outbox_task_get_name (open));
      return;
    }
  op = g_new0 (RescheduleOp, 1);
  op->id = id;
  op->not_before = not_before;
  g_task_set_task_data (task, op, g_free);
  g_task_run_in_thread (task, reschedule_thread);
}

gboolean
ep_outbox_reschedule_finish (EpOutbox      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  _ep_outbox_emit_changed (self);
  return TRUE;
}

/* ---- taking a scheduled message back ------------------------------------ */

static void
take_back_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  EpOutbox *self = source_object;
  gint64 id = *(gint64 *) task_data;
  g_autofree char *lock_path = _ep_outbox_lock_path (self, id);
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autoptr(EpDraft) draft = NULL;
  GError *error = NULL;
  int fd;

  /* The sender's lock: no process (the scheduler, epistle-cli) can start
   * it while it is taken back, and one that has it makes this fail. */
  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_task_return_new_error (task, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                               _("The message is being sent now, so it cannot be edited"));
      return;
    }

  info = ep_store_campaign_lookup (self->store, id, &error);
  if (info != NULL && (info->kind != EP_CAMPAIGN_KIND_MESSAGE || !ep_campaign_info_is_waiting (info)))
    g_set_error (&error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                 _("“%s” is no longer waiting to be sent, so it cannot be edited"), info->name);
  /* The draft first, kept with the drafts before the entry goes: from
   * here on nothing can lose it, even if no window takes it. */
  if (error == NULL)
    draft = ep_store_message_load_draft (self->store, id, &error);
  if (draft != NULL)
    {
      draft->id = 0;
      draft->id = ep_store_draft_save (self->store, draft, &error);
      if (draft->id == 0 || !ep_store_campaign_delete (self->store, id, &error))
        g_clear_pointer (&draft, ep_draft_free);
    }
  if (fd >= 0)
    close (fd);   /* unlocks */

  if (draft == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&draft), (GDestroyNotify) ep_draft_free);
}

void
ep_outbox_take_back_async (EpOutbox            *self,
                           gint64               id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EpOutboxTask *open;
  gint64 *data;

  g_return_if_fail (EP_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_outbox_take_back_async);
  open = g_hash_table_lookup (self->known, &id);
  if (open != NULL && ep_outbox_task_get_running (open))
    {
      g_task_return_new_error (task, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                               _("“%s” is being sent now, so it cannot be edited"),
                               ep_outbox_task_get_name (open));
      return;
    }
  data = g_new (gint64, 1);
  *data = id;
  g_task_set_task_data (task, data, g_free);
  /* Once it has run, its result counts even if the caller gave up. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, take_back_thread);
}

EpDraft *
ep_outbox_take_back_finish (EpOutbox      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  EpDraft *draft;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  draft = g_task_propagate_pointer (G_TASK (result), error);
  if (draft != NULL)
    _ep_outbox_emit_changed (self);
  return draft;
}

GArray *
ep_outbox_plan_spread (EpOutbox            *self,
                       const char          *account_uid,
                       guint                n,
                       guint                daily_limit,
                       guint                rate,
                       gint64               start,
                       const EpSendWindow  *window,
                       GError             **error)
{
  g_autoptr(GArray) recent = NULL;

  g_return_val_if_fail (EP_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (account_uid != NULL, NULL);

  recent = ep_store_sent_times_since (self->store, account_uid, start - 24 * 3600, error);
  if (recent == NULL)
    return NULL;
  return ep_spread_plan_compute (n, daily_limit, rate, start, window, NULL, recent);
}

gboolean
ep_outbox_is_sending (EpOutbox *self,
                      gint64    id)
{
  g_autofree char *lock_path = NULL;
  gboolean held;
  int fd;

  g_return_val_if_fail (EP_IS_OUTBOX (self), FALSE);

  lock_path = _ep_outbox_lock_path (self, id);
  fd = g_open (lock_path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;   /* never sent by anyone */
  /* Each open is its own lock (flock), so a sender in this process counts. */
  held = flock (fd, LOCK_SH | LOCK_NB) != 0;
  close (fd);
  return held;
}
