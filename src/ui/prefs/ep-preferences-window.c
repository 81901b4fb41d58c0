#include "config.h"

#include "ep-preferences-window.h"

struct _EpPreferencesWindow { AdwPreferencesWindow parent_instance; };

G_DEFINE_FINAL_TYPE (EpPreferencesWindow, ep_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void ep_preferences_window_class_init (EpPreferencesWindowClass *klass) { }
static void ep_preferences_window_init (EpPreferencesWindow *self) { }

EpPreferencesWindow *
ep_preferences_window_new (GtkWindow *parent,
                           EpContext *context)
{
  return g_object_new (EP_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}
