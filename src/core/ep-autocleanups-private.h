/* ep-autocleanups-private.h: g_autoptr support for foreign types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <curl/curl.h>

typedef struct curl_slist curl_slist;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURL, curl_easy_cleanup)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURLU, curl_url_cleanup)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (curl_slist, curl_slist_free_all)
