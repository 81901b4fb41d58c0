/* ep-merge-job.c: one merge being prepared, the state its steps share
 *
 * The wizard's steps read and change one EpMergeJob: the spreadsheet and
 * its table, the template, the sender, the report of the last check and
 * the pacing. Everything that blocks (reading, checking every row, the
 * test message, creating the campaign, reading stored campaigns, the
 * export) runs in a worker thread on a snapshot; the job itself is only
 * changed on the thread that owns it, and notifies there.
 *
 * This file and its two companions (ep-merge-job-send.c: the test message
 * and the campaign; ep-merge-job-campaigns.c: stored campaigns) are the
 * only ones of the merge wizard that call the outbox and the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-job"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-merge-job.h"
#include "outbox/ep-campaign.h"
#include "store/ep-store.h"
#include "outbox/ep-spread-plan.h"
#include "ep-outbox-private.h"
#include "ep-merge-job-private.h"


G_DEFINE_FINAL_TYPE (EpMergeJob, ep_merge_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_PATH,
  PROP_TABLE,
  PROP_TEMPLATE,
  PROP_ACCOUNT,
  PROP_REPORT,
  PROP_READING,
  PROP_READ_FRACTION,
  PROP_VALIDATING,
  PROP_SKIP_INVALID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- helpers ----------------------------------------------------------- */

static void
notify (EpMergeJob *self,
        guint       prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_validating (EpMergeJob *self,
                gboolean    validating)
{
  if (self->validating == !!validating)
    return;
  self->validating = !!validating;
  notify (self, PROP_VALIDATING);
}

static void
set_report (EpMergeJob    *self,
            EpMergeReport *report)
{
  if (self->report == NULL && report == NULL)
    return;
  g_clear_pointer (&self->report, ep_merge_report_free);
  self->report = report;
  notify (self, PROP_REPORT);
}

/* A new table or template: the last check, and one under way, say nothing
 * about it any more. */
static void
invalidate_report (EpMergeJob *self)
{
  self->validate_serial++;
  set_validating (self, FALSE);
  set_report (self, NULL);
}

static void
set_table (EpMergeJob *self,
           EpTable    *table)
{
  if (self->table == table)
    return;
  g_clear_pointer (&self->table, ep_table_unref);
  self->table = table ? ep_table_ref (table) : NULL;
  invalidate_report (self);
  notify (self, PROP_TABLE);
}

void
ep_merge_recipient_free (EpMergeRecipient *recipient)
{
  g_free (recipient->address);
  g_free (recipient->reply);
  g_free (recipient);
}

void
ep_merge_interrupted_free (EpMergeInterrupted *interrupted)
{
  g_free (interrupted->name);
  g_free (interrupted->subject);
  g_free (interrupted->base_dir);
  g_free (interrupted->reason);
  g_strfreev (interrupted->in_doubt);
  g_free (interrupted);
}

/* ---- reading ------------------------------------------------------------ */

/* Shared by one read's worker (progress) and the main context. */
typedef struct
{
  EpMergeJob   *job;
  GMainContext *main_ctx;
  guint         serial;
  int           permille;   /* the last one delivered; worker only */
} ReadData;

typedef struct
{
  ReadData *read;
  int       permille;
} ReadProgress;

static void
read_data_clear (gpointer data)
{
  ReadData *r = data;

  g_clear_object (&r->job);
  g_clear_pointer (&r->main_ctx, g_main_context_unref);
}

static void
read_data_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, read_data_clear);
}

static void
read_progress_free (gpointer data)
{
  ReadProgress *p = data;

  read_data_release (p->read);
  g_free (p);
}

static gboolean
deliver_read_progress (gpointer data)
{
  ReadProgress *p = data;
  EpMergeJob *self = p->read->job;

  if (self->reading && p->read->serial == self->read_serial)
    {
      self->read_fraction = p->permille / 1000.0;
      notify (self, PROP_READ_FRACTION);
    }
  return G_SOURCE_REMOVE;
}

/* In the reader's worker thread. */
static void
read_progress_cb (guint64  done,
                  guint64  total,
                  gpointer user_data)
{
  ReadData *r = user_data;
  int permille = total > 0 ? (int) (done * 1000 / total) : 0;
  ReadProgress *p;

  if (permille == r->permille)
    return;
  r->permille = permille;

  p = g_new0 (ReadProgress, 1);
  p->read = g_atomic_rc_box_acquire (r);
  p->permille = permille;
  g_main_context_invoke_full (r->main_ctx, G_PRIORITY_DEFAULT, deliver_read_progress, p,
                              read_progress_free);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EpMergeJob *self = g_task_get_source_object (task);
  ReadData *r = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpTable) table = ep_table_read_finish (result, &error);

  if (r->serial != self->read_serial)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("A newer read replaced this one"));
      return;
    }

  self->reading = FALSE;
  notify (self, PROP_READING);

  if (table == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_table (self, table);
  g_task_return_boolean (task, TRUE);
}

void
ep_merge_job_read_async (EpMergeJob          *self,
                         const char          *sheet,
                         const char          *encoding,
                         char                 delimiter,
                         const char          *locale,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  EpTableOptions options = { 0, };
  g_autoptr(GTask) task = NULL;
  ReadData *r;

  g_return_if_fail (EP_IS_MERGE_JOB (self));
  g_return_if_fail (self->path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_merge_job_read_async);

  r = g_atomic_rc_box_new0 (ReadData);
  r->job = g_object_ref (self);
  r->main_ctx = g_main_context_ref_thread_default ();
  r->serial = ++self->read_serial;
  r->permille = -1;
  g_task_set_task_data (task, r, read_data_release);

  self->read_fraction = 0;
  notify (self, PROP_READ_FRACTION);
  if (!self->reading)
    {
      self->reading = TRUE;
      notify (self, PROP_READING);
    }

  options.sheet = sheet;
  options.encoding = encoding;
  options.delimiter = delimiter;
  options.locale = locale;
  options.progress = read_progress_cb;
  options.progress_data = r;   /* the task keeps it until the read ends */
  ep_table_read_async (self->path, &options, cancellable, read_cb, g_steal_pointer (&task));
}

gboolean
ep_merge_job_read_finish (EpMergeJob    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- checking ----------------------------------------------------------- */

typedef struct
{
  EpTemplate *tmpl;
  EpTable    *table;
  char       *ranges;     /* text; parsed in the worker */
  char       *base_dir;
  guint       serial;
  /* Protected merges: the certificate check too */
  EpCampaignProtection protection;
  char       *hint;       /* protection.password_hint points here */
  EpOutbox   *outbox;
  EpAccount  *account;
} ValidateData;

static void
validate_data_free (gpointer data)
{
  ValidateData *v = data;

  ep_template_unref (v->tmpl);
  ep_table_unref (v->table);
  g_free (v->ranges);
  g_free (v->base_dir);
  g_free (v->hint);
  g_clear_object (&v->outbox);
  g_clear_object (&v->account);
  g_free (v);
}

/* Rows that cannot be protected become problems of the report, and are
 * no longer among its valid rows. */
static gboolean
check_protection (ValidateData   *v,
                  EpMergeReport  *report,
                  GCancellable   *cancellable,
                  GError        **error)
{
  g_autoptr(GPtrArray) problems = NULL;

  if (v->protection.protection == EP_PROTECT_NONE || v->account == NULL)
    return TRUE;
  problems = ep_campaign_check_protection (v->outbox, v->account, v->tmpl, v->table,
                                           report->valid_rows, v->base_dir, &v->protection,
                                           cancellable, error);
  if (problems == NULL)
    return FALSE;
  /* Confirmed by the person: those rows go unencrypted, no problem. */
  if (v->protection.send_unprotected)
    return TRUE;
  for (guint i = 0; i < problems->len; i++)
    {
      EpMergeProblem *p = g_ptr_array_index (problems, i);

      for (guint j = 0; j < report->valid_rows->len; j++)
        if (g_array_index (report->valid_rows, guint, j) == p->row)
          {
            g_array_remove_index (report->valid_rows, j);
            break;
          }
      g_ptr_array_add (report->problems, g_steal_pointer (&problems->pdata[i]));
    }
  return TRUE;
}

static void
validate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ValidateData *v = task_data;
  GError *error = NULL;
  g_autoptr(EpRowRanges) ranges = ep_row_ranges_parse (v->ranges, &error);
  EpMergeReport *report = ranges == NULL ? NULL
                          : ep_merge_validate (v->tmpl, v->table, ranges, v->base_dir,
                                               cancellable, &error);

  if (report != NULL && !check_protection (v, report, cancellable, &error))
    g_clear_pointer (&report, ep_merge_report_free);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) ep_merge_report_free);
}

static void
validate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  EpMergeJob *self = EP_MERGE_JOB (object);
  g_autoptr(GTask) task = user_data;
  ValidateData *v = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  EpMergeReport *report = g_task_propagate_pointer (G_TASK (result), &error);

  if (v->serial != self->validate_serial)
    {
      g_clear_pointer (&report, ep_merge_report_free);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("A newer check replaced this one"));
      return;
    }

  set_report (self, report);
  if (self->skip_invalid)
    {
      self->skip_invalid = FALSE;
      notify (self, PROP_SKIP_INVALID);
    }
  set_validating (self, FALSE);

  if (report == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ep_merge_job_validate_async (EpMergeJob          *self,
                             const char          *ranges,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  ValidateData *v;

  g_return_if_fail (EP_IS_MERGE_JOB (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ep_merge_job_validate_async);

  if (self->tmpl == NULL || self->table == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("There is no message to check yet"));
      return;
    }

  v = g_new0 (ValidateData, 1);
  v->tmpl = ep_template_ref (self->tmpl);
  v->table = ep_table_ref (self->table);
  v->ranges = g_strdup (ranges);
  v->base_dir = g_strdup (self->base_dir);
  v->serial = ++self->validate_serial;
  v->protection = self->protection;
  v->protection.password_hint = v->hint = g_strdup (self->password_hint);
  v->outbox = g_object_ref (self->context);
  v->account = self->account ? _ep_outbox_account_snapshot (self->account) : NULL;
  set_validating (self, TRUE);

  worker = g_task_new (self, cancellable, validate_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, validate_thread);
  g_task_set_task_data (worker, v, validate_data_free);
  g_task_run_in_thread (worker, validate_thread);
}

gboolean
ep_merge_job_validate_finish (EpMergeJob    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- GObject ------------------------------------------------------------ */

static void
ep_merge_job_finalize (GObject *object)
{
  EpMergeJob *self = (EpMergeJob *)object;

  g_clear_object (&self->context);
  g_clear_object (&self->account);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->base_dir, g_free);
  g_clear_pointer (&self->table, ep_table_unref);
  g_clear_pointer (&self->tmpl, ep_template_unref);
  g_clear_pointer (&self->report, ep_merge_report_free);
  g_clear_pointer (&self->password_hint, g_free);

  G_OBJECT_CLASS (ep_merge_job_parent_class)->finalize (object);
}

static void
ep_merge_job_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  EpMergeJob *self = EP_MERGE_JOB (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_TABLE:
      g_value_set_boxed (value, self->table);
      break;
    case PROP_TEMPLATE:
      g_value_set_boxed (value, self->tmpl);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_REPORT:
      g_value_set_pointer (value, self->report);
      break;
    case PROP_READING:
      g_value_set_boolean (value, self->reading);
      break;
    case PROP_READ_FRACTION:
      g_value_set_double (value, self->read_fraction);
      break;
    case PROP_VALIDATING:
      g_value_set_boolean (value, self->validating);
      break;
    case PROP_SKIP_INVALID:
      g_value_set_boolean (value, self->skip_invalid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_job_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  EpMergeJob *self = EP_MERGE_JOB (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    case PROP_PATH:
      ep_merge_job_set_path (self, g_value_get_string (value));
      break;
    case PROP_TEMPLATE:
      ep_merge_job_set_template (self, g_value_get_boxed (value));
      break;
    case PROP_ACCOUNT:
      ep_merge_job_set_account (self, g_value_get_object (value));
      break;
    case PROP_SKIP_INVALID:
      ep_merge_job_set_skip_invalid (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_job_class_init (EpMergeJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ep_merge_job_finalize;
  object_class->get_property = ep_merge_job_get_property;
  object_class->set_property = ep_merge_job_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("outbox", NULL, NULL, EP_TYPE_OUTBOX,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, rw);
  properties[PROP_TABLE] = g_param_spec_boxed ("table", NULL, NULL, EP_TYPE_TABLE, ro);
  properties[PROP_TEMPLATE] = g_param_spec_boxed ("template", NULL, NULL, EP_TYPE_TEMPLATE, rw);
  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, EP_TYPE_ACCOUNT, rw);
  properties[PROP_REPORT] = g_param_spec_pointer ("report", NULL, NULL, ro);
  properties[PROP_READING] = g_param_spec_boolean ("reading", NULL, NULL, FALSE, ro);
  properties[PROP_READ_FRACTION] = g_param_spec_double ("read-fraction", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_VALIDATING] = g_param_spec_boolean ("validating", NULL, NULL, FALSE, ro);
  properties[PROP_SKIP_INVALID] = g_param_spec_boolean ("skip-invalid", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ep_merge_job_init (EpMergeJob *self)
{
  self->connections = 1;
  self->window = EP_SEND_WINDOW_NONE;
  self->protection.cert_column = -1;
}

/* ---- public API ----------------------------------------------------------- */

EpMergeJob *
ep_merge_job_new (EpOutbox *context)
{
  g_return_val_if_fail (EP_IS_OUTBOX (context), NULL);

  return g_object_new (EP_TYPE_MERGE_JOB, "outbox", context, NULL);
}

EpOutbox *
ep_merge_job_get_outbox (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);
  return self->context;
}

const char *
ep_merge_job_get_path (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);
  return self->path;
}

const char *
ep_merge_job_get_base_dir (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);
  return self->base_dir;
}

void
ep_merge_job_set_path (EpMergeJob *self,
                       const char *path)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  if (g_strcmp0 (self->path, path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (path);
      g_free (self->base_dir);
      self->base_dir = path ? g_path_get_dirname (path) : NULL;
      notify (self, PROP_PATH);
    }
  /* Even the same path is read again from scratch. */
  set_table (self, NULL);
}

EpTable *
ep_merge_job_get_table (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);
  return self->table;
}

double
ep_merge_job_get_read_fraction (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), 0);
  return self->read_fraction;
}

gboolean
ep_merge_job_get_reading (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), FALSE);
  return self->reading;
}

void
ep_merge_job_reset (EpMergeJob *self)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  ep_merge_job_set_path (self, NULL);
}

/* The column that looks like it holds addresses: by name, then by data. */
int
ep_merge_job_guess_address_column (EpMergeJob *self)
{
  static const char *names[] = { "email", "e-mail", "mail", "email address", "e-mail address",
                                 "courriel", "correo", "adresse e-mail", "address", NULL };
  EpTable *table;
  guint n_columns, n_rows;
  int best = -1;
  guint best_hits = 0;

  g_return_val_if_fail (EP_IS_MERGE_JOB (self), -1);

  if ((table = self->table) == NULL)
    return -1;
  n_columns = ep_table_get_n_columns (table);
  n_rows = MIN (ep_table_get_n_rows (table), 50);

  for (guint i = 0; names[i] != NULL; i++)
    for (guint c = 0; c < n_columns; c++)
      if (g_ascii_strcasecmp (ep_table_get_column (table, c), names[i]) == 0)
        return c;

  for (guint c = 0; c < n_columns; c++)
    {
      guint hits = 0;

      for (guint r = 0; r < n_rows; r++)
        if (strchr (ep_table_get_value (table, r, c), '@') != NULL)
          hits++;
      if (hits > best_hits)
        {
          best = c;
          best_hits = hits;
        }
    }

  return best_hits * 2 >= n_rows ? best : -1;
}

/* A column named like one that holds a file per row. */
int
ep_merge_job_guess_attachment_column (EpMergeJob *self)
{
  static const char *names[] = { "attachment", "attachments", "file", "files", "pdf",
                                 "anhang", "pièce jointe", "piece jointe", "adjunto", "bijlage", NULL };
  guint n_columns;

  g_return_val_if_fail (EP_IS_MERGE_JOB (self), -1);

  if (self->table == NULL)
    return -1;
  n_columns = ep_table_get_n_columns (self->table);

  for (guint i = 0; names[i] != NULL; i++)
    for (guint c = 0; c < n_columns; c++)
      if (g_ascii_strcasecmp (ep_table_get_column (self->table, c), names[i]) == 0 ||
          g_utf8_collate (ep_table_get_column (self->table, c), names[i]) == 0)
        return c;

  return -1;
}

EpTemplate *
ep_merge_job_get_template (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);
  return self->tmpl;
}

void
ep_merge_job_set_template (EpMergeJob *self,
                           EpTemplate *tmpl)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  /* Each edit makes a new template: even the same one drops the report. */
  invalidate_report (self);
  if (self->tmpl == tmpl)
    return;
  g_clear_pointer (&self->tmpl, ep_template_unref);
  self->tmpl = tmpl ? ep_template_ref (tmpl) : NULL;
  notify (self, PROP_TEMPLATE);
}

EpAccount *
ep_merge_job_get_account (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);
  return self->account;
}

void
ep_merge_job_set_account (EpMergeJob *self,
                          EpAccount  *account)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  if (g_set_object (&self->account, account))
    notify (self, PROP_ACCOUNT);
}

EpMergeReport *
ep_merge_job_get_report (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);
  return self->report;
}

void
ep_merge_job_clear_report (EpMergeJob *self)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  invalidate_report (self);
}

gboolean
ep_merge_job_get_validating (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), FALSE);
  return self->validating;
}

gboolean
ep_merge_job_get_skip_invalid (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), FALSE);
  return self->skip_invalid;
}

void
ep_merge_job_set_skip_invalid (EpMergeJob *self,
                               gboolean    skip_invalid)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  if (self->skip_invalid == !!skip_invalid)
    return;
  self->skip_invalid = !!skip_invalid;
  notify (self, PROP_SKIP_INVALID);
}

void
ep_merge_job_set_start_at (EpMergeJob *self,
                           gint64      start_at)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));
  self->start_at = MAX (start_at, 0);
}

gint64
ep_merge_job_get_start_at (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), 0);
  return self->start_at;
}

void
ep_merge_job_set_spread (EpMergeJob         *self,
                         gboolean            spread,
                         const EpSendWindow *window)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));
  self->spread = !!spread;
  self->window = window != NULL ? *window : EP_SEND_WINDOW_NONE;
}

gboolean
ep_merge_job_get_spread (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), FALSE);
  return self->spread;
}

GArray *
ep_merge_job_plan_spread (EpMergeJob  *self,
                          GError     **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);

  if (self->account == NULL || self->report == NULL)
    return g_array_new (FALSE, FALSE, sizeof (EpSpreadDay));
  return ep_outbox_plan_spread (self->context, ep_account_get_uid (self->account),
                                self->report->valid_rows->len, self->daily_limit, self->rate,
                                MAX (self->start_at, now), &self->window, error);
}

void
ep_merge_job_set_pacing (EpMergeJob *self,
                         guint       connections,
                         guint       rate,
                         guint       daily_limit)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  self->connections = connections;
  self->rate = rate;
  self->daily_limit = daily_limit;
}

void
ep_merge_job_set_protection (EpMergeJob                 *self,
                             const EpCampaignProtection *protection)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  if (protection != NULL)
    {
      char *hint = g_strdup (protection->password_hint);

      self->protection = *protection;
      g_free (self->password_hint);
      self->password_hint = hint;
      self->protection.password_hint = hint;
      self->protection.password = NULL;   /* a campaign never has one for all */
    }
  else
    {
      self->protection.protection = EP_PROTECT_NONE;
      self->protection.cert_column = -1;
      self->protection.send_unprotected = FALSE;
    }
  /* The rows that can be sent may change: check again. */
  invalidate_report (self);
}

void
ep_merge_job_set_password_hint (EpMergeJob *self,
                                const char *hint)
{
  g_return_if_fail (EP_IS_MERGE_JOB (self));

  /* Shown to recipients; no row changes, so no new check. */
  g_free (self->password_hint);
  self->password_hint = hint && *hint ? g_strdup (hint) : NULL;
  self->protection.password_hint = self->password_hint;
}

const EpCampaignProtection *
ep_merge_job_get_protection (EpMergeJob *self)
{
  g_return_val_if_fail (EP_IS_MERGE_JOB (self), NULL);
  return &self->protection;
}
