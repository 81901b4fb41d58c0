/* ep-cli.h: what the files of epistle-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <epistle-core.h>

G_BEGIN_DECLS

enum {
  EXIT_OK = 0,
  EXIT_FAILURE_GENERIC = 1,
  EXIT_BAD_INPUT = 2,
  EXIT_AUTH = 3,
  EXIT_TLS = 4,
  EXIT_REJECTED = 5,
  EXIT_TRANSIENT = 6,
  EXIT_SECURITY = 7,     /* decryption, integrity or a signature failed */
};

/* The data file options of table and merge */
typedef struct
{
  char *sheet;
  char *encoding;
  char *delimiter;
  char *locale;
} TableArgs;

/* The pacing options of merge and campaign resume; -1 or NULL: not given */
typedef struct
{
  int   connections;
  char *rate;
  int   daily_limit;
  int   retry_after;
  int   max_attempts;
} PacingArgs;

#define PACING_ENTRIES(p) \
  { "connections", 0, 0, G_OPTION_ARG_INT, &(p).connections, N_("Connections in parallel (default 1)"), N_("K") }, \
  { "rate", 0, 0, G_OPTION_ARG_STRING, &(p).rate, N_("At most N messages per minute (N/min or N/h; 0 = no pacing)"), N_("N/min") }, \
  { "daily-limit", 0, 0, G_OPTION_ARG_INT, &(p).daily_limit, N_("At most N messages in 24 hours from this account (0 = none)"), N_("N") }, \
  { "retry-after", 0, 0, G_OPTION_ARG_INT, &(p).retry_after, N_("First retry after a temporary failure, in seconds (default 30, doubling)"), N_("SECONDS") }, \
  { "max-attempts", 0, 0, G_OPTION_ARG_INT, &(p).max_attempts, N_("Attempts per recipient before giving up (default 5)"), N_("N") }

/* ep-cli-common.c */
extern GCancellable *cancellable;

int        exit_code_for     (const GError   *error);
int        fail              (GError         *error);
int        usage_error       (const char     *format,
                              ...) G_GNUC_PRINTF (1, 2);
EpContext *open_context      (GError        **error);
gboolean   parse_host_port   (const char     *text,
                              char          **host,
                              guint          *port);
char      *read_password     (gboolean        from_stdin);
void       wipe_and_free     (char           *secret);
/* The password in @path ("-": standard input), its line end removed,
 * checked with ep_password_validate (). */
char      *read_password_file (const char    *path,
                              GError        **error);
/* FALSE, after saying why on stderr, if @password is weak and @allow_weak
 * is not set. */
gboolean   password_strong_enough (const char *password,
                                   gboolean    allow_weak);
void       print_log         (EpProtocolLog  *log);
void       table_args_clear  (TableArgs      *args);
EpTable   *read_table        (const char     *path,
                              TableArgs      *args,
                              GError        **error);
void       pacing_args_init  (PacingArgs     *p);
void       pacing_args_clear (PacingArgs     *p);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PacingArgs, pacing_args_clear)
gboolean   pacing_args_check (PacingArgs     *p,
                              guint          *rate);

/* ep-cli-campaign.c: the thread and main loop that run a campaign */
/* Starts @task and runs the main loop until it finishes; Ctrl+C pauses. */
void       run_task          (EpOutboxTask   *task,
                              gboolean        quiet);
int        run_campaign      (EpContext      *context,
                              gint64          id,
                              PacingArgs     *pacing);

/* One function per command group */
int        cmd_account       (int             argc,
                              char          **argv);
int        cmd_send          (int             argc,
                              char          **argv);
int        cmd_table         (int             argc,
                              char          **argv);
int        cmd_merge         (int             argc,
                              char          **argv);
int        report_message    (EpOutboxTask   *task);

/* ep-cli-schedule.c */
/* --at TIME: ISO 8601, local without an offset; not in the past. */
gboolean   parse_send_time   (const char     *text,
                              gint64         *unix_time,
                              GError        **error);
/* Asks a running Epistle to look at the outbox again (no-op without one). */
void       notify_running_app (void);
int        cmd_schedule      (int             argc,
                              char          **argv);
int        cmd_inbox         (int             argc,
                              char          **argv);
int        cmd_outbox        (int             argc,
                              char          **argv);
int        cmd_campaign      (int             argc,
                              char          **argv);

/* ep-cli-vault.c */
int        cmd_vault         (int             argc,
                              char          **argv);
/* decrypt and verify (argv[0] says which) */
int        cmd_open          (int             argc,
                              char          **argv);

G_END_DECLS
