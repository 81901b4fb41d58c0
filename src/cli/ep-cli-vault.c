/* ep-cli-vault.c: epistle-cli vault …, decrypt and verify
 *
 *   epistle-cli vault list | import-identity FILE.p12 [--password-stdin]
 *   epistle-cli vault create-identity --account NAME
 *   epistle-cli vault import-cert FILE | trust FP | untrust FP | remove FP
 *   epistle-cli vault export FP [--p12 [--password-stdin]] --output FILE
 *   epistle-cli decrypt FILE.eml     (cleartext on stdout, verdict on stderr)
 *   epistle-cli verify FILE.eml      (verdict on stdout)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

static EpVault *
open_vault (EpContext **context_out,
            GError    **error)
{
  g_autoptr(EpContext) context = open_context (error);
  EpVault *vault;

  if (context == NULL)
    return NULL;
  vault = ep_context_get_vault (context);
  if (!ep_vault_load_sync (vault, NULL, cancellable, error))
    return NULL;
  *context_out = g_steal_pointer (&context);
  return vault;
}

static const char *
status_word (const EpCertInfo *info)
{
  switch (info->status)
    {
    case EP_CERT_OK: return "ok";
    case EP_CERT_EXPIRED: return "expired";
    case EP_CERT_NOT_YET_VALID: return "not-yet-valid";
    case EP_CERT_UNTRUSTED: return "untrusted";
    case EP_CERT_WRONG_USAGE: return "not-for-mail";
    default: return "?";
    }
}

static void
print_cert (const EpCertInfo *info)
{
  g_autoptr(GDateTime) expires = g_date_time_new_from_unix_utc (info->not_after);
  g_autofree char *date = expires ? g_date_time_format (expires, "%Y-%m-%d") : g_strdup ("?");
  g_autofree char *addresses = g_strjoinv (",", info->addresses);

  g_print ("%s  %s  %s  expires %s  %s%s\n", info->is_identity ? "identity" : "contact ",
           info->fingerprint, *addresses ? addresses : info->subject, date, status_word (info),
           info->trusted ? " accepted" : "");
}

static int
vault_fail (GError *error)
{
  int code = g_error_matches (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_FILE) ||
             g_error_matches (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD) ||
             g_error_matches (error, EP_VAULT_ERROR, EP_VAULT_ERROR_NOT_FOUND)
             ? EXIT_BAD_INPUT : EXIT_FAILURE_GENERIC;

  g_printerr ("epistle-cli: %s\n", error->message);
  g_error_free (error);
  return code;
}

static GBytes *
read_file (const char  *path,
           GError     **error)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static int
vault_export (EpVault    *vault,
              const char *fingerprint,
              gboolean    p12,
              gboolean    password_stdin,
              const char *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  char *password = NULL;
  gsize len;
  const char *bytes;

  if (p12)
    {
      password = read_password (password_stdin);
      if (*password == '\0')
        {
          wipe_and_free (password);
          return usage_error (_("A PKCS #12 file needs a password"));
        }
    }
  data = ep_vault_export (vault, fingerprint, password, &error);
  wipe_and_free (password);
  if (data == NULL)
    return vault_fail (g_steal_pointer (&error));
  bytes = g_bytes_get_data (data, &len);
  if (!g_file_set_contents_full (output, bytes, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &error))
    return fail (g_steal_pointer (&error));
  g_print (_("Written to %s\n"), output);
  return EXIT_OK;
}

int
cmd_vault (int    argc,
           char **argv)
{
  gboolean password_stdin = FALSE, p12 = FALSE;
  g_autofree char *account_name = NULL, *output = NULL;
  GOptionEntry entries[] = {
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the certificate file's password from standard input"), NULL },
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("create-identity: for this account"), N_("NAME") },
    { "p12", 0, 0, G_OPTION_ARG_NONE, &p12, N_("export: the identity with its private key, as PKCS #12"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("export: write here"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (_("list|import-identity|create-identity|import-cert|trust|untrust|remove|export — the key vault"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  EpVault *vault;
  const char *verb;

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (argc < 2)
    return usage_error (_("vault needs a command: list, import-identity, create-identity, "
                          "import-cert, trust, untrust, remove or export"));
  verb = argv[1];

  if (!g_str_equal (verb, "list") && !g_str_equal (verb, "create-identity") && argc != 3)
    return usage_error (_("vault %s needs one argument"), verb);

  vault = open_vault (&context, &error);
  if (vault == NULL)
    return vault_fail (g_steal_pointer (&error));

  if (g_str_equal (verb, "list"))
    {
      g_autoptr(GPtrArray) list = ep_vault_list (vault);

      for (guint i = 0; i < list->len; i++)
        print_cert (g_ptr_array_index (list, i));
      if (list->len == 0)
        g_printerr (_("The vault is empty.\n"));
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "import-identity"))
    {
      g_autoptr(GBytes) data = read_file (argv[2], &error);
      g_autoptr(EpCertInfo) info = NULL;
      char *password;

      if (data == NULL)
        return usage_error ("%s", error->message);
      password = read_password (password_stdin);
      info = ep_vault_import_identity (vault, data, password, &error);
      wipe_and_free (password);
      if (info == NULL)
        return vault_fail (g_steal_pointer (&error));
      print_cert (info);
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "create-identity"))
    {
      g_autoptr(EpAccount) account = NULL;
      g_autoptr(EpCertInfo) info = NULL;

      if (account_name == NULL)
        return usage_error (_("create-identity needs --account NAME"));
      account = ep_context_find_account (context, account_name, &error);
      if (account == NULL)
        return fail (g_steal_pointer (&error));
      info = ep_vault_create_identity (vault, ep_account_get_display_name (account),
                                       ep_account_get_address (account), &error);
      if (info == NULL)
        return vault_fail (g_steal_pointer (&error));
      print_cert (info);
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "import-cert"))
    {
      g_autoptr(GBytes) data = read_file (argv[2], &error);
      g_autoptr(GPtrArray) added = NULL;

      if (data == NULL)
        return usage_error ("%s", error->message);
      added = ep_vault_import_certificates (vault, data, &error);
      if (added == NULL)
        return vault_fail (g_steal_pointer (&error));
      for (guint i = 0; i < added->len; i++)
        print_cert (g_ptr_array_index (added, i));
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "trust") || g_str_equal (verb, "untrust"))
    {
      if (!ep_vault_set_trusted (vault, argv[2], g_str_equal (verb, "trust"), &error))
        return vault_fail (g_steal_pointer (&error));
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "remove"))
    {
      if (!ep_vault_remove (vault, argv[2], &error))
        return vault_fail (g_steal_pointer (&error));
      return EXIT_OK;
    }
  else if (g_str_equal (verb, "export"))
    {
      if (output == NULL)
        return usage_error (_("export needs --output FILE"));
      return vault_export (vault, argv[2], p12, password_stdin, output);
    }

  return usage_error (_("Unknown vault command “%s”"), verb);
}

static void
print_verdict (FILE                 *out,
               const EpSmimeVerdict *v)
{
  if (v->encrypted)
    fprintf (out, "Encrypted: %s\n", v->algorithm);
  else
    fprintf (out, "Encrypted: no\n");
  fprintf (out, "Integrity: %s\n",
           v->integrity ? "yes" : _("no (not protected against tampering)"));
  if (v->is_signed && v->signer_trusted)
    fprintf (out, "Signed by: %s (trusted)\n", v->signer);
  else if (v->is_signed)
    fprintf (out, "Signed by: %s (not trusted: %s)\n", v->signer ? v->signer : "?",
             v->signer_problem ? v->signer_problem : "?");
  else
    fprintf (out, "Signed: no\n");
  if (v->signer_fingerprint != NULL)
    fprintf (out, "Signer fingerprint: %s\n", v->signer_fingerprint);
  fprintf (out, "Summary: %s\n", v->summary);
}

/* decrypt and verify */
int
cmd_open (int    argc,
          char **argv)
{
  gboolean print_cleartext = g_str_equal (argv[0], "decrypt");
  g_autoptr(GOptionContext) options = g_option_context_new (print_cleartext
                                                            ? _("FILE.eml — decrypt and verify a message")
                                                            : _("FILE.eml — verify a signed message"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(EpSmimeVerdict) verdict = NULL;
  g_autoptr(GBytes) opened = NULL;
  EpCipher cipher = EP_CIPHER_NONE;
  gboolean password_stdin = FALSE;
  GOptionEntry entries[] = {
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("A message protected with a password: read the password from standard input"), NULL },
    { NULL }
  };
  EpVault *vault;

  if (print_cleartext)
    g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (argc != 2)
    return usage_error (_("%s needs one FILE.eml"), print_cleartext ? "decrypt" : "verify");

  data = read_file (argv[1], &error);
  if (data == NULL)
    return usage_error ("%s", error->message);

  if (print_cleartext && ep_pwmail_is_protected (data))
    {
      g_autofree char *password = NULL;

      if (!password_stdin)
        return usage_error (_("This message is protected with a password: give it with "
                              "--password-stdin"));
      password = read_password_file ("-", &error);
      if (password != NULL)
        opened = ep_pwmail_open (data, password, &cipher, &error);
      if (password != NULL)
        memset (password, 0, strlen (password));
      if (opened == NULL)
        {
          g_printerr ("epistle-cli: %s\n", error->message);
          return g_error_matches (error, EP_SMIME_ERROR, EP_SMIME_ERROR_DECRYPT) ? EXIT_SECURITY
                                                                                 : EXIT_BAD_INPUT;
        }
      g_printerr ("Encrypted: yes (with a password, %s)\n", ep_cipher_name (cipher));
      g_printerr ("Integrity: %s\n", cipher == EP_CIPHER_AES_256_GCM
                                      ? "yes" : "no (not protected against tampering)");
    }
  else if (password_stdin)
    return usage_error (_("This message is not protected with a password"));

  vault = open_vault (&context, &error);
  if (vault == NULL)
    return vault_fail (g_steal_pointer (&error));

  if (opened != NULL)
    {
      /* Signed inside? Then verify that too; otherwise it is what it is. */
      verdict = ep_smime_open (vault, opened, TRUE, &error);
      if (verdict == NULL && g_error_matches (error, EP_SMIME_ERROR, EP_SMIME_ERROR_NOT_SMIME))
        {
          gsize len;
          const char *bytes = g_bytes_get_data (opened, &len);

          g_printerr ("Signed: no\n");
          fwrite (bytes, 1, len, stdout);
          return EXIT_OK;
        }
    }
  else
    verdict = ep_smime_open (vault, data, TRUE, &error);
  if (verdict == NULL)
    {
      int code = g_error_matches (error, EP_SMIME_ERROR, EP_SMIME_ERROR_NOT_SMIME) ||
                 g_error_matches (error, EP_SMIME_ERROR, EP_SMIME_ERROR_MALFORMED)
                 ? EXIT_BAD_INPUT : EXIT_SECURITY;
      g_printerr ("epistle-cli: %s\n", error->message);
      return code;
    }

  if (print_cleartext)
    {
      gsize len;
      const char *bytes = g_bytes_get_data (verdict->cleartext, &len);

      print_verdict (stderr, verdict);
      fwrite (bytes, 1, len, stdout);
    }
  else
    print_verdict (stdout, verdict);
  return EXIT_OK;
}
