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

void
ep_store_recipient_free (EpStoreRecipient *recipient)
{
  if (recipient == NULL)
    return;

  g_free (recipient->address);
  g_strfreev (recipient->values);
  g_free (recipient->message_id);
  g_free (recipient->state);
  g_free (recipient->reply);
  g_free (recipient);
}

static void
bind_strv (sqlite3_stmt       *stmt,
           int                 index,
           const char * const *strv)
{
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_strv (strv, -1));

  sqlite3_bind_blob (stmt, index, g_variant_get_data (v), g_variant_get_size (v),
                     SQLITE_TRANSIENT);
}

static GStrv
column_strv (sqlite3_stmt *stmt,
             int           column)
{
  const void *data = sqlite3_column_blob (stmt, column);
  int size = sqlite3_column_bytes (stmt, column);
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_STRING_ARRAY,
                                                                        bytes, FALSE));

  /* A damaged blob still yields a valid (possibly empty) array. */
  return g_variant_dup_strv (v, NULL);
}

static const char *
lookup_str (GVariant   *info,
            const char *key,
            const char *fallback)
{
  const char *value = NULL;

  if (g_variant_lookup (info, key, "&s", &value))
    return value;
  return fallback;
}

static guint
lookup_uint (GVariant   *info,
             const char *key,
             guint       fallback)
{
  guint value;

  if (g_variant_lookup (info, key, "u", &value))
    return value;
  return fallback;
}

gint64
ep_store_campaign_insert (EpStore    *self,
                          GVariant   *info,
                          GPtrArray  *recipients,
                          GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) rstmt = NULL;
  g_autofree const char **columns = NULL;
  gint64 id = 0;

  g_return_val_if_fail (EP_IS_STORE (self), 0);
  g_return_val_if_fail (g_variant_is_of_type (info, G_VARIANT_TYPE_VARDICT), 0);
  g_return_val_if_fail (recipients != NULL, 0);

  g_variant_ref_sink (info);
  if (!g_variant_lookup (info, "columns", "^a&s", &columns))
    columns = g_new0 (const char *, 1);

  g_mutex_lock (&self->mutex);

  if (!_ep_store_exec (self, "BEGIN IMMEDIATE", error))
    goto out;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO campaigns (account_uid, name, template, base_dir, columns, "
                          "connections, rate, daily_limit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                          -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (self->db,
                          "INSERT INTO campaign_recipients (campaign_id, row_number, address, "
                          "row_values, message_id, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, strftime('%s','now'))",
                          -1, &rstmt, NULL) != SQLITE_OK)
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the campaign"));
      goto rollback;
    }

  sqlite3_bind_text (stmt, 1, lookup_str (info, "account_uid", ""), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, lookup_str (info, "name", ""), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, lookup_str (info, "template", ""), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, lookup_str (info, "base_dir", ""), -1, SQLITE_TRANSIENT);
  bind_strv (stmt, 5, columns);
  sqlite3_bind_int (stmt, 6, lookup_uint (info, "connections", 1));
  sqlite3_bind_int (stmt, 7, lookup_uint (info, "rate", 0));
  sqlite3_bind_int (stmt, 8, lookup_uint (info, "daily_limit", 0));

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the campaign"));
      goto rollback;
    }
  id = sqlite3_last_insert_rowid (self->db);

  for (guint i = 0; i < recipients->len; i++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (recipients, i);
      const char * const empty[] = { NULL };

      sqlite3_reset (rstmt);
      sqlite3_bind_int64 (rstmt, 1, id);
      sqlite3_bind_int (rstmt, 2, r->row_number);
      sqlite3_bind_text (rstmt, 3, r->address ? r->address : "", -1, SQLITE_STATIC);
      bind_strv (rstmt, 4, r->values ? (const char * const *) r->values : empty);
      sqlite3_bind_text (rstmt, 5, r->message_id ? r->message_id : "", -1, SQLITE_STATIC);
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
  g_variant_unref (info);
  return id;
}

static const char *count_states[] = {
  "pending", "sending", "sent", "failed", "deferred", "uncertain",
};

/* Called with the lock held. */
static GVariant *
campaign_from_row (EpStore      *self,
                   sqlite3_stmt *stmt)
{
  g_autoptr(sqlite3_stmt) counts = NULL;
  g_auto(GStrv) columns = column_strv (stmt, 5);
  GVariantBuilder builder;
  gint64 id = sqlite3_column_int64 (stmt, 0);
  guint total = 0;
  guint per_state[G_N_ELEMENTS (count_states)] = { 0, };
  guint was_uncertain = 0;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "id", g_variant_new_int64 (id));
  g_variant_builder_add (&builder, "{sv}", "account_uid",
                         g_variant_new_string ((const char *) sqlite3_column_text (stmt, 1)));
  g_variant_builder_add (&builder, "{sv}", "name",
                         g_variant_new_string ((const char *) sqlite3_column_text (stmt, 2)));
  g_variant_builder_add (&builder, "{sv}", "template",
                         g_variant_new_string ((const char *) sqlite3_column_text (stmt, 3)));
  g_variant_builder_add (&builder, "{sv}", "base_dir",
                         g_variant_new_string ((const char *) sqlite3_column_text (stmt, 4)));
  g_variant_builder_add (&builder, "{sv}", "columns",
                         g_variant_new_strv ((const char * const *) columns, -1));
  g_variant_builder_add (&builder, "{sv}", "connections", g_variant_new_uint32 (sqlite3_column_int (stmt, 6)));
  g_variant_builder_add (&builder, "{sv}", "rate", g_variant_new_uint32 (sqlite3_column_int (stmt, 7)));
  g_variant_builder_add (&builder, "{sv}", "daily_limit", g_variant_new_uint32 (sqlite3_column_int (stmt, 8)));
  g_variant_builder_add (&builder, "{sv}", "state",
                         g_variant_new_string ((const char *) sqlite3_column_text (stmt, 9)));
  if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
    g_variant_builder_add (&builder, "{sv}", "reason",
                           g_variant_new_string ((const char *) sqlite3_column_text (stmt, 10)));
  g_variant_builder_add (&builder, "{sv}", "created_at", g_variant_new_int64 (sqlite3_column_int64 (stmt, 11)));
  g_variant_builder_add (&builder, "{sv}", "updated_at", g_variant_new_int64 (sqlite3_column_int64 (stmt, 12)));

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT state, count(*), sum(was_uncertain) FROM campaign_recipients "
                          "WHERE campaign_id = ?1 GROUP BY state", -1, &counts, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (counts, 1, id);
      while (sqlite3_step (counts) == SQLITE_ROW)
        {
          const char *state = (const char *) sqlite3_column_text (counts, 0);
          guint n = sqlite3_column_int (counts, 1);

          total += n;
          was_uncertain += sqlite3_column_int (counts, 2);
          for (guint i = 0; i < G_N_ELEMENTS (count_states); i++)
            if (g_strcmp0 (state, count_states[i]) == 0)
              per_state[i] = n;
        }
    }

  g_variant_builder_add (&builder, "{sv}", "total", g_variant_new_uint32 (total));
  for (guint i = 0; i < G_N_ELEMENTS (count_states); i++)
    g_variant_builder_add (&builder, "{sv}", count_states[i], g_variant_new_uint32 (per_state[i]));
  g_variant_builder_add (&builder, "{sv}", "was_uncertain", g_variant_new_uint32 (was_uncertain));

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

#define CAMPAIGN_COLUMNS \
  "id, account_uid, name, template, base_dir, columns, connections, rate, daily_limit, " \
  "state, reason, created_at, updated_at"

GVariant *
ep_store_campaign_lookup (EpStore  *self,
                          gint64    id,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GVariant *result = NULL;
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

GPtrArray *
ep_store_campaign_list (EpStore  *self,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, "SELECT " CAMPAIGN_COLUMNS " FROM campaigns ORDER BY id DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
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
ep_store_campaign_set_state (EpStore     *self,
                             gint64       id,
                             const char  *state,
                             const char  *reason,
                             GError     **error)
{
  int changes = 0;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (state != NULL, FALSE);

  if (!run_update (self,
                   reason != NULL
                   ? "UPDATE campaigns SET state = ?2, reason = ?3, updated_at = strftime('%s','now') WHERE id = ?1"
                   : "UPDATE campaigns SET state = ?2, reason = NULL, updated_at = strftime('%s','now') WHERE id = ?1",
                   _("Could not update the campaign"), id, state, reason, error, &changes))
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

#define RECIPIENT_COLUMNS \
  "row_number, address, message_id, state, attempts, was_uncertain, next_attempt, " \
  "reply_code, reply, updated_at"

static EpStoreRecipient *
recipient_from_row (sqlite3_stmt *stmt)
{
  EpStoreRecipient *r = g_new0 (EpStoreRecipient, 1);

  r->row_number = sqlite3_column_int (stmt, 0);
  r->address = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  r->message_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  r->state = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
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
  /* Each picks from the index on (campaign_id, state, row_number). */
  static const char * const pick[] = {
    "SELECT " RECIPIENT_COLUMNS ", row_values FROM campaign_recipients "
    "WHERE campaign_id = ?1 AND state = 'uncertain' ORDER BY row_number LIMIT 1",
    "SELECT " RECIPIENT_COLUMNS ", row_values FROM campaign_recipients "
    "WHERE campaign_id = ?1 AND state = 'pending' ORDER BY row_number LIMIT 1",
    "SELECT " RECIPIENT_COLUMNS ", row_values FROM campaign_recipients "
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
          result = recipient_from_row (stmt);
          result->values = column_strv (stmt, 10);
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
              g_free (result->state);
              result->state = g_strdup ("sending");
            }
        }
    }
  else if (!failed && next_due != NULL)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (sqlite3_prepare_v2 (self->db,
                              "SELECT min(next_attempt) FROM campaign_recipients "
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
ep_store_recipient_update (EpStore     *self,
                           gint64       id,
                           guint        row_number,
                           const char  *state,
                           guint        reply_code,
                           const char  *reply,
                           gint64       next_attempt,
                           GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (state != NULL, FALSE);

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
      sqlite3_bind_text (stmt, 3, state, -1, SQLITE_STATIC);
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

GPtrArray *
ep_store_campaign_recipients (EpStore  *self,
                              gint64    id,
                              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT " RECIPIENT_COLUMNS " FROM campaign_recipients "
                          "WHERE campaign_id = ?1 ORDER BY row_number", -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (result, recipient_from_row (stmt));
      if (rc != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
    }
  g_mutex_unlock (&self->mutex);

  return ok ? g_steal_pointer (&result) : NULL;
}

guint
ep_store_sent_since (EpStore    *self,
                     const char *account_uid,
                     gint64      since)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint count = 0;

  g_return_val_if_fail (EP_IS_STORE (self), 0);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT count(*) FROM campaign_recipients r JOIN campaigns c "
                          "ON r.campaign_id = c.id WHERE c.account_uid = ?1 AND r.sent_at >= ?2",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, account_uid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, since);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        count = sqlite3_column_int (stmt, 0);
    }
  /* No read snapshot may outlive the lock. */
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->mutex);

  return count;
}
