/* ep-merge.c: row selections, and checking every row before a merge
 *
 * Validation renders each selected row with the template and reports, per
 * row, everything that would stop its message: no recipient, an address a
 * server would refuse, a recipient already written to by an earlier row,
 * an attachment that is missing or cannot be read, a value that would
 * break a header. Nothing is sent and nothing is kept but the report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "mail/ep-address.h"
#include "ep-merge.h"
#include "ep-template-private.h"

/* How many rows between two looks at the cancellable. */
#define CANCEL_CHECK_ROWS 64

typedef struct
{
  guint first;
  guint last;   /* G_MAXUINT: open end */
} Range;

struct _EpRowRanges
{
  GArray *ranges;  /* Range; empty = every row */
};

G_DEFINE_QUARK (ep-merge-error-quark, ep_merge_error)

/* Row ranges */

static gboolean
parse_row_number (const char *text,
                  guint      *number)
{
  guint64 value;

  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT - 1, &value, NULL))
    return FALSE;

  *number = (guint) value;
  return TRUE;
}

static gboolean
ranges_error (GError     **error,
              const char  *part,
              const char  *why)
{
  g_set_error (error, EP_MERGE_ERROR, EP_MERGE_ERROR_RANGES,
               /* Translators: the first %s is what the person typed, e.g. “10-2” */
               _("Rows “%s”: %s"), part, why);
  return FALSE;
}

static gboolean
parse_range (const char  *part,
             Range       *range,
             GError     **error)
{
  const char *dash = strchr (part, '-');
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  if (dash == NULL)
    {
      if (!parse_row_number (part, &range->first))
        return ranges_error (error, part, _("expected a row number such as “2” or a "
                                            "range such as “2-10”"));
      range->last = range->first;
      return TRUE;
    }

  if (strchr (dash + 1, '-') != NULL)
    return ranges_error (error, part, _("a range has one “-”"));

  first = g_strstrip (g_strndup (part, dash - part));
  last = g_strstrip (g_strdup (dash + 1));

  if (*first == '\0' && *last == '\0')
    return ranges_error (error, part, _("a range needs a first or a last row"));

  if (*first == '\0')
    range->first = 1;
  else if (!parse_row_number (first, &range->first))
    return ranges_error (error, part, _("row numbers are whole numbers from 1"));

  if (*last == '\0')
    range->last = G_MAXUINT;
  else if (!parse_row_number (last, &range->last))
    return ranges_error (error, part, _("row numbers are whole numbers from 1"));

  if (range->first > range->last)
    return ranges_error (error, part, _("the first row comes after the last"));

  return TRUE;
}

EpRowRanges *
ep_row_ranges_parse (const char  *text,
                     GError     **error)
{
  g_autoptr(EpRowRanges) self = g_new0 (EpRowRanges, 1);
  g_auto(GStrv) parts = NULL;
  g_autofree char *stripped = NULL;

  self->ranges = g_array_new (FALSE, FALSE, sizeof (Range));

  if (text == NULL)
    return g_steal_pointer (&self);

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      Range range;

      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;  /* "2,,5" or a trailing comma */

      if (!parse_range (parts[i], &range, error))
        return NULL;
      g_array_append_val (self->ranges, range);
    }

  stripped = g_strstrip (g_strdup (text));
  if (self->ranges->len == 0 && *stripped != '\0')
    {
      /* Only commas: nothing was meant. */
      ranges_error (error, stripped, _("no row numbers"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

gboolean
ep_row_ranges_contains (const EpRowRanges *ranges,
                        guint              row_number)
{
  if (ranges == NULL || ranges->ranges->len == 0)
    return TRUE;

  for (guint i = 0; i < ranges->ranges->len; i++)
    {
      const Range *r = &g_array_index (ranges->ranges, Range, i);

      if (row_number >= r->first && row_number <= r->last)
        return TRUE;
    }

  return FALSE;
}

void
ep_row_ranges_free (EpRowRanges *ranges)
{
  if (ranges == NULL)
    return;

  g_array_unref (ranges->ranges);
  g_free (ranges);
}

/* Report */

const char *
ep_merge_problem_kind_label (EpMergeProblemKind kind)
{
  switch (kind)
    {
    case EP_MERGE_PROBLEM_NO_RECIPIENT:
      return _("No recipient");
    case EP_MERGE_PROBLEM_INVALID_ADDRESS:
      return _("Invalid addresses");
    case EP_MERGE_PROBLEM_DUPLICATE_RECIPIENT:
      return _("Duplicate recipients");
    case EP_MERGE_PROBLEM_MISSING_ATTACHMENT:
      return _("Missing attachments");
    case EP_MERGE_PROBLEM_UNREADABLE_ATTACHMENT:
      return _("Unreadable attachments");
    case EP_MERGE_PROBLEM_HEADER_INJECTION:
      return _("Line breaks in header fields");
    case EP_MERGE_PROBLEM_TEMPLATE:
      return _("Template errors");
    case EP_MERGE_PROBLEM_CERTIFICATE:
      return _("No usable certificate");
    case EP_MERGE_PROBLEM_PASSWORD:
      return _("No usable password");
    case EP_MERGE_PROBLEM_WEAK_PASSWORD:
      return _("Weak passwords");
    default:
      g_return_val_if_reached (NULL);
    }
}

void
ep_merge_problem_free (EpMergeProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem);
}

void
ep_merge_report_free (EpMergeReport *report)
{
  if (report == NULL)
    return;

  g_clear_pointer (&report->valid_rows, g_array_unref);
  g_clear_pointer (&report->problems, g_ptr_array_unref);
  g_free (report);
}

GPtrArray *
ep_merge_report_row_problems (EpMergeReport *report,
                              guint          row)
{
  GPtrArray *out;
  guint lo = 0, hi;

  g_return_val_if_fail (report != NULL, NULL);

  out = g_ptr_array_new ();

  /* Problems are sorted by row: find the first of @row. */
  hi = report->problems->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      EpMergeProblem *problem = g_ptr_array_index (report->problems, mid);

      if (problem->row < row)
        lo = mid + 1;
      else
        hi = mid;
    }

  for (guint i = lo; i < report->problems->len; i++)
    {
      EpMergeProblem *problem = g_ptr_array_index (report->problems, i);

      if (problem->row != row)
        break;
      g_ptr_array_add (out, problem);
    }

  return out;
}

char *
ep_merge_report_format (EpMergeReport *report)
{
  GString *text;
  guint n_bad = 0;
  guint n_good;
  guint last_row = G_MAXUINT;

  g_return_val_if_fail (report != NULL, NULL);

  text = g_string_new (NULL);

  for (guint i = 0; i < report->problems->len; i++)
    {
      const EpMergeProblem *problem = g_ptr_array_index (report->problems, i);

      g_string_append_printf (text,
                              /* Translators: %u is a row number, %s the problem */
                              _("Row %u: %s"), problem->row_number, problem->message);
      g_string_append_c (text, '\n');
      if (problem->row != last_row)
        {
          n_bad++;
          last_row = problem->row;
        }
    }

  n_good = report->valid_rows->len;

  if (report->n_selected == 0)
    g_string_append (text, _("No rows are selected."));
  else if (n_bad == 0)
    g_string_append_printf (text,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "No problems: the row can be sent.",
                                         "No problems: all %u rows can be sent.",
                                         report->n_selected),
                            report->n_selected);
  else
    {
      g_string_append_printf (text,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "%u of %u rows has problems",
                                           "%u of %u rows have problems",
                                           n_bad),
                              n_bad, report->n_selected);
      g_string_append (text, "; ");
      if (n_good == 0)
        g_string_append (text, _("none can be sent."));
      else
        g_string_append_printf (text,
                                g_dngettext (GETTEXT_PACKAGE,
                                             "%u can be sent.",
                                             "%u can be sent.",
                                             n_good),
                                n_good);
    }
  g_string_append_c (text, '\n');

  return g_string_free (text, FALSE);
}

/* Validation */

typedef struct
{
  EpTemplate *tmpl;
  EpTable    *table;
  guint       row;
  guint       row_number;
  GPtrArray  *problems;    /* this row's, EpMergeProblem */
  GHashTable *seen;        /* casefolded To address → first row number */
} Check;

G_GNUC_PRINTF (3, 4)
static void
add_problem (Check              *check,
             EpMergeProblemKind  kind,
             const char         *format,
             ...)
{
  EpMergeProblem *problem = g_new0 (EpMergeProblem, 1);
  va_list args;

  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  problem->row = check->row;
  problem->row_number = check->row_number;
  problem->kind = kind;
  g_ptr_array_add (check->problems, problem);
}

static gboolean
has_at (const char *text)
{
  return strchr (text, '@') != NULL;
}

/* Checks one rendered address field. Returns the addresses (NULL if the
 * field is empty or invalid); *blank_column names the empty column when
 * the field holds no address because a value is missing ("Ann <>"). */
static GPtrArray *
check_addresses (Check            *check,
                 EpTemplateField   field,
                 const char       *text,
                 gboolean          report_blank,
                 const char      **blank_column)
{
  g_autoptr(GError) local_error = NULL;
  GPtrArray *addresses;

  *blank_column = NULL;
  if (text == NULL || *text == '\0')
    return NULL;

  addresses = ep_address_list_parse (text, &local_error);
  if (addresses != NULL)
    return addresses;

  if (!has_at (text))
    *blank_column = _ep_template_find_blank_column (check->tmpl, check->table,
                                                    check->row, field);
  if (*blank_column != NULL)
    {
      if (report_blank)
        add_problem (check, EP_MERGE_PROBLEM_INVALID_ADDRESS,
                     _("“%s” has no address: column “%s” is empty"),
                     text, *blank_column);
    }
  else
    {
      /* GMime gives up on "Bob <bob@@example.org>" as a whole; name the
       * address inside the angle brackets and what is wrong with it. */
      const char *open = strrchr (text, '<');
      const char *close = open != NULL ? strchr (open, '>') : NULL;
      g_autoptr(GError) inner_error = NULL;

      if (close != NULL)
        {
          g_autofree char *inner = g_strstrip (g_strndup (open + 1, close - open - 1));

          if (*inner != '\0' && !ep_address_validate (inner, &inner_error))
            g_clear_error (&local_error);
        }
      add_problem (check, EP_MERGE_PROBLEM_INVALID_ADDRESS, "%s",
                   local_error != NULL ? local_error->message : inner_error->message);
    }

  return NULL;
}

static void
check_recipients (Check   *check,
                  EpDraft *draft)
{
  GPtrArray *fields[] = { draft->to, draft->cc, draft->bcc };
  g_autoptr(GPtrArray) to_addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) to_keys = g_ptr_array_new_with_free_func (g_free);
  const char *blank = NULL;
  guint n_entries = 0;
  guint n_blank = 0;

  /* First pass: is there anything but blanks? */
  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    for (guint i = 0; i < fields[f]->len; i++)
      {
        const char *text = g_ptr_array_index (fields[f], i);

        n_entries++;
        if (!has_at (text))
          {
            const char *column = _ep_template_find_blank_column (check->tmpl, check->table,
                                                                 check->row, f);
            if (column != NULL)
              {
                n_blank++;
                blank = column;
              }
          }
      }

  if (n_entries == n_blank)
    {
      if (blank != NULL)
        add_problem (check, EP_MERGE_PROBLEM_NO_RECIPIENT,
                     _("No recipient: column “%s” is empty"), blank);
      else
        add_problem (check, EP_MERGE_PROBLEM_NO_RECIPIENT,
                     _("No recipient: To, Cc and Bcc are all empty"));
      return;
    }

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    for (guint i = 0; i < fields[f]->len; i++)
      {
        g_autoptr(GPtrArray) addresses = NULL;
        const char *column;

        addresses = check_addresses (check, f, g_ptr_array_index (fields[f], i), TRUE, &column);
        if (addresses == NULL || f != EP_TEMPLATE_FIELD_TO)
          continue;

        for (guint j = 0; j < addresses->len; j++)
          {
            const EpAddress *a = g_ptr_array_index (addresses, j);
            g_ptr_array_add (to_addresses, g_strdup (a->address));
            g_ptr_array_add (to_keys, g_utf8_casefold (a->address, -1));
          }
      }

  if (draft->reply_to != NULL)
    {
      g_autoptr(GPtrArray) addresses = NULL;
      const char *column;

      addresses = check_addresses (check, EP_TEMPLATE_FIELD_REPLY_TO, draft->reply_to, TRUE, &column);
    }

  /* Duplicates: To addresses already used by an earlier selected row. */
  for (guint i = 0; i < to_keys->len; i++)
    {
      const char *key = g_ptr_array_index (to_keys, i);
      gpointer first = g_hash_table_lookup (check->seen, key);

      if (first != NULL && GPOINTER_TO_UINT (first) != check->row_number)
        add_problem (check, EP_MERGE_PROBLEM_DUPLICATE_RECIPIENT,
                     _("“%s”: same address as row %u"),
                     (const char *) g_ptr_array_index (to_addresses, i),
                     GPOINTER_TO_UINT (first));
    }
  for (guint i = 0; i < to_keys->len; i++)
    {
      const char *key = g_ptr_array_index (to_keys, i);

      if (!g_hash_table_contains (check->seen, key))
        g_hash_table_insert (check->seen, g_strdup (key), GUINT_TO_POINTER (check->row_number));
    }
}

static void
check_attachments (Check   *check,
                   EpDraft *draft)
{
  for (guint i = 0; i < draft->attachments->len; i++)
    {
      const char *path = g_ptr_array_index (draft->attachments, i);
      g_autofree char *name = g_filename_display_name (path);
      GStatBuf st;

      if (g_stat (path, &st) != 0)
        {
          add_problem (check, EP_MERGE_PROBLEM_MISSING_ATTACHMENT,
                       _("Attachment “%s” not found"), name);
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          add_problem (check, EP_MERGE_PROBLEM_UNREADABLE_ATTACHMENT,
                       _("Attachment “%s” is a folder, not a file"), name);
          continue;
        }
      if (g_access (path, R_OK) != 0)
        {
          int errsv = errno;
          add_problem (check, EP_MERGE_PROBLEM_UNREADABLE_ATTACHMENT,
                       _("Attachment “%s” cannot be read: %s"), name, g_strerror (errsv));
        }
    }
}

static int
compare_kind (gconstpointer a,
              gconstpointer b)
{
  const EpMergeProblem *pa = *(EpMergeProblem * const *) a;
  const EpMergeProblem *pb = *(EpMergeProblem * const *) b;

  return (int) pa->kind - (int) pb->kind;
}

EpMergeReport *
ep_merge_validate (EpTemplate         *tmpl,
                   EpTable            *table,
                   const EpRowRanges  *ranges,
                   const char         *base_dir,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_autoptr(EpMergeReport) report = NULL;
  g_autoptr(GHashTable) seen = NULL;
  guint n_rows;

  g_return_val_if_fail (tmpl != NULL, NULL);
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (!ep_template_check_columns (tmpl, table, error))
    return NULL;

  report = g_new0 (EpMergeReport, 1);
  report->valid_rows = g_array_new (FALSE, FALSE, sizeof (guint));
  report->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_merge_problem_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  n_rows = ep_table_get_n_rows (table);
  for (guint row = 0; row < n_rows; row++)
    {
      g_autoptr(GPtrArray) problems = g_ptr_array_new ();
      g_autoptr(EpDraft) draft = NULL;
      g_autoptr(GError) local_error = NULL;
      Check check;

      if (row % CANCEL_CHECK_ROWS == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      check.row_number = ep_table_get_row_number (table, row);
      if (!ep_row_ranges_contains (ranges, check.row_number))
        continue;

      report->n_selected++;
      check.tmpl = tmpl;
      check.table = table;
      check.row = row;
      check.problems = problems;
      check.seen = seen;

      draft = _ep_template_render_row (tmpl, table, row, base_dir, FALSE, &local_error);
      if (draft == NULL)
        {
          if (g_error_matches (local_error, EP_TEMPLATE_ERROR, EP_TEMPLATE_ERROR_HEADER_INJECTION))
            add_problem (&check, EP_MERGE_PROBLEM_HEADER_INJECTION, "%s", local_error->message);
          else
            add_problem (&check, EP_MERGE_PROBLEM_TEMPLATE, "%s", local_error->message);
        }
      else
        {
          check_recipients (&check, draft);
          check_attachments (&check, draft);
        }

      if (problems->len == 0)
        {
          g_array_append_val (report->valid_rows, row);
          continue;
        }

      /* By kind; g_ptr_array_sort is not stable, so insertion sort. */
      for (guint i = 1; i < problems->len; i++)
        for (guint j = i; j > 0 && compare_kind (&problems->pdata[j - 1], &problems->pdata[j]) > 0; j--)
          {
            gpointer tmp = problems->pdata[j];
            problems->pdata[j] = problems->pdata[j - 1];
            problems->pdata[j - 1] = tmp;
          }
      for (guint i = 0; i < problems->len; i++)
        g_ptr_array_add (report->problems, g_ptr_array_index (problems, i));
    }

  return g_steal_pointer (&report);
}
