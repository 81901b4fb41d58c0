/* ep-read-bounce.c: delivery status notifications (RFC 3464)
 *
 * The message/delivery-status part is a block of per-message fields, then
 * one block per recipient (Final-Recipient, Action, Status,
 * Diagnostic-Code), each in header syntax. Only what the report states is
 * taken: a bounce is never guessed from the human-readable text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-read-bounce"

#include "config.h"

#include <string.h>

#include "ep-message.h"
#include "ep-read-message-private.h"

#define MAX_RECIPIENTS 1000

/* The value after "type;" ("rfc822; bob@x" → "bob@x"), one line. */
static char *
typed_value (const char *value)
{
  const char *semicolon = strchr (value, ';');

  return ep_message_sanitize_header_text (semicolon ? semicolon + 1 : value);
}

typedef struct
{
  char    *recipient;
  char    *status;
  char    *diagnostic;
  gboolean failed;
} Block;

static void
block_clear (Block *b)
{
  g_clear_pointer (&b->recipient, g_free);
  g_clear_pointer (&b->status, g_free);
  g_clear_pointer (&b->diagnostic, g_free);
  b->failed = FALSE;
}

static void
take_field (Block      *b,
            const char *name,
            const char *value)
{
  if (g_ascii_strcasecmp (name, "Final-Recipient") == 0 && b->recipient == NULL)
    b->recipient = typed_value (value);
  else if (g_ascii_strcasecmp (name, "Original-Recipient") == 0 && b->recipient == NULL)
    b->recipient = typed_value (value);
  else if (g_ascii_strcasecmp (name, "Action") == 0)
    {
      g_autofree char *action = ep_message_sanitize_header_text (value);
      b->failed = g_ascii_strcasecmp (action, "failed") == 0;
    }
  else if (g_ascii_strcasecmp (name, "Status") == 0 && b->status == NULL)
    b->status = ep_message_sanitize_header_text (value);
  else if (g_ascii_strcasecmp (name, "Diagnostic-Code") == 0 && b->diagnostic == NULL)
    b->diagnostic = typed_value (value);
}

static void
end_block (EpReadBounce *bounce,
           Block        *b)
{
  if (b->failed && b->recipient != NULL && *b->recipient != '\0' &&
      bounce->failed->len < MAX_RECIPIENTS)
    {
      g_ptr_array_add (bounce->failed, g_steal_pointer (&b->recipient));
      /* The first failed recipient's words; a block without a Status
       * line leaves both to the next one, never one half overwritten. */
      if (bounce->status == NULL && bounce->diagnostic == NULL)
        {
          bounce->status = g_steal_pointer (&b->status);
          bounce->diagnostic = g_steal_pointer (&b->diagnostic);
        }
    }
  block_clear (b);
}

/* Fields of @text in header syntax, folded lines joined, blocks separated
 * by empty lines; calls back per field and per block end. */
static void
parse_fields (EpReadBounce *bounce,
              const char   *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) field = NULL;
  Block block = { 0 };

  for (guint i = 0;; i++)
    {
      char *line = lines[i];
      gboolean continued = line != NULL && (line[0] == ' ' || line[0] == '\t');

      if (line != NULL)
        g_strchomp (line);
      if (field != NULL && !continued)
        {
          char *colon = strchr (field->str, ':');

          if (colon != NULL)
            {
              *colon = '\0';
              take_field (&block, g_strstrip (field->str), colon + 1);
            }
          g_string_free (g_steal_pointer (&field), TRUE);
        }
      if (line == NULL)
        break;
      if (continued && field != NULL)
        {
          /* Unfolded, the indentation one space */
          if (field->len < 4096)
            {
              g_string_append_c (field, ' ');
              g_string_append (field, g_strchug (line));
            }
        }
      else if (*line == '\0')
        end_block (bounce, &block);
      else if (!continued)
        field = g_string_new (line);
    }
  end_block (bounce, &block);
}

static char *
header_message_id (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0' && *lines[i] != '\r'; i++)
    if (g_ascii_strncasecmp (lines[i], "Message-ID:", 11) == 0)
      {
        g_autoptr(GString) value = g_string_new (lines[i] + 11);

        for (guint j = i + 1; lines[j] != NULL && (lines[j][0] == ' ' || lines[j][0] == '\t'); j++)
          g_string_append (value, lines[j]);
        return ep_message_clean_msg_ids (value->str, 1);
      }
  return NULL;
}

EpReadBounce *
_ep_read_bounce_parse (GMimeObject *dsn,
                       GMimeObject *original)
{
  EpReadBounce *bounce = g_new0 (EpReadBounce, 1);
  g_autoptr(GByteArray) bytes = NULL;
  g_autofree char *text = NULL;

  bounce->failed = g_ptr_array_new_with_free_func (g_free);
  if (GMIME_IS_PART (dsn))
    bytes = _ep_read_part_bytes (GMIME_PART (dsn));
  else
    {
      /* Some GMime versions read message/… as a message part */
      g_autoptr(GMimeStream) stream = NULL;
      GMimeMessage *inner = GMIME_IS_MESSAGE_PART (dsn)
        ? g_mime_message_part_get_message (GMIME_MESSAGE_PART (dsn)) : NULL;

      bytes = g_byte_array_new ();
      stream = g_mime_stream_mem_new_with_byte_array (bytes);
      g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
      if (inner != NULL)
        g_mime_object_write_to_stream (GMIME_OBJECT (inner), NULL, stream);
    }
  text = _ep_read_to_utf8 ((const char *) bytes->data, bytes->len, NULL);
  parse_fields (bounce, text);
  bounce->permanent = bounce->status != NULL && bounce->status[0] == '5';

  if (original != NULL && GMIME_IS_MESSAGE_PART (original))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (original));
      const char *id = inner ? g_mime_message_get_message_id (inner) : NULL;

      if (id != NULL)
        {
          g_autofree char *bracketed = g_strdup_printf ("<%s>", id);
          bounce->original_message_id = ep_message_clean_msg_ids (bracketed, 1);
        }
    }
  else if (original != NULL && GMIME_IS_PART (original))
    {
      g_autoptr(GByteArray) headers = _ep_read_part_bytes (GMIME_PART (original));
      g_autofree char *headers_text = _ep_read_to_utf8 ((const char *) headers->data,
                                                        headers->len, NULL);

      bounce->original_message_id = header_message_id (headers_text);
    }
  return bounce;
}
