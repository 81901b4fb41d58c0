/* fuzz-smime.c: opening S/MIME mail (signed, enveloped, authenveloped)
 * with a vault that holds one identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"

static EpVault *vault;

/* The identity (an RSA key) once, outside any input's time. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *path = g_build_filename (fuzz_dir (), "vault", NULL);
  EpCertInfo *info;

  vault = ep_vault_new (path);
  g_assert (ep_vault_load_sync (vault, "fuzz passphrase", NULL, NULL));
  info = ep_vault_create_identity (vault, "Fuzz Reader", "reader@example.test", NULL);
  g_assert (info != NULL);
  ep_cert_info_free (info);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) message = g_bytes_new (data, size);
  EpSmimeVerdict *verdict;

  /* Not collected: the vault stays as it is between inputs. */
  verdict = ep_smime_open (vault, message, FALSE, NULL);
  ep_smime_verdict_free (verdict);
  return 0;
}
