/* ep-table-xlsx.c: Office Open XML workbooks (.xlsx, .xlsm)
 *
 * The small parts (workbook, relationships, styles) go through libxml2's
 * xmlTextReader. The big ones, the shared strings and the sheet, are
 * streamed from libzip in chunks into libxml2's SAX2 push parser: no node
 * is built per element and attribute values are read in place, so a cell
 * costs no allocation unless it is kept. (The xmlTextReader took 2 s for
 * 100,000 rows × 10 columns, too slow for the 10× openpyxl target.)
 *
 * What is written for a cell is what a person reads in the spreadsheet:
 * a number as its cell's number format shows it in the reader's locale
 * (ep-table-numfmt.c: "1.234,50 €", "19.03.2024", "25%"; without a format,
 * as General: 0.1, 12, 1E+20), TRUE/FALSE, formulas' cached results,
 * error values as their text (#DIV/0!) with a warning. A format section
 * that is only text shows the text (LibreOffice's "TRUE";"TRUE";"FALSE"
 * for its TRUE and FALSE cells).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-table"

#include "config.h"

#include <string.h>
#include <libxml/parser.h>
#include <glib/gi18n-lib.h>

#include "ep-table-private.h"

#define CHUNK_SIZE (64 * 1024)
#define NS_RELS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_RELS_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"

typedef struct
{
  GStringChunk *chunk;     /* shared strings */
  GPtrArray    *strings;   /* const char * into chunk */
  GPtrArray    *formats;   /* EpNumFmt, owned */
  GPtrArray    *xf_formats;/* EpNumFmt per cellXfs index (NULL: General) */
  gboolean      date1904;
  const EpTableLocale *locale;
} Workbook;

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

/* ---- small parts ---------------------------------------------------------- */

static gboolean
read_styles (EpZipDoc  *doc,
             Workbook  *wb,
             GError   **error)
{
  g_autoptr(EpZipPart) part = NULL;
  g_autoptr(xmlTextReader) reader = NULL;
  g_autoptr(GHashTable) custom = g_hash_table_new (NULL, NULL);
  GError *local_error = NULL;
  gboolean in_cell_xfs = FALSE;
  int rc;

  part = _ep_zip_part_open (doc, "xl/styles.xml", FALSE, FALSE, &local_error);
  if (part == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, local_error);
      return FALSE;
    }
  reader = _ep_zip_part_xml_reader (part, "xl/styles.xml");

  while ((rc = xmlTextReaderRead (reader)) == 1)
    {
      int type = xmlTextReaderNodeType (reader);

      if (type == XML_READER_TYPE_ELEMENT && IS (reader, "numFmt"))
        {
          g_autofree char *id = attr (reader, "numFmtId");
          g_autofree char *code = attr (reader, "formatCode");

          if (id != NULL && code != NULL)
            {
              EpNumFmt *fmt = _ep_num_fmt_new (code, wb->locale);
              guint n = (guint) g_ascii_strtoull (id, NULL, 10);

              g_ptr_array_add (wb->formats, fmt);
              g_hash_table_insert (custom, GUINT_TO_POINTER (n), fmt);
            }
        }
      else if (type == XML_READER_TYPE_ELEMENT && IS (reader, "cellXfs"))
        in_cell_xfs = !xmlTextReaderIsEmptyElement (reader);
      else if (type == XML_READER_TYPE_END_ELEMENT && IS (reader, "cellXfs"))
        in_cell_xfs = FALSE;
      else if (type == XML_READER_TYPE_ELEMENT && in_cell_xfs && IS (reader, "xf"))
        {
          g_autofree char *id_text = attr (reader, "numFmtId");
          guint id = id_text ? (guint) g_ascii_strtoull (id_text, NULL, 10) : 0;
          EpNumFmt *fmt = g_hash_table_lookup (custom, GUINT_TO_POINTER (id));

          if (fmt == NULL && id != 0)
            {
              /* A built-in format: made once, shared by the xfs using it.
               * 0 is General, NULL. */
              fmt = _ep_num_fmt_new_builtin (id, wb->locale);
              g_ptr_array_add (wb->formats, fmt);
              g_hash_table_insert (custom, GUINT_TO_POINTER (id), fmt);
            }
          g_ptr_array_add (wb->xf_formats, fmt);
        }
    }

  if (part->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&part->error));
      return FALSE;
    }
  if (rc != 0)
    {
      _ep_table_xml_error (error, "xl/styles.xml");
      return FALSE;
    }
  return TRUE;
}

/* Sheet names in order and the zip path of the chosen one. */
static char *
find_sheet (EpZipDoc    *doc,
            Workbook    *wb,
            const char  *wanted,
            GPtrArray   *names,
            char       **chosen_name,
            GError     **error)
{
  g_autoptr(EpZipPart) part = NULL;
  g_autoptr(xmlTextReader) reader = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *id = NULL;
  const char *target;
  int rc;

  part = _ep_zip_part_open (doc, "xl/workbook.xml", TRUE, FALSE, error);
  if (part == NULL)
    return NULL;
  reader = _ep_zip_part_xml_reader (part, "xl/workbook.xml");

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
                                                      (const xmlChar *) NS_RELS);

          if (rid == NULL)
            rid = xmlTextReaderGetAttributeNs (reader, (const xmlChar *) "id",
                                               (const xmlChar *) NS_RELS_STRICT);
          if (name != NULL)
            {
              g_ptr_array_add (names, name);
              g_ptr_array_add (ids, g_strdup (rid ? (const char *) rid : ""));
            }
          xmlFree (rid);
        }
    }
  if (part->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&part->error));
      return NULL;
    }
  if (rc != 0)
    {
      _ep_table_xml_error (error, "xl/workbook.xml");
      return NULL;
    }
  g_clear_pointer (&reader, xmlFreeTextReader);
  g_clear_pointer (&part, _ep_zip_part_free);

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
      g_autofree char *list = NULL;

      g_ptr_array_add (names, NULL);
      list = g_strjoinv ("”, “", (char **) names->pdata);
      g_ptr_array_remove_index (names, names->len - 1);
      g_set_error (error, EP_TABLE_ERROR, EP_TABLE_ERROR_NO_SUCH_SHEET,
                   _("The workbook has no sheet “%s”; it has “%s”"), wanted, list);
      return NULL;
    }

  part = _ep_zip_part_open (doc, "xl/_rels/workbook.xml.rels", TRUE, FALSE, error);
  if (part == NULL)
    return NULL;
  reader = _ep_zip_part_xml_reader (part, "xl/_rels/workbook.xml.rels");
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
  if (part->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&part->error));
      return NULL;
    }
  if (rc != 0)
    {
      _ep_table_xml_error (error, "xl/_rels/workbook.xml.rels");
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
  if (g_str_has_prefix (target, "../"))
    return g_strdup (target + 3);
  return g_strconcat ("xl/", target, NULL);
}

/* ---- the SAX parser for shared strings and sheets -------------------------- */

typedef enum
{
  CELL_NUMBER,
  CELL_SHARED,
  CELL_STRING,   /* str (formula result) and inlineStr */
  CELL_BOOL,
  CELL_ERROR,
  CELL_DATE,     /* t="d": ISO 8601 already */
} CellType;

typedef struct
{
  xmlParserCtxt *ctxt;
  Workbook      *wb;
  EpRows        *rows;          /* NULL for the shared strings */
  GCancellable  *cancellable;
  GError        *error;
  GString       *text;          /* character data being collected */
  GString       *scratch;       /* a number cell as its format shows it */
  GString       *raw_scratch;   /* … and without it */
  int            collect;       /* inside <v>, or <t> of <si>/<is> */
  int            in_rph;        /* phonetic runs are not text */
  gboolean       in_sheet_data;
  gboolean       in_row;
  gboolean       finished;      /* </sheetData>: the rest is not wanted */

  guint          row_number;
  guint          next_row;
  guint          column;
  CellType       type;
  guint          style;
  gboolean       have_value;
  guint          n_rows_seen;
} Sax;

static void
sax_fail (Sax      *sax,
          GError   *error)
{
  if (sax->error == NULL)
    sax->error = error;
  else
    g_error_free (error);
  xmlStopParser (sax->ctxt);
}

static const char *
sax_attr (const xmlChar **attrs,
          int             n,
          const char     *name,
          gsize          *len)
{
  for (int i = 0; i < n; i++, attrs += 5)
    if (attrs[2] == NULL && strcmp ((const char *) attrs[0], name) == 0)
      {
        *len = attrs[4] - attrs[3];
        return (const char *) attrs[3];
      }
  return NULL;
}

static guint64
parse_uint (const char *p,
            gsize       len)
{
  guint64 n = 0;

  for (gsize i = 0; i < len && p[i] >= '0' && p[i] <= '9' && n < G_MAXUINT32; i++)
    n = n * 10 + (p[i] - '0');
  return n;
}

static gboolean
attr_is (const char *value,
         gsize       len,
         const char *literal)
{
  return len == strlen (literal) && memcmp (value, literal, len) == 0;
}

/* "BC12": column 54 (0-based) and row 12; FALSE without letters. */
static gboolean
parse_ref (const char *p,
           gsize       len,
           guint      *column,
           guint      *row)
{
  guint col = 0;
  gsize i = 0;

  for (; i < len && g_ascii_isalpha (p[i]); i++)
    {
      col = col * 26 + (g_ascii_toupper (p[i]) - 'A' + 1);
      if (col > EP_TABLE_MAX_COLUMNS)
        col = EP_TABLE_MAX_COLUMNS + 1;
    }
  if (i == 0)
    return FALSE;
  *column = col - 1;
  *row = (guint) parse_uint (p + i, len - i);
  return TRUE;
}

static char *
cell_name (guint column,
           guint row)
{
  char letters[8];
  int n = sizeof letters - 1;

  letters[n] = '\0';
  column++;
  while (column > 0 && n > 0)
    {
      letters[--n] = 'A' + (column - 1) % 26;
      column = (column - 1) / 26;
    }
  return g_strdup_printf ("%s%u", letters + n, row);
}

static void
end_cell (Sax *sax)
{
  const char *value = sax->text->str;
  const char *raw = NULL;
  gssize len = sax->text->len;

  if (!sax->have_value)
    return;

  switch (sax->type)
    {
    case CELL_SHARED:
      {
        guint64 index = parse_uint (value, len);

        if (len == 0 || index >= sax->wb->strings->len)
          {
            g_autofree char *name = cell_name (sax->column, sax->row_number);

            sax_fail (sax, g_error_new (EP_TABLE_ERROR, EP_TABLE_ERROR_CORRUPT,
                                        _("The file is damaged: cell %s refers to a text that "
                                          "does not exist"), name));
            return;
          }
        value = g_ptr_array_index (sax->wb->strings, index);
        len = -1;
      }
      break;

    case CELL_BOOL:
      value = (attr_is (value, len, "1") || g_ascii_strcasecmp (value, "true") == 0) ? "TRUE" : "FALSE";
      len = -1;
      break;

    case CELL_ERROR:
      {
        g_autofree char *name = cell_name (sax->column, sax->row_number);

        g_ptr_array_add (sax->rows->warnings,
                         g_strdup_printf (_("Cell %s holds the error %s"), name, value));
      }
      break;

    case CELL_STRING:
    case CELL_DATE:
      break;

    case CELL_NUMBER:
    default:
      {
        const EpNumFmt *fmt = sax->style < sax->wb->xf_formats->len
                              ? g_ptr_array_index (sax->wb->xf_formats, sax->style) : NULL;

        raw = _ep_num_fmt_raw (fmt, value, sax->wb->date1904, sax->raw_scratch);
        value = _ep_num_fmt_render (fmt, sax->wb->locale, value, sax->wb->date1904,
                                    sax->scratch);
        len = -1;
      }
      break;
    }

  _ep_rows_set (sax->rows, sax->column, value, len);
  if (raw != NULL && value != NULL && strcmp (raw, value) != 0)
    _ep_rows_set_raw (sax->rows, sax->column, raw);
}

static void
on_start_element (void           *user_data,
                  const xmlChar  *localname,
                  const xmlChar  *prefix,
                  const xmlChar  *uri,
                  int             nb_namespaces,
                  const xmlChar **namespaces,
                  int             nb_attributes,
                  int             nb_defaulted,
                  const xmlChar **attributes)
{
  Sax *sax = user_data;
  const char *name = (const char *) localname;
  const char *value;
  gsize len;

  if (sax->rows == NULL)
    {
      /* Shared strings: <si> holds <t>, or runs <r><t>, and <rPh><t>. */
      if (strcmp (name, "si") == 0)
        g_string_truncate (sax->text, 0);
      else if (strcmp (name, "t") == 0 && sax->in_rph == 0)
        sax->collect++;
      else if (strcmp (name, "rPh") == 0)
        sax->in_rph++;
      return;
    }

  if (!sax->in_sheet_data)
    {
      if (strcmp (name, "sheetData") == 0)
        sax->in_sheet_data = TRUE;
      return;
    }

  switch (name[0])
    {
    case 'c':
      if (name[1] != '\0' || !sax->in_row)
        break;
      sax->type = CELL_NUMBER;
      sax->style = 0;
      sax->have_value = FALSE;
      g_string_truncate (sax->text, 0);
      if ((value = sax_attr (attributes, nb_attributes, "r", &len)) != NULL)
        {
          guint column, row;

          if (parse_ref (value, len, &column, &row))
            sax->column = column;
        }
      if ((value = sax_attr (attributes, nb_attributes, "t", &len)) != NULL)
        {
          if (attr_is (value, len, "s"))
            sax->type = CELL_SHARED;
          else if (attr_is (value, len, "str") || attr_is (value, len, "inlineStr"))
            sax->type = CELL_STRING;
          else if (attr_is (value, len, "b"))
            sax->type = CELL_BOOL;
          else if (attr_is (value, len, "e"))
            sax->type = CELL_ERROR;
          else if (attr_is (value, len, "d"))
            sax->type = CELL_DATE;
        }
      if ((value = sax_attr (attributes, nb_attributes, "s", &len)) != NULL)
        sax->style = (guint) parse_uint (value, len);
      break;

    case 'v':
      if (name[1] == '\0' && sax->in_row)
        {
          g_string_truncate (sax->text, 0);
          sax->collect++;
          sax->have_value = TRUE;
        }
      break;

    case 'i':
      if (strcmp (name, "is") == 0 && sax->in_row)
        {
          g_string_truncate (sax->text, 0);
          sax->type = CELL_STRING;
          sax->have_value = TRUE;
        }
      break;

    case 't':
      if (name[1] == '\0' && sax->in_row && sax->in_rph == 0)
        sax->collect++;
      break;

    case 'r':
      if (strcmp (name, "row") == 0)
        {
          sax->row_number = sax->next_row;
          if ((value = sax_attr (attributes, nb_attributes, "r", &len)) != NULL)
            {
              guint r = (guint) parse_uint (value, len);

              if (r > 0)
                sax->row_number = r;
            }
          sax->next_row = sax->row_number + 1;
          sax->column = 0;
          sax->in_row = TRUE;
          if (++sax->n_rows_seen % EP_TABLE_CANCEL_EVERY == 0)
            {
              GError *error = NULL;

              if (g_cancellable_set_error_if_cancelled (sax->cancellable, &error))
                sax_fail (sax, error);
            }
        }
      else if (strcmp (name, "rPh") == 0)
        sax->in_rph++;
      break;

    default:
      break;
    }
}

static void
on_end_element (void          *user_data,
                const xmlChar *localname,
                const xmlChar *prefix,
                const xmlChar *uri)
{
  Sax *sax = user_data;
  const char *name = (const char *) localname;

  if (sax->rows == NULL)
    {
      if (strcmp (name, "si") == 0)
        {
          g_ptr_array_add (sax->wb->strings,
                           g_string_chunk_insert_len (sax->wb->chunk, sax->text->str, sax->text->len));
          if (sax->wb->strings->len % (EP_TABLE_CANCEL_EVERY * 16) == 0)
            {
              GError *error = NULL;

              if (g_cancellable_set_error_if_cancelled (sax->cancellable, &error))
                sax_fail (sax, error);
            }
        }
      else if (strcmp (name, "t") == 0 && sax->collect > 0 && sax->in_rph == 0)
        sax->collect--;
      else if (strcmp (name, "rPh") == 0 && sax->in_rph > 0)
        sax->in_rph--;
      return;
    }

  if (!sax->in_sheet_data)
    return;

  switch (name[0])
    {
    case 'c':
      if (name[1] == '\0' && sax->in_row)
        {
          end_cell (sax);
          sax->have_value = FALSE;
          sax->collect = 0;
          if (sax->column < EP_TABLE_MAX_COLUMNS)
            sax->column++;
        }
      break;

    case 'v':
    case 't':
      if (name[1] == '\0' && sax->collect > 0 && sax->in_rph == 0)
        sax->collect--;
      break;

    case 'r':
      if (strcmp (name, "row") == 0 && sax->in_row)
        {
          _ep_rows_end (sax->rows, sax->row_number, 1);
          sax->in_row = FALSE;
          if (sax->rows->too_many || sax->rows->too_wide)
            xmlStopParser (sax->ctxt);
        }
      else if (strcmp (name, "rPh") == 0 && sax->in_rph > 0)
        sax->in_rph--;
      break;

    case 's':
      if (strcmp (name, "sheetData") == 0)
        {
          sax->in_sheet_data = FALSE;
          sax->finished = TRUE;
          xmlStopParser (sax->ctxt);
        }
      break;

    default:
      break;
    }
}

static void
on_characters (void          *user_data,
               const xmlChar *text,
               int            len)
{
  Sax *sax = user_data;

  if (sax->collect <= 0 || sax->in_rph > 0)
    return;

  if (sax->text->len + len > EP_TABLE_MAX_CELL)
    {
      sax_fail (sax, g_error_new (EP_TABLE_ERROR, EP_TABLE_ERROR_TOO_LARGE,
                                  _("A value in the workbook is longer than %u KiB"),
                                  EP_TABLE_MAX_CELL / 1024));
      return;
    }
  g_string_append_len (sax->text, (const char *) text, len);
}

static void
on_structured_error (void        *user_data,
                     xmlErrorPtr  error)
{
  /* Reported as CORRUPT from the parser's state; nothing is printed. */
}

/* Streams @name through the SAX parser. */
static gboolean
parse_part (EpZipDoc      *doc,
            const char    *name,
            gboolean       required,
            Workbook      *wb,
            EpRows        *rows,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(EpZipPart) part = NULL;
  g_autoptr(GString) text = g_string_sized_new (256);
  g_autoptr(GString) scratch = g_string_sized_new (64);
  g_autoptr(GString) raw_scratch = g_string_sized_new (64);
  g_autofree char *buffer = NULL;
  xmlSAXHandler handler;
  Sax sax = { 0, };
  GError *local_error = NULL;
  gboolean ok = TRUE;
  gssize n;

  part = _ep_zip_part_open (doc, name, required, rows != NULL, &local_error);
  if (part == NULL)
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, local_error);
      return FALSE;
    }

  memset (&handler, 0, sizeof handler);
  handler.initialized = XML_SAX2_MAGIC;
  handler.startElementNs = on_start_element;
  handler.endElementNs = on_end_element;
  handler.characters = on_characters;
  handler.cdataBlock = on_characters;
  handler.serror = on_structured_error;

  sax.wb = wb;
  sax.rows = rows;
  sax.cancellable = cancellable;
  sax.text = text;
  sax.scratch = scratch;
  sax.raw_scratch = raw_scratch;
  sax.next_row = 1;

  sax.ctxt = xmlCreatePushParserCtxt (&handler, &sax, NULL, 0, name);
  if (sax.ctxt == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return FALSE;
    }
  /* No network, no external entities or DTD, no entity expansion. */
  xmlCtxtUseOptions (sax.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

  buffer = g_malloc (CHUNK_SIZE);
  for (;;)
    {
      n = _ep_zip_part_read (part, buffer, CHUNK_SIZE);
      if (n < 0)
        {
          ok = FALSE;
          break;
        }
      xmlParseChunk (sax.ctxt, buffer, (int) n, n == 0);
      if (sax.error != NULL || sax.finished || (rows != NULL && (rows->too_many || rows->too_wide)) ||
          !sax.ctxt->wellFormed || n == 0)
        break;
    }

  if (sax.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sax.error));
      ok = FALSE;
    }
  else if (!ok)
    g_propagate_error (error, g_steal_pointer (&part->error));
  else if (!sax.finished && !(rows != NULL && (rows->too_many || rows->too_wide)) && !sax.ctxt->wellFormed)
    {
      _ep_table_xml_error (error, name);
      ok = FALSE;
    }
  else if (rows != NULL && !sax.finished && !rows->too_many && !rows->too_wide)
    {
      /* Well-formed but no </sheetData>: not a sheet. */
      _ep_table_xml_error (error, name);
      ok = FALSE;
    }

  if (sax.ctxt->myDoc != NULL)
    xmlFreeDoc (sax.ctxt->myDoc);
  xmlFreeParserCtxt (sax.ctxt);

  return ok;
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
  EpZipDoc doc = { 0, };
  Workbook wb = { 0, };
  EpRows rows;
  EpTable *table = NULL;

  if (!_ep_table_check_not_ole (path, error))
    return NULL;

  zip = _ep_table_zip_open (path, error);
  if (zip == NULL)
    return NULL;

  if (zip_name_locate (zip, "EncryptedPackage", 0) >= 0)
    {
      g_set_error_literal (error, EP_TABLE_ERROR, EP_TABLE_ERROR_ENCRYPTED,
                           _("The workbook is password-protected; save it without a password"));
      return NULL;
    }

  doc.zip = zip;
  doc.options = options;
  wb.chunk = g_string_chunk_new (64 * 1024);
  wb.strings = g_ptr_array_new ();
  wb.formats = g_ptr_array_new_with_free_func ((GDestroyNotify) _ep_num_fmt_free);
  wb.xf_formats = g_ptr_array_new ();
  wb.locale = _ep_table_locale_get (options->locale);
  _ep_rows_init (&rows);

  part = find_sheet (&doc, &wb, options->sheet, names, &sheet, error);
  if (part != NULL &&
      read_styles (&doc, &wb, error) &&
      parse_part (&doc, "xl/sharedStrings.xml", FALSE, &wb, NULL, cancellable, error) &&
      parse_part (&doc, part, TRUE, &wb, &rows, cancellable, error))
    table = _ep_rows_finish (&rows, EP_TABLE_FORMAT_XLSX, names, sheet, error);
  if (table != NULL)
    ep_table_set_locale (table, options->locale);

  _ep_rows_clear (&rows);
  g_string_chunk_free (wb.chunk);
  g_ptr_array_unref (wb.strings);
  g_ptr_array_unref (wb.xf_formats);
  g_ptr_array_unref (wb.formats);

  return table;
}
