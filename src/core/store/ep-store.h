/* ep-store.h: the SQLite store (WAL, versioned migrations)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define EP_STORE_ERROR (ep_store_error_quark ())

typedef enum
{
  EP_STORE_ERROR_OPEN,
  EP_STORE_ERROR_MIGRATE,
  EP_STORE_ERROR_QUERY,
  EP_STORE_ERROR_NOT_FOUND,
  EP_STORE_ERROR_EXISTS,
  EP_STORE_ERROR_TOO_NEW,
} EpStoreError;

#define EP_TYPE_STORE (ep_store_get_type ())

G_DECLARE_FINAL_TYPE (EpStore, ep_store, EP, STORE, GObject)

GQuark     ep_store_error_quark        (void);
EpStore   *ep_store_new                (const char  *path,
                                        GError     **error);
const char *ep_store_get_path          (EpStore     *self);
int        ep_store_get_schema_version (EpStore     *self);
char      *ep_store_dup_journal_mode   (EpStore     *self);

/* Accounts, as a{sv} dictionaries whose keys are the column names:
 * uid, name, display_name, address, smtp_host, smtp_port (u), smtp_security,
 * imap_host, imap_port (u), imap_security, username, ca_file, auth_method,
 * preset, is_default (b). No secret is ever stored here. */
gboolean   ep_store_account_insert     (EpStore     *self,
                                        GVariant    *account,
                                        GError     **error);
gboolean   ep_store_account_update     (EpStore     *self,
                                        GVariant    *account,
                                        GError     **error);
GVariant  *ep_store_account_lookup     (EpStore     *self,
                                        const char  *name,
                                        GError     **error);
GPtrArray *ep_store_account_list       (EpStore     *self,
                                        GError     **error);
gboolean   ep_store_account_delete     (EpStore     *self,
                                        const char  *uid,
                                        GError     **error);
gboolean   ep_store_account_set_default (EpStore    *self,
                                         const char *uid,
                                         GError    **error);

gint64     ep_store_draft_save         (EpStore     *self,
                                        GVariant    *draft,
                                        GError     **error);
GVariant  *ep_store_draft_load_latest  (EpStore     *self,
                                        GError     **error);
gboolean   ep_store_draft_delete       (EpStore     *self,
                                        gint64       id,
                                        GError     **error);

G_END_DECLS
