"""Failures, each against the real rig: wrong password, stripped STARTTLS,
untrusted certificate, per-recipient 550, 451, errors after DATA, dropped
connections, bad input. Each checks the exit code, the words shown, and
what the server saw (nothing sent that should not have been)."""

import netlib
from netlib import cli, env


def _send(account, *to, extra=()):
    args = ["send", "--account", account, "--subject", "Noten", "--body", "Hallo\n"]
    for addr in to:
        args += ["--to", addr]
    return cli(*args, *extra)


def test_wrong_password_exit_3_no_retry():
    netlib.add_account("wrongpw", password="not-the-password")
    before = len(netlib.events())
    status, out, err = _send("wrongpw", "bob@example.test")
    assert status == 3, (status, out, err)
    assert "did not accept the user name or password" in err, err
    assert "535" in err, err
    assert "not-the-password" not in err + out
    auths = netlib.events_of("auth", before)
    assert len(auths) == 1, f"expected exactly one login attempt, saw {len(auths)}: {auths}"
    assert netlib.events_of("mail", before) == [], "nothing may be sent after a failed login"


def test_no_starttls_refused_exit_4():
    netlib.add_account("strip")
    netlib.set_faults({"no_starttls": True})
    before = len(netlib.events())
    status, out, err = _send("strip", "bob@example.test")
    assert status == 4, (status, out, err)
    assert "did not offer a secure (TLS) connection" in err, err
    # Only the greeting and EHLO happened in the clear: no AUTH, no MAIL.
    assert netlib.events_of("auth", before) == [], netlib.events()[before:]
    assert netlib.events_of("mail", before) == [], netlib.events()[before:]
    assert netlib.events_of("rcpt", before) == []
    # And the account test says the same.
    status, out, err = cli("account", "test", "strip")
    assert status == 4, (status, out, err)


def test_untrusted_certificate_exit_4():
    netlib.add_account("untrusted", ca=False)
    before = len(netlib.events())
    status, out, err = _send("untrusted", "bob@example.test")
    assert status == 4, (status, out, err)
    assert "could not be verified" in err, err
    assert netlib.events_of("auth", before) == []
    assert netlib.events_of("mail", before) == []
    status, out, err = cli("account", "test", "untrusted")
    assert status == 4, (status, out, err)
    # The same server with the CA chosen for the account works.
    netlib.add_account("trusted", ca=True)
    status, out, err = _send("trusted", "bob@example.test")
    assert status == 0, (status, out, err)


def test_implicit_tls_untrusted_exit_4():
    netlib.add_account("untrusted-tls", port_var="EPISTLE_TEST_SMTPS_PORT", security="tls", ca=False)
    status, out, err = _send("untrusted-tls", "bob@example.test")
    assert status == 4, (status, out, err)


def test_550_for_one_recipient():
    netlib.add_account("r550")
    netlib.set_faults({"rcpt": {"p@f.test": "550 5.1.1 <p@f.test>: No such user here"}})
    before = len(netlib.maildir_files())
    status, out, err = _send("r550", "ok@example.test", "p@f.test")
    assert status == 5, (status, out, err)
    assert "p@f.test" in err and "550 5.1.1 <p@f.test>: No such user here" in err, err
    assert "Sent to ok@example.test" in out, out
    # The accepted recipient got it, once.
    assert len(netlib.maildir_files()) == before + 1


def test_550_only_recipient():
    netlib.add_account("r550only")
    netlib.set_faults({"rcpt": {"p@f.test": "550 5.1.1 <p@f.test>: No such user here"}})
    status, out, err = _send("r550only", "p@f.test")
    assert status == 5, (status, out, err)
    assert "550 5.1.1 <p@f.test>: No such user here" in err, err


def test_451_exit_6():
    netlib.add_account("r451")
    netlib.set_faults({"rcpt": {"t@f.test": "451 4.3.0 Try again later"}})
    before = len(netlib.maildir_files())
    status, out, err = _send("r451", "t@f.test")
    assert status == 6, (status, out, err)
    assert "451 4.3.0 Try again later" in err, err
    assert len(netlib.maildir_files()) == before


def test_data_reply_554_exit_5():
    netlib.add_account("d554")
    netlib.set_faults({"data_reply": "554 5.7.1 Message refused: looks like spam"})
    status, out, err = _send("d554", "bob@example.test")
    assert status == 5, (status, out, err)
    assert "554 5.7.1 Message refused: looks like spam" in err, err


def test_data_reply_451_exit_6():
    netlib.add_account("d451")
    netlib.set_faults({"data_reply": "451 4.7.1 Greylisted, try again"})
    status, out, err = _send("d451", "bob@example.test")
    assert status == 6, (status, out, err)
    assert "451 4.7.1 Greylisted" in err, err


def test_dropped_mid_data_exit_6():
    netlib.add_account("drop")
    netlib.set_faults({"drop_mid_data": 100})
    status, out, err = _send("drop", "bob@example.test")
    assert status == 6, (status, out, err)


def test_connection_refused_exit_6():
    # Port 1 on loopback: nothing listens there (binding it needs privileges
    # and no service of this machine uses it).
    status, out, err = cli("account", "add", "closed", "--email", "a@example.test",
                           "--smtp", "127.0.0.1:1", "--smtp-security", "tls",
                           "--password-stdin", stdin="x\n")
    assert status == 0, out + err
    status, out, err = _send("closed", "bob@example.test")
    assert status == 6, (status, out, err)
    assert "Could not connect" in err, err


def test_silent_server_times_out_exit_6():
    """A server that accepts the connection and then says nothing (a
    half-dead middlebox, a laptop waking up): a bounded wait, then exit 6."""
    import socket
    import time
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    try:
        status, out, err = cli("account", "add", "silent", "--email", "a@example.test",
                               "--smtp", f"127.0.0.1:{port}", "--smtp-security", "starttls",
                               "--password-stdin", stdin="x\n")
        assert status == 0, out + err
        start = time.monotonic()
        status, out, err = _send("silent", "bob@example.test", extra=["--timeout", "2"])
        elapsed = time.monotonic() - start
        assert status == 6, (status, out, err)
        assert "did not answer in time" in err, err
        assert elapsed < 15, f"took {elapsed:.1f} s with --timeout 2"
    finally:
        listener.close()


def test_imap_starttls_and_wrong_password():
    netlib.add_account("imap-starttls", imap=False, extra=[
        "--imap", f"127.0.0.1:{env('EPISTLE_TEST_IMAP_PORT')}", "--imap-security", "starttls"])
    status, out, err = cli("account", "test", "imap-starttls", "--verbose")
    assert status == 0, out + err
    assert "IMAP 127.0.0.1" in out and out.count("Login: accepted") == 2, out
    assert "STARTTLS" in err and netlib.PASSWORD not in err, err
    netlib.add_account("imap-wrong", password="wrong-password")
    status, out, err = cli("account", "test", "imap-wrong")
    assert status == 3, (status, out, err)


def test_bad_input_exit_2():
    netlib.add_account("input")
    before = len(netlib.events())
    status, out, err = _send("input", "good@example.test", "student412@example")
    assert status == 2, (status, out, err)
    assert "student412@example" in err and "no dot" in err, err
    status, out, err = _send("nosuchaccount", "good@example.test")
    assert status == 2 and "nosuchaccount" in err, (status, err)
    status, out, err = cli("send", "--account", "input", "--to", "a@example.test",
                           "--subject", "x", "--body", "y", "--attach", "/nonexistent/f.pdf")
    assert status == 2 and "/nonexistent/f.pdf" in err, (status, err)
    status, out, err = cli("send", "--account", "input", "--subject", "x", "--body", "y")
    assert status == 2, (status, err)
    status, out, err = cli("account", "add", "bad", "--email", "a@example.test",
                           "--smtp", "127.0.0.1", "--smtp-security", "tls")
    assert status == 2 and "HOST:PORT" in err, (status, err)
    assert netlib.events()[before:] == [], "bad input must not reach the server"


if __name__ == "__main__":
    netlib.run([test_wrong_password_exit_3_no_retry, test_no_starttls_refused_exit_4,
                test_untrusted_certificate_exit_4, test_implicit_tls_untrusted_exit_4,
                test_550_for_one_recipient, test_550_only_recipient, test_451_exit_6,
                test_data_reply_554_exit_5, test_data_reply_451_exit_6,
                test_dropped_mid_data_exit_6, test_connection_refused_exit_6,
                test_silent_server_times_out_exit_6, test_imap_starttls_and_wrong_password,
                test_bad_input_exit_2])
