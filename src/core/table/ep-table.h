/* ep-table.h: spreadsheet rows (CSV, XLSX, ODS) as one row model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define EP_TABLE_ERROR (ep_table_error_quark ())

typedef enum
{
  EP_TABLE_ERROR_UNSUPPORTED,  /* not CSV, XLSX or ODS */
  EP_TABLE_ERROR_CORRUPT,      /* damaged or truncated file, bad XML */
  EP_TABLE_ERROR_ENCRYPTED,    /* password-protected workbook */
  EP_TABLE_ERROR_TOO_LARGE,    /* over a safety limit (zip bomb, huge cell) */
  EP_TABLE_ERROR_NO_SUCH_SHEET,
  EP_TABLE_ERROR_ENCODING,     /* text not valid in the chosen encoding */
  EP_TABLE_ERROR_EMPTY,        /* no header row */
} EpTableError;

typedef enum
{
  EP_TABLE_FORMAT_UNKNOWN,
  EP_TABLE_FORMAT_CSV,
  EP_TABLE_FORMAT_XLSX,
  EP_TABLE_FORMAT_ODS,
} EpTableFormat;

/* Called from the reading thread now and then; @done and @total in bytes of
 * input (total may be 0 when unknown). */
typedef void (*EpTableProgressFunc) (guint64  done,
                                     guint64  total,
                                     gpointer user_data);

typedef struct
{
  const char          *sheet;      /* workbooks: sheet name; NULL = the first */
  const char          *encoding;   /* CSV: iconv name; NULL = detect */
  char                 delimiter;  /* CSV: 0 = sniff among , ; TAB | */
  const char          *locale;     /* XLSX: the separators and names number
                                    * formats show ("de_DE"); NULL = the
                                    * desktop's (ep_table_get_default_locale) */
  EpTableProgressFunc  progress;
  gpointer             progress_data;
} EpTableOptions;

/* An immutable, reference-counted table: a header row and data rows, every
 * value a UTF-8 string (never NULL: a missing cell is ""). Safe to read from
 * several threads once built. */
typedef struct _EpTable EpTable;

#define EP_TYPE_TABLE (ep_table_get_type ())

GQuark              ep_table_error_quark      (void);
GType               ep_table_get_type         (void) G_GNUC_CONST;

EpTableFormat       ep_table_format_for_file  (const char            *path);

/* The locale a workbook's numbers and dates show in by default: the
 * desktop's (LC_ALL, LC_NUMERIC, LANG), as "de_DE"; "C" when none. */
char               *ep_table_get_default_locale (void);
/* "German (Germany)", in the user's language; NULL for "C". */
char               *ep_table_locale_display_name (const char          *name);
/* Whether ICU has data for @name ("de_DE", "en-US", "C"). */
gboolean            ep_table_locale_is_known  (const char            *name);

EpTable            *ep_table_read             (const char            *path,
                                               const EpTableOptions  *options,
                                               GCancellable          *cancellable,
                                               GError               **error);
/* Runs ep_table_read() in a worker thread; @options is copied. */
void                ep_table_read_async       (const char            *path,
                                               const EpTableOptions  *options,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
EpTable            *ep_table_read_finish      (GAsyncResult          *result,
                                               GError               **error);

/* Building a table by hand (readers, campaign snapshots, tests). */
EpTable            *ep_table_new              (const char * const    *columns);
void                ep_table_append_row       (EpTable               *table,
                                               guint                  row_number,
                                               const char * const    *values,
                                               guint                  n_values);
void                ep_table_add_warning      (EpTable               *table,
                                               const char            *warning);

EpTable            *ep_table_ref              (EpTable               *table);
void                ep_table_unref            (EpTable               *table);

EpTableFormat       ep_table_get_format       (EpTable               *table);
guint               ep_table_get_n_columns    (EpTable               *table);
const char         *ep_table_get_column       (EpTable               *table,
                                               guint                  column);
/* The column named @name (exact match first, then ignoring case and
 * surrounding spaces), or -1. */
int                 ep_table_find_column      (EpTable               *table,
                                               const char            *name);
guint               ep_table_get_n_rows       (EpTable               *table);
const char         *ep_table_get_value        (EpTable               *table,
                                               guint                  row,
                                               guint                  column);
/* The value under the cell's format (the stored number "1234.5", an ISO
 * date "2024-03-19"); what ep_table_get_value () shows where the file
 * keeps nothing else (CSV, text cells). */
const char         *ep_table_get_raw_value    (EpTable               *table,
                                               guint                  row,
                                               guint                  column);
/* Sets it, for a table rebuilt from a stored snapshot (the readers set it
 * as they read). */
void                ep_table_set_raw_value    (EpTable               *table,
                                               guint                  row,
                                               guint                  column,
                                               const char            *raw);
/* XLSX: the locale (as in EpTableOptions, "de_DE") its numbers and
 * dates were shown in; NULL for the desktop's, and for other formats. */
const char         *ep_table_get_locale       (EpTable               *table);
void                ep_table_set_locale       (EpTable               *table,
                                               const char            *locale);
/* @value (a raw value: ISO 8601, or 19.03.2024) in @format: strftime's
 * %d %e %m %B %b %Y %y %A %a %j %H %I %M %S %p %% (and %-d for no
 * leading zero), with the names of @table's locale (NULL: the desktop's). */
char               *ep_table_format_date      (EpTable               *table,
                                               const char            *value,
                                               const char            *format,
                                               GError               **error);
gboolean            ep_table_check_date_format (const char           *format,
                                                GError              **error);
/* The number a person sees beside the row in a spreadsheet application:
 * the header is row 1, so the first data row is usually 2. */
guint               ep_table_get_row_number   (EpTable               *table,
                                               guint                  row);
/* Readable messages about what the reader changed or guessed. */
const char * const *ep_table_get_warnings     (EpTable               *table);

/* Workbooks: every sheet name, and the sheet that was read. NULL for CSV. */
const char * const *ep_table_get_sheets       (EpTable               *table);
const char         *ep_table_get_sheet        (EpTable               *table);
/* CSV: what was used (detected or given). */
const char         *ep_table_get_encoding     (EpTable               *table);
char                ep_table_get_delimiter    (EpTable               *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpTable, ep_table_unref)

G_END_DECLS
