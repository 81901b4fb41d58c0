/* ep-password-dialog.h: re-enter an account's password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_PASSWORD_DIALOG (ep_password_dialog_get_type ())

G_DECLARE_FINAL_TYPE (EpPasswordDialog, ep_password_dialog, EP, PASSWORD_DIALOG, AdwWindow)

/* Emits "saved" after the new password is in the keyring, then closes.
 * @reason: why it is asked for (e.g. the server's refusal), or NULL. */
EpPasswordDialog *ep_password_dialog_new (GtkWindow  *parent,
                                          EpContext  *context,
                                          EpAccount  *account,
                                          const char *reason);

G_END_DECLS
