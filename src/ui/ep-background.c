/* ep-background.c: scheduled mail while no window is open
 *
 * The scheduler (core) decides what is due; this object is the desktop
 * side of it: the application stays alive while anything waits, and an
 * autostart entry brings it back, headless (--gapplication-service), at
 * the next login. Inside Flatpak the sandbox cannot write one: the
 * background portal (libportal) is asked instead, for running in the
 * background and for the same command at login, and asked again without
 * autostart when nothing waits any more.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-background"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <libportal/portal.h>

#include "ep-background.h"

struct _EpBackground
{
  GObject       parent_instance;

  GApplication *app;           /* weak: the application owns us */
  EpScheduler  *scheduler;
  EpClock      *clock;
  GSettings    *settings;
  gboolean      holding;
  gboolean      first_scan_hold;
  gboolean      told_running;
  XdpPortal    *portal;          /* inside Flatpak only */
  int           portal_autostart; /* what was last asked: -1 nothing, 0 no, 1 yes */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (EpBackground, ep_background, G_TYPE_OBJECT)

char *
ep_background_autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

static gboolean
in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/* The running program, so an uninstalled build starts itself. */
static char *
own_program (void)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);

  if (self_exe != NULL && g_path_is_absolute (self_exe))
    return g_steal_pointer (&self_exe);
  return g_strdup ("epistle");
}

/* An Exec argument, quoted as the Desktop Entry spec asks (not as a
 * shell would). */
static char *
exec_quote (const char *arg)
{
  GString *out = g_string_new ("\"");

  if (strspn (arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") == strlen (arg))
    {
      g_string_free (out, TRUE);
      return g_strdup (arg);
    }
  for (const char *p = arg; *p != '\0'; p++)
    {
      if (strchr ("\"`$\\", *p) != NULL)
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static void
request_background_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(EpBackground) self = user_data;
  g_autoptr(GError) error = NULL;

  if (xdp_portal_request_background_finish (XDP_PORTAL (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Refused (by the person, or no portal): say what that means, once. */
  g_warning ("The background portal refused: %s", error->message);
  self->portal_autostart = -1;
  if (self->app != NULL)
    {
      g_autoptr(GNotification) notification = g_notification_new (_("Scheduled Mail Needs Epistle Open"));

      g_notification_set_body (notification,
                               _("Epistle may not run in the background or start at login, so "
                                 "scheduled mail goes only while it is open (late mail is sent "
                                 "when it opens). Allow it in Settings, Apps, Epistle."));
      g_application_send_notification (self->app, "background-refused", notification);
    }
}

/* Inside Flatpak: the background portal instead of a file. */
static void
request_background (EpBackground *self,
                    gboolean      wanted)
{
  g_autoptr(GPtrArray) command = NULL;

  if (self->portal_autostart == (wanted ? 1 : 0))
    return;
  if (self->portal == NULL)
    self->portal = xdp_portal_new ();
  self->portal_autostart = wanted ? 1 : 0;

  /* The command inside the sandbox, as the manifest names it. */
  command = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (command, g_strdup ("epistle"));
  g_ptr_array_add (command, g_strdup ("--gapplication-service"));
  xdp_portal_request_background (self->portal, NULL,
                                 (char *) _("To send scheduled mail at its time, also with the window closed"),
                                 command,
                                 wanted ? XDP_BACKGROUND_FLAG_AUTOSTART | XDP_BACKGROUND_FLAG_ACTIVATABLE
                                        : XDP_BACKGROUND_FLAG_NONE,
                                 self->cancellable, request_background_cb, g_object_ref (self));
#ifdef HAVE_XDP_SET_BACKGROUND_STATUS
  {
    guint n = ep_scheduler_get_n_waiting (self->scheduler);
    g_autofree char *status = wanted ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                     "%u item scheduled",
                                                                     "%u items scheduled", n), n)
                                     : NULL;

    xdp_portal_set_background_status (self->portal, status, NULL, NULL, NULL);
  }
#endif
}

static void
update_autostart (EpBackground *self,
                  gboolean      wanted)
{
  g_autofree char *path = ep_background_autostart_path ();
  g_autoptr(GError) error = NULL;

  if (in_flatpak ())
    {
      request_background (self, wanted);
      return;
    }

  if (!wanted)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        g_warning ("Could not remove %s: %s", path, g_strerror (errno));
      return;
    }

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  {
    g_autofree char *dir = g_path_get_dirname (path);
    g_autofree char *program = own_program ();
    g_autofree char *quoted = exec_quote (program);
    g_autoptr(GKeyFile) keys = g_key_file_new ();
    g_autofree char *exec = g_strdup_printf ("%s --gapplication-service", quoted);

    g_key_file_set_string (keys, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_TYPE, "Application");
    g_key_file_set_string (keys, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NAME, "Epistle");
    g_key_file_set_string (keys, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_COMMENT,
                           _("Sends scheduled mail"));
    g_key_file_set_string (keys, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, exec);
    g_key_file_set_string (keys, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_ICON, APP_ID);
    g_key_file_set_boolean (keys, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);
    g_key_file_set_boolean (keys, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", TRUE);

    if (g_mkdir_with_parents (dir, 0700) != 0 ||
        !g_key_file_save_to_file (keys, path, &error))
      g_warning ("Could not write the autostart entry %s: %s", path,
                 error ? error->message : g_strerror (errno));
  }
}

static void
update (EpBackground *self)
{
  gboolean waiting = ep_scheduler_get_n_waiting (self->scheduler) > 0;
  gboolean allowed = g_settings_get_boolean (self->settings, "run-in-background");
  gboolean hold = waiting && allowed;

  if (self->app != NULL && hold != self->holding)
    {
      if (hold)
        g_application_hold (self->app);
      else
        g_application_release (self->app);
    }
  self->holding = hold;
  update_autostart (self, hold);
}

static void
on_started (EpScheduler  *scheduler,
            EpOutboxTask *task,
            gint64        lateness,
            EpBackground *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *late = NULL;
  gint64 now;

  /* On time is no news; its result is (the application says how it went). */
  if (lateness < 60 || self->app == NULL)
    return;

  now = g_get_real_time () / G_USEC_PER_SEC;
  late = ep_schedule_time_describe_lateness (now - lateness, now);
  id = g_strdup_printf ("late-%" G_GINT64_FORMAT, ep_outbox_task_get_id (task));
  title = g_strdup_printf (_("Sending “%s” Late"), ep_outbox_task_get_name (task));
  notification = g_notification_new (title);
  {
    g_autofree char *body =
      g_strdup_printf (_("It was scheduled while Epistle was not running and is sent now, %s."), late);

    g_notification_set_body (notification, body);
  }
  g_application_send_notification (self->app, id, notification);
}

/* Held for the person (the "hold late items" preference). */
static void
on_held (EpScheduler  *scheduler,
         const char   *name,
         gint64        lateness,
         EpBackground *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *late = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (self->app == NULL)
    return;
  late = ep_schedule_time_describe_lateness (now - lateness, now);
  title = g_strdup_printf (_("“%s” Waits for You"), name);
  body = g_strdup_printf (_("It came due while Epistle was not running (%s). Send or reschedule it "
                            "in the Scheduled pane."), late);
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.show-scheduled");
  g_application_send_notification (self->app, "held-late", notification);
}

static void
apply_hold_late (EpBackground *self)
{
  /* Late means a minute or more, as the late notification counts it. */
  ep_scheduler_set_hold_late (self->scheduler,
                              g_settings_get_boolean (self->settings, "hold-late-items") ? 60 : 0);
}

static void
on_first_scan (EpBackground *self)
{
  if (!self->first_scan_hold)
    return;
  self->first_scan_hold = FALSE;
  /* Held from start until the scheduler knew what waits (a headless
   * start would otherwise end before it looked). */
  if (self->app != NULL)
    g_application_release (self->app);
}

static void
on_n_waiting (EpBackground *self)
{
  update (self);
  on_first_scan (self);
}

static void
ep_background_dispose (GObject *object)
{
  EpBackground *self = EP_BACKGROUND (object);

  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->clock);
  g_clear_object (&self->settings);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->portal);
  g_clear_weak_pointer (&self->app);

  G_OBJECT_CLASS (ep_background_parent_class)->dispose (object);
}

static void
ep_background_class_init (EpBackgroundClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ep_background_dispose;
}

static void
ep_background_init (EpBackground *self)
{
  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  self->portal_autostart = -1;
}

static gboolean
first_scan_timeout (gpointer data)
{
  g_autoptr(EpBackground) self = data;

  on_first_scan (self);
  return G_SOURCE_REMOVE;
}

EpBackground *
ep_background_new (GApplication *app,
                   EpOutbox     *outbox)
{
  EpBackground *self;

  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (EP_IS_OUTBOX (outbox), NULL);

  self = g_object_new (EP_TYPE_BACKGROUND, NULL);
  g_set_weak_pointer (&self->app, app);
  self->clock = ep_system_clock_new ();
  self->scheduler = ep_scheduler_new (outbox, self->clock, NULL);

  g_signal_connect_swapped (self->scheduler, "notify::n-waiting", G_CALLBACK (on_n_waiting), self);
  g_signal_connect (self->scheduler, "started", G_CALLBACK (on_started), self);
  g_signal_connect_swapped (self->settings, "changed::run-in-background", G_CALLBACK (update), self);
  g_signal_connect (self->scheduler, "held", G_CALLBACK (on_held), self);
  g_signal_connect_swapped (self->settings, "changed::hold-late-items", G_CALLBACK (apply_hold_late), self);
  apply_hold_late (self);

  /* Until the first scan says (or a few seconds pass, if it says nothing
   * changed: nothing waits). */
  self->first_scan_hold = TRUE;
  g_application_hold (app);
  g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 5, first_scan_timeout, g_object_ref (self), NULL);

  ep_scheduler_start (self->scheduler);

  return self;
}

gboolean
ep_background_is_holding (EpBackground *self)
{
  g_return_val_if_fail (EP_IS_BACKGROUND (self), FALSE);
  return self->holding || self->first_scan_hold;
}

EpScheduler *
ep_background_get_scheduler (EpBackground *self)
{
  g_return_val_if_fail (EP_IS_BACKGROUND (self), NULL);
  return self->scheduler;
}

void
ep_background_window_closed (EpBackground *self)
{
  g_autoptr(GNotification) notification = NULL;
  guint n;
  g_autofree char *body = NULL;
  g_autofree char *when = NULL;

  g_return_if_fail (EP_IS_BACKGROUND (self));

  n = ep_scheduler_get_n_waiting (self->scheduler);
  if (n == 0 || !self->holding || self->told_running || self->app == NULL)
    return;

  /* Once per run: the person learns why Epistle is still there. */
  self->told_running = TRUE;
  if (ep_scheduler_get_next_due (self->scheduler) > 0)
    {
      when = ep_schedule_time_format (ep_scheduler_get_next_due (self->scheduler), NULL);
      body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u scheduled item waits; the next goes at %s.",
                                           "%u scheduled items wait; the next goes at %s.", n),
                              n, when);
    }
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u scheduled item is due and waits for the network.",
                                         "%u scheduled items are due and wait for the network.", n),
                            n);
  notification = g_notification_new (_("Epistle Keeps Running to Send Scheduled Mail"));
  g_notification_set_body (notification, body);
  g_application_send_notification (self->app, "running-in-background", notification);
}
