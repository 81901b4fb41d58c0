/* ep-encryption-page-private.h: shared by ep-encryption-page.c (the
 * lists, and the vault calls in worker threads) and
 * its dialogs (-dialogs.c), imports and exports (-files.c) and vault calls
 * (-vault.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ep-encryption-page.h"

G_BEGIN_DECLS

struct _EpEncryptionPage
{
  AdwPreferencesPage    parent_instance;

  /* Template widgets */
  AdwPreferencesGroup  *status_group;
  AdwActionRow         *status_row;
  GtkSpinner           *status_spinner;
  GtkWidget            *status_icon;
  GtkWidget            *retry_button;
  AdwPreferencesGroup  *identities_group;
  GtkWidget            *import_identity_button;
  GtkWidget            *create_button;
  AdwActionRow         *creating_row;
  GtkSpinner           *creating_spinner;
  AdwPreferencesGroup  *contacts_group;
  GtkWidget            *import_certs_button;

  /* Owned */
  EpContext            *context;
  GCancellable         *cancellable;       /* changes; cancelled in dispose */
  GCancellable         *list_cancellable;  /* the latest listing only */
  GPtrArray            *rows;              /* GtkWidget: the rows shown now, both groups */

  gboolean              loaded;            /* the last listing opened the vault */
  gboolean              load_failed;       /* … and it could not */
  guint                 creating;          /* identities being created */
};

EpVaultOp       *_ep_encryption_page_op_new       (EpEncryptionPage    *self,
                                                   EpVaultOpKind        kind);
/* Runs @op (consumed) in a worker thread. */
void             _ep_encryption_page_run          (EpEncryptionPage    *self,
                                                   EpVaultOp           *op,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
EpVaultOpResult *_ep_encryption_page_run_finish   (GAsyncResult        *result,
                                                   GError             **error);

void             _ep_encryption_page_reload       (EpEncryptionPage    *self);
void             _ep_encryption_page_actions_update (EpEncryptionPage  *self);
void             _ep_encryption_page_toast        (EpEncryptionPage    *self,
                                                   const char          *text);
/* Toasts "@what: <the error>", logs it, and reloads. Not for cancelled. */
void             _ep_encryption_page_toast_error  (EpEncryptionPage    *self,
                                                   const char          *what,
                                                   const GError        *error);
GtkWindow       *_ep_encryption_page_window       (EpEncryptionPage    *self);
/* "3 Mar 2029" */
char            *_ep_encryption_format_date       (gint64               unix_time);
void             _ep_encryption_set_creating      (EpEncryptionPage    *self,
                                                   gboolean             creating);

/* What an operation's callback needs: the page, the dialog that asked (if
 * it is still there), and a name or message to show. */
typedef struct
{
  EpEncryptionPage *self;
  GWeakRef          dialog;
  char             *name;
} EpEncryptionPending;

EpEncryptionPending *_ep_encryption_pending_new   (EpEncryptionPage *self,
                                                   GtkWidget        *dialog,
                                                   const char       *name);
void             _ep_encryption_pending_free      (EpEncryptionPending *pending);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpEncryptionPending, _ep_encryption_pending_free)

GtkWidget       *_ep_encryption_message_dialog    (EpEncryptionPage    *self,
                                                   const char          *heading,
                                                   const char          *body);
GtkWidget       *_ep_encryption_boxed_list        (void);
GtkWidget       *_ep_encryption_wrapped_label     (const char          *text,
                                                   const char          *css_class);

/* ep-encryption-page-dialogs.c */
void             _ep_encryption_page_show_details (EpEncryptionPage    *self,
                                                   const EpCertInfo    *info);
void             _ep_encryption_page_remove       (EpEncryptionPage    *self,
                                                   const EpCertInfo    *info);
void             _ep_encryption_page_accept       (EpEncryptionPage    *self,
                                                   const EpCertInfo    *info);
void             _ep_encryption_page_create_identity (EpEncryptionPage *self);

/* ep-encryption-page-files.c */
void             _ep_encryption_page_export       (EpEncryptionPage    *self,
                                                   const EpCertInfo    *info);
void             _ep_encryption_page_import_identity (EpEncryptionPage *self);
void             _ep_encryption_page_import_certificates (EpEncryptionPage *self);

G_END_DECLS
