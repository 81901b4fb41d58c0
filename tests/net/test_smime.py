"""S/MIME end to end, against other implementations: what Epistle signs and
encrypts opens with `openssl cms` and gpgsm; what they make opens in
Epistle; tampering is caught (or, for unsigned CBC, reported as not
protected); the vault keeps no secret in the clear and refuses a damaged
file; a merge encrypts each row for its own certificate; a scheduled
encrypted message is stored encrypted. Fixtures (a CA, certificates, a
gpgsm home) are made at run time by smimelib.

Each test has its own scratch dir and its own XDG data/config/cache dirs
(so its own epistle.db and vault); the rig's servers and keyring are shared.
"""

import base64
import concurrent.futures
import datetime
import os
import re
import subprocess
import time
import uuid

import netlib
import smimelib as S
from netlib import cli

ACCOUNT = "smime"
BODY = "Grüße aus dem S/MIME-Test – ✓\nZweite Zeile.\n"
MARK = "Grüße aus dem S/MIME-Test"
NOT_PROTECTED = "no (not protected against tampering)"


def me():
    return f"{netlib.USER}@example.test"


# --- the CLI ---------------------------------------------------------------------

def ep(*args, stdin=None, timeout=120):
    """epistle-cli with bytes stdout (decrypted mail need not be UTF-8)."""
    proc = subprocess.run([netlib.CLI, *args], input=stdin.encode() if stdin else None,
                          capture_output=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def ok(*args, stdin=None, timeout=120):
    status, out, err = cli(*args, stdin=stdin, timeout=timeout)
    assert status == 0, f"epistle-cli {' '.join(args)} exited {status}\n{out}{err}"
    return out


def fprs(text):
    return re.findall(r"\b[0-9a-f]{64}\b", text)


def import_identity(s, cert, password):
    out = ok("vault", "import-identity", s.pki.p12(cert, password), "--password-stdin",
             stdin=password + "\n")
    assert fprs(out) == [cert.fpr], out


def import_cert(path, *expected):
    out = ok("vault", "import-cert", path)
    assert sorted(fprs(out)) == sorted(expected), out


LIST_LINE = re.compile(r"^(identity|contact)\s+([0-9a-f]{64})\s+(.*?)\s+expires (\d{4}-\d\d-\d\d)\s+(\S+)")


def vault_list():
    out = ok("vault", "list")
    rows = {}
    for line in out.splitlines():
        if line.strip():
            m = LIST_LINE.match(line.strip())
            assert m, f"vault list line not as specified: {line!r}"
            rows[m.group(2)] = (m.group(1), m.group(3), m.group(4), m.group(5).strip())
    return rows


def verdict(text):
    """The verdict lines, as {"Encrypted": ..., "Integrity": ..., "Signed by"/"Signed": ...}."""
    keys = ("Encrypted", "Integrity", "Signed by", "Signed")
    return {k: v.strip() for k, _, v in (line.partition(": ") for line in text.splitlines())
            if k in keys}


def send_dry(s, name, *flags, to="Rita Reader <rita@example.test>"):
    path = s.path(name + ".eml")
    ok("send", "--account", ACCOUNT, "--to", to, "--subject", f"S/MIME {name}", "--body", BODY,
       *flags, "--dry-run", "-o", path)
    with open(path, "rb") as f:
        raw = f.read()
    assert b"\n" not in raw.replace(b"\r\n", b""), f"{name}: a line ends in a bare LF: {raw[:900]}"
    msg = S.parse_strict(raw)
    assert str(msg["Subject"]) == f"S/MIME {name}" and me() in str(msg["From"]), raw[:500]
    assert msg["To"].addresses[0].addr_spec in to, raw[:500]
    return raw, path


def signed_content(s, data, name):
    """Verifies a signed entity with openssl against the test CA; its content."""
    content = S.openssl_verify(s.write(name, data), s.pki.ca_cert)
    S.parse_strict(content)
    return content


def delivered(subject_prefix):
    """{To address: [raw message, ...]} of the delivered mail with this subject prefix."""
    got = {}
    for p in netlib.maildir_files():
        msg = netlib.read_message(p)
        if str(msg.get("Subject", "")).startswith(subject_prefix):
            got.setdefault(msg["To"].addresses[0].addr_spec, []).append(S.read(p))
    return got


# --- 1. Epistle -> openssl and gpgsm -----------------------------------------------

def test_epistle_to_openssl_and_gpgsm():
    with S.scratch("out") as s:
        sender = s.pki.issue("Test Sender", me())
        rita = s.pki.issue("Rita Reader", "rita@example.test")
        g = s.gpgsm()
        g.import_p12(s.pki.p12(rita, "rita-pw"), "rita-pw")
        netlib.add_account(ACCOUNT)
        import_cert(rita.cert, rita.fpr)
        ok("vault", "trust", rita.fpr)      # Epistle does not know the test CA

        # Encrypted, the sender without an identity: for Rita, not signed inside.
        raw, path = send_dry(s, "plain-cbc", "--encrypt")
        assert S.smime_kind(raw) == "enveloped-data", raw[:600]
        assert "aes-256-cbc" in S.cms_print(path) and b"Zweite Zeile" not in raw
        inner = S.openssl_decrypt(path, rita.cert, rita.key)
        S.parse_strict(inner)
        assert S.smime_kind(inner) is None, inner[:300]
        assert MARK in S.body_text(inner)
        assert g.decrypt(raw, "rita-pw") == inner, "gpgsm decrypted something else"

        import_identity(s, sender, "sender-pw")
        g.import_cert(sender.cert)

        # Signed: multipart/signed, SHA-256, verified by openssl and gpgsm.
        raw, path = send_dry(s, "signed", "--sign")
        msg = S.parse_strict(raw)
        assert S.smime_kind(raw) == "signed", raw[:600]
        assert msg.get_param("protocol") == "application/pkcs7-signature", msg["Content-Type"]
        assert msg.get_param("micalg") == "sha-256", msg["Content-Type"]
        content = S.openssl_verify(path, s.pki.ca_cert)
        S.parse_strict(content)
        assert MARK in S.body_text(content)
        gcontent, signer = g.verify(raw)
        assert signer == S.fingerprint_sha1(sender.cert).replace(":", ""), signer
        assert gcontent.replace(b"\r\n", b"\n") == content.replace(b"\r\n", b"\n")

        # Encrypted (CBC), with the identity: for Rita and the sender, signed inside.
        raw, path = send_dry(s, "cbc", "--encrypt")
        assert S.smime_kind(raw) == "enveloped-data" and "aes-256-cbc" in S.cms_print(path)
        for who in (rita, sender):
            inner = S.openssl_decrypt(path, who.cert, who.key)
            S.parse_strict(inner)
            assert S.smime_kind(inner) in ("signed", "signed-data"), inner[:300]
            assert MARK in S.body_text(signed_content(s, inner, "cbc-inner.eml"))
        ginner = g.decrypt(raw, "rita-pw")
        assert ginner == inner
        assert MARK in S.body_text(g.verify(ginner)[0])

        # Encrypted with --gcm: AuthEnvelopedData (gpgsm 2.2 cannot read it).
        raw, path = send_dry(s, "gcm", "--encrypt", "--gcm")
        assert S.smime_kind(raw) == "authenveloped-data", raw[:600]
        assert "aes-256-gcm" in S.cms_print(path)
        for who in (rita, sender):
            inner = S.openssl_decrypt(path, who.cert, who.key)
            assert MARK in S.body_text(signed_content(s, inner, "gcm-inner.eml"))

        # Signed and encrypted.
        raw, path = send_dry(s, "signed-cbc", "--sign", "--encrypt")
        assert S.smime_kind(raw) == "enveloped-data"
        for who in (rita, sender):
            inner = S.openssl_decrypt(path, who.cert, who.key)
            assert MARK in S.body_text(signed_content(s, inner, "se-inner.eml"))
        ginner = g.decrypt(raw, "rita-pw")
        gcontent, signer = g.verify(ginner)
        assert MARK in S.body_text(gcontent)
        assert signer == S.fingerprint_sha1(sender.cert).replace(":", "")


# --- 2. openssl and gpgsm -> Epistle -----------------------------------------------

def open_in_epistle(s, name, raw, command):
    """Runs decrypt/verify on a message; (status, stdout, verdict dict)."""
    status, out, err = ep(command, s.write(name + ".eml", raw))
    lines = err if command == "decrypt" else out.decode("utf-8", "replace")
    return status, out, verdict(lines), err


def test_openssl_and_gpgsm_to_epistle():
    with S.scratch("in") as s:
        mine = s.pki.issue("Test Sender", me())
        bob = s.pki.issue("Bob Example", "bob@example.test")
        sam = s.pki.self_signed("Sam Self", "sam@example.test")
        g = s.gpgsm()
        g.import_p12(s.pki.p12(bob, "bob-pw"), "bob-pw")
        g.import_cert(mine.cert)
        netlib.add_account(ACCOUNT)
        import_identity(s, mine, "mine-pw")
        ent = S.text_entity(BODY)
        hdr = lambda subject: S.header_block("Bob Example <bob@example.test>", me(), subject)
        bob_says = "Bob Example <bob@example.test>"

        # A good signature nobody vouches for yet, then accepted.
        raw = S.openssl_sign(ent, bob, hdr("untrusted"))
        status, out, v, err = open_in_epistle(s, "untrusted", raw, "verify")
        assert status == 0, (status, out, err)
        assert v.get("Signed by", "").startswith(bob_says + " (not trusted: "), v
        assert v.get("Integrity") == "yes", v
        import_cert(bob.cert, bob.fpr)
        ok("vault", "trust", bob.fpr)
        trusted = f"{bob_says} (trusted)"

        cases = [
            ("openssl-cbc", "decrypt", S.openssl_encrypt(ent, [mine.cert], "aes-256-cbc", hdr("a")),
             {"Encrypted": "AES-256-CBC", "Integrity": NOT_PROTECTED, "Signed": "no"}),
            ("openssl-gcm", "decrypt", S.openssl_encrypt(ent, [mine.cert], "aes-256-gcm", hdr("b")),
             {"Encrypted": "AES-256-GCM", "Integrity": "yes", "Signed": "no"}),
            ("openssl-signed", "verify", S.openssl_sign(ent, bob, hdr("c")),
             {"Encrypted": "no", "Integrity": "yes", "Signed by": trusted}),
            ("openssl-opaque", "verify", S.openssl_sign(ent, bob, hdr("d"), detached=False),
             {"Encrypted": "no", "Integrity": "yes", "Signed by": trusted}),
            ("openssl-signed-cbc", "decrypt",
             S.openssl_encrypt(S.openssl_sign(ent, bob), [mine.cert], "aes-256-cbc", hdr("e")),
             {"Encrypted": "AES-256-CBC", "Integrity": "yes", "Signed by": trusted}),
            ("openssl-signed-gcm", "decrypt",
             S.openssl_encrypt(S.openssl_sign(ent, bob), [mine.cert], "aes-256-gcm", hdr("f")),
             {"Encrypted": "AES-256-GCM", "Integrity": "yes", "Signed by": trusted}),
            ("gpgsm-enc", "decrypt", g.encrypt(ent, [me()], hdr("g")),
             {"Encrypted": "AES-128-CBC", "Integrity": NOT_PROTECTED, "Signed": "no"}),
            ("gpgsm-signed", "verify", g.sign(ent, "bob@example.test", "bob-pw", hdr("h")),
             {"Encrypted": "no", "Integrity": "yes", "Signed by": trusted}),
            ("gpgsm-signed-enc", "decrypt",
             g.encrypt(g.sign(ent, "bob@example.test", "bob-pw"), [me()], hdr("i")),
             {"Encrypted": "AES-128-CBC", "Integrity": "yes", "Signed by": trusted}),
        ]
        failures = []                   # every case runs; all failures are reported
        for name, command, raw, want in cases:
            S.parse_strict(raw)
            status, out, v, err = open_in_epistle(s, name, raw, command)
            try:
                assert status == 0, (status, out[:500], err)
                assert v == want, (v, err)
                if command == "decrypt":
                    clear = S.parse_strict(out)
                    assert MARK in S.body_text(out), out[:800]
                    assert clear["Subject"] == S.parse_strict(raw)["Subject"], out[:400]
            except AssertionError as e:
                failures.append(f"{name}: {e}")
        assert not failures, "\n".join(failures)

        # Self-signed: not trusted until accepted.
        raw = S.openssl_sign(ent, sam, S.header_block("Sam Self <sam@example.test>", me(), "sam"))
        status, out, v, err = open_in_epistle(s, "sam", raw, "verify")
        assert status == 0 and v["Signed by"].startswith("Sam Self <sam@example.test> (not trusted: "), (v, err)
        import_cert(sam.cert, sam.fpr)
        ok("vault", "trust", sam.fpr)
        status, out, v, err = open_in_epistle(s, "sam2", raw, "verify")
        assert status == 0 and v["Signed by"] == "Sam Self <sam@example.test> (trusted)", (v, err)

        # For someone else only: no key, nothing shown. Not S/MIME at all: 2.
        raw = S.openssl_encrypt(ent, [bob.cert], "aes-256-cbc", hdr("not for me"))
        status, out, err = ep("decrypt", s.write("other.eml", raw))
        assert status == 7 and out == b"", (status, out, err)
        plain = S.header_block("a@example.test", me(), "plain") + b"MIME-Version: 1.0\r\n" + ent
        for command in ("decrypt", "verify"):
            status, out, err = ep(command, s.write("plain.eml", plain))
            assert status == 2, (command, status, out, err)


# --- 3. tampering ----------------------------------------------------------------

PAY = S.text_entity("Filler filler filler filler filler filler filler filler.\n"
                    "Pay 100 EUR to Bob.\nThe end.\n")


def cbc_flip_to_900(plain, der):
    """Flips the ciphertext bit that turns "Pay 100" into "Pay 900" (CBC: a
    change in block k-1 flips the same bit in block k and garbles block k-1,
    which lies in the filler; the padding in the last block stays valid)."""
    i = plain.index(b"Pay 100") + 4
    k = i // 16
    assert (k - 1) * 16 > plain.index(b"\r\n\r\n") + 4 and k < len(plain) // 16, "layout"
    start, _ = S.ciphertext_span(der)
    return S.flip(der, start + 16 * (k - 1) + i % 16, ord("1") ^ ord("9"))


def test_tampering():
    with S.scratch("tamper") as s:
        mine = s.pki.issue("Test Sender", me())
        bob = s.pki.issue("Bob Example", "bob@example.test")
        netlib.add_account(ACCOUNT)
        import_identity(s, mine, "mine-pw")
        import_cert(bob.cert, bob.fpr)
        ok("vault", "trust", bob.fpr)
        hdr = S.header_block("Bob Example <bob@example.test>", me(), "Pay")

        def fails_closed(name, raw, command="decrypt"):
            status, out, err = ep(command, s.write(name + ".eml", raw))
            assert status == 7, (name, status, out[:300], err)
            if command == "decrypt":
                assert out == b"", (name, out[:300])
            return out.decode("utf-8", "replace") + err

        # GCM: a flipped bit anywhere in the ciphertext, or in the tag.
        raw = S.openssl_encrypt(PAY, [mine.cert], "aes-256-gcm", hdr)
        assert ep("decrypt", s.write("gcm.eml", raw))[0] == 0
        der = S.cms_der(raw)
        start, end = S.ciphertext_span(der)
        for where, offset in (("first", start), ("middle", (start + end) // 2), ("last", end - 1),
                              ("tag", len(der) - 1)):
            fails_closed(f"gcm-{where}", S.replace_cms(raw, S.flip(der, offset)))

        # Unsigned CBC: the change goes through, and Epistle says it could.
        raw = S.openssl_encrypt(PAY, [mine.cert], "aes-256-cbc", hdr)
        bad = S.replace_cms(raw, cbc_flip_to_900(PAY, S.cms_der(raw)))
        status, out, err = ep("decrypt", s.write("cbc-900.eml", bad))
        assert status == 0, (status, err)
        assert b"Pay 900 EUR" in out and verdict(err).get("Integrity") == NOT_PROTECTED, (out, err)

        # Signed inside CBC, the same flip: the signature catches it.
        inner = S.openssl_sign(PAY, bob)
        raw = S.openssl_encrypt(inner, [mine.cert], "aes-256-cbc", hdr)
        assert ep("decrypt", s.write("scbc.eml", raw))[0] == 0
        fails_closed("scbc-900", S.replace_cms(raw, cbc_flip_to_900(inner, S.cms_der(raw))))

        # multipart/signed with an altered body.
        raw = S.openssl_sign(PAY, bob, hdr)
        assert ep("verify", s.write("signed.eml", raw))[0] == 0
        bad = raw.replace(b"Pay 100", b"Pay 900")
        said = fails_closed("signed-900", bad, "verify")
        assert re.search(r"signature.*does not match", said, re.I | re.S), said
        fails_closed("signed-900-decrypt", bad, "decrypt")

        # Epistle's own GCM message (the sender can read it), then one bit off.
        raw, _ = send_dry(s, "own-gcm", "--encrypt", "--gcm", to=me())
        status, out, err = ep("decrypt", s.write("own.eml", raw))
        assert status == 0 and MARK in S.body_text(out), (status, err)
        v = verdict(err)
        assert v["Encrypted"] == "AES-256-GCM" and v["Integrity"] == "yes", v
        assert v["Signed by"].startswith(f"Test Sender <{me()}> ("), v
        der = S.cms_der(raw)
        start, end = S.ciphertext_span(der)
        fails_closed("own-gcm-flipped", S.replace_cms(raw, S.flip(der, (start + end) // 2)))


# --- 4. the vault ----------------------------------------------------------------

def test_vault_keeps_secrets_and_refuses_damage():
    with S.scratch("vault") as s:
        mine = s.pki.issue("Test Sender", me())
        bob = s.pki.issue("Bob Example", "bob@example.test")
        eve = s.pki.issue("Eve Ec", "eve@example.test", rsa=False)
        carl = s.pki.issue("Carl Der", "carl@example.test")
        olga = s.pki.issue("Old Olga", "olga@example.test", expired=True)
        sam = s.pki.self_signed("Sam Self", "sam@example.test")
        netlib.add_account(ACCOUNT)
        netlib.add_account("other", address="other@example.test")
        password = "p12-" + uuid.uuid4().hex

        # A wrong password adds nothing; the right one adds the identity.
        p12 = s.pki.p12(mine, password)
        status, out, err = cli("vault", "import-identity", p12, "--password-stdin", stdin="wrong\n")
        assert status != 0 and "password" in err.lower(), (status, out, err)
        import_identity(s, mine, password)
        import_cert(bob.cert, bob.fpr)                                       # PEM
        import_cert(S.p7b(s.path("two.p7b"), eve.cert, sam.cert), eve.fpr, sam.fpr)  # PKCS#7
        import_cert(S.der_cert(carl.cert, s.path("carl.cer")), carl.fpr)    # DER
        import_cert(olga.cert, olga.fpr)
        made = fprs(ok("vault", "create-identity", "--account", "other", timeout=180))
        assert len(made) == 1, made
        created = made[0]

        rows = vault_list()
        rows.pop(s.pki.ca_fpr, None)        # the p12's chain may bring the CA along
        assert set(rows) == {mine.fpr, bob.fpr, eve.fpr, sam.fpr, carl.fpr, olga.fpr, created}, rows
        assert rows[mine.fpr][:2] == ("identity", me()), rows[mine.fpr]
        assert rows[created][0] == "identity" and "other@example.test" in rows[created][1]
        assert rows[created][3] == "ok", rows[created]
        assert rows[olga.fpr][3] == "expired" and rows[olga.fpr][2] == "2020-02-01", rows[olga.fpr]
        assert rows[sam.fpr][3] == "untrusted", rows[sam.fpr]
        assert rows[bob.fpr][0] == "contact" and "bob@example.test" in rows[bob.fpr][1]
        enddate = S.openssl("x509", "-in", bob.cert, "-noout", "-enddate").stdout.decode()
        expires = datetime.datetime.strptime(enddate.strip().split("=")[1], "%b %d %H:%M:%S %Y %Z")
        assert rows[bob.fpr][2] == expires.strftime("%Y-%m-%d"), (rows[bob.fpr], enddate)
        ok("vault", "trust", sam.fpr)
        assert vault_list()[sam.fpr][3] == "ok"
        ok("vault", "remove", carl.fpr)
        assert carl.fpr not in vault_list()

        # Export: the certificate alone, and the identity as PKCS#12 that
        # openssl and gpgsm both open.
        ok("vault", "export", created, "-o", s.path("created.pem"))
        assert S.fingerprint(s.path("created.pem")) == created
        export_pw = "exp-" + uuid.uuid4().hex[:20]    # gpgsm 2.2: at most 31 characters
        ok("vault", "export", created, "--p12", "--password-stdin", "-o", s.path("created.p12"),
           stdin=export_pw + "\n")
        key_pem = S.openssl("pkcs12", "-in", s.path("created.p12"), "-nocerts", "-nodes",
                            "-passin", "stdin", input=export_pw.encode() + b"\n").stdout
        created_key = S.Cert("Test Sender", "other@example.test", s.path("created.pem"),
                             s.write("created.key", key_pem[key_pem.index(b"-----BEGIN"):]))
        g = s.gpgsm()
        g.import_p12(s.path("created.p12"), export_pw)

        # No key, in any form, and no password in any file of the app.
        secrets = {f"imported key {k}": v for k, v in mine.key_forms().items()}
        secrets.update({f"created key {k}": v for k, v in created_key.key_forms().items()})
        secrets.update({"p12 password": password.encode(), "export password": export_pw.encode(),
                        "account password": netlib.PASSWORD.encode()})
        files = S.xdg_files()
        vaults = [p for p in files if os.path.basename(p).startswith("vault")]
        assert len(vaults) == 1, vaults
        vault = vaults[0]
        for path in files:
            data = S.read(path)
            for what, secret in secrets.items():
                assert secret not in data, f"{what} is in {path}"
        assert os.stat(vault).st_mode & 0o777 == 0o600, oct(os.stat(vault).st_mode)

        # Damaged: refused with a clear message, and never written over.
        good, listed = S.read(vault), vault_list()
        for how, damaged in (("truncated", good[:len(good) // 2]), ("cut to 8 bytes", good[:8]),
                             ("first byte", S.flip(good, 0)),
                             ("middle byte", S.flip(good, len(good) // 2)),
                             ("last byte", S.flip(good, len(good) - 1))):
            with open(vault, "wb") as f:
                f.write(damaged)
            status, out, err = cli("vault", "list")
            assert status != 0 and out.strip() == "", (how, status, out, err)
            assert "vault" in err.lower() and re.search(
                r"damaged|tampered|altered|corrupt|cut short|truncated|not a vault", err, re.I), (how, err)
            status, out, err = cli("vault", "import-cert", carl.cert)
            assert status != 0, (how, status, out, err)
            assert S.read(vault) == damaged, f"{how}: the damaged vault was written over"
        with open(vault, "wb") as f:
            f.write(good)
        assert vault_list() == listed

        # The keyring holds another key (a restored keyring, another
        # machine's): refused, the file unchanged; its own key opens it again.
        attrs = ["xdg:schema", "io.github.epistle.Vault", "path", vault]
        real = subprocess.run(["secret-tool", "lookup", *attrs], capture_output=True,
                              timeout=30, check=True).stdout
        other = base64.b64encode(os.urandom(32))
        subprocess.run(["secret-tool", "store", "--label", "other", *attrs], input=other,
                       capture_output=True, timeout=30, check=True)
        try:
            status, out, err = cli("vault", "list")
            assert status != 0 and out.strip() == "", (status, out, err)
            assert re.search(r"keyring holds another|altered", err), err
            status, out, err = cli("vault", "import-cert", carl.cert)
            assert status != 0, (status, out, err)
            assert S.read(vault) == good, "a vault opened with the wrong key was written over"
        finally:
            subprocess.run(["secret-tool", "store", "--label", "Epistle key vault", *attrs],
                           input=real, capture_output=True, timeout=30, check=True)
        assert vault_list() == listed


# --- 5. merge, each row for its own certificate ----------------------------------

def test_merge_encrypts_each_row_for_its_own_certificate():
    started = time.monotonic()
    with S.scratch("merge") as s:
        mine = s.pki.issue("Test Sender", me())
        netlib.add_account(ACCOUNT)
        import_identity(s, mine, "mine-pw")
        # The rows' certificates come from the test CA: accepted as an authority.
        import_cert(s.pki.ca_cert, s.pki.ca_fpr)
        ok("vault", "trust", s.pki.ca_fpr)
        tag = f"Geheim {uuid.uuid4().hex[:6]}"
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            certs = list(pool.map(lambda i: s.pki.issue(f"Zeile {i}", f"row{i:03}@example.test",
                                                        rsa=False), range(1, 201)))
        codes = {c.address: uuid.uuid4().hex for c in certs}
        rows = [[c.name, c.address, codes[c.address], os.path.relpath(c.cert, s.dir)] for c in certs]
        expired = s.pki.issue("Alt", "expired@example.test", rsa=False, expired=True)
        wrong = s.pki.issue("Falsch", "someone-else@example.test", rsa=False)
        bad = [["Ohne", "nocert@example.test", "x", ""],
               ["Alt", "expired@example.test", "x", os.path.relpath(expired.cert, s.dir)],
               ["Falsch", "wrongcert@example.test", "x", os.path.relpath(wrong.cert, s.dir)]]
        rows.insert(50, bad[0])
        rows.insert(120, bad[1])
        rows.append(bad[2])
        bad_rows = {rows.index(b) + 2: b[1] for b in bad}          # the header is row 1
        data = s.write("rows.csv", ("Name,Email,Code,Cert\n" + "".join(
            ",".join(r) + "\n" for r in rows)).encode())
        tmpl = s.write("t.txt", f"To: {{{{ Name }}}} <{{{{ Email }}}}>\nSubject: {tag} {{{{ Name }}}}\n\n"
                                "Hallo {{ Name }}, dein Code ist {{ Code }}.\n".encode())
        args = ["merge", "--account", ACCOUNT, "--data", data, "--template", tmpl, "--encrypt",
                "--cert-column", "Cert", "--rate", "0", "--connections", "2", "--yes"]

        before = len(netlib.events())
        status, out, err = cli(*args, timeout=240)
        assert status == 2, (status, out, err)
        # "Row N: REASON", the reason naming the row's address
        listed = {int(n): rest
                  for n, rest in re.findall(r"^\s*row (\d+): (.*@.*)$", out + err, re.I | re.M)}
        assert sorted(listed) == sorted(bad_rows), (listed, bad_rows, out, err)
        for n, address in bad_rows.items():
            assert address in listed[n], (n, address, listed[n])
        assert "No problems" not in out, out
        assert netlib.events_of("mail", before) == [], "nothing may go when rows cannot be encrypted"

        # The test message to oneself is encrypted too (for oneself).
        test_args = [a for a in args if a != "--yes"] + ["--test", "--skip-unencryptable"]
        status, out, err = cli(*test_args, timeout=120)
        assert status == 0, (status, out, err)
        tests = delivered(f"[TEST] {tag}")
        assert list(tests) == [me()], tests
        assert S.smime_kind(tests[me()][0]) == "enveloped-data"
        assert b"dein Code ist" not in tests[me()][0]
        assert b"dein Code ist" in S.openssl_decrypt(s.write("test.eml", tests[me()][0]),
                                                      mine.cert, mine.key)

        status, out, err = cli(*args, "--skip-unencryptable", timeout=240)
        assert status == 0, (status, out, err)
        got = delivered(tag)
        assert sorted(got) == sorted(codes), sorted(set(got) ^ set(codes))
        assert all(len(v) == 1 for v in got.values())

        def own_key(c):
            """openssl cms opens it with this row's key; the signature inside verifies."""
            path = s.write(f"got-{c.address}.eml", got[c.address][0])
            assert S.smime_kind(got[c.address][0]) == "enveloped-data"
            inner = S.openssl_decrypt(path, c.cert, c.key)
            content = signed_content(s, inner, f"inner-{c.address}.eml")
            assert f"dein Code ist {codes[c.address]}." in S.body_text(content), c.address

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(own_key, certs))

        # The whole 200 x 200 matrix, in process: no other row's key opens
        # any message; the sender's own key opens every one (its Sent copy).
        lc = S.Libcrypto()
        try:
            keys = {c.address: lc.load_key(c.key) for c in certs}
            sender_key = lc.load_key(mine.key)
            for c in certs:
                raw = got[c.address][0]
                opened = [a for a, k in keys.items() if lc.decrypt(raw, k) is not None]
                assert opened == [c.address], (c.address, opened)
                assert codes[c.address].encode() in lc.decrypt(raw, sender_key), c.address
        finally:
            lc.close()
        assert not set(got) & set(bad_rows.values())
    print(f"# the merge test took {time.monotonic() - started:.1f} s (budget: 60 s)")


# --- 6. a scheduled encrypted message is stored encrypted ------------------------

def forms_of(marker):
    """The marker as stored plainly or inside base64 at any alignment."""
    out = [marker]
    for pad in range(3):
        out.append(base64.b64encode(b"x" * pad + marker)[4:-4])
    return out


def test_scheduled_encrypted_is_stored_encrypted():
    with S.scratch("later") as s:
        mine = s.pki.issue("Test Sender", me())
        rita = s.pki.issue("Rita Reader", "rita@example.test")
        netlib.add_account(ACCOUNT)
        import_identity(s, mine, "mine-pw")
        import_cert(rita.cert, rita.fpr)
        ok("vault", "trust", rita.fpr)
        marker = f"MARKER-{uuid.uuid4().hex}"
        subject = f"Später verschlüsselt {uuid.uuid4().hex[:6]}"
        out = ok("send", "--account", ACCOUNT, "--to", "rita@example.test", "--subject", subject,
                 "--body", f"Geheim: {marker}\n", "--encrypt", "--at", S.local_time(900))
        # (Far ahead: less than EP_OUTBOX_SCHEDULE_AFTER, 120 s, would be an
        # undo-style wait in this process, not a scheduled entry.)
        assert "Scheduled for" in out, out
        number = out.split("number ")[1].split(";")[0]

        def nothing_in_the_clear():
            names = [os.path.basename(p) for p in S.xdg_files()]
            assert "epistle.db" in names, names
            for path in S.xdg_files():
                data = S.read(path)
                for form in forms_of(marker.encode()):
                    assert form not in data, f"the body is in the clear in {path}"

        nothing_in_the_clear()
        assert delivered(subject) == {}

        # As test_schedule.py does: bring it forward, wait for the clock, run.
        at = S.local_time(2)
        ok("schedule", "reschedule", number, "--at", at)
        due = datetime.datetime.fromisoformat(at).timestamp()
        deadline = time.monotonic() + 30
        while time.time() < due + 0.2:
            assert time.monotonic() < deadline, "the clock did not reach the time"
            time.sleep(0.05)
        ok("outbox", "run")
        got = delivered(subject)
        assert list(got) == ["rita@example.test"] and len(got["rita@example.test"]) == 1, got
        raw = got["rita@example.test"][0]
        assert S.smime_kind(raw) == "enveloped-data" and marker.encode() not in raw
        path = s.write("later.eml", raw)
        for who in (rita, mine):
            inner = S.openssl_decrypt(path, who.cert, who.key)
            assert marker in S.body_text(signed_content(s, inner, "later-inner.eml"))
        nothing_in_the_clear()


if __name__ == "__main__":
    netlib.run([
        test_epistle_to_openssl_and_gpgsm,
        test_openssl_and_gpgsm_to_epistle,
        test_tampering,
        test_vault_keeps_secrets_and_refuses_damage,
        test_merge_encrypts_each_row_for_its_own_certificate,
        test_scheduled_encrypted_is_stored_encrypted,
    ])
