/* ep-address.h: email addresses, parsed and validated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define EP_MAIL_ERROR (ep_mail_error_quark ())

typedef enum
{
  EP_MAIL_ERROR_INVALID_ADDRESS,
  EP_MAIL_ERROR_NO_RECIPIENTS,
  EP_MAIL_ERROR_ATTACHMENT,
  EP_MAIL_ERROR_INVALID,
} EpMailError;

typedef struct
{
  char *name;      /* display name, UTF-8, may be NULL */
  char *address;   /* addr-spec: local@domain */
} EpAddress;

#define EP_TYPE_ADDRESS (ep_address_get_type ())

GQuark      ep_mail_error_quark   (void);
GType       ep_address_get_type   (void) G_GNUC_CONST;
EpAddress  *ep_address_new        (const char      *name,
                                   const char      *address);
EpAddress  *ep_address_copy       (const EpAddress *address);
void        ep_address_free       (EpAddress       *address);
gboolean    ep_address_validate   (const char      *addr_spec,
                                   GError         **error);
GPtrArray  *ep_address_list_parse (const char      *text,
                                   GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpAddress, ep_address_free)

G_END_DECLS
