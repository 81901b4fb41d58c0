/* ep-cli-send.c: epistle-cli send
 *
 *   epistle-cli send --account NAME --to ADDR … --subject TEXT --body TEXT …
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

typedef struct
{
  gboolean      done;
  EpOutboxTask *task;
  GError       *error;
} Queued;

static void
on_queued_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Queued *queued = user_data;

  queued->task = ep_outbox_send_message_finish (EP_OUTBOX (object), result, &queued->error);
  queued->done = TRUE;
}

/* What happened to a single message, and the exit status that says it. */
int
report_message (EpOutboxTask *task)
{
  const EpSmtpReport *report = ep_outbox_task_get_last_report (task);
  const char *reply = ep_outbox_task_get_last_reply (task);
  const char *reason = ep_outbox_task_get_reason (task);
  EpRecipientState state = ep_outbox_task_get_last_state (task);

  if (ep_outbox_task_get_error (task) != NULL)
    return fail (g_error_copy (ep_outbox_task_get_error (task)));

  switch (ep_outbox_task_get_end (task))
    {
    case EP_CAMPAIGN_END_AUTH:
      g_printerr ("epistle-cli: %s\n", reason ? reason : reply);
      return EXIT_AUTH;
    case EP_CAMPAIGN_END_TLS:
      g_printerr ("epistle-cli: %s\n", reason ? reason : reply);
      return EXIT_TLS;
    case EP_CAMPAIGN_END_WAITING:
      g_printerr ("epistle-cli: %s\n", reply ? reply : "");
      g_printerr (_("epistle-cli: the message is kept in the outbox and will be tried again "
                    "(epistle-cli outbox run)\n"));
      return EXIT_TRANSIENT;
    case EP_CAMPAIGN_END_CANCELLED:
      g_printerr (_("epistle-cli: not sent; the message was taken out of the outbox\n"));
      return EXIT_TRANSIENT;
    case EP_CAMPAIGN_END_FINISHED:
      break;
    case EP_CAMPAIGN_END_PAUSED:
    case EP_CAMPAIGN_END_DAILY_LIMIT:
    case EP_CAMPAIGN_END_SERVER:
    case EP_CAMPAIGN_END_STORE:
    default:
      g_printerr ("epistle-cli: %s\n", reason ? reason : (reply ? reply : ""));
      return ep_outbox_task_get_end (task) == EP_CAMPAIGN_END_STORE ? EXIT_FAILURE_GENERIC
                                                                     : EXIT_TRANSIENT;
    }

  if (state == EP_RECIPIENT_FAILED || report == NULL)
    {
      guint code = 0;

      g_printerr ("epistle-cli: %s\n", reply ? reply : "");
      if (reply != NULL && g_ascii_isdigit (reply[0]))
        code = (guint) g_ascii_strtoull (reply, NULL, 10);
      return code >= 400 && code < 500 ? EXIT_TRANSIENT : EXIT_REJECTED;
    }

  if (state == EP_RECIPIENT_UNCERTAIN || ep_outbox_task_get_progress (task)->uncertain > 0)
    g_print (_("Sent again after an interruption: the recipients may get it twice "
               "(same Message-ID)\n"));

  for (guint i = 0; i < report->accepted->len; i++)
    g_print (_("Sent to %s\n"), (const char *) g_ptr_array_index (report->accepted, i));

  if (report->rejected->len > 0)
    {
      gboolean permanent = FALSE;

      for (guint i = 0; i < report->rejected->len; i++)
        {
          const EpRecipientStatus *s = g_ptr_array_index (report->rejected, i);

          g_printerr (_("epistle-cli: %s was refused by the server: %s\n"), s->address, s->reply);
          if (s->code >= 500)
            permanent = TRUE;
        }
      return permanent ? EXIT_REJECTED : EXIT_TRANSIENT;
    }

  g_print (_("Message <%s> accepted: %s\n"), ep_outbox_task_get_message_id (task),
           report->final_reply ? report->final_reply : "");
  return EXIT_OK;
}

static void
add_all (GPtrArray  *dest,
         char      **values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    g_ptr_array_add (dest, g_strdup (values[i]));
}

int
cmd_send (int    argc,
          char **argv)
{
  g_autofree char *account_name = NULL, *subject = NULL, *body = NULL, *body_file = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) to = NULL, cc = NULL, bcc = NULL, attach = NULL;
  gboolean markdown = FALSE, dry_run = FALSE, verbose = FALSE;
  int timeout = 0, retry_after = -1, max_attempts = -1;
  gboolean wait = FALSE, sign = FALSE, encrypt = FALSE, gcm = FALSE;
  g_autofree char *at = NULL;
  g_autofree char *password_file = NULL, *hint = NULL;
  gboolean allow_weak = FALSE;
  gint64 not_before = 0;
  GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("Send from this account"), N_("NAME") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("A recipient (repeat for more)"), N_("ADDR") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc, N_("A copy recipient"), N_("ADDR") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bcc, N_("A hidden recipient (never in the headers)"), N_("ADDR") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The subject"), N_("TEXT") },
    { "body", 0, 0, G_OPTION_ARG_STRING, &body, N_("The message text"), N_("TEXT") },
    { "body-file", 0, 0, G_OPTION_ARG_FILENAME, &body_file, N_("Read the message text from FILE (UTF-8)"), N_("FILE") },
    { "markdown", 0, 0, G_OPTION_ARG_NONE, &markdown, N_("The text is Markdown: send HTML with a plain-text part"), NULL },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &attach, N_("Attach a file (repeat for more)"), N_("FILE") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Build the message but do not send it"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("With --dry-run: write the message here"), N_("FILE.eml") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Print the protocol dialogue to stderr (passwords removed)"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Give up when the server is silent this long (default 60)"), N_("SECONDS") },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait, N_("After a temporary failure, wait and retry until it is sent or fails"), NULL },
    { "retry-after", 0, 0, G_OPTION_ARG_INT, &retry_after, N_("First retry after a temporary failure, in seconds (default 30, doubling)"), N_("SECONDS") },
    { "max-attempts", 0, 0, G_OPTION_ARG_INT, &max_attempts, N_("Attempts before giving up (default 6)"), N_("N") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("Send at this time (ISO 8601; local time without an offset)"), N_("TIME") },
    { "sign", 0, 0, G_OPTION_ARG_NONE, &sign, N_("Sign with your certificate (S/MIME)"), NULL },
    { "encrypt", 0, 0, G_OPTION_ARG_NONE, &encrypt, N_("Encrypt for every recipient and yourself (S/MIME; signed inside when you have a certificate)"), NULL },
    { "gcm", 0, 0, G_OPTION_ARG_NONE, &gcm, N_("With --encrypt: AES-256-GCM even if a recipient has not advertised it"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Protect with the password in FILE (- reads standard input); the recipient opens message.html in a browser"), N_("FILE") },
    { "password-hint", 0, 0, G_OPTION_ARG_STRING, &hint, N_("With --password-file: a hint shown to the recipient"), N_("TEXT") },
    { "allow-weak-password", 0, 0, G_OPTION_ARG_NONE, &allow_weak, N_("With --password-file: accept a password that is easy to guess"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (_("— send a message"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(EpDraft) draft = ep_draft_new ();
  g_autoptr(EpOutgoing) outgoing = NULL;
  g_autoptr(EpOutboxTask) task = NULL;
  Queued queued = { 0, };
  EpOutbox *outbox;

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);

  if (argc > 1)
    return usage_error (_("Unexpected argument “%s”"), argv[1]);
  if (account_name == NULL)
    return usage_error (_("send needs --account NAME"));
  if (to == NULL && cc == NULL && bcc == NULL)
    return usage_error (_("send needs at least one --to, --cc or --bcc"));
  if (subject == NULL)
    return usage_error (_("send needs --subject"));
  if ((body == NULL) == (body_file == NULL))
    return usage_error (_("send needs exactly one of --body and --body-file"));
  if (output != NULL && !dry_run)
    return usage_error (_("--output is only used with --dry-run"));
  if (timeout < 0 || timeout > 3600)
    return usage_error (_("--timeout must be between 1 and 3600 seconds"));
  if (retry_after < -1 || max_attempts == 0 || max_attempts < -1)
    return usage_error (_("--retry-after and --max-attempts take a positive number"));

  if (gcm && !encrypt)
    return usage_error (_("--gcm is only used with --encrypt"));
  if (password_file != NULL && encrypt)
    return usage_error (_("--password-file and --encrypt do not go together: choose one"));
  if (password_file == NULL && (hint != NULL || allow_weak))
    return usage_error (_("--password-hint and --allow-weak-password are only used with --password-file"));
  if (at != NULL && dry_run)
    return usage_error (_("--at and --dry-run do not go together"));
  if (at != NULL && !parse_send_time (at, &not_before, &error))
    return usage_error ("%s", error->message);

  if (body_file != NULL)
    {
      gsize len;

      if (!g_file_get_contents (body_file, &body, &len, &error))
        return usage_error ("%s", error->message);
      if (!g_utf8_validate_len (body, len, NULL))
        return usage_error (_("%s is not UTF-8 text"), body_file);
    }

  if (password_file != NULL)
    {
      draft->password = read_password_file (password_file, &error);
      if (draft->password == NULL)
        return usage_error ("%s", error->message);
      if (!password_strong_enough (draft->password, allow_weak))
        return EXIT_BAD_INPUT;
      draft->password_hint = g_strdup (hint);
    }

  context = open_context (&error);
  if (context == NULL || (account = ep_context_find_account (context, account_name, &error)) == NULL)
    return fail (g_steal_pointer (&error));

  draft->from_name = g_strdup (ep_account_get_display_name (account));
  draft->from_address = g_strdup (ep_account_get_address (account));
  add_all (draft->to, to);
  add_all (draft->cc, cc);
  add_all (draft->bcc, bcc);
  draft->subject = g_strdup (subject);
  draft->body = g_strdup (body);
  draft->markdown = markdown;
  add_all (draft->attachments, attach);
  draft->sign = sign;
  draft->encrypt = encrypt;
  draft->gcm = gcm;

  if (dry_run)
    {
      gsize size;
      const char *data;

      outgoing = ep_message_build (draft, cancellable, &error);
      if (outgoing == NULL ||
          !ep_outbox_protect_draft_message (ep_context_get_outbox (context), outgoing, draft,
                                            cancellable, &error))
        return fail (g_steal_pointer (&error));
      data = g_bytes_get_data (outgoing->data, &size);

      if (output != NULL)
        {
          if (!g_file_set_contents_full (output, data, size, G_FILE_SET_CONTENTS_CONSISTENT,
                                         0600, &error))
            return fail (g_steal_pointer (&error));
          g_print (_("Message written to %s (%" G_GSIZE_FORMAT " bytes, %u recipients); "
                     "nothing was sent.\n"), output, size, g_strv_length (outgoing->recipients));
        }
      else
        fwrite (data, 1, size, stdout);
      return EXIT_OK;
    }

  /* Through the outbox, like every send: committed before it goes, so a
   * temporary failure (or a kill) leaves it there for “outbox run”. */
  outbox = ep_context_get_outbox (context);
  if (retry_after >= 0 || max_attempts > 0)
    ep_outbox_set_retry_policy (outbox, retry_after >= 0 ? (guint) retry_after : 30,
                                max_attempts > 0 ? (guint) max_attempts : 6);
  ep_outbox_send_message_async (outbox, account, draft, not_before, cancellable, on_queued_cb, &queued);
  while (!queued.done)
    g_main_context_iteration (NULL, TRUE);
  if (queued.task == NULL)
    return fail (g_steal_pointer (&queued.error));
  task = queued.task;

  if (!ep_outbox_task_get_running (task))
    {
      g_autofree char *when = ep_schedule_time_format (not_before, NULL);

      /* Built and stored as it is now; Epistle in the background (or
       * “outbox run”) sends it then. */
      notify_running_app ();
      g_print (_("Scheduled for %s (number %" G_GINT64_FORMAT "; see “schedule list”).\n"),
               when, ep_outbox_task_get_id (task));
      return EXIT_OK;
    }

  /* Without --wait, one attempt now; a retry is left queued. */
  ep_outbox_task_set_wait_for_retries (task, wait);
  if (timeout > 0)
    ep_outbox_task_set_timeout (task, (guint) timeout);
  run_task (task, TRUE);

  if (verbose)
    print_log (ep_context_get_protocol_log (context));

  return report_message (task);
}
