#!/usr/bin/python3
# tests/bench/smtplib-loop.py: the Python anchors for merge-bench.sh.
#
#   smtplib-loop.py send   DATA.csv TEMPLATE HOST:PORT   one connection, send_message per row
#   smtplib-loop.py render DATA.csv TEMPLATE             build every message, bytes discarded
#   smtplib-loop.py sample DATA.csv TEMPLATE OUT.eml     the first row's message, for smtp-source -F
#
# Each row becomes an email.message.EmailMessage built the way a careful
# script would: the same template as Epistle's merge (bench-template.txt;
# only {{ Column }} and {{#if Column}}…{{/if}} are understood here), From,
# To, Subject, Date, Message-ID, MIME text/plain. It prints the number of
# messages on stdout; merge-bench.sh times it from outside.

import csv
import email.policy
import email.utils
import re
import smtplib
import sys
from email.message import EmailMessage

SENDER = "bench@example.org"
VALUE = re.compile(r"\{\{\s*([^#/{}][^{}]*?)\s*\}\}")
COND = re.compile(r"\{\{#if\s+([^{}]+?)\s*\}\}(.*?)\{\{/if\}\}", re.S)


def read_template(path):
    text = open(path, encoding="utf-8").read()
    head, _, body = text.partition("\n\n")
    headers = {}
    for line in head.splitlines():
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    return headers, body


def fill(text, row):
    text = COND.sub(lambda m: m.group(2) if row.get(m.group(1), "") else "", text)
    return VALUE.sub(lambda m: row.get(m.group(1), ""), text)


def messages(data, template):
    headers, body = read_template(template)
    with open(data, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            msg = EmailMessage(policy=email.policy.SMTP)
            msg["From"] = SENDER
            msg["To"] = fill(headers["To"], row)
            msg["Subject"] = fill(headers["Subject"], row)
            msg["Date"] = email.utils.formatdate(localtime=True)
            msg["Message-ID"] = email.utils.make_msgid(domain="example.org")
            msg.set_content(fill(body, row))
            yield row["Email"], msg


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("send", "render", "sample"):
        sys.exit(__doc__ if __doc__ else "usage: smtplib-loop.py send|render|sample DATA TEMPLATE ...")
    mode, data, template = sys.argv[1:4]
    n = 0
    if mode == "send":
        host, _, port = sys.argv[4].rpartition(":")
        with smtplib.SMTP(host, int(port), timeout=30) as smtp:
            smtp.ehlo("bench.example.org")
            for rcpt, msg in messages(data, template):
                smtp.send_message(msg, from_addr=SENDER, to_addrs=[rcpt])
                n += 1
    elif mode == "render":
        for _, msg in messages(data, template):
            msg.as_bytes()
            n += 1
    else:
        for _, msg in messages(data, template):
            with open(sys.argv[4], "wb") as out:
                out.write(msg.as_bytes(policy=email.policy.default))
            n = 1
            break
    print(n)


if __name__ == "__main__":
    main()
