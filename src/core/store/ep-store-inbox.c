/* ep-store-inbox.c: the inbox cache (folders, message summaries, bodies,
 * search) and bounces of Epistle's own messages
 *
 * Writes come from sync workers in chunks of a few hundred rows, each one
 * transaction, so the send journal sharing the connection is never held
 * up for long. Reads for the message list are by primary key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-store"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-store-private.h"
#include "ep-store-inbox.h"

EpInboxFolder *
ep_inbox_folder_new (void)
{
  EpInboxFolder *folder = g_new0 (EpInboxFolder, 1);

  folder->selectable = TRUE;
  return folder;
}

EpInboxFolder *
ep_inbox_folder_copy (const EpInboxFolder *folder)
{
  EpInboxFolder *copy = g_memdup2 (folder, sizeof *folder);

  copy->account_uid = g_strdup (folder->account_uid);
  copy->raw_name = g_strdup (folder->raw_name);
  copy->name = g_strdup (folder->name);
  copy->special_use = g_strdup (folder->special_use);
  return copy;
}

void
ep_inbox_folder_free (EpInboxFolder *folder)
{
  if (folder == NULL)
    return;
  g_free (folder->account_uid);
  g_free (folder->raw_name);
  g_free (folder->name);
  g_free (folder->special_use);
  g_free (folder);
}

EpInboxSummary *
ep_inbox_summary_new (void)
{
  return g_new0 (EpInboxSummary, 1);
}

void
ep_inbox_summary_free (EpInboxSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->flags);
  g_free (summary->subject);
  g_free (summary->from_name);
  g_free (summary->from_address);
  g_free (summary->recipients);
  g_free (summary->message_id);
  g_free (summary->in_reply_to);
  g_free (summary);
}

EpInboxFlags
ep_inbox_flags_parse (const char *flags)
{
  g_auto(GStrv) words = g_strsplit (flags ? flags : "", " ", -1);
  EpInboxFlags state = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (words[i], "\\Seen") == 0)
        state |= EP_INBOX_SEEN;
      else if (g_ascii_strcasecmp (words[i], "\\Flagged") == 0)
        state |= EP_INBOX_FLAGGED;
      else if (g_ascii_strcasecmp (words[i], "\\Answered") == 0)
        state |= EP_INBOX_ANSWERED;
    }
  return state;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text ? g_strdup ((const char *) text) : NULL;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           col,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, col, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, col);
}

static gboolean
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
begin (EpStore  *self,
       GError  **error)
{
  sqlite3_stmt *stmt = _ep_store_cached (self, "BEGIN IMMEDIATE");

  if (stmt == NULL || !step_done (stmt))
    return _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                                _("Could not write the mail cache"));
  return TRUE;
}

static gboolean
commit (EpStore  *self,
        gboolean  ok,
        GError  **error)
{
  sqlite3_stmt *stmt = _ep_store_cached (self, ok ? "COMMIT" : "ROLLBACK");

  if (stmt == NULL || !step_done (stmt))
    {
      if (ok)
        {
          _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                               _("Could not write the mail cache"));
          _ep_store_exec (self, "ROLLBACK", NULL);
        }
      return FALSE;
    }
  return ok;
}

gint64
ep_store_inbox_folder_upsert (EpStore              *self,
                              const EpInboxFolder  *folder,
                              GError              **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;
  char delim[2] = { folder->delimiter, '\0' };

  g_return_val_if_fail (EP_IS_STORE (self), 0);
  g_return_val_if_fail (folder->account_uid != NULL && folder->raw_name != NULL, 0);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "INSERT INTO inbox_folders (account_uid, raw_name, name, delimiter, "
                           "special_use, selectable) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                           "ON CONFLICT (account_uid, raw_name) DO UPDATE SET name = ?3, "
                           "delimiter = ?4, special_use = ?5, selectable = ?6 RETURNING id");
  if (stmt != NULL)
    {
      bind_text (stmt, 1, folder->account_uid);
      bind_text (stmt, 2, folder->raw_name);
      bind_text (stmt, 3, folder->name ? folder->name : folder->raw_name);
      bind_text (stmt, 4, folder->delimiter ? delim : NULL);
      bind_text (stmt, 5, folder->special_use);
      sqlite3_bind_int (stmt, 6, folder->selectable);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
    }
  if (id == 0)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save a mail folder"));
  g_mutex_unlock (&self->mutex);
  return id;
}

#define FOLDER_COLUMNS \
  "f.id, f.account_uid, f.raw_name, f.name, f.delimiter, f.special_use, f.selectable, " \
  "f.uidvalidity, f.uidnext, f.highestmodseq, f.synced_at, " \
  "(SELECT count(*) FROM inbox_messages m WHERE m.folder_id = f.id), " \
  "(SELECT count(*) FROM inbox_messages m WHERE m.folder_id = f.id AND m.seen = 0)"

static EpInboxFolder *
folder_from_row (sqlite3_stmt *stmt)
{
  EpInboxFolder *folder = ep_inbox_folder_new ();
  const unsigned char *delim = sqlite3_column_text (stmt, 4);

  folder->id = sqlite3_column_int64 (stmt, 0);
  folder->account_uid = column_dup (stmt, 1);
  folder->raw_name = column_dup (stmt, 2);
  folder->name = column_dup (stmt, 3);
  folder->delimiter = delim ? (char) delim[0] : '\0';
  folder->special_use = column_dup (stmt, 5);
  folder->selectable = sqlite3_column_int (stmt, 6);
  folder->uidvalidity = (guint32) sqlite3_column_int64 (stmt, 7);
  folder->uidnext = (guint32) sqlite3_column_int64 (stmt, 8);
  folder->highestmodseq = (guint64) sqlite3_column_int64 (stmt, 9);
  folder->synced_at = sqlite3_column_int64 (stmt, 10);
  folder->total = sqlite3_column_int (stmt, 11);
  folder->unread = sqlite3_column_int (stmt, 12);
  return folder;
}

GPtrArray *
ep_store_inbox_folders (EpStore     *self,
                        const char  *account_uid,
                        GError     **error)
{
  g_autoptr(GPtrArray) folders = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_inbox_folder_free);
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "SELECT " FOLDER_COLUMNS " FROM inbox_folders f "
                           "WHERE ?1 IS NULL OR f.account_uid = ?1 "
                           "ORDER BY f.account_uid, f.special_use IS NOT '\\Inbox', "
                           "f.special_use IS NULL, f.name COLLATE NOCASE");
  if (stmt != NULL)
    {
      bind_text (stmt, 1, account_uid);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (folders, folder_from_row (stmt));
      ok = rc == SQLITE_DONE;
      sqlite3_reset (stmt);
    }
  if (!ok)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the mail folders"));
  g_mutex_unlock (&self->mutex);

  return ok ? g_steal_pointer (&folders) : NULL;
}

EpInboxFolder *
ep_store_inbox_folder_lookup (EpStore  *self,
                              gint64    id,
                              GError  **error)
{
  EpInboxFolder *folder = NULL;
  sqlite3_stmt *stmt;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self, "SELECT " FOLDER_COLUMNS " FROM inbox_folders f WHERE f.id = ?1");
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        folder = folder_from_row (stmt);
      sqlite3_reset (stmt);
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND, _("The mail folder is gone"));
  else if (folder == NULL)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the mail folders"));
  g_mutex_unlock (&self->mutex);
  return folder;
}

static gboolean
run_in_transaction (EpStore            *self,
                    const char * const *statements,
                    gint64              id,
                    const char         *what,
                    GError            **error)
{
  gboolean ok;

  g_mutex_lock (&self->mutex);
  ok = begin (self, error);
  if (ok)
    {
      gboolean all = TRUE;

      for (guint i = 0; all && statements[i] != NULL; i++)
        {
          sqlite3_stmt *stmt = _ep_store_cached (self, statements[i]);

          all = stmt != NULL;
          if (all)
            {
              sqlite3_bind_int64 (stmt, 1, id);
              all = step_done (stmt);
            }
        }
      if (!all)
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, what);
      ok = commit (self, all, all ? error : NULL);
    }
  g_mutex_unlock (&self->mutex);
  return ok;
}

gboolean
ep_store_inbox_folder_delete (EpStore  *self,
                              gint64    id,
                              GError  **error)
{
  /* The search rows go with their messages (FTS5 rows are deleted by
   * rowid, no trigger), all or nothing. */
  static const char * const statements[] = {
    "DELETE FROM inbox_search WHERE rowid IN (SELECT id FROM inbox_messages WHERE folder_id = ?1)",
    "DELETE FROM inbox_folders WHERE id = ?1",
    NULL
  };

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  return run_in_transaction (self, statements, id, _("Could not remove a mail folder"), error);
}

gboolean
ep_store_inbox_folder_reset (EpStore  *self,
                             gint64    id,
                             GError  **error)
{
  static const char * const statements[] = {
    "DELETE FROM inbox_search WHERE rowid IN (SELECT id FROM inbox_messages WHERE folder_id = ?1)",
    "DELETE FROM inbox_messages WHERE folder_id = ?1",
    "UPDATE inbox_folders SET uidvalidity = 0, uidnext = 0, highestmodseq = 0 WHERE id = ?1",
    NULL
  };

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  return run_in_transaction (self, statements, id, _("Could not empty a mail folder"), error);
}

gboolean
ep_store_inbox_folder_set_state (EpStore  *self,
                                 gint64    id,
                                 guint32   uidvalidity,
                                 guint32   uidnext,
                                 guint64   highestmodseq,
                                 GError  **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "UPDATE inbox_folders SET uidvalidity = ?2, uidnext = ?3, "
                           "highestmodseq = ?4, synced_at = strftime('%s','now') WHERE id = ?1");
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, uidvalidity);
      sqlite3_bind_int64 (stmt, 3, uidnext);
      sqlite3_bind_int64 (stmt, 4, (gint64) MIN (highestmodseq, (guint64) G_MAXINT64));
      ok = step_done (stmt);
    }
  if (!ok)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save a mail folder"));
  g_mutex_unlock (&self->mutex);
  return ok;
}

static gboolean
add_one (EpStore              *self,
         const EpInboxSummary *s)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;
  g_autofree char *people = NULL;

  stmt = _ep_store_cached (self,
                           "INSERT INTO inbox_messages (folder_id, uid, flags, seen, flagged, "
                           "answered, date, size, modseq, subject, from_name, from_address, "
                           "recipients, message_id, in_reply_to, attachments, encrypted, signed, "
                           "report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                           "?13, ?14, ?15, ?16, ?17, ?18, ?19) "
                           "ON CONFLICT (folder_id, uid) DO UPDATE SET flags = ?3, seen = ?4, "
                           "flagged = ?5, answered = ?6, modseq = ?9 RETURNING id");
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, s->folder_id);
  sqlite3_bind_int64 (stmt, 2, s->uid);
  bind_text (stmt, 3, s->flags ? s->flags : "");
  sqlite3_bind_int (stmt, 4, (s->state & EP_INBOX_SEEN) != 0);
  sqlite3_bind_int (stmt, 5, (s->state & EP_INBOX_FLAGGED) != 0);
  sqlite3_bind_int (stmt, 6, (s->state & EP_INBOX_ANSWERED) != 0);
  sqlite3_bind_int64 (stmt, 7, s->date);
  sqlite3_bind_int64 (stmt, 8, (gint64) MIN (s->size, (guint64) G_MAXINT64));
  sqlite3_bind_int64 (stmt, 9, (gint64) MIN (s->modseq, (guint64) G_MAXINT64));
  bind_text (stmt, 10, s->subject);
  bind_text (stmt, 11, s->from_name);
  bind_text (stmt, 12, s->from_address);
  bind_text (stmt, 13, s->recipients);
  bind_text (stmt, 14, s->message_id);
  bind_text (stmt, 15, s->in_reply_to);
  sqlite3_bind_int (stmt, 16, s->has_attachments);
  sqlite3_bind_int (stmt, 17, s->encrypted);
  sqlite3_bind_int (stmt, 18, s->is_signed);
  sqlite3_bind_int (stmt, 19, s->is_report);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (id == 0)
    return FALSE;

  people = g_strjoin (" ", s->from_name ? s->from_name : "", s->from_address ? s->from_address : "",
                      s->recipients ? s->recipients : "", NULL);
  stmt = _ep_store_cached (self,
                           "INSERT OR REPLACE INTO inbox_search (rowid, subject, people, body) "
                           "VALUES (?1, ?2, ?3, (SELECT body FROM inbox_search WHERE rowid = ?1))");
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, s->subject);
  bind_text (stmt, 3, people);
  return step_done (stmt);
}

gboolean
ep_store_inbox_add (EpStore    *self,
                    GPtrArray  *summaries,
                    GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  if (summaries->len == 0)
    return TRUE;

  g_mutex_lock (&self->mutex);
  ok = begin (self, error);
  if (ok)
    {
      gboolean all = TRUE;

      for (guint i = 0; all && i < summaries->len; i++)
        all = add_one (self, g_ptr_array_index (summaries, i));
      if (!all)
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                             _("Could not write the mail cache"));
      ok = commit (self, all, all ? error : NULL);
    }
  g_mutex_unlock (&self->mutex);
  return ok;
}

gboolean
ep_store_inbox_set_flags (EpStore    *self,
                          GPtrArray  *changes,
                          GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  if (changes->len == 0)
    return TRUE;

  g_mutex_lock (&self->mutex);
  ok = begin (self, error);
  if (ok)
    {
      gboolean all = TRUE;

      for (guint i = 0; all && i < changes->len; i++)
        {
          const EpInboxSummary *c = g_ptr_array_index (changes, i);
          EpInboxFlags state = ep_inbox_flags_parse (c->flags);
          sqlite3_stmt *stmt = _ep_store_cached (self,
                                                 "UPDATE inbox_messages SET flags = ?3, seen = ?4, "
                                                 "flagged = ?5, answered = ?6, "
                                                 "modseq = max(modseq, ?7) "
                                                 "WHERE folder_id = ?1 AND uid = ?2");

          if (stmt == NULL)
            {
              all = FALSE;
              break;
            }
          sqlite3_bind_int64 (stmt, 1, c->folder_id);
          sqlite3_bind_int64 (stmt, 2, c->uid);
          bind_text (stmt, 3, c->flags ? c->flags : "");
          sqlite3_bind_int (stmt, 4, (state & EP_INBOX_SEEN) != 0);
          sqlite3_bind_int (stmt, 5, (state & EP_INBOX_FLAGGED) != 0);
          sqlite3_bind_int (stmt, 6, (state & EP_INBOX_ANSWERED) != 0);
          sqlite3_bind_int64 (stmt, 7, (gint64) MIN (c->modseq, (guint64) G_MAXINT64));
          all = step_done (stmt);
        }
      if (!all)
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                             _("Could not write the mail cache"));
      ok = commit (self, all, all ? error : NULL);
    }
  g_mutex_unlock (&self->mutex);
  return ok;
}

GArray *
ep_store_inbox_uids (EpStore  *self,
                     gint64    folder_id,
                     GError  **error)
{
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self, "SELECT uid FROM inbox_messages WHERE folder_id = ?1 ORDER BY uid");
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, folder_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          guint32 uid = (guint32) sqlite3_column_int64 (stmt, 0);

          g_array_append_val (uids, uid);
        }
      ok = rc == SQLITE_DONE;
      sqlite3_reset (stmt);
    }
  if (!ok)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the mail cache"));
  g_mutex_unlock (&self->mutex);
  return ok ? g_steal_pointer (&uids) : NULL;
}

gboolean
ep_store_inbox_remove_uids (EpStore  *self,
                            gint64    folder_id,
                            GArray   *uids,
                            GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  if (uids->len == 0)
    return TRUE;

  g_mutex_lock (&self->mutex);
  ok = begin (self, error);
  if (ok)
    {
      gboolean all = TRUE;

      for (guint i = 0; all && i < uids->len; i++)
        {
          sqlite3_stmt *stmt = _ep_store_cached (self,
                                                 "DELETE FROM inbox_search WHERE rowid = (SELECT id "
                                                 "FROM inbox_messages WHERE folder_id = ?1 AND uid = ?2)");

          all = stmt != NULL;
          if (all)
            {
              sqlite3_bind_int64 (stmt, 1, folder_id);
              sqlite3_bind_int64 (stmt, 2, g_array_index (uids, guint32, i));
              all = step_done (stmt);
            }
          stmt = all ? _ep_store_cached (self, "DELETE FROM inbox_messages "
                                         "WHERE folder_id = ?1 AND uid = ?2") : NULL;
          all = stmt != NULL;
          if (all)
            {
              sqlite3_bind_int64 (stmt, 1, folder_id);
              sqlite3_bind_int64 (stmt, 2, g_array_index (uids, guint32, i));
              all = step_done (stmt);
            }
        }
      if (!all)
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                             _("Could not write the mail cache"));
      ok = commit (self, all, all ? error : NULL);
    }
  g_mutex_unlock (&self->mutex);
  return ok;
}

/* Words from a person's search, each a quoted prefix term: nothing they
 * type can be FTS5 syntax. */
static char *
search_query (const char *search)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_auto(GStrv) words = g_strsplit_set (search, " \t\n", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (query->len > 0)
        g_string_append_c (query, ' ');
      g_string_append_c (query, '"');
      for (const char *p = words[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append (query, "\"*");
    }
  return query->len > 0 ? g_string_free (g_steal_pointer (&query), FALSE) : NULL;
}

GArray *
ep_store_inbox_list (EpStore     *self,
                     gint64       folder_id,
                     const char  *search,
                     GError     **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *query = search ? search_query (search) : NULL;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (query != NULL)
    stmt = _ep_store_cached (self,
                             "SELECT m.id FROM inbox_messages m JOIN inbox_search s "
                             "ON s.rowid = m.id WHERE m.folder_id = ?1 AND inbox_search MATCH ?2 "
                             "ORDER BY m.date DESC, m.uid DESC");
  else
    stmt = _ep_store_cached (self,
                             "SELECT id FROM inbox_messages WHERE folder_id = ?1 "
                             "ORDER BY date DESC, uid DESC");
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, folder_id);
      if (query != NULL)
        bind_text (stmt, 2, query);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (ids, id);
        }
      ok = rc == SQLITE_DONE;
      sqlite3_reset (stmt);
    }
  if (!ok)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the mail cache"));
  g_mutex_unlock (&self->mutex);
  return ok ? g_steal_pointer (&ids) : NULL;
}

EpInboxSummary *
ep_store_inbox_lookup (EpStore  *self,
                       gint64    id,
                       GError  **error)
{
  EpInboxSummary *s = NULL;
  sqlite3_stmt *stmt;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "SELECT id, folder_id, uid, flags, date, size, modseq, subject, "
                           "from_name, from_address, recipients, message_id, in_reply_to, "
                           "attachments, encrypted, signed, report, body IS NOT NULL "
                           "FROM inbox_messages WHERE id = ?1");
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          s = ep_inbox_summary_new ();
          s->id = sqlite3_column_int64 (stmt, 0);
          s->folder_id = sqlite3_column_int64 (stmt, 1);
          s->uid = (guint32) sqlite3_column_int64 (stmt, 2);
          s->flags = column_dup (stmt, 3);
          s->state = ep_inbox_flags_parse (s->flags);
          s->date = sqlite3_column_int64 (stmt, 4);
          s->size = (guint64) sqlite3_column_int64 (stmt, 5);
          s->modseq = (guint64) sqlite3_column_int64 (stmt, 6);
          s->subject = column_dup (stmt, 7);
          s->from_name = column_dup (stmt, 8);
          s->from_address = column_dup (stmt, 9);
          s->recipients = column_dup (stmt, 10);
          s->message_id = column_dup (stmt, 11);
          s->in_reply_to = column_dup (stmt, 12);
          s->has_attachments = sqlite3_column_int (stmt, 13);
          s->encrypted = sqlite3_column_int (stmt, 14);
          s->is_signed = sqlite3_column_int (stmt, 15);
          s->is_report = sqlite3_column_int (stmt, 16);
          s->has_body = sqlite3_column_int (stmt, 17);
        }
      sqlite3_reset (stmt);
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND, _("The message is gone"));
  else if (s == NULL)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the mail cache"));
  g_mutex_unlock (&self->mutex);
  return s;
}

gint64
ep_store_inbox_find_uid (EpStore *self,
                         gint64   folder_id,
                         guint32  uid)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;

  g_return_val_if_fail (EP_IS_STORE (self), 0);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self, "SELECT id FROM inbox_messages WHERE folder_id = ?1 AND uid = ?2");
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, uid);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
    }
  g_mutex_unlock (&self->mutex);
  return id;
}

GBytes *
ep_store_inbox_body (EpStore  *self,
                     gint64    id,
                     GError  **error)
{
  GBytes *body = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self, "SELECT body FROM inbox_messages WHERE id = ?1");
  if (stmt != NULL)
    {
      int rc;

      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        body = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
      ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
      sqlite3_reset (stmt);
    }
  if (!ok)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the mail cache"));
  g_mutex_unlock (&self->mutex);
  return body;
}

gboolean
ep_store_inbox_set_body (EpStore     *self,
                         gint64       id,
                         GBytes      *raw,
                         const char  *search_text,
                         GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  ok = begin (self, error);
  if (ok)
    {
      gsize len;
      const void *data = g_bytes_get_data (raw, &len);
      gboolean done = FALSE;

      stmt = _ep_store_cached (self, "UPDATE inbox_messages SET body = ?2 WHERE id = ?1");
      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_blob64 (stmt, 2, data ? data : "", len, SQLITE_STATIC);
          done = step_done (stmt);
        }
      if (done && search_text != NULL)
        {
          stmt = _ep_store_cached (self,
                                   "INSERT OR REPLACE INTO inbox_search (rowid, subject, people, body) "
                                   "SELECT ?1, subject, people, ?2 FROM inbox_search WHERE rowid = ?1");
          done = stmt != NULL;
          if (done)
            {
              sqlite3_bind_int64 (stmt, 1, id);
              bind_text (stmt, 2, search_text);
              done = step_done (stmt);
            }
        }
      if (!done)
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not write the mail cache"));
      ok = commit (self, done, done ? error : NULL);
    }
  g_mutex_unlock (&self->mutex);
  return ok;
}

guint
ep_store_inbox_unread (EpStore     *self,
                       const char  *account_uid,
                       GError     **error)
{
  sqlite3_stmt *stmt;
  guint count = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (EP_IS_STORE (self), 0);

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "SELECT count(*) FROM inbox_messages m JOIN inbox_folders f "
                           "ON m.folder_id = f.id WHERE m.seen = 0 AND f.special_use = '\\Inbox' "
                           "AND (?1 IS NULL OR f.account_uid = ?1)");
  if (stmt != NULL)
    {
      bind_text (stmt, 1, account_uid);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          count = sqlite3_column_int (stmt, 0);
          ok = TRUE;
        }
      sqlite3_reset (stmt);
    }
  if (!ok)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the mail cache"));
  g_mutex_unlock (&self->mutex);
  return count;
}

gboolean
ep_store_recipient_mark_bounced (EpStore     *self,
                                 const char  *message_id,
                                 const char  *address,
                                 const char  *diagnostic,
                                 gint64      *campaign_id,
                                 GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  gint64 id = 0;
  int rc = SQLITE_ERROR;
  g_autofree char *bare = NULL;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);

  if (campaign_id != NULL)
    *campaign_id = 0;

  /* The journal keeps Message-IDs without their angle brackets. */
  bare = g_strstrip (g_strdup (message_id));
  if (bare[0] == '<' && strlen (bare) > 2 && bare[strlen (bare) - 1] == '>')
    {
      bare[strlen (bare) - 1] = '\0';
      memmove (bare, bare + 1, strlen (bare));
    }

  g_mutex_lock (&self->mutex);
  stmt = _ep_store_cached (self,
                           "UPDATE campaign_recipients SET bounce = ?2, "
                           "bounced_at = strftime('%s','now') WHERE message_id = ?1 "
                           "AND lower(address) = lower(?3) RETURNING campaign_id");
  if (stmt != NULL)
    {
      bind_text (stmt, 1, bare);
      bind_text (stmt, 2, diagnostic ? diagnostic : "");
      bind_text (stmt, 3, address ? address : "");
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
    }
  if (rc != SQLITE_DONE)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY,
                         _("Could not record a returned message"));
  else
    ok = id != 0;
  g_mutex_unlock (&self->mutex);

  if (campaign_id != NULL)
    *campaign_id = id;
  return ok;
}
