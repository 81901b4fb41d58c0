/* ep-cli-table.c: epistle-cli table
 *
 *   epistle-cli table FILE [--sheet NAME] [--encoding ENC] [--delimiter C] [--locale NAME] [--format json|csv]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

static void
json_string (GString    *out,
             const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

int
cmd_table (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpTable) table = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *format = NULL;
  TableArgs args = { 0, };
  GOptionEntry entries[] = {
    { "sheet", 0, 0, G_OPTION_ARG_STRING, &args.sheet, N_("Sheet of a workbook (default: the first)"), N_("NAME") },
    { "encoding", 0, 0, G_OPTION_ARG_STRING, &args.encoding, N_("Text encoding of a CSV file (default: detected)"), N_("ENC") },
    { "delimiter", 0, 0, G_OPTION_ARG_STRING, &args.delimiter, N_("Field separator of a CSV file (default: detected)"), N_("C") },
    { "locale", 0, 0, G_OPTION_ARG_STRING, &args.locale, N_("Workbooks: the locale numbers and dates are shown in, such as de_DE (default: the desktop’s)"), N_("NAME") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("json (default) or csv"), N_("FORMAT") },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (_("FILE — print a spreadsheet’s rows as Epistle reads them"));
  guint n_columns, n_rows;
  gboolean csv;
  int status;

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      table_args_clear (&args);
      return usage_error ("%s", error->message);
    }

  if (argc != 2)
    {
      table_args_clear (&args);
      return usage_error (_("table needs exactly one FILE"));
    }

  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "csv"))
    {
      table_args_clear (&args);
      return usage_error (_("--format must be json or csv, not “%s”"), format);
    }
  csv = format != NULL && g_str_equal (format, "csv");

  table = read_table (argv[1], &args, &error);
  table_args_clear (&args);
  if (table == NULL)
    return fail (g_steal_pointer (&error));

  n_columns = ep_table_get_n_columns (table);
  n_rows = ep_table_get_n_rows (table);

  if (csv)
    for (guint c = 0; c < n_columns; c++)
      ep_csv_append_cell (out, ep_table_get_column (table, c), c + 1 == n_columns);
  else
    g_string_append (out, "[");

  for (guint r = 0; r < n_rows; r++)
    {
      if (!csv)
        g_string_append (out, r == 0 ? "\n  {" : ",\n  {");
      for (guint c = 0; c < n_columns; c++)
        {
          if (csv)
            ep_csv_append_cell (out, ep_table_get_value (table, r, c), c + 1 == n_columns);
          else
            {
              if (c > 0)
                g_string_append (out, ", ");
              json_string (out, ep_table_get_column (table, c));
              g_string_append (out, ": ");
              json_string (out, ep_table_get_value (table, r, c));
            }
        }
      if (!csv)
        g_string_append (out, "}");

      /* Stream out in chunks; 100,000 rows need not sit in one string. */
      if (out->len > 1 << 16)
        {
          fwrite (out->str, 1, out->len, stdout);
          g_string_truncate (out, 0);
        }
    }

  if (!csv)
    g_string_append (out, n_rows > 0 ? "\n]\n" : "]\n");

  fwrite (out->str, 1, out->len, stdout);
  status = fflush (stdout) == 0 ? EXIT_OK : EXIT_FAILURE_GENERIC;

  return status;
}
