/* ep-html-text.c: TEMPORARY minimal stand-in (text nodes only), so the
 * message reader links; the real renderer is built in another branch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-html-text"

#include "config.h"

#include <string.h>
#include <libxml/HTMLparser.h>

#include "ep-html-text.h"

static void
walk (xmlNode *node,
      GString *out,
      guint    depth)
{
  for (; node != NULL && depth < 256; node = node->next)
    {
      const char *name = (const char *) node->name;

      if (node->type == XML_TEXT_NODE && node->content != NULL)
        g_string_append (out, (const char *) node->content);
      else if (node->type == XML_ELEMENT_NODE)
        {
          if (g_ascii_strcasecmp (name, "script") == 0 || g_ascii_strcasecmp (name, "style") == 0 ||
              g_ascii_strcasecmp (name, "head") == 0)
            continue;
          walk (node->children, out, depth + 1);
          if (g_ascii_strcasecmp (name, "p") == 0 || g_ascii_strcasecmp (name, "br") == 0 ||
              g_ascii_strcasecmp (name, "div") == 0)
            g_string_append_c (out, '\n');
        }
    }
}

EpFormattedText *
ep_html_to_text (const char *html,
                 gssize      len,
                 const char *charset)
{
  EpFormattedText *text = ep_formatted_text_new ();
  GString *out = g_string_new (NULL);
  htmlDocPtr doc;

  if (len < 0)
    len = strlen (html);
  doc = htmlReadMemory (html, (int) MIN (len, G_MAXINT), NULL, charset,
                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                        HTML_PARSE_NONET);
  if (doc != NULL)
    walk (xmlDocGetRootElement (doc), out, 0);
  xmlFreeDoc (doc);
  g_free (text->text);
  text->text = g_utf8_make_valid (out->str, out->len);
  g_string_free (out, TRUE);
  return text;
}
