/* test-numfmt.c: workbook numbers and dates as the spreadsheet shows them
 *
 * libreoffice/numfmt.xlsx was written by LibreOffice Calc, and
 * numfmt.de_DE.csv and numfmt.en_US.csv are what LibreOffice displays for
 * each of its cells in German and in American English (libreoffice/make.sh
 * made them once). Epistle's reading of the workbook in each locale must
 * be the same text, cell for cell. ICU gives the locale data, so this
 * holds on a machine that has only the C locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include <epistle-core.h>

#include "table/ep-table-private.h"

static char *
lo_fixture (const char *name)
{
  return g_build_filename (TABLE_SRCDIR, "libreoffice", name, NULL);
}

/* Where Epistle knowingly shows other text than LibreOffice: German AM and
 * PM are "AM" and "PM" in ICU's CLDR data, LibreOffice's own locale data
 * says "vorm." and "nachm.". */
static const struct
{
  const char *locale, *name, *epistle, *libreoffice;
} known_differences[] = {
  { "de_DE", "time_ampm", "2:30 PM", "2:30 nachm." },
  { "de_DE", "time_am", "9:05 AM", "9:05 vorm." },
};

static void
compare_with_libreoffice (const char *locale)
{
  g_autofree char *xlsx = lo_fixture ("numfmt.xlsx");
  g_autofree char *csv_name = g_strdup_printf ("numfmt.%s.csv", locale);
  g_autofree char *csv = lo_fixture (csv_name);
  EpTableOptions xlsx_options = { 0, }, csv_options = { 0, };
  g_autoptr(EpTable) ours = NULL;
  g_autoptr(EpTable) shown = NULL;
  g_autoptr(GError) error = NULL;
  guint differences = 0;

  xlsx_options.locale = locale;
  ours = ep_table_read (xlsx, &xlsx_options, NULL, &error);
  g_assert_no_error (error);
  csv_options.encoding = "UTF-8";
  csv_options.delimiter = ',';
  shown = ep_table_read (csv, &csv_options, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (ep_table_get_n_rows (ours), ==, ep_table_get_n_rows (shown));
  g_assert_cmpuint (ep_table_get_n_rows (ours), >=, 50);
  for (guint row = 0; row < ep_table_get_n_rows (ours); row++)
    {
      const char *name = ep_table_get_value (shown, row, 0);
      const char *expected = ep_table_get_value (shown, row, 1);
      const char *value = ep_table_get_value (ours, row, 1);

      g_assert_cmpstr (ep_table_get_value (ours, row, 0), ==, name);
      for (guint i = 0; i < G_N_ELEMENTS (known_differences); i++)
        if (g_str_equal (known_differences[i].locale, locale) &&
            g_str_equal (known_differences[i].name, name))
          {
            g_assert_cmpstr (expected, ==, known_differences[i].libreoffice);
            expected = known_differences[i].epistle;
            differences++;
          }
      if (g_strcmp0 (value, expected) != 0)
        g_test_message ("%s, %s: LibreOffice shows “%s”, Epistle “%s”", locale, name,
                        expected, value);
      g_assert_cmpstr (value, ==, expected);
    }
  g_assert_cmpuint (differences, ==, g_str_equal (locale, "de_DE") ? 2 : 0);
}

static void
test_libreoffice_german (void)
{
  compare_with_libreoffice ("de_DE");
}

static void
test_libreoffice_english (void)
{
  compare_with_libreoffice ("en_US");
}

/* {{ x | raw }} and the date filter read the value under the format: the
 * number as the workbook stores it, a date in ISO 8601, in any locale. */
static void
test_raw_values (void)
{
  static const struct { const char *name; const char *raw; } cases[] = {
    { "money", "1234.5" },
    { "money_small", "0.1" },
    { "percent", "0.256" },
    { "general_big", "1234.5" },
    { "date_german", "2024-03-19" },
    { "date_long", "2024-03-01" },
    { "time", "14:30:05" },
    { "date_time", "2024-03-01T14:30:00" },
  };
  g_autofree char *xlsx = lo_fixture ("numfmt.xlsx");
  EpTableOptions options = { 0, };
  g_autoptr(EpTable) table = NULL;
  g_autoptr(GError) error = NULL;
  guint found = 0;

  options.locale = "de_DE";
  table = ep_table_read (xlsx, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ep_table_get_locale (table), ==, "de_DE");
  for (guint row = 0; row < ep_table_get_n_rows (table); row++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      if (g_str_equal (ep_table_get_value (table, row, 0), cases[i].name))
        {
          g_assert_cmpstr (ep_table_get_raw_value (table, row, 1), ==, cases[i].raw);
          found++;
        }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (cases));
  /* Text is its own raw value. */
  g_assert_cmpstr (ep_table_get_raw_value (table, 0, 0), ==, ep_table_get_value (table, 0, 0));
}

/* One value through one format code in a locale. */
static char *
render (const char *code,
        const char *value,
        const char *locale)
{
  const EpTableLocale *loc = _ep_table_locale_get (locale);
  EpNumFmt *fmt = _ep_num_fmt_new (code, loc);
  g_autoptr(GString) scratch = g_string_new (NULL);
  char *shown = g_strdup (_ep_num_fmt_render (fmt, loc, value, FALSE, scratch));

  _ep_num_fmt_free (fmt);
  return shown;
}

#define assert_shows(code, value, locale, expected) \
  G_STMT_START { \
    g_autofree char *shown_ = render (code, value, locale); \
    g_assert_cmpstr (shown_, ==, expected); \
  } G_STMT_END

static void
test_builtin (void)
{
  static const struct { guint id; const char *locale, *value, *expected; } cases[] = {
    { 14, "de_DE", "45352", "01.03.2024" },
    { 14, "en_US", "45352", "3/1/2024" },
    { 14, "fr_FR", "45352", "01/03/2024" },
    { 14, "C", "45352", "2024-03-01" },
    { 9, "de_DE", "0.25", "25\u00a0%" },
    { 9, "en_US", "0.25", "25%" },
    { 10, "en_US", "0.12345", "12.35%" },
    { 3, "de_DE", "1234567.891", "1.234.568" },
    { 4, "fr_FR", "1234.5", "1\u202f234,50" },
    { 22, "C", "45352.6041666667", "2024-03-01 14:30" },
    { 46, "C", "1.5", "36:00:00" },
    { 49, "C", "0.1", "0.1" },
    { 12, "C", "0.5", "0.5" },   /* fractions: as General */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const EpTableLocale *loc = _ep_table_locale_get (cases[i].locale);
      EpNumFmt *fmt = _ep_num_fmt_new_builtin (cases[i].id, loc);
      g_autoptr(GString) scratch = g_string_new (NULL);

      g_assert_cmpstr (_ep_num_fmt_render (fmt, loc, cases[i].value, FALSE, scratch), ==,
                       cases[i].expected);
      _ep_num_fmt_free (fmt);
    }
}

/* What LibreOffice cannot be asked: Excel's own quirks and damaged codes. */
static void
test_codes (void)
{
  /* A/P in the code's own case; 12 noon is PM, midnight 12 AM. */
  assert_shows ("h:mm A/P", "0.875", "C", "9:00 P");
  assert_shows ("h:mm a/p", "0.375", "C", "9:00 a");
  assert_shows ("h AM/PM", "0.5", "C", "12 PM");
  assert_shows ("h AM/PM", "0", "C", "12 AM");
  /* Excel's 29 February 1900, and 1 March. */
  assert_shows ("yyyy-mm-dd", "60", "C", "1900-02-29");
  assert_shows ("yyyy-mm-dd", "61", "C", "1900-03-01");
  /* Before 1900 (LibreOffice and openpyxl), and out of range. */
  assert_shows ("yyyy-mm-dd", "-30701", "C", "1815-12-10");
  assert_shows ("yyyy-mm-dd", "1e20", "C", "1E+20");
  /* Seconds round into the minute, the minute into the day. */
  assert_shows ("dd hh:mm:ss", "45352.99999999", "C", "02 00:00:00");
  /* Engineering notation; a rounded mantissa carries. */
  assert_shows ("##0.0E+0", "12345.678", "C", "12.3E+3");
  assert_shows ("0.0E+00", "9.99", "C", "1.0E+01");
  /* Conditions with their own sign; the fourth section is for text. */
  assert_shows ("[<0]\"minus \"0;0", "-3", "C", "minus 3");
  assert_shows ("0;-0;0;\"text\"", "-2", "C", "-2");
  /* 15 significant digits, as Excel shows them; a long literal. */
  assert_shows ("#,##0", "123456789012345678", "en_US", "123,456,789,012,346,000");
  assert_shows ("0\" is a rather long literal text after the number\"", "1", "C",
                "1 is a rather long literal text after the number");
  /* Damaged codes: no crash, no read past the end. */
  assert_shows ("\"unterminated", "1", "C", "unterminated");
  assert_shows ("[Red", "1", "C", "");
  assert_shows ("0.00\\", "1", "C", "1.00\\");
  assert_shows ("0;;;;;;", "-1", "C", "");
  assert_shows ("[$-FFFFFFFF]0", "1", "C", "1");
  assert_shows ("[<", "1", "C", "");
  /* Not a number at all: the cell's text. */
  assert_shows ("0.00", "n/a", "C", "n/a");
}

/* The desktop's locale is the default; a name ICU does not know reads as C. */
static void
test_locale_names (void)
{
  g_autofree char *desktop = ep_table_get_default_locale ();

  /* The test environment sets LC_ALL=C.UTF-8. */
  g_assert_cmpstr (desktop, ==, "C");
  g_assert_true (ep_table_locale_is_known ("de_DE"));
  g_assert_true (ep_table_locale_is_known ("de_DE.UTF-8"));
  g_assert_true (ep_table_locale_is_known ("en-US"));
  g_assert_true (ep_table_locale_is_known ("C"));
  g_assert_false (ep_table_locale_is_known ("xx_YY"));
  g_assert_false (ep_table_locale_is_known ("de_DE; rm -rf"));
  g_assert_cmpstr (_ep_table_locale_get ("de_DE.UTF-8@euro")->decimal, ==, ",");
  g_assert_true (_ep_table_locale_get ("de_DE") == _ep_table_locale_get ("de-DE"));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/numfmt/libreoffice/de_DE", test_libreoffice_german);
  g_test_add_func ("/numfmt/libreoffice/en_US", test_libreoffice_english);
  g_test_add_func ("/numfmt/builtin", test_builtin);
  g_test_add_func ("/numfmt/raw", test_raw_values);
  g_test_add_func ("/numfmt/codes", test_codes);
  g_test_add_func ("/numfmt/locale-names", test_locale_names);

  return g_test_run ();
}
