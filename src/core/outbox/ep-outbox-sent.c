/* ep-outbox-sent.c: a copy of each single message sent, in the Sent folder
 *
 * Once the journal has recorded a single message from Compose as sent,
 * its stored bytes (what went on the wire) are appended with \Seen to the
 * account's Sent folder over IMAP: the folder with the \Sent special use,
 * or, on a server without SPECIAL-USE, one of the usual names. Nothing is
 * copied when the account has no IMAP server, or when its provider files
 * sent mail itself (Gmail: a second copy would appear).
 *
 * Merge campaigns are not copied: hundreds of copies of one template fill
 * the folder and cost about as much again as the send itself.
 *
 * The copy never makes the message look unsent and never sends it again:
 * it runs after the outcome is committed, and a failure is only reported,
 * as a warning and in the protocol log. A temporary failure (connection
 * lost, timeout) is tried once more on a new connection, which first
 * searches Sent for the Message-ID: an APPEND whose reply was lost may
 * have filed the copy already.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "account/ep-account-server.h"
#include "account/ep-provider.h"
#include "transport/ep-imap-parser.h"
#include "transport/ep-imap-session.h"
#include "transport/ep-transport-error.h"

#include "ep-outbox-private.h"

typedef struct
{
  char *special;   /* the raw name of the \Sent folder */
  char *named;     /* a folder with a usual name for it */
} SentState;

static gboolean
list_cb (const EpImapResponse  *r,
         gpointer               user_data,
         GError               **error)
{
  static const char *names[] = { "Sent", "Sent Items", "Sent Messages", "Sent Mail" };
  SentState *state = user_data;
  EpImapMailbox *mailbox;

  if (g_strcmp0 (r->name, "LIST") != 0)
    return TRUE;
  mailbox = ep_imap_mailbox_parse (r, NULL);
  if (mailbox == NULL)
    return TRUE;
  if (mailbox->selectable && state->special == NULL &&
      g_strcmp0 (mailbox->special_use, "\\Sent") == 0)
    state->special = g_strdup (mailbox->raw_name);
  for (guint i = 0; mailbox->selectable && state->named == NULL && i < G_N_ELEMENTS (names); i++)
    if (mailbox->name != NULL && g_ascii_strcasecmp (mailbox->name, names[i]) == 0)
      state->named = g_strdup (mailbox->raw_name);
  ep_imap_mailbox_free (mailbox);
  return TRUE;
}

static gboolean
search_cb (const EpImapResponse  *r,
           gpointer               user_data,
           GError               **error)
{
  gboolean *found = user_data;

  if (g_strcmp0 (r->name, "SEARCH") == 0 && ep_imap_value_n_items (r->data) > 0)
    *found = TRUE;
  return TRUE;
}

/* Whether @folder holds a message with @message_id (without <>). */
static gboolean
already_there (EpImapSession  *session,
               const char     *folder,
               const char     *message_id,
               gboolean       *found,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autoptr(GString) command = g_string_new ("EXAMINE ");
  g_autofree char *bracketed = g_strdup_printf ("<%s>", message_id);

  *found = FALSE;
  if (!ep_imap_append_quoted (command, folder))
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                   _("The folder name “%s” cannot be sent to the server"), folder);
      return FALSE;
    }
  if (!ep_imap_session_run (session, command->str, NULL, NULL, NULL, cancellable, error))
    return FALSE;
  /* A Message-ID that cannot be quoted is not searched for. */
  g_string_assign (command, "UID SEARCH HEADER Message-ID ");
  if (!ep_imap_append_quoted (command, bracketed))
    return TRUE;
  return ep_imap_session_run (session, command->str, search_cb, found, NULL, cancellable, error);
}

static gboolean
append_copy (EpOutbox      *self,
             EpAccount     *account,
             EpOutgoing    *message,
             gboolean       again,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(EpServerConfig) config = NULL;
  EpImapSession *session;
  SentState state = { NULL, NULL };
  const char *folder;
  guint32 uid = 0;
  gboolean special;
  gboolean found = FALSE;
  gboolean ok;

  config = ep_account_imap_config_sync (account, cancellable, error);
  if (config == NULL)
    return FALSE;
  session = ep_imap_session_open (config, ep_outbox_get_protocol_log (self), cancellable, error);
  if (session == NULL)
    return FALSE;

  special = ep_imap_session_has_capability (session, "SPECIAL-USE");
  ok = ep_imap_session_run (session, special ? "LIST \"\" \"*\" RETURN (SPECIAL-USE)"
                                             : "LIST \"\" \"*\"",
                            list_cb, &state, NULL, cancellable, error);
  folder = state.special != NULL ? state.special : state.named;
  if (ok && folder == NULL)
    {
      g_set_error (error, EP_TRANSPORT_ERROR, EP_TRANSPORT_ERROR_CONFIG,
                   _("%s has no Sent folder"), ep_imap_session_get_host (session));
      ok = FALSE;
    }
  if (ok && again && message->message_id != NULL)
    ok = already_there (session, folder, message->message_id, &found, cancellable, error);
  if (ok && !found)
    ok = ep_imap_session_append (session, folder, "\\Seen", message->data, &uid, cancellable, error);
  if (ok)
    g_debug ("A copy is in %s (UID %u)", folder, uid);

  ep_imap_session_close (session);
  g_free (state.special);
  g_free (state.named);
  return ok;
}

/* Worker threads: after a run of entry @id. Copies the message when it
 * is a single message that was sent; never fails (see above). */
void
_ep_outbox_copy_to_sent (EpOutbox     *self,
                         gint64        id,
                         GCancellable *cancellable)
{
  EpStore *store = ep_outbox_get_store (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpCampaignInfo) info = NULL;
  g_autoptr(EpAccount) account = NULL;
  g_autoptr(EpOutgoing) message = NULL;
  g_autofree char *line = NULL;
  const char *host;

  info = ep_store_campaign_lookup (store, id, &error);
  if (info == NULL || info->kind != EP_CAMPAIGN_KIND_MESSAGE || info->counts[EP_RECIPIENT_SENT] == 0)
    return;
  account = _ep_outbox_find_account (self, info->account_uid, &error);
  if (account == NULL)
    return;
  host = ep_account_get_imap_host (account);
  if (host == NULL || *host == '\0')
    return;
  if (ep_provider_files_sent (host))
    {
      g_debug ("%s files sent mail itself; no copy", host);
      return;
    }

  message = _ep_outbox_load_message (self, id, &error);
  if (message != NULL)
    {
      if (append_copy (self, account, message, FALSE, cancellable, &error))
        return;
      if (ep_transport_error_is_transient (error))
        {
          g_debug ("Copy to Sent: %s; once more", error->message);
          g_clear_error (&error);
          if (append_copy (self, account, message, TRUE, cancellable, &error))
            return;
        }
    }

  line = g_strdup_printf (_("The copy for the Sent folder was not saved: %s"), error->message);
  g_warning ("Message %" G_GINT64_FORMAT " was sent. %s", id, line);
  ep_protocol_log_append (ep_outbox_get_protocol_log (self), EP_PROTOCOL_LOG_INFO, line);
}
