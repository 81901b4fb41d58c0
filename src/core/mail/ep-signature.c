/* ep-signature.c: an account's signature in the text of a message
 *
 * The signature is written into the message text, where the person can
 * see and edit it; Compose and the merge wizard find it again, as it was
 * put in, to swap it when the sender changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-signature"

#include "config.h"

#include <string.h>

#include "ep-signature.h"

#define SEPARATOR "-- \n"

/* @signature without the white space around it, or NULL if that is all. */
static char *
normalize (const char *signature)
{
  g_autofree char *copy = NULL;

  if (signature == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (signature));
  return copy[0] != '\0' ? g_steal_pointer (&copy) : NULL;
}

char *
ep_signature_block (const char *signature)
{
  g_autofree char *text = normalize (signature);

  if (text == NULL)
    return NULL;
  return g_strconcat ("\n\n" SEPARATOR, text, NULL);
}

gboolean
ep_signature_find (const char *body,
                   const char *signature,
                   glong      *start,
                   glong      *end)
{
  g_autofree char *text = normalize (signature);
  g_autofree char *needle = NULL;
  const char *at;
  gsize needle_len;

  g_return_val_if_fail (body != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  needle = g_strconcat (SEPARATOR, text, NULL);
  needle_len = strlen (needle);

  for (at = strstr (body, needle); at != NULL; at = strstr (at + 1, needle))
    {
      const char *after = at + needle_len;
      const char *from = at;

      if (at != body && at[-1] != '\n')
        continue;
      if (*after != '\0' && *after != '\n' && *after != '\r')
        continue;
      /* The blank line that was put above it goes with it. */
      for (guint n = 0; n < 2 && from > body && from[-1] == '\n'; n++)
        from--;
      if (start != NULL)
        *start = g_utf8_pointer_to_offset (body, from);
      if (end != NULL)
        *end = g_utf8_pointer_to_offset (body, after);
      return TRUE;
    }

  return FALSE;
}

char *
ep_signature_split (const char  *text,
                    char       **signature)
{
  const char *last = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *line = text; line != NULL; )
    {
      const char *next = strchr (line, '\n');

      if (next != NULL && next - line >= 3 && strncmp (line, "-- ", 3) == 0 &&
          (next - line == 3 || (next - line == 4 && line[3] == '\r')))
        last = line;
      line = next ? next + 1 : NULL;
    }

  if (last == NULL)
    {
      if (signature != NULL)
        *signature = NULL;
      return g_strdup (text);
    }

  if (signature != NULL)
    *signature = g_strdup (strchr (last, '\n') + 1);
  return g_strndup (text, last - text);
}
