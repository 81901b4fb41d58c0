/* ep-cli-common.c: what the commands of epistle-cli share: exit codes,
 * error reporting, the password prompt, the context, reading the data file
 * and the pacing options
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "epistle-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include <epistle-core.h>

#include "ep-cli.h"

/* ---- errors, prompts and the context ----------------------------------- */

GCancellable *cancellable;

int
exit_code_for (const GError *error)
{
  if (error == NULL)
    return EXIT_OK;

  if (error->domain == EP_TRANSPORT_ERROR)
    {
      switch ((EpTransportError) error->code)
        {
        case EP_TRANSPORT_ERROR_AUTH: return EXIT_AUTH;
        case EP_TRANSPORT_ERROR_TLS: return EXIT_TLS;
        case EP_TRANSPORT_ERROR_REJECTED: return EXIT_REJECTED;
        case EP_TRANSPORT_ERROR_TRANSIENT: return EXIT_TRANSIENT;
        case EP_TRANSPORT_ERROR_CONFIG: return EXIT_BAD_INPUT;
        default: return EXIT_FAILURE_GENERIC;
        }
    }

  if (error->domain == EP_MAIL_ERROR || error->domain == G_OPTION_ERROR ||
      error->domain == EP_ACCOUNT_ERROR || error->domain == EP_TABLE_ERROR ||
      error->domain == EP_TEMPLATE_ERROR || error->domain == EP_MERGE_ERROR ||
      error->domain == EP_CAMPAIGN_ERROR || error->domain == EP_VAULT_ERROR ||
      error->domain == EP_SMIME_ERROR ||
      g_error_matches (error, EP_STORE_ERROR, EP_STORE_ERROR_NOT_FOUND) ||
      g_error_matches (error, EP_STORE_ERROR, EP_STORE_ERROR_EXISTS))
    {
      if (g_error_matches (error, EP_ACCOUNT_ERROR, EP_ACCOUNT_ERROR_KEYRING))
        return EXIT_FAILURE_GENERIC;
      return EXIT_BAD_INPUT;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return 130;

  /* A file named on the command line that is not there or not a file. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return EXIT_BAD_INPUT;

  return EXIT_FAILURE_GENERIC;
}

int
fail (GError *error)
{
  int code = exit_code_for (error);

  g_printerr ("epistle-cli: %s\n", error->message);
  g_error_free (error);
  return code;
}

int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("epistle-cli: %s\n", message);
  g_printerr (_("Try “epistle-cli --help”.\n"));
  return EXIT_BAD_INPUT;
}

/* "host:port" or "[v6]:port" */
gboolean
parse_host_port (const char  *text,
                 char       **host,
                 guint       *port)
{
  const char *colon;
  guint64 value;

  if (text == NULL)
    return FALSE;

  colon = strrchr (text, ':');
  if (colon == NULL || colon == text)
    return FALSE;

  if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL))
    return FALSE;

  if (text[0] == '[' && colon[-1] == ']')
    *host = g_strndup (text + 1, colon - text - 2);
  else
    *host = g_strndup (text, colon - text);
  *port = (guint) value;

  return **host != '\0';
}

char *
read_password (gboolean from_stdin)
{
  GString *line = g_string_new (NULL);
  struct termios saved, quiet;
  gboolean tty = !from_stdin && isatty (STDIN_FILENO);
  int c;

  if (tty)
    {
      g_printerr (_("Password: "));
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }

  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);

  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  return g_string_free (line, FALSE);
}

char *
read_password_file (const char  *path,
                    GError     **error)
{
  char *data = NULL;
  gsize len = 0;

  if (g_strcmp0 (path, "-") == 0)
    {
      data = read_password (TRUE);
      len = strlen (data);
    }
  else if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  else if (len > 0 && data[len - 1] == '\n')
    {
      /* One line: its end is not part of the password. */
      data[--len] = '\0';
      if (len > 0 && data[len - 1] == '\r')
        data[--len] = '\0';
    }
  if (!ep_password_validate (data, len, error))
    {
      memset (data, 0, len);
      g_free (data);
      return NULL;
    }
  return data;
}

gboolean
password_strong_enough (const char *password,
                        gboolean    allow_weak)
{
  g_autofree char *advice = NULL;

  if (ep_password_strength (password, NULL, &advice) != EP_PASSWORD_WEAK)
    return TRUE;
  g_printerr (_("epistle-cli: the password is weak: %s\n"), advice);
  if (allow_weak)
    return TRUE;
  g_printerr (_("epistle-cli: choose a stronger one, or pass --allow-weak-password\n"));
  return FALSE;
}

void
wipe_and_free (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

EpContext *
open_context (GError **error)
{
  return ep_context_new (g_getenv ("EPISTLE_DATA_DIR"), error);
}

void
print_log (EpProtocolLog *log)
{
  g_autofree char *text = ep_protocol_log_dup_text (log);

  g_printerr ("%s", text);
}

/* ---- reading the data file (table, merge) ------------------------------ */

void
table_args_clear (TableArgs *args)
{
  g_free (args->sheet);
  g_free (args->encoding);
  g_free (args->delimiter);
  g_free (args->locale);
}

EpTable *
read_table (const char  *path,
            TableArgs   *args,
            GError     **error)
{
  EpTableOptions options = { 0, };
  g_autoptr(EpTable) table = NULL;
  const char * const *warnings;

  options.sheet = args->sheet;
  options.encoding = args->encoding;
  options.locale = args->locale;
  if (args->locale != NULL && !ep_table_locale_is_known (args->locale))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--locale: no locale is called “%s” (a name such as de_DE or en_US)"),
                   args->locale);
      return NULL;
    }
  if (args->delimiter != NULL)
    {
      if (g_str_equal (args->delimiter, "tab") || g_str_equal (args->delimiter, "\\t"))
        options.delimiter = '\t';
      else if (strlen (args->delimiter) == 1)
        options.delimiter = args->delimiter[0];
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--delimiter must be one character or “tab”, not “%s”"), args->delimiter);
          return NULL;
        }
    }

  table = ep_table_read (path, &options, cancellable, error);
  if (table == NULL)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  warnings = ep_table_get_warnings (table);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    g_printerr (_("Warning: %s\n"), warnings[i]);

  return g_steal_pointer (&table);
}

/* ---- pacing arguments (merge, campaign resume) -------------------------- */

/* "30/min", "30", "600/h", "0" (unpaced) → messages per minute. */
static gboolean
parse_rate (const char *text,
            guint      *per_minute)
{
  g_auto(GStrv) parts = g_strsplit (text, "/", 2);
  guint64 n;

  if (!g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 0, G_MAXUINT32, &n, NULL))
    return FALSE;

  if (parts[1] == NULL || g_str_equal (parts[1], "min") || g_str_equal (parts[1], "minute") ||
      g_str_equal (parts[1], "m"))
    *per_minute = n;
  else if (g_str_equal (parts[1], "h") || g_str_equal (parts[1], "hour"))
    {
      /* Pacing works per minute; never round a limit up. */
      if (n != 0 && n < 60)
        return FALSE;
      *per_minute = n / 60;
    }
  else
    return FALSE;

  return TRUE;
}

void
pacing_args_clear (PacingArgs *p)
{
  g_clear_pointer (&p->rate, g_free);
}

void
pacing_args_init (PacingArgs *p)
{
  p->connections = -1;
  p->rate = NULL;
  p->daily_limit = -1;
  p->retry_after = -1;
  p->max_attempts = -1;
}

gboolean
pacing_args_check (PacingArgs *p,
                   guint      *rate)
{
  if (p->connections != -1 && (p->connections < 1 || p->connections > 16))
    {
      usage_error (_("--connections must be between 1 and 16"));
      return FALSE;
    }
  if (p->rate != NULL && !parse_rate (p->rate, rate))
    {
      usage_error (_("--rate must look like 30/min or 600/h (at least 60/h), not “%s”"), p->rate);
      return FALSE;
    }
  if (p->daily_limit < -1 || p->retry_after < -1 || p->max_attempts == 0 || p->max_attempts < -1)
    {
      usage_error (_("--daily-limit, --retry-after and --max-attempts take a positive number"));
      return FALSE;
    }
  return TRUE;
}
