/* ep-draft.c: EpDraft and its copy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-draft"

#include "config.h"

#include "ep-draft.h"

G_DEFINE_BOXED_TYPE (EpDraft, ep_draft, ep_draft_copy, ep_draft_free)

EpDraft *
ep_draft_new (void)
{
  EpDraft *draft = g_new0 (EpDraft, 1);

  draft->to = g_ptr_array_new_with_free_func (g_free);
  draft->cc = g_ptr_array_new_with_free_func (g_free);
  draft->bcc = g_ptr_array_new_with_free_func (g_free);
  draft->attachments = g_ptr_array_new_with_free_func (g_free);

  return draft;
}

static void
copy_strings (GPtrArray *dest,
              GPtrArray *src)
{
  for (guint i = 0; i < src->len; i++)
    g_ptr_array_add (dest, g_strdup (g_ptr_array_index (src, i)));
}

EpDraft *
ep_draft_copy (const EpDraft *draft)
{
  EpDraft *copy;

  g_return_val_if_fail (draft != NULL, NULL);

  copy = ep_draft_new ();
  copy->id = draft->id;
  copy->account_uid = g_strdup (draft->account_uid);
  copy->from_name = g_strdup (draft->from_name);
  copy->from_address = g_strdup (draft->from_address);
  copy_strings (copy->to, draft->to);
  copy_strings (copy->cc, draft->cc);
  copy_strings (copy->bcc, draft->bcc);
  copy->subject = g_strdup (draft->subject);
  copy->body = g_strdup (draft->body);
  copy->markdown = draft->markdown;
  copy_strings (copy->attachments, draft->attachments);
  copy->reply_to = g_strdup (draft->reply_to);
  copy->html_source = g_strdup (draft->html_source);
  copy->message_id = g_strdup (draft->message_id);

  return copy;
}

void
ep_draft_free (EpDraft *draft)
{
  if (draft == NULL)
    return;

  g_free (draft->account_uid);
  g_free (draft->from_name);
  g_free (draft->from_address);
  g_ptr_array_unref (draft->to);
  g_ptr_array_unref (draft->cc);
  g_ptr_array_unref (draft->bcc);
  g_free (draft->subject);
  g_free (draft->body);
  g_ptr_array_unref (draft->attachments);
  g_free (draft->reply_to);
  g_free (draft->html_source);
  g_free (draft->message_id);
  g_free (draft);
}
