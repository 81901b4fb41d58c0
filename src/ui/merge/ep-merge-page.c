/* ep-merge-page.c: the Merge pane
 *
 * Steps: open a spreadsheet (file chooser, drop, or "Open With") → Data
 * (sheet, encoding, separator, address column, a preview of every row) →
 * Message (template with column chips) → Preview (any row rendered, every
 * row checked) → Send (test, pacing, confirmation) → progress → done.
 *
 * Reading, checking, creating the campaign and sending all run in worker
 * threads through the core; the campaign itself belongs to an
 * EpCampaignTask held by the application, so it keeps going when the
 * window closes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-application.h"
#include "ep-campaign-task.h"
#include "ep-merge-page.h"
#include "prefs/ep-password-dialog.h"
#include "widgets/ep-a11y.h"
#include "widgets/ep-toast.h"

/* ---- list items ---------------------------------------------------------- */

/* A row of the table, by index; made on demand by EpTableModel. */
#define EP_TYPE_ROW_ITEM (ep_row_item_get_type ())
G_DECLARE_FINAL_TYPE (EpRowItem, ep_row_item, EP, ROW_ITEM, GObject)

struct _EpRowItem
{
  GObject parent_instance;
  guint   index;
};

G_DEFINE_FINAL_TYPE (EpRowItem, ep_row_item, G_TYPE_OBJECT)

static void ep_row_item_class_init (EpRowItemClass *klass) { }
static void ep_row_item_init (EpRowItem *self) { }

/* All rows of an EpTable as a GListModel, without an object per row kept
 * around: 100,000 rows cost nothing until they scroll into view. */
#define EP_TYPE_TABLE_MODEL (ep_table_model_get_type ())
G_DECLARE_FINAL_TYPE (EpTableModel, ep_table_model, EP, TABLE_MODEL, GObject)

struct _EpTableModel
{
  GObject  parent_instance;
  EpTable *table;
};

static GType
ep_table_model_get_item_type (GListModel *model)
{
  return EP_TYPE_ROW_ITEM;
}

static guint
ep_table_model_get_n_items (GListModel *model)
{
  return ep_table_get_n_rows (EP_TABLE_MODEL (model)->table);
}

static gpointer
ep_table_model_get_item (GListModel *model,
                         guint       position)
{
  EpRowItem *item;

  if (position >= ep_table_get_n_rows (EP_TABLE_MODEL (model)->table))
    return NULL;

  item = g_object_new (EP_TYPE_ROW_ITEM, NULL);
  item->index = position;
  return item;
}

static void
ep_table_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ep_table_model_get_item_type;
  iface->get_n_items = ep_table_model_get_n_items;
  iface->get_item = ep_table_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (EpTableModel, ep_table_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ep_table_model_list_model_init))

static void
ep_table_model_finalize (GObject *object)
{
  g_clear_pointer (&EP_TABLE_MODEL (object)->table, ep_table_unref);
  G_OBJECT_CLASS (ep_table_model_parent_class)->finalize (object);
}

static void ep_table_model_class_init (EpTableModelClass *klass) { G_OBJECT_CLASS (klass)->finalize = ep_table_model_finalize; }
static void ep_table_model_init (EpTableModel *self) { }

/* A recipient of the campaign being sent. */
#define EP_TYPE_RECIPIENT_ITEM (ep_recipient_item_get_type ())
G_DECLARE_FINAL_TYPE (EpRecipientItem, ep_recipient_item, EP, RECIPIENT_ITEM, GObject)

struct _EpRecipientItem
{
  GObject  parent_instance;
  guint    row_number;
  char    *address;
  char    *state;
  char    *reply;
};

G_DEFINE_FINAL_TYPE (EpRecipientItem, ep_recipient_item, G_TYPE_OBJECT)

enum { RI_PROP_0, RI_PROP_STATE, RI_N_PROPS };
static GParamSpec *ri_props[RI_N_PROPS];

static void
ep_recipient_item_finalize (GObject *object)
{
  EpRecipientItem *self = EP_RECIPIENT_ITEM (object);

  g_free (self->address);
  g_free (self->state);
  g_free (self->reply);
  G_OBJECT_CLASS (ep_recipient_item_parent_class)->finalize (object);
}

static void
ep_recipient_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  if (prop_id == RI_PROP_STATE)
    g_value_set_string (value, EP_RECIPIENT_ITEM (object)->state);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ep_recipient_item_class_init (EpRecipientItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ep_recipient_item_finalize;
  object_class->get_property = ep_recipient_item_get_property;
  ri_props[RI_PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, RI_N_PROPS, ri_props);
}

static void ep_recipient_item_init (EpRecipientItem *self) { }

/* ---- the page ------------------------------------------------------------ */

struct _EpMergePage
{
  GtkWidget          parent_instance;

  /* template widgets */
  GtkWidget         *box;
  GtkStack          *steps;
  AdwPreferencesGroup *resume_group;
  GtkLabel          *loading_label;
  GtkProgressBar    *loading_progress;
  AdwActionRow      *file_row;
  AdwComboRow       *sheet_row;
  AdwComboRow       *encoding_row;
  AdwComboRow       *delimiter_row;
  AdwComboRow       *address_row;
  GtkLabel          *warnings_label;
  GtkScrolledWindow *table_scroller;
  AdwComboRow       *from_row;
  AdwEntryRow       *to_row;
  AdwEntryRow       *cc_row;
  AdwEntryRow       *bcc_row;
  AdwEntryRow       *reply_to_row;
  AdwEntryRow       *subject_row;
  GtkFlowBox        *chip_box;
  GtkTextView       *body_view;
  GtkSwitch         *markdown_switch;
  AdwComboRow       *attachment_column_row;
  GtkListBox        *shared_list;
  GtkLabel          *template_error_label;
  GtkAdjustment     *row_adjustment;
  GtkSpinButton     *row_spin;
  GtkLabel          *row_of_label;
  GtkLabel          *row_problems_label;
  AdwActionRow      *preview_to_row;
  AdwActionRow      *preview_subject_row;
  AdwActionRow      *preview_attachments_row;
  GtkTextView       *preview_body;
  AdwEntryRow       *ranges_row;
  GtkLabel          *report_summary_label;
  GtkListBox        *report_list;
  GtkSpinButton     *connections_spin;
  GtkSpinButton     *rate_spin;
  GtkSpinButton     *daily_spin;
  GtkLabel          *pacing_label;
  GtkButton         *send_button;
  GtkLabel          *progress_title;
  GtkProgressBar    *progress_bar;
  GtkLabel          *progress_stats;
  GtkLabel          *progress_reason;
  GtkWidget         *pause_button;
  GtkWidget         *resume_button;
  GtkWidget         *cancel_button;
  GtkScrolledWindow *recipients_scroller;
  AdwStatusPage     *done_page;
  GtkWidget         *nav_bar;
  GtkLabel          *step_label;
  GtkWidget         *next_step_button;

  /* owned */
  EpContext         *context;
  GCancellable      *cancellable;
  GCancellable      *read_cancellable;
  GPtrArray         *accounts;
  char              *path;
  char              *base_dir;
  EpTable           *table;
  EpTemplate        *tmpl;
  EpMergeReport     *report;
  GPtrArray         *shared_attachments;   /* char *: paths */
  GtkWidget         *insert_target;        /* the field the chips type into */
  struct _ReadProgress *read_progress;
  guint              read_poll_id;
  GtkWidget         *valid_only_button;   /* continue with the valid rows only */
  gboolean           skip_invalid;
  gboolean           campaign_over;       /* finished or cancelled */
  guint              validate_serial;
  gboolean           updating;
  gboolean           validating;

  EpCampaignTask    *task;
  GListStore        *recipients;
  GHashTable        *recipient_items;      /* row_number → EpRecipientItem */
};

G_DEFINE_FINAL_TYPE (EpMergePage, ep_merge_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct { const char *label; const char *encoding; } encodings[] = {
  { N_("Detect Automatically"), NULL },
  { "UTF-8", "UTF-8" },
  { "UTF-16", "UTF-16" },
  { N_("Western (Windows-1252)"), "WINDOWS-1252" },
  { N_("Western (ISO-8859-1)"), "ISO-8859-1" },
  { N_("Western (ISO-8859-15)"), "ISO-8859-15" },
  { N_("Central European (Windows-1250)"), "WINDOWS-1250" },
  { N_("Central European (ISO-8859-2)"), "ISO-8859-2" },
  { N_("Cyrillic (Windows-1251)"), "WINDOWS-1251" },
  { N_("Greek (Windows-1253)"), "WINDOWS-1253" },
  { N_("Turkish (Windows-1254)"), "WINDOWS-1254" },
};

static const struct { const char *label; char delimiter; } delimiters[] = {
  { N_("Detect Automatically"), 0 },
  { N_("Comma"), ',' },
  { N_("Semicolon"), ';' },
  { N_("Tab"), '\t' },
  { N_("Vertical Bar"), '|' },
};

static void go_to_step     (EpMergePage *self,
                            const char  *name);
static void start_reading  (EpMergePage *self);
static void show_task      (EpMergePage *self,
                            EpCampaignTask *task);
static void refresh_resume (EpMergePage *self);

static void
toast (EpMergePage *self,
       const char  *text)
{
  ep_toast_show_text (GTK_WIDGET (self), "merge", text);
}

static GtkWindow *
parent_window (EpMergePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
error_dialog (EpMergePage *self,
              const char  *heading,
              const char  *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static EpAccount *
selected_account (EpMergePage *self)
{
  guint pos = adw_combo_row_get_selected (self->from_row);

  if (self->accounts == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->accounts->len)
    return NULL;
  return g_ptr_array_index (self->accounts, pos);
}

static char *
text_view_get_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

gboolean
ep_merge_page_is_spreadsheet (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *lower = path ? g_ascii_strdown (path, -1) : NULL;

  return lower != NULL &&
         (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv") ||
          g_str_has_suffix (lower, ".xlsx") || g_str_has_suffix (lower, ".ods"));
}

/* ---- steps ----------------------------------------------------------------- */

static const char *wizard_steps[] = { "data", "message", "preview", "send" };

static int
step_index (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (wizard_steps); i++)
    if (g_strcmp0 (name, wizard_steps[i]) == 0)
      return i;
  return -1;
}

static void update_navigation (EpMergePage *self);

static void
go_to_step (EpMergePage *self,
            const char  *name)
{
  gtk_stack_set_visible_child_name (self->steps, name);
  update_navigation (self);
}

static gboolean
message_ready (EpMergePage *self)
{
  return self->tmpl != NULL && selected_account (self) != NULL;
}

static void
update_navigation (EpMergePage *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->steps);
  int index = step_index (name);
  gboolean can_next = FALSE;

  gtk_widget_set_visible (self->nav_bar, index >= 0);
  if (index < 0)
    return;

  {
    g_autofree char *text = g_strdup_printf (_("Step %d of %u: %s"), index + 1,
                                             (guint) G_N_ELEMENTS (wizard_steps),
                                             gtk_stack_page_get_title (gtk_stack_get_page (self->steps,
                                                                                            gtk_stack_get_visible_child (self->steps))));
    gtk_label_set_label (self->step_label, text);
  }

  switch (index)
    {
    case 0:
      can_next = self->table != NULL && ep_table_get_n_rows (self->table) > 0;
      break;
    case 1:
      can_next = message_ready (self);
      break;
    case 2:
      can_next = self->report != NULL && !self->validating && self->report->valid_rows->len > 0 &&
                 (self->report->problems->len == 0 || self->skip_invalid);
      break;
    default:
      can_next = FALSE;
      break;
    }

  gtk_widget_set_visible (self->next_step_button, index < (int) G_N_ELEMENTS (wizard_steps) - 1);
  gtk_widget_set_sensitive (self->next_step_button, can_next);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.next", can_next);
}

/* ---- data step ------------------------------------------------------------- */

static void
cell_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_list_item_set_child (item, label);
}

static void
cell_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  EpMergePage *self = g_object_get_data (G_OBJECT (factory), "page");
  int column = GPOINTER_TO_INT (user_data);
  EpRowItem *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));

  if (self->table == NULL || row->index >= ep_table_get_n_rows (self->table))
    gtk_label_set_label (label, "");
  else if (column < 0)
    {
      char number[16];
      g_snprintf (number, sizeof number, "%u", ep_table_get_row_number (self->table, row->index));
      gtk_label_set_label (label, number);
    }
  else
    {
      const char *value = ep_table_get_value (self->table, row->index, column);
      /* One line per cell: show line breaks as ⏎. */
      if (strchr (value, '\n') != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (value, "\n", -1);
          g_autofree char *joined = g_strjoinv (" ⏎ ", lines);
          gtk_label_set_label (label, joined);
        }
      else
        gtk_label_set_label (label, value);
    }
}

static GtkColumnViewColumn *
make_column (EpMergePage *self,
             const char  *title,
             int          column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_object_set_data (G_OBJECT (factory), "page", self);
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  return col;
}

static void
show_table (EpMergePage *self)
{
  g_autoptr(EpTableModel) model = g_object_new (EP_TYPE_TABLE_MODEL, NULL);
  GtkNoSelection *selection;
  GtkWidget *view;
  guint n_columns = ep_table_get_n_columns (self->table);

  model->table = ep_table_ref (self->table);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_steal_pointer (&model)));
  view = gtk_column_view_new (GTK_SELECTION_MODEL (selection));
  gtk_column_view_set_show_row_separators (GTK_COLUMN_VIEW (view), TRUE);
  gtk_column_view_set_show_column_separators (GTK_COLUMN_VIEW (view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Spreadsheet Rows"), -1);

  {
    GtkColumnViewColumn *col = make_column (self, _("Row"), -1);
    gtk_column_view_append_column (GTK_COLUMN_VIEW (view), col);
    g_object_unref (col);
  }
  for (guint c = 0; c < n_columns; c++)
    {
      GtkColumnViewColumn *col = make_column (self, ep_table_get_column (self->table, c), c);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), col);
      g_object_unref (col);
    }

  gtk_scrolled_window_set_child (self->table_scroller, view);
}

/* The column that looks like it holds addresses: by name, then by data. */
static int
guess_address_column (EpTable *table)
{
  static const char *names[] = { "email", "e-mail", "mail", "email address", "e-mail address",
                                 "courriel", "correo", "adresse e-mail", "address", NULL };
  guint n_columns = ep_table_get_n_columns (table);
  guint n_rows = MIN (ep_table_get_n_rows (table), 50);
  int best = -1;
  guint best_hits = 0;

  for (guint i = 0; names[i] != NULL; i++)
    for (guint c = 0; c < n_columns; c++)
      if (g_ascii_strcasecmp (ep_table_get_column (table, c), names[i]) == 0)
        return c;

  for (guint c = 0; c < n_columns; c++)
    {
      guint hits = 0;

      for (guint r = 0; r < n_rows; r++)
        if (strchr (ep_table_get_value (table, r, c), '@') != NULL)
          hits++;
      if (hits > best_hits)
        {
          best = c;
          best_hits = hits;
        }
    }

  return best_hits * 2 >= n_rows ? best : -1;
}

/* A column named like one that holds a file per row. */
static int
guess_attachment_column (EpTable *table)
{
  static const char *names[] = { "attachment", "attachments", "file", "files", "pdf",
                                 "anhang", "pièce jointe", "piece jointe", "adjunto", "bijlage", NULL };
  guint n_columns = ep_table_get_n_columns (table);

  for (guint i = 0; names[i] != NULL; i++)
    for (guint c = 0; c < n_columns; c++)
      if (g_ascii_strcasecmp (ep_table_get_column (table, c), names[i]) == 0 ||
          g_utf8_collate (ep_table_get_column (table, c), names[i]) == 0)
        return c;

  return -1;
}

/* Each combo row keeps one list for its life and only its items change,
 * so the row's selection and popover keep working on the same model. */
static void
set_string_model (AdwComboRow        *row,
                  const char * const *items,
                  guint               selected)
{
  GListModel *model = adw_combo_row_get_model (row);

  if (!GTK_IS_STRING_LIST (model))
    {
      g_autoptr(GtkStringList) list = gtk_string_list_new (items);
      adw_combo_row_set_model (row, G_LIST_MODEL (list));
    }
  else
    gtk_string_list_splice (GTK_STRING_LIST (model), 0, g_list_model_get_n_items (model), items);

  adw_combo_row_set_selected (row, selected);
}

static char *
column_chip_text (const char *column)
{
  return g_strdup_printf ("{{ %s }}", column);
}

static void
insert_column_text (EpMergePage *self,
                    const char  *text)
{
  GtkWidget *target = self->insert_target ? self->insert_target : GTK_WIDGET (self->body_view);

  if (GTK_IS_TEXT_VIEW (target))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (target));
      gtk_text_buffer_insert_at_cursor (buffer, text, -1);
    }
  else if (GTK_IS_EDITABLE (target))
    {
      int pos = gtk_editable_get_position (GTK_EDITABLE (target));
      gtk_editable_insert_text (GTK_EDITABLE (target), text, -1, &pos);
      gtk_editable_set_position (GTK_EDITABLE (target), pos);
    }
  gtk_widget_grab_focus (target);
}

static void
on_chip_clicked (GtkButton   *button,
                 EpMergePage *self)
{
  g_autofree char *text = column_chip_text (gtk_button_get_label (button));

  insert_column_text (self, text);
}

static gboolean
to_needs_address (EpMergePage *self)
{
  g_autofree char *to = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_row))));
  g_autofree char *name = NULL;

  if (*to == '\0')
    return TRUE;
  if (!g_str_has_prefix (to, "{{") || !g_str_has_suffix (to, "}}") || strstr (to + 2, "{{") != NULL)
    return FALSE;
  name = g_strstrip (g_strndup (to + 2, strlen (to) - 4));
  return ep_table_find_column (self->table, name) < 0;
}

static void
fill_columns (EpMergePage *self)
{
  guint n_columns = ep_table_get_n_columns (self->table);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) attachment_names = g_ptr_array_new ();
  GtkWidget *child;
  int address, attachment;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chip_box))) != NULL)
    gtk_flow_box_remove (self->chip_box, child);

  g_ptr_array_add (attachment_names, (gpointer) _("None"));
  for (guint c = 0; c < n_columns; c++)
    {
      const char *name = ep_table_get_column (self->table, c);
      GtkWidget *chip = gtk_button_new_with_label (name);
      g_autofree char *tooltip = g_strdup_printf (_("Insert “%s”"), name);

      gtk_widget_add_css_class (chip, "pill");
      gtk_widget_add_css_class (chip, "small");
      gtk_widget_set_tooltip_text (chip, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (chip), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      tooltip, -1);
      g_signal_connect (chip, "clicked", G_CALLBACK (on_chip_clicked), self);
      gtk_flow_box_append (self->chip_box, chip);
      g_ptr_array_add (names, (gpointer) name);
      g_ptr_array_add (attachment_names, (gpointer) name);
    }
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (attachment_names, NULL);

  address = guess_address_column (self->table);
  attachment = guess_attachment_column (self->table);
  self->updating = TRUE;
  set_string_model (self->address_row, (const char * const *) names->pdata,
                    address >= 0 ? (guint) address : GTK_INVALID_LIST_POSITION);
  set_string_model (self->attachment_column_row, (const char * const *) attachment_names->pdata,
                    attachment >= 0 ? (guint) attachment + 1 : 0);
  self->updating = FALSE;

  /* A sensible start for a new merge: To is the address column; so it is
   * when To names a single column this file does not have. */
  if (address >= 0 && to_needs_address (self))
    {
      g_autofree char *text = column_chip_text (ep_table_get_column (self->table, address));
      gtk_editable_set_text (GTK_EDITABLE (self->to_row), text);
    }
}

static void
table_loaded (EpMergePage *self,
              EpTable     *table)
{
  const char * const *warnings = ep_table_get_warnings (table);
  const char * const *sheets = ep_table_get_sheets (table);
  g_autofree char *base = g_path_get_basename (self->path);
  g_autofree char *subtitle = NULL;
  gboolean csv = ep_table_get_format (table) == EP_TABLE_FORMAT_CSV;

  g_clear_pointer (&self->table, ep_table_unref);
  self->table = ep_table_ref (table);
  g_clear_pointer (&self->report, ep_merge_report_free);

  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s — %u row, %u columns",
                                           "%s — %u rows, %u columns", ep_table_get_n_rows (table)),
                              base, ep_table_get_n_rows (table), ep_table_get_n_columns (table));
  adw_action_row_set_subtitle (self->file_row, subtitle);

  self->updating = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->sheet_row), sheets != NULL);
  if (sheets != NULL)
    {
      guint selected = 0;

      for (guint i = 0; sheets[i] != NULL; i++)
        if (g_strcmp0 (sheets[i], ep_table_get_sheet (table)) == 0)
          selected = i;
      set_string_model (self->sheet_row, sheets, selected);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->encoding_row), csv);
  gtk_widget_set_visible (GTK_WIDGET (self->delimiter_row), csv);
  if (csv)
    {
      /* Say what was detected beside "Detect Automatically". */
      const char *encoding = ep_table_get_encoding (table);
      char delimiter = ep_table_get_delimiter (table);
      g_autofree char *detected = g_strdup_printf (_("Detected: %s"), encoding ? encoding : "?");
      g_autofree char *separator = g_strdup_printf (_("Detected: %s"),
                                                    delimiter == '\t' ? _("Tab") :
                                                    delimiter == ';' ? _("Semicolon") :
                                                    delimiter == '|' ? _("Vertical Bar") : _("Comma"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->encoding_row), detected);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->delimiter_row), separator);
    }
  self->updating = FALSE;

  if (warnings != NULL && warnings[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv ("\n", (char **) warnings);
      gtk_label_set_label (self->warnings_label, joined);
      gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), FALSE);

  show_table (self);
  fill_columns (self);
  go_to_step (self, "data");
}

/* Shared by the page and one read: the worker writes, the page polls. */
typedef struct _ReadProgress
{
  int permille;
} ReadProgress;

typedef struct
{
  EpMergePage  *page;
  ReadProgress *progress;
} ReadContext;

static void
read_progress_cb (guint64  done,
                  guint64  total,
                  gpointer user_data)
{
  ReadProgress *progress = user_data;

  g_atomic_int_set (&progress->permille, total > 0 ? (int) (done * 1000 / total) : 0);
}

static gboolean
poll_read_progress (gpointer user_data)
{
  EpMergePage *self = user_data;

  if (self->read_progress != NULL)
    gtk_progress_bar_set_fraction (self->loading_progress,
                                   g_atomic_int_get (&self->read_progress->permille) / 1000.0);
  return G_SOURCE_CONTINUE;
}

static void
stop_read_poll (EpMergePage *self)
{
  g_clear_handle_id (&self->read_poll_id, g_source_remove);
  g_clear_pointer (&self->read_progress, g_atomic_rc_box_release);
}

static void
read_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ReadContext *ctx = user_data;
  g_autoptr(EpMergePage) self = ctx->page;
  g_autoptr(GError) error = NULL;
  g_autoptr(EpTable) table = ep_table_read_finish (result, &error);
  gboolean current = ctx->progress == self->read_progress;

  g_atomic_rc_box_release (ctx->progress);
  g_free (ctx);

  /* A newer read replaced this one: its result no longer matters. */
  if (!current)
    return;
  stop_read_poll (self);

  if (table == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          go_to_step (self, self->table != NULL ? "data" : "start");
          return;
        }
      go_to_step (self, self->table != NULL ? "data" : "start");
      {
        g_autofree char *base = g_path_get_basename (self->path);
        g_autofree char *heading = g_strdup_printf (_("“%s” Cannot Be Read"), base);
        error_dialog (self, heading, error->message);
      }
      return;
    }

  table_loaded (self, table);
}

static void
start_reading (EpMergePage *self)
{
  EpTableOptions options = { 0, };
  g_autofree char *sheet = NULL;
  guint pos;
  ReadContext *ctx;

  if (self->path == NULL)
    return;

  g_cancellable_cancel (self->read_cancellable);
  g_clear_object (&self->read_cancellable);
  self->read_cancellable = g_cancellable_new ();

  if (self->table != NULL && gtk_widget_get_visible (GTK_WIDGET (self->sheet_row)))
    {
      GtkStringObject *item = adw_combo_row_get_selected_item (self->sheet_row);
      if (item != NULL)
        sheet = g_strdup (gtk_string_object_get_string (item));
    }
  options.sheet = sheet;
  pos = adw_combo_row_get_selected (self->encoding_row);
  if (pos < G_N_ELEMENTS (encodings))
    options.encoding = encodings[pos].encoding;
  pos = adw_combo_row_get_selected (self->delimiter_row);
  if (pos < G_N_ELEMENTS (delimiters))
    options.delimiter = delimiters[pos].delimiter;

  stop_read_poll (self);
  self->read_progress = g_atomic_rc_box_new0 (ReadProgress);
  ctx = g_new0 (ReadContext, 1);
  ctx->page = g_object_ref (self);
  ctx->progress = g_atomic_rc_box_acquire (self->read_progress);
  options.progress = read_progress_cb;
  options.progress_data = ctx->progress;

  {
    g_autofree char *base = g_path_get_basename (self->path);
    g_autofree char *text = g_strdup_printf (_("Reading “%s”…"), base);
    gtk_label_set_label (self->loading_label, text);
  }
  gtk_progress_bar_set_fraction (self->loading_progress, 0);
  go_to_step (self, "loading");

  self->read_poll_id = g_timeout_add (100, poll_read_progress, self);

  ep_table_read_async (self->path, &options, self->read_cancellable, read_done, ctx);
}

static void
on_read_option_changed (EpMergePage *self)
{
  if (!self->updating && self->path != NULL)
    start_reading (self);
}

static void
open_path (EpMergePage *self,
           const char  *path)
{
  g_free (self->path);
  self->path = g_strdup (path);
  g_free (self->base_dir);
  self->base_dir = g_path_get_dirname (path);

  /* A new file starts from detection, whatever the last one needed. */
  self->updating = TRUE;
  adw_combo_row_set_selected (self->encoding_row, 0);
  adw_combo_row_set_selected (self->delimiter_row, 0);
  self->updating = FALSE;
  g_clear_pointer (&self->table, ep_table_unref);
  gtk_widget_set_visible (GTK_WIDGET (self->sheet_row), FALSE);

  start_reading (self);
}

static gboolean
editing_a_merge (EpMergePage *self)
{
  const char *step = gtk_stack_get_visible_child_name (self->steps);

  return self->table != NULL && step_index (step) >= 0;
}

static void
replace_response (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (user_data);
  const char *path = g_object_get_data (G_OBJECT (dialog), "path");

  if (g_strcmp0 (response, "replace") == 0)
    open_path (self, path);
}

void
ep_merge_page_open_file (EpMergePage *self,
                         GFile       *file)
{
  g_autofree char *path = g_file_get_path (file);
  GtkWidget *dialog;
  g_autofree char *current = NULL;
  g_autofree char *next = NULL;
  g_autofree char *body = NULL;

  g_return_if_fail (EP_IS_MERGE_PAGE (self));

  if (path == NULL)
    return;

  if (!editing_a_merge (self) || g_strcmp0 (path, self->path) == 0)
    {
      open_path (self, path);
      return;
    }

  current = g_path_get_basename (self->path);
  next = g_path_get_basename (path);
  body = g_strdup_printf (_("The merge of “%s” is being prepared. Open “%s” instead? "
                            "The message you wrote stays."), current, next);
  dialog = adw_message_dialog_new (parent_window (self), _("Replace the Spreadsheet?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep"),
                                    "replace", _("_Open"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "path", g_steal_pointer (&path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (replace_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_chooser_response (GtkNativeDialog *chooser,
                       int              response,
                       gpointer         user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      ep_merge_page_open_file (self, file);
    }
  g_object_unref (chooser);
}

static GtkFileFilter *
spreadsheet_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Spreadsheets"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_mime_type (filter, "text/tab-separated-values");
  gtk_file_filter_add_mime_type (filter, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  gtk_file_filter_add_mime_type (filter, "application/vnd.oasis.opendocument.spreadsheet");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_filter_add_suffix (filter, "xlsx");
  gtk_file_filter_add_suffix (filter, "ods");
  return filter;
}

static void
merge_open_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = spreadsheet_filter ();

  chooser = gtk_file_chooser_native_new (_("Open Spreadsheet"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (open_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
merge_cancel_reading_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  g_cancellable_cancel (EP_MERGE_PAGE (widget)->read_cancellable);
}

/* ---- message step ------------------------------------------------------- */

static char *
attachment_column (EpMergePage *self)
{
  guint pos = adw_combo_row_get_selected (self->attachment_column_row);
  GtkStringObject *item;

  if (pos == 0 || pos == GTK_INVALID_LIST_POSITION)
    return NULL;
  item = adw_combo_row_get_selected_item (self->attachment_column_row);
  return item ? g_strdup (gtk_string_object_get_string (item)) : NULL;
}

static EpTemplateParts *
collect_parts (EpMergePage *self)
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
    g_ptr_array_add (parts->attachments, column_chip_text (column));

  return parts;
}

static void
update_template (EpMergePage *self)
{
  g_autoptr(EpTemplateParts) parts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;

  if (self->table == NULL)
    return;

  parts = collect_parts (self);
  tmpl = ep_template_new_from_parts (parts, &error);
  if (tmpl != NULL && !ep_template_check_columns (tmpl, self->table, &error))
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

  g_clear_pointer (&self->tmpl, ep_template_unref);
  self->tmpl = g_steal_pointer (&tmpl);
  g_clear_pointer (&self->report, ep_merge_report_free);
  update_navigation (self);
}

static void
on_address_column_changed (EpMergePage *self)
{
  GtkStringObject *item;
  g_autofree char *text = NULL;

  if (self->updating || self->table == NULL)
    return;
  item = adw_combo_row_get_selected_item (self->address_row);
  if (item == NULL)
    return;
  text = column_chip_text (gtk_string_object_get_string (item));
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), text);
}

static void
remove_shared_clicked (GtkButton   *button,
                       EpMergePage *self)
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
add_shared_attachment (EpMergePage *self,
                       const char  *path)
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

static void
attach_chooser_response (GtkNativeDialog *chooser,
                         int              response,
                         gpointer         user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (user_data);

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
merge_add_attachment_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Attach Files for Everyone"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (attach_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Fills the message fields from a template file. */
static void
apply_template (EpMergePage *self,
                EpTemplate  *tmpl)
{
  const EpTemplateParts *parts = ep_template_get_parts (tmpl);
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
      g_autofree char *trimmed = g_strstrip (g_strdup (a));
      gboolean placed = FALSE;

      /* "{{ Column }}" alone is the per-row attachment column. */
      if (g_str_has_prefix (trimmed, "{{") && g_str_has_suffix (trimmed, "}}") &&
          strstr (trimmed + 2, "{{") == NULL && self->table != NULL)
        {
          g_autofree char *name = g_strstrip (g_strndup (trimmed + 2, strlen (trimmed) - 4));
          int column = ep_table_find_column (self->table, name);

          if (column >= 0)
            {
              adw_combo_row_set_selected (self->attachment_column_row, column + 1);
              placed = TRUE;
            }
        }
      if (!placed)
        add_shared_attachment (self, a);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->shared_list), self->shared_attachments->len > 0);
  update_template (self);
}

static void
template_load_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EpMergePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(EpTemplate) tmpl = NULL;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, NULL, NULL, &error) ||
      (tmpl = ep_template_parse (contents, &error)) == NULL)
    {
      error_dialog (self, _("The Template Cannot Be Opened"), error->message);
      return;
    }
  apply_template (self, tmpl);
}

static void
open_template_response (GtkNativeDialog *chooser,
                        int              response,
                        gpointer         user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_file_load_contents_async (file, self->cancellable, template_load_cb, g_object_ref (self));
    }
  g_object_unref (chooser);
}

static void
merge_open_template_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Open Template"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (open_template_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
template_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EpMergePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    error_dialog (self, _("The Template Was Not Saved"), error->message);
  else
    toast (self, _("Template saved"));
}

static void
save_template_response (GtkNativeDialog *chooser,
                        int              response,
                        gpointer         user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (user_data);

  if (response == GTK_RESPONSE_ACCEPT && self->tmpl != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      char *text = ep_template_to_text (self->tmpl);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                           self->cancellable, template_saved_cb, g_object_ref (self));
    }
  g_object_unref (chooser);
}

static void
merge_save_template_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  GtkFileChooserNative *chooser;

  if (self->tmpl == NULL)
    {
      update_template (self);
      if (self->tmpl == NULL)
        return;
    }

  chooser = gtk_file_chooser_native_new (_("Save Template"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("template.txt"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_template_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_focus_enter (GtkEventControllerFocus *controller,
                EpMergePage             *self)
{
  self->insert_target = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
}

static void
track_focus (EpMergePage *self,
             GtkWidget   *widget)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect (focus, "enter", G_CALLBACK (on_focus_enter), self);
  gtk_widget_add_controller (widget, focus);
}

/* ---- preview step ------------------------------------------------------- */

static int
row_index_for_number (EpMergePage *self,
                      guint        row_number)
{
  guint lo = 0, hi;

  if (self->table == NULL)
    return -1;

  /* Row numbers grow with the index: binary search. */
  hi = ep_table_get_n_rows (self->table);
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint n = ep_table_get_row_number (self->table, mid);

      if (n == row_number)
        return mid;
      if (n < row_number)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < ep_table_get_n_rows (self->table) ? (int) lo : -1;
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

static void
show_preview (EpMergePage *self)
{
  guint number = (guint) gtk_adjustment_get_value (self->row_adjustment);
  int index = row_index_for_number (self, number);
  g_autoptr(GError) error = NULL;
  g_autoptr(EpDraft) draft = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);

  if (index < 0 || self->tmpl == NULL)
    return;

  /* The spin may have landed between two row numbers (blank lines). */
  number = ep_table_get_row_number (self->table, index);
  if ((guint) gtk_adjustment_get_value (self->row_adjustment) != number)
    gtk_adjustment_set_value (self->row_adjustment, number);

  {
    /* Row numbers are the spreadsheet's (the header is row 1). */
    g_autofree char *of = g_strdup_printf (_("Message %u of %u"), index + 1,
                                           ep_table_get_n_rows (self->table));
    gtk_label_set_label (self->row_of_label, of);
  }

  draft = ep_template_render (self->tmpl, self->table, index, self->base_dir, &error);
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

  if (self->report != NULL)
    {
      g_autoptr(GPtrArray) row_problems = ep_merge_report_row_problems (self->report, index);

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
}

static void
on_problem_row_activated (AdwActionRow *row,
                          EpMergePage  *self)
{
  guint number = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "row-number"));

  gtk_adjustment_set_value (self->row_adjustment, number);
}

static void
show_report (EpMergePage *self)
{
  GtkWidget *child;
  EpMergeReport *report = self->report;
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
  for (int kind = EP_MERGE_PROBLEM_NO_RECIPIENT; kind <= EP_MERGE_PROBLEM_TEMPLATE; kind++)
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

typedef struct
{
  EpTemplate  *tmpl;
  EpTable     *table;
  char        *ranges;     /* text; parsed in the worker */
  char        *base_dir;
  guint        serial;
} ValidateData;

static void
validate_data_free (gpointer data)
{
  ValidateData *v = data;

  ep_template_unref (v->tmpl);
  ep_table_unref (v->table);
  g_free (v->ranges);
  g_free (v->base_dir);
  g_free (v);
}

static void
validate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ValidateData *v = task_data;
  GError *error = NULL;
  g_autoptr(EpRowRanges) ranges = ep_row_ranges_parse (v->ranges, &error);
  EpMergeReport *report = ranges == NULL ? NULL
                          : ep_merge_validate (v->tmpl, v->table, ranges, v->base_dir,
                                               cancellable, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) ep_merge_report_free);
}

static void
validate_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (object);
  ValidateData *v = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  EpMergeReport *report = g_task_propagate_pointer (G_TASK (result), &error);

  if (v->serial != self->validate_serial)
    {
      g_clear_pointer (&report, ep_merge_report_free);
      return;  /* a newer check is running */
    }

  self->validating = FALSE;
  g_clear_pointer (&self->report, ep_merge_report_free);
  self->report = report;
  self->skip_invalid = FALSE;

  if (report == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_label_set_label (self->report_summary_label, error->message);
    }

  show_report (self);
  show_preview (self);
  update_navigation (self);
}

static void
start_validation (EpMergePage *self)
{
  g_autoptr(GTask) task = NULL;
  ValidateData *v;

  if (self->tmpl == NULL || self->table == NULL)
    return;

  v = g_new0 (ValidateData, 1);
  v->tmpl = ep_template_ref (self->tmpl);
  v->table = ep_table_ref (self->table);
  v->ranges = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ranges_row)));
  v->base_dir = g_strdup (self->base_dir);
  v->serial = ++self->validate_serial;

  self->validating = TRUE;
  gtk_label_set_label (self->report_summary_label, _("Checking every row…"));
  update_navigation (self);

  task = g_task_new (self, self->cancellable, validate_done, NULL);
  g_task_set_source_tag (task, start_validation);
  g_task_set_task_data (task, v, validate_data_free);
  g_task_run_in_thread (task, validate_thread);
}

static void
on_ranges_changed (EpMergePage *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->ranges_row));
  EpRowRanges *ranges = ep_row_ranges_parse (text, &error);

  if (ranges == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->ranges_row), "error");
      gtk_label_set_label (self->report_summary_label, error->message);
      g_clear_pointer (&self->report, ep_merge_report_free);
      update_navigation (self);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->ranges_row), "error");

  ep_row_ranges_free (ranges);
  start_validation (self);
}

static void
enter_preview (EpMergePage *self)
{
  guint first = ep_table_get_row_number (self->table, 0);
  guint last = ep_table_get_row_number (self->table, ep_table_get_n_rows (self->table) - 1);

  gtk_adjustment_set_lower (self->row_adjustment, first);
  gtk_adjustment_set_upper (self->row_adjustment, last);
  if (gtk_adjustment_get_value (self->row_adjustment) < first ||
      gtk_adjustment_get_value (self->row_adjustment) > last)
    gtk_adjustment_set_value (self->row_adjustment, first);

  go_to_step (self, "preview");
  show_preview (self);
  start_validation (self);
}

static void
merge_previous_row_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  int index = row_index_for_number (self, (guint) gtk_adjustment_get_value (self->row_adjustment));

  if (index > 0)
    gtk_adjustment_set_value (self->row_adjustment, ep_table_get_row_number (self->table, index - 1));
}

static void
merge_next_row_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  int index = row_index_for_number (self, (guint) gtk_adjustment_get_value (self->row_adjustment));

  if (index >= 0 && (guint) index + 1 < ep_table_get_n_rows (self->table))
    gtk_adjustment_set_value (self->row_adjustment, ep_table_get_row_number (self->table, index + 1));
}

static void enter_send (EpMergePage *self);

static void
continue_with_valid_rows (EpMergePage *self)
{
  if (self->report == NULL || self->report->valid_rows->len == 0)
    return;
  self->skip_invalid = TRUE;
  enter_send (self);
}

/* ---- send step ---------------------------------------------------------- */

static const EpProvider *
account_provider (EpMergePage *self)
{
  EpAccount *account = selected_account (self);

  return account ? ep_provider_lookup (ep_account_get_preset (account)) : NULL;
}

static void
update_pacing_summary (EpMergePage *self)
{
  const EpProvider *provider = account_provider (self);
  guint n = self->report ? self->report->valid_rows->len : 0;
  guint rate = gtk_spin_button_get_value_as_int (self->rate_spin);
  guint daily = gtk_spin_button_get_value_as_int (self->daily_spin);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *button = NULL;

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

  if (daily > 0 && n > daily)
    g_string_append_printf (text, _("; more than the daily limit of %u, so the campaign pauses "
                                    "after %u and can be resumed a day later"), daily, daily);
  else if (provider != NULL && provider->per_day > 0)
    g_string_append_printf (text, _("; within %s’s %u per day"), provider->name, provider->per_day);
  g_string_append_c (text, '.');

  gtk_label_set_label (self->pacing_label, text->str);

  button = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Send %u Message", "_Send %u Messages", n), n);
  gtk_button_set_label (self->send_button, button);
  ep_a11y_name_button (GTK_WIDGET (self->send_button), button + 1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), n > 0);
}

static void
enter_send (EpMergePage *self)
{
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

  go_to_step (self, "send");
  update_pacing_summary (self);
}

typedef struct
{
  EpContext  *context;
  EpAccount  *account;
  EpTemplate *tmpl;
  EpTable    *table;
  GArray     *rows;
  char       *name;
  char       *base_dir;
  guint       connections, rate, daily;
  guint       test_row;
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *s = data;

  g_clear_object (&s->context);
  g_clear_object (&s->account);
  g_clear_pointer (&s->tmpl, ep_template_unref);
  g_clear_pointer (&s->table, ep_table_unref);
  g_clear_pointer (&s->rows, g_array_unref);
  g_free (s->name);
  g_free (s->base_dir);
  g_free (s);
}

static SendData *
send_data_new (EpMergePage *self)
{
  SendData *s = g_new0 (SendData, 1);

  s->context = g_object_ref (self->context);
  s->account = g_object_ref (selected_account (self));
  s->tmpl = ep_template_ref (self->tmpl);
  s->table = ep_table_ref (self->table);
  s->rows = g_array_ref (self->report->valid_rows);
  s->name = g_path_get_basename (self->path);
  s->base_dir = g_strdup (self->base_dir);
  s->connections = gtk_spin_button_get_value_as_int (self->connections_spin);
  s->rate = gtk_spin_button_get_value_as_int (self->rate_spin);
  s->daily = gtk_spin_button_get_value_as_int (self->daily_spin);
  s->test_row = g_array_index (s->rows, guint, 0);
  return s;
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendData *s = task_data;
  GError *error = NULL;
  char *message_id = NULL;

  if (!ep_campaign_test_send (s->context, s->account, s->tmpl, s->table, s->test_row,
                              s->base_dir, &message_id, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, message_id, g_free);
}

static void
test_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (object);
  SendData *s = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = g_task_propagate_pointer (G_TASK (result), &error);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.test-send", TRUE);
  if (message_id == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        error_dialog (self, _("The Test Message Was Not Sent"), error->message);
      return;
    }

  {
    g_autofree char *text = g_strdup_printf (_("Test message sent to %s"),
                                             ep_account_get_address (s->account));
    toast (self, text);
  }
}

static void
merge_test_send_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  g_autoptr(GTask) task = NULL;

  if (self->report == NULL || self->report->valid_rows->len == 0 || selected_account (self) == NULL)
    return;

  gtk_widget_action_set_enabled (widget, "merge.test-send", FALSE);
  task = g_task_new (self, self->cancellable, test_done, NULL);
  g_task_set_source_tag (task, merge_test_send_action);
  g_task_set_task_data (task, send_data_new (self), send_data_free);
  g_task_run_in_thread (task, test_thread);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SendData *s = task_data;
  GError *error = NULL;
  gint64 id = ep_campaign_create (s->context, s->account, s->tmpl, s->table, s->rows, s->name,
                                  s->base_dir, s->connections, s->rate, s->daily, &error);

  if (id == 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, id);
}

static void
create_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (object);
  g_autoptr(GError) error = NULL;
  gssize id = g_task_propagate_int (G_TASK (result), &error);
  EpCampaignTask *task;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.send", TRUE);
  if (id <= 0)
    {
      error_dialog (self, _("The Campaign Could Not Start"), error->message);
      return;
    }

  task = ep_application_get_campaign (EP_APPLICATION (g_application_get_default ()), id, &error);
  if (task == NULL)
    {
      error_dialog (self, _("The Campaign Could Not Start"), error->message);
      return;
    }
  show_task (self, task);
  ep_campaign_task_start (task);
}

static void
send_confirm_response (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (user_data);
  g_autoptr(GTask) task = NULL;

  if (g_strcmp0 (response, "send") != 0 || self->report == NULL)
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.send", FALSE);
  task = g_task_new (self, self->cancellable, create_done, NULL);
  g_task_set_source_tag (task, send_confirm_response);
  g_task_set_task_data (task, send_data_new (self), send_data_free);
  g_task_run_in_thread (task, create_thread);
}

static void
merge_send_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  EpAccount *account = selected_account (self);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  guint n;

  if (self->report == NULL || account == NULL)
    return;

  n = self->report->valid_rows->len;
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Send %u Message?", "Send %u Messages?", n), n);
  body = g_strdup_printf (_("From “%s” (%s). %s"), ep_account_get_name (account),
                          ep_account_get_address (account),
                          gtk_label_get_label (self->pacing_label));
  dialog = adw_message_dialog_new (parent_window (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "send", _("_Send"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "send");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (send_confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- progress ----------------------------------------------------------- */

static const char *
state_label (const char *state)
{
  if (g_strcmp0 (state, "sent") == 0) return _("Sent");
  if (g_strcmp0 (state, "failed") == 0) return _("Failed");
  if (g_strcmp0 (state, "deferred") == 0) return _("Waiting to retry");
  if (g_strcmp0 (state, "sending") == 0) return _("Sending");
  if (g_strcmp0 (state, "uncertain") == 0) return _("Uncertain, sending again");
  return _("Not sent yet");
}

static void
recipient_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
recipient_sync (EpRecipientItem *r,
                GParamSpec      *pspec,
                GtkListItem     *item)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (item), "column"));
  char number[16];

  switch (column)
    {
    case 0:
      g_snprintf (number, sizeof number, "%u", r->row_number);
      gtk_label_set_label (label, number);
      break;
    case 1:
      gtk_label_set_label (label, r->address);
      break;
    case 2:
      gtk_label_set_label (label, state_label (r->state));
      break;
    default:
      gtk_label_set_label (label, r->reply ? r->reply : "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), r->reply);
      break;
    }
}

static void
recipient_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  EpRecipientItem *r = gtk_list_item_get_item (item);

  g_object_set_data (G_OBJECT (item), "column", user_data);
  recipient_sync (r, NULL, item);
  g_signal_connect_object (r, "notify::state", G_CALLBACK (recipient_sync), item, 0);
}

static void
recipient_unbind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  EpRecipientItem *r = gtk_list_item_get_item (item);

  g_signal_handlers_disconnect_by_func (r, recipient_sync, item);
}

static void
build_recipient_view (EpMergePage *self)
{
  const char *titles[] = { N_("Row"), N_("Recipient"), N_("Status"), N_("Server Reply") };
  GtkNoSelection *selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->recipients)));
  GtkWidget *view = gtk_column_view_new (GTK_SELECTION_MODEL (selection));

  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Recipients"), -1);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *col;

      g_signal_connect (factory, "setup", G_CALLBACK (recipient_setup), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (recipient_bind), GINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (recipient_unbind), NULL);
      col = gtk_column_view_column_new (_(titles[i]), factory);
      gtk_column_view_column_set_resizable (col, TRUE);
      if (i == 3)
        gtk_column_view_column_set_expand (col, TRUE);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), col);
      g_object_unref (col);
    }
  gtk_scrolled_window_set_child (self->recipients_scroller, view);
}

static EpRecipientItem *
recipient_item_new (guint       row_number,
                    const char *address,
                    const char *state,
                    const char *reply)
{
  EpRecipientItem *r = g_object_new (EP_TYPE_RECIPIENT_ITEM, NULL);

  r->row_number = row_number;
  r->address = g_strdup (address);
  r->state = g_strdup (state);
  r->reply = g_strdup (reply);
  return r;
}

static void
update_progress (EpMergePage *self)
{
  const EpCampaignProgress *p;
  g_autofree char *stats = NULL;
  g_autofree char *fraction_text = NULL;
  g_autoptr(GString) eta = g_string_new (NULL);
  gboolean running;

  if (self->task == NULL)
    return;

  p = ep_campaign_task_get_progress (self->task);
  running = ep_campaign_task_get_running (self->task);

  fraction_text = g_strdup_printf (_("%u of %u"), p->sent + p->failed, p->total);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 p->total > 0 ? (double) (p->sent + p->failed) / p->total : 0);
  gtk_progress_bar_set_text (self->progress_bar, fraction_text);

  if (running && p->per_minute > 0.5 && p->remaining > 0)
    {
      guint minutes = (guint) (p->remaining / p->per_minute + 0.5);

      if (minutes < 1)
        g_string_append (eta, _(", less than a minute left"));
      else
        g_string_append_printf (eta, g_dngettext (GETTEXT_PACKAGE, ", about %u minute left",
                                                  ", about %u minutes left", minutes), minutes);
    }

  stats = g_strdup_printf (_("Sent %u · Failed %u · Remaining %u · %.0f per minute%s"),
                           p->sent, p->failed, p->remaining, p->per_minute, eta->str);
  gtk_label_set_label (self->progress_stats, stats);

  gtk_widget_set_visible (self->pause_button, running && !self->campaign_over);
  gtk_widget_set_visible (self->resume_button, !running && !self->campaign_over);
  gtk_widget_set_visible (self->cancel_button, !self->campaign_over);
}

static void
on_task_progress (EpCampaignTask *task,
                  EpMergePage    *self)
{
  update_progress (self);
}

static void
on_task_recipient_changed (EpCampaignTask *task,
                           guint           row_number,
                           const char     *address,
                           const char     *state,
                           const char     *reply,
                           EpMergePage    *self)
{
  EpRecipientItem *r;

  if (self->recipient_items == NULL)
    return;
  r = g_hash_table_lookup (self->recipient_items, GUINT_TO_POINTER (row_number));
  if (r == NULL)
    return;
  g_free (r->state);
  r->state = g_strdup (state);
  g_free (r->reply);
  r->reply = g_strdup (reply);
  g_object_notify_by_pspec (G_OBJECT (r), ri_props[RI_PROP_STATE]);
}

static void
show_done (EpMergePage *self)
{
  const EpCampaignProgress *p = ep_campaign_task_get_progress (self->task);
  g_autofree char *description = NULL;

  if (p->failed > 0)
    description = g_strdup_printf (_("%u of %u messages were sent. %u could not be delivered; "
                                     "the results say why."), p->sent, p->total, p->failed);
  else
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The message was sent.",
                                                "All %u messages were sent.", p->total), p->total);
  adw_status_page_set_title (self->done_page,
                             ep_campaign_task_get_end (self->task) == EP_CAMPAIGN_END_CANCELLED
                             ? _("Campaign Cancelled") : _("Campaign Finished"));
  if (ep_campaign_task_get_end (self->task) == EP_CAMPAIGN_END_CANCELLED)
    {
      g_free (description);
      description = g_strdup_printf (_("%u of %u messages were sent before the campaign was cancelled."),
                                     p->sent, p->total);
    }
  adw_status_page_set_description (self->done_page, description);
  go_to_step (self, "done");
}

static void
password_saved (EpPasswordDialog *dialog,
                EpMergePage      *self)
{
  if (self->task != NULL)
    ep_campaign_task_start (self->task);
  update_progress (self);
}

static void
on_task_finished (EpCampaignTask *task,
                  EpMergePage    *self)
{
  EpCampaignEnd end = ep_campaign_task_get_end (task);
  const char *reason = ep_campaign_task_get_reason (task);

  self->campaign_over = end == EP_CAMPAIGN_END_FINISHED || end == EP_CAMPAIGN_END_CANCELLED;
  update_progress (self);

  if (self->campaign_over)
    {
      show_done (self);
      refresh_resume (self);
      return;
    }

  {
    g_autofree char *text = g_strdup_printf ("%s%s%s", ep_campaign_end_describe (end),
                                             reason ? ". " : "", reason ? reason : "");
    gtk_label_set_label (self->progress_reason, text);
    gtk_widget_set_visible (GTK_WIDGET (self->progress_reason), TRUE);
  }

  if (end == EP_CAMPAIGN_END_AUTH && selected_account (self) != NULL)
    {
      EpPasswordDialog *dialog = ep_password_dialog_new (parent_window (self), self->context,
                                                         selected_account (self), reason);
      g_signal_connect_object (dialog, "saved", G_CALLBACK (password_saved), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

typedef struct
{
  GPtrArray *recipients;
} LoadResult;

static void
load_recipients_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  EpMergePage *self = source_object;
  gint64 id = *(gint64 *) task_data;
  GError *error = NULL;
  GPtrArray *list = ep_store_campaign_recipients (ep_context_get_store (self->context), id, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static void
load_recipients_done (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GPtrArray) items = NULL;
  gint64 id = *(gint64 *) g_task_get_task_data (G_TASK (result));

  if (list == NULL || self->task == NULL || ep_campaign_task_get_id (self->task) != id)
    return;

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < list->len; i++)
    {
      const EpStoreRecipient *s = g_ptr_array_index (list, i);
      EpRecipientItem *r = recipient_item_new (s->row_number, s->address, s->state, s->reply);

      g_hash_table_insert (self->recipient_items, GUINT_TO_POINTER (s->row_number), r);
      g_ptr_array_add (items, g_object_ref (r));
    }
  g_list_store_splice (self->recipients, 0, g_list_model_get_n_items (G_LIST_MODEL (self->recipients)),
                       items->pdata, items->len);
}

static void
show_task (EpMergePage    *self,
           EpCampaignTask *task)
{
  g_autoptr(GTask) load = NULL;
  gint64 *id;
  g_autofree char *title = NULL;

  if (self->task != NULL)
    g_signal_handlers_disconnect_by_data (self->task, self);
  g_set_object (&self->task, task);
  self->campaign_over = FALSE;

  g_list_store_remove_all (self->recipients);
  g_hash_table_remove_all (self->recipient_items);
  build_recipient_view (self);

  title = g_strdup_printf (_("Sending “%s”"), ep_campaign_task_get_name (task));
  gtk_label_set_label (self->progress_title, title);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_reason), FALSE);

  g_signal_connect_object (task, "progress", G_CALLBACK (on_task_progress), self, 0);
  g_signal_connect_object (task, "recipient-changed", G_CALLBACK (on_task_recipient_changed), self, 0);
  g_signal_connect_object (task, "finished", G_CALLBACK (on_task_finished), self, 0);

  go_to_step (self, "progress");
  update_progress (self);

  id = g_new (gint64, 1);
  *id = ep_campaign_task_get_id (task);
  load = g_task_new (self, self->cancellable, load_recipients_done, NULL);
  g_task_set_source_tag (load, show_task);
  g_task_set_task_data (load, id, g_free);
  g_task_run_in_thread (load, load_recipients_thread);
}

static void
merge_pause_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);

  if (self->task != NULL)
    {
      ep_campaign_task_pause (self->task);
      gtk_label_set_label (self->progress_reason, _("Pausing after the messages being sent…"));
      gtk_widget_set_visible (GTK_WIDGET (self->progress_reason), TRUE);
    }
}

static void
merge_resume_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);

  if (self->task != NULL && !ep_campaign_task_get_running (self->task))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_reason), FALSE);
      ep_campaign_task_start (self->task);
      update_progress (self);
    }
}

static void
cancel_response (AdwMessageDialog *dialog,
                 const char       *response,
                 gpointer          user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (user_data);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "stop") != 0 || self->task == NULL)
    return;

  if (ep_campaign_task_get_running (self->task))
    ep_campaign_task_cancel (self->task);
  else if (!ep_campaign_cancel (self->context, ep_campaign_task_get_id (self->task), &error))
    error_dialog (self, _("The Campaign Could Not Be Cancelled"), error->message);
  else
    {
      self->campaign_over = TRUE;
      update_progress (self);
      show_done (self);
      adw_status_page_set_title (self->done_page, _("Campaign Cancelled"));
      refresh_resume (self);
    }
}

static void
merge_cancel_campaign_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  const EpCampaignProgress *p;
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  if (self->task == NULL)
    return;

  p = ep_campaign_task_get_progress (self->task);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u recipient has not been sent the message and will not be.",
                                       "%u recipients have not been sent the message and will not be.",
                                       p->remaining), p->remaining);
  dialog = adw_message_dialog_new (parent_window (self), _("Cancel the Campaign?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Sending"),
                                    "stop", _("_Cancel Campaign"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (cancel_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- done ----------------------------------------------------------------- */

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EpMergePage *self = source_object;
  const char *path = task_data;
  GError *error = NULL;

  if (!ep_campaign_export_csv (self->context, ep_campaign_task_get_id (self->task), path, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
export_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    error_dialog (self, _("The Results Were Not Exported"), error->message);
  else
    {
      g_autofree char *base = g_path_get_basename (g_task_get_task_data (G_TASK (result)));
      g_autofree char *text = g_strdup_printf (_("Results saved as “%s”"), base);
      toast (self, text);
    }
}

static void
export_response (GtkNativeDialog *chooser,
                 int              response,
                 gpointer         user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (user_data);

  if (response == GTK_RESPONSE_ACCEPT && self->task != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, export_done, NULL);

      g_task_set_source_tag (task, export_response);
      g_task_set_task_data (task, g_file_get_path (file), g_free);
      g_task_run_in_thread (task, export_thread);
    }
  g_object_unref (chooser);
}

static void
merge_export_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;
  g_autofree char *stem = NULL;

  if (self->task == NULL)
    return;

  stem = g_strdup (ep_campaign_task_get_name (self->task));
  if (strrchr (stem, '.') != NULL)
    *strrchr (stem, '.') = '\0';
  name = g_strdup_printf (_("%s results.csv"), stem);
  chooser = gtk_file_chooser_native_new (_("Export Results"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
merge_new_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);

  g_clear_pointer (&self->table, ep_table_unref);
  g_clear_pointer (&self->report, ep_merge_report_free);
  g_clear_pointer (&self->path, g_free);
  go_to_step (self, "start");
  refresh_resume (self);
}

static void
merge_show_details_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  go_to_step (EP_MERGE_PAGE (widget), "progress");
}

/* ---- interrupted campaigns ------------------------------------------------ */

static void
resume_clicked (GtkButton   *button,
                EpMergePage *self)
{
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (button), "campaign-id");
  g_autoptr(GError) error = NULL;
  EpCampaignTask *task = ep_application_get_campaign (EP_APPLICATION (g_application_get_default ()),
                                                      id, &error);

  if (task == NULL)
    {
      error_dialog (self, _("The Campaign Cannot Be Resumed"), error->message);
      return;
    }
  show_task (self, task);
  ep_campaign_task_start (task);
}

typedef struct
{
  GVariant  *info;
  GPtrArray *in_doubt;  /* char *: addresses in flight when it stopped */
} Interrupted;

static void
interrupted_free (gpointer data)
{
  Interrupted *i = data;

  g_variant_unref (i->info);
  g_ptr_array_unref (i->in_doubt);
  g_free (i);
}

static void
list_interrupted_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  EpContext *context = task_data;
  EpStore *store = ep_context_get_store (context);
  GError *error = NULL;
  g_autoptr(GPtrArray) all = ep_store_campaign_list (store, &error);
  GPtrArray *result;

  if (all == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = g_ptr_array_new_with_free_func (interrupted_free);
  for (guint i = 0; i < all->len; i++)
    {
      GVariant *info = g_ptr_array_index (all, i);
      const char *state = NULL;
      guint total = 0, sent = 0, failed = 0;
      gint64 id = 0;
      Interrupted *item;
      g_autoptr(GPtrArray) recipients = NULL;

      g_variant_lookup (info, "state", "&s", &state);
      g_variant_lookup (info, "total", "u", &total);
      g_variant_lookup (info, "sent", "u", &sent);
      g_variant_lookup (info, "failed", "u", &failed);
      g_variant_lookup (info, "id", "x", &id);
      if ((g_strcmp0 (state, "running") != 0 && g_strcmp0 (state, "paused") != 0) ||
          sent + failed >= total)
        continue;

      item = g_new0 (Interrupted, 1);
      item->info = g_variant_ref (info);
      item->in_doubt = g_ptr_array_new_with_free_func (g_free);
      recipients = ep_store_campaign_recipients (store, id, NULL);
      for (guint j = 0; recipients != NULL && j < recipients->len; j++)
        {
          const EpStoreRecipient *r = g_ptr_array_index (recipients, j);
          if (g_strcmp0 (r->state, "sending") == 0 || g_strcmp0 (r->state, "uncertain") == 0)
            g_ptr_array_add (item->in_doubt, g_strdup (r->address));
        }
      g_ptr_array_add (result, item);
    }

  g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

static void
list_interrupted_done (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  EpMergePage *self = EP_MERGE_PAGE (object);
  g_autoptr(GPtrArray) list = g_task_propagate_pointer (G_TASK (result), NULL);
  EpApplication *app = EP_APPLICATION (g_application_get_default ());
  GtkWidget *child;
  GtkWidget *listbox;
  guint shown = 0;

  /* The group's own rows live in an internal list box; rebuild it. */
  listbox = g_object_get_data (G_OBJECT (self), "resume-list");
  if (listbox != NULL)
    {
      while ((child = gtk_widget_get_first_child (listbox)) != NULL)
        gtk_list_box_remove (GTK_LIST_BOX (listbox), child);
    }

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      Interrupted *item = g_ptr_array_index (list, i);
      GtkWidget *row, *button;
      const char *name = "", *state = NULL, *reason = NULL;
      guint total = 0, sent = 0, failed = 0;
      gint64 id = 0, *idp;
      g_autofree char *title = NULL;
      g_autoptr(GString) subtitle = g_string_new (NULL);

      g_variant_lookup (item->info, "id", "x", &id);
      if (app != NULL && ep_application_is_campaign_running (app, id))
        continue;
      g_variant_lookup (item->info, "name", "&s", &name);
      g_variant_lookup (item->info, "state", "&s", &state);
      g_variant_lookup (item->info, "reason", "&s", &reason);
      g_variant_lookup (item->info, "total", "u", &total);
      g_variant_lookup (item->info, "sent", "u", &sent);
      g_variant_lookup (item->info, "failed", "u", &failed);

      title = g_strdup_printf (_("%s: %u of %u not sent yet"), name, total - sent - failed, total);
      if (reason != NULL)
        g_string_append (subtitle, reason);
      else if (g_strcmp0 (state, "running") == 0)
        g_string_append (subtitle, _("Epistle stopped while sending."));
      else
        g_string_append (subtitle, _("Paused."));
      if (item->in_doubt->len > 0)
        {
          g_autofree char *who = NULL;
          g_ptr_array_add (item->in_doubt, NULL);
          who = g_strjoinv (", ", (char **) item->in_doubt->pdata);
          g_string_append_printf (subtitle,
                                  g_dngettext (GETTEXT_PACKAGE,
                                               " The message to %s was being sent at that moment; it "
                                               "may have arrived, and will be sent again.",
                                               " The messages to %s were being sent at that moment; "
                                               "they may have arrived, and will be sent again.",
                                               item->in_doubt->len - 1), who);
        }

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      button = gtk_button_new_with_mnemonic (_("_Resume"));
      {
        g_autofree char *a11y = g_strdup_printf (_("Resume %s"), name);
        ep_a11y_name_button (button, a11y);
      }
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "suggested-action");
      idp = g_new (gint64, 1);
      *idp = id;
      g_object_set_data_full (G_OBJECT (button), "campaign-id", idp, g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (resume_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (self->resume_group, row);
      if (listbox == NULL)
        {
          listbox = gtk_widget_get_ancestor (row, GTK_TYPE_LIST_BOX);
          g_object_set_data (G_OBJECT (self), "resume-list", listbox);
        }
      shown++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->resume_group), shown > 0);
}

static void
refresh_resume (EpMergePage *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->context == NULL)
    return;

  task = g_task_new (self, self->cancellable, list_interrupted_done, NULL);
  g_task_set_source_tag (task, refresh_resume);
  g_task_set_task_data (task, g_object_ref (self->context), g_object_unref);
  g_task_run_in_thread (task, list_interrupted_thread);
}

/* ---- navigation ------------------------------------------------------------ */

static void
merge_next_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  int index = step_index (gtk_stack_get_visible_child_name (self->steps));

  switch (index)
    {
    case 0:
      go_to_step (self, "message");
      update_template (self);
      break;
    case 1:
      update_template (self);
      if (self->tmpl != NULL)
        enter_preview (self);
      break;
    case 2:
      enter_send (self);
      break;
    default:
      break;
    }
}

static void
merge_back_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EpMergePage *self = EP_MERGE_PAGE (widget);
  int index = step_index (gtk_stack_get_visible_child_name (self->steps));

  if (index > 0)
    go_to_step (self, wizard_steps[index - 1]);
  else if (index == 0)
    go_to_step (self, "start");
}

void
ep_merge_page_set_accounts (EpMergePage *self,
                            GPtrArray   *accounts)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  guint selected = 0;
  g_autofree char *previous = NULL;
  EpAccount *current = selected_account (self);

  g_return_if_fail (EP_IS_MERGE_PAGE (self));

  if (current != NULL)
    previous = g_strdup (ep_account_get_uid (current));

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  self->accounts = g_ptr_array_ref (accounts);

  for (guint i = 0; i < accounts->len; i++)
    {
      EpAccount *a = g_ptr_array_index (accounts, i);
      char *label = g_strdup_printf ("%s <%s>", ep_account_get_name (a), ep_account_get_address (a));

      g_ptr_array_add (labels, label);
      if (previous != NULL ? g_strcmp0 (ep_account_get_uid (a), previous) == 0 : ep_account_get_is_default (a))
        selected = i;
    }
  g_ptr_array_add (labels, NULL);
  set_string_model (self->from_row, (const char * const *) labels->pdata, selected);
  update_navigation (self);
}

/* ---- drop onto the page ----------------------------------------------------- */

static void
ep_merge_page_dispose (GObject *object)
{
  EpMergePage *self = (EpMergePage *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->read_cancellable);
  stop_read_poll (self);
  if (self->task != NULL)
    g_signal_handlers_disconnect_by_data (self->task, self);
  g_clear_object (&self->task);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_MERGE_PAGE);

  G_OBJECT_CLASS (ep_merge_page_parent_class)->dispose (object);
}

static void
ep_merge_page_finalize (GObject *object)
{
  EpMergePage *self = (EpMergePage *)object;

  g_clear_object (&self->context);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->read_cancellable);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->base_dir, g_free);
  g_clear_pointer (&self->table, ep_table_unref);
  g_clear_pointer (&self->tmpl, ep_template_unref);
  g_clear_pointer (&self->report, ep_merge_report_free);
  g_clear_pointer (&self->shared_attachments, g_ptr_array_unref);
  g_clear_object (&self->recipients);
  g_clear_pointer (&self->recipient_items, g_hash_table_unref);

  G_OBJECT_CLASS (ep_merge_page_parent_class)->finalize (object);
}

static void
ep_merge_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EpMergePage *self = EP_MERGE_PAGE (object);

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
ep_merge_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EpMergePage *self = EP_MERGE_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      refresh_resume (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_merge_page_class_init (EpMergePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_merge_page_dispose;
  object_class->finalize = ep_merge_page_finalize;
  object_class->get_property = ep_merge_page_get_property;
  object_class->set_property = ep_merge_page_set_property;

  properties[PROP_CONTEXT] = g_param_spec_object ("context", NULL, NULL, EP_TYPE_CONTEXT,
                                                  G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/merge/ep-merge-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, EpMergePage, name)
  BIND (box); BIND (steps); BIND (resume_group); BIND (loading_label); BIND (loading_progress);
  BIND (file_row); BIND (sheet_row); BIND (encoding_row); BIND (delimiter_row); BIND (address_row);
  BIND (warnings_label); BIND (table_scroller); BIND (from_row); BIND (to_row); BIND (cc_row);
  BIND (bcc_row); BIND (reply_to_row); BIND (subject_row); BIND (chip_box); BIND (body_view);
  BIND (markdown_switch); BIND (attachment_column_row); BIND (shared_list);
  BIND (template_error_label); BIND (row_adjustment); BIND (row_spin); BIND (row_of_label);
  BIND (row_problems_label); BIND (preview_to_row); BIND (preview_subject_row);
  BIND (preview_attachments_row); BIND (preview_body); BIND (ranges_row);
  BIND (report_summary_label); BIND (report_list); BIND (connections_spin); BIND (rate_spin);
  BIND (daily_spin); BIND (pacing_label); BIND (send_button); BIND (progress_title);
  BIND (progress_bar); BIND (progress_stats); BIND (progress_reason); BIND (pause_button);
  BIND (resume_button); BIND (cancel_button); BIND (recipients_scroller); BIND (done_page);
  BIND (nav_bar); BIND (step_label); BIND (next_step_button);
#undef BIND

  gtk_widget_class_install_action (widget_class, "merge.open", NULL, merge_open_action);
  gtk_widget_class_install_action (widget_class, "merge.cancel-reading", NULL, merge_cancel_reading_action);
  gtk_widget_class_install_action (widget_class, "merge.add-attachment", NULL, merge_add_attachment_action);
  gtk_widget_class_install_action (widget_class, "merge.open-template", NULL, merge_open_template_action);
  gtk_widget_class_install_action (widget_class, "merge.save-template", NULL, merge_save_template_action);
  gtk_widget_class_install_action (widget_class, "merge.previous-row", NULL, merge_previous_row_action);
  gtk_widget_class_install_action (widget_class, "merge.next-row", NULL, merge_next_row_action);
  gtk_widget_class_install_action (widget_class, "merge.test-send", NULL, merge_test_send_action);
  gtk_widget_class_install_action (widget_class, "merge.send", NULL, merge_send_action);
  gtk_widget_class_install_action (widget_class, "merge.pause", NULL, merge_pause_action);
  gtk_widget_class_install_action (widget_class, "merge.resume", NULL, merge_resume_action);
  gtk_widget_class_install_action (widget_class, "merge.cancel-campaign", NULL, merge_cancel_campaign_action);
  gtk_widget_class_install_action (widget_class, "merge.export", NULL, merge_export_action);
  gtk_widget_class_install_action (widget_class, "merge.new", NULL, merge_new_action);
  gtk_widget_class_install_action (widget_class, "merge.show-details", NULL, merge_show_details_action);
  gtk_widget_class_install_action (widget_class, "merge.next", NULL, merge_next_action);
  gtk_widget_class_install_action (widget_class, "merge.back", NULL, merge_back_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_ALT_MASK, "merge.next-row", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_ALT_MASK, "merge.previous-row", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "merge.open", NULL);
}

/* Text buttons get one accessible name each (GTK 4.8 doubles them). */
static void
name_buttons (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && gtk_button_get_label (GTK_BUTTON (child)) != NULL)
        {
          g_autofree char *name = g_strdup (gtk_button_get_label (GTK_BUTTON (child)));
          char *underscore = strchr (name, '_');

          if (underscore != NULL)
            memmove (underscore, underscore + 1, strlen (underscore));
          ep_a11y_name_button (child, name);
        }
      name_buttons (child);
    }
}

static void
ep_merge_page_init (EpMergePage *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GtkWidget *preview_box;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->shared_attachments = g_ptr_array_new_with_free_func (g_free);
  self->recipients = g_list_store_new (EP_TYPE_RECIPIENT_ITEM);
  self->recipient_items = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (encodings); i++)
    g_ptr_array_add (names, (gpointer) _(encodings[i].label));
  g_ptr_array_add (names, NULL);
  set_string_model (self->encoding_row, (const char * const *) names->pdata, 0);
  g_ptr_array_set_size (names, 0);
  for (guint i = 0; i < G_N_ELEMENTS (delimiters); i++)
    g_ptr_array_add (names, (gpointer) _(delimiters[i].label));
  g_ptr_array_add (names, NULL);
  set_string_model (self->delimiter_row, (const char * const *) names->pdata, 0);

  /* Rows with problems are never sent; this says so and goes on. */
  self->valid_only_button = gtk_button_new ();
  gtk_widget_set_halign (self->valid_only_button, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->valid_only_button, "suggested-action");
  gtk_widget_set_visible (self->valid_only_button, FALSE);
  preview_box = gtk_widget_get_parent (GTK_WIDGET (self->report_summary_label));
  gtk_box_insert_child_after (GTK_BOX (preview_box), self->valid_only_button,
                              GTK_WIDGET (self->report_summary_label));
  g_signal_connect_swapped (self->valid_only_button, "clicked", G_CALLBACK (continue_with_valid_rows), self);

  g_signal_connect_swapped (self->sheet_row, "notify::selected", G_CALLBACK (on_read_option_changed), self);
  g_signal_connect_swapped (self->encoding_row, "notify::selected", G_CALLBACK (on_read_option_changed), self);
  g_signal_connect_swapped (self->delimiter_row, "notify::selected", G_CALLBACK (on_read_option_changed), self);
  g_signal_connect_swapped (self->address_row, "notify::selected", G_CALLBACK (on_address_column_changed), self);

  g_signal_connect_swapped (self->to_row, "changed", G_CALLBACK (update_template), self);
  g_signal_connect_swapped (self->cc_row, "changed", G_CALLBACK (update_template), self);
  g_signal_connect_swapped (self->bcc_row, "changed", G_CALLBACK (update_template), self);
  g_signal_connect_swapped (self->reply_to_row, "changed", G_CALLBACK (update_template), self);
  g_signal_connect_swapped (self->subject_row, "changed", G_CALLBACK (update_template), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->body_view), "changed", G_CALLBACK (update_template), self);
  g_signal_connect_swapped (self->markdown_switch, "notify::active", G_CALLBACK (update_template), self);
  g_signal_connect_swapped (self->attachment_column_row, "notify::selected", G_CALLBACK (update_template), self);
  g_signal_connect_swapped (self->from_row, "notify::selected", G_CALLBACK (update_navigation), self);

  track_focus (self, GTK_WIDGET (self->to_row));
  track_focus (self, GTK_WIDGET (self->cc_row));
  track_focus (self, GTK_WIDGET (self->bcc_row));
  track_focus (self, GTK_WIDGET (self->reply_to_row));
  track_focus (self, GTK_WIDGET (self->subject_row));
  track_focus (self, GTK_WIDGET (self->body_view));

  g_signal_connect_swapped (self->row_adjustment, "value-changed", G_CALLBACK (show_preview), self);
  g_signal_connect_swapped (self->ranges_row, "changed", G_CALLBACK (on_ranges_changed), self);
  g_signal_connect_swapped (self->rate_spin, "value-changed", G_CALLBACK (update_pacing_summary), self);
  g_signal_connect_swapped (self->daily_spin, "value-changed", G_CALLBACK (update_pacing_summary), self);

  gtk_widget_set_visible (GTK_WIDGET (self->shared_list), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->resume_group), FALSE);
  name_buttons (GTK_WIDGET (self));
  update_navigation (self);
}
