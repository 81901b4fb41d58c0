#!/usr/bin/python3
"""A real SMTP submission server for Epistle's tests (aiosmtpd 1.4).

Two listeners in one asyncio process (no Controller thread):
  --port      "smtp":  plain, STARTTLS required before AUTH and MAIL
  --tls-port  "smtps": implicit TLS
AUTH PLAIN and LOGIN against one user and password, and XOAUTH2 against
that user and a bearer token; AUTH is required before MAIL.
Accepted mail goes through Dovecot LMTP into the test user's Maildir: a
catch-all, one copy per accepted message whatever the envelope recipients.

Faults come from a JSON file re-read on every connection and every command
(see README.md): rcpt, mail_from, data_reply, drop_mid_data,
drop_after_data, no_starttls, size_limit, timeout, auth_fail, greeting,
hold_rcpt, hold_dot.

Events are JSON lines in --events: connect, greeting (only when faulted),
ehlo, starttls, auth (user, mechanism, ok; never the password), mail,
rcpt, data, close, hold (a held address: "address", "at"), timeout (the
server closed an idle connection). Each has "conn" (a per-process connection number) and
"listener" ("smtp" or "smtps").
"""

import argparse
import asyncio
import base64
import itertools
import json
import logging
import smtplib
import ssl
import time
import warnings

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

# Expected noise: the implicit-TLS listener has auth_require_tls=False, and
# aiosmtpd 1.4 uses its own deprecated Session.login_data.
warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
logging.getLogger("mail.log").addFilter(lambda r: not any(
    s in r.getMessage() for s in ("auth_require_tls == False", "login_data is deprecated")))

ARGS = None
CONN_IDS = itertools.count(1)


def faults():
    """The current fault JSON; {} when missing or (half-written) invalid."""
    try:
        with open(ARGS.faults, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


USED = {}


def applies(f, key):
    """A fault listed in "times" applies only that many times (counted per
    server process and per distinct "times" object, so a test that writes a
    new one starts afresh); one not listed always applies."""
    times = f.get("times") or {}
    if key not in times:
        return True
    counter = (key, json.dumps(times, sort_keys=True))
    if USED.get(counter, 0) >= int(times[key]):
        return False
    USED[counter] = USED.get(counter, 0) + 1
    return True


def log_event(server, kind, **fields):
    line = {"event": kind, "conn": server.conn_id, "listener": server.listener,
            "time": round(time.time(), 3), **fields}
    with open(ARGS.events, "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


def deliver(mail_from, raw):
    """Hands one copy to Dovecot LMTP, always for the test user."""
    with smtplib.LMTP("127.0.0.1", ARGS.lmtp_port, timeout=30) as lmtp:
        lmtp.sendmail(mail_from or "<>", [ARGS.user + "@localhost"], raw)


class Handler:
    """aiosmtpd hooks: these see commands aiosmtpd itself has accepted."""

    async def auth_XOAUTH2(self, server, args):
        """AUTH XOAUTH2: base64 of "user=U^Aauth=Bearer TOKEN^A^A". A bad token
        gets 535 at once (no 334 JSON error challenge as Gmail sends)."""
        if len(args) == 1:
            blob = await server.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        else:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except ValueError:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        fields = dict(part.split("=", 1) for part in blob.decode("utf-8", "replace").split("\x01")
                      if "=" in part)
        user = fields.get("user")
        ok = (user == ARGS.user and fields.get("auth") == "Bearer " + ARGS.oauth_token
              and not faults().get("auth_fail"))
        log_event(server, "auth", user=user, mechanism="XOAUTH2", ok=ok)
        if ok:
            server.login_user = user
        return AuthResult(success=ok, handled=False, auth_data=user)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        log_event(server, "ehlo", hostname=hostname, tls=server.is_tls)
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = faults().get("mail_from", {}).get(address) or "250 2.1.0 OK"
        server.logged = True
        log_event(server, "mail", address=address, options=mail_options, reply=reply)
        if reply.startswith("250"):
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
        return reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        f = faults()
        if f.get("rcpt_delay"):
            # A slow server: the client has to wait (or give up, or cancel).
            await asyncio.sleep(min(float(f["rcpt_delay"]), 120.0))
        if address in (f.get("hold_rcpt") or {}):
            # Holds this one recipient (a kill point for tests): the event
            # says the client is waiting here.
            log_event(server, "hold", address=address, at="rcpt")
            await asyncio.sleep(min(float(f["hold_rcpt"][address]), 120.0))
        reply = f.get("rcpt", {}).get(address)
        if not reply or not applies(f, "rcpt:" + address):
            reply = "250 2.1.5 OK"
        server.logged = True
        log_event(server, "rcpt", address=address, reply=reply)
        if reply.startswith("421"):
            # The reply is written first; the close follows on the next turn.
            asyncio.get_running_loop().call_soon(server.transport.close)
        elif reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        f = faults()
        raw = envelope.original_content or envelope.content
        server.logged = True
        if f.get("drop_after_data"):
            log_event(server, "data", size=len(raw), reply="dropped")
            server.drop()
            return "421 4.3.0 dropped"          # never reaches the client
        for address in envelope.rcpt_tos:
            if address in (f.get("hold_dot") or {}):
                # The whole message is here; the reply waits.
                log_event(server, "hold", address=address, at="dot")
                await asyncio.sleep(min(float(f["hold_dot"][address]), 120.0))
        if f.get("data_reply") and applies(f, "data_reply"):
            log_event(server, "data", size=len(raw), reply=f["data_reply"])
            return f["data_reply"]
        server.delivering = True
        reply = "250 2.0.0 OK: delivered"
        done = asyncio.get_running_loop().run_in_executor(None, deliver, envelope.mail_from, raw)
        try:
            await asyncio.shield(done)
        except asyncio.CancelledError:
            # The client went away (a kill) while the message was being
            # delivered: it is delivered all the same, and the log says so.
            done.add_done_callback(lambda d: d.cancelled() or d.exception() or log_event(
                server, "data", size=len(raw), recipients=envelope.rcpt_tos,
                auth_user=server.login_user, reply=reply, client_gone=True))
            raise
        except Exception as e:  # the rig's own trouble: say so loudly
            reply = f"451 4.3.0 Test rig delivery failed: {e}"
            log_event(server, "data", size=len(raw), reply=reply)
            return reply
        finally:
            server.delivering = False
        log_event(server, "data", size=len(raw), recipients=envelope.rcpt_tos,
                  auth_user=server.login_user, reply=reply)
        return reply


def authenticator(server, session, envelope, mechanism, auth_data):
    ok, user = False, None
    if isinstance(auth_data, LoginPassword):
        user = auth_data.login.decode("utf-8", "replace")
        ok = (auth_data.login == ARGS.user.encode()
              and auth_data.password == ARGS.password.encode()
              and not faults().get("auth_fail"))
    log_event(server, "auth", user=user, mechanism=mechanism, ok=ok)
    if ok:
        server.login_user = user
    # Failure: aiosmtpd answers "535 5.7.8 Authentication credentials invalid".
    return AuthResult(success=ok, handled=False)


class RigSMTP(SMTP):
    login_user = None
    logged = False      # set by a hook; otherwise aiosmtpd refused on its own
    last_reply = None
    delivering = False  # handing a message to LMTP: not idle, whatever the clock says

    def __init__(self, listener, tls_context, **kwargs):
        self.conn_id = next(CONN_IDS)
        self.listener = listener
        self._rig_connected = False
        super().__init__(Handler(), tls_context=tls_context, **kwargs)

    @property
    def is_tls(self):
        # aiosmtpd 1.4 does not know an implicit-TLS socket is TLS.
        return self.listener == "smtps" or self._tls_protocol is not None

    def drop(self):
        """Closes the connection now, like aiosmtpd's QUIT: the command loop
        is cancelled too, so nothing already buffered gets parsed."""
        self.transport.close()
        self._handler_coroutine.cancel()

    async def push(self, status):
        self.last_reply = status
        await super().push(status)

    def connection_made(self, transport):
        # Called again with the TLS transport after STARTTLS: log once.
        if not self._rig_connected:
            self._rig_connected = True
            log_event(self, "connect", peer=transport.get_extra_info("peername"))
        super().connection_made(transport)

    def connection_lost(self, exc):
        log_event(self, "close")
        super().connection_lost(exc)

    def _timeout_cb(self):
        # The "timeout" fault: an idle client (one stopped with SIGSTOP, a
        # laptop lid) is closed on. Never while its message is being
        # delivered: a rig that closed then would make a duplicate itself.
        if self.delivering:
            self._reset_timeout()
            return
        log_event(self, "timeout")
        super()._timeout_cb()

    async def _handle_client(self):
        greeting = faults().get("greeting")
        if not greeting:
            return await super()._handle_client()
        # A refusing greeting (RFC 5321 3.1): 421 closes at once; after 554
        # the server answers 503 to everything until QUIT.
        log_event(self, "greeting", reply=greeting)
        try:
            await self.push(greeting)
            while not greeting.startswith("421"):
                line = await self._reader.readline()
                if not line or line.strip().upper() == b"QUIT":
                    if line:
                        await self.push("221 2.0.0 Bye")
                    break
                await self.push("503 5.5.1 No SMTP service here")
        except ConnectionError:
            pass
        finally:  # also when cancelled by EOF
            if self.transport is not None:
                self.transport.close()

    async def smtp_STARTTLS(self, arg):
        log_event(self, "starttls")
        await super().smtp_STARTTLS(arg)

    async def _logged(self, kind, command, arg, **fields):
        # MAIL/RCPT/DATA refused by aiosmtpd before our hook (no AUTH, SIZE
        # too big, bad syntax, ...) still get an event, with the reply sent.
        self.logged = False
        await command(arg)
        if not self.logged:
            log_event(self, kind, arg=arg, reply=self.last_reply, **fields)

    async def smtp_MAIL(self, arg):
        await self._logged("mail", super().smtp_MAIL, arg)

    async def smtp_RCPT(self, arg):
        await self._logged("rcpt", super().smtp_RCPT, arg)

    async def smtp_DATA(self, arg):
        f = faults()
        n = f.get("drop_mid_data")
        if (n and self.envelope.rcpt_tos and self.session.authenticated
                and applies(f, "drop_mid_data")):
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            try:
                data = await self._reader.readexactly(int(n))
            except asyncio.IncompleteReadError as e:
                data = e.partial
            log_event(self, "data", size=len(data), reply="dropped-mid-data")
            self.drop()
            await asyncio.sleep(0)      # lets the cancellation land here
            return
        await self._logged("data", super().smtp_DATA, arg)


# Keep HELP working: it lists commands by their @syntax attributes.
for _name in ("smtp_STARTTLS", "smtp_MAIL", "smtp_RCPT", "smtp_DATA"):
    for _attr in ("__smtp_syntax__", "__smtp_syntax_extended__", "__smtp_syntax_when__"):
        setattr(getattr(RigSMTP, _name), _attr, getattr(getattr(SMTP, _name), _attr))


def factory(listener, ctx):
    def make():
        f = faults()
        kwargs = dict(hostname="localhost", ident="Epistle test rig",
                      auth_required=True, authenticator=authenticator,
                      enable_SMTPUTF8=True)
        if f.get("size_limit"):
            kwargs["data_size_limit"] = int(f["size_limit"])
        if f.get("timeout"):
            # Seconds a client may stay silent (aiosmtpd's default is 300).
            kwargs["timeout"] = max(0.5, float(f["timeout"]))
        if listener == "smtps":
            # The socket is TLS already, but aiosmtpd 1.4 can't tell.
            return RigSMTP(listener, None, auth_require_tls=False, **kwargs)
        if f.get("no_starttls"):
            # No STARTTLS offered; AUTH still needs TLS, so it's unusable.
            return RigSMTP(listener, None, auth_require_tls=True, **kwargs)
        return RigSMTP(listener, ctx, require_starttls=True, auth_require_tls=True,
                       **kwargs)
    return make


async def main():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    loop = asyncio.get_running_loop()
    plain = await loop.create_server(factory("smtp", ctx), "127.0.0.1", ARGS.port)
    tls = await loop.create_server(factory("smtps", ctx), "127.0.0.1", ARGS.tls_port,
                                   ssl=ctx)
    with open(ARGS.ready, "w", encoding="utf-8") as f:
        f.write("ready\n")
    async with plain, tls:
        await asyncio.gather(plain.serve_forever(), tls.serve_forever())


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for opt in ("--port", "--tls-port", "--lmtp-port"):
        p.add_argument(opt, type=int, required=True)
    for opt in ("--cert", "--key", "--user", "--password-file", "--oauth-token-file", "--faults",
                "--events", "--ready"):
        p.add_argument(opt, required=True)
    ARGS = p.parse_args()
    with open(ARGS.password_file, encoding="utf-8") as f:
        ARGS.password = f.read()
    with open(ARGS.oauth_token_file, encoding="utf-8") as f:
        ARGS.oauth_token = f.read()
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
