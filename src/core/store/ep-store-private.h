/* ep-store-private.h: shared by the files of the store module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "ep-store.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _EpStore
{
  GObject  parent_instance;
  sqlite3 *db;
  char    *path;
  /* One connection for every thread: statements and transactions are
   * serialised by this lock. */
  GMutex   mutex;
  GHashTable *statements;  /* const char *sql → sqlite3_stmt */
  GPtrArray  *trace;       /* ep_store_trace_statements () */
};

gboolean _ep_store_set_error (EpStore       *self,
                              GError       **error,
                              EpStoreError   code,
                              const char    *what);
gboolean _ep_store_exec      (EpStore       *self,
                              const char    *sql,
                              GError       **error);
sqlite3_stmt *_ep_store_cached (EpStore     *self,
                                const char  *sql);

/* A recipient row's columns, in the order _ep_store_recipient_from_row ()
 * reads them. */
#define RECIPIENT_COLUMNS \
  "row_number, address, message_id, state, attempts, was_uncertain, next_attempt, " \
  "reply_code, reply, updated_at"

EpStoreRecipient *_ep_store_recipient_from_row (sqlite3_stmt *stmt);
GStrv             _ep_store_column_strv        (sqlite3_stmt *stmt,
                                                int           column);
GPtrArray        *_ep_store_campaign_recipients (EpStore      *self,
                                                gint64        id,
                                                gboolean      with_values,
                                                GError      **error);
/* Binds @strv as a GVariant "as" (the row_values and columns columns). */
void              _ep_store_bind_strv          (sqlite3_stmt       *stmt,
                                                int                 index,
                                                const char * const *strv);

G_END_DECLS
