/* ep-store-campaign.c: campaigns and the per-recipient send journal
 *
 * Each function is one transaction, committed before it returns, so the
 * send engine can rely on the journal saying what happened: a recipient is
 * marked "sending" before its message goes out and "sent" once the server
 * has it; after a crash, "sending" ones are the only ones in doubt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-store-private.h"

/* The names the database uses; nowhere else in Epistle. */
static const char * const recipient_state_names[EP_RECIPIENT_N_STATES] = {
  [EP_RECIPIENT_PENDING] = "pending",
  [EP_RECIPIENT_SENDING] = "sending",
  [EP_RECIPIENT_SENT] = "sent",
  [EP_RECIPIENT_FAILED] = "failed",
  [EP_RECIPIENT_DEFERRED] = "deferred",
  [EP_RECIPIENT_UNCERTAIN] = "uncertain",
};

static const char * const campaign_state_names[] = {
  [EP_CAMPAIGN_READY] = "ready",
  [EP_CAMPAIGN_RUNNING] = "running",
  [EP_CAMPAIGN_PAUSED] = "paused",
  [EP_CAMPAIGN_FINISHED] = "finished",
  [EP_CAMPAIGN_CANCELLED] = "cancelled",
};

const char *
ep_recipient_state_to_string (EpRecipientState state)
{
  g_return_val_if_fail (state < EP_RECIPIENT_N_STATES, "");
  return recipient_state_names[state];
}

gboolean
ep_recipient_state_from_string (const char       *text,
                                EpRecipientState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (recipient_state_names); i++)
    if (g_strcmp0 (text, recipient_state_names[i]) == 0)
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

const char *
ep_campaign_state_to_string (EpCampaignState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (campaign_state_names), "");
  return campaign_state_names[state];
}

gboolean
ep_campaign_state_from_string (const char      *text,
                               EpCampaignState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (campaign_state_names); i++)
    if (g_strcmp0 (text, campaign_state_names[i]) == 0)
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

/* A row written by a newer Epistle (or damaged) reads as the state that
 * loses nothing: not sent yet, or a paused campaign. */
static EpRecipientState
recipient_state_of (const char *text)
{
  EpRecipientState state = EP_RECIPIENT_PENDING;

  if (!ep_recipient_state_from_string (text, &state))
    g_warning ("Unknown recipient state “%s” in the journal", text ? text : "");
  return state;
}

EpCampaignInfo *
ep_campaign_info_new (void)
{
  EpCampaignInfo *info = g_new0 (EpCampaignInfo, 1);

  info->connections = 1;
  info->window = EP_SEND_WINDOW_NONE;
  return info;
}

void
ep_campaign_info_free (EpCampaignInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->account_uid);
  g_free (info->name);
  g_free (info->template_text);
  g_free (info->locale);
  g_free (info->base_dir);
  g_strfreev (info->columns);
  g_free (info->reason);
  g_free (info);
}

guint
ep_campaign_info_open (const EpCampaignInfo *info)
{
  g_return_val_if_fail (info != NULL, 0);

  return info->counts[EP_RECIPIENT_PENDING] + info->counts[EP_RECIPIENT_SENDING] +
         info->counts[EP_RECIPIENT_DEFERRED] + info->counts[EP_RECIPIENT_UNCERTAIN];
}

gboolean
ep_campaign_info_is_waiting (const EpCampaignInfo *info)
{
  g_return_val_if_fail (info != NULL, FALSE);

  return info->scheduled && info->not_before > 0 && ep_campaign_info_open (info) > 0 &&
         (info->state == EP_CAMPAIGN_READY || info->state == EP_CAMPAIGN_PAUSED);
}

int
ep_campaign_info_compare_time (gconstpointer a,
                               gconstpointer b)
{
  const EpCampaignInfo *x = *(const EpCampaignInfo * const *) a;
  const EpCampaignInfo *y = *(const EpCampaignInfo * const *) b;

  return (x->not_before > y->not_before) - (x->not_before < y->not_before);
}

void
ep_store_recipient_free (EpStoreRecipient *recipient)
{
  if (recipient == NULL)
    return;

  g_free (recipient->address);
  g_strfreev (recipient->values);
  g_strfreev (recipient->raw);
  g_free (recipient->message_id);
  g_free (recipient->reply);
  g_free (recipient->bounce);
  g_clear_pointer (&recipient->message, g_bytes_unref);
  g_free (recipient);
}

/* Called with the lock held, inside a transaction: the campaigns row. */
static gint64
insert_campaign_row (EpStore              *self,
                     const EpCampaignInfo *info,
                     GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char * const empty[] = { NULL };

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO campaigns (account_uid, name, template, base_dir, columns, "
                          "connections, rate, daily_limit, kind, not_before, scheduled, "
                          "spread, window_days, window_start, window_end, protection, locale) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                          "?17)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the campaign"));
      return 0;
    }

  sqlite3_bind_text (stmt, 1, info->account_uid ? info->account_uid : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, info->name ? info->name : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, info->template_text ? info->template_text : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, info->base_dir ? info->base_dir : "", -1, SQLITE_TRANSIENT);
  _ep_store_bind_strv (stmt, 5, info->columns ? (const char * const *) info->columns : empty);
  sqlite3_bind_int (stmt, 6, CLAMP (info->connections, 1, 16));
  sqlite3_bind_int (stmt, 7, info->rate);
  sqlite3_bind_int (stmt, 8, info->daily_limit);
  sqlite3_bind_text (stmt, 9, info->kind == EP_CAMPAIGN_KIND_MESSAGE ? "message" : "merge", -1,
                     SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 10, info->not_before);
  sqlite3_bind_int (stmt, 11, info->scheduled ? 1 : 0);
  sqlite3_bind_int (stmt, 12, info->spread ? 1 : 0);
  sqlite3_bind_int (stmt, 13, info->spread ? info->window.days & EP_SEND_WINDOW_ALL_DAYS : 0);
  sqlite3_bind_int (stmt, 14, info->spread && info->window.start >= 0 ? info->window.start : -1);
  sqlite3_bind_int (stmt, 15, info->spread && info->window.start >= 0 ? info->window.end : -1);
  sqlite3_bind_int (stmt, 16, (int) info->protection);
  if (info->locale != NULL)
    sqlite3_bind_text (stmt, 17, info->locale, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 17);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the campaign"));
      return 0;
    }

  return sqlite3_last_insert_rowid (self->db);
}

gint64
ep_store_campaign_insert (EpStore              *self,
                          const EpCampaignInfo *info,
                          GPtrArray            *recipients,
                          GError              **error)
{
  return ep_store_campaign_insert_with (self, info, recipients, NULL, NULL, error);
}

gint64
ep_store_campaign_insert_with (EpStore              *self,
                               const EpCampaignInfo *info,
                               GPtrArray            *recipients,
                               EpStoreValuesFunc     values,
                               gpointer              user_data,
                               GError              **error)
{
  g_autoptr(sqlite3_stmt) rstmt = NULL;
  gint64 id = 0;

  g_return_val_if_fail (EP_IS_STORE (self), 0);
  g_return_val_if_fail (info != NULL, 0);
  g_return_val_if_fail (recipients != NULL, 0);

  g_mutex_lock (&self->mutex);

  if (!_ep_store_exec (self, "BEGIN IMMEDIATE", error))
    goto out;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO campaign_recipients (campaign_id, row_number, address, "
                          "row_values, message_id, updated_at, message, row_raw) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, strftime('%s','now'), ?6, ?7)",
                          -1, &rstmt, NULL) != SQLITE_OK)
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the campaign"));
      goto rollback;
    }

  id = insert_campaign_row (self, info, error);
  if (id == 0)
    goto rollback;

  for (guint i = 0; i < recipients->len; i++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (recipients, i);
      const char * const empty[] = { NULL };
      const char * const *raw = (const char * const *) r->raw;
      const char * const *row_values = values != NULL ? values (i, &raw, user_data)
                                                      : (const char * const *) r->values;

      sqlite3_reset (rstmt);
      sqlite3_bind_int64 (rstmt, 1, id);
      sqlite3_bind_int (rstmt, 2, r->row_number);
      sqlite3_bind_text (rstmt, 3, r->address ? r->address : "", -1, SQLITE_STATIC);
      _ep_store_bind_strv (rstmt, 4, row_values ? row_values : empty);
      sqlite3_bind_text (rstmt, 5, r->message_id ? r->message_id : "", -1, SQLITE_STATIC);
      if (r->message != NULL)
        sqlite3_bind_blob (rstmt, 6, g_bytes_get_data (r->message, NULL),
                           (int) g_bytes_get_size (r->message), SQLITE_STATIC);
      else
        sqlite3_bind_null (rstmt, 6);
      if (raw != NULL && raw[0] != NULL)
        _ep_store_bind_strv (rstmt, 7, raw);
      else
        sqlite3_bind_null (rstmt, 7);
      if (sqlite3_step (rstmt) != SQLITE_DONE)
        {
          _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the campaign"));
          id = 0;
          goto rollback;
        }
    }

  if (!_ep_store_exec (self, "COMMIT", error))
    {
      id = 0;
      goto rollback;
    }
  goto out;

rollback:
  id = 0;
  _ep_store_exec (self, "ROLLBACK", NULL);
out:
  g_mutex_unlock (&self->mutex);
  return id;
}

gint64
ep_store_message_insert (EpStore              *self,
                         const EpCampaignInfo *info,
                         const char           *address,
                         const char           *message_id,
                         const char           *envelope_from,
                         const char * const   *envelope_to,
                         GBytes               *data,
                         GError              **error)
{
  g_autoptr(sqlite3_stmt) rstmt = NULL;
  g_autoptr(sqlite3_stmt) mstmt = NULL;
  g_autoptr(EpCampaignInfo) copy = ep_campaign_info_new ();
  const char * const empty[] = { NULL };
  gint64 id = 0;

  g_return_val_if_fail (EP_IS_STORE (self), 0);
  g_return_val_if_fail (info != NULL && envelope_from != NULL && envelope_to != NULL, 0);
  g_return_val_if_fail (data != NULL, 0);

  copy->kind = EP_CAMPAIGN_KIND_MESSAGE;
  copy->account_uid = g_strdup (info->account_uid);
  copy->name = g_strdup (info->name);
  copy->not_before = info->not_before;
  copy->started_at = info->started_at;
  copy->scheduled = info->scheduled;
  copy->base_dir = g_strdup (".");

  g_mutex_lock (&self->mutex);

  if (!_ep_store_exec (self, "BEGIN IMMEDIATE", error))
    goto out;

  id = insert_campaign_row (self, copy, error);
  if (id == 0)
    goto rollback;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO campaign_recipients (campaign_id, row_number, address, "
                          "row_values, message_id, updated_at) "
                          "VALUES (?1, 1, ?2, ?3, ?4, strftime('%s','now'))",
                          -1, &rstmt, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (self->db,
                          "INSERT INTO outbox_messages (campaign_id, envelope_from, recipients, data) "
                          "VALUES (?1, ?2, ?3, ?4)", -1, &mstmt, NULL) != SQLITE_OK)
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the message"));
      goto rollback;
    }

  sqlite3_bind_int64 (rstmt, 1, id);
  sqlite3_bind_text (rstmt, 2, address ? address : "", -1, SQLITE_STATIC);
  _ep_store_bind_strv (rstmt, 3, empty);
  sqlite3_bind_text (rstmt, 4, message_id ? message_id : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (mstmt, 1, id);
  sqlite3_bind_text (mstmt, 2, envelope_from, -1, SQLITE_STATIC);
  _ep_store_bind_strv (mstmt, 3, envelope_to);
  sqlite3_bind_blob64 (mstmt, 4, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                       SQLITE_STATIC);
  if (sqlite3_step (rstmt) != SQLITE_DONE || sqlite3_step (mstmt) != SQLITE_DONE)
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the message"));
      goto rollback;
    }

  if (!_ep_store_exec (self, "COMMIT", error))
    goto rollback;
  goto out;

rollback:
  id = 0;
  _ep_store_exec (self, "ROLLBACK", NULL);
out:
  g_clear_pointer (&rstmt, sqlite3_finalize);
  g_clear_pointer (&mstmt, sqlite3_finalize);
  g_mutex_unlock (&self->mutex);
  return id;
}

gboolean
ep_store_message_load (EpStore  *self,
                       gint64    id,
                       char    **envelope_from,
                       GStrv    *envelope_to,
                       GBytes  **data,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT envelope_from, recipients, data FROM outbox_messages "
                          "WHERE campaign_id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the message"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *envelope_from = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          *envelope_to = _ep_store_column_strv (stmt, 1);
          *data = g_bytes_new (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2));
          ok = TRUE;
        }
      else if (rc == SQLITE_DONE)
        g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                     _("The outbox has no message %" G_GINT64_FORMAT), id);
      else
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the message"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->mutex);

  return ok;
}

/* Called with the lock held. */
static EpCampaignInfo *
campaign_from_row (EpStore      *self,
                   sqlite3_stmt *stmt)
{
  sqlite3_stmt *counts;
  EpCampaignInfo *info = ep_campaign_info_new ();

  info->id = sqlite3_column_int64 (stmt, 0);
  info->account_uid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  info->template_text = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  info->base_dir = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  info->columns = _ep_store_column_strv (stmt, 5);
  info->connections = sqlite3_column_int (stmt, 6);
  info->rate = sqlite3_column_int (stmt, 7);
  info->daily_limit = sqlite3_column_int (stmt, 8);
  if (!ep_campaign_state_from_string ((const char *) sqlite3_column_text (stmt, 9), &info->state))
    info->state = EP_CAMPAIGN_PAUSED;
  if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
    info->reason = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
  info->created_at = sqlite3_column_int64 (stmt, 11);
  info->updated_at = sqlite3_column_int64 (stmt, 12);
  info->kind = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 13), "message") == 0
               ? EP_CAMPAIGN_KIND_MESSAGE : EP_CAMPAIGN_KIND_MERGE;
  info->not_before = sqlite3_column_int64 (stmt, 14);
  info->started_at = sqlite3_column_int64 (stmt, 15);
  info->scheduled = sqlite3_column_int (stmt, 16) != 0;
  info->spread = sqlite3_column_int (stmt, 17) != 0;
  info->window.days = sqlite3_column_int (stmt, 18) & EP_SEND_WINDOW_ALL_DAYS;
  info->window.start = sqlite3_column_int (stmt, 19);
  info->window.end = sqlite3_column_int (stmt, 20);
  info->protection = (guint) sqlite3_column_int (stmt, 21);
  if (sqlite3_column_type (stmt, 22) != SQLITE_NULL)
    info->locale = g_strdup ((const char *) sqlite3_column_text (stmt, 22));
  if (info->window.start < 0 || info->window.start >= 1440 ||
      info->window.end <= info->window.start || info->window.end > 1440)
    info->window.start = info->window.end = -1;

  counts = _ep_store_cached (self,
                             "SELECT state, count(*), sum(was_uncertain) FROM campaign_recipients "
                             "WHERE campaign_id = ?1 GROUP BY state");
  if (counts != NULL)
    {
      sqlite3_bind_int64 (counts, 1, info->id);
      while (sqlite3_step (counts) == SQLITE_ROW)
        {
          EpRecipientState state = recipient_state_of ((const char *) sqlite3_column_text (counts, 0));
          guint n = sqlite3_column_int (counts, 1);

          info->total += n;
          info->was_uncertain += sqlite3_column_int (counts, 2);
          info->counts[state] += n;
        }
      sqlite3_reset (counts);
    }

  return info;
}

#define CAMPAIGN_COLUMNS \
  "id, account_uid, name, template, base_dir, columns, connections, rate, daily_limit, " \
  "state, reason, created_at, updated_at, kind, not_before, started_at, scheduled, " \
  "spread, window_days, window_start, window_end, protection, locale"

EpCampaignInfo *
ep_store_campaign_lookup (EpStore  *self,
                          gint64    id,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  EpCampaignInfo *result = NULL;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE id = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        result = campaign_from_row (self, stmt);
      else if (rc == SQLITE_DONE)
        g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                     _("There is no campaign %" G_GINT64_FORMAT), id);
      else
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->mutex);

  return result;
}

static GPtrArray *list_where (EpStore     *self,
                              const char  *where,
                              GError     **error);

GPtrArray *
ep_store_campaign_list (EpStore  *self,
                        GError  **error)
{
  return list_where (self, "", error);
}

GPtrArray *
ep_store_campaign_list_timed (EpStore  *self,
                              GError  **error)
{
  return list_where (self, "WHERE not_before > 0 ", error);
}

static GPtrArray *
list_where (EpStore     *self,
            const char  *where,
            GError     **error)
{
  g_autofree char *sql = g_strconcat ("SELECT " CAMPAIGN_COLUMNS " FROM campaigns ", where,
                                      "ORDER BY id DESC", NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_campaign_info_free);
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaigns"));
  else
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (result, campaign_from_row (self, stmt));
      if (rc != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaigns"));
    }
  g_mutex_unlock (&self->mutex);

  return ok ? g_steal_pointer (&result) : NULL;
}

/* Runs one UPDATE with up to four bound values; the lock is taken here. */
static gboolean
run_update (EpStore     *self,
            const char  *sql,
            const char  *what,
            gint64       id,
            const char  *text,
            const char  *text2,
            GError     **error,
            int         *changes)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, what);
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      if (text != NULL)
        sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
      if (text2 != NULL)
        sqlite3_bind_text (stmt, 3, text2, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, what);
      else if (changes != NULL)
        *changes = sqlite3_changes (self->db);
    }
  g_mutex_unlock (&self->mutex);

  return ok;
}

gboolean
ep_store_campaign_set_state (EpStore          *self,
                             gint64            id,
                             EpCampaignState   state,
                             const char       *reason,
                             GError          **error)
{
  int changes = 0;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (state < G_N_ELEMENTS (campaign_state_names), FALSE);

  if (!run_update (self,
                   reason != NULL
                   ? "UPDATE campaigns SET state = ?2, reason = ?3, updated_at = strftime('%s','now') WHERE id = ?1"
                   : "UPDATE campaigns SET state = ?2, reason = NULL, updated_at = strftime('%s','now') WHERE id = ?1",
                   _("Could not update the campaign"), id, campaign_state_names[state], reason,
                   error, &changes))
    return FALSE;

  if (changes == 0)
    {
      g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                   _("There is no campaign %" G_GINT64_FORMAT), id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ep_store_campaign_set_pacing (EpStore  *self,
                              gint64    id,
                              guint     connections,
                              guint     rate,
                              guint     daily_limit,
                              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "UPDATE campaigns SET connections = ?2, rate = ?3, daily_limit = ?4, "
                          "updated_at = strftime('%s','now') WHERE id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, connections);
      sqlite3_bind_int (stmt, 3, rate);
      sqlite3_bind_int (stmt, 4, daily_limit);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));
    }
  g_mutex_unlock (&self->mutex);

  return ok;
}

gboolean
ep_store_campaign_set_not_before (EpStore  *self,
                                  gint64    id,
                                  gint64    not_before,
                                  GError  **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  /* Given a time by a person (send later, reschedule): a scheduled entry
   * from now on, listed with the scheduled ones even after it went. */
  sql = g_strdup_printf ("UPDATE campaigns SET not_before = %" G_GINT64_FORMAT ", scheduled = 1, started_at = 0, "
                         "updated_at = strftime('%%s','now') WHERE id = ?1", MAX (not_before, 0));
  return run_update (self, sql, _("Could not update the campaign"), id, NULL, NULL, error, NULL);
}

gboolean
ep_store_campaign_mark_started (EpStore  *self,
                                gint64    id,
                                gint64    now,
                                GError  **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  sql = g_strdup_printf ("UPDATE campaigns SET started_at = %" G_GINT64_FORMAT " "
                         "WHERE id = ?1 AND started_at = 0", MAX (now, 1));
  return run_update (self, sql, _("Could not update the campaign"), id, NULL, NULL, error, NULL);
}

gboolean
ep_store_campaign_retry_now (EpStore  *self,
                             gint64    id,
                             GError  **error)
{
  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  return run_update (self,
                     "UPDATE campaign_recipients SET next_attempt = 0 "
                     "WHERE campaign_id = ?1 AND state = 'deferred'",
                     _("Could not update the campaign"), id, NULL, NULL, error, NULL);
}

gboolean
ep_store_campaign_delete (EpStore  *self,
                          gint64    id,
                          GError  **error)
{
  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  return run_update (self, "DELETE FROM campaigns WHERE id = ?1",
                     _("Could not remove the message from the outbox"), id, NULL, NULL, error, NULL);
}

int
ep_store_campaign_recover (EpStore  *self,
                           gint64    id,
                           GError  **error)
{
  int changes = 0;

  g_return_val_if_fail (EP_IS_STORE (self), -1);

  if (!run_update (self,
                   "UPDATE campaign_recipients SET state = 'uncertain', was_uncertain = 1, "
                   "updated_at = strftime('%s','now') WHERE campaign_id = ?1 AND state = 'sending'",
                   _("Could not update the campaign"), id, NULL, NULL, error, &changes))
    return -1;

  return changes;
}

EpStoreRecipient *
_ep_store_recipient_from_row (sqlite3_stmt *stmt)
{
  EpStoreRecipient *r = g_new0 (EpStoreRecipient, 1);

  r->row_number = sqlite3_column_int (stmt, 0);
  r->address = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  r->message_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  r->state = recipient_state_of ((const char *) sqlite3_column_text (stmt, 3));
  r->attempts = sqlite3_column_int (stmt, 4);
  r->was_uncertain = sqlite3_column_int (stmt, 5) != 0;
  r->next_attempt = sqlite3_column_int64 (stmt, 6);
  r->reply_code = sqlite3_column_int (stmt, 7);
  r->reply = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  r->updated_at = sqlite3_column_int64 (stmt, 9);

  return r;
}

EpStoreRecipient *
ep_store_recipient_claim (EpStore  *self,
                          gint64    id,
                          gint64    now,
                          gint64   *next_due,
                          GError  **error)
{
  /* Each picks the first row of its state from an index, in constant time
   * however many rows are sent: the index is named, as SQLite 3.40 would
   * otherwise walk the campaign's primary key from its first row. */
  static const char * const pick[] = {
    "SELECT " RECIPIENT_COLUMNS ", row_values, message, row_raw FROM campaign_recipients "
    "INDEXED BY campaign_recipients_state "
    "WHERE campaign_id = ?1 AND state = 'uncertain' ORDER BY row_number LIMIT 1",
    "SELECT " RECIPIENT_COLUMNS ", row_values, message, row_raw FROM campaign_recipients "
    "INDEXED BY campaign_recipients_state "
    "WHERE campaign_id = ?1 AND state = 'pending' ORDER BY row_number LIMIT 1",
    "SELECT " RECIPIENT_COLUMNS ", row_values, message, row_raw FROM campaign_recipients "
    "INDEXED BY campaign_recipients_due "
    "WHERE campaign_id = ?1 AND state = 'deferred' AND next_attempt <= ?2 "
    "ORDER BY next_attempt, row_number LIMIT 1",
  };
  EpStoreRecipient *result = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  if (next_due != NULL)
    *next_due = 0;

  g_mutex_lock (&self->mutex);

  if (!_ep_store_exec (self, "BEGIN IMMEDIATE", error))
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (pick) && result == NULL && !failed; i++)
    {
      sqlite3_stmt *stmt = _ep_store_cached (self, pick[i]);
      int rc;

      if (stmt == NULL)
        {
          failed = !_ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
          break;
        }
      sqlite3_bind_int64 (stmt, 1, id);
      if (i == 2)
        sqlite3_bind_int64 (stmt, 2, now);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          result = _ep_store_recipient_from_row (stmt);
          result->values = _ep_store_column_strv (stmt, 10);
          if (sqlite3_column_type (stmt, 12) == SQLITE_BLOB)
            result->raw = _ep_store_column_strv (stmt, 12);
          if (sqlite3_column_type (stmt, 11) == SQLITE_BLOB)
            result->message = g_bytes_new (sqlite3_column_blob (stmt, 11),
                                           sqlite3_column_bytes (stmt, 11));
        }
      else if (rc != SQLITE_DONE)
        failed = !_ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
      sqlite3_reset (stmt);
    }

  if (result != NULL)
    {
      sqlite3_stmt *stmt = _ep_store_cached (self,
                                             "UPDATE campaign_recipients SET state = 'sending', attempts = attempts + 1, "
                                             "updated_at = ?3 WHERE campaign_id = ?1 AND row_number = ?2");

      if (stmt == NULL)
        failed = !_ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));
      else
        {
          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_int (stmt, 2, result->row_number);
          sqlite3_bind_int64 (stmt, 3, now);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            failed = !_ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));
          else
            {
              sqlite3_reset (stmt);
              result->attempts++;
              result->claimed_from = result->state;
              result->state = EP_RECIPIENT_SENDING;
            }
        }
    }
  else if (!failed && next_due != NULL)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (sqlite3_prepare_v2 (self->db,
                              "SELECT min(next_attempt) FROM campaign_recipients "
                              "INDEXED BY campaign_recipients_due "
                              "WHERE campaign_id = ?1 AND state = 'deferred'", -1, &stmt, NULL) == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, id);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            *next_due = sqlite3_column_int64 (stmt, 0);
        }
    }

  if (failed || !_ep_store_exec (self, "COMMIT", failed ? NULL : error))
    {
      _ep_store_exec (self, "ROLLBACK", NULL);
      g_clear_pointer (&result, ep_store_recipient_free);
    }

  g_mutex_unlock (&self->mutex);

  return result;
}

gboolean
ep_store_recipient_update (EpStore          *self,
                           gint64            id,
                           guint             row_number,
                           EpRecipientState  state,
                           guint        reply_code,
                           const char  *reply,
                           gint64       next_attempt,
                           GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (state < EP_RECIPIENT_N_STATES, FALSE);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "UPDATE campaign_recipients SET state = ?3, reply_code = ?4, reply = ?5, "
                           "next_attempt = ?6, updated_at = strftime('%s','now'), "
                           "was_uncertain = CASE WHEN ?3 = 'uncertain' THEN 1 ELSE was_uncertain END, "
                           "sent_at = CASE WHEN ?3 = 'sent' THEN strftime('%s','now') ELSE sent_at END "
                           "WHERE campaign_id = ?1 AND row_number = ?2");
  if (stmt == NULL)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, row_number);
      sqlite3_bind_text (stmt, 3, recipient_state_names[state], -1, SQLITE_STATIC);
      if (reply_code > 0)
        sqlite3_bind_int (stmt, 4, reply_code);
      else
        sqlite3_bind_null (stmt, 4);
      if (reply != NULL)
        sqlite3_bind_text (stmt, 5, reply, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, 5);
      if (next_attempt > 0)
        sqlite3_bind_int64 (stmt, 6, next_attempt);
      else
        sqlite3_bind_null (stmt, 6);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));
      sqlite3_reset (stmt);
    }
  g_mutex_unlock (&self->mutex);

  return ok;
}

/* Every recipient of campaign @id in row order, with any bounce and,
 * when @with_values, its row values. */
GPtrArray *
_ep_store_campaign_recipients (EpStore   *self,
                               gint64     id,
                               gboolean   with_values,
                               GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          with_values
                          ? "SELECT " RECIPIENT_COLUMNS ", bounce, row_values FROM campaign_recipients "
                            "WHERE campaign_id = ?1 ORDER BY row_number"
                          : "SELECT " RECIPIENT_COLUMNS ", bounce FROM campaign_recipients "
                            "WHERE campaign_id = ?1 ORDER BY row_number",
                          -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          EpStoreRecipient *r = _ep_store_recipient_from_row (stmt);

          if (sqlite3_column_type (stmt, 10) == SQLITE_TEXT)
            r->bounce = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
          if (with_values)
            r->values = _ep_store_column_strv (stmt, 11);
          g_ptr_array_add (result, r);
        }
      if (rc != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
    }
  g_mutex_unlock (&self->mutex);

  return ok ? g_steal_pointer (&result) : NULL;
}

GPtrArray *
ep_store_campaign_recipients (EpStore  *self,
                              gint64    id,
                              GError  **error)
{
  return _ep_store_campaign_recipients (self, id, FALSE, error);
}
