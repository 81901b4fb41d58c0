/* ep-merge-message-step.c: the merge wizard's Message step
 *
 * The template: sender, recipients, subject and body with a chip per
 * column that types "{{ Column }}" where the cursor was, Markdown, the
 * per-row attachment column and attachments for everyone; templates can
 * be opened and saved. Every edit makes a new EpTemplate for the job (or
 * none, with the reason shown) and drops the last report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-message-step"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ep-merge-message-step.h"
#include "ep-merge-step.h"
#include "ep-merge-private.h"

struct _EpMergeMessageStep
{
  GtkWidget      parent_instance;

  /* template widgets */
  AdwComboRow   *from_row;
  AdwEntryRow   *to_row;
  AdwEntryRow   *cc_row;
  AdwEntryRow   *bcc_row;
  AdwEntryRow   *reply_to_row;
  AdwEntryRow   *subject_row;
  GtkFlowBox    *chip_box;
  GtkTextView   *body_view;
  GtkSwitch     *markdown_switch;
  AdwActionRow  *signature_row;
  GtkSwitch     *signature_switch;
  AdwComboRow   *attachment_column_row;
  GtkListBox    *shared_list;
  GtkLabel      *template_error_label;

  /* owned */
  EpMergeJob    *job;
  GCancellable  *cancellable;
  GPtrArray     *accounts;
  GPtrArray     *shared_attachments;   /* char *: paths */

  char          *wanted_account_uid;   /* a restored draft's, until the accounts come */
  gboolean       want_signature;       /* the switch as the person left it */
  gboolean       showing_signature;    /* the switch is being set, not toggled */

  /* borrowed */
  GtkWidget     *insert_target;        /* the field the chips type into */
};

enum {
  PROP_0,
  PROP_JOB,
  PROP_CAN_CONTINUE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void ep_merge_step_iface_init (EpMergeStepInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EpMergeMessageStep, ep_merge_message_step, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (EP_TYPE_MERGE_STEP, ep_merge_step_iface_init))

/* ---- helpers ------------------------------------------------------------ */

static gboolean
can_continue (EpMergeMessageStep *self)
{
  return ep_merge_job_get_template (self->job) != NULL && ep_merge_job_get_account (self->job) != NULL;
}

static char *
text_view_get_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
insert_column_text (EpMergeMessageStep *self,
                    const char         *text)
{
  GtkWidget *target = self->insert_target ? self->insert_target : GTK_WIDGET (self->body_view);

  if (GTK_IS_TEXT_VIEW (target))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (target));
      gtk_text_buffer_insert_at_cursor (buffer, text, -1);
      gtk_widget_grab_focus (target);
    }
  else if (GTK_IS_EDITABLE (target))
    {
      int pos = gtk_editable_get_position (GTK_EDITABLE (target));

      /* Focusing an entry selects all of it (and the next keystroke would
       * replace the subject): focus first, then insert at the cursor it
       * had and leave nothing selected. */
      gtk_widget_grab_focus (target);
      gtk_editable_insert_text (GTK_EDITABLE (target), text, -1, &pos);
      gtk_editable_select_region (GTK_EDITABLE (target), pos, pos);
    }
}

static void
on_chip_clicked (GtkButton          *button,
                 EpMergeMessageStep *self)
{
  g_autofree char *text = _ep_merge_chip_text (gtk_button_get_label (button));

  insert_column_text (self, text);
}

/* To is empty, or names a single column this table does not have. */
static gboolean
to_needs_address (EpMergeMessageStep *self)
{
  g_autofree char *to = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_row))));
  g_autofree char *name = NULL;

  if (*to == '\0')
    return TRUE;
  name = _ep_merge_single_column (to);
  return name != NULL && ep_table_find_column (ep_merge_job_get_table (self->job), name) < 0;
}

static char *
attachment_column (EpMergeMessageStep *self)
{
  guint pos = adw_combo_row_get_selected (self->attachment_column_row);
  GtkStringObject *item;

  if (pos == 0 || pos == GTK_INVALID_LIST_POSITION)
    return NULL;
  item = adw_combo_row_get_selected_item (self->attachment_column_row);
  return item ? g_strdup (gtk_string_object_get_string (item)) : NULL;
}

/* The sender's signature, when it is to go under each message. */
static const char *
chosen_signature (EpMergeMessageStep *self)
{
  EpAccount *account = ep_merge_job_get_account (self->job);

  if (account == NULL || !self->want_signature)
    return NULL;
  return ep_account_get_signature (account);
}

/* Under the body of the template that is sent (not in what is edited),
 * unless the body has it already (a past campaign's message, retried). */
static void
add_signature (EpMergeMessageStep *self,
               EpTemplateParts    *parts)
{
  const char *signature = chosen_signature (self);
  g_autofree char *block = ep_signature_block (signature);
  char *body;

  if (block == NULL || ep_signature_find (parts->body, signature, NULL, NULL))
    return;
  body = g_strconcat (g_strchomp (parts->body), block, "\n", NULL);
  g_free (parts->body);
  parts->body = body;
}

static void
show_signature (EpMergeMessageStep *self)
{
  EpAccount *account = ep_merge_job_get_account (self->job);
  const char *signature = account ? ep_account_get_signature (account) : NULL;

  self->showing_signature = TRUE;
  if (signature != NULL)
    {
      g_autofree char *first = g_strndup (signature, strcspn (signature, "\n"));
      /* Translators: the first line of the sender's signature */
      g_autofree char *subtitle = g_strdup_printf (_("Adds “%s” under each message"), first);

      adw_action_row_set_subtitle (self->signature_row, subtitle);
      gtk_switch_set_active (self->signature_switch, self->want_signature);
    }
  else
    {
      adw_action_row_set_subtitle (self->signature_row,
                                   _("The sender has none; an account’s signature is set in Preferences"));
      gtk_switch_set_active (self->signature_switch, FALSE);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->signature_row), signature != NULL);
  self->showing_signature = FALSE;
}

static EpTemplateParts *
collect_parts (EpMergeMessageStep *self)
{
  EpTemplateParts *parts = ep_template_parts_new ();
  g_autofree char *column = attachment_column (self);

  parts->to = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_row)));
  parts->cc = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->cc_row)));
  parts->bcc = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->bcc_row)));
  parts->reply_to = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reply_to_row)));
  parts->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_row)));
  parts->body = text_view_get_text (self->body_view);
  parts->markdown = gtk_switch_get_active (self->markdown_switch);
  for (guint i = 0; i < self->shared_attachments->len; i++)
    g_ptr_array_add (parts->attachments, g_strdup (g_ptr_array_index (self->shared_attachments, i)));
  if (column != NULL)
    g_ptr_array_add (parts->attachments, _ep_merge_chip_text (column));

  return parts;
}

static void
update_template (EpMergeMessageStep *self)
{
  EpTable *table = ep_merge_job_get_table (self->job);
  g_autoptr(EpTemplateParts) parts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;

  if (table == NULL)
    return;

  parts = collect_parts (self);
  add_signature (self, parts);
  tmpl = ep_template_new_from_parts (parts, &error);
  if (tmpl != NULL && !ep_template_check_columns (tmpl, table, &error))
    g_clear_pointer (&tmpl, ep_template_unref);

  if (tmpl == NULL)
    {
      gtk_label_set_label (self->template_error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->template_error_label), TRUE);
    }
  else if (parts->to[0] == '\0' && parts->cc[0] == '\0' && parts->bcc[0] == '\0')
    {
      gtk_label_set_label (self->template_error_label,
                           _("Say who receives each message: put the address column in To."));
      gtk_widget_set_visible (GTK_WIDGET (self->template_error_label), TRUE);
      g_clear_pointer (&tmpl, ep_template_unref);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->template_error_label), FALSE);

  ep_merge_job_set_template (self->job, tmpl);
  /* What was written, as written (also when it does not parse yet): the
   * wizard keeps it as the merge's draft. */
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
fill_columns (EpMergeMessageStep *self,
              EpTable            *table)
{
  guint n_columns = ep_table_get_n_columns (table);
  g_autoptr(GPtrArray) attachment_names = g_ptr_array_new ();
  GtkWidget *child;
  int address, attachment;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chip_box))) != NULL)
    gtk_flow_box_remove (self->chip_box, child);

  g_ptr_array_add (attachment_names, (gpointer) _("None"));
  for (guint c = 0; c < n_columns; c++)
    {
      const char *name = ep_table_get_column (table, c);
      GtkWidget *chip = gtk_button_new_with_label (name);
      g_autofree char *tooltip = g_strdup_printf (_("Insert “%s”"), name);

      gtk_widget_add_css_class (chip, "pill");
      gtk_widget_add_css_class (chip, "small");
      gtk_widget_set_tooltip_text (chip, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (chip), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      tooltip, -1);
      g_signal_connect (chip, "clicked", G_CALLBACK (on_chip_clicked), self);
      gtk_flow_box_append (self->chip_box, chip);
      g_ptr_array_add (attachment_names, (gpointer) name);
    }
  g_ptr_array_add (attachment_names, NULL);

  address = ep_merge_job_guess_address_column (self->job);
  attachment = ep_merge_job_guess_attachment_column (self->job);
  _ep_merge_set_string_model (self->attachment_column_row,
                              (const char * const *) attachment_names->pdata,
                              attachment >= 0 ? (guint) attachment + 1 : 0);

  /* A sensible start for a new merge: To is the address column; so it is
   * when To names a single column this file does not have. */
  if (address >= 0 && to_needs_address (self))
    ep_merge_message_step_set_to_column (self, ep_table_get_column (table, address));
}

static void
remove_shared_clicked (GtkButton          *button,
                       EpMergeMessageStep *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");

  for (guint i = 0; i < self->shared_attachments->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->shared_attachments, i), path) == 0)
      {
        g_ptr_array_remove_index (self->shared_attachments, i);
        break;
      }
  gtk_list_box_remove (self->shared_list,
                       gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW));
  gtk_widget_set_visible (GTK_WIDGET (self->shared_list), self->shared_attachments->len > 0);
  update_template (self);
}

static void
add_shared_attachment (EpMergeMessageStep *self,
                       const char         *path)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (_("Remove %s"), base);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), path);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data_full (G_OBJECT (remove), "path", g_strdup (path), g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_shared_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  gtk_list_box_append (self->shared_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->shared_list), TRUE);
  g_ptr_array_add (self->shared_attachments, g_strdup (path));
}

/* Fills the message fields from a template file's parts. */
static void
apply_parts (EpMergeMessageStep    *self,
             const EpTemplateParts *parts)
{
  EpTable *table = ep_merge_job_get_table (self->job);
  GtkWidget *child;

  gtk_editable_set_text (GTK_EDITABLE (self->to_row), parts->to ? parts->to : "");
  gtk_editable_set_text (GTK_EDITABLE (self->cc_row), parts->cc ? parts->cc : "");
  gtk_editable_set_text (GTK_EDITABLE (self->bcc_row), parts->bcc ? parts->bcc : "");
  gtk_editable_set_text (GTK_EDITABLE (self->reply_to_row), parts->reply_to ? parts->reply_to : "");
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), parts->subject ? parts->subject : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view), parts->body ? parts->body : "", -1);
  gtk_switch_set_active (self->markdown_switch, parts->markdown);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->shared_list))) != NULL)
    gtk_list_box_remove (self->shared_list, child);
  g_ptr_array_set_size (self->shared_attachments, 0);
  adw_combo_row_set_selected (self->attachment_column_row, 0);

  for (guint i = 0; i < parts->attachments->len; i++)
    {
      const char *a = g_ptr_array_index (parts->attachments, i);
      g_autofree char *name = table != NULL ? _ep_merge_single_column (a) : NULL;
      int column = name != NULL ? ep_table_find_column (table, name) : -1;

      /* "{{ Column }}" alone is the per-row attachment column. */
      if (column >= 0)
        adw_combo_row_set_selected (self->attachment_column_row, column + 1);
      else
        add_shared_attachment (self, a);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->shared_list), self->shared_attachments->len > 0);
  update_template (self);
}

static void
apply_template (EpMergeMessageStep *self,
                EpTemplate         *tmpl)
{
  apply_parts (self, ep_template_get_parts (tmpl));
}

/* ---- signal callbacks ------------------------------------------------------ */

static void
on_job_table_changed_cb (EpMergeMessageStep *self,
                         GParamSpec         *pspec,
                         EpMergeJob         *job)
{
  EpTable *table = ep_merge_job_get_table (job);

  if (table != NULL)
    fill_columns (self, table);
}

static void
on_job_can_continue_changed_cb (EpMergeMessageStep *self)
{
  g_object_notify (G_OBJECT (self), "can-continue");
}

static void
on_field_changed_cb (EpMergeMessageStep *self)
{
  if (self->job != NULL)   /* not while the template is being built */
    update_template (self);
}

static void
on_signature_toggled_cb (EpMergeMessageStep *self)
{
  if (self->showing_signature)
    return;
  self->want_signature = gtk_switch_get_active (self->signature_switch);
  on_field_changed_cb (self);
}

static void
on_job_account_changed_cb (EpMergeMessageStep *self)
{
  show_signature (self);
  on_field_changed_cb (self);
}

static void
on_field_focus_enter_cb (GtkEventControllerFocus *controller,
                         EpMergeMessageStep      *self)
{
  self->insert_target = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
}

static void
on_from_row_selected_cb (AdwComboRow        *row,
                         GParamSpec         *pspec,
                         EpMergeMessageStep *self)
{
  guint pos = adw_combo_row_get_selected (row);

  if (self->accounts == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->accounts->len)
    ep_merge_job_set_account (self->job, NULL);
  else
    ep_merge_job_set_account (self->job, g_ptr_array_index (self->accounts, pos));
}

static void
attach_chooser_response (GtkNativeDialog    *chooser,
                         int                 response,
                         EpMergeMessageStep *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *path = g_file_get_path (file);

          if (path != NULL)
            add_shared_attachment (self, path);
        }
      update_template (self);
    }
  g_object_unref (chooser);
}

static void
template_load_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EpMergeMessageStep) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, NULL, NULL, &error) ||
      (tmpl = ep_template_parse (contents, &error)) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_merge_error_dialog (GTK_WIDGET (self), _("The Template Cannot Be Opened"), error->message);
      return;
    }
  apply_template (self, tmpl);
}

static void
open_template_response (GtkNativeDialog    *chooser,
                        int                 response,
                        EpMergeMessageStep *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      GFileType type = g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL);

      /* A FIFO would block the loading thread for good. */
      if (type == G_FILE_TYPE_REGULAR || type == G_FILE_TYPE_UNKNOWN)
        g_file_load_contents_async (file, self->cancellable, template_load_cb, g_object_ref (self));
      else
        _ep_merge_error_dialog (GTK_WIDGET (self), _("The Template Cannot Be Opened"),
                                type == G_FILE_TYPE_DIRECTORY
                                  ? _("This is a folder, not a template")
                                  : _("This is not a regular file (a pipe, a socket or a device)"));
    }
  g_object_unref (chooser);
}

static void
template_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EpMergeMessageStep) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ep_merge_error_dialog (GTK_WIDGET (self), _("The Template Was Not Saved"), error->message);
    }
  else
    _ep_merge_toast (GTK_WIDGET (self), _("Template saved"));
}

static void
save_template_response (GtkNativeDialog    *chooser,
                        int                 response,
                        EpMergeMessageStep *self)
{
  EpTemplate *tmpl = ep_merge_job_get_template (self->job);

  if (response == GTK_RESPONSE_ACCEPT && tmpl != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      char *text = ep_template_to_text (tmpl);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                           self->cancellable, template_saved_cb, g_object_ref (self));
    }
  g_object_unref (chooser);
}

/* ---- actions ---------------------------------------------------------------- */

static void
show_chooser (EpMergeMessageStep   *self,
              GtkFileChooserNative *chooser,
              GCallback             response)
{
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", response, self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
merge_add_attachment_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  EpMergeMessageStep *self = EP_MERGE_MESSAGE_STEP (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Attach Files for Everyone"), _ep_merge_parent_window (widget),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  show_chooser (self, chooser, G_CALLBACK (attach_chooser_response));
}

static void
merge_open_template_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  EpMergeMessageStep *self = EP_MERGE_MESSAGE_STEP (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Open Template"), _ep_merge_parent_window (widget),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  show_chooser (self, chooser, G_CALLBACK (open_template_response));
}

static void
merge_save_template_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  EpMergeMessageStep *self = EP_MERGE_MESSAGE_STEP (widget);
  GtkFileChooserNative *chooser;

  if (ep_merge_job_get_template (self->job) == NULL)
    {
      update_template (self);
      if (ep_merge_job_get_template (self->job) == NULL)
        return;
    }

  chooser = gtk_file_chooser_native_new (_("Save Template"), _ep_merge_parent_window (widget),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("template.txt"));
  show_chooser (self, chooser, G_CALLBACK (save_template_response));
}

/* ---- EpMergeStep ------------------------------------------------------------ */

static void
ep_merge_message_step_enter (EpMergeStep *step)
{
  update_template (EP_MERGE_MESSAGE_STEP (step));
}

static void
ep_merge_step_iface_init (EpMergeStepInterface *iface)
{
  iface->enter = ep_merge_message_step_enter;
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ep_merge_message_step_dispose (GObject *object)
{
  EpMergeMessageStep *self = (EpMergeMessageStep *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_MERGE_MESSAGE_STEP);
  self->insert_target = NULL;
  g_clear_object (&self->job);

  G_OBJECT_CLASS (ep_merge_message_step_parent_class)->dispose (object);
}

static void
ep_merge_message_step_finalize (GObject *object)
{
  EpMergeMessageStep *self = (EpMergeMessageStep *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->shared_attachments, g_ptr_array_unref);
  g_free (self->wanted_account_uid);

  G_OBJECT_CLASS (ep_merge_message_step_parent_class)->finalize (object);
}

static void
ep_merge_message_step_constructed (GObject *object)
{
  EpMergeMessageStep *self = (EpMergeMessageStep *)object;

  G_OBJECT_CLASS (ep_merge_message_step_parent_class)->constructed (object);

  g_signal_connect_object (self->job, "notify::table", G_CALLBACK (on_job_table_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::template", G_CALLBACK (on_job_can_continue_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::account", G_CALLBACK (on_job_can_continue_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::account", G_CALLBACK (on_job_account_changed_cb),
                           self, G_CONNECT_SWAPPED);
  show_signature (self);
}

static void
ep_merge_message_step_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EpMergeMessageStep *self = EP_MERGE_MESSAGE_STEP (object);

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
ep_merge_message_step_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EpMergeMessageStep *self = EP_MERGE_MESSAGE_STEP (object);

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
ep_merge_message_step_class_init (EpMergeMessageStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_merge_message_step_dispose;
  object_class->finalize = ep_merge_message_step_finalize;
  object_class->constructed = ep_merge_message_step_constructed;
  object_class->get_property = ep_merge_message_step_get_property;
  object_class->set_property = ep_merge_message_step_set_property;

  g_object_class_override_property (object_class, PROP_JOB, "job");
  g_object_class_override_property (object_class, PROP_CAN_CONTINUE, "can-continue");

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/merge/ep-merge-message-step.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, from_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, to_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, cc_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, bcc_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, reply_to_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, subject_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, chip_box);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, body_view);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, markdown_switch);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, signature_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, signature_switch);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, attachment_column_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, shared_list);
  gtk_widget_class_bind_template_child (widget_class, EpMergeMessageStep, template_error_label);

  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_signature_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_focus_enter_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_from_row_selected_cb);

  gtk_widget_class_install_action (widget_class, "merge.add-attachment", NULL, merge_add_attachment_action);
  gtk_widget_class_install_action (widget_class, "merge.open-template", NULL, merge_open_template_action);
  gtk_widget_class_install_action (widget_class, "merge.save-template", NULL, merge_save_template_action);
}

static void
ep_merge_message_step_init (EpMergeMessageStep *self)
{
  self->cancellable = g_cancellable_new ();
  self->shared_attachments = g_ptr_array_new_with_free_func (g_free);
  self->want_signature = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- public API ------------------------------------------------------------- */

GtkWidget *
ep_merge_message_step_new (EpMergeJob *job)
{
  return g_object_new (EP_TYPE_MERGE_MESSAGE_STEP, "job", job, NULL);
}

void
ep_merge_message_step_set_accounts (EpMergeMessageStep *self,
                                    GPtrArray          *accounts)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  EpAccount *current = ep_merge_job_get_account (self->job);
  g_autofree char *previous = NULL;
  guint selected = 0;

  g_return_if_fail (EP_IS_MERGE_MESSAGE_STEP (self));

  if (current != NULL)
    previous = g_strdup (ep_account_get_uid (current));

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  self->accounts = g_ptr_array_ref (accounts);

  for (guint i = 0; i < accounts->len; i++)
    {
      EpAccount *a = g_ptr_array_index (accounts, i);
      char *label = g_strdup_printf ("%s <%s>", ep_account_get_name (a), ep_account_get_address (a));

      g_ptr_array_add (labels, label);
      if (self->wanted_account_uid != NULL
          ? g_strcmp0 (ep_account_get_uid (a), self->wanted_account_uid) == 0
          : previous != NULL ? g_strcmp0 (ep_account_get_uid (a), previous) == 0
                             : ep_account_get_is_default (a))
        selected = i;
    }
  g_ptr_array_add (labels, NULL);
  _ep_merge_set_string_model (self->from_row, (const char * const *) labels->pdata, selected);
  /* The selection may not have moved while the account behind it did. */
  on_from_row_selected_cb (self->from_row, NULL, self);
}

void
ep_merge_message_step_set_to_column (EpMergeMessageStep *self,
                                     const char         *column)
{
  g_autofree char *text = NULL;

  g_return_if_fail (EP_IS_MERGE_MESSAGE_STEP (self));

  text = _ep_merge_chip_text (column);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), text);
}

/* The message as written (a{sv}: the fields, Markdown, shared attachments,
 * the attachment column, the sender's account), also when it does not
 * parse yet: what the wizard keeps as the merge's draft. */
GVariant *
ep_merge_message_step_save_state (EpMergeMessageStep *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(EpTemplateParts) parts = NULL;
  g_autofree char *column = NULL;
  EpAccount *account;

  g_return_val_if_fail (EP_IS_MERGE_MESSAGE_STEP (self), NULL);

  parts = collect_parts (self);
  column = attachment_column (self);
  account = ep_merge_job_get_account (self->job);
  g_variant_dict_insert (&dict, "to", "s", parts->to);
  g_variant_dict_insert (&dict, "cc", "s", parts->cc);
  g_variant_dict_insert (&dict, "bcc", "s", parts->bcc);
  g_variant_dict_insert (&dict, "reply-to", "s", parts->reply_to);
  g_variant_dict_insert (&dict, "subject", "s", parts->subject);
  g_variant_dict_insert (&dict, "body", "s", parts->body);
  g_variant_dict_insert (&dict, "markdown", "b", parts->markdown);
  g_variant_dict_insert (&dict, "signature", "b", self->want_signature);
  g_variant_dict_insert_value (&dict, "attachments",
                               g_variant_new_strv ((const char * const *) self->shared_attachments->pdata,
                                                   self->shared_attachments->len));
  if (column != NULL)
    g_variant_dict_insert (&dict, "attachment-column", "s", column);
  if (account != NULL)
    g_variant_dict_insert (&dict, "account", "s", ep_account_get_uid (account));

  return g_variant_dict_end (&dict);
}

/* Puts a draft saved by ep_merge_message_step_save_state() back, once the
 * spreadsheet is read (the attachment column is one of its columns). */
void
ep_merge_message_step_set_parts (EpMergeMessageStep    *self,
                                 const EpTemplateParts *parts,
                                 const char            *account_uid)
{
  g_return_if_fail (EP_IS_MERGE_MESSAGE_STEP (self));
  g_return_if_fail (parts != NULL);

  if (account_uid != NULL)
    {
      g_free (self->wanted_account_uid);
      self->wanted_account_uid = g_strdup (account_uid);
      if (self->accounts != NULL)
        {
          g_autoptr(GPtrArray) accounts = g_ptr_array_ref (self->accounts);

          ep_merge_message_step_set_accounts (self, accounts);
        }
    }
  apply_parts (self, parts);
}

void
ep_merge_message_step_restore_state (EpMergeMessageStep *self,
                                     GVariant           *state)
{
  g_autoptr(EpTemplateParts) parts = ep_template_parts_new ();
  g_autofree const char **shared = NULL;
  const char *column = NULL;
  const char *account = NULL;

  g_return_if_fail (EP_IS_MERGE_MESSAGE_STEP (self));
  g_return_if_fail (g_variant_is_of_type (state, G_VARIANT_TYPE_VARDICT));

  g_variant_lookup (state, "to", "s", &parts->to);
  g_variant_lookup (state, "cc", "s", &parts->cc);
  g_variant_lookup (state, "bcc", "s", &parts->bcc);
  g_variant_lookup (state, "reply-to", "s", &parts->reply_to);
  g_variant_lookup (state, "subject", "s", &parts->subject);
  g_variant_lookup (state, "body", "s", &parts->body);
  g_variant_lookup (state, "markdown", "b", &parts->markdown);
  if (!g_variant_lookup (state, "signature", "b", &self->want_signature))
    self->want_signature = TRUE;
  show_signature (self);
  if (g_variant_lookup (state, "attachments", "^a&s", &shared))
    for (guint i = 0; shared[i] != NULL; i++)
      g_ptr_array_add (parts->attachments, g_strdup (shared[i]));
  if (g_variant_lookup (state, "attachment-column", "&s", &column))
    g_ptr_array_add (parts->attachments, _ep_merge_chip_text (column));

  if (g_variant_lookup (state, "account", "&s", &account))
    {
      g_free (self->wanted_account_uid);
      self->wanted_account_uid = g_strdup (account);
      if (self->accounts != NULL)
        {
          g_autoptr(GPtrArray) accounts = g_ptr_array_ref (self->accounts);

          ep_merge_message_step_set_accounts (self, accounts);
        }
    }
  apply_parts (self, parts);
}
