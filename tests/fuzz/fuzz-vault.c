/* fuzz-vault.c: reading a vault file (its header, the scrypt parameters,
 * the authenticated ciphertext); a damaged one must be refused, and never
 * written over
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = fuzz_file ("vault-input", data, size);
  EpVault *vault = ep_vault_new (path);
  char *after = NULL;
  gsize after_len = 0;

  (void) ep_vault_load_sync (vault, "fuzz passphrase", NULL, NULL);
  g_object_unref (vault);
  g_assert (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert (after_len == size && memcmp (after, data, size) == 0);
  g_free (after);
  g_unlink (path);
  return 0;
}
