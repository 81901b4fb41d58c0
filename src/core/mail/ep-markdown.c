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
#include "ep-signature.h"

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
  g_autofree char *text = NULL;
  g_autofree char *signature = NULL;
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
  /* A signature under "-- " keeps its lines as they were typed (and
   * its separator cannot turn the line above into a heading). */
  text = ep_signature_split (markdown, &signature);
  rc = md_html (text, (MD_SIZE) strlen (text), append_cb, html,
                MD_DIALECT_GITHUB | MD_FLAG_NOHTML, MD_HTML_FLAG_SKIP_UTF8_BOM);
  if (rc == 0 && signature != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (signature, "\n", -1);
      g_autoptr(GString) hard = g_string_new ("\\-\\-  \n");

      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_strchomp (lines[i]);
          g_string_append (hard, lines[i]);
          /* Two spaces: a line break that stays (CommonMark). */
          g_string_append (hard, lines[i][0] != '\0' ? "  \n" : "\n");
        }
      g_string_append (html, "<div class=\"signature\">\n");
      rc = md_html (hard->str, (MD_SIZE) hard->len, append_cb, html,
                    MD_DIALECT_GITHUB | MD_FLAG_NOHTML, MD_HTML_FLAG_SKIP_UTF8_BOM);
      g_string_append (html, "</div>\n");
    }
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
