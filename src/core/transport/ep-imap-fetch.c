/* ep-imap-fetch.c: typed views of FETCH and LIST responses
 *
 * FETCH items into EpImapFetch (envelope with RFC 2047 words decoded,
 * INTERNALDATE as unix time, a summary of BODYSTRUCTURE), LIST and LSUB
 * into EpImapMailbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gmime/gmime.h>

#include "ep-imap-parser.h"

static gboolean
shape_error (GError    **error,
             const char *what)
{
  g_set_error (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_SYNTAX,
               _("The server sent a malformed %s"), what);
  return FALSE;
}

static gboolean
is_nil (const EpImapValue *v)
{
  return v != NULL && v->kind == EP_IMAP_NIL;
}

static gboolean
is_stringish (const EpImapValue *v)
{
  return v != NULL && (v->kind == EP_IMAP_STRING || v->kind == EP_IMAP_ATOM ||
                       v->kind == EP_IMAP_NUMBER);
}

/* nstring: a string or NIL (NULL). FALSE for anything else. */
static gboolean
get_nstring (const EpImapValue *v,
             const char       **out)
{
  if (is_nil (v))
    {
      *out = NULL;
      return TRUE;
    }
  if (!is_stringish (v))
    return FALSE;
  *out = v->str;
  return TRUE;
}

static gboolean
item_is (const EpImapValue *v,
         const char        *name)
{
  return v != NULL && v->kind == EP_IMAP_ATOM && g_ascii_strcasecmp (v->str, name) == 0;
}

/* Bytes as UTF-8, with invalid sequences replaced (a string may hold NULs:
 * they end it here). */
static char *
valid_utf8 (const char *s)
{
  return s == NULL ? NULL : g_utf8_make_valid (s, -1);
}

/* ---- RFC 2047 ---- */

static void
ensure_gmime (void)
{
  /* The core initialises GMime at start (ep_core_init ()); g_mime_init ()
   * counts its calls, so doing it once more here lets the parser run in a
   * test or fuzz target that has no context. */
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_mime_init ();
      g_once_init_leave (&once, 1);
    }
}

static char *
decode_header_text (const char *raw)
{
  g_autofree char *decoded = NULL;

  if (raw == NULL)
    return NULL;
  if (strstr (raw, "=?") == NULL)
    return valid_utf8 (raw);
  ensure_gmime ();
  decoded = g_mime_utils_header_decode_text (NULL, raw);
  return valid_utf8 (decoded != NULL ? decoded : raw);
}

/* ---- envelope ---- */

static void
address_free (EpImapAddress *address)
{
  g_free (address->name);
  g_free (address->address);
  g_free (address);
}

static gboolean
parse_addresses (const EpImapValue *v,
                 GPtrArray        **out,
                 GError           **error)
{
  guint n = ep_imap_value_n_items (v);

  *out = g_ptr_array_new_with_free_func ((GDestroyNotify) address_free);
  if (is_nil (v))
    return TRUE;
  if (v == NULL || v->kind != EP_IMAP_LIST)
    return shape_error (error, "address list");

  for (guint i = 0; i < n; i++)
    {
      const EpImapValue *a = ep_imap_value_item (v, i);
      const char *name, *adl, *mailbox, *host;
      EpImapAddress *address;

      if (ep_imap_value_n_items (a) != 4 ||
          !get_nstring (ep_imap_value_item (a, 0), &name) ||
          !get_nstring (ep_imap_value_item (a, 1), &adl) ||
          !get_nstring (ep_imap_value_item (a, 2), &mailbox) ||
          !get_nstring (ep_imap_value_item (a, 3), &host))
        return shape_error (error, "address");

      if (mailbox == NULL)
        continue;     /* the end of a group (or nothing) */
      if (host == NULL)
        {
          /* RFC 3501: a group's start, when a group end follows;
           * otherwise a bare mailbox name. */
          gboolean group = FALSE;

          for (guint j = i + 1; j < n && !group; j++)
            {
              const EpImapValue *b = ep_imap_value_item (v, j);

              group = ep_imap_value_n_items (b) == 4 &&
                      is_nil (ep_imap_value_item (b, 2)) && is_nil (ep_imap_value_item (b, 3));
            }
          if (group)
            continue;
        }
      address = g_new0 (EpImapAddress, 1);
      address->name = decode_header_text (name);
      if (host != NULL)
        {
          g_autofree char *joined = g_strconcat (mailbox, "@", host, NULL);

          address->address = valid_utf8 (joined);
        }
      else
        address->address = valid_utf8 (mailbox);
      g_ptr_array_add (*out, address);
    }
  return TRUE;
}

static void
envelope_free (EpImapEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->date);
  g_free (envelope->subject);
  g_clear_pointer (&envelope->from, g_ptr_array_unref);
  g_clear_pointer (&envelope->sender, g_ptr_array_unref);
  g_clear_pointer (&envelope->reply_to, g_ptr_array_unref);
  g_clear_pointer (&envelope->to, g_ptr_array_unref);
  g_clear_pointer (&envelope->cc, g_ptr_array_unref);
  g_clear_pointer (&envelope->bcc, g_ptr_array_unref);
  g_free (envelope->in_reply_to);
  g_free (envelope->message_id);
  g_free (envelope);
}

static EpImapEnvelope *
parse_envelope (const EpImapValue *v,
                GError           **error)
{
  EpImapEnvelope *e;
  const char *date, *subject, *in_reply_to, *message_id;
  GPtrArray **lists[6];

  if (ep_imap_value_n_items (v) != 10 ||
      !get_nstring (ep_imap_value_item (v, 0), &date) ||
      !get_nstring (ep_imap_value_item (v, 1), &subject) ||
      !get_nstring (ep_imap_value_item (v, 8), &in_reply_to) ||
      !get_nstring (ep_imap_value_item (v, 9), &message_id))
    {
      shape_error (error, "ENVELOPE");
      return NULL;
    }
  e = g_new0 (EpImapEnvelope, 1);
  e->date = valid_utf8 (date);
  e->subject = decode_header_text (subject);
  e->in_reply_to = valid_utf8 (in_reply_to);
  e->message_id = valid_utf8 (message_id);
  lists[0] = &e->from;
  lists[1] = &e->sender;
  lists[2] = &e->reply_to;
  lists[3] = &e->to;
  lists[4] = &e->cc;
  lists[5] = &e->bcc;
  for (guint i = 0; i < 6; i++)
    if (!parse_addresses (ep_imap_value_item (v, 2 + i), lists[i], error))
      {
        for (guint j = i + 1; j < 6; j++)
          *lists[j] = g_ptr_array_new_with_free_func ((GDestroyNotify) address_free);
        envelope_free (e);
        return NULL;
      }
  return e;
}

/* ---- BODYSTRUCTURE ---- */

/* The value of @key in a parameter list ("name" "value" …), or NULL. */
static const char *
param (const EpImapValue *params,
       const char        *key)
{
  guint n = ep_imap_value_n_items (params);

  for (guint i = 0; i + 1 < n; i += 2)
    {
      const char *k = ep_imap_value_string (ep_imap_value_item (params, i));

      if (k != NULL && g_ascii_strcasecmp (k, key) == 0)
        return ep_imap_value_string (ep_imap_value_item (params, i + 1));
    }
  return NULL;
}

static gboolean
is_str (const char *s,
        const char *want)
{
  return s != NULL && g_ascii_strcasecmp (s, want) == 0;
}

static gboolean
is_pkcs7_mime (const char *type,
               const char *subtype)
{
  return is_str (type, "application") &&
         (is_str (subtype, "pkcs7-mime") || is_str (subtype, "x-pkcs7-mime"));
}

static gboolean
is_pkcs7_signature (const char *type,
                    const char *subtype)
{
  return is_str (type, "application") &&
         (is_str (subtype, "pkcs7-signature") || is_str (subtype, "x-pkcs7-signature") ||
          is_str (subtype, "pgp-signature"));
}

static gboolean
walk_body (const EpImapValue *body,
           EpImapBodySummary *summary,
           gboolean           top,
           const char        *parent_subtype,
           guint              depth,
           GError           **error)
{
  const EpImapValue *first = ep_imap_value_item (body, 0);
  guint n = ep_imap_value_n_items (body);

  if (depth > 64 || n == 0)
    return shape_error (error, "BODYSTRUCTURE");

  if (first->kind == EP_IMAP_LIST)
    {
      /* multipart: body+ subtype [params disposition language location] */
      guint i = 0;
      const char *subtype;

      while (i < n && ep_imap_value_item (body, i)->kind == EP_IMAP_LIST)
        i++;
      subtype = ep_imap_value_string (ep_imap_value_item (body, i));
      if (subtype == NULL)
        return shape_error (error, "BODYSTRUCTURE");
      if (top)
        {
          g_autofree char *joined = g_strconcat ("multipart/", subtype, NULL);

          summary->content_type = g_ascii_strdown (joined, -1);
        }
      if (is_str (subtype, "signed"))
        summary->is_signed = TRUE;
      else if (is_str (subtype, "encrypted"))
        summary->is_encrypted = TRUE;
      else if (is_str (subtype, "report"))
        summary->is_report = TRUE;
      for (guint j = 0; j < i; j++)
        if (!walk_body (ep_imap_value_item (body, j), summary, FALSE, subtype, depth + 1, error))
          return FALSE;
      return TRUE;
    }

  {
    /* type subtype params id description encoding size … */
    const char *type = ep_imap_value_string (first);
    const char *subtype = ep_imap_value_string (ep_imap_value_item (body, 1));
    const EpImapValue *params = ep_imap_value_item (body, 2);
    const EpImapValue *disposition = NULL;
    const char *disposition_type = NULL;
    const char *name, *filename = NULL, *smime_type;
    guint ext;

    if (type == NULL || subtype == NULL || n < 7)
      return shape_error (error, "BODYSTRUCTURE");
    if (top)
      {
        g_autofree char *joined = g_strconcat (type, "/", subtype, NULL);

        summary->content_type = g_ascii_strdown (joined, -1);
      }

    /* Extension data start after the basic fields: text adds lines,
     * message/rfc822 adds envelope, body and lines. */
    ext = 7;
    if (is_str (type, "text"))
      ext = 8;
    else if (is_str (type, "message") && (is_str (subtype, "rfc822") || is_str (subtype, "global")) &&
             n >= 10 && ep_imap_value_item (body, 8)->kind == EP_IMAP_LIST)
      ext = 10;
    if (n > ext + 1 && ep_imap_value_item (body, ext + 1)->kind == EP_IMAP_LIST)
      {
        disposition = ep_imap_value_item (body, ext + 1);
        disposition_type = ep_imap_value_string (ep_imap_value_item (disposition, 0));
        filename = param (ep_imap_value_item (disposition, 1), "filename");
      }
    name = param (params, "name");
    smime_type = param (params, "smime-type");

    if (is_pkcs7_mime (type, subtype))
      {
        if (is_str (smime_type, "signed-data"))
          summary->is_signed = TRUE;
        else if (smime_type == NULL || is_str (smime_type, "enveloped-data") ||
                 is_str (smime_type, "authEnveloped-data"))
          {
            if (smime_type != NULL || top || is_str (name, "smime.p7m") ||
                is_str (filename, "smime.p7m"))
              summary->is_encrypted = TRUE;
          }
        if (top || is_str (parent_subtype, "mixed"))
          return TRUE;    /* the protected message, not an attachment */
      }
    if (is_pkcs7_signature (type, subtype) && is_str (parent_subtype, "signed"))
      return TRUE;        /* the signature of multipart/signed */
    if (is_str (parent_subtype, "report") && is_str (type, "message"))
      return TRUE;        /* a bounce's status and returned message */
    if (is_str (parent_subtype, "report") && is_str (type, "text") && is_str (subtype, "rfc822-headers"))
      return TRUE;

    if (is_str (disposition_type, "attachment") ||
        (!is_str (type, "text") && (name != NULL || filename != NULL)))
      summary->has_attachments = TRUE;
    return TRUE;
  }
}

static EpImapBodySummary *
parse_body_summary (const EpImapValue *v,
                    GError           **error)
{
  EpImapBodySummary *summary;

  if (v == NULL || v->kind != EP_IMAP_LIST)
    {
      shape_error (error, "BODYSTRUCTURE");
      return NULL;
    }
  summary = g_new0 (EpImapBodySummary, 1);
  if (!walk_body (v, summary, TRUE, NULL, 0, error))
    {
      g_free (summary->content_type);
      g_free (summary);
      return NULL;
    }
  return summary;
}

/* ---- INTERNALDATE: "17-Jul-1996 02:44:25 -0700" ---- */

static gint64
days_from_civil (gint64 y,
                 unsigned m,
                 unsigned d)
{
  /* Howard Hinnant's algorithm: days since 1970-01-01. */
  gint64 era;
  unsigned yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned) (y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static gboolean
parse_internaldate (const char *s,
                    gint64     *out)
{
  static const char *const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  static const guint8 mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  unsigned day = 0, month = 0, year = 0, hh, mm, ss, zh, zm;
  int sign;
  const char *p = s;

  if (s == NULL)
    return FALSE;
  if (*p == ' ')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  day = (unsigned) (*p++ - '0');
  if (g_ascii_isdigit (*p))
    day = day * 10 + (unsigned) (*p++ - '0');
  if (*p++ != '-')
    return FALSE;
  for (month = 0; month < 12; month++)
    if (g_ascii_strncasecmp (p, months[month], 3) == 0)
      break;
  if (month == 12)
    return FALSE;
  p += 3;
  if (*p++ != '-')
    return FALSE;
  for (int i = 0; i < 4; i++, p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      year = year * 10 + (unsigned) (*p - '0');
    }
#define TWO(var) \
  if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1])) return FALSE; \
  var = (unsigned) ((p[0] - '0') * 10 + (p[1] - '0')); p += 2;
  if (*p++ != ' ')
    return FALSE;
  TWO (hh);
  if (*p++ != ':')
    return FALSE;
  TWO (mm);
  if (*p++ != ':')
    return FALSE;
  TWO (ss);
  if (*p++ != ' ')
    return FALSE;
  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p++ == '-' ? -1 : 1;
  TWO (zh);
  TWO (zm);
#undef TWO
  if (*p != '\0' || day == 0 || day > mdays[month] || hh > 23 || mm > 59 || ss > 60 ||
      zh > 23 || zm > 59)
    return FALSE;
  *out = days_from_civil (year, month + 1, day) * 86400 + hh * 3600 + mm * 60 + ss
         - sign * (gint64) (zh * 3600 + zm * 60);
  return TRUE;
}

/* ---- FETCH ---- */

void
ep_imap_fetch_free (EpImapFetch *fetch)
{
  if (fetch == NULL)
    return;
  g_strfreev (fetch->flags);
  envelope_free (fetch->envelope);
  if (fetch->body_summary != NULL)
    {
      g_free (fetch->body_summary->content_type);
      g_free (fetch->body_summary);
    }
  g_clear_pointer (&fetch->body, g_bytes_unref);
  g_clear_pointer (&fetch->header, g_bytes_unref);
  g_free (fetch);
}

static gboolean
get_uint32 (const EpImapValue *v,
            guint32           *out)
{
  guint64 n;

  if (!ep_imap_value_number (v, &n) || n > G_MAXUINT32)
    return FALSE;
  *out = (guint32) n;
  return TRUE;
}

/* A literal or quoted string as bytes; NIL as NULL. */
static gboolean
get_bytes (const EpImapValue *v,
           GBytes           **out)
{
  if (is_nil (v))
    return TRUE;
  if (!is_stringish (v))
    return FALSE;
  g_clear_pointer (out, g_bytes_unref);
  /* With a NUL after the bytes (not counted), as the value has. */
  *out = g_bytes_new_take (g_memdup2 (v->str, v->len + 1), v->len);
  return TRUE;
}

/* "BODY[]" or "BODY[]<0>" (a partial fetch from the start). */
static gboolean
is_section (const char *item,
            const char *prefix,
            const char *section)
{
  gsize lp = strlen (prefix), ls = strlen (section);

  if (g_ascii_strncasecmp (item, prefix, lp) != 0 || item[lp] != '[' ||
      g_ascii_strncasecmp (item + lp + 1, section, ls) != 0 || item[lp + 1 + ls] != ']')
    return FALSE;
  item += lp + ls + 2;
  return *item == '\0' || *item == '<';
}

EpImapFetch *
ep_imap_fetch_parse (const EpImapResponse *response,
                     GError              **error)
{
  g_autoptr(EpImapFetch) f = NULL;
  const EpImapValue *items;
  guint n;

  g_return_val_if_fail (response != NULL, NULL);

  if (response->kind != EP_IMAP_RESPONSE_UNTAGGED || response->name == NULL ||
      strcmp (response->name, "FETCH") != 0 || !response->has_number ||
      response->number > G_MAXUINT32 || response->data == NULL)
    {
      g_set_error_literal (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_SYNTAX,
                           _("Not a FETCH response"));
      return NULL;
    }
  items = response->data;
  n = ep_imap_value_n_items (items);
  if (n % 2 != 0)
    return shape_error (error, "FETCH response"), NULL;

  f = g_new0 (EpImapFetch, 1);
  f->seq = (guint32) response->number;
  for (guint i = 0; i < n; i += 2)
    {
      const EpImapValue *key = ep_imap_value_item (items, i);
      const EpImapValue *value = ep_imap_value_item (items, i + 1);
      const char *name = ep_imap_value_string (key);

      if (name == NULL || key->kind != EP_IMAP_ATOM)
        return shape_error (error, "FETCH item"), NULL;

      if (item_is (key, "UID"))
        {
          if (!get_uint32 (value, &f->uid))
            return shape_error (error, "UID"), NULL;
        }
      else if (item_is (key, "FLAGS"))
        {
          GPtrArray *flags;

          if (value->kind != EP_IMAP_LIST)
            return shape_error (error, "FLAGS"), NULL;
          flags = g_ptr_array_new_with_free_func (g_free);
          for (guint j = 0; j < ep_imap_value_n_items (value); j++)
            {
              const EpImapValue *flag = ep_imap_value_item (value, j);

              if (flag->kind != EP_IMAP_ATOM && flag->kind != EP_IMAP_NUMBER)
                {
                  g_ptr_array_free (flags, TRUE);
                  return shape_error (error, "FLAGS"), NULL;
                }
              g_ptr_array_add (flags, valid_utf8 (flag->str));
            }
          g_ptr_array_add (flags, NULL);
          g_strfreev (f->flags);
          f->flags = (char **) g_ptr_array_free (flags, FALSE);
          f->has_flags = TRUE;
        }
      else if (item_is (key, "INTERNALDATE"))
        {
          if (!parse_internaldate (ep_imap_value_string (value), &f->internaldate))
            return shape_error (error, "INTERNALDATE"), NULL;
        }
      else if (item_is (key, "RFC822.SIZE"))
        {
          if (!ep_imap_value_number (value, &f->size))
            return shape_error (error, "RFC822.SIZE"), NULL;
        }
      else if (item_is (key, "MODSEQ"))
        {
          if (ep_imap_value_n_items (value) != 1 ||
              !ep_imap_value_number (ep_imap_value_item (value, 0), &f->modseq))
            return shape_error (error, "MODSEQ"), NULL;
        }
      else if (item_is (key, "ENVELOPE"))
        {
          envelope_free (f->envelope);
          f->envelope = parse_envelope (value, error);
          if (f->envelope == NULL)
            return NULL;
        }
      else if (item_is (key, "BODYSTRUCTURE") || item_is (key, "BODY"))
        {
          EpImapBodySummary *summary = parse_body_summary (value, error);

          if (summary == NULL)
            return NULL;
          if (f->body_summary != NULL)
            {
              g_free (f->body_summary->content_type);
              g_free (f->body_summary);
            }
          f->body_summary = summary;
        }
      else if (is_section (name, "BODY", "") || is_section (name, "BINARY", "") ||
               item_is (key, "RFC822"))
        {
          if (!get_bytes (value, &f->body))
            return shape_error (error, name), NULL;
        }
      else if (is_section (name, "BODY", "HEADER") || item_is (key, "RFC822.HEADER"))
        {
          if (!get_bytes (value, &f->header))
            return shape_error (error, "header"), NULL;
        }
      /* Anything else stays in the response for who asked for it. */
    }
  return g_steal_pointer (&f);
}

/* ---- LIST ---- */

void
ep_imap_mailbox_free (EpImapMailbox *mailbox)
{
  if (mailbox == NULL)
    return;
  g_strfreev (mailbox->attributes);
  g_free (mailbox->raw_name);
  g_free (mailbox->name);
  g_free (mailbox->special_use);
  g_free (mailbox);
}

EpImapMailbox *
ep_imap_mailbox_parse (const EpImapResponse *response,
                       GError              **error)
{
  static const char *const special[] = { "\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive" };
  g_autoptr(EpImapMailbox) m = NULL;
  const EpImapValue *attrs, *delim, *name;
  GPtrArray *list;
  const char *d, *raw;

  g_return_val_if_fail (response != NULL, NULL);

  if (response->kind != EP_IMAP_RESPONSE_UNTAGGED || response->name == NULL ||
      (strcmp (response->name, "LIST") != 0 && strcmp (response->name, "LSUB") != 0))
    {
      g_set_error_literal (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_SYNTAX,
                           _("Not a LIST response"));
      return NULL;
    }
  attrs = ep_imap_value_item (response->data, 0);
  delim = ep_imap_value_item (response->data, 1);
  name = ep_imap_value_item (response->data, 2);
  if (attrs == NULL || attrs->kind != EP_IMAP_LIST || delim == NULL || !get_nstring (delim, &d) ||
      (d != NULL && strlen (d) != 1) || !is_stringish (name) || name->len == 0 ||
      strlen (name->str) != name->len)
    return shape_error (error, "LIST response"), NULL;

  m = g_new0 (EpImapMailbox, 1);
  m->selectable = TRUE;
  list = g_ptr_array_new ();
  for (guint i = 0; i < ep_imap_value_n_items (attrs); i++)
    {
      const char *a = ep_imap_value_string (ep_imap_value_item (attrs, i));

      if (a == NULL || ep_imap_value_item (attrs, i)->kind != EP_IMAP_ATOM)
        {
          g_ptr_array_add (list, NULL);
          g_strfreev ((char **) g_ptr_array_free (list, FALSE));
          return shape_error (error, "LIST response"), NULL;
        }
      g_ptr_array_add (list, valid_utf8 (a));
      if (g_ascii_strcasecmp (a, "\\Noselect") == 0 || g_ascii_strcasecmp (a, "\\NonExistent") == 0)
        m->selectable = FALSE;
      for (guint j = 0; j < G_N_ELEMENTS (special) && m->special_use == NULL; j++)
        if (g_ascii_strcasecmp (a, special[j]) == 0)
          m->special_use = g_strdup (special[j]);
    }
  g_ptr_array_add (list, NULL);
  m->attributes = (char **) g_ptr_array_free (list, FALSE);
  m->delimiter = d != NULL ? d[0] : 0;

  raw = name->str;
  if (g_ascii_strcasecmp (raw, "INBOX") == 0)
    {
      m->raw_name = g_strdup (raw);
      m->name = g_strdup ("INBOX");
      g_free (m->special_use);
      m->special_use = g_strdup ("\\Inbox");
      return g_steal_pointer (&m);
    }
  m->raw_name = g_strdup (raw);
  m->name = ep_imap_utf7_decode (raw);
  if (m->name == NULL)
    m->name = valid_utf8 (raw);    /* UTF8=ACCEPT servers, or a broken name */
  return g_steal_pointer (&m);
}
