/* ep-campaign.c: sending a merge campaign through the journal
 *
 * The journal (store/ep-store-campaign.c) is the source of truth. A worker
 * claims a recipient (committed as "sending") immediately before building
 * and sending its message, and records the outcome (committed) right
 * after. A crash therefore leaves at most the messages on the wire in
 * doubt; the next run marks them "uncertain" and sends them again, with the
 * same Message-ID (a duplicate beats a loss).
 *
 * K worker threads each keep one SMTP connection open across messages.
 * Pacing is a shared schedule of start times (rate per minute) and a
 * rolling 24-hour count (daily limit). 4xx replies and lost connections
 * defer the recipient with exponential backoff; 5xx replies fail it with
 * the server's words and the campaign goes on; a refused login, a TLS or
 * configuration failure, or a server that keeps failing, stops the run
 * with everything not sent still pending.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-campaign"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <csv.h>
#include <gmime/gmime.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "ep-campaign.h"
#include "mail/ep-address.h"
#include "table/ep-csv-writer.h"
#include "transport/ep-smtp.h"
#include "transport/ep-transport-error.h"

/* Transient failures in a row, with no success between, before a run
 * stops instead of burning every recipient's retries on a dead server. */
#define MAX_CONSECUTIVE_FAILURES 10
#define MAX_CONNECTIONS 16

struct _EpCampaignRunner
{
  GObject          parent_instance;

  EpContext       *context;
  EpStore         *store;
  gint64           id;

  guint            first_delay;
  guint            max_attempts;

  EpCampaignProgressFunc progress_func;
  gpointer         progress_data;
  GDestroyNotify   progress_destroy;

  /* Set up by run() for its workers. */
  EpTemplate      *tmpl;
  GStrv            columns;
  char            *base_dir;
  char            *account_uid;
  char            *from_name;
  char            *from_address;
  EpServerConfig  *config;
  guint            rate;
  guint            daily_limit;

  GMutex           mutex;
  GCond            cond;
  gboolean         running;
  gboolean         stopping;
  EpCampaignEnd    end;
  char            *reason;
  gint64           next_slot;       /* monotonic µs: next paced start */
  guint            in_flight;
  guint            consecutive_failures;
  EpCampaignProgress progress;
  gint64           started_at;      /* monotonic µs */
  int              lock_fd;
  guint            sent_this_run;
};

G_DEFINE_FINAL_TYPE (EpCampaignRunner, ep_campaign_runner, G_TYPE_OBJECT)
G_DEFINE_QUARK (ep-campaign-error-quark, ep_campaign_error)

const char *
ep_campaign_end_describe (EpCampaignEnd end)
{
  switch (end)
    {
    case EP_CAMPAIGN_END_FINISHED:
      return _("Finished");
    case EP_CAMPAIGN_END_PAUSED:
      return _("Paused");
    case EP_CAMPAIGN_END_CANCELLED:
      return _("Cancelled");
    case EP_CAMPAIGN_END_AUTH:
      return _("Paused: the server refused the login");
    case EP_CAMPAIGN_END_DAILY_LIMIT:
      return _("Paused: daily limit reached");
    case EP_CAMPAIGN_END_SERVER:
      return _("Paused: the server keeps failing");
    case EP_CAMPAIGN_END_TLS:
      return _("Paused: no secure connection to the server");
    default:
      return "";
    }
}

/* ---- helpers shared with the CLI and the wizard ----------------------- */

static EpAccount *
find_account_by_uid (EpContext   *context,
                     const char  *uid,
                     GError     **error)
{
  g_autoptr(GPtrArray) accounts = ep_context_list_accounts (context, error);

  if (accounts == NULL)
    return NULL;

  for (guint i = 0; i < accounts->len; i++)
    {
      EpAccount *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (ep_account_get_uid (account), uid) == 0)
        return g_object_ref (account);
    }

  g_set_error_literal (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_NO_ACCOUNT,
                       _("The account this campaign sends from no longer exists"));
  return NULL;
}

static char *
domain_of (const char *address)
{
  const char *at = strrchr (address, '@');

  return g_strdup (at != NULL ? at + 1 : "localhost");
}

/* Every address the rendered draft sends to, for the journal and export. */
static char *
draft_recipients_text (const EpDraft *draft)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GPtrArray *fields[] = { draft->to, draft->cc, draft->bcc };

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    for (guint i = 0; i < fields[f]->len; i++)
      {
        g_autoptr(GPtrArray) parsed = ep_address_list_parse (g_ptr_array_index (fields[f], i), NULL);

        for (guint j = 0; parsed != NULL && j < parsed->len; j++)
          {
            const EpAddress *a = g_ptr_array_index (parsed, j);

            if (text->len > 0)
              g_string_append (text, ", ");
            g_string_append (text, a->address);
          }
      }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

gint64
ep_campaign_create (EpContext   *context,
                    EpAccount   *account,
                    EpTemplate  *tmpl,
                    EpTable     *table,
                    GArray      *rows,
                    const char  *name,
                    const char  *base_dir,
                    guint        connections,
                    guint        rate,
                    guint        daily_limit,
                    GError     **error)
{
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autofree char *text = NULL;
  g_autofree char *domain = NULL;
  GVariantBuilder builder;
  guint n_columns;

  g_return_val_if_fail (EP_IS_CONTEXT (context), 0);
  g_return_val_if_fail (EP_IS_ACCOUNT (account), 0);
  g_return_val_if_fail (tmpl != NULL && table != NULL && rows != NULL, 0);

  n_columns = ep_table_get_n_columns (table);
  for (guint c = 0; c < n_columns; c++)
    g_ptr_array_add (columns, (gpointer) ep_table_get_column (table, c));
  g_ptr_array_add (columns, NULL);

  domain = domain_of (ep_account_get_address (account));

  for (guint i = 0; i < rows->len; i++)
    {
      guint row = g_array_index (rows, guint, i);
      g_autoptr(EpDraft) draft = ep_template_render (tmpl, table, row, base_dir, error);
      EpStoreRecipient *r;

      if (draft == NULL)
        return 0;

      r = g_new0 (EpStoreRecipient, 1);
      r->row_number = ep_table_get_row_number (table, row);
      r->address = draft_recipients_text (draft);
      r->values = g_new0 (char *, n_columns + 1);
      for (guint c = 0; c < n_columns; c++)
        r->values[c] = g_strdup (ep_table_get_value (table, row, c));
      r->message_id = g_mime_utils_generate_message_id (domain);
      g_ptr_array_add (recipients, r);
    }

  text = ep_template_to_text (tmpl);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "account_uid", g_variant_new_string (ep_account_get_uid (account)));
  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (name ? name : ""));
  g_variant_builder_add (&builder, "{sv}", "template", g_variant_new_string (text));
  g_variant_builder_add (&builder, "{sv}", "base_dir", g_variant_new_string (base_dir ? base_dir : "."));
  g_variant_builder_add (&builder, "{sv}", "columns",
                         g_variant_new_strv ((const char * const *) columns->pdata, -1));
  g_variant_builder_add (&builder, "{sv}", "connections",
                         g_variant_new_uint32 (CLAMP (connections, 1, MAX_CONNECTIONS)));
  g_variant_builder_add (&builder, "{sv}", "rate", g_variant_new_uint32 (rate));
  g_variant_builder_add (&builder, "{sv}", "daily_limit", g_variant_new_uint32 (daily_limit));

  return ep_store_campaign_insert (ep_context_get_store (context),
                                   g_variant_builder_end (&builder), recipients, error);
}

gboolean
ep_campaign_test_send (EpContext     *context,
                       EpAccount     *account,
                       EpTemplate    *tmpl,
                       EpTable       *table,
                       guint          row,
                       const char    *base_dir,
                       char         **message_id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(EpDraft) draft = NULL;
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(EpServerConfig) config = NULL;
  g_autoptr(EpSmtpReport) report = NULL;
  char *subject;

  draft = ep_template_render (tmpl, table, row, base_dir, error);
  if (draft == NULL)
    return FALSE;

  g_ptr_array_set_size (draft->to, 0);
  g_ptr_array_set_size (draft->cc, 0);
  g_ptr_array_set_size (draft->bcc, 0);
  g_ptr_array_add (draft->to, g_strdup (ep_account_get_address (account)));
  g_clear_pointer (&draft->reply_to, g_free);
  subject = g_strdup_printf ("[TEST] %s", draft->subject ? draft->subject : "");
  g_free (draft->subject);
  draft->subject = subject;
  draft->from_name = g_strdup (ep_account_get_display_name (account));
  draft->from_address = g_strdup (ep_account_get_address (account));

  outgoing = ep_message_build (draft, cancellable, error);
  if (outgoing == NULL)
    return FALSE;

  config = ep_context_smtp_config_sync (context, account, cancellable, error);
  if (config == NULL)
    return FALSE;

  report = ep_smtp_send_sync (config, outgoing->envelope_from,
                              (const char * const *) outgoing->recipients, outgoing->data,
                              ep_context_get_protocol_log (context), cancellable, error);
  if (report == NULL)
    return FALSE;

  if (message_id != NULL)
    *message_id = g_strdup (outgoing->message_id);

  return TRUE;
}

static char *
lock_path (EpContext *context,
           gint64     id)
{
  g_autofree char *name = g_strdup_printf ("campaign-%" G_GINT64_FORMAT ".lock", id);

  return g_build_filename (ep_context_get_data_dir (context), name, NULL);
}

gboolean
ep_campaign_cancel (EpContext  *context,
                    gint64      id,
                    GError    **error)
{
  g_autofree char *path = lock_path (context, id);
  g_autoptr(GVariant) info = NULL;
  const char *state = NULL;
  gboolean ok;
  int fd;

  info = ep_store_campaign_lookup (ep_context_get_store (context), id, error);
  if (info == NULL)
    return FALSE;
  g_variant_lookup (info, "state", "&s", &state);
  if (g_strcmp0 (state, "finished") == 0)
    {
      g_set_error (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_FINISHED,
                   _("Campaign %" G_GINT64_FORMAT " has already finished"), id);
      return FALSE;
    }

  /* Only when nobody is sending it: a running sender would not see it. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                   _("Campaign %" G_GINT64_FORMAT " is being sent; pause or cancel it where it "
                     "runs"), id);
      return FALSE;
    }

  ok = ep_store_campaign_set_state (ep_context_get_store (context), id, "cancelled", NULL, error);
  if (fd >= 0)
    close (fd);
  return ok;
}

gboolean
ep_campaign_export_csv (EpContext   *context,
                        gint64       id,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(GPtrArray) recipients = NULL;
  g_autofree char *tmp_path = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  FILE *fp;
  int fd;

  recipients = ep_store_campaign_recipients (ep_context_get_store (context), id, error);
  if (recipients == NULL)
    return FALSE;

  if (recipients->len == 0)
    {
      g_autoptr(GVariant) info = ep_store_campaign_lookup (ep_context_get_store (context), id, error);
      if (info == NULL)
        return FALSE;
    }

  /* Write beside the target and rename, so a full disk never leaves half
   * a file under the name the person chose. */
  tmp_path = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  fp = fdopen (fd, "w");
  if (fp == NULL)
    {
      int errsv = errno;
      close (fd);
      g_unlink (tmp_path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  fputs ("row,address,status,server reply,time,Message-ID\r\n", fp);
  for (guint i = 0; i < recipients->len; i++)
    {
      const EpStoreRecipient *r = g_ptr_array_index (recipients, i);
      g_autofree char *row = g_strdup_printf ("%u", r->row_number);
      g_autofree char *when = NULL;
      g_autofree char *message_id = g_strdup_printf ("<%s>", r->message_id);
      const char *cells[6];

      if (r->updated_at > 0)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (r->updated_at);
          when = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
        }

      cells[0] = row;
      cells[1] = r->address;
      cells[2] = r->state;
      cells[3] = r->reply;
      cells[4] = when;
      cells[5] = message_id;
      g_string_truncate (line, 0);
      ep_csv_append_row (line, (const char * const *) cells, G_N_ELEMENTS (cells));
      fwrite (line->str, 1, line->len, fp);
    }

  if (fflush (fp) != 0 || fsync (fileno (fp)) != 0 || ferror (fp))
    {
      int errsv = errno;
      fclose (fp);
      g_unlink (tmp_path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  fclose (fp);

  if (g_rename (tmp_path, path) != 0)
    {
      int errsv = errno;
      g_unlink (tmp_path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

/* ---- the runner -------------------------------------------------------- */

static void
ep_campaign_runner_finalize (GObject *object)
{
  EpCampaignRunner *self = (EpCampaignRunner *)object;

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  g_clear_pointer (&self->tmpl, ep_template_unref);
  g_clear_pointer (&self->columns, g_strfreev);
  g_clear_pointer (&self->base_dir, g_free);
  g_clear_pointer (&self->account_uid, g_free);
  g_clear_pointer (&self->from_name, g_free);
  g_clear_pointer (&self->from_address, g_free);
  g_clear_pointer (&self->config, ep_server_config_free);
  g_clear_pointer (&self->reason, g_free);
  g_clear_object (&self->store);
  g_clear_object (&self->context);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (ep_campaign_runner_parent_class)->finalize (object);
}

static void
ep_campaign_runner_class_init (EpCampaignRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_campaign_runner_finalize;
}

static void
ep_campaign_runner_init (EpCampaignRunner *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->first_delay = 30;
  self->max_attempts = 5;
  self->lock_fd = -1;
}

EpCampaignRunner *
ep_campaign_runner_new (EpContext  *context,
                        gint64      id,
                        GError    **error)
{
  g_autoptr(EpCampaignRunner) self = NULL;
  g_autoptr(GVariant) info = NULL;

  g_return_val_if_fail (EP_IS_CONTEXT (context), NULL);

  info = ep_store_campaign_lookup (ep_context_get_store (context), id, error);
  if (info == NULL)
    return NULL;

  self = g_object_new (EP_TYPE_CAMPAIGN_RUNNER, NULL);
  self->context = g_object_ref (context);
  self->store = g_object_ref (ep_context_get_store (context));
  self->id = id;
  self->progress.campaign_id = id;

  return g_steal_pointer (&self);
}

void
ep_campaign_runner_set_progress_func (EpCampaignRunner       *self,
                                      EpCampaignProgressFunc  func,
                                      gpointer                user_data,
                                      GDestroyNotify          destroy)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  self->progress_func = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
}

void
ep_campaign_runner_set_retry_policy (EpCampaignRunner *self,
                                     guint             first_delay,
                                     guint             max_attempts)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  self->first_delay = first_delay;
  self->max_attempts = MAX (max_attempts, 1);
}

static gboolean
lock_campaign (EpCampaignRunner  *self,
               GError           **error)
{
  g_autofree char *path = lock_path (self->context, self->id);

  if (self->lock_fd < 0)
    self->lock_fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not open %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                   _("Campaign %" G_GINT64_FORMAT " is being sent by another Epistle "
                     "(the app or epistle-cli)"), self->id);
      return FALSE;
    }

  return TRUE;
}

/* Called with the lock held when a run ends: ready for the next run. */
static void
unlock_campaign (EpCampaignRunner *self)
{
  if (self->lock_fd >= 0)
    flock (self->lock_fd, LOCK_UN);
  self->stopping = FALSE;
  g_clear_pointer (&self->reason, g_free);
}

/* Called with the lock held; the first reason to stop wins. */
static void
request_stop_locked (EpCampaignRunner *self,
                     EpCampaignEnd     end,
                     const char       *reason)
{
  if (!self->stopping)
    {
      self->stopping = TRUE;
      self->end = end;
      g_free (self->reason);
      self->reason = g_strdup (reason);
    }
  g_cond_broadcast (&self->cond);
}

static void
request_stop (EpCampaignRunner *self,
              EpCampaignEnd     end,
              const char       *reason)
{
  g_mutex_lock (&self->mutex);
  request_stop_locked (self, end, reason);
  g_mutex_unlock (&self->mutex);
}

void
ep_campaign_runner_pause (EpCampaignRunner *self)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  request_stop (self, EP_CAMPAIGN_END_PAUSED, NULL);
}

void
ep_campaign_runner_cancel (EpCampaignRunner *self)
{
  g_return_if_fail (EP_IS_CAMPAIGN_RUNNER (self));

  request_stop (self, EP_CAMPAIGN_END_CANCELLED, NULL);
}

/* Sleeps until @until (monotonic µs) or a stop; TRUE when woken by a stop. */
static gboolean
wait_until_locked (EpCampaignRunner *self,
                   gint64            until)
{
  while (!self->stopping && g_get_monotonic_time () < until)
    g_cond_wait_until (&self->cond, &self->mutex, until);

  return self->stopping;
}

/* Paces starts: with a rate, each message starts at least 60/rate seconds
 * after the previous one, across all connections. FALSE when stopping. */
static gboolean
wait_for_slot (EpCampaignRunner *self,
               gint64           *reserved)
{
  gboolean ok;

  *reserved = 0;
  g_mutex_lock (&self->mutex);
  if (self->rate > 0)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 slot = MAX (now, self->next_slot);

      self->next_slot = slot + (G_USEC_PER_SEC * 60) / self->rate;
      *reserved = slot;
      wait_until_locked (self, slot);
    }
  ok = !self->stopping;
  g_mutex_unlock (&self->mutex);

  return ok;
}

/* FALSE (and the run stops) when the account's daily limit is reached. */
static gboolean
check_daily_limit (EpCampaignRunner *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint sent;

  if (self->daily_limit == 0)
    {
      g_mutex_lock (&self->mutex);
      self->in_flight++;
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }

  sent = ep_store_sent_since (self->store, self->account_uid, now - 24 * 3600);

  g_mutex_lock (&self->mutex);
  if (sent + self->in_flight >= self->daily_limit)
    {
      g_autofree char *reason =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%u message was sent from this account in the last 24 hours, "
                                      "the daily limit is %u. Resume later.",
                                      "%u messages were sent from this account in the last 24 hours, "
                                      "the daily limit is %u. Resume later.", sent),
                         sent, self->daily_limit);
      request_stop_locked (self, EP_CAMPAIGN_END_DAILY_LIMIT, reason);
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  self->in_flight++;
  g_mutex_unlock (&self->mutex);

  return TRUE;
}

static void
report_progress_locked (EpCampaignRunner       *self,
                        const EpStoreRecipient *r,
                        const char             *state,
                        const char             *reply)
{
  double minutes = (g_get_monotonic_time () - self->started_at) / (60.0 * G_USEC_PER_SEC);

  if (self->progress_func == NULL)
    return;

  self->progress.per_minute = minutes > 0 ? self->sent_this_run / minutes : 0;
  self->progress.row_number = r ? r->row_number : 0;
  self->progress.address = r ? r->address : NULL;
  self->progress.state = state;
  self->progress.reply = reply;
  self->progress_func (&self->progress, self->progress_data);
  self->progress.row_number = 0;
  self->progress.address = self->progress.state = self->progress.reply = NULL;
}

static guint
reply_code_of (const char *reply)
{
  if (reply != NULL && g_ascii_isdigit (reply[0]) && g_ascii_isdigit (reply[1]) &&
      g_ascii_isdigit (reply[2]))
    return (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
  return 0;
}

/* Renders a recipient's message from its snapshot. */
static EpOutgoing *
build_message (EpCampaignRunner       *self,
               const EpStoreRecipient *r,
               GError                **error)
{
  g_autoptr(EpTable) table = ep_table_new ((const char * const *) self->columns);
  g_autoptr(EpDraft) draft = NULL;

  ep_table_append_row (table, r->row_number, (const char * const *) r->values,
                       g_strv_length (r->values));

  draft = ep_template_render (self->tmpl, table, 0, self->base_dir, error);
  if (draft == NULL)
    return NULL;

  draft->from_name = g_strdup (self->from_name);
  draft->from_address = g_strdup (self->from_address);
  draft->message_id = g_strdup (r->message_id);

  return ep_message_build (draft, NULL, error);
}

/* Records the outcome of one attempt; returns FALSE if the journal failed. */
static gboolean
record (EpCampaignRunner       *self,
        const EpStoreRecipient *r,
        const char             *state,
        guint                   code,
        const char             *reply,
        gint64                  next_attempt)
{
  g_autoptr(GError) error = NULL;

  /* Another Epistle may hold the database for a moment (creating a large
   * campaign): try for a while before giving up on the journal. */
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_clear_error (&error);
      if (ep_store_recipient_update (self->store, self->id, r->row_number, state, code, reply,
                                     next_attempt, &error))
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 2);
    }

  g_mutex_lock (&self->mutex);
  self->in_flight--;
  request_stop_locked (self, EP_CAMPAIGN_END_SERVER, error->message);
  g_mutex_unlock (&self->mutex);
  return FALSE;
}

static void
handle_result (EpCampaignRunner       *self,
               EpSmtpConnection       *connection,
               const EpStoreRecipient *r,
               gsize                   message_size,
               EpSmtpReport           *report,
               const GError           *error)
{
  const char *state;
  g_autofree char *reply = NULL;
  guint code = 0;
  gint64 next_attempt = 0;
  EpCampaignEnd stop = EP_CAMPAIGN_END_FINISHED;

  if (report != NULL)
    {
      state = "sent";
      reply = g_strdup (report->final_reply);
      code = reply_code_of (reply);
      if (report->rejected->len > 0)
        {
          g_autoptr(GString) text = g_string_new (reply);

          for (guint i = 0; i < report->rejected->len; i++)
            {
              const EpRecipientStatus *s = g_ptr_array_index (report->rejected, i);
              g_string_append_printf (text, "; %s refused: %s", s->address, s->reply ? s->reply : "");
            }
          g_free (reply);
          reply = g_string_free (g_steal_pointer (&text), FALSE);
        }
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped mid-transfer: the server may have it. */
      state = "uncertain";
      reply = g_strdup (error->message);
    }
  else if (error->domain == EP_TRANSPORT_ERROR &&
           (error->code == EP_TRANSPORT_ERROR_AUTH || error->code == EP_TRANSPORT_ERROR_TLS ||
            error->code == EP_TRANSPORT_ERROR_CONFIG))
    {
      /* Nothing was sent (these fail before MAIL FROM): back in the queue
       * for when the account is fixed. */
      state = "pending";
      reply = g_strdup (error->message);
      stop = error->code == EP_TRANSPORT_ERROR_AUTH ? EP_CAMPAIGN_END_AUTH
             : error->code == EP_TRANSPORT_ERROR_TLS ? EP_CAMPAIGN_END_TLS
             : EP_CAMPAIGN_END_SERVER;
    }
  else if (error->domain == EP_TRANSPORT_ERROR && error->code == EP_TRANSPORT_ERROR_REJECTED)
    {
      state = "failed";
      reply = g_strdup (error->message);
      code = reply_code_of (ep_smtp_connection_get_last_reply (connection));
    }
  else if (error->domain == EP_TRANSPORT_ERROR)
    {
      /* 4xx, a lost connection, a timeout: later, unless tried enough. */
      reply = g_strdup (error->message);
      code = reply_code_of (ep_smtp_connection_get_last_reply (connection));
      if (r->attempts >= self->max_attempts)
        state = "failed";
      else if (message_size > 0 && code == 0 &&
               ep_smtp_connection_get_bytes_sent (connection) >= message_size)
        {
          /* All of it went out and no reply came: the server may have it.
           * Sent again at once, and reported, as after a crash. */
          state = "uncertain";
          if (++self->consecutive_failures >= MAX_CONSECUTIVE_FAILURES)
            stop = EP_CAMPAIGN_END_SERVER;
        }
      else
        {
          guint delay = self->first_delay << MIN (r->attempts - 1, 10u);

          state = "deferred";
          next_attempt = g_get_real_time () / G_USEC_PER_SEC + MIN (delay, 3600u);
        }
    }
  else
    {
      /* Our side: the message could not be built (say an attachment was
       * removed since the campaign started). */
      state = "failed";
      reply = g_strdup (error->message);
    }

  if (!record (self, r, state, code, reply, next_attempt))
    return;

  g_mutex_lock (&self->mutex);
  self->in_flight--;

  if (g_str_equal (state, "sent"))
    {
      self->progress.sent++;
      self->sent_this_run++;
      self->consecutive_failures = 0;
    }
  else if (g_str_equal (state, "failed"))
    self->progress.failed++;
  else if (g_str_equal (state, "deferred") &&
           ++self->consecutive_failures >= MAX_CONSECUTIVE_FAILURES)
    request_stop_locked (self, EP_CAMPAIGN_END_SERVER, reply);

  /* Only deferred recipients carry a retry time into their claim. */
  if (r->next_attempt > 0 && !g_str_equal (state, "deferred") && self->progress.waiting > 0)
    self->progress.waiting--;
  else if (r->next_attempt == 0 && g_str_equal (state, "deferred"))
    self->progress.waiting++;

  if (g_str_equal (state, "sent") || g_str_equal (state, "failed"))
    self->progress.remaining--;

  if (stop != EP_CAMPAIGN_END_FINISHED)
    request_stop_locked (self, stop, reply);

  report_progress_locked (self, r, state, reply);
  g_mutex_unlock (&self->mutex);
}

static gpointer
worker (gpointer data)
{
  EpCampaignRunner *self = data;
  g_autoptr(EpSmtpConnection) connection = ep_smtp_connection_new (self->config);

  for (;;)
    {
      g_autoptr(EpStoreRecipient) r = NULL;
      g_autoptr(EpOutgoing) outgoing = NULL;
      g_autoptr(EpSmtpReport) report = NULL;
      g_autoptr(GError) error = NULL;
      gint64 next_due = 0;
      gint64 slot = 0;
      gint64 now;

      if (!wait_for_slot (self, &slot) || !check_daily_limit (self))
        break;

      now = g_get_real_time () / G_USEC_PER_SEC;
      r = ep_store_recipient_claim (self->store, self->id, now, &next_due, &error);
      if (r == NULL)
        {
          gboolean stop;

          g_mutex_lock (&self->mutex);
          self->in_flight--;
          /* Nothing was sent in this slot: give it back unless another
           * worker has reserved one after it. */
          if (slot != 0 && self->rate > 0 &&
              self->next_slot == slot + (G_USEC_PER_SEC * 60) / self->rate)
            self->next_slot = slot;
          if (error != NULL)
            request_stop_locked (self, EP_CAMPAIGN_END_SERVER, error->message);
          if (next_due == 0 || error != NULL)
            stop = TRUE;
          else
            {
              /* Only retries are left: wait for the next one (the other
               * workers may still be sending). */
              gint64 wait = MAX (next_due - now, 1) * G_USEC_PER_SEC;
              stop = wait_until_locked (self, g_get_monotonic_time () + MIN (wait, G_USEC_PER_SEC));
            }
          g_mutex_unlock (&self->mutex);
          if (stop)
            break;
          continue;
        }

      outgoing = build_message (self, r, &error);
      if (outgoing != NULL)
        report = ep_smtp_connection_send (connection, outgoing->envelope_from,
                                          (const char * const *) outgoing->recipients,
                                          outgoing->data, NULL, NULL, &error);

      handle_result (self, connection, r, outgoing ? g_bytes_get_size (outgoing->data) : 0,
                     report, error);
    }

  return NULL;
}

gboolean
ep_campaign_runner_run (EpCampaignRunner  *self,
                        EpCampaignEnd     *end,
                        char             **reason,
                        GError           **error)
{
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GVariant) after = NULL;
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  const char *state = NULL;
  const char *template_text = NULL;
  const char *account_uid = NULL;
  const char *base_dir = NULL;
  guint connections = 1;
  guint remaining;
  int recovered;

  g_return_val_if_fail (EP_IS_CAMPAIGN_RUNNER (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (self->running)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error_literal (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_BUSY,
                           _("This campaign is already being sent"));
      return FALSE;
    }

  /* One sender per campaign across processes (the app and the CLI): a
   * second one would take the first one's messages in flight for a crash.
   * The kernel drops the lock when the process ends, however it ends. */
  if (!lock_campaign (self, error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  self->running = TRUE;
  /* A pause or cancel asked for before this point still counts: the stop
   * flag is reset when a run ends, not when it starts. */
  g_mutex_unlock (&self->mutex);

  recovered = ep_store_campaign_recover (self->store, self->id, error);
  if (recovered < 0)
    goto fail;
  if (recovered > 0)
    g_info ("Campaign %" G_GINT64_FORMAT ": %d recipient(s) were in flight during a crash; "
            "they are sent again", self->id, recovered);

  info = ep_store_campaign_lookup (self->store, self->id, error);
  if (info == NULL)
    goto fail;

  g_variant_lookup (info, "state", "&s", &state);
  g_variant_lookup (info, "template", "&s", &template_text);
  g_variant_lookup (info, "account_uid", "&s", &account_uid);
  g_variant_lookup (info, "base_dir", "&s", &base_dir);
  g_variant_lookup (info, "connections", "u", &connections);
  g_variant_lookup (info, "rate", "u", &self->rate);
  g_variant_lookup (info, "daily_limit", "u", &self->daily_limit);
  g_clear_pointer (&self->columns, g_strfreev);
  g_variant_lookup (info, "columns", "^as", &self->columns);

  if (g_strcmp0 (state, "finished") == 0 || g_strcmp0 (state, "cancelled") == 0)
    {
      g_set_error (error, EP_CAMPAIGN_ERROR, EP_CAMPAIGN_ERROR_FINISHED,
                   g_strcmp0 (state, "finished") == 0
                   ? _("Campaign %" G_GINT64_FORMAT " has finished; nothing is left to send")
                   : _("Campaign %" G_GINT64_FORMAT " was cancelled"), self->id);
      goto fail;
    }

  account = find_account_by_uid (self->context, account_uid, error);
  if (account == NULL)
    goto fail;

  g_clear_pointer (&self->tmpl, ep_template_unref);
  self->tmpl = ep_template_parse (template_text, error);
  if (self->tmpl == NULL)
    goto fail;

  g_free (self->base_dir);
  self->base_dir = g_strdup (base_dir);
  g_free (self->account_uid);
  self->account_uid = g_strdup (account_uid);
  g_free (self->from_name);
  self->from_name = g_strdup (ep_account_get_display_name (account));
  g_free (self->from_address);
  self->from_address = g_strdup (ep_account_get_address (account));

  g_clear_pointer (&self->config, ep_server_config_free);
  self->config = ep_context_smtp_config_sync (self->context, account, NULL, &local_error);
  if (self->config == NULL)
    {
      /* No password in the keyring (or the keyring is locked). */
      *end = EP_CAMPAIGN_END_AUTH;
      if (reason != NULL)
        *reason = g_strdup (local_error->message);
      ep_store_campaign_set_state (self->store, self->id, "paused", local_error->message, NULL);
      g_mutex_lock (&self->mutex);
      self->running = FALSE;
      unlock_campaign (self);
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }

  g_variant_lookup (info, "total", "u", &self->progress.total);
  g_variant_lookup (info, "sent", "u", &self->progress.sent);
  g_variant_lookup (info, "failed", "u", &self->progress.failed);
  g_variant_lookup (info, "deferred", "u", &self->progress.waiting);
  g_variant_lookup (info, "was_uncertain", "u", &self->progress.uncertain);
  self->progress.remaining = self->progress.total - self->progress.sent - self->progress.failed;
  self->started_at = g_get_monotonic_time ();
  self->sent_this_run = 0;
  self->next_slot = 0;
  self->in_flight = 0;
  self->consecutive_failures = 0;

  if (!ep_store_campaign_set_state (self->store, self->id, "running", NULL, error))
    goto fail;

  g_mutex_lock (&self->mutex);
  report_progress_locked (self, NULL, NULL, NULL);
  g_mutex_unlock (&self->mutex);

  connections = CLAMP (connections, 1, MAX_CONNECTIONS);
  for (guint i = 0; i < connections; i++)
    g_ptr_array_add (threads, g_thread_new ("ep-campaign", worker, self));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  after = ep_store_campaign_lookup (self->store, self->id, error);
  if (after == NULL)
    goto fail;

  remaining = 0;
  {
    const char *open_states[] = { "pending", "sending", "deferred", "uncertain" };
    for (guint i = 0; i < G_N_ELEMENTS (open_states); i++)
      {
        guint n = 0;
        g_variant_lookup (after, open_states[i], "u", &n);
        remaining += n;
      }
  }

  g_mutex_lock (&self->mutex);
  if (!self->stopping && remaining == 0)
    self->end = EP_CAMPAIGN_END_FINISHED;
  else if (!self->stopping)
    {
      /* The workers ran out of work with some left: should not happen. */
      self->end = EP_CAMPAIGN_END_PAUSED;
    }
  *end = self->end;
  if (reason != NULL)
    *reason = g_strdup (self->reason);
  g_mutex_unlock (&self->mutex);

  switch (*end)
    {
    case EP_CAMPAIGN_END_FINISHED:
      state = "finished";
      break;
    case EP_CAMPAIGN_END_CANCELLED:
      state = "cancelled";
      break;
    default:
      state = "paused";
      break;
    }

  if (!ep_store_campaign_set_state (self->store, self->id, state,
                                    self->reason ? self->reason : NULL, error))
    goto fail;

  g_mutex_lock (&self->mutex);
  self->running = FALSE;
  unlock_campaign (self);
  g_mutex_unlock (&self->mutex);
  return TRUE;

fail:
  g_mutex_lock (&self->mutex);
  self->running = FALSE;
  unlock_campaign (self);
  g_mutex_unlock (&self->mutex);
  return FALSE;
}
