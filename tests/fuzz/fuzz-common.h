/* fuzz-common.h: what the fuzz targets share
 *
 * Each target defines LLVMFuzzerTestOneInput () over one parser that reads
 * outside input. Built two ways (meson.build): with libFuzzer and the
 * sanitizers (-Dfuzzing=true, clang), and with replay-main.c in every
 * build, so the committed corpus runs in the ordinary suite.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <epistle-core.h>

#include "../test-tmpdir.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
/* Optional: set-up that must not count against the first input's time. */
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static char *fuzz_scratch;

static inline void
fuzz_cleanup (void)
{
  if (fuzz_scratch != NULL)
    test_remove_tree (fuzz_scratch);
}

/* Once per process: the core, and a scratch directory (removed at exit). */
static inline const char *
fuzz_dir (void)
{
  char *dir = fuzz_scratch;

  if (dir == NULL)
    {
      g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
      /* PBKDF2 at its real cost would make every input take a second. */
      g_setenv ("EPISTLE_TEST_KDF_ITERATIONS", "1000", TRUE);
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      g_log_set_handler (NULL, G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO |
                         G_LOG_LEVEL_DEBUG, g_log_default_handler, NULL);
      ep_core_init ();
      dir = fuzz_scratch = g_dir_make_tmp ("epistle-fuzz-XXXXXX", NULL);
      g_assert (dir != NULL);
      atexit (fuzz_cleanup);
    }
  return dir;
}

/* @data written to a file named @name in the scratch directory. */
static inline char *
fuzz_file (const char    *name,
           const uint8_t *data,
           size_t         size)
{
  char *path = g_build_filename (fuzz_dir (), name, NULL);

  g_assert (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  return path;
}

/* @data as a NUL-terminated string (the parsers take C strings). */
static inline char *
fuzz_text (const uint8_t *data,
           size_t         size)
{
  return g_strndup ((const char *) data, size);
}
