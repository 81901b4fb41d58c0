/* ep-campaign-export.h: a campaign's results, as a file a person opens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "merge/ep-merge.h"
#include "merge/ep-template.h"
#include "outbox/ep-outbox.h"
#include "table/ep-table.h"

G_BEGIN_DECLS

typedef enum
{
  /* RFC 4180: comma, UTF-8 without a BOM (for programs and scripts). */
  EP_EXPORT_CSV,
  /* For a spreadsheet in the user's locale: a UTF-8 BOM (so Excel reads
   * the umlauts) and ";" where the locale writes decimal commas. */
  EP_EXPORT_CSV_LOCALE,
  /* An Excel workbook (libxlsxwriter): dates as dates, counts as numbers. */
  EP_EXPORT_XLSX,
} EpExportFormat;

/* The format a file name asks for: .xlsx, else CSV for the locale. */
EpExportFormat  ep_export_format_for_path   (const char     *path);

/* The separator a spreadsheet in the current LC_NUMERIC locale expects in
 * a CSV file: ';' where the decimal separator is ',', else ','. */
char            ep_export_locale_separator  (void);

/* The rows of @report that were left out (not in its valid rows), with
 * the problems that kept them out, their address and, unless @protected
 * (whose campaigns keep no row values), the row's values: what
 * ep_store_campaign_add_skipped () records. */
GPtrArray      *ep_campaign_skipped_rows    (const EpMergeReport *report,
                                             EpTemplate     *tmpl,
                                             EpTable        *table,
                                             const char     *base_dir,
                                             gboolean        is_protected);

/* Writes campaign @id's results to @path: per row its number, address,
 * status (sent, failed, bounced, skipped, or still pending/deferred/
 * uncertain), how many times it was sent (2 for a row resent after a
 * crash), the server's reply (or the bounce's diagnostic, or why it was
 * skipped), the time, the Message-ID, the generated password where
 * Epistle made one (the file then readable by its owner only), then the
 * row's own columns. Written beside @path and renamed. Blocks. */
gboolean        ep_campaign_export          (EpOutbox       *outbox,
                                             gint64          id,
                                             const char     *path,
                                             EpExportFormat  format,
                                             GError        **error);

G_END_DECLS
