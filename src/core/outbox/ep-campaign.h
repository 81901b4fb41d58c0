/* ep-campaign.h: merge campaigns in the outbox (create, test, cancel,
 * export) and the shared progress types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "account/ep-account.h"
#include "merge/ep-template.h"
#include "store/ep-store.h"
#include "table/ep-table.h"
#include "transport/ep-smtp.h"
#include "vault/ep-smime.h"

G_BEGIN_DECLS

typedef struct _EpOutbox EpOutbox;

#define EP_CAMPAIGN_ERROR (ep_campaign_error_quark ())

typedef enum
{
  EP_CAMPAIGN_ERROR_NO_ACCOUNT,    /* the campaign's account was removed */
  EP_CAMPAIGN_ERROR_FINISHED,      /* nothing left to send */
  EP_CAMPAIGN_ERROR_BUSY,          /* another runner has it */
} EpCampaignError;

/* Why a run ended. */
typedef enum
{
  EP_CAMPAIGN_END_FINISHED,      /* every recipient is sent or failed */
  EP_CAMPAIGN_END_PAUSED,        /* paused by the person */
  EP_CAMPAIGN_END_CANCELLED,     /* cancelled: the rest is not sent */
  EP_CAMPAIGN_END_AUTH,          /* login refused: new credentials, then resume */
  EP_CAMPAIGN_END_DAILY_LIMIT,   /* resume after the time in the reason */
  EP_CAMPAIGN_END_SERVER,        /* the server keeps failing (down, bad settings) */
  EP_CAMPAIGN_END_TLS,           /* no secure connection (certificate, STARTTLS) */
  EP_CAMPAIGN_END_STORE,         /* the journal could not be read or written */
  EP_CAMPAIGN_END_WAITING,       /* only retries are left, kept for a later run */
  EP_CAMPAIGN_END_LATER,         /* spread: today's share sent, the rest waits for its day */
} EpCampaignEnd;

typedef struct
{
  gint64            campaign_id;
  guint             total;
  guint             sent;
  guint             failed;
  guint             waiting;       /* deferred, to be retried */
  guint             remaining;     /* not yet sent or failed (includes waiting) */
  guint             uncertain;     /* resent after a crash left them in doubt */
  double            per_minute;    /* measured over this run */
  /* The recipient that just changed, if any (row_number 0 otherwise). */
  guint             row_number;
  const char       *address;
  EpRecipientState  state;
  const char       *reply;
  gint64            next_attempt;  /* unix time, when state is deferred */
  const EpSmtpReport *report;      /* what the server took, when sent */
} EpCampaignProgress;

typedef void (*EpCampaignProgressFunc) (const EpCampaignProgress *progress,
                                        gpointer                  user_data);

GQuark      ep_campaign_error_quark   (void);
const char *ep_campaign_end_describe  (EpCampaignEnd end);
/* A person's word for a recipient state ("Waiting to retry"). */
const char *ep_recipient_state_describe (EpRecipientState state);

/* When a new campaign goes: at once (all zero), from a time, and spread
 * over days or not. */
typedef struct
{
  gint64       not_before;   /* unix time; 0 = at once */
  gboolean     spread;       /* at most the daily limit a day */
  EpSendWindow window;       /* with spread: only then */
} EpCampaignTiming;

/* A protected merge: each message signed and/or encrypted for its own
 * recipient when the campaign is created. */
typedef struct
{
  EpProtection protection;
  int          cert_column;       /* a column naming each row's certificate file; -1: none */
  /* Rows without a usable certificate go unencrypted (the person was
   * asked and confirmed); otherwise they fail the creation. */
  gboolean     send_unprotected;
  /* With EP_PROTECT_PASSWORD: each row's password is in this column, and
   * every message shows the optional hint. */
  int          password_column;   /* -1: none */
  const char  *password_hint;
  /* Or a new password for every row (libpwquality), kept in the keyring
   * (ep-campaign-passwords.h) and written into the results export. */
  gboolean     generate_passwords;
  /* Or this one for every message: a test message to oneself. */
  const char  *password;
  /* Weak passwords were confirmed by the person: not problems. */
  gboolean     allow_weak;
} EpCampaignProtection;

#define EP_CAMPAIGN_PROTECTION_INIT { EP_PROTECT_NONE, -1, FALSE, -1, NULL, FALSE, NULL, FALSE }

/* The rows of @rows that cannot be protected as asked (EpMergeProblem,
 * kind EP_MERGE_PROBLEM_CERTIFICATE: no certificate, expired, not
 * trusted, …), or NULL with an error for the whole campaign (no identity
 * to sign with, the vault does not open). Loads the vault. Blocks. */
GPtrArray  *ep_campaign_check_protection (EpOutbox                   *outbox,
                                          EpAccount                  *account,
                                          EpTemplate                 *tmpl,
                                          EpTable                    *table,
                                          GArray                     *rows,
                                          const char                 *base_dir,
                                          const EpCampaignProtection *protection,
                                          GCancellable               *cancellable,
                                          GError                    **error);

/* Creates a campaign from the rows @rows (table indexes) of @table: the
 * template text, the rows' values, a Message-ID per recipient and its
 * @timing (NULL = at once) are stored in one transaction, so a campaign
 * meant for later never exists without its time. With @protection (NULL
 * = none), every message is built and protected now and stored as it
 * will be sent, and neither the template nor the rows' values are kept.
 * Returns the campaign id or 0. Blocks. */
gint64      ep_campaign_create        (EpOutbox     *outbox,
                                       EpAccount    *account,
                                       EpTemplate   *tmpl,
                                       EpTable      *table,
                                       GArray       *rows,
                                       const char   *name,
                                       const char   *base_dir,
                                       guint         connections,
                                       guint         rate,
                                       guint         daily_limit,
                                       const EpCampaignTiming *timing,
                                       const EpCampaignProtection *protection,
                                       GError      **error);
void        ep_campaign_create_async  (EpOutbox            *outbox,
                                       EpAccount           *account,
                                       EpTemplate          *tmpl,
                                       EpTable             *table,
                                       GArray              *rows,
                                       const char          *name,
                                       const char          *base_dir,
                                       guint                connections,
                                       guint                rate,
                                       guint                daily_limit,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gint64      ep_campaign_create_finish (EpOutbox            *outbox,
                                       GAsyncResult        *result,
                                       GError             **error);

/* The passwords Epistle generated for campaign @id (Message-ID →
 * password; empty when it made none), from the keyring. Blocks. */
GHashTable *ep_campaign_generated_passwords (EpOutbox      *outbox,
                                             gint64         id,
                                             GCancellable  *cancellable,
                                             GError       **error);

/* Renders row @row of @table to the account's own address with "[TEST]"
 * before the subject and sends it at once (not journaled: a test is not
 * part of the campaign), signed/encrypted (for oneself) as @protection
 * asks (NULL: neither). Blocks. */
gboolean    ep_campaign_test_send     (EpOutbox     *outbox,
                                       EpAccount    *account,
                                       EpTemplate   *tmpl,
                                       EpTable      *table,
                                       guint         row,
                                       const char   *base_dir,
                                       const EpCampaignProtection *protection,
                                       char        **message_id,
                                       GCancellable *cancellable,
                                       GError      **error);
void        ep_campaign_test_send_async  (EpOutbox            *outbox,
                                          EpAccount           *account,
                                          EpTemplate          *tmpl,
                                          EpTable             *table,
                                          guint                row,
                                          const char          *base_dir,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Returns the Message-ID sent, or NULL. */
char       *ep_campaign_test_send_finish (EpOutbox            *outbox,
                                          GAsyncResult        *result,
                                          GError             **error);

/* Marks a campaign cancelled, unless it has finished or is being sent by
 * any process (EP_CAMPAIGN_ERROR_BUSY: pause or cancel it there). */
gboolean    ep_campaign_cancel        (EpOutbox     *outbox,
                                       gint64        id,
                                       GError      **error);

G_END_DECLS
