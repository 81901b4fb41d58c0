/* ep-imap-parser.h: IMAP4rev1 responses from bytes (RFC 3501, with
 * CONDSTORE/QRESYNC's MODSEQ and VANISHED, SPECIAL-USE, ESEARCH)
 *
 * A pure function over bytes: no I/O, no clock, no global state. Bytes
 * are fed as they arrive (any split, even inside a literal); complete
 * responses come out one by one. Unit-tested with transcripts and fuzzed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (EP_CORE_INSIDE) && !defined (EP_CORE_COMPILATION)
# error "Only <epistle-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* ---- values: the generic tree every response is parsed into ---- */

typedef enum
{
  EP_IMAP_NIL,
  EP_IMAP_ATOM,      /* also flags (\Seen) and FETCH item names with their
                      * section: "BODY[HEADER.FIELDS (FROM TO)]<0>" is one atom */
  EP_IMAP_NUMBER,    /* a string of digits that fits in 63 bits */
  EP_IMAP_STRING,    /* quoted string or literal (may hold NULs: use len) */
  EP_IMAP_LIST,      /* parenthesised list */
} EpImapValueKind;

typedef struct _EpImapValue EpImapValue;
struct _EpImapValue
{
  EpImapValueKind kind;
  guint64         number;   /* EP_IMAP_NUMBER */
  char           *str;      /* ATOM, STRING: NUL-terminated copy; NUMBER: its digits */
  gsize           len;      /* ATOM, STRING, NUMBER: bytes in str */
  GPtrArray      *items;    /* EP_IMAP_LIST: EpImapValue, owned */
};

/* Accessors that never crash on the wrong kind: */
const char  *ep_imap_value_string   (const EpImapValue *value);  /* ATOM/STRING/NUMBER text, else NULL (also for NIL) */
gboolean     ep_imap_value_number   (const EpImapValue *value, guint64 *out);
guint        ep_imap_value_n_items  (const EpImapValue *value);  /* 0 unless LIST */
const EpImapValue *ep_imap_value_item (const EpImapValue *value, guint index); /* NULL when out of range */
void         ep_imap_value_free     (EpImapValue *value);

/* ---- responses ---- */

typedef enum
{
  EP_IMAP_RESPONSE_UNTAGGED,      /* "* …" */
  EP_IMAP_RESPONSE_TAGGED,        /* "A1 OK …" */
  EP_IMAP_RESPONSE_CONTINUATION,  /* "+ …" */
} EpImapResponseKind;

typedef enum
{
  EP_IMAP_STATUS_NONE,    /* untagged data (FETCH, LIST, …) or a continuation */
  EP_IMAP_STATUS_OK,
  EP_IMAP_STATUS_NO,
  EP_IMAP_STATUS_BAD,
  EP_IMAP_STATUS_BYE,
  EP_IMAP_STATUS_PREAUTH,
} EpImapStatus;

typedef struct
{
  EpImapResponseKind  kind;
  char               *tag;        /* TAGGED only */
  EpImapStatus        status;
  /* Status responses: the response code in brackets, e.g. "UIDVALIDITY",
   * upper-cased, or NULL; its arguments (a LIST value of what follows the
   * code inside the brackets, e.g. 3857529045 or (\Seen \Draft)), or NULL. */
  char               *code;
  EpImapValue        *code_args;
  char               *text;       /* human-readable rest of a status line or a continuation, may be "";
                                   * valid UTF-8 (invalid bytes replaced) */
  /* Untagged data: "* 23 EXISTS" → number 23, name "EXISTS";
   * "* 5 FETCH (…)" → number 5, name "FETCH", data = the list's values;
   * "* LIST (\HasNoChildren) "/" INBOX" → name "LIST", data = all values after the name;
   * "* CAPABILITY IMAP4rev1 IDLE" → name "CAPABILITY", data = atoms. */
  gboolean            has_number;
  guint64             number;
  char               *name;       /* upper-cased, or NULL for status responses */
  EpImapValue        *data;       /* a LIST value (possibly empty), or NULL */
} EpImapResponse;

void ep_imap_response_free (EpImapResponse *response);

typedef struct _EpImapParser EpImapParser;

/* @max_literal: the largest literal accepted (a larger one is an error,
 * before its bytes are buffered); @max_line: the longest line outside
 * literals. Both bound memory against a hostile server: one response's
 * literals together may be at most twice @max_literal, its lines together
 * at most twice @max_line. Lists nest at most 64 deep. */
EpImapParser   *ep_imap_parser_new  (gsize          max_literal,
                                     gsize          max_line);
void            ep_imap_parser_free (EpImapParser  *parser);
void            ep_imap_parser_feed (EpImapParser  *parser,
                                     const guint8  *data,
                                     gsize          len);
/* The next complete response, or NULL: with *error unset when more bytes
 * are needed, with EP_IMAP_PARSER_ERROR set (the server's line quoted,
 * shortened) when the bytes cannot be IMAP; after an error the parser
 * only returns that error again. */
EpImapResponse *ep_imap_parser_next (EpImapParser  *parser,
                                     GError       **error);
/* At most @max_values values (atoms, strings, lists…) in one response,
 * else EP_IMAP_PARSER_ERROR_TOO_BIG; 1,000,000 unless set. */
void            ep_imap_parser_set_max_values (EpImapParser *parser,
                                               gsize         max_values);
/* Bytes buffered and not yet returned (for a clean end of session). */
gsize           ep_imap_parser_pending (EpImapParser *parser);

#define EP_IMAP_PARSER_ERROR (ep_imap_parser_error_quark ())
typedef enum
{
  EP_IMAP_PARSER_ERROR_SYNTAX,
  EP_IMAP_PARSER_ERROR_TOO_BIG,
} EpImapParserError;
GQuark ep_imap_parser_error_quark (void);

/* ---- typed views of the responses sync needs ---- */

typedef struct
{
  char  *name;       /* display name, decoded from RFC 2047 words when present, or NULL */
  char  *address;    /* "mailbox@host", or "mailbox" when host is NIL and no group end follows;
                      * group markers ((NIL NIL "group" NIL) … (NIL NIL NIL NIL)) are skipped */
} EpImapAddress;

typedef struct
{
  char      *date;          /* as written, or NULL */
  char      *subject;       /* RFC 2047 decoded to UTF-8, or NULL */
  GPtrArray *from;          /* EpImapAddress (never NULL, maybe empty) */
  GPtrArray *sender;
  GPtrArray *reply_to;
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  char      *in_reply_to;   /* as written ("<…>"), or NULL */
  char      *message_id;
} EpImapEnvelope;

/* What the message list needs to know from BODYSTRUCTURE, without the tree. */
typedef struct
{
  char     *content_type;   /* top level, lower-case: "multipart/mixed" */
  gboolean  has_attachments;/* a part with disposition attachment, or a named non-text part */
  gboolean  is_encrypted;   /* application/pkcs7-mime (enveloped / authEnveloped) or multipart/encrypted,
                             * or an application/pkcs7-mime "smime.p7m" part inside multipart/mixed (password mail) */
  gboolean  is_signed;      /* multipart/signed or pkcs7-mime signed-data */
  gboolean  is_report;      /* multipart/report (bounces, DSNs) */
} EpImapBodySummary;

typedef struct
{
  guint32            seq;           /* message sequence number */
  guint32            uid;           /* 0 when UID not in the response */
  gboolean           has_flags;
  char             **flags;         /* NULL-terminated, as written ("\\Seen") */
  gint64             internaldate;  /* unix time, 0 when absent */
  guint64            size;          /* RFC822.SIZE, 0 when absent */
  guint64            modseq;        /* MODSEQ, 0 when absent */
  EpImapEnvelope    *envelope;      /* or NULL */
  EpImapBodySummary *body_summary;  /* from BODYSTRUCTURE, or NULL */
  GBytes            *body;          /* BODY[] / BODY.PEEK[] / RFC822 literal, or NULL */
  GBytes            *header;        /* BODY[HEADER] / RFC822.HEADER, or NULL */
                                    /* (body and header: a NUL follows their bytes, not counted) */
} EpImapFetch;

void         ep_imap_fetch_free  (EpImapFetch *fetch);
/* From an untagged FETCH response; NULL with an error when it is not one
 * or its items are malformed (e.g. an ENVELOPE of the wrong shape). */
EpImapFetch *ep_imap_fetch_parse (const EpImapResponse *response,
                                  GError              **error);

typedef struct
{
  char   **attributes;   /* NULL-terminated, as written: "\\HasNoChildren", "\\Sent" */
  char     delimiter;    /* 0 when NIL */
  char    *raw_name;     /* on the wire (modified UTF-7), for commands */
  char    *name;         /* UTF-8 for people */
  char    *special_use;  /* "\\Inbox" (for INBOX), "\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", or NULL */
  gboolean selectable;   /* no \Noselect / \NonExistent */
} EpImapMailbox;

void           ep_imap_mailbox_free  (EpImapMailbox *mailbox);
EpImapMailbox *ep_imap_mailbox_parse (const EpImapResponse *response,   /* LIST or LSUB */
                                      GError              **error);

/* ESEARCH / SEARCH / VANISHED results and UID sets: "1:3,7,9:*" style
 * sequence sets expanded into sorted unique UIDs (bounded: at most
 * @max items, else an error). */
GArray *ep_imap_parse_uid_set (const char  *set,
                               guint32      star,   /* value of "*" */
                               guint        max,
                               GError     **error);

/* Modified UTF-7 (RFC 3501 5.1.3) mailbox names. decode returns NULL on
 * malformed input; encode never fails for valid UTF-8. */
char *ep_imap_utf7_decode (const char *raw);
char *ep_imap_utf7_encode (const char *utf8);

/* Appends @s to @out as an IMAP quoted string ("…" with \" and \\), or
 * returns FALSE (appending nothing) when it holds CR, LF, NUL or 8-bit
 * bytes and must be sent as a literal. */
gboolean ep_imap_append_quoted (GString    *out,
                                const char *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpImapParser, ep_imap_parser_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpImapResponse, ep_imap_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpImapFetch, ep_imap_fetch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpImapMailbox, ep_imap_mailbox_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EpImapValue, ep_imap_value_free)

G_END_DECLS
