"""The inbox end to end against the rig's real Dovecot: the first sync of
every folder (special use, a non-ASCII folder name, encoded subjects,
flags), incremental syncs that fetch only new UIDs and changed flags
(CONDSTORE) and notice expunges, a new UIDVALIDITY, bodies fetched once and
read again offline, search, flags set on the server, IDLE, password mail
that stays closed without its password and out of the search index, a
delivery report that marks the campaign recipient it belongs to, the copy
of a sent message in Sent, and a scripted server for what Dovecot never
does (an oversize literal, BYE mid-FETCH, silence).

Each test has its own XDG dirs (its own cache); the rig's Dovecot mailbox
is shared, so each test works in folders of its own or counts what it adds.
"""

import base64
import email.header
import email.utils
import imaplib
import os
import re
import socket
import ssl
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid

import netlib
from netlib import cli

ACCOUNT = "inbox"


def ok(*args, stdin=None, timeout=120):
    status, out, err = cli(*args, stdin=stdin, timeout=timeout)
    assert status == 0, f"epistle-cli {' '.join(args)} exited {status}\n{out}{err}"
    return out


def ok_log(*args):
    """ok() for --verbose runs: the protocol log goes to stderr."""
    status, out, err = cli(*args, timeout=120)
    assert status == 0, f"epistle-cli {' '.join(args)} exited {status}\n{out}{err}"
    return out + err


def fresh_profile():
    base = tempfile.mkdtemp(prefix="inbox-", dir=netlib.env("EPISTLE_TEST_RIGDIR"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        path = os.path.join(base, var.lower())
        os.makedirs(path)
        os.environ[var] = path
    netlib.add_account(ACCOUNT)
    return base


def imap():
    conn = imaplib.IMAP4_SSL("127.0.0.1", int(netlib.env("EPISTLE_TEST_IMAPS_PORT")),
                             ssl_context=netlib.tls_context(), timeout=20)
    conn.login(netlib.USER, netlib.PASSWORD)
    return conn


def utf7(name):
    """RFC 3501 5.1.3 modified UTF-7, written here from the RFC so the test
    does not share Epistle's codec."""
    out, run = [], []

    def flush():
        if run:
            data = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def quote(name):
    name = utf7(name)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_message(subject, body, sender=("Zoë Müller", "zoe@example.org"), date=None, extra=""):
    mid = f"<{uuid.uuid4().hex}@example.org>"
    date = date or email.utils.formatdate(localtime=False)
    head = (f"From: {email.utils.formataddr(sender, charset='utf-8')}\r\n"
            f"To: {netlib.USER}@example.test\r\n"
            f"Subject: {email.header.Header(subject, 'utf-8').encode()}\r\n"
            f"Message-ID: {mid}\r\nDate: {date}\r\nMIME-Version: 1.0\r\n{extra}")
    if "Content-Type" not in extra:
        head += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
    return mid, (head + "\r\n" + body.replace("\n", "\r\n")).encode("utf-8")


def append(conn, folder, raw, flags=None):
    typ, data = conn.append(quote(folder), flags, None, raw)
    assert typ == "OK", data


def folder(name):
    """Creates an empty folder of the test's own on the server."""
    conn = imap()
    try:
        conn.create(quote(name))
    finally:
        conn.logout()


def parse_sync(out):
    m = re.search(r"Synced (\d+) folders: (\d+) new, (\d+) with changed flags, (\d+) removed, "
                  r"(\d+) folders read again", out)
    assert m, out
    return tuple(int(x) for x in m.groups())


def listing(folder_name=None, search=None):
    args = ["inbox", "list", "--account", ACCOUNT]
    if folder_name:
        args += ["--folder", folder_name]
    if search:
        args += ["--search", search]
    rows = []
    for line in ok(*args).splitlines():
        id_, uid, flags, date, sender, subject = line.split("\t")
        rows.append({"id": int(id_), "uid": int(uid), "flags": flags, "from": sender, "subject": subject})
    return rows


def test_first_and_incremental_sync():
    fresh_profile()
    name = "Archiv/Grüße " + uuid.uuid4().hex[:6]
    folder(name)
    conn = imap()
    try:
        append(conn, name, make_message("Zeugnis für Anna", "Note: 1,3\n", date="Mon, 30 Nov 2026 08:00:00 +0000")[1], "(\\Seen)")
        append(conn, name, make_message("Rechnung März – 12,50 €", "Bitte überweisen.\n", date="Tue, 01 Dec 2026 09:00:00 +0000")[1])
        append(conn, name, make_message("Dritte", "drei\n", date="Tue, 01 Dec 2026 10:00:00 +0000")[1])
    finally:
        conn.logout()

    out = ok_log("inbox", "sync", "--account", ACCOUNT, "--verbose")
    folders, added, changed, removed, resets = parse_sync(out)
    assert added >= 3 and resets == 0, out
    # The folder name went over the wire in modified UTF-7 and came back.
    assert "Archiv/Gr&APwA3w-e" in out, out
    # No password and no message text in the protocol log.
    assert netlib.PASSWORD not in out
    assert "überweisen" not in out

    lines = ok("inbox", "folders").splitlines()
    names = {l.split("\t")[1]: l.split("\t") for l in lines}
    assert names["INBOX"][2] == "\\Inbox", lines
    assert names["Sent"][2] == "\\Sent", lines
    assert names[name][3:] == ["3", "2"], lines

    rows = listing(name)
    assert [r["subject"] for r in rows] == ["Dritte", "Rechnung März – 12,50 €", "Zeugnis für Anna"], rows
    assert rows[0]["flags"].startswith("U") and rows[2]["flags"].startswith("-"), rows
    assert rows[0]["from"] == "zoe@example.org", rows

    # Server-side changes: one new, one flagged, one expunged.
    conn = imap()
    try:
        conn.select(quote(name))
        append(conn, name, make_message("Vierte", "vier\n", date="Wed, 02 Dec 2026 07:00:00 +0000")[1])
        typ, _ = conn.uid("STORE", str(rows[1]["uid"]), "+FLAGS", "(\\Flagged)")
        assert typ == "OK"
        conn.uid("STORE", str(rows[2]["uid"]), "+FLAGS", "(\\Deleted)")
        conn.expunge()
    finally:
        conn.logout()

    out = ok_log("inbox", "sync", "--account", ACCOUNT, "--verbose")
    folders, added, changed, removed, resets = parse_sync(out)
    assert (added, removed, resets) == (1, 1, 0), out
    assert changed >= 1, out
    # Incremental: new messages from the stored UIDNEXT on, flags only
    # CHANGEDSINCE the stored HIGHESTMODSEQ.
    first_uid = rows[0]["uid"] + 1
    assert f"UID FETCH {first_uid}:* (UID FLAGS INTERNALDATE" in out, out
    assert "CHANGEDSINCE" in out, out
    assert "UID FETCH 1:* " not in out, out

    rows = listing(name)
    assert [r["subject"] for r in rows] == ["Vierte", "Dritte", "Rechnung März – 12,50 €"], rows
    assert rows[2]["flags"][1] == "F", rows

    # Nothing changed: nothing fetched again.
    out = ok("inbox", "sync", "--account", ACCOUNT)
    assert parse_sync(out)[1:] == (0, 0, 0, 0), out


def test_body_search_flags_offline():
    fresh_profile()
    name = "Body " + uuid.uuid4().hex[:6]
    folder(name)
    conn = imap()
    try:
        append(conn, name, make_message(
            "Unterlagen", "Die Prüfungsergebnisse hängen an.\n",
            extra="Content-Type: multipart/mixed; boundary=XYZ\r\n")[1].replace(
                b"Die Pr", b"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDie Pr").replace(
                b"an.\r\n", b"an.\r\n--XYZ\r\nContent-Type: application/pdf\r\n"
                b"Content-Disposition: attachment; filename=\"../noten.pdf\"\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XYZ--\r\n"))
    finally:
        conn.logout()
    ok("inbox", "sync", "--account", ACCOUNT)
    rows = listing(name)
    assert len(rows) == 1 and rows[0]["flags"].startswith("U"), rows
    mid = rows[0]["id"]

    # The body is not searchable before it was fetched; it is after.
    assert listing(name, "prüfungsergebnisse") == []
    out = ok("inbox", "show", str(mid))
    assert "Die Prüfungsergebnisse hängen an." in out, out
    assert re.search(r"Attachment: (?!\.\./)\S*noten\.pdf \(application/pdf, 9 bytes\)", out), out
    assert [r["id"] for r in listing(name, "prufungsergebnisse")] == [mid]

    # Flags go to the server.
    ok("inbox", "flag", str(mid), "--seen")
    ok("inbox", "flag", str(mid), "--flagged")
    conn = imap()
    try:
        conn.select(quote(name), readonly=True)
        typ, data = conn.uid("FETCH", str(rows[0]["uid"]), "(FLAGS)")
        assert b"\\Seen" in data[0] and b"\\Flagged" in data[0], data
    finally:
        conn.logout()
    assert listing(name)[0]["flags"][:2] == "-F"

    # Offline: with the account (and its server) gone, the cached message
    # still reads.
    ok("account", "remove", ACCOUNT)
    out = ok("inbox", "show", str(mid))
    assert "Die Prüfungsergebnisse hängen an." in out, out


def test_uidvalidity_change():
    fresh_profile()
    name = "Reset " + uuid.uuid4().hex[:6]
    folder(name)
    conn = imap()
    try:
        append(conn, name, make_message("Alt", "alt\n")[1])
    finally:
        conn.logout()
    ok("inbox", "sync", "--account", ACCOUNT)
    assert [r["subject"] for r in listing(name)] == ["Alt"]

    # Deleted and made again: Dovecot gives the folder a new UIDVALIDITY,
    # and UID 1 is another message now.
    conn = imap()
    try:
        conn.delete(quote(name))
        conn.create(quote(name))
        append(conn, name, make_message("Neu", "neu\n")[1])
    finally:
        conn.logout()
    out = ok("inbox", "sync", "--account", ACCOUNT)
    assert parse_sync(out)[4] == 1, out
    assert [r["subject"] for r in listing(name)] == ["Neu"]


def test_idle_sees_new_mail():
    fresh_profile()
    ok("inbox", "sync", "--account", ACCOUNT, "--inbox-only")
    watcher = subprocess.Popen([netlib.CLI, "inbox", "watch", "--account", ACCOUNT, "--timeout", "60"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Mail keeps arriving until the watcher, once in IDLE, hears of it.
        conn = imap()
        try:
            for i in range(60):
                append(conn, "INBOX", make_message(f"Idle {i}", "x\n")[1])
                try:
                    out, err = watcher.communicate(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    continue
            else:
                raise AssertionError("the watcher did not notice new mail")
        finally:
            conn.logout()
        assert watcher.returncode == 0, err
        assert "The Inbox changed." in out, out
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    out = ok("inbox", "sync", "--account", ACCOUNT, "--inbox-only")
    assert parse_sync(out)[1] >= 1, out


def test_password_mail_stays_closed():
    base = fresh_profile()
    name = "Private " + uuid.uuid4().hex[:6]
    folder(name)
    pw_file = os.path.join(base, "pw")
    password = "Korrekt-Pferd-Batterie-42"
    with open(pw_file, "w") as f:
        f.write(password + "\n")
    eml = os.path.join(base, "protected.eml")
    # A cheaper key derivation than the real one (net pwmail checks that):
    # what is tested here is reading, and the reader takes the count from
    # the message. At the real cost every open takes minutes under ASan.
    os.environ["EPISTLE_TEST_KDF_ITERATIONS"] = "20000"
    try:
        ok("send", "--account", ACCOUNT, "--to", f"{netlib.USER}@example.test", "--subject",
           "Ihre Noten", "--body", "Vertraulich: Mathe 1,7", "--password-file", pw_file,
           "--dry-run", "--output", eml)
    finally:
        os.environ.pop("EPISTLE_TEST_KDF_ITERATIONS", None)
    conn = imap()
    try:
        with open(eml, "rb") as f:
            append(conn, name, f.read())
    finally:
        conn.logout()
    ok("inbox", "sync", "--account", ACCOUNT)
    rows = listing(name)
    assert len(rows) == 1, rows
    mid = str(rows[0]["id"])

    status, out, err = cli("inbox", "show", mid)
    assert status == 7, (status, out, err)
    assert "Mathe" not in out and "password" in err.lower(), (out, err)
    status, out, err = cli("inbox", "show", mid, "--password-stdin", stdin="wrong password here\n")
    assert status == 7 and "Mathe" not in out, (status, out, err)
    out = ok("inbox", "show", mid, "--password-stdin", stdin=password + "\n")
    assert "Vertraulich: Mathe 1,7" in out, out
    # Decrypted text is never stored or indexed.
    assert listing(name, "vertraulich") == []
    db = os.path.join(os.environ["XDG_DATA_HOME"], "epistle", "epistle.db")
    with open(db, "rb") as f:
        assert b"Mathe 1,7" not in f.read()


def test_bounce_marks_campaign_recipient():
    base = fresh_profile()
    data, tmpl = netlib.write_merge(
        "bounce-" + uuid.uuid4().hex[:6],
        "Email,Name\nnobody-" + uuid.uuid4().hex[:6] + "@example.test,Nob\n",
        "To: {{ Email }}\nSubject: Hallo {{ Name }}\n\nText\n")
    out = ok("merge", "--data", data, "--template", tmpl, "--account", ACCOUNT, "--yes", timeout=180)
    db = os.path.join(os.environ["XDG_DATA_HOME"], "epistle", "epistle.db")
    with sqlite3.connect(db) as c:
        (message_id, address), = c.execute("SELECT message_id, address FROM campaign_recipients").fetchall()

    dsn = (f"From: Mail Delivery System <MAILER-DAEMON@example.test>\r\n"
           f"To: {netlib.USER}@example.test\r\n"
           f"Subject: Undelivered Mail Returned to Sender\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@example.test>\r\n"
           f"Date: {email.utils.formatdate()}\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
           "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
           "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
           "Reporting-MTA: dns; mx.example.test\r\n\r\n"
           f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
           f"Diagnostic-Code: smtp; 550 5.1.1 <{address}>: Recipient address rejected\r\n"
           "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
           f"Message-ID: <{message_id}>\r\nSubject: Hallo Nob\r\n"
           "--B--\r\n").encode()
    conn = imap()
    try:
        append(conn, "INBOX", dsn)
    finally:
        conn.logout()
    out = ok("inbox", "sync", "--account", ACCOUNT, "--inbox-only")
    assert "1 returned message was matched to a campaign recipient." in out, out
    with sqlite3.connect(db) as c:
        (bounce,), = c.execute("SELECT bounce FROM campaign_recipients").fetchall()
    assert "Recipient address rejected" in bounce, bounce
    with sqlite3.connect(db) as c:
        (cid,), = c.execute("SELECT campaign_id FROM campaign_recipients").fetchall()
    show = ok("campaign", "show", str(cid))
    assert re.search(rf"^Row 2\t{re.escape(address)}\tbounced\t.*Recipient address rejected", show, re.M), show


def sent_copies(conn, message_id):
    """UIDs and flags of the messages in Sent with @message_id."""
    typ, _ = conn.select("Sent", readonly=True)
    assert typ == "OK"
    typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", message_id)
    assert typ == "OK", data
    uids = data[0].split()
    flags = []
    for uid in uids:
        typ, d = conn.uid("FETCH", uid, "(FLAGS)")
        flags.append(d[0])
    return uids, flags


def test_sent_copy():
    fresh_profile()
    subject = "Kopie " + uuid.uuid4().hex[:6]
    out = ok("send", "--account", ACCOUNT, "--to", f"{netlib.USER}@example.test",
             "--subject", subject, "--body", "Für den Ordner „Gesendet“.")
    message_id = netlib.message_id_from(out).strip("<>")
    conn = imap()
    try:
        uids, flags = sent_copies(conn, message_id)
        assert len(uids) == 1, (uids, out)
        assert b"\\Seen" in flags[0], flags
        typ, data = conn.uid("FETCH", uids[0], "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)])")
        assert f"<{message_id}>".encode() in data[0][1], data
        assert subject.encode() in data[0][1], data
    finally:
        conn.logout()

    # A merge campaign puts no copies there.
    data, tmpl = netlib.write_merge(
        "sent-" + uuid.uuid4().hex[:6], f"Email\n{netlib.USER}@example.test\n",
        "To: {{ Email }}\nSubject: Rundbrief " + subject + "\n\nText\n")
    ok("merge", "--data", data, "--template", tmpl, "--account", ACCOUNT, "--yes", timeout=180)
    conn = imap()
    try:
        conn.select("Sent", readonly=True)
        typ, found = conn.uid("SEARCH", "SUBJECT", f"\"Rundbrief {subject}\"")
        assert typ == "OK" and found[0].split() == [], found
        # Still exactly one copy of the single message.
        assert len(sent_copies(conn, message_id)[0]) == 1
    finally:
        conn.logout()


def test_sent_copy_failure_keeps_the_send():
    """The IMAP server cannot be reached: the message is sent all the
    same, once, and the failed copy is reported."""
    base = tempfile.mkdtemp(prefix="inbox-", dir=netlib.env("EPISTLE_TEST_RIGDIR"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.makedirs(os.path.join(base, var.lower()))
        os.environ[var] = os.path.join(base, var.lower())
    with socket.socket() as s:      # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    netlib.add_account(ACCOUNT, imap=False,
                       extra=["--imap", f"127.0.0.1:{closed}", "--imap-security", "tls"])
    subject = "Ohne Ordner " + uuid.uuid4().hex[:6]
    status, out, err = cli("send", "--account", ACCOUNT, "--to", f"{netlib.USER}@example.test",
                           "--subject", subject, "--body", "x")
    assert status == 0, (status, out, err)
    message_id = netlib.message_id_from(out)
    assert "The copy for the Sent folder was not saved" in err, err
    netlib.wait_for_message(message_id)
    delivered = [p for p in netlib.maildir_files()
                 if netlib.read_message(p).get("Message-ID", "").strip() == message_id]
    assert len(delivered) == 1, delivered


class HostileImap:
    """A scripted IMAPS server on 127.0.0.1 for what no real server does
    (STYLE.md §10): it answers login, LIST, EXAMINE and UID SEARCH like a
    small server with messages 1 and 2, and the new-messages FETCH by
    @fault: "none" (answers it), "literal" (announces a 300 MB literal),
    "bye" (BYE in the middle of the FETCH, then closes) or "silent"
    (never answers); for a Sent copy, "append-lost" takes an APPEND and
    closes without a reply, and "found" has that copy in Sent (SEARCH).
    A list of faults is taken one per connection. It records every
    command the client sent, without tags and with the login's
    credentials left out."""

    def __init__(self):
        self.fault, self.uidnext = "none", 1
        self.transcripts = []
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls = os.path.join(netlib.env("EPISTLE_TEST_RIGDIR"), "tls")
        ctx.load_cert_chain(os.path.join(tls, "server.pem"), os.path.join(tls, "server.key"))
        self.ctx = ctx
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        for _ in range(20):                       # bounded: a few syncs
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            commands = []
            self.transcripts.append(commands)
            fault = self.fault.pop(0) if isinstance(self.fault, list) else self.fault
            threading.Thread(target=self.handle, args=(raw, fault, self.uidnext, commands),
                             daemon=True).start()

    def handle(self, raw, fault, uidnext, commands):
        try:
            with self.ctx.wrap_socket(raw, server_side=True) as conn:
                conn.settimeout(30)
                f = conn.makefile("rwb", buffering=0)
                f.write(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hostile ready\r\n")
                self.session(f, fault, uidnext, commands)
        except (OSError, ValueError):
            pass

    def session(self, f, fault, uidnext, commands):
        for _ in range(50):                       # bounded: a sync sends a handful
            line = f.readline()
            if not line:
                return
            tag, _, command = line.decode().rstrip("\r\n").partition(" ")
            verb = command.split(" ", 1)[0].upper()
            commands.append("AUTHENTICATE PLAIN" if verb == "AUTHENTICATE" else command)
            if verb == "CAPABILITY":
                f.write(b"* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n")
            elif verb == "LIST":
                f.write(b'* LIST (\\HasNoChildren) "/" INBOX\r\n'
                        b'* LIST (\\HasNoChildren \\Sent) "/" Sent\r\n')
            elif verb == "APPEND":
                size = int(re.search(r"\{(\d+)\}$", command).group(1))
                f.write(b"+ go ahead\r\n")
                got = b""
                while len(got) < size + 2:      # raw reads may return less
                    chunk = f.read(size + 2 - len(got))
                    if not chunk:
                        return
                    got += chunk
                if fault == "append-lost":      # the copy arrives, its reply never does
                    return
                f.write(f"{tag} OK [APPENDUID 77 7] appended\r\n".encode())
                continue
            elif verb == "UID" and " SEARCH HEADER " in command.upper():
                f.write(b"* SEARCH 7\r\n" if fault == "found" else b"* SEARCH\r\n")
            elif verb in ("EXAMINE", "SELECT"):
                f.write(f"* {uidnext - 1} EXISTS\r\n* OK [UIDVALIDITY 77] x\r\n"
                        f"* OK [UIDNEXT {uidnext}] x\r\n".encode())
            elif verb == "UID" and " FETCH " in command.upper() and " FLAGS)" not in command:
                first = int(command.split()[2].split(":")[0])
                if fault == "silent":
                    self.stop.wait(60)             # until the test is done
                    return
                if fault == "literal":
                    f.write(f"* {first} FETCH (UID {first} ENVELOPE ({{314572800}}\r\n".encode()
                            + b"x" * 4096)
                    self.stop.wait(60)
                    return
                for uid in range(first, uidnext):
                    f.write(f'* {uid} FETCH (UID {uid} FLAGS () INTERNALDATE "01-Dec-2026 10:00:00 +0000" '
                            f'RFC822.SIZE 100 ENVELOPE ("Tue, 01 Dec 2026 10:00:00 +0000" "Hostile {uid}" '
                            f'(("Eve" NIL "eve" "example.test")) NIL NIL NIL NIL NIL NIL "<h{uid}@example.test>") '
                            f'BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL))\r\n'.encode())
                    if fault == "bye":
                        f.write(b"* BYE going away mid-FETCH\r\n")
                        return
            elif verb == "UID" and " SEARCH " in command.upper():
                f.write(b"* SEARCH " + " ".join(str(u) for u in range(1, uidnext)).encode() + b"\r\n")
            elif verb == "LOGOUT":
                f.write(f"* BYE bye\r\n{tag} OK LOGOUT done\r\n".encode())
                return
            f.write(f"{tag} OK done\r\n".encode())

    def close(self):
        self.stop.set()
        self.sock.close()


def hostile_sync(server, fault, uidnext):
    server.fault, server.uidnext = fault, uidnext
    # --timeout 3: the response timeout; the subprocess's own limit only
    # catches a hang.
    status, out, err = cli("inbox", "sync", "--account", ACCOUNT, "--inbox-only", "--timeout", "3",
                           timeout=30)
    return status, out, err, server.transcripts[-1]


def test_hostile_server():
    """A server that announces a 300 MB literal, says BYE in the middle of
    a FETCH, or stops answering: the sync fails with an error that says
    which, and the cache keeps what the last good sync put there."""
    base = tempfile.mkdtemp(prefix="inbox-", dir=netlib.env("EPISTLE_TEST_RIGDIR"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.makedirs(os.path.join(base, var.lower()))
        os.environ[var] = os.path.join(base, var.lower())
    login = ["CAPABILITY", "AUTHENTICATE PLAIN", "CAPABILITY", 'LIST "" "*"', 'EXAMINE "INBOX"']
    fetch = "UID FETCH {}:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)"
    server = HostileImap()
    try:
        netlib.add_account(ACCOUNT, imap=False,
                           extra=["--imap", f"127.0.0.1:{server.port}", "--imap-security", "tls"])
        # A first sync that works: messages 1 and 2 are cached.
        status, out, err, commands = hostile_sync(server, "none", 3)
        assert status == 0 and parse_sync(out)[1] == 2, (status, out, err, commands)
        assert commands == login + [fetch.format(1), "LOGOUT"], commands
        cached = [r["subject"] for r in listing()]
        assert cached == ["Hostile 2", "Hostile 1"], cached

        for fault, says in (("literal", "literal too large"),
                            ("bye", "ended the session: going away mid-FETCH"),
                            ("silent", "the server stopped answering")):
            status, out, err, commands = hostile_sync(server, fault, 5)
            assert status != 0 and says in err, (fault, status, out, err)
            # Nothing after the FETCH it could not finish: no LOGOUT on a
            # session out of step.
            assert commands == login + [fetch.format(3)], (fault, commands)
            assert [r["subject"] for r in listing()] == cached, fault
    finally:
        server.close()


def test_sent_copy_reply_lost():
    """The APPEND of a Sent copy reaches the server but its reply is lost
    (a scripted server: Dovecot never does that): the copy is tried once
    more on a new connection, which finds it in Sent by its Message-ID
    and does not file it twice."""
    base = tempfile.mkdtemp(prefix="inbox-", dir=netlib.env("EPISTLE_TEST_RIGDIR"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.makedirs(os.path.join(base, var.lower()))
        os.environ[var] = os.path.join(base, var.lower())
    server = HostileImap()
    server.fault = ["append-lost", "found"]
    try:
        netlib.add_account(ACCOUNT, imap=False,
                           extra=["--imap", f"127.0.0.1:{server.port}", "--imap-security", "tls"])
        status, out, err = cli("send", "--account", ACCOUNT, "--to", f"{netlib.USER}@example.test",
                               "--subject", "Antwort verloren", "--body", "x")
        assert status == 0, (status, out, err)
        message_id = netlib.message_id_from(out)
        assert "not saved" not in err, err
        login = ["CAPABILITY", "AUTHENTICATE PLAIN", "CAPABILITY", 'LIST "" "*"']
        first, second = server.transcripts
        assert first[:-1] == login and re.fullmatch(r"APPEND \"Sent\" \(\\Seen\) \{\d+\}", first[-1]), first
        assert second == login + ['EXAMINE "Sent"', f'UID SEARCH HEADER Message-ID "{message_id}"',
                                  "LOGOUT"], second
    finally:
        server.close()


if __name__ == "__main__":
    netlib.run([
        test_first_and_incremental_sync,
        test_body_search_flags_offline,
        test_uidvalidity_change,
        test_idle_sees_new_mail,
        test_password_mail_stays_closed,
        test_bounce_marks_campaign_recipient,
        test_sent_copy,
        test_sent_copy_failure_keeps_the_send,
        test_hostile_server,
        test_sent_copy_reply_lost,
    ])
