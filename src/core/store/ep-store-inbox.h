/* ep-store-inbox.h: the inbox cache in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include "store/ep-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64    id;
  char     *account_uid;
  char     *raw_name;       /* on the wire (modified UTF-7) */
  char     *name;           /* UTF-8 */
  char      delimiter;      /* 0 when none */
  char     *special_use;    /* "\\Inbox", "\\Sent", … or NULL */
  gboolean  selectable;
  guint32   uidvalidity;    /* 0 until first synced */
  guint32   uidnext;
  guint64   highestmodseq;
  gint64    synced_at;      /* unix time, 0 = never */
  guint     total;          /* cached messages (lookups and lists only) */
  guint     unread;
} EpInboxFolder;

EpInboxFolder *ep_inbox_folder_new  (void);
EpInboxFolder *ep_inbox_folder_copy (const EpInboxFolder *folder);
void           ep_inbox_folder_free (EpInboxFolder *folder);

typedef enum
{
  EP_INBOX_SEEN     = 1 << 0,
  EP_INBOX_FLAGGED  = 1 << 1,
  EP_INBOX_ANSWERED = 1 << 2,
} EpInboxFlags;

typedef struct
{
  gint64        id;
  gint64        folder_id;
  guint32       uid;
  char         *flags;          /* as the server wrote them, space-separated */
  EpInboxFlags  state;          /* from flags */
  gint64        date;           /* unix time: Date header, else INTERNALDATE */
  guint64       size;
  guint64       modseq;
  char         *subject;
  char         *from_name;
  char         *from_address;
  char         *recipients;     /* To and Cc, "Name <a@b>, …" */
  char         *message_id;
  char         *in_reply_to;
  gboolean      has_attachments;
  gboolean      encrypted;
  gboolean      is_signed;
  gboolean      is_report;
  gboolean      has_body;       /* the raw message is cached */
} EpInboxSummary;

EpInboxSummary *ep_inbox_summary_new  (void);
void            ep_inbox_summary_free (EpInboxSummary *summary);
/* The flags field says what EpInboxFlags are set. */
EpInboxFlags    ep_inbox_flags_parse  (const char     *flags);

/* Folders: inserted or updated by (account, raw_name); the sync state is
 * kept on update. Returns the folder's id, 0 with an error. */
gint64      ep_store_inbox_folder_upsert (EpStore              *self,
                                          const EpInboxFolder  *folder,
                                          GError              **error);
/* With their message and unread counts, Inbox first, then by name. */
GPtrArray  *ep_store_inbox_folders       (EpStore              *self,
                                          const char           *account_uid,
                                          GError              **error);
EpInboxFolder *ep_store_inbox_folder_lookup (EpStore           *self,
                                          gint64                id,
                                          GError              **error);
gboolean    ep_store_inbox_folder_delete (EpStore              *self,
                                          gint64                id,
                                          GError              **error);
/* The sync state after a sync; a changed UIDVALIDITY empties the folder
 * first (its UIDs mean other messages now). */
gboolean    ep_store_inbox_folder_set_state (EpStore           *self,
                                          gint64                id,
                                          guint32               uidvalidity,
                                          guint32               uidnext,
                                          guint64               highestmodseq,
                                          GError              **error);
gboolean    ep_store_inbox_folder_reset  (EpStore              *self,
                                          gint64                id,
                                          GError              **error);

/* New summaries (EpInboxSummary, folder_id set), in one transaction; an
 * existing (folder, uid) is updated. */
gboolean    ep_store_inbox_add           (EpStore              *self,
                                          GPtrArray            *summaries,
                                          GError              **error);
/* Flag changes: EpInboxSummary with folder_id, uid, flags, modseq only. */
gboolean    ep_store_inbox_set_flags     (EpStore              *self,
                                          GPtrArray            *changes,
                                          GError              **error);
/* Every cached UID of the folder, ascending (guint32). */
GArray     *ep_store_inbox_uids          (EpStore              *self,
                                          gint64                folder_id,
                                          GError              **error);
gboolean    ep_store_inbox_remove_uids   (EpStore              *self,
                                          gint64                folder_id,
                                          GArray               *uids,
                                          GError              **error);

/* The folder's message ids (gint64), newest first; with @search, only
 * those matching it (words, prefix-matched, in subject, people or the
 * cached text of unencrypted bodies). */
GArray     *ep_store_inbox_list          (EpStore              *self,
                                          gint64                folder_id,
                                          const char           *search,
                                          GError              **error);
EpInboxSummary *ep_store_inbox_lookup    (EpStore              *self,
                                          gint64                id,
                                          GError              **error);
/* The id of (folder, uid) in the cache, 0 when not cached. */
gint64      ep_store_inbox_find_uid      (EpStore              *self,
                                          gint64                folder_id,
                                          guint32               uid);
/* The cached raw message, NULL (no error) when not fetched yet. */
GBytes     *ep_store_inbox_body          (EpStore              *self,
                                          gint64                id,
                                          GError              **error);
/* Caches the raw message; @search_text (may be NULL: encrypted mail) is
 * indexed for search. */
gboolean    ep_store_inbox_set_body      (EpStore              *self,
                                          gint64                id,
                                          GBytes               *raw,
                                          const char           *search_text,
                                          GError              **error);
/* Unread messages in the account's Inbox folders (all accounts: NULL). */
guint       ep_store_inbox_unread        (EpStore              *self,
                                          const char           *account_uid,
                                          GError              **error);

/* A bounce of a message Epistle sent: marks the campaign recipient whose
 * Message-ID is @message_id and whose address is @address. *@campaign_id
 * gets its campaign, 0 when none matches (then FALSE without an error). */
gboolean    ep_store_recipient_mark_bounced (EpStore           *self,
                                          const char           *message_id,
                                          const char           *address,
                                          const char           *diagnostic,
                                          gint64               *campaign_id,
                                          GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpInboxFolder, ep_inbox_folder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpInboxSummary, ep_inbox_summary_free)

G_END_DECLS
