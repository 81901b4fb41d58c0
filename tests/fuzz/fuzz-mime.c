/* fuzz-mime.c: the MIME builder's inputs (what a person or a spreadsheet
 * row puts in a message: names, addresses, subject, body, Markdown, an
 * attachment's file name, reply ids) and the bytes it writes
 *
 * The input is split at NUL bytes into the draft's fields. Whatever they
 * hold, a built message must be CRLF-only, keep every line within RFC
 * 5322's 998 octets, carry only the headers the builder writes (no field
 * can inject one), never show Bcc, and parse back with GMime.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include "mail/ep-gmime-private.h"

#include "fuzz-common.h"

enum { F_FLAGS, F_FROM_NAME, F_TO, F_CC, F_BCC, F_SUBJECT, F_BODY, F_REPLY_TO, F_IN_REPLY_TO,
       F_REFERENCES, F_ATTACHMENT, F_MESSAGE_ID, N_FIELDS };

static const char * const allowed[] = {
  "From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-Id", "Message-ID", "In-Reply-To",
  "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
  "Content-Id", "Content-ID",
  NULL
};

static void
check_headers (GMimeObject *object)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (object);

  for (int i = 0; i < g_mime_header_list_get_count (headers); i++)
    {
      const char *name = g_mime_header_get_name (g_mime_header_list_get_header_at (headers, i));

      if (!g_strv_contains (allowed, name))
        {
          fprintf (stderr, "unexpected header %s\n", name);
          abort ();
        }
    }
  if (GMIME_IS_MULTIPART (object))
    for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (object)); i++)
      check_headers (g_mime_multipart_get_part (GMIME_MULTIPART (object), i));
}

static void
check_message (GBytes *data)
{
  gsize size;
  const char *bytes = g_bytes_get_data (data, &size);
  gsize line = 0;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;

  for (gsize i = 0; i < size; i++)
    {
      if (bytes[i] == '\n')
        {
          g_assert (i > 0 && bytes[i - 1] == '\r');   /* CRLF only */
          line = 0;
        }
      else if (bytes[i] == '\r')
        g_assert (i + 1 < size && bytes[i + 1] == '\n');
      else
        {
          if (++line > 998 && g_getenv ("FUZZ_MIME_DUMP") != NULL)
            fwrite (bytes, 1, size, stderr);
          g_assert (line <= 998);
        }
    }

  stream = g_mime_stream_mem_new_with_buffer (bytes, size);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert (message != NULL);
  g_assert (g_mime_object_get_header (GMIME_OBJECT (message), "Bcc") == NULL);
  check_headers (GMIME_OBJECT (message));
}

static void
add_list (GPtrArray  *list,
          const char *text)
{
  if (text != NULL && *text != '\0')
    g_ptr_array_add (list, g_strdup (text));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *field[N_FIELDS] = { NULL };
  g_autofree char *text = g_malloc (size + 1);
  g_autoptr(EpDraft) draft = ep_draft_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *attachment = NULL;
  EpOutgoing *outgoing;
  gsize at = 0;
  guint flags;

  (void) fuzz_dir ();
  memcpy (text, data, size);
  text[size] = '\0';
  for (guint f = 0; f < N_FIELDS && at <= size; f++)
    {
      field[f] = text + at;
      at += strlen (text + at) + 1;
    }
  flags = field[F_FLAGS] != NULL ? (guchar) field[F_FLAGS][0] : 0;

  draft->from_address = g_strdup ("sender@example.org");
  draft->from_name = g_strdup (field[F_FROM_NAME]);
  add_list (draft->to, field[F_TO]);
  add_list (draft->cc, field[F_CC]);
  add_list (draft->bcc, field[F_BCC]);
  draft->subject = g_strdup (field[F_SUBJECT] ? field[F_SUBJECT] : "");
  draft->body = g_strdup (field[F_BODY] ? field[F_BODY] : "");
  draft->markdown = (flags & 1) != 0;
  draft->reply_to = g_strdup (field[F_REPLY_TO]);
  draft->in_reply_to = g_strdup (field[F_IN_REPLY_TO]);
  draft->references = g_strdup (field[F_REFERENCES]);
  if ((flags & 2) != 0)
    draft->message_id = g_strdup (field[F_MESSAGE_ID]);
  if (field[F_ATTACHMENT] != NULL && *field[F_ATTACHMENT] != '\0')
    {
      /* A file of that name (no path: "/" and ".." are the file system's,
       * not the builder's), holding the body's bytes. */
      g_autofree char *name = g_strndup (field[F_ATTACHMENT], 200);

      g_strdelimit (name, "/", '_');
      if (strcmp (name, ".") != 0 && strcmp (name, "..") != 0)
        {
          attachment = g_build_filename (fuzz_dir (), name, NULL);
          if (g_file_set_contents (attachment, draft->body, -1, NULL))
            g_ptr_array_add (draft->attachments, g_strdup (attachment));
          else
            g_clear_pointer (&attachment, g_free);
        }
    }

  outgoing = ep_message_build (draft, NULL, &error);
  if (outgoing != NULL)
    {
      g_assert (outgoing->recipients != NULL && outgoing->recipients[0] != NULL);
      for (guint i = 0; outgoing->recipients[i] != NULL; i++)
        g_assert (strpbrk (outgoing->recipients[i], "\r\n") == NULL);
      check_message (outgoing->data);
      ep_outgoing_unref (outgoing);
    }
  else
    g_assert (error != NULL);
  if (attachment != NULL)
    g_unlink (attachment);
  return 0;
}
