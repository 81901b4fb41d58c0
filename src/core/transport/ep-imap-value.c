/* ep-imap-value.c: the accessors of parsed IMAP values and responses,
 * and quoting for commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ep-imap-parser.h"

const char *
ep_imap_value_string (const EpImapValue *value)
{
  if (value == NULL)
    return NULL;
  switch (value->kind)
    {
    case EP_IMAP_ATOM:
    case EP_IMAP_STRING:
    case EP_IMAP_NUMBER:
      return value->str;
    case EP_IMAP_NIL:
    case EP_IMAP_LIST:
    default:
      return NULL;
    }
}

gboolean
ep_imap_value_number (const EpImapValue *value,
                      guint64           *out)
{
  if (value == NULL || value->kind != EP_IMAP_NUMBER)
    return FALSE;
  if (out != NULL)
    *out = value->number;
  return TRUE;
}

guint
ep_imap_value_n_items (const EpImapValue *value)
{
  if (value == NULL || value->kind != EP_IMAP_LIST || value->items == NULL)
    return 0;
  return value->items->len;
}

const EpImapValue *
ep_imap_value_item (const EpImapValue *value,
                    guint              index)
{
  if (index >= ep_imap_value_n_items (value))
    return NULL;
  return g_ptr_array_index (value->items, index);
}

void
ep_imap_value_free (EpImapValue *value)
{
  if (value == NULL)
    return;
  g_free (value->str);
  if (value->items != NULL)
    g_ptr_array_unref (value->items);
  g_free (value);
}

void
ep_imap_response_free (EpImapResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->tag);
  g_free (response->code);
  ep_imap_value_free (response->code_args);
  g_free (response->text);
  g_free (response->name);
  ep_imap_value_free (response->data);
  g_free (response);
}

/* ---- commands ---- */

gboolean
ep_imap_append_quoted (GString    *out,
                       const char *s)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (s == NULL)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (*p == '\r' || *p == '\n' || (guchar) *p >= 0x80)
      return FALSE;
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return TRUE;
}
