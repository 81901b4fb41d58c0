/* ep-account-dialog.h: add or edit an account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_ACCOUNT_DIALOG (ep_account_dialog_get_type ())

G_DECLARE_FINAL_TYPE (EpAccountDialog, ep_account_dialog, EP, ACCOUNT_DIALOG, AdwWindow)

/* @account NULL: add a new account; otherwise edit (a copy of) @account. */
EpAccountDialog *ep_account_dialog_new (GtkWindow *parent,
                                        EpContext *context,
                                        EpAccount *account);

G_END_DECLS
