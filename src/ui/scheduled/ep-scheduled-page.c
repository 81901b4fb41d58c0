/* ep-scheduled-page.c: the Scheduled pane
 *
 * One row per entry that waits for its time (soonest first), and below the
 * scheduled entries that went lately, with when they went and how late.
 * The list is read off the main thread and read again whenever the outbox
 * says its scheduled entries changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-scheduled-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-scheduled-page.h"
#include "compose/ep-send-later-dialog.h"
#include "widgets/ep-toast.h"

#define RECENT_MAX 10

struct _EpScheduledPage
{
  GtkWidget             parent_instance;

  GtkStack             *stack;
  AdwPreferencesGroup  *waiting_group;
  AdwPreferencesGroup  *sent_group;
  GtkLabel             *nothing_waiting_label;

  EpContext            *context;
  GPtrArray            *accounts;      /* EpAccount */
  GPtrArray            *rows;          /* GtkWidget: in either group */
  GCancellable         *cancellable;
  gboolean              reload_again;
  gboolean              loading;
};

G_DEFINE_FINAL_TYPE (EpScheduledPage, ep_scheduled_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  EDIT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
account_name (EpScheduledPage *self,
              const char      *uid)
{
  for (guint i = 0; self->accounts != NULL && i < self->accounts->len; i++)
    {
      EpAccount *account = g_ptr_array_index (self->accounts, i);

      if (g_strcmp0 (ep_account_get_uid (account), uid) == 0)
        return ep_account_get_name (account);
    }
  return _("an account that was removed");
}

static void
toast (EpScheduledPage *self,
       const char      *text)
{
  ep_toast_show_text (GTK_WIDGET (self), "scheduled", text);
}

/* ---- actions on one item ------------------------------------------------- */

static gint64
row_id (GtkWidget *row)
{
  return GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "ep-entry-id"));
}

static void
reschedule_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EpScheduledPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ep_outbox_reschedule_finish (EP_OUTBOX (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  /* The outbox's "changed" reloads the list. */
}

static void
on_edit_clicked (GtkButton       *button,
                 EpScheduledPage *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "ep-row");

  /* The window decides: Compose must be free to take it. */
  g_signal_emit (self, signals[EDIT_REQUESTED], 0, row_id (row));
}

static void
on_send_now_clicked (GtkButton       *button,
                     EpScheduledPage *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "ep-row");

  /* Due now: the scheduler starts it, through the journal like any other. */
  ep_outbox_reschedule_async (ep_context_get_outbox (self->context), row_id (row),
                              g_get_real_time () / G_USEC_PER_SEC, self->cancellable,
                              reschedule_cb, g_object_ref (self));
}

static void
on_rescheduled (EpSendLaterDialog *dialog,
                gint64             when,
                EpScheduledPage   *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "ep-entry-id"));

  ep_outbox_reschedule_async (ep_context_get_outbox (self->context), id, when, self->cancellable,
                              reschedule_cb, g_object_ref (self));
}

static void
on_reschedule_clicked (GtkButton       *button,
                       EpScheduledPage *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "ep-row");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  gint64 when = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "ep-entry-time"));
  EpSendLaterDialog *dialog = ep_send_later_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                        _("_Reschedule"), when);

  gtk_window_set_title (GTK_WINDOW (dialog), _("Reschedule"));
  g_object_set_data (G_OBJECT (dialog), "ep-entry-id", GSIZE_TO_POINTER (row_id (row)));
  g_signal_connect_object (dialog, "chosen", G_CALLBACK (on_rescheduled), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
weak_ref_free (gpointer data,
               GClosure *closure)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* The task is held until it is done, whether or not the page still is. */
static void
on_cancel_task_finished (EpOutboxTask *task,
                         GWeakRef     *page_ref)
{
  g_autoptr(EpScheduledPage) self = g_weak_ref_get (page_ref);
  g_autofree char *text = NULL;

  if (ep_outbox_task_get_error (task) != NULL)
    text = g_strdup (ep_outbox_task_get_error (task)->message);
  else if (ep_outbox_task_get_progress (task)->sent > 0)
    /* A spread campaign may have sent its first days already. */
    text = g_strdup_printf (_("“%s” was cancelled; %u of %u had been sent"), ep_outbox_task_get_name (task),
                            ep_outbox_task_get_progress (task)->sent, ep_outbox_task_get_progress (task)->total);
  else
    text = g_strdup_printf (_("“%s” was cancelled; nothing was sent"), ep_outbox_task_get_name (task));
  if (self != NULL)
    toast (self, text);
  g_signal_handlers_disconnect_by_func (task, on_cancel_task_finished, page_ref);
  g_object_unref (task);
}

static void
on_cancel_response (AdwMessageDialog *dialog,
                    const char       *response,
                    EpScheduledPage  *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "ep-entry-id"));
  g_autoptr(GError) error = NULL;
  EpOutboxTask *task;

  if (!g_str_equal (response, "cancel"))
    return;

  task = ep_outbox_open_task (ep_context_get_outbox (self->context), id, &error);
  if (task == NULL)
    {
      toast (self, error->message);
      return;
    }
  /* A message leaves the outbox; a campaign is marked cancelled. The
   * reference is dropped when it is done. */
  {
    GWeakRef *page_ref = g_new0 (GWeakRef, 1);

    g_weak_ref_init (page_ref, self);
    g_signal_connect_data (task, "finished", G_CALLBACK (on_cancel_task_finished), page_ref,
                           weak_ref_free, 0);
  }
  ep_outbox_task_cancel (task);
}

static void
on_cancel_clicked (GtkButton       *button,
                   EpScheduledPage *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "ep-row");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *heading = g_strdup_printf (_("Cancel “%s”?"),
                                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                            _("It will not be sent.")));

  adw_message_dialog_add_responses (dialog, "keep", _("_Keep"), "cancel", _("_Cancel Sending"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "cancel", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_object_set_data (G_OBJECT (dialog), "ep-entry-id", GSIZE_TO_POINTER (row_id (row)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- the list ------------------------------------------------------------ */

/* @label (consumed): the accessible name, which says which item. */
static GtkWidget *
row_button (GtkWidget       *row,
            const char      *icon,
            const char      *tooltip,
            char            *label,
            GCallback        callback,
            EpScheduledPage *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data (G_OBJECT (button), "ep-row", row);
  g_signal_connect_object (button, "clicked", callback, self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_free (label);
  return button;
}

static const char *
entry_title (const EpCampaignInfo *info)
{
  return info->name != NULL && info->name[0] != '\0' ? info->name : _("(no subject)");
}

static GtkWidget *
waiting_row (EpScheduledPage      *self,
             const EpCampaignInfo *info)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *when = ep_schedule_time_format (info->not_before, NULL);
  guint open = ep_campaign_info_open (info);
  g_autofree char *count = open == info->total
                           ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u recipient",
                                                           "%u recipients", open), open)
                           : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u recipient left",
                                                           "%u of %u recipients left", info->total),
                                              open, info->total);
  g_autofree char *subtitle = NULL;
  const char *title = entry_title (info);

  if (info->state == EP_CAMPAIGN_PAUSED)
    subtitle = g_strdup_printf (_("Not sent (was due %s): %s"), when,
                                info->reason ? info->reason : _("it was paused"));
  else if (info->spread)
    {
      g_autofree char *window = ep_send_window_describe (&info->window);

      /* TRANSLATORS: time · account · recipients · "at most 50 a day, weekdays, 08:00–18:00" */
      subtitle = g_strdup_printf (_("%s · %s · %s · at most %u a day, %s"), when,
                                  account_name (self, info->account_uid), count,
                                  info->daily_limit, window);
    }
  else
    subtitle = g_strdup_printf ("%s · %s · %s", when, account_name (self, info->account_uid), count);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (info->kind == EP_CAMPAIGN_KIND_MESSAGE
                                                           ? "mail-unread-symbolic"
                                                           : "x-office-spreadsheet-symbolic"));
  g_object_set_data (G_OBJECT (row), "ep-entry-id", GSIZE_TO_POINTER ((gsize) info->id));
  g_object_set_data (G_OBJECT (row), "ep-entry-time", GSIZE_TO_POINTER ((gsize) info->not_before));

  if (info->kind == EP_CAMPAIGN_KIND_MESSAGE)
    row_button (row, "document-edit-symbolic", _("Edit in Compose"),
                g_strdup_printf (_("Edit “%s”"), title), G_CALLBACK (on_edit_clicked), self);
  row_button (row, "mail-send-symbolic", _("Send Now"),
              g_strdup_printf (_("Send “%s” Now"), title), G_CALLBACK (on_send_now_clicked), self);
  row_button (row, "alarm-symbolic", _("Reschedule"),
              g_strdup_printf (_("Reschedule “%s”"), title), G_CALLBACK (on_reschedule_clicked), self);
  row_button (row, "user-trash-symbolic", _("Cancel"),
              g_strdup_printf (_("Cancel “%s”"), title), G_CALLBACK (on_cancel_clicked), self);
  return row;
}

static GtkWidget *
sent_row (EpScheduledPage      *self,
          const EpCampaignInfo *info)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *when = ep_schedule_time_format (info->started_at, NULL);
  g_autofree char *late = ep_schedule_time_describe_lateness (info->not_before, info->started_at);
  g_autofree char *subtitle = NULL;

  if (info->state == EP_CAMPAIGN_CANCELLED)
    subtitle = g_strdup_printf (_("Cancelled · started %s"), when);
  else
    subtitle = g_strdup_printf (_("Sent %s · %s · %u of %u delivered"), when, late,
                                info->counts[EP_RECIPIENT_SENT], info->total);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry_title (info));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static int
by_start_newest (gconstpointer a,
                 gconstpointer b)
{
  const EpCampaignInfo *x = *(const EpCampaignInfo * const *) a;
  const EpCampaignInfo *y = *(const EpCampaignInfo * const *) b;

  return (x->started_at < y->started_at) - (x->started_at > y->started_at);
}

static void
clear_rows (EpScheduledPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EpScheduledPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = ep_outbox_list_campaigns_finish (EP_OUTBOX (object), result, &error);
  g_autoptr(GPtrArray) waiting = g_ptr_array_new ();
  g_autoptr(GPtrArray) sent = g_ptr_array_new ();

  self->loading = FALSE;
  if (all == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  if (self->reload_again)
    {
      self->reload_again = FALSE;
      ep_scheduled_page_reload (self);
      return;
    }

  for (guint i = 0; i < all->len; i++)
    {
      const EpCampaignInfo *info = g_ptr_array_index (all, i);

      if (info->not_before == 0 || !info->scheduled)
        continue;
      /* Waiting, or held back because it could not go (it says why). */
      if (ep_campaign_info_is_waiting (info))
        g_ptr_array_add (waiting, (gpointer) info);
      else if (info->started_at > 0)
        g_ptr_array_add (sent, (gpointer) info);
    }
  g_ptr_array_sort (waiting, ep_campaign_info_compare_time);
  g_ptr_array_sort (sent, by_start_newest);

  clear_rows (self);
  for (guint i = 0; i < waiting->len; i++)
    {
      GtkWidget *row = waiting_row (self, g_ptr_array_index (waiting, i));

      adw_preferences_group_add (self->waiting_group, row);
      g_ptr_array_add (self->rows, row);
    }
  for (guint i = 0; i < MIN (sent->len, RECENT_MAX); i++)
    {
      GtkWidget *row = sent_row (self, g_ptr_array_index (sent, i));

      adw_preferences_group_add (self->sent_group, row);
      g_ptr_array_add (self->rows, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->waiting_group), waiting->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->nothing_waiting_label), waiting->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->sent_group), sent->len > 0);
  gtk_stack_set_visible_child_name (self->stack, waiting->len + sent->len > 0 ? "list" : "empty");
}

void
ep_scheduled_page_reload (EpScheduledPage *self)
{
  g_return_if_fail (EP_IS_SCHEDULED_PAGE (self));

  if (self->context == NULL)
    return;
  if (self->loading)
    {
      self->reload_again = TRUE;
      return;
    }
  self->loading = TRUE;
  ep_outbox_list_timed_async (ep_context_get_outbox (self->context), self->cancellable,
                              list_cb, g_object_ref (self));
}

void
ep_scheduled_page_set_accounts (EpScheduledPage *self,
                                GPtrArray       *accounts)
{
  g_return_if_fail (EP_IS_SCHEDULED_PAGE (self));

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  if (accounts != NULL)
    self->accounts = g_ptr_array_ref (accounts);
  ep_scheduled_page_reload (self);
}

/* ---- GObject ------------------------------------------------------------- */

static void
ep_scheduled_page_constructed (GObject *object)
{
  EpScheduledPage *self = EP_SCHEDULED_PAGE (object);

  G_OBJECT_CLASS (ep_scheduled_page_parent_class)->constructed (object);

  if (self->context == NULL)
    return;
  /* Scheduled, rescheduled, cancelled, started or finished. */
  g_signal_connect_object (ep_context_get_outbox (self->context), "changed",
                           G_CALLBACK (ep_scheduled_page_reload), self, G_CONNECT_SWAPPED);
  ep_scheduled_page_reload (self);
}

static void
ep_scheduled_page_dispose (GObject *object)
{
  EpScheduledPage *self = EP_SCHEDULED_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_SCHEDULED_PAGE);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_object (&self->context);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ep_scheduled_page_parent_class)->dispose (object);
}

static void
ep_scheduled_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  EpScheduledPage *self = EP_SCHEDULED_PAGE (object);

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
ep_scheduled_page_class_init (EpScheduledPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ep_scheduled_page_constructed;
  object_class->dispose = ep_scheduled_page_dispose;
  object_class->set_property = ep_scheduled_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Edit on a scheduled message (gint64 id). */
  signals[EDIT_REQUESTED] = g_signal_new ("edit-requested", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_PATH "/ui/scheduled/ep-scheduled-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EpScheduledPage, stack);
  gtk_widget_class_bind_template_child (widget_class, EpScheduledPage, waiting_group);
  gtk_widget_class_bind_template_child (widget_class, EpScheduledPage, sent_group);
  gtk_widget_class_bind_template_child (widget_class, EpScheduledPage, nothing_waiting_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ep_scheduled_page_init (EpScheduledPage *self)
{
  self->rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

EpScheduledPage *
ep_scheduled_page_new (EpContext *context)
{
  return g_object_new (EP_TYPE_SCHEDULED_PAGE, "context", context, NULL);
}
