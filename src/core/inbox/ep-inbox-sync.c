/* ep-inbox-sync.c: IMAP folders into the inbox cache, and back
 *
 * A folder's first sync fetches the summaries of every message (UID,
 * FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE) in one
 * streamed FETCH, written to the store a chunk at a time. Later syncs
 * fetch only UIDs from the stored UIDNEXT on, flags that changed (with
 * CONDSTORE: CHANGEDSINCE the stored HIGHESTMODSEQ; without: every
 * flag, which is small), and look for expunged messages only when the
 * server's count differs from the cache's. A new UIDVALIDITY means the
 * UIDs name other messages: the folder is emptied and fetched again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-inbox"

#include "config.h"

#include <string.h>
#include <gmime/gmime.h>
#include <glib/gi18n-lib.h>

#include "inbox/ep-inbox-sync.h"
#include "mail/ep-read-message.h"
#include "transport/ep-transport-error.h"

#define CHUNK 500
/* Without IDLE, how often a running app looks for new mail. */
#define POLL_SECONDS 300u

typedef struct
{
  guint32  exists;
  guint32  uidvalidity;
  guint32  uidnext;
  guint64  highestmodseq;
  gboolean nomodseq;
} SelectState;

static gboolean
select_cb (const EpImapResponse  *r,
           gpointer               user_data,
           GError               **error)
{
  SelectState *state = user_data;
  guint64 value = 0;

  if (g_strcmp0 (r->name, "EXISTS") == 0 && r->has_number)
    state->exists = (guint32) MIN (r->number, G_MAXUINT32);
  else if (r->status == EP_IMAP_STATUS_OK && r->code != NULL)
    {
      const EpImapValue *arg = ep_imap_value_item (r->code_args, 0);

      if (g_str_equal (r->code, "NOMODSEQ"))
        state->nomodseq = TRUE;
      else if (ep_imap_value_number (arg, &value))
        {
          if (g_str_equal (r->code, "UIDVALIDITY"))
            state->uidvalidity = (guint32) MIN (value, G_MAXUINT32);
          else if (g_str_equal (r->code, "UIDNEXT"))
            state->uidnext = (guint32) MIN (value, G_MAXUINT32);
          else if (g_str_equal (r->code, "HIGHESTMODSEQ"))
            state->highestmodseq = value;
        }
    }
  return TRUE;
}

static gboolean
select_folder (EpImapSession        *session,
               const EpInboxFolder  *folder,
               gboolean              writable,
               SelectState          *state,
               GCancellable         *cancellable,
               GError              **error)
{
  g_autoptr(GString) command = g_string_new (writable ? "SELECT " : "EXAMINE ");

  memset (state, 0, sizeof *state);
  if (!ep_imap_append_quoted (command, folder->raw_name))
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                   _("The folder name “%s” cannot be sent to the server"), folder->name);
      return FALSE;
    }
  if (ep_imap_session_has_capability (session, "CONDSTORE"))
    g_string_append (command, " (CONDSTORE)");
  return ep_imap_session_run (session, command->str, select_cb, state, NULL, cancellable, error);
}

/* ---- folders ---- */

typedef struct
{
  GPtrArray *mailboxes;  /* EpImapMailbox */
} ListState;

static gboolean
list_cb (const EpImapResponse  *r,
         gpointer               user_data,
         GError               **error)
{
  ListState *state = user_data;
  g_autoptr(GError) local_error = NULL;
  EpImapMailbox *mailbox;

  if (g_strcmp0 (r->name, "LIST") != 0)
    return TRUE;
  mailbox = ep_imap_mailbox_parse (r, &local_error);
  if (mailbox == NULL)
    g_debug ("Skipping a LIST line: %s", local_error->message);
  else
    g_ptr_array_add (state->mailboxes, mailbox);
  return TRUE;
}

/* Servers without SPECIAL-USE: the names people and other clients use. */
static const char *
guess_special_use (const char *name)
{
  static const struct { const char *name; const char *use; } names[] = {
    { "Sent", "\\Sent" }, { "Sent Items", "\\Sent" }, { "Sent Messages", "\\Sent" },
    { "Drafts", "\\Drafts" }, { "Trash", "\\Trash" }, { "Deleted Items", "\\Trash" },
    { "Junk", "\\Junk" }, { "Spam", "\\Junk" }, { "Archive", "\\Archive" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i].name) == 0)
      return names[i].use;
  return NULL;
}

static GPtrArray *
sync_folder_list (EpImapSession  *session,
                  EpStore        *store,
                  const char     *account_uid,
                  GCancellable   *cancellable,
                  GError        **error)
{
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_imap_mailbox_free);
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  ListState state = { mailboxes };
  gboolean special = ep_imap_session_has_capability (session, "SPECIAL-USE");

  if (!ep_imap_session_run (session, special ? "LIST \"\" \"*\" RETURN (SPECIAL-USE)" : "LIST \"\" \"*\"",
                            list_cb, &state, NULL, cancellable, error))
    return NULL;

  for (guint i = 0; i < mailboxes->len; i++)
    {
      EpImapMailbox *m = g_ptr_array_index (mailboxes, i);
      g_autoptr(EpInboxFolder) folder = ep_inbox_folder_new ();

      folder->account_uid = g_strdup (account_uid);
      folder->raw_name = g_strdup (m->raw_name);
      folder->name = g_strdup (m->name ? m->name : m->raw_name);
      folder->delimiter = m->delimiter;
      folder->special_use = g_strdup (m->special_use ? m->special_use
                                      : special ? NULL : guess_special_use (folder->name));
      if (g_ascii_strcasecmp (m->raw_name, "INBOX") == 0)
        {
          g_free (folder->special_use);
          folder->special_use = g_strdup ("\\Inbox");
        }
      folder->selectable = m->selectable;
      if (ep_store_inbox_folder_upsert (store, folder, error) == 0)
        return NULL;
      g_hash_table_add (seen, m->raw_name);
    }

  /* Folders deleted on the server go from the cache. */
  cached = ep_store_inbox_folders (store, account_uid, error);
  if (cached == NULL)
    return NULL;
  for (guint i = cached->len; i > 0; i--)
    {
      EpInboxFolder *folder = g_ptr_array_index (cached, i - 1);

      if (!g_hash_table_contains (seen, folder->raw_name))
        {
          if (!ep_store_inbox_folder_delete (store, folder->id, error))
            return NULL;
          g_ptr_array_remove_index (cached, i - 1);
        }
    }
  return g_steal_pointer (&cached);
}

/* ---- messages ---- */

static char *
join_addresses (GPtrArray *a,
                GPtrArray *b)
{
  g_autoptr(GString) out = g_string_new (NULL);
  GPtrArray *lists[] = { a, b };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
      {
        EpImapAddress *address = g_ptr_array_index (lists[l], i);

        if (address->address == NULL)
          continue;
        if (out->len > 0)
          g_string_append (out, ", ");
        if (address->name != NULL && *address->name != '\0')
          g_string_append_printf (out, "%s <%s>", address->name, address->address);
        else
          g_string_append (out, address->address);
      }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static char *
flags_text (char **flags)
{
  return flags != NULL ? g_strjoinv (" ", flags) : g_strdup ("");
}

static EpInboxSummary *
summary_from_fetch (const EpImapFetch *f,
                    gint64             folder_id)
{
  EpInboxSummary *s = ep_inbox_summary_new ();
  EpImapEnvelope *env = f->envelope;

  s->folder_id = folder_id;
  s->uid = f->uid;
  s->flags = flags_text (f->flags);
  s->state = ep_inbox_flags_parse (s->flags);
  s->size = f->size;
  s->modseq = f->modseq;
  s->date = f->internaldate;
  if (env != NULL)
    {
      if (env->date != NULL)
        {
          g_autoptr(GDateTime) date = g_mime_utils_header_decode_date (env->date);

          if (date != NULL)
            s->date = g_date_time_to_unix (date);
        }
      s->subject = g_strdup (env->subject);
      if (env->from != NULL && env->from->len > 0)
        {
          EpImapAddress *from = g_ptr_array_index (env->from, 0);

          s->from_name = g_strdup (from->name);
          s->from_address = g_strdup (from->address);
        }
      s->recipients = join_addresses (env->to, env->cc);
      s->message_id = g_strdup (env->message_id);
      s->in_reply_to = g_strdup (env->in_reply_to);
    }
  if (f->body_summary != NULL)
    {
      s->has_attachments = f->body_summary->has_attachments;
      s->encrypted = f->body_summary->is_encrypted;
      s->is_signed = f->body_summary->is_signed;
      s->is_report = f->body_summary->is_report;
    }
  return s;
}

typedef struct
{
  EpStore             *store;
  const EpInboxFolder *folder;
  guint32              first_uid;  /* UIDs below it are not new */
  GPtrArray           *pending;    /* EpInboxSummary */
  guint                done;
  guint                total;
  guint                unread;
  guint32              max_uid;
  EpInboxProgressFunc  progress;
  gpointer             progress_data;
  gboolean             flags_only;
  GArray              *reports;    /* guint32: new delivery reports */
  gboolean             skipped;    /* a response could not be read */
} FetchState;

static gboolean
flush (FetchState  *state,
       GError     **error)
{
  gboolean ok;

  if (state->pending->len == 0)
    return TRUE;
  ok = state->flags_only ? ep_store_inbox_set_flags (state->store, state->pending, error)
                         : ep_store_inbox_add (state->store, state->pending, error);
  g_ptr_array_set_size (state->pending, 0);
  if (ok && state->progress != NULL)
    state->progress (state->folder->name, state->done, state->total, state->progress_data);
  return ok;
}

static gboolean
fetch_cb (const EpImapResponse  *r,
          gpointer               user_data,
          GError               **error)
{
  FetchState *state = user_data;
  g_autoptr(EpImapFetch) fetch = NULL;
  g_autoptr(GError) local_error = NULL;
  EpInboxSummary *s;

  if (g_strcmp0 (r->name, "FETCH") != 0)
    return TRUE;
  fetch = ep_imap_fetch_parse (r, &local_error);
  if (fetch == NULL)
    {
      /* One message the server describes wrongly must not stop the rest;
       * the next sync starts again from the first one skipped. */
      g_debug ("Skipping a FETCH response: %s", local_error->message);
      state->skipped = TRUE;
      return TRUE;
    }
  /* "n:*" also names the last message when n is past it; unsolicited
   * FETCH (flag changes of other sessions) has no UID. */
  if (fetch->uid == 0 || fetch->uid < state->first_uid)
    return TRUE;
  /* An unsolicited FETCH (another session's flag change) can come first:
   * a new row needs its envelope, a flag change its flags. */
  if (state->flags_only ? !fetch->has_flags : fetch->envelope == NULL)
    return TRUE;

  s = summary_from_fetch (fetch, state->folder->id);
  if (!state->flags_only && !(s->state & EP_INBOX_SEEN))
    state->unread++;
  if (!state->flags_only && s->is_report && state->reports != NULL)
    g_array_append_val (state->reports, fetch->uid);
  state->max_uid = MAX (state->max_uid, fetch->uid);
  g_ptr_array_add (state->pending, s);
  state->done++;
  if (state->pending->len >= CHUNK)
    return flush (state, error);
  return TRUE;
}

typedef struct
{
  GArray *uids;
} SearchState;

static gboolean
search_cb (const EpImapResponse  *r,
           gpointer               user_data,
           GError               **error)
{
  SearchState *state = user_data;

  if (g_strcmp0 (r->name, "SEARCH") == 0)
    {
      for (guint i = 0; i < ep_imap_value_n_items (r->data); i++)
        {
          guint64 uid = 0;

          if (ep_imap_value_number (ep_imap_value_item (r->data, i), &uid) && uid <= G_MAXUINT32)
            {
              guint32 u = (guint32) uid;

              g_array_append_val (state->uids, u);
            }
        }
    }
  else if (g_strcmp0 (r->name, "ESEARCH") == 0)
    {
      /* (TAG "E5") UID ALL 1:3,7 */
      for (guint i = 0; i + 1 < ep_imap_value_n_items (r->data); i++)
        {
          const char *word = ep_imap_value_string (ep_imap_value_item (r->data, i));

          if (word != NULL && g_ascii_strcasecmp (word, "ALL") == 0)
            {
              const char *set = ep_imap_value_string (ep_imap_value_item (r->data, i + 1));
              g_autoptr(GArray) uids = set ? ep_imap_parse_uid_set (set, G_MAXUINT32, 10000000, error) : NULL;

              if (uids == NULL)
                return FALSE;
              g_array_append_vals (state->uids, uids->data, uids->len);
            }
        }
    }
  return TRUE;
}

static int
compare_uid (gconstpointer a,
             gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
remove_expunged (EpImapSession        *session,
                 EpStore              *store,
                 const EpInboxFolder  *folder,
                 guint32               exists,
                 EpInboxSyncStats     *stats,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_autoptr(GArray) cached = ep_store_inbox_uids (store, folder->id, error);
  g_autoptr(GArray) gone = NULL;
  SearchState state;
  guint j = 0;

  if (cached == NULL)
    return FALSE;
  if (cached->len == exists)
    return TRUE;

  state.uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (!ep_imap_session_run (session,
                            ep_imap_session_has_capability (session, "ESEARCH")
                              ? "UID SEARCH RETURN (ALL) ALL" : "UID SEARCH ALL",
                            search_cb, &state, NULL, cancellable, error))
    {
      g_array_unref (state.uids);
      return FALSE;
    }
  g_array_sort (state.uids, compare_uid);

  gone = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < cached->len; i++)
    {
      guint32 uid = g_array_index (cached, guint32, i);

      while (j < state.uids->len && g_array_index (state.uids, guint32, j) < uid)
        j++;
      if (j >= state.uids->len || g_array_index (state.uids, guint32, j) != uid)
        g_array_append_val (gone, uid);
    }
  g_array_unref (state.uids);

  if (stats != NULL)
    stats->removed += gone->len;
  return ep_store_inbox_remove_uids (store, folder->id, gone, error);
}

typedef struct
{
  EpStore             *store;
  const EpInboxFolder *folder;
  guint                matched;
} BounceState;

static gboolean
bounce_cb (const EpImapResponse  *r,
           gpointer               user_data,
           GError               **error)
{
  BounceState *state = user_data;
  g_autoptr(EpImapFetch) fetch = NULL;
  g_autoptr(EpReadMessage) message = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 id, campaign = 0;

  if (g_strcmp0 (r->name, "FETCH") != 0)
    return TRUE;
  fetch = ep_imap_fetch_parse (r, NULL);
  if (fetch == NULL || fetch->uid == 0 || fetch->body == NULL)
    return TRUE;

  /* Cached (a report is never encrypted) and indexed like any other. */
  message = ep_read_message_parse (fetch->body, NULL, NULL, FALSE, NULL);
  id = ep_store_inbox_find_uid (state->store, state->folder->id, fetch->uid);
  if (id != 0)
    ep_store_inbox_set_body (state->store, id, fetch->body,
                             message && message->body ? message->body->text : NULL, NULL);
  /* A permanent failure, of the Message-ID Epistle gave, for the address
   * it was sent to: a delay report, or a report someone else made up for
   * another address, marks nothing. */
  if (message == NULL || message->bounce == NULL || message->bounce->original_message_id == NULL ||
      !message->bounce->permanent)
    return TRUE;

  for (guint i = 0; message->bounce->failed != NULL && i < message->bounce->failed->len; i++)
    {
      if (ep_store_recipient_mark_bounced (state->store, message->bounce->original_message_id,
                                           g_ptr_array_index (message->bounce->failed, i),
                                           message->bounce->diagnostic ? message->bounce->diagnostic
                                                                       : message->bounce->status,
                                           &campaign, &local_error))
        state->matched++;
      else if (local_error != NULL)
        {
          g_warning ("Recording a returned message: %s", local_error->message);
          g_clear_error (&local_error);
        }
    }
  return TRUE;
}

/* New delivery reports in the Inbox: the campaign recipients whose
 * messages came back are marked bounced. */
static gboolean
match_bounces (EpImapSession        *session,
               EpStore              *store,
               const EpInboxFolder  *folder,
               GArray               *uids,
               EpInboxSyncStats     *stats,
               GCancellable         *cancellable,
               GError              **error)
{
  BounceState state = { store, folder, 0 };

  for (guint i = 0; i < uids->len; i += 50)
    {
      g_autoptr(GString) command = g_string_new ("UID FETCH ");

      for (guint j = i; j < uids->len && j < i + 50; j++)
        g_string_append_printf (command, "%s%u", j > i ? "," : "", g_array_index (uids, guint32, j));
      g_string_append (command, " (UID BODY.PEEK[])");
      if (!ep_imap_session_run (session, command->str, bounce_cb, &state, NULL, cancellable, error))
        return FALSE;
    }
  if (stats != NULL)
    stats->bounces += state.matched;
  return TRUE;
}

static gboolean
sync_folder (EpImapSession        *session,
             EpStore              *store,
             EpInboxFolder        *folder,
             EpInboxProgressFunc   progress,
             gpointer              progress_data,
             EpInboxSyncStats     *stats,
             GCancellable         *cancellable,
             GError              **error)
{
  SelectState sel;
  gboolean condstore = ep_imap_session_has_capability (session, "CONDSTORE");
  gboolean first;
  guint32 start;
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_inbox_summary_free);
  g_autoptr(GArray) reports = g_array_new (FALSE, FALSE, sizeof (guint32));
  gboolean is_inbox = g_strcmp0 (folder->special_use, "\\Inbox") == 0;
  FetchState state = { store, folder, 1, pending, 0, 0, 0, 0, progress, progress_data, FALSE,
                       is_inbox ? reports : NULL, FALSE };

  if (!select_folder (session, folder, FALSE, &sel, cancellable, error))
    return FALSE;

  if (folder->uidvalidity != 0 && sel.uidvalidity != folder->uidvalidity)
    {
      g_debug ("%s: UIDVALIDITY %u → %u, starting again", folder->name,
               folder->uidvalidity, sel.uidvalidity);
      if (!ep_store_inbox_folder_reset (store, folder->id, error))
        return FALSE;
      folder->uidnext = 0;
      folder->highestmodseq = 0;
      folder->uidvalidity = 0;
      if (stats != NULL)
        stats->resets++;
    }
  first = folder->uidvalidity == 0;
  start = first ? 1 : MAX (folder->uidnext, 1);

  /* New messages. */
  if (sel.exists > 0 && (sel.uidnext == 0 || sel.uidnext > start))
    {
      g_autofree char *command = NULL;

      state.first_uid = start;
      state.total = sel.uidnext > start ? MIN (sel.uidnext - start, sel.exists) : sel.exists;
      command = g_strdup_printf ("UID FETCH %u:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE "
                                 "BODYSTRUCTURE%s)", start,
                                 condstore && !sel.nomodseq ? " MODSEQ" : "");
      if (!ep_imap_session_run (session, command, fetch_cb, &state, NULL, cancellable, error) ||
          !flush (&state, error))
        return FALSE;
      if (stats != NULL)
        {
          stats->added += state.done;
          if (folder->special_use != NULL && g_str_equal (folder->special_use, "\\Inbox") && !first)
            stats->new_in_inbox += state.unread;
        }
    }

  if (reports->len > 0 &&
      !match_bounces (session, store, folder, reports, stats, cancellable, error))
    return FALSE;

  /* Flags of the messages cached before. */
  if (!first && start > 1 && sel.exists > 0)
    {
      g_autofree char *command = NULL;
      FetchState flags = { store, folder, 1, pending, 0, 0, 0, 0, NULL, NULL, TRUE, NULL, FALSE };

      if (condstore && !sel.nomodseq && folder->highestmodseq > 0)
        {
          if (sel.highestmodseq != folder->highestmodseq)
            command = g_strdup_printf ("UID FETCH 1:%u (UID FLAGS) (CHANGEDSINCE %" G_GUINT64_FORMAT ")",
                                       start - 1, folder->highestmodseq);
        }
      else
        command = g_strdup_printf ("UID FETCH 1:%u (UID FLAGS)", start - 1);

      if (command != NULL)
        {
          if (!ep_imap_session_run (session, command, fetch_cb, &flags, NULL, cancellable, error) ||
              !flush (&flags, error))
            return FALSE;
          if (stats != NULL)
            stats->flags_changed += flags.done;
        }
    }

  if (!remove_expunged (session, store, folder, sel.exists, stats, cancellable, error))
    return FALSE;

  /* Mail that arrived during the sync was fetched too: never again. A
   * response that could not be read is tried again next time. */
  sel.uidnext = MAX (sel.uidnext, state.max_uid + 1);
  sel.uidnext = MAX (sel.uidnext, start);
  if (state.skipped)
    sel.uidnext = start;
  if (!ep_store_inbox_folder_set_state (store, folder->id, sel.uidvalidity, sel.uidnext,
                                        sel.nomodseq ? 0 : sel.highestmodseq, error))
    return FALSE;
  folder->uidvalidity = sel.uidvalidity;
  folder->uidnext = sel.uidnext;
  folder->highestmodseq = sel.highestmodseq;

  if (stats != NULL)
    stats->folders++;
  return TRUE;
}

gboolean
ep_inbox_sync_account (EpStore              *store,
                       const char           *account_uid,
                       const EpServerConfig *config,
                       gboolean              inbox_only,
                       EpProtocolLog        *log,
                       EpInboxProgressFunc   progress,
                       gpointer              progress_data,
                       EpInboxSyncStats     *stats,
                       GCancellable         *cancellable,
                       GError              **error)
{
  EpImapSession *session;
  g_autoptr(GPtrArray) folders = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (EP_IS_STORE (store), FALSE);
  g_return_val_if_fail (account_uid != NULL && config != NULL, FALSE);

  if (stats != NULL)
    memset (stats, 0, sizeof *stats);

  session = ep_imap_session_open (config, log, cancellable, error);
  if (session == NULL)
    return FALSE;

  folders = sync_folder_list (session, store, account_uid, cancellable, error);
  if (folders == NULL)
    ok = FALSE;

  for (guint i = 0; ok && i < folders->len; i++)
    {
      EpInboxFolder *folder = g_ptr_array_index (folders, i);

      if (!folder->selectable)
        continue;
      if (inbox_only && g_strcmp0 (folder->special_use, "\\Inbox") != 0)
        continue;
      {
        g_autoptr(GError) folder_error = NULL;

        ok = sync_folder (session, store, folder, progress, progress_data, stats, cancellable,
                          &folder_error);
        /* A folder the server will not open (gone since LIST, no right to
         * it, a name it cannot take back) is skipped; the others go on.
         * A lost connection or a store error ends the sync. */
        if (!ok && ep_imap_session_is_usable (session) &&
            (g_error_matches (folder_error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_REJECTED) ||
             g_error_matches (folder_error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG)))
          {
            g_warning ("Folder “%s” skipped: %s", folder->name, folder_error->message);
            ok = TRUE;
          }
        else if (!ok)
          g_propagate_error (error, g_steal_pointer (&folder_error));
      }
    }

  if (session != NULL)
    ep_imap_session_close (session);
  return ok;
}

/* ---- one message ---- */

typedef struct
{
  guint32  uid;
  GBytes  *body;
} BodyState;

static gboolean
body_cb (const EpImapResponse  *r,
         gpointer               user_data,
         GError               **error)
{
  BodyState *state = user_data;
  g_autoptr(EpImapFetch) fetch = NULL;

  if (g_strcmp0 (r->name, "FETCH") != 0)
    return TRUE;
  fetch = ep_imap_fetch_parse (r, NULL);
  if (fetch != NULL && fetch->uid == state->uid && fetch->body != NULL && state->body == NULL)
    state->body = g_bytes_ref (fetch->body);
  return TRUE;
}

/* Opens a session with the message's folder selected, checking that its
 * UIDs still mean what the cache thinks. */
static EpImapSession *
open_for (EpStore               *store,
          const EpServerConfig  *config,
          const EpInboxSummary  *summary,
          gboolean               writable,
          EpProtocolLog         *log,
          GCancellable          *cancellable,
          GError               **error)
{
  g_autoptr(EpInboxFolder) folder = ep_store_inbox_folder_lookup (store, summary->folder_id, error);
  EpImapSession *session;
  SelectState sel;

  if (folder == NULL)
    return NULL;
  session = ep_imap_session_open (config, log, cancellable, error);
  if (session == NULL)
    return NULL;
  if (!select_folder (session, folder, writable, &sel, cancellable, error))
    {
      ep_imap_session_close (session);
      return NULL;
    }
  if (sel.uidvalidity != folder->uidvalidity)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_TRANSIENT,
                   _("The folder “%s” changed on the server; it will be read again"),
                   folder->name);
      ep_imap_session_close (session);
      return NULL;
    }
  return session;
}

static char *
search_text_for (GBytes *raw)
{
  g_autoptr(EpReadMessage) message = NULL;

  /* Only what was never encrypted may be indexed. */
  message = ep_read_message_parse (raw, NULL, NULL, FALSE, NULL);
  if (message == NULL || message->state != EP_READ_OK ||
      message->protection != EP_READ_PLAIN || message->body == NULL)
    return NULL;
  return g_strdup (message->body->text);
}

GBytes *
ep_inbox_fetch_body (EpStore              *store,
                     const EpServerConfig *config,
                     gint64                message_id,
                     EpProtocolLog        *log,
                     GCancellable         *cancellable,
                     GError              **error)
{
  g_autoptr(EpInboxSummary) summary = NULL;
  g_autofree char *command = NULL;
  g_autofree char *text = NULL;
  EpImapSession *session;
  BodyState state = { 0, NULL };
  g_autoptr(GError) local_error = NULL;
  GBytes *cached;
  gboolean ok;

  cached = ep_store_inbox_body (store, message_id, &local_error);
  if (cached != NULL)
    return cached;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  summary = ep_store_inbox_lookup (store, message_id, error);
  if (summary == NULL)
    return NULL;

  session = open_for (store, config, summary, FALSE, log, cancellable, error);
  if (session == NULL)
    return NULL;
  state.uid = summary->uid;
  command = g_strdup_printf ("UID FETCH %u (UID BODY.PEEK[])", summary->uid);
  ok = ep_imap_session_run (session, command, body_cb, &state, NULL, cancellable, error);
  ep_imap_session_close (session);
  if (!ok)
    {
      g_clear_pointer (&state.body, g_bytes_unref);
      return NULL;
    }
  if (state.body == NULL)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_REJECTED,
                   _("The message is no longer on the server"));
      return NULL;
    }

  if (!summary->encrypted)
    text = search_text_for (state.body);
  if (!ep_store_inbox_set_body (store, message_id, state.body, text, error))
    {
      g_bytes_unref (state.body);
      return NULL;
    }
  return state.body;
}

gboolean
ep_inbox_store_flag (EpStore              *store,
                     const EpServerConfig *config,
                     gint64                message_id,
                     EpInboxFlags          flag,
                     gboolean              set,
                     EpProtocolLog        *log,
                     GCancellable         *cancellable,
                     GError              **error)
{
  g_autoptr(EpInboxSummary) summary = ep_store_inbox_lookup (store, message_id, error);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GString) flags = NULL;
  g_autofree char *command = NULL;
  g_auto(GStrv) words = NULL;
  const char *name;
  EpImapSession *session;
  gboolean ok;

  if (summary == NULL)
    return FALSE;
  switch (flag)
    {
    case EP_INBOX_SEEN: name = "\\Seen"; break;
    case EP_INBOX_FLAGGED: name = "\\Flagged"; break;
    case EP_INBOX_ANSWERED: name = "\\Answered"; break;
    default: g_return_val_if_reached (FALSE);
    }

  session = open_for (store, config, summary, TRUE, log, cancellable, error);
  if (session == NULL)
    return FALSE;
  command = g_strdup_printf ("UID STORE %u %sFLAGS.SILENT (%s)", summary->uid, set ? "+" : "-", name);
  ok = ep_imap_session_run (session, command, NULL, NULL, NULL, cancellable, error);
  ep_imap_session_close (session);
  if (!ok)
    return FALSE;

  /* The cache follows what the server now holds. */
  flags = g_string_new (NULL);
  words = g_strsplit (summary->flags ? summary->flags : "", " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0' && g_ascii_strcasecmp (words[i], name) != 0)
      g_string_append_printf (flags, "%s%s", flags->len ? " " : "", words[i]);
  if (set)
    g_string_append_printf (flags, "%s%s", flags->len ? " " : "", name);
  g_free (summary->flags);
  summary->flags = g_string_free (g_steal_pointer (&flags), FALSE);
  changes = g_ptr_array_new ();
  g_ptr_array_add (changes, summary);
  return ep_store_inbox_set_flags (store, changes, error);
}

gboolean
ep_inbox_wait_for_change (const EpServerConfig *config,
                          guint                 max_seconds,
                          gboolean             *changed,
                          EpProtocolLog        *log,
                          GCancellable         *cancellable,
                          GError              **error)
{
  g_autoptr(EpInboxFolder) inbox = ep_inbox_folder_new ();
  EpImapSession *session;
  SelectState sel;
  gboolean ok;

  *changed = FALSE;
  session = ep_imap_session_open (config, log, cancellable, error);
  if (session == NULL)
    return FALSE;

  inbox->raw_name = g_strdup ("INBOX");
  inbox->name = g_strdup ("INBOX");
  ok = select_folder (session, inbox, FALSE, &sel, cancellable, error);
  if (ok && ep_imap_session_has_capability (session, "IDLE"))
    ok = ep_imap_session_idle (session, max_seconds, changed, cancellable, error);
  else if (ok)
    {
      /* No IDLE: wait (cancellably) with no session open, then the
       * caller syncs and sees. */
      GPollFD pfd = { 0 };

      ep_imap_session_close (session);
      session = NULL;
      if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pfd))
        {
          pfd.events = G_IO_IN;
          g_poll (&pfd, 1, (int) MIN (max_seconds, POLL_SECONDS) * 1000);
          g_cancellable_release_fd (cancellable);
        }
      else
        g_usleep ((gulong) MIN (max_seconds, POLL_SECONDS) * G_USEC_PER_SEC);
      *changed = TRUE;
      ok = !g_cancellable_set_error_if_cancelled (cancellable, error);
    }
  if (session != NULL)
    ep_imap_session_close (session);
  return ok;
}
