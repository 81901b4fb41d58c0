/* inbox-list-bench.c: what the message list costs the store
 *
 *   build/tests/inbox-list-bench DB [RUNS]       (default 21 runs)
 *
 * On a synced cache (an epistle.db), for the Inbox folder: the list query
 * alone (ep_store_inbox_list: the ids in display order, what the pane's
 * list model holds), and the list plus one ep_store_inbox_lookup per row
 * (what `epistle-cli inbox list` does; the pane looks rows up only as they
 * scroll into view). Prints the row count, then the median and the
 * min–max of each in milliseconds. Not a test: timings are reported,
 * never asserted (tests/bench/inbox-bench.sh runs it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include <epistle-core.h>

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
report (const char *what,
        GArray     *ms)
{
  g_array_sort (ms, compare_double);
  g_print ("%s\t%.2f\t%.2f\t%.2f\n", what, g_array_index (ms, double, ms->len / 2),
           g_array_index (ms, double, 0), g_array_index (ms, double, ms->len - 1));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpStore) store = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GArray) list_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rows_ms = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 folder_id = 0;
  guint runs = 21, n = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s DB [RUNS]\n", argv[0]);
      return 2;
    }
  if (argc > 2)
    runs = (guint) CLAMP (g_ascii_strtoull (argv[2], NULL, 10), 1, 1000);

  store = ep_store_new (argv[1], &error);
  if (store == NULL || (folders = ep_store_inbox_folders (store, NULL, &error)) == NULL)
    g_error ("%s", error->message);
  for (guint i = 0; i < folders->len; i++)
    {
      EpInboxFolder *f = g_ptr_array_index (folders, i);

      if (g_strcmp0 (f->special_use, "\\Inbox") == 0)
        folder_id = f->id;
    }
  if (folder_id == 0)
    g_error ("No Inbox in %s", argv[1]);

  for (guint r = 0; r < runs; r++)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2;
      g_autoptr(GArray) ids = ep_store_inbox_list (store, folder_id, NULL, &error);
      double ms;

      if (ids == NULL)
        g_error ("%s", error->message);
      t1 = g_get_monotonic_time ();
      for (guint i = 0; i < ids->len; i++)
        {
          EpInboxSummary *s = ep_store_inbox_lookup (store, g_array_index (ids, gint64, i), &error);

          if (s == NULL)
            g_error ("%s", error->message);
          ep_inbox_summary_free (s);
        }
      t2 = g_get_monotonic_time ();
      ms = (t1 - t0) / 1000.0;
      g_array_append_val (list_ms, ms);
      ms = (t2 - t0) / 1000.0;
      g_array_append_val (rows_ms, ms);
      n = ids->len;
    }
  g_print ("rows\t%u\n", n);
  report ("list", list_ms);
  report ("list+lookup", rows_ms);
  return EXIT_SUCCESS;
}
