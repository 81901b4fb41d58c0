/* ep-toast.c: toasts that replace stale ones
 *
 * Each toast host (an AdwToastOverlay, or an AdwPreferencesWindow, which
 * has its own) keeps, per kind, a weak pointer to the toast it shows (in
 * object data keyed by the kind), so the next toast of that kind can
 * dismiss it before it is added.
 *
 * libadwaita before 1.3 frees a toast's record when its hide animation
 * ends but leaves its show animation's "done" handler connected: a toast
 * dismissed while it is still appearing (up to 500 ms after it became the
 * shown one) makes that handler write into freed memory and, more often
 * than not, crash (libadwaita commit 1674ebc9). A toast can become the
 * shown one only when it is added or when another toast goes, so before
 * 1.3 a dismissal waits until both are more than DISMISS_SAFE_MS past; the
 * new toast then queues behind the old one for at most that long.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ep-toast.h"

#define HOST_STATE_KEY "ep-toast-host"
#define GONE_KEY       "ep-toast-gone"

#if !ADW_CHECK_VERSION(1, 3, 0)
/* REPLACE_DURATION in libadwaita 1.2 is 500 ms; a frame's slack on top. */
#define DISMISS_SAFE_MS 650
#define ADDED_AT_KEY "ep-toast-added-at"
#endif

typedef struct
{
  GWeakRef toast;
} Slot;

typedef struct
{
  gint64 last_dismissal_us; /* monotonic time a toast on this host last went */
} HostState;

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  g_weak_ref_clear (&slot->toast);
  g_free (slot);
}

/* The overlay or preferences window whose toasts @inside shows. */
static GtkWidget *
find_host (GtkWidget *inside)
{
  GtkWidget *overlay;

  if (inside == NULL)
    return NULL;
  if (ADW_IS_TOAST_OVERLAY (inside) || ADW_IS_PREFERENCES_WINDOW (inside))
    return inside;
  overlay = gtk_widget_get_ancestor (inside, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    return overlay;
  return gtk_widget_get_ancestor (inside, ADW_TYPE_PREFERENCES_WINDOW);
}

static HostState *
host_state (GtkWidget *host)
{
  HostState *state = g_object_get_data (G_OBJECT (host), HOST_STATE_KEY);

  if (state == NULL)
    {
      state = g_new0 (HostState, 1);
      g_object_set_data_full (G_OBJECT (host), HOST_STATE_KEY, state, g_free);
    }
  return state;
}

static Slot *
slot_for (GtkWidget  *host,
          const char *kind,
          gboolean    create)
{
  g_autofree char *key = g_strconcat ("ep-toast-", kind, NULL);
  Slot *slot = g_object_get_data (G_OBJECT (host), key);

  if (slot == NULL && create)
    {
      slot = g_new0 (Slot, 1);
      g_weak_ref_init (&slot->toast, NULL);
      g_object_set_data_full (G_OBJECT (host), key, slot, slot_free);
    }

  return slot;
}

#if !ADW_CHECK_VERSION(1, 3, 0)
typedef struct
{
  GWeakRef  host;
  AdwToast *toast;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_weak_ref_clear (&pending->host);
  g_object_unref (pending->toast);
  g_free (pending);
}

static void dismiss_when_safe (GtkWidget *host,
                               AdwToast  *toast);

static gboolean
pending_cb (gpointer data)
{
  Pending *pending = data;
  g_autoptr (GtkWidget) host = g_weak_ref_get (&pending->host);

  if (host != NULL)
    dismiss_when_safe (host, pending->toast);
  return G_SOURCE_REMOVE;
}

static void
dismiss_when_safe (GtkWidget *host,
                   AdwToast  *toast)
{
  gint64 *added_at = g_object_get_data (G_OBJECT (toast), ADDED_AT_KEY);
  gint64 since = MAX (added_at != NULL ? *added_at : 0, host_state (host)->last_dismissal_us);
  gint64 wait_ms = (since + DISMISS_SAFE_MS * G_TIME_SPAN_MILLISECOND - g_get_monotonic_time ())
                   / G_TIME_SPAN_MILLISECOND;
  Pending *pending;

  if (g_object_get_data (G_OBJECT (toast), GONE_KEY) != NULL)
    return; /* already gone */
  if (wait_ms <= 0)
    {
      adw_toast_dismiss (toast);
      return;
    }

  pending = g_new0 (Pending, 1);
  g_weak_ref_init (&pending->host, host);
  pending->toast = g_object_ref (toast);
  g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) wait_ms + 1, pending_cb, pending, pending_free);
}
#endif

static void
on_toast_dismissed (AdwToast  *toast,
                    HostState *state)
{
  /* Another toast may become the shown one now. */
  state->last_dismissal_us = g_get_monotonic_time ();
  g_object_set_data (G_OBJECT (toast), GONE_KEY, GINT_TO_POINTER (TRUE));
}

void
ep_toast_dismiss (GtkWidget  *inside,
                  const char *kind)
{
  GtkWidget *host = find_host (inside);
  Slot *slot;
  AdwToast *old;

  g_return_if_fail (kind != NULL);

  if (host == NULL || (slot = slot_for (host, kind, FALSE)) == NULL)
    return;

  old = g_weak_ref_get (&slot->toast);
  g_weak_ref_set (&slot->toast, NULL);
  if (old != NULL)
    {
#if ADW_CHECK_VERSION(1, 3, 0)
      adw_toast_dismiss (old);
#else
      dismiss_when_safe (host, old);
#endif
      g_object_unref (old);
    }
}

AdwToast *
ep_toast_show (GtkWidget  *inside,
               const char *kind,
               AdwToast   *toast)
{
  GtkWidget *host = find_host (inside);

  g_return_val_if_fail (ADW_IS_TOAST (toast), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  if (host == NULL)
    {
      g_object_unref (toast);
      return NULL;
    }

  ep_toast_dismiss (host, kind);
  g_weak_ref_set (&slot_for (host, kind, TRUE)->toast, toast);
  /* The host outlives its toasts: it unrefs them when it is disposed. */
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_toast_dismissed), host_state (host));
#if !ADW_CHECK_VERSION(1, 3, 0)
  {
    gint64 *added_at = g_new (gint64, 1);

    *added_at = g_get_monotonic_time ();
    g_object_set_data_full (G_OBJECT (toast), ADDED_AT_KEY, added_at, g_free);
  }
#endif
  if (ADW_IS_PREFERENCES_WINDOW (host))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (host), toast);
  else
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (host), toast);

  return toast;
}

AdwToast *
ep_toast_show_text (GtkWidget  *inside,
                    const char *kind,
                    const char *text)
{
  return ep_toast_show (inside, kind, adw_toast_new (text));
}
