/* ep-store-results.c: what a campaign's results are made of
 *
 * Its recipients with their row values and bounces, and the rows it left
 * out (campaign_skipped, schema 11): a bad address or a missing
 * attachment keeps a row from being sent, but the person still needs it
 * in the results, with why, beside the rows that went.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-store-private.h"

void
ep_store_skipped_free (EpStoreSkipped *skipped)
{
  if (skipped == NULL)
    return;
  g_free (skipped->address);
  g_free (skipped->reason);
  g_strfreev (skipped->values);
  g_free (skipped);
}

GPtrArray *
ep_store_campaign_results (EpStore  *self,
                           gint64    id,
                           GError  **error)
{
  return _ep_store_campaign_recipients (self, id, TRUE, error);
}

gboolean
ep_store_campaign_add_skipped (EpStore    *self,
                               gint64      id,
                               GPtrArray  *skipped,
                               GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (skipped != NULL, FALSE);

  if (skipped->len == 0)
    return TRUE;

  g_mutex_lock (&self->mutex);
  if (!_ep_store_exec (self, "BEGIN IMMEDIATE", error))
    goto out;
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO campaign_skipped "
                          "(campaign_id, row_number, address, reason, row_values) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)", -1, &stmt, NULL) != SQLITE_OK)
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the campaign"));
      goto rollback;
    }
  for (guint i = 0; i < skipped->len; i++)
    {
      const EpStoreSkipped *s = g_ptr_array_index (skipped, i);
      const char * const empty[] = { NULL };

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, s->row_number);
      sqlite3_bind_text (stmt, 3, s->address ? s->address : "", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, s->reason ? s->reason : "", -1, SQLITE_STATIC);
      _ep_store_bind_strv (stmt, 5, s->values ? (const char * const *) s->values : empty);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the campaign"));
          goto rollback;
        }
    }
  ok = _ep_store_exec (self, "COMMIT", error);
  if (ok)
    goto out;

rollback:
  _ep_store_exec (self, "ROLLBACK", NULL);
out:
  g_mutex_unlock (&self->mutex);
  return ok;
}

/* One number about campaign @id: @sql counts with ?1 bound to it. A
 * cached statement, reset after (a stepped one holds a read snapshot). */
static guint
campaign_count (EpStore    *self,
                const char *sql,
                gint64      id)
{
  sqlite3_stmt *stmt;
  guint n = 0;

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self, sql);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        n = sqlite3_column_int (stmt, 0);
      sqlite3_reset (stmt);
    }
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
ep_store_campaign_count_skipped (EpStore *self,
                                 gint64   id)
{
  g_return_val_if_fail (EP_IS_STORE (self), 0);

  return campaign_count (self, "SELECT count(*) FROM campaign_skipped WHERE campaign_id = ?1", id);
}

guint
ep_store_campaign_count_bounced (EpStore *self,
                                 gint64   id)
{
  g_return_val_if_fail (EP_IS_STORE (self), 0);

  return campaign_count (self, "SELECT count(*) FROM campaign_recipients "
                               "WHERE campaign_id = ?1 AND bounce IS NOT NULL", id);
}

GPtrArray *
ep_store_campaign_skipped (EpStore  *self,
                           gint64    id,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_skipped_free);
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT row_number, address, reason, row_values FROM campaign_skipped "
                          "WHERE campaign_id = ?1 ORDER BY row_number", -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          EpStoreSkipped *s = g_new0 (EpStoreSkipped, 1);

          s->row_number = sqlite3_column_int (stmt, 0);
          s->address = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          s->reason = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          s->values = _ep_store_column_strv (stmt, 3);
          g_ptr_array_add (result, s);
        }
      if (rc != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the campaign"));
    }
  g_mutex_unlock (&self->mutex);

  return ok ? g_steal_pointer (&result) : NULL;
}
