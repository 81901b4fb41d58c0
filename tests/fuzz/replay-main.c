/* replay-main.c: runs every file of the corpus directories given on the
 * command line through a fuzz target's LLVMFuzzerTestOneInput (), in the
 * ordinary build, so CI catches a regression without a fuzzing build.
 * TAP: one line per directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <glib.h>

#include "fuzz-common.h"

int
main (int    argc,
      char **argv)
{
  int failed = 0;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);
  printf ("1..%d\n", argc - 1);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;
      guint n = 0;

      if (dir == NULL)
        {
          printf ("not ok %d - %s: cannot be read\n", i, argv[i]);
          failed++;
          continue;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          g_autofree char *data = NULL;
          gsize len;

          if (!g_file_get_contents (path, &data, &len, NULL))
            continue;
          LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
          n++;
        }
      /* An empty corpus proves nothing. */
      if (n == 0)
        {
          printf ("not ok %d - %s: no inputs\n", i, argv[i]);
          failed++;
        }
      else
        printf ("ok %d - %s: %u inputs\n", i, argv[i], n);
    }
  return failed ? 1 : 0;
}
