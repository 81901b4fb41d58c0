/* test-store.c: SQLite store, migrations, accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include <epistle-core.h>

#include "../test-tmpdir.h"

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ep-store-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

#define remove_tree test_remove_tree

static void
test_open_wal (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "sub", "epistle.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (path, &error);
  g_autofree char *mode = NULL;
  struct stat st;

  g_assert_no_error (error);
  mode = ep_store_dup_journal_mode (store);
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (ep_store_get_schema_version (store), ==, 13);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Reopening does not migrate again. */
  g_clear_object (&store);
  store = ep_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ep_store_get_schema_version (store), ==, 13);

  g_clear_object (&store);
  remove_tree (dir);
}

static void
test_too_new (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "epistle.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = ep_store_new (path, &error);
  g_assert_null (store);
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer version"));

  remove_tree (dir);
}

static void
test_accounts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (":memory:", &error);
  g_autoptr(EpAccount) account = ep_account_new ("Work");
  g_autoptr(EpAccount) back = NULL;
  g_autoptr(EpAccount) dup = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(GVariant) row = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_assert_no_error (error);

  g_object_set (account, "address", "ann@example.org", "display-name", "Ann",
                "smtp-host", "smtp.example.org", "smtp-port", 465u,
                "smtp-security", (guint) EP_SECURITY_TLS,
                "imap-host", "imap.example.org", "imap-port", 993u,
                "username", "ann", NULL);
  g_assert_true (ep_account_validate (account, &error));
  dict = ep_account_to_variant (account);
  g_assert_true (ep_store_account_insert (store, dict, &error));
  g_assert_no_error (error);

  row = ep_store_account_lookup (store, "work", &error);  /* names are case-insensitive */
  g_assert_no_error (error);
  back = ep_account_new_from_variant (row);
  g_assert_cmpstr (ep_account_get_uid (back), ==, ep_account_get_uid (account));
  g_assert_cmpstr (ep_account_get_address (back), ==, "ann@example.org");
  g_assert_cmpstr (ep_account_get_smtp_host (back), ==, "smtp.example.org");
  g_assert_cmpuint (ep_account_get_smtp_port (back), ==, 465);
  g_assert_cmpint (ep_account_get_smtp_security (back), ==, EP_SECURITY_TLS);
  g_assert_cmpstr (ep_account_get_imap_host (back), ==, "imap.example.org");
  g_assert_cmpint (ep_account_get_imap_security (back), ==, EP_SECURITY_TLS);
  g_assert_cmpstr (ep_account_get_login (back), ==, "ann");
  g_assert_null (ep_account_get_ca_file (back));

  /* A second account with the same name is refused. */
  dup = ep_account_new ("WORK");
  g_object_set (dup, "address", "b@example.org", "smtp-host", "h.example.org", NULL);
  g_clear_pointer (&dict, g_variant_unref);
  dict = ep_account_to_variant (dup);
  g_assert_false (ep_store_account_insert (store, dict, &error));
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_null (ep_account_get_signature (back));

  /* Update, with a signature of two lines. */
  g_object_set (account, "smtp-port", 587u, "smtp-security", (guint) EP_SECURITY_STARTTLS,
                "signature", "Ann Teacher\nClass 7b", NULL);
  g_clear_pointer (&dict, g_variant_unref);
  dict = ep_account_to_variant (account);
  g_assert_true (ep_store_account_update (store, dict, &error));
  g_clear_pointer (&row, g_variant_unref);
  g_clear_object (&back);
  row = ep_store_account_lookup (store, "Work", &error);
  back = ep_account_new_from_variant (row);
  g_assert_cmpuint (ep_account_get_smtp_port (back), ==, 587);
  g_assert_cmpint (ep_account_get_smtp_security (back), ==, EP_SECURITY_STARTTLS);
  g_assert_cmpstr (ep_account_get_signature (back), ==, "Ann Teacher\nClass 7b");

  list = ep_store_account_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);

  g_assert_true (ep_store_account_delete (store, ep_account_get_uid (account), &error));
  g_assert_false (ep_store_account_delete (store, ep_account_get_uid (account), &error));
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_pointer (&row, g_variant_unref);
  row = ep_store_account_lookup (store, "Work", &error);
  g_assert_null (row);
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Work"));
}

static void
test_account_validation (void)
{
  g_autoptr(EpAccount) account = ep_account_new ("x");
  g_autoptr(GError) error = NULL;

  g_object_set (account, "address", "ann@example", "smtp-host", "smtp.example.org", NULL);
  g_assert_false (ep_account_validate (account, &error));
  g_assert_nonnull (strstr (error->message, "ann@example"));
  g_clear_error (&error);

  g_object_set (account, "address", "ann@example.org", "smtp-host", "smtp example", NULL);
  g_assert_false (ep_account_validate (account, &error));
  g_assert_nonnull (strstr (error->message, "smtp example"));
  g_clear_error (&error);

  g_object_set (account, "smtp-host", "smtp.example.org", "ca-file", "/nonexistent/ca.pem", NULL);
  g_assert_false (ep_account_validate (account, &error));
  g_assert_nonnull (strstr (error->message, "/nonexistent/ca.pem"));
  g_clear_error (&error);

  g_object_set (account, "ca-file", NULL, NULL);
  g_assert_true (ep_account_validate (account, &error));
}

static void
test_presets (void)
{
  const char *ids[] = { "gmail", "google-workspace", "outlook", "yahoo", "fastmail", "icloud", "generic" };
  guint n;
  const EpProvider *all = ep_provider_get_all (&n);
  g_autoptr(EpAccount) account = ep_account_new ("g");

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      const EpProvider *p = ep_provider_lookup (ids[i]);

      g_assert_nonnull (p);
      g_assert_true (p >= all && p < all + n);
      if (!g_str_equal (ids[i], "generic"))
        {
          g_assert_nonnull (p->smtp_host);
          g_assert_cmpuint (p->smtp_port, >, 0);
          g_assert_cmpint (p->smtp_security, !=, EP_SECURITY_NONE);
          g_assert_cmpint (p->imap_security, !=, EP_SECURITY_NONE);
          g_assert_cmpuint (p->per_day, >, 0);
        }
    }

  g_assert_true (ep_account_apply_preset (account, "outlook"));
  g_assert_cmpstr (ep_account_get_smtp_host (account), ==, "smtp-mail.outlook.com");
  g_assert_cmpuint (ep_account_get_smtp_port (account), ==, 587);
  g_assert_cmpint (ep_account_get_smtp_security (account), ==, EP_SECURITY_STARTTLS);
  g_assert_false (ep_account_apply_preset (account, "nosuch"));
  g_assert_cmpstr (ep_provider_guess_for_address ("x@googlemail.com")->id, ==, "gmail");
  g_assert_null (ep_provider_guess_for_address ("x@school.example"));
  /* Gmail files what goes out through its SMTP server in Sent itself. */
  g_assert_true (ep_provider_files_sent ("imap.gmail.com"));
  g_assert_false (ep_provider_files_sent ("imap.fastmail.com"));
  g_assert_false (ep_provider_files_sent ("127.0.0.1"));
  g_assert_false (ep_provider_files_sent (NULL));
}

static void
assert_entries (GPtrArray          *entries,
                const char * const *expected)
{
  g_assert_cmpuint (entries->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < entries->len; i++)
    g_assert_cmpstr (g_ptr_array_index (entries, i), ==, expected[i]);
}

/* The merge wizard's one draft: saved, replaced, read back as it was
 * given, gone after delete. */
static void
test_merge_draft (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (":memory:", &error);
  g_autoptr(GVariant) loaded = NULL;
  g_autofree char *path = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *subject = NULL;

  g_assert_no_error (error);
  g_assert_null (ep_store_merge_draft_load (store, &path, &error));
  g_assert_no_error (error);
  g_assert_null (path);

  g_variant_dict_insert (&dict, "subject", "s", "Rechnung für {{ Name }}");
  g_assert_true (ep_store_merge_draft_save (store, "/tmp/Kunden.xlsx", g_variant_dict_end (&dict), &error));
  g_assert_no_error (error);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "subject", "s", "Noten für {{ Name }}");
  g_variant_dict_insert (&dict, "markdown", "b", TRUE);
  g_assert_true (ep_store_merge_draft_save (store, "/tmp/class 7b/members.csv",
                                            g_variant_dict_end (&dict), &error));

  loaded = ep_store_merge_draft_load (store, &path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (path, ==, "/tmp/class 7b/members.csv");
  g_assert_true (g_variant_lookup (loaded, "subject", "&s", &subject));
  g_assert_cmpstr (subject, ==, "Noten für {{ Name }}");

  g_assert_true (ep_store_merge_draft_delete (store, &error));
  g_clear_pointer (&loaded, g_variant_unref);
  g_clear_pointer (&path, g_free);
  g_assert_null (ep_store_merge_draft_load (store, &path, &error));
  g_assert_no_error (error);
}

static void
test_drafts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (":memory:", &error);
  g_autoptr(EpDraft) draft = ep_draft_new ();
  g_autoptr(EpDraft) loaded = NULL;
  const char *paths[] = { "/tmp/a b.pdf", "/tmp/ü.txt", NULL };
  const char *none[] = { NULL };
  gint64 id, id2;

  g_assert_null (ep_store_draft_load_latest (store, &error));
  g_assert_no_error (error);

  /* Save: a new row. As Compose does it: one entry per field, even empty. */
  g_ptr_array_add (draft->to, g_strdup ("Bob <bob@example.org>"));
  g_ptr_array_add (draft->cc, g_strdup (""));
  draft->subject = g_strdup ("Grüße");
  draft->body = g_strdup ("line 1\nline 2 — ünïcødé");
  draft->markdown = TRUE;
  for (guint i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (draft->attachments, g_strdup (paths[i]));
  id = ep_store_draft_save (store, draft, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (draft->id, ==, 0);  /* the caller's draft is left alone */

  /* Load: what was saved, with its id; no account; empty fields empty. */
  loaded = ep_store_draft_load_latest (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpint (loaded->id, ==, id);
  g_assert_null (loaded->account_uid);
  assert_entries (loaded->to, (const char *[]) { "Bob <bob@example.org>", NULL });
  assert_entries (loaded->cc, none);
  assert_entries (loaded->bcc, none);
  g_assert_cmpstr (loaded->subject, ==, "Grüße");
  g_assert_cmpstr (loaded->body, ==, "line 1\nline 2 — ünïcødé");
  g_assert_true (loaded->markdown);
  assert_entries (loaded->attachments, paths);

  /* Update: the loaded draft, changed and saved with its id, stays in the
   * same row. Several entries in a field come back as one. */
  g_ptr_array_add (loaded->to, g_strdup ("carol@example.org"));
  g_ptr_array_add (loaded->bcc, g_strdup ("Zoë <zoe@example.org>"));
  g_free (loaded->account_uid);
  loaded->account_uid = g_strdup ("acct-1");
  g_free (loaded->subject);
  loaded->subject = g_strdup ("Grüße 2");
  loaded->markdown = FALSE;
  g_ptr_array_set_size (loaded->attachments, 0);
  id2 = ep_store_draft_save (store, loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id2, ==, id);

  g_clear_pointer (&loaded, ep_draft_free);
  loaded = ep_store_draft_load_latest (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->id, ==, id);
  g_assert_cmpstr (loaded->account_uid, ==, "acct-1");
  assert_entries (loaded->to,
                  (const char *[]) { "Bob <bob@example.org>, carol@example.org", NULL });
  assert_entries (loaded->cc, none);
  assert_entries (loaded->bcc, (const char *[]) { "Zoë <zoe@example.org>", NULL });
  g_assert_cmpstr (loaded->subject, ==, "Grüße 2");
  g_assert_cmpstr (loaded->body, ==, "line 1\nline 2 — ünïcødé");
  g_assert_false (loaded->markdown);
  assert_entries (loaded->attachments, none);

  /* Delete: gone, and saving with its id says so instead of inserting. */
  g_assert_true (ep_store_draft_delete (store, id, &error));
  g_assert_null (ep_store_draft_load_latest (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ep_store_draft_save (store, loaded, &error), ==, 0);
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND);
}

static EpStoreRecipient *
make_recipient (guint       row_number,
                const char *address)
{
  EpStoreRecipient *r = g_new0 (EpStoreRecipient, 1);
  const char *values[] = { address, "Ann Ångström", NULL };

  r->row_number = row_number;
  r->address = g_strdup (address);
  r->values = g_strdupv ((char **) values);
  r->message_id = g_strdup_printf ("m%u@example.org", row_number);
  return r;
}

/* A protected merge keeps each recipient's message as it will be sent
 * (ciphertext) and no values; a claim hands the message back, and the
 * campaign remembers what protected it. */
static void
test_protected_messages (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "epistle.db", NULL);
  g_autoptr(EpStore) store = ep_store_new (path, &error);
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(EpCampaignInfo) create = ep_campaign_info_new ();
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autoptr(EpStoreRecipient) claimed = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static ("Subject: x\r\n\r\nCIPHERTEXT\r\n", 26);
  EpStoreRecipient *r;
  gint64 id;

  g_assert_no_error (error);
  create->account_uid = g_strdup ("acc-1");
  create->name = g_strdup ("marks.xlsx");
  create->template_text = g_strdup ("");
  create->base_dir = g_strdup (dir);
  create->columns = g_new0 (char *, 1);
  create->protection = 3;
  r = g_new0 (EpStoreRecipient, 1);
  r->row_number = 2;
  r->address = g_strdup ("a@example.org");
  r->values = g_new0 (char *, 1);
  r->message_id = g_strdup ("m2@example.org");
  r->message = g_bytes_ref (message);
  g_ptr_array_add (recipients, r);
  id = ep_store_campaign_insert (store, create, recipients, &error);
  g_assert_no_error (error);

  info = ep_store_campaign_lookup (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->protection, ==, 3);
  claimed = ep_store_recipient_claim (store, id, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (claimed->message);
  g_assert_true (g_bytes_equal (claimed->message, message));
  g_assert_cmpuint (g_strv_length (claimed->values), ==, 0);
  test_remove_tree (dir);
}

/* The rows a campaign left out: kept with why and their values, read
 * back in row order beside the recipients (with their values), counted,
 * and gone with the campaign. */
static void
test_skipped_rows (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "epistle.db", NULL);
  g_autoptr(EpStore) store = ep_store_new (path, &error);
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_skipped_free);
  g_autoptr(EpCampaignInfo) create = ep_campaign_info_new ();
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GPtrArray) results = NULL;
  const char *columns[] = { "Name", "Email", NULL };
  EpStoreRecipient *r;
  EpStoreSkipped *s;
  gint64 id;

  g_assert_no_error (error);
  create->account_uid = g_strdup ("acc-1");
  create->name = g_strdup ("k.csv");
  create->template_text = g_strdup ("To: {{ Email }}\n\nx\n");
  create->base_dir = g_strdup (dir);
  create->columns = g_strdupv ((char **) columns);
  r = g_new0 (EpStoreRecipient, 1);
  r->row_number = 2;
  r->address = g_strdup ("a@example.org");
  r->values = g_strsplit ("Ann|a@example.org", "|", -1);
  r->message_id = g_strdup ("m2@example.org");
  g_ptr_array_add (recipients, r);
  id = ep_store_campaign_insert (store, create, recipients, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ep_store_campaign_count_skipped (store, id), ==, 0);

  for (guint row = 4; row >= 3; row--)
    {
      s = g_new0 (EpStoreSkipped, 1);
      s->row_number = row;
      s->address = g_strdup_printf ("Bob <bob%u@example", row);
      s->reason = g_strdup ("“>” is missing");
      s->values = g_strsplit ("Bob|Bob <bob@example", "|", -1);
      g_ptr_array_add (skipped, s);
    }
  g_assert_true (ep_store_campaign_add_skipped (store, id, skipped, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ep_store_campaign_count_skipped (store, id), ==, 2);

  back = ep_store_campaign_skipped (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  s = g_ptr_array_index (back, 0);
  g_assert_cmpuint (s->row_number, ==, 3);
  g_assert_cmpstr (s->address, ==, "Bob <bob3@example");
  g_assert_cmpstr (s->reason, ==, "“>” is missing");
  g_assert_cmpstr (s->values[1], ==, "Bob <bob@example");

  results = ep_store_campaign_results (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpstr (((EpStoreRecipient *) g_ptr_array_index (results, 0))->values[0], ==, "Ann");

  /* A report that Ann's message came back counts it as returned. */
  {
    gint64 campaign = 0;

    g_assert_cmpuint (ep_store_campaign_count_bounced (store, id), ==, 0);
    g_assert_true (ep_store_recipient_mark_bounced (store, "<m2@example.org>", "A@example.org",
                                                    "550 5.1.1 unknown", &campaign, &error));
    g_assert_no_error (error);
    g_assert_cmpint (campaign, ==, id);
    g_assert_cmpuint (ep_store_campaign_count_bounced (store, id), ==, 1);
    g_assert_cmpuint (ep_store_campaign_count_bounced (store, id + 1), ==, 0);
  }

  g_assert_true (ep_store_campaign_delete (store, id, &error));
  g_assert_cmpuint (ep_store_campaign_count_skipped (store, id), ==, 0);
  test_remove_tree (dir);
}

/* The journal: claim order, "sending" committed by the claim, recovery
 * after a crash turning "sending" into "uncertain", deferred retries that
 * become due, and counts that add up. Reopening the file stands in for
 * the restart after a crash. */
static void
test_campaign_journal (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "epistle.db", NULL);
  g_autoptr(EpStore) store = ep_store_new (path, &error);
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(EpStoreRecipient) first = NULL;
  g_autoptr(EpStoreRecipient) second = NULL;
  g_autoptr(EpStoreRecipient) again = NULL;
  g_autoptr(EpStoreRecipient) none = NULL;
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autoptr(EpCampaignInfo) create = ep_campaign_info_new ();
  g_autoptr(GPtrArray) listed = NULL;
  const char *columns[] = { "Email", "Name", NULL };
  gint64 next_due = -1;
  guint count = 99;
  gint64 id;

  g_assert_no_error (error);

  create->account_uid = g_strdup ("acc-1");
  create->name = g_strdup ("members.csv");
  create->template_text = g_strdup ("To: {{ Email }}\n\nHi");
  create->base_dir = g_strdup (dir);
  create->columns = g_strdupv ((char **) columns);
  create->connections = 2;
  g_ptr_array_add (recipients, make_recipient (3, "c@example.org"));
  g_ptr_array_add (recipients, make_recipient (2, "b@example.org"));
  g_ptr_array_add (recipients, make_recipient (5, "e@example.org"));
  id = ep_store_campaign_insert (store, create, recipients, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  /* Lowest row first, with its snapshot. */
  first = ep_store_recipient_claim (store, id, 1000, &next_due, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpuint (first->row_number, ==, 2);
  g_assert_cmpint (first->state, ==, EP_RECIPIENT_SENDING);
  g_assert_cmpuint (first->attempts, ==, 1);
  g_assert_cmpstr (first->values[1], ==, "Ann Ångström");
  g_assert_cmpstr (first->message_id, ==, "m2@example.org");
  g_assert_true (ep_store_recipient_update (store, id, 2, EP_RECIPIENT_SENT, 250, "250 ok", 0, &error));

  second = ep_store_recipient_claim (store, id, 1000, NULL, &error);
  g_assert_cmpuint (second->row_number, ==, 3);
  g_assert_true (ep_store_recipient_update (store, id, 3, EP_RECIPIENT_DEFERRED, 451, "451 later", 2000, &error));

  /* Row 5 is claimed and then the process "dies". */
  again = ep_store_recipient_claim (store, id, 1000, NULL, &error);
  g_assert_cmpuint (again->row_number, ==, 5);
  g_clear_object (&store);

  store = ep_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ep_store_campaign_recover (store, id, &error), ==, 1);
  info = ep_store_campaign_lookup (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->total, ==, 3);
  g_assert_cmpuint (info->counts[EP_RECIPIENT_SENT], ==, 1);
  g_assert_cmpuint (info->counts[EP_RECIPIENT_DEFERRED], ==, 1);
  g_assert_cmpuint (info->counts[EP_RECIPIENT_UNCERTAIN], ==, 1);
  g_assert_cmpuint (info->was_uncertain, ==, 1);
  g_assert_cmpuint (info->connections, ==, 2);
  g_assert_cmpint (info->kind, ==, EP_CAMPAIGN_KIND_MERGE);
  g_assert_cmpstr (info->name, ==, "members.csv");
  g_assert_cmpstrv (info->columns, columns);
  g_assert_cmpuint (ep_campaign_info_open (info), ==, 2);

  /* The uncertain one comes back first, remembered as such. */
  g_clear_pointer (&again, ep_store_recipient_free);
  again = ep_store_recipient_claim (store, id, 1500, &next_due, &error);
  g_assert_cmpuint (again->row_number, ==, 5);
  g_assert_true (again->was_uncertain);
  g_assert_cmpuint (again->attempts, ==, 2);
  g_assert_true (ep_store_recipient_update (store, id, 5, EP_RECIPIENT_FAILED, 550, "550 no such user", 0, &error));

  /* Nothing due before the retry time, which is reported. */
  none = ep_store_recipient_claim (store, id, 1500, &next_due, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_cmpint (next_due, ==, 2000);
  g_clear_pointer (&second, ep_store_recipient_free);
  second = ep_store_recipient_claim (store, id, 2000, &next_due, &error);
  g_assert_cmpuint (second->row_number, ==, 3);
  g_assert_cmpuint (second->attempts, ==, 2);

  listed = ep_store_campaign_recipients (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  g_assert_cmpstr (((EpStoreRecipient *) listed->pdata[2])->reply, ==, "550 no such user");
  g_assert_cmpuint (((EpStoreRecipient *) listed->pdata[2])->reply_code, ==, 550);
  g_assert_true (ep_store_sent_since (store, "acc-1", 0, &count, &error));
  g_assert_cmpuint (count, ==, 1);
  g_assert_true (ep_store_sent_since (store, "other", 0, &count, &error));
  g_assert_cmpuint (count, ==, 0);

  g_assert_true (ep_store_campaign_set_state (store, id, EP_CAMPAIGN_PAUSED, "Login refused", &error));
  g_clear_pointer (&info, ep_campaign_info_free);
  info = ep_store_campaign_lookup (store, id, &error);
  g_assert_cmpint (info->state, ==, EP_CAMPAIGN_PAUSED);
  g_assert_cmpstr (info->reason, ==, "Login refused");
  g_assert_false (ep_store_campaign_set_state (store, id + 1, EP_CAMPAIGN_PAUSED, NULL, &error));
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND);

  g_clear_object (&store);
  remove_tree (dir);
}

/* States are enums in code and names only in the database: every value
 * goes there and back, and the names are the ones the schema's CHECK
 * constraints allow (a row written with any of them is accepted). */
static void
test_state_round_trip (void)
{
  static const char * const recipient_names[] = {
    "pending", "sending", "sent", "failed", "deferred", "uncertain",
  };
  static const char * const campaign_names[] = {
    "ready", "running", "paused", "finished", "cancelled",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (":memory:", &error);
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(EpCampaignInfo) create = ep_campaign_info_new ();
  gint64 id;

  g_assert_no_error (error);
  g_assert_cmpuint (G_N_ELEMENTS (recipient_names), ==, EP_RECIPIENT_N_STATES);

  for (guint i = 0; i < EP_RECIPIENT_N_STATES; i++)
    {
      EpRecipientState state = EP_RECIPIENT_N_STATES;

      g_assert_cmpstr (ep_recipient_state_to_string (i), ==, recipient_names[i]);
      g_assert_true (ep_recipient_state_from_string (recipient_names[i], &state));
      g_assert_cmpint (state, ==, i);
      g_assert_cmpstr (ep_recipient_state_describe (i), !=, "");
    }
  for (guint i = 0; i < G_N_ELEMENTS (campaign_names); i++)
    {
      EpCampaignState state = 99;

      g_assert_cmpstr (ep_campaign_state_to_string (i), ==, campaign_names[i]);
      g_assert_true (ep_campaign_state_from_string (campaign_names[i], &state));
      g_assert_cmpint (state, ==, i);
    }
  {
    EpRecipientState r = EP_RECIPIENT_SENT;
    EpCampaignState c = EP_CAMPAIGN_RUNNING;

    g_assert_false (ep_recipient_state_from_string ("Sent", &r));
    g_assert_false (ep_recipient_state_from_string (NULL, &r));
    g_assert_cmpint (r, ==, EP_RECIPIENT_SENT);
    g_assert_false (ep_campaign_state_from_string ("done", &c));
    g_assert_cmpint (c, ==, EP_CAMPAIGN_RUNNING);
  }

  /* Through the database: each recipient state written, read back. */
  create->account_uid = g_strdup ("acc");
  create->name = g_strdup ("states");
  for (guint i = 0; i < EP_RECIPIENT_N_STATES; i++)
    g_ptr_array_add (recipients, make_recipient (i + 1, "x@example.org"));
  id = ep_store_campaign_insert (store, create, recipients, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < EP_RECIPIENT_N_STATES; i++)
    {
      g_assert_true (ep_store_recipient_update (store, id, i + 1, i, 0, NULL, 0, &error));
      g_assert_no_error (error);
    }
  {
    g_autoptr(GPtrArray) listed = ep_store_campaign_recipients (store, id, &error);
    g_autoptr(EpCampaignInfo) info = NULL;

    g_assert_no_error (error);
    for (guint i = 0; i < EP_RECIPIENT_N_STATES; i++)
      g_assert_cmpint (((EpStoreRecipient *) listed->pdata[i])->state, ==, i);
    info = ep_store_campaign_lookup (store, id, &error);
    for (guint i = 0; i < EP_RECIPIENT_N_STATES; i++)
      g_assert_cmpuint (info->counts[i], ==, 1);
  }
  for (guint i = 0; i < G_N_ELEMENTS (campaign_names); i++)
    {
      g_autoptr(EpCampaignInfo) info = NULL;

      g_assert_true (ep_store_campaign_set_state (store, id, i, NULL, &error));
      info = ep_store_campaign_lookup (store, id, &error);
      g_assert_cmpint (info->state, ==, i);
    }
}

/* A single message: stored built, one recipient, not before a time; the
 * bytes come back exactly, and delete removes it with its journal. */
static void
test_outbox_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (":memory:", &error);
  g_autoptr(EpCampaignInfo) create = ep_campaign_info_new ();
  g_autoptr(EpCampaignInfo) info = NULL;
  static const char raw[] = "Subject: x\r\n\r\nbody\0with nul\r\n";
  g_autoptr(GBytes) data = g_bytes_new_static (raw, sizeof raw - 1);
  g_autoptr(GBytes) loaded = NULL;
  g_autofree char *from = NULL;
  g_auto(GStrv) to = NULL;
  const char *rcpts[] = { "a@example.org", "b@example.org", NULL };
  gint64 id;

  g_assert_no_error (error);
  create->account_uid = g_strdup ("acc");
  create->name = g_strdup ("Noten");
  create->not_before = 1234;
  id = ep_store_message_insert (store, create, "a@example.org, b@example.org", "mid@example.org",
                                "me@example.org", rcpts, data, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  info = ep_store_campaign_lookup (store, id, &error);
  g_assert_cmpint (info->kind, ==, EP_CAMPAIGN_KIND_MESSAGE);
  g_assert_cmpint (info->not_before, ==, 1234);
  g_assert_cmpint (info->state, ==, EP_CAMPAIGN_READY);
  g_assert_cmpuint (info->total, ==, 1);
  g_assert_cmpuint (info->counts[EP_RECIPIENT_PENDING], ==, 1);

  g_assert_true (ep_store_message_load (store, id, &from, &to, &loaded, &error));
  g_assert_cmpstr (from, ==, "me@example.org");
  g_assert_cmpstrv (to, rcpts);
  g_assert_true (g_bytes_equal (loaded, data));

  g_assert_true (ep_store_campaign_set_not_before (store, id, 0, &error));
  g_clear_pointer (&info, ep_campaign_info_free);
  info = ep_store_campaign_lookup (store, id, &error);
  g_assert_cmpint (info->not_before, ==, 0);

  g_assert_true (ep_store_campaign_delete (store, id, &error));
  g_assert_null (ep_store_campaign_lookup (store, id, &error));
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&from, g_free);
  g_clear_pointer (&to, g_strfreev);
  g_clear_pointer (&loaded, g_bytes_unref);
  g_assert_false (ep_store_message_load (store, id, &from, &to, &loaded, &error));
  g_assert_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND);
}

/* A spread campaign keeps its window; the account's sent times are read
 * back in order for its plan. */
static void
test_spread_and_sent_times (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = ep_store_new (":memory:", &error);
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(EpCampaignInfo) create = ep_campaign_info_new ();
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autoptr(EpCampaignInfo) plain = NULL;
  g_autoptr(GArray) times = NULL;
  EpSendWindow window = { EP_SEND_WINDOW_WEEKDAYS, 8 * 60, 18 * 60 };
  gint64 id, other;

  g_assert_no_error (error);
  create->account_uid = g_strdup ("acc-s");
  create->name = g_strdup ("spread.csv");
  create->template_text = g_strdup ("To: {{ Email }}\n\nHi");
  create->daily_limit = 50;
  create->spread = TRUE;
  create->window = window;
  g_ptr_array_add (recipients, make_recipient (2, "a@example.org"));
  id = ep_store_campaign_insert (store, create, recipients, &error);
  g_assert_no_error (error);
  info = ep_store_campaign_lookup (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (info->spread);
  g_assert_cmpuint (info->window.days, ==, EP_SEND_WINDOW_WEEKDAYS);
  g_assert_cmpint (info->window.start, ==, 480);
  g_assert_cmpint (info->window.end, ==, 1080);

  /* Not spread: no window is kept, whatever was passed. */
  create->spread = FALSE;
  other = ep_store_campaign_insert (store, create, recipients, &error);
  g_assert_no_error (error);
  plain = ep_store_campaign_lookup (store, other, &error);
  g_assert_false (plain->spread);
  g_assert_false (ep_send_window_is_set (&plain->window));

  times = ep_store_sent_times_since (store, "acc-s", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (times->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  ep_core_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/open-wal", test_open_wal);
  g_test_add_func ("/store/too-new", test_too_new);
  g_test_add_func ("/store/accounts", test_accounts);
  g_test_add_func ("/store/drafts", test_drafts);
  g_test_add_func ("/store/merge-draft", test_merge_draft);
  g_test_add_func ("/store/campaign-journal", test_campaign_journal);
  g_test_add_func ("/store/campaign-protected-messages", test_protected_messages);
  g_test_add_func ("/store/skipped-rows", test_skipped_rows);
  g_test_add_func ("/store/state-round-trip", test_state_round_trip);
  g_test_add_func ("/store/outbox-message", test_outbox_message);
  g_test_add_func ("/store/spread", test_spread_and_sent_times);
  g_test_add_func ("/account/validation", test_account_validation);
  g_test_add_func ("/account/presets", test_presets);

  return g_test_run ();
}
