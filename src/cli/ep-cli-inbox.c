/* ep-cli-inbox.c: epistle-cli inbox
 *
 *   epistle-cli inbox sync --account NAME [--inbox-only] [--verbose] [--timeout SECONDS]
 *   epistle-cli inbox folders [--account NAME]
 *   epistle-cli inbox list --account NAME [--folder NAME] [--search WORDS]
 *   epistle-cli inbox show ID [--password-stdin]
 *   epistle-cli inbox flag ID --seen | --unseen | --flagged | --unflagged
 *   epistle-cli inbox watch --account NAME [--timeout SECONDS]
 *
 * The same cache the window reads: a sync here is seen there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

/* What mail says reaches a terminal: no escape sequence from a message
 * may move the cursor, set the title or write the clipboard. */
static char *
one_line (const char *text)
{
  return ep_message_sanitize_header_text (text ? text : "");
}

static char *
body_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == '\t' || !g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static EpServerConfig *
imap_config (EpContext  *context,
             EpAccount  *account,
             GError    **error)
{
  if (ep_account_get_imap_host (account) == NULL || *ep_account_get_imap_host (account) == '\0')
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                   _("The account “%s” has no IMAP server"), ep_account_get_name (account));
      return NULL;
    }
  return ep_context_imap_config_sync (context, account, cancellable, error);
}

static int
inbox_sync (EpContext  *context,
            EpAccount  *account,
            gboolean    inbox_only,
            gboolean    verbose,
            int         timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpServerConfig) config = imap_config (context, account, &error);
  EpInboxSyncStats stats;
  gboolean ok;

  if (config == NULL)
    return fail (g_steal_pointer (&error));
  if (timeout > 0)
    config->connect_timeout = config->response_timeout = (guint) timeout;

  ok = ep_inbox_sync_account (ep_context_get_store (context), ep_account_get_uid (account), config,
                              inbox_only, ep_context_get_protocol_log (context), NULL, NULL,
                              &stats, cancellable, &error);
  if (verbose)
    print_log (ep_context_get_protocol_log (context));
  if (!ok)
    return fail (g_steal_pointer (&error));

  g_print (_("Synced %u folders: %u new, %u with changed flags, %u removed, %u folders read again.\n"),
           stats.folders, stats.added, stats.flags_changed, stats.removed, stats.resets);
  if (stats.bounces > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "%u returned message was matched to a campaign recipient.\n",
                          "%u returned messages were matched to campaign recipients.\n", stats.bounces),
             stats.bounces);
  return EXIT_OK;
}

static int
inbox_watch (EpContext  *context,
             EpAccount  *account,
             int         timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpServerConfig) config = imap_config (context, account, &error);
  gboolean changed = FALSE;

  if (config == NULL ||
      !ep_inbox_wait_for_change (config, timeout > 0 ? (guint) timeout : 25 * 60, &changed,
                                 ep_context_get_protocol_log (context), cancellable, &error))
    return fail (g_steal_pointer (&error));
  g_print (changed ? _("The Inbox changed.\n") : _("No change.\n"));
  return EXIT_OK;
}

static int
inbox_folders (EpContext  *context,
               EpAccount  *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) folders = ep_store_inbox_folders (ep_context_get_store (context),
                                                         account ? ep_account_get_uid (account) : NULL,
                                                         &error);

  if (folders == NULL)
    return fail (g_steal_pointer (&error));
  for (guint i = 0; i < folders->len; i++)
    {
      EpInboxFolder *f = g_ptr_array_index (folders, i);

      g_autofree char *name = one_line (f->name);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%u\t%u\n", f->id, name,
               f->special_use ? f->special_use : "-", f->total, f->unread);
    }
  if (folders->len == 0)
    g_print (_("No folders yet: run “inbox sync”.\n"));
  return EXIT_OK;
}

static EpInboxFolder *
find_folder (EpContext   *context,
             EpAccount   *account,
             const char  *name,
             GError     **error)
{
  g_autoptr(GPtrArray) folders = ep_store_inbox_folders (ep_context_get_store (context),
                                                         ep_account_get_uid (account), error);

  if (folders == NULL)
    return NULL;
  for (guint i = 0; i < folders->len; i++)
    {
      EpInboxFolder *f = g_ptr_array_index (folders, i);

      if (name == NULL ? g_strcmp0 (f->special_use, "\\Inbox") == 0
                       : g_str_equal (f->name, name) || g_str_equal (f->raw_name, name))
        return ep_inbox_folder_copy (f);
    }
  g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
               _("No folder “%s” (run “inbox sync” first?)"), name ? name : "INBOX");
  return NULL;
}

static int
inbox_list (EpContext  *context,
            EpAccount  *account,
            const char *folder_name,
            const char *search)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpInboxFolder) folder = find_folder (context, account, folder_name, &error);
  g_autoptr(GArray) ids = NULL;

  if (folder == NULL)
    return fail (g_steal_pointer (&error));
  ids = ep_store_inbox_list (ep_context_get_store (context), folder->id, search, &error);
  if (ids == NULL)
    return fail (g_steal_pointer (&error));

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(EpInboxSummary) s = ep_store_inbox_lookup (ep_context_get_store (context),
                                                           g_array_index (ids, gint64, i), &error);
      g_autoptr(GDateTime) date = NULL;
      g_autofree char *when = NULL;
      g_autofree char *from = NULL;
      g_autofree char *subject = NULL;

      if (s == NULL)
        return fail (g_steal_pointer (&error));
      from = one_line (s->from_address);
      subject = one_line (s->subject);
      date = g_date_time_new_from_unix_utc (s->date);
      when = date ? g_date_time_format (date, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("-");
      g_print ("%" G_GINT64_FORMAT "\t%u\t%c%c%c%c\t%s\t%s\t%s\n", s->id, s->uid,
               s->state & EP_INBOX_SEEN ? '-' : 'U', s->state & EP_INBOX_FLAGGED ? 'F' : '-',
               s->encrypted ? 'E' : (s->is_signed ? 'S' : '-'), s->is_report ? 'R' : '-',
               when, from, subject);
    }
  return EXIT_OK;
}

static EpAccount *
account_of (EpContext       *context,
            const EpInboxSummary *summary,
            GError         **error)
{
  g_autoptr(EpInboxFolder) folder = ep_store_inbox_folder_lookup (ep_context_get_store (context),
                                                                  summary->folder_id, error);

  if (folder == NULL)
    return NULL;
  return ep_context_find_account (context, folder->account_uid, error);
}

static int
inbox_show (EpContext  *context,
            gint64      id,
            gboolean    password_stdin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpInboxSummary) summary = ep_store_inbox_lookup (ep_context_get_store (context), id, &error);
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(EpServerConfig) config = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(EpReadMessage) message = NULL;
  EpVault *vault = NULL;
  char *password = NULL;

  if (summary == NULL)
    return fail (g_steal_pointer (&error));

  raw = ep_store_inbox_body (ep_context_get_store (context), id, &error);
  if (raw == NULL && error == NULL)
    {
      account = account_of (context, summary, &error);
      config = account ? imap_config (context, account, &error) : NULL;
      raw = config ? ep_inbox_fetch_body (ep_context_get_store (context), config, id,
                                          ep_context_get_protocol_log (context), cancellable, &error)
                   : NULL;
    }
  if (raw == NULL)
    return fail (g_steal_pointer (&error));

  /* The vault only when the message needs it (it may ask for a passphrase). */
  if (summary->encrypted || summary->is_signed)
    {
      vault = ep_context_get_vault (context);
      if (!ep_vault_load_sync (vault, NULL, cancellable, &error))
        {
          g_printerr (_("The key vault could not be opened: %s\n"), error->message);
          g_clear_error (&error);
          vault = NULL;
        }
    }
  if (password_stdin)
    password = read_password (TRUE);

  message = ep_read_message_parse (raw, vault, password, TRUE, &error);
  wipe_and_free (password);
  if (message == NULL)
    return fail (g_steal_pointer (&error));

  {
    g_autofree char *from = one_line (message->from);
    g_autofree char *to = one_line (message->to);
    g_autofree char *cc = one_line (message->cc);
    g_autofree char *subject = one_line (message->subject);

    g_print (_("From: %s\n"), from);
    g_print (_("To: %s\n"), to);
    if (*cc)
      g_print (_("Cc: %s\n"), cc);
    g_print (_("Subject: %s\n"), subject);
  }
  if (message->security_summary != NULL)
    g_print (_("Security: %s\n"), message->security_summary);
  if (message->bounce != NULL)
    {
      g_autofree char *original = one_line (message->bounce->original_message_id);
      g_autofree char *status = one_line (message->bounce->status);
      g_autofree char *diagnostic = one_line (message->bounce->diagnostic);

      g_print (_("Returned: %s (%s) %s\n"), *original ? original : "?", *status ? status : "?", diagnostic);
    }
  for (guint i = 0; i < message->attachments->len; i++)
    {
      EpReadAttachment *a = g_ptr_array_index (message->attachments, i);
      g_autofree char *name = one_line (a->filename);
      g_autofree char *type = one_line (a->content_type);

      g_print (_("Attachment: %s (%s, %" G_GSIZE_FORMAT " bytes)\n"), name, type, a->size);
    }

  switch (message->state)
    {
    case EP_READ_NEEDS_PASSWORD:
      g_printerr (_("This message is protected with a password: give it with --password-stdin\n"));
      return EXIT_SECURITY;
    case EP_READ_FAILED:
      {
        g_autofree char *problem = one_line (message->problem ? message->problem
                                                               : _("The message could not be opened"));

        g_printerr ("%s\n", problem);
      }
      return EXIT_SECURITY;
    case EP_READ_OK:
    default:
      break;
    }
  {
    g_autofree char *text = body_text (message->body ? message->body->text : "");

    g_print ("\n%s\n", text);
  }
  return EXIT_OK;
}

static int
inbox_flag (EpContext    *context,
            gint64        id,
            EpInboxFlags  flag,
            gboolean      set)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpInboxSummary) summary = ep_store_inbox_lookup (ep_context_get_store (context), id, &error);
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(EpServerConfig) config = NULL;

  if (summary == NULL || (account = account_of (context, summary, &error)) == NULL ||
      (config = imap_config (context, account, &error)) == NULL ||
      !ep_inbox_store_flag (ep_context_get_store (context), config, id, flag, set,
                            ep_context_get_protocol_log (context), cancellable, &error))
    return fail (g_steal_pointer (&error));
  return EXIT_OK;
}

int
cmd_inbox (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpContext) context = NULL;
  g_autoptr(EpAccount) account = NULL;
  g_autofree char *account_name = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *search = NULL;
  gboolean inbox_only = FALSE, verbose = FALSE, password_stdin = FALSE;
  gboolean seen = FALSE, unseen = FALSE, flagged = FALSE, unflagged = FALSE;
  int timeout = 0;
  GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("The account"), N_("NAME") },
    { "inbox-only", 0, 0, G_OPTION_ARG_NONE, &inbox_only, N_("sync: only the Inbox"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("sync: print the protocol log (no passwords, no message contents)"), NULL },
    { "folder", 0, 0, G_OPTION_ARG_STRING, &folder, N_("list: this folder (default: the Inbox)"), N_("NAME") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("list: only messages with these words"), N_("WORDS") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("show: the password of password-protected mail, on standard input"), NULL },
    { "seen", 0, 0, G_OPTION_ARG_NONE, &seen, N_("flag: mark as read"), NULL },
    { "unseen", 0, 0, G_OPTION_ARG_NONE, &unseen, N_("flag: mark as unread"), NULL },
    { "flagged", 0, 0, G_OPTION_ARG_NONE, &flagged, N_("flag: add a star"), NULL },
    { "unflagged", 0, 0, G_OPTION_ARG_NONE, &unflagged, N_("flag: remove the star"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("sync: give up when the server is silent this long (default 60); watch: give up after SECONDS (default 1500)"), N_("SECONDS") },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (_("sync | folders | list | show ID | flag ID | watch — received mail"));
  gint64 id = 0;

  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (argc < 2)
    return usage_error (_("inbox needs sync, folders, list, show, flag or watch"));

  if (g_str_equal (argv[1], "show") || g_str_equal (argv[1], "flag"))
    {
      if (argc != 3 || !g_ascii_string_to_signed (argv[2], 10, 1, G_MAXINT64, &id, NULL))
        return usage_error (_("%s needs the number of a message (see “inbox list”)"), argv[1]);
    }
  else if (argc != 2)
    return usage_error (_("Too many arguments"));
  if (timeout < 0 || timeout > 3600)
    return usage_error (_("--timeout must be between 1 and 3600 seconds"));

  context = open_context (&error);
  if (context == NULL)
    return fail (g_steal_pointer (&error));
  if (account_name != NULL &&
      (account = ep_context_find_account (context, account_name, &error)) == NULL)
    return fail (g_steal_pointer (&error));

  if (g_str_equal (argv[1], "sync") || g_str_equal (argv[1], "list") || g_str_equal (argv[1], "watch"))
    {
      if (account == NULL)
        return usage_error (_("%s needs --account"), argv[1]);
      if (g_str_equal (argv[1], "sync"))
        return inbox_sync (context, account, inbox_only, verbose, timeout);
      if (g_str_equal (argv[1], "watch"))
        return inbox_watch (context, account, timeout);
      return inbox_list (context, account, folder, search);
    }
  if (g_str_equal (argv[1], "folders"))
    return inbox_folders (context, account);
  if (g_str_equal (argv[1], "show"))
    return inbox_show (context, id, password_stdin);
  if (g_str_equal (argv[1], "flag"))
    {
      if (seen + unseen + flagged + unflagged != 1)
        return usage_error (_("flag needs one of --seen, --unseen, --flagged, --unflagged"));
      return inbox_flag (context, id, seen || unseen ? EP_INBOX_SEEN : EP_INBOX_FLAGGED,
                         seen || flagged);
    }
  return usage_error (_("Unknown inbox command “%s”"), argv[1]);
}
