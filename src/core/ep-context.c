/* ep-context.c: owns the store and the protocol log; glues accounts,
 * keyring and transports together for the front ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ep-context"

#include "config.h"

#include <curl/curl.h>
#include <gmime/gmime.h>
#include <glib/gi18n-lib.h>

#include "ep-context.h"
#include "account/ep-account-secret.h"

struct _EpContext
{
  GObject        parent_instance;
  EpStore       *store;
  EpProtocolLog *log;
  char          *data_dir;
};

G_DEFINE_FINAL_TYPE (EpContext, ep_context, G_TYPE_OBJECT)

/* Process setup, before any thread starts (libcurl's global init is not
 * thread-safe on every backend). */
void
ep_core_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_mime_init ();
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}

void
ep_core_shutdown (void)
{
  g_mime_shutdown ();
  curl_global_cleanup ();
}

static void
ep_context_finalize (GObject *object)
{
  EpContext *self = (EpContext *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->log);
  g_clear_pointer (&self->data_dir, g_free);

  G_OBJECT_CLASS (ep_context_parent_class)->finalize (object);
}

static void
ep_context_class_init (EpContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ep_context_finalize;
}

static void
ep_context_init (EpContext *self)
{
  self->log = ep_protocol_log_new (5000);
}

/* @data_dir: where epistle.db lives; NULL for $XDG_DATA_HOME/epistle. */
EpContext *
ep_context_new (const char  *data_dir,
                GError     **error)
{
  g_autoptr(EpContext) self = g_object_new (EP_TYPE_CONTEXT, NULL);
  g_autofree char *db_path = NULL;

  self->data_dir = data_dir ? g_strdup (data_dir)
                            : g_build_filename (g_get_user_data_dir (), "epistle", NULL);
  db_path = g_build_filename (self->data_dir, "epistle.db", NULL);

  self->store = ep_store_new (db_path, error);
  if (self->store == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

EpStore *
ep_context_get_store (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  return self->store;
}

EpProtocolLog *
ep_context_get_protocol_log (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  return self->log;
}

const char *
ep_context_get_data_dir (EpContext *self)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);
  return self->data_dir;
}

GPtrArray *
ep_context_list_accounts (EpContext  *self,
                          GError    **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *accounts;

  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);

  rows = ep_store_account_list (self->store, error);
  if (rows == NULL)
    return NULL;

  accounts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (accounts, ep_account_new_from_variant (g_ptr_array_index (rows, i)));

  return accounts;
}

EpAccount *
ep_context_find_account (EpContext   *self,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(GVariant) row = NULL;

  g_return_val_if_fail (EP_IS_CONTEXT (self), NULL);

  row = ep_store_account_lookup (self->store, name, error);
  if (row == NULL)
    return NULL;

  return ep_account_new_from_variant (row);
}

EpAccount *
ep_context_get_default_account (EpContext  *self,
                                GError    **error)
{
  g_autoptr(GPtrArray) accounts = ep_context_list_accounts (self, error);

  if (accounts == NULL)
    return NULL;

  for (guint i = 0; i < accounts->len; i++)
    if (ep_account_get_is_default (g_ptr_array_index (accounts, i)))
      return g_object_ref (g_ptr_array_index (accounts, i));

  if (accounts->len > 0)
    return g_object_ref (g_ptr_array_index (accounts, 0));

  g_set_error_literal (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND,
                       _("No account is set up yet"));
  return NULL;
}

/* Saves @account, and @secret (if any) in the keyring. Either both are
 * saved or neither: an account whose password is lost would fail later,
 * far from the cause. Blocks: call from a worker in the UI. */
gboolean
ep_context_add_account (EpContext     *self,
                        EpAccount     *account,
                        const char    *secret,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (EP_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (EP_IS_ACCOUNT (account), FALSE);

  if (!ep_account_validate (account, error))
    return FALSE;

  existing = ep_store_account_list (self->store, error);
  if (existing == NULL)
    return FALSE;
  if (existing->len == 0)
    g_object_set (account, "is-default", TRUE, NULL);

  dict = ep_account_to_variant (account);
  if (!ep_store_account_insert (self->store, dict, error))
    {
      if (g_error_matches (*error, EP_STORE_ERROR, EP_STORE_ERROR_EXISTS))
        {
          g_clear_error (error);
          g_set_error (error, EP_STORE_ERROR, EP_STORE_ERROR_EXISTS,
                       _("An account named “%s” already exists"), ep_account_get_name (account));
        }
      return FALSE;
    }

  if (secret != NULL && *secret != '\0')
    {
      label = g_strdup_printf (_("Epistle account “%s” (%s)"), ep_account_get_name (account),
                               ep_account_get_address (account));
      if (!ep_account_secret_store_sync (ep_account_get_uid (account), label, secret,
                                         cancellable, error))
        {
          ep_store_account_delete (self->store, ep_account_get_uid (account), NULL);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
ep_context_remove_account (EpContext     *self,
                           EpAccount     *account,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (EP_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (EP_IS_ACCOUNT (account), FALSE);

  /* Keyring first: a stale account row is visible and removable again;
   * a stale keyring item would be an orphaned password nobody sees. */
  if (!ep_account_secret_clear_sync (ep_account_get_uid (account), cancellable, error))
    return FALSE;

  return ep_store_account_delete (self->store, ep_account_get_uid (account), error);
}

static EpServerConfig *
make_config (EpAccount     *account,
             const char    *host,
             guint          port,
             EpSecurity     security,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(EpServerConfig) config = ep_server_config_new (host, (guint16) port, security);
  EpAuthMethod auth = ep_account_get_auth_method (account);

  config->auth = auth;
  config->username = g_strdup (ep_account_get_login (account));
  config->ca_file = g_strdup (ep_account_get_ca_file (account));

  if (auth != EP_AUTH_NONE)
    {
      g_autoptr(GError) local_error = NULL;
      char *secret = ep_account_secret_lookup_sync (ep_account_get_uid (account),
                                                    cancellable, &local_error);

      if (secret != NULL)
        {
          ep_server_config_set_secret (config, secret);
          ep_account_secret_free (secret);
        }
      else if (g_error_matches (local_error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_NO_SECRET))
        {
          /* No password saved: connect without logging in. The server
           * will say whether it needs one (a clear 530 beats a guess). */
          config->auth = EP_AUTH_NONE;
        }
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  return g_steal_pointer (&config);
}

EpServerConfig *
ep_context_smtp_config_sync (EpContext     *self,
                             EpAccount     *account,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (EP_IS_ACCOUNT (account), NULL);

  return make_config (account, ep_account_get_smtp_host (account),
                      ep_account_get_smtp_port (account),
                      ep_account_get_smtp_security (account), cancellable, error);
}

EpServerConfig *
ep_context_imap_config_sync (EpContext     *self,
                             EpAccount     *account,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (EP_IS_ACCOUNT (account), NULL);

  if (ep_account_get_imap_host (account) == NULL)
    {
      g_set_error (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_INVALID,
                   _("Account “%s” has no IMAP server"), ep_account_get_name (account));
      return NULL;
    }

  return make_config (account, ep_account_get_imap_host (account),
                      ep_account_get_imap_port (account),
                      ep_account_get_imap_security (account), cancellable, error);
}
