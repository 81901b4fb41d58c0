/* ep-table-csv.c: CSV (and Excel "Unicode Text") with libcsv
 *
 * The text encoding comes from a byte-order mark, else from a UTF-8 check,
 * else from uchardet (Windows-1252, ISO-8859-x, …); the person can name it
 * instead. The file is converted to UTF-8 as it streams through GIO's
 * charset converter and fed to libcsv in chunks, so only the cells are
 * kept. The separator is sniffed from the first lines among , ; TAB |.
 *
 * Row numbers count records as a spreadsheet application shows them: the
 * first line is row 1 and blank lines count (they are skipped, not
 * renumbered); a quoted value spanning lines is still one row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <string.h>
#include <csv.h>
#include <uchardet/uchardet.h>
#include <glib/gi18n-lib.h>

#include "ep-table-private.h"

#define SAMPLE_SIZE (64 * 1024)
#define CHUNK_SIZE (64 * 1024)

typedef struct
{
  EpTable       *table;
  GPtrArray     *record;       /* char * */
  GPtrArray     *warnings;
  guint          n_records;
  guint          n_long_rows;
  guint          first_long_row;
  int            last_end;     /* what ended the previous record */
  gboolean       too_large;
  gboolean       too_wide;     /* the header has more than EP_TABLE_MAX_COLUMNS */
  gboolean       extra;        /* a value right of the last kept column */
} Reader;

static void
field_cb (void   *data,
          size_t  len,
          void   *user_data)
{
  Reader *r = user_data;
  guint limit = r->table ? ep_table_get_n_columns (r->table) : EP_TABLE_MAX_COLUMNS;

  if (len > EP_TABLE_MAX_CELL)
    r->too_large = TRUE;

  /* Values right of the last column are only noted, never kept: a row of a
   * million separators costs nothing. */
  if (r->record->len >= limit)
    {
      if (len > 0)
        r->extra = TRUE;
      if (r->table == NULL)
        r->too_wide = TRUE;
      return;
    }

  g_ptr_array_add (r->record, g_strndup (data ? data : "", len));
}

static void
record_cb (int   c,
           void *user_data)
{
  Reader *r = user_data;
  gboolean blank = TRUE;
  gboolean extra = r->extra;
  int last_end = r->last_end;

  r->last_end = c;
  r->extra = FALSE;
  if (r->too_wide || r->too_large)
    return;

  /* With CSV_REPALL_NL every line end outside a record is reported with no
   * field: a blank line, or the LF of a CRLF that ended the last record. */
  if (r->record->len == 0 && c == '\n' && last_end == '\r')
    return;

  for (guint i = 0; i < r->record->len; i++)
    if (*(const char *) g_ptr_array_index (r->record, i) != '\0')
      blank = FALSE;
  if (extra)
    blank = FALSE;

  if (blank && r->table == NULL)
    {
      /* Leading blank rows before the header. */
      g_ptr_array_set_size (r->record, 0);
      r->n_records++;
      return;
    }

  r->n_records++;

  if (r->table == NULL)
    {
      g_autoptr(GPtrArray) names = _ep_table_clean_header (r->record, r->warnings);

      g_ptr_array_add (names, NULL);
      r->table = ep_table_new ((const char * const *) names->pdata);
    }
  else if (!blank)
    {
      /* Trailing empty cells (a separator at the end of the line) are
       * common and harmless; say so only when values are dropped. */
      if (extra && r->n_long_rows++ == 0)
        r->first_long_row = r->n_records;
      ep_table_append_row (r->table, r->n_records, (const char * const *) r->record->pdata,
                           r->record->len);
    }

  g_ptr_array_set_size (r->record, 0);
}

static const char *
detect_encoding (const guchar *sample,
                 gsize         len,
                 gsize        *bom)
{
  *bom = 0;

  if (len >= 3 && sample[0] == 0xEF && sample[1] == 0xBB && sample[2] == 0xBF)
    {
      *bom = 3;
      return "UTF-8";
    }
  if (len >= 2 && sample[0] == 0xFF && sample[1] == 0xFE)
    {
      *bom = 2;
      return "UTF-16LE";
    }
  if (len >= 2 && sample[0] == 0xFE && sample[1] == 0xFF)
    {
      *bom = 2;
      return "UTF-16BE";
    }

  {
    const char *end = NULL;

    /* A sample cut in the middle of a character is still UTF-8. */
    if (g_utf8_validate ((const char *) sample, len, &end) ||
        (len == SAMPLE_SIZE && (const guchar *) end >= sample + len - 4))
      return "UTF-8";
  }

  return NULL;
}

/* What a legacy 8-bit text says about itself: how many bytes are not
 * ASCII, and whether all of them are characters in Windows-1252. */
typedef struct
{
  uchardet_t detector;
  guint      n_high;
  gboolean   not_cp1252;
} Legacy;

static void
legacy_feed (Legacy       *legacy,
             const guchar *data,
             gsize         len)
{
  if (legacy->detector == NULL)
    legacy->detector = uchardet_new ();
  uchardet_handle_data (legacy->detector, (const char *) data, len);
  for (gsize i = 0; i < len; i++)
    if (data[i] >= 0x80)
      {
        legacy->n_high++;
        if (data[i] == 0x81 || data[i] == 0x8D || data[i] == 0x8F || data[i] == 0x90 || data[i] == 0x9D)
          legacy->not_cp1252 = TRUE;
      }
}

/* uchardet's answer, unless it has too little to go on: a handful of
 * accented letters in a list of names is far more likely Windows-1252
 * (what Excel writes as "CSV" on Windows) than, say, Mac Central European. */
static char *
legacy_finish (Legacy *legacy)
{
  char *result = NULL;
  const char *name;

  if (legacy->detector == NULL)
    return g_strdup ("WINDOWS-1252");

  uchardet_data_end (legacy->detector);
  name = uchardet_get_charset (legacy->detector);
  if (name != NULL && *name != '\0' && g_ascii_strcasecmp (name, "ASCII") != 0 &&
      g_ascii_strcasecmp (name, "UTF-8") != 0 &&
      (legacy->n_high >= 32 || legacy->not_cp1252))
    result = g_ascii_strup (name, -1);
  uchardet_delete (legacy->detector);
  legacy->detector = NULL;

  return result ? result : g_strdup ("WINDOWS-1252");
}

static char *
guess_legacy_encoding (const guchar *sample,
                       gsize         len)
{
  Legacy legacy = { 0, };

  legacy_feed (&legacy, sample, len);
  return legacy_finish (&legacy);
}

/* The sample was UTF-8 (often plain ASCII) but the file goes on: an
 * accented name near the end of a Windows-1252 file must not make it
 * unreadable. Checks the rest; if it is not UTF-8, asks uchardet about the
 * whole file. NULL when the rest is UTF-8 too. */
static char *
check_rest (GInputStream  *in,
            const guchar  *sample,
            gsize          sample_len,
            GCancellable  *cancellable)
{
  g_autofree guchar *buffer = g_malloc (CHUNK_SIZE + 4);
  Legacy legacy = { 0, };
  gboolean utf8 = TRUE;
  gsize carry = 0;

  /* A character cut at the end of the sample. */
  {
    const char *end = NULL;

    if (!g_utf8_validate ((const char *) sample, sample_len, &end))
      {
        carry = sample + sample_len - (const guchar *) end;
        memcpy (buffer, end, carry);
      }
  }

  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer + carry, CHUNK_SIZE, cancellable, NULL);
      const char *end = NULL;
      gsize len, rest;

      if (n <= 0)
        break;
      len = carry + n;
      if (!utf8)
        {
          legacy_feed (&legacy, buffer + carry, n);
          carry = 0;
          continue;
        }
      if (g_utf8_validate ((const char *) buffer, len, &end))
        {
          carry = 0;
          continue;
        }
      rest = len - ((const guchar *) end - buffer);
      if (rest < 4 && g_utf8_get_char_validated (end, rest) == (gunichar) -2)
        {
          carry = rest;
          memmove (buffer, end, carry);
        }
      else
        {
          utf8 = FALSE;
          legacy_feed (&legacy, sample, sample_len);
          legacy_feed (&legacy, buffer, len);
          carry = 0;
        }
    }

  return utf8 ? NULL : legacy_finish (&legacy);
}

/* The separator that splits the first lines into the same number (> 0) of
 * fields most often, quotes respected. */
static char
sniff_delimiter (const char *text,
                 gsize       len)
{
  static const char candidates[] = { ',', ';', '\t', '|' };
  char best = ',';
  guint best_score = 0;

  for (guint c = 0; c < G_N_ELEMENTS (candidates); c++)
    {
      guint counts[20] = { 0, };
      guint n_lines = 0, count = 0, score = 0;
      gboolean quoted = FALSE;

      for (gsize i = 0; i < len && n_lines < G_N_ELEMENTS (counts); i++)
        {
          char ch = text[i];

          if (ch == '"')
            quoted = !quoted;
          else if (!quoted && ch == candidates[c])
            count++;
          else if (!quoted && ch == '\n')
            {
              counts[n_lines++] = count;
              count = 0;
            }
        }
      if (n_lines < G_N_ELEMENTS (counts) && count > 0)
        counts[n_lines++] = count;

      /* Lines agreeing with the first line's count, weighted by it. */
      for (guint l = 0; l < n_lines; l++)
        if (counts[l] == counts[0] && counts[0] > 0)
          score += 1 + MIN (counts[0], 50);

      if (score > best_score)
        {
          best_score = score;
          best = candidates[c];
        }
    }

  return best;
}

/* A "?" before a letter ("?ukasz", "Wa??sa"): where a program saving in a
 * legacy encoding put a letter it could not write. Not a question mark
 * ending a word ("Kommen Sie?"), not in links. */
static gboolean
has_lost_letter (const char *value)
{
  const char *q = strchr (value, '?');

  if (q == NULL || strstr (value, "://") != NULL)
    return FALSE;
  for (; q != NULL; q = strchr (q + 1, '?'))
    {
      if (g_unichar_isalpha (g_utf8_get_char (q + 1)))
        return TRUE;
    }
  return FALSE;
}

static void
warn_lost_letters (EpTable    *table,
                   const char *encoding,
                   GPtrArray  *warnings)
{
  guint n = 0, first_row = 0, first_column = 0;

  for (guint r = 0; r < ep_table_get_n_rows (table); r++)
    for (guint c = 0; c < ep_table_get_n_columns (table); c++)
      if (has_lost_letter (ep_table_get_value (table, r, c)) && n++ == 0)
        {
          first_row = r;
          first_column = c;
        }
  if (n == 0)
    return;

  g_ptr_array_add (warnings,
                   g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Row %u, %s: “%s” has a “?” where a letter may "
                                                 "have been lost (the program that saved the file "
                                                 "could not write it in %s). Save it again as "
                                                 "“CSV UTF-8” to keep every letter",
                                                 "Row %u, %s: “%s” has a “?” where a letter may "
                                                 "have been lost (the program that saved the file "
                                                 "could not write it in %s); %u cells in all have "
                                                 "one. Save it again as “CSV UTF-8” to keep every "
                                                 "letter",
                                                 n),
                                    ep_table_get_row_number (table, first_row),
                                    ep_table_get_column (table, first_column),
                                    ep_table_get_value (table, first_row, first_column),
                                    encoding, n));
}

EpTable *
_ep_table_read_csv (const char            *path,
                    const EpTableOptions  *options,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) raw = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree guchar *sample = g_malloc (SAMPLE_SIZE);
  g_autofree char *buffer = g_malloc (CHUNK_SIZE);
  g_autofree char *encoding = NULL;
  GError *local_error = NULL;
  struct csv_parser parser;
  Reader reader = { 0, };
  gsize sample_len = 0;
  gsize bom = 0;
  guint64 total = 0, done = 0;
  gboolean first_chunk = TRUE;
  char delimiter;
  EpTable *table = NULL;

  raw = g_file_read (file, cancellable, error);
  if (raw == NULL)
    return NULL;

  info = g_file_input_stream_query_info (raw, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL)
    total = g_file_info_get_size (info);

  if (!g_input_stream_read_all (G_INPUT_STREAM (raw), sample, SAMPLE_SIZE, &sample_len,
                                cancellable, error))
    return NULL;

  if (options->encoding != NULL && *options->encoding != '\0')
    {
      encoding = g_ascii_strup (options->encoding, -1);
      /* A BOM still marks where the text starts. */
      if (detect_encoding (sample, sample_len, &bom) == NULL)
        bom = 0;
      if (g_str_equal (encoding, "UTF-16") && bom == 2)
        {
          g_free (encoding);
          encoding = g_strdup (sample[0] == 0xFF ? "UTF-16LE" : "UTF-16BE");
        }
    }
  else
    {
      const char *found = detect_encoding (sample, sample_len, &bom);

      encoding = found ? g_strdup (found) : guess_legacy_encoding (sample, sample_len);
      if (found != NULL && bom == 0 && sample_len == SAMPLE_SIZE)
        {
          char *other = check_rest (G_INPUT_STREAM (raw), sample, sample_len, cancellable);

          if (other != NULL)
            {
              g_free (encoding);
              encoding = other;
            }
        }
    }

  /* UTF-16 and UTF-32 hold NUL bytes; a text in any other encoding does
   * not (a sparse or binary file, a workbook saved under a .csv name). */
  if (g_ascii_strncasecmp (encoding, "UTF-16", 6) != 0 &&
      g_ascii_strncasecmp (encoding, "UTF-32", 6) != 0 &&
      g_ascii_strncasecmp (encoding, "UCS-", 4) != 0 &&
      memchr (sample, '\0', sample_len) != NULL)
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                           _("This is not a text (CSV) file: it holds NUL bytes"));
      return NULL;
    }

  /* Rewind to the start of the text and stream it as UTF-8. */
  if (!g_seekable_seek (G_SEEKABLE (raw), bom, G_SEEK_SET, cancellable, error))
    return NULL;

  if (g_ascii_strcasecmp (encoding, "UTF-8") == 0)
    in = g_object_ref (G_INPUT_STREAM (raw));
  else
    {
      g_autoptr(GCharsetConverter) converter = g_charset_converter_new ("UTF-8", encoding, &local_error);

      if (converter == NULL)
        {
          g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCODING,
                       _("“%s” is not a text encoding this system knows"), encoding);
          g_clear_error (&local_error);
          return NULL;
        }
      in = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (converter));
    }

  if (csv_init (&parser, CSV_APPEND_NULL | CSV_REPALL_NL) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }
  reader.record = g_ptr_array_new_with_free_func (g_free);
  reader.warnings = warnings;
  delimiter = options->delimiter;

  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer, CHUNK_SIZE, cancellable, &local_error);

      if (n < 0)
        break;
      if (n == 0)
        break;

      if (first_chunk)
        {
          if (delimiter == 0)
            delimiter = sniff_delimiter (buffer, n);
          csv_set_delim (&parser, delimiter);
          first_chunk = FALSE;
        }

      if (csv_parse (&parser, buffer, n, field_cb, record_cb, &reader) != (size_t) n)
        {
          g_set_error (&local_error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                       _("The file could not be read as CSV: %s"), csv_strerror (csv_error (&parser)));
          break;
        }

      /* A value still being read counts too: a file with no separator
       * must not be gathered into one value of its whole size. */
      if (reader.too_large || parser.entry_pos > EP_TABLE_MAX_CELL)
        {
          g_set_error (&local_error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                       _("Row %u has a value longer than %u KiB; this does not look like a "
                         "spreadsheet"), reader.n_records + 1, EP_TABLE_MAX_CELL / 1024);
          break;
        }

      if (reader.too_wide)
        {
          g_set_error (&local_error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                       _("The header row has more than %u columns, the most a spreadsheet "
                         "can have"), EP_TABLE_MAX_COLUMNS);
          break;
        }

      done = g_seekable_tell (G_SEEKABLE (raw));
      if (options->progress != NULL)
        options->progress (done, total, options->progress_data);
    }

  if (local_error == NULL)
    {
      csv_fini (&parser, field_cb, record_cb, &reader);
      if (reader.too_large || reader.too_wide)
        g_set_error (&local_error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                     reader.too_wide
                       ? _("The header row has more than %u columns, the most a spreadsheet can have")
                       : _("The last row has a value longer than %u KiB; this does not look like a "
                           "spreadsheet"),
                     reader.too_wide ? EP_TABLE_MAX_COLUMNS : EP_TABLE_MAX_CELL / 1024);
    }

  /* Shorter than when it was opened: truncated (or replaced) while being
   * read. What was read is not the file; better no table than half of it. */
  if (local_error == NULL && total > 0 && (guint64) g_seekable_tell (G_SEEKABLE (raw)) < total)
    g_set_error_literal (&local_error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                         _("The file became shorter while it was being read; "
                           "wait until it is saved and open it again"));
  csv_free (&parser);
  g_ptr_array_unref (reader.record);

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
        {
          g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCODING,
                       _("The text is not valid %s near row %u; choose its encoding"),
                       encoding, reader.n_records + 1);
          g_error_free (local_error);
        }
      else
        g_propagate_error (error, local_error);
      g_clear_pointer (&reader.table, ep_table_unref);
      return NULL;
    }

  if (reader.table == NULL)
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_EMPTY,
                           _("The file has no header row"));
      return NULL;
    }

  table = reader.table;

  /* UTF-8 given or detected: every cell must really be UTF-8. */
  if (g_ascii_strcasecmp (encoding, "UTF-8") == 0)
    {
      for (guint r = 0; r < ep_table_get_n_rows (table); r++)
        for (guint c = 0; c < ep_table_get_n_columns (table); c++)
          if (!g_utf8_validate (ep_table_get_value (table, r, c), -1, NULL))
            {
              g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCODING,
                           _("Row %u is not valid UTF-8; choose the file’s encoding"),
                           ep_table_get_row_number (table, r));
              ep_table_unref (table);
              return NULL;
            }
      for (guint c = 0; c < ep_table_get_n_columns (table); c++)
        if (!g_utf8_validate (ep_table_get_column (table, c), -1, NULL))
          {
            g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCODING,
                                 _("The header row is not valid UTF-8; choose the file’s encoding"));
            ep_table_unref (table);
            return NULL;
          }
    }

  if (reader.n_long_rows > 0)
    g_ptr_array_add (warnings,
                     g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "Row %u has more values than there are columns; "
                                                   "the extra values are not used",
                                                   "%2$u rows (the first is row %1$u) have more values "
                                                   "than there are columns; the extra values are not used",
                                                   reader.n_long_rows),
                                      reader.first_long_row, reader.n_long_rows));

  if (g_ascii_strncasecmp (encoding, "UTF-", 4) != 0)
    warn_lost_letters (table, encoding, warnings);

  for (guint i = 0; i < warnings->len; i++)
    ep_table_add_warning (table, g_ptr_array_index (warnings, i));

  _ep_table_set_source (table, EP_TABLE_FORMAT_CSV, NULL, NULL, encoding, delimiter);

  return table;
}
