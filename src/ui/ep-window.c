/* ep-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-window.h"

struct _EpWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwStatusPage        *status_page;

  /* owned */
  EpContext            *context;
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (EpWindow, ep_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_status (EpWindow     *self,
               const GError *context_error)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  if (self->context == NULL)
    {
      adw_status_page_set_icon_name (self->status_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->status_page, _("Epistle Cannot Open Its Data"));
      adw_status_page_set_description (self->status_page,
                                       context_error ? context_error->message : NULL);
      return;
    }

  accounts = ep_context_list_accounts (self->context, &error);
  if (accounts == NULL)
    {
      adw_status_page_set_title (self->status_page, _("Epistle Cannot Read Its Accounts"));
      adw_status_page_set_description (self->status_page, error->message);
    }
  else if (accounts->len == 0)
    {
      adw_status_page_set_title (self->status_page, _("Welcome to Epistle"));
      adw_status_page_set_description (self->status_page,
                                       _("No account is set up yet. Composing in this window "
                                         "is not built yet; for now, add an account and send "
                                         "with <tt>epistle-cli</tt>."));
    }
  else
    {
      g_autofree char *description = NULL;

      adw_status_page_set_title (self->status_page, _("Epistle"));
      description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%u account is set up. Composing in this "
                                                  "window is not built yet; send with "
                                                  "<tt>epistle-cli send</tt>.",
                                                  "%u accounts are set up. Composing in this "
                                                  "window is not built yet; send with "
                                                  "<tt>epistle-cli send</tt>.",
                                                  accounts->len),
                                     accounts->len);
      adw_status_page_set_description (self->status_page, description);
    }
}

static void
ep_window_dispose (GObject *object)
{
  EpWindow *self = (EpWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_WINDOW);
  g_clear_object (&self->context);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ep_window_parent_class)->dispose (object);
}

static void
ep_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EpWindow *self = EP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  EpWindow *self = EP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_window_class_init (EpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_window_dispose;
  object_class->get_property = ep_window_get_property;
  object_class->set_property = ep_window_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/window/ep-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EpWindow, status_page);
}

static void
ep_window_init (EpWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

EpWindow *
ep_window_new (EpApplication *application,
               EpContext     *context,
               const GError  *context_error)
{
  EpWindow *self = g_object_new (EP_TYPE_WINDOW,
                                 "application", application,
                                 "context", context,
                                 NULL);

  update_status (self, context_error);

  return self;
}
