"""Helpers for the end-to-end tests that run inside tests/servers/rig.sh.

Each test file is a list of functions; run() prints TAP so meson counts
every case. Nothing here talks to a fake: the CLI runs against the rig's
real Dovecot, aiosmtpd submission server and gnome-keyring.
"""

import email
import email.policy
import imaplib
import json
import os
import ssl
import subprocess
import sys
import time
import traceback

CLI = os.environ.get("EPISTLE_CLI", "epistle-cli")


# build-aux/test.sh --sanitize: every Epistle process runs under
# AddressSanitizer, where some limits cannot apply (test_hostile.py).
SANITIZED = "ASAN_OPTIONS" in os.environ


def env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this test through tests/servers/rig.sh")
    return value


USER = None
PASSWORD = None


def _init():
    global USER, PASSWORD
    USER = env("EPISTLE_TEST_USER")
    PASSWORD = env("EPISTLE_TEST_PASSWORD")


def cli(*args, stdin=None, timeout=90, env=None):
    """Runs epistle-cli (in @env, else this environment); returns (exit
    status, stdout, stderr)."""
    proc = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env)
    # Sanitized build: gcc's UBSan writes its report to stderr, not to the
    # rig's log_path (ASan's and LeakSanitizer's go there).
    assert "runtime error:" not in proc.stderr, f"UBSan: {proc.stderr}"
    return proc.returncode, proc.stdout, proc.stderr


def add_account(name, port_var="EPISTLE_TEST_SMTP_PORT", security="starttls", ca=True,
                password=None, address=None, imap=True, extra=()):
    args = ["account", "add", name, "--email", address or f"{USER}@example.test",
            "--name", "Test Sender", "--user", USER,
            "--smtp", f"127.0.0.1:{env(port_var)}", "--smtp-security", security,
            "--password-stdin"]
    if imap:
        args += ["--imap", f"127.0.0.1:{env('EPISTLE_TEST_IMAPS_PORT')}", "--imap-security", "tls"]
    if ca:
        args += ["--ca-file", env("EPISTLE_TEST_CA")]
    args += list(extra)
    status, out, err = cli(*args, stdin=(PASSWORD if password is None else password) + "\n")
    assert status == 0, f"account add failed ({status}): {out}{err}"


def write_merge(name, csv_text, template_text):
    """Writes a spreadsheet @name.csv and its template @name.txt into the
    rig's directory; returns their paths."""
    rigdir = env("EPISTLE_TEST_RIGDIR")
    data = os.path.join(rigdir, name + ".csv")
    with open(data, "w", encoding="utf-8") as f:
        f.write(csv_text)
    tmpl = os.path.join(rigdir, name + ".txt")
    with open(tmpl, "w", encoding="utf-8") as f:
        f.write(template_text)
    return data, tmpl


_LOCALES = {}


def german_locale_env(workdir):
    """The environment of a program run in German: a de_DE.UTF-8 locale
    compiled into @workdir (CI machines have only C.UTF-8)."""
    if "de" not in _LOCALES:
        where = os.path.join(workdir, "locale")
        os.makedirs(where, exist_ok=True)
        subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", os.path.join(where, "de_DE.UTF-8")],
                       check=True, capture_output=True, timeout=120)
        env = dict(os.environ, LOCPATH=where, LC_ALL="de_DE.UTF-8")
        env.pop("LANGUAGE", None)
        _LOCALES["de"] = env
    return _LOCALES["de"]


def set_faults(faults):
    path = env("EPISTLE_TEST_FAULTS")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(faults, f)
    os.replace(tmp, path)


def events():
    path = os.environ.get("EPISTLE_TEST_SMTP_EVENTS") or os.path.join(
        env("EPISTLE_TEST_RIGDIR"), "smtp-events.jsonl")
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                # The server may be writing the last line right now: only
                # whole lines (ending in a newline) are events yet.
                if not line.endswith("\n"):
                    break
                line = line.strip()
                if line:
                    out.append(json.loads(line))
    return out


def event_kind(e):
    return e.get("event") or e.get("type") or e.get("kind")


def events_of(kind, since=0):
    return [e for e in events()[since:] if event_kind(e) == kind]


def maildir_files():
    root = env("EPISTLE_TEST_MAILDIR")
    files = []
    for sub in ("new", "cur"):
        d = os.path.join(root, sub)
        if os.path.isdir(d):
            files += [os.path.join(d, n) for n in sorted(os.listdir(d))]
    return files


def read_message(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def wait_for_message(message_id, timeout=10.0):
    """Returns the delivered message with this Message-ID from the Maildir."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in maildir_files():
            msg = read_message(path)
            if msg.get("Message-ID", "").strip() == message_id:
                return msg
        time.sleep(0.1)
    raise AssertionError(f"message {message_id} did not arrive in {env('EPISTLE_TEST_MAILDIR')}")


def message_id_from(out):
    for line in out.splitlines():
        if line.startswith("Message <") and "> accepted" in line:
            return line.split(" ", 2)[1]
    raise AssertionError(f"no message id in output: {out}")


def tls_context():
    ctx = ssl.create_default_context(cafile=env("EPISTLE_TEST_CA"))
    return ctx


def imap_fetch(message_id, starttls=False):
    """Finds a message over IMAP by Message-ID; returns it parsed."""
    if starttls:
        conn = imaplib.IMAP4("127.0.0.1", int(env("EPISTLE_TEST_IMAP_PORT")), timeout=20)
        conn.starttls(ssl_context=tls_context())
    else:
        conn = imaplib.IMAP4_SSL("127.0.0.1", int(env("EPISTLE_TEST_IMAPS_PORT")),
                                 ssl_context=tls_context(), timeout=20)
    try:
        conn.login(USER, PASSWORD)
        conn.select("INBOX", readonly=True)
        typ, data = conn.uid("SEARCH", None, "HEADER", "Message-ID", message_id)
        assert typ == "OK", data
        uids = data[0].split()
        assert len(uids) == 1, f"expected one message with {message_id} over IMAP, found {uids}"
        typ, data = conn.uid("FETCH", uids[0], "(BODY.PEEK[])")
        assert typ == "OK", data
        raw = data[0][1]
        return email.message_from_bytes(raw, policy=email.policy.default)
    finally:
        try:
            conn.logout()
        except Exception:
            pass


def run(tests):
    """Runs each test function, printing TAP. Exit status 1 on any failure."""
    _init()
    print(f"1..{len(tests)}")
    sys.stdout.flush()
    failed = 0
    for number, test in enumerate(tests, 1):
        name = test.__name__
        try:
            set_faults({})
            test()
            print(f"ok {number} - {name}")
        except Exception:
            failed += 1
            print(f"not ok {number} - {name}")
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
        finally:
            set_faults({})
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
