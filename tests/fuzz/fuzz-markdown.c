/* fuzz-markdown.c: Markdown to HTML (md4c), as a message body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_autofree char *html = NULL;

  (void) fuzz_dir ();
  html = ep_markdown_to_html (text, NULL);
  return 0;
}
