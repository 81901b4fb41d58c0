/* test-table.c: the spreadsheet readers against files from real writers
 *
 * make-fixtures.py writes the files (XlsxWriter, openpyxl, odfpy, and
 * zipfile for what no writer makes) into a temporary directory once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <epistle-core.h>

#include "../test-tmpdir.h"

#include "table/ep-table-private.h"

static char *fixtures;

static char *
fixture (const char *name)
{
  return g_build_filename (fixtures, name, NULL);
}

static EpTable *
read_with (const char           *name,
           const EpTableOptions *options)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  EpTable *table = ep_table_read (path, options, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (table);
  return table;
}

static EpTable *
read_ok (const char *name)
{
  return read_with (name, NULL);
}

static void
assert_read_fails (const char           *name,
                   const EpTableOptions *options,
                   GQuark                domain,
                   int                   code)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  EpTable *table = ep_table_read (path, options, NULL, &error);

  g_assert_null (table);
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, !=, "");
}

static void
assert_columns (EpTable    *table,
                const char *first,
                ...)
{
  va_list args;
  guint n = 0;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      g_assert_cmpuint (n, <, ep_table_get_n_columns (table));
      g_assert_cmpstr (ep_table_get_column (table, n), ==, name);
      n++;
    }
  va_end (args);
  g_assert_cmpuint (ep_table_get_n_columns (table), ==, n);
}

/* The values of data row @row (0-based), which the spreadsheet numbers
 * @row_number; all its columns. */
static void
assert_row (EpTable    *table,
            guint       row,
            guint       row_number,
            const char *first,
            ...)
{
  va_list args;
  guint n = 0;

  g_assert_cmpuint (row, <, ep_table_get_n_rows (table));
  g_assert_cmpuint (ep_table_get_row_number (table, row), ==, row_number);
  va_start (args, first);
  for (const char *value = first; value != NULL; value = va_arg (args, const char *))
    {
      g_assert_cmpstr (ep_table_get_value (table, row, n), ==, value);
      n++;
    }
  va_end (args);
  g_assert_cmpuint (ep_table_get_n_columns (table), ==, n);
}

static guint
n_warnings (EpTable *table)
{
  const char * const *w = ep_table_get_warnings (table);

  return w ? g_strv_length ((char **) w) : 0;
}

/* ---- the row model ----------------------------------------------------------- */

static void
test_container (void)
{
  const char *columns[] = { "Name", " E-mail ", "Score", NULL };
  const char *row1[] = { "Ada", "ada@example.org", "12" };
  const char *row2[] = { "Grace", NULL };
  const char *row3[] = { "Linus", "l@example.org", "3", "extra" };
  g_autoptr(EpTable) table = ep_table_new (columns);
  EpTable *ref;

  g_assert_true (G_TYPE_IS_BOXED (EP_TYPE_TABLE));
  g_assert_cmpuint (ep_table_get_n_columns (table), ==, 3);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 0);
  g_assert_cmpstr (ep_table_get_column (table, 1), ==, " E-mail ");
  g_assert_cmpint (ep_table_get_format (table), ==, EP_TABLE_FORMAT_UNKNOWN);
  g_assert_null (ep_table_get_sheets (table));
  g_assert_null (ep_table_get_sheet (table));
  g_assert_cmpuint (n_warnings (table), ==, 0);

  ep_table_append_row (table, 2, row1, G_N_ELEMENTS (row1));
  ep_table_append_row (table, 5, row2, G_N_ELEMENTS (row2));
  ep_table_append_row (table, 6, row3, G_N_ELEMENTS (row3));
  ep_table_add_warning (table, "first");
  ep_table_add_warning (table, "second");

  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 3);
  assert_row (table, 0, 2, "Ada", "ada@example.org", "12", NULL);
  assert_row (table, 1, 5, "Grace", "", "", NULL);
  assert_row (table, 2, 6, "Linus", "l@example.org", "3", NULL);
  g_assert_cmpuint (n_warnings (table), ==, 2);
  g_assert_cmpstr (ep_table_get_warnings (table)[1], ==, "second");

  g_assert_cmpint (ep_table_find_column (table, "Score"), ==, 2);
  g_assert_cmpint (ep_table_find_column (table, "score"), ==, 2);
  g_assert_cmpint (ep_table_find_column (table, "e-mail"), ==, 1);
  g_assert_cmpint (ep_table_find_column (table, " NAME"), ==, 0);
  g_assert_cmpint (ep_table_find_column (table, "Phone"), ==, -1);
  g_assert_cmpint (ep_table_find_column (table, NULL), ==, -1);

  ref = ep_table_ref (table);
  g_assert_true (ref == table);
  ep_table_unref (ref);
  g_assert_cmpstr (ep_table_get_value (table, 0, 0), ==, "Ada");

  {
    g_autoptr(EpTable) copy = g_boxed_copy (EP_TYPE_TABLE, table);

    g_assert_true (copy == table);
  }
}

static void
test_format (void)
{
  static const struct { const char *name; EpTableFormat format; } cases[] = {
    { "types.xlsx", EP_TABLE_FORMAT_XLSX },
    { "values.ods", EP_TABLE_FORMAT_ODS },
    { "utf8-bom.csv", EP_TABLE_FORMAT_CSV },
    { "unicode-text.txt", EP_TABLE_FORMAT_CSV },
    { "locked.xlsx", EP_TABLE_FORMAT_XLSX },
    { "locked-noext", EP_TABLE_FORMAT_XLSX },
    { "other.zip", EP_TABLE_FORMAT_UNKNOWN },
    { "values-renamed.csv", EP_TABLE_FORMAT_ODS },
    { "types-renamed.ods", EP_TABLE_FORMAT_XLSX },
  };
  g_autofree char *ods = fixture ("values.ods");
  g_autofree char *ods_renamed = fixture ("values-renamed.csv");
  g_autofree char *xlsx = fixture ("types.xlsx");
  g_autofree char *xlsx_renamed = fixture ("types-renamed.ods");
  g_autofree char *data = NULL;
  gsize len = 0;

  /* Content wins over the name. */
  g_assert_true (g_file_get_contents (ods, &data, &len, NULL));
  g_assert_true (g_file_set_contents (ods_renamed, data, len, NULL));
  g_free (data);
  g_assert_true (g_file_get_contents (xlsx, &data, &len, NULL));
  g_assert_true (g_file_set_contents (xlsx_renamed, data, len, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = fixture (cases[i].name);

      g_test_message ("%s", cases[i].name);
      g_assert_cmpint (ep_table_format_for_file (path), ==, cases[i].format);
    }

  {
    g_autoptr(EpTable) table = read_ok ("values-renamed.csv");

    g_assert_cmpint (ep_table_get_format (table), ==, EP_TABLE_FORMAT_ODS);
  }
  assert_read_fails ("other.zip", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED);
  assert_read_fails ("does-not-exist.csv", NULL, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* ---- CSV ----------------------------------------------------------------- */

static void
test_csv_utf8_bom (void)
{
  g_autoptr(EpTable) table = read_ok ("utf8-bom.csv");

  g_assert_cmpint (ep_table_get_format (table), ==, EP_TABLE_FORMAT_CSV);
  g_assert_cmpstr (ep_table_get_encoding (table), ==, "UTF-8");
  g_assert_cmpint (ep_table_get_delimiter (table), ==, ',');
  g_assert_null (ep_table_get_sheets (table));
  assert_columns (table, "Name", "Email", NULL);   /* no BOM in the first name */
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 1);
  assert_row (table, 0, 2, "Zoë", "zoe@example.org", NULL);
  g_assert_cmpuint (n_warnings (table), ==, 0);
}

static void
test_csv_unicode_text (void)
{
  g_autoptr(EpTable) table = read_ok ("unicode-text.txt");

  g_assert_cmpstr (ep_table_get_encoding (table), ==, "UTF-16LE");
  g_assert_cmpint (ep_table_get_delimiter (table), ==, '\t');
  assert_columns (table, "Name", "City", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 2);
  assert_row (table, 0, 2, "Renée", "Zürich", NULL);
  assert_row (table, 1, 3, "漢字", "東京", NULL);
}

static void
test_csv_utf16be (void)
{
  g_autoptr(EpTable) table = read_ok ("utf16be.csv");

  g_assert_cmpstr (ep_table_get_encoding (table), ==, "UTF-16BE");
  assert_columns (table, "Name", "City", NULL);
  assert_row (table, 0, 2, "Åsa", "Malmö", NULL);
}

static void
test_csv_cp1252 (void)
{
  g_autoptr(EpTable) table = read_ok ("cp1252.csv");

  g_assert_cmpstr (ep_table_get_encoding (table), ==, "WINDOWS-1252");
  g_assert_cmpint (ep_table_get_delimiter (table), ==, ';');
  assert_columns (table, "Nom", "Remarque", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 3);
  assert_row (table, 0, 2, "José", "Il a dit “très bien” pour 5 €", NULL);
  assert_row (table, 1, 3, "Hélène", "Déjà payé, merci", NULL);
  assert_row (table, 2, 4, "François", "À régler avant la fin du mois prochain", NULL);
}

/* Letters the saving program could not write in Windows-1252 became "?":
 * said once, with the first cell and how many more. */
static void
test_csv_lost_letters (void)
{
  g_autoptr(EpTable) table = read_ok ("lost-letters.csv");
  const char * const *warnings = ep_table_get_warnings (table);

  g_assert_cmpstr (ep_table_get_encoding (table), ==, "WINDOWS-1252");
  assert_row (table, 0, 2, "?ukasz Wa??sa", "l@example.test", "Kommen Sie?", NULL);
  g_assert_cmpuint (n_warnings (table), ==, 1);
  g_assert_cmpstr (warnings[0], ==,
                   "Row 2, Name: “?ukasz Wa??sa” has a “?” where a letter may have been lost "
                   "(the program that saved the file could not write it in WINDOWS-1252); 2 "
                   "cells in all have one. Save it again as “CSV UTF-8” to keep every letter");
}

static void
test_csv_late_cp1252 (void)
{
  g_autoptr(EpTable) table = read_ok ("late-cp1252.csv");
  guint n;

  g_assert_cmpstr (ep_table_get_encoding (table), ==, "WINDOWS-1252");
  n = ep_table_get_n_rows (table);
  g_assert_cmpuint (n, ==, 6001);
  assert_row (table, 0, 2, "row00000", "plain", NULL);
  assert_row (table, n - 1, 6002, "last", "José", NULL);
}

static void
test_csv_encoding_override (void)
{
  EpTableOptions options = { 0, };
  g_autoptr(EpTable) table = NULL;

  /* Named explicitly: Latin-1 reads the same bytes (no “ ” € there). */
  options.encoding = "ISO-8859-1";
  table = read_with ("late-cp1252.csv", &options);
  g_assert_cmpstr (ep_table_get_encoding (table), ==, "ISO-8859-1");
  g_assert_cmpstr (ep_table_get_value (table, 6000, 1), ==, "José");

  /* Bytes that are not valid in the named encoding. */
  options.encoding = "UTF-8";
  assert_read_fails ("cp1252.csv", &options, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCODING);
  assert_read_fails ("late-cp1252.csv", &options, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCODING);
  options.encoding = "NO-SUCH-ENCODING";
  assert_read_fails ("cp1252.csv", &options, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCODING);
}

static void
test_csv_delimiters (void)
{
  EpTableOptions options = { 0, };
  g_autoptr(EpTable) semicolon = read_ok ("semicolon.csv");
  g_autoptr(EpTable) pipe = read_ok ("pipe.csv");
  g_autoptr(EpTable) forced = NULL;

  g_assert_cmpint (ep_table_get_delimiter (semicolon), ==, ';');
  assert_columns (semicolon, "a", "b", "c", NULL);
  assert_row (semicolon, 1, 3, "4", "5", "6", NULL);

  g_assert_cmpint (ep_table_get_delimiter (pipe), ==, '|');
  assert_row (pipe, 0, 2, "1", "2", NULL);

  options.delimiter = ',';
  forced = read_with ("semicolon.csv", &options);
  g_assert_cmpint (ep_table_get_delimiter (forced), ==, ',');
  assert_columns (forced, "a;b;c", NULL);
  assert_row (forced, 0, 2, "1;2;3", NULL);
}

static void
test_csv_quoted (void)
{
  g_autoptr(EpTable) table = read_ok ("quoted.csv");

  assert_columns (table, "Name", "Note", "Amount", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 2);
  assert_row (table, 0, 2, "Smith, J", "He said \"hi\"\nand left", "3", NULL);
  assert_row (table, 1, 3, "Plain", "", "4", NULL);
}

static void
test_csv_blank_lines (void)
{
  g_autoptr(EpTable) table = read_ok ("blank-lines.csv");

  /* A,B / 1,2 / (blank) / 3,4 / , / "x\ny",5 / 6,7 / (blank) */
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 4);
  assert_row (table, 0, 2, "1", "2", NULL);
  assert_row (table, 1, 4, "3", "4", NULL);
  assert_row (table, 2, 6, "x\ny", "5", NULL);
  assert_row (table, 3, 7, "6", "7", NULL);
}

static void
test_csv_headers (void)
{
  g_autoptr(EpTable) table = read_ok ("headers.csv");
  const char * const *warnings = ep_table_get_warnings (table);

  assert_columns (table, "Name", "Column 2", "Name (2)", "Email", "name (3)", NULL);
  assert_row (table, 0, 2, "1", "2", "3", "4", "5", NULL);
  g_assert_cmpuint (n_warnings (table), ==, 4);
  g_assert_cmpstr (warnings[0], ==, "Column 2 has no name; it is called “Column 2”");
  g_assert_cmpstr (warnings[1], ==, "Column 3 repeats the name “Name”; it is called “Name (2)”");
  g_assert_cmpstr (warnings[2], ==, "Column 4: spaces around “Email” were removed");
  g_assert_cmpstr (warnings[3], ==, "Column 5 repeats the name “name”; it is called “name (3)”");
  g_assert_cmpint (ep_table_find_column (table, "email"), ==, 3);
}

static void
test_csv_limits (void)
{
  assert_read_fails ("huge-cell.csv", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE);
  assert_read_fails ("empty.csv", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_EMPTY);
}

/* ---- XLSX ----------------------------------------------------------------- */

static void
test_xlsx_types (void)
{
  g_autoptr(EpTable) table = read_ok ("types.xlsx");
  const char * const *sheets = ep_table_get_sheets (table);

  g_assert_cmpint (ep_table_get_format (table), ==, EP_TABLE_FORMAT_XLSX);
  g_assert_nonnull (sheets);
  g_assert_cmpstr (sheets[0], ==, "People");
  g_assert_cmpstr (sheets[1], ==, "Second");
  g_assert_null (sheets[2]);
  g_assert_cmpstr (ep_table_get_sheet (table), ==, "People");
  g_assert_null (ep_table_get_encoding (table));

  assert_columns (table, "Text", "Number", "Bool", "Date", "Time", "DateTime", "Builtin",
                  "Custom", "Formula", "Rich", "Percent", "Money", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 8);
  /* As the formats show them in the C locale; built-in 14 is then ISO 8601
   * (test_xlsx_locales has German and English). */
  assert_row (table, 0, 2, "plain", "0.1", "TRUE", "2024-03-01", "14:30:00", "01/03/2024 14:30",
              "1999-12-31", "29 de February 2024", "0.2", "bold and plain", "25%", "1,234.50 €",
              NULL);
  assert_row (table, 1, 3, "second", "12", "FALSE", "", "", "", "", "", "", "", "", "", NULL);
  g_assert_cmpstr (ep_table_get_value (table, 2, 1), ==, "-3.5");
  g_assert_cmpuint (ep_table_get_row_number (table, 2), ==, 4);
  g_assert_cmpstr (ep_table_get_value (table, 3, 1), ==, "1E+20");
  g_assert_cmpstr (ep_table_get_value (table, 4, 1), ==, "0.3");   /* 0.1 + 0.2 */
  /* Rows 7 and 8 are empty in the sheet; one sparse cell in E8. */
  assert_row (table, 5, 8, "", "", "", "", "sparse", "", "", "", "", "", "", "", NULL);
  g_assert_cmpuint (ep_table_get_row_number (table, 6), ==, 9);
  g_assert_cmpstr (ep_table_get_value (table, 6, 8), ==, "#DIV/0!");
  g_assert_cmpstr (ep_table_get_value (table, 7, 8), ==, "ab");
  g_assert_cmpuint (ep_table_get_row_number (table, 7), ==, 10);

  g_assert_cmpuint (n_warnings (table), ==, 1);
  g_assert_cmpstr (ep_table_get_warnings (table)[0], ==, "Cell I9 holds the error #DIV/0!");
}

static void
test_xlsx_sheets (void)
{
  EpTableOptions options = { 0, };
  g_autoptr(EpTable) table = NULL;
  g_autofree char *path = fixture ("types.xlsx");
  g_autoptr(GError) error = NULL;

  options.sheet = "Second";
  table = read_with ("types.xlsx", &options);
  g_assert_cmpstr (ep_table_get_sheet (table), ==, "Second");
  assert_columns (table, "Only", NULL);
  assert_row (table, 0, 2, "x", NULL);

  options.sheet = "Nope";
  g_assert_null (ep_table_read (path, &options, NULL, &error));
  g_assert_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_NO_SUCH_SHEET);
  g_assert_nonnull (strstr (error->message, "“Nope”"));
  g_assert_nonnull (strstr (error->message, "“People”, “Second”"));

  /* openpyxl: a second, empty sheet. */
  options.sheet = "Empty";
  assert_read_fails ("openpyxl.xlsx", &options, EP_TABLE_ERROR, EP_TABLE_ERROR_EMPTY);
}

static void
test_xlsx_1904 (void)
{
  g_autoptr(EpTable) table = read_ok ("epoch1904.xlsx");

  assert_columns (table, "When", "At", NULL);
  assert_row (table, 0, 2, "2024-03-01", "1904-01-02 06:00:00", NULL);
}

static void
test_xlsx_openpyxl (void)
{
  g_autoptr(EpTable) table = read_ok ("openpyxl.xlsx");

  g_assert_cmpstr (ep_table_get_sheet (table), ==, "Data");
  assert_columns (table, "Name", "Born", "Seen", "Score", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 2);
  assert_row (table, 0, 2, "Ada", "1815-12-10", "2024-03-01 9:05:07", "12", NULL);
  assert_row (table, 1, 3, "Grace", "1906-12-09", "", "0.1", NULL);
}

static void
test_xlsx_hand (void)
{
  g_autoptr(EpTable) table = read_ok ("hand.xlsx");
  const char * const *warnings = ep_table_get_warnings (table);

  g_assert_cmpstr (ep_table_get_sheet (table), ==, "Hand");
  assert_columns (table, "Name", "Value", "Other", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 6);
  /* Rich shared string; inline rich string with an entity. */
  assert_row (table, 0, 2, "Rich text", "inline & rich", "", NULL);
  /* Phonetic runs are not text; an error cell; a boolean. */
  assert_row (table, 1, 3, "東京", "#N/A", "FALSE", NULL);
  /* Serials 59, 60 (Excel's 29 February 1900) and 61. */
  assert_row (table, 2, 4, "1900-02-28", "1900-02-29", "1900-03-01", NULL);
  /* [h]:mm:ss of 1.5 days; a quoted "Day" is not a date; format 22. */
  assert_row (table, 3, 5, "36:00:00", "Day 7.00", "2024-03-01 14:30", NULL);
  /* Row 6 missing; only C7, a formula's cached value. */
  assert_row (table, 4, 7, "", "", "2", NULL);
  /* A string formula; an ISO date cell; D8 is right of the last column. */
  assert_row (table, 5, 8, "x", "2024-03-01T10:00:00", "", NULL);

  g_assert_cmpuint (n_warnings (table), ==, 2);
  g_assert_cmpstr (warnings[0], ==, "Cell B3 holds the error #N/A");
  g_assert_cmpstr (warnings[1], ==, "1 value is right of the last named column and is not used");
}

/* LibreOffice writes TRUE and FALSE as 1 and 0 with the number format
 * "TRUE";"TRUE";"FALSE". A section that is only text shows that text:
 * the first for positive numbers, the second for negative, the third for
 * zero; a section with digits shows the number. */
static void
test_xlsx_libreoffice_bool (void)
{
  g_autoptr(EpTable) table = read_ok ("lo-bool.xlsx");

  assert_columns (table, "Paid", "Sign", "Wahr", "Plain", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 3);
  assert_row (table, 0, 2, "TRUE", "2.5", "WAHR", "1", NULL);
  assert_row (table, 1, 3, "FALSE", "minus", "FALSCH", "0", NULL);
  assert_row (table, 2, 4, "TRUE", "nothing", "", "", NULL);
  g_assert_cmpuint (n_warnings (table), ==, 0);
}

static void
test_xlsx_damaged (void)
{
  assert_read_fails ("truncated.xlsx", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT);
  assert_read_fails ("garbage.xlsx", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT);
  assert_read_fails ("badxml.xlsx", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT);
}

static void
test_encrypted (void)
{
  assert_read_fails ("locked.xlsx", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCRYPTED);
  assert_read_fails ("locked-noext", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCRYPTED);
  assert_read_fails ("locked.ods", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCRYPTED);
}

static void
test_zip_bomb (void)
{
  /* 64 MiB of XML in 66 KiB: refused by its ratio before unpacking. */
  assert_read_fails ("bomb.xlsx", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE);

  /* Over the total budget (lowered here; 1 GiB by default). */
  _ep_table_set_zip_limits (2048, 0);
  assert_read_fails ("big.xlsx", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE);
  assert_read_fails ("values.ods", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE);
  _ep_table_set_zip_limits (0, 0);

  {
    g_autoptr(EpTable) table = read_ok ("big.xlsx");

    g_assert_cmpuint (ep_table_get_n_rows (table), ==, 5000);
  }
}

typedef struct
{
  guint         calls;
  guint64       done;
  guint64       total;
  GCancellable *cancel;   /* cancelled on the first call */
} Progress;

static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *p = user_data;

  g_assert_cmpuint (done, >=, p->done);
  p->calls++;
  p->done = done;
  p->total = total;
  if (p->cancel != NULL)
    g_cancellable_cancel (p->cancel);
}

static void
test_progress_and_cancel (void)
{
  static const char *names[] = { "big.xlsx", "values.ods", "late-cp1252.csv" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = fixture (names[i]);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(EpTable) table = NULL;
      EpTableOptions options = { 0, };
      Progress progress = { 0, };

      g_test_message ("%s", names[i]);
      options.progress = on_progress;
      options.progress_data = &progress;
      table = ep_table_read (path, &options, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (table);
      g_assert_cmpuint (progress.calls, >, 0);
      g_assert_cmpuint (progress.total, >, 0);
      g_assert_cmpuint (progress.done, ==, progress.total);

      /* Cancelled while reading (from the first progress report). */
      progress = (Progress) { 0, };
      progress.cancel = cancellable;
      g_assert_null (ep_table_read (path, &options, cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpuint (progress.calls, >, 0);
      g_clear_error (&error);

      /* Cancelled before. */
      g_assert_null (ep_table_read (path, &options, cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

/* ---- hostile files (issue 16) --------------------------------------------- */

/* Each fails at once with an error that says what is wrong; a FIFO or a
 * device is never opened (a FIFO would block until written to: a hang
 * here is the meson timeout, a failure). */
static void
test_hostile_not_files (void)
{
  static const char *names[] = { "fifo.csv", "fifo.xlsx" };
  g_autofree char *folder = fixture ("folder.csv");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = fixture (names[i]);

      g_assert_cmpint (mkfifo (path, 0600), ==, 0);
      g_assert_cmpint (ep_table_format_for_file (path), !=, EP_TABLE_FORMAT_UNKNOWN);
      assert_read_fails (names[i], NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED);
      g_assert_null (ep_table_read (path, NULL, NULL, &error));
      g_assert_nonnull (strstr (error->message, "not a regular file"));
      g_clear_error (&error);
      g_unlink (path);
    }

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  assert_read_fails ("folder.csv", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED);
  g_assert_null (ep_table_read (folder, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "folder"));
  g_clear_error (&error);
  g_rmdir (folder);

  assert_read_fails ("no-such-file.csv", NULL, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_hostile_empty (void)
{
  static const char *names[] = { "zero.csv", "zero.xlsx", "zero.ods" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = fixture (names[i]);
      g_autoptr(GError) error = NULL;

      g_assert_null (ep_table_read (path, NULL, NULL, &error));
      g_assert_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_EMPTY);
      g_assert_cmpstr (error->message, ==, "The file is empty (0 bytes)");
    }
}

/* 2 GiB of nothing (sparse: no disk used) is refused by its size before a
 * byte is read; 64 MiB of NUL bytes named .csv is not text. */
static void
test_hostile_sparse (void)
{
  static const struct { const char *name; goffset size; int code; } cases[] = {
    { "sparse.csv", G_GINT64_CONSTANT (2) << 30, EP_TABLE_ERROR_TOO_LARGE },
    { "sparse.xlsx", G_GINT64_CONSTANT (2) << 30, EP_TABLE_ERROR_TOO_LARGE },
    { "nul.csv", 64 << 20, EP_TABLE_ERROR_CORRUPT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = fixture (cases[i].name);
      int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (ftruncate (fd, cases[i].size), ==, 0);
      close (fd);
      assert_read_fails (cases[i].name, NULL, EP_TABLE_ERROR, cases[i].code);
      g_unlink (path);
    }
}

static void
test_hostile_wide (void)
{
  g_autoptr(EpTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture ("wide.csv");

  /* A million columns: past 16,384 in the header is an error (CSV and
   * XLSX); in a data row under a short header, the extra values are
   * dropped with a warning, never kept. */
  g_assert_null (ep_table_read (path, NULL, NULL, &error));
  g_assert_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "16384 columns"));
  assert_read_fails ("wide.xlsx", NULL, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE);

  table = read_ok ("wide-row.csv");
  assert_columns (table, "Name", "Email", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 1);
  assert_row (table, 0, 2, "Ann", "ann@example.org", NULL);
  g_assert_cmpuint (n_warnings (table), ==, 1);
}

static void
test_hostile_cells (void)
{
  g_autoptr(EpTable) table = read_ok ("cell-1mb.csv");
  g_autofree char *endless = fixture ("cell-endless.csv");
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (strlen (ep_table_get_value (table, 0, 1)), ==, 1000000);

  /* Past 1 MiB with no line end: refused while it is being read, with
   * its row. */
  g_assert_null (ep_table_read (endless, NULL, NULL, &error));
  g_assert_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "Row 2 "));
}

typedef struct
{
  const char *path;
  gboolean    unlink;
  guint       calls;
} Vanish;

static void
vanish_progress (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  Vanish *v = user_data;

  if (v->calls++ > 0)
    return;
  if (v->unlink)
    g_assert_cmpint (g_unlink (v->path), ==, 0);
  else
    g_assert_cmpint (truncate (v->path, 1000), ==, 0);
}

/* The file cut short while it is read gives an error, not half a table;
 * deleted while it is read, it is still read whole (the reader holds it
 * open), so nothing is silently missing either way. */
static void
test_hostile_vanish (void)
{
  g_autofree char *source = fixture ("long.csv");
  g_autofree char *path = fixture ("vanish.csv");
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (source, &contents, &len, NULL));

  for (guint unlink = 0; unlink < 2; unlink++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EpTable) table = NULL;
      EpTableOptions options = { 0, };
      Vanish vanish = { path, unlink, 0 };

      g_assert_true (g_file_set_contents (path, contents, len, NULL));
      options.progress = vanish_progress;
      options.progress_data = &vanish;
      table = ep_table_read (path, &options, NULL, &error);
      g_assert_cmpuint (vanish.calls, >, 0);
      if (unlink)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (ep_table_get_n_rows (table), ==, 40000);
        }
      else
        {
          g_assert_null (table);
          g_assert_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT);
          g_assert_nonnull (strstr (error->message, "shorter"));
          g_unlink (path);
        }
    }
}

/* ---- ODS ------------------------------------------------------------------ */

static void
test_ods_values (void)
{
  g_autoptr(EpTable) table = read_ok ("values.ods");
  const char * const *sheets = ep_table_get_sheets (table);

  g_assert_cmpint (ep_table_get_format (table), ==, EP_TABLE_FORMAT_ODS);
  g_assert_cmpstr (sheets[0], ==, "Values");
  g_assert_cmpstr (sheets[1], ==, "Other");
  g_assert_null (sheets[2]);
  g_assert_cmpstr (ep_table_get_sheet (table), ==, "Values");

  /* Two blank rows first: the header is row 3. 16,000 blank cells to its
   * right add no columns. */
  assert_columns (table, "Float", "Currency", "Percent", "Date", "DateTime", "Time", "Bool",
                  "Text", "Paras", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 5);
  assert_row (table, 0, 4, "0.1", "1234.5", "25%", "2024-03-01", "2024-03-01T14:30:00",
              "14:30:00", "TRUE", "a   b\tc\nd e", "first\nsecond", NULL);
  /* A row repeated three times, a cell repeated over two columns. */
  for (guint r = 1; r <= 3; r++)
    assert_row (table, r, 4 + r, "12", "12", "", "", "", "", "", "rep", "", NULL);
  /* A blank row 8; the million blank rows at the end cost nothing. */
  assert_row (table, 4, 9, "-3.5", "", "", "", "", "", "", "", "", NULL);
  g_assert_cmpuint (n_warnings (table), ==, 0);
}

/* LibreOffice writes TRUE and FALSE as floats 1 and 0 whose cell style has
 * a number:boolean-style: on the cell (ce1), through the column's default
 * cell style, or through a parent style in styles.xml (ce2 → Flag). */
static void
test_ods_libreoffice_bool (void)
{
  g_autoptr(EpTable) table = read_ok ("lo-bool.ods");

  assert_columns (table, "Paid", "Sent", "Seen", "Count", "Flag", "Bool", NULL);
  g_assert_cmpuint (ep_table_get_n_rows (table), ==, 2);
  /* Count is a float with a plain number style: 1 and 0 stay numbers. */
  /* As LibreOffice shows it ("1.00"), the value under it kept as raw. */
  assert_row (table, 0, 2, "TRUE", "FALSE", "TRUE", "1.00", "FALSE", "TRUE", NULL);
  g_assert_cmpstr (ep_table_get_raw_value (table, 0, 3), ==, "1");
  g_assert_cmpstr (ep_table_get_raw_value (table, 1, 3), ==, "0");
  assert_row (table, 1, 3, "FALSE", "TRUE", "TRUE", "0", "TRUE", "FALSE", NULL);
  g_assert_cmpuint (n_warnings (table), ==, 0);
}

static void
test_ods_sheets (void)
{
  EpTableOptions options = { 0, };
  g_autoptr(EpTable) table = NULL;
  g_autofree char *path = fixture ("values.ods");
  g_autoptr(GError) error = NULL;

  options.sheet = "Other";
  table = read_with ("values.ods", &options);
  g_assert_cmpstr (ep_table_get_sheet (table), ==, "Other");
  assert_columns (table, "Only", NULL);
  assert_row (table, 0, 2, "y", NULL);

  options.sheet = "Missing";
  g_assert_null (ep_table_read (path, &options, NULL, &error));
  g_assert_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_NO_SUCH_SHEET);
  g_assert_nonnull (strstr (error->message, "“Values”, “Other”"));
}

/* ---- async ---------------------------------------------------------------- */

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  EpTable **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ep_table_read_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autofree char *path = fixture ("types.xlsx");
  g_autoptr(EpTable) table = NULL;
  char *sheet = g_strdup ("Second");
  EpTableOptions options = { 0, };

  options.sheet = sheet;
  ep_table_read_async (path, &options, NULL, read_cb, &table);
  /* The options are copied. */
  g_free (sheet);
  options.sheet = NULL;

  while (table == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (ep_table_get_sheet (table), ==, "Second");
  assert_row (table, 0, 2, "x", NULL);
}

/* ---- main ----------------------------------------------------------------- */

#define remove_tree test_remove_tree

static gboolean
make_fixtures (void)
{
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  if (srcdir != NULL)
    script = g_build_filename (srcdir, "table", "make-fixtures.py", NULL);
  if (script == NULL || !g_file_test (script, G_FILE_TEST_EXISTS))
    {
      g_free (script);
      script = g_build_filename (TABLE_SRCDIR, "make-fixtures.py", NULL);
    }

  fixtures = g_dir_make_tmp ("epistle-table-XXXXXX", &error);
  g_assert_no_error (error);

  {
    const char *argv[] = { "/usr/bin/python3", script, fixtures, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        g_printerr ("make-fixtures.py: %s\n", error->message);
        return FALSE;
      }
  }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!make_fixtures ())
    return 1;

  g_test_add_func ("/table/container", test_container);
  g_test_add_func ("/table/format", test_format);
  g_test_add_func ("/table/csv/utf8-bom", test_csv_utf8_bom);
  g_test_add_func ("/table/csv/unicode-text", test_csv_unicode_text);
  g_test_add_func ("/table/csv/utf16be", test_csv_utf16be);
  g_test_add_func ("/table/csv/cp1252", test_csv_cp1252);
  g_test_add_func ("/table/csv/lost-letters", test_csv_lost_letters);
  g_test_add_func ("/table/csv/late-cp1252", test_csv_late_cp1252);
  g_test_add_func ("/table/csv/encoding-override", test_csv_encoding_override);
  g_test_add_func ("/table/csv/delimiters", test_csv_delimiters);
  g_test_add_func ("/table/csv/quoted", test_csv_quoted);
  g_test_add_func ("/table/csv/blank-lines", test_csv_blank_lines);
  g_test_add_func ("/table/csv/headers", test_csv_headers);
  g_test_add_func ("/table/csv/limits", test_csv_limits);
  g_test_add_func ("/table/xlsx/types", test_xlsx_types);
  g_test_add_func ("/table/xlsx/sheets", test_xlsx_sheets);
  g_test_add_func ("/table/xlsx/1904", test_xlsx_1904);
  g_test_add_func ("/table/xlsx/openpyxl", test_xlsx_openpyxl);
  g_test_add_func ("/table/xlsx/hand", test_xlsx_hand);
  g_test_add_func ("/table/xlsx/libreoffice-bool", test_xlsx_libreoffice_bool);
  g_test_add_func ("/table/xlsx/damaged", test_xlsx_damaged);
  g_test_add_func ("/table/encrypted", test_encrypted);
  g_test_add_func ("/table/zip-bomb", test_zip_bomb);
  g_test_add_func ("/table/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/table/ods/values", test_ods_values);
  g_test_add_func ("/table/ods/libreoffice-bool", test_ods_libreoffice_bool);
  g_test_add_func ("/table/ods/sheets", test_ods_sheets);
  g_test_add_func ("/table/async", test_async);
  g_test_add_func ("/table/hostile/not-files", test_hostile_not_files);
  g_test_add_func ("/table/hostile/empty", test_hostile_empty);
  g_test_add_func ("/table/hostile/sparse", test_hostile_sparse);
  g_test_add_func ("/table/hostile/wide", test_hostile_wide);
  g_test_add_func ("/table/hostile/cells", test_hostile_cells);
  g_test_add_func ("/table/hostile/vanish", test_hostile_vanish);

  result = g_test_run ();
  remove_tree (fixtures);
  g_free (fixtures);
  return result;
}
