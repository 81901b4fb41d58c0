#!/usr/bin/python3
"""A real SMTP submission server for Epistle's tests (aiosmtpd).

Two listeners in one asyncio process:
  --port   plain, STARTTLS required before AUTH and MAIL
  --tls-port  implicit TLS
AUTH PLAIN/LOGIN against one user. Accepted mail is delivered through
Dovecot's LMTP into the test user's Maildir (a catch-all: one copy per
accepted message, whatever the envelope recipients).

Faults come from a JSON file re-read on every connection and every command:
  {"rcpt": {"addr": "550 5.1.1 ..."}}     reply to RCPT TO for that address
                                          (a 421 reply also closes)
  {"mail_from": {"addr": "553 ..."}}      reply to MAIL FROM
  {"data_reply": "451 ..."}               reply after DATA, nothing delivered
  {"drop_mid_data": N}                    close after N bytes of DATA
  {"drop_after_data": true}               close after DATA, no reply
  {"no_starttls": true}                   STARTTLS listener does not offer STARTTLS
  {"size_limit": N}                       advertise SIZE N and enforce it
  {"auth_fail": true}                     every AUTH fails with 535
Every event is one JSON line in --events: connect, ehlo, starttls, auth
(user, mechanism, ok: never the password), mail, rcpt, data, close.
"""

import argparse
import asyncio
import itertools
import json
import os
import smtplib
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

ARGS = None
COUNTER = itertools.count(1)


def faults():
    try:
        with open(ARGS.faults) as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def log_event(kind, **fields):
    fields = {"event": kind, "time": round(time.time(), 3), **fields}
    with open(ARGS.events, "a") as f:
        f.write(json.dumps(fields) + "\n")


def deliver(mail_from, raw):
    """Hands the message to Dovecot LMTP for the test user."""
    with smtplib.LMTP("127.0.0.1", ARGS.lmtp_port, timeout=30) as lmtp:
        lmtp.sendmail(mail_from or "<>", [f"{ARGS.user}@example.test"], raw)


class Handler:
    def __init__(self, conn, listener):
        self.conn = conn
        self.listener = listener

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        log_event("ehlo", conn=self.conn, listener=self.listener, hostname=hostname,
                  tls=server.is_tls)
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = faults().get("mail_from", {}).get(address)
        log_event("mail", conn=self.conn, listener=self.listener, address=address,
                  options=mail_options, reply=reply or "250", tls=server.is_tls,
                  auth_user=server.auth_user)
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = faults().get("rcpt", {}).get(address)
        log_event("rcpt", conn=self.conn, listener=self.listener, address=address,
                  reply=reply or "250")
        if reply:
            if reply.startswith("421"):
                asyncio.get_running_loop().call_soon(server.transport.close)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        f = faults()
        raw = envelope.original_content or envelope.content
        if f.get("drop_after_data"):
            log_event("data", conn=self.conn, listener=self.listener, size=len(raw),
                      reply="dropped")
            server.transport.close()
            return "421 4.3.0 dropped"
        if f.get("data_reply"):
            log_event("data", conn=self.conn, listener=self.listener, size=len(raw),
                      reply=f["data_reply"])
            return f["data_reply"]
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, deliver, envelope.mail_from, raw)
        except Exception as e:  # delivery trouble is the test rig's, say so
            log_event("data", conn=self.conn, listener=self.listener, size=len(raw),
                      reply="451", error=str(e))
            return f"451 4.3.0 Local delivery failed: {e}"
        log_event("data", conn=self.conn, listener=self.listener, size=len(raw),
                  recipients=envelope.rcpt_tos, reply="250")
        return "250 2.0.0 OK: queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = False
    user = None
    if isinstance(auth_data, LoginPassword):
        user = auth_data.login.decode("utf-8", "replace")
        ok = (auth_data.login == ARGS.user.encode() and
              auth_data.password == ARGS.password.encode() and
              not faults().get("auth_fail"))
    log_event("auth", conn=server.conn_id, listener=server.listener, user=user,
              mechanism=mechanism, ok=ok, tls=server.is_tls)
    if ok:
        server.auth_user = user
    return AuthResult(success=ok, handled=False)


class RigSMTP(SMTP):
    def __init__(self, listener, tls_context, **kwargs):
        self.conn_id = next(COUNTER)
        self.listener = listener
        self.implicit_tls = listener == "smtps"
        super().__init__(Handler(self.conn_id, listener), tls_context=tls_context, **kwargs)

    @property
    def is_tls(self):
        return self.implicit_tls or self._tls_protocol is not None

    auth_user = None

    async def smtp_STARTTLS(self, arg):
        log_event("starttls", conn=self.conn_id, listener=self.listener)
        await super().smtp_STARTTLS(arg)

    def connection_made(self, transport):
        # Called again with the TLS transport after STARTTLS: log once.
        if not getattr(self, "_rig_connected", False):
            self._rig_connected = True
            log_event("connect", conn=self.conn_id, listener=self.listener)
        super().connection_made(transport)

    def connection_lost(self, exc):
        log_event("close", conn=self.conn_id, listener=self.listener)
        super().connection_lost(exc)

    async def smtp_DATA(self, arg):
        n = faults().get("drop_mid_data")
        if n and self.envelope.rcpt_tos:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            data = await self._reader.read(int(n))
            log_event("data", conn=self.conn_id, listener=self.listener, size=len(data),
                      reply="dropped-mid-data")
            self.transport.close()
            return
        await super().smtp_DATA(arg)


def factory(listener, ctx):
    def make():
        f = faults()
        kwargs = dict(hostname="rig.example.test", auth_required=True,
                      authenticator=authenticator, enable_SMTPUTF8=True,
                      ident="Epistle test rig")
        if f.get("size_limit"):
            kwargs["data_size_limit"] = int(f["size_limit"])
        if listener == "smtps":
            return RigSMTP(listener, None, auth_require_tls=False, **kwargs)
        if f.get("no_starttls"):
            return RigSMTP(listener, None, require_starttls=False, auth_require_tls=True, **kwargs)
        return RigSMTP(listener, ctx, require_starttls=True, auth_require_tls=True, **kwargs)
    return make


async def main():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    loop = asyncio.get_running_loop()
    plain = await loop.create_server(factory("smtp", ctx), "127.0.0.1", ARGS.port)
    tls = await loop.create_server(factory("smtps", ctx), "127.0.0.1", ARGS.tls_port, ssl=ctx)
    with open(ARGS.ready, "w") as f:
        f.write("ready\n")
    async with plain, tls:
        await asyncio.gather(plain.serve_forever(), tls.serve_forever())


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls-port", type=int, required=True)
    p.add_argument("--lmtp-port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--faults", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--ready", required=True)
    ARGS = p.parse_args()
    with open(ARGS.password_file) as f:
        ARGS.password = f.read().strip()
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
