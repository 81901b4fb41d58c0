/* ep-campaign-export.c: a campaign's results, as a file a person opens
 *
 * One table, whatever the format: every row of the spreadsheet the
 * campaign was made from (sent, failed, bounced, skipped…), with why, and
 * the row's own columns beside, so the person can sort, filter and fix
 * it in the spreadsheet program they use. CSV through the one CSV writer
 * (formula-neutralised); XLSX through libxlsxwriter, whose cells are
 * typed (a string is never read as a formula).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-campaign"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <langinfo.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "ep-campaign-export.h"
#include "outbox/ep-campaign.h"
#include "table/ep-csv-writer.h"
#include "vault/ep-password.h"

/* ---- skipped rows ---------------------------------------------------------- */

static char *
raw_recipients (EpTemplate *tmpl,
                EpTable    *table,
                guint       row,
                const char *base_dir)
{
  g_autoptr(EpDraft) draft = ep_template_render (tmpl, table, row, base_dir, NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  if (draft == NULL)
    return g_strdup ("");
  /* As the row wrote them: a skipped address may not parse. */
  for (guint i = 0; i < draft->to->len; i++)
    {
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, g_ptr_array_index (draft->to, i));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

GPtrArray *
ep_campaign_skipped_rows (const EpMergeReport *report,
                          EpTemplate          *tmpl,
                          EpTable             *table,
                          const char          *base_dir,
                          gboolean             is_protected)
{
  GPtrArray *skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_skipped_free);
  g_autoptr(GHashTable) valid = g_hash_table_new (NULL, NULL);
  EpStoreSkipped *last = NULL;

  g_return_val_if_fail (report != NULL && tmpl != NULL && table != NULL, skipped);

  for (guint i = 0; i < report->valid_rows->len; i++)
    g_hash_table_add (valid, GUINT_TO_POINTER (g_array_index (report->valid_rows, guint, i) + 1));

  /* The problems come by row, then kind: one entry per row, its reasons
   * joined. */
  for (guint i = 0; i < report->problems->len; i++)
    {
      const EpMergeProblem *p = g_ptr_array_index (report->problems, i);

      if (g_hash_table_contains (valid, GUINT_TO_POINTER (p->row + 1)))
        continue;   /* a warning on a row that goes */
      if (last != NULL && last->row_number == p->row_number)
        {
          g_autofree char *joined = g_strconcat (last->reason, "; ", p->message, NULL);
          g_free (last->reason);
          last->reason = g_steal_pointer (&joined);
          continue;
        }
      last = g_new0 (EpStoreSkipped, 1);
      last->row_number = p->row_number;
      last->address = raw_recipients (tmpl, table, p->row, base_dir);
      last->reason = g_strdup (p->message);
      if (is_protected)
        last->values = g_new0 (char *, 1);
      else
        {
          guint n = ep_table_get_n_columns (table);

          last->values = g_new0 (char *, n + 1);
          for (guint c = 0; c < n; c++)
            last->values[c] = g_strdup (ep_table_get_value (table, p->row, c));
        }
      g_ptr_array_add (skipped, last);
    }
  return skipped;
}

/* ---- the table ------------------------------------------------------------- */

enum { COL_ROW, COL_ADDRESS, COL_STATUS, COL_TIMES, COL_REPLY, COL_TIME, COL_MESSAGE_ID,
       COL_PASSWORD, N_FIXED };

/* One line of the results, whatever it came from. */
typedef struct
{
  guint               row_number;
  const char         *address;
  const char         *status;
  guint               times_sent;
  const char         *reply;
  gint64              time;         /* unix; 0: none */
  const char         *message_id;
  const char         *password;
  const char * const *values;
  guint               n_values;
} Line;

static const char *
header (guint column)
{
  /* Machine words, as `campaign show` and scripts read them. */
  static const char *names[N_FIXED] = {
    "row", "address", "status", "times sent", "server reply", "time", "Message-ID",
    "password (secret)",
  };
  return names[column];
}

static void
line_from_recipient (Line                   *line,
                     const EpStoreRecipient *r,
                     GHashTable             *passwords)
{
  memset (line, 0, sizeof *line);
  line->row_number = r->row_number;
  line->address = r->address;
  line->status = r->bounce != NULL ? "bounced" : ep_recipient_state_to_string (r->state);
  if (r->state == EP_RECIPIENT_SENT)
    line->times_sent = r->was_uncertain ? 2 : 1;
  else if (r->state == EP_RECIPIENT_UNCERTAIN || (r->was_uncertain && r->state != EP_RECIPIENT_PENDING))
    line->times_sent = 1;
  line->reply = r->bounce != NULL ? r->bounce : r->reply;
  line->time = r->updated_at;
  line->message_id = r->message_id;
  line->password = passwords != NULL ? g_hash_table_lookup (passwords, r->message_id) : NULL;
  line->values = (const char * const *) r->values;
  line->n_values = r->values != NULL ? g_strv_length (r->values) : 0;
}

static void
line_from_skipped (Line                 *line,
                   const EpStoreSkipped *s)
{
  memset (line, 0, sizeof *line);
  line->row_number = s->row_number;
  line->address = s->address;
  line->status = "skipped";
  line->reply = s->reason;
  line->values = (const char * const *) s->values;
  line->n_values = s->values != NULL ? g_strv_length (s->values) : 0;
}

typedef struct
{
  GPtrArray  *recipients;
  GPtrArray  *skipped;
  GHashTable *passwords;
  GStrv       columns;
  guint       n_columns;
  gboolean    secret;
  guint       r, s;
} Results;

/* The next line in row order, merging the sent and the skipped. */
static gboolean
results_next (Results *res,
              Line    *line)
{
  const EpStoreRecipient *r = res->r < res->recipients->len ? g_ptr_array_index (res->recipients, res->r) : NULL;
  const EpStoreSkipped *s = res->s < res->skipped->len ? g_ptr_array_index (res->skipped, res->s) : NULL;

  if (r == NULL && s == NULL)
    return FALSE;
  if (r != NULL && (s == NULL || r->row_number <= s->row_number))
    {
      line_from_recipient (line, r, res->secret ? res->passwords : NULL);
      res->r++;
    }
  else
    {
      line_from_skipped (line, s);
      res->s++;
    }
  return TRUE;
}

static const char *
value_at (const Line *line,
          guint       c)
{
  return c < line->n_values ? line->values[c] : NULL;
}

/* ---- CSV ------------------------------------------------------------------- */

static gboolean
write_csv (Results     *res,
           FILE        *fp,
           char         separator,
           gboolean     bom)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint n_fixed = res->secret ? N_FIXED : COL_PASSWORD;
  Line line;

  if (bom)
    g_string_append (out, "\xef\xbb\xbf");
  for (guint c = 0; c < n_fixed; c++)
    ep_csv_append_cell_sep (out, header (c), separator, c + 1 == n_fixed && res->n_columns == 0);
  for (guint c = 0; c < res->n_columns; c++)
    ep_csv_append_cell_sep (out, res->columns[c], separator, c + 1 == res->n_columns);
  fwrite (out->str, 1, out->len, fp);

  while (results_next (res, &line))
    {
      g_autofree char *row = g_strdup_printf ("%u", line.row_number);
      g_autofree char *times = g_strdup_printf ("%u", line.times_sent);
      g_autofree char *when = NULL;
      g_autofree char *message_id = line.message_id && *line.message_id
                                    ? g_strdup_printf ("<%s>", line.message_id) : NULL;
      const char *cells[N_FIXED];

      if (line.time > 0)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (line.time);
          when = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
        }
      cells[COL_ROW] = row;
      cells[COL_ADDRESS] = line.address;
      cells[COL_STATUS] = line.status;
      cells[COL_TIMES] = times;
      cells[COL_REPLY] = line.reply;
      cells[COL_TIME] = when;
      cells[COL_MESSAGE_ID] = message_id;
      cells[COL_PASSWORD] = line.password;

      g_string_truncate (out, 0);
      for (guint c = 0; c < n_fixed; c++)
        ep_csv_append_cell_sep (out, cells[c], separator, c + 1 == n_fixed && res->n_columns == 0);
      for (guint c = 0; c < res->n_columns; c++)
        ep_csv_append_cell_sep (out, value_at (&line, c), separator, c + 1 == res->n_columns);
      fwrite (out->str, 1, out->len, fp);
      if (line.password != NULL)
        memset (out->str, 0, out->len);
    }
  return !ferror (fp);
}

/* ---- XLSX ------------------------------------------------------------------ */

/* Excel's limit on a cell's text, in bytes as libxlsxwriter counts it
 * (LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED past it): a longer text is cut,
 * and says so, rather than the file failing. */
#define XLSX_CELL_MAX 32767
static void
write_text (lxw_worksheet *ws,
            guint          row,
            guint          col,
            const char    *text)
{
  g_autofree char *cut = NULL;

  if (text == NULL || *text == '\0')
    return;
  if (strlen (text) > XLSX_CELL_MAX)
    {
      const char *end = text + XLSX_CELL_MAX - 16;

      end = g_utf8_find_prev_char (text, end + 1);
      cut = g_strdup_printf ("%.*s …", (int) (end - text), text);
      text = cut;
    }
  worksheet_write_string (ws, row, col, text, NULL);
}

static gboolean
write_xlsx (Results     *res,
            const char  *path,
            GError     **error)
{
  lxw_workbook_options options = { .constant_memory = LXW_TRUE };
  lxw_workbook *wb = workbook_new_opt (path, &options);
  lxw_worksheet *ws;
  lxw_format *bold, *date;
  guint n_fixed = res->secret ? N_FIXED : COL_PASSWORD;
  guint n_cols = n_fixed + res->n_columns;
  guint row = 0;
  lxw_error rc;
  Line line;

  if (wb == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s"), path);
      return FALSE;
    }
  ws = workbook_add_worksheet (wb, NULL);
  bold = workbook_add_format (wb);
  format_set_bold (bold);
  date = workbook_add_format (wb);
  format_set_num_format (date, "yyyy-mm-dd hh:mm:ss");

  worksheet_set_column (ws, COL_ADDRESS, COL_ADDRESS, 32, NULL);
  worksheet_set_column (ws, COL_REPLY, COL_REPLY, 40, NULL);
  worksheet_set_column (ws, COL_TIME, COL_TIME, 20, date);
  worksheet_set_column (ws, COL_MESSAGE_ID, COL_MESSAGE_ID, 24, NULL);
  worksheet_freeze_panes (ws, 1, 0);
  for (guint c = 0; c < n_fixed; c++)
    worksheet_write_string (ws, 0, c, header (c), bold);
  for (guint c = 0; c < res->n_columns; c++)
    worksheet_write_string (ws, 0, n_fixed + c, res->columns[c], bold);

  while (results_next (res, &line))
    {
      row++;
      worksheet_write_number (ws, row, COL_ROW, line.row_number, NULL);
      write_text (ws, row, COL_ADDRESS, line.address);
      write_text (ws, row, COL_STATUS, line.status);
      worksheet_write_number (ws, row, COL_TIMES, line.times_sent, NULL);
      write_text (ws, row, COL_REPLY, line.reply);
      if (line.time > 0)
        {
          /* Local time, as the person's clock showed it. */
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (line.time);
          lxw_datetime when = {
            g_date_time_get_year (dt), g_date_time_get_month (dt),
            g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
            g_date_time_get_minute (dt), g_date_time_get_second (dt),
          };
          worksheet_write_datetime (ws, row, COL_TIME, &when, date);
        }
      if (line.message_id != NULL && *line.message_id != '\0')
        {
          g_autofree char *id = g_strdup_printf ("<%s>", line.message_id);
          write_text (ws, row, COL_MESSAGE_ID, id);
        }
      if (res->secret)
        write_text (ws, row, COL_PASSWORD, line.password);
      for (guint c = 0; c < res->n_columns; c++)
        write_text (ws, row, n_fixed + c, value_at (&line, c));
    }
  worksheet_autofilter (ws, 0, 0, row, n_cols - 1);

  rc = workbook_close (wb);
  if (rc != LXW_NO_ERROR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s: %s"), path,
                   lxw_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

/* ---- the file -------------------------------------------------------------- */

EpExportFormat
ep_export_format_for_path (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path ? path : "", -1);

  return g_str_has_suffix (lower, ".xlsx") ? EP_EXPORT_XLSX : EP_EXPORT_CSV_LOCALE;
}

char
ep_export_locale_separator (void)
{
  const char *radix = nl_langinfo (RADIXCHAR);

  return radix != NULL && strcmp (radix, ",") == 0 ? ';' : ',';
}

static gboolean
io_error (GError    **error,
          const char *path,
          int         errsv)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               _("Could not write %s: %s"), path, g_strerror (errsv));
  return FALSE;
}

gboolean
ep_campaign_export (EpOutbox        *outbox,
                    gint64           id,
                    const char      *path,
                    EpExportFormat   format,
                    GError         **error)
{
  EpStore *store = ep_outbox_get_store (outbox);
  g_autoptr(GPtrArray) recipients = NULL;
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(GHashTable) passwords = NULL;
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autofree char *tmp_path = NULL;
  Results res = { 0 };
  gboolean ok;
  int fd;

  g_return_val_if_fail (EP_IS_OUTBOX (outbox), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  info = ep_store_campaign_lookup (store, id, error);
  if (info == NULL)
    return FALSE;
  recipients = ep_store_campaign_results (store, id, error);
  if (recipients == NULL)
    return FALSE;
  skipped = ep_store_campaign_skipped (store, id, error);
  if (skipped == NULL)
    return FALSE;
  /* Passwords Epistle made: the export is how the person gets them. */
  passwords = ep_campaign_generated_passwords (outbox, id, NULL, error);
  if (passwords == NULL)
    return FALSE;

  res.recipients = recipients;
  res.skipped = skipped;
  res.passwords = passwords;
  res.secret = g_hash_table_size (passwords) > 0;
  res.columns = info->columns;
  res.n_columns = info->columns != NULL ? g_strv_length (info->columns) : 0;

  /* Write beside the target and rename, so a full disk never leaves half
   * a file under the name the person chose. With passwords: for its
   * owner only. */
  tmp_path = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, res.secret ? 0600 : 0644);
  if (fd < 0)
    return io_error (error, path, errno);

  if (format == EP_EXPORT_XLSX)
    {
      /* libxlsxwriter opens the path itself; the mode stays the one
       * mkstemp gave. */
      close (fd);
      ok = write_xlsx (&res, tmp_path, error);
      if (ok && (fd = open (tmp_path, O_RDONLY | O_CLOEXEC)) >= 0)
        {
          ok = fsync (fd) == 0 || io_error (error, path, errno);
          close (fd);
        }
    }
  else
    {
      FILE *fp = fdopen (fd, "w");

      if (fp == NULL)
        {
          int errsv = errno;
          close (fd);
          g_unlink (tmp_path);
          return io_error (error, path, errsv);
        }
      ok = write_csv (&res, fp,
                      format == EP_EXPORT_CSV_LOCALE ? ep_export_locale_separator () : ',',
                      format == EP_EXPORT_CSV_LOCALE);
      if (fflush (fp) != 0 || fsync (fileno (fp)) != 0 || !ok)
        ok = io_error (error, path, errno ? errno : EIO);
      fclose (fp);
    }

  if (ok && g_rename (tmp_path, path) != 0)
    ok = io_error (error, path, errno);
  if (!ok)
    g_unlink (tmp_path);
  return ok;
}
