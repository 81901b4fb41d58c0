/* ep-account.h: a sending (and reading) account; never holds a secret
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ep-types.h"

G_BEGIN_DECLS

#define EP_ACCOUNT_ERROR (ep_account_error_quark ())

typedef enum
{
  EP_ACCOUNT_ERROR_INVALID,
  EP_ACCOUNT_ERROR_NO_SECRET,
  EP_ACCOUNT_ERROR_KEYRING,
} EpAccountError;

#define EP_TYPE_ACCOUNT (ep_account_get_type ())

G_DECLARE_FINAL_TYPE (EpAccount, ep_account, EP, ACCOUNT, GObject)

GQuark      ep_account_error_quark        (void);
EpAccount  *ep_account_new                (const char  *name);
EpAccount  *ep_account_new_from_variant   (GVariant    *dict);
GVariant   *ep_account_to_variant         (EpAccount   *self);
gboolean    ep_account_validate           (EpAccount   *self,
                                           GError     **error);
gboolean    ep_account_apply_preset       (EpAccount   *self,
                                           const char  *preset_id);

const char *ep_account_get_uid            (EpAccount *self);
const char *ep_account_get_name           (EpAccount *self);
const char *ep_account_get_display_name   (EpAccount *self);
const char *ep_account_get_address        (EpAccount *self);
const char *ep_account_get_smtp_host      (EpAccount *self);
guint       ep_account_get_smtp_port      (EpAccount *self);
EpSecurity  ep_account_get_smtp_security  (EpAccount *self);
const char *ep_account_get_imap_host      (EpAccount *self);
guint       ep_account_get_imap_port      (EpAccount *self);
EpSecurity  ep_account_get_imap_security  (EpAccount *self);
const char *ep_account_get_username       (EpAccount *self);
const char *ep_account_get_ca_file        (EpAccount *self);
EpAuthMethod ep_account_get_auth_method   (EpAccount *self);
const char *ep_account_get_preset         (EpAccount *self);
gboolean    ep_account_get_is_default     (EpAccount *self);
const char *ep_account_get_login          (EpAccount *self);
/* Text added under each message from this account (plain, or Markdown in
 * a Markdown message); NULL when there is none. */
const char *ep_account_get_signature      (EpAccount *self);

G_END_DECLS
