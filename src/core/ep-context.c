/* ep-context.c: owns the store and the protocol log; glues accounts,
 * keyring and transports together for the front ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-context"

#include "config.h"

#include <string.h>
#include <curl/curl.h>
#include <gmime/gmime.h>
#include <glib/gi18n-lib.h>

#include "ep-context.h"
#include "account/ep-account-secret.h"
#include "account/ep-account-server.h"
#include "inbox/ep-inbox.h"

struct _EpContext
{
  GObject        parent_instance;
  EpStore       *store;
  EpProtocolLog *log;
  EpOutbox      *outbox;
  EpInbox       *inbox;    /* made when first asked for */
  char          *data_dir;
  GMainContext  *main_context;
};

G_DEFINE_FINAL_TYPE (EpContext, ep_context, G_TYPE_OBJECT)

enum {
  ACCOUNTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Process setup, before any thread starts (libcurl's global init is not
 * thread-safe on every backend). */
void
ep_core_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_mime_init ();
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}

void
ep_core_shutdown (void)
{
  g_mime_shutdown ();
  curl_global_cleanup ();
}

static void
ep_context_finalize (GObject *object)
{
  EpContext *self = (EpContext *)object;

  if (self->inbox != NULL)
    ep_inbox_stop_watching (self->inbox);
  g_clear_object (&self->inbox);
  g_clear_object (&self->outbox);
  g_clear_object (&self->store);
  g_clear_object (&self->log);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->main_context, g_main_context_unref);

  G_OBJECT_CLASS (ep_context_parent_class)->finalize (object);
}

static void
ep_context_class_init (EpContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_context_finalize;

  signals[ACCOUNTS_CHANGED] =
    g_signal_new ("accounts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ep_context_init (EpContext *self)
{
  self->log = ep_protocol_log_new (5000);
  self->main_context = g_main_context_ref_thread_default ();
}

/* @data_dir: where epistle.db lives; NULL for $XDG_DATA_HOME/epistle. */
EpContext *
ep_context_new (const char  *data_dir,
                GError     **error)
{
  g_autoptr(EpContext) self = g_object_new (EP_TYPE_CONTEXT, NULL);
  g_autofree char *db_path = NULL;

  self->data_dir = data_dir ? g_strdup (data_dir)
                            : g_build_filename (g_get_user_data_dir (), "epistle", NULL);
  db_path = g_build_filename (self->data_dir, "epistle.db", NULL);

  self->store = ep_store_new (db_path, error);
  if (self->store == NULL)
    return NULL;
  self->outbox = ep_outbox_new (self->store, self->log, self->data_dir);

  return g_steal_pointer (&self);
}

EpStore *
ep_context_get_store (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  return self->store;
}

EpProtocolLog *
ep_context_get_protocol_log (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  return self->log;
}

EpOutbox *
ep_context_get_outbox (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  return self->outbox;
}

EpInbox *
ep_context_get_inbox (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  if (self->inbox == NULL)
    self->inbox = ep_inbox_new (self);
  return self->inbox;
}

EpVault *
ep_context_get_vault (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  return ep_outbox_get_vault (self->outbox);
}

const char *
ep_context_get_data_dir (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  return self->data_dir;
}

GPtrArray *
ep_context_list_accounts (EpContext  *self,
                          GError    **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *accounts;

  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);

  rows = ep_store_account_list (self->store, error);
  if (rows == NULL)
    return NULL;

  accounts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (accounts, ep_account_new_from_variant (g_ptr_array_index (rows, i)));

  return accounts;
}

EpAccount *
ep_context_find_account (EpContext   *self,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(GVariant) row = NULL;

  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);

  row = ep_store_account_lookup (self->store, name, error);
  if (row == NULL)
    return NULL;

  return ep_account_new_from_variant (row);
}

/* Saves @account, and @secret (if any) in the keyring. Either both are
 * saved or neither: an account whose password is lost would fail later,
 * far from the cause. Blocks: call from a worker in the UI. */
gboolean
ep_context_add_account (EpContext     *self,
                        EpAccount     *account,
                        const char    *secret,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (EP_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (EP_IS_ACCOUNT (account), FALSE);

  if (!ep_account_validate (account, error))
    return FALSE;

  existing = ep_store_account_list (self->store, error);
  if (existing == NULL)
    return FALSE;
  if (existing->len == 0)
    g_object_set (account, "is-default", TRUE, NULL);

  dict = ep_account_to_variant (account);
  if (!ep_store_account_insert (self->store, dict, error))
    {
      if (g_error_matches (*error, EP_STORE_ERROR, EP_STORE_ERROR_EXISTS))
        {
          g_clear_error (error);
          g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_EXISTS,
                       _("An account named “%s” already exists"), ep_account_get_name (account));
        }
      return FALSE;
    }

  if (secret != NULL && *secret != '\0')
    {
      label = g_strdup_printf (_("Epistle account “%s” (%s)"), ep_account_get_name (account),
                               ep_account_get_address (account));
      if (!ep_account_secret_store_sync (ep_account_get_uid (account), label, secret,
                                         cancellable, error))
        {
          ep_store_account_delete (self->store, ep_account_get_uid (account), NULL);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
ep_context_remove_account (EpContext     *self,
                           EpAccount     *account,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (EP_IS_ACCOUNT (account), FALSE);

  /* Keyring first: a stale account row is visible and removable again;
   * a stale keyring item would be an orphaned password nobody sees. */
  if (!ep_account_secret_clear_sync (ep_account_get_uid (account), cancellable, error))
    return FALSE;

  return ep_store_account_delete (self->store, ep_account_get_uid (account), error);
}

/* Kept for the callers not yet moved to account/ep-account-server.h. */
EpServerConfig *
ep_context_server_config (EpAccount  *account,
                          gboolean    imap,
                          const char *secret)
{
  return ep_account_server_config (account, imap, secret);
}

EpServerConfig *
ep_context_smtp_config_sync (EpContext     *self,
                             EpAccount     *account,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return ep_account_smtp_config_sync (account, cancellable, error);
}

EpServerConfig *
ep_context_imap_config_sync (EpContext     *self,
                             EpAccount     *account,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return ep_account_imap_config_sync (account, cancellable, error);
}

/* ---- async operations ------------------------------------------------- */

typedef enum
{
  OP_ADD_ACCOUNT,
  OP_UPDATE_ACCOUNT,
  OP_REMOVE_ACCOUNT,
  OP_SET_DEFAULT,
  OP_STORE_SECRET,
  OP_LIST_ACCOUNTS,
  OP_SAVE_DRAFT,
  OP_LOAD_DRAFT,
  OP_DELETE_DRAFT,
  OP_SAVE_MERGE_DRAFT,
  OP_LOAD_MERGE_DRAFT,
  OP_DELETE_MERGE_DRAFT,
} OpKind;

typedef struct
{
  OpKind      kind;
  EpAccount  *account;     /* a private copy: the worker owns it */
  char       *secret;
  EpDraft    *draft;       /* a private copy, as for @account */
  gint64      id;
  char       *path;        /* the merge draft's spreadsheet */
  GVariant   *message;     /* the merge draft's message (immutable) */
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_clear_object (&op->account);
  if (op->secret != NULL)
    {
      memset (op->secret, 0, strlen (op->secret));
      g_free (op->secret);
    }
  g_clear_pointer (&op->draft, ep_draft_free);
  g_clear_pointer (&op->message, g_variant_unref);
  g_free (op->path);
  g_free (op);
}

static gboolean
emit_accounts_changed_cb (gpointer data)
{
  g_signal_emit (data, signals[ACCOUNTS_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
accounts_changed_from_thread (EpContext *self)
{
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, emit_accounts_changed_cb,
                              g_object_ref (self), g_object_unref);
}

static gboolean
update_account_sync (EpContext     *self,
                     EpAccount     *account,
                     const char    *secret,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GVariant) dict = NULL;

  if (!ep_account_validate (account, error))
    return FALSE;

  dict = ep_account_to_variant (account);
  if (!ep_store_account_update (self->store, dict, error))
    return FALSE;

  if (secret != NULL && *secret != '\0')
    {
      g_autofree char *label = g_strdup_printf (_("Epistle account “%s” (%s)"),
                                                ep_account_get_name (account),
                                                ep_account_get_address (account));
      return ep_account_secret_store_sync (ep_account_get_uid (account), label, secret,
                                           cancellable, error);
    }

  return TRUE;
}

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  EpContext *self = source_object;
  Op *op = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (op->kind)
    {
    case OP_ADD_ACCOUNT:
      ok = ep_context_add_account (self, op->account, op->secret, cancellable, &error);
      break;

    case OP_UPDATE_ACCOUNT:
      ok = update_account_sync (self, op->account, op->secret, cancellable, &error);
      break;

    case OP_REMOVE_ACCOUNT:
      ok = ep_context_remove_account (self, op->account, cancellable, &error);
      break;

    case OP_SET_DEFAULT:
      ok = ep_store_account_set_default (self->store, ep_account_get_uid (op->account), &error);
      break;

    case OP_STORE_SECRET:
      {
        g_autofree char *label = g_strdup_printf (_("Epistle account “%s” (%s)"),
                                                  ep_account_get_name (op->account),
                                                  ep_account_get_address (op->account));
        ok = ep_account_secret_store_sync (ep_account_get_uid (op->account), label,
                                           op->secret, cancellable, &error);
      }
      break;

    case OP_LIST_ACCOUNTS:
      {
        GPtrArray *list = ep_context_list_accounts (self, &error);

        if (list != NULL)
          g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
        else
          g_task_return_error (task, error);
        return;
      }

    case OP_SAVE_DRAFT:
      {
        gint64 id = ep_store_draft_save (self->store, op->draft, &error);

        if (id > 0)
          g_task_return_int (task, id);
        else
          g_task_return_error (task, error);
        return;
      }

    case OP_LOAD_DRAFT:
      {
        EpDraft *draft = ep_store_draft_load_latest (self->store, &error);

        if (error != NULL)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, draft, draft ? (GDestroyNotify) ep_draft_free : NULL);
        return;
      }

    case OP_DELETE_DRAFT:
      ok = ep_store_draft_delete (self->store, op->id, &error);
      break;

    case OP_SAVE_MERGE_DRAFT:
      ok = ep_store_merge_draft_save (self->store, op->path, op->message, &error);
      break;

    case OP_LOAD_MERGE_DRAFT:
      {
        g_autofree char *path = NULL;
        g_autoptr(GVariant) message = ep_store_merge_draft_load (self->store, &path, &error);

        if (error != NULL)
          g_task_return_error (task, error);
        else if (message == NULL)
          g_task_return_pointer (task, NULL, NULL);
        else
          g_task_return_pointer (task, g_variant_ref_sink (g_variant_new ("(s@a{sv})", path, message)),
                                 (GDestroyNotify) g_variant_unref);
        return;
      }

    case OP_DELETE_MERGE_DRAFT:
      ok = ep_store_merge_draft_delete (self->store, &error);
      break;

    default:
      g_assert_not_reached ();
    }

  if (ok && (op->kind == OP_ADD_ACCOUNT || op->kind == OP_UPDATE_ACCOUNT ||
             op->kind == OP_REMOVE_ACCOUNT || op->kind == OP_SET_DEFAULT))
    accounts_changed_from_thread (self);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static EpAccount *
account_snapshot (EpAccount *account)
{
  g_autoptr(GVariant) dict = ep_account_to_variant (account);

  return ep_account_new_from_variant (dict);
}

static void
run_op (EpContext           *self,
        Op                  *op,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, op_free);
  g_task_run_in_thread (task, op_thread);
}

static Op *
account_op (OpKind      kind,
            EpAccount  *account,
            const char *secret)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->account = account_snapshot (account);
  op->secret = g_strdup (secret);
  return op;
}

void
ep_context_add_account_async (EpContext           *self,
                              EpAccount           *account,
                              const char          *secret,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (EP_IS_CONTEXT (self));
  run_op (self, account_op (OP_ADD_ACCOUNT, account, secret), ep_context_account_op_finish,
          cancellable, callback, user_data);
}

void
ep_context_update_account_async (EpContext           *self,
                                 EpAccount           *account,
                                 const char          *secret,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (EP_IS_CONTEXT (self));
  run_op (self, account_op (OP_UPDATE_ACCOUNT, account, secret), ep_context_account_op_finish,
          cancellable, callback, user_data);
}

void
ep_context_remove_account_async (EpContext           *self,
                                 EpAccount           *account,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (EP_IS_CONTEXT (self));
  run_op (self, account_op (OP_REMOVE_ACCOUNT, account, NULL), ep_context_account_op_finish,
          cancellable, callback, user_data);
}

void
ep_context_set_default_account_async (EpContext           *self,
                                      EpAccount           *account,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (EP_IS_CONTEXT (self));
  run_op (self, account_op (OP_SET_DEFAULT, account, NULL), ep_context_account_op_finish,
          cancellable, callback, user_data);
}

void
ep_context_store_secret_async (EpContext           *self,
                               EpAccount           *account,
                               const char          *secret,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (EP_IS_CONTEXT (self));
  g_return_if_fail (secret != NULL);
  run_op (self, account_op (OP_STORE_SECRET, account, secret), ep_context_account_op_finish,
          cancellable, callback, user_data);
}

gboolean
ep_context_account_op_finish (EpContext     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ep_context_list_accounts_async (EpContext           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_LIST_ACCOUNTS;
  run_op (self, op, ep_context_list_accounts_async, cancellable, callback, user_data);
}

GPtrArray *
ep_context_list_accounts_finish (EpContext     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Saves a copy of @draft (taken now: the caller may change or free
 * @draft at once); the result is the draft's row id. */
void
ep_context_save_draft_async (EpContext           *self,
                             const EpDraft       *draft,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Op *op;

  g_return_if_fail (EP_IS_CONTEXT (self));
  g_return_if_fail (draft != NULL);

  op = g_new0 (Op, 1);
  op->kind = OP_SAVE_DRAFT;
  op->draft = ep_draft_copy (draft);
  run_op (self, op, ep_context_save_draft_async, cancellable, callback, user_data);
}

gint64
ep_context_save_draft_finish (EpContext     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

void
ep_context_load_draft_async (EpContext           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_LOAD_DRAFT;
  run_op (self, op, ep_context_load_draft_async, cancellable, callback, user_data);
}

/* Returns: (transfer full) (nullable): the latest draft; NULL with @error
 * unset when there is none. */
EpDraft *
ep_context_load_draft_finish (EpContext     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ep_context_delete_draft_async (EpContext           *self,
                               gint64               id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_DELETE_DRAFT;
  op->id = id;
  run_op (self, op, ep_context_delete_draft_async, cancellable, callback, user_data);
}

gboolean
ep_context_delete_draft_finish (EpContext     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ep_context_save_merge_draft_async (EpContext           *self,
                                   const char          *path,
                                   GVariant            *message,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  Op *op;

  g_return_if_fail (EP_IS_CONTEXT (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (message != NULL);

  op = g_new0 (Op, 1);
  op->kind = OP_SAVE_MERGE_DRAFT;
  op->path = g_strdup (path);
  op->message = g_variant_ref_sink (message);
  run_op (self, op, ep_context_save_merge_draft_async, cancellable, callback, user_data);
}

gboolean
ep_context_save_merge_draft_finish (EpContext     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ep_context_load_merge_draft_async (EpContext           *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_LOAD_MERGE_DRAFT;
  run_op (self, op, ep_context_load_merge_draft_async, cancellable, callback, user_data);
}

/* Returns: (transfer full) (nullable): the message (a{sv}), its
 * spreadsheet in @path. */
GVariant *
ep_context_load_merge_draft_finish (EpContext     *self,
                                    GAsyncResult  *result,
                                    char         **path,
                                    GError       **error)
{
  g_autoptr(GVariant) pair = NULL;
  GVariant *message = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  *path = NULL;
  pair = g_task_propagate_pointer (G_TASK (result), error);
  if (pair == NULL)
    return NULL;
  g_variant_get (pair, "(s@a{sv})", path, &message);
  return message;
}

void
ep_context_delete_merge_draft_async (EpContext           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_DELETE_MERGE_DRAFT;
  run_op (self, op, ep_context_delete_merge_draft_async, cancellable, callback, user_data);
}

gboolean
ep_context_delete_merge_draft_finish (EpContext     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
