/* ep-merge.h: checking every row of a merge before anything is sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "merge/ep-template.h"
#include "table/ep-table.h"

G_BEGIN_DECLS

#define EP_MERGE_ERROR (ep_merge_error_quark ())

typedef enum
{
  EP_MERGE_ERROR_RANGES,  /* a row selection that does not parse */
} EpMergeError;

typedef enum
{
  EP_MERGE_PROBLEM_NO_RECIPIENT,
  EP_MERGE_PROBLEM_INVALID_ADDRESS,
  EP_MERGE_PROBLEM_DUPLICATE_RECIPIENT,  /* same address as an earlier row */
  EP_MERGE_PROBLEM_MISSING_ATTACHMENT,
  EP_MERGE_PROBLEM_UNREADABLE_ATTACHMENT,
  EP_MERGE_PROBLEM_HEADER_INJECTION,     /* control character bound for a header */
  EP_MERGE_PROBLEM_TEMPLATE,             /* any other rendering error */
  EP_MERGE_PROBLEM_CERTIFICATE,          /* cannot be encrypted for its recipient */
  EP_MERGE_PROBLEM_PASSWORD,             /* its password cannot protect a message */
  EP_MERGE_PROBLEM_WEAK_PASSWORD,        /* a warning: its password is easy to guess */
  EP_MERGE_PROBLEM_N_KINDS
} EpMergeProblemKind;

typedef struct
{
  guint               row;         /* index into the table */
  guint               row_number;  /* as the spreadsheet shows it */
  EpMergeProblemKind  kind;
  char               *message;     /* readable, names the address/file/field */
} EpMergeProblem;

void          ep_merge_problem_free   (EpMergeProblem *problem);

/* Rows picked by a person: "2-10,15,40-" (row numbers as the spreadsheet
 * shows them; an open end runs to the last row). NULL/"" means all. */
typedef struct _EpRowRanges EpRowRanges;

EpRowRanges  *ep_row_ranges_parse     (const char   *text,
                                       GError      **error);
gboolean      ep_row_ranges_contains  (const EpRowRanges *ranges,
                                       guint         row_number);
void          ep_row_ranges_free      (EpRowRanges  *ranges);

typedef struct
{
  guint      n_selected;   /* rows the selection picked */
  GArray    *valid_rows;   /* guint: table indexes of rows without problems */
  GPtrArray *problems;     /* EpMergeProblem, by row then kind */
} EpMergeReport;

GQuark         ep_merge_error_quark          (void);
const char    *ep_merge_problem_kind_label   (EpMergeProblemKind  kind);

/* Renders and checks every selected row (addresses, attachments present
 * and readable, duplicate recipients, header injection). Fails only for
 * template-level errors (unknown column) or cancellation. */
EpMergeReport *ep_merge_validate             (EpTemplate         *tmpl,
                                              EpTable            *table,
                                              const EpRowRanges  *ranges,
                                              const char         *base_dir,
                                              GCancellable       *cancellable,
                                              GError            **error);
void           ep_merge_report_free          (EpMergeReport      *report);
/* Problems of one row (table index), in a new array (borrowed elements). */
GPtrArray     *ep_merge_report_row_problems  (EpMergeReport      *report,
                                              guint               row);
/* "Row 412: “bob@@x” is not a valid address" lines, for the CLI. */
char          *ep_merge_report_format        (EpMergeReport      *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpRowRanges, ep_row_ranges_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpMergeReport, ep_merge_report_free)

G_END_DECLS
