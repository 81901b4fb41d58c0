/* ep-table-zip.c: what the XLSX and ODS readers share
 *
 * Opening the archive (damage, encryption, zip-bomb limits), streaming a
 * part out of it in chunks, writing numbers as a person reads them, and
 * collecting a sheet's rows into the row model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-table-private.h"

#define DEFAULT_MAX_UNPACKED ((guint64) 1024 * 1024 * 1024)
#define DEFAULT_MAX_RATIO    500
#define RATIO_MIN_SIZE       ((zip_uint64_t) 16 * 1024 * 1024)

static const guchar ole_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

static guint64 max_unpacked = DEFAULT_MAX_UNPACKED;
static guint max_ratio = DEFAULT_MAX_RATIO;

void
_ep_table_set_zip_limits (guint64 unpacked,
                          guint   ratio)
{
  max_unpacked = unpacked ? unpacked : DEFAULT_MAX_UNPACKED;
  max_ratio = ratio ? ratio : DEFAULT_MAX_RATIO;
}

static void
set_too_large (GError       **error,
               zip_uint64_t   size)
{
  g_autofree char *text = g_format_size (size);

  g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
               _("The file expands to %s or more, far more than a spreadsheet of its size; "
                 "it was not opened (it may be a “zip bomb”)"), text);
}

zip_t *
_ep_table_zip_open (const char  *path,
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

gboolean
_ep_table_check_not_ole (const char  *path,
                         GError     **error)
{
  guchar magic[8] = { 0, };
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  gsize n = 0;

  if (in != NULL &&
      g_input_stream_read_all (G_INPUT_STREAM (in), magic, sizeof magic, &n, NULL, NULL) &&
      n == sizeof magic && memcmp (magic, ole_magic, sizeof magic) == 0)
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCRYPTED,
                           _("The workbook is password-protected (or an old Excel 97–2003 "
                             ".xls file). Save it without a password as .xlsx, .ods or .csv"));
      return FALSE;
    }
  return TRUE;
}

/* Whole-part text, for small parts (mimetype, manifest). */
char *
_ep_table_zip_read_small (zip_t      *zip,
                          const char *name,
                          gsize       limit)
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
  g_autoptr(zip_t) zip = _ep_table_zip_open (path, NULL);
  g_autofree char *mimetype = NULL;

  if (zip == NULL)
    return EP_TABLE_FORMAT_UNKNOWN;
  mimetype = _ep_table_zip_read_small (zip, "mimetype", 256);
  if (mimetype != NULL && g_str_has_prefix (mimetype, "application/vnd.oasis.opendocument.spreadsheet"))
    return EP_TABLE_FORMAT_ODS;
  if (zip_name_locate (zip, "xl/workbook.xml", 0) >= 0)
    return EP_TABLE_FORMAT_XLSX;
  if (mimetype == NULL && zip_name_locate (zip, "content.xml", 0) >= 0)
    return EP_TABLE_FORMAT_ODS;
  return EP_TABLE_FORMAT_UNKNOWN;
}

/* ---- parts ------------------------------------------------------------------ */

EpZipPart *
_ep_zip_part_open (EpZipDoc    *doc,
                   const char  *name,
                   gboolean     required,
                   gboolean     progress,
                   GError     **error)
{
  zip_stat_t st;
  EpZipPart *part;

  zip_stat_init (&st);
  if (zip_stat (doc->zip, name, 0, &st) != 0)
    {
      if (required)
        g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                     _("The file is damaged: its part “%s” is missing"), name);
      return NULL;
    }

  /* What the directory declares, before anything is unpacked. */
  if (st.size > max_unpacked - MIN (doc->unpacked, max_unpacked) ||
      (st.size > RATIO_MIN_SIZE && st.size / MAX (st.comp_size, 1) > max_ratio))
    {
      set_too_large (error, doc->unpacked + st.size);
      return NULL;
    }

  part = g_new0 (EpZipPart, 1);
  part->doc = doc;
  part->size = st.size;
  part->progress = progress;
  part->file = zip_fopen (doc->zip, name, 0);
  if (part->file == NULL)
    {
      int code = zip_get_error (doc->zip)->zip_err;

      g_set_error (error, EP_TABLE_ERROR,
                   code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD
                   ? EP_TABLE_ERROR_ENCRYPTED : EP_TABLE_ERROR_CORRUPT,
                   _("The part “%s” cannot be read: %s"), name, zip_strerror (doc->zip));
      g_free (part);
      return NULL;
    }

  return part;
}

gssize
_ep_zip_part_read (EpZipPart *part,
                   char      *buffer,
                   gsize      len)
{
  zip_int64_t n;

  if (part->error != NULL)
    return -1;

  n = zip_fread (part->file, buffer, len);
  if (n < 0)
    {
      zip_error_t *ze = zip_file_get_error (part->file);

      g_set_error (&part->error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                   _("The file is damaged or cut short (%s)"), zip_error_strerror (ze));
      return -1;
    }

  part->read += n;
  part->doc->unpacked += n;
  /* More data than the directory announced, or than allowed: refuse. */
  if (part->read > part->size || part->doc->unpacked > max_unpacked)
    {
      set_too_large (&part->error, part->doc->unpacked);
      return -1;
    }

  if (part->progress && part->doc->options != NULL && part->doc->options->progress != NULL && n > 0)
    part->doc->options->progress (part->read, part->size, part->doc->options->progress_data);

  return n;
}

void
_ep_zip_part_free (EpZipPart *part)
{
  if (part == NULL)
    return;
  if (part->file != NULL)
    zip_fclose (part->file);
  g_clear_error (&part->error);
  g_free (part);
}

static int
xml_io_read (void *context,
             char *buffer,
             int   len)
{
  return (int) _ep_zip_part_read (context, buffer, len);
}

static int
xml_io_close (void *context)
{
  return 0;
}

xmlTextReader *
_ep_zip_part_xml_reader (EpZipPart  *part,
                         const char *name)
{
  /* No network, no external entities, no DTD loading. */
  return xmlReaderForIO (xml_io_read, xml_io_close, part, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                         XML_PARSE_COMPACT);
}

void
_ep_table_xml_error (GError     **error,
                     const char  *part)
{
  g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
               _("The file is damaged or cut short (in “%s”)"), part);
}

/* ---- numbers ----------------------------------------------------------------- */

char *
_ep_table_format_number (double  value,
                         char   *buf,
                         gsize   len)
{
  char *e;

  if (!isfinite (value))
    {
      g_strlcpy (buf, "", len);
      return buf;
    }
  if (value == 0)
    {
      g_strlcpy (buf, "0", len);
      return buf;
    }

  /* Fifteen significant digits are all a spreadsheet shows (and keeps):
   * 0.1 + 0.2 is 0.3, never 0.30000000000000004. */
  g_ascii_formatd (buf, len, "%.15g", value);
  e = strchr (buf, 'e');
  if (e != NULL)
    *e = 'E';
  return buf;
}

const char *
_ep_table_format_number_text (const char *text,
                              char       *buf,
                              gsize       len)
{
  const char *p = text;
  guint digits = 0;
  gboolean point = FALSE;
  char *end = NULL;
  double value;

  /* Already shortest: -?[1-9][0-9]*(\.[0-9]*[1-9])? or 0(\.[0-9]*[1-9])?,
   * at most 15 significant digits. */
  if (*p == '-')
    p++;
  if (p[0] == '0' && p[1] == '.')
    {
      p += 2;
      point = TRUE;
      while (*p == '0')
        p++;
    }
  else if (*p == '0' && p[1] == '\0' && p == text)
    return text;
  else if (*p < '1' || *p > '9')
    goto slow;

  for (; *p; p++)
    {
      if (*p >= '0' && *p <= '9')
        digits++;
      else if (*p == '.' && !point)
        point = TRUE;
      else
        goto slow;
    }
  if (digits > 0 && digits <= 15 && (!point || (p[-1] != '0' && p[-1] != '.')))
    return text;

slow:
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    return text;
  return _ep_table_format_number (value, buf, len);
}

/* ---- rows -------------------------------------------------------------------- */

void
_ep_rows_init (EpRows *rows)
{
  memset (rows, 0, sizeof *rows);
  rows->warnings = g_ptr_array_new_with_free_func (g_free);
  rows->buffer = g_string_sized_new (1024);
  rows->offsets = g_array_new (FALSE, FALSE, sizeof (gssize));
  rows->values = g_ptr_array_new ();
  rows->raw_buffer = g_string_new (NULL);
}

void
_ep_rows_clear (EpRows *rows)
{
  g_clear_pointer (&rows->table, ep_table_unref);
  g_clear_pointer (&rows->warnings, g_ptr_array_unref);
  if (rows->buffer != NULL)
    g_string_free (rows->buffer, TRUE);
  rows->buffer = NULL;
  g_clear_pointer (&rows->offsets, g_array_unref);
  g_clear_pointer (&rows->values, g_ptr_array_unref);
  if (rows->raw_buffer != NULL)
    g_string_free (rows->raw_buffer, TRUE);
  rows->raw_buffer = NULL;
}

void
_ep_rows_set_raw (EpRows     *rows,
                  guint       column,
                  const char *raw)
{
  if (raw == NULL || column >= EP_TABLE_MAX_COLUMNS ||
      (rows->n_columns > 0 && column >= rows->n_columns))
    return;
  g_string_append_printf (rows->raw_buffer, "%u", column);
  g_string_append_c (rows->raw_buffer, '\0');
  g_string_append (rows->raw_buffer, raw);
  g_string_append_c (rows->raw_buffer, '\0');
}

void
_ep_rows_set (EpRows     *rows,
              guint       column,
              const char *value,
              gssize      len)
{
  gssize offset;

  if (value == NULL)
    return;
  if (len < 0)
    len = strlen (value);
  if (len == 0)
    return;
  if (column >= EP_TABLE_MAX_COLUMNS)
    {
      rows->too_wide = TRUE;
      return;
    }
  if (rows->n_columns > 0 && column >= rows->n_columns)
    {
      rows->n_dropped++;
      return;
    }

  if (column >= rows->offsets->len)
    {
      guint old = rows->offsets->len;

      g_array_set_size (rows->offsets, column + 1);
      for (guint i = old; i < rows->offsets->len; i++)
        g_array_index (rows->offsets, gssize, i) = -1;
    }
  offset = rows->buffer->len;
  g_string_append_len (rows->buffer, value, len);
  g_string_append_c (rows->buffer, '\0');
  g_array_index (rows->offsets, gssize, column) = offset;
}

void
_ep_rows_end (EpRows *rows,
              guint   row_number,
              guint   repeat)
{
  guint last = 0;

  for (guint i = 0; i < rows->offsets->len; i++)
    if (g_array_index (rows->offsets, gssize, i) >= 0)
      last = i + 1;

  if (last > 0)
    {
      g_ptr_array_set_size (rows->values, last);
      for (guint i = 0; i < last; i++)
        {
          gssize offset = g_array_index (rows->offsets, gssize, i);

          g_ptr_array_index (rows->values, i) = offset >= 0 ? rows->buffer->str + offset : "";
        }

      if (rows->table == NULL)
        {
          g_autoptr(GPtrArray) names = _ep_table_clean_header (rows->values, rows->warnings);

          g_ptr_array_add (names, NULL);
          rows->table = ep_table_new ((const char * const *) names->pdata);
          rows->n_columns = last;
        }
      else
        {
          for (guint r = 0; r < repeat; r++)
            {
              if (++rows->n_rows > EP_TABLE_MAX_ROWS)
                {
                  rows->too_many = TRUE;
                  break;
                }
              ep_table_append_row (rows->table, row_number + r,
                                   (const char * const *) rows->values->pdata, last);
              for (const char *p = rows->raw_buffer->str;
                   p < rows->raw_buffer->str + rows->raw_buffer->len; )
                {
                  guint column = (guint) g_ascii_strtoull (p, NULL, 10);
                  const char *raw = p + strlen (p) + 1;

                  if (column < last)
                    ep_table_set_raw_value (rows->table, ep_table_get_n_rows (rows->table) - 1,
                                       column, raw);
                  p = raw + strlen (raw) + 1;
                }
            }
        }
    }

  g_string_truncate (rows->buffer, 0);
  g_string_truncate (rows->raw_buffer, 0);
  g_array_set_size (rows->offsets, 0);
}

EpTable *
_ep_rows_finish (EpRows        *rows,
                 EpTableFormat  format,
                 GPtrArray     *sheet_names,
                 const char    *sheet,
                 GError       **error)
{
  EpTable *table = rows->table;

  if (rows->too_many)
    {
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                   _("The sheet has more than %u rows"), EP_TABLE_MAX_ROWS);
      return NULL;
    }

  if (rows->too_wide)
    {
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                   _("The sheet “%s” has values past column %u, the most a spreadsheet "
                     "can have"), sheet, EP_TABLE_MAX_COLUMNS);
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
