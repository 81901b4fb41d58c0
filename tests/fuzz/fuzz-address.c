/* fuzz-address.c: the address list parser (every To/Cc/Bcc of every merge
 * row goes through it)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = fuzz_text (data, size);
  GPtrArray *list;

  (void) fuzz_dir ();
  list = ep_address_list_parse (text, NULL);
  if (list != NULL)
    g_ptr_array_unref (list);
  (void) ep_address_validate (text, NULL);
  return 0;
}
