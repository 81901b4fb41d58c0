/* test-journal.c: the journal's queries stay constant-time per message
 *
 * A campaign of a few thousand rows is mostly sent, with some deferred,
 * failed and uncertain; then every statement the store runs for the next
 * messages (claiming, recording outcomes, the retry time, the daily
 * count) is traced and its plan asked of SQLite with EXPLAIN QUERY PLAN,
 * on the same file. None may scan campaign_recipients or walk a campaign
 * by its id alone: that is what made a claim cost 11–13 ms at 100,000
 * rows (SQLite 3.40 took the primary key instead of the state index).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <epistle-core.h>

#include "../test-tmpdir.h"

#define N_ROWS 3000

static EpStoreRecipient *
make_recipient (guint row_number)
{
  EpStoreRecipient *r = g_new0 (EpStoreRecipient, 1);
  g_autofree char *address = g_strdup_printf ("r%u@example.org", row_number);
  const char *values[] = { address, NULL };

  r->row_number = row_number;
  r->address = g_strdup (address);
  r->values = g_strdupv ((char **) values);
  r->message_id = g_strdup_printf ("m%u@example.org", row_number);
  return r;
}

/* A plan that reads a campaign's rows one by one from its start. */
static gboolean
walks_the_campaign (const char *detail)
{
  if (strstr (detail, "campaign_recipients") == NULL)
    return FALSE;
  return g_str_has_prefix (detail, "SCAN") ||
         strstr (detail, "(campaign_id=?)") != NULL;
}

static void
test_claim_and_record_use_indexes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ep-journal-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "epistle.db", NULL);
  g_autoptr(EpStore) store = NULL;
  g_autoptr(EpCampaignInfo) create = ep_campaign_info_new ();
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(GPtrArray) trace = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 next_due = 0;
  const char *columns[] = { "Email", NULL };
  guint checked = 0;
  sqlite3 *db = NULL;
  gint64 id;

  g_assert_no_error (error);
  store = ep_store_new (path, &error);
  g_assert_no_error (error);

  create->account_uid = g_strdup ("acc");
  create->name = g_strdup ("big.csv");
  create->template_text = g_strdup ("To: {{ Email }}\n\nHi");
  create->columns = g_strdupv ((char **) columns);
  create->daily_limit = 100000;
  for (guint i = 1; i <= N_ROWS; i++)
    g_ptr_array_add (recipients, make_recipient (i + 1));
  id = ep_store_campaign_insert (store, create, recipients, &error);
  g_assert_no_error (error);

  /* Most of it sent, some failed, deferred to later, in doubt. */
  for (guint i = 0; i < N_ROWS - 100; i++)
    {
      g_autoptr(EpStoreRecipient) r = ep_store_recipient_claim (store, id, now, &next_due, &error);
      EpRecipientState state = i % 97 == 0 ? EP_RECIPIENT_FAILED
                             : i % 89 == 0 ? EP_RECIPIENT_DEFERRED
                             : EP_RECIPIENT_SENT;

      g_assert_no_error (error);
      g_assert_nonnull (r);
      if (i % 211 == 0)
        continue;   /* left "sending", as a crash would */
      g_assert_true (ep_store_recipient_update (store, id, r->row_number, state, state == EP_RECIPIENT_SENT ? 250 : 451,
                                                "ok", state == EP_RECIPIENT_DEFERRED ? now + 3600 : 0, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (ep_store_campaign_recover (store, id, &error), >, 0);
  g_assert_no_error (error);

  /* What the runner does per message from here, traced. */
  ep_store_trace_statements (store, trace);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(EpStoreRecipient) r = ep_store_recipient_claim (store, id, now, &next_due, &error);
      guint count = 0;

      g_assert_no_error (error);
      if (r == NULL)
        break;
      g_assert_true (ep_store_sent_since (store, "acc", now - 24 * 3600, &count, &error));
      g_assert_true (ep_store_recipient_update (store, id, r->row_number, EP_RECIPIENT_SENT, 250, "ok", 0, &error));
      g_assert_no_error (error);
    }
  /* The group commit: a batch's outcomes recorded with the next claim,
   * and the last claim's first one released unsent. */
  {
    g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
    gboolean released = FALSE;

    for (guint i = 0; i < 120; i++)
      {
        g_autoptr(GPtrArray) next = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
        g_autoptr(GArray) outcomes = g_array_new (FALSE, TRUE, sizeof (EpStoreOutcome));

        for (guint j = 0; j < held->len; j++)
          {
            const EpStoreRecipient *r = g_ptr_array_index (held, j);
            EpStoreOutcome o = { r->row_number, j % 3 ? EP_RECIPIENT_SENT : EP_RECIPIENT_FAILED, 250, "ok", 0, FALSE };

            g_array_append_val (outcomes, o);
          }
        g_assert_true (ep_store_recipient_exchange (store, id, (EpStoreOutcome *) outcomes->data, outcomes->len,
                                                    8, now, next, &next_due, &error));
        g_assert_no_error (error);
        g_ptr_array_unref (held);
        held = g_steal_pointer (&next);
        if (held->len == 0)
          break;
        if (held->len < 8 && !released)
          {
            const EpStoreRecipient *r = g_ptr_array_index (held, 0);
            EpStoreOutcome o = { r->row_number, r->claimed_from, 0, NULL, 0, TRUE };

            /* Released unsent, claimed again at once. */
            g_assert_cmpint (r->claimed_from, ==, EP_RECIPIENT_PENDING);
            g_assert_true (ep_store_recipient_exchange (store, id, &o, 1, 0, now, NULL, NULL, &error));
            g_ptr_array_remove_index (held, 0);
            released = TRUE;
          }
      }
  }
  /* Nothing left but retries: the next one's time. */
  {
    g_autoptr(EpStoreRecipient) none = ep_store_recipient_claim (store, id, now, &next_due, &error);

    g_assert_no_error (error);
    g_assert_null (none);
    g_assert_cmpint (next_due, ==, now + 3600);
  }
  /* Due now: claimed from the retries. */
  {
    g_autoptr(EpStoreRecipient) due = ep_store_recipient_claim (store, id, now + 3600, &next_due, &error);

    g_assert_no_error (error);
    g_assert_nonnull (due);
    g_assert_cmpint (due->state, ==, EP_RECIPIENT_SENDING);
  }
  ep_store_trace_statements (store, NULL);
  g_assert_cmpuint (trace->len, >, 0);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < trace->len; i++)
    {
      const char *sql = g_ptr_array_index (trace, i);
      g_autofree char *explain = NULL;
      sqlite3_stmt *stmt = NULL;

      if (g_hash_table_contains (seen, sql) || strstr (sql, "campaign_recipients") == NULL)
        continue;
      g_hash_table_add (seen, (gpointer) sql);
      explain = g_strdup_printf ("EXPLAIN QUERY PLAN %s", sql);
      g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *detail = (const char *) sqlite3_column_text (stmt, 3);

          g_test_message ("%s\n  -> %s", sql, detail);
          if (walks_the_campaign (detail))
            g_error ("This statement walks the campaign: %s\n  plan: %s", sql, detail);
        }
      sqlite3_finalize (stmt);
      checked++;
    }
  sqlite3_close (db);
  /* The claims of each state, the outcome, the retry time, the count. */
  g_assert_cmpuint (checked, >=, 5);

  g_clear_object (&store);
  test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/journal/query-plans", test_claim_and_record_use_indexes);

  return g_test_run ();
}
