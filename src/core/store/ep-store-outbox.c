/* ep-store-outbox.c: what a scheduled message was before it was built
 *
 * A message scheduled from Compose keeps its draft beside the built bytes,
 * so Edit can bring it back into Compose as it was written (the bytes are
 * what goes on the wire and are never edited).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-store-private.h"

gboolean
ep_store_message_set_draft (EpStore        *self,
                            gint64          id,
                            const EpDraft  *draft,
                            GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GVariant) variant = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (draft != NULL, FALSE);

  variant = ep_draft_to_variant (draft);
  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, "UPDATE outbox_messages SET draft = ?2 WHERE campaign_id = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the message"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_blob64 (stmt, 2, g_variant_get_data (variant), g_variant_get_size (variant),
                           SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the message"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->mutex);

  return ok;
}

EpDraft *
ep_store_message_load_draft (EpStore  *self,
                             gint64    id,
                             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gboolean found = FALSE;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);

  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, "SELECT draft FROM outbox_messages WHERE campaign_id = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the message"));
  else
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          found = TRUE;
          if (sqlite3_column_type (stmt, 0) == SQLITE_BLOB)
            bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
        }
      else if (rc != SQLITE_DONE)
        _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the message"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->mutex);

  if (error != NULL && *error != NULL)
    return NULL;
  if (!found || bytes == NULL)
    {
      /* Scheduled by epistle-cli: there is no draft to edit. */
      g_set_error_literal (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                           _("This message cannot be edited (it was not written in Compose); "
                             "it can be rescheduled or cancelled"));
      return NULL;
    }
  {
    g_autoptr(GVariant) variant = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT,
                                                                                bytes, FALSE));

    return ep_draft_from_variant (variant, error);
  }
}
