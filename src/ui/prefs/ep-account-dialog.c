#include "config.h"

#include "ep-account-dialog.h"

struct _EpAccountDialog { AdwWindow parent_instance; };

G_DEFINE_FINAL_TYPE (EpAccountDialog, ep_account_dialog, ADW_TYPE_WINDOW)

static void ep_account_dialog_class_init (EpAccountDialogClass *klass) { }
static void ep_account_dialog_init (EpAccountDialog *self) { }

EpAccountDialog *
ep_account_dialog_new (GtkWindow *parent,
                       EpContext *context,
                       EpAccount *account)
{
  return g_object_new (EP_TYPE_ACCOUNT_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
}
