/* ep-merge-send-step.c: the merge wizard's Send step
 *
 * A test message to oneself, the pacing (within the provider's published
 * limits), a summary in words, and the confirmation. Once the campaign is
 * stored, "campaign-created" hands its id to the wizard, which sends it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-send-step"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-merge-send-step.h"
#include "ep-merge-step.h"
#include "ep-merge-private.h"
#include "widgets/ep-a11y.h"
#include "compose/ep-send-later-dialog.h"

struct _EpMergeSendStep
{
  GtkWidget      parent_instance;

  /* template widgets */
  GtkSpinButton *connections_spin;
  GtkSpinButton *rate_spin;
  GtkSpinButton *daily_spin;
  GtkLabel      *pacing_label;
  GtkButton     *send_button;
  AdwActionRow  *start_row;
  GtkButton     *start_now_button;
  AdwExpanderRow *spread_row;
  GtkSwitch     *weekdays_switch;
  GtkSwitch     *hours_switch;
  GtkSpinButton *from_spin;
  GtkSpinButton *to_spin;

  /* owned */
  EpMergeJob    *job;
  GCancellable  *cancellable;
};

enum {
  PROP_0,
  PROP_JOB,
  PROP_CAN_CONTINUE,
  N_PROPS
};

enum {
  CAMPAIGN_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void ep_merge_step_iface_init (EpMergeStepInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EpMergeSendStep, ep_merge_send_step, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (EP_TYPE_MERGE_STEP, ep_merge_step_iface_init))

/* ---- helpers ------------------------------------------------------------ */

static const EpProvider *
account_provider (EpMergeSendStep *self)
{
  EpAccount *account = ep_merge_job_get_account (self->job);

  return account ? ep_provider_lookup (ep_account_get_preset (account)) : NULL;
}

static guint
n_messages (EpMergeSendStep *self)
{
  EpMergeReport *report = ep_merge_job_get_report (self->job);

  return report ? report->valid_rows->len : 0;
}

static void
update_pacing_summary (EpMergeSendStep *self)
{
  const EpProvider *provider = account_provider (self);
  guint n = n_messages (self);
  guint rate = gtk_spin_button_get_value_as_int (self->rate_spin);
  guint daily = gtk_spin_button_get_value_as_int (self->daily_spin);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *button = NULL;

  ep_merge_job_set_pacing (self->job, gtk_spin_button_get_value_as_int (self->connections_spin),
                           rate, daily);

  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u message", "%u messages", n), n);
  if (rate > 0)
    {
      guint minutes = (n + rate - 1) / rate;

      g_string_append (text, ", ");
      if (minutes < 60)
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                   "about %u minute at %u per minute",
                                                   "about %u minutes at %u per minute", minutes),
                                minutes, rate);
      else
        g_string_append_printf (text, _("about %.1f hours at %u per minute"), minutes / 60.0, rate);
    }
  else
    g_string_append (text, _(", as fast as the server accepts them"));

  if (ep_merge_job_get_spread (self->job))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) plan = ep_merge_job_plan_spread (self->job, &error);
      g_autofree char *days = plan != NULL ? ep_spread_plan_describe (plan, NULL, FALSE) : NULL;

      g_string_append (text, ". ");
      if (plan == NULL)
        g_string_append_printf (text, _("The days it takes could not be worked out: %s"), error->message);
      else if (daily > 0)
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "Spread over %u day, at most %u a day",
                                                   "Spread over %u days, at most %u a day", plan->len),
                                plan->len, daily);
      else
        g_string_append (text, _("No daily limit: as the sending hours allow"));
      if (days != NULL && *days != '\0')
        g_string_append_printf (text, ": %s", days);
    }
  else if (daily > 0 && n > daily)
    g_string_append_printf (text, _("; more than the daily limit of %u, so the campaign pauses "
                                    "after %u and can be resumed a day later (or spread it over days)"),
                            daily, daily);
  else if (provider != NULL && provider->per_day > 0)
    g_string_append_printf (text, _("; within %s’s %u per day"), provider->name, provider->per_day);
  g_string_append_c (text, '.');

  gtk_label_set_label (self->pacing_label, text->str);

  if (ep_merge_job_get_start_at (self->job) > 0)
    button = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Schedule %u Message", "_Schedule %u Messages", n), n);
  else
    button = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Send %u Message", "_Send %u Messages", n), n);
  gtk_button_set_label (self->send_button, button);
  ep_a11y_name_button (GTK_WIDGET (self->send_button), button + 1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), n > 0);
}

static void
test_send_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EpMergeSendStep) self = user_data;
  g_autoptr(GError) error = NULL;
  char *password = NULL;
  g_autofree char *message_id = ep_merge_job_test_send_finish (EP_MERGE_JOB (object), result,
                                                               &password, &error);
  EpAccount *account = ep_merge_job_get_account (self->job);
  g_autofree char *text = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.test-send", TRUE);
  if (message_id == NULL)
    {
      ep_password_free (password);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_merge_error_dialog (GTK_WIDGET (self), _("The Test Message Was Not Sent"), error->message);
      return;
    }

  if (password != NULL)
    {
      /* Generated passwords: the test has its own, and the person needs
       * it to open the test. A dialog, so it stays until read. */
      g_autofree char *body = g_strdup_printf (_("It was sent to %s. It opens with the password "
                                                 "“%s”. The campaign’s messages get passwords of "
                                                 "their own, in the results export."),
                                               account ? ep_account_get_address (account) : "",
                                               password);
      _ep_merge_error_dialog (GTK_WIDGET (self), _("Test Message Sent"), body);
      ep_password_free (password);
      return;
    }
  text = g_strdup_printf (_("Test message sent to %s"), account ? ep_account_get_address (account) : "");
  _ep_merge_toast (GTK_WIDGET (self), text);
}

static void
create_campaign_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EpMergeSendStep) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = ep_merge_job_create_campaign_finish (EP_MERGE_JOB (object), result, &error);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.send", TRUE);
  if (id == 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_merge_error_dialog (GTK_WIDGET (self), _("The Campaign Could Not Start"), error->message);
      return;
    }
  g_signal_emit (self, signals[CAMPAIGN_CREATED], 0, id);
}

/* ---- signal callbacks ------------------------------------------------------ */

static void
show_start (EpMergeSendStep *self)
{
  gint64 start_at = ep_merge_job_get_start_at (self->job);
  g_autofree char *when = start_at > 0 ? ep_schedule_time_format (start_at, NULL) : NULL;
  g_autofree char *subtitle = when ? g_strdup_printf (_("At %s, even with the window closed"), when) : NULL;

  adw_action_row_set_subtitle (self->start_row, subtitle ? subtitle : _("At once, when you confirm"));
  gtk_widget_set_visible (GTK_WIDGET (self->start_now_button), start_at > 0);
  update_pacing_summary (self);
}

static void
on_start_chosen (EpSendLaterDialog *dialog,
                 gint64             when,
                 EpMergeSendStep   *self)
{
  ep_merge_job_set_start_at (self->job, when);
  show_start (self);
}

static void
on_start_at_clicked_cb (EpMergeSendStep *self)
{
  EpSendLaterDialog *dialog = ep_send_later_dialog_new (_ep_merge_parent_window (GTK_WIDGET (self)),
                                                        _("_Set"), ep_merge_job_get_start_at (self->job));

  gtk_window_set_title (GTK_WINDOW (dialog), _("Start At"));
  g_signal_connect_object (dialog, "chosen", G_CALLBACK (on_start_chosen), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_start_now_clicked_cb (EpMergeSendStep *self)
{
  ep_merge_job_set_start_at (self->job, 0);
  show_start (self);
}

static void
on_spread_changed_cb (EpMergeSendStep *self)
{
  EpSendWindow window = EP_SEND_WINDOW_NONE;
  int from = gtk_spin_button_get_value_as_int (self->from_spin);
  int to = gtk_spin_button_get_value_as_int (self->to_spin);

  if (self->job == NULL)   /* not while the template is being built */
    return;
  /* The hours apply only when the switch says so. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->from_spin), gtk_switch_get_active (self->hours_switch));
  gtk_widget_set_sensitive (GTK_WIDGET (self->to_spin), gtk_switch_get_active (self->hours_switch));
  if (gtk_switch_get_active (self->weekdays_switch))
    window.days = EP_SEND_WINDOW_WEEKDAYS;
  /* An end before the start is no window: the hours are refused. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->to_spin), "error");
  if (gtk_switch_get_active (self->hours_switch))
    {
      if (to > from)
        {
          window.start = from * 60;
          window.end = to * 60;
        }
      else
        gtk_widget_add_css_class (GTK_WIDGET (self->to_spin), "error");
    }
  ep_merge_job_set_spread (self->job, adw_expander_row_get_enable_expansion (self->spread_row), &window);
  update_pacing_summary (self);
}

static void
on_pacing_changed_cb (GtkSpinButton   *spin,
                      EpMergeSendStep *self)
{
  if (self->job != NULL)   /* not while the template is being built */
    update_pacing_summary (self);
}

static void
send_confirm_response (AdwMessageDialog *dialog,
                       const char       *response,
                       EpMergeSendStep  *self)
{
  if (g_strcmp0 (response, "send") != 0 || ep_merge_job_get_report (self->job) == NULL)
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.send", FALSE);
  ep_merge_job_create_campaign_async (self->job, self->cancellable, create_campaign_cb,
                                      g_object_ref (self));
}

/* ---- actions ---------------------------------------------------------------- */

static void
merge_test_send_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  EpMergeSendStep *self = EP_MERGE_SEND_STEP (widget);

  if (n_messages (self) == 0 || ep_merge_job_get_account (self->job) == NULL)
    return;

  gtk_widget_action_set_enabled (widget, "merge.test-send", FALSE);
  ep_merge_job_test_send_async (self->job, self->cancellable, test_send_cb, g_object_ref (self));
}

static void
merge_send_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EpMergeSendStep *self = EP_MERGE_SEND_STEP (widget);
  EpAccount *account = ep_merge_job_get_account (self->job);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  gint64 start_at;
  guint n;

  if (ep_merge_job_get_report (self->job) == NULL || account == NULL)
    return;

  n = n_messages (self);
  start_at = ep_merge_job_get_start_at (self->job);
  if (ep_merge_job_get_spread (self->job) && start_at == 0)
    {
      /* Outside its hours now, or today's limit used: it waits for its
       * first day as a scheduled campaign. */
      g_autoptr(GArray) plan = ep_merge_job_plan_spread (self->job, NULL);

      if (plan != NULL && plan->len > 0 &&
          g_array_index (plan, EpSpreadDay, 0).first > g_get_real_time () / G_USEC_PER_SEC)
        {
          ep_merge_job_set_start_at (self->job, g_array_index (plan, EpSpreadDay, 0).first);
          show_start (self);
          start_at = ep_merge_job_get_start_at (self->job);
        }
    }
  if (start_at > 0 && start_at <= g_get_real_time () / G_USEC_PER_SEC)
    {
      /* The chosen time went by while the step was open. */
      _ep_merge_error_dialog (widget, _("The Start Time Has Passed"),
                              _("Choose a later time, or start at once."));
      return;
    }
  if (start_at > 0)
    {
      g_autofree char *when = ep_schedule_time_format (start_at, NULL);

      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Schedule %u Message?",
                                              "Schedule %u Messages?", n), n);
      body = g_strdup_printf (_("From “%s” (%s), starting at %s. It is built now: later changes "
                                "to the spreadsheet change nothing. %s"),
                              ep_account_get_name (account), ep_account_get_address (account), when,
                              gtk_label_get_label (self->pacing_label));
    }
  else
    {
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Send %u Message?", "Send %u Messages?", n), n);
      body = g_strdup_printf (_("From “%s” (%s). %s"), ep_account_get_name (account),
                              ep_account_get_address (account),
                              gtk_label_get_label (self->pacing_label));
    }
  {
    const EpCampaignProtection *p = ep_merge_job_get_protection (self->job);
    const char *privacy = NULL;
    char *with_privacy;

    if ((p->protection & EP_PROTECT_PASSWORD) && p->generate_passwords)
      privacy = _("Each message is protected with a new password. Export the results after "
                  "sending: the export holds the passwords, for you to deliver apart from the "
                  "messages.");
    else if (p->protection & EP_PROTECT_PASSWORD)
      privacy = _("Each message is protected with its row’s password.");
    else if ((p->protection & EP_PROTECT_ENCRYPT) && p->send_unprotected)
      privacy = (p->protection & EP_PROTECT_SIGN)
                ? _("Each message is signed and encrypted for its recipient; the rows without a "
                    "certificate go unencrypted, as you confirmed.")
                : _("Each message is encrypted for its recipient; the rows without a certificate "
                    "go unencrypted, as you confirmed.");
    else if (p->protection & EP_PROTECT_ENCRYPT)
      privacy = (p->protection & EP_PROTECT_SIGN)
                ? _("Each message is signed and encrypted for its recipient.")
                : _("Each message is encrypted for its recipient (and signed, if you have a "
                    "certificate).");
    else if (p->protection & EP_PROTECT_SIGN)
      privacy = _("Each message is signed.");
    if (privacy != NULL)
      {
        with_privacy = g_strdup_printf ("%s %s", body, privacy);
        g_free (body);
        body = with_privacy;
      }
  }
  dialog = adw_message_dialog_new (_ep_merge_parent_window (widget), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "send", start_at > 0 ? _("_Schedule") : _("_Send"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "send");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (send_confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- EpMergeStep ------------------------------------------------------------ */

static void
ep_merge_send_step_enter (EpMergeStep *step)
{
  EpMergeSendStep *self = EP_MERGE_SEND_STEP (step);
  const EpProvider *provider = account_provider (self);
  guint per_minute = provider ? provider->per_minute : 0;
  guint per_day = provider ? provider->per_day : 0;

  /* Within the account's limits: a provider that publishes one gets it as
   * the most (and the default); others may send unpaced. */
  gtk_spin_button_set_range (self->rate_spin, per_minute > 0 ? 1 : 0, per_minute > 0 ? per_minute : 100000);
  gtk_spin_button_set_value (self->rate_spin, per_minute);
  gtk_spin_button_set_range (self->daily_spin, per_day > 0 ? 1 : 0, per_day > 0 ? per_day : 1000000);
  gtk_spin_button_set_value (self->daily_spin, per_day);
  gtk_spin_button_set_value (self->connections_spin, 1);

  /* What the job says, also after a campaign was scheduled from here. */
  show_start (self);
}

static void
ep_merge_step_iface_init (EpMergeStepInterface *iface)
{
  iface->enter = ep_merge_send_step_enter;
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ep_merge_send_step_dispose (GObject *object)
{
  EpMergeSendStep *self = (EpMergeSendStep *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_MERGE_SEND_STEP);
  g_clear_object (&self->job);

  G_OBJECT_CLASS (ep_merge_send_step_parent_class)->dispose (object);
}

static void
ep_merge_send_step_finalize (GObject *object)
{
  g_clear_object (&EP_MERGE_SEND_STEP (object)->cancellable);

  G_OBJECT_CLASS (ep_merge_send_step_parent_class)->finalize (object);
}

static void
ep_merge_send_step_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EpMergeSendStep *self = EP_MERGE_SEND_STEP (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case PROP_CAN_CONTINUE:
      /* The last step: what follows is the Send button's. */
      g_value_set_boolean (value, FALSE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_send_step_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EpMergeSendStep *self = EP_MERGE_SEND_STEP (object);

  switch (prop_id)
    {
    case PROP_JOB:
      self->job = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_send_step_class_init (EpMergeSendStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_merge_send_step_dispose;
  object_class->finalize = ep_merge_send_step_finalize;
  object_class->get_property = ep_merge_send_step_get_property;
  object_class->set_property = ep_merge_send_step_set_property;

  g_object_class_override_property (object_class, PROP_JOB, "job");
  g_object_class_override_property (object_class, PROP_CAN_CONTINUE, "can-continue");

  signals[CAMPAIGN_CREATED] =
    g_signal_new ("campaign-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/merge/ep-merge-send-step.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, connections_spin);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, rate_spin);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, daily_spin);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, pacing_label);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, send_button);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, start_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, start_now_button);
  gtk_widget_class_bind_template_callback (widget_class, on_start_at_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_start_now_clicked_cb);

  gtk_widget_class_bind_template_callback (widget_class, on_pacing_changed_cb);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, spread_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, weekdays_switch);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, hours_switch);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, from_spin);
  gtk_widget_class_bind_template_child (widget_class, EpMergeSendStep, to_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_spread_changed_cb);

  gtk_widget_class_install_action (widget_class, "merge.test-send", NULL, merge_test_send_action);
  gtk_widget_class_install_action (widget_class, "merge.send", NULL, merge_send_action);
}

/* The first switch under @widget, in the order it is drawn. */
static GtkWidget *
find_switch (GtkWidget *widget)
{
  if (GTK_IS_SWITCH (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_switch (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
ep_merge_send_step_init (EpMergeSendStep *self)
{
  GtkWidget *enable;

  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* AdwExpanderRow's own switch has no name for a screen reader (in
   * libadwaita 1.2): it is the row's title. It comes before the rows it
   * reveals. */
  enable = find_switch (GTK_WIDGET (self->spread_row));
  if (enable != NULL && enable != GTK_WIDGET (self->weekdays_switch) &&
      enable != GTK_WIDGET (self->hours_switch))
    gtk_accessible_update_property (GTK_ACCESSIBLE (enable), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Spread Over Days"), -1);
}

/* ---- public API ------------------------------------------------------------- */

GtkWidget *
ep_merge_send_step_new (EpMergeJob *job)
{
  return g_object_new (EP_TYPE_MERGE_SEND_STEP, "job", job, NULL);
}
