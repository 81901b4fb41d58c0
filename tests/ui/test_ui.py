"""End to end through the real window: the `epistle` binary under Xvfb,
driven over AT-SPI by accessible name and role, against the rig's real
Dovecot, SMTP submission server and gnome-keyring. Nothing here calls
Epistle's code; the CLI is used only to look at what the app stored.

Run through meson (`meson test --suite ui`), which wraps it in
tests/servers/rig.sh with RIG_XVFB=1. Prints TAP. With EPISTLE_UI_SHOTS set,
screenshots go into that directory.
"""

import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "net"))

import netlib  # noqa: E402
import uilib as ui  # noqa: E402  (prepares the session bus for AT-SPI on import)

APP = ui.env("EPISTLE_APP")
SHOTS = os.environ.get("EPISTLE_UI_SHOTS")

SENDER_NAME = "Ann Teacher"
TO = "Bob <bob@example.test>"
SUBJECT = "Zeugnis für Björn – ✓"
BODY = "Hallo Björn,\nhier sind deine Noten: Mathe 1, Deutsch 2. Grüße, Ann ✓\n"
ATTACHMENT_NAME = "noten-björn.bin"
ATTACHMENT = bytes(range(256)) * 24 + "Prüfung ✓".encode() + b"\x00\xff\r\n.\r\n"

S = {}      # shared between the tests, in order: app, a11y app, main window


def shot(name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        ui.screenshot(os.path.join(SHOTS, name + ".png"))


def new_files(before):
    return [p for p in netlib.maildir_files() if p not in before]


def main_window():
    return S["main"]


def compose_showing():
    return ui.is_showing(ui.find(main_window(), "To", "text", timeout=2))


def test_add_account_through_dialog():
    S["app"] = app = ui.App(APP)
    a11y = S["a11y"] = ui.find_app("epistle")
    # Only one window yet: listing it cannot race a closing one.
    main = S["main"] = ui.find_window(a11y, "Epistle", roles=("frame",))
    assert ui.a11y_bus_socket(), "the accessibility bus is not this rig's own"

    add = ui.find(main, "Add Account", "push button", showing=True)
    ui.find(main, "Welcome to Epistle", "label", showing=True)
    assert not compose_showing(), "the compose pane shows before there is an account"
    ui.click(add)

    dialog = ui.find_window(a11y, "Add Account")
    provider = ui.find(dialog, "Provider", "combo box")
    # A provider fills in its servers; "Other" must not keep them.
    ui.select_combo(provider, "Gmail")
    assert ui.get_text(ui.find(dialog, "SMTP Server", "text")) == "smtp.gmail.com"
    ui.select_combo(provider, "Other")
    assert ui.get_text(ui.find(dialog, "SMTP Server", "text")) == ""

    fields = [
        ("Your Name", SENDER_NAME),
        ("Email Address", f"{netlib.USER}@example.test"),
        ("Password", netlib.PASSWORD),
        ("SMTP Server", "127.0.0.1"),
        ("SMTP Port", ui.env("EPISTLE_TEST_SMTP_PORT")),
        ("IMAP Server", "127.0.0.1"),
        ("IMAP Port", ui.env("EPISTLE_TEST_IMAPS_PORT")),
        ("User Name", netlib.USER),
        ("CA File", ui.env("EPISTLE_TEST_CA")),   # the row takes a typed path
    ]
    for name, value in fields:
        entry = ui.find(dialog, name, "text")
        ui.set_text(entry, value)
        ui.wait_until(lambda: ui.get_text(entry) == value, f"{name!r} to hold what was typed", 5)
    smtp_security = ui.find(dialog, "SMTP Security", "combo box")
    imap_security = ui.find(dialog, "IMAP Security", "combo box")
    if ui.combo_value(smtp_security) != "STARTTLS":
        ui.select_combo(smtp_security, "STARTTLS", backwards=False)
    if ui.combo_value(imap_security) != "TLS":
        ui.select_combo(imap_security, "TLS", backwards=False)
    assert ui.combo_value(provider) == "Other"
    assert ui.combo_value(smtp_security) == "STARTTLS"
    assert ui.combo_value(imap_security) == "TLS"

    before_events = len(netlib.events())
    ui.click(ui.find_button(dialog, "Test Connection"))
    result = ui.find(dialog, "Connection Test Result", "label")

    def finished():
        text = ui.get_text(result)
        return text if ("works" in text or "failed" in text) else None
    text = ui.wait_until(finished, "the connection test result")
    assert "The connection works." in text, text
    assert text.count("Login: accepted") == 2, text          # SMTP and IMAP
    assert text.count("certificate verified") == 2, text     # with the run's CA
    assert "TLSv1." in text, text
    # It really logged in to the rig's SMTP server (after STARTTLS).
    auths = netlib.events_of("auth", before_events)
    assert any(e.get("ok") and e.get("user") == netlib.USER for e in auths), auths
    assert not netlib.events_of("mail", before_events), "the connection test must not send"
    shot("1a-connection-tested")

    ui.click(ui.find_button(dialog, "Add"))
    ui.wait_windows(a11y, 1, "the account dialog to close")
    ui.wait_until(compose_showing, "the compose pane")
    ui.wait_until(lambda: not ui.is_showing(ui.find(main, "Add Account", "push button", timeout=2)),
                  "the welcome page to go away")
    sender = ui.find(main, "From", "combo box")
    ui.wait_until(lambda: f"{netlib.USER}@example.test" in (ui.combo_value(sender) or ""),
                  "the new account in From")

    # Stored, with the password in the keyring (the CLI can log in with it).
    status, out, err = netlib.cli("account", "list")
    assert status == 0 and f"{netlib.USER}@example.test" in out, out + err
    status, out, err = netlib.cli("account", "test", f"{netlib.USER}@example.test")
    assert status == 0 and out.count("Login: accepted") == 2, out + err
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        for root, _, files in os.walk(ui.env(var)):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    assert netlib.PASSWORD.encode() not in f.read(), f"the password is in {name}"
    shot("1b-account-added")


def attach_through_chooser(main, a11y, path):
    windows = ui.window_count(a11y)
    ui.click(ui.find(main, "Attach Files", "push button"))
    chooser = ui.find_window(a11y, "Attach Files")
    # Ctrl+L opens the chooser's location entry; retry once if the first
    # key press arrived before the new window had the keyboard focus.
    location = None
    for _ in range(3):
        ui.press("l", "ctrl")
        try:
            location = ui.wait_until(
                lambda: ui.find_all(chooser, lambda n: ui.role(n) == "text"
                                    and n.name == "GtkFileChooserEntry" and ui.is_showing(n)),
                "the location entry", timeout=3)[0]
            break
        except AssertionError:
            continue
    assert location is not None, "Ctrl+L did not open the file chooser's location entry"
    ui.set_text(location, path)
    ui.wait_until(lambda: ui.get_text(location) == path, "the path in the location entry", 5)
    ui.click(ui.find_button(chooser, "Attach"))
    ui.wait_windows(a11y, windows, "the file chooser to close")


def test_compose_and_send_with_attachment():
    S["app"].assert_running()
    main, a11y = S["main"], S["a11y"]
    path = os.path.join(ui.env("EPISTLE_TEST_RIGDIR"), ATTACHMENT_NAME)
    with open(path, "wb") as f:
        f.write(ATTACHMENT)

    ui.set_text(ui.find(main, "To", "text"), TO)
    ui.set_text(ui.find(main, "Subject", "text"), SUBJECT)
    ui.set_text(ui.find(main, "Message Body", "text"), BODY)
    attach_through_chooser(main, a11y, path)
    ui.find(main, f"Remove {ATTACHMENT_NAME}", "push button", showing=True)
    assert ui.get_text(ui.find(main, "Subject", "text")) == SUBJECT
    assert ui.get_text(ui.find(main, "Message Body", "text")) == BODY
    send = ui.find(main, "Send", "push button")
    ui.wait_until(lambda: ui.is_sensitive(send), "Send to be sensitive")
    shot("2a-composed")

    before = netlib.maildir_files()
    before_events = len(netlib.events())
    ui.click(send)
    ui.find(main, "Message sent to 1 recipient", "label")
    files = ui.wait_until(lambda: new_files(before), "the message in the Maildir")
    assert len(files) == 1, files
    shot("2b-sent")

    msg = netlib.read_message(files[0])
    assert msg["Subject"] == SUBJECT, msg["Subject"]
    assert msg["To"] == TO, msg["To"]
    assert msg["From"] == f"{SENDER_NAME} <{netlib.USER}@example.test>", msg["From"]
    body = msg.get_body(preferencelist=("plain",))
    assert body.get_content().replace("\r\n", "\n") == BODY, repr(body.get_content())
    parts = list(msg.iter_attachments())
    assert len(parts) == 1, [p.get_filename() for p in parts]
    assert parts[0].get_filename() == ATTACHMENT_NAME, parts[0].get_filename()
    assert parts[0].get_content() == ATTACHMENT, "the attachment is not byte for byte the file"
    rcpts = [e["address"] for e in netlib.events_of("rcpt", before_events)]
    assert rcpts == ["bob@example.test"], rcpts
    # Sent: the form is empty again, ready for the next message.
    ui.wait_until(lambda: ui.get_text(ui.find(main, "Subject", "text")) == "", "the form to clear")
    S["app"].assert_running()


def test_invalid_address_blocks_send():
    S["app"].assert_running()
    main = S["main"]
    to = ui.find(main, "To", "text")
    send = ui.find(main, "Send", "push button")
    ui.set_text(ui.find(main, "Subject", "text"), "Noten")
    ui.set_text(ui.find(main, "Message Body", "text"), "Siehe Anhang.\n")

    ui.set_text(to, "student412@example")
    problem = ui.find(main, "Address Problem", "label")
    ui.wait_until(lambda: "student412@example" in ui.get_text(problem), "the address explanation")
    assert ui.is_showing(problem), "the explanation is not on screen"
    ui.wait_until(lambda: not ui.is_sensitive(send), "Send to become insensitive")
    st = ui.states(send)
    assert not st.contains(ui.pyatspi.STATE_SENSITIVE) and not st.contains(ui.pyatspi.STATE_ENABLED)

    ui.set_text(to, "student412@example.test")
    ui.wait_until(lambda: ui.is_sensitive(send), "Send to become sensitive again")
    ui.wait_until(lambda: "student412" not in ui.get_text(problem) or not ui.is_showing(problem),
                  "the explanation to go away")
    S["app"].assert_running()


def test_wrong_password_then_reenter():
    S["app"].assert_running()
    main, a11y = S["main"], S["a11y"]
    subject = "Noten – zweiter Versuch"
    ui.set_text(ui.find(main, "To", "text"), "bob@example.test")
    ui.set_text(ui.find(main, "Subject", "text"), subject)
    ui.set_text(ui.find(main, "Message Body", "text"), "Siehe Anhang.\n")
    send = ui.find(main, "Send", "push button")
    ui.wait_until(lambda: ui.is_sensitive(send), "Send to be sensitive")

    netlib.set_faults({"auth_fail": True})
    before_files = netlib.maildir_files()
    before_events = len(netlib.events())
    ui.click(send)

    dialog = ui.find_window(a11y, "Wrong Password", roles=("dialog", "alert"))
    assert "Wrong Password" in ui.labels_in(dialog)         # the heading
    reenter = ui.find_button(dialog, "Re-enter Password", showing=True)
    ui.find_button(dialog, "Close", showing=True)
    shot("4a-wrong-password")
    auths = netlib.events_of("auth", before_events)
    assert auths and not any(e.get("ok") for e in auths), auths
    assert netlib.events_of("mail", before_events) == [], "MAIL FROM after a refused login"
    assert new_files(before_files) == [], "something was delivered"
    # The message is kept for the next try.
    assert ui.get_text(ui.find(main, "Subject", "text")) == subject

    netlib.set_faults({})
    ui.click(reenter)
    # The alert closes and the password dialog opens in the same dispatch.
    password_dialog = ui.find_window(a11y, "Password Needed")
    ui.set_text(ui.find(password_dialog, "Password", "text"), netlib.PASSWORD)
    save = ui.find_button(password_dialog, "Save")
    ui.wait_until(lambda: ui.is_sensitive(save), "Save to be sensitive")
    ui.click(save)
    ui.wait_windows(a11y, 1, "the password dialog to close")

    files = ui.wait_until(lambda: new_files(before_files), "the message sent again")
    assert len(files) == 1, files
    assert netlib.read_message(files[0])["Subject"] == subject
    auths = netlib.events_of("auth", before_events)
    assert auths[-1].get("ok") is True, auths
    ui.wait_until(lambda: ui.get_text(ui.find(main, "Subject", "text")) == "", "the form to clear")
    S["app"].assert_running()


TESTS = [
    test_add_account_through_dialog,
    test_compose_and_send_with_attachment,
    test_invalid_address_blocks_send,
    test_wrong_password_then_reenter,
]


def main():
    netlib._init()
    print(f"1..{len(TESTS)}", flush=True)
    failed = 0
    start = time.monotonic()
    try:
        for number, test in enumerate(TESTS, 1):
            t0 = time.monotonic()
            try:
                netlib.set_faults({})
                test()
                print(f"ok {number} - {test.__name__} ({time.monotonic() - t0:.1f} s)", flush=True)
            except Exception:
                failed += 1
                print(f"not ok {number} - {test.__name__} ({time.monotonic() - t0:.1f} s)")
                ui.tap_diagnostics(traceback.format_exc().splitlines())
                if "app" in S:
                    ui.tap_diagnostics(["epistle's output (end):"]
                                       + ["  " + line for line in S["app"].tail()])
                shot(f"failed-{number}")
            finally:
                netlib.set_faults({})
    finally:
        if "app" in S:
            S["app"].stop()
    print(f"# total {time.monotonic() - start:.1f} s", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
