/* ep-merge-data-step.c: the merge wizard's Data step
 *
 * How the spreadsheet is read (sheet, text encoding, separator, the region
 * whose separators and month names a workbook's numbers show), which
 * column holds the addresses, and a view of every row. Changing how it is
 * read emits "options-changed" (the wizard reads the file again); picking
 * an address column emits "address-column-chosen".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-merge-data-step"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ep-merge-data-step.h"
#include "ep-merge-step.h"
#include "ep-table-model.h"
#include "ep-merge-private.h"

struct _EpMergeDataStep
{
  GtkWidget          parent_instance;

  /* template widgets */
  AdwActionRow      *file_row;
  AdwComboRow       *sheet_row;
  AdwComboRow       *encoding_row;
  AdwComboRow       *delimiter_row;
  AdwComboRow       *locale_row;
  AdwComboRow       *address_row;
  GtkLabel          *warnings_label;
  GtkScrolledWindow *table_scroller;

  /* owned */
  EpMergeJob        *job;

  gboolean           updating;   /* filling the rows, not a person choosing */
  char              *wanted_sheet;  /* a restored draft's, for the first read */
};

enum {
  PROP_0,
  PROP_JOB,
  PROP_CAN_CONTINUE,
  N_PROPS
};

enum {
  OPTIONS_CHANGED,
  ADDRESS_COLUMN_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void ep_merge_step_iface_init (EpMergeStepInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EpMergeDataStep, ep_merge_data_step, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (EP_TYPE_MERGE_STEP, ep_merge_step_iface_init))

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

/* The regions offered beside the desktop's own; any other is one
 * --locale away in epistle-cli. */
static const char * const locales[] = {
  "de_DE", "de_AT", "de_CH", "en_US", "en_GB", "fr_FR", "fr_CH", "it_IT", "es_ES",
  "nl_NL", "pt_PT", "pt_BR", "pl_PL", "cs_CZ", "da_DK", "sv_SE", "nb_NO", "fi_FI",
};

/* ---- helpers ------------------------------------------------------------ */

static gboolean
can_continue (EpMergeDataStep *self)
{
  EpTable *table = ep_merge_job_get_table (self->job);

  return table != NULL && ep_table_get_n_rows (table) > 0;
}

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
  EpTable *table = g_object_get_data (G_OBJECT (factory), "table");
  int column = GPOINTER_TO_INT (user_data);
  guint index = ep_row_item_get_index (gtk_list_item_get_item (item));
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));

  if (index >= ep_table_get_n_rows (table))
    gtk_label_set_label (label, "");
  else if (column < 0)
    {
      char number[16];
      g_snprintf (number, sizeof number, "%u", ep_table_get_row_number (table, index));
      gtk_label_set_label (label, number);
    }
  else
    {
      const char *value = ep_table_get_value (table, index, column);
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

static void
append_column (GtkColumnView *view,
               EpTable       *table,
               const char    *title,
               int            column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_object_set_data_full (G_OBJECT (factory), "table", ep_table_ref (table),
                          (GDestroyNotify) ep_table_unref);
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (view, col);
}

static void
show_table (EpMergeDataStep *self,
            EpTable         *table)
{
  GtkNoSelection *selection;
  GtkWidget *view;

  selection = gtk_no_selection_new (G_LIST_MODEL (ep_table_model_new (table)));
  view = gtk_column_view_new (GTK_SELECTION_MODEL (selection));
  gtk_column_view_set_show_row_separators (GTK_COLUMN_VIEW (view), TRUE);
  gtk_column_view_set_show_column_separators (GTK_COLUMN_VIEW (view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Spreadsheet Rows"), -1);

  append_column (GTK_COLUMN_VIEW (view), table, _("Row"), -1);
  for (guint c = 0; c < ep_table_get_n_columns (table); c++)
    append_column (GTK_COLUMN_VIEW (view), table, ep_table_get_column (table, c), c);

  gtk_scrolled_window_set_child (self->table_scroller, view);
}

static void
fill_address_row (EpMergeDataStep *self,
                  EpTable         *table)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  int address = ep_merge_job_guess_address_column (self->job);

  for (guint c = 0; c < ep_table_get_n_columns (table); c++)
    g_ptr_array_add (names, (gpointer) ep_table_get_column (table, c));
  g_ptr_array_add (names, NULL);
  _ep_merge_set_string_model (self->address_row, (const char * const *) names->pdata,
                              address >= 0 ? (guint) address : GTK_INVALID_LIST_POSITION);
}

/* ---- signal callbacks ------------------------------------------------------ */

static void
on_job_table_changed_cb (EpMergeDataStep *self,
                         GParamSpec      *pspec,
                         EpMergeJob      *job)
{
  EpTable *table = ep_merge_job_get_table (job);
  const char * const *warnings;
  const char * const *sheets;
  g_autofree char *base = NULL;
  g_autofree char *subtitle = NULL;
  gboolean csv;

  g_object_notify (G_OBJECT (self), "can-continue");
  if (table == NULL)
    return;

  warnings = ep_table_get_warnings (table);
  sheets = ep_table_get_sheets (table);
  base = g_path_get_basename (ep_merge_job_get_path (job));
  csv = ep_table_get_format (table) == EP_TABLE_FORMAT_CSV;

  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s — %u row, %u columns",
                                           "%s — %u rows, %u columns", ep_table_get_n_rows (table)),
                              base, ep_table_get_n_rows (table), ep_table_get_n_columns (table));
  adw_action_row_set_subtitle (self->file_row, subtitle);

  self->updating = TRUE;
  /* Read: from now on the sheet is the one chosen in the row. */
  g_clear_pointer (&self->wanted_sheet, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->sheet_row), sheets != NULL);
  if (sheets != NULL)
    {
      guint selected = 0;

      for (guint i = 0; sheets[i] != NULL; i++)
        if (g_strcmp0 (sheets[i], ep_table_get_sheet (table)) == 0)
          selected = i;
      _ep_merge_set_string_model (self->sheet_row, sheets, selected);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->encoding_row), csv);
  gtk_widget_set_visible (GTK_WIDGET (self->delimiter_row), csv);
  /* ODS files carry the text each cell shows; XLSX files a number and its
   * format. */
  gtk_widget_set_visible (GTK_WIDGET (self->locale_row),
                          ep_table_get_format (table) == EP_TABLE_FORMAT_XLSX);
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
  fill_address_row (self, table);
  self->updating = FALSE;

  if (warnings != NULL && warnings[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv ("\n", (char **) warnings);
      gtk_label_set_label (self->warnings_label, joined);
      gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), FALSE);

  show_table (self, table);
}

static void
on_read_option_changed_cb (AdwComboRow     *row,
                           GParamSpec      *pspec,
                           EpMergeDataStep *self)
{
  if (!self->updating && ep_merge_job_get_path (self->job) != NULL)
    g_signal_emit (self, signals[OPTIONS_CHANGED], 0);
}

static void
on_address_row_selected_cb (AdwComboRow     *row,
                            GParamSpec      *pspec,
                            EpMergeDataStep *self)
{
  GtkStringObject *item;

  if (self->updating || ep_merge_job_get_table (self->job) == NULL)
    return;
  item = adw_combo_row_get_selected_item (row);
  if (item != NULL)
    g_signal_emit (self, signals[ADDRESS_COLUMN_CHOSEN], 0, gtk_string_object_get_string (item));
}

/* ---- EpMergeStep ------------------------------------------------------------ */

static void
ep_merge_step_iface_init (EpMergeStepInterface *iface)
{
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ep_merge_data_step_dispose (GObject *object)
{
  EpMergeDataStep *self = (EpMergeDataStep *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_MERGE_DATA_STEP);
  g_clear_pointer (&self->wanted_sheet, g_free);
  g_clear_object (&self->job);

  G_OBJECT_CLASS (ep_merge_data_step_parent_class)->dispose (object);
}

static void
ep_merge_data_step_constructed (GObject *object)
{
  EpMergeDataStep *self = (EpMergeDataStep *)object;

  G_OBJECT_CLASS (ep_merge_data_step_parent_class)->constructed (object);

  g_signal_connect_object (self->job, "notify::table", G_CALLBACK (on_job_table_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

static void
ep_merge_data_step_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EpMergeDataStep *self = EP_MERGE_DATA_STEP (object);

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
ep_merge_data_step_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EpMergeDataStep *self = EP_MERGE_DATA_STEP (object);

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
ep_merge_data_step_class_init (EpMergeDataStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_merge_data_step_dispose;
  object_class->constructed = ep_merge_data_step_constructed;
  object_class->get_property = ep_merge_data_step_get_property;
  object_class->set_property = ep_merge_data_step_set_property;

  g_object_class_override_property (object_class, PROP_JOB, "job");
  g_object_class_override_property (object_class, PROP_CAN_CONTINUE, "can-continue");

  signals[OPTIONS_CHANGED] =
    g_signal_new ("options-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[ADDRESS_COLUMN_CHOSEN] =
    g_signal_new ("address-column-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/merge/ep-merge-data-step.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_bind_template_child (widget_class, EpMergeDataStep, file_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeDataStep, sheet_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeDataStep, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeDataStep, delimiter_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeDataStep, locale_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeDataStep, address_row);
  gtk_widget_class_bind_template_child (widget_class, EpMergeDataStep, warnings_label);
  gtk_widget_class_bind_template_child (widget_class, EpMergeDataStep, table_scroller);

  gtk_widget_class_bind_template_callback (widget_class, on_read_option_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_address_row_selected_cb);
}

static void
fill_locale_row (EpMergeDataStep *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *desktop = ep_table_get_default_locale ();
  g_autofree char *desktop_name = ep_table_locale_display_name (desktop);

  /* Translators: the region whose number and date formats are used, %s is
   * the desktop's, such as "German (Germany)". */
  g_ptr_array_add (names, desktop_name != NULL ? g_strdup_printf (_("As on This Computer (%s)"),
                                                                  desktop_name)
                                               : g_strdup (_("As on This Computer")));
  for (guint i = 0; i < G_N_ELEMENTS (locales); i++)
    g_ptr_array_add (names, ep_table_locale_display_name (locales[i]));
  g_ptr_array_add (names, NULL);
  _ep_merge_set_string_model (self->locale_row, (const char * const *) names->pdata, 0);
}

static void
ep_merge_data_step_init (EpMergeDataStep *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (encodings); i++)
    g_ptr_array_add (names, (gpointer) _(encodings[i].label));
  g_ptr_array_add (names, NULL);
  _ep_merge_set_string_model (self->encoding_row, (const char * const *) names->pdata, 0);
  g_ptr_array_set_size (names, 0);
  for (guint i = 0; i < G_N_ELEMENTS (delimiters); i++)
    g_ptr_array_add (names, (gpointer) _(delimiters[i].label));
  g_ptr_array_add (names, NULL);
  _ep_merge_set_string_model (self->delimiter_row, (const char * const *) names->pdata, 0);
  fill_locale_row (self);
  self->updating = FALSE;
}

/* ---- public API ------------------------------------------------------------- */

GtkWidget *
ep_merge_data_step_new (EpMergeJob *job)
{
  return g_object_new (EP_TYPE_MERGE_DATA_STEP, "job", job, NULL);
}

void
ep_merge_data_step_get_read_options (EpMergeDataStep  *self,
                                     char            **sheet,
                                     const char      **encoding,
                                     char             *delimiter,
                                     const char      **locale)
{
  guint pos;

  g_return_if_fail (EP_IS_MERGE_DATA_STEP (self));

  *sheet = NULL;
  *encoding = NULL;
  *delimiter = 0;
  *locale = NULL;

  if (ep_merge_job_get_table (self->job) != NULL && gtk_widget_get_visible (GTK_WIDGET (self->sheet_row)))
    {
      GtkStringObject *item = adw_combo_row_get_selected_item (self->sheet_row);
      if (item != NULL)
        *sheet = g_strdup (gtk_string_object_get_string (item));
    }
  else if (self->wanted_sheet != NULL)
    *sheet = g_strdup (self->wanted_sheet);
  pos = adw_combo_row_get_selected (self->encoding_row);
  if (pos < G_N_ELEMENTS (encodings))
    *encoding = encodings[pos].encoding;
  pos = adw_combo_row_get_selected (self->delimiter_row);
  if (pos < G_N_ELEMENTS (delimiters))
    *delimiter = delimiters[pos].delimiter;
  pos = adw_combo_row_get_selected (self->locale_row);
  if (pos >= 1 && pos <= G_N_ELEMENTS (locales))
    *locale = locales[pos - 1];
}

void
ep_merge_data_step_reset_options (EpMergeDataStep *self)
{
  g_return_if_fail (EP_IS_MERGE_DATA_STEP (self));

  self->updating = TRUE;
  adw_combo_row_set_selected (self->encoding_row, 0);
  adw_combo_row_set_selected (self->delimiter_row, 0);
  adw_combo_row_set_selected (self->locale_row, 0);
  self->updating = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->sheet_row), FALSE);
  g_clear_pointer (&self->wanted_sheet, g_free);
}

/* The choices a draft was written with, for reading its spreadsheet
 * again as it was (after ep_merge_data_step_reset_options()). Values no
 * longer offered are left at their defaults. */
void
ep_merge_data_step_set_read_options (EpMergeDataStep *self,
                                     const char      *sheet,
                                     const char      *encoding,
                                     char             delimiter,
                                     const char      *locale)
{
  g_return_if_fail (EP_IS_MERGE_DATA_STEP (self));

  self->updating = TRUE;
  for (guint i = 1; encoding != NULL && i < G_N_ELEMENTS (encodings); i++)
    if (g_ascii_strcasecmp (encodings[i].encoding, encoding) == 0)
      adw_combo_row_set_selected (self->encoding_row, i);
  for (guint i = 1; delimiter != 0 && i < G_N_ELEMENTS (delimiters); i++)
    if (delimiters[i].delimiter == delimiter)
      adw_combo_row_set_selected (self->delimiter_row, i);
  for (guint i = 0; locale != NULL && i < G_N_ELEMENTS (locales); i++)
    if (g_str_equal (locales[i], locale))
      adw_combo_row_set_selected (self->locale_row, i + 1);
  self->updating = FALSE;
  g_free (self->wanted_sheet);
  self->wanted_sheet = g_strdup (sheet);
}
