/* ep-read-message-reply.c: Reply, Reply All and Forward as drafts
 *
 * Only what the reader showed is quoted (for private mail: the decrypted
 * part). Header values taken from the original are one line each and
 * msg-ids are checked for shape, so nothing in a received message can add
 * a header to the reply.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-read-message"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "ep-address.h"
#include "ep-message.h"
#include "ep-read-message-private.h"

#define MAX_REFERENCES 20

static gboolean
has_prefix_ci (const char *subject,
               const char *prefix)
{
  return g_ascii_strncasecmp (subject, prefix, strlen (prefix)) == 0;
}

/* "Re: " once: an existing "Re:" (or "RE:", "Aw:", "Sv:") is kept as the
 * one prefix. */
static char *
prefixed_subject (const char *subject,
                  EpReplyKind kind)
{
  const char *s = subject ? subject : "";
  static const char *re[] = { "re:", "aw:", "sv:", "antw:", NULL };
  static const char *fwd[] = { "fwd:", "fw:", "wg:", "tr:", NULL };
  const char **known = kind == EP_REPLY_FORWARD ? fwd : re;

  while (*s == ' ')
    s++;
  for (guint i = 0; known[i] != NULL; i++)
    if (has_prefix_ci (s, known[i]))
      {
        s += strlen (known[i]);
        while (*s == ' ')
          s++;
        break;
      }
  return g_strconcat (kind == EP_REPLY_FORWARD ? "Fwd: " : "Re: ", s, NULL);
}

static char *
date_text (gint64 date)
{
  g_autoptr(GDateTime) time = date != 0 ? g_date_time_new_from_unix_local (date) : NULL;

  /* Translators: the date and time in "On %s, %s wrote:" and forwards */
  return time ? g_date_time_format (time, _("%a, %d %b %Y at %H:%M")) : g_strdup ("?");
}

static void
add_list (GPtrArray   *to,
          GHashTable  *seen,
          const char  *field,
          const char  *own)
{
  g_autoptr(GPtrArray) parsed = NULL;
  g_autofree char *own_key = own ? g_utf8_casefold (own, -1) : NULL;

  if (field == NULL || *field == '\0')
    return;
  parsed = ep_address_list_parse (field, NULL);
  if (parsed == NULL)
    return;
  for (guint i = 0; i < parsed->len; i++)
    {
      const EpAddress *a = g_ptr_array_index (parsed, i);
      g_autofree char *key = g_utf8_casefold (a->address, -1);

      if ((own_key && strcmp (key, own_key) == 0) || g_hash_table_contains (seen, key))
        continue;
      g_hash_table_add (seen, g_steal_pointer (&key));
      if (a->name != NULL && *a->name != '\0')
        {
          g_autofree char *name = ep_message_sanitize_header_text (a->name);
          gboolean plain = strpbrk (name, "\"(),.:;<>@[\\]") == NULL;

          if (plain)
            g_ptr_array_add (to, g_strdup_printf ("%s <%s>", name, a->address));
          else
            {
              g_autoptr(GString) quoted = g_string_new ("\"");
              for (const char *p = name; *p; p++)
                {
                  if (*p == '"' || *p == '\\')
                    g_string_append_c (quoted, '\\');
                  g_string_append_c (quoted, *p);
                }
              g_ptr_array_add (to, g_strdup_printf ("%s\" <%s>", quoted->str, a->address));
            }
        }
      else
        g_ptr_array_add (to, g_strdup (a->address));
    }
}

static char *
quoted_body (EpReadMessage *message)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *date = date_text (message->date);
  g_auto(GStrv) lines = NULL;

  /* Translators: "On <date>, <sender> wrote:" above the quoted original */
  g_string_append_printf (out, _("On %s, %s wrote:"), date,
                          message->from ? message->from : _("someone"));
  g_string_append_c (out, '\n');
  lines = g_strsplit (message->body ? message->body->text : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i + 1] == NULL && *lines[i] == '\0')
        break;
      g_string_append (out, lines[i][0] == '>' ? ">" : "> ");
      g_string_append (out, lines[i]);
      g_string_append_c (out, '\n');
    }
  return g_strconcat ("\n\n", out->str, NULL);
}

static char *
forwarded_body (EpReadMessage *message)
{
  g_autoptr(GString) out = g_string_new ("\n\n");
  g_autofree char *date = date_text (message->date);

  g_string_append (out, _("---------- Forwarded message ----------"));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("From: %s\n"), message->from ? message->from : "");
  g_string_append_printf (out, _("Date: %s\n"), date);
  g_string_append_printf (out, _("Subject: %s\n"), message->subject ? message->subject : "");
  g_string_append_printf (out, _("To: %s\n"), message->to ? message->to : "");
  if (message->cc != NULL)
    g_string_append_printf (out, _("Cc: %s\n"), message->cc);
  g_string_append_c (out, '\n');
  g_string_append (out, message->body ? message->body->text : "");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The attachments written to a new private folder under the cache. */
static void
save_attachments (EpReadMessage *message,
                  EpDraft       *draft)
{
  g_autofree char *base = NULL;
  g_autofree char *dir = NULL;

  if (message->attachments->len == 0)
    return;
  base = g_build_filename (g_get_user_cache_dir (), "epistle", "forward", NULL);
  if (g_mkdir_with_parents (base, 0700) != 0)
    {
      g_warning ("Could not create %s: %s", base, g_strerror (errno));
      return;
    }
  dir = g_build_filename (base, "XXXXXX", NULL);
  if (g_mkdtemp_full (dir, 0700) == NULL)
    {
      g_warning ("Could not create a folder in %s: %s", base, g_strerror (errno));
      return;
    }
  for (guint i = 0; i < message->attachments->len; i++)
    {
      const EpReadAttachment *a = g_ptr_array_index (message->attachments, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = ep_read_message_attachment_bytes (message, a->index, &error);
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;

      if (bytes == NULL)
        {
          g_warning ("Attachment %u not forwarded: %s", i, error->message);
          continue;
        }
      /* Two attachments of one name each keep theirs, in folders. */
      name = _ep_read_sanitize_filename (a->filename, i);
      path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *sub = g_strdup_printf ("%s/%u", dir, i + 1);

          g_mkdir (sub, 0700);
          g_free (path);
          path = g_build_filename (sub, name, NULL);
        }
      if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        {
          g_warning ("Attachment %u not forwarded: %s", i, error->message);
          continue;
        }
      g_ptr_array_add (draft->attachments, g_steal_pointer (&path));
    }
}

EpDraft *
ep_read_message_make_reply (EpReadMessage *message,
                            EpReplyKind    kind,
                            const char    *own_address)
{
  g_autoptr(EpDraft) draft = ep_draft_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *subject = NULL;

  g_return_val_if_fail (message != NULL, NULL);

  subject = ep_message_sanitize_header_text (message->subject);
  draft->subject = prefixed_subject (subject, kind);

  /* What came encrypted goes back encrypted: the quote is its plaintext.
   * (Password mail: the caller, who knows the password, sets it.) */
  draft->encrypt = message->protection == EP_READ_SMIME && message->encrypted;

  if (kind == EP_REPLY_FORWARD)
    {
      draft->body = forwarded_body (message);
      /* Decrypted attachments are never written to disk: a forward of
       * private mail goes without them (the body says so). */
      if (message->protection == EP_READ_PLAIN)
        save_attachments (message, draft);
      else if (message->attachments->len > 0)
        {
          char *body = g_strconcat (_("(The attachments of the protected message are not forwarded; "
                                      "save them from the message and attach them if they should go.)"),
                                    "\n\n", draft->body, NULL);

          g_free (draft->body);
          draft->body = body;
        }
      return g_steal_pointer (&draft);
    }

  /* Reply-To honoured; one's own address never answered to itself unless
   * it is the only one. */
  add_list (draft->to, seen, message->reply_to ? message->reply_to : message->from,
            kind == EP_REPLY_ALL ? own_address : NULL);
  if (kind == EP_REPLY_ALL)
    {
      if (draft->to->len == 0)
        add_list (draft->to, seen, message->to, own_address);
      else
        add_list (draft->cc, seen, message->to, own_address);
      add_list (draft->cc, seen, message->cc, own_address);
    }

  draft->in_reply_to = ep_message_clean_msg_ids (message->message_id, 1);
  {
    g_autofree char *all = g_strconcat (message->references ? message->references : "",
                                        " ", message->message_id ? message->message_id : "",
                                        NULL);
    draft->references = ep_message_clean_msg_ids (all, MAX_REFERENCES);
  }
  draft->body = quoted_body (message);
  return g_steal_pointer (&draft);
}
