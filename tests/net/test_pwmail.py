"""Password-protected mail end to end, through the rig's real servers: what
Epistle sends opens with `openssl cms -decrypt -pwri_password` to the exact
MIME content and with Epistle's own CLI, and its message.html opens in a
real headless Chromium (typed password, exact body, identical attachment,
a clear error on a wrong password, not one network request) and with
Python's `cryptography` from the page's documented format; wrong passwords
give nothing; bad passwords are refused before anything is sent; a 50-row
merge protects each row with its own password, and no password is left in
any file Epistle writes.
"""

import base64
import hashlib
import json
import os
import re
import subprocess
import uuid

import netlib
import smimelib as S
from netlib import cli

ACCOUNT = "pw"
PASSWORD = "Kastanie-Wolke-7-Fähre"
HINT = "the ferry and the chestnut"
# Active HTML and a remote image, shown as text and never loaded.
BODY = ("Liebe Frau Weiß,\n\nIhre Note: 1,7 ✓\n"
        "<img src=\"http://127.0.0.1:9/tracker.png\"><script>alert(1)</script>\n"
        "Zeile mit  zwei Leerzeichen.\n")
ATTACHMENT = bytes(range(256)) * 40 + b"\x00Ende"
state = {}


def me():
    return f"{netlib.USER}@example.test"


def ep(*args, stdin=None, timeout=120):
    """epistle-cli with bytes in and out."""
    proc = subprocess.run([netlib.CLI, *args], input=stdin, capture_output=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def ok(*args, stdin=None, timeout=120):
    status, out, err = cli(*args, stdin=stdin, timeout=timeout)
    assert status == 0, f"epistle-cli {' '.join(args)} exited {status}\n{out}{err}"
    return out


def parts(raw):
    msg = S.parse_strict(raw)
    return msg, {p.get_filename() or p.get_content_type(): p for p in msg.walk()
                 if not p.is_multipart()}


def p7m_der(raw):
    return parts(raw)[1]["smime.p7m"].get_payload(decode=True)


def page_of(raw):
    return parts(raw)[1]["message.html"].get_payload(decode=True).decode("utf-8")


def openssl_pwri(s, raw, password, name):
    """openssl cms -decrypt -pwri_password on the p7m part: (status, stdout)."""
    der = s.write(name + ".p7m", p7m_der(raw))
    proc = subprocess.run(["openssl", "cms", "-decrypt", "-inform", "DER", "-in", der, "-binary",
                           "-pwri_password", password], capture_output=True, timeout=120)
    return proc.returncode, proc.stdout


def pbkdf2_iterations(s, raw, name):
    """The PWRI's PBKDF2 iteration count, read with openssl asn1parse."""
    der = s.write(name + ".der", p7m_der(raw))
    out = S.openssl("asn1parse", "-inform", "DER", "-in", der).stdout.decode()
    m = re.search(r":PBKDF2\n.*\n.*OCTET STRING.*\n.*INTEGER\s*:([0-9A-F]+)", out)
    assert m, out
    return int(m.group(1), 16)


def payload(page):
    m = re.search(r'<script type="application/json" id="epistle-payload">(.*?)</script>', page, re.S)
    assert m, page[:400]
    return json.loads(m.group(1))


def open_payload(page, password):
    """The page's payload decrypted with Python's cryptography, from its
    documented format (page.js): PBKDF2-HMAC-SHA256, AES-256-GCM."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    p = payload(page)
    assert (p["v"], p["kdf"], p["cipher"]) == (1, "PBKDF2-HMAC-SHA256", "AES-256-GCM"), p
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=base64.b64decode(p["salt"]),
                     iterations=p["iterations"])
    key = kdf.derive(password.encode("utf-8"))
    plain = AESGCM(key).decrypt(base64.b64decode(p["iv"]), base64.b64decode(p["data"]), None)
    return json.loads(plain.decode("utf-8"))


def delivered(subject_prefix):
    """{To address: [raw message, ...]} of the delivered mail with this subject prefix."""
    got = {}
    for p in netlib.maildir_files():
        msg = netlib.read_message(p)
        if str(msg.get("Subject", "")).startswith(subject_prefix):
            got.setdefault(msg["To"].addresses[0].addr_spec, []).append(S.read(p))
    return got


def assert_nowhere(secrets, where):
    """No secret, in any of its likely encodings, in any file under @where
    (the SQLite database, its WAL, the vault, logs)."""
    for top in where:
        for root, _, names in os.walk(top):
            for n in names:
                with open(os.path.join(root, n), "rb") as f:
                    data = f.read()
                for secret in secrets:
                    for form in (secret.encode(), secret.encode("utf-16-le"),
                                 base64.b64encode(secret.encode())):
                        assert form not in data, f"a password is in {os.path.join(root, n)}"


# --- 1. one message, every form -----------------------------------------------

def test_message_opens_in_openssl_and_epistle():
    with S.scratch("single") as s:
        netlib.add_account(ACCOUNT)
        pw_file = s.write("pw.txt", (PASSWORD + "\n").encode())
        att = s.write("Zeugnis Weiß.pdf", ATTACHMENT)
        tag = f"Noten {uuid.uuid4().hex[:6]}"
        out = ok("send", "--account", ACCOUNT, "--to", "Frau Weiß <weiss@example.test>",
                 "--subject", tag, "--body", BODY, "--attach", att,
                 "--password-file", pw_file, "--password-hint", HINT)
        got = delivered(tag)
        assert list(got) == ["weiss@example.test"], (got.keys(), out)
        raw = got["weiss@example.test"][0]
        s.write("delivered.eml", raw)
        state["raw"] = raw

        # The form: readable text, the CMS part, the page; outer headers plain.
        msg, by_name = parts(raw)
        assert msg.get_content_type() == "multipart/mixed"
        assert [p.get_content_type() for p in msg.iter_parts()] == [
            "text/plain", "application/pkcs7-mime", "text/html"], raw[:2000]
        readable = by_name["text/plain"].get_content()
        assert "message.html" in readable and HINT in readable, readable
        assert str(msg["Subject"]) == tag
        for secret in (PASSWORD.encode(), "Ihre Note".encode(), b"tracker.png", ATTACHMENT[:64]):
            assert secret not in raw, secret
            assert base64.b64encode(secret)[:-4] not in raw.replace(b"\r\n", b""), secret

        # openssl opens the CMS part to exactly what Epistle opens.
        status, content = openssl_pwri(s, raw, PASSWORD, "single")
        assert status == 0, content
        status, clear, err = ep("decrypt", "--password-stdin", s.path("delivered.eml"),
                                stdin=(PASSWORD + "\n").encode())
        assert status == 0, err
        assert "with a password, AES-256-GCM" in err and "Integrity: yes" in err, err
        headers, _, entity = clear.partition(b"\r\n\r\n")
        assert b"Subject: " + tag.encode() in headers, headers
        assert clear.endswith(content), (clear[-300:], content[-300:])
        inner = S.parse_strict(content)
        texts = [p for p in inner.walk() if p.get_content_type() == "text/plain"]
        # The text part as Epistle writes it: the body, its lines ended.
        sent_text = texts[0].get_content().replace("\r\n", "\n")
        assert sent_text == BODY, repr(sent_text)
        files = [p for p in inner.walk() if p.get_filename()]
        assert [f.get_filename() for f in files] == ["Zeugnis Weiß.pdf"]
        assert files[0].get_payload(decode=True) == ATTACHMENT

        # A wrong password: nothing, from either.
        status, content = openssl_pwri(s, raw, PASSWORD + "x", "wrong")
        assert status != 0 and content == b"", content[:200]
        status, clear, err = ep("decrypt", "--password-stdin", s.path("delivered.eml"),
                                stdin=b"Kastanie-Wolke-7-Faehre\n")
        assert status == 7 and clear == b"", (status, clear[:200], err)
        assert "does not open" in err, err

        # Iterations as documented; the page's payload opens independently.
        assert pbkdf2_iterations(s, raw, "iter") == 1300000
        page = page_of(raw)
        assert payload(page)["iterations"] == 600000
        assert PASSWORD not in page and HINT in page
        opened = open_payload(page, PASSWORD)
        assert opened["body"] == BODY, repr(opened["body"])
        assert opened["subject"] == tag
        assert [(a["name"], base64.b64decode(a["data"])) for a in opened["attachments"]] == [
            ("Zeugnis Weiß.pdf", ATTACHMENT)]
        # Salt and IV are fresh for every message.
        again = s.path("again.eml")
        ok("send", "--account", ACCOUNT, "--to", "weiss@example.test", "--subject", tag,
           "--body", BODY, "--password-file", pw_file, "--dry-run", "-o", again)
        other = payload(page_of(S.read(again)))
        assert other["salt"] != payload(page)["salt"] and other["iv"] != payload(page)["iv"]
        assert p7m_der(S.read(again))[:200] != p7m_der(raw)[:200]
        state["page"] = page
        state["tag"] = tag


# --- 2. the page in a real browser --------------------------------------------

def test_page_in_a_real_browser():
    import browserlib

    page = state["page"]
    with S.scratch("browser") as s:
        path = s.write("message.html", page.encode("utf-8"))
        with browserlib.Browser() as b:
            b.open(path)
            csp = b.csp()
            assert csp is not None and "default-src 'none'" in csp and "connect-src 'none'" in csp, csp
            shots = os.environ.get("EPISTLE_PWMAIL_SHOTS")
            if shots:
                b.driver.save_screenshot(os.path.join(shots, "page-before.png"))
            assert b.unlock("falsch") == "error"
            assert "does not open" in b.text("#error"), b.text("#error")
            if shots:
                b.driver.save_screenshot(os.path.join(shots, "page-wrong.png"))
            assert b.unlock(PASSWORD) == "message"
            assert b.body_text() == BODY, repr(b.body_text())
            assert b.text("#subject") == state["tag"]
            assert [name for name, _ in b.attachments()] == ["Zeugnis Weiß.pdf"]
            assert b.download("Zeugnis Weiß.pdf") == ATTACHMENT
            # The <img> and <script> of the body are text: nothing ran, nothing loaded.
            assert b.js("return document.images.length") == 0
            assert b.network_requests() == [], b.network_requests()
            if shots:
                b.driver.save_screenshot(os.path.join(shots, "page-opened.png"))


# --- 2b. what openssl writes opens in Epistle, and says what it is ------------

def test_openssl_password_message_opens_in_epistle():
    with S.scratch("openssl") as s:
        entity = b"Content-Type: text/plain; charset=utf-8\r\n\r\nVon openssl: GEHEIM-99\r\n"
        made = subprocess.run(["openssl", "cms", "-encrypt", "-aes-256-cbc", "-pwri_password", PASSWORD],
                              input=entity, capture_output=True, timeout=120, check=True).stdout
        path = s.write("openssl.eml", b"From: a@example.test\r\nTo: b@example.test\r\nSubject: o\r\n"
                       + made)
        status, clear, err = ep("decrypt", "--password-stdin", path, stdin=(PASSWORD + "\n").encode())
        assert status == 0 and b"GEHEIM-99" in clear, err
        # CBC: opened, and said to be without integrity.
        assert "AES-256-CBC" in err and "not protected against tampering" in err, err
        status, clear, err = ep("decrypt", "--password-stdin", path, stdin=b"falsch-falsch-1\n")
        assert status == 7 and clear == b"", (status, err)


# --- 3. bad passwords are refused, nothing is sent ---------------------------

def test_bad_passwords_are_refused():
    with S.scratch("bad") as s:
        netlib.add_account(ACCOUNT)
        before = len(netlib.events())
        cases = {
            "empty": (b"", "empty"),
            "newline only": (b"\n", "empty"),
            "too long": (("Lang" * 2500).encode(), "too long"),
            "not UTF-8": (b"Caf\xe9-Bistro-2024!", "UTF-8"),
            "control": (b"Kastanie\tWolke-7", "control character"),
            "weak": (b"12345678\n", "weak"),
        }
        for name, (content, expected) in cases.items():
            pw_file = s.write(f"{name}.txt", content)
            status, out, err = cli("send", "--account", ACCOUNT, "--to", "x@example.test",
                                   "--subject", "nie", "--body", "nie", "--password-file", pw_file)
            assert status == 2, (name, status, out, err)
            assert expected in err, (name, err)
        status, out, err = cli("send", "--account", ACCOUNT, "--to", "x@example.test",
                               "--subject", "nie", "--body", "nie", "--password-file", "-",
                               "--password-hint", "it is Kastanie-Wolke-7", stdin="Kastanie-Wolke-7\n")
        assert status != 0 and "hint contains the password" in err, (status, err)
        status, out, err = cli("send", "--account", ACCOUNT, "--to", "x@example.test",
                               "--subject", "nie", "--body", "nie", "--encrypt",
                               "--password-file", s.write("p.txt", PASSWORD.encode()))
        assert status == 2, (status, err)
        assert netlib.events_of("mail", before) == [], "nothing may be sent"
        # A weak one goes only when the person says so.
        dry = s.path("weak.eml")
        ok("send", "--account", ACCOUNT, "--to", "x@example.test", "--subject", "schwach",
           "--body", "b", "--password-file", s.path("weak.txt"), "--allow-weak-password",
           "--dry-run", "-o", dry)
        status, clear, err = ep("decrypt", "--password-stdin", dry, stdin=b"12345678\n")
        assert status == 0, err


# --- 4. a 50-row merge, each row its own password ----------------------------

def test_merge_each_row_its_own_password():
    # The standard counts cost about a second per message here; the
    # messages of this test use fewer (the counts are checked above).
    os.environ["EPISTLE_TEST_KDF_ITERATIONS"] = "20000"
    try:
        with S.scratch("merge") as s:
            netlib.add_account(ACCOUNT)
            tag = f"Zeugnis {uuid.uuid4().hex[:6]}"
            # Fixed, strong and all different (random ones can fail
            # libpwquality's dictionary check now and then).
            trees = ["Birke", "Eiche", "Linde", "Ulme", "Esche", "Buche", "Tanne", "Kiefer", "Ahorn", "Erle"]
            rows = [(f"Kind {i}", f"eltern{i:02}@example.test",
                     f"{trees[i % 10]}-Wolke-{i * 37 % 101}-Fähre-{trees[(i // 10) % 10]}",
                     f"{1 + i % 5},{i % 10}")
                    for i in range(1, 51)]
            passwords = {r[1]: r[2] for r in rows}
            data = s.write("noten.csv", ("Name,Email,Passwort,Note\n" + "".join(
                ",".join(f'"{c}"' for c in r) + "\n" for r in rows)).encode())
            tmpl = s.write("t.txt", f"To: {{{{ Name }}}} <{{{{ Email }}}}>\nSubject: {tag} {{{{ Name }}}}\n\n"
                                    "Die Note von {{ Name }}: {{ Note }}\n".encode())
            args = ["merge", "--account", ACCOUNT, "--data", data, "--template", tmpl,
                    "--password-column", "Passwort", "--password-hint", "wie im Elternbrief",
                    "--rate", "0", "--connections", "2", "--yes"]

            # A row without a password, and a weak one: named, nothing sent.
            bad = s.write("bad.csv", ("Name,Email,Passwort,Note\n" + ",".join(rows[0]) + "\n"
                                      "Ohne,ohne@example.test,,2\nSchwach,schwach@example.test,passwort,3\n").encode())
            before = len(netlib.events())
            status, out, err = cli(*[bad if a == data else a for a in args], timeout=120)
            assert status == 2, (status, out, err)
            assert re.search(r"Row 3: No password in the column .Passwort.", out), out
            assert re.search(r"Row 4: The password is weak", out), out
            assert netlib.events_of("mail", before) == []

            status, out, err = cli(*args, timeout=300)
            assert status == 0, (status, out, err)
            for secret in passwords.values():
                assert secret not in out + err
            got = delivered(tag)
            assert sorted(got) == sorted(passwords), sorted(set(got) ^ set(passwords))
            assert all(len(v) == 1 for v in got.values())
            addresses = sorted(passwords)
            for i, address in enumerate(addresses):
                path = s.write(f"{address}.eml", got[address][0])
                assert "wie im Elternbrief" in parts(got[address][0])[1]["text/plain"].get_content()
                status, clear, err = ep("decrypt", "--password-stdin", path,
                                        stdin=(passwords[address] + "\n").encode())
                assert status == 0, (address, err)
                name = next(r[0] for r in rows if r[1] == address)
                assert f"Die Note von {name}:".encode() in clear, clear[-300:]
                neighbour = passwords[addresses[(i + 1) % len(addresses)]]
                status, clear, err = ep("decrypt", "--password-stdin", path,
                                        stdin=(neighbour + "\n").encode())
                assert status == 7 and clear == b"", (address, status)
                if i < 3:
                    status, content = openssl_pwri(s, got[address][0], passwords[address], address)
                    assert status == 0, (address, content[:300])
                    assert f"Die Note von {name}".encode() in content, content[:300]
            # No password in the store, its WAL, or anything else Epistle wrote.
            assert_nowhere(list(passwords.values()),
                           [os.environ["XDG_DATA_HOME"], os.environ["XDG_CONFIG_HOME"],
                            os.environ["XDG_CACHE_HOME"]])
    finally:
        os.environ.pop("EPISTLE_TEST_KDF_ITERATIONS", None)


# --- 5. generated passwords: in the export, and nowhere else ------------------

def test_generated_passwords_only_in_the_export():
    import csv
    import stat

    os.environ["EPISTLE_TEST_KDF_ITERATIONS"] = "20000"
    try:
        with S.scratch("generated") as s:
            netlib.add_account(ACCOUNT)
            tag = f"Bescheid {uuid.uuid4().hex[:6]}"
            rows = [(f"Bewerber {i}", f"bewerber{i}@example.test") for i in range(1, 7)]
            data = s.write("b.csv", ("Name,Email\n" + "".join(f"{n},{e}\n" for n, e in rows)).encode())
            tmpl = s.write("t.txt", f"To: {{{{ Email }}}}\nSubject: {tag}\n\nGuten Tag {{{{ Name }}}}.\n".encode())
            args = ["merge", "--account", ACCOUNT, "--data", data, "--template", tmpl,
                    "--generate-passwords", "--rate", "0"]
            # A test message: its own password, told to the sender.
            status, out, err = cli(*args, "--test", timeout=120)
            assert status == 0, (status, out, err)
            test_pw = re.search(r"opens with the password (\S+)", out).group(1)
            test_msg = delivered(f"[TEST] {tag}")[me()][0]
            status, clear, err = ep("decrypt", "--password-stdin", s.write("test.eml", test_msg),
                                    stdin=(test_pw + "\n").encode())
            assert status == 0 and b"Guten Tag Bewerber 1." in clear, err

            status, out, err = cli(*args, "--yes", timeout=300)
            assert status == 0, (status, out, err)
            cid = re.search(r"^Campaign (\d+):", out, re.M).group(1)
            got = delivered(tag)
            assert sorted(got) == sorted(e for _, e in rows), got.keys()

            export = s.path("ergebnis.csv")
            out = ok("campaign", "export", cid, "--output", export)
            assert "passwords Epistle generated" in out, out
            assert stat.S_IMODE(os.stat(export).st_mode) == 0o600
            with open(export, newline="", encoding="utf-8") as f:
                table = list(csv.DictReader(f))
            assert len(table) == 6 and all(r["password (secret)"] for r in table), table
            secrets = {r["address"]: r["password (secret)"] for r in table}
            assert len(set(secrets.values())) == 6
            for address, secret in secrets.items():
                path = s.write(f"{address}.eml", got[address][0])
                status, clear, err = ep("decrypt", "--password-stdin", path,
                                        stdin=(secret + "\n").encode())
                assert status == 0, (address, err)
            # Not in the store, its WAL, or any other file Epistle wrote, nor said.
            assert_nowhere(list(secrets.values()) + [test_pw],
                           [os.environ["XDG_DATA_HOME"], os.environ["XDG_CONFIG_HOME"],
                            os.environ["XDG_CACHE_HOME"]])
            for secret in secrets.values():
                assert secret not in out
    finally:
        os.environ.pop("EPISTLE_TEST_KDF_ITERATIONS", None)


# --- 6. scheduled: stored as ciphertext, sent later, opens ---------------------

def test_scheduled_password_message_is_stored_encrypted():
    import datetime
    import time

    os.environ["EPISTLE_TEST_KDF_ITERATIONS"] = "20000"
    try:
        with S.scratch("later") as s:
            netlib.add_account(ACCOUNT)
            marker = f"MARKER-{uuid.uuid4().hex}"
            subject = f"Später mit Passwort {uuid.uuid4().hex[:6]}"
            out = ok("send", "--account", ACCOUNT, "--to", "rita@example.test", "--subject", subject,
                     "--body", f"Geheim: {marker}\n", "--password-file", "-",
                     "--at", S.local_time(900), stdin=PASSWORD + "\n")
            assert "Scheduled for" in out, out
            number = out.split("number ")[1].split(";")[0]
            for path in S.xdg_files():
                data = S.read(path)
                for secret in (marker.encode(), PASSWORD.encode()):
                    for pad in range(3):
                        for form in (secret, base64.b64encode(b"x" * pad + secret)[4:-4]):
                            assert form not in data, f"a secret is in the clear in {path}"
            assert delivered(subject) == {}
            at = S.local_time(2)
            ok("schedule", "reschedule", number, "--at", at)
            due = datetime.datetime.fromisoformat(at).timestamp()
            deadline = time.monotonic() + 30
            while time.time() < due + 0.2:
                assert time.monotonic() < deadline, "the clock did not reach the time"
                time.sleep(0.05)
            ok("outbox", "run")
            got = delivered(subject)
            assert list(got) == ["rita@example.test"], got
            path = s.write("later.eml", got["rita@example.test"][0])
            status, clear, err = ep("decrypt", "--password-stdin", path,
                                    stdin=(PASSWORD + "\n").encode())
            assert status == 0 and marker.encode() in clear, err
    finally:
        os.environ.pop("EPISTLE_TEST_KDF_ITERATIONS", None)


if __name__ == "__main__":
    netlib.run([
        test_message_opens_in_openssl_and_epistle,
        test_page_in_a_real_browser,
        test_openssl_password_message_opens_in_epistle,
        test_bad_passwords_are_refused,
        test_merge_each_row_its_own_password,
        test_generated_passwords_only_in_the_export,
        test_scheduled_password_message_is_stored_encrypted,
    ])
