/* fuzz-readmsg.c: reading received mail (GMime parsing, headers, charsets,
 * attachments, delivery status reports, password mail with a fixed
 * password, S/MIME with no vault) and replying to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) raw = g_bytes_new (data, size);
  g_autoptr(EpReadMessage) message = NULL;
  g_autoptr(EpDraft) reply = NULL;

  (void) fuzz_dir ();
  message = ep_read_message_parse (raw, NULL, "Kastanie-Wolke-7-Fähre", FALSE, NULL);
  if (message == NULL)
    return 0;
  g_assert (message->state != EP_READ_OK || message->body != NULL);
  g_assert (message->body == NULL || g_utf8_validate (message->body->text, -1, NULL));
  for (guint i = 0; i < message->attachments->len; i++)
    {
      EpReadAttachment *a = g_ptr_array_index (message->attachments, i);
      g_autoptr(GBytes) bytes = ep_read_message_attachment_bytes (message, a->index, NULL);

      g_assert (a->filename[0] != '\0' && a->filename[0] != '.' && strchr (a->filename, '/') == NULL);
      g_assert (bytes == NULL || g_bytes_get_size (bytes) == a->size);
    }
  /* Forwards write files: not here, the disk would fill. */
  reply = ep_read_message_make_reply (message, EP_REPLY_ALL, "reader@example.test");
  g_assert (reply->in_reply_to == NULL || strpbrk (reply->in_reply_to, "\r\n") == NULL);
  return 0;
}
