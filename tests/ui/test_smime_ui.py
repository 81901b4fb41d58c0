"""S/MIME through the real window (Xvfb, AT-SPI) against the rig's real
servers and keyring: a .p12 imported in Preferences, Encryption with its
password (a wrong one is refused and says so); Compose with Encrypt on
refuses a recipient without a certificate, naming them, and sends to one
with a certificate: the Maildir copy decrypts with `openssl cms` with the
recipient's key and with the sender's own, and verifies; the merge
wizard's Preview step, with Encrypt on, lists the row without a
certificate by number, continues without it, and every delivered message
decrypts with its own recipient's key only."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net"))

import netlib  # noqa: E402
import smimelib as S  # noqa: E402
import uilib  # noqa: E402
from uilib import shot  # noqa: E402
from atspi import (click, find, find_all, find_app, get_text, is_sensitive, newest_dialog,  # noqa: E402
                   set_text, wait_until)

ACCOUNT = "school"
P12_PASSWORD = "Lehrer-Schlüssel 7"
state = {}


def start_app(*args):
    return uilib.start_app("epistle-smime-ui.log", state.setdefault("procs", []), *args)


def cli_ok(*args, stdin=None):
    status, out, err = netlib.cli(*args, stdin=stdin)
    assert status == 0, (args, status, out, err)
    return out


def new_files(before):
    return [p for p in netlib.maildir_files() if p not in before]


def raw(path):
    with open(path, "rb") as f:
        return f.read()


def import_button(app):
    # The password dialog's response (GTK 4.8 names it "_Import Import").
    return find(app, "_Import", "push button", contains=True,
                match_extra=lambda n: n.name.startswith("_Import"))


def test_import_identity_in_preferences():
    rigdir = netlib.env("EPISTLE_TEST_RIGDIR")
    pki = S.Pki(os.path.join(rigdir, "pki"))
    me = pki.issue("Test Sender", f"{netlib.USER}@example.test")
    state.update(pki=pki, me=me, p12=pki.p12(me, P12_PASSWORD))
    netlib.add_account(ACCOUNT)
    # The school's authority vouches for the pupils' certificates.
    cli_ok("vault", "import-cert", pki.ca_cert)
    cli_ok("vault", "trust", pki.ca_fpr)

    start_app()
    app = find_app("epistle", timeout=30)
    state["app"] = app
    # Opening the .p12 with Epistle (as from Files) opens Preferences,
    # Encryption, asking for its password. (The Import… button's file
    # chooser cannot be typed into here: Xvfb has no window manager to
    # give it the keyboard.)
    n_windows = app.childCount
    start_app(state["p12"]).wait(20)
    prefs = wait_until(lambda: next((app.getChildAtIndex(i) for i in range(app.childCount)
                                     if app.getChildAtIndex(i) is not None and
                                     app.getChildAtIndex(i).name == "Preferences"), None),
                       "Preferences to open")
    find(prefs, "Import Your Certificate", "push button", timeout=20)
    password = find(app, "Password", "text", timeout=20)
    set_text(password, "wrong password")
    click(import_button(app))
    find(app, "password does not open", contains=True, timeout=20)
    shot("smime-1-wrong-password")
    set_text(find(app, "Password", "text"), P12_PASSWORD)
    click(import_button(app))
    find(prefs, "Test Sender", contains=True, timeout=30,
         match_extra=lambda n: n.getRoleName() != "text")
    shot("smime-2-imported")
    # In the vault: the identity, accepted, not a copy of the password.
    listed = cli_ok("vault", "list")
    assert any(line.startswith("identity") and f"{netlib.USER}@example.test" in line
               for line in listed.splitlines()), listed
    click(find(prefs, "Close", "push button"))
    wait_until(lambda: not any(app.getChildAtIndex(i) is not None and
                               app.getChildAtIndex(i).name == "Preferences"
                               for i in range(app.childCount)), "Preferences to close")


def _encrypt_toggle(app):
    return find(app, "Encrypt", match_extra=lambda n: "button" in n.getRoleName())


def test_compose_encrypted_message():
    app = state["app"]
    pki = state["pki"]
    # The Merge pane's message step has its own To, Subject and Message
    # Body: search the Compose page only.
    c = find(app, "EpComposePage", "filler")
    bob = pki.issue("Bob Student", "bob@example.test")
    cli_ok("vault", "import-cert", bob.cert)

    click(_encrypt_toggle(c))
    set_text(find(c, "To", "text"), "nobody@example.test")
    set_text(find(c, "Subject", "text"), "Zeugnis")
    set_text(find(c, "Message Body", "text"), "Mathe 1, Deutsch 2 GEHEIM-4711\n")
    # Never stored in plain text: no draft while Encrypt is on.
    find(c, "Not kept as a draft", "label", timeout=20)
    data_dir = os.path.join(os.environ["XDG_DATA_HOME"], "epistle")
    for name in os.listdir(data_dir):
        assert b"GEHEIM-4711" not in raw(os.path.join(data_dir, name)), name
    protection = find(c, "Protection", "label")
    wait_until(lambda: "nobody@example.test" in get_text(protection), "the missing certificate")
    assert "No certificate" in get_text(protection), get_text(protection)
    send = find(c, "Send", "push button")
    wait_until(lambda: not is_sensitive(send), "Send to turn off")
    shot("smime-3-no-certificate")

    set_text(find(c, "To", "text"), "Bob Student <bob@example.test>")
    wait_until(lambda: "Encrypted for bob@example.test" in get_text(protection),
               "the recipient's certificate found")
    wait_until(lambda: is_sensitive(send), "Send to turn on")
    shot("smime-4-encrypted")
    before = netlib.maildir_files()
    click(send)
    files = wait_until(lambda: new_files(before), "the message in the Maildir", timeout=60)
    assert len(files) == 1, files
    data = raw(files[0])
    assert b"GEHEIM-4711" not in data and b"application/pkcs7-mime" in data
    assert b"Subject: Zeugnis" in data
    for who in (bob, state["me"]):
        inner = S.openssl_decrypt(files[0], who.cert, who.key)
        assert b"multipart/signed" in inner, (who.address, inner[:300], data[:1500])
        # Signed inside by the sender's certificate, which the CA issued.
        path = os.path.join(netlib.env("EPISTLE_TEST_RIGDIR"), "inner.eml")
        with open(path, "wb") as f:
            f.write(inner)
        content = S.openssl("cms", "-verify", "-in", path, "-CAfile", pki.ca_cert).stdout
        assert b"GEHEIM-4711" in content, content
    # Encrypt stays on for this account next time.
    wait_until(lambda: get_text(find(c, "Subject", "text")) == "", "the form to clear")


def test_wizard_encrypts_each_row():
    app = state["app"]
    pki = state["pki"]
    rigdir = netlib.env("EPISTLE_TEST_RIGDIR")
    pupils = [pki.issue(f"Pupil {i}", f"pupil{i}@example.test", rsa=False) for i in (1, 2, 3)]
    for p in pupils:
        cli_ok("vault", "import-cert", p.cert)
    path = os.path.join(rigdir, "noten.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("Name,Email\n" + "".join(f"Pupil {i},pupil{i}@example.test\n" for i in (1, 2, 3))
                + "Pupil 4,pupil4@example.test\n")
    start_app(path).wait(20)
    w = find(app, "Merge Wizard", timeout=30)
    find(w, "noten.csv — 4 rows, 2 columns", "label", timeout=30)
    click(find(w, "Next", "push button"))
    find(w, "Step 2 of 4: Message", "label", contains=True, timeout=30)
    to = find(w, "To", "text")
    wait_until(lambda: get_text(to) == "{{ Email }}", "To to be the address column")
    set_text(find(w, "Subject", "text"), "Noten für {{ Name }}")
    set_text(find(w, "Message Body", "text"), "Hallo {{ Name }}, VERTRAULICH\n")
    next_button = find(w, "Next", "push button")
    wait_until(lambda: is_sensitive(next_button), "Next to allow the preview")
    click(next_button)
    find(w, "All 4 rows are ready to send.", "label", timeout=30)
    # GTK 4.8: a GtkSwitch is a "check box", named after its row and label.
    switches = find_all(w, lambda n: "Encrypt Each Message for Its Recipient" in n.name
                        and n.getRoleName() == "check box")
    assert len(switches) == 1, [(n.getRoleName(), n.name) for n in find_all(
        w, lambda n: "Encrypt" in n.name)]
    click(switches[0])
    find(w, "3 of 4 rows can be sent; 1 has problems.", "label", timeout=30)
    find(w, "Row 5", "label", timeout=20)
    labels = [n.name for n in find_all(w, lambda n: n.getRoleName() == "label")]
    assert sorted(n for n in labels if n.startswith("Row ") and n[4:].isdigit()) == ["Row 5"], labels
    assert any("pupil4@example.test" in n and "certificate" in n for n in labels), labels
    shot("smime-5-wizard-preview")
    click(find(w, "Continue with the 3 Rows without Problems", "push button", contains=True))
    find(w, "Step 4 of 4: Send", "label", timeout=30)
    before = netlib.maildir_files()
    n_windows = app.childCount
    click(find(w, "Send 3 Messages", "push button", contains=True))
    dialog = newest_dialog(app, n_windows)
    find(dialog, "encrypted for its recipient", contains=True, timeout=20)
    shot("smime-6-wizard-confirm")
    click(find(dialog, "Send", "push button", contains=True, match_extra=lambda n: "3" not in n.name))
    files = wait_until(lambda: len(new_files(before)) >= 3 and new_files(before),
                       "the three messages", timeout=90)
    assert len(files) == 3, files
    for f in files:
        data = raw(f)
        assert b"VERTRAULICH" not in data
        to = [p for p in pupils if f"{p.address}".encode() in data.split(b"\r\n\r\n")[0]
              or p.address.encode() in data[:2000]]
        assert len(to) == 1, data[:600]
        assert b"VERTRAULICH" in S.openssl_decrypt(f, to[0].cert, to[0].key)
        for other in pupils:
            if other is not to[0]:
                try:
                    S.openssl_decrypt(f, other.cert, other.key)
                except AssertionError:
                    continue
                raise AssertionError(f"{other.address}'s key opened {to[0].address}'s message")
    assert not any(b"pupil4@" in raw(f)[:2000] for f in new_files(before))


def main():
    uilib.run([test_import_identity_in_preferences, test_compose_encrypted_message,
               test_wizard_encrypts_each_row],
              state.setdefault("procs", []), "epistle-smime-ui.log", "smime")


if __name__ == "__main__":
    main()
