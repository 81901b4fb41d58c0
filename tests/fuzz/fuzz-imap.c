/* fuzz-imap.c: the IMAP response parser (every byte an IMAP server sends
 * goes through it), with the FETCH and LIST views on every response
 *
 * The first byte picks where the rest is split in two feeds, so splits
 * inside literals and literal headers are explored too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"

static void
drain (EpImapParser *parser)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EpImapResponse) response = ep_imap_parser_next (parser, &error);
      g_autoptr(EpImapFetch) fetch = NULL;
      g_autoptr(EpImapMailbox) mailbox = NULL;

      if (response == NULL)
        return;
      fetch = ep_imap_fetch_parse (response, NULL);
      mailbox = ep_imap_mailbox_parse (response, NULL);
      if (response->data != NULL)
        for (guint i = 0; i < ep_imap_value_n_items (response->data); i++)
          {
            const char *s = ep_imap_value_string (ep_imap_value_item (response->data, i));

            if (s != NULL)
              {
                GArray *uids = ep_imap_parse_uid_set (s, 100, 1000, NULL);
                g_autofree char *decoded = ep_imap_utf7_decode (s);

                if (uids != NULL)
                  g_array_unref (uids);
                if (decoded != NULL)
                  {
                    /* Decoding then encoding gives a name that decodes the same. */
                    g_autofree char *encoded = ep_imap_utf7_encode (decoded);
                    g_autofree char *again = ep_imap_utf7_decode (encoded);

                    g_assert_cmpstr (again, ==, decoded);
                  }
              }
          }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(EpImapParser) parser = NULL;
  size_t split;

  (void) fuzz_dir ();
  if (size == 0)
    return 0;
  split = size > 1 ? data[0] % size : 0;
  data++;
  size--;
  split = MIN (split, size);
  parser = ep_imap_parser_new (64 * 1024, 8 * 1024);
  ep_imap_parser_feed (parser, data, split);
  drain (parser);
  ep_imap_parser_feed (parser, data + split, size - split);
  drain (parser);
  return 0;
}
