/* test-vault.c: the key vault with a passphrase (no keyring needed), and
 * S/MIME in-process: protect, open, fail closed
 *
 * The keyring form and interop with openssl and gpgsm are tested through
 * the rig (tests/net/test_smime.py).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <epistle-core.h>

#include "../test-tmpdir.h"

#define PASS "correct horse battery staple"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("epistle-vault-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "sub", "vault", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static GBytes *
read_all (const char *path)
{
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

/* A vault with one identity, written with the passphrase. */
static char *
make_vault (Fixture *f)
{
  g_autoptr(EpVault) vault = ep_vault_new (f->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpCertInfo) info = NULL;

  g_assert_true (ep_vault_load_sync (vault, PASS, NULL, &error));
  g_assert_no_error (error);
  /* An empty vault is not written until it holds something. */
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));

  info = ep_vault_create_identity (vault, "Ann Example", "ann@example.org", &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_true (info->is_identity);
  g_assert_true (info->can_sign);
  g_assert_true (info->can_encrypt);
  g_assert_cmpint (info->status, ==, EP_CERT_OK);
  g_assert_cmpstr (info->addresses[0], ==, "ann@example.org");
  g_assert_cmpuint (strlen (info->fingerprint), ==, 64);
  return g_strdup (info->fingerprint);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *fp = make_vault (f);
  g_autoptr(EpVault) again = ep_vault_new (f->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  struct stat st;

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (ep_vault_load_sync (again, PASS, NULL, &error));
  g_assert_no_error (error);
  list = ep_vault_list (again);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((EpCertInfo *) list->pdata[0])->fingerprint, ==, fp);
  g_assert_true (((EpCertInfo *) list->pdata[0])->trusted);
}

/* A password remembered for a contact survives a reopening, is found by
 * address whatever its case, is never in the file in the clear, and goes
 * when forgotten. */
static void
test_remembered_passwords (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *fp = make_vault (f);
  g_autoptr(EpVault) vault = ep_vault_new (f->path);
  g_autoptr(GError) error = NULL;
  const char *secret = "Kastanie-Wolke-7-F\xc3\xa4hre";

  g_assert_true (ep_vault_load_sync (vault, PASS, NULL, &error));
  g_assert_null (ep_vault_dup_password (vault, "bob@example.org"));
  g_assert_false (ep_vault_remember_password (vault, "bob@example.org", "", &error));
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD);
  g_clear_error (&error);
  g_assert_true (ep_vault_remember_password (vault, "Bob@Example.org", secret, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) file = read_all (f->path);
    g_assert_null (g_strstr_len (g_bytes_get_data (file, NULL), g_bytes_get_size (file), "Kastanie"));
    g_assert_cmpmem (g_bytes_get_data (file, NULL), 8, "EPVAULT2", 8);
  }
  {
    g_autoptr(EpVault) again = ep_vault_new (f->path);
    char *found;

    g_assert_true (ep_vault_load_sync (again, PASS, NULL, &error));
    found = ep_vault_dup_password (again, " bob@EXAMPLE.org ");
    g_assert_cmpstr (found, ==, secret);
    ep_password_free (found);
    /* The identity is still there. */
    {
      g_autoptr(GPtrArray) list = ep_vault_list (again);
      g_assert_cmpuint (list->len, ==, 1);
    }
    g_assert_true (ep_vault_remember_password (again, "bob@example.org", NULL, &error));
  }
  {
    g_autoptr(EpVault) third = ep_vault_new (f->path);
    g_assert_true (ep_vault_load_sync (third, PASS, NULL, &error));
    g_assert_null (ep_vault_dup_password (third, "bob@example.org"));
  }
  g_assert_nonnull (fp);
}

/* Every way a vault cannot be opened: an error, and the file unchanged,
 * even when something is added afterwards. */
static void
assert_refused (Fixture     *f,
                const char  *passphrase,
                GBytes      *expected,
                int          code)
{
  g_autoptr(EpVault) vault = ep_vault_new (f->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(EpCertInfo) info = NULL;

  g_assert_false (ep_vault_load_sync (vault, passphrase, NULL, &error));
  g_assert_error (error, EP_VAULT_ERROR, code);
  g_assert_null (strstr (error->message, PASS));
  g_clear_error (&error);

  info = ep_vault_create_identity (vault, "Eve", "eve@example.org", &error);
  g_assert_null (info);
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_LOCKED);

  after = read_all (f->path);
  g_assert_true (g_bytes_equal (after, expected));
}

static void
test_refuses_damage (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *fp = make_vault (f);
  g_autoptr(GBytes) good = read_all (f->path);
  gsize len;
  const guint8 *bytes = g_bytes_get_data (good, &len);
  g_autofree guint8 *bad = g_memdup2 (bytes, len);
  g_autoptr(GBytes) flipped = NULL, cut = NULL, header = NULL;
  gsize positions[4];

  /* A wrong passphrase */
  assert_refused (f, "wrong horse", good, EP_VAULT_ERROR_TAMPERED);
  /* A passphrase vault opened as a keyring one */
  assert_refused (f, NULL, good, EP_VAULT_ERROR_LOCKED);

  /* One flipped bit: in the salt, the nonce, the ciphertext, the tag
   * (each try derives the key again: scrypt takes a while) */
  positions[0] = 12;
  positions[1] = 40;
  positions[2] = len / 2;
  positions[3] = len - 1;
  for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
    {
      gsize at = positions[i];

      memcpy (bad, bytes, len);
      bad[at] ^= 0x01;
      g_assert_true (g_file_set_contents (f->path, (char *) bad, len, NULL));
      flipped = g_bytes_new (bad, len);
      assert_refused (f, PASS, flipped, EP_VAULT_ERROR_TAMPERED);
      g_clear_pointer (&flipped, g_bytes_unref);
    }

  /* Cut short: in the ciphertext, and inside the header */
  g_assert_true (g_file_set_contents (f->path, (char *) bytes, len / 2, NULL));
  cut = g_bytes_new (bytes, len / 2);
  assert_refused (f, PASS, cut, EP_VAULT_ERROR_TAMPERED);
  g_assert_true (g_file_set_contents (f->path, (char *) bytes, 20, NULL));
  header = g_bytes_new (bytes, 20);
  assert_refused (f, PASS, header, EP_VAULT_ERROR_DAMAGED);

  /* Not a vault at all */
  g_assert_true (g_file_set_contents (f->path, "hello", 5, NULL));
  {
    g_autoptr(GBytes) hello = g_bytes_new_static ("hello", 5);
    assert_refused (f, PASS, hello, EP_VAULT_ERROR_DAMAGED);
  }
}

static GBytes *
build_message (const char *to,
               const char *body)
{
  g_autoptr(EpDraft) draft = ep_draft_new ();
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(GError) error = NULL;

  draft->from_name = g_strdup ("Ann Example");
  draft->from_address = g_strdup ("ann@example.org");
  g_ptr_array_add (draft->to, g_strdup (to));
  draft->subject = g_strdup ("Marks");
  draft->body = g_strdup (body);
  outgoing = ep_message_build (draft, NULL, &error);
  g_assert_no_error (error);
  return g_bytes_ref (outgoing->data);
}

static gboolean
contains (GBytes     *bytes,
          const char *needle)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
test_protect_and_open (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *fp = make_vault (f);
  g_autoptr(EpVault) vault = ep_vault_new (f->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = build_message ("ann@example.org", "Your mark: 17/20 ZEBRA");
  const char *self_only[] = { "ann@example.org", NULL };
  const char *stranger[] = { "bob@example.org", NULL };
  EpCipher cipher = EP_CIPHER_NONE;

  g_assert_true (ep_vault_load_sync (vault, PASS, NULL, &error));

  /* Nobody's certificate for bob: refused, naming him */
  g_assert_false (ep_smime_check (vault, EP_PROTECT_ENCRYPT, "ann@example.org", stranger, NULL,
                                  &error));
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "bob@example.org"));
  g_clear_error (&error);
  /* No identity to sign for bob */
  g_assert_false (ep_smime_check (vault, EP_PROTECT_SIGN, "bob@example.org", NULL, NULL, &error));
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_IDENTITY);
  g_clear_error (&error);

  for (guint round = 0; round < 3; round++)
    {
      EpProtection protection = round == 0 ? EP_PROTECT_SIGN
                                : round == 1 ? EP_PROTECT_ENCRYPT
                                : EP_PROTECT_ENCRYPT | EP_PROTECT_GCM;
      g_autoptr(GBytes) out = ep_smime_protect (vault, message, protection, "ann@example.org",
                                                self_only, NULL, &cipher, &error);
      g_autoptr(EpSmimeVerdict) verdict = NULL;
      gsize len;
      const char *p;
      guint8 *copy;
      g_autoptr(GBytes) altered = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (out);
      /* CRLF throughout: no bare LF */
      p = g_bytes_get_data (out, &len);
      for (gsize i = 0; i < len; i++)
        if (p[i] == '\n')
          g_assert_cmpint (i > 0 ? p[i - 1] : 0, ==, '\r');
      g_assert_true (contains (out, "Subject: Marks"));
      g_assert_cmpint (cipher, ==, (round == 0 ? EP_CIPHER_NONE
                                    : round == 1 ? EP_CIPHER_AES_256_CBC : EP_CIPHER_AES_256_GCM));
      g_assert_true (contains (out, "ZEBRA") == (round == 0));

      verdict = ep_smime_open (vault, out, FALSE, &error);
      g_assert_no_error (error);
      g_assert_true (verdict->is_signed);
      g_assert_true (verdict->signer_trusted);
      g_assert_true (verdict->integrity);
      g_assert_true (verdict->encrypted == (round > 0));
      if (round > 0)
        g_assert_cmpstr (verdict->algorithm, ==, round == 1 ? "AES-256-CBC" : "AES-256-GCM");
      g_assert_true (contains (verdict->cleartext, "ZEBRA"));
      g_assert_true (contains (verdict->cleartext, "Subject: Marks"));

      /* Altered: a signed body letter, or a ciphertext byte in the middle:
       * an error and nothing of the message */
      copy = g_memdup2 (p, len);
      if (round == 0)
        {
          char *z = memmem (copy, len, "ZEBRA", 5);
          z[0] = 'X';
        }
      else
        {
          /* a base64 letter in the middle of the body */
          gsize at = len / 2;
          while (!g_ascii_isalpha (copy[at]))
            at++;
          copy[at] = copy[at] == 'A' ? 'B' : 'A';
        }
      altered = g_bytes_new_take (copy, len);
      g_clear_pointer (&verdict, ep_smime_verdict_free);
      verdict = ep_smime_open (vault, altered, FALSE, &error);
      g_assert_null (verdict);
      g_assert_nonnull (error);
      g_assert_true (error->domain == EP_SMIME_ERROR);
      g_assert_null (strstr (error->message, "ZEBRA"));
      g_clear_error (&error);
    }

  /* Plain mail is not S/MIME */
  {
    g_autoptr(EpSmimeVerdict) verdict = ep_smime_open (vault, message, FALSE, &error);
    g_assert_null (verdict);
    g_assert_error (error, EP_SMIME_ERROR, EP_SMIME_ERROR_NOT_SMIME);
  }
}

static void
test_export_and_reimport (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *fp = make_vault (f);
  g_autoptr(EpVault) vault = ep_vault_new (f->path);
  g_autofree char *other_path = g_build_filename (f->dir, "other", NULL);
  g_autoptr(EpVault) other = ep_vault_new (other_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) p12 = NULL, pem = NULL;
  g_autoptr(EpCertInfo) info = NULL;
  g_autoptr(GPtrArray) added = NULL;

  g_assert_true (ep_vault_load_sync (vault, PASS, NULL, &error));
  p12 = ep_vault_export (vault, fp, "export-pw", &error);
  g_assert_no_error (error);
  pem = ep_vault_export (vault, fp, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (contains (pem, "BEGIN CERTIFICATE"));
  g_assert_false (contains (pem, "PRIVATE KEY"));

  g_assert_true (ep_vault_load_sync (other, "other pass", NULL, &error));
  info = ep_vault_import_identity (other, p12, "wrong", &error);
  g_assert_null (info);
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD);
  g_clear_error (&error);
  info = ep_vault_import_identity (other, pem, "export-pw", &error);
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_FILE);
  g_clear_error (&error);
  info = ep_vault_import_identity (other, p12, "export-pw", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->fingerprint, ==, fp);
  g_assert_true (info->is_identity);

  /* The certificate alone, as a contact elsewhere: not trusted until accepted */
  g_clear_object (&other);
  g_unlink (other_path);
  other = ep_vault_new (other_path);
  g_assert_true (ep_vault_load_sync (other, "other pass", NULL, &error));
  added = ep_vault_import_certificates (other, pem, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (added->len, ==, 1);
  g_assert_false (((EpCertInfo *) added->pdata[0])->is_identity);
  g_assert_cmpint (((EpCertInfo *) added->pdata[0])->status, ==, EP_CERT_UNTRUSTED);
  g_clear_pointer (&info, ep_cert_info_free);
  info = ep_vault_lookup_recipient (other, "ann@example.org", &error);
  g_assert_null (info);
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NO_CERTIFICATE);
  g_clear_error (&error);
  g_assert_true (ep_vault_set_trusted (other, fp, TRUE, &error));
  info = ep_vault_lookup_recipient (other, "ANN@example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->fingerprint, ==, fp);
  g_assert_true (ep_vault_remove (other, fp, &error));
  g_assert_false (ep_vault_remove (other, fp, &error));
  g_assert_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  ep_core_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/vault/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/vault/remembered-passwords", Fixture, NULL, fixture_setup, test_remembered_passwords,
              fixture_teardown);
  g_test_add ("/vault/refuses-damage", Fixture, NULL, fixture_setup, test_refuses_damage,
              fixture_teardown);
  g_test_add ("/vault/protect-and-open", Fixture, NULL, fixture_setup, test_protect_and_open,
              fixture_teardown);
  g_test_add ("/vault/export-and-reimport", Fixture, NULL, fixture_setup, test_export_and_reimport,
              fixture_teardown);
  return g_test_run ();
}
