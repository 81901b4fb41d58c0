/* ep-address.c: parsing with GMime, validation that says what is wrong
 *
 * GMime does the RFC 5322 parsing (quoted names, groups, encoded words);
 * what it accepts is then checked against what a submission server will
 * take in RCPT TO, so a typo is caught at the desk and not as a bounce.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-address"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include "ep-gmime-private.h"

#include "ep-address.h"

G_DEFINE_QUARK (ep-mail-error-quark, ep_mail_error)
G_DEFINE_BOXED_TYPE (EpAddress, ep_address, ep_address_copy, ep_address_free)

EpAddress *
ep_address_new (const char *name,
                const char *address)
{
  EpAddress *self = g_new0 (EpAddress, 1);

  self->name = (name && *name) ? g_strdup (name) : NULL;
  self->address = g_strdup (address);

  return self;
}

EpAddress *
ep_address_copy (const EpAddress *address)
{
  return ep_address_new (address->name, address->address);
}

void
ep_address_free (EpAddress *address)
{
  if (address == NULL)
    return;

  g_free (address->name);
  g_free (address->address);
  g_free (address);
}

static gboolean
fail (GError     **error,
      const char  *address,
      const char  *why)
{
  g_set_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS,
               /* Translators: the first %s is an email address, the second says what is wrong */
               _("“%s” is not a valid email address: %s"), address, why);
  return FALSE;
}

static gboolean
is_atext (guchar c)
{
  return g_ascii_isalnum (c) || c >= 0x80 || strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static gboolean
validate_domain (const char  *address,
                 const char  *domain,
                 GError     **error)
{
  g_auto(GStrv) labels = NULL;
  guint n;

  if (*domain == '\0')
    return fail (error, address, _("there is nothing after the “@”"));

  if (domain[0] == '[')
    {
      gsize len = strlen (domain);
      g_autofree char *inner = NULL;

      if (domain[len - 1] != ']')
        return fail (error, address, _("the address literal is not closed with “]”"));
      inner = g_strndup (domain + 1, len - 2);
      if (g_str_has_prefix (inner, "IPv6:") ? g_hostname_is_ip_address (inner + 5)
                                             : g_hostname_is_ip_address (inner))
        return TRUE;
      return fail (error, address, _("the part in brackets is not an IP address"));
    }

  if (strlen (domain) > 253)
    return fail (error, address, _("the domain is longer than 253 characters"));

  if (!g_utf8_validate (domain, -1, NULL))
    return fail (error, address, _("the domain is not valid UTF-8"));

  labels = g_strsplit (domain, ".", -1);
  n = g_strv_length (labels);

  if (n < 2)
    return fail (error, address, _("the domain has no dot (for example “example.com”)"));

  for (guint i = 0; i < n; i++)
    {
      const char *label = labels[i];
      gsize len = strlen (label);

      if (len == 0)
        return fail (error, address, _("the domain has an empty part (two dots in a row, "
                                        "or a dot at the start or end)"));
      if (len > 63)
        return fail (error, address, _("a part of the domain is longer than 63 characters"));
      if (label[0] == '-' || label[len - 1] == '-')
        return fail (error, address, _("a part of the domain starts or ends with “-”"));
      for (const char *p = label; *p; p++)
        {
          guchar c = (guchar) *p;

          if (!(g_ascii_isalnum (c) || c == '-' || c >= 0x80))
            {
              g_autofree char *why = g_strdup_printf (_("the domain contains “%c”, which "
                                                        "is not allowed there"), c);
              return fail (error, address, why);
            }
        }
    }

  {
    const char *tld = labels[n - 1];
    gboolean numeric = TRUE;

    for (const char *p = tld; *p; p++)
      if (!g_ascii_isdigit (*p))
        numeric = FALSE;
    if (numeric)
      return fail (error, address, _("the domain ends in a number"));
  }

  return TRUE;
}

/* Validates a bare addr-spec ("local@domain"), naming what is wrong. */
gboolean
ep_address_validate (const char  *addr_spec,
                     GError     **error)
{
  const char *at;
  g_autofree char *local = NULL;
  gsize local_len;

  if (addr_spec == NULL || *addr_spec == '\0')
    {
      g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS,
                           _("The email address is empty"));
      return FALSE;
    }

  if (!g_utf8_validate (addr_spec, -1, NULL))
    return fail (error, "?", _("it is not valid UTF-8"));

  at = strrchr (addr_spec, '@');

  for (const char *p = addr_spec; *p; p++)
    {
      guchar c = (guchar) *p;
      /* Inside a quoted local part ("john smith"@example.org) spaces and
       * punctuation are legal; control characters never are. */
      gboolean quoted = at != NULL && addr_spec[0] == '"' && p < at && at > addr_spec + 1 &&
                        at[-1] == '"';

      if (c < 0x20 || c == 0x7f)
        return fail (error, addr_spec, _("it contains a control character"));
      if (quoted)
        continue;
      if (c == ' ' || c == '\t')
        return fail (error, addr_spec, _("it contains a space"));
      if (c == '<' || c == '>' || c == ',' || c == ';')
        {
          g_autofree char *why = g_strdup_printf (_("it contains “%c”"), c);
          return fail (error, addr_spec, why);
        }
    }

  if (at == NULL)
    return fail (error, addr_spec, _("it has no “@”"));

  local_len = at - addr_spec;
  local = g_strndup (addr_spec, local_len);

  if (local_len == 0)
    return fail (error, addr_spec, _("there is nothing before the “@”"));
  if (local_len > 64)
    return fail (error, addr_spec, _("the part before the “@” is longer than 64 characters"));
  if (strlen (addr_spec) > 254)
    return fail (error, addr_spec, _("it is longer than 254 characters"));

  if (local[0] == '"' && local_len >= 2 && local[local_len - 1] == '"')
    {
      /* A quoted local part: rare, legal; printable characters only. */
    }
  else
    {
      if (strchr (local, '@') != NULL)
        return fail (error, addr_spec, _("it has more than one “@”"));
      if (local[0] == '.' || local[local_len - 1] == '.')
        return fail (error, addr_spec, _("the part before the “@” starts or ends with a dot"));
      if (strstr (local, "..") != NULL)
        return fail (error, addr_spec, _("it has two dots in a row"));
      for (const char *p = local; *p; p++)
        {
          if (*p != '.' && !is_atext ((guchar) *p))
            {
              g_autofree char *why = g_strdup_printf (_("“%c” is not allowed before the "
                                                        "“@” without quotes"), *p);
              return fail (error, addr_spec, why);
            }
        }
    }

  return validate_domain (addr_spec, at + 1, error);
}

static gboolean
collect (InternetAddressList  *list,
         GPtrArray            *out,
         GError              **error)
{
  int n = internet_address_list_length (list);

  for (int i = 0; i < n; i++)
    {
      InternetAddress *ia = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_GROUP (ia))
        {
          if (!collect (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (ia)),
                        out, error))
            return FALSE;
        }
      else
        {
          const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia));
          const char *name = internet_address_get_name (ia);

          if (!ep_address_validate (addr, error))
            return FALSE;
          g_ptr_array_add (out, ep_address_new (name, addr));
        }
    }

  return TRUE;
}

/* Parses "Ann <ann@example.com>, bob@example.org" into EpAddress items.
 * Every address is validated; the first bad one is named in @error. */
GPtrArray *
ep_address_list_parse (const char  *text,
                       GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) ep_address_free);
  g_autoptr(InternetAddressList) list = NULL;
  g_autoptr(GMimeParserOptions) options = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));

  if (*stripped == '\0')
    return g_steal_pointer (&out);

  for (const char *p = stripped; *p; p++)
    {
      if (*p == '\r' || *p == '\n')
        {
          g_set_error_literal (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS,
                               _("An address list cannot contain a line break"));
          return NULL;
        }
    }

  /* People separate addresses with “;” too (Outlook does); GMime would
   * read that as the end of a group and drop the rest. Outside quotes and
   * angle brackets, treat it as a comma. */
  {
    gboolean in_quotes = FALSE;
    int angle = 0;

    for (char *p = stripped; *p; p++)
      {
        if (*p == '\\' && in_quotes && p[1] != '\0')
          p++;
        else if (*p == '"')
          in_quotes = !in_quotes;
        else if (!in_quotes && *p == '<')
          angle++;
        else if (!in_quotes && *p == '>' && angle > 0)
          angle--;
        else if (!in_quotes && *p == '>')
          {
            /* Not valid outside quotes, and GMime 3.2's strict parser
             * leaks on it (found by tests/fuzz): refused here. */
            g_set_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS,
                         _("“%s” is not a valid email address: a “>” has no “<” before it"),
                         stripped);
            return NULL;
          }
        else if (!in_quotes && angle == 0 && *p == ';')
          *p = ',';
      }
    /* "Bob Student <bob@example.org": the problem is the missing ">",
     * not the space GMime's failure would lead to below. */
    if (angle > 0)
      {
        g_set_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS,
                     _("“%s” is not a valid email address: a “<” is not closed with “>”"), stripped);
        return NULL;
      }
  }

  options = g_mime_parser_options_new ();
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_STRICT);

  list = internet_address_list_parse (options, stripped);
  if (list == NULL || internet_address_list_length (list) == 0)
    {
      /* GMime found no mailbox at all: validate the text itself for the why. */
      if (!ep_address_validate (stripped, error))
        return NULL;
      g_set_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS,
                   _("“%s” could not be read as an email address"), stripped);
      return NULL;
    }

  if (!collect (list, out, error))
    return NULL;

  /* GMime skips what it cannot read; never let an address vanish silently.
   * Every “@” outside quotes should have become one address. */
  {
    gboolean in_quotes = FALSE;
    guint ats = 0;

    for (const char *p = stripped; *p; p++)
      {
        if (*p == '\\' && in_quotes && p[1] != '\0')
          p++;
        else if (*p == '"')
          in_quotes = !in_quotes;
        else if (*p == '@' && !in_quotes)
          ats++;
      }
    if (ats > out->len)
      {
        g_set_error (error, EP_MAIL_ERROR, EP_MAIL_ERROR_INVALID_ADDRESS,
                     _("Not every address in “%s” could be read; separate addresses "
                       "with commas"), stripped);
        return NULL;
      }
  }

  return g_steal_pointer (&out);
}
