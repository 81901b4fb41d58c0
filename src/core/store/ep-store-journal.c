/* ep-store-journal.c: the send engine's group commit
 *
 * One transaction records a connection's last outcomes and claims its next
 * few recipients, so the journal costs one commit per batch instead of two
 * per message. Every statement on this path is prepared once, BEGIN and
 * COMMIT included, and every one picks or changes rows through an index
 * (tests/core/test-journal.c checks their plans).
 *
 * The guarantee, as the runner states it (ep-campaign-runner.c): a claimed
 * recipient is committed "sending" before its message is built; its
 * outcome is committed with the next exchange. After a kill -9, the rows
 * still "sending" are exactly those claimed and not yet recorded: at most
 * K connections × the batch. The next run marks them uncertain and sends
 * them again (a duplicate beats a loss); nobody else is sent twice and
 * nobody is lost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-store-journal"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-store-private.h"

/* Uncertain first, then pending in row order, then deferred retries that
 * are due; each from its index, in constant time however many rows are
 * sent (SQLite 3.40 would otherwise walk the campaign's primary key). */
static const char * const pick[] = {
  "SELECT " RECIPIENT_COLUMNS ", row_values, message, row_raw FROM campaign_recipients "
  "INDEXED BY campaign_recipients_state "
  "WHERE campaign_id = ?1 AND state = 'uncertain' ORDER BY row_number LIMIT ?3",
  "SELECT " RECIPIENT_COLUMNS ", row_values, message, row_raw FROM campaign_recipients "
  "INDEXED BY campaign_recipients_state "
  "WHERE campaign_id = ?1 AND state = 'pending' ORDER BY row_number LIMIT ?3",
  "SELECT " RECIPIENT_COLUMNS ", row_values, message, row_raw FROM campaign_recipients "
  "INDEXED BY campaign_recipients_due "
  "WHERE campaign_id = ?1 AND state = 'deferred' AND next_attempt <= ?2 "
  "ORDER BY next_attempt, row_number LIMIT ?3",
};

static gboolean
step_cached (EpStore    *self,
             const char *sql)
{
  sqlite3_stmt *stmt = _ep_store_cached (self, sql);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_reset (stmt);
  return ok;
}

/* Called with the lock held, inside the transaction. */
static gboolean
record_outcome (EpStore              *self,
                gint64                id,
                const EpStoreOutcome *o)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  if (o->released)
    {
      /* Claimed, never sent: back as it was, the attempt not counted. */
      stmt = _ep_store_cached (self,
                               "UPDATE campaign_recipients SET state = ?3, attempts = max(attempts - 1, 0) "
                               "WHERE campaign_id = ?1 AND row_number = ?2 AND state = 'sending'");
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, o->row_number);
      sqlite3_bind_text (stmt, 3, ep_recipient_state_to_string (o->state), -1, SQLITE_STATIC);
    }
  else
    {
      stmt = _ep_store_cached (self,
                               "UPDATE campaign_recipients SET state = ?3, reply_code = ?4, reply = ?5, "
                               "next_attempt = ?6, updated_at = strftime('%s','now'), "
                               "was_uncertain = CASE WHEN ?3 = 'uncertain' THEN 1 ELSE was_uncertain END, "
                               "sent_at = CASE WHEN ?3 = 'sent' THEN strftime('%s','now') ELSE sent_at END "
                               "WHERE campaign_id = ?1 AND row_number = ?2");
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, o->row_number);
      sqlite3_bind_text (stmt, 3, ep_recipient_state_to_string (o->state), -1, SQLITE_STATIC);
      if (o->reply_code > 0)
        sqlite3_bind_int (stmt, 4, o->reply_code);
      if (o->reply != NULL)
        sqlite3_bind_text (stmt, 5, o->reply, -1, SQLITE_STATIC);
      if (o->next_attempt > 0)
        sqlite3_bind_int64 (stmt, 6, o->next_attempt);
    }
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_reset (stmt);
  return ok;
}

/* Called with the lock held, inside the transaction: appends up to @max
 * recipients to @claimed, each marked "sending" with its attempt counted. */
static gboolean
claim_batch (EpStore   *self,
             gint64     id,
             guint      max,
             gint64     now,
             GPtrArray *claimed)
{
  guint first = claimed->len;
  sqlite3_stmt *mark;

  for (guint i = 0; i < G_N_ELEMENTS (pick) && claimed->len - first < max; i++)
    {
      sqlite3_stmt *stmt = _ep_store_cached (self, pick[i]);
      int rc;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, now);
      sqlite3_bind_int (stmt, 3, max - (claimed->len - first));
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          EpStoreRecipient *r = _ep_store_recipient_from_row (stmt);

          r->values = _ep_store_column_strv (stmt, 10);
          if (sqlite3_column_type (stmt, 12) == SQLITE_BLOB)
            r->raw = _ep_store_column_strv (stmt, 12);
          if (sqlite3_column_type (stmt, 11) == SQLITE_BLOB)
            r->message = g_bytes_new (sqlite3_column_blob (stmt, 11), sqlite3_column_bytes (stmt, 11));
          g_ptr_array_add (claimed, r);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return FALSE;
    }

  mark = _ep_store_cached (self,
                           "UPDATE campaign_recipients SET state = 'sending', attempts = attempts + 1, "
                           "updated_at = ?3 WHERE campaign_id = ?1 AND row_number = ?2");
  if (mark == NULL)
    return FALSE;
  for (guint i = first; i < claimed->len; i++)
    {
      EpStoreRecipient *r = g_ptr_array_index (claimed, i);
      gboolean ok;

      sqlite3_bind_int64 (mark, 1, id);
      sqlite3_bind_int (mark, 2, r->row_number);
      sqlite3_bind_int64 (mark, 3, now);
      ok = sqlite3_step (mark) == SQLITE_DONE;
      sqlite3_reset (mark);
      if (!ok)
        return FALSE;
      r->claimed_from = r->state;
      r->state = EP_RECIPIENT_SENDING;
      r->attempts++;
    }

  return TRUE;
}

gboolean
ep_store_recipient_exchange (EpStore              *self,
                             gint64                id,
                             const EpStoreOutcome *outcomes,
                             guint                 n_outcomes,
                             guint                 max,
                             gint64                now,
                             GPtrArray            *claimed,
                             gint64               *next_due,
                             GError              **error)
{
  guint first;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_outcomes == 0 || outcomes != NULL, FALSE);
  g_return_val_if_fail (max == 0 || claimed != NULL, FALSE);

  if (next_due != NULL)
    *next_due = 0;
  first = claimed != NULL ? claimed->len : 0;

  g_mutex_lock (&self->mutex);

  if (!step_cached (self, "BEGIN IMMEDIATE"))
    {
      _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }

  for (guint i = 0; i < n_outcomes && ok; i++)
    ok = record_outcome (self, id, &outcomes[i]);

  if (ok && max > 0)
    ok = claim_batch (self, id, max, now, claimed);

  if (ok && max > 0 && claimed->len == first && next_due != NULL)
    {
      sqlite3_stmt *stmt = _ep_store_cached (self,
                                             "SELECT min(next_attempt) FROM campaign_recipients "
                                             "INDEXED BY campaign_recipients_due "
                                             "WHERE campaign_id = ?1 AND state = 'deferred'");

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, id);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            *next_due = sqlite3_column_int64 (stmt, 0);
          sqlite3_reset (stmt);
        }
    }

  if (!ok)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));
  else if (!step_cached (self, "COMMIT"))
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not update the campaign"));

  if (!ok)
    {
      step_cached (self, "ROLLBACK");
      if (claimed != NULL)
        g_ptr_array_set_size (claimed, first);
      if (next_due != NULL)
        *next_due = 0;
    }

  g_mutex_unlock (&self->mutex);

  return ok;
}
