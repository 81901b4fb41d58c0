/* ep-encryption-page.h: Preferences, Encryption: your certificates and
 * your contacts' certificates in the key vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <epistle-core.h>

G_BEGIN_DECLS

#define EP_TYPE_ENCRYPTION_PAGE (ep_encryption_page_get_type ())

G_DECLARE_FINAL_TYPE (EpEncryptionPage, ep_encryption_page, EP, ENCRYPTION_PAGE, AdwPreferencesPage)

GtkWidget *ep_encryption_page_new         (EpContext        *context);
/* Imports a certificate file (a .p12 or .pfx asks for its password). */
void       ep_encryption_page_import_file (EpEncryptionPage *self,
                                           GFile            *file);

G_END_DECLS
