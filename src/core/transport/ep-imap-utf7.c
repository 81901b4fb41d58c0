/* ep-imap-utf7.c: modified UTF-7 mailbox names (RFC 3501 5.1.3) and
 * sequence sets
 *
 * Modified UTF-7 is base64 of UTF-16BE with "," for "/", no padding,
 * between "&" and "-"; "&-" is "&". GLib's base64 has the other alphabet
 * and wants padding, so the small codec is written out here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-imap-parser.h"

static const char b64[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
b64_value (char ch)
{
  if (ch >= 'A' && ch <= 'Z')
    return ch - 'A';
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9')
    return ch - '0' + 52;
  if (ch == '+')
    return 62;
  if (ch == ',')
    return 63;
  return -1;
}

char *
ep_imap_utf7_decode (const char *raw)
{
  g_autoptr(GString) out = NULL;
  const char *p = raw;

  if (raw == NULL)
    return NULL;
  out = g_string_new (NULL);
  while (*p != '\0')
    {
      guint32 bits = 0;
      int n_bits = 0;
      gunichar high = 0;
      gboolean any = FALSE;

      if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
        return NULL;
      if (*p != '&')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      p++;
      if (*p == '-')
        {
          g_string_append_c (out, '&');
          p++;
          continue;
        }
      for (; *p != '-'; p++)
        {
          int v = b64_value (*p);

          if (v < 0)
            return NULL;    /* also the end of the string before "-" */
          bits = (bits << 6) | (guint32) v;
          n_bits += 6;
          if (n_bits >= 16)
            {
              gunichar unit = (bits >> (n_bits - 16)) & 0xffff;

              n_bits -= 16;
              bits &= (1u << n_bits) - 1;
              any = TRUE;
              if (high != 0)
                {
                  if (unit < 0xdc00 || unit > 0xdfff)
                    return NULL;
                  g_string_append_unichar (out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
                  high = 0;
                }
              else if (unit >= 0xd800 && unit <= 0xdbff)
                high = unit;
              else if (unit >= 0xdc00 && unit <= 0xdfff)
                return NULL;
              else if (unit == 0)
                return NULL;
              else
                g_string_append_unichar (out, unit);
            }
        }
      /* Leftover bits must be padding: fewer than 6, all zero. */
      if (!any || high != 0 || n_bits >= 6 || bits != 0)
        return NULL;
      p++;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
flush_utf16 (GString  *out,
             guint16  *units,
             gsize     n)
{
  guint32 bits = 0;
  int n_bits = 0;

  g_string_append_c (out, '&');
  for (gsize i = 0; i < n; i++)
    {
      bits = (bits << 16) | units[i];
      n_bits += 16;
      while (n_bits >= 6)
        {
          g_string_append_c (out, b64[(bits >> (n_bits - 6)) & 0x3f]);
          n_bits -= 6;
        }
      bits &= (1u << n_bits) - 1;
    }
  if (n_bits > 0)
    g_string_append_c (out, b64[(bits << (6 - n_bits)) & 0x3f]);
  g_string_append_c (out, '-');
}

char *
ep_imap_utf7_encode (const char *utf8)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GArray) units = NULL;

  if (utf8 == NULL || !g_utf8_validate (utf8, -1, NULL))
    return NULL;
  out = g_string_new (NULL);
  units = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);

      if (ch >= 0x20 && ch < 0x7f)
        {
          if (units->len > 0)
            {
              flush_utf16 (out, (guint16 *) units->data, units->len);
              g_array_set_size (units, 0);
            }
          if (ch == '&')
            g_string_append (out, "&-");
          else
            g_string_append_c (out, (char) ch);
          continue;
        }
      if (ch >= 0x10000)
        {
          guint16 pair[2] = { 0xd800 + ((ch - 0x10000) >> 10), 0xdc00 + ((ch - 0x10000) & 0x3ff) };

          g_array_append_vals (units, pair, 2);
        }
      else
        {
          guint16 unit = (guint16) ch;

          g_array_append_val (units, unit);
        }
    }
  if (units->len > 0)
    flush_utf16 (out, (guint16 *) units->data, units->len);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- sequence sets ---- */

typedef struct { guint32 lo, hi; } Range;

static int
compare_ranges (gconstpointer a,
                gconstpointer b)
{
  const Range *x = a, *y = b;

  return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

static gboolean
parse_seq_number (const char **p,
                  guint32      star,
                  guint32     *out)
{
  guint64 n = 0;
  const char *q = *p;

  if (*q == '*')
    {
      *out = star;
      *p = q + 1;
      return star != 0;
    }
  if (!g_ascii_isdigit (*q))
    return FALSE;
  for (; g_ascii_isdigit (*q); q++)
    {
      n = n * 10 + (guint64) (*q - '0');
      if (n > G_MAXUINT32)
        return FALSE;
    }
  if (n == 0)
    return FALSE;
  *out = (guint32) n;
  *p = q;
  return TRUE;
}

GArray *
ep_imap_parse_uid_set (const char  *set,
                       guint32      star,
                       guint        max,
                       GError     **error)
{
  g_autoptr(GArray) ranges = NULL;
  g_autoptr(GArray) uids = NULL;
  const char *p = set;
  guint64 total = 0;
  guint n_merged = 0;

  if (set == NULL || *set == '\0')
    goto bad;
  ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  for (;;)
    {
      Range r;

      if (!parse_seq_number (&p, star, &r.lo))
        goto bad;
      r.hi = r.lo;
      if (*p == ':')
        {
          p++;
          if (!parse_seq_number (&p, star, &r.hi))
            goto bad;
          if (r.hi < r.lo)
            {
              guint32 t = r.lo;

              r.lo = r.hi;
              r.hi = t;
            }
        }
      g_array_append_val (ranges, r);
      if (*p == '\0')
        break;
      if (*p != ',')
        goto bad;
      p++;
    }

  /* Sorted and merged first, so overlaps count once against @max. */
  g_array_sort (ranges, compare_ranges);
  for (guint i = 0; i < ranges->len; i++)
    {
      Range *r = &g_array_index (ranges, Range, i);
      Range *last = n_merged > 0 ? &g_array_index (ranges, Range, n_merged - 1) : NULL;

      if (last != NULL && (guint64) r->lo <= (guint64) last->hi + 1)
        last->hi = MAX (last->hi, r->hi);
      else
        g_array_index (ranges, Range, n_merged++) = *r;
    }
  g_array_set_size (ranges, n_merged);
  for (guint i = 0; i < ranges->len; i++)
    {
      Range *r = &g_array_index (ranges, Range, i);

      total += (guint64) r->hi - r->lo + 1;
    }
  if (total > max)
    {
      g_set_error (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_TOO_BIG,
                   _("The server's set of UIDs is too large (%" G_GUINT64_FORMAT " items, at most %u)"),
                   total, max);
      return NULL;
    }
  uids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), (guint) total);
  for (guint i = 0; i < ranges->len; i++)
    {
      Range *r = &g_array_index (ranges, Range, i);

      for (guint64 u = r->lo; u <= r->hi; u++)
        {
          guint32 v = (guint32) u;

          g_array_append_val (uids, v);
        }
    }
  return g_steal_pointer (&uids);

bad:
  {
    g_autofree char *shown = g_strndup (set != NULL ? set : "", 80);
    g_autofree char *valid = g_utf8_make_valid (shown, -1);

    g_set_error (error, EP_IMAP_PARSER_ERROR, EP_IMAP_PARSER_ERROR_SYNTAX,
                 _("The server's set of UIDs is not valid: “%s”"), valid);
  }
  return NULL;
}
