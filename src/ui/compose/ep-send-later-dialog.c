/* ep-send-later-dialog.c: choosing when a message (or a scheduled item) goes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-send-later-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <epistle-core.h>

#include "ep-send-later-dialog.h"

struct _EpSendLaterDialog
{
  AdwWindow       parent_instance;

  GtkCalendar    *calendar;
  GtkSpinButton  *hour_spin;
  GtkSpinButton  *minute_spin;
  GtkLabel       *summary_label;
  GtkButton      *schedule_button;

  gint64          chosen;   /* 0 while the fields say no valid time */
};

G_DEFINE_FINAL_TYPE (EpSendLaterDialog, ep_send_later_dialog, ADW_TYPE_WINDOW)

enum {
  CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The fields as a time: refuses one that does not exist or is ambiguous
 * in the local zone, or that is past. */
static void
on_changed_cb (EpSendLaterDialog *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  g_autoptr(GError) error = NULL;
  gint64 when = 0;

  self->chosen = 0;
  if (!ep_schedule_time_from_local (zone, g_date_time_get_year (day), g_date_time_get_month (day),
                                    g_date_time_get_day_of_month (day),
                                    gtk_spin_button_get_value_as_int (self->hour_spin),
                                    gtk_spin_button_get_value_as_int (self->minute_spin),
                                    &when, &error))
    {
      gtk_label_set_text (self->summary_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "error");
    }
  else if (when <= g_get_real_time () / G_USEC_PER_SEC)
    {
      gtk_label_set_text (self->summary_label, _("This time has passed. Choose a later one."));
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "error");
    }
  else
    {
      g_autofree char *text = ep_schedule_time_format (when, zone);
      g_autofree char *line = g_strdup_printf (_("Goes at %s, even with the window closed."), text);

      gtk_label_set_text (self->summary_label, line);
      gtk_widget_remove_css_class (GTK_WIDGET (self->summary_label), "error");
      self->chosen = when;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->schedule_button), self->chosen > 0);
}

static gboolean
on_spin_output_cb (GtkSpinButton *spin,
                   gpointer       user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
set_fields (EpSendLaterDialog *self,
            GDateTime         *local)
{
  gtk_calendar_select_day (self->calendar, local);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (local));
  gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (local));
  on_changed_cb (self);
}

/* Today's date plus @days, at @hour:00 local time. */
static void
set_day_at (EpSendLaterDialog *self,
            int                days,
            int                hour)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) day = g_date_time_add_days (now, days);
  g_autoptr(GDateTime) at = g_date_time_new_local (g_date_time_get_year (day),
                                                   g_date_time_get_month (day),
                                                   g_date_time_get_day_of_month (day), hour, 0, 0);

  if (at != NULL)
    set_fields (self, at);
}

static void
on_tomorrow_activated_cb (EpSendLaterDialog *self)
{
  set_day_at (self, 1, 8);
}

static void
on_monday_activated_cb (EpSendLaterDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  int weekday = g_date_time_get_day_of_week (now); /* 1 = Monday */

  /* The coming Monday; next week's when today is Monday. */
  set_day_at (self, 8 - weekday, 9);
}

static void
on_schedule_clicked_cb (EpSendLaterDialog *self)
{
  on_changed_cb (self);
  if (self->chosen == 0)
    return;
  g_signal_emit (self, signals[CHOSEN], 0, self->chosen);
  gtk_window_close (GTK_WINDOW (self));
}

static void
ep_send_later_dialog_class_init (EpSendLaterDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_PATH "/ui/compose/ep-send-later-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EpSendLaterDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, EpSendLaterDialog, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, EpSendLaterDialog, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, EpSendLaterDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, EpSendLaterDialog, schedule_button);
  gtk_widget_class_bind_template_callback (widget_class, on_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_spin_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_tomorrow_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_monday_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_schedule_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  signals[CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
ep_send_later_dialog_init (EpSendLaterDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

EpSendLaterDialog *
ep_send_later_dialog_new (GtkWindow  *parent,
                          const char *action_label,
                          gint64      initial)
{
  EpSendLaterDialog *self = g_object_new (EP_TYPE_SEND_LATER_DIALOG,
                                          "transient-for", parent, NULL);
  g_autoptr(GDateTime) start = NULL;

  if (action_label != NULL)
    gtk_button_set_label (self->schedule_button, action_label);

  if (initial > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (initial);

      start = g_date_time_to_local (utc);
    }
  else
    {
      /* The next full hour. */
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) hour = g_date_time_add_full (now, 0, 0, 0, 1,
                                                        -g_date_time_get_minute (now),
                                                        -g_date_time_get_seconds (now));

      start = g_date_time_ref (hour);
    }
  set_fields (self, start);

  return self;
}
