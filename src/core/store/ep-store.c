/* ep-store.c: SQLite, the only file in Epistle that includes sqlite3.h
 *
 * The database is opened in WAL mode with synchronous=NORMAL: a committed
 * change survives the application crashing, being killed or the laptop
 * sleeping (the WAL is written before COMMIT returns); only a power cut or
 * kernel crash can lose the last few commits. For the send journal that can
 * only mean a message sent again, never a recipient lost: a "sent" that
 * rolls back reads "sending" (resent as uncertain) or "pending". It keeps a
 * commit at tens of microseconds instead of an fsync per recipient state. Migrations are numbered and run in
 * one transaction each; PRAGMA user_version records how far we got. A
 * database from a newer Epistle is refused rather than damaged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "ep-store.h"
#include "ep-store-private.h"

G_DEFINE_FINAL_TYPE (EpStore, ep_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (ep-store-error-quark, ep_store_error)

/* Never edit a migration that has shipped; append a new one. */
static const char * const migrations[] = {
  /* 1: accounts */
  "CREATE TABLE accounts ("
  "  id            INTEGER PRIMARY KEY,"
  "  uid           TEXT NOT NULL UNIQUE,"
  "  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  display_name  TEXT,"
  "  address       TEXT NOT NULL,"
  "  smtp_host     TEXT NOT NULL,"
  "  smtp_port     INTEGER NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),"
  "  smtp_security TEXT NOT NULL CHECK (smtp_security IN ('tls','starttls','none')),"
  "  imap_host     TEXT,"
  "  imap_port     INTEGER CHECK (imap_port IS NULL OR imap_port BETWEEN 1 AND 65535),"
  "  imap_security TEXT CHECK (imap_security IS NULL OR imap_security IN ('tls','starttls','none')),"
  "  username      TEXT,"
  "  ca_file       TEXT,"
  "  auth_method   TEXT NOT NULL DEFAULT 'password',"
  "  preset        TEXT NOT NULL DEFAULT 'generic',"
  "  is_default    INTEGER NOT NULL DEFAULT 0,"
  "  created_at    INTEGER NOT NULL DEFAULT (strftime('%s','now'))"
  ");",

  /* 2: drafts, saved as the person types */
  "CREATE TABLE drafts ("
  "  id            INTEGER PRIMARY KEY,"
  "  account_uid   TEXT,"
  "  to_text       TEXT NOT NULL DEFAULT '',"
  "  cc_text       TEXT NOT NULL DEFAULT '',"
  "  bcc_text      TEXT NOT NULL DEFAULT '',"
  "  subject       TEXT NOT NULL DEFAULT '',"
  "  body          TEXT NOT NULL DEFAULT '',"
  "  markdown      INTEGER NOT NULL DEFAULT 0,"
  "  attachments   TEXT NOT NULL DEFAULT '',"   /* one path per line */
  "  updated_at    INTEGER NOT NULL DEFAULT (strftime('%s','now'))"
  ");",

  /* 3: campaigns (a snapshot of the template and the rows) and their
   * per-recipient journal */
  "CREATE TABLE campaigns ("
  "  id            INTEGER PRIMARY KEY,"
  "  account_uid   TEXT NOT NULL,"
  "  name          TEXT NOT NULL,"
  "  template      TEXT NOT NULL,"
  "  base_dir      TEXT NOT NULL,"
  "  columns       BLOB NOT NULL,"                 /* GVariant as */
  "  connections   INTEGER NOT NULL DEFAULT 1 CHECK (connections BETWEEN 1 AND 16),"
  "  rate          INTEGER NOT NULL DEFAULT 0,"   /* per minute, 0 = unpaced */
  "  daily_limit   INTEGER NOT NULL DEFAULT 0,"   /* 0 = none */
  "  state         TEXT NOT NULL DEFAULT 'ready' CHECK (state IN "
  "                ('ready','running','paused','finished','cancelled')),"
  "  reason        TEXT,"
  "  created_at    INTEGER NOT NULL DEFAULT (strftime('%s','now')),"
  "  updated_at    INTEGER NOT NULL DEFAULT (strftime('%s','now'))"
  ");"
  "CREATE TABLE campaign_recipients ("
  "  campaign_id   INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,"
  "  row_number    INTEGER NOT NULL,"
  "  address       TEXT NOT NULL,"
  "  row_values    BLOB NOT NULL,"                 /* GVariant as */
  "  message_id    TEXT NOT NULL,"
  "  state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN "
  "                ('pending','sending','sent','failed','deferred','uncertain')),"
  "  attempts      INTEGER NOT NULL DEFAULT 0,"
  "  was_uncertain INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt  INTEGER,"                       /* unix time, deferred only */
  "  reply_code    INTEGER,"
  "  reply         TEXT,"
  "  updated_at    INTEGER,"
  "  sent_at       INTEGER,"
  "  PRIMARY KEY (campaign_id, row_number)"
  ") WITHOUT ROWID;"
  "CREATE INDEX campaign_recipients_state ON campaign_recipients (campaign_id, state, row_number);"
  "CREATE INDEX campaign_recipients_sent ON campaign_recipients (sent_at) WHERE sent_at IS NOT NULL;",

  /* 4: the outbox: single messages from Compose are one-recipient entries
   * of the same journal, stored built (what goes on the wire, nothing
   * else), and any entry may wait until a time (undo, send later). */
  "ALTER TABLE campaigns ADD COLUMN kind TEXT NOT NULL DEFAULT 'merge' "
  "  CHECK (kind IN ('merge','message'));"
  "ALTER TABLE campaigns ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE outbox_messages ("
  "  campaign_id   INTEGER PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,"
  "  envelope_from TEXT NOT NULL,"
  "  recipients    BLOB NOT NULL,"                 /* GVariant as */
  "  data          BLOB NOT NULL"
  ");"
  "CREATE INDEX campaigns_open ON campaigns (state) WHERE state IN ('ready','running','paused');",

  /* 5: send later: whether a person gave the entry its time (not an undo
   * delay), when its run first began (its lateness is started_at -
   * not_before), and a scheduled message's draft (GVariant a{sv}), for
   * Edit. */
  "ALTER TABLE campaigns ADD COLUMN started_at INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE campaigns ADD COLUMN scheduled INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE outbox_messages ADD COLUMN draft BLOB;",

  /* 6: spread over days: a campaign sent a daily limit's worth a day,
   * within an optional window of local hours (minutes after midnight)
   * and days (bit 0 = Monday; 0 = every day). */
  "ALTER TABLE campaigns ADD COLUMN spread INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE campaigns ADD COLUMN window_days INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE campaigns ADD COLUMN window_start INTEGER NOT NULL DEFAULT -1;"
  "ALTER TABLE campaigns ADD COLUMN window_end INTEGER NOT NULL DEFAULT -1;",

  /* 7: the next retry that is due, found by an index like the next
   * pending one (the claim names its index: SQLite 3.40's planner chose
   * the primary key, walking every row already sent). */
  "CREATE INDEX campaign_recipients_due ON campaign_recipients "
  "  (campaign_id, state, next_attempt, row_number);",

  /* 8: protected merges (S/MIME): each recipient's message is built and
   * signed/encrypted when the campaign is created and kept as it goes on
   * the wire (ciphertext only; no row values, no template); protection
   * is the EpProtection asked for. */
  "ALTER TABLE campaign_recipients ADD COLUMN message BLOB;"
  "ALTER TABLE campaigns ADD COLUMN protection INTEGER NOT NULL DEFAULT 0;",

  /* 9: the inbox cache. Folders per account with what incremental sync
   * needs (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ); message summaries from
   * ENVELOPE, FLAGS and BODYSTRUCTURE; the raw message once opened
   * (encrypted mail stays encrypted: decrypted text is never stored).
   * inbox_search (FTS5, rowid = the message's id) indexes headers and the text of
   * bodies that were not encrypted. A bounce (DSN) of a message Epistle
   * sent marks its campaign recipient. */
  "CREATE TABLE inbox_folders ("
  "  id            INTEGER PRIMARY KEY,"
  "  account_uid   TEXT NOT NULL,"
  "  raw_name      TEXT NOT NULL,"
  "  name          TEXT NOT NULL,"
  "  delimiter     TEXT,"
  "  special_use   TEXT,"
  "  selectable    INTEGER NOT NULL DEFAULT 1,"
  "  uidvalidity   INTEGER NOT NULL DEFAULT 0,"
  "  uidnext       INTEGER NOT NULL DEFAULT 0,"
  "  highestmodseq INTEGER NOT NULL DEFAULT 0,"
  "  synced_at     INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (account_uid, raw_name)"
  ");"
  "CREATE TABLE inbox_messages ("
  "  id            INTEGER PRIMARY KEY,"
  "  folder_id     INTEGER NOT NULL REFERENCES inbox_folders (id) ON DELETE CASCADE,"
  "  uid           INTEGER NOT NULL,"
  "  flags         TEXT NOT NULL DEFAULT '',"
  "  seen          INTEGER NOT NULL DEFAULT 0,"
  "  flagged       INTEGER NOT NULL DEFAULT 0,"
  "  answered      INTEGER NOT NULL DEFAULT 0,"
  "  date          INTEGER NOT NULL DEFAULT 0,"
  "  size          INTEGER NOT NULL DEFAULT 0,"
  "  modseq        INTEGER NOT NULL DEFAULT 0,"
  "  subject       TEXT,"
  "  from_name     TEXT,"
  "  from_address  TEXT,"
  "  recipients    TEXT,"
  "  message_id    TEXT,"
  "  in_reply_to   TEXT,"
  "  attachments   INTEGER NOT NULL DEFAULT 0,"
  "  encrypted     INTEGER NOT NULL DEFAULT 0,"
  "  signed        INTEGER NOT NULL DEFAULT 0,"
  "  report        INTEGER NOT NULL DEFAULT 0,"
  "  body          BLOB,"
  "  UNIQUE (folder_id, uid)"
  ");"
  "CREATE INDEX inbox_messages_by_date ON inbox_messages (folder_id, date DESC, uid DESC);"
  "CREATE INDEX inbox_messages_unread ON inbox_messages (folder_id) WHERE seen = 0;"
  "CREATE VIRTUAL TABLE inbox_search USING fts5 (subject, people, body, "
  "  tokenize='unicode61 remove_diacritics 2');"
  "ALTER TABLE campaign_recipients ADD COLUMN bounce TEXT;"
  "ALTER TABLE campaign_recipients ADD COLUMN bounced_at INTEGER;"
  "CREATE INDEX campaign_recipients_message_id ON campaign_recipients (message_id);",

  /* 10: the merge wizard's draft (one): the spreadsheet it is for and the
   * message as written (GVariant a{sv}), restored on the next start. */
  "CREATE TABLE merge_drafts ("
  "  id            INTEGER PRIMARY KEY CHECK (id = 1),"
  "  path          TEXT NOT NULL,"
  "  message       BLOB NOT NULL,"
  "  updated_at    INTEGER NOT NULL DEFAULT (strftime('%s','now'))"
  ");",

  /* 11: the rows a campaign left out (a bad address, a missing
   * attachment…), with why and their values, for its results: never
   * claimed, never sent. */
  "CREATE TABLE campaign_skipped ("
  "  campaign_id   INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,"
  "  row_number    INTEGER NOT NULL,"
  "  address       TEXT NOT NULL,"
  "  reason        TEXT NOT NULL,"
  "  row_values    BLOB NOT NULL,"                 /* GVariant as */
  "  PRIMARY KEY (campaign_id, row_number)"
  ") WITHOUT ROWID;",

  /* 12: an account's signature, added under what it sends. */
  "ALTER TABLE accounts ADD COLUMN signature TEXT;",

  /* 13: what a cell holds under its format (the stored number, an ISO
   * date) beside what the sheet shows, for {{ x | raw }} and | date;
   * GVariant as of column index and value pairs, NULL when none differ.
   * The campaign's locale names months and days as the sheet was read. */
  "ALTER TABLE campaign_recipients ADD COLUMN row_raw BLOB;"
  "ALTER TABLE campaigns ADD COLUMN locale TEXT;",
};

typedef enum { COL_TEXT, COL_UINT, COL_BOOL } ColumnType;

static const struct {
  const char *name;
  ColumnType  type;
} account_columns[] = {
  { "uid", COL_TEXT }, { "name", COL_TEXT }, { "display_name", COL_TEXT },
  { "address", COL_TEXT }, { "smtp_host", COL_TEXT }, { "smtp_port", COL_UINT },
  { "smtp_security", COL_TEXT }, { "imap_host", COL_TEXT }, { "imap_port", COL_UINT },
  { "imap_security", COL_TEXT }, { "username", COL_TEXT }, { "ca_file", COL_TEXT },
  { "auth_method", COL_TEXT }, { "preset", COL_TEXT }, { "is_default", COL_BOOL },
  { "signature", COL_TEXT },
};

gboolean
_ep_store_set_error (EpStore     *self,
                  GError     **error,
                  EpStoreError code,
                  const char  *what)
{
  int rc = sqlite3_extended_errcode (self->db);

  if ((rc & 0xff) == SQLITE_CONSTRAINT && code == EP_STORE_ERROR_QUERY)
    code = EP_STORE_ERROR_EXISTS;

  g_set_error (error, EP_STORE_ERROR, code, "%s: %s", what, sqlite3_errmsg (self->db));
  return FALSE;
}

gboolean
_ep_store_exec (EpStore     *self,
                const char  *sql,
                GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_QUERY,
                   _("Database error: %s"), message ? message : "?");
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static int
query_int (EpStore    *self,
           const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (stmt, 0);
}

static gboolean
migrate (EpStore  *self,
         GError  **error)
{
  int version = query_int (self, "PRAGMA user_version");
  int latest = G_N_ELEMENTS (migrations);

  if (version > latest)
    {
      g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_TOO_NEW,
                   _("The database %s was written by a newer version of Epistle "
                     "(schema %d, this version knows %d); it was left untouched"),
                   self->path, version, latest);
      return FALSE;
    }

  for (int v = version; v < latest; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
      g_autoptr(GError) local_error = NULL;

      if (!_ep_store_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!_ep_store_exec (self, migrations[v], &local_error) || !_ep_store_exec (self, bump, &local_error))
        {
          _ep_store_exec (self, "ROLLBACK", NULL);
          g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_MIGRATE,
                       _("Could not upgrade the database to schema %d: %s"),
                       v + 1, local_error->message);
          return FALSE;
        }
      if (!_ep_store_exec (self, "COMMIT", error))
        return FALSE;
      g_debug ("Migrated %s to schema %d", self->path, v + 1);
    }

  return TRUE;
}

static void
ep_store_finalize (GObject *object)
{
  EpStore *self = (EpStore *)object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->trace, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ep_store_parent_class)->finalize (object);
}

static void
ep_store_class_init (EpStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_store_finalize;
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

static void
ep_store_init (EpStore *self)
{
  g_mutex_init (&self->mutex);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, finalize_statement);
}

/* A prepared statement kept for the store's life (the send journal runs a
 * few statements once per recipient). Call with the lock held; @sql must be
 * a string constant. Reset and unbound, ready to bind. */
sqlite3_stmt *
_ep_store_cached (EpStore    *self,
                  const char *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    return NULL;

  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

/* Opens (creating if needed) the database at @path, or ":memory:". */
EpStore *
ep_store_new (const char  *path,
              GError     **error)
{
  g_autoptr(EpStore) self = NULL;
  gboolean memory;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  memory = g_str_equal (path, ":memory:");
  self = g_object_new (EP_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (!memory)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      int fd;

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int errsv = errno;
          g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_OPEN,
                       _("Could not create the folder %s: %s"), dir, g_strerror (errsv));
          return NULL;
        }

      /* Create the file private before SQLite opens it. */
      fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd >= 0)
        close (fd);
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_OPEN,
                   _("Could not open the database %s: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, 1);

  if (!_ep_store_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !_ep_store_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !_ep_store_exec (self, "PRAGMA foreign_keys = ON", error))
    {
      g_prefix_error (error, _("Could not open the database %s: "), path);
      return NULL;
    }

  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
ep_store_get_path (EpStore *self)
{
  g_return_val_if_fail (EP_IS_STORE (self), NULL);
  return self->path;
}

int
ep_store_get_schema_version (EpStore *self)
{
  g_return_val_if_fail (EP_IS_STORE (self), -1);
  return query_int (self, "PRAGMA user_version");
}

char *
ep_store_dup_journal_mode (EpStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* Binds @account's values in column order; unknown keys are an error, so a
 * typo in a caller cannot silently drop a field. */
static gboolean
bind_account (EpStore       *self,
              sqlite3_stmt  *stmt,
              GVariant      *account,
              GError       **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, account);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (account_columns); i++)
        if (g_str_equal (key, account_columns[i].name))
          known = TRUE;
      if (!known)
        {
          g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_QUERY,
                       "Unknown account field “%s”", key);
          g_variant_unref (value);
          return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (account_columns); i++)
    {
      g_autoptr(GVariant) v = g_variant_lookup_value (account, account_columns[i].name, NULL);
      int idx = i + 1;

      if (v == NULL)
        sqlite3_bind_null (stmt, idx);
      else if (account_columns[i].type == COL_TEXT && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
        {
          const char *s = g_variant_get_string (v, NULL);
          if (*s == '\0' && !g_str_equal (account_columns[i].name, "name"))
            sqlite3_bind_null (stmt, idx);
          else
            sqlite3_bind_text (stmt, idx, s, -1, SQLITE_TRANSIENT);
        }
      else if (account_columns[i].type == COL_UINT && g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
        {
          guint32 u = g_variant_get_uint32 (v);
          if (u == 0)
            sqlite3_bind_null (stmt, idx);
          else
            sqlite3_bind_int64 (stmt, idx, u);
        }
      else if (account_columns[i].type == COL_BOOL && g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
        sqlite3_bind_int (stmt, idx, g_variant_get_boolean (v) ? 1 : 0);
      else
        {
          g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_QUERY,
                       "Account field “%s” has the wrong type", account_columns[i].name);
          return FALSE;
        }
    }

  return TRUE;
}

static GVariant *
row_to_account (sqlite3_stmt *stmt)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < G_N_ELEMENTS (account_columns); i++)
    {
      const char *name = account_columns[i].name;

      if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
        continue;

      switch (account_columns[i].type)
        {
        case COL_TEXT:
          g_variant_builder_add (&builder, "{sv}", name,
                                 g_variant_new_string ((const char *) sqlite3_column_text (stmt, i)));
          break;
        case COL_UINT:
          g_variant_builder_add (&builder, "{sv}", name,
                                 g_variant_new_uint32 ((guint32) sqlite3_column_int64 (stmt, i)));
          break;
        case COL_BOOL:
        default:
          g_variant_builder_add (&builder, "{sv}", name,
                                 g_variant_new_boolean (sqlite3_column_int (stmt, i) != 0));
          break;
        }
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static char *
column_list (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (account_columns); i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", account_columns[i].name);
  return g_string_free (s, FALSE);
}

gboolean
ep_store_account_insert (EpStore   *self,
                         GVariant  *account,
                         GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *columns = column_list ();
  g_autofree char *sql = NULL;
  GString *params = g_string_new (NULL);
  gboolean ok;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_variant_is_of_type (account, G_VARIANT_TYPE_VARDICT), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (account_columns); i++)
    g_string_append (params, i ? ", ?" : "?");
  sql = g_strdup_printf ("INSERT INTO accounts (%s) VALUES (%s)", columns, params->str);
  g_string_free (params, TRUE);

  g_mutex_lock (&self->mutex);
  ok = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) == SQLITE_OK
       ? bind_account (self, stmt, account, error)
       : _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the account"));
  if (ok && sqlite3_step (stmt) != SQLITE_DONE)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the account"));
  g_mutex_unlock (&self->mutex);

  return ok;
}

gboolean
ep_store_account_update (EpStore   *self,
                         GVariant  *account,
                         GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GString *sql = g_string_new ("UPDATE accounts SET ");
  gboolean ok;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (account_columns); i++)
    g_string_append_printf (sql, "%s%s = ?%u", i ? ", " : "", account_columns[i].name, i + 1);
  g_string_append (sql, " WHERE uid = ?1");

  g_mutex_lock (&self->mutex);
  ok = sqlite3_prepare_v2 (self->db, sql->str, -1, &stmt, NULL) == SQLITE_OK
       ? bind_account (self, stmt, account, error)
       : _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the account"));
  if (ok && sqlite3_step (stmt) != SQLITE_DONE)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the account"));
  if (ok && sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                           _("The account no longer exists"));
      ok = FALSE;
    }
  g_mutex_unlock (&self->mutex);
  g_string_free (sql, TRUE);

  return ok;
}

GVariant *
ep_store_account_lookup (EpStore     *self,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *columns = column_list ();
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM accounts WHERE name = ?1 OR uid = ?1",
                                          columns);
  GVariant *result = NULL;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the accounts"));
  else
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        result = row_to_account (stmt);
      else if (rc == SQLITE_DONE)
        g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                     _("There is no account named “%s”"), name);
      else
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the accounts"));
    }
  g_mutex_unlock (&self->mutex);

  return result;
}

GPtrArray *
ep_store_account_list (EpStore  *self,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *columns = column_list ();
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM accounts ORDER BY name", columns);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the accounts"));
  else
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (list, row_to_account (stmt));
      if (rc != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the accounts"));
    }
  g_mutex_unlock (&self->mutex);

  return ok ? g_steal_pointer (&list) : NULL;
}

gboolean
ep_store_account_delete (EpStore     *self,
                         const char  *uid,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, "DELETE FROM accounts WHERE uid = ?1", -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not remove the account"));
  else
    {
      sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not remove the account"));
      else if (sqlite3_changes (self->db) == 0)
        {
          g_set_error_literal (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                               _("The account no longer exists"));
          ok = FALSE;
        }
    }
  g_mutex_unlock (&self->mutex);

  return ok;
}

gboolean
ep_store_account_set_default (EpStore     *self,
                              const char  *uid,
                              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "UPDATE accounts SET is_default = (uid = ?1)", -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the account"));
  else
    {
      sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the account"));
    }
  g_mutex_unlock (&self->mutex);

  return ok;
}

/* Drafts: the row keeps what Compose edits. One text column per address
 * field holds its entries joined with ", " and is read back as one entry
 * (Compose has one entry per field); attachments are one path per line.
 * The sender, Reply-To, HTML source and Message-ID are not kept. */

/* @entries joined with @separator, leaving out empty ones. */
static char *
join_entries (GPtrArray  *entries,
              const char *separator)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      const char *entry = g_ptr_array_index (entries, i);

      if (entry == NULL || *entry == '\0')
        continue;
      if (text->len > 0)
        g_string_append (text, separator);
      g_string_append (text, entry);
    }
  return g_strdup (text->str);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  sqlite3_bind_text (stmt, column, text ? text : "", -1, SQLITE_TRANSIENT);
}

/* Saves @draft: updates its row when @draft->id is set, else inserts a
 * new one. Returns the row's id, or 0 with @error set
 * (EP_STORE_ERROR_NOT_FOUND when the row with that id is gone). */
gint64
ep_store_draft_save (EpStore        *self,
                     const EpDraft  *draft,
                     GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *to = NULL;
  g_autofree char *cc = NULL;
  g_autofree char *bcc = NULL;
  g_autofree char *paths = NULL;
  gint64 result = 0;
  const char *sql;

  g_return_val_if_fail (EP_IS_STORE (self), 0);
  g_return_val_if_fail (draft != NULL, 0);

  to = join_entries (draft->to, ", ");
  cc = join_entries (draft->cc, ", ");
  bcc = join_entries (draft->bcc, ", ");
  paths = join_entries (draft->attachments, "\n");

  sql = draft->id > 0
        ? "UPDATE drafts SET account_uid = ?1, to_text = ?2, cc_text = ?3, bcc_text = ?4, "
          "subject = ?5, body = ?6, markdown = ?7, attachments = ?8, "
          "updated_at = strftime('%s','now') WHERE id = ?9"
        : "INSERT INTO drafts (account_uid, to_text, cc_text, bcc_text, subject, body, "
          "markdown, attachments) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the draft"));
  else
    {
      if (draft->account_uid != NULL)
        bind_text (stmt, 1, draft->account_uid);
      else
        sqlite3_bind_null (stmt, 1);
      bind_text (stmt, 2, to);
      bind_text (stmt, 3, cc);
      bind_text (stmt, 4, bcc);
      bind_text (stmt, 5, draft->subject);
      bind_text (stmt, 6, draft->body);
      sqlite3_bind_int (stmt, 7, draft->markdown ? 1 : 0);
      bind_text (stmt, 8, paths);
      if (draft->id > 0)
        sqlite3_bind_int64 (stmt, 9, draft->id);

      if (sqlite3_step (stmt) != SQLITE_DONE)
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the draft"));
      else if (draft->id > 0 && sqlite3_changes (self->db) == 0)
        g_set_error_literal (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                             _("The draft no longer exists"));
      else
        result = draft->id > 0 ? draft->id : sqlite3_last_insert_rowid (self->db);
    }
  g_mutex_unlock (&self->mutex);

  return result;
}

static void
add_entry (GPtrArray    *entries,
           sqlite3_stmt *stmt,
           int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  if (text != NULL && *text != '\0')
    g_ptr_array_add (entries, g_strdup (text));
}

static EpDraft *
draft_from_row (sqlite3_stmt *stmt)
{
  EpDraft *draft = ep_draft_new ();
  const char *attachments = (const char *) sqlite3_column_text (stmt, 8);

  draft->id = sqlite3_column_int64 (stmt, 0);
  if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    draft->account_uid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  add_entry (draft->to, stmt, 2);
  add_entry (draft->cc, stmt, 3);
  add_entry (draft->bcc, stmt, 4);
  draft->subject = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  draft->body = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  draft->markdown = sqlite3_column_int (stmt, 7) != 0;
  if (attachments != NULL && *attachments != '\0')
    {
      g_auto(GStrv) paths = g_strsplit (attachments, "\n", -1);

      for (guint i = 0; paths[i] != NULL; i++)
        g_ptr_array_add (draft->attachments, g_steal_pointer (&paths[i]));
    }

  return draft;
}

/* The most recently saved draft, or NULL (without an error) when none. */
EpDraft *
ep_store_draft_load_latest (EpStore  *self,
                            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  EpDraft *result = NULL;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT id, account_uid, to_text, cc_text, bcc_text, subject, body, "
                          "markdown, attachments FROM drafts ORDER BY updated_at DESC, id DESC "
                          "LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the drafts"));
  else if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    result = draft_from_row (stmt);
  else if (rc != SQLITE_DONE)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the drafts"));
  g_mutex_unlock (&self->mutex);

  return result;
}

gboolean
ep_store_draft_delete (EpStore  *self,
                       gint64    id,
                       GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, "DELETE FROM drafts WHERE id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not delete the draft"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not delete the draft"));
    }
  g_mutex_unlock (&self->mutex);

  return ok;
}

/* String arrays in a column, as a GVariant "as" blob. */

void
_ep_store_bind_strv (sqlite3_stmt       *stmt,
                     int                 index,
                     const char * const *strv)
{
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_strv (strv, -1));

  /* An empty array has no data at all: a zero-length blob, never NULL. */
  if (g_variant_get_size (v) == 0)
    sqlite3_bind_zeroblob (stmt, index, 0);
  else
    sqlite3_bind_blob (stmt, index, g_variant_get_data (v), g_variant_get_size (v),
                       SQLITE_TRANSIENT);
}

GStrv
_ep_store_column_strv (sqlite3_stmt *stmt,
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
