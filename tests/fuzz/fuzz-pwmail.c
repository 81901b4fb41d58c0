/* fuzz-pwmail.c: opening a password-protected message (MIME parsing with
 * GMime, the CMS structure, the PBKDF2 parameters) with a fixed password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) message = g_bytes_new (data, size);
  g_autoptr(GBytes) opened = NULL;

  (void) fuzz_dir ();
  if (ep_pwmail_is_protected (message))
    opened = ep_pwmail_open (message, "Kastanie-Wolke-7-Fähre", NULL, NULL);
  return 0;
}
