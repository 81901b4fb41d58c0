/* ep-table-ods.c: OpenDocument spreadsheets (.ods)
 *
 * content.xml is streamed from libzip into libxml2's xmlTextReader. Rows
 * and cells repeated with table:number-rows-repeated and
 * table:number-columns-repeated are expanded when they hold values; the
 * blank ones (LibreOffice ends a sheet with a million of them) only move
 * the row and column counters, so they cost nothing.
 *
 * Values: float and currency as numbers a person reads (0.1, 12),
 * percentage as the number times 100 with a % sign (0.25 → 25%), date as
 * ISO 8601 (2024-03-01, or 2024-03-01T14:30:00 with a time), time as
 * 14:30:00, boolean as TRUE/FALSE, strings from their paragraphs (joined
 * by newlines, with text:s, text:tab and text:line-break expanded).
 * LibreOffice writes TRUE and FALSE as the floats 1 and 0 in a cell style
 * whose data style is a number:boolean-style; those read as TRUE/FALSE too.
 * The cell styles come from styles.xml and content.xml's automatic styles;
 * a cell without one takes its column's default cell style.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-table-private.h"

#define MAX_REPEAT (1 << 24)

#define IS(reader, name) (g_strcmp0 ((const char *) xmlTextReaderConstLocalName (reader), (name)) == 0)

#define NS_TABLE  "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_TEXT   "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_STYLE  "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
#define NS_NUMBER "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"

/* Which cell styles show a number as TRUE/FALSE. */
typedef struct
{
  GHashTable *boolean_data;  /* names of number:boolean-style data styles */
  GHashTable *data_style;    /* cell style → style:data-style-name */
  GHashTable *parent;        /* cell style → style:parent-style-name */
} OdsStyles;

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

/* ---- styles ---- */

static void
ods_styles_init (OdsStyles *styles)
{
  styles->boolean_data = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  styles->data_style = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  styles->parent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
ods_styles_clear (OdsStyles *styles)
{
  g_clear_pointer (&styles->boolean_data, g_hash_table_unref);
  g_clear_pointer (&styles->data_style, g_hash_table_unref);
  g_clear_pointer (&styles->parent, g_hash_table_unref);
}

/* Takes note of a boolean data style or a cell style at @reader. */
static void
ods_styles_add (OdsStyles     *styles,
                xmlTextReader *reader)
{
  if (in_ns (reader, NS_NUMBER) && IS (reader, "boolean-style"))
    {
      char *name = attr_ns (reader, "name", NS_STYLE);

      if (name != NULL)
        g_hash_table_add (styles->boolean_data, name);
    }
  else if (in_ns (reader, NS_STYLE) && IS (reader, "style"))
    {
      g_autofree char *family = attr_ns (reader, "family", NS_STYLE);
      g_autofree char *name = NULL;
      char *data, *parent;

      if (g_strcmp0 (family, "table-cell") != 0)
        return;
      name = attr_ns (reader, "name", NS_STYLE);
      if (name == NULL)
        return;
      data = attr_ns (reader, "data-style-name", NS_STYLE);
      parent = attr_ns (reader, "parent-style-name", NS_STYLE);
      if (data != NULL)
        g_hash_table_insert (styles->data_style, g_strdup (name), data);
      else
        g_hash_table_remove (styles->data_style, name);
      if (parent != NULL)
        g_hash_table_insert (styles->parent, g_strdup (name), parent);
      else
        g_hash_table_remove (styles->parent, name);
    }
}

/* The common styles, which content.xml's automatic styles build on. */
static gboolean
ods_read_styles (EpZipDoc   *doc,
                 OdsStyles  *styles,
                 GError    **error)
{
  g_autoptr(EpZipPart) part = NULL;
  g_autoptr(xmlTextReader) reader = NULL;
  GError *local_error = NULL;
  int rc;

  part = _ep_zip_part_open (doc, "styles.xml", FALSE, FALSE, &local_error);
  if (part == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, local_error);
      return FALSE;
    }
  reader = _ep_zip_part_xml_reader (part, "styles.xml");
  if (reader == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return FALSE;
    }

  while ((rc = xmlTextReaderRead (reader)) == 1)
    if (xmlTextReaderNodeType (reader) == XML_READER_TYPE_ELEMENT)
      ods_styles_add (styles, reader);

  if (part->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&part->error));
      return FALSE;
    }
  if (rc != 0)
    {
      _ep_table_xml_error (error, "styles.xml");
      return FALSE;
    }
  return TRUE;
}

/* Whether cell style @name (or the style it inherits from) shows numbers
 * as TRUE/FALSE. */
static gboolean
ods_style_is_boolean (const OdsStyles *styles,
                      const char      *name)
{
  for (guint depth = 0; name != NULL && depth < 16; depth++)
    {
      const char *data = g_hash_table_lookup (styles->data_style, name);

      if (data != NULL)
        return g_hash_table_contains (styles->boolean_data, data);
      name = g_hash_table_lookup (styles->parent, name);
    }
  return FALSE;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OdsStyles, ods_styles_clear)

/* ---- cells ---- */

/* The cell as the spreadsheet shows it (LibreOffice writes that text in
 * the cell), and in @raw, when it differs, its value without the format:
 * the number as stored, a date or time in ISO 8601. A cell without its
 * text (some writers leave it out) shows the value.
 * @column_boolean: the column's default cell style is a boolean one. */
static char *
ods_value (xmlTextReader   *reader,
           GString         *text,
           const OdsStyles *styles,
           gboolean         column_boolean,
           char           **raw)
{
  g_autofree char *type = attr_ns (reader, "value-type", NS_OFFICE);
  g_autofree char *value = NULL;
  g_autofree char *plain = NULL;

  *raw = NULL;
  if (type == NULL || g_str_equal (type, "string"))
    return g_strdup (text->str);

  if (g_str_equal (type, "float") || g_str_equal (type, "currency") ||
      g_str_equal (type, "percentage"))
    {
      char buf[64];

      value = attr_ns (reader, "value", NS_OFFICE);
      if (value == NULL)
        return g_strdup (text->str);
      if (g_hash_table_size (styles->boolean_data) > 0 && !g_str_equal (type, "percentage"))
        {
          g_autofree char *style = attr_ns (reader, "style-name", NS_TABLE);

          if (style != NULL ? ods_style_is_boolean (styles, style) : column_boolean)
            return g_strdup (g_ascii_strtod (value, NULL) != 0 ? "TRUE" : "FALSE");
        }
      plain = g_strdup (_ep_table_format_number_text (value, buf, sizeof buf));
      if (g_str_equal (type, "percentage") && text->len == 0)
        {
          char n[64];

          return g_strconcat (_ep_table_format_number (g_ascii_strtod (value, NULL) * 100, n, sizeof n),
                              "%", NULL);
        }
    }
  else if (g_str_equal (type, "date"))
    {
      value = attr_ns (reader, "date-value", NS_OFFICE);
      if (value == NULL)
        return g_strdup (text->str);
      /* 2024-03-01T00:00:00 from a date-only cell stays a date. */
      if (g_str_has_suffix (value, "T00:00:00") && strlen (value) == 19)
        value[10] = '\0';
      plain = g_strdup (value);
    }
  else if (g_str_equal (type, "time"))
    {
      value = attr_ns (reader, "time-value", NS_OFFICE);
      if (value == NULL)
        return g_strdup (text->str);
      plain = ods_time (value);
    }
  else if (g_str_equal (type, "boolean"))
    {
      value = attr_ns (reader, "boolean-value", NS_OFFICE);
      return g_strdup (value && g_ascii_strcasecmp (value, "true") == 0 ? "TRUE" : "FALSE");
    }
  else
    return g_strdup (text->str);

  if (text->len == 0)
    return g_steal_pointer (&plain);
  if (!g_str_equal (plain, text->str))
    *raw = g_steal_pointer (&plain);
  return g_strdup (text->str);
}

static guint
repeat_of (xmlTextReader *reader,
           const char    *name)
{
  g_autofree char *r = attr_ns (reader, name, NS_TABLE);
  guint64 n = r ? g_ascii_strtoull (r, NULL, 10) : 1;

  return (guint) CLAMP (n, 1, MAX_REPEAT);
}

static gboolean
ods_check_encrypted (zip_t   *zip,
                     GError **error)
{
  g_autofree char *manifest = _ep_table_zip_read_small (zip, "META-INF/manifest.xml", 4 * 1024 * 1024);

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
  g_autoptr(EpZipPart) part = NULL;
  g_autoptr(xmlTextReader) reader = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GByteArray) column_boolean = g_byte_array_new ();
  g_auto(OdsStyles) styles = { NULL, };
  g_autofree char *chosen = NULL;
  EpZipDoc doc = { 0, };
  EpRows rows;
  EpTable *table = NULL;
  gboolean reading = FALSE, done_reading = FALSE, advanced = FALSE;
  guint row_number = 0, column = 0, row_repeat = 1, n_row_elements = 0;
  int rc = 1;

  if (!_ep_table_check_not_ole (path, error))
    return NULL;
  zip = _ep_table_zip_open (path, error);
  if (zip == NULL || !ods_check_encrypted (zip, error))
    return NULL;

  doc.zip = zip;
  doc.options = options;
  ods_styles_init (&styles);
  if (!ods_read_styles (&doc, &styles, error))
    return NULL;
  part = _ep_zip_part_open (&doc, "content.xml", TRUE, TRUE, error);
  if (part == NULL)
    return NULL;
  reader = _ep_zip_part_xml_reader (part, "content.xml");
  if (reader == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }

  _ep_rows_init (&rows);

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
              _ep_rows_end (&rows, row_number, 1);
            }
          if (++n_row_elements % EP_TABLE_CANCEL_EVERY == 0 &&
              g_cancellable_set_error_if_cancelled (cancellable, error))
            goto fail;
        }
      else if (reading && type == XML_READER_TYPE_END_ELEMENT && in_ns (reader, NS_TABLE) && IS (reader, "table-row"))
        {
          /* A repeated row with values is that many rows; a repeated empty
           * one (the million blank rows at the end of a sheet) costs nothing. */
          _ep_rows_end (&rows, row_number, row_repeat);
          row_number += row_repeat - 1;
          if (rows.too_many || rows.too_wide)
            break;
        }
      else if (reading && type == XML_READER_TYPE_ELEMENT && in_ns (reader, NS_TABLE) &&
               IS (reader, "table-column"))
        {
          guint repeat = repeat_of (reader, "number-columns-repeated");
          g_autofree char *style = attr_ns (reader, "default-cell-style-name", NS_TABLE);
          guint8 is_boolean = style != NULL && ods_style_is_boolean (&styles, style);

          /* Never more than EP_TABLE_MAX_COLUMNS, however often repeated. */
          repeat = MIN (repeat, EP_TABLE_MAX_COLUMNS - column_boolean->len);
          for (guint i = 0; i < repeat; i++)
            g_byte_array_append (column_boolean, &is_boolean, 1);
        }
      else if (reading && type == XML_READER_TYPE_ELEMENT && in_ns (reader, NS_TABLE) &&
               (IS (reader, "table-cell") || IS (reader, "covered-table-cell")))
        {
          guint repeat = repeat_of (reader, "number-columns-repeated");
          g_autofree char *value = NULL;
          g_autofree char *raw = NULL;

          g_string_truncate (text, 0);
          if (!xmlTextReaderIsEmptyElement (reader) && !ods_cell_text (reader, text))
            {
              if (part->error != NULL)
                g_propagate_error (error, g_steal_pointer (&part->error));
              else if (text->len > EP_TABLE_MAX_CELL)
                g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                             _("Row %u has a value longer than %u KiB"), row_number, EP_TABLE_MAX_CELL / 1024);
              else
                _ep_table_xml_error (error, "content.xml");
              goto fail;
            }
          value = ods_value (reader, text, &styles,
                             column < column_boolean->len && column_boolean->data[column], &raw);

          if (*value == '\0')
            column = MIN (column + repeat, EP_TABLE_MAX_COLUMNS);   /* empty cells: just move on */
          else
            {
              guint limit = rows.n_columns > 0 ? rows.n_columns : EP_TABLE_MAX_COLUMNS;

              for (guint i = 0; i < repeat && column < limit; i++)
                {
                  _ep_rows_set (&rows, column, value, -1);
                  _ep_rows_set_raw (&rows, column++, raw);
                }
              if (column >= limit)
                column = limit;
            }
        }
      else if (names->len == 0 && type == XML_READER_TYPE_ELEMENT)
        ods_styles_add (&styles, reader);   /* office:automatic-styles, before the body */
    }

  if (part->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&part->error));
      goto fail;
    }
  if (rc < 0)
    {
      _ep_table_xml_error (error, "content.xml");
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

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  table = _ep_rows_finish (&rows, EP_TABLE_FORMAT_ODS, names, chosen, error);

fail:
  _ep_rows_clear (&rows);
  return table;
}
