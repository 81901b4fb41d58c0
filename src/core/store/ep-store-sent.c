/* ep-store-sent.c: what an account has sent lately, for its daily limit
 *
 * A daily limit is a rolling 24 hours, counted over every campaign and
 * single message of the account (campaign_recipients.sent_at, indexed).
 * Also the statement trace that tests use to check the journal's query
 * plans.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-store-private.h"

GArray *
ep_store_sent_times_since (EpStore     *self,
                           const char  *account_uid,
                           gint64       since,
                           GError     **error)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);
  g_return_val_if_fail (account_uid != NULL, NULL);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "SELECT r.sent_at FROM campaign_recipients r JOIN campaigns c "
                           "ON r.campaign_id = c.id WHERE c.account_uid = ?1 AND r.sent_at >= ?2 "
                           "ORDER BY r.sent_at");
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, account_uid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, since);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 t = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (times, t);
        }
      ok = rc == SQLITE_DONE;
      /* No read snapshot may outlive the lock. */
      sqlite3_reset (stmt);
    }
  if (!ok)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                         _("Could not read the messages sent today"));
  g_mutex_unlock (&self->mutex);

  return ok ? g_steal_pointer (&times) : NULL;
}

gboolean
ep_store_sent_since (EpStore     *self,
                     const char  *account_uid,
                     gint64       since,
                     guint       *count,
                     GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  *count = 0;
  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "SELECT count(*) FROM campaign_recipients r JOIN campaigns c "
                           "ON r.campaign_id = c.id WHERE c.account_uid = ?1 AND r.sent_at >= ?2");
  if (stmt == NULL)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                         _("Could not count the messages sent today"));
  else
    {
      sqlite3_bind_text (stmt, 1, account_uid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, since);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          *count = sqlite3_column_int (stmt, 0);
          ok = TRUE;
        }
      else
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                             _("Could not count the messages sent today"));
      /* No read snapshot may outlive the lock. */
      sqlite3_reset (stmt);
    }
  g_mutex_unlock (&self->mutex);

  return ok;
}

static int
trace_cb (unsigned  type,
          void     *context,
          void     *p,
          void     *x)
{
  EpStore *self = context;
  const char *sql = sqlite3_sql (p);

  if (type == SQLITE_TRACE_STMT && self->trace != NULL && sql != NULL)
    g_ptr_array_add (self->trace, g_strdup (sql));
  return 0;
}

void
ep_store_trace_statements (EpStore   *self,
                           GPtrArray *sink)
{
  g_return_if_fail (EP_IS_STORE (self));

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->trace, g_ptr_array_unref);
  if (sink != NULL)
    self->trace = g_ptr_array_ref (sink);
  sqlite3_trace_v2 (self->db, sink != NULL ? SQLITE_TRACE_STMT : 0, sink != NULL ? trace_cb : NULL, self);
  g_mutex_unlock (&self->mutex);
}
