/* ep-draft.c: EpDraft, its copy and its a{sv} form
 *
 * The a{sv} form has one key per field, named like the field:
 *
 *   id (x)                                   only when not 0
 *   account_uid, from_name, from_address,
 *   subject, body, reply_to, html_source,
 *   message_id, in_reply_to, references (s)  only when not NULL
 *   to, cc, bcc (as)                         always, maybe empty
 *   markdown, sign, encrypt, gcm (b)         always
 *   attachments (aay)                        always; file paths are bytes,
 *                                            not necessarily UTF-8
 *
 * Reading ignores keys it does not know and treats a missing key as NULL,
 * 0, FALSE or an empty list; a known key of the wrong type is an error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-draft"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-draft.h"

G_DEFINE_BOXED_TYPE (EpDraft, ep_draft, ep_draft_copy, ep_draft_free)

static const struct
{
  const char *key;
  gsize       offset;
} text_fields[] = {
  { "account_uid",  G_STRUCT_OFFSET (EpDraft, account_uid) },
  { "from_name",    G_STRUCT_OFFSET (EpDraft, from_name) },
  { "from_address", G_STRUCT_OFFSET (EpDraft, from_address) },
  { "subject",      G_STRUCT_OFFSET (EpDraft, subject) },
  { "body",         G_STRUCT_OFFSET (EpDraft, body) },
  { "reply_to",     G_STRUCT_OFFSET (EpDraft, reply_to) },
  { "html_source",  G_STRUCT_OFFSET (EpDraft, html_source) },
  { "message_id",   G_STRUCT_OFFSET (EpDraft, message_id) },
  { "in_reply_to",  G_STRUCT_OFFSET (EpDraft, in_reply_to) },
  { "references",   G_STRUCT_OFFSET (EpDraft, references) },
};

static const struct
{
  const char *key;
  gsize       offset;
} address_fields[] = {
  { "to",  G_STRUCT_OFFSET (EpDraft, to) },
  { "cc",  G_STRUCT_OFFSET (EpDraft, cc) },
  { "bcc", G_STRUCT_OFFSET (EpDraft, bcc) },
};

#define TEXT_FIELD(draft, i) G_STRUCT_MEMBER (char *, (draft), text_fields[i].offset)
#define LIST_FIELD(draft, i) G_STRUCT_MEMBER (GPtrArray *, (draft), address_fields[i].offset)

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
  copy->sign = draft->sign;
  copy->encrypt = draft->encrypt;
  copy->gcm = draft->gcm;
  copy->password = g_strdup (draft->password);
  copy->password_hint = g_strdup (draft->password_hint);
  copy->remember_password = draft->remember_password;
  copy_strings (copy->attachments, draft->attachments);
  copy->reply_to = g_strdup (draft->reply_to);
  copy->html_source = g_strdup (draft->html_source);
  copy->message_id = g_strdup (draft->message_id);
  copy->in_reply_to = g_strdup (draft->in_reply_to);
  copy->references = g_strdup (draft->references);

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
  g_free (draft->in_reply_to);
  g_free (draft->references);
  if (draft->password != NULL)
    {
      memset (draft->password, 0, strlen (draft->password));
      g_free (draft->password);
    }
  g_free (draft->password_hint);
  g_free (draft);
}

/* A GVariant string must be UTF-8: anything else is repaired (U+FFFD)
 * rather than refused, so a bad byte never loses the whole draft. */
static GVariant *
text_variant (const char *text)
{
  if (text == NULL)
    text = "";
  if (g_utf8_validate (text, -1, NULL))
    return g_variant_new_string (text);
  return g_variant_new_take_string (g_utf8_make_valid (text, -1));
}

static GVariant *
strings_variant (GPtrArray *strings)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; i < strings->len; i++)
    g_variant_builder_add_value (&builder, text_variant (g_ptr_array_index (strings, i)));
  return g_variant_builder_end (&builder);
}

static GVariant *
paths_variant (GPtrArray *paths)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_BYTESTRING_ARRAY);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      g_variant_builder_add_value (&builder, g_variant_new_bytestring (path ? path : ""));
    }
  return g_variant_builder_end (&builder);
}

/**
 * ep_draft_to_variant:
 * @draft: a draft
 *
 * Writes every field of @draft into an a{sv} dictionary (keys at the top
 * of ep-draft.c). Text that is not valid UTF-8 is repaired on the way.
 *
 * Returns: (transfer full): a new, non-floating reference: release it
 * with g_variant_unref()
 */
GVariant *
ep_draft_to_variant (const EpDraft *draft)
{
  GVariantBuilder builder;

  g_return_val_if_fail (draft != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  if (draft->id != 0)
    g_variant_builder_add (&builder, "{sv}", "id", g_variant_new_int64 (draft->id));
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    if (TEXT_FIELD (draft, i) != NULL)
      g_variant_builder_add (&builder, "{sv}", text_fields[i].key,
                             text_variant (TEXT_FIELD (draft, i)));
  for (guint i = 0; i < G_N_ELEMENTS (address_fields); i++)
    g_variant_builder_add (&builder, "{sv}", address_fields[i].key,
                           strings_variant (LIST_FIELD (draft, i)));
  g_variant_builder_add (&builder, "{sv}", "markdown", g_variant_new_boolean (draft->markdown));
  g_variant_builder_add (&builder, "{sv}", "sign", g_variant_new_boolean (draft->sign));
  g_variant_builder_add (&builder, "{sv}", "encrypt", g_variant_new_boolean (draft->encrypt));
  g_variant_builder_add (&builder, "{sv}", "gcm", g_variant_new_boolean (draft->gcm));
  g_variant_builder_add (&builder, "{sv}", "attachments", paths_variant (draft->attachments));

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* The value of @key, or NULL when it is missing (not an error); FALSE with
 * @error set when it is there with another type than @type. */
static gboolean
lookup_typed (GVariant            *dict,
              const char          *key,
              const GVariantType  *type,
              GVariant           **out,
              GError             **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, NULL);

  *out = NULL;
  if (value == NULL)
    return TRUE;

  if (!g_variant_is_of_type (value, type))
    {
      g_autofree char *expected = g_variant_type_dup_string (type);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* Translators: a saved draft is damaged; the last two are GVariant types */
                   _("The draft’s field “%s” has type “%s” instead of “%s”"),
                   key, g_variant_get_type_string (value), expected);
      return FALSE;
    }

  *out = g_steal_pointer (&value);
  return TRUE;
}

/**
 * ep_draft_from_variant:
 * @variant: an a{sv} dictionary, as made by ep_draft_to_variant()
 * @error: return location for a #G_IO_ERROR_INVALID_DATA error
 *
 * Reads a draft back. Unknown keys are ignored; missing ones leave the
 * field NULL, 0, FALSE or empty.
 *
 * Returns: (transfer full) (nullable): the draft, or NULL with @error set
 * when @variant is not an a{sv} or one of its keys has the wrong type
 */
EpDraft *
ep_draft_from_variant (GVariant  *variant,
                       GError   **error)
{
  g_autoptr(EpDraft) draft = NULL;
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (variant != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A draft must be a dictionary of type “a{sv}”, not “%s”"),
                   g_variant_get_type_string (variant));
      return NULL;
    }

  draft = ep_draft_new ();

  if (!lookup_typed (variant, "id", G_VARIANT_TYPE_INT64, &value, error))
    return NULL;
  if (value != NULL)
    draft->id = g_variant_get_int64 (value);
  g_clear_pointer (&value, g_variant_unref);

  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      if (!lookup_typed (variant, text_fields[i].key, G_VARIANT_TYPE_STRING, &value, error))
        return NULL;
      if (value != NULL)
        TEXT_FIELD (draft, i) = g_variant_dup_string (value, NULL);
      g_clear_pointer (&value, g_variant_unref);
    }

  for (guint i = 0; i < G_N_ELEMENTS (address_fields); i++)
    {
      if (!lookup_typed (variant, address_fields[i].key, G_VARIANT_TYPE_STRING_ARRAY,
                         &value, error))
        return NULL;
      if (value != NULL)
        for (gsize j = 0; j < g_variant_n_children (value); j++)
          {
            g_autoptr(GVariant) child = g_variant_get_child_value (value, j);

            g_ptr_array_add (LIST_FIELD (draft, i), g_variant_dup_string (child, NULL));
          }
      g_clear_pointer (&value, g_variant_unref);
    }

  if (!lookup_typed (variant, "markdown", G_VARIANT_TYPE_BOOLEAN, &value, error))
    return NULL;
  if (value != NULL)
    draft->markdown = g_variant_get_boolean (value);
  g_clear_pointer (&value, g_variant_unref);
  if (!lookup_typed (variant, "sign", G_VARIANT_TYPE_BOOLEAN, &value, error))
    return NULL;
  if (value != NULL)
    draft->sign = g_variant_get_boolean (value);
  g_clear_pointer (&value, g_variant_unref);
  if (!lookup_typed (variant, "encrypt", G_VARIANT_TYPE_BOOLEAN, &value, error))
    return NULL;
  if (value != NULL)
    draft->encrypt = g_variant_get_boolean (value);
  g_clear_pointer (&value, g_variant_unref);
  if (!lookup_typed (variant, "gcm", G_VARIANT_TYPE_BOOLEAN, &value, error))
    return NULL;
  if (value != NULL)
    draft->gcm = g_variant_get_boolean (value);
  g_clear_pointer (&value, g_variant_unref);

  if (!lookup_typed (variant, "attachments", G_VARIANT_TYPE_BYTESTRING_ARRAY, &value, error))
    return NULL;
  if (value != NULL)
    for (gsize j = 0; j < g_variant_n_children (value); j++)
      {
        g_autoptr(GVariant) child = g_variant_get_child_value (value, j);

        g_ptr_array_add (draft->attachments, g_variant_dup_bytestring (child, NULL));
      }

  return g_steal_pointer (&draft);
}
