/* ep-provider.c: what the big providers document for SMTP/IMAP clients
 *
 * Hosts, ports and security are each provider's published client settings.
 * Sending limits are the published ones for ordinary (consumer or standard
 * business) accounts, rounded down where a provider gives a range; 0 means
 * the provider documents no such limit. Providers change these; the outbox
 * treats them as ceilings and a person can lower them per account.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-provider"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ep-provider.h"

#define MiB (G_GUINT64_CONSTANT (1024) * 1024)

static const EpProvider providers[] = {
  { "gmail", N_("Gmail"),
    "smtp.gmail.com", 465, EP_SECURITY_TLS, "imap.gmail.com", 993, EP_SECURITY_TLS,
    0, 500, 25 * MiB,
    N_("Gmail needs an app password (Google Account → Security → App passwords) "
       "when 2-Step Verification is on; your normal password will be refused."), TRUE },
  { "google-workspace", N_("Google Workspace"),
    "smtp.gmail.com", 465, EP_SECURITY_TLS, "imap.gmail.com", 993, EP_SECURITY_TLS,
    0, 2000, 25 * MiB,
    N_("Use an app password, or ask your administrator whether SMTP access is allowed."), TRUE },
  { "outlook", N_("Outlook.com / Microsoft 365"),
    "smtp-mail.outlook.com", 587, EP_SECURITY_STARTTLS, "outlook.office365.com", 993, EP_SECURITY_TLS,
    30, 300, 20 * MiB,
    N_("Microsoft 365 organisations may need SMTP AUTH enabled by an administrator; "
       "accounts with two-step verification need an app password."), FALSE },
  { "yahoo", N_("Yahoo Mail"),
    "smtp.mail.yahoo.com", 465, EP_SECURITY_TLS, "imap.mail.yahoo.com", 993, EP_SECURITY_TLS,
    0, 500, 25 * MiB,
    N_("Yahoo requires an app password (Account Security → Generate app password)."), FALSE },
  { "fastmail", N_("Fastmail"),
    "smtp.fastmail.com", 465, EP_SECURITY_TLS, "imap.fastmail.com", 993, EP_SECURITY_TLS,
    0, 8000, 70 * MiB,
    N_("Fastmail requires an app password (Settings → Privacy & Security → App passwords)."), FALSE },
  { "icloud", N_("iCloud Mail"),
    "smtp.mail.me.com", 587, EP_SECURITY_STARTTLS, "imap.mail.me.com", 993, EP_SECURITY_TLS,
    0, 1000, 20 * MiB,
    N_("iCloud requires an app-specific password (appleid.apple.com → Sign-In and Security)."), FALSE },
  { "generic", N_("Other"),
    NULL, 587, EP_SECURITY_STARTTLS, NULL, 993, EP_SECURITY_TLS,
    0, 0, 0, NULL, FALSE },
};

const EpProvider *
ep_provider_get_all (guint *n_providers)
{
  if (n_providers != NULL)
    *n_providers = G_N_ELEMENTS (providers);
  return providers;
}

const EpProvider *
ep_provider_lookup (const char *id)
{
  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (providers); i++)
    if (g_ascii_strcasecmp (providers[i].id, id) == 0)
      return &providers[i];
  return NULL;
}

/* A preset for well-known consumer domains; NULL when the domain is unknown. */
const EpProvider *
ep_provider_guess_for_address (const char *address)
{
  static const struct { const char *domain; const char *id; } domains[] = {
    { "gmail.com", "gmail" }, { "googlemail.com", "gmail" },
    { "outlook.com", "outlook" }, { "hotmail.com", "outlook" }, { "live.com", "outlook" },
    { "yahoo.com", "yahoo" }, { "ymail.com", "yahoo" },
    { "fastmail.com", "fastmail" }, { "fastmail.fm", "fastmail" },
    { "icloud.com", "icloud" }, { "me.com", "icloud" }, { "mac.com", "icloud" },
  };
  const char *at = address ? strrchr (address, '@') : NULL;

  if (at == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    if (g_ascii_strcasecmp (at + 1, domains[i].domain) == 0)
      return ep_provider_lookup (domains[i].id);

  return NULL;
}

gboolean
ep_provider_files_sent (const char *imap_host)
{
  for (guint i = 0; imap_host != NULL && i < G_N_ELEMENTS (providers); i++)
    if (providers[i].imap_host != NULL && providers[i].files_sent &&
        g_ascii_strcasecmp (providers[i].imap_host, imap_host) == 0)
      return TRUE;
  return FALSE;
}
