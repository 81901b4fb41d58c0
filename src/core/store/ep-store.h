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

/* Campaigns and their per-recipient journal.
 *
 * A campaign's info dictionary (a{sv}): id (x), account_uid, name,
 * template, base_dir, columns (as), connections, rate (per minute, 0 =
 * unpaced), daily_limit (0 = none) (u), state ("ready", "running",
 * "paused", "finished", "cancelled"), reason (why it paused, may be
 * absent), created_at, updated_at (x, unix time), and the journal's counts:
 * total, pending, sending, sent, failed, deferred, uncertain (u) and
 * was_uncertain (u: recipients that were in flight during a crash).
 *
 * Recipient states: pending → sending → sent | failed | deferred |
 * uncertain. Every call below commits before it returns. */
typedef struct
{
  guint     row_number;
  char     *address;
  GStrv     values;        /* the row's snapshot; NULL in listings */
  char     *message_id;
  char     *state;
  guint     attempts;
  gboolean  was_uncertain;
  gint64    next_attempt;  /* unix time, deferred only */
  guint     reply_code;
  char     *reply;
  gint64    updated_at;
} EpStoreRecipient;

void              ep_store_recipient_free       (EpStoreRecipient *recipient);

/* Inserts the campaign and all its recipients (row_number, address, values,
 * message_id of each) in one transaction; returns the new id or 0. */
gint64            ep_store_campaign_insert      (EpStore     *self,
                                                 GVariant    *info,
                                                 GPtrArray   *recipients,
                                                 GError     **error);
GVariant         *ep_store_campaign_lookup      (EpStore     *self,
                                                 gint64       id,
                                                 GError     **error);
/* Newest first. */
GPtrArray        *ep_store_campaign_list        (EpStore     *self,
                                                 GError     **error);
gboolean          ep_store_campaign_set_state   (EpStore     *self,
                                                 gint64       id,
                                                 const char  *state,
                                                 const char  *reason,
                                                 GError     **error);
gboolean          ep_store_campaign_set_pacing  (EpStore     *self,
                                                 gint64       id,
                                                 guint        connections,
                                                 guint        rate,
                                                 guint        daily_limit,
                                                 GError     **error);
/* After a crash: every "sending" recipient becomes "uncertain" (the server
 * may or may not have the message). Returns how many, or -1 on error. */
int               ep_store_campaign_recover     (EpStore     *self,
                                                 gint64       id,
                                                 GError     **error);
/* Picks the next recipient to send (uncertain first, then pending in row
 * order, then deferred ones that are due at @now), marks it "sending" and
 * counts the attempt. NULL without an error when none is due; then
 * *@next_due is the earliest retry time of a deferred one, or 0. */
EpStoreRecipient *ep_store_recipient_claim      (EpStore     *self,
                                                 gint64       id,
                                                 gint64       now,
                                                 gint64      *next_due,
                                                 GError     **error);
gboolean          ep_store_recipient_update     (EpStore     *self,
                                                 gint64       id,
                                                 guint        row_number,
                                                 const char  *state,
                                                 guint        reply_code,
                                                 const char  *reply,
                                                 gint64       next_attempt,
                                                 GError     **error);
/* Every recipient, in row order, without row values. */
GPtrArray        *ep_store_campaign_recipients  (EpStore     *self,
                                                 gint64       id,
                                                 GError     **error);
/* Messages this account sent (in any campaign) since @since (unix time). */
guint             ep_store_sent_since           (EpStore     *self,
                                                 const char  *account_uid,
                                                 gint64       since);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpStoreRecipient, ep_store_recipient_free)

G_END_DECLS
