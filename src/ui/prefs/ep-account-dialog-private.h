/* ep-account-dialog-private.h: shared by ep-account-dialog.c and
 * ep-account-dialog-probe.c (the connection probe)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-account-dialog.h"

G_BEGIN_DECLS

struct _EpAccountDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkWidget            *cancel_button;
  GtkButton            *save_button;
  GtkSpinner           *save_spinner;
  AdwToastOverlay      *toast_overlay;
  GtkScrolledWindow    *scrolled_window;
  GtkWidget            *error_box;
  GtkLabel             *error_label;
  AdwComboRow          *provider_row;
  GtkLabel             *provider_note;
  AdwEntryRow          *display_name_row;
  GtkTextView          *signature_view;
  AdwEntryRow          *address_row;
  GtkLabel             *address_error;
  AdwEntryRow          *password_row;
  GtkLabel             *password_hint;
  AdwEntryRow          *smtp_host_row;
  AdwEntryRow          *smtp_port_row;
  AdwComboRow          *smtp_security_row;
  GtkWidget            *smtp_security_warning;
  AdwEntryRow          *imap_host_row;
  AdwEntryRow          *imap_port_row;
  AdwComboRow          *imap_security_row;
  GtkWidget            *imap_security_warning;
  AdwEntryRow          *name_row;
  AdwEntryRow          *username_row;
  AdwEntryRow          *ca_file_row;
  GtkWidget            *ca_file_clear_button;
  GtkWidget            *test_button;
  GtkSpinner           *test_spinner;
  GtkImage             *test_result_icon;
  GtkLabel             *test_result_label;

  /* Owned */
  EpContext            *context;
  EpAccount            *account;        /* the account being edited; NULL when adding */
  GCancellable         *cancellable;
  GtkFileChooserNative *ca_chooser;
  char                 *ca_file;
  char                 *last_address;   /* what Account Name and User Name follow */
  GString              *probe_report;
  EpServerConfig       *pending_imap;   /* probed after SMTP */

  /* State */
  const EpProvider     *provider;
  EpSecurity            smtp_security;
  EpSecurity            imap_security;
  guint                 scroll_frames;
  guint                 loading : 1;
  guint                 saving : 1;
  guint                 probe_failed : 1;
  guint                 probe_without_password : 1;
};

EpAccount *_ep_account_dialog_build_account (EpAccountDialog  *self,
                                             gboolean          for_probe,
                                             GError          **error);
void       _ep_account_dialog_start_probe   (EpAccountDialog  *self);

G_END_DECLS
