#!/usr/bin/python3
"""tests/bench/pwmail-bench.py: what one password guess costs, at the
iteration counts Epistle writes, beside its anchors, in one run.

  tests/bench/pwmail-bench.py [BUILDDIR] [RUNS]

Interleaved runs, medians:
  - open the CMS form: `epistle-cli decrypt --password-stdin` (one PBKDF2-
    HMAC-SHA1, 1,300,000 iterations, plus starting the CLI) against its
    anchor `openssl cms -decrypt -pwri_password` on the same part;
  - open the page's payload: PBKDF2-HMAC-SHA256, 600,000 iterations, with
    Python's cryptography (OpenSSL underneath), as a browser would;
  - make one message (`send --dry-run`: both derivations).
Run it inside the rig (the account password goes to a keyring):
  tests/servers/rig.sh /usr/bin/python3 tests/bench/pwmail-bench.py build
A guess at the password costs an attacker one derivation of either form;
these figures are the cost on this machine, one core. Not part of the
test suite: timings belong in a report, not an assertion.
"""

import base64
import email
import email.policy
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "build")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
cli = os.path.join(build, "src", "cli", "epistle-cli")
password = "Kastanie-Wolke-7-Fähre"

with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, XDG_DATA_HOME=f"{tmp}/d", XDG_CONFIG_HOME=f"{tmp}/c",
               XDG_CACHE_HOME=f"{tmp}/k", GSETTINGS_BACKEND="memory")
    env.pop("EPISTLE_TEST_KDF_ITERATIONS", None)
    # An account is needed for From; no server is contacted by --dry-run.
    subprocess.run([cli, "account", "add", "b", "--email", "b@example.test", "--user", "b",
                    "--smtp", "127.0.0.1:9", "--smtp-security", "starttls", "--password-stdin"], input=b"x\n", env=env,
                   check=True, capture_output=True)
    eml = os.path.join(tmp, "m.eml")

    def make():
        subprocess.run([cli, "send", "--account", "b", "--to", "r@example.test", "--subject", "s",
                        "--body", "b", "--password-file", "-", "--dry-run", "-o", eml],
                       input=(password + "\n").encode(), env=env, check=True, capture_output=True)

    make()
    msg = email.message_from_binary_file(open(eml, "rb"), policy=email.policy.default)
    parts = {p.get_filename(): p for p in msg.walk() if p.get_filename()}
    der = os.path.join(tmp, "p.der")
    open(der, "wb").write(parts["smime.p7m"].get_payload(decode=True))
    page = parts["message.html"].get_payload(decode=True).decode()
    payload = json.loads(re.search(r'id="epistle-payload">(.*?)</script>', page, re.S).group(1))

    def epistle_open():
        subprocess.run([cli, "decrypt", "--password-stdin", eml], input=(password + "\n").encode(),
                       env=env, check=True, capture_output=True)

    def openssl_open():
        subprocess.run(["openssl", "cms", "-decrypt", "-inform", "DER", "-in", der, "-binary",
                        "-pwri_password", password], check=True, capture_output=True)

    def page_open():
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
        key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=base64.b64decode(payload["salt"]),
                         iterations=payload["iterations"]).derive(password.encode())
        AESGCM(key).decrypt(base64.b64decode(payload["iv"]), base64.b64decode(payload["data"]), None)

    times = {"epistle-cli decrypt (CMS, SHA-1 x 1,300,000)": [],
             "openssl cms -decrypt (anchor)": [],
             "page payload (SHA-256 x 600,000)": [],
             "make one message (both)": []}
    jobs = list(zip(times, (epistle_open, openssl_open, page_open, make)))
    for _ in range(runs):
        for name, job in jobs:
            t = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    anchor = med["openssl cms -decrypt (anchor)"]
    for k, v in med.items():
        print(f"{k:48s} median {v * 1000:7.0f} ms  ({v / anchor:4.2f}x openssl)  over {runs} runs")
