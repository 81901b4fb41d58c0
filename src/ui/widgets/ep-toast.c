/* ep-toast.c: toasts that replace stale ones
 *
 * Each toast overlay keeps, per kind, a weak pointer to the toast it shows
 * (in object data keyed by the kind), so the next toast of that kind can
 * dismiss it before it is added.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ep-toast.h"

typedef struct
{
  GWeakRef toast;
} Slot;

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  g_weak_ref_clear (&slot->toast);
  g_free (slot);
}

static GtkWidget *
find_overlay (GtkWidget *inside)
{
  if (inside == NULL)
    return NULL;
  if (ADW_IS_TOAST_OVERLAY (inside))
    return inside;
  return gtk_widget_get_ancestor (inside, ADW_TYPE_TOAST_OVERLAY);
}

static Slot *
slot_for (GtkWidget  *overlay,
          const char *kind,
          gboolean    create)
{
  g_autofree char *key = g_strconcat ("ep-toast-", kind, NULL);
  Slot *slot = g_object_get_data (G_OBJECT (overlay), key);

  if (slot == NULL && create)
    {
      slot = g_new0 (Slot, 1);
      g_weak_ref_init (&slot->toast, NULL);
      g_object_set_data_full (G_OBJECT (overlay), key, slot, slot_free);
    }

  return slot;
}

void
ep_toast_dismiss (GtkWidget  *inside,
                  const char *kind)
{
  GtkWidget *overlay = find_overlay (inside);
  Slot *slot;
  AdwToast *old;

  g_return_if_fail (kind != NULL);

  if (overlay == NULL || (slot = slot_for (overlay, kind, FALSE)) == NULL)
    return;

  old = g_weak_ref_get (&slot->toast);
  g_weak_ref_set (&slot->toast, NULL);
  if (old != NULL)
    {
      adw_toast_dismiss (old);
      g_object_unref (old);
    }
}

AdwToast *
ep_toast_show (GtkWidget  *inside,
               const char *kind,
               AdwToast   *toast)
{
  GtkWidget *overlay = find_overlay (inside);

  g_return_val_if_fail (ADW_IS_TOAST (toast), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  if (overlay == NULL)
    {
      g_object_unref (toast);
      return NULL;
    }

  ep_toast_dismiss (overlay, kind);
  g_weak_ref_set (&slot_for (overlay, kind, TRUE)->toast, toast);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);

  return toast;
}

AdwToast *
ep_toast_show_text (GtkWidget  *inside,
                    const char *kind,
                    const char *text)
{
  return ep_toast_show (inside, kind, adw_toast_new (text));
}
