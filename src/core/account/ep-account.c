/* ep-account.c
 *
 * An account is configuration only: where to send from and how to connect.
 * Its password or token lives in the keyring (ep-account-secret.c); no
 * property here can hold one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-account"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ep-account.h"
#include "ep-provider.h"
#include "mail/ep-address.h"

struct _EpAccount
{
  GObject       parent_instance;

  char         *uid;
  char         *name;
  char         *display_name;
  char         *address;
  char         *smtp_host;
  guint         smtp_port;
  EpSecurity    smtp_security;
  char         *imap_host;
  guint         imap_port;
  EpSecurity    imap_security;
  char         *username;
  char         *ca_file;
  EpAuthMethod  auth_method;
  char         *preset;
  gboolean      is_default;
  char         *signature;     /* added under the messages it sends */
};

G_DEFINE_FINAL_TYPE (EpAccount, ep_account, G_TYPE_OBJECT)
G_DEFINE_QUARK (ep-account-error-quark, ep_account_error)

enum {
  PROP_0,
  PROP_UID,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_ADDRESS,
  PROP_SMTP_HOST,
  PROP_SMTP_PORT,
  PROP_SMTP_SECURITY,
  PROP_IMAP_HOST,
  PROP_IMAP_PORT,
  PROP_IMAP_SECURITY,
  PROP_USERNAME,
  PROP_CA_FILE,
  PROP_AUTH_METHOD,
  PROP_PRESET,
  PROP_IS_DEFAULT,
  PROP_SIGNATURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Column name in the store, per property (same order). */
static const char *columns[N_PROPS] = {
  NULL, "uid", "name", "display_name", "address", "smtp_host", "smtp_port",
  "smtp_security", "imap_host", "imap_port", "imap_security", "username", "ca_file",
  "auth_method", "preset", "is_default", "signature",
};

static char **
string_field (EpAccount *self,
              guint      prop_id)
{
  switch (prop_id)
    {
    case PROP_UID: return &self->uid;
    case PROP_NAME: return &self->name;
    case PROP_DISPLAY_NAME: return &self->display_name;
    case PROP_ADDRESS: return &self->address;
    case PROP_SMTP_HOST: return &self->smtp_host;
    case PROP_IMAP_HOST: return &self->imap_host;
    case PROP_USERNAME: return &self->username;
    case PROP_CA_FILE: return &self->ca_file;
    case PROP_PRESET: return &self->preset;
    case PROP_SIGNATURE: return &self->signature;
    default: return NULL;
    }
}

static void
ep_account_finalize (GObject *object)
{
  EpAccount *self = (EpAccount *)object;

  for (guint i = 1; i < N_PROPS; i++)
    {
      char **field = string_field (self, i);
      if (field != NULL)
        g_clear_pointer (field, g_free);
    }

  G_OBJECT_CLASS (ep_account_parent_class)->finalize (object);
}

static void
ep_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  EpAccount *self = EP_ACCOUNT (object);
  char **field = string_field (self, prop_id);

  if (field != NULL)
    {
      g_value_set_string (value, *field);
      return;
    }

  switch (prop_id)
    {
    case PROP_SMTP_PORT: g_value_set_uint (value, self->smtp_port); break;
    case PROP_IMAP_PORT: g_value_set_uint (value, self->imap_port); break;
    case PROP_SMTP_SECURITY: g_value_set_uint (value, self->smtp_security); break;
    case PROP_IMAP_SECURITY: g_value_set_uint (value, self->imap_security); break;
    case PROP_AUTH_METHOD: g_value_set_uint (value, self->auth_method); break;
    case PROP_IS_DEFAULT: g_value_set_boolean (value, self->is_default); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ep_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  EpAccount *self = EP_ACCOUNT (object);
  char **field = string_field (self, prop_id);
  guint *uint_field = NULL;

  if (field != NULL)
    {
      const char *v = g_value_get_string (value);

      if (g_strcmp0 (*field, v) != 0)
        {
          g_free (*field);
          *field = (v && *v) ? g_strstrip (g_strdup (v)) : NULL;
          g_object_notify_by_pspec (object, pspec);
        }
      return;
    }

  switch (prop_id)
    {
    case PROP_SMTP_PORT: uint_field = &self->smtp_port; break;
    case PROP_IMAP_PORT: uint_field = &self->imap_port; break;
    case PROP_SMTP_SECURITY: uint_field = (guint *) &self->smtp_security; break;
    case PROP_IMAP_SECURITY: uint_field = (guint *) &self->imap_security; break;
    case PROP_AUTH_METHOD: uint_field = (guint *) &self->auth_method; break;
    case PROP_IS_DEFAULT:
      if (self->is_default != g_value_get_boolean (value))
        {
          self->is_default = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      return;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  if (*uint_field != g_value_get_uint (value))
    {
      *uint_field = g_value_get_uint (value);
      g_object_notify_by_pspec (object, pspec);
    }
}

static void
ep_account_class_init (EpAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ep_account_finalize;
  object_class->get_property = ep_account_get_property;
  object_class->set_property = ep_account_set_property;

  properties[PROP_UID] = g_param_spec_string ("uid", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_SMTP_HOST] = g_param_spec_string ("smtp-host", NULL, NULL, NULL, flags);
  properties[PROP_SMTP_PORT] = g_param_spec_uint ("smtp-port", NULL, NULL, 0, 65535, 587, flags);
  properties[PROP_SMTP_SECURITY] = g_param_spec_uint ("smtp-security", NULL, NULL, 0, EP_SECURITY_NONE,
                                                      EP_SECURITY_STARTTLS, flags);
  properties[PROP_IMAP_HOST] = g_param_spec_string ("imap-host", NULL, NULL, NULL, flags);
  properties[PROP_IMAP_PORT] = g_param_spec_uint ("imap-port", NULL, NULL, 0, 65535, 0, flags);
  properties[PROP_IMAP_SECURITY] = g_param_spec_uint ("imap-security", NULL, NULL, 0, EP_SECURITY_NONE,
                                                      EP_SECURITY_TLS, flags);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, flags);
  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", NULL, NULL, NULL, flags);
  properties[PROP_AUTH_METHOD] = g_param_spec_uint ("auth-method", NULL, NULL, 0, EP_AUTH_NONE,
                                                    EP_AUTH_PASSWORD, flags);
  properties[PROP_PRESET] = g_param_spec_string ("preset", NULL, NULL, NULL, flags);
  properties[PROP_IS_DEFAULT] = g_param_spec_boolean ("is-default", NULL, NULL, FALSE, flags);
  properties[PROP_SIGNATURE] = g_param_spec_string ("signature", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ep_account_init (EpAccount *self)
{
  self->uid = g_uuid_string_random ();
  self->smtp_port = 587;
  self->smtp_security = EP_SECURITY_STARTTLS;
  self->imap_security = EP_SECURITY_TLS;
  self->auth_method = EP_AUTH_PASSWORD;
  self->preset = g_strdup ("generic");
}

EpAccount *
ep_account_new (const char *name)
{
  return g_object_new (EP_TYPE_ACCOUNT, "name", name, NULL);
}

/* Fills the account from a preset's hosts, ports and security. */
gboolean
ep_account_apply_preset (EpAccount  *self,
                         const char *preset_id)
{
  const EpProvider *p = ep_provider_lookup (preset_id);

  g_return_val_if_fail (EP_IS_ACCOUNT (self), FALSE);

  if (p == NULL)
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_set (self, "preset", p->id, NULL);
  if (p->smtp_host != NULL)
    g_object_set (self, "smtp-host", p->smtp_host, "smtp-port", (guint) p->smtp_port,
                  "smtp-security", (guint) p->smtp_security, NULL);
  if (p->imap_host != NULL)
    g_object_set (self, "imap-host", p->imap_host, "imap-port", (guint) p->imap_port,
                  "imap-security", (guint) p->imap_security, NULL);
  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

EpAccount *
ep_account_new_from_variant (GVariant *dict)
{
  EpAccount *self = g_object_new (EP_TYPE_ACCOUNT, NULL);
  const char *s;
  guint32 u;
  gboolean b;

  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);

  for (guint i = 1; i < N_PROPS; i++)
    {
      char **field = string_field (self, i);

      if (field != NULL && g_variant_lookup (dict, columns[i], "&s", &s))
        {
          g_free (*field);
          *field = g_strdup (s);
        }
    }

  if (g_variant_lookup (dict, "smtp_port", "u", &u))
    self->smtp_port = u;
  if (g_variant_lookup (dict, "imap_port", "u", &u))
    self->imap_port = u;
  if (g_variant_lookup (dict, "smtp_security", "&s", &s))
    ep_security_from_string (s, &self->smtp_security);
  if (g_variant_lookup (dict, "imap_security", "&s", &s))
    ep_security_from_string (s, &self->imap_security);
  if (g_variant_lookup (dict, "auth_method", "&s", &s))
    ep_auth_method_from_string (s, &self->auth_method);
  if (g_variant_lookup (dict, "is_default", "b", &b))
    self->is_default = b;

  return self;
}

GVariant *
ep_account_to_variant (EpAccount *self)
{
  GVariantBuilder builder;

  g_return_val_if_fail (EP_IS_ACCOUNT (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 1; i < N_PROPS; i++)
    {
      char **field = string_field (self, i);

      if (field != NULL && *field != NULL)
        g_variant_builder_add (&builder, "{sv}", columns[i], g_variant_new_string (*field));
    }
  g_variant_builder_add (&builder, "{sv}", "smtp_port", g_variant_new_uint32 (self->smtp_port));
  g_variant_builder_add (&builder, "{sv}", "smtp_security",
                         g_variant_new_string (ep_security_to_string (self->smtp_security)));
  if (self->imap_host != NULL)
    {
      g_variant_builder_add (&builder, "{sv}", "imap_port", g_variant_new_uint32 (self->imap_port));
      g_variant_builder_add (&builder, "{sv}", "imap_security",
                             g_variant_new_string (ep_security_to_string (self->imap_security)));
    }
  g_variant_builder_add (&builder, "{sv}", "auth_method",
                         g_variant_new_string (ep_auth_method_to_string (self->auth_method)));
  g_variant_builder_add (&builder, "{sv}", "is_default", g_variant_new_boolean (self->is_default));

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static gboolean
valid_hostname (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;
  if (g_hostname_is_ip_address (host))
    return TRUE;
  for (const char *p = host; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == '_'))
      return FALSE;
  return TRUE;
}

/* Checks that the account could be used, naming the first problem. */
gboolean
ep_account_validate (EpAccount  *self,
                     GError    **error)
{
  g_autoptr(GError) address_error = NULL;

  g_return_val_if_fail (EP_IS_ACCOUNT (self), FALSE);

  if (self->name == NULL || *self->name == '\0')
    {
      g_set_error_literal (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                           _("The account needs a name"));
      return FALSE;
    }

  if (!ep_address_validate (self->address, &address_error))
    {
      g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                   _("Account “%s”: %s"), self->name, address_error->message);
      return FALSE;
    }

  if (!valid_hostname (self->smtp_host))
    {
      g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                   _("Account “%s”: “%s” is not a valid SMTP server name"),
                   self->name, self->smtp_host ? self->smtp_host : "");
      return FALSE;
    }

  if (self->smtp_port == 0 || self->smtp_port > 65535)
    {
      g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                   _("Account “%s”: the SMTP port must be between 1 and 65535"), self->name);
      return FALSE;
    }

  if (self->imap_host != NULL)
    {
      if (!valid_hostname (self->imap_host))
        {
          g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                       _("Account “%s”: “%s” is not a valid IMAP server name"),
                       self->name, self->imap_host);
          return FALSE;
        }
      if (self->imap_port == 0 || self->imap_port > 65535)
        {
          g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                       _("Account “%s”: the IMAP port must be between 1 and 65535"), self->name);
          return FALSE;
        }
    }

  if (self->ca_file != NULL && !g_file_test (self->ca_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                   _("Account “%s”: the CA file %s does not exist"), self->name, self->ca_file);
      return FALSE;
    }

  return TRUE;
}

#define STRING_GETTER(prop) \
  const char *ep_account_get_##prop (EpAccount *self) \
  { g_return_val_if_fail (EP_IS_ACCOUNT (self), NULL); return self->prop; }

STRING_GETTER (uid)
STRING_GETTER (name)
STRING_GETTER (display_name)
STRING_GETTER (address)
STRING_GETTER (smtp_host)
STRING_GETTER (imap_host)
STRING_GETTER (username)
STRING_GETTER (ca_file)
STRING_GETTER (preset)

guint ep_account_get_smtp_port (EpAccount *self) { return self->smtp_port; }
guint ep_account_get_imap_port (EpAccount *self) { return self->imap_port; }
EpSecurity ep_account_get_smtp_security (EpAccount *self) { return self->smtp_security; }
EpSecurity ep_account_get_imap_security (EpAccount *self) { return self->imap_security; }
EpAuthMethod ep_account_get_auth_method (EpAccount *self) { return self->auth_method; }
gboolean ep_account_get_is_default (EpAccount *self) { return self->is_default; }

/* The name used to log in: the user name if set, else the address. */
const char *
ep_account_get_login (EpAccount *self)
{
  g_return_val_if_fail (EP_IS_ACCOUNT (self), NULL);
  return self->username ? self->username : self->address;
}

const char *
ep_account_get_signature (EpAccount *self)
{
  g_return_val_if_fail (EP_IS_ACCOUNT (self), NULL);
  return self->signature != NULL && self->signature[0] != '\0' ? self->signature : NULL;
}
