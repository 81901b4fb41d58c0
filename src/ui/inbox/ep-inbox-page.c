/* ep-inbox-page.c: the Inbox pane
 *
 * Folders of every account with an IMAP server on the left, the chosen
 * folder's messages (a GtkListView over EpMessageList: rows exist only
 * for what is on screen) in the middle, the reading pane on the right.
 * In a narrow window the leaflet shows one at a time. Everything comes
 * from the cache, so folders and opened messages read offline; syncs run
 * in workers (EpInbox) and the lists follow its "changed" signal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-inbox-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ep-inbox-page.h"
#include "inbox/ep-message-list.h"
#include "inbox/ep-message-view.h"
#include "widgets/ep-toast.h"

struct _EpInboxPage
{
  GtkWidget          parent_instance;

  GtkStack          *stack;
  AdwLeaflet        *leaflet;
  GtkListBox        *folder_list;
  GtkLabel          *folder_title;
  GtkSpinner        *sync_spinner;
  GtkSearchBar      *search_bar;
  GtkSearchEntry    *search_entry;
  GtkToggleButton   *search_button;
  GtkStack          *list_stack;
  GtkListView       *message_view_list;
  AdwStatusPage     *empty_page;
  GtkBox            *reading_box;
  GtkWidget         *folders_back_button;
  GtkWidget         *messages_back_button;

  EpContext         *context;
  GPtrArray         *accounts;     /* EpAccount with an IMAP server */
  EpMessageList     *messages;
  GtkSingleSelection *selection;
  EpMessageView     *view;
  gint64             folder_id;
  guint              unread;
  guint              syncing;
  guint              seen_source;  /* marks the shown message read, after a moment */
  gint64             seen_id;
};

G_DEFINE_FINAL_TYPE (EpInboxPage, ep_inbox_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_UNREAD, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { COMPOSE_REQUESTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char list_item_ui[] =
  "<?xml version='1.0' encoding='UTF-8'?>"
  "<interface><template class='GtkListItem'><property name='child'>"
  "<object class='GtkBox'><property name='orientation'>vertical</property>"
  "<property name='spacing'>2</property><property name='margin-top'>4</property>"
  "<property name='margin-bottom'>4</property>"
  "<child><object class='GtkBox'><property name='spacing'>6</property>"
  "<child><object class='GtkImage'><property name='icon-name'>mail-unread-symbolic</property>"
  "<binding name='visible'><lookup name='unread' type='EpMessageItem'><lookup name='item'>GtkListItem</lookup></lookup></binding>"
  "<style><class name='accent'/></style></object></child>"
  "<child><object class='GtkLabel'><property name='xalign'>0</property><property name='hexpand'>1</property>"
  "<property name='ellipsize'>end</property>"
  "<binding name='label'><lookup name='sender' type='EpMessageItem'><lookup name='item'>GtkListItem</lookup></lookup></binding>"
  "<style><class name='heading'/></style></object></child>"
  "<child><object class='GtkImage'><property name='icon-name'>starred-symbolic</property>"
  "<binding name='visible'><lookup name='flagged' type='EpMessageItem'><lookup name='item'>GtkListItem</lookup></lookup></binding>"
  "</object></child>"
  "<child><object class='GtkImage'><property name='icon-name'>mail-attachment-symbolic</property>"
  "<binding name='visible'><lookup name='attachments' type='EpMessageItem'><lookup name='item'>GtkListItem</lookup></lookup></binding>"
  "</object></child>"
  "<child><object class='GtkImage'><property name='icon-name'>channel-secure-symbolic</property>"
  "<binding name='visible'><lookup name='encrypted' type='EpMessageItem'><lookup name='item'>GtkListItem</lookup></lookup></binding>"
  "</object></child>"
  "<child><object class='GtkLabel'>"
  "<binding name='label'><lookup name='date-text' type='EpMessageItem'><lookup name='item'>GtkListItem</lookup></lookup></binding>"
  "<style><class name='dim-label'/><class name='caption'/></style></object></child>"
  "</object></child>"
  "<child><object class='GtkLabel'><property name='xalign'>0</property><property name='ellipsize'>end</property>"
  "<binding name='label'><lookup name='subject' type='EpMessageItem'><lookup name='item'>GtkListItem</lookup></lookup></binding>"
  "</object></child>"
  "</object></property></template></interface>";

/* ---- folders ---- */

static const char *
folder_icon (const EpInboxFolder *folder)
{
  const char *use = folder->special_use;

  if (use == NULL)
    return "folder-symbolic";
  if (g_str_equal (use, "\\Inbox"))
    return "mail-unread-symbolic";
  if (g_str_equal (use, "\\Sent"))
    return "mail-send-symbolic";
  if (g_str_equal (use, "\\Drafts"))
    return "document-edit-symbolic";
  if (g_str_equal (use, "\\Trash"))
    return "user-trash-symbolic";
  if (g_str_equal (use, "\\Junk"))
    return "mail-mark-junk-symbolic";
  return "folder-symbolic";
}

static const char *
folder_display_name (const EpInboxFolder *folder)
{
  if (g_strcmp0 (folder->special_use, "\\Inbox") == 0)
    return _("Inbox");
  return folder->name;
}

static void
update_unread (EpInboxPage *self)
{
  guint unread = ep_store_inbox_unread (ep_context_get_store (self->context), NULL, NULL);

  if (unread != self->unread)
    {
      self->unread = unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
    }
}

static void
update_list_state (EpInboxPage *self)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  if (n == 0)
    {
      adw_status_page_set_title (self->empty_page, *search ? _("No Results") : _("No Messages"));
      adw_status_page_set_description (self->empty_page,
                                       self->syncing > 0 && !*search ? _("Getting mail…") : NULL);
    }
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

static void
show_folder (EpInboxPage *self,
             gint64       folder_id)
{
  g_autoptr(EpInboxFolder) folder = folder_id ? ep_store_inbox_folder_lookup (ep_context_get_store (self->context),
                                                                             folder_id, NULL) : NULL;

  self->folder_id = folder_id;
  gtk_label_set_text (self->folder_title, folder ? folder_display_name (folder) : "");
  ep_message_list_set_folder (self->messages, folder_id,
                              gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_list_state (self);
}

static void
fill_folders (EpInboxPage *self)
{
  GtkWidget *child;
  GtkListBoxRow *select = NULL;
  gint64 first_inbox = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->folder_list))) != NULL)
    gtk_list_box_remove (self->folder_list, child);

  for (guint a = 0; self->accounts != NULL && a < self->accounts->len; a++)
    {
      EpAccount *account = g_ptr_array_index (self->accounts, a);
      g_autoptr(GPtrArray) folders = ep_store_inbox_folders (ep_context_get_store (self->context),
                                                             ep_account_get_uid (account), NULL);

      if (self->accounts->len > 1)
        {
          GtkWidget *header = gtk_label_new (ep_account_get_name (account));
          GtkWidget *row = gtk_list_box_row_new ();

          gtk_label_set_xalign (GTK_LABEL (header), 0);
          gtk_widget_add_css_class (header, "heading");
          gtk_widget_set_margin_top (header, 6);
          gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), header);
          gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
          gtk_list_box_append (self->folder_list, row);
        }

      for (guint i = 0; folders != NULL && i < folders->len; i++)
        {
          EpInboxFolder *f = g_ptr_array_index (folders, i);
          GtkWidget *row, *box, *label, *count;
          g_autofree char *count_text = NULL;

          if (!f->selectable)
            continue;
          row = gtk_list_box_row_new ();
          box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
          gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (folder_icon (f)));
          label = gtk_label_new (folder_display_name (f));
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_widget_set_hexpand (label, TRUE);
          gtk_box_append (GTK_BOX (box), label);
          if (f->unread > 0)
            {
              count_text = g_strdup_printf ("%u", f->unread);
              count = gtk_label_new (count_text);
              gtk_widget_add_css_class (count, "dim-label");
              gtk_box_append (GTK_BOX (box), count);
            }
          gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
          g_object_set_data (G_OBJECT (row), "ep-folder", GINT_TO_POINTER (0));
          g_object_set_data_full (G_OBJECT (row), "ep-folder-id", g_memdup2 (&f->id, sizeof f->id), g_free);
          gtk_list_box_append (self->folder_list, row);
          if (f->id == self->folder_id)
            select = GTK_LIST_BOX_ROW (row);
          if (first_inbox == 0 && g_strcmp0 (f->special_use, "\\Inbox") == 0)
            {
              first_inbox = f->id;
              if (self->folder_id == 0)
                select = GTK_LIST_BOX_ROW (row);
            }
        }
    }

  if (select != NULL)
    gtk_list_box_select_row (self->folder_list, select);
  else if (self->folder_id != 0)
    show_folder (self, 0);
}

static void
folder_selected (GtkListBox    *box,
                 GtkListBoxRow *row,
                 EpInboxPage   *self)
{
  gint64 *id = row ? g_object_get_data (G_OBJECT (row), "ep-folder-id") : NULL;

  if (id == NULL)
    return;
  if (*id != self->folder_id)
    {
      show_folder (self, *id);
      ep_message_view_show (self->view, 0);
    }
}

static void
folder_activated (GtkListBox    *box,
                  GtkListBoxRow *row,
                  EpInboxPage   *self)
{
  adw_leaflet_set_visible_child_name (self->leaflet, "messages");
}

/* ---- the cache changed ---- */

static void
inbox_changed (EpInbox     *inbox,
               const char  *account_uid,
               EpInboxPage *self)
{
  fill_folders (self);
  ep_message_list_reload (self->messages);
  update_list_state (self);
  update_unread (self);
}

static void
sync_failed (EpInbox     *inbox,
             const char  *account_uid,
             GError      *error,
             EpInboxPage *self)
{
  /* Offline is normal: the cache stays readable; say it once. */
  ep_toast_show_text (GTK_WIDGET (self), "inbox-sync", error->message);
}

static void
sync_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EpInboxPage) self = user_data;

  ep_inbox_sync_finish (EP_INBOX (object), result, NULL, NULL);
  if (self->syncing > 0)
    self->syncing--;
  gtk_spinner_set_spinning (self->sync_spinner, self->syncing > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), self->syncing > 0);
  update_list_state (self);
}

static void
sync_all (EpInboxPage *self)
{
  for (guint i = 0; self->accounts != NULL && i < self->accounts->len; i++)
    {
      self->syncing++;
      ep_inbox_sync_async (ep_context_get_inbox (self->context), g_ptr_array_index (self->accounts, i),
                           FALSE, NULL, sync_done, g_object_ref (self));
    }
  gtk_spinner_set_spinning (self->sync_spinner, self->syncing > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), self->syncing > 0);
  update_list_state (self);
}

/* ---- messages ---- */

static EpMessageItem *
selected_item (EpInboxPage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
flag_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EpInboxPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ep_inbox_set_flag_finish (EP_INBOX (object), result, &error))
    ep_toast_show_text (GTK_WIDGET (self), "inbox-flag", error->message);
}

static void
set_flag (EpInboxPage  *self,
          gint64        id,
          EpInboxFlags  flag,
          gboolean      set)
{
  ep_inbox_set_flag_async (ep_context_get_inbox (self->context), id, flag, set, NULL,
                           flag_done, g_object_ref (self));
}

static gboolean
mark_seen_cb (gpointer user_data)
{
  EpInboxPage *self = user_data;

  self->seen_source = 0;
  /* Still the message shown: it was read, not passed by with the keys. */
  if (self->seen_id != 0 && self->seen_id == ep_message_view_get_id (self->view))
    set_flag (self, self->seen_id, EP_INBOX_SEEN, TRUE);
  return G_SOURCE_REMOVE;
}

static void
message_selected (EpInboxPage *self)
{
  EpMessageItem *item = selected_item (self);
  const EpInboxSummary *s;

  if (item == NULL)
    return;
  s = ep_message_item_get_summary (item);
  if (s->id != ep_message_view_get_id (self->view))
    ep_message_view_show (self->view, s->id);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "reading");
  g_clear_handle_id (&self->seen_source, g_source_remove);
  self->seen_id = 0;
  if (!(s->state & EP_INBOX_SEEN))
    {
      self->seen_id = s->id;
      self->seen_source = g_timeout_add (800, mark_seen_cb, self);
    }
}

static void
message_activated (GtkListView *list,
                   guint        position,
                   EpInboxPage *self)
{
  gtk_single_selection_set_selected (self->selection, position);
  adw_leaflet_set_visible_child_name (self->leaflet, "reading");
}

static void
search_changed (EpInboxPage *self)
{
  show_folder (self, self->folder_id);
}

/* ---- actions ---- */

static const char *
own_address (EpInboxPage *self)
{
  g_autoptr(EpInboxFolder) folder = ep_store_inbox_folder_lookup (ep_context_get_store (self->context),
                                                                 self->folder_id, NULL);

  for (guint i = 0; folder != NULL && self->accounts != NULL && i < self->accounts->len; i++)
    {
      EpAccount *account = g_ptr_array_index (self->accounts, i);

      if (g_strcmp0 (ep_account_get_uid (account), folder->account_uid) == 0)
        return ep_account_get_address (account);
    }
  return NULL;
}

static void
reply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  EpInboxPage *self = EP_INBOX_PAGE (widget);
  EpReadMessage *message = ep_message_view_get_message (self->view);
  g_autoptr(EpDraft) draft = NULL;
  EpReplyKind kind;

  if (message == NULL)
    {
      ep_toast_show_text (widget, "inbox-reply", _("Open a message first"));
      return;
    }
  if (g_str_equal (action_name, "inbox.reply-all"))
    kind = EP_REPLY_ALL;
  else if (g_str_equal (action_name, "inbox.forward"))
    kind = EP_REPLY_FORWARD;
  else
    kind = EP_REPLY_SENDER;
  draft = ep_read_message_make_reply (message, kind, own_address (self));
  /* Password mail is answered under the same password. */
  if (draft != NULL && ep_message_view_get_password (self->view) != NULL)
    {
      draft->encrypt = FALSE;
      draft->password = g_strdup (ep_message_view_get_password (self->view));
    }
  if (draft != NULL)
    g_signal_emit (self, signals[COMPOSE_REQUESTED], 0, draft);
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  sync_all (EP_INBOX_PAGE (widget));
}

static void
flag_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EpInboxPage *self = EP_INBOX_PAGE (widget);
  EpMessageItem *item = selected_item (self);
  const EpInboxSummary *s;

  if (item == NULL)
    return;
  s = ep_message_item_get_summary (item);
  if (g_str_equal (action_name, "inbox.mark-unread"))
    set_flag (self, s->id, EP_INBOX_SEEN, !(s->state & EP_INBOX_SEEN));
  else
    set_flag (self, s->id, EP_INBOX_FLAGGED, !(s->state & EP_INBOX_FLAGGED));
}

static void
navigate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  EpInboxPage *self = EP_INBOX_PAGE (widget);

  adw_leaflet_set_visible_child_name (self->leaflet,
                                      g_str_equal (action_name, "inbox.show-folders") ? "folders" : "messages");
  /* Back to the list: a tap on the same message opens it again. */
  if (g_str_equal (action_name, "inbox.show-messages"))
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EpInboxPage *self = EP_INBOX_PAGE (widget);

  gtk_toggle_button_set_active (self->search_button, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
folded_changed (EpInboxPage *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  gtk_widget_set_visible (self->folders_back_button, folded);
  gtk_widget_set_visible (self->messages_back_button, folded);
}

/* ---- public ---- */

void
ep_inbox_page_set_accounts (EpInboxPage *self,
                            GPtrArray   *accounts)
{
  g_return_if_fail (EP_IS_INBOX_PAGE (self));

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      EpAccount *account = g_ptr_array_index (accounts, i);
      const char *host = ep_account_get_imap_host (account);

      if (host != NULL && *host != '\0')
        g_ptr_array_add (self->accounts, g_object_ref (account));
    }

  gtk_stack_set_visible_child_name (self->stack, self->accounts->len > 0 ? "mail" : "no-imap");
  fill_folders (self);
  update_unread (self);
  if (self->accounts->len > 0)
    {
      sync_all (self);
      ep_inbox_start_watching (ep_context_get_inbox (self->context), 0);
    }
  else
    ep_inbox_start_watching (ep_context_get_inbox (self->context), 0);  /* watches nothing */
}

guint
ep_inbox_page_get_unread (EpInboxPage *self)
{
  g_return_val_if_fail (EP_IS_INBOX_PAGE (self), 0);
  return self->unread;
}

static void
ep_inbox_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EpInboxPage *self = EP_INBOX_PAGE (object);

  switch (prop_id)
    {
    case PROP_UNREAD:
      g_value_set_uint (value, self->unread);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_inbox_page_dispose (GObject *object)
{
  EpInboxPage *self = EP_INBOX_PAGE (object);

  g_clear_handle_id (&self->seen_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), EP_TYPE_INBOX_PAGE);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_object (&self->selection);
  g_clear_object (&self->messages);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (ep_inbox_page_parent_class)->dispose (object);
}

static void
ep_inbox_page_class_init (EpInboxPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ep_inbox_page_dispose;
  object_class->get_property = ep_inbox_page_get_property;

  properties[PROP_UNREAD] = g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[COMPOSE_REQUESTED] =
    g_signal_new ("compose-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/epistle/Epistle/ui/inbox/ep-inbox-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, stack);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, folder_list);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, folder_title);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, search_button);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, message_view_list);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, reading_box);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, folders_back_button);
  gtk_widget_class_bind_template_child (widget_class, EpInboxPage, messages_back_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "inbox.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "inbox.reply", NULL, reply_action);
  gtk_widget_class_install_action (widget_class, "inbox.reply-all", NULL, reply_action);
  gtk_widget_class_install_action (widget_class, "inbox.forward", NULL, reply_action);
  gtk_widget_class_install_action (widget_class, "inbox.mark-unread", NULL, flag_action);
  gtk_widget_class_install_action (widget_class, "inbox.toggle-star", NULL, flag_action);
  gtk_widget_class_install_action (widget_class, "inbox.show-folders", NULL, navigate_action);
  gtk_widget_class_install_action (widget_class, "inbox.show-messages", NULL, navigate_action);
  gtk_widget_class_install_action (widget_class, "inbox.search", NULL, search_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "inbox.sync", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "inbox.reply", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "inbox.reply-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "inbox.forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "inbox.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "inbox.mark-unread", NULL);

  g_type_ensure (EP_TYPE_MESSAGE_ITEM);
}

static void
ep_inbox_page_init (EpInboxPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

EpInboxPage *
ep_inbox_page_new (EpContext *context)
{
  EpInboxPage *self = g_object_new (EP_TYPE_INBOX_PAGE, NULL);
  g_autoptr(GBytes) ui = g_bytes_new_static (list_item_ui, sizeof list_item_ui - 1);
  GtkListItemFactory *factory;

  self->context = g_object_ref (context);
  self->messages = ep_message_list_new (ep_context_get_store (context));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->messages)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  factory = gtk_builder_list_item_factory_new_from_bytes (NULL, ui);
  gtk_list_view_set_factory (self->message_view_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->message_view_list, GTK_SELECTION_MODEL (self->selection));

  self->view = ep_message_view_new (context);
  gtk_widget_set_vexpand (GTK_WIDGET (self->view), TRUE);
  gtk_box_append (self->reading_box, GTK_WIDGET (self->view));

  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (message_selected), self);
  g_signal_connect (self->message_view_list, "activate", G_CALLBACK (message_activated), self);
  g_signal_connect (self->folder_list, "row-selected", G_CALLBACK (folder_selected), self);
  g_signal_connect (self->folder_list, "row-activated", G_CALLBACK (folder_activated), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed), self);
  g_signal_connect_swapped (self->leaflet, "notify::folded", G_CALLBACK (folded_changed), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  /* Folded (a phone, a narrow window), the Inbox's list comes first;
   * the folders are one step back. */
  adw_leaflet_set_visible_child_name (self->leaflet, "messages");
  folded_changed (self);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), FALSE);

  g_signal_connect_object (ep_context_get_inbox (context), "changed", G_CALLBACK (inbox_changed), self, 0);
  g_signal_connect_object (ep_context_get_inbox (context), "sync-failed", G_CALLBACK (sync_failed), self, 0);
  update_list_state (self);
  return self;
}
