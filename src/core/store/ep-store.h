/* ep-store.h: the SQLite store (WAL, versioned migrations)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mail/ep-draft.h"
#include "outbox/ep-send-window.h"

G_BEGIN_DECLS

#define EP_STORE_ERROR (ep_store_error_quark ())

typedef enum
{
  EP_STORE_ERROR_OPEN,
  EP_STORE_ERROR_MIGRATE,
  EP_STORE_ERROR_QUERY,
  EP_STORE_ERROR_NOT_FOUND,
  EP_STORE_ERROR_EXISTS,
  EP_STORE_ERROR_TOO_NEW,
} EpStoreError;

#define EP_TYPE_STORE (ep_store_get_type ())

G_DECLARE_FINAL_TYPE (EpStore, ep_store, EP, STORE, GObject)

GQuark     ep_store_error_quark        (void);
EpStore   *ep_store_new                (const char  *path,
                                        GError     **error);
const char *ep_store_get_path          (EpStore     *self);
int        ep_store_get_schema_version (EpStore     *self);
char      *ep_store_dup_journal_mode   (EpStore     *self);

/* Accounts, as a{sv} dictionaries whose keys are the column names:
 * uid, name, display_name, address, smtp_host, smtp_port (u), smtp_security,
 * imap_host, imap_port (u), imap_security, username, ca_file, auth_method,
 * preset, is_default (b). No secret is ever stored here. */
gboolean   ep_store_account_insert     (EpStore     *self,
                                        GVariant    *account,
                                        GError     **error);
gboolean   ep_store_account_update     (EpStore     *self,
                                        GVariant    *account,
                                        GError     **error);
GVariant  *ep_store_account_lookup     (EpStore     *self,
                                        const char  *name,
                                        GError     **error);
GPtrArray *ep_store_account_list       (EpStore     *self,
                                        GError     **error);
gboolean   ep_store_account_delete     (EpStore     *self,
                                        const char  *uid,
                                        GError     **error);
gboolean   ep_store_account_set_default (EpStore    *self,
                                         const char *uid,
                                         GError    **error);

/* Drafts: the id, account, To/Cc/Bcc, subject, body, Markdown flag and
 * attachments are kept (an address field comes back as one entry, its
 * entries joined with ", "); the other EpDraft fields are not. */
gint64     ep_store_draft_save         (EpStore       *self,
                                        const EpDraft *draft,
                                        GError       **error);
EpDraft   *ep_store_draft_load_latest  (EpStore       *self,
                                        GError       **error);
gboolean   ep_store_draft_delete       (EpStore     *self,
                                        gint64       id,
                                        GError     **error);

/* The merge wizard's draft (there is one): its spreadsheet's path and the
 * message as the wizard keeps it (a{sv}, stored as it is). Loading gives
 * NULL with @error unset when there is none. */
gboolean   ep_store_merge_draft_save   (EpStore     *self,
                                        const char  *path,
                                        GVariant    *message,
                                        GError     **error);
GVariant  *ep_store_merge_draft_load   (EpStore     *self,
                                        char       **path,
                                        GError     **error);
gboolean   ep_store_merge_draft_delete (EpStore     *self,
                                        GError     **error);

/* The outbox's journal: campaigns (a merge: a template and a snapshot of
 * its rows; or a single message: its built bytes) and one row per
 * recipient. States are enums here; their names exist only inside the
 * store (ep_*_state_to_string() gives them for machine-readable output).
 *
 * Recipient states: pending → sending → sent | failed | deferred |
 * uncertain. Every call below commits before it returns. */
typedef enum
{
  EP_RECIPIENT_PENDING,
  EP_RECIPIENT_SENDING,
  EP_RECIPIENT_SENT,
  EP_RECIPIENT_FAILED,
  EP_RECIPIENT_DEFERRED,    /* a temporary failure: retried at next_attempt */
  EP_RECIPIENT_UNCERTAIN,   /* was on the wire when a run died: sent again */
  EP_RECIPIENT_N_STATES
} EpRecipientState;

typedef enum
{
  EP_CAMPAIGN_READY,
  EP_CAMPAIGN_RUNNING,
  EP_CAMPAIGN_PAUSED,
  EP_CAMPAIGN_FINISHED,
  EP_CAMPAIGN_CANCELLED,
} EpCampaignState;

typedef enum
{
  EP_CAMPAIGN_KIND_MERGE,    /* rendered per recipient from the snapshot */
  EP_CAMPAIGN_KIND_MESSAGE,  /* one message from Compose, stored built */
} EpCampaignKind;

const char *ep_recipient_state_to_string   (EpRecipientState  state);
gboolean    ep_recipient_state_from_string (const char       *text,
                                            EpRecipientState *state);
const char *ep_campaign_state_to_string    (EpCampaignState   state);
gboolean    ep_campaign_state_from_string  (const char       *text,
                                            EpCampaignState  *state);

/* A campaign as the store knows it, with its journal's counts. */
typedef struct
{
  gint64          id;
  EpCampaignKind  kind;
  char           *account_uid;
  char           *name;
  char           *template_text;   /* merge only */
  char           *base_dir;        /* merge only */
  GStrv           columns;         /* merge only */
  guint           connections;
  guint           rate;            /* per minute, 0 = unpaced */
  guint           daily_limit;     /* 0 = none */
  EpCampaignState state;
  char           *reason;          /* why it paused; NULL otherwise */
  gint64          created_at;      /* unix time */
  gint64          updated_at;
  gint64          not_before;      /* unix time; 0 = at once */
  gint64          started_at;      /* when a run first began; 0 = never */
  gboolean        scheduled;       /* a person gave it its time (send later) */
  gboolean        spread;          /* over days: daily_limit a day, in window */
  EpSendWindow    window;          /* when a spread campaign may send */
  guint           protection;      /* EpProtection: merge messages built signed/encrypted */
  char           *locale;          /* merge only: the sheet's Numbers and Dates; NULL = desktop */
  guint           total;
  guint           counts[EP_RECIPIENT_N_STATES];
  guint           was_uncertain;   /* recipients in flight during a crash */
} EpCampaignInfo;

EpCampaignInfo   *ep_campaign_info_new          (void);
void              ep_campaign_info_free         (EpCampaignInfo *info);
/* Recipients not yet sent or failed. */
guint             ep_campaign_info_open         (const EpCampaignInfo *info);
/* Scheduled by a person and not gone yet: waiting for its time, or held
 * back because it could not go (paused, with the reason). */
gboolean          ep_campaign_info_is_waiting   (const EpCampaignInfo *info);
/* For g_ptr_array_sort () of EpCampaignInfo *: by not-before time. */
int               ep_campaign_info_compare_time (gconstpointer         a,
                                                 gconstpointer         b);

typedef struct
{
  guint             row_number;
  char             *address;
  GStrv             values;        /* the row's snapshot; NULL in listings */
  /* Where a cell's value under its format differs from what the sheet
   * shows: column index and value pairs ("2", "1234.5", …); NULL if none
   * and in listings. */
  GStrv             raw;
  char             *message_id;
  EpRecipientState  state;
  guint             attempts;
  gboolean          was_uncertain;
  gint64            next_attempt;  /* unix time, deferred only */
  guint             reply_code;
  char             *reply;
  gint64            updated_at;
  /* A protected merge's message, built and encrypted when the campaign
   * was made (what goes on the wire); NULL otherwise and in listings. */
  GBytes           *message;
  /* What a claim found it in (pending, uncertain, deferred): where it
   * goes back if it is released unsent. */
  EpRecipientState  claimed_from;
  /* Listings: what a delivery report said when the message came back
   * (the inbox matched it), or NULL. */
  char             *bounce;
} EpStoreRecipient;

/* One outcome for ep_store_recipient_exchange (). */
typedef struct
{
  guint             row_number;
  EpRecipientState  state;
  guint             reply_code;    /* 0: none */
  const char       *reply;
  gint64            next_attempt;  /* deferred only; 0: none */
  /* Claimed and never sent: @state is where it goes back (its
   * claimed_from), the attempt is not counted, nothing else changes. */
  gboolean          released;
} EpStoreOutcome;

void              ep_store_recipient_free       (EpStoreRecipient *recipient);

/* Inserts a merge campaign (@info's account_uid, name, template_text,
 * base_dir, columns, connections, rate, daily_limit, not_before) and all
 * its recipients (row_number, address, values, message_id of each) in one
 * transaction; returns the new id or 0. */
gint64            ep_store_campaign_insert      (EpStore              *self,
                                                 const EpCampaignInfo *info,
                                                 GPtrArray            *recipients,
                                                 GError              **error);
/* The same, with each recipient's values (the row's snapshot) asked of
 * @values when it is written (@index into @recipients; the strings need
 * live only until the next call) instead of taken from its values field:
 * a large campaign then never holds a second copy of its table. */
typedef const char * const *(*EpStoreValuesFunc) (guint                index,
                                                   const char * const **raw,
                                                   gpointer             user_data);
gint64            ep_store_campaign_insert_with (EpStore              *self,
                                                 const EpCampaignInfo *info,
                                                 GPtrArray            *recipients,
                                                 EpStoreValuesFunc     values,
                                                 gpointer              user_data,
                                                 GError              **error);
/* Inserts a single built message as a one-recipient entry (row 1) whose
 * @address is what the journal shows; @info gives account_uid, name and
 * not_before. Returns the new id or 0. */
gint64            ep_store_message_insert       (EpStore              *self,
                                                 const EpCampaignInfo *info,
                                                 const char           *address,
                                                 const char           *message_id,
                                                 const char           *envelope_from,
                                                 const char * const   *envelope_to,
                                                 GBytes               *data,
                                                 GError              **error);
gboolean          ep_store_message_load         (EpStore              *self,
                                                 gint64                id,
                                                 char                **envelope_from,
                                                 GStrv                *envelope_to,
                                                 GBytes              **data,
                                                 GError              **error);
/* A scheduled message's draft as it was written (for Edit); loading
 * fails with EP_STORE_ERROR_NOT_FOUND when there is none. */
gboolean          ep_store_message_set_draft    (EpStore              *self,
                                                 gint64                id,
                                                 const EpDraft        *draft,
                                                 GError              **error);
EpDraft          *ep_store_message_load_draft   (EpStore              *self,
                                                 gint64                id,
                                                 GError              **error);
/* Removes a campaign or message and its journal entirely. */
gboolean          ep_store_campaign_delete      (EpStore              *self,
                                                 gint64                id,
                                                 GError              **error);
EpCampaignInfo   *ep_store_campaign_lookup      (EpStore              *self,
                                                 gint64                id,
                                                 GError              **error);
/* Newest first; EpCampaignInfo. */
GPtrArray        *ep_store_campaign_list        (EpStore              *self,
                                                 GError              **error);
/* The same, only those given a not-before time (scheduled, or an undo
 * delay): what a scheduler and the Scheduled pane look at. */
GPtrArray        *ep_store_campaign_list_timed  (EpStore              *self,
                                                 GError              **error);
gboolean          ep_store_campaign_set_state   (EpStore              *self,
                                                 gint64                id,
                                                 EpCampaignState       state,
                                                 const char           *reason,
                                                 GError              **error);
gboolean          ep_store_campaign_set_pacing  (EpStore              *self,
                                                 gint64                id,
                                                 guint                 connections,
                                                 guint                 rate,
                                                 guint                 daily_limit,
                                                 GError              **error);
gboolean          ep_store_campaign_set_not_before (EpStore           *self,
                                                 gint64                id,
                                                 gint64                not_before,
                                                 GError              **error);
/* Records when the first run of @id began (later runs keep the first
 * time): a scheduled entry's lateness is started_at - not_before. */
gboolean          ep_store_campaign_mark_started (EpStore             *self,
                                                 gint64                id,
                                                 gint64                now,
                                                 GError              **error);
/* Deferred recipients become due at once ("Send Now"). */
gboolean          ep_store_campaign_retry_now   (EpStore              *self,
                                                 gint64                id,
                                                 GError              **error);
/* After a crash: every "sending" recipient becomes "uncertain" (the server
 * may or may not have the message). Returns how many, or -1 on error. */
int               ep_store_campaign_recover     (EpStore              *self,
                                                 gint64                id,
                                                 GError              **error);
/* Picks the next recipient to send (uncertain first, then pending in row
 * order, then deferred ones that are due at @now), marks it "sending" and
 * counts the attempt. NULL without an error when none is due; then
 * *@next_due is the earliest retry time of a deferred one, or 0. */
EpStoreRecipient *ep_store_recipient_claim      (EpStore              *self,
                                                 gint64                id,
                                                 gint64                now,
                                                 gint64               *next_due,
                                                 GError              **error);
gboolean          ep_store_recipient_update     (EpStore              *self,
                                                 gint64                id,
                                                 guint                 row_number,
                                                 EpRecipientState      state,
                                                 guint                 reply_code,
                                                 const char           *reply,
                                                 gint64                next_attempt,
                                                 GError              **error);
/* Group commit: in one transaction, records @outcomes, then claims up to
 * @max recipients as ep_store_recipient_claim () would, in its order,
 * appending them to @claimed (which frees with ep_store_recipient_free).
 * When none is claimed, *@next_due is as for ep_store_recipient_claim ().
 * FALSE on a journal error: then nothing was recorded or claimed. */
gboolean          ep_store_recipient_exchange   (EpStore              *self,
                                                 gint64                id,
                                                 const EpStoreOutcome *outcomes,
                                                 guint                 n_outcomes,
                                                 guint                 max,
                                                 gint64                now,
                                                 GPtrArray            *claimed,
                                                 gint64               *next_due,
                                                 GError              **error);
/* Every recipient, in row order, with any bounce, without row values. */
GPtrArray        *ep_store_campaign_recipients  (EpStore              *self,
                                                 gint64                id,
                                                 GError              **error);
/* Every recipient, in row order, with its row values and any bounce:
 * a campaign's results. */
GPtrArray        *ep_store_campaign_results     (EpStore              *self,
                                                 gint64                id,
                                                 GError              **error);

/* A row a campaign left out, and why (ep-store-results.c). */
typedef struct
{
  guint   row_number;
  char   *address;   /* as the row gives it; may be empty or malformed */
  char   *reason;
  GStrv   values;
} EpStoreSkipped;

void              ep_store_skipped_free         (EpStoreSkipped       *skipped);
/* Records @skipped (EpStoreSkipped) for campaign @id, in one transaction. */
gboolean          ep_store_campaign_add_skipped (EpStore              *self,
                                                 gint64                id,
                                                 GPtrArray            *skipped,
                                                 GError              **error);
/* How many rows campaign @id left out (0 on a store error). */
guint             ep_store_campaign_count_skipped (EpStore            *self,
                                                   gint64              id);
/* Recipients of campaign @id whose message came back (a bounce). */
guint             ep_store_campaign_count_bounced (EpStore            *self,
                                                   gint64              id);
/* The rows campaign @id left out, in row order. */
GPtrArray        *ep_store_campaign_skipped     (EpStore              *self,
                                                 gint64                id,
                                                 GError              **error);

/* The times (unix, ascending) of the messages this account sent since
 * @since: what a spread plan starts from. NULL on a store error. */
GArray           *ep_store_sent_times_since     (EpStore              *self,
                                                 const char           *account_uid,
                                                 gint64                since,
                                                 GError              **error);
/* Counts the messages this account sent (in any campaign or single
 * message) since @since (unix time). FALSE on a store error: a daily limit
 * must then stop sending, never allow it. */
gboolean          ep_store_sent_since           (EpStore              *self,
                                                 const char           *account_uid,
                                                 gint64                since,
                                                 guint                *count,
                                                 GError              **error);

/* For tests and tuning: while @sink is set, the text of every statement
 * the store runs is added to it (char *, as written, parameters unbound);
 * NULL stops. @sink is only touched under the store's lock. */
void              ep_store_trace_statements     (EpStore              *self,
                                                 GPtrArray            *sink);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpCampaignInfo, ep_campaign_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpStoreSkipped, ep_store_skipped_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpStoreRecipient, ep_store_recipient_free)

G_END_DECLS
