/* ep-table.c: the row model every reader fills
 *
 * Cells are kept as NUL-terminated strings in a GStringChunk with one
 * pointer per cell, so memory grows with the data kept and not with the
 * number of objects. Short values that repeat (grades, yes/no, cities) are
 * stored once, through a small direct-mapped cache rather than a hash
 * table: cheaper per cell, and bounded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ep-table.h"
#include "ep-table-private.h"

struct _EpTable
{
  EpTableFormat  format;
  GPtrArray     *columns;      /* char *, owned */
  GStringChunk  *chunk;
  GPtrArray     *cells;        /* const char * into chunk, n_columns per row */
  GArray        *row_numbers;  /* guint */
  GPtrArray     *warnings;     /* char *, NULL-terminated on read */
  GStrv          sheets;
  char          *sheet;
  char          *encoding;
  char           delimiter;
  char          *locale;       /* XLSX: the locale its numbers show in */
  GHashTable    *raw;          /* cell index → the value under its format, in chunk */
  const char   **share;        /* SHARE_SLOTS recent short values, while building */
};

#define SHARE_SLOTS 4096
#define SHARE_MAX_LEN 16

G_DEFINE_BOXED_TYPE (EpTable, ep_table, ep_table_ref, ep_table_unref)
G_DEFINE_QUARK (ep-table-error-quark, ep_table_error)

static const char empty[] = "";

EpTable *
ep_table_new (const char * const *columns)
{
  EpTable *self = g_atomic_rc_box_new0 (EpTable);

  self->columns = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; columns != NULL && columns[i] != NULL; i++)
    g_ptr_array_add (self->columns, g_strdup (columns[i]));
  self->chunk = g_string_chunk_new (64 * 1024);
  self->cells = g_ptr_array_new ();
  self->row_numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->warnings, NULL);

  return self;
}

static void
table_clear (gpointer data)
{
  EpTable *self = data;

  g_ptr_array_unref (self->columns);
  g_string_chunk_free (self->chunk);
  g_ptr_array_unref (self->cells);
  g_array_unref (self->row_numbers);
  g_ptr_array_unref (self->warnings);
  g_strfreev (self->sheets);
  g_free (self->sheet);
  g_free (self->encoding);
  g_free (self->locale);
  g_clear_pointer (&self->raw, g_hash_table_unref);
  g_free (self->share);
}

EpTable *
ep_table_ref (EpTable *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
ep_table_unref (EpTable *self)
{
  g_atomic_rc_box_release_full (self, table_clear);
}

static const char *
share_value (EpTable    *self,
             const char *value,
             gsize       len)
{
  guint32 hash = 2166136261u;
  const char **slot;

  for (gsize i = 0; i < len; i++)
    hash = (hash ^ (guchar) value[i]) * 16777619u;

  if (self->share == NULL)
    self->share = g_new0 (const char *, SHARE_SLOTS);
  slot = &self->share[hash & (SHARE_SLOTS - 1)];
  if (*slot == NULL || strcmp (*slot, value) != 0)
    *slot = g_string_chunk_insert_len (self->chunk, value, len);
  return *slot;
}

void
ep_table_append_row (EpTable            *self,
                     guint               row_number,
                     const char * const *values,
                     guint               n_values)
{
  guint n_columns;

  g_return_if_fail (self != NULL);

  n_columns = self->columns->len;
  for (guint c = 0; c < n_columns; c++)
    {
      const char *value = c < n_values && values[c] != NULL ? values[c] : empty;
      gsize len = *value == '\0' ? 0 : strlen (value);

      if (len == 0)
        g_ptr_array_add (self->cells, (gpointer) empty);
      else if (len <= SHARE_MAX_LEN)
        g_ptr_array_add (self->cells, (gpointer) share_value (self, value, len));
      else
        g_ptr_array_add (self->cells, g_string_chunk_insert_len (self->chunk, value, len));
    }
  g_array_append_val (self->row_numbers, row_number);
}

void
ep_table_add_warning (EpTable    *self,
                      const char *warning)
{
  /* Keep the array NULL-terminated for ep_table_get_warnings(). */
  g_ptr_array_index (self->warnings, self->warnings->len - 1) = g_strdup (warning);
  g_ptr_array_add (self->warnings, NULL);
}

EpTableFormat
ep_table_get_format (EpTable *self)
{
  return self->format;
}

guint
ep_table_get_n_columns (EpTable *self)
{
  return self->columns->len;
}

const char *
ep_table_get_column (EpTable *self,
                     guint    column)
{
  g_return_val_if_fail (column < self->columns->len, NULL);

  return g_ptr_array_index (self->columns, column);
}

int
ep_table_find_column (EpTable    *self,
                      const char *name)
{
  g_autofree char *wanted = NULL;
  g_autofree char *trimmed = NULL;

  if (name == NULL)
    return -1;

  for (guint c = 0; c < self->columns->len; c++)
    if (g_str_equal (g_ptr_array_index (self->columns, c), name))
      return c;

  trimmed = g_strstrip (g_strdup (name));
  wanted = g_utf8_casefold (trimmed, -1);
  for (guint c = 0; c < self->columns->len; c++)
    {
      g_autofree char *column = g_strstrip (g_strdup (g_ptr_array_index (self->columns, c)));
      g_autofree char *have = g_utf8_casefold (column, -1);

      if (g_str_equal (have, wanted))
        return c;
    }

  return -1;
}

guint
ep_table_get_n_rows (EpTable *self)
{
  return self->row_numbers->len;
}

const char *
ep_table_get_value (EpTable *self,
                    guint    row,
                    guint    column)
{
  g_return_val_if_fail (row < self->row_numbers->len, empty);
  g_return_val_if_fail (column < self->columns->len, empty);

  return g_ptr_array_index (self->cells, (gsize) row * self->columns->len + column);
}

/* The cell's value without its number format: the number as stored, a
 * date as ISO 8601 ("2024-03-19", "2024-03-19T14:30:00"); for text, and
 * for every CSV cell, the same as ep_table_get_value(). */
const char *
ep_table_get_raw_value (EpTable *self,
                        guint    row,
                        guint    column)
{
  const char *raw;

  g_return_val_if_fail (row < self->row_numbers->len, empty);
  g_return_val_if_fail (column < self->columns->len, empty);

  if (self->raw != NULL &&
      (raw = g_hash_table_lookup (self->raw,
                                  GSIZE_TO_POINTER ((gsize) row * self->columns->len + column))) != NULL)
    return raw;
  return ep_table_get_value (self, row, column);
}

void
ep_table_set_raw_value (EpTable    *self,
                        guint       row,
                        guint       column,
                        const char *raw)
{
  g_return_if_fail (row < self->row_numbers->len);
  g_return_if_fail (column < self->columns->len);

  if (self->raw == NULL)
    self->raw = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_hash_table_insert (self->raw, GSIZE_TO_POINTER ((gsize) row * self->columns->len + column),
                       g_string_chunk_insert_const (self->chunk, raw));
}

const char *
ep_table_get_locale (EpTable *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->locale;
}

void
ep_table_set_locale (EpTable    *self,
                     const char *locale)
{
  g_free (self->locale);
  self->locale = g_strdup (locale);
}

guint
ep_table_get_row_number (EpTable *self,
                         guint    row)
{
  g_return_val_if_fail (row < self->row_numbers->len, 0);

  return g_array_index (self->row_numbers, guint, row);
}

const char * const *
ep_table_get_warnings (EpTable *self)
{
  return (const char * const *) self->warnings->pdata;
}

const char * const *
ep_table_get_sheets (EpTable *self)
{
  return (const char * const *) self->sheets;
}

const char *
ep_table_get_sheet (EpTable *self)
{
  return self->sheet;
}

const char *
ep_table_get_encoding (EpTable *self)
{
  return self->encoding;
}

char
ep_table_get_delimiter (EpTable *self)
{
  return self->delimiter;
}

void
_ep_table_set_source (EpTable            *self,
                      EpTableFormat       format,
                      const char * const *sheets,
                      const char         *sheet,
                      const char         *encoding,
                      char                delimiter)
{
  self->format = format;
  g_strfreev (self->sheets);
  self->sheets = g_strdupv ((char **) sheets);
  g_free (self->sheet);
  self->sheet = g_strdup (sheet);
  g_free (self->encoding);
  self->encoding = g_strdup (encoding);
  self->delimiter = delimiter;
}

/* Header cells as a person would want them: trimmed, never blank, never
 * twice the same (a template could not tell them apart). */
GPtrArray *
_ep_table_clean_header (GPtrArray *raw,
                        GPtrArray *warnings)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < raw->len; i++)
    {
      const char *cell = g_ptr_array_index (raw, i);
      g_autofree char *name = g_strstrip (g_strdup (cell ? cell : ""));
      g_autofree char *key = NULL;

      if (cell != NULL && *name != '\0' && strcmp (name, cell) != 0)
        g_ptr_array_add (warnings, g_strdup_printf (_("Column %u: spaces around “%s” were removed"),
                                                    i + 1, name));

      if (*name == '\0')
        {
          g_free (name);
          name = g_strdup_printf (_("Column %u"), i + 1);
          g_ptr_array_add (warnings, g_strdup_printf (_("Column %u has no name; it is called “%s”"),
                                                      i + 1, name));
        }

      key = g_utf8_casefold (name, -1);
      if (g_hash_table_contains (seen, key))
        {
          g_autofree char *original = g_strdup (name);

          for (guint n = 2; ; n++)
            {
              g_free (name);
              name = g_strdup_printf ("%s (%u)", original, n);
              g_free (key);
              key = g_utf8_casefold (name, -1);
              if (!g_hash_table_contains (seen, key))
                break;
            }
          g_ptr_array_add (warnings, g_strdup_printf (_("Column %u repeats the name “%s”; it is called “%s”"),
                                                      i + 1, original, name));
        }

      g_hash_table_add (seen, g_steal_pointer (&key));
      g_ptr_array_add (names, g_steal_pointer (&name));
    }

  return names;
}

static gboolean
has_suffix_ci (const char *path,
               const char *suffix)
{
  gsize n = strlen (path), m = strlen (suffix);

  return n >= m && g_ascii_strcasecmp (path + n - m, suffix) == 0;
}

/* What can be read at all, before anything opens it: a regular file (a
 * FIFO would block the reader until someone writes to it; a device may
 * never end), not empty, and not larger than any spreadsheet this reads. */
gboolean
_ep_table_check_file (const char  *path,
                      GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                             _("The file does not exist"));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("The file cannot be read: %s"), g_strerror (saved));
      return FALSE;
    }

  if (S_ISDIR (st.st_mode))
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED,
                           _("This is a folder, not a spreadsheet"));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED,
                           _("This is not a regular file (a pipe, a socket or a device); "
                             "save the spreadsheet as a file first"));
      return FALSE;
    }

  if (st.st_size == 0)
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_EMPTY,
                           _("The file is empty (0 bytes)"));
      return FALSE;
    }

  if ((guint64) st.st_size > EP_TABLE_MAX_FILE)
    {
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                   _("The file is larger than %u GiB; no spreadsheet Epistle reads is this "
                     "large (split it into several files)"),
                   (guint) (EP_TABLE_MAX_FILE >> 30));
      return FALSE;
    }

  return TRUE;
}

/* By content first: a zip holding an OpenDocument spreadsheet or an Office
 * Open XML workbook; an OLE compound file (a password-protected .xlsx or
 * an old .xls) goes to the XLSX reader, which says so. Otherwise by name;
 * anything else is read as text (CSV). */
EpTableFormat
ep_table_format_for_file (const char *path)
{
  static const guchar ole_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
  guchar magic[8] = { 0, };
  gsize n = 0;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;

  g_return_val_if_fail (path != NULL, EP_TABLE_FORMAT_UNKNOWN);

  /* Opening a FIFO would wait for a writer: only regular files are read. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return has_suffix_ci (path, ".ods") ? EP_TABLE_FORMAT_ODS :
           has_suffix_ci (path, ".xlsx") || has_suffix_ci (path, ".xlsm") ||
           has_suffix_ci (path, ".xls") ? EP_TABLE_FORMAT_XLSX : EP_TABLE_FORMAT_CSV;

  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, NULL);
  if (in != NULL)
    g_input_stream_read_all (G_INPUT_STREAM (in), magic, sizeof magic, &n, NULL, NULL);

  if (n == sizeof magic && memcmp (magic, ole_magic, sizeof magic) == 0)
    return EP_TABLE_FORMAT_XLSX;

  if (n >= 4 && memcmp (magic, "PK\003\004", 4) == 0)
    {
      EpTableFormat format = _ep_table_sniff_zip (path);

      if (format != EP_TABLE_FORMAT_UNKNOWN)
        return format;
    }

  if (has_suffix_ci (path, ".ods"))
    return EP_TABLE_FORMAT_ODS;
  if (has_suffix_ci (path, ".xlsx") || has_suffix_ci (path, ".xlsm") || has_suffix_ci (path, ".xls"))
    return EP_TABLE_FORMAT_XLSX;
  if (n >= 4 && memcmp (magic, "PK\003\004", 4) == 0)
    return EP_TABLE_FORMAT_UNKNOWN;

  return EP_TABLE_FORMAT_CSV;
}

EpTable *
ep_table_read (const char            *path,
               const EpTableOptions  *options,
               GCancellable          *cancellable,
               GError               **error)
{
  EpTableOptions defaults = { 0, };

  g_return_val_if_fail (path != NULL, NULL);

  if (options == NULL)
    options = &defaults;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!_ep_table_check_file (path, error))
    return NULL;

  switch (ep_table_format_for_file (path))
    {
    case EP_TABLE_FORMAT_XLSX:
      return _ep_table_read_xlsx (path, options, cancellable, error);
    case EP_TABLE_FORMAT_ODS:
      return _ep_table_read_ods (path, options, cancellable, error);
    case EP_TABLE_FORMAT_CSV:
      return _ep_table_read_csv (path, options, cancellable, error);
    case EP_TABLE_FORMAT_UNKNOWN:
    default:
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_UNSUPPORTED,
                           _("This file is an archive, but not a spreadsheet (XLSX or ODS) "
                             "nor a CSV file"));
      return NULL;
    }
}

typedef struct
{
  char           *path;
  char           *sheet;
  char           *encoding;
  char           *locale;
  EpTableOptions  options;
} ReadData;

static void
read_data_free (gpointer data)
{
  ReadData *r = data;

  g_free (r->path);
  g_free (r->sheet);
  g_free (r->encoding);
  g_free (r->locale);
  g_free (r);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadData *r = task_data;
  GError *error = NULL;
  EpTable *table = ep_table_read (r->path, &r->options, cancellable, &error);

  if (table == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, table, (GDestroyNotify) ep_table_unref);
}

void
ep_table_read_async (const char           *path,
                     const EpTableOptions *options,
                     GCancellable         *cancellable,
                     GAsyncReadyCallback   callback,
                     gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ReadData *r = g_new0 (ReadData, 1);

  r->path = g_strdup (path);
  if (options != NULL)
    {
      r->options = *options;
      r->sheet = g_strdup (options->sheet);
      r->encoding = g_strdup (options->encoding);
      r->locale = g_strdup (options->locale);
      r->options.sheet = r->sheet;
      r->options.encoding = r->encoding;
      r->options.locale = r->locale;
    }

  g_task_set_source_tag (task, ep_table_read_async);
  g_task_set_task_data (task, r, read_data_free);
  g_task_run_in_thread (task, read_thread);
}

EpTable *
ep_table_read_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
