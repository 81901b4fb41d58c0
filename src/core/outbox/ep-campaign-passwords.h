/* ep-campaign-passwords.h: the passwords Epistle generated for a
 * campaign, kept in the keyring until the person has delivered them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/* Keeps @passwords (Message-ID → password) in the keyring under @key (the
 * campaign's first Message-ID, known before the campaign is stored), so
 * that neither a crash nor a restart loses the only copy. Blocks. */
gboolean    ep_campaign_passwords_store   (const char    *key,
                                           const char    *campaign_name,
                                           GHashTable    *passwords,
                                           GCancellable  *cancellable,
                                           GError       **error);

/* The passwords kept under @key (Message-ID → password, wiped when the
 * table is destroyed), an empty table when there are none, or NULL with
 * an error when the keyring cannot be asked. Blocks. */
GHashTable *ep_campaign_passwords_lookup  (const char    *key,
                                           GCancellable  *cancellable,
                                           GError       **error);

/* Forgets them (the campaign was deleted). Blocks. */
gboolean    ep_campaign_passwords_clear   (const char    *key,
                                           GCancellable  *cancellable,
                                           GError       **error);

G_END_DECLS
