/* ep-campaign.c: merge campaigns in the outbox
 *
 * A campaign is created in one transaction (the template, a snapshot of
 * every row and a Message-ID per recipient), so editing the spreadsheet
 * later changes nothing in flight; ep-campaign-runner.c sends it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-campaign"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <gmime/gmime.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "ep-campaign.h"
#include "ep-campaign-passwords.h"
#include "ep-outbox.h"
#include "ep-outbox-private.h"
#include "account/ep-account-server.h"
#include "mail/ep-address.h"
#include "table/ep-csv-writer.h"
#include "transport/ep-smtp.h"
#include "transport/ep-transport-error.h"


G_DEFINE_QUARK (ep-campaign-error-quark, ep_campaign_error)

const char *
ep_recipient_state_describe (EpRecipientState state)
{
  switch (state)
    {
    case EP_RECIPIENT_PENDING:
      return _("Waiting");
    case EP_RECIPIENT_SENDING:
      return _("Sending");
    case EP_RECIPIENT_SENT:
      return _("Sent");
    case EP_RECIPIENT_FAILED:
      return _("Failed");
    case EP_RECIPIENT_DEFERRED:
      return _("Waiting to retry");
    case EP_RECIPIENT_UNCERTAIN:
      return _("Sent again after an interruption");
    case EP_RECIPIENT_N_STATES:
    default:
      return "";
    }
}

const char *
ep_campaign_end_describe (EpCampaignEnd end)
{
  switch (end)
    {
    case EP_CAMPAIGN_END_FINISHED:
      return _("Finished");
    case EP_CAMPAIGN_END_PAUSED:
      return _("Paused");
    case EP_CAMPAIGN_END_CANCELLED:
      return _("Cancelled");
    case EP_CAMPAIGN_END_AUTH:
      return _("Paused: the server refused the login");
    case EP_CAMPAIGN_END_DAILY_LIMIT:
      return _("Paused: daily limit reached");
    case EP_CAMPAIGN_END_SERVER:
      return _("Paused: the server keeps failing");
    case EP_CAMPAIGN_END_TLS:
      return _("Paused: no secure connection to the server");
    case EP_CAMPAIGN_END_STORE:
      return _("Paused: the outbox could not be saved");
    case EP_CAMPAIGN_END_WAITING:
      return _("Waiting to retry");
    case EP_CAMPAIGN_END_LATER:
      return _("Today’s share sent; the rest is scheduled");
    default:
      return "";
    }
}

/* ---- helpers shared with the CLI and the wizard ----------------------- */

static char *
domain_of (const char *address)
{
  const char *at = strrchr (address, '@');

  return g_strdup (at != NULL ? at + 1 : "localhost");
}

/* Every address the rendered draft sends to, for the journal and export. */
static char *
draft_recipients_text (const EpDraft *draft)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GPtrArray *fields[] = { draft->to, draft->cc, draft->bcc };

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    for (guint i = 0; i < fields[f]->len; i++)
      {
        g_autoptr(GPtrArray) parsed = ep_address_list_parse (g_ptr_array_index (fields[f], i), NULL);

        for (guint j = 0; parsed != NULL && j < parsed->len; j++)
          {
            const EpAddress *a = g_ptr_array_index (parsed, j);

            if (text->len > 0)
              g_string_append (text, ", ");
            g_string_append (text, a->address);
          }
      }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The keyring key of a campaign's generated passwords: the Message-ID of
 * its first row (EpStoreRecipient), as the store lists them. */
static const char *
passwords_key (GPtrArray *recipients)
{
  const EpStoreRecipient *first = NULL;

  for (guint i = 0; i < recipients->len; i++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (recipients, i);
      if (first == NULL || r->row_number < first->row_number)
        first = r;
    }
  return first ? first->message_id : NULL;
}

GHashTable *
ep_campaign_generated_passwords (EpOutbox      *outbox,
                                 gint64         id,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(EpCampaignInfo) info = ep_store_campaign_lookup (ep_outbox_get_store (outbox), id, error);
  g_autoptr(GPtrArray) recipients = NULL;

  if (info == NULL)
    return NULL;
  if (!(info->protection & EP_PROTECT_PASSWORD))
    return g_hash_table_new (g_str_hash, g_str_equal);
  recipients = ep_store_campaign_recipients (ep_outbox_get_store (outbox), id, error);
  if (recipients == NULL)
    return NULL;
  if (recipients->len == 0)
    return g_hash_table_new (g_str_hash, g_str_equal);
  return ep_campaign_passwords_lookup (passwords_key (recipients), cancellable, error);
}

void
_ep_campaign_forget_passwords (EpOutbox *outbox,
                               gint64    id)
{
  g_autoptr(EpCampaignInfo) info = ep_store_campaign_lookup (ep_outbox_get_store (outbox), id, NULL);
  g_autoptr(GPtrArray) recipients = NULL;
  g_autoptr(GError) error = NULL;

  if (info == NULL || !(info->protection & EP_PROTECT_PASSWORD))
    return;
  recipients = ep_store_campaign_recipients (ep_outbox_get_store (outbox), id, NULL);
  if (recipients != NULL && recipients->len > 0 &&
      !ep_campaign_passwords_clear (passwords_key (recipients), NULL, &error))
    g_warning ("%s", error->message);
}

/* Every row's message, protected, on all cores: a password costs two key
 * derivations (about a second here), and a merge has hundreds of rows. */
typedef struct
{
  EpOutbox                   *outbox;
  EpAccount                  *account;
  EpTemplate                 *tmpl;
  EpTable                    *table;
  GArray                     *rows;
  const char                 *base_dir;
  const EpCampaignProtection *protection;
  GPtrArray                  *recipients;   /* EpStoreRecipient */
  GHashTable                 *generated;    /* Message-ID → password, or NULL */
  GError                    **errors;       /* one per row */
  GCancellable               *failed;       /* cancelled at the first error */
} ProtectRows;

static void
protect_one (gpointer data,
             gpointer user_data)
{
  ProtectRows *op = user_data;
  guint i = GPOINTER_TO_UINT (data) - 1;
  EpStoreRecipient *r = g_ptr_array_index (op->recipients, i);

  if (g_cancellable_is_cancelled (op->failed))
    return;
  r->message = _ep_campaign_protect_row (op->outbox, op->account, op->tmpl, op->table,
                                         g_array_index (op->rows, guint, i), op->base_dir,
                                         op->protection, r->message_id,
                                         /* a campaign never has one password for all */
                                         op->generated ? g_hash_table_lookup (op->generated, r->message_id)
                                                       : NULL,
                                         NULL, &op->errors[i]);
  if (r->message == NULL)
    g_cancellable_cancel (op->failed);
}

static gboolean
protect_rows (EpOutbox                   *outbox,
              EpAccount                  *account,
              EpTemplate                 *tmpl,
              EpTable                    *table,
              GArray                     *rows,
              const char                 *base_dir,
              const EpCampaignProtection *protection,
              GPtrArray                  *recipients,
              GHashTable                 *generated,
              GError                    **error)
{
  ProtectRows op = { outbox, account, tmpl, table, rows, base_dir, protection, recipients,
                     generated, g_new0 (GError *, rows->len), g_cancellable_new () };
  GThreadPool *pool = g_thread_pool_new (protect_one, &op, CLAMP (g_get_num_processors (), 1, 8),
                                         TRUE, NULL);
  gboolean ok = TRUE;

  for (guint i = 0; i < rows->len; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);   /* waits for every row */

  /* The first failing row in sheet order, whichever thread saw it first. */
  for (guint i = 0; i < rows->len; i++)
    {
      if (op.errors[i] != NULL && ok)
        {
          const EpStoreRecipient *r = g_ptr_array_index (recipients, i);
          g_set_error (error, op.errors[i]->domain, op.errors[i]->code, _("Row %u: %s"),
                       r->row_number, op.errors[i]->message);
          ok = FALSE;
        }
      g_clear_error (&op.errors[i]);
    }
  g_free (op.errors);
  g_object_unref (op.failed);
  return ok;
}

/* The row a recipient was made from, as the store writes it. */
typedef struct
{
  EpTable      *table;
  GArray       *rows;
  const char  **values;   /* one per column, borrowed from the table */
  GPtrArray    *raw;      /* column index and raw value pairs, NULL-ended, owned */
} RowSnapshot;

static void
row_snapshot_clear (RowSnapshot *snapshot)
{
  g_free (snapshot->values);
  g_clear_pointer (&snapshot->raw, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RowSnapshot, row_snapshot_clear)

static const char * const *
row_values (guint                index,
            const char * const **raw,
            gpointer             user_data)
{
  RowSnapshot *snapshot = user_data;
  guint row = g_array_index (snapshot->rows, guint, index);
  guint n = ep_table_get_n_columns (snapshot->table);

  /* Only the cells whose value under the format differs (numbers and
   * dates in a workbook). */
  g_ptr_array_set_size (snapshot->raw, 0);
  for (guint c = 0; c < n; c++)
    {
      const char *raw_value = ep_table_get_raw_value (snapshot->table, row, c);

      snapshot->values[c] = ep_table_get_value (snapshot->table, row, c);
      if (g_strcmp0 (raw_value, snapshot->values[c]) != 0)
        {
          g_ptr_array_add (snapshot->raw, g_strdup_printf ("%u", c));
          g_ptr_array_add (snapshot->raw, g_strdup (raw_value));
        }
    }
  g_ptr_array_add (snapshot->raw, NULL);
  *raw = (const char * const *) snapshot->raw->pdata;
  return snapshot->values;
}

gint64
ep_campaign_create (EpOutbox    *outbox,
                    EpAccount   *account,
                    EpTemplate  *tmpl,
                    EpTable     *table,
                    GArray      *rows,
                    const char  *name,
                    const char  *base_dir,
                    guint        connections,
                    guint        rate,
                    guint        daily_limit,
                    const EpCampaignTiming *timing,
                    const EpCampaignProtection *protection,
                    GError     **error)
{
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autofree char *text = NULL;
  g_autofree char *domain = NULL;
  g_autoptr(EpCampaignInfo) info = ep_campaign_info_new ();
  g_autoptr(GHashTable) generated = NULL;
  g_auto(RowSnapshot) snapshot = { 0 };
  guint n_columns;

  g_return_val_if_fail (EP_IS_OUTBOX (outbox), 0);
  g_return_val_if_fail (EP_IS_ACCOUNT (account), 0);
  g_return_val_if_fail (tmpl != NULL && table != NULL && rows != NULL, 0);

  n_columns = ep_table_get_n_columns (table);
  for (guint c = 0; c < n_columns; c++)
    g_ptr_array_add (columns, (gpointer) ep_table_get_column (table, c));
  g_ptr_array_add (columns, NULL);

  domain = domain_of (ep_account_get_address (account));
  if (protection != NULL && protection->protection == EP_PROTECT_NONE)
    protection = NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      guint row = g_array_index (rows, guint, i);
      g_autoptr(EpDraft) draft = ep_template_render (tmpl, table, row, base_dir, error);
      EpStoreRecipient *r;

      if (draft == NULL)
        return 0;

      r = g_new0 (EpStoreRecipient, 1);
      r->row_number = ep_table_get_row_number (table, row);
      r->address = draft_recipients_text (draft);
      r->message_id = g_mime_utils_generate_message_id (domain);
      g_ptr_array_add (recipients, r);
      /* Protected, stored as it will go: ciphertext only, no values
       * (below); otherwise the values are the table's, read as each
       * recipient is written (row_values ()). */
    }

  if (protection != NULL && protection->generate_passwords && recipients->len > 0)
    {
      generated = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) ep_password_free);
      for (guint i = 0; i < recipients->len; i++)
        g_hash_table_insert (generated, ((EpStoreRecipient *) g_ptr_array_index (recipients, i))->message_id,
                             ep_password_generate ());
    }
  if (protection != NULL &&
      !protect_rows (outbox, account, tmpl, table, rows, base_dir, protection, recipients,
                     generated, error))
    return 0;
  /* In the keyring before the campaign exists: a crash in between leaves
   * an unused keyring item, never a campaign whose passwords are lost. */
  if (generated != NULL &&
      !ep_campaign_passwords_store (passwords_key (recipients), name ? name : "", generated, NULL,
                                    error))
    return 0;

  text = protection != NULL ? g_strdup ("") : ep_template_to_text (tmpl);

  info->kind = EP_CAMPAIGN_KIND_MERGE;
  info->account_uid = g_strdup (ep_account_get_uid (account));
  info->name = g_strdup (name ? name : "");
  info->template_text = g_steal_pointer (&text);
  info->base_dir = g_strdup (base_dir ? base_dir : ".");
  info->columns = protection != NULL ? g_new0 (char *, 1) : g_strdupv ((char **) columns->pdata);
  info->protection = protection != NULL ? protection->protection : 0;
  info->locale = g_strdup (ep_table_get_locale (table));
  info->connections = CLAMP (connections, 1, 16);
  info->rate = rate;
  info->daily_limit = daily_limit;
  if (timing != NULL)
    {
      /* Given a time by a person: scheduled. */
      info->not_before = MAX (timing->not_before, 0);
      info->scheduled = timing->not_before > 0;
      info->spread = timing->spread;
      info->window = timing->window;
    }

  if (protection != NULL)
    return ep_store_campaign_insert (ep_outbox_get_store (outbox), info, recipients, error);
  snapshot.table = table;
  snapshot.rows = rows;
  snapshot.values = g_new0 (const char *, n_columns + 1);
  snapshot.raw = g_ptr_array_new_with_free_func (g_free);
  return ep_store_campaign_insert_with (ep_outbox_get_store (outbox), info, recipients,
                                        row_values, &snapshot, error);
}

gboolean
ep_campaign_test_send (EpOutbox      *outbox,
                       EpAccount     *account,
                       EpTemplate    *tmpl,
                       EpTable       *table,
                       guint          row,
                       const char    *base_dir,
                       const EpCampaignProtection *protection,
                       char         **message_id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(EpDraft) draft = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(EpServerConfig) config = NULL;
  g_autoptr(EpSmtpReport) report = NULL;
  char *subject;

  draft = ep_template_render (tmpl, table, row, base_dir, error);
  if (draft == NULL)
    return FALSE;

  g_ptr_array_set_size (draft->to, 0);
  g_ptr_array_set_size (draft->cc, 0);
  g_ptr_array_set_size (draft->bcc, 0);
  g_ptr_array_add (draft->to, g_strdup (ep_account_get_address (account)));
  g_clear_pointer (&draft->reply_to, g_free);
  subject = g_strdup_printf ("[TEST] %s", draft->subject ? draft->subject : "");
  g_free (draft->subject);
  draft->subject = subject;
  draft->from_name = g_strdup (ep_account_get_display_name (account));
  draft->from_address = g_strdup (ep_account_get_address (account));

  outgoing = ep_message_build (draft, cancellable, error);
  if (outgoing == NULL)
    return FALSE;
  /* Protected as the campaign's messages will be (for oneself): a test
   * never sends in plain text what the campaign encrypts. */
  if (protection != NULL && (protection->protection & EP_PROTECT_PASSWORD))
    {
      /* With the row's own password, so the test shows what it will get. */
      EpPwmailOptions pw = { ep_account_get_display_name (account), protection->password_hint };
      char *password = protection->password != NULL
                       ? g_strdup (protection->password)
                       : _ep_campaign_row_password (protection, table, row, error);
      gboolean ok = password != NULL &&
                    _ep_outbox_protect (outbox, outgoing, protection->protection, NULL, password,
                                        &pw, cancellable, error);
      ep_password_free (password);
      if (!ok)
        return FALSE;
    }
  else if (protection != NULL &&
           !_ep_outbox_protect (outbox, outgoing, protection->protection, NULL, NULL, NULL,
                                cancellable, error))
    return FALSE;

  config = ep_account_smtp_config_sync (account, cancellable, error);
  if (config == NULL)
    return FALSE;

  report = ep_smtp_send_sync (config, outgoing->envelope_from,
                              (const char * const *) outgoing->recipients, outgoing->data,
                              ep_outbox_get_protocol_log (outbox), cancellable, error);
  if (report == NULL)
    return FALSE;

  if (message_id != NULL)
    *message_id = g_strdup (outgoing->message_id);

  return TRUE;
}

gboolean
ep_campaign_cancel (EpOutbox   *outbox,
                    gint64      id,
                    GError    **error)
{
  g_autofree char *path = _ep_outbox_lock_path (outbox, id);
  g_autoptr(EpCampaignInfo) info = NULL;
  gboolean ok;
  int fd;

  info = ep_store_campaign_lookup (ep_outbox_get_store (outbox), id, error);
  if (info == NULL)
    return FALSE;
  if (info->state == EP_CAMPAIGN_FINISHED)
    {
      g_set_error (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_FINISHED,
                   _("Campaign %" G_GINT64_FORMAT " has already finished"), id);
      return FALSE;
    }

  /* Only when nobody is sending it: a running sender would not see it. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                   _("Campaign %" G_GINT64_FORMAT " is being sent; pause or cancel it where it "
                     "runs"), id);
      return FALSE;
    }

  ok = ep_store_campaign_set_state (ep_outbox_get_store (outbox), id, EP_CAMPAIGN_CANCELLED, NULL,
                                    error);
  if (fd >= 0)
    close (fd);
  return ok;
}

/* ---- async forms -------------------------------------------------------- */

typedef struct
{
  EpAccount  *account;   /* a private copy */
  EpTemplate *tmpl;
  EpTable    *table;
  GArray     *rows;
  char       *name;
  char       *base_dir;
  char       *path;
  gint64      id;
  guint       row;
  guint       connections;
  guint       rate;
  guint       daily_limit;
} CampaignOp;

static void
campaign_op_free (gpointer data)
{
  CampaignOp *op = data;

  g_clear_object (&op->account);
  g_clear_pointer (&op->tmpl, ep_template_unref);
  g_clear_pointer (&op->table, ep_table_unref);
  g_clear_pointer (&op->rows, g_array_unref);
  g_free (op->name);
  g_free (op->base_dir);
  g_free (op->path);
  g_free (op);
}

static CampaignOp *
campaign_op_new (EpAccount  *account,
                 EpTemplate *tmpl,
                 EpTable    *table,
                 const char *base_dir)
{
  CampaignOp *op = g_new0 (CampaignOp, 1);

  op->account = account ? _ep_outbox_account_snapshot (account) : NULL;
  op->tmpl = tmpl ? ep_template_ref (tmpl) : NULL;
  op->table = table ? ep_table_ref (table) : NULL;
  op->base_dir = g_strdup (base_dir);
  return op;
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CampaignOp *op = task_data;
  GError *error = NULL;
  gint64 id;

  id = ep_campaign_create (source_object, op->account, op->tmpl, op->table, op->rows, op->name,
                           op->base_dir, op->connections, op->rate, op->daily_limit, NULL, NULL,
                           &error);
  if (id == 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, id);
}

void
ep_campaign_create_async (EpOutbox            *outbox,
                          EpAccount           *account,
                          EpTemplate          *tmpl,
                          EpTable             *table,
                          GArray              *rows,
                          const char          *name,
                          const char          *base_dir,
                          guint                connections,
                          guint                rate,
                          guint                daily_limit,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CampaignOp *op;

  g_return_if_fail (EP_IS_OUTBOX (outbox));
  g_return_if_fail (EP_IS_ACCOUNT (account) && tmpl != NULL && table != NULL && rows != NULL);

  op = campaign_op_new (account, tmpl, table, base_dir);
  op->rows = g_array_copy (rows);
  op->name = g_strdup (name);
  op->connections = connections;
  op->rate = rate;
  op->daily_limit = daily_limit;

  task = g_task_new (outbox, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_campaign_create_async);
  g_task_set_task_data (task, op, campaign_op_free);
  g_task_run_in_thread (task, create_thread);
}

gint64
ep_campaign_create_finish (EpOutbox      *outbox,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, outbox), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

static void
test_send_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  CampaignOp *op = task_data;
  GError *error = NULL;
  char *message_id = NULL;

  if (ep_campaign_test_send (source_object, op->account, op->tmpl, op->table, op->row,
                             op->base_dir, NULL, &message_id, cancellable, &error))
    g_task_return_pointer (task, message_id, g_free);
  else
    g_task_return_error (task, error);
}

void
ep_campaign_test_send_async (EpOutbox            *outbox,
                             EpAccount           *account,
                             EpTemplate          *tmpl,
                             EpTable             *table,
                             guint                row,
                             const char          *base_dir,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CampaignOp *op;

  g_return_if_fail (EP_IS_OUTBOX (outbox));
  g_return_if_fail (EP_IS_ACCOUNT (account) && tmpl != NULL && table != NULL);

  op = campaign_op_new (account, tmpl, table, base_dir);
  op->row = row;

  task = g_task_new (outbox, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_campaign_test_send_async);
  g_task_set_task_data (task, op, campaign_op_free);
  g_task_run_in_thread (task, test_send_thread);
}

char *
ep_campaign_test_send_finish (EpOutbox      *outbox,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, outbox), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

