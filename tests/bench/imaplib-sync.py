#!/usr/bin/python3
"""tests/bench/imaplib-sync.py: the anchor of the inbox benchmark.

    imaplib-sync.py DB [FOLDER]

What a careful Python script does for a first sync: logs in over IMAPS
with imaplib (host, port, user, password and CA from the rig's
EPISTLE_TEST_* variables), EXAMINEs FOLDER (INBOX), fetches
UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE of every message
in one UID FETCH, takes the responses apart from imaplib's own response
handling (its lines and literals), decodes subjects and dates with the
email package, and stores a row per message into a fresh sqlite3 file DB,
500 rows a transaction. Prints the number of messages stored.
"""

import email.header
import email.utils
import imaplib
import os
import re
import sqlite3
import ssl
import sys
import time

ATOM = re.compile(rb'\s*(\(|\)|"(?:[^"\\]|\\.)*"|\{\d+\}$|[^\s()"]+)')


def tokens(parts):
    """imaplib's data for one FETCH: a tuple (line ending in {n}, literal)
    per literal, then the rest of the line as bytes."""
    for part in parts:
        if isinstance(part, tuple):
            line, literal = part
            yield from atoms(line[:line.rindex(b"{")])
            yield ("lit", literal)
        else:
            yield from atoms(part)


def atoms(data):
    pos = 0
    while pos < len(data):
        m = ATOM.match(data, pos)
        if not m:
            break
        pos = m.end()
        tok = m.group(1)
        if tok.startswith(b'"'):
            yield ("str", re.sub(rb"\\(.)", rb"\1", tok[1:-1]))
        else:
            yield ("atom", tok)


def tree(toks):
    stack = [[]]
    for kind, value in toks:
        if kind == "atom" and value == b"(":
            stack.append([])
        elif kind == "atom" and value == b")":
            done = stack.pop()
            stack[-1].append(done)
        elif kind == "atom" and value.upper() == b"NIL":
            stack[-1].append(None)
        else:
            stack[-1].append(value)
    return stack[0]


def text(v):
    if v is None:
        return None
    return "".join(p.decode(c or "utf-8", "replace") if isinstance(p, bytes) else p
                   for p in email.header.decode_header(v.decode("utf-8", "replace")) for p, c in [p])


def address(a):
    if not a:
        return None, None
    first = a[0]
    box = (first[2] or b"").decode("utf-8", "replace")
    host = (first[3] or b"").decode("utf-8", "replace")
    return text(first[0]), f"{box}@{host}" if host else box


def parts_of_body(b):
    """(has attachment, encrypted, signed, report) from a BODYSTRUCTURE."""
    flags = [False, False, False, False]

    def walk(node):
        if not isinstance(node, list) or not node:
            return
        if isinstance(node[0], list):
            # (part)(part)... subtype params disposition language location
            k = 0
            while k < len(node) and isinstance(node[k], list):
                k += 1
            subtype = node[k].lower() if k < len(node) and isinstance(node[k], bytes) else b""
            if subtype == b"encrypted":
                flags[1] = True
            elif subtype == b"signed":
                flags[2] = True
            elif subtype == b"report":
                flags[3] = True
            for child in node[:k]:
                walk(child)
            return
        # type subtype params id description encoding size [lines] md5 disposition
        text = isinstance(node[0], bytes) and node[0].lower() == b"text"
        at = 9 if text else 8
        if len(node) > at and isinstance(node[at], list) and node[at]:
            if isinstance(node[at][0], bytes) and node[at][0].lower() == b"attachment":
                flags[0] = True
        if isinstance(node[0], bytes) and node[0].lower() == b"application" and \
                isinstance(node[1], bytes) and node[1].lower() in (b"pkcs7-mime", b"x-pkcs7-mime"):
            flags[1] = True

    walk(b)
    return flags


def main():
    db, folder = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "INBOX")
    env = os.environ
    ctx = ssl.create_default_context(cafile=env["EPISTLE_TEST_CA"])
    conn = imaplib.IMAP4_SSL("127.0.0.1", int(env["EPISTLE_TEST_IMAPS_PORT"]), ssl_context=ctx)
    conn.login(env["EPISTLE_TEST_USER"], env["EPISTLE_TEST_PASSWORD"])
    typ, _ = conn.select(folder, readonly=True)
    assert typ == "OK"
    typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)")
    assert typ == "OK", data
    conn.logout()

    if os.path.exists(db):
        os.unlink(db)
    store = sqlite3.connect(db)
    store.execute("PRAGMA journal_mode=WAL")
    store.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, uid INTEGER, flags TEXT, "
                  "date INTEGER, size INTEGER, subject TEXT, from_name TEXT, from_address TEXT, "
                  "recipients TEXT, message_id TEXT, in_reply_to TEXT, attachments INTEGER, "
                  "encrypted INTEGER, signed INTEGER, report INTEGER, UNIQUE (uid))")
    store.execute("CREATE INDEX messages_date ON messages (date DESC, uid DESC)")

    # imaplib hands one FETCH over as a tuple per literal plus the bytes that
    # follow, or as a single bytes line without literals.
    responses = []
    for item in data:
        head = item[0] if isinstance(item, tuple) else item
        if re.match(rb"\d+ \(", head) or not responses:
            responses.append([item])
        else:
            responses[-1].append(item)

    rows, stored = [], 0
    for parts in responses:
        t = tree(tokens(parts))
        if len(t) < 2 or not isinstance(t[1], list):
            continue
        items = t[1]
        f = {items[i].upper(): items[i + 1] for i in range(0, len(items) - 1, 2)
             if isinstance(items[i], bytes)}
        env_ = f.get(b"ENVELOPE") or [None] * 10
        date = None
        if env_[0]:
            try:
                date = int(email.utils.parsedate_to_datetime(env_[0].decode()).timestamp())
            except (TypeError, ValueError):
                date = None
        if date is None and f.get(b"INTERNALDATE"):
            when = imaplib.Internaldate2tuple(b'INTERNALDATE "' + f[b"INTERNALDATE"] + b'"')
            date = int(time.mktime(when)) if when else None
        name, addr = address(env_[2])
        recipients = ", ".join(a for a in (address([x])[1] for x in (env_[5] or []) + (env_[6] or []))
                               if a)
        att, enc, sig, rep = parts_of_body(f.get(b"BODYSTRUCTURE") or [])
        flags = " ".join(x.decode() for x in (f.get(b"FLAGS") or []))
        rows.append((int(f[b"UID"]), flags, date, int(f[b"RFC822.SIZE"]), text(env_[1]), name,
                     addr, recipients, text(env_[9]), text(env_[8]), att, enc, sig, rep))
        if len(rows) >= 500:
            with store:
                store.executemany("INSERT INTO messages (uid, flags, date, size, subject, "
                                  "from_name, from_address, recipients, message_id, in_reply_to, "
                                  "attachments, encrypted, signed, report) "
                                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            stored += len(rows)
            rows = []
    with store:
        store.executemany("INSERT INTO messages (uid, flags, date, size, subject, from_name, "
                          "from_address, recipients, message_id, in_reply_to, attachments, "
                          "encrypted, signed, report) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    stored += len(rows)
    store.close()
    print(stored)


if __name__ == "__main__":
    main()
