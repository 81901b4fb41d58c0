/* ep-log-window.c: shows the context's protocol log (already redacted at
 * the source: see ep-curl.c), refreshed while open, copyable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-log-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-log-window.h"
#include "widgets/ep-toast.h"

struct _EpLogWindow
{
  AdwWindow        parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkTextView     *text_view;

  EpProtocolLog   *log;
  guint            refresh_source;
  guint            last_n_lines;
};

G_DEFINE_FINAL_TYPE (EpLogWindow, ep_log_window, ADW_TYPE_WINDOW)

static void
refresh (EpLogWindow *self,
         gboolean     force)
{
  g_autofree char *text = NULL;
  guint n = ep_protocol_log_get_n_lines (self->log);

  if (!force && n == self->last_n_lines)
    return;

  self->last_n_lines = n;
  text = ep_protocol_log_dup_text (self->log);
  if (*text == '\0')
    {
      g_free (text);
      text = g_strdup (_("Nothing yet. Send a message or test an account to see the dialogue here."));
    }
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
    GtkTextIter end;

    gtk_text_buffer_set_text (buffer, text, -1);
    /* Newest lines at the bottom, in view. */
    gtk_text_buffer_get_end_iter (buffer, &end);
    gtk_text_buffer_place_cursor (buffer, &end);
    gtk_text_view_scroll_to_mark (self->text_view, gtk_text_buffer_get_insert (buffer),
                                  0.0, FALSE, 0.0, 1.0);
  }
}

static gboolean
refresh_cb (gpointer user_data)
{
  refresh (user_data, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
log_copy_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  EpLogWindow *self = EP_LOG_WINDOW (widget);
  g_autofree char *text = ep_protocol_log_dup_text (self->log);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  ep_toast_show_text (GTK_WIDGET (self->toast_overlay), "log", _("Log copied"));
}

static void
log_clear_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EpLogWindow *self = EP_LOG_WINDOW (widget);

  ep_protocol_log_clear (self->log);
  refresh (self, TRUE);
}

static void
ep_log_window_dispose (GObject *object)
{
  EpLogWindow *self = (EpLogWindow *)object;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_LOG_WINDOW);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (ep_log_window_parent_class)->dispose (object);
}

static void
ep_log_window_class_init (EpLogWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_log_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ep-log-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EpLogWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EpLogWindow, text_view);

  gtk_widget_class_install_action (widget_class, "log.copy", NULL, log_copy_action);
  gtk_widget_class_install_action (widget_class, "log.clear", NULL, log_clear_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ep_log_window_init (EpLogWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

EpLogWindow *
ep_log_window_new (GtkWindow     *parent,
                   EpProtocolLog *log)
{
  EpLogWindow *self = g_object_new (EP_TYPE_LOG_WINDOW, "transient-for", parent, NULL);

  self->log = g_object_ref (log);
  refresh (self, TRUE);
  /* The log is in memory; polling it once a second is cheap and keeps
   * workers from having to signal the UI. */
  self->refresh_source = g_timeout_add_seconds (1, refresh_cb, self);

  return self;
}
