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
};

extern GCancellable *cancellable;

/* ep-cli-common.c */
int        exit_code_for   (const GError   *error);
int        fail            (GError         *error);
int        usage_error     (const char     *format,
                            ...) G_GNUC_PRINTF (1, 2);
gboolean   parse_host_port (const char     *text,
                            char          **host,
                            guint          *port);
char      *read_password   (gboolean        from_stdin);
void       wipe_and_free   (char           *secret);
void       print_log       (EpProtocolLog  *log);
EpContext *open_context    (GError        **error);

/* The data file options of table and merge */
typedef struct
{
  char *sheet;
  char *encoding;
  char *delimiter;
} TableArgs;

void       table_args_clear (TableArgs     *args);
EpTable   *read_table       (const char    *path,
                             TableArgs     *args,
                             GError       **error);

/* One function per command group */
int        cmd_account     (int             argc,
                            char          **argv);
int        cmd_send        (int             argc,
                            char          **argv);
int        cmd_table     (int           argc,
                          char        **argv);
int        cmd_merge     (int           argc,
                          char        **argv);
int        cmd_campaign  (int           argc,
                          char        **argv);

G_END_DECLS
