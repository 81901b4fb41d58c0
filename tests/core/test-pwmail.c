/* test-pwmail.c: password-protected mail in-process: the round trip, fail
 * closed on a wrong password or an altered message, the password rules,
 * generated passwords
 *
 * openssl, Python's cryptography and a real browser open the same messages
 * through the rig (tests/net/test_pwmail.py).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <epistle-core.h>

#define PW "Kastanie-Wolke-7-F\xc3\xa4hre"   /* "…Fähre", é-style precomposed */
#define MESSAGE \
  "From: Ann Example <ann@example.test>\r\n" \
  "To: bob@example.test\r\n" \
  "Subject: Marks\r\n" \
  "Message-ID: <m1@example.test>\r\n" \
  "MIME-Version: 1.0\r\n" \
  "Content-Type: text/plain; charset=utf-8\r\n" \
  "Content-Transfer-Encoding: 8bit\r\n" \
  "\r\n" \
  "Secret mark: 17/20\r\n"

static GBytes *
protect (const char *password,
         const char *hint,
         GError    **error)
{
  g_autoptr(GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
  EpPwmailOptions options = { "Ann Example", hint };

  return ep_pwmail_protect (message, password, &options, error);
}

static gboolean
contains (GBytes     *bytes,
          const char *needle)
{
  return g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), needle) != NULL;
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) protected = protect (PW, "the ferry", &error);
  g_autoptr(GBytes) opened = NULL;

  g_assert_no_error (error);
  g_assert_true (ep_pwmail_is_protected (protected));
  g_assert_false (contains (protected, "Secret mark"));
  g_assert_false (contains (protected, PW));
  g_assert_true (contains (protected, "Hint: the ferry"));
  g_assert_true (contains (protected, "Subject: Marks"));
  g_assert_true (contains (protected, "filename=message.html"));

  {
    EpCipher cipher = EP_CIPHER_NONE;
    opened = ep_pwmail_open (protected, PW, &cipher, &error);
    g_assert_cmpint (cipher, ==, EP_CIPHER_AES_256_GCM);
  }
  g_assert_no_error (error);
  g_assert_true (contains (opened, "Subject: Marks\r\n"));
  g_assert_true (g_str_has_suffix (g_bytes_get_data (opened, NULL), "\r\nSecret mark: 17/20\r\n"));

  /* The same password typed decomposed (a + combining diaeresis) opens it. */
  {
    g_autoptr(GBytes) again = ep_pwmail_open (protected, "Kastanie-Wolke-7-Fa\xcc\x88hre", NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (again);
  }
  {
    g_autoptr(GBytes) plain = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
    g_assert_false (ep_pwmail_is_protected (plain));
    g_assert_null (ep_pwmail_open (plain, PW, NULL, &error));
    g_assert_error (error, EP_SMIME_ERROR, EP_SMIME_ERROR_NOT_SMIME);
  }
}

static void
test_fails_closed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) protected = protect (PW, NULL, &error);
  g_autoptr(GBytes) opened = NULL;
  g_autofree char *altered = NULL;
  gsize len;
  const char *data;
  char *p7m, *line, *end;

  g_assert_no_error (error);
  opened = ep_pwmail_open (protected, "Kastanie-Wolke-7-Faehre", NULL, &error);
  g_assert_null (opened);
  g_assert_error (error, EP_SMIME_ERROR, EP_SMIME_ERROR_DECRYPT);
  g_assert_null (strstr (error->message, "Secret"));
  g_clear_error (&error);

  /* One base64 character of the CMS ciphertext changed, near the end of
   * the part (the encrypted content): the GCM tag check fails, nothing
   * is shown. */
  data = g_bytes_get_data (protected, &len);
  altered = g_strndup (data, len);
  p7m = strstr (altered, "filename=smime.p7m");
  g_assert_nonnull (p7m);
  end = strstr (p7m, "\r\n--");          /* the part's closing boundary */
  g_assert_nonnull (end);
  line = end - 30;                          /* inside the last base64 line */
  *line = *line == 'A' ? 'B' : 'A';
  {
    g_autoptr(GBytes) bad = g_bytes_new (altered, len);
    g_assert_null (ep_pwmail_open (bad, PW, NULL, &error));
    g_assert_error (error, EP_SMIME_ERROR, EP_SMIME_ERROR_DECRYPT);
    g_assert_null (strstr (error->message, "Secret"));
    g_clear_error (&error);
  }
  /* Its structure broken instead: damaged, nothing shown. */
  line = strstr (p7m, "\r\n\r\n") + 4;
  memset (line, 'A', 12);
  {
    g_autoptr(GBytes) bad = g_bytes_new (altered, len);
    g_assert_null (ep_pwmail_open (bad, PW, NULL, &error));
    g_assert_error (error, EP_SMIME_ERROR, EP_SMIME_ERROR_MALFORMED);
  }
}

static void
test_password_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_one = g_strnfill (EP_PASSWORD_MAX_CHARS + 1, 'x');
  const char *bad[] = { "", "caf\xe9-bistro-2024", "tab\there-x", "new\nline-x" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (ep_password_validate (bad[i], -1, &error));
      g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD);
      g_clear_error (&error);
    }
  g_assert_false (ep_password_validate (long_one, -1, &error));
  g_assert_nonnull (strstr (error->message, "too long"));
  g_clear_error (&error);
  g_assert_false (ep_password_validate ("with\0nul", 8, &error));
  g_clear_error (&error);
  g_assert_true (ep_password_validate (PW, -1, &error));

  /* The hint may not give the password away; nothing is made. */
  g_assert_null (protect (PW, "it is kastanie-wolke-7-f\xc3\xa4hre", &error));
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD);
  g_clear_error (&error);

  {
    g_autofree char *advice = NULL;
    g_assert_cmpint (ep_password_strength ("12345678", NULL, &advice), ==, EP_PASSWORD_WEAK);
    g_assert_nonnull (advice);
    g_assert_cmpint (ep_password_strength (PW, NULL, NULL), !=, EP_PASSWORD_WEAK);
  }

  /* With no dictionary to ask (the Flatpak has none), easy ones are still
   * weak and good ones are not. */
  {
    const char *weak[] = { "12345678", "passwort", "hallo123", "sommer2024", "aaaabbbbcccc" };
    g_autofree char *dict = g_build_filename (g_get_tmp_dir (), "epistle-no-such-dictionary", NULL);

    for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
      {
        g_autofree char *advice = NULL;
        int score = -1;

        g_assert_cmpint (ep_password_strength_with (weak[i], dict, &score, &advice), ==, EP_PASSWORD_WEAK);
        g_assert_cmpint (score, ==, 0);
        g_assert_nonnull (advice);
      }
    g_assert_cmpint (ep_password_strength_with (PW, dict, NULL, NULL), ==, EP_PASSWORD_STRONG);
    g_assert_cmpint (ep_password_strength_with ("Kupfer-Lampe-Wiese-73", dict, NULL, NULL), ==, EP_PASSWORD_STRONG);
  }
}

static void
test_generated (void)
{
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 200; i++)
    {
      char *pw = ep_password_generate ();

      /* xxxxx-xxxxx-xxxxx-xxxxx from the unambiguous symbols */
      g_assert_cmpuint (strlen (pw), ==, 23);
      for (guint c = 0; c < 23; c++)
        if (c % 6 == 5)
          g_assert_cmpint (pw[c], ==, '-');
        else
          g_assert_nonnull (strchr ("abcdefghjkmnpqrstuvwxyz23456789", pw[c]));
      g_assert_true (ep_password_validate (pw, -1, NULL));
      g_assert_cmpint (ep_password_strength (pw, NULL, NULL), ==, EP_PASSWORD_STRONG);
      g_assert_false (g_hash_table_contains (seen, pw));
      g_hash_table_add (seen, pw);
    }
  g_hash_table_unref (seen);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ep_core_init ();
  /* Fewer PBKDF2 rounds in-process: the counts are checked through the
   * rig against openssl's own reading of the message. */
  g_setenv ("EPISTLE_TEST_KDF_ITERATIONS", "5000", TRUE);
  g_test_add_func ("/pwmail/round-trip", test_round_trip);
  g_test_add_func ("/pwmail/fails-closed", test_fails_closed);
  g_test_add_func ("/pwmail/password-rules", test_password_rules);
  g_test_add_func ("/pwmail/generated", test_generated);
  return g_test_run ();
}
