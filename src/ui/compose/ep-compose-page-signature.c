/* ep-compose-page-signature.c: the sender's signature in the message
 *
 * A new message gets the signature of the account in From under where
 * the person writes; a reply or forward gets it above the quote. It is
 * in the text, to see and edit. When From changes (or the account's
 * signature does), the signature that was put in is swapped for the new
 * one; once the person has changed it, it is theirs and left alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-compose-page"

#include "config.h"

#include "ep-compose-page-private.h"

void
_ep_compose_page_signature_reset (EpComposePage       *self,
                                  EpSignaturePlacement placement)
{
  g_clear_pointer (&self->signature, g_free);
  self->signature_placement = placement;
}

/* Only the signature that a new message was given: nothing written yet. */
gboolean
_ep_compose_page_signature_is_blank (EpComposePage *self,
                                     const char    *body)
{
  g_autofree char *block = NULL;

  if (body[0] == '\0')
    return TRUE;
  if (self->signature == NULL)
    return FALSE;
  block = ep_signature_block (self->signature);
  return g_strcmp0 (body, block) == 0;
}

static void
insert_at (EpComposePage *self,
           glong          offset,
           const char    *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter at;

  gtk_text_buffer_get_iter_at_offset (buffer, &at, (int) offset);
  gtk_text_buffer_insert (buffer, &at, text, -1);
}

void
_ep_compose_page_signature_sync (EpComposePage *self)
{
  EpAccount *account = _ep_compose_page_selected_account (self);
  const char *wanted = account ? ep_account_get_signature (account) : NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  g_autofree char *body = _ep_compose_page_body_text (self);
  g_autofree char *block = ep_signature_block (wanted);
  gboolean was_loading = self->loading;
  gboolean blank = body[0] == '\0';
  glong start, end;

  if (g_strcmp0 (wanted, self->signature) == 0 && self->signature_placement == EP_SIGNATURE_PLACED)
    return;

  /* A draft emptied of its text takes a signature as a new message does. */
  if (blank && self->signature_placement == EP_SIGNATURE_ADOPT)
    self->signature_placement = EP_SIGNATURE_BELOW;

  /* Changes made here are not the person's: no draft for them alone. */
  self->loading = was_loading || _ep_compose_page_signature_is_blank (self, body);
  gtk_text_buffer_begin_irreversible_action (buffer);

  switch (self->signature_placement)
    {
    case EP_SIGNATURE_PLACED:
      if (self->signature != NULL && ep_signature_find (body, self->signature, &start, &end))
        {
          GtkTextIter from, to;

          gtk_text_buffer_get_iter_at_offset (buffer, &from, (int) start);
          gtk_text_buffer_get_iter_at_offset (buffer, &to, (int) end);
          gtk_text_buffer_delete (buffer, &from, &to);
          if (block != NULL)
            insert_at (self, start, block);
        }
      else if (self->signature == NULL && block != NULL)
        /* The last sender had none: the new one's goes at the end. */
        insert_at (self, g_utf8_strlen (body, -1), block);
      /* else changed or removed by the person: theirs now. */
      break;

    case EP_SIGNATURE_BELOW:
      if (block != NULL)
        insert_at (self, g_utf8_strlen (body, -1), block);
      break;

    case EP_SIGNATURE_ABOVE_QUOTE:
      if (block != NULL)
        {
          g_autofree char *above = g_strconcat (block, "\n\n", NULL);

          insert_at (self, 0, blank ? block : above);
          /* The answer goes above it. */
          blank = TRUE;
        }
      break;

    case EP_SIGNATURE_ADOPT:
    default:
      /* A restored draft: only take over a signature it already has. */
      if (wanted == NULL || !ep_signature_find (body, wanted, NULL, NULL))
        {
          gtk_text_buffer_end_irreversible_action (buffer);
          self->loading = was_loading;
          g_clear_pointer (&self->signature, g_free);
          return;
        }
      break;
    }

  gtk_text_buffer_end_irreversible_action (buffer);
  if (blank)
    {
      GtkTextIter top;

      /* Nothing written yet: the writing starts above the signature. */
      gtk_text_buffer_get_start_iter (buffer, &top);
      gtk_text_buffer_place_cursor (buffer, &top);
    }
  self->loading = was_loading;
  g_free (self->signature);
  self->signature = g_strdup (wanted);
  self->signature_placement = EP_SIGNATURE_PLACED;
}
