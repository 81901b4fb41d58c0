/* ep-password.c: passwords for password-protected mail
 *
 * Strength and generation are libpwquality's (the library GNOME's own
 * settings use); the checks here are the ones a message needs on top:
 * the password must be typeable in a browser, so no control characters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-vault"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pwquality.h>
#include <string.h>

#include "ep-password.h"
#include "ep-vault.h"

gboolean
ep_password_validate (const char  *password,
                      gssize       len,
                      GError     **error)
{
  const char *end;
  glong chars;

  if (password == NULL || len == 0 || (len < 0 && *password == '\0'))
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD,
                           _("The password is empty"));
      return FALSE;
    }
  if (len < 0)
    len = strlen (password);
  if (!g_utf8_validate (password, len, &end) || memchr (password, '\0', len) != NULL)
    {
      g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD,
                           _("The password is not valid text (UTF-8)"));
      return FALSE;
    }
  chars = g_utf8_strlen (password, len);
  if (chars > EP_PASSWORD_MAX_CHARS)
    {
      g_set_error (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD,
                   _("The password is too long: %ld characters, at most %d"),
                   chars, EP_PASSWORD_MAX_CHARS);
      return FALSE;
    }
  for (const char *p = password; p < password + len; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error_literal (error, EP_VAULT_ERROR, EP_VAULT_ERROR_BAD_PASSWORD,
                             _("The password contains a line break or another control "
                               "character, which cannot be typed"));
        return FALSE;
      }
  return TRUE;
}

static pwquality_settings_t *
settings_new (void)
{
  pwquality_settings_t *settings = pwquality_default_settings ();
  void *aux = NULL;

  /* The system's policy (/etc/security/pwquality.conf) where there is one. */
  if (pwquality_read_config (settings, NULL, &aux) != 0)
    {
      pwquality_free_settings (settings);
      settings = pwquality_default_settings ();
    }
  return settings;
}

static int no_dictionary;

/* cracklib's answer when it could not open its dictionary, as libpwquality
 * passes it on: in cracklib's own translation, or none. */
static gboolean
dictionary_missing (const char *aux)
{
  static const char msg[] = "error loading dictionary";

  return aux == NULL || strcmp (aux, msg) == 0 ||
         strcmp (aux, g_dgettext ("cracklib", msg)) == 0;
}

/* Without a dictionary, the checks that need none catch what it would
 * have: runs such as "12345678" or "aaaa", unless the system's policy
 * already sets them. */
static void
without_dictionary (pwquality_settings_t *settings)
{
  int value = 0;

  pwquality_set_int_value (settings, PWQ_SETTING_DICT_CHECK, 0);
  if (pwquality_get_int_value (settings, PWQ_SETTING_MAX_SEQUENCE, &value) == 0 && value == 0)
    pwquality_set_int_value (settings, PWQ_SETTING_MAX_SEQUENCE, 3);
  if (pwquality_get_int_value (settings, PWQ_SETTING_MAX_REPEAT, &value) == 0 && value == 0)
    pwquality_set_int_value (settings, PWQ_SETTING_MAX_REPEAT, 3);
}

/* Below this score a password is weak when no dictionary could be asked:
 * libpwquality gives "passwort" 15, "hallo123" 21 and "sommer2024" 37
 * without one, where the dictionary check would have refused them. */
#define MIN_SCORE_WITHOUT_DICTIONARY 40

EpPasswordStrength
ep_password_strength_with (const char  *password,
                           const char  *dictionary,
                           int         *score,
                           char       **advice)
{
  pwquality_settings_t *settings = settings_new ();
  gboolean judged_without = FALSE;
  void *aux = NULL;
  char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
  int rv;

  if (dictionary != NULL)
    pwquality_set_str_value (settings, PWQ_SETTING_DICT_PATH, dictionary);
  else if (g_atomic_int_get (&no_dictionary))
    {
      without_dictionary (settings);
      judged_without = TRUE;
    }
  rv = pwquality_check (settings, password, NULL, NULL, &aux);
  if (rv == PWQ_ERROR_CRACKLIB_CHECK && dictionary_missing (aux))
    {
      /* No dictionary installed (Debian's cracklib-runtime builds it; the
       * Flatpak has none): judge without one, from now on (cracklib
       * complains on stderr each time it fails to load it). */
      if (dictionary == NULL)
        g_atomic_int_set (&no_dictionary, TRUE);
      without_dictionary (settings);
      judged_without = TRUE;
      aux = NULL;
      rv = pwquality_check (settings, password, NULL, NULL, &aux);
    }
  pwquality_free_settings (settings);

  if (score != NULL)
    *score = MAX (rv, 0);
  if (rv < 0)
    {
      /* libpwquality's own words, in the user's language. */
      const char *why = pwquality_strerror (buf, sizeof buf, rv, aux);
      if (advice != NULL)
        *advice = g_strdup (why);
      return EP_PASSWORD_WEAK;
    }
  if (judged_without && rv < MIN_SCORE_WITHOUT_DICTIONARY)
    {
      if (score != NULL)
        *score = 0;
      if (advice != NULL)
        *advice = g_strdup (_("The password is too simple: use a longer one, or a few unrelated words"));
      return EP_PASSWORD_WEAK;
    }
  if (rv < 50)
    {
      if (advice != NULL)
        *advice = g_strdup (_("Longer passwords, or a few unrelated words, are harder to guess"));
      return EP_PASSWORD_FAIR;
    }
  if (advice != NULL)
    *advice = NULL;
  return EP_PASSWORD_STRONG;
}

EpPasswordStrength
ep_password_strength (const char  *password,
                      int         *score,
                      char       **advice)
{
  return ep_password_strength_with (password, NULL, score, advice);
}

/* 31 symbols that cannot be mistaken for one another when read out or
 * copied by hand (no 0/o, 1/l/i), and nothing a spreadsheet or a CSV
 * reader changes. libpwquality's own generator mixes such characters and
 * punctuation ("4B[EmIMDALDEdulq0"), so the symbols are drawn here from
 * OpenSSL's RAND_bytes. */
static const char symbols[] = "abcdefghjkmnpqrstuvwxyz23456789";
#define N_SYMBOLS (sizeof symbols - 1)

static char *
generate_once (void)
{
  /* 4 groups of 5: 20 symbols, log2(31^20) = 99 bits. */
  GString *out = g_string_sized_new (24);
  guint n = 0;

  while (n < 20)
    {
      guchar random[32];

      if (RAND_bytes (random, sizeof random) != 1)
        g_error ("OpenSSL could not generate random bytes");
      for (guint i = 0; i < sizeof random && n < 20; i++)
        {
          /* Rejection keeps every symbol equally likely. */
          if (random[i] >= 256 - 256 % N_SYMBOLS)
            continue;
          if (n > 0 && n % 5 == 0)
            g_string_append_c (out, '-');
          g_string_append_c (out, symbols[random[i] % N_SYMBOLS]);
          n++;
        }
      OPENSSL_cleanse (random, sizeof random);
    }
  return g_string_free (out, FALSE);
}

char *
ep_password_generate (void)
{
  char *password = generate_once ();

  /* Now and then a random string holds what libpwquality's dictionary
   * checks dislike; a generated password is never one it calls weak
   * (bounded: this almost never takes a second try). */
  for (guint i = 0; i < 16 && ep_password_strength (password, NULL, NULL) != EP_PASSWORD_STRONG; i++)
    {
      ep_password_free (password);
      password = generate_once ();
    }
  return password;
}

void
ep_password_free (char *password)
{
  if (password == NULL)
    return;
  OPENSSL_cleanse (password, strlen (password));
  g_free (password);
}
