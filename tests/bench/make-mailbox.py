#!/usr/bin/python3
"""tests/bench/make-mailbox.py: messages written straight into a Maildir.

    make-mailbox.py MAILDIR COUNT [--seed N] [--new]

Writes COUNT realistic, varied messages (about 2–20 KB: plain text, some
with encoded-word or UTF-8 subjects, a fifth multipart/alternative, a
tenth multipart/mixed with a base64 attachment; dates over a year; a third
already read, a few flagged) into MAILDIR/cur (or MAILDIR/new with
--new), as tmp/ then rename, the way a delivery agent does. Dovecot sees
them at its next SELECT. A fixed seed gives the same mailbox every time.
Files are given the owner of MAILDIR (as root, the rig's mail user).
"""

import email.header
import email.utils
import os
import random
import sys
import time

FIRST = ["Anna", "Jürgen", "Zoë", "Björn", "Chloé", "Mateo", "Aiko", "Olu", "Sven", "Ines",
         "Łukasz", "Priya", "Noah", "Fatima", "Émile", "Greta"]
LAST = ["Müller", "Schmidt", "Novák", "García", "Okafor", "Tanaka", "Dubois", "Rossi",
        "Kowalski", "Andersson", "Øvergaard", "Smith", "Ivanova", "Haddad"]
DOMAINS = ["example.org", "example.com", "mail.example.net", "uni.example.edu", "shop.example"]
WORDS = ("the of and to in is that for it as with was on be at by this had not are but from "
         "or have an they which one you were her all she there would their we him been has "
         "when who will more no if out so said what up its about into than them can only "
         "other new some could time these two may then do first any my now such like our "
         "over man me even most made after also did many before must through back years "
         "Rechnung Prüfung Grüße Zeugnis Termin réunion café naïve façade Übersicht").split()
SUBJECTS = ["Re: {w} {w} {w}", "Invoice {n}", "Meeting on {w}", "Fwd: {w} {w}", "{w} {w} report",
            "Your order #{n} has shipped", "Rechnung März – {n},50 €", "Grüße aus {w}",
            "Réunion du {n} mars", "[list] {w} {w} {w} {w}", "Zeugnis für {w}"]


def text(rng, size):
    out, n, line = [], 0, []
    while n < size:
        w = rng.choice(WORDS)
        line.append(w)
        n += len(w) + 1
        if len(" ".join(line)) > 68:
            out.append(" ".join(line))
            line = []
            if rng.random() < 0.15:
                out.append("")
    out.append(" ".join(line))
    return "\n".join(out) + "\n"


def b64_blob(rng, size):
    import base64
    raw = bytes(rng.getrandbits(8) for _ in range(size))
    enc = base64.b64encode(raw).decode()
    return "\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + "\n"


def message(rng, i, start):
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    addr = f"{name.split()[0].lower().encode('ascii', 'ignore').decode() or 'x'}{i % 97}@{rng.choice(DOMAINS)}"
    subject = rng.choice(SUBJECTS).format(w=rng.choice(WORDS), n=rng.randrange(10, 9999))
    subject = subject.replace("{w}", rng.choice(WORDS))
    when = start + i * 3150 + rng.randrange(0, 3000)
    if rng.random() < 0.5 and not subject.isascii():
        subj = email.header.Header(subject, "utf-8").encode()
    else:
        subj = subject           # raw UTF-8 in some: Dovecot sends those as literals
    head = [
        f"Return-Path: <{addr}>",
        f"Received: from mx{i % 7}.example.net (mx{i % 7}.example.net [192.0.2.{i % 250}])\n"
        f"\tby imap.example.test with ESMTPS id {i:08x}; {email.utils.formatdate(when)}",
        f"From: {email.utils.formataddr((name, addr), charset='utf-8')}",
        f"To: Epistle Bench <bench@example.test>",
    ]
    if rng.random() < 0.3:
        head.append(f"Cc: {rng.choice(FIRST)} <cc{i % 13}@{rng.choice(DOMAINS)}>, team@example.org")
    head += [f"Subject: {subj}", f"Date: {email.utils.formatdate(when)}",
             f"Message-ID: <bench.{i}.{when}@{rng.choice(DOMAINS)}>", "MIME-Version: 1.0"]
    if i > 0 and rng.random() < 0.3:
        head.append(f"In-Reply-To: <bench.{rng.randrange(0, i)}.0@example.org>")
    size = int(rng.triangular(1500, 19000, 4000))
    kind = rng.random()
    if kind < 0.1:
        b = f"mixed-{i}"
        body_size = max(500, size // 3)
        head.append(f'Content-Type: multipart/mixed; boundary="{b}"')
        body = (f"This is a multi-part message in MIME format.\n\n--{b}\n"
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                f"{text(rng, body_size)}\n--{b}\n"
                f'Content-Type: application/pdf; name="doc-{i}.pdf"\n'
                f'Content-Disposition: attachment; filename="doc-{i}.pdf"\n'
                "Content-Transfer-Encoding: base64\n\n"
                f"{b64_blob(rng, (size - body_size) * 3 // 4)}--{b}--\n")
    elif kind < 0.3:
        b = f"alt-{i}"
        t = text(rng, size // 3)
        html = "".join(f"<p>{p}</p>\n" for p in t.split("\n\n"))
        head.append(f'Content-Type: multipart/alternative; boundary="{b}"')
        body = (f"--{b}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                f"{t}\n--{b}\nContent-Type: text/html; charset=utf-8\n"
                "Content-Transfer-Encoding: 8bit\n\n"
                f"<html><body style=\"font-family: sans-serif\">\n{html}</body></html>\n--{b}--\n")
    else:
        head += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        body = text(rng, size)
    flags = ""
    if rng.random() < 0.05:
        flags += "F"
    if rng.random() < 0.35:
        flags += "S"
    return ("\n".join(head) + "\n\n" + body).encode("utf-8"), when, flags


def main():
    args = sys.argv[1:]
    seed, new = 13, False
    if "--seed" in args:
        k = args.index("--seed")
        seed = int(args[k + 1])
        del args[k:k + 2]
    if "--new" in args:
        args.remove("--new")
        new = True
    if len(args) != 2:
        sys.exit(__doc__)
    maildir, count = args[0], int(args[1])
    if not 0 < count <= 1_000_000:
        sys.exit("COUNT must be 1 to 1,000,000")
    st = os.stat(maildir)
    rng = random.Random(seed)
    start = 1_733_000_000
    stamp = int(time.time())
    for i in range(count):
        raw, when, flags = message(rng, i, start)
        unique = f"{stamp}.M{i}P{os.getpid()}S{seed}.bench"
        tmp = os.path.join(maildir, "tmp", unique)
        with open(tmp, "wb") as f:
            f.write(raw)
        os.utime(tmp, (when, when))       # INTERNALDATE comes from the mtime
        if os.getuid() == 0:
            os.chown(tmp, st.st_uid, st.st_gid)
        if new:
            dest = os.path.join(maildir, "new", f"{unique},S={len(raw)}")
        else:
            dest = os.path.join(maildir, "cur", f"{unique},S={len(raw)}:2,{flags}")
        os.rename(tmp, dest)


if __name__ == "__main__":
    main()
