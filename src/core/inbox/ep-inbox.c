/* ep-inbox.c: received mail as a service
 *
 * Syncs, body fetches and flag changes run as GTasks in worker threads,
 * each with its own IMAP session; results and signals come back in the
 * main context the inbox was made in. Watching for new mail is one
 * thread per account blocked in IDLE (cancellable), which only asks the
 * main context for a sync: the cache is written by syncs alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-inbox"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-context.h"
#include "inbox/ep-inbox.h"

#define IDLE_SECONDS   (25 * 60)   /* servers may drop an IDLE after 30 min */
#define MAX_BACKOFF    600

struct _EpInbox
{
  GObject       parent_instance;
  EpContext    *context;     /* not owned: it owns us */
  GMainContext *main_context;
  GHashTable   *syncing;     /* account uid → SyncState* */
  GPtrArray    *watchers;    /* Watcher*: the current ones */
  GPtrArray    *retired;     /* Watcher*: cancelled, ending on their own */
  GCancellable *watch_cancellable;
};

G_DEFINE_FINAL_TYPE (EpInbox, ep_inbox, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_NEW_MAIL, SIGNAL_SYNC_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct
{
  GPtrArray *waiting;       /* GTask: callers this run completes */
  GPtrArray *next_waiting;  /* GTask: callers who asked during it */
  gboolean   again;         /* asked for during the run: one more */
  gboolean   again_inbox_only;
} SyncState;

typedef struct
{
  EpInbox      *inbox;       /* ref while the thread runs */
  EpAccount    *account;
  GCancellable *cancellable;
  guint         poll_seconds;
  GThread      *thread;
} Watcher;

static void
sync_state_free (SyncState *state)
{
  g_clear_pointer (&state->waiting, g_ptr_array_unref);
  g_clear_pointer (&state->next_waiting, g_ptr_array_unref);
  g_free (state);
}

static void
ep_inbox_dispose (GObject *object)
{
  EpInbox *self = EP_INBOX (object);

  ep_inbox_stop_watching (self);
  G_OBJECT_CLASS (ep_inbox_parent_class)->dispose (object);
}

static void
ep_inbox_finalize (GObject *object)
{
  EpInbox *self = EP_INBOX (object);

  g_clear_pointer (&self->syncing, g_hash_table_unref);
  g_clear_pointer (&self->watchers, g_ptr_array_unref);
  g_clear_pointer (&self->retired, g_ptr_array_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  G_OBJECT_CLASS (ep_inbox_parent_class)->finalize (object);
}

static void
ep_inbox_class_init (EpInboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ep_inbox_dispose;
  object_class->finalize = ep_inbox_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_NEW_MAIL] =
    g_signal_new ("new-mail", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
  signals[SIGNAL_SYNC_FAILED] =
    g_signal_new ("sync-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
ep_inbox_init (EpInbox *self)
{
  self->syncing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) sync_state_free);
  self->watchers = g_ptr_array_new ();
  self->retired = g_ptr_array_new ();
  self->main_context = g_main_context_ref_thread_default ();
}

EpInbox *
ep_inbox_new (EpContext *context)
{
  EpInbox *self = g_object_new (EP_TYPE_INBOX, NULL);

  self->context = context;
  return self;
}

/* ---- sync ---- */

typedef struct
{
  EpAccount        *account;
  gboolean          inbox_only;
  EpInboxSyncStats  stats;
} SyncData;

static void
sync_data_free (SyncData *data)
{
  g_clear_object (&data->account);
  g_free (data);
}

static EpServerConfig *
imap_config (EpContext     *context,
             EpAccount     *account,
             GCancellable  *cancellable,
             GError       **error)
{
  const char *host = ep_account_get_imap_host (account);

  if (host == NULL || *host == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The account “%s” has no IMAP server"), ep_account_get_name (account));
      return NULL;
    }
  return ep_context_imap_config_sync (context, account, cancellable, error);
}

static void
sync_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EpInbox *self = source_object;
  SyncData *data = task_data;
  g_autoptr(EpServerConfig) config = NULL;
  GError *error = NULL;

  config = imap_config (self->context, data->account, cancellable, &error);
  if (config == NULL ||
      !ep_inbox_sync_account (ep_context_get_store (self->context), ep_account_get_uid (data->account),
                              config, data->inbox_only, ep_context_get_protocol_log (self->context),
                              NULL, NULL, &data->stats, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static SyncState *start_sync (EpInbox *self, EpAccount *account, gboolean inbox_only);

static void
sync_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  EpInbox *self = EP_INBOX (object);
  GTask *task = G_TASK (result);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(EpAccount) account = g_object_ref (data->account);
  const char *uid = ep_account_get_uid (account);
  SyncState *state = g_hash_table_lookup (self->syncing, uid);
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) next_waiting = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (task, &error);
  gboolean again, again_inbox_only;

  g_return_if_fail (state != NULL);
  waiting = g_steal_pointer (&state->waiting);
  next_waiting = g_steal_pointer (&state->next_waiting);
  again = state->again;
  again_inbox_only = state->again_inbox_only;
  g_hash_table_remove (self->syncing, uid);

  if (ok)
    {
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, uid);
      if (data->stats.new_in_inbox > 0)
        g_signal_emit (self, signals[SIGNAL_NEW_MAIL], 0, uid, data->stats.new_in_inbox);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* What was cached stays readable. */
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, uid);
      g_signal_emit (self, signals[SIGNAL_SYNC_FAILED], 0, uid, error);
    }

  for (guint i = 0; i < waiting->len; i++)
    {
      GTask *caller = g_ptr_array_index (waiting, i);

      if (ok)
        {
          EpInboxSyncStats *stats = g_memdup2 (&data->stats, sizeof data->stats);

          g_task_return_pointer (caller, stats, g_free);
        }
      else
        g_task_return_error (caller, g_error_copy (error));
    }

  /* Who asked during that run is answered by the next one. */
  if (again)
    {
      SyncState *next = start_sync (self, account, again_inbox_only);

      g_ptr_array_extend_and_steal (next->waiting, g_steal_pointer (&next_waiting));
    }
}

static SyncState *
start_sync (EpInbox   *self,
            EpAccount *account,
            gboolean   inbox_only)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, sync_done, NULL);
  SyncData *data = g_new0 (SyncData, 1);
  SyncState *state = g_new0 (SyncState, 1);

  state->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  state->next_waiting = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_insert (self->syncing, g_strdup (ep_account_get_uid (account)), state);
  data->account = g_object_ref (account);
  data->inbox_only = inbox_only;
  g_task_set_task_data (task, data, (GDestroyNotify) sync_data_free);
  g_task_run_in_thread (task, sync_thread);
  return state;
}

void
ep_inbox_sync_async (EpInbox             *self,
                     EpAccount           *account,
                     gboolean             inbox_only,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) caller = NULL;
  SyncState *state;

  g_return_if_fail (EP_IS_INBOX (self));
  g_return_if_fail (EP_IS_ACCOUNT (account));

  caller = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (caller, ep_inbox_sync_async);

  state = g_hash_table_lookup (self->syncing, ep_account_get_uid (account));
  if (state != NULL)
    {
      /* Folded into one more run after the one under way (all folders if
       * anyone asked for all). */
      state->again_inbox_only = state->again ? state->again_inbox_only && inbox_only : inbox_only;
      state->again = TRUE;
      g_ptr_array_add (state->next_waiting, g_steal_pointer (&caller));
      return;
    }
  state = start_sync (self, account, inbox_only);
  g_ptr_array_add (state->waiting, g_steal_pointer (&caller));
}

gboolean
ep_inbox_sync_finish (EpInbox           *self,
                      GAsyncResult      *result,
                      EpInboxSyncStats  *stats,
                      GError           **error)
{
  g_autofree EpInboxSyncStats *got = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  got = g_task_propagate_pointer (G_TASK (result), error);
  if (got == NULL)
    return FALSE;
  if (stats != NULL)
    *stats = *got;
  return TRUE;
}

gboolean
ep_inbox_is_syncing (EpInbox    *self,
                     const char *account_uid)
{
  g_return_val_if_fail (EP_IS_INBOX (self), FALSE);
  return g_hash_table_contains (self->syncing, account_uid);
}

/* ---- one message ---- */

typedef struct
{
  gint64        id;
  EpInboxFlags  flag;
  gboolean      set;
} MessageData;

static EpServerConfig *
config_for_message (EpInbox       *self,
                    gint64         id,
                    GCancellable  *cancellable,
                    GError       **error)
{
  EpStore *store = ep_context_get_store (self->context);
  g_autoptr(EpInboxSummary) summary = ep_store_inbox_lookup (store, id, error);
  g_autoptr(EpInboxFolder) folder = NULL;
  g_autoptr(EpAccount) account = NULL;

  if (summary == NULL ||
      (folder = ep_store_inbox_folder_lookup (store, summary->folder_id, error)) == NULL ||
      (account = ep_context_find_account (self->context, folder->account_uid, error)) == NULL)
    return NULL;
  return imap_config (self->context, account, cancellable, error);
}

static void
fetch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  EpInbox *self = source_object;
  MessageData *data = task_data;
  EpStore *store = ep_context_get_store (self->context);
  g_autoptr(EpServerConfig) config = NULL;
  GError *error = NULL;
  GBytes *body;

  /* Offline: what is cached needs no server. */
  body = ep_store_inbox_body (store, data->id, &error);
  if (body == NULL && error == NULL)
    {
      config = config_for_message (self, data->id, cancellable, &error);
      if (config != NULL)
        body = ep_inbox_fetch_body (store, config, data->id, ep_context_get_protocol_log (self->context),
                                    cancellable, &error);
    }
  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, body, (GDestroyNotify) g_bytes_unref);
}

void
ep_inbox_fetch_body_async (EpInbox             *self,
                           gint64               message_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MessageData *data = g_new0 (MessageData, 1);

  g_return_if_fail (EP_IS_INBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_inbox_fetch_body_async);
  data->id = message_id;
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, fetch_thread);
}

GBytes *
ep_inbox_fetch_body_finish (EpInbox       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  gint64  id;
  GBytes *raw;
  char   *password;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_pointer (&data->raw, g_bytes_unref);
  if (data->password != NULL)
    {
      memset (data->password, 0, strlen (data->password));
      g_free (data->password);
    }
  g_free (data);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EpInbox *self = source_object;
  OpenData *data = task_data;
  g_autoptr(EpInboxSummary) summary = ep_store_inbox_lookup (ep_context_get_store (self->context),
                                                             data->id, NULL);
  EpVault *vault = NULL;
  GError *error = NULL;
  EpReadMessage *message;

  /* The vault only for private mail (loading it may take the keyring). */
  if (summary == NULL || summary->encrypted || summary->is_signed)
    {
      g_autoptr(GError) vault_error = NULL;

      vault = ep_context_get_vault (self->context);
      if (!ep_vault_is_loaded (vault) && !ep_vault_load_sync (vault, NULL, cancellable, &vault_error))
        {
          g_debug ("Vault: %s", vault_error->message);
          vault = NULL;
        }
    }
  message = ep_read_message_parse (data->raw, vault, data->password, TRUE, &error);
  if (message == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, message, (GDestroyNotify) ep_read_message_free);
}

void
ep_inbox_open_message_async (EpInbox             *self,
                             gint64               message_id,
                             GBytes              *raw,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data = g_new0 (OpenData, 1);

  g_return_if_fail (EP_IS_INBOX (self));
  g_return_if_fail (raw != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_inbox_open_message_async);
  data->id = message_id;
  data->raw = g_bytes_ref (raw);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

EpReadMessage *
ep_inbox_open_message_finish (EpInbox       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
flag_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EpInbox *self = source_object;
  MessageData *data = task_data;
  g_autoptr(EpServerConfig) config = NULL;
  GError *error = NULL;

  config = config_for_message (self, data->id, cancellable, &error);
  if (config == NULL ||
      !ep_inbox_store_flag (ep_context_get_store (self->context), config, data->id, data->flag,
                            data->set, ep_context_get_protocol_log (self->context), cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
flag_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *caller = user_data;
  GError *error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_signal_emit (object, signals[SIGNAL_CHANGED], 0, NULL);
      g_task_return_boolean (caller, TRUE);
    }
  else
    g_task_return_error (caller, error);
  g_object_unref (caller);
}

void
ep_inbox_set_flag_async (EpInbox             *self,
                         gint64               message_id,
                         EpInboxFlags         flag,
                         gboolean             set,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GTask *caller;
  MessageData *data = g_new0 (MessageData, 1);

  g_return_if_fail (EP_IS_INBOX (self));

  caller = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (caller, ep_inbox_set_flag_async);
  task = g_task_new (self, cancellable, flag_done, caller);
  data->id = message_id;
  data->flag = flag;
  data->set = set;
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, flag_thread);
}

gboolean
ep_inbox_set_flag_finish (EpInbox       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- watching ---- */

typedef struct
{
  EpInbox   *inbox;
  EpAccount *account;
} SyncRequest;

static gboolean
request_sync_cb (gpointer user_data)
{
  SyncRequest *request = user_data;

  /* New mail is in the Inbox: only it is synced. */
  ep_inbox_sync_async (request->inbox, request->account, TRUE, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
sync_request_free (SyncRequest *request)
{
  g_object_unref (request->inbox);
  g_object_unref (request->account);
  g_free (request);
}

static void
request_sync (Watcher *w)
{
  SyncRequest *request = g_new0 (SyncRequest, 1);

  request->inbox = g_object_ref (w->inbox);
  request->account = g_object_ref (w->account);
  g_main_context_invoke_full (w->inbox->main_context, G_PRIORITY_DEFAULT, request_sync_cb,
                              request, (GDestroyNotify) sync_request_free);
}

static gpointer
watch_thread (gpointer user_data)
{
  Watcher *w = user_data;
  guint backoff = 0;
  gboolean catch_up = FALSE;

  while (!g_cancellable_is_cancelled (w->cancellable))
    {
      g_autoptr(EpServerConfig) config = NULL;
      g_autoptr(GError) error = NULL;
      gboolean changed = FALSE;

      /* IDLE reports only what happens while it waits: after being away
       * (offline, asleep, a server restart), look first. */
      if (catch_up)
        {
          request_sync (w);
          catch_up = FALSE;
        }

      config = imap_config (w->inbox->context, w->account, w->cancellable, &error);
      if (config != NULL)
        ep_inbox_wait_for_change (config, w->poll_seconds > 0 ? w->poll_seconds : IDLE_SECONDS,
                                  &changed, NULL, w->cancellable, &error);
      if (g_cancellable_is_cancelled (w->cancellable))
        break;

      if (error == NULL)
        {
          /* A change, or IDLE renewed after its time: either way the gap
           * between two sessions is covered by a sync. */
          backoff = 0;
          request_sync (w);
        }
      else
        {
          GPollFD pfd = { 0 };

          /* Offline, asleep, a server restart: wait longer each time. */
          backoff = MIN (MAX (backoff * 2, 30), MAX_BACKOFF);
          g_debug ("Watching %s: %s; again in %u s", ep_account_get_name (w->account),
                   error->message, backoff);
          if (g_cancellable_make_pollfd (w->cancellable, &pfd))
            {
              pfd.events = G_IO_IN;
              g_poll (&pfd, 1, (int) backoff * 1000);
              g_cancellable_release_fd (w->cancellable);
            }
          catch_up = TRUE;
        }
    }
  return NULL;
}

static void
watcher_free (Watcher *w)
{
  g_thread_join (w->thread);
  g_object_unref (w->account);
  g_object_unref (w->cancellable);
  g_object_unref (w->inbox);
  g_free (w);
}

void
ep_inbox_start_watching (EpInbox *self,
                         guint    poll_seconds)
{
  g_autoptr(GPtrArray) accounts = NULL;

  g_return_if_fail (EP_IS_INBOX (self));

  /* The old watchers end on their own (IDLE's DONE takes a moment): the
   * main loop does not wait for them. */
  if (self->watch_cancellable != NULL)
    {
      g_cancellable_cancel (self->watch_cancellable);
      g_clear_object (&self->watch_cancellable);
      g_ptr_array_extend_and_steal (self->retired, g_steal_pointer (&self->watchers));
      self->watchers = g_ptr_array_new ();
    }

  accounts = ep_context_list_accounts (self->context, NULL);
  if (accounts == NULL)
    return;

  self->watch_cancellable = g_cancellable_new ();
  for (guint i = 0; i < accounts->len; i++)
    {
      EpAccount *account = g_ptr_array_index (accounts, i);
      const char *host = ep_account_get_imap_host (account);
      Watcher *w;

      if (host == NULL || *host == '\0')
        continue;
      w = g_new0 (Watcher, 1);
      w->inbox = g_object_ref (self);
      w->account = g_object_ref (account);
      w->cancellable = g_object_ref (self->watch_cancellable);
      w->poll_seconds = poll_seconds;
      w->thread = g_thread_new ("ep-inbox-watch", watch_thread, w);
      g_ptr_array_add (self->watchers, w);
    }
}

void
ep_inbox_stop_watching (EpInbox *self)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();

  g_return_if_fail (EP_IS_INBOX (self));

  if (self->watch_cancellable != NULL)
    g_cancellable_cancel (self->watch_cancellable);
  g_clear_object (&self->watch_cancellable);
  g_ptr_array_extend_and_steal (all, g_steal_pointer (&self->watchers));
  g_ptr_array_extend_and_steal (all, g_steal_pointer (&self->retired));
  self->watchers = g_ptr_array_new ();
  self->retired = g_ptr_array_new ();
  /* At the end (the context going): each ends within a few seconds of
   * being cancelled (IDLE's DONE, LOGOUT). */
  for (guint i = 0; i < all->len; i++)
    watcher_free (g_ptr_array_index (all, i));
}
