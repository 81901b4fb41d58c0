/* ep-table-zip.c: XLSX and ODS workbooks with libzip and libxml2
 *
 * Each XML part is streamed out of the zip (zip_fread) into libxml2's
 * xmlTextReader, so a sheet is never held in memory as a whole: only the
 * cells kept, the shared strings and the styles. External entities and
 * network access are off. A part whose declared size is huge for its
 * compressed size (a zip bomb), a damaged archive, or an encrypted
 * workbook is an error, never a crash.
 *
 * What is written for a cell is what a person reads in the spreadsheet:
 * numbers without binary noise (0.1, 12), dates and times from the cell's
 * number format as ISO 8601, TRUE/FALSE, formulas' cached results.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <math.h>
#include <string.h>
#include <zip.h>
#include <libxml/xmlreader.h>
#include <glib/gi18n-lib.h>

#include "ep-table-private.h"

/* Limits against hostile files: decompressed size of one XML part, and the
 * ratio above which a large part is taken for a zip bomb. */
#define MAX_PART_SIZE   ((zip_uint64_t) 2 * 1024 * 1024 * 1024)
#define MAX_RATIO       200
#define RATIO_MIN_SIZE  ((zip_uint64_t) 32 * 1024 * 1024)
#define MAX_COLUMNS     16384
#define MAX_ROWS        5000000
#define CANCEL_EVERY    1024

G_DEFINE_AUTOPTR_CLEANUP_FUNC (zip_t, zip_discard)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlTextReader, xmlFreeTextReader)

static const guchar ole_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

/* ---- zip parts as XML readers -------------------------------------------- */

typedef struct
{
  zip_file_t           *file;
  zip_uint64_t          read;
  zip_uint64_t          size;
  guint64              *progress_done;
  const EpTableOptions *options;
  guint64               progress_total;
  gboolean              failed;
} Part;

static int
part_read (void *context,
           char *buffer,
           int   len)
{
  Part *part = context;
  zip_int64_t n = zip_fread (part->file, buffer, len);

  if (n < 0)
    {
      part->failed = TRUE;
      return -1;
    }

  part->read += n;
  if (part->read > part->size)
    {
      /* More data than the directory announced: refuse. */
      part->failed = TRUE;
      return -1;
    }

  if (part->progress_done != NULL)
    {
      *part->progress_done += n;
      if (part->options->progress != NULL)
        part->options->progress (*part->progress_done, part->progress_total,
                                 part->options->progress_data);
    }

  return (int) n;
}

static int
part_close (void *context)
{
  Part *part = context;

  zip_fclose (part->file);
  g_free (part);
  return 0;
}

static zip_t *
open_zip (const char  *path,
          GError     **error)
{
  int code = 0;
  zip_t *zip = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &code);

  if (zip == NULL)
    {
      zip_error_t ze;

      zip_error_init_with_code (&ze, code);
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                   _("The file is damaged or not a spreadsheet (%s)"), zip_error_strerror (&ze));
      zip_error_fini (&ze);
    }

  return zip;
}

static gboolean
has_part (zip_t      *zip,
          const char *name)
{
  return zip_name_locate (zip, name, 0) >= 0;
}

/* An XML reader over one part; NULL with @error set when it is missing,
 * too big or suspicious. */
static xmlTextReader *
open_part (zip_t                *zip,
           const char           *name,
           gboolean              required,
           const EpTableOptions *options,
           guint64              *progress_done,
           guint64               progress_total,
           GError              **error)
{
  zip_stat_t st;
  Part *part;
  xmlTextReader *reader;

  zip_stat_init (&st);
  if (zip_stat (zip, name, 0, &st) != 0)
    {
      if (required)
        g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                     _("The file is damaged: its part “%s” is missing"), name);
      return NULL;
    }

  if (st.size > MAX_PART_SIZE ||
      (st.size > RATIO_MIN_SIZE && st.comp_size > 0 && st.size / st.comp_size > MAX_RATIO))
    {
      g_autofree char *size = g_format_size (st.size);

      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                   _("The file expands to %s, far more than its size; it was not opened "
                     "(it may be a “zip bomb”)"), size);
      return NULL;
    }

  part = g_new0 (Part, 1);
  part->size = st.size;
  part->options = options;
  part->progress_done = progress_done;
  part->progress_total = progress_total;
  part->file = zip_fopen (zip, name, 0);
  if (part->file == NULL)
    {
      g_free (part);
      g_set_error (error, EP_TABLE_ERROR, zip_get_error (zip)->zip_err == ZIP_ER_ENCRNOTSUPP ||
                                          zip_get_error (zip)->zip_err == ZIP_ER_NOPASSWD
                                          ? EP_TABLE_ERROR_ENCRYPTED : EP_TABLE_ERROR_CORRUPT,
                   _("The part “%s” cannot be read: %s"), name, zip_strerror (zip));
      return NULL;
    }

  /* No network, no external entities, no DTD loading. */
  reader = xmlReaderForIO (part_read, part_close, part, name, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                           XML_PARSE_COMPACT);
  if (reader == NULL)
    {
      part_close (part);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
    }
  return reader;
}

static void
xml_error (GError     **error,
           const char  *part)
{
  g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
               _("The file is damaged or cut short (in “%s”)"), part);
}

/* Whole-part text, for small parts (manifest, rels). */
static char *
read_small_part (zip_t       *zip,
                 const char  *name,
                 gsize        limit)
{
  zip_stat_t st;
  zip_file_t *f;
  char *text;
  zip_int64_t n;

  zip_stat_init (&st);
  if (zip_stat (zip, name, 0, &st) != 0 || st.size > limit)
    return NULL;
  f = zip_fopen (zip, name, 0);
  if (f == NULL)
    return NULL;
  text = g_malloc0 (st.size + 1);
  n = zip_fread (f, text, st.size);
  zip_fclose (f);
  if (n < 0 || (zip_uint64_t) n != st.size)
    {
      g_free (text);
      return NULL;
    }
  return text;
}

EpTableFormat
_ep_table_sniff_zip (const char *path)
{
  g_autoptr(zip_t) zip = open_zip (path, NULL);
  g_autofree char *mimetype = NULL;

  if (zip == NULL)
    return EP_TABLE_FORMAT_UNKNOWN;
  mimetype = read_small_part (zip, "mimetype", 256);
  if (mimetype != NULL && g_str_has_prefix (mimetype, "application/vnd.oasis.opendocument.spreadsheet"))
    return EP_TABLE_FORMAT_ODS;
  if (has_part (zip, "xl/workbook.xml"))
    return EP_TABLE_FORMAT_XLSX;
  if (has_part (zip, "content.xml"))
    return EP_TABLE_FORMAT_ODS;
  return EP_TABLE_FORMAT_UNKNOWN;
}

static gboolean
check_not_ole (const char  *path,
               GError     **error)
{
  guchar magic[8] = { 0, };
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);

  if (in != NULL && g_input_stream_read (G_INPUT_STREAM (in), magic, 8, NULL, NULL) == 8 &&
      memcmp (magic, ole_magic, 8) == 0)
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCRYPTED,
                           _("The workbook is password-protected (or an old Excel 97–2003 "
                             ".xls file). Save it without a password as .xlsx, .ods or .csv"));
      return FALSE;
    }
  return TRUE;
}

/* ---- cell text ------------------------------------------------------------- */

/* A number as a person reads it: 0.1, 12, -3.5, 1E+20 stays 100000000000000000000. */
static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    return g_strdup ("");
  if (value == floor (value) && fabs (value) < 1e17)
    return g_strdup_printf ("%.0f", value);

  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  return g_strdup (buf);
}

static char *
format_number_text (const char *text)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text)
    return g_strdup (text);
  return format_number (value);
}

typedef enum { FMT_NONE, FMT_DATE, FMT_TIME, FMT_DATETIME, FMT_PERCENT } FmtKind;

/* What a number format shows, from its code: date/time tokens outside
 * quotes, brackets and escapes; a % sign. */
static FmtKind
classify_format_code (const char *code)
{
  gboolean date = FALSE, time = FALSE, percent = FALSE, month = FALSE;

  for (const char *p = code; *p; p++)
    {
      char c = g_ascii_tolower (*p);

      if (*p == '"')
        {
          p = strchr (p + 1, '"');
          if (p == NULL)
            break;
          continue;
        }
      if (*p == '\\' || *p == '_' || *p == '*')
        {
          if (p[1] != '\0')
            p++;
          continue;
        }
      if (*p == '[')
        {
          /* [h], [mm], [ss]: elapsed time; [Red], [$€-407]: not. */
          const char *close = strchr (p, ']');
          if (close == NULL)
            break;
          if (close - p >= 2 && strchr ("hms", g_ascii_tolower (p[1])) != NULL && p[1] != '$')
            time = TRUE;
          p = close;
          continue;
        }
      if (c == ';')
        break;   /* the first section decides */
      if (c == 'd' || c == 'y')
        date = TRUE;
      else if (c == 'm')
        month = TRUE;
      else if (c == 'h' || c == 's')
        time = TRUE;
      else if (c == '%')
        percent = TRUE;
    }

  if (month && !time)
    date = TRUE;
  if (date && time)
    return FMT_DATETIME;
  if (date)
    return FMT_DATE;
  if (time)
    return FMT_TIME;
  if (percent)
    return FMT_PERCENT;
  return FMT_NONE;
}

static FmtKind
classify_builtin (guint id)
{
  if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) ||
      (id >= 50 && id <= 58))
    return FMT_DATE;
  if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47) || id == 32 || id == 33)
    return FMT_TIME;
  if (id == 22)
    return FMT_DATETIME;
  if (id == 9 || id == 10)
    return FMT_PERCENT;
  return FMT_NONE;
}

static char *
format_serial (double   serial,
               FmtKind  kind,
               gboolean date1904)
{
  g_autoptr(GDateTime) base = NULL;
  g_autoptr(GDateTime) dt = NULL;
  gint64 days = (gint64) floor (serial);
  gint64 seconds = (gint64) llround ((serial - floor (serial)) * 86400.0);

  if (seconds >= 86400)
    {
      days++;
      seconds -= 86400;
    }

  if (date1904)
    base = g_date_time_new_utc (1904, 1, 1, 0, 0, 0);
  else if (days >= 61)
    base = g_date_time_new_utc (1899, 12, 30, 0, 0, 0);
  else
    base = g_date_time_new_utc (1899, 12, 31, 0, 0, 0);   /* before Excel's 29 Feb 1900 */

  if (kind == FMT_TIME)
    return g_strdup_printf ("%02d:%02d:%02d", (int) (seconds / 3600), (int) (seconds / 60 % 60),
                            (int) (seconds % 60));

  if (!date1904 && days == 60)
    return g_strdup (kind == FMT_DATE ? "1900-02-29" : "1900-02-29T00:00:00");

  dt = g_date_time_add_seconds (base, (double) days * 86400 + (kind == FMT_DATETIME ? seconds : 0));
  if (dt == NULL)
    return format_number (serial);

  return g_date_time_format (dt, kind == FMT_DATE ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S");
}

/* ---- rows into the table ------------------------------------------------- */

typedef struct
{
  EpTable   *table;
  GPtrArray *warnings;
  GPtrArray *cells;        /* char *, the row being read, by column */
  guint      n_columns;    /* 0 until the header is known */
  guint      n_dropped;    /* values right of the last named column */
  guint      n_rows;
  gboolean   too_many;
} Rows;

static void
rows_set (Rows       *rows,
          guint       column,
          const char *value)
{
  if (column >= MAX_COLUMNS)
    return;
  if (rows->n_columns > 0 && column >= rows->n_columns)
    {
      if (value != NULL && *value != '\0')
        rows->n_dropped++;
      return;
    }
  if (column >= rows->cells->len)
    g_ptr_array_set_size (rows->cells, column + 1);
  g_free (g_ptr_array_index (rows->cells, column));
  g_ptr_array_index (rows->cells, column) = g_strdup (value);
}

/* Ends a row: the first non-blank one is the header. */
static void
rows_end (Rows  *rows,
          guint  row_number,
          guint  repeat)
{
  gboolean blank = TRUE;

  for (guint i = 0; i < rows->cells->len; i++)
    {
      const char *v = g_ptr_array_index (rows->cells, i);
      if (v != NULL && *v != '\0')
        blank = FALSE;
    }

  if (!blank)
    {
      if (rows->table == NULL)
        {
          g_autoptr(GPtrArray) raw = g_ptr_array_new ();
          g_autoptr(GPtrArray) names = NULL;
          guint last = 0;

          for (guint i = 0; i < rows->cells->len; i++)
            {
              const char *v = g_ptr_array_index (rows->cells, i);
              if (v != NULL && *v != '\0')
                last = i + 1;
            }
          for (guint i = 0; i < last; i++)
            g_ptr_array_add (raw, g_ptr_array_index (rows->cells, i));
          names = _ep_table_clean_header (raw, rows->warnings);
          g_ptr_array_add (names, NULL);
          rows->table = ep_table_new ((const char * const *) names->pdata);
          rows->n_columns = last;
        }
      else
        {
          for (guint r = 0; r < repeat; r++)
            {
              if (++rows->n_rows > MAX_ROWS)
                {
                  rows->too_many = TRUE;
                  break;
                }
              ep_table_append_row (rows->table, row_number + r,
                                   (const char * const *) rows->cells->pdata,
                                   MIN (rows->cells->len, rows->n_columns));
            }
        }
    }

  for (guint i = 0; i < rows->cells->len; i++)
    g_clear_pointer (&g_ptr_array_index (rows->cells, i), g_free);
  g_ptr_array_set_size (rows->cells, 0);
}

static EpTable *
rows_finish (Rows                 *rows,
             EpTableFormat         format,
             GPtrArray            *sheet_names,
             const char           *sheet,
             GError              **error)
{
  EpTable *table = rows->table;

  if (rows->too_many)
    {
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                   _("The sheet has more than %u rows"), MAX_ROWS);
      g_clear_pointer (&rows->table, ep_table_unref);
      return NULL;
    }

  if (table == NULL)
    {
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_EMPTY,
                   _("The sheet “%s” is empty: it has no header row"), sheet);
      return NULL;
    }

  if (rows->n_dropped > 0)
    g_ptr_array_add (rows->warnings,
                     g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "%u value is right of the last named column and is not used",
                                                   "%u values are right of the last named column and are not used",
                                                   rows->n_dropped), rows->n_dropped));

  for (guint i = 0; i < rows->warnings->len; i++)
    ep_table_add_warning (table, g_ptr_array_index (rows->warnings, i));

  g_ptr_array_add (sheet_names, NULL);
  _ep_table_set_source (table, format, (const char * const *) sheet_names->pdata, sheet, NULL, 0);
  g_ptr_array_remove_index (sheet_names, sheet_names->len - 1);

  rows->table = NULL;
  return table;
}

static void
rows_clear (Rows *rows)
{
  g_clear_pointer (&rows->table, ep_table_unref);
  g_ptr_array_unref (rows->cells);
  g_ptr_array_unref (rows->warnings);
}

static void
rows_init (Rows *rows)
{
  memset (rows, 0, sizeof *rows);
  rows->cells = g_ptr_array_new_with_free_func (g_free);
  rows->warnings = g_ptr_array_new_with_free_func (g_free);
}

/* ---- XLSX ------------------------------------------------------------------- */

#define IS(reader, name) (g_strcmp0 ((const char *) xmlTextReaderConstLocalName (reader), (name)) == 0)

static char *
attr (xmlTextReader *reader,
      const char    *name)
{
  xmlChar *value = xmlTextReaderGetAttribute (reader, (const xmlChar *) name);
  char *copy = value ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

/* Column index of "BC12" → 54 (0-based); -1 if there is none. */
static int
column_of_ref (const char *ref)
{
  int col = 0;
  gboolean any = FALSE;

  for (const char *p = ref; p && g_ascii_isalpha (*p); p++)
    {
      col = col * 26 + (g_ascii_toupper (*p) - 'A' + 1);
      any = TRUE;
      if (col > MAX_COLUMNS)
        return MAX_COLUMNS;
    }
  return any ? col - 1 : -1;
}

/* Collects the text of all <t> under the current element (shared string
 * <si> or inline <is>), skipping phonetic runs. */
static gboolean
read_rich_text (xmlTextReader *reader,
                GString       *out)
{
  int depth = xmlTextReaderDepth (reader);
  gboolean in_t = FALSE, in_rph = FALSE;
  int rc;

  if (xmlTextReaderIsEmptyElement (reader))
    return TRUE;

  while ((rc = xmlTextReaderRead (reader)) == 1)
    {
      int type = xmlTextReaderNodeType (reader);

      if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth (reader) == depth)
        return TRUE;
      if (type == XML_READER_TYPE_ELEMENT)
        {
          if (IS (reader, "rPh"))
            in_rph = !xmlTextReaderIsEmptyElement (reader);
          else if (IS (reader, "t"))
            in_t = !xmlTextReaderIsEmptyElement (reader);
        }
      else if (type == XML_READER_TYPE_END_ELEMENT)
        {
          if (IS (reader, "rPh"))
            in_rph = FALSE;
          else if (IS (reader, "t"))
            in_t = FALSE;
        }
      else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                type == XML_READER_TYPE_CDATA) && in_t && !in_rph)
        {
          g_string_append (out, (const char *) xmlTextReaderConstValue (reader));
          if (out->len > EP_TABLE_MAX_CELL)
            return FALSE;
        }
    }
  return FALSE;
}

/* Text content of the current element (e.g. <v>). */
static char *
read_element_text (xmlTextReader *reader)
{
  xmlChar *text = xmlTextReaderReadString (reader);
  char *copy = g_strdup (text ? (const char *) text : "");

  xmlFree (text);
  return copy;
}

typedef struct
{
  GPtrArray *strings;     /* shared strings */
  GArray    *xf_kinds;    /* FmtKind per cellXfs index */
  gboolean   date1904;
} Workbook;

static gboolean
read_shared_strings (zip_t                *zip,
                     Workbook             *wb,
                     const EpTableOptions *options,
                     GCancellable         *cancellable,
                     GError              **error)
{
  g_autoptr(xmlTextReader) reader = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  GError *local_error = NULL;
  int rc;

  reader = open_part (zip, "xl/sharedStrings.xml", FALSE, options, NULL, 0, &local_error);
  if (reader == NULL)
    {
      if (local_error == NULL)
        return TRUE;   /* a workbook without text */
      g_propagate_error (error, local_error);
      return FALSE;
    }

  while ((rc = xmlTextReaderRead (reader)) == 1)
    {
      if (xmlTextReaderNodeType (reader) == XML_READER_TYPE_ELEMENT && IS (reader, "si"))
        {
          g_string_truncate (text, 0);
          if (!read_rich_text (reader, text))
            {
              if (text->len > EP_TABLE_MAX_CELL)
                g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                             _("A text in the workbook is longer than %u KiB"), EP_TABLE_MAX_CELL / 1024);
              else
                xml_error (error, "xl/sharedStrings.xml");
              return FALSE;
            }
          g_ptr_array_add (wb->strings, g_strdup (text->str));
          if (wb->strings->len % (CANCEL_EVERY * 16) == 0 &&
              g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
        }
    }

  if (rc != 0)
    {
      xml_error (error, "xl/sharedStrings.xml");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_styles (zip_t                *zip,
             Workbook             *wb,
             const EpTableOptions *options,
             GError              **error)
{
  g_autoptr(xmlTextReader) reader = NULL;
  g_autoptr(GHashTable) custom = g_hash_table_new_full (NULL, NULL, NULL, NULL);
  GError *local_error = NULL;
  gboolean in_cell_xfs = FALSE;
  int rc;

  reader = open_part (zip, "xl/styles.xml", FALSE, options, NULL, 0, &local_error);
  if (reader == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, local_error);
      return FALSE;
    }

  while ((rc = xmlTextReaderRead (reader)) == 1)
    {
      int type = xmlTextReaderNodeType (reader);

      if (type == XML_READER_TYPE_ELEMENT && IS (reader, "numFmt"))
        {
          g_autofree char *id = attr (reader, "numFmtId");
          g_autofree char *code = attr (reader, "formatCode");

          if (id != NULL && code != NULL)
            g_hash_table_insert (custom, GUINT_TO_POINTER ((guint) g_ascii_strtoull (id, NULL, 10)),
                                 GINT_TO_POINTER (classify_format_code (code) + 1));
        }
      else if (type == XML_READER_TYPE_ELEMENT && IS (reader, "cellXfs"))
        in_cell_xfs = !xmlTextReaderIsEmptyElement (reader);
      else if (type == XML_READER_TYPE_END_ELEMENT && IS (reader, "cellXfs"))
        in_cell_xfs = FALSE;
      else if (type == XML_READER_TYPE_ELEMENT && in_cell_xfs && IS (reader, "xf"))
        {
          g_autofree char *id_text = attr (reader, "numFmtId");
          guint id = id_text ? (guint) g_ascii_strtoull (id_text, NULL, 10) : 0;
          gpointer found = g_hash_table_lookup (custom, GUINT_TO_POINTER (id));
          FmtKind kind = found ? (FmtKind) (GPOINTER_TO_INT (found) - 1) : classify_builtin (id);

          g_array_append_val (wb->xf_kinds, kind);
        }
    }

  if (rc != 0)
    {
      xml_error (error, "xl/styles.xml");
      return FALSE;
    }
  return TRUE;
}

/* Sheet names in order and the zip path of the chosen one. */
static char *
find_sheet (zip_t                *zip,
            Workbook             *wb,
            const char           *wanted,
            GPtrArray            *names,
            char                **chosen_name,
            GError              **error)
{
  g_autoptr(xmlTextReader) reader = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *id = NULL;
  const char *target;
  int rc;

  reader = open_part (zip, "xl/workbook.xml", TRUE, NULL, NULL, 0, error);
  if (reader == NULL)
    return NULL;

  while ((rc = xmlTextReaderRead (reader)) == 1)
    {
      if (xmlTextReaderNodeType (reader) != XML_READER_TYPE_ELEMENT)
        continue;
      if (IS (reader, "workbookPr"))
        {
          g_autofree char *d = attr (reader, "date1904");
          wb->date1904 = d != NULL && (g_str_equal (d, "1") || g_ascii_strcasecmp (d, "true") == 0);
        }
      else if (IS (reader, "sheet"))
        {
          char *name = attr (reader, "name");
          /* r:id, whatever the prefix is bound to. */
          xmlChar *rid = xmlTextReaderGetAttributeNs (reader, (const xmlChar *) "id",
                                                      (const xmlChar *) "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
          if (name != NULL)
            {
              g_ptr_array_add (names, name);
              g_ptr_array_add (ids, g_strdup (rid ? (const char *) rid : ""));
            }
          xmlFree (rid);
        }
    }
  if (rc != 0)
    {
      xml_error (error, "xl/workbook.xml");
      return NULL;
    }
  g_clear_pointer (&reader, xmlFreeTextReader);

  if (names->len == 0)
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_EMPTY, _("The workbook has no sheets"));
      return NULL;
    }

  for (guint i = 0; i < names->len; i++)
    if (wanted == NULL || g_str_equal (g_ptr_array_index (names, i), wanted))
      {
        id = g_ptr_array_index (ids, i);
        *chosen_name = g_strdup (g_ptr_array_index (names, i));
        break;
      }

  if (id == NULL)
    {
      g_ptr_array_add (names, NULL);
      {
        g_autofree char *list = g_strjoinv ("”, “", (char **) names->pdata);
        g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_NO_SUCH_SHEET,
                     _("The workbook has no sheet “%s”; it has “%s”"), wanted, list);
      }
      g_ptr_array_remove_index (names, names->len - 1);
      return NULL;
    }

  reader = open_part (zip, "xl/_rels/workbook.xml.rels", TRUE, NULL, NULL, 0, error);
  if (reader == NULL)
    return NULL;
  while ((rc = xmlTextReaderRead (reader)) == 1)
    if (xmlTextReaderNodeType (reader) == XML_READER_TYPE_ELEMENT && IS (reader, "Relationship"))
      {
        char *rid = attr (reader, "Id");
        char *tgt = attr (reader, "Target");

        if (rid != NULL && tgt != NULL)
          g_hash_table_insert (targets, rid, tgt);
        else
          {
            g_free (rid);
            g_free (tgt);
          }
      }
  if (rc != 0)
    {
      xml_error (error, "xl/_rels/workbook.xml.rels");
      return NULL;
    }

  target = g_hash_table_lookup (targets, id);
  if (target == NULL)
    {
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                   _("The file is damaged: sheet “%s” has no data"), *chosen_name);
      return NULL;
    }

  if (target[0] == '/')
    return g_strdup (target + 1);
  return g_strconcat ("xl/", target, NULL);
}

typedef struct
{
  char    *type;
  guint    style;
  gboolean have_value;
  char    *value;
  char    *ref;
} Cell;

static char *
cell_text (Workbook  *wb,
           Cell      *cell,
           Rows      *rows,
           gboolean  *ok)
{
  const char *t = cell->type ? cell->type : "n";

  *ok = TRUE;

  if (!cell->have_value)
    return NULL;

  if (g_str_equal (t, "s"))
    {
      guint64 index = g_ascii_strtoull (cell->value, NULL, 10);

      if (index >= wb->strings->len)
        {
          *ok = FALSE;
          return NULL;
        }
      return g_strdup (g_ptr_array_index (wb->strings, index));
    }
  if (g_str_equal (t, "str") || g_str_equal (t, "inlineStr"))
    return g_strdup (cell->value);
  if (g_str_equal (t, "b"))
    return g_strdup (g_str_equal (cell->value, "1") || g_ascii_strcasecmp (cell->value, "true") == 0
                     ? "TRUE" : "FALSE");
  if (g_str_equal (t, "e"))
    {
      g_ptr_array_add (rows->warnings, g_strdup_printf (_("Cell %s holds the error %s"),
                                                        cell->ref ? cell->ref : "?", cell->value));
      return g_strdup (cell->value);
    }
  if (g_str_equal (t, "d"))
    return g_strdup (cell->value);   /* ISO 8601 already */

  /* A number, shown as its format shows it. */
  {
    FmtKind kind = cell->style < wb->xf_kinds->len ? g_array_index (wb->xf_kinds, FmtKind, cell->style)
                                                   : FMT_NONE;
    char *end = NULL;
    double value = g_ascii_strtod (cell->value, &end);

    if (end == cell->value)
      return g_strdup (cell->value);

    switch (kind)
      {
      case FMT_DATE:
      case FMT_TIME:
      case FMT_DATETIME:
        return format_serial (value, kind, wb->date1904);
      case FMT_PERCENT:
        {
          g_autofree char *n = format_number (value * 100);
          return g_strconcat (n, "%", NULL);
        }
      case FMT_NONE:
      default:
        return format_number (value);
      }
  }
}

static void
cell_clear (Cell *cell)
{
  g_clear_pointer (&cell->type, g_free);
  g_clear_pointer (&cell->value, g_free);
  g_clear_pointer (&cell->ref, g_free);
  cell->have_value = FALSE;
  cell->style = 0;
}

static gboolean
read_xlsx_sheet (zip_t                *zip,
                 const char           *part,
                 Workbook             *wb,
                 Rows                 *rows,
                 const EpTableOptions *options,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_autoptr(xmlTextReader) reader = NULL;
  g_autoptr(GString) rich = g_string_new (NULL);
  zip_stat_t st;
  guint64 done = 0;
  guint row_number = 0, next_row = 1, column = 0;
  gboolean in_row = FALSE;
  Cell cell = { 0, };
  int rc;

  zip_stat_init (&st);
  zip_stat (zip, part, 0, &st);
  reader = open_part (zip, part, TRUE, options, &done, st.size, error);
  if (reader == NULL)
    return FALSE;

  while ((rc = xmlTextReaderRead (reader)) == 1)
    {
      int type = xmlTextReaderNodeType (reader);

      if (type == XML_READER_TYPE_ELEMENT)
        {
          if (IS (reader, "row"))
            {
              g_autofree char *r = attr (reader, "r");

              row_number = r ? (guint) g_ascii_strtoull (r, NULL, 10) : next_row;
              if (row_number == 0)
                row_number = next_row;
              next_row = row_number + 1;
              column = 0;
              in_row = TRUE;
              if (xmlTextReaderIsEmptyElement (reader))
                {
                  rows_end (rows, row_number, 1);
                  in_row = FALSE;
                }
              if (row_number % CANCEL_EVERY == 0 &&
                  g_cancellable_set_error_if_cancelled (cancellable, error))
                {
                  cell_clear (&cell);
                  return FALSE;
                }
            }
          else if (IS (reader, "c") && in_row)
            {
              g_autofree char *s = attr (reader, "s");
              int ref_col;

              cell_clear (&cell);
              cell.ref = attr (reader, "r");
              cell.type = attr (reader, "t");
              cell.style = s ? (guint) g_ascii_strtoull (s, NULL, 10) : 0;
              ref_col = column_of_ref (cell.ref);
              if (ref_col >= 0)
                column = ref_col;
              if (xmlTextReaderIsEmptyElement (reader))
                column++;
            }
          else if (IS (reader, "v") && in_row)
            {
              cell.value = read_element_text (reader);
              cell.have_value = TRUE;
              if (strlen (cell.value) > EP_TABLE_MAX_CELL)
                {
                  cell_clear (&cell);
                  g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                               _("Row %u has a value longer than %u KiB"), row_number, EP_TABLE_MAX_CELL / 1024);
                  return FALSE;
                }
            }
          else if (IS (reader, "is") && in_row)
            {
              g_string_truncate (rich, 0);
              if (!read_rich_text (reader, rich))
                {
                  cell_clear (&cell);
                  xml_error (error, part);
                  return FALSE;
                }
              g_free (cell.value);
              cell.value = g_strdup (rich->str);
              cell.have_value = TRUE;
              if (cell.type == NULL)
                cell.type = g_strdup ("inlineStr");
            }
        }
      else if (type == XML_READER_TYPE_END_ELEMENT)
        {
          if (IS (reader, "c") && in_row)
            {
              gboolean ok;
              g_autofree char *text = cell_text (wb, &cell, rows, &ok);

              if (!ok)
                {
                  g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                               _("The file is damaged: cell %s refers to a text that does not exist"),
                               cell.ref ? cell.ref : "?");
                  cell_clear (&cell);
                  return FALSE;
                }
              if (text != NULL)
                rows_set (rows, column, text);
              column++;
              cell_clear (&cell);
            }
          else if (IS (reader, "row") && in_row)
            {
              rows_end (rows, row_number, 1);
              in_row = FALSE;
            }
          else if (IS (reader, "sheetData"))
            break;
        }
    }

  cell_clear (&cell);

  if (rc < 0)
    {
      xml_error (error, part);
      return FALSE;
    }
  if (rows->too_many)
    return TRUE;   /* reported by rows_finish */

  return TRUE;
}

EpTable *
_ep_table_read_xlsx (const char            *path,
                     const EpTableOptions  *options,
                     GCancellable          *cancellable,
                     GError               **error)
{
  g_autoptr(zip_t) zip = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *part = NULL;
  g_autofree char *sheet = NULL;
  Workbook wb = { 0, };
  Rows rows;
  EpTable *table = NULL;

  if (!check_not_ole (path, error))
    return NULL;

  zip = open_zip (path, error);
  if (zip == NULL)
    return NULL;

  if (has_part (zip, "EncryptedPackage"))
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCRYPTED,
                           _("The workbook is password-protected; save it without a password"));
      return NULL;
    }

  wb.strings = g_ptr_array_new_with_free_func (g_free);
  wb.xf_kinds = g_array_new (FALSE, FALSE, sizeof (FmtKind));
  rows_init (&rows);

  part = find_sheet (zip, &wb, options->sheet, names, &sheet, error);
  if (part != NULL &&
      read_styles (zip, &wb, options, error) &&
      read_shared_strings (zip, &wb, options, cancellable, error) &&
      read_xlsx_sheet (zip, part, &wb, &rows, options, cancellable, error))
    table = rows_finish (&rows, EP_TABLE_FORMAT_XLSX, names, sheet, error);

  rows_clear (&rows);
  g_ptr_array_unref (wb.strings);
  g_array_unref (wb.xf_kinds);

  return table;
}

/* ---- ODS ---------------------------------------------------------------------- */

#define NS_TABLE  "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_TEXT   "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

static char *
attr_ns (xmlTextReader *reader,
         const char    *name,
         const char    *ns)
{
  xmlChar *value = xmlTextReaderGetAttributeNs (reader, (const xmlChar *) name, (const xmlChar *) ns);
  char *copy = value ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

static gboolean
in_ns (xmlTextReader *reader,
       const char    *ns)
{
  return g_strcmp0 ((const char *) xmlTextReaderConstNamespaceUri (reader), ns) == 0;
}

/* PT14H30M00S → 14:30:00 */
static char *
ods_time (const char *duration)
{
  guint h = 0, m = 0;
  double s = 0;
  const char *p = duration;

  if (p == NULL || *p++ != 'P')
    return g_strdup (duration ? duration : "");
  while (*p && *p != 'T')
    p++;   /* days are not expected in a time of day */
  if (*p == 'T')
    p++;
  while (*p)
    {
      char *end = NULL;
      double v = g_ascii_strtod (p, &end);

      if (end == p)
        break;
      if (*end == 'H') h = (guint) v;
      else if (*end == 'M') m = (guint) v;
      else if (*end == 'S') s = v;
      else break;
      p = end + 1;
    }
  return g_strdup_printf ("%02u:%02u:%02u", h, m, (guint) llround (s) % 60);
}

/* Text of a cell: its <text:p> paragraphs joined by newlines, with
 * <text:s>, <text:tab> and <text:line-break> as what they stand for. */
static gboolean
ods_cell_text (xmlTextReader *reader,
               GString       *out)
{
  int depth = xmlTextReaderDepth (reader);
  gboolean first_p = TRUE;
  int rc;

  while ((rc = xmlTextReaderRead (reader)) == 1)
    {
      int type = xmlTextReaderNodeType (reader);

      if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth (reader) == depth)
        return TRUE;

      if (type == XML_READER_TYPE_ELEMENT && in_ns (reader, NS_TEXT))
        {
          if (IS (reader, "p"))
            {
              if (!first_p)
                g_string_append_c (out, '\n');
              first_p = FALSE;
            }
          else if (IS (reader, "s"))
            {
              g_autofree char *c = attr_ns (reader, "c", NS_TEXT);
              guint n = c ? (guint) MIN (g_ascii_strtoull (c, NULL, 10), 1000) : 1;
              for (guint i = 0; i < n; i++)
                g_string_append_c (out, ' ');
            }
          else if (IS (reader, "tab"))
            g_string_append_c (out, '\t');
          else if (IS (reader, "line-break"))
            g_string_append_c (out, '\n');
        }
      else if (type == XML_READER_TYPE_ELEMENT && in_ns (reader, "urn:oasis:names:tc:opendocument:xmlns:office:1.0") &&
               IS (reader, "annotation"))
        {
          /* Comments are not cell text. */
          if (xmlTextReaderNext (reader) != 1)
            return FALSE;
          if (xmlTextReaderNodeType (reader) == XML_READER_TYPE_END_ELEMENT &&
              xmlTextReaderDepth (reader) == depth)
            return TRUE;
          continue;
        }
      else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
               type == XML_READER_TYPE_CDATA)
        g_string_append (out, (const char *) xmlTextReaderConstValue (reader));

      if (out->len > EP_TABLE_MAX_CELL)
        return FALSE;
    }
  return FALSE;
}

static char *
ods_value (xmlTextReader *reader,
           GString       *text)
{
  g_autofree char *type = attr_ns (reader, "value-type", NS_OFFICE);
  g_autofree char *value = NULL;

  if (type == NULL || g_str_equal (type, "string"))
    return g_strdup (text->str);

  if (g_str_equal (type, "float") || g_str_equal (type, "currency"))
    {
      value = attr_ns (reader, "value", NS_OFFICE);
      return value ? format_number_text (value) : g_strdup (text->str);
    }
  if (g_str_equal (type, "percentage"))
    {
      char *end = NULL;
      double v;

      value = attr_ns (reader, "value", NS_OFFICE);
      if (value == NULL)
        return g_strdup (text->str);
      v = g_ascii_strtod (value, &end);
      {
        g_autofree char *n = format_number (v * 100);
        return g_strconcat (n, "%", NULL);
      }
    }
  if (g_str_equal (type, "date"))
    {
      value = attr_ns (reader, "date-value", NS_OFFICE);
      if (value == NULL)
        return g_strdup (text->str);
      /* 2024-03-01T00:00:00 from a date-only cell stays a date. */
      if (g_str_has_suffix (value, "T00:00:00") && strlen (value) == 19)
        value[10] = '\0';
      return g_strdup (value);
    }
  if (g_str_equal (type, "time"))
    {
      value = attr_ns (reader, "time-value", NS_OFFICE);
      return value ? ods_time (value) : g_strdup (text->str);
    }
  if (g_str_equal (type, "boolean"))
    {
      value = attr_ns (reader, "boolean-value", NS_OFFICE);
      return g_strdup (value && g_ascii_strcasecmp (value, "true") == 0 ? "TRUE" : "FALSE");
    }

  return g_strdup (text->str);
}

static guint
repeat_of (xmlTextReader *reader,
           const char    *name)
{
  g_autofree char *r = attr_ns (reader, name, NS_TABLE);
  guint64 n = r ? g_ascii_strtoull (r, NULL, 10) : 1;

  return (guint) CLAMP (n, 1, G_MAXINT);
}

static gboolean
ods_check_encrypted (zip_t   *zip,
                     GError **error)
{
  g_autofree char *manifest = read_small_part (zip, "META-INF/manifest.xml", 4 * 1024 * 1024);

  if (manifest != NULL && strstr (manifest, "encryption-data") != NULL)
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCRYPTED,
                           _("The spreadsheet is password-protected; save it without a password"));
      return FALSE;
    }
  return TRUE;
}

EpTable *
_ep_table_read_ods (const char            *path,
                    const EpTableOptions  *options,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(zip_t) zip = NULL;
  g_autoptr(xmlTextReader) reader = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *chosen = NULL;
  zip_stat_t st;
  guint64 done = 0;
  Rows rows;
  EpTable *table = NULL;
  gboolean reading = FALSE, done_reading = FALSE, advanced = FALSE;
  guint row_number = 0, column = 0, row_repeat = 1;
  int rc = 1;

  if (!check_not_ole (path, error))
    return NULL;
  zip = open_zip (path, error);
  if (zip == NULL || !ods_check_encrypted (zip, error))
    return NULL;

  zip_stat_init (&st);
  zip_stat (zip, "content.xml", 0, &st);
  reader = open_part (zip, "content.xml", TRUE, options, &done, st.size, error);
  if (reader == NULL)
    return NULL;

  rows_init (&rows);

  while (advanced || (rc = xmlTextReaderRead (reader)) == 1)
    {
      int type = xmlTextReaderNodeType (reader);

      advanced = FALSE;
      if (type == XML_READER_TYPE_ELEMENT && in_ns (reader, NS_TABLE) && IS (reader, "table"))
        {
          char *name = attr_ns (reader, "name", NS_TABLE);

          g_ptr_array_add (names, name ? name : g_strdup_printf (_("Sheet %u"), names->len + 1));
          if (!done_reading && chosen == NULL &&
              (options->sheet == NULL || g_strcmp0 (options->sheet, g_ptr_array_index (names, names->len - 1)) == 0))
            {
              chosen = g_strdup (g_ptr_array_index (names, names->len - 1));
              reading = TRUE;
              row_number = 0;
            }
          else
            {
              /* Skip other sheets' contents; only their names are wanted.
               * xmlTextReaderNext moves past the subtree to the next node,
               * which the loop then looks at without reading again. */
              rc = xmlTextReaderNext (reader);
              if (rc != 1)
                break;
              advanced = TRUE;
              continue;
            }
        }
      else if (type == XML_READER_TYPE_END_ELEMENT && in_ns (reader, NS_TABLE) && IS (reader, "table"))
        {
          if (reading)
            {
              reading = FALSE;
              done_reading = TRUE;
            }
        }
      else if (reading && type == XML_READER_TYPE_ELEMENT && in_ns (reader, NS_TABLE) && IS (reader, "table-row"))
        {
          row_repeat = repeat_of (reader, "number-rows-repeated");
          row_number++;
          column = 0;
          if (xmlTextReaderIsEmptyElement (reader))
            {
              row_number += row_repeat - 1;
              rows_end (&rows, row_number, 1);
            }
          if (row_number % CANCEL_EVERY == 0 &&
              g_cancellable_set_error_if_cancelled (cancellable, error))
            goto fail;
        }
      else if (reading && type == XML_READER_TYPE_END_ELEMENT && in_ns (reader, NS_TABLE) && IS (reader, "table-row"))
        {
          /* A repeated row with values is that many rows; a repeated empty
           * one (the million blank rows at the end of a sheet) costs nothing. */
          rows_end (&rows, row_number, row_repeat);
          row_number += row_repeat - 1;
          if (rows.too_many)
            break;
        }
      else if (reading && type == XML_READER_TYPE_ELEMENT && in_ns (reader, NS_TABLE) &&
               (IS (reader, "table-cell") || IS (reader, "covered-table-cell")))
        {
          guint repeat = repeat_of (reader, "number-columns-repeated");
          g_autofree char *value = NULL;

          g_string_truncate (text, 0);
          if (!xmlTextReaderIsEmptyElement (reader) && !ods_cell_text (reader, text))
            {
              if (text->len > EP_TABLE_MAX_CELL)
                g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                             _("Row %u has a value longer than %u KiB"), row_number, EP_TABLE_MAX_CELL / 1024);
              else
                xml_error (error, "content.xml");
              goto fail;
            }
          value = ods_value (reader, text);

          if (*value == '\0')
            column += repeat;   /* empty cells: just move on, however many */
          else
            {
              guint limit = rows.n_columns > 0 ? rows.n_columns : MAX_COLUMNS;

              for (guint i = 0; i < repeat && column < limit; i++)
                rows_set (&rows, column++, value);
              if (column >= limit)
                column = limit;
            }
        }
    }

  if (rc < 0)
    {
      xml_error (error, "content.xml");
      goto fail;
    }

  if (chosen == NULL)
    {
      if (names->len == 0)
        g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_EMPTY, _("The spreadsheet has no sheets"));
      else
        {
          g_autofree char *list = NULL;

          g_ptr_array_add (names, NULL);
          list = g_strjoinv ("”, “", (char **) names->pdata);
          g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_NO_SUCH_SHEET,
                       _("The spreadsheet has no sheet “%s”; it has “%s”"), options->sheet, list);
        }
      goto fail;
    }

  table = rows_finish (&rows, EP_TABLE_FORMAT_ODS, names, chosen, error);

fail:
  rows_clear (&rows);
  return table;
}
