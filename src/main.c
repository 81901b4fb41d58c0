/* main.c: the epistle GUI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <glib/gi18n.h>

#include "ui/ep-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(EpApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Before any thread: libcurl's global state, and no SIGPIPE on a
   * connection the server closed. */
  signal (SIGPIPE, SIG_IGN);
  ep_core_init ();

  g_set_application_name (_("Epistle"));

  app = ep_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);

  g_clear_object (&app);
  ep_core_shutdown ();

  return status;
}
