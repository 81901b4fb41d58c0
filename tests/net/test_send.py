"""Sending through the real rig: STARTTLS and implicit TLS, checked in the
Maildir and over IMAP (IMAPS and IMAP+STARTTLS)."""

import base64
import email
import email.policy
import os
import tempfile

import netlib
from netlib import cli, env

SUBJECT = "Zeugnis für Björn – Résumé ✓"
BODY = "Hallo Björn,\n\nhier sind deine Noten.\n.\nZeile nach einem Punkt.\n"


def _attachment():
    fd, path = tempfile.mkstemp(prefix="Noten Björn ", suffix=".pdf")
    data = b"%PDF-1.4\n" + os.urandom(50000) + b"\r\n.\r\n" + bytes(range(256))
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path, data


def _send_and_check(account, port_var, security):
    netlib.add_account(account, port_var=port_var, security=security)
    path, data = _attachment()
    before = len(netlib.events())
    status, out, err = cli("send", "--account", account,
                           "--to", "Bob Student <bob@example.test>",
                           "--cc", "carol@example.test",
                           "--bcc", "hidden@example.test",
                           "--subject", SUBJECT, "--body", BODY, "--attach", path)
    assert status == 0, f"send failed ({status}): {out}{err}"
    message_id = netlib.message_id_from(out)

    msg = netlib.wait_for_message(message_id)
    assert msg["Subject"] == SUBJECT, msg["Subject"]
    assert "Test Sender" in msg["From"] and f"{netlib.USER}@example.test" in msg["From"]
    assert "bob@example.test" in msg["To"]
    assert "carol@example.test" in msg["Cc"]
    assert msg["Bcc"] is None, "Bcc must not be in the delivered headers"
    assert b"hidden" not in msg.as_bytes().lower()

    parts = list(msg.iter_attachments())
    assert len(parts) == 1, parts
    assert parts[0].get_filename() == os.path.basename(path), parts[0].get_filename()
    assert parts[0].get_content() == data, "attachment not byte-exact"
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert body.replace("\r\n", "\n") == BODY, repr(body)

    # The envelope reached all three, Bcc included, over TLS.
    rcpts = sorted(e.get("address") for e in netlib.events_of("rcpt", before))
    assert rcpts == ["bob@example.test", "carol@example.test", "hidden@example.test"], rcpts
    os.unlink(path)
    return message_id


def test_send_starttls():
    message_id = _send_and_check("starttls", "EPISTLE_TEST_SMTP_PORT", "starttls")
    msg = netlib.imap_fetch(message_id, starttls=True)
    assert msg["Subject"] == SUBJECT


def test_send_implicit_tls():
    message_id = _send_and_check("implicit", "EPISTLE_TEST_SMTPS_PORT", "tls")
    msg = netlib.imap_fetch(message_id, starttls=False)
    assert msg["Subject"] == SUBJECT


def test_markdown_both_parts():
    netlib.add_account("md", security="starttls")
    status, out, err = cli("send", "--account", "md", "--to", "bob@example.test",
                           "--subject", "Markdown", "--markdown",
                           "--body", "# Noten\n\nDu hast **sehr gut** bestanden.\n")
    assert status == 0, out + err
    msg = netlib.wait_for_message(netlib.message_id_from(out))
    assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "**sehr gut**" in plain
    assert "<strong>sehr gut</strong>" in html


def test_verbose_has_no_password():
    netlib.add_account("verbose", security="starttls")
    status, out, err = cli("send", "--account", "verbose", "--to", "bob@example.test",
                           "--subject", "Verbose", "--body", "x", "--verbose")
    assert status == 0, out + err
    assert "STARTTLS" in err and "RCPT TO:<bob@example.test>" in err, err
    assert "AUTH PLAIN [redacted]" in err or "AUTH LOGIN" in err, err
    pw = netlib.PASSWORD
    forms = [pw, base64.b64encode(pw.encode()).decode(),
             base64.b64encode(f"\0{netlib.USER}\0{pw}".encode()).decode(),
             base64.b64encode(f"{netlib.USER}\0{netlib.USER}\0{pw}".encode()).decode()]
    for form in forms:
        assert form not in err and form not in out, "the password leaked into --verbose output"
    assert "message content" in err and "not logged" in err
    assert "Zeile" not in err


def test_dry_run_sends_nothing():
    netlib.add_account("dry", security="starttls")
    before = len(netlib.events())
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "out.eml")
        status, out, err = cli("send", "--account", "dry", "--to", "bob@example.test",
                               "--bcc", "hidden@example.test",
                               "--subject", SUBJECT, "--body", BODY,
                               "--dry-run", "--output", out_path)
        assert status == 0, out + err
        with open(out_path, "rb") as f:
            raw = f.read()
    assert b"\r\n" in raw and b"hidden" not in raw
    assert netlib.events()[before:] == [], "a dry run must not connect"


def test_c_locale_utf8_arguments():
    """Scripts run with LANG unset: UTF-8 arguments must still work."""
    import subprocess
    netlib.add_account("clocale", security="starttls")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
    env["LC_ALL"] = "C"
    proc = subprocess.run([netlib.CLI, "send", "--account", "clocale", "--to",
                           "Jörg Müller <joerg@example.test>", "--subject", SUBJECT,
                           "--body", BODY, "--dry-run"],
                          capture_output=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    msg = email.message_from_bytes(proc.stdout, policy=email.policy.default)
    assert msg["Subject"] == SUBJECT, msg["Subject"]
    assert "Jörg Müller" in msg["To"], msg["To"]


def test_account_test_reports():
    netlib.add_account("probe", security="starttls")
    status, out, err = cli("account", "test", "probe")
    assert status == 0, out + err
    assert "SMTP 127.0.0.1" in out and "IMAP 127.0.0.1" in out, out
    assert "TLSv1." in out, out
    assert "certificate verified" in out, out
    assert out.count("Login: accepted") == 2, out
    assert "PLAIN" in out, out


def test_oauth2_bearer_token():
    token = env("EPISTLE_TEST_OAUTH_TOKEN")
    netlib.add_account("oauth", password=token, extra=["--auth", "oauth2"])
    status, out, err = cli("send", "--account", "oauth", "--to", "bob@example.test",
                           "--subject", "OAuth", "--body", "x", "--verbose")
    assert status == 0, out + err
    # The token goes either with AUTH (SASL-IR) or as the next line; both redacted.
    assert "C: AUTH XOAUTH2 [redacted]" in err or (
        "C: AUTH XOAUTH2\n" in err and "C: [redacted]" in err), err
    assert token not in err and token not in out
    auths = [e for e in netlib.events_of("auth") if e.get("mechanism") == "XOAUTH2"]
    assert auths and auths[-1]["ok"] is True, auths
    netlib.wait_for_message(netlib.message_id_from(out))

    netlib.add_account("oauth-bad", password="tok-wrong", extra=["--auth", "oauth2"])
    status, out, err = cli("send", "--account", "oauth-bad", "--to", "bob@example.test",
                           "--subject", "OAuth", "--body", "x")
    assert status == 3, (status, out, err)


if __name__ == "__main__":
    netlib.run([test_send_starttls, test_send_implicit_tls, test_markdown_both_parts,
                test_verbose_has_no_password, test_dry_run_sends_nothing,
                test_account_test_reports, test_oauth2_bearer_token,
                test_c_locale_utf8_arguments])
