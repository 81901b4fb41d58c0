/* test-store-inbox.c: the inbox cache in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include <epistle-core.h>

static EpInboxSummary *
summary (gint64      folder_id,
         guint32     uid,
         gint64      date,
         const char *subject,
         const char *from,
         const char *flags)
{
  EpInboxSummary *s = ep_inbox_summary_new ();

  s->folder_id = folder_id;
  s->uid = uid;
  s->date = date;
  s->subject = g_strdup (subject);
  s->from_name = g_strdup ("Zoë Müller");
  s->from_address = g_strdup (from);
  s->recipients = g_strdup ("Ann <ann@example.org>");
  s->flags = g_strdup (flags);
  s->state = ep_inbox_flags_parse (flags);
  s->message_id = g_strdup_printf ("<%u@example.org>", uid);
  return s;
}

static gint64
add_folder (EpStore    *store,
            const char *raw_name,
            const char *special_use)
{
  g_autoptr(EpInboxFolder) folder = ep_inbox_folder_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  folder->account_uid = g_strdup ("acct-1");
  folder->raw_name = g_strdup (raw_name);
  folder->name = g_strdup (raw_name);
  folder->delimiter = '/';
  folder->special_use = g_strdup (special_use);
  id = ep_store_inbox_folder_upsert (store, folder, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static GArray *
list (EpStore    *store,
      gint64      folder,
      const char *search)
{
  g_autoptr(GError) error = NULL;
  GArray *ids = ep_store_inbox_list (store, folder, search, &error);

  g_assert_no_error (error);
  return ids;
}

static void
test_folders_and_messages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (":memory:", &error);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_inbox_summary_free);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) uids = NULL;
  g_autoptr(EpInboxSummary) got = NULL;
  g_autoptr(EpInboxFolder) folder = NULL;
  gint64 sent, inbox;

  g_assert_no_error (error);
  sent = add_folder (store, "Sent", "\\Sent");
  inbox = add_folder (store, "INBOX", "\\Inbox");
  /* Upserting again keeps the id. */
  g_assert_cmpint (add_folder (store, "INBOX", "\\Inbox"), ==, inbox);

  g_ptr_array_add (batch, summary (inbox, 1, 1000, "Zeugnisse", "zoe@example.org", "\\Seen"));
  g_ptr_array_add (batch, summary (inbox, 2, 3000, "Rechnung März", "bob@example.org", ""));
  g_ptr_array_add (batch, summary (inbox, 3, 2000, "Hello again", "carl@example.org", "\\Flagged \\Seen"));
  g_assert_true (ep_store_inbox_add (store, batch, &error));
  g_assert_no_error (error);

  /* The Inbox comes first, counts are right. */
  folders = ep_store_inbox_folders (store, "acct-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 2);
  folder = ep_inbox_folder_copy (g_ptr_array_index (folders, 0));
  g_assert_cmpint (folder->id, ==, inbox);
  g_assert_cmpuint (folder->total, ==, 3);
  g_assert_cmpuint (folder->unread, ==, 1);
  g_assert_cmpint (((EpInboxFolder *) g_ptr_array_index (folders, 1))->id, ==, sent);
  g_assert_cmpuint (ep_store_inbox_unread (store, NULL, &error), ==, 1);

  /* Newest first. */
  ids = list (store, inbox, NULL);
  g_assert_cmpuint (ids->len, ==, 3);
  got = ep_store_inbox_lookup (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->uid, ==, 2);
  g_assert_cmpstr (got->subject, ==, "Rechnung März");
  g_assert_false (got->has_body);
  g_clear_pointer (&got, ep_inbox_summary_free);
  g_clear_pointer (&ids, g_array_unref);

  /* Search: words, prefixes, diacritics folded, people; FTS syntax in what
   * a person types is just text. */
  ids = list (store, inbox, "marz");
  g_assert_cmpuint (ids->len, ==, 1);
  g_clear_pointer (&ids, g_array_unref);
  ids = list (store, inbox, "zoe mull");
  g_assert_cmpuint (ids->len, ==, 3);
  g_clear_pointer (&ids, g_array_unref);
  ids = list (store, inbox, "hello\" OR \"x");
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);
  ids = list (store, inbox, "AND NOT (");
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  /* A body is cached and its text searchable; an encrypted one is cached
   * without text. */
  {
    g_autoptr(GBytes) raw = g_bytes_new_static ("Subject: x\r\n\r\nSchulnoten anbei\r\n", 32);
    g_autoptr(GBytes) back = NULL;
    g_autoptr(GArray) found = list (store, inbox, "zeugnisse");
    gint64 id = g_array_index (found, gint64, 0);

    g_assert_true (ep_store_inbox_set_body (store, id, raw, "Schulnoten anbei", &error));
    g_assert_no_error (error);
    back = ep_store_inbox_body (store, id, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (raw, back));
    ids = list (store, inbox, "schulnoten");
    g_assert_cmpuint (ids->len, ==, 1);
    g_assert_cmpint (g_array_index (ids, gint64, 0), ==, id);
    g_clear_pointer (&ids, g_array_unref);
    /* The subject is still found after the body was added. */
    ids = list (store, inbox, "zeugnisse");
    g_assert_cmpuint (ids->len, ==, 1);
    g_clear_pointer (&ids, g_array_unref);
  }

  /* Flags change in place. */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, summary (inbox, 2, 0, NULL, NULL, "\\Seen \\Answered"));
  g_assert_true (ep_store_inbox_set_flags (store, batch, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ep_store_inbox_unread (store, "acct-1", &error), ==, 0);

  /* Expunged UIDs go, with their search rows. */
  {
    g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint32));
    guint32 uid = 3;

    g_array_append_val (gone, uid);
    g_assert_true (ep_store_inbox_remove_uids (store, inbox, gone, &error));
    g_assert_no_error (error);
  }
  uids = ep_store_inbox_uids (store, inbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uids->len, ==, 2);
  g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, 1);
  g_assert_cmpuint (g_array_index (uids, guint32, 1), ==, 2);
  ids = list (store, inbox, "hello");
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  /* Sync state, then a new UIDVALIDITY empties the folder. */
  g_assert_true (ep_store_inbox_folder_set_state (store, inbox, 42, 4, 17, &error));
  g_clear_pointer (&folder, ep_inbox_folder_free);
  folder = ep_store_inbox_folder_lookup (store, inbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folder->uidvalidity, ==, 42);
  g_assert_cmpuint (folder->uidnext, ==, 4);
  g_assert_cmpuint (folder->highestmodseq, ==, 17);
  g_assert_true (ep_store_inbox_folder_reset (store, inbox, &error));
  ids = list (store, inbox, NULL);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);
  ids = list (store, inbox, "schulnoten");
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  /* A folder deleted goes with its messages. */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, summary (sent, 9, 10, "Sent one", "me@example.org", "\\Seen"));
  g_assert_true (ep_store_inbox_add (store, batch, &error));
  g_assert_true (ep_store_inbox_folder_delete (store, sent, &error));
  g_assert_no_error (error);
  g_assert_null (ep_store_inbox_folder_lookup (store, sent, &error));
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND);
}

static void
test_bounce_unknown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (":memory:", &error);
  gint64 campaign = -1;

  g_assert_no_error (error);
  /* A bounce of a message Epistle never sent marks nothing. */
  g_assert_false (ep_store_recipient_mark_bounced (store, "<nobody@example.org>", "nobody@example.org", "5.1.1",
                                                   &campaign, &error));
  g_assert_no_error (error);
  g_assert_cmpint (campaign, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store-inbox/folders-and-messages", test_folders_and_messages);
  g_test_add_func ("/store-inbox/bounce-unknown", test_bounce_unknown);
  return g_test_run ();
}
