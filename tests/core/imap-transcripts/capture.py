#!/usr/bin/python3
# capture.py: regenerate the IMAP transcripts test-imap-parser.c replays.
#
#   tests/servers/rig.sh /usr/bin/python3 tests/core/imap-transcripts/capture.py
#
# Inside the rig (its Dovecot, EPISTLE_TEST_* variables) it appends a few
# messages with imaplib (plain, multipart with an attachment, S/MIME
# enveloped, multipart/signed, a bounce, encoded-word headers), creates a
# folder with a non-ASCII name, then speaks to Dovecot over a raw TLS socket
# and writes exactly the bytes the server sent for each command into
# NAME.txt beside this script (the parser's input; the commands themselves
# are in COMMANDS below). UIDVALIDITY, dates of the session and so on change
# on every run: after regenerating, update the values the test asserts.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import imaplib
import os
import socket
import ssl
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
USER = os.environ["EPISTLE_TEST_USER"]
PASSWORD = os.environ["EPISTLE_TEST_PASSWORD"]
PORT = int(os.environ["EPISTLE_TEST_IMAPS_PORT"])
CA = os.environ["EPISTLE_TEST_CA"]
DATE = '"17-Jul-1996 02:44:25 -0700"'

def crlf(s):
    return s.strip("\n").replace("\n", "\r\n").encode() + b"\r\n"

MESSAGES = [
    ("(\\Seen)", crlf("""
From: Ann Example <ann@example.com>
To: Bob <bob@example.org>, carol@example.net
Subject: Hello there
Date: Wed, 17 Jul 1996 02:44:25 -0700
Message-ID: <plain-1@example.com>
Content-Type: text/plain; charset=us-ascii

Just text.
""")),
    ("(\\Flagged)", crlf("""
From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.de>
To: undisclosed-recipients:;
Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?= report
Date: Thu, 18 Jul 1996 10:00:00 +0200
Message-ID: <multi-2@example.de>
In-Reply-To: <plain-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Anbei der Bericht.
--b1
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKCg==
--b1--
""")),
    ("()", crlf("""
From: Secret Sender <secret@example.com>
To: bob@example.org
Subject: Encrypted
Date: Fri, 19 Jul 1996 12:00:00 +0000
Message-ID: <smime-3@example.com>
MIME-Version: 1.0
Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"
Content-Disposition: attachment; filename="smime.p7m"
Content-Transfer-Encoding: base64

MIAGCSqGSIb3DQEHA6CAMIACAQAxggFYMIIBVAIBADA8MDQxCzAJBgNVBAYTAlVT
""")),
    ("(\\Answered $Label1)", crlf("""
From: Signer <signer@example.com>
To: bob@example.org
Subject: Signed
Date: Sat, 20 Jul 1996 12:00:00 +0000
Message-ID: <signed-4@example.com>
MIME-Version: 1.0
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s1"

--s1
Content-Type: text/plain; charset=us-ascii

Signed text.
--s1
Content-Type: application/pkcs7-signature; name="smime.p7s"
Content-Disposition: attachment; filename="smime.p7s"
Content-Transfer-Encoding: base64

MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0B
--s1--
""")),
    ("()", crlf("""
From: Mail Delivery System <MAILER-DAEMON@example.org>
To: bob@example.org
Subject: Undelivered Mail Returned to Sender
Date: Sun, 21 Jul 1996 12:00:00 +0000
Message-ID: <bounce-5@example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="r1"

--r1
Content-Type: text/plain; charset=us-ascii

The message could not be delivered.
--r1
Content-Type: message/delivery-status

Reporting-MTA: dns; example.org
Final-Recipient: rfc822; nobody@example.com
Action: failed
Status: 5.1.1
--r1
Content-Type: text/rfc822-headers

Message-ID: <sent-1@example.com>
--r1--
""")),
]

FOLDER = "Caf&AOk- &- Co"   # "Café & Co" in modified UTF-7

COMMANDS = [
    ("capability", "CAPABILITY"),
    ("list", 'LIST "" "*" RETURN (SPECIAL-USE)'),
    ("select", "SELECT INBOX (CONDSTORE)"),
    ("fetch", "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ)"),
    ("body", "UID FETCH 2 (BODY.PEEK[] BODY.PEEK[HEADER.FIELDS (DATE FROM)])"),
    ("status", 'STATUS "INBOX" (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)'),
    ("search", "UID SEARCH ALL"),
    ("esearch", "UID SEARCH RETURN (MIN MAX COUNT ALL) ALL"),
    ("idle", "IDLE"),
]

def setup():
    m = imaplib.IMAP4_SSL("127.0.0.1", PORT, ssl_context=ssl.create_default_context(cafile=CA))
    m.login(USER, PASSWORD)
    for flags, msg in MESSAGES:
        typ, _ = m.append("INBOX", flags, DATE, msg)
        assert typ == "OK"
    typ, _ = m.create('"%s"' % FOLDER)
    assert typ == "OK", typ
    m.logout()

class Raw:
    def __init__(self):
        ctx = ssl.create_default_context(cafile=CA)
        self.s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", PORT)), server_hostname="localhost")
        self.buf = b""
        self.greeting = self.until(lambda b: b.endswith(b"\r\n"))

    def until(self, done):
        out = b""
        while not done(out):
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError(out)
            out += chunk
        return out

    def command(self, tag, text, idle=False):
        self.s.sendall(("%s %s\r\n" % (tag, text)).encode())
        end = ("\r\n%s " % tag).encode()
        if idle:
            out = self.until(lambda b: b.startswith(b"+") and b.endswith(b"\r\n"))
            # A message arrives while idling: the untagged EXISTS comes through.
            m = imaplib.IMAP4_SSL("127.0.0.1", PORT, ssl_context=ssl.create_default_context(cafile=CA))
            m.login(USER, PASSWORD)
            m.append("INBOX", "()", DATE, crlf("Subject: during IDLE\n\nhi\n"))
            m.logout()
            out += self.until(lambda b: b"EXISTS\r\n" in b)
            self.s.sendall(b"DONE\r\n")
            return out + self.until(lambda b: (b"\r\n" + b).find(end) >= 0 and b.endswith(b"\r\n"))
        return self.until(lambda b: (b"\r\n" + b).find(end) >= 0 and b.endswith(b"\r\n"))

def main():
    setup()
    raw = Raw()
    login = raw.command("a0", "LOGIN %s %s" % (USER, PASSWORD))
    with open(os.path.join(HERE, "greeting.txt"), "wb") as f:
        f.write(raw.greeting)
    for i, (name, text) in enumerate(COMMANDS):
        out = raw.command("a%d" % (i + 1), text, idle=(name == "idle"))
        with open(os.path.join(HERE, name + ".txt"), "wb") as f:
            f.write(out)
        print("%-10s %6d bytes" % (name, len(out)))
    raw.command("z", "LOGOUT")

if __name__ == "__main__":
    sys.exit(main())
