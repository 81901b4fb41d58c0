"""Fixtures for the S/MIME interop tests (test_smime.py), all made at run
time in a scratch directory, never committed:

- scratch(): a test's own directory, with its own XDG dirs for the CLI.
- Pki: a throwaway CA (EC P-256) issuing mail certificates (RSA 2048 or
  EC P-256, optionally already expired via `openssl ca -startdate/-enddate`),
  self-signed certificates, PKCS#12 in the form gpgsm imports.
- Gpgsm: a private GNUPGHOME that trusts that CA without any network (no
  dirmngr, no CRLs), to make and open messages the way GnuPG users do.
- openssl_*: the same with `openssl cms`; Libcrypto: CMS_decrypt in process
  (ctypes) for trying many keys on many messages.
- parse_strict, DER helpers to find (and flip bits in) the ciphertext.

Every subprocess has a timeout; a failing tool raises ToolError with its
command line and output.
"""

import base64
import contextlib
import ctypes
import ctypes.util
import datetime
import email
import email.policy
import email.utils
import hashlib
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import uuid

TIMEOUT = 60


class ToolError(AssertionError):
    def __init__(self, args, rc, out, err):
        self.rc, self.out, self.err = rc, out, err
        text = lambda b: b.decode("utf-8", "replace")[-3000:] if isinstance(b, bytes) else b
        super().__init__(f"{' '.join(map(str, args))} exited {rc}\n"
                         f"stdout: {text(out)}\nstderr: {text(err)}")


def run(args, input=None, env=None, timeout=TIMEOUT):
    """Runs a tool (bytes in, bytes out); raises ToolError unless it exits 0."""
    proc = subprocess.run([str(a) for a in args], input=input, capture_output=True, env=env,
                          timeout=timeout)
    if proc.returncode != 0:
        raise ToolError(args, proc.returncode, proc.stdout, proc.stderr)
    return proc


def openssl(*args, input=None):
    return run(["openssl", *args], input=input)


# --- scratch dirs ------------------------------------------------------------------

class Scratch:
    def __init__(self, root):
        self.dir = root
        self.pki = Pki(os.path.join(root, "pki"))
        self.homes = []

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def gpgsm(self):
        g = Gpgsm(self.path(f"gnupg{len(self.homes)}"), [self.pki.ca_cert])
        self.homes.append(g)
        return g


@contextlib.contextmanager
def scratch(label):
    """A scratch dir, with XDG_DATA/CONFIG/CACHE_HOME inside it for the CLI."""
    root = tempfile.mkdtemp(prefix=f"smime-{label}-")
    saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    for key in saved:
        os.environ[key] = os.path.join(root, "xdg", key.split("_")[1].lower())
        os.makedirs(os.environ[key])
    s = None
    try:
        s = Scratch(root)
        yield s
    finally:
        for g in (s.homes if s else []):
            g.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)


def xdg_files():
    out = []
    for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        for top, _, names in os.walk(os.environ[key]):
            out += [os.path.join(top, n) for n in names]
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def local_time(seconds_ahead):
    at = datetime.datetime.now() + datetime.timedelta(seconds=seconds_ahead)
    return at.strftime("%Y-%m-%dT%H:%M:%S")


# --- certificates -------------------------------------------------------------------

def _der(cert_path):
    with open(cert_path, "rb") as f:
        data = f.read()
    m = re.search(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", data, re.S)
    return base64.b64decode(m.group(1)) if m else data


def fingerprint(cert_path):
    """SHA-256 of the DER certificate: 64 lowercase hex digits, as Epistle prints
    (what `openssl x509 -fingerprint -sha256` says, without a process)."""
    return hashlib.sha256(_der(cert_path)).hexdigest()


def fingerprint_sha1(cert_path):
    """SHA-1 as gpgsm wants it in trustlist.txt ("AB:CD:...")."""
    return ":".join(f"{b:02X}" for b in hashlib.sha1(_der(cert_path)).digest())


class Cert:
    def __init__(self, name, address, cert, key):
        self.name, self.address, self.cert, self.key = name, address, cert, key
        self.fpr = fingerprint(cert)

    def key_forms(self):
        """Every form the private key could leak in: PEM (whole and base64
        body), PKCS#8 DER, traditional DER, and base64 of the DER."""
        with open(self.key, "rb") as f:
            pem = f.read()
        der8 = openssl("pkey", "-in", self.key, "-outform", "DER").stdout
        trad = openssl("pkey", "-in", self.key, "-outform", "DER", "-traditional").stdout
        body = b"".join(line for line in pem.splitlines() if not line.startswith(b"-----"))
        return {"PEM": pem.strip(), "PEM line": pem.splitlines()[3],
                "PKCS#8 DER": der8, "traditional DER": trad,
                "base64 DER": base64.b64encode(der8), "base64 body": body}


EXT_RSA = "keyUsage=critical,digitalSignature,keyEncipherment"
EXT_EC = "keyUsage=critical,digitalSignature,keyAgreement"
NEWKEY_RSA = ["-newkey", "rsa:2048"]
NEWKEY_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]

CA_CONF = """[ca]
default_ca = d
[d]
database = {db}/index.txt
new_certs_dir = {db}
serial = {db}/serial
default_md = sha256
policy = p
unique_subject = no
copy_extensions = copy
[p]
commonName = supplied
emailAddress = optional
"""


def _subj(name, address):
    return f"/CN={name}/emailAddress={address}" if address else f"/CN={name}"


def _mail_ext(address, rsa):
    return ["-addext", f"subjectAltName=email:{address}",
            "-addext", "basicConstraints=critical,CA:FALSE",
            "-addext", EXT_RSA if rsa else EXT_EC,
            "-addext", "extendedKeyUsage=emailProtection"]


class Pki:
    """A scratch CA in @directory. OpenSSL 3.0's `req -x509 -CA` issues a
    certificate in one process; `openssl ca` (3.0 has no -not_before) makes
    the expired ones."""

    def __init__(self, directory, label="Epistle SMIME test CA"):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.ca_cert = os.path.join(directory, "ca.pem")
        self.ca_key = os.path.join(directory, "ca.key")
        openssl("req", "-x509", *NEWKEY_EC, "-nodes", "-days", "30",
                "-subj", f"/CN={label} {uuid.uuid4().hex[:8]}",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", self.ca_key, "-out", self.ca_cert)
        self.ca_fpr = fingerprint(self.ca_cert)
        self._n = itertools.count(1)     # next() is atomic: issue() may run in threads

    def _paths(self, address):
        stem = os.path.join(self.dir, f"{next(self._n):04}-{re.sub(r'[^a-z0-9]', '_', address.lower())}")
        return stem + ".pem", stem + ".key"

    def issue(self, name, address, rsa=True, expired=False):
        cert, key = self._paths(address)
        if not expired:
            openssl("req", "-x509", *(NEWKEY_RSA if rsa else NEWKEY_EC), "-nodes", "-days", "30",
                    "-subj", _subj(name, address), *_mail_ext(address, rsa),
                    "-CA", self.ca_cert, "-CAkey", self.ca_key, "-keyout", key, "-out", cert)
            return Cert(name, address, cert, key)
        db = os.path.join(self.dir, "cadb")
        os.makedirs(db, exist_ok=True)
        open(os.path.join(db, "index.txt"), "a").close()
        with open(os.path.join(db, "serial"), "w") as f:
            f.write(os.urandom(8).hex() + "\n")
        conf = os.path.join(self.dir, "ca.cnf")
        with open(conf, "w") as f:
            f.write(CA_CONF.format(db=db))
        csr = cert + ".csr"
        openssl("req", "-new", *(NEWKEY_RSA if rsa else NEWKEY_EC), "-nodes",
                "-subj", _subj(name, address), *_mail_ext(address, rsa), "-keyout", key, "-out", csr)
        openssl("ca", "-batch", "-config", conf, "-cert", self.ca_cert, "-keyfile", self.ca_key,
                "-in", csr, "-out", cert, "-notext",
                "-startdate", "20200101000000Z", "-enddate", "20200201000000Z")
        return Cert(name, address, cert, key)

    def self_signed(self, name, address, rsa=True):
        cert, key = self._paths(address)
        openssl("req", "-x509", *(NEWKEY_RSA if rsa else NEWKEY_EC), "-nodes", "-days", "30",
                "-subj", _subj(name, address), *_mail_ext(address, rsa),
                "-keyout", key, "-out", cert)
        return Cert(name, address, cert, key)

    def p12(self, c, password, chain=True):
        """PKCS#12 with 3DES and a SHA-1 MAC: what gpgsm 2.2 imports."""
        path = c.cert[:-4] + ".p12"
        args = ["pkcs12", "-export", "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES",
                "-macalg", "sha1", "-passout", "stdin", "-inkey", c.key, "-in", c.cert,
                "-name", c.name, "-out", path]
        if chain:
            args += ["-certfile", self.ca_cert]
        openssl(*args, input=password.encode() + b"\n")
        return path


def p7b(out, *cert_paths):
    args = ["crl2pkcs7", "-nocrl", "-outform", "DER", "-out", out]
    for p in cert_paths:
        args += ["-certfile", p]
    openssl(*args)
    return out


def der_cert(cert_path, out):
    openssl("x509", "-in", cert_path, "-outform", "DER", "-out", out)
    return out


# --- messages ----------------------------------------------------------------------

def crlf(data):
    return re.sub(rb"\r?\n", b"\r\n", data)


def header_block(sender, to, subject):
    """From/To/Subject/Date/Message-ID, CRLF, to put in front of openssl's
    output (which brings MIME-Version and Content-Type)."""
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
             f"Date: {email.utils.formatdate()}",
             f"Message-ID: {email.utils.make_msgid(domain='example.test')}"]
    return ("\r\n".join(lines) + "\r\n").encode()


def text_entity(body):
    """A text/plain MIME entity, quoted-printable, CRLF (the content one signs
    or encrypts)."""
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg.set_content(body, cte="quoted-printable")
    del msg["MIME-Version"]
    return msg.as_bytes()


def parse_strict(data):
    """Parses with the strict policy (raises on any defect) and checks every
    part and header for defects too."""
    msg = email.message_from_bytes(data, policy=email.policy.strict)
    for part in msg.walk():
        assert not part.defects, (part.get_content_type(), part.defects)
        for name, value in part.items():
            assert not getattr(value, "defects", ()), (name, value.defects)
    return msg


def body_text(data):
    """The decoded text of every text/plain part of a MIME entity, joined."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    return "\n".join(p.get_content() for p in msg.walk() if p.get_content_type() == "text/plain")


def smime_kind(data):
    """'signed' (multipart/signed), 'signed-data', 'enveloped-data',
    'authenveloped-data' or None: what protects this entity on the outside."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    ctype = msg.get_content_type()
    if ctype == "multipart/signed":
        return "signed"
    if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        return (msg.get_param("smime-type") or "").lower() or "enveloped-data"
    return None


def cms_der(data):
    """The CMS blob of an application/pkcs7-mime message."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    return msg.get_payload(decode=True)


def replace_cms(data, der):
    """The same message with its base64 CMS body replaced by @der."""
    head = data.split(b"\r\n\r\n", 1)[0]
    b64 = base64.encodebytes(der).replace(b"\n", b"\r\n")
    return head + b"\r\n\r\n" + b64


def split_signed(data):
    """(signed content bytes, signature DER) of a multipart/signed entity, the
    content exactly as signed (the CRLF before the boundary belongs to it)."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    b = re.escape(msg.get_boundary().encode())
    parts = re.split(rb"(?:^|\r?\n)--" + b + rb"(?:--)?[ \t]*\r?\n?", data, flags=re.M)
    # parts: [headers+preamble, content, signature part, epilogue...]
    content, sigpart = parts[1], parts[2]
    sig = email.message_from_bytes(sigpart, policy=email.policy.default)
    return content, sig.get_payload(decode=True)


def der_nodes(data):
    """Walks DER/BER: a list of (tag, depth, content_start, content_end) for
    every node, in order; indefinite lengths (streamed CMS) are followed to
    their end-of-contents octets."""
    nodes = []

    def walk(off, end, depth):
        while off < end:
            if data[off] == 0 and data[off + 1] == 0:     # end of an indefinite node
                return off + 2
            tag, n = data[off], data[off + 1]
            off += 2
            if n == 0x80:
                index = len(nodes)
                nodes.append(None)
                after = walk(off, end, depth + 1)
                nodes[index] = (tag, depth, off, after - 2)
                off = after
                continue
            if n & 0x80:
                length = int.from_bytes(data[off:off + (n & 0x7F)], "big")
                off += n & 0x7F
            else:
                length = n
            nodes.append((tag, depth, off, off + length))
            if tag & 0x20:
                walk(off, off + length, depth + 1)
            off += length
        return off

    walk(0, len(data), 0)
    return nodes


def ciphertext_span(der):
    """(start, end) of the encrypted content of Enveloped- or AuthEnvelopedData:
    encryptedContent [0] of EncryptedContentInfo (the first chunk if streamed)."""
    nodes = der_nodes(der)
    for i, (tag, depth, start, stop) in enumerate(nodes):
        if depth == 4 and tag == 0x80:
            return start, stop
        if depth == 4 and tag == 0xA0:          # constructed: OCTET STRING chunks
            for t, d, s, e in nodes[i + 1:]:
                if t == 0x04 and d == 5:
                    return s, e
    raise AssertionError("no encryptedContent in this CMS structure")


def flip(der, offset, mask=0x01):
    b = bytearray(der)
    b[offset] ^= mask
    return bytes(b)


# --- openssl cms -------------------------------------------------------------------

def openssl_encrypt(entity, recipient_certs, cipher="aes-256-cbc", headers=b""):
    """Encrypts a MIME entity (exactly these bytes: -binary) for the
    certificates; returns a whole message: @headers + openssl's MIME, CRLF."""
    out = openssl("cms", "-encrypt", "-binary", "-crlfeol", f"-{cipher}",
                  *recipient_certs, input=entity).stdout
    return headers + crlf(out)      # -crlfeol leaves the base64 lines with LF


def openssl_sign(entity, signer, headers=b"", detached=True, chain=None):
    """multipart/signed (or opaque signed-data) of a MIME entity, SHA-256."""
    args = ["cms", "-sign", "-binary", "-crlfeol", "-md", "sha256",
            "-signer", signer.cert, "-inkey", signer.key]
    if not detached:
        args.append("-nodetach")
    if chain:
        args += ["-certfile", chain]
    # The content is CRLF already; this fixes only the base64 lines.
    return headers + crlf(openssl(*args, input=entity).stdout)


def openssl_decrypt(eml_path, cert, key):
    """Decrypted content (bytes); ToolError if this key cannot. Without
    @cert openssl tries the key on every recipient."""
    args = ["cms", "-decrypt", "-binary", "-in", eml_path, "-inkey", key]
    if cert:
        args += ["-recip", cert]
    return openssl(*args).stdout


def openssl_verify(eml_path, cafile):
    """The signed content (bytes) if the signature and chain verify."""
    # Not -binary: with it, openssl 3.0 fails to verify a CRLF multipart/signed.
    return openssl("cms", "-verify", "-in", eml_path, "-CAfile", cafile,
                   "-purpose", "smimesign").stdout


def cms_print(eml_path, inform="SMIME"):
    """openssl's dump of the CMS structure (algorithms, recipients, ...)."""
    return openssl("cms", "-cmsout", "-print", "-inform", inform, "-in", eml_path).stdout.decode()


class Libcrypto:
    """CMS_decrypt from libcrypto in this process (ctypes), for checking many
    keys against many messages: about 0.1 ms a try instead of a 20 ms
    `openssl cms` process. With CMS_DEBUG_DECRYPT a wrong key fails
    instead of decrypting to garbage (no MMA countermeasure)."""

    BINARY, DEBUG_DECRYPT, BIO_CTRL_INFO = 0x80, 0x20000, 3

    def __init__(self):
        lib = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
        p, i = ctypes.c_void_p, ctypes.c_int
        for name, res, args in (
                ("BIO_new_mem_buf", p, [ctypes.c_char_p, i]), ("BIO_s_mem", p, []),
                ("BIO_new", p, [p]), ("BIO_free", i, [p]), ("BIO_ctrl", ctypes.c_long, [p, i, ctypes.c_long, p]),
                ("PEM_read_bio_PrivateKey", p, [p, p, p, p]), ("EVP_PKEY_free", None, [p]),
                ("SMIME_read_CMS", p, [p, p]), ("CMS_ContentInfo_free", None, [p]),
                ("CMS_decrypt", i, [p, p, p, p, p, ctypes.c_uint]), ("ERR_clear_error", None, [])):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.lib, self.keys = lib, []

    def load_key(self, path):
        with open(path, "rb") as f:
            pem = f.read()
        bio = self.lib.BIO_new_mem_buf(pem, len(pem))
        key = self.lib.PEM_read_bio_PrivateKey(bio, None, None, None)
        self.lib.BIO_free(bio)
        assert key, path
        self.keys.append(key)
        return key

    def decrypt(self, message, key):
        """The content, or None if this key does not open the message."""
        lib = self.lib
        bio = lib.BIO_new_mem_buf(message, len(message))
        cms = lib.SMIME_read_CMS(bio, None)
        lib.BIO_free(bio)
        assert cms, "not an S/MIME message"
        out = lib.BIO_new(lib.BIO_s_mem())
        try:
            if lib.CMS_decrypt(cms, key, None, None, out, self.BINARY | self.DEBUG_DECRYPT) != 1:
                lib.ERR_clear_error()
                return None
            data = ctypes.c_char_p()
            n = lib.BIO_ctrl(out, self.BIO_CTRL_INFO, 0, ctypes.byref(data))
            return ctypes.string_at(data, n)
        finally:
            lib.BIO_free(out)
            lib.CMS_ContentInfo_free(cms)

    def close(self):
        for key in self.keys:
            self.lib.EVP_PKEY_free(key)
        self.keys = []


# --- gpgsm -------------------------------------------------------------------------

GPGSM_CONF = """# No network: no dirmngr, so no CRL or OCSP checks either.
disable-dirmngr
disable-crl-checks
disable-ocsp
no-common-certs-import
"""


class Gpgsm:
    """A GNUPGHOME (mode 700) that trusts @ca_certs. Without the trustlist.txt
    line `FPR S relax` gpgsm says "root certificate is not marked trusted";
    without disable-crl-checks it wants dirmngr for CRLs. Call close() to
    stop the gpg-agent this home started."""

    def __init__(self, home, ca_certs):
        self.home = home
        os.makedirs(home, mode=0o700, exist_ok=True)
        os.chmod(home, 0o700)
        with open(os.path.join(home, "gpgsm.conf"), "w") as f:
            f.write(GPGSM_CONF)
        with open(os.path.join(home, "gpg-agent.conf"), "w") as f:
            f.write("allow-loopback-pinentry\n")
        with open(os.path.join(home, "trustlist.txt"), "w") as f:
            for ca in ca_certs:
                f.write(f"{fingerprint_sha1(ca)} S relax\n")
        self.env = dict(os.environ, GNUPGHOME=home)
        for ca in ca_certs:
            self.import_cert(ca)

    def gpgsm(self, *args, input=None, passphrase=None):
        pre = ["gpgsm", "--batch", "--status-fd", "2"]
        if passphrase is not None:
            # The passphrase comes on stdin; the data from a file argument.
            pre += ["--pinentry-mode", "loopback", "--passphrase-fd", "0"]
            input = passphrase.encode() + b"\n"
        return run([*pre, *args], input=input, env=self.env)

    def _file(self, name, data):
        path = os.path.join(self.home, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def import_cert(self, path):
        self.gpgsm("--import", path)

    def import_p12(self, path, password):
        proc = self.gpgsm("--import", path, passphrase=password)
        assert b"secret keys imported: 1" in proc.stderr, proc.stderr.decode()

    def decrypt(self, data, passphrase):
        """Decrypts an application/pkcs7-mime message; returns the content."""
        der = self._file("in.p7m", cms_der(data))
        out = os.path.join(self.home, "out.bin")
        if os.path.exists(out):
            os.unlink(out)
        try:
            proc = self.gpgsm("--output", out, "--decrypt", der, passphrase=passphrase)
        except ToolError as e:
            # gpgsm 2.2 logs "No secret key" for every other recipient of a
            # message (the sender's own copy is one) and then exits 2 even
            # when it decrypted with its own: success is DECRYPTION_OKAY.
            if b"DECRYPTION_OKAY" not in e.err or b"DECRYPTION_FAILED" in e.err:
                raise
            proc = e
            proc.stderr = e.err
        assert b"DECRYPTION_OKAY" in proc.stderr, proc.stderr.decode()
        with open(out, "rb") as f:
            return f.read()

    def verify(self, data):
        """Verifies a multipart/signed or signed-data entity; returns
        (content, signer's SHA-1 fingerprint). Raises unless the signature
        is good and the chain fully trusted."""
        if smime_kind(data) == "signed":
            content, sig = split_signed(data)
            proc = self.gpgsm("--verify", self._file("sig.p7s", sig), self._file("content", content))
        else:
            out = os.path.join(self.home, "out.bin")
            if os.path.exists(out):
                os.unlink(out)
            proc = self.gpgsm("--output", out, "--verify", self._file("in.p7m", cms_der(data)))
            with open(out, "rb") as f:
                content = f.read()
        status = proc.stderr.decode()
        good = re.search(r"^\[GNUPG:\] GOODSIG ([0-9A-F]{40}) ", status, re.M)
        assert good and "[GNUPG:] TRUST_FULLY" in status and "BADSIG" not in status, status
        return content, good.group(1)

    def encrypt(self, entity, recipients, headers=b""):
        """enveloped-data for @recipients (addresses), gpgsm's own default
        cipher (AES-128-CBC), as an application/pkcs7-mime message."""
        out = os.path.join(self.home, "enc.p7m")
        if os.path.exists(out):
            os.unlink(out)
        args = []
        for r in recipients:
            args += ["--recipient", r]
        self.gpgsm(*args, "--output", out, "--encrypt", self._file("plain", entity))
        with open(out, "rb") as f:
            der = f.read()
        return headers + mime_pkcs7(der, "enveloped-data")

    def sign(self, entity, signer, passphrase, headers=b""):
        """multipart/signed of @entity by @signer (an address)."""
        out = os.path.join(self.home, "sig.p7s")
        if os.path.exists(out):
            os.unlink(out)
        self.gpgsm("--local-user", signer, "--output", out, "--detach-sign",
                   self._file("tosign", entity), passphrase=passphrase)
        with open(out, "rb") as f:
            sig = f.read()
        boundary = "----=_gpgsm_" + uuid.uuid4().hex
        b64 = base64.encodebytes(sig).replace(b"\n", b"\r\n")
        return (headers + b"MIME-Version: 1.0\r\n"
                + f'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
                  f'micalg=sha-256; boundary="{boundary}"\r\n\r\n'.encode()
                + f"--{boundary}\r\n".encode() + entity
                + f"\r\n--{boundary}\r\n".encode()
                + b'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
                + b"Content-Transfer-Encoding: base64\r\n"
                + b'Content-Disposition: attachment; filename="smime.p7s"\r\n\r\n'
                + b64 + f"\r\n--{boundary}--\r\n".encode())

    def close(self):
        # Only this home's agent (and dirmngr, if anything started one).
        subprocess.run(["gpgconf", "--kill", "all"], env=self.env, capture_output=True,
                       timeout=TIMEOUT)


def mime_pkcs7(der, smime_type):
    b64 = base64.encodebytes(der).replace(b"\n", b"\r\n")
    return (b"MIME-Version: 1.0\r\n"
            + f'Content-Type: application/pkcs7-mime; smime-type={smime_type}; name="smime.p7m"\r\n'.encode()
            + b"Content-Transfer-Encoding: base64\r\n"
            + b'Content-Disposition: attachment; filename="smime.p7m"\r\n\r\n' + b64)
