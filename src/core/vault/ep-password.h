/* ep-password.h: passwords for password-protected mail: checked, rated
 * (libpwquality) and generated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/* The longest password accepted, in characters: far beyond what anyone
 * types, short enough that a pasted file is caught. */
#define EP_PASSWORD_MAX_CHARS 256

typedef enum
{
  EP_PASSWORD_WEAK,     /* rejected by libpwquality: the reason says why */
  EP_PASSWORD_FAIR,     /* accepted, low score */
  EP_PASSWORD_STRONG,
} EpPasswordStrength;

/* TRUE if @password (@len bytes, or -1 when NUL-terminated) can protect a
 * message: not empty, valid UTF-8, no control characters (it must be
 * typeable in a browser), at most EP_PASSWORD_MAX_CHARS characters.
 * The error never contains the password. */
gboolean            ep_password_validate  (const char  *password,
                                           gssize       len,
                                           GError     **error);

/* How hard @password is to guess, by libpwquality's rules; @score
 * (0–100, or 0 when weak) and @advice (why it is weak, or how to make it
 * stronger; NULL for a strong one) are optional. */
EpPasswordStrength  ep_password_strength  (const char  *password,
                                           int         *score,
                                           char       **advice);

/* The same with cracklib's dictionary at @dictionary (a path without its
 * .pwd suffix; NULL for the system's). Where there is none, the checks
 * that need no dictionary decide, and a low score is weak. */
EpPasswordStrength  ep_password_strength_with (const char  *password,
                                               const char  *dictionary,
                                               int         *score,
                                               char       **advice);

/* A new random password, easy to read out over the phone: four groups of
 * five lowercase letters and digits without look-alikes ("k7mq2-…"),
 * 99 bits. Free with ep_password_free (). */
char               *ep_password_generate  (void);

/* Wipes and frees a password. */
void                ep_password_free      (char        *password);

G_END_DECLS
