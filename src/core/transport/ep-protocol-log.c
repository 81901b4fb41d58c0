/* ep-protocol-log.c: a bounded, thread-safe list of protocol lines
 *
 * Lines arrive already redacted (see ep-smtp.c); this object only keeps
 * them. Workers append from their thread, the UI reads a copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-protocol-log"

#include "config.h"

#include "ep-protocol-log.h"

struct _EpProtocolLog
{
  GObject  parent_instance;
  GMutex   mutex;
  GQueue   lines;
  guint    max_lines;
};

G_DEFINE_FINAL_TYPE (EpProtocolLog, ep_protocol_log, G_TYPE_OBJECT)

static void
ep_protocol_log_finalize (GObject *object)
{
  EpProtocolLog *self = (EpProtocolLog *)object;

  g_queue_clear_full (&self->lines, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ep_protocol_log_parent_class)->finalize (object);
}

static void
ep_protocol_log_class_init (EpProtocolLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_protocol_log_finalize;
}

static void
ep_protocol_log_init (EpProtocolLog *self)
{
  g_mutex_init (&self->mutex);
  g_queue_init (&self->lines);
  self->max_lines = 2000;
}

EpProtocolLog *
ep_protocol_log_new (guint max_lines)
{
  EpProtocolLog *self = g_object_new (EP_TYPE_PROTOCOL_LOG, NULL);

  if (max_lines > 0)
    self->max_lines = max_lines;

  return self;
}

void
ep_protocol_log_append (EpProtocolLog     *self,
                        EpProtocolLogKind  kind,
                        const char        *line)
{
  static const char *prefixes[] = { "* ", "C: ", "S: " };
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;

  g_return_if_fail (EP_IS_PROTOCOL_LOG (self));
  g_return_if_fail (kind <= EP_PROTOCOL_LOG_SERVER);

  if (line == NULL)
    return;

  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%H:%M:%S");

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->lines, g_strconcat (stamp, " ", prefixes[kind], line, NULL));
  while (self->lines.length > self->max_lines)
    g_free (g_queue_pop_head (&self->lines));
  g_mutex_unlock (&self->mutex);
}

char *
ep_protocol_log_dup_text (EpProtocolLog *self)
{
  GString *out;

  g_return_val_if_fail (EP_IS_PROTOCOL_LOG (self), NULL);

  out = g_string_new (NULL);
  g_mutex_lock (&self->mutex);
  for (const GList *l = self->lines.head; l != NULL; l = l->next)
    {
      g_string_append (out, l->data);
      g_string_append_c (out, '\n');
    }
  g_mutex_unlock (&self->mutex);

  return g_string_free (out, FALSE);
}

guint
ep_protocol_log_get_n_lines (EpProtocolLog *self)
{
  guint n;

  g_return_val_if_fail (EP_IS_PROTOCOL_LOG (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->lines.length;
  g_mutex_unlock (&self->mutex);

  return n;
}

void
ep_protocol_log_clear (EpProtocolLog *self)
{
  g_return_if_fail (EP_IS_PROTOCOL_LOG (self));

  g_mutex_lock (&self->mutex);
  g_queue_clear_full (&self->lines, g_free);
  g_queue_init (&self->lines);
  g_mutex_unlock (&self->mutex);
}

static const char * const smtp_safe_verbs[] = {
  "EHLO", "HELO", "LHLO", "STARTTLS", "MAIL", "RCPT", "DATA", "BDAT", "QUIT",
  "RSET", "NOOP", "VRFY", "EXPN", "HELP", NULL
};

static const char * const imap_safe_verbs[] = {
  "CAPABILITY", "STARTTLS", "NOOP", "LOGOUT", "SELECT", "EXAMINE", "LIST", "LSUB",
  "STATUS", "FETCH", "UID", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE", "CLOSE",
  "APPEND", "IDLE", "ID", "ENABLE", "NAMESPACE", "CREATE", "DELETE", "RENAME",
  "SUBSCRIBE", "UNSUBSCRIBE", "CHECK", "UNSELECT", NULL
};

static gboolean
verb_in (const char         *verb,
         const char * const *list)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_ascii_strcasecmp (verb, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Returns a copy of a client command that is safe to show and keep.
 *
 * This is an allow-list: commands we know carry no secret pass through;
 * AUTH/AUTHENTICATE keep only the mechanism name; LOGIN keeps only the
 * verb; anything else (SASL continuation lines: base64 user names,
 * passwords, tokens) is replaced by "[redacted]". */
char *
ep_protocol_redact_command (const char *line,
                            gboolean    imap)
{
  g_auto(GStrv) words = NULL;
  const char *tag = "";
  const char *verb;
  guint n, i = 0;

  if (line == NULL)
    return NULL;

  words = g_strsplit_set (line, " \r\n", -1);
  n = g_strv_length (words);
  while (i < n && words[i][0] == '\0')
    i++;
  if (i >= n)
    return g_strdup ("");

  if (imap)
    {
      /* "A001 COMMAND args"; "DONE" ends IDLE and has no tag. */
      if (n - i == 1 && g_ascii_strcasecmp (words[i], "DONE") == 0)
        return g_strdup ("DONE");
      tag = words[i++];
      if (i >= n || !g_ascii_isalnum (tag[0]))
        return g_strdup ("[redacted]");
    }

  verb = words[i];

  if (g_ascii_strcasecmp (verb, imap ? "AUTHENTICATE" : "AUTH") == 0)
    {
      const char *mech = (i + 1 < n) ? words[i + 1] : "";
      gboolean more = (i + 2 < n) && words[i + 2][0] != '\0';

      if (!g_regex_match_simple ("^[A-Za-z0-9_-]{1,40}$", mech, 0, 0))
        mech = "[redacted]";

      return g_strdup_printf ("%s%s%s %s%s", tag, *tag ? " " : "", verb, mech,
                              more ? " [redacted]" : "");
    }

  if (imap && g_ascii_strcasecmp (verb, "LOGIN") == 0)
    return g_strdup_printf ("%s LOGIN [redacted]", tag);

  if (verb_in (verb, imap ? imap_safe_verbs : smtp_safe_verbs))
    return g_strdup (line);

  return g_strdup ("[redacted]");
}
