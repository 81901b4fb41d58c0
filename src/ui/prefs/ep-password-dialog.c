#include "config.h"

#include "ep-password-dialog.h"

struct _EpPasswordDialog { AdwWindow parent_instance; };

G_DEFINE_FINAL_TYPE (EpPasswordDialog, ep_password_dialog, ADW_TYPE_WINDOW)

static void
ep_password_dialog_class_init (EpPasswordDialogClass *klass)
{
  g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 0);
}

static void ep_password_dialog_init (EpPasswordDialog *self) { }

EpPasswordDialog *
ep_password_dialog_new (GtkWindow  *parent,
                        EpContext  *context,
                        EpAccount  *account,
                        const char *reason)
{
  return g_object_new (EP_TYPE_PASSWORD_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
}
