/* ep-table-locale.c: the separators and names a spreadsheet displays with
 *
 * A workbook's number formats show decimal and thousands separators, month
 * and day names and AM/PM in the reader's locale (or the one a [$-407]
 * in the format names). The data comes from ICU, which carries every
 * locale's CLDR data whatever locales the C library has generated (a CI
 * machine has only C.UTF-8). Locale data is read once per name and kept for
 * the life of the process (a few hundred bytes each); it is immutable, so
 * readers in several threads share it.
 *
 * The C and POSIX locales, and a name ICU does not know, read as the
 * locale-neutral defaults: "." and ",", English names, and ISO 8601 for
 * the short date (built-in format 14).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "ep-table-private.h"

static const char * const english_months[12] = {
  "January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December",
};
static const char * const english_days[7] = {
  "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};

G_LOCK_DEFINE_STATIC (locales);
static GHashTable *locales;   /* name → EpTableLocale, never freed */

static char *
utf8_from (const UChar *text,
           int32_t      len)
{
  UErrorCode status = U_ZERO_ERROR;
  char buf[256];
  int32_t out = 0;

  u_strToUTF8 (buf, sizeof buf, &out, text, len, &status);
  if (U_FAILURE (status) || out >= (int32_t) sizeof buf)
    return NULL;
  return g_strndup (buf, out);
}

static char *
symbol (UDateFormat        *df,
        UDateFormatSymbolType type,
        int32_t             index)
{
  UErrorCode status = U_ZERO_ERROR;
  UChar buf[128];
  int32_t len = udat_getSymbols (df, type, index, buf, G_N_ELEMENTS (buf), &status);

  return U_SUCCESS (status) && len > 0 ? utf8_from (buf, len) : NULL;
}

static void
set_number_symbol (UNumberFormat           *nf,
                   UNumberFormatSymbol      which,
                   char                    *out,
                   gsize                    size)
{
  UErrorCode status = U_ZERO_ERROR;
  UChar buf[16];
  int32_t len = unum_getSymbol (nf, which, buf, G_N_ELEMENTS (buf), &status);
  g_autofree char *text = U_SUCCESS (status) && len > 0 ? utf8_from (buf, len) : NULL;

  if (text != NULL && strlen (text) < size)
    g_strlcpy (out, text, size);
}

/* ICU's short date pattern ("dd.MM.yy", "M/d/yy") as a spreadsheet format
 * code with a four-digit year, as LibreOffice shows built-in format 14. */
static char *
short_date_code (UDateFormat *df)
{
  UErrorCode status = U_ZERO_ERROR;
  UChar buf[64];
  int32_t len = udat_toPattern (df, FALSE, buf, G_N_ELEMENTS (buf), &status);
  g_autofree char *pattern = U_SUCCESS (status) ? utf8_from (buf, len) : NULL;
  GString *code;

  if (pattern == NULL)
    return NULL;

  code = g_string_new (NULL);
  for (const char *p = pattern; *p != '\0'; p++)
    {
      if (*p == 'y')
        {
          while (p[1] == 'y')
            p++;
          g_string_append (code, "yyyy");
        }
      else if (*p == 'M')
        g_string_append_c (code, 'm');
      else if (*p == 'd' || *p == '.' || *p == '/' || *p == '-' || *p == ' ')
        g_string_append_c (code, *p);
      else if (*p == '\'')
        continue;
      else
        {
          /* A pattern letter a format code cannot say: not a short date. */
          g_string_free (code, TRUE);
          return NULL;
        }
    }
  return g_string_free (code, FALSE);
}

/* What follows the number in ICU's percent pattern: "%", or "\u00A0%" in
 * German ("#,##0\u00A0%"). */
static char *
percent_suffix (const char *name)
{
  UErrorCode status = U_ZERO_ERROR;
  UNumberFormat *nf = unum_open (UNUM_PERCENT, NULL, 0, name, NULL, &status);
  UChar buf[64];
  int32_t len;
  g_autofree char *pattern = NULL;
  const char *p;

  if (U_FAILURE (status))
    return NULL;
  len = unum_toPattern (nf, FALSE, buf, G_N_ELEMENTS (buf), &status);
  unum_close (nf);
  if (U_FAILURE (status) || (pattern = utf8_from (buf, len)) == NULL)
    return NULL;
  /* Only the plain "number, then the suffix" shape. */
  if (strchr (pattern, ';') != NULL || (p = strrchr (pattern, '0')) == NULL ||
      strstr (p, "%") == NULL || strchr (pattern, '%') < p)
    return NULL;
  return g_strdup (p + 1);
}

static void
set_defaults (EpTableLocale *loc)
{
  g_strlcpy (loc->decimal, ".", sizeof loc->decimal);
  g_strlcpy (loc->group, ",", sizeof loc->group);
  g_strlcpy (loc->date_sep, "/", sizeof loc->date_sep);
  for (guint i = 0; i < 12; i++)
    {
      loc->months[i] = g_strdup (english_months[i]);
      loc->months_abbr[i] = g_strndup (english_months[i], 3);
    }
  for (guint i = 0; i < 7; i++)
    {
      loc->days[i] = g_strdup (english_days[i]);
      loc->days_abbr[i] = g_strndup (english_days[i], 3);
    }
  loc->am = g_strdup ("AM");
  loc->pm = g_strdup ("PM");
  loc->short_date = g_strdup ("yyyy-mm-dd");
  loc->percent = g_strdup ("%");
}

static void
replace (char **slot,
         char  *value)
{
  if (value == NULL)
    return;
  g_free (*slot);
  *slot = value;
}

static EpTableLocale *
locale_new (const char *name)
{
  EpTableLocale *loc = g_new0 (EpTableLocale, 1);
  UErrorCode status = U_ZERO_ERROR;
  UNumberFormat *nf;
  UDateFormat *df;

  loc->name = g_strdup (name);
  set_defaults (loc);
  if (g_str_equal (name, "C"))
    return loc;

  nf = unum_open (UNUM_DECIMAL, NULL, 0, name, NULL, &status);
  if (U_SUCCESS (status))
    {
      set_number_symbol (nf, UNUM_DECIMAL_SEPARATOR_SYMBOL, loc->decimal, sizeof loc->decimal);
      set_number_symbol (nf, UNUM_GROUPING_SEPARATOR_SYMBOL, loc->group, sizeof loc->group);
      unum_close (nf);
    }

  status = U_ZERO_ERROR;
  df = udat_open (UDAT_NONE, UDAT_SHORT, name, NULL, 0, NULL, 0, &status);
  if (U_FAILURE (status))
    return loc;

  /* Stand-alone abbreviations are LibreOffice's MMM and DDD ("Mär", "So"),
   * the formatting ones carry a period in German ("März", "So."). */
  for (int i = 0; i < 12; i++)
    {
      replace (&loc->months[i], symbol (df, UDAT_MONTHS, i));
      replace (&loc->months_abbr[i], symbol (df, UDAT_STANDALONE_SHORT_MONTHS, i));
    }
  for (int i = 0; i < 7; i++)
    {
      /* ICU counts days from 1 (UCAL_SUNDAY). */
      replace (&loc->days[i], symbol (df, UDAT_WEEKDAYS, i + 1));
      replace (&loc->days_abbr[i], symbol (df, UDAT_STANDALONE_SHORT_WEEKDAYS, i + 1));
    }
  replace (&loc->am, symbol (df, UDAT_AM_PMS, 0));
  replace (&loc->pm, symbol (df, UDAT_AM_PMS, 1));
  replace (&loc->short_date, short_date_code (df));
  /* The short date's separator: "." in "dd.mm.yyyy". */
  for (const char *p = loc->short_date; *p != '\0'; p++)
    if (strchr ("dmy", *p) == NULL)
      {
        loc->date_sep[0] = *p;
        loc->date_sep[1] = '\0';
        break;
      }
  udat_close (df);

  replace (&loc->percent, percent_suffix (name));
  return loc;
}

/* "de_DE.UTF-8@euro" → "de_DE"; "C.UTF-8", "POSIX", "" → "C". */
static char *
canonical_name (const char *name)
{
  g_autofree char *copy = g_strdup (name != NULL ? name : "");
  char *cut = strpbrk (copy, ".@");

  if (cut != NULL)
    *cut = '\0';
  g_strdelimit (copy, "-", '_');
  if (*copy == '\0' || g_str_equal (copy, "C") || g_str_equal (copy, "POSIX"))
    return g_strdup ("C");
  return g_steal_pointer (&copy);
}

const EpTableLocale *
_ep_table_locale_get (const char *name)
{
  g_autofree char *key = NULL;
  EpTableLocale *loc;

  if (name == NULL)
    {
      g_autofree char *desktop = ep_table_get_default_locale ();

      return _ep_table_locale_get (desktop);
    }

  key = canonical_name (name);
  G_LOCK (locales);
  if (locales == NULL)
    locales = g_hash_table_new (g_str_hash, g_str_equal);
  loc = g_hash_table_lookup (locales, key);
  if (loc == NULL)
    {
      loc = locale_new (key);
      g_hash_table_insert (locales, loc->name, loc);
    }
  G_UNLOCK (locales);

  return loc;
}

const EpTableLocale *
_ep_table_locale_for_lcid (guint lcid)
{
  UErrorCode status = U_ZERO_ERROR;
  char name[ULOC_FULLNAME_CAPACITY];

  /* Only the language and region part; 0x0407 is de-DE. */
  uloc_getLocaleForLCID (lcid & 0xffff, name, sizeof name, &status);
  if (U_FAILURE (status) || status == U_STRING_NOT_TERMINATED_WARNING || *name == '\0')
    return NULL;
  return _ep_table_locale_get (name);
}

char *
ep_table_get_default_locale (void)
{
  const char *name = g_getenv ("LC_ALL");

  /* Numbers and dates: LC_NUMERIC decides the separators a person reads. */
  if (name == NULL || *name == '\0')
    name = setlocale (LC_NUMERIC, NULL);
  if (name == NULL || g_str_equal (name, "C"))
    {
      name = g_getenv ("LC_NUMERIC");
      if (name == NULL || *name == '\0')
        name = g_getenv ("LANG");
    }
  return canonical_name (name);
}

gboolean
ep_table_locale_is_known (const char *name)
{
  g_autofree char *key = canonical_name (name);
  int32_t count = uloc_countAvailable ();

  if (g_str_equal (key, "C"))
    return TRUE;
  for (int32_t i = 0; i < count; i++)
    {
      const char *id = uloc_getAvailable (i);

      if (g_str_equal (id, key))
        return TRUE;
    }
  return FALSE;
}

char *
ep_table_locale_display_name (const char *name)
{
  g_autofree char *key = canonical_name (name);
  UErrorCode status = U_ZERO_ERROR;
  UChar buf[128];
  int32_t len;
  char *text;

  if (g_str_equal (key, "C"))
    return NULL;
  /* In the language the user reads (ICU's default, from the environment). */
  len = uloc_getDisplayName (key, NULL, buf, G_N_ELEMENTS (buf), &status);
  if (U_FAILURE (status) || len <= 0 || (text = utf8_from (buf, len)) == NULL)
    return g_strdup (key);
  return text;
}
