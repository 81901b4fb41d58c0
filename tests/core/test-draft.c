/* test-draft.c: EpDraft, its copy and its a{sv} round trip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <epistle-core.h>

static void
add_all (GPtrArray          *array,
         const char * const *strings)
{
  for (guint i = 0; strings[i] != NULL; i++)
    g_ptr_array_add (array, g_strdup (strings[i]));
}

static void
assert_strings_equal (GPtrArray *a,
                      GPtrArray *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

static void
assert_drafts_equal (const EpDraft *a,
                     const EpDraft *b)
{
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpstr (a->account_uid, ==, b->account_uid);
  g_assert_cmpstr (a->from_name, ==, b->from_name);
  g_assert_cmpstr (a->from_address, ==, b->from_address);
  assert_strings_equal (a->to, b->to);
  assert_strings_equal (a->cc, b->cc);
  assert_strings_equal (a->bcc, b->bcc);
  g_assert_cmpstr (a->subject, ==, b->subject);
  g_assert_cmpstr (a->body, ==, b->body);
  g_assert_cmpint (a->markdown, ==, b->markdown);
  assert_strings_equal (a->attachments, b->attachments);
  g_assert_cmpstr (a->reply_to, ==, b->reply_to);
  g_assert_cmpstr (a->html_source, ==, b->html_source);
  g_assert_cmpstr (a->message_id, ==, b->message_id);
  g_assert_cmpstr (a->in_reply_to, ==, b->in_reply_to);
  g_assert_cmpstr (a->references, ==, b->references);
}

static EpDraft *
full_draft (void)
{
  EpDraft *draft = ep_draft_new ();

  draft->id = G_GINT64_CONSTANT (9007199254740993);  /* more than a double holds */
  draft->account_uid = g_strdup ("6f1c-äccount");
  draft->from_name = g_strdup ("Zoë Ångström “the sender”");
  draft->from_address = g_strdup ("zoe@exämple.org");
  add_all (draft->to, (const char *[]) { "Ann <ann@example.org>, bob@example.org",
                                         "Дмитрий <dima@example.ru>", NULL });
  add_all (draft->cc, (const char *[]) { "", NULL });  /* one empty entry is kept */
  add_all (draft->bcc, (const char *[]) { "李 <li@example.cn>", NULL });
  draft->subject = g_strdup ("Grüße 🎉 aus Köln");
  draft->body = g_strdup ("Line 1\nLine 2 — café\r\n\tindented\n");
  draft->markdown = TRUE;
  add_all (draft->attachments, (const char *[]) { "/tmp/a b.pdf", "/tmp/ü.txt",
                                                  "/tmp/not-utf8-\xff\xfe.bin", NULL });
  draft->reply_to = g_strdup ("Ann Other <reply@example.org>");
  draft->html_source = g_strdup ("**Hello** \\*Ann\\*");
  draft->message_id = g_strdup ("abc.123@exämple.org");
  draft->in_reply_to = g_strdup ("<q1@example.org>");
  draft->references = g_strdup ("<q0@example.org> <q1@example.org>");

  return draft;
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) draft = full_draft ();
  g_autoptr(GVariant) variant = ep_draft_to_variant (draft);
  g_autoptr(EpDraft) back = NULL;
  g_autoptr(GVariant) again = NULL;

  g_assert_nonnull (variant);
  g_assert_false (g_variant_is_floating (variant));
  g_assert_true (g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT));

  back = ep_draft_from_variant (variant, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  assert_drafts_equal (draft, back);

  /* Twice over gives the same variant. */
  again = ep_draft_to_variant (back);
  g_assert_true (g_variant_equal (variant, again));
}

/* Through the serialised bytes, as when a draft crosses D-Bus or a file. */
static void
test_round_trip_serialised (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) draft = full_draft ();
  g_autoptr(GVariant) variant = ep_draft_to_variant (draft);
  g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (variant);
  g_autoptr(GVariant) read = g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE);
  g_autoptr(EpDraft) back = NULL;

  g_variant_ref_sink (read);
  back = ep_draft_from_variant (read, &error);
  g_assert_no_error (error);
  assert_drafts_equal (draft, back);
}

static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) draft = ep_draft_new ();
  g_autoptr(GVariant) variant = ep_draft_to_variant (draft);
  g_autoptr(EpDraft) back = NULL;
  const char *absent[] = { "id", "account_uid", "from_name", "from_address", "subject",
                           "body", "reply_to", "html_source", "message_id", "in_reply_to",
                           "references", NULL };

  /* NULL strings and a zero id leave their key out. */
  for (guint i = 0; absent[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (variant, absent[i], NULL);

      g_assert_null (value);
    }

  back = ep_draft_from_variant (variant, &error);
  g_assert_no_error (error);
  assert_drafts_equal (draft, back);
  g_assert_null (back->subject);
  g_assert_null (back->body);
  g_assert_null (back->message_id);
  g_assert_cmpuint (back->to->len, ==, 0);
  g_assert_cmpuint (back->attachments->len, ==, 0);

  /* Some optional fields set, the others NULL. */
  draft->subject = g_strdup ("");
  draft->body = g_strdup ("Only a body");
  g_clear_pointer (&variant, g_variant_unref);
  g_clear_pointer (&back, ep_draft_free);
  variant = ep_draft_to_variant (draft);
  back = ep_draft_from_variant (variant, &error);
  g_assert_no_error (error);
  assert_drafts_equal (draft, back);
  g_assert_cmpstr (back->subject, ==, "");
  g_assert_null (back->reply_to);
}

/* An empty dictionary is an empty draft; unknown keys are ignored. */
static void
test_missing_and_unknown_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) back = NULL;
  g_autoptr(EpDraft) empty = ep_draft_new ();
  GVariantDict dict;
  g_autoptr(GVariant) variant = NULL;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "to_text", "s", "an old key");
  g_variant_dict_insert (&dict, "future", "u", 7);
  variant = g_variant_ref_sink (g_variant_dict_end (&dict));

  back = ep_draft_from_variant (variant, &error);
  g_assert_no_error (error);
  assert_drafts_equal (empty, back);
}

static void
test_copy (void)
{
  g_autoptr(EpDraft) draft = full_draft ();
  g_autoptr(EpDraft) copy = ep_draft_copy (draft);
  g_auto(GValue) value = G_VALUE_INIT;

  assert_drafts_equal (draft, copy);
  g_assert_true (copy->to != draft->to);
  g_assert_true (copy->account_uid != draft->account_uid);

  /* The boxed type copies the same way. */
  g_value_init (&value, EP_TYPE_DRAFT);
  g_value_set_boxed (&value, draft);
  assert_drafts_equal (draft, g_value_get_boxed (&value));
}

static void
assert_malformed (GVariant   *variant,
                  const char *mentions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owned = g_variant_ref_sink (variant);
  g_autoptr(EpDraft) draft = ep_draft_from_variant (owned, &error);

  g_assert_null (draft);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, mentions));
}

static GVariant *
dict_with (const char *key,
           GVariant   *value)
{
  g_autoptr(GVariant) good = NULL;
  g_autoptr(EpDraft) draft = full_draft ();
  GVariantDict dict;

  /* A valid draft with one key replaced, so only that key can fail. */
  good = ep_draft_to_variant (draft);
  g_variant_dict_init (&dict, good);
  g_variant_dict_insert_value (&dict, key, value);
  return g_variant_dict_end (&dict);
}

static void
test_malformed (void)
{
  const char *strv[] = { "a", NULL };

  /* Not a dictionary at all. */
  assert_malformed (g_variant_new_string ("to: bob@example.org"), "a{sv}");
  assert_malformed (g_variant_new_strv (strv, -1), "as");
  assert_malformed (g_variant_new_parsed ("{'subject': 'x'}"), "a{ss}");

  /* A known key with the wrong type. */
  assert_malformed (dict_with ("id", g_variant_new_int32 (3)), "id");
  assert_malformed (dict_with ("subject", g_variant_new_int32 (3)), "subject");
  assert_malformed (dict_with ("account_uid", g_variant_new_strv (strv, -1)), "account_uid");
  assert_malformed (dict_with ("to", g_variant_new_string ("bob@example.org")), "to");
  assert_malformed (dict_with ("bcc", g_variant_new_bytestring_array (strv, -1)), "bcc");
  assert_malformed (dict_with ("markdown", g_variant_new_string ("yes")), "markdown");
  assert_malformed (dict_with ("attachments", g_variant_new_strv (strv, -1)), "attachments");
  assert_malformed (dict_with ("message_id", g_variant_new_variant (g_variant_new_string ("x"))),
                    "message_id");
}

/* Bytes that are not a serialised a{sv}: no crash, whatever comes out. */
static void
test_garbage_bytes (void)
{
  static const guchar junk[] = { 0xff, 0x00, 0x13, 0x37, 's', 0x00, 0xfe, 0x08,
                                 'b', 'o', 'd', 'y', 0x00, 0x01, 0x02, 0x09 };

  for (gsize len = 0; len <= sizeof junk; len++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = g_bytes_new (junk, len);
      g_autoptr(GVariant) variant = NULL;
      g_autoptr(EpDraft) draft = NULL;

      variant = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
      draft = ep_draft_from_variant (variant, &error);

      g_assert_true ((draft == NULL) == (error != NULL));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/draft/variant/round-trip", test_round_trip);
  g_test_add_func ("/draft/variant/round-trip-serialised", test_round_trip_serialised);
  g_test_add_func ("/draft/variant/empty", test_empty);
  g_test_add_func ("/draft/variant/missing-and-unknown-keys", test_missing_and_unknown_keys);
  g_test_add_func ("/draft/variant/malformed", test_malformed);
  g_test_add_func ("/draft/variant/garbage-bytes", test_garbage_bytes);
  g_test_add_func ("/draft/copy", test_copy);

  return g_test_run ();
}
