/* claim-bench.c: what the journal costs per message as a campaign grows
 *
 *   build/tests/claim-bench [ROWS...]     (default 2000 10000 100000)
 *
 * For each size: a campaign of ROWS recipients in a fresh WAL store on
 * disk, all but the last 1,000 claimed and recorded as sent; then the
 * last 1,000 are claimed and recorded one by one, as a worker does, and
 * the median and the 10th–90th percentile of one claim + one outcome are
 * printed in microseconds (us). Flat across sizes means constant time per
 * message. Not a test: timings are reported, never asserted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include <epistle-core.h>

#include "../test-tmpdir.h"

#define TIMED 1000

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
bench (guint rows)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ep-claim-bench-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "epistle.db", NULL);
  g_autoptr(EpStore) store = ep_store_new (path, &error);
  g_autoptr(EpCampaignInfo) create = ep_campaign_info_new ();
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_store_recipient_free);
  g_autoptr(GArray) took = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *columns[] = { "Email", "Name", NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 id;

  if (store == NULL)
    g_error ("%s", error->message);
  create->account_uid = g_strdup ("bench");
  create->name = g_strdup ("bench.csv");
  create->template_text = g_strdup ("To: {{ Email }}\n\nHi {{ Name }}");
  create->columns = g_strdupv ((char **) columns);
  for (guint i = 0; i < rows; i++)
    {
      EpStoreRecipient *r = g_new0 (EpStoreRecipient, 1);
      g_autofree char *address = g_strdup_printf ("r%u@example.org", i);
      const char *values[] = { address, "Zoë Ångström", NULL };

      r->row_number = i + 2;
      r->address = g_strdup (address);
      r->values = g_strdupv ((char **) values);
      r->message_id = g_strdup_printf ("m%u@example.org", i);
      g_ptr_array_add (recipients, r);
    }
  id = ep_store_campaign_insert (store, create, recipients, &error);
  if (id == 0)
    g_error ("%s", error->message);

  for (guint i = 0; i < rows; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(EpStoreRecipient) r = ep_store_recipient_claim (store, id, now, NULL, &error);

      if (r == NULL || !ep_store_recipient_update (store, id, r->row_number, EP_RECIPIENT_SENT, 250,
                                                   "2.0.0 Ok", 0, &error))
        g_error ("row %u: %s", i, error ? error->message : "nothing to claim");
      if (i >= rows - MIN (rows, TIMED))
        {
          gint64 t = g_get_monotonic_time () - start;

          g_array_append_val (took, t);
        }
    }
  g_array_sort (took, compare_gint64);
  g_print ("%7u rows: claim + outcome median %4" G_GINT64_FORMAT " us (p10 %" G_GINT64_FORMAT
           ", p90 %" G_GINT64_FORMAT ") over the last %u\n", rows,
           g_array_index (took, gint64, took->len / 2), g_array_index (took, gint64, took->len / 10),
           g_array_index (took, gint64, took->len * 9 / 10), took->len);

  g_clear_object (&store);
  test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc < 2)
    {
      bench (2000);
      bench (10000);
      bench (100000);
    }
  for (int i = 1; i < argc; i++)
    bench ((guint) strtoul (argv[i], NULL, 10));
  return 0;
}
