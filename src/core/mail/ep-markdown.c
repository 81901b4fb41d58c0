/* ep-markdown.c
 *
 * CommonMark plus tables, strikethrough and autolinks (md4c's GitHub
 * dialect). Raw HTML in the source is NOT passed through: merged data must
 * never be able to inject markup, scripts or remote images into a message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-markdown"

#include "config.h"

#include <string.h>
#include <md4c-html.h>
#include <glib/gi18n-lib.h>

#include "ep-address.h"
#include "ep-markdown.h"

static void
append_cb (const MD_CHAR *text,
           MD_SIZE        size,
           void          *user_data)
{
  g_string_append_len (user_data, text, size);
}

char *
ep_markdown_to_html (const char  *markdown,
                     GError     **error)
{
  GString *html;
  int rc;

  g_return_val_if_fail (markdown != NULL, NULL);

  if (!g_utf8_validate (markdown, -1, NULL))
    {
      g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID,
                           _("The message text is not valid UTF-8"));
      return NULL;
    }

  html = g_string_new ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                       "</head>\n<body>\n");
  rc = md_html (markdown, (MD_SIZE) strlen (markdown), append_cb, html,
                MD_DIALECT_GITHUB | MD_FLAG_NOHTML, MD_HTML_FLAG_SKIP_UTF8_BOM);
  if (rc != 0)
    {
      g_string_free (html, TRUE);
      g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID,
                           _("The Markdown text could not be converted to HTML"));
      return NULL;
    }

  g_string_append (html, "</body>\n</html>\n");

  return g_string_free (html, FALSE);
}
