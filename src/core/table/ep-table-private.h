/* ep-table-private.h: what the readers share with the row model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <zip.h>
#include <libxml/xmlreader.h>

#include "ep-table.h"

G_BEGIN_DECLS

/* Limits against damaged or hostile files (README.md, "Limits"): no value
 * a person types into a cell is longer than 1 MiB; Excel and LibreOffice
 * stop at 16,384 columns (XFD); a file (CSV, or a workbook's zip) is at
 * most 1 GiB, as is a workbook's unpacked XML. */
#define EP_TABLE_MAX_CELL (1024 * 1024)
#define EP_TABLE_MAX_COLUMNS 16384
#define EP_TABLE_MAX_ROWS 5000000
#define EP_TABLE_MAX_FILE (G_GUINT64_CONSTANT (1) << 30)
#define EP_TABLE_CANCEL_EVERY 1024

void           _ep_table_set_source    (EpTable               *self,
                                        EpTableFormat          format,
                                        const char * const    *sheets,
                                        const char            *sheet,
                                        const char            *encoding,
                                        char                   delimiter);
GPtrArray     *_ep_table_clean_header  (GPtrArray             *raw,
                                        GPtrArray             *warnings);
gboolean       _ep_table_check_file    (const char            *path,
                                        GError               **error);

EpTable       *_ep_table_read_csv      (const char            *path,
                                        const EpTableOptions  *options,
                                        GCancellable          *cancellable,
                                        GError               **error);
EpTable       *_ep_table_read_xlsx     (const char            *path,
                                        const EpTableOptions  *options,
                                        GCancellable          *cancellable,
                                        GError               **error);
EpTable       *_ep_table_read_ods      (const char            *path,
                                        const EpTableOptions  *options,
                                        GCancellable          *cancellable,
                                        GError               **error);

/* ---- workbooks (ep-table-zip.c) ---- */

/* Limits against zip bombs: XML decompressed in one read, all parts
 * together (1 GiB by default), and the expansion ratio above which a large
 * part is refused. Tests lower them; 0 restores the default. */
void           _ep_table_set_zip_limits (guint64               max_unpacked,
                                         guint                 max_ratio);

EpTableFormat  _ep_table_sniff_zip     (const char            *path);
gboolean       _ep_table_check_not_ole (const char            *path,
                                        GError               **error);
zip_t         *_ep_table_zip_open      (const char            *path,
                                        GError               **error);
char          *_ep_table_zip_read_small (zip_t                *zip,
                                         const char           *name,
                                         gsize                 limit);

/* One read of a workbook: the bytes unpacked so far count against the
 * limits, and the main part reports progress. */
typedef struct
{
  zip_t                *zip;
  const EpTableOptions *options;
  guint64               unpacked;
} EpZipDoc;

typedef struct
{
  EpZipDoc     *doc;
  zip_file_t   *file;
  zip_uint64_t  size;
  zip_uint64_t  read;
  gboolean      progress;
  GError       *error;
} EpZipPart;

/* NULL and no error when the part is missing and not @required. */
EpZipPart     *_ep_zip_part_open       (EpZipDoc              *doc,
                                        const char            *name,
                                        gboolean               required,
                                        gboolean               progress,
                                        GError               **error);
/* Bytes read, 0 at the end, -1 with part->error set. */
gssize         _ep_zip_part_read       (EpZipPart             *part,
                                        char                  *buffer,
                                        gsize                  len);
void           _ep_zip_part_free       (EpZipPart             *part);
/* An xmlTextReader over the part (which it then owns). */
xmlTextReader *_ep_zip_part_xml_reader (EpZipPart             *part,
                                        const char            *name);
void           _ep_table_xml_error     (GError               **error,
                                        const char            *part);

/* A number as a person reads it in a cell formatted "General": 0.1, 12,
 * -3.5, 1E+20. Writes into @buf (at least 32 bytes); returns it. */
char          *_ep_table_format_number (double                 value,
                                        char                  *buf,
                                        gsize                  len);
/* The same from a number's text; the text itself when it is already in
 * that form (the common case, no conversion). */
const char    *_ep_table_format_number_text (const char       *text,
                                             char             *buf,
                                             gsize             len);

/* ---- locale data (ep-table-locale.c) ---- */

/* What numbers and dates display with, in one locale; from ICU. */
typedef struct
{
  char  *name;             /* "de_DE", "C" */
  char   decimal[8];       /* "," */
  char   group[8];         /* "." */
  char   date_sep[8];      /* "." for a date code's "/" */
  char  *months[12];       /* "März" */
  char  *months_abbr[12];  /* "Mär" */
  char  *days[7];          /* from Sunday: "Sonntag" */
  char  *days_abbr[7];     /* "So" */
  char  *am, *pm;
  char  *short_date;       /* built-in format 14 as a code: "dd.mm.yyyy" */
  char  *percent;          /* after the number in built-in 9 and 10 */
} EpTableLocale;

/* Kept for the life of the process; NULL @name is the desktop's locale. */
const EpTableLocale *_ep_table_locale_get     (const char *name);
/* A Windows locale id from a format's [$-407]; NULL if unknown. */
const EpTableLocale *_ep_table_locale_for_lcid (guint      lcid);

/* ---- number formats (ep-table-numfmt.c) ---- */

/* A parsed number format code: up to four sections (positive; negative;
 * zero; text), each a list of tokens. */
typedef struct _EpNumFmt EpNumFmt;

EpNumFmt      *_ep_num_fmt_new         (const char            *code,
                                        const EpTableLocale   *locale);
/* Built-in formats 0–49 (ECMA-376 §18.8.30), 14 and 9, 10 in @locale's
 * own form, as spreadsheet applications show them. */
EpNumFmt      *_ep_num_fmt_new_builtin (guint                  id,
                                        const EpTableLocale   *locale);
void           _ep_num_fmt_free        (EpNumFmt              *fmt);
/* A number cell's text (as stored in the file) as the format shows it;
 * @fmt NULL is "General" in @locale. Returns @text or @scratch's text. */
const char    *_ep_num_fmt_render      (const EpNumFmt        *fmt,
                                        const EpTableLocale   *locale,
                                        const char            *text,
                                        gboolean               date1904,
                                        GString               *scratch);
/* The same cell without its format: @text, or for a date format the
 * date as ISO 8601. Returns @text or @scratch's text. */
const char    *_ep_num_fmt_raw         (const EpNumFmt        *fmt,
                                        const char            *text,
                                        gboolean               date1904,
                                        GString               *scratch);

/* Rows being read from a sheet: the first non-blank row is the header
 * (its last non-empty cell sets the number of columns); blank rows are
 * skipped; values right of the last column are counted and dropped. */
typedef struct
{
  EpTable   *table;
  GPtrArray *warnings;    /* char * */
  GString   *buffer;      /* the row's values, NUL-separated */
  GArray    *offsets;     /* gssize per column into buffer, -1 = empty */
  GPtrArray *values;      /* scratch for ep_table_append_row() */
  GString   *raw_buffer;  /* the row's raw values (column, NUL, value, NUL)… */
  guint      n_columns;   /* 0 until the header is known */
  guint      n_dropped;
  guint      n_rows;
  gboolean   too_many;
  gboolean   too_wide;    /* a value past column EP_TABLE_MAX_COLUMNS */
} EpRows;

void           _ep_rows_init           (EpRows                *rows);
void           _ep_rows_clear          (EpRows                *rows);
void           _ep_rows_set            (EpRows                *rows,
                                        guint                  column,
                                        const char            *value,
                                        gssize                 len);
/* The value under the format of the cell just set (when it differs). */
void           _ep_rows_set_raw        (EpRows                *rows,
                                        guint                  column,
                                        const char            *raw);
/* Ends a row (@repeat identical rows from @row_number on). */
void           _ep_rows_end            (EpRows                *rows,
                                        guint                  row_number,
                                        guint                  repeat);
EpTable       *_ep_rows_finish         (EpRows                *rows,
                                        EpTableFormat          format,
                                        GPtrArray             *sheet_names,
                                        const char            *sheet,
                                        GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (zip_t, zip_discard)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlTextReader, xmlFreeTextReader)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpZipPart, _ep_zip_part_free)

G_END_DECLS
