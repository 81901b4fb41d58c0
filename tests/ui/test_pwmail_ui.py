"""Protect with a Password through the real window (Xvfb, AT-SPI) against
the rig's real servers and keyring: in Compose, Password on (Encrypt goes
off, and no draft is kept); a weak password is rated weak and Send asks
first (Cancel sends nothing); a hint that contains the password stops
Send; a strong one with a hint sends: the delivered message has the
readable explanation with the hint, the CMS form and message.html, opens
with `openssl cms -pwri_password` and `epistle-cli decrypt
--password-stdin` (a wrong password: status 7, nothing on stdout), and the
password is in no file of the app's, nor in the message. With Encrypt on
and a recipient without a certificate, "Protect with a Password Instead"
switches over. Then the same at 360 px, and Generate."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net"))

import netlib  # noqa: E402
import pyatspi  # noqa: E402
import uilib  # noqa: E402
from uilib import shot  # noqa: E402
from atspi import (click, find, find_all, find_app, get_text, is_sensitive, is_visible,  # noqa: E402
                   set_text, wait_until)

ACCOUNT = "eltern"
WEAK = "sommer"
STRONG = "Kupfer-Lampe-Wiese-73"
HINT = "Wo wir im Urlaub waren, mit Bindestrichen"
SECRET = "Zeugnis GEHEIM-4711: Mathe 1, Deutsch 2"
LOG = "epistle-pwmail-ui.log"
# Generous: this machine may be heavily loaded.
SLOW = 60
state = {}


def start_app(*args):
    return uilib.start_app(LOG, state.setdefault("procs", []), *args)


def raw(path):
    with open(path, "rb") as f:
        return f.read()


def new_files(before):
    return [p for p in netlib.maildir_files() if p not in before]


def is_on(node):
    states = node.getState()
    return states.contains(pyatspi.STATE_CHECKED) or states.contains(pyatspi.STATE_PRESSED)


def compose(app):
    # The Merge pane's message step has its own To, Subject and Message
    # Body: search the Compose page only.
    return find(app, "EpComposePage", "filler", timeout=SLOW)


def toggle(c, name):
    # GTK 4.8: a toggle button is a "push button", pressed when on.
    return find(c, name, match_extra=lambda n: "button" in n.getRoleName())


def password_field(c):
    return find(c, "Password", match_extra=lambda n: n.getRoleName() in ("text", "password text"))


def hint_field(c):
    return find(c, "Hint for the Recipient (optional)", "text")


def strength(c):
    return get_text(find(c, "Password Strength", "label"))


def level(c):
    bar = find(c, "Password Strength Level")
    try:
        return bar.queryValue().currentValue
    except NotImplementedError:
        return None


def app_files_containing(needle):
    """Every file under the app's XDG data and config dirs (SQLite, its WAL
    and journal files included) that holds @needle."""
    found = []
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        for root, _dirs, files in os.walk(os.environ[var]):
            for name in files:
                path = os.path.join(root, name)
                try:
                    if needle in raw(path):
                        found.append(path)
                except OSError:
                    pass
    return found


def newest_window(app, n_before):
    wait_until(lambda: app.childCount > n_before, "a dialog to open", timeout=SLOW)
    return app.getChildAtIndex(app.childCount - 1)


def write_settings(extra=""):
    config = os.environ["XDG_CONFIG_HOME"]
    os.makedirs(os.path.join(config, "glib-2.0", "settings"), exist_ok=True)
    with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as f:
        # A short undo delay: the test waits for the message anyway.
        f.write("[io/github/epistle/Epistle]\nundo-send-delay=uint32 2\n" + extra)


def test_weak_password_asks_before_sending():
    netlib.add_account(ACCOUNT)
    start_app()
    app = find_app("epistle", timeout=SLOW)
    state["app"] = app
    c = compose(app)
    state["c"] = c

    # Encrypt on first: Password turns it off (one or the other).
    click(toggle(c, "Encrypt"))
    wait_until(lambda: is_on(toggle(c, "Encrypt")), "Encrypt to turn on")
    password = toggle(c, "Protect with a Password")
    click(password)
    wait_until(lambda: is_on(password), "Password to turn on")
    wait_until(lambda: not is_on(toggle(c, "Encrypt")), "Encrypt to turn off")
    set_text(find(c, "To", "text"), "Eltern Muster <eltern@example.test>")
    set_text(find(c, "Subject", "text"), "Zeugnis")
    set_text(find(c, "Message Body", "text"), SECRET + "\n")
    # Never stored in plain text: no draft while Password is on.
    find(c, "Not kept as a draft", "label", timeout=SLOW)
    assert not app_files_containing(b"GEHEIM-4711"), app_files_containing(b"GEHEIM-4711")

    # Nothing typed yet: Send waits for a password.
    send = find(c, "Send", "push button")
    wait_until(lambda: not is_sensitive(send), "Send to wait for a password")
    wait_until(lambda: "tell it to them another way" in strength(c), "the explanation")

    set_text(password_field(c), WEAK)
    wait_until(lambda: strength(c).startswith("Weak password"), "the password rated weak")
    assert "shorter than" in strength(c), strength(c)
    assert level(c) in (None, 1.0), level(c)
    wait_until(lambda: is_sensitive(send), "Send to allow a weak password, asking first")
    shot("pwmail-1-weak")

    before = netlib.maildir_files()
    n_windows = app.childCount
    click(send)
    dialog = newest_window(app, n_windows)
    find(dialog, "Send with a Weak Password?", "label", timeout=SLOW)
    find(dialog, "shorter than", "label", contains=True)
    shot("pwmail-2-weak-confirm")
    find(dialog, "Send Anyway", "push button", contains=True)
    click(find(dialog, "Cancel", "push button", contains=True))
    wait_until(lambda: app.childCount <= n_windows, "the question to close", timeout=SLOW)
    # Cancelled: nothing queued, the message is still here.
    assert get_text(find(c, "Subject", "text")) == "Zeugnis"
    assert is_sensitive(find(c, "Send", "push button"))
    assert not new_files(before)
    assert netlib.cli("outbox", "list")[1].count("Zeugnis") == 0


def test_strong_password_and_hint_send():
    app = state["app"]
    c = state["c"]
    send = find(c, "Send", "push button")

    set_text(password_field(c), "Sommer2024")
    wait_until(lambda: strength(c).startswith("Fair password"), "the password rated fair")
    set_text(password_field(c), STRONG)
    wait_until(lambda: strength(c) == "Strong password", "the password rated strong")
    assert level(c) in (None, 3.0), level(c)
    # A hint that gives the password away stops Send.
    set_text(hint_field(c), "Es ist " + STRONG.lower())
    problem = find(c, "Password Problem", "label")
    wait_until(lambda: "hint contains the password" in get_text(problem), "the hint refused")
    wait_until(lambda: not is_sensitive(send), "Send to turn off")
    set_text(hint_field(c), HINT)
    wait_until(lambda: is_sensitive(send), "Send to turn on again")
    # GTK 4.8 drops a hidden widget from the tree (the old node still says visible).
    wait_until(lambda: not find_all(c, lambda n: n.name == "Password Problem" and is_visible(n)),
               "the problem to go")
    shot("pwmail-3-strong")

    before = netlib.maildir_files()
    n_windows = app.childCount
    click(send)
    files = wait_until(lambda: new_files(before), "the message in the Maildir", timeout=180)
    # Strong: no question was asked.
    assert app.childCount <= n_windows, app.childCount
    assert len(files) == 1, files
    state["file"] = files[0]
    # Sent: the form, the password and the hint are cleared.
    wait_until(lambda: get_text(find(c, "Subject", "text")) == "", "the form to clear",
               timeout=SLOW)
    wait_until(lambda: get_text(password_field(c)) == "", "the password to be cleared")
    assert get_text(hint_field(c)) == ""
    shot("pwmail-4-sent")


def test_delivered_message_opens_with_the_password_only():
    rigdir = netlib.env("EPISTLE_TEST_RIGDIR")
    path = state["file"]
    data = raw(path)
    msg = netlib.read_message(path)
    assert msg["Subject"] == "Zeugnis", msg["Subject"]
    assert msg.get_content_type() == "multipart/mixed", msg.get_content_type()
    parts = list(msg.iter_parts())
    types = [p.get_content_type() for p in parts]
    assert types == ["text/plain", "application/pkcs7-mime", "text/html"], types
    assert parts[2].get_filename() == "message.html", parts[2].get_filename()
    assert HINT in parts[0].get_content(), parts[0].get_content()
    # The password in no form, the content only encrypted.
    for needle in (STRONG.encode(), STRONG.lower().encode(), b"GEHEIM-4711"):
        assert needle not in data, needle
        for p in parts:
            assert needle not in p.get_payload(decode=True), (needle, p.get_content_type())
    # Nor in any file of the app's (store, WAL, settings, logs).
    assert not app_files_containing(STRONG.encode()), app_files_containing(STRONG.encode())

    p7m = os.path.join(rigdir, "pwmail.p7m")
    with open(p7m, "wb") as f:
        f.write(parts[1].get_payload(decode=True))
    out = subprocess.run(["openssl", "cms", "-decrypt", "-inform", "DER", "-in", p7m,
                          "-pwri_password", STRONG], capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert b"GEHEIM-4711" in out.stdout and b"Content-Type:" in out.stdout, out.stdout[:500]

    status, stdout, stderr = netlib.cli("decrypt", "--password-stdin", path,
                                        stdin=STRONG + "\n", timeout=300)
    assert status == 0, (status, stderr)
    assert SECRET in stdout, stdout[:500]
    status, stdout, stderr = netlib.cli("decrypt", "--password-stdin", path,
                                        stdin="Kupfer-Lampe-Wiese-74\n", timeout=300)
    assert status == 7, (status, stdout, stderr)
    assert stdout == "", stdout[:200]


def test_encrypt_without_certificate_offers_a_password():
    c = state["c"]
    password = toggle(c, "Protect with a Password")
    encrypt = toggle(c, "Encrypt")
    click(encrypt)
    wait_until(lambda: is_on(encrypt), "Encrypt to turn on")
    wait_until(lambda: not is_on(password), "Password to turn off")
    set_text(find(c, "To", "text"), "niemand@example.test")
    protection = find(c, "Protection", "label")
    wait_until(lambda: "Cannot encrypt" in get_text(protection), "the missing certificate",
               timeout=SLOW)
    instead = find(c, "Protect with a Password Instead", "push button")
    wait_until(lambda: is_visible(instead), "the offer of a password")
    wait_until(lambda: not is_sensitive(find(c, "Send", "push button")), "Send to turn off")
    shot("pwmail-5-instead")
    click(instead)
    wait_until(lambda: is_on(password), "Password to turn on")
    wait_until(lambda: not is_on(encrypt), "Encrypt to turn off")
    # GTK 4.8 drops a hidden widget from the tree (the old node still says visible).
    wait_until(lambda: not find_all(c, lambda n: n.name == "Protect with a Password Instead"
                                    and is_visible(n)), "the offer to go")
    assert is_visible(password_field(c))


def test_send_anyway_sends_with_the_weak_password():
    app = state["app"]
    c = state["c"]
    set_text(find(c, "Subject", "text"), "Kurz")
    set_text(find(c, "Message Body", "text"), "Schwach geschützt KURZ-0815\n")
    set_text(password_field(c), WEAK)
    wait_until(lambda: strength(c).startswith("Weak password"), "the password rated weak")
    send = find(c, "Send", "push button")
    wait_until(lambda: is_sensitive(send), "Send to turn on")
    before = netlib.maildir_files()
    n_windows = app.childCount
    click(send)
    dialog = newest_window(app, n_windows)
    find(dialog, "Send with a Weak Password?", "label", timeout=SLOW)
    click(find(dialog, "Send Anyway", "push button", contains=True))
    files = wait_until(lambda: new_files(before), "the message in the Maildir", timeout=180)
    assert len(files) == 1, files
    assert b"KURZ-0815" not in raw(files[0])
    status, stdout, stderr = netlib.cli("decrypt", "--password-stdin", files[0],
                                        stdin=WEAK + "\n", timeout=300)
    assert status == 0 and "KURZ-0815" in stdout, (status, stderr)
    wait_until(lambda: get_text(password_field(c)) == "", "the password to be cleared")


REMEMBERED = "Birnbaum-Ufer-Klee-58"


def test_remembered_password_is_filled_in_next_time():
    app = state["app"]
    c = state["c"]
    wait_until(lambda: is_on(toggle(c, "Protect with a Password")), "Password to be on still")
    set_text(find(c, "To", "text"), "Oma Muster <oma@example.test>")
    set_text(find(c, "Subject", "text"), "Fotos")
    set_text(find(c, "Message Body", "text"), "Die Fotos OMA-2612\n")
    set_text(password_field(c), REMEMBERED)
    wait_until(lambda: strength(c) == "Strong password", "the password rated strong")
    remember = find(c, "Remember for These Recipients", "check box", contains=True)
    click(remember)
    wait_until(lambda: is_on(remember), "Remember to turn on")
    send = find(c, "Send", "push button")
    wait_until(lambda: is_sensitive(send), "Send to turn on")
    before = netlib.maildir_files()
    click(send)
    files = wait_until(lambda: new_files(before), "the message in the Maildir", timeout=180)
    assert len(files) == 1, files
    wait_until(lambda: get_text(password_field(c)) == "", "the password to be cleared")
    # Kept in the vault only: encrypted, in no file in the clear.
    assert not app_files_containing(REMEMBERED.encode()), app_files_containing(REMEMBERED.encode())

    # The next message to her starts with it, and says so.
    set_text(find(c, "To", "text"), "oma@example.test")
    set_text(find(c, "Subject", "text"), "Noch mehr Fotos")
    wait_until(lambda: get_text(password_field(c)) != "", "the remembered password to be filled in",
               timeout=SLOW)
    find(c, "The password you used for them before is filled in", contains=True, timeout=SLOW)
    shot("pwmail-7-remembered")
    # Another recipient: nothing is filled in for them.
    set_text(password_field(c), "")
    set_text(find(c, "To", "text"), "jemand@example.test")
    set_text(find(c, "Subject", "text"), "")
    set_text(find(c, "Message Body", "text"), "")


def window_width(app):
    window = next(app.getChildAtIndex(i) for i in range(app.childCount)
                  if app.getChildAtIndex(i) is not None and
                  app.getChildAtIndex(i).getRoleName() == "frame")
    return window.queryComponent().getExtents(pyatspi.DESKTOP_COORDS).width


def test_narrow_window_and_generate():
    app = state["app"]
    uilib.stop_all(state["procs"])
    wait_until(lambda: all(p.poll() is not None for p in state["procs"]), "the app to end")
    write_settings("window-width=360\nwindow-height=740\n")
    start_app()
    app = find_app("epistle", timeout=SLOW)
    c = compose(app)
    password = toggle(c, "Protect with a Password")
    click(password)
    wait_until(lambda: is_on(password), "Password to turn on")
    set_text(find(c, "To", "text"), "niemand@example.test")
    set_text(password_field(c), WEAK)
    wait_until(lambda: strength(c).startswith("Weak password"), "the password rated weak")
    shot("pwmail-6-narrow-weak")
    click(find(c, "Generate Password", "push button"))
    wait_until(lambda: strength(c) == "Strong password", "a generated password, strong")
    # Shown, to be read out (a hidden one reads as bullets).
    generated = get_text(password_field(c))
    assert len(generated) >= 8 and "•" not in generated and generated != WEAK, generated
    assert is_sensitive(find(c, "Copy Password", "push button"))
    # Everything fits: the window did not have to grow.
    find(c, "Not kept as a draft", "label", timeout=SLOW)
    assert window_width(app) <= 360, window_width(app)
    shot("pwmail-7-narrow-generated")
    click(password)
    wait_until(lambda: not is_on(password), "Password to turn off")
    click(toggle(c, "Encrypt"))
    wait_until(lambda: is_visible(find(c, "Protect with a Password Instead", "push button")),
               "the offer of a password", timeout=SLOW)
    assert window_width(app) <= 360, window_width(app)
    shot("pwmail-8-narrow-instead")
    # The generated password went nowhere either.
    assert not app_files_containing(generated.encode())


def main():
    netlib._init()
    # A real settings file, so the narrow test can start the app at 360 px.
    write_settings()
    os.environ["GSETTINGS_BACKEND"] = "keyfile"
    uilib.run([test_weak_password_asks_before_sending, test_strong_password_and_hint_send,
               test_delivered_message_opens_with_the_password_only,
               test_encrypt_without_certificate_offers_a_password,
               test_send_anyway_sends_with_the_weak_password,
               test_remembered_password_is_filled_in_next_time,
               test_narrow_window_and_generate],
              state.setdefault("procs", []), LOG, "pwmail")


if __name__ == "__main__":
    main()
