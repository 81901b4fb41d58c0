/* ep-store-merge-draft.c: the merge wizard's message as it is being written
 *
 * One draft of a merge, like Compose's draft: the spreadsheet it is for
 * (its path) and the message fields as the wizard keeps them (a GVariant
 * a{sv}; the store does not look inside). Saved as the person types,
 * restored with the spreadsheet on the next start, removed once the
 * campaign is created or the person starts over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-store-private.h"

gboolean
ep_store_merge_draft_save (EpStore     *self,
                           const char  *path,
                           GVariant    *message,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GVariant) sunk = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  sunk = g_variant_ref_sink (message);
  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO merge_drafts (id, path, message, updated_at) "
                          "VALUES (1, ?1, ?2, strftime('%s','now')) "
                          "ON CONFLICT (id) DO UPDATE SET path = excluded.path, "
                          "message = excluded.message, updated_at = excluded.updated_at",
                          -1, &stmt, NULL) != SQLITE_OK)
    ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the draft"));
  else
    {
      sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob64 (stmt, 2, g_variant_get_data (sunk), g_variant_get_size (sunk),
                           SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not save the draft"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->mutex);

  return ok;
}

/* Returns: (transfer full) (nullable): the message (a{sv}) and its
 * spreadsheet in @path; NULL with @error unset when there is none. */
GVariant *
ep_store_merge_draft_load (EpStore  *self,
                           char    **path,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *found_path = NULL;
  GVariant *message = NULL;
  int rc;

  g_return_val_if_fail (EP_IS_STORE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  *path = NULL;
  g_mutex_lock (&self->mutex);
  if (sqlite3_prepare_v2 (self->db, "SELECT path, message FROM merge_drafts WHERE id = 1",
                          -1, &stmt, NULL) != SQLITE_OK)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the draft"));
  else if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      found_path = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      bytes = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
    }
  else if (rc != SQLITE_DONE)
    _ep_store_set_error (self, error, EP_STORE_ERROR_QUERY, _("Could not read the draft"));
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->mutex);

  if (bytes == NULL)
    return NULL;

  message = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  if (!g_variant_is_normal_form (message))
    {
      /* Damaged: as if there were none, rather than a crash at start. */
      g_warning ("The merge draft is damaged; it is ignored");
      g_variant_unref (message);
      return NULL;
    }
  *path = g_steal_pointer (&found_path);
  return message;
}

gboolean
ep_store_merge_draft_delete (EpStore  *self,
                             GError  **error)
{
  g_return_val_if_fail (EP_IS_STORE (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (!_ep_store_exec (self, "DELETE FROM merge_drafts", error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;
}
