/* ep-merge-preview-step.c: the merge wizard's Preview step
 *
 * Any row rendered with the template, the rows to send, and the report of
 * checking every one of them, grouped by kind of problem. Rows with
 * problems are never sent: continuing without them is a decision, taken
 * with the "Continue with the … Rows without Problems" button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-preview-step"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ep-merge-preview-step.h"
#include "ep-merge-step.h"
#include "ep-merge-private.h"
#include "widgets/ep-a11y.h"

struct _EpMergePreviewStep
{
  GtkWidget      parent_instance;

  /* template widgets */
  GtkAdjustment *row_adjustment;
  GtkSpinButton *row_spin;
  GtkLabel      *row_of_label;
  GtkLabel      *row_problems_label;
  AdwActionRow  *preview_to_row;
  AdwActionRow  *preview_subject_row;
  AdwActionRow  *preview_attachments_row;
  GtkTextView   *preview_body;
  AdwEntryRow   *ranges_row;
  GtkLabel      *report_summary_label;
  GtkWidget     *valid_only_button;
  GtkListBox    *report_list;
  AdwActionRow  *preview_protection_row;
  GtkSwitch     *sign_switch;
  GtkSwitch     *encrypt_switch;
  AdwComboRow   *cert_row;
  GtkSwitch     *password_switch;
  AdwComboRow   *password_row;
  AdwEntryRow   *hint_row;
  GtkWidget     *unencrypted_button;

  /* owned */
  EpMergeJob    *job;
  GCancellable  *cancellable;
  EpTable       *previewed;   /* the table the row number is in */
  gboolean       filling_columns;
};

enum {
  PROP_0,
  PROP_JOB,
  PROP_CAN_CONTINUE,
  N_PROPS
};

static void ep_merge_step_iface_init (EpMergeStepInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EpMergePreviewStep, ep_merge_preview_step, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (EP_TYPE_MERGE_STEP, ep_merge_step_iface_init))

/* ---- helpers ------------------------------------------------------------ */

static gboolean
can_continue (EpMergePreviewStep *self)
{
  EpMergeReport *report = ep_merge_job_get_report (self->job);

  return report != NULL && !ep_merge_job_get_validating (self->job) && report->valid_rows->len > 0 &&
         (report->problems->len == 0 || ep_merge_job_get_skip_invalid (self->job));
}

static int
row_index_for_number (EpMergePreviewStep *self,
                      guint               row_number)
{
  EpTable *table = ep_merge_job_get_table (self->job);
  guint lo = 0, hi;

  if (table == NULL)
    return -1;

  /* Row numbers grow with the index: binary search. */
  hi = ep_table_get_n_rows (table);
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint n = ep_table_get_row_number (table, mid);

      if (n == row_number)
        return mid;
      if (n < row_number)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < ep_table_get_n_rows (table) ? (int) lo : -1;
}

static char *
join_field (GPtrArray *values)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < values->len; i++)
    {
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, g_ptr_array_index (values, i));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- privacy ------------------------------------------------------------ */

/* The problems of the report that the person may confirm away: rows
 * without a certificate (sent unencrypted), or with a weak password. */
static guint
n_confirmable_problems (EpMergePreviewStep *self)
{
  EpMergeReport *report = ep_merge_job_get_report (self->job);
  const EpCampaignProtection *p = ep_merge_job_get_protection (self->job);
  EpMergeProblemKind kind = (p->protection & EP_PROTECT_PASSWORD) ? EP_MERGE_PROBLEM_WEAK_PASSWORD
                                                                  : EP_MERGE_PROBLEM_CERTIFICATE;
  guint n = 0;

  for (guint i = 0; report != NULL && i < report->problems->len; i++)
    if (((EpMergeProblem *) g_ptr_array_index (report->problems, i))->kind == kind)
      n++;
  return n;
}

/* What the recipient of a password-protected message sees first. */
static char *
password_protection_text (EpMergePreviewStep *self,
                          const EpCampaignProtection *p,
                          const char *why)
{
  EpTable *table = ep_merge_job_get_table (self->job);
  EpAccount *account = ep_merge_job_get_account (self->job);
  const char *sender = account ? ep_account_get_display_name (account) : NULL;
  g_autofree char *how = NULL;
  g_autofree char *seen = NULL;

  if (why != NULL)
    /* Translators: the reason follows */
    return g_strdup_printf (_("Cannot be protected: %s"), why);
  if (p->generate_passwords)
    how = g_strdup (_("With a new password for this row, in the results export for you to deliver."));
  else
    how = g_strdup_printf (_("With the password in the column “%s”."),
                           table && p->password_column >= 0
                           ? ep_table_get_column (table, (guint) p->password_column) : "");
  if (sender == NULL || *sender == '\0')
    sender = account ? ep_account_get_address (account) : "";
  seen = ep_pwmail_explanation (sender, p->password_hint);
  /* Translators: %s is how the message is protected, then what its recipient reads */
  return g_strdup_printf (_("%s The recipient reads:\n\n%s"), how, seen);
}

/* What will protect the previewed row's message. */
static void
show_row_protection (EpMergePreviewStep *self,
                     EpMergeReport      *report,
                     int                 index,
                     const EpDraft      *draft)
{
  const EpCampaignProtection *p = ep_merge_job_get_protection (self->job);
  gboolean sign = (p->protection & EP_PROTECT_SIGN) != 0;
  gboolean encrypt = (p->protection & EP_PROTECT_ENCRYPT) != 0;
  gboolean password = (p->protection & EP_PROTECT_PASSWORD) != 0;
  g_autofree char *text = NULL;
  const char *why = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->preview_protection_row), sign || encrypt || password);
  if (!sign && !encrypt && !password)
    return;

  if (report != NULL)
    {
      g_autoptr(GPtrArray) row_problems = ep_merge_report_row_problems (report, index);
      for (guint i = 0; row_problems != NULL && i < row_problems->len; i++)
        {
          const EpMergeProblem *problem = g_ptr_array_index (row_problems, i);
          if (problem->kind == EP_MERGE_PROBLEM_CERTIFICATE ||
              problem->kind == EP_MERGE_PROBLEM_PASSWORD ||
              problem->kind == EP_MERGE_PROBLEM_WEAK_PASSWORD)
            why = problem->message;
        }
    }

  if (password && report != NULL && !ep_merge_job_get_validating (self->job))
    text = password_protection_text (self, p, why);
  else if (report == NULL || ep_merge_job_get_validating (self->job))
    text = g_strdup (password ? _("Checking passwords…") : _("Checking certificates…"));
  else if (encrypt && why != NULL)
    /* Translators: the reason follows */
    text = g_strdup_printf (_("Cannot be encrypted: %s"), why);
  else if (encrypt && draft != NULL)
    {
      g_autofree char *to = join_field (draft->to);
      text = g_strdup_printf (sign ? _("Encrypted for %s and you (AES-256), signed by you")
                                   : _("Encrypted for %s and you (AES-256)"), to);
    }
  else
    text = g_strdup (_("Signed by you"));
  adw_action_row_set_subtitle (self->preview_protection_row, text);
}

static void start_validation (EpMergePreviewStep *self);
static void show_preview (EpMergePreviewStep *self);

/* @confirmed: the person confirmed the rows without a certificate (sent
 * unencrypted) or with a weak password (sent anyway). */
static void
set_protection (EpMergePreviewStep *self,
                gboolean            confirmed)
{
  EpCampaignProtection p = EP_CAMPAIGN_PROTECTION_INIT;
  guint selected = adw_combo_row_get_selected (self->cert_row);
  guint source = adw_combo_row_get_selected (self->password_row);
  const char *hint = gtk_editable_get_text (GTK_EDITABLE (self->hint_row));

  if (gtk_switch_get_active (self->sign_switch))
    p.protection |= EP_PROTECT_SIGN;
  if (gtk_switch_get_active (self->encrypt_switch))
    p.protection |= EP_PROTECT_ENCRYPT;
  /* The first choice is the vault; then one per column. */
  p.cert_column = selected != GTK_INVALID_LIST_POSITION && selected > 0 ? (int) selected - 1 : -1;
  p.send_unprotected = confirmed && (p.protection & EP_PROTECT_ENCRYPT);
  /* Generated, then one per column. */
  if (gtk_switch_get_active (self->password_switch) && source != GTK_INVALID_LIST_POSITION &&
      !(p.protection & EP_PROTECT_ENCRYPT))
    {
      p.protection |= EP_PROTECT_PASSWORD;
      p.generate_passwords = source == 0;
      p.password_column = source >= 1 ? (int) source - 1 : -1;
      p.password_hint = *hint != '\0' ? hint : NULL;
      p.allow_weak = confirmed;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->hint_row), (p.protection & EP_PROTECT_PASSWORD) != 0);
  ep_merge_job_set_protection (self->job, &p);
  ep_merge_job_set_skip_invalid (self->job, FALSE);
  start_validation (self);
}

static void
on_protection_changed_cb (EpMergePreviewStep *self,
                          GParamSpec         *pspec,
                          GObject            *source)
{
  if (self->job == NULL || self->filling_columns)
    return;
  /* Certificates or a password, not both. */
  self->filling_columns = TRUE;
  if (source == G_OBJECT (self->encrypt_switch) && gtk_switch_get_active (self->encrypt_switch))
    gtk_switch_set_active (self->password_switch, FALSE);
  else if (source == G_OBJECT (self->password_switch) && gtk_switch_get_active (self->password_switch))
    gtk_switch_set_active (self->encrypt_switch, FALSE);
  self->filling_columns = FALSE;
  set_protection (self, FALSE);
}

static void
on_hint_changed_cb (EpMergePreviewStep *self)
{
  const char *hint = gtk_editable_get_text (GTK_EDITABLE (self->hint_row));

  if (self->job == NULL || self->filling_columns)
    return;
  ep_merge_job_set_password_hint (self->job, hint);
  show_preview (self);
}

/* A column a person would name for passwords, in a few languages. */
static gboolean
looks_like_password_column (const char *name)
{
  static const char * const words[] = { "password", "passwort", "kennwort", "mot de passe",
                                         "contraseña", "wachtwoord", "parola", "senha",
                                         "hasło", "lösenord", "salasana", NULL };
  g_autofree char *folded = g_utf8_casefold (name, -1);
  /* Translators: a word a column of passwords would be named with, lowercase */
  g_autofree char *local = g_utf8_casefold (C_("column name", "password"), -1);

  if (strstr (folded, local) != NULL)
    return TRUE;
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (folded, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* The certificate column choices: the vault, then the sheet's columns;
 * one that looks like a certificate column is chosen. */
static void
fill_cert_columns (EpMergePreviewStep *self)
{
  EpTable *table = ep_merge_job_get_table (self->job);
  const EpCampaignProtection *p = ep_merge_job_get_protection (self->job);
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  guint n = table ? ep_table_get_n_columns (table) : 0;

  gtk_string_list_append (model, _("From the Key Vault, by Address"));
  for (guint c = 0; c < n; c++)
    gtk_string_list_append (model, ep_table_get_column (table, c));

  self->filling_columns = TRUE;
  adw_combo_row_set_model (self->cert_row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (self->cert_row, p->cert_column >= 0 && (guint) p->cert_column < n
                                              ? (guint) p->cert_column + 1 : 0);
  {
    g_autoptr(GPtrArray) passwords = g_ptr_array_new_with_free_func (g_free);

    guint chosen = 0;

    g_ptr_array_add (passwords, g_strdup (_("A New Password for Each Row")));
    for (guint c = 0; c < n; c++)
      {
        /* Translators: a choice of where each row's password is; %s is a column */
        g_ptr_array_add (passwords, g_strdup_printf (_("From the Column “%s”"),
                                                     ep_table_get_column (table, c)));
        if (chosen == 0 && looks_like_password_column (ep_table_get_column (table, c)))
          chosen = c + 1;
      }
    g_ptr_array_add (passwords, NULL);
    if (p->protection & EP_PROTECT_PASSWORD)
      chosen = p->generate_passwords ? 0
             : p->password_column >= 0 && (guint) p->password_column < n ? (guint) p->password_column + 1
             : chosen;
    _ep_merge_set_string_model (self->password_row, (const char * const *) passwords->pdata, chosen);
  }
  self->filling_columns = FALSE;
}

static void
unencrypted_response (AdwMessageDialog   *dialog,
                      const char         *response,
                      EpMergePreviewStep *self)
{
  if (g_strcmp0 (response, "unencrypted") == 0)
    set_protection (self, TRUE);
}

static void
on_unencrypted_button_clicked_cb (GtkButton          *button,
                                  EpMergePreviewStep *self)
{
  guint n = n_confirmable_problems (self);
  gboolean password = (ep_merge_job_get_protection (self->job)->protection & EP_PROTECT_PASSWORD) != 0;
  g_autofree char *heading = NULL;
  const char *body;
  GtkWidget *dialog;

  if (n == 0)
    return;
  if (password)
    {
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Send %u Message with a Weak Password?",
                                              "Send %u Messages with Weak Passwords?", n), n);
      body = _("A weak password can be guessed by anyone who gets hold of the message. Stronger "
               "passwords in the spreadsheet, or new ones made by Epistle, protect it better.");
    }
  else
    {
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Send %u Message Unencrypted?",
                                              "Send %u Messages Unencrypted?", n), n);
      body = g_dngettext (GETTEXT_PACKAGE,
                          "Its recipient has no usable certificate. Without encryption, anyone "
                          "who handles the message on its way can read it.",
                          "Their recipients have no usable certificate. Without encryption, "
                          "anyone who handles the messages on their way can read them.", n);
    }
  dialog = adw_message_dialog_new (_ep_merge_parent_window (GTK_WIDGET (self)), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "unencrypted", password ? _("Send _Anyway") : _("Send _Unencrypted"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "unencrypted",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (unencrypted_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_unencrypted_choice (EpMergePreviewStep *self)
{
  guint n = n_confirmable_problems (self);
  gboolean password = (ep_merge_job_get_protection (self->job)->protection & EP_PROTECT_PASSWORD) != 0;

  gtk_widget_set_visible (self->unencrypted_button, n > 0);
  if (n > 0)
    {
      g_autofree char *label = password
        ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Send the %u Row with a Weak Password Anyway…",
                                        "Send the %u Rows with Weak Passwords Anyway…", n), n)
        : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Send the %u Row without a Certificate Unencrypted…",
                                        "Send the %u Rows without a Certificate Unencrypted…",
                                        n), n);
      gtk_button_set_label (GTK_BUTTON (self->unencrypted_button), label);
    }
}

static void
show_preview (EpMergePreviewStep *self)
{
  EpTable *table = ep_merge_job_get_table (self->job);
  EpTemplate *tmpl = ep_merge_job_get_template (self->job);
  EpMergeReport *report = ep_merge_job_get_report (self->job);
  guint number = (guint) gtk_adjustment_get_value (self->row_adjustment);
  int index = row_index_for_number (self, number);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) draft = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *of = NULL;

  if (index < 0 || tmpl == NULL)
    return;

  /* The spin may have landed between two row numbers (blank lines). */
  number = ep_table_get_row_number (table, index);
  if ((guint) gtk_adjustment_get_value (self->row_adjustment) != number)
    gtk_adjustment_set_value (self->row_adjustment, number);

  /* Row numbers are the spreadsheet's (the header is row 1). */
  /* TRANSLATORS: "Row 2 (1 of 40)": the spreadsheet's row, then which message */
  of = g_strdup_printf (_("Row %u (%u of %u)"), number, index + 1, ep_table_get_n_rows (table));
  gtk_label_set_label (self->row_of_label, of);

  draft = ep_template_render (tmpl, table, index, ep_merge_job_get_base_dir (self->job), &error);
  if (draft == NULL)
    {
      adw_action_row_set_subtitle (self->preview_to_row, "");
      adw_action_row_set_subtitle (self->preview_subject_row, "");
      adw_action_row_set_subtitle (self->preview_attachments_row, "");
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->preview_body), "", -1);
      g_string_append (problems, error->message);
    }
  else
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *to = join_field (draft->to);
      g_autofree char *attachments = NULL;

      for (guint i = 0; i < draft->attachments->len; i++)
        g_ptr_array_add (names, g_path_get_basename (g_ptr_array_index (draft->attachments, i)));
      attachments = names->len > 0 ? join_field (names) : g_strdup (_("None"));

      adw_action_row_set_subtitle (self->preview_to_row, to);
      adw_action_row_set_subtitle (self->preview_subject_row, draft->subject ? draft->subject : "");
      adw_action_row_set_subtitle (self->preview_attachments_row, attachments);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->preview_body),
                                draft->body ? draft->body : "", -1);
    }

  if (report != NULL)
    {
      g_autoptr(GPtrArray) row_problems = ep_merge_report_row_problems (report, index);

      for (guint i = 0; row_problems != NULL && i < row_problems->len; i++)
        {
          const EpMergeProblem *p = g_ptr_array_index (row_problems, i);
          if (problems->len > 0)
            g_string_append_c (problems, '\n');
          g_string_append (problems, p->message);
        }
    }

  gtk_label_set_label (self->row_problems_label, problems->str);
  gtk_widget_set_visible (GTK_WIDGET (self->row_problems_label), problems->len > 0);
  show_row_protection (self, report, index, draft);
}

static void
on_problem_row_activated (AdwActionRow       *row,
                          EpMergePreviewStep *self)
{
  guint number = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "row-number"));

  gtk_adjustment_set_value (self->row_adjustment, number);
}

static void
show_report (EpMergePreviewStep *self)
{
  EpMergeReport *report = ep_merge_job_get_report (self->job);
  GtkWidget *child;
  g_autofree char *summary = NULL;
  guint n_bad_rows;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->report_list))) != NULL)
    gtk_list_box_remove (self->report_list, child);

  if (report == NULL)
    return;

  n_bad_rows = report->n_selected - report->valid_rows->len;
  if (report->problems->len == 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The %u row is ready to send.",
                                            "All %u rows are ready to send.", report->n_selected),
                               report->n_selected);
  else
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u of %u rows can be sent; %u has problems.",
                                            "%u of %u rows can be sent; %u have problems.", n_bad_rows),
                               report->valid_rows->len, report->n_selected, n_bad_rows);
  gtk_label_set_label (self->report_summary_label, summary);

  gtk_widget_set_visible (self->valid_only_button,
                          report->problems->len > 0 && report->valid_rows->len > 0);
  if (report->problems->len > 0 && report->valid_rows->len > 0)
    {
      g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "Continue with the %u Row without Problems",
                                                             "Continue with the %u Rows without Problems",
                                                             report->valid_rows->len),
                                                report->valid_rows->len);
      gtk_button_set_label (GTK_BUTTON (self->valid_only_button), label);
      ep_a11y_name_button (self->valid_only_button, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->report_list), report->problems->len > 0);

  /* One expander per kind of problem, listing its rows. */
  for (int kind = EP_MERGE_PROBLEM_NO_RECIPIENT; kind < EP_MERGE_PROBLEM_N_KINDS; kind++)
    {
      GtkWidget *expander = NULL;
      guint count = 0;

      for (guint i = 0; i < report->problems->len; i++)
        {
          const EpMergeProblem *p = g_ptr_array_index (report->problems, i);
          GtkWidget *row;
          g_autofree char *title = NULL;

          if ((int) p->kind != kind)
            continue;

          if (expander == NULL)
            {
              expander = adw_expander_row_new ();
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander),
                                             ep_merge_problem_kind_label (p->kind));
              adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
              gtk_list_box_append (self->report_list, expander);
            }

          /* Long reports list the first 200 rows of a kind here; the CLI and
           * the previous/next buttons reach the rest. */
          if (++count > 200)
            continue;

          row = adw_action_row_new ();
          title = g_strdup_printf (_("Row %u"), p->row_number);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), p->message);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_object_set_data (G_OBJECT (row), "row-number", GUINT_TO_POINTER (p->row_number));
          g_signal_connect (row, "activated", G_CALLBACK (on_problem_row_activated), self);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
        }

      if (expander != NULL)
        {
          g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u row",
                                                                    "%u rows", count), count);
          adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
        }
    }
}

static void
validate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EpMergePreviewStep) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ep_merge_job_validate_finish (EP_MERGE_JOB (object), result, &error))
    {
      /* Cancelled: a newer check is running, or the wizard has gone. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_label_set_label (self->report_summary_label, error->message);
    }

  show_report (self);
  show_unencrypted_choice (self);
  show_preview (self);
}

static void
start_validation (EpMergePreviewStep *self)
{
  if (ep_merge_job_get_template (self->job) == NULL || ep_merge_job_get_table (self->job) == NULL)
    return;

  gtk_label_set_label (self->report_summary_label, _("Checking every row…"));
  ep_merge_job_validate_async (self->job, gtk_editable_get_text (GTK_EDITABLE (self->ranges_row)),
                               self->cancellable, validate_cb, g_object_ref (self));
}

/* ---- signal callbacks ------------------------------------------------------ */

static void
on_job_can_continue_changed_cb (EpMergePreviewStep *self)
{
  g_object_notify (G_OBJECT (self), "can-continue");
}

static void
on_row_adjustment_value_changed_cb (GtkAdjustment      *adjustment,
                                    EpMergePreviewStep *self)
{
  if (self->job != NULL)   /* not while the template is being built */
    show_preview (self);
}

static void
on_ranges_row_changed_cb (GtkEditable        *editable,
                          EpMergePreviewStep *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EpRowRanges) ranges = ep_row_ranges_parse (gtk_editable_get_text (editable), &error);

  if (ranges == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->ranges_row), "error");
      gtk_label_set_label (self->report_summary_label, error->message);
      ep_merge_job_clear_report (self->job);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->ranges_row), "error");

  start_validation (self);
}

static void
on_valid_only_button_clicked_cb (GtkButton          *button,
                                 EpMergePreviewStep *self)
{
  EpMergeReport *report = ep_merge_job_get_report (self->job);

  if (report == NULL || report->valid_rows->len == 0)
    return;
  ep_merge_job_set_skip_invalid (self->job, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self), "merge.next", NULL);
}

/* ---- actions ---------------------------------------------------------------- */

static void
merge_previous_row_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  EpMergePreviewStep *self = EP_MERGE_PREVIEW_STEP (widget);
  int index = row_index_for_number (self, (guint) gtk_adjustment_get_value (self->row_adjustment));

  if (index > 0)
    gtk_adjustment_set_value (self->row_adjustment,
                              ep_table_get_row_number (ep_merge_job_get_table (self->job), index - 1));
}

static void
merge_next_row_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  EpMergePreviewStep *self = EP_MERGE_PREVIEW_STEP (widget);
  EpTable *table = ep_merge_job_get_table (self->job);
  int index = row_index_for_number (self, (guint) gtk_adjustment_get_value (self->row_adjustment));

  if (index >= 0 && (guint) index + 1 < ep_table_get_n_rows (table))
    gtk_adjustment_set_value (self->row_adjustment, ep_table_get_row_number (table, index + 1));
}

/* ---- EpMergeStep ------------------------------------------------------------ */

static void
ep_merge_preview_step_enter (EpMergeStep *step)
{
  EpMergePreviewStep *self = EP_MERGE_PREVIEW_STEP (step);
  EpTable *table = ep_merge_job_get_table (self->job);
  guint first, last;

  if (table == NULL || ep_table_get_n_rows (table) == 0)
    return;

  first = ep_table_get_row_number (table, 0);
  last = ep_table_get_row_number (table, ep_table_get_n_rows (table) - 1);
  gtk_adjustment_set_lower (self->row_adjustment, first);
  gtk_adjustment_set_upper (self->row_adjustment, last);
  /* Back from the message step: the row that was shown. Another
   * spreadsheet, or the same read again: its first row, or the first of
   * the rows to send (Retry Failed's "4, 9"). */
  if (table != self->previewed ||
      gtk_adjustment_get_value (self->row_adjustment) < first ||
      gtk_adjustment_get_value (self->row_adjustment) > last)
    {
      const char *ranges = gtk_editable_get_text (GTK_EDITABLE (self->ranges_row));
      const char *digits = ranges + strcspn (ranges, "0123456789");
      guint64 start = *digits != '\0' ? g_ascii_strtoull (digits, NULL, 10) : 0;

      gtk_adjustment_set_value (self->row_adjustment, start >= first && start <= last ? start : first);
    }
  if (table != self->previewed)
    {
      g_clear_pointer (&self->previewed, ep_table_unref);
      self->previewed = ep_table_ref (table);
    }

  fill_cert_columns (self);
  show_preview (self);
  start_validation (self);
}

static void
ep_merge_step_iface_init (EpMergeStepInterface *iface)
{
  iface->enter = ep_merge_preview_step_enter;
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ep_merge_preview_step_dispose (GObject *object)
{
  EpMergePreviewStep *self = (EpMergePreviewStep *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_MERGE_PREVIEW_STEP);
  g_clear_object (&self->job);
  g_clear_pointer (&self->previewed, ep_table_unref);

  G_OBJECT_CLASS (ep_merge_preview_step_parent_class)->dispose (object);
}

static void
ep_merge_preview_step_finalize (GObject *object)
{
  g_clear_object (&EP_MERGE_PREVIEW_STEP (object)->cancellable);

  G_OBJECT_CLASS (ep_merge_preview_step_parent_class)->finalize (object);
}

static void
ep_merge_preview_step_constructed (GObject *object)
{
  EpMergePreviewStep *self = (EpMergePreviewStep *)object;
  static const char *watched[] = { "notify::report", "notify::validating", "notify::skip-invalid" };

  G_OBJECT_CLASS (ep_merge_preview_step_parent_class)->constructed (object);

  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    g_signal_connect_object (self->job, watched[i], G_CALLBACK (on_job_can_continue_changed_cb),
                             self, G_CONNECT_SWAPPED);
}

static void
ep_merge_preview_step_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EpMergePreviewStep *self = EP_MERGE_PREVIEW_STEP (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case PROP_CAN_CONTINUE:
      g_value_set_boolean (value, can_continue (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_preview_step_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EpMergePreviewStep *self = EP_MERGE_PREVIEW_STEP (object);

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
ep_merge_preview_step_class_init (EpMergePreviewStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_merge_preview_step_dispose;
  object_class->finalize = ep_merge_preview_step_finalize;
  object_class->constructed = ep_merge_preview_step_constructed;
  object_class->get_property = ep_merge_preview_step_get_property;
  object_class->set_property = ep_merge_preview_step_set_property;

  g_object_class_override_property (object_class, PROP_JOB, "job");
  g_object_class_override_property (object_class, PROP_CAN_CONTINUE, "can-continue");

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/merge/ep-merge-preview-step.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, row_adjustment);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, row_spin);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, row_of_label);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, row_problems_label);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, preview_to_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, preview_subject_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, preview_attachments_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, preview_body);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, ranges_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, report_summary_label);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, valid_only_button);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, report_list);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, preview_protection_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, sign_switch);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, encrypt_switch);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, cert_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, password_switch);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, password_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, hint_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergePreviewStep, unencrypted_button);

  gtk_widget_class_bind_template_callback (widget_class, on_row_adjustment_value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_ranges_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_valid_only_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_unencrypted_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_hint_changed_cb);

  gtk_widget_class_install_action (widget_class, "merge.previous-row", NULL, merge_previous_row_action);
  gtk_widget_class_install_action (widget_class, "merge.next-row", NULL, merge_next_row_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_ALT_MASK, "merge.next-row", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_ALT_MASK, "merge.previous-row", NULL);
}

static void
ep_merge_preview_step_init (EpMergePreviewStep *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->sign_switch, "notify::active",
                            G_CALLBACK (on_protection_changed_cb), self);
  g_signal_connect_swapped (self->encrypt_switch, "notify::active",
                            G_CALLBACK (on_protection_changed_cb), self);
  g_signal_connect_swapped (self->cert_row, "notify::selected",
                            G_CALLBACK (on_protection_changed_cb), self);
  g_signal_connect_swapped (self->password_switch, "notify::active",
                            G_CALLBACK (on_protection_changed_cb), self);
  g_signal_connect_swapped (self->password_row, "notify::selected",
                            G_CALLBACK (on_protection_changed_cb), self);
}

/* ---- public API ------------------------------------------------------------- */

GtkWidget *
ep_merge_preview_step_new (EpMergeJob *job)
{
  return g_object_new (EP_TYPE_MERGE_PREVIEW_STEP, "job", job, NULL);
}

void
ep_merge_preview_step_set_rows (EpMergePreviewStep *self,
                                const char         *rows)
{
  g_return_if_fail (EP_IS_MERGE_PREVIEW_STEP (self));

  gtk_editable_set_text (GTK_EDITABLE (self->ranges_row), rows ? rows : "");
}
