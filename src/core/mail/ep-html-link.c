/* ep-html-link.c: which links of an HTML mail the reader may follow
 *
 * Only http(s), mailto and ftp targets are links. A target is read as a
 * browser reads it (control characters and white space inside removed, so
 * "java&#9;script:" is not a way around the check) and resolved against
 * <base href>; a relative one without a base goes nowhere and is no link.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-html-link"

#include "config.h"

#include <string.h>
#include <libxml/uri.h>

#include "ep-html-text-private.h"

static gboolean
scheme_allowed (const char *url)
{
  static const char *const allowed[] = { "http:", "https:", "mailto:", "ftp:" };

  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    if (g_ascii_strncasecmp (url, allowed[i], strlen (allowed[i])) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_scheme (const char *url)
{
  const char *p = url;

  if (!g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  return *p == ':';
}

/* The target of @href as a browser would follow it (controls and white
 * space removed, resolved against <base>), or NULL when it is not a link
 * the reader may follow (javascript:, data:, file:, a bare fragment…). */
char *
_ep_html_link_target (const char *href,
                      const char *base)
{
  g_autoptr(GString) clean = g_string_new (NULL);
  xmlChar *resolved;
  char *target = NULL;

  for (const char *p = href; *p != '\0'; p++)
    if ((guchar) *p > ' ' && *p != 0x7f)
      g_string_append_c (clean, *p);
  /* libxml2 passes attribute bytes on as they came. */
  if (clean->len == 0 || !g_utf8_validate (clean->str, (gssize) clean->len, NULL))
    return NULL;
  if (has_scheme (clean->str))
    return scheme_allowed (clean->str) ? g_strdup (clean->str) : NULL;
  if (base == NULL)
    return NULL;

  resolved = xmlBuildURI ((const xmlChar *) clean->str, (const xmlChar *) base);
  if (resolved != NULL && scheme_allowed ((const char *) resolved) &&
      g_utf8_validate ((const char *) resolved, -1, NULL))
    target = g_strdup ((const char *) resolved);
  xmlFree (resolved);
  return target;
}

static void
strip_prefix (const char **s,
              gsize       *len,
              const char  *prefix)
{
  gsize n = strlen (prefix);

  if (*len >= n && g_ascii_strncasecmp (*s, prefix, n) == 0)
    {
      *s += n;
      *len -= n;
    }
}

/* Whether the visible label already says where the link goes. */
gboolean
_ep_html_label_is_target (const char *label,
                          gsize       label_len,
                          const char *target)
{
  gsize target_len = strlen (target);

  while (label_len > 0 && g_ascii_isspace (*label))
    label++, label_len--;
  while (label_len > 0 && g_ascii_isspace (label[label_len - 1]))
    label_len--;

  strip_prefix (&label, &label_len, "mailto:");
  strip_prefix (&target, &target_len, "mailto:");
  if (g_strstr_len (label, label_len, "://") == NULL)
    {
      strip_prefix (&target, &target_len, "https://");
      strip_prefix (&target, &target_len, "http://");
    }
  if (label_len > 0 && label[label_len - 1] == '/')
    label_len--;
  if (target_len > 0 && target[target_len - 1] == '/')
    target_len--;
  return label_len == target_len && g_ascii_strncasecmp (label, target, label_len) == 0;
}
