"""End to end through the real window: the real `epistle` binary under Xvfb,
driven over AT-SPI by accessible name and role, against the rig's real
Dovecot, SMTP server and keyring. Nothing here calls Epistle's functions.
"""

import base64
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net"))

import netlib  # noqa: E402
import uilib  # noqa: E402
import pyatspi  # noqa: E402
from uilib import shot  # noqa: E402
from atspi import (click, click_pointer, find, find_all, find_app, get_text, is_sensitive,  # noqa: E402
                   newest_dialog, press, screenshot, set_text, text_of_labels, type_text, wait_until)

SUBJECT = "Zeugnis für Björn – ✓"
BODY = "Hallo Björn,\nhier sind deine Noten: Mathe 1, Deutsch 2.\n"

state = {}


def start_app(*args):
    return uilib.start_app("epistle-ui.log", state.setdefault("procs", []), *args)


def wait_windows_closed(app, count=1):
    # GTK 4.8 can crash if a window goes away while a screen reader walks the
    # window list: after closing one, wait until it is gone before searching.
    wait_until(lambda: app.childCount <= count, "the dialog to close")


def stop_apps():
    uilib.stop_all(state.get("procs", []))


def new_maildir_files(before):
    return [p for p in netlib.maildir_files() if p not in before]


def test_add_account_through_dialog():
    start_app()
    app = find_app("epistle")
    state["app"] = app
    click(find(app, "Add Account", "push button"))

    dialog_add = find(app, "Add", "push button")
    fields = {
        "Your Name": "Ann Teacher",
        "Email Address": f"{netlib.USER}@example.test",
        "Password": netlib.PASSWORD,
        "SMTP Server": "127.0.0.1",
        "SMTP Port": netlib.env("EPISTLE_TEST_SMTP_PORT"),
        "IMAP Server": "127.0.0.1",
        "IMAP Port": netlib.env("EPISTLE_TEST_IMAPS_PORT"),
        "User Name": netlib.USER,
        "CA File": netlib.env("EPISTLE_TEST_CA"),
    }
    for name, value in fields.items():
        set_text(find(app, name, "text"), value)
    # "Other" defaults: STARTTLS for SMTP, TLS for IMAP, as the rig serves.
    assert "STARTTLS" in text_of_labels(find(app, "SMTP Security", "combo box"))
    assert "TLS" in text_of_labels(find(app, "IMAP Security", "combo box"))

    click(find(app, "Test Connection", "push button"))
    result = find(app, "Connection Test Result", "label")

    def finished():
        text = get_text(result)
        return text if ("Login: accepted" in text or "failed" in text.lower()
                        or "could not" in text.lower()) else None
    text = wait_until(finished, "the connection test result", timeout=40)
    assert text.count("Login: accepted") == 2, text
    assert "TLSv1." in text, text
    shot("1-account-tested")

    click(dialog_add)
    wait_windows_closed(app)
    # Saved (store + keyring) off the main thread: the CLI sees it shortly.
    wait_until(lambda: f"{netlib.USER}@example.test" in netlib.cli("account", "list")[1],
               "the account in the store")
    # The password went to the keyring, not to a file.
    status, out, err = netlib.cli("account", "test", f"{netlib.USER}@example.test")
    assert status == 0 and out.count("Login: accepted") == 2, out + err


def test_invalid_address_blocks_send():
    app = state["app"]
    to = find(app, "To", "text")
    send = find(app, "Send", "push button")
    set_text(to, "student412@example")
    problem = find(app, "Address Problem", "label")
    wait_until(lambda: "student412@example" in get_text(problem), "the address explanation")
    assert "no dot" in get_text(problem), get_text(problem)
    wait_until(lambda: not is_sensitive(send), "Send to turn off")
    set_text(to, "Bob Student <bob@example.test>")
    wait_until(lambda: is_sensitive(send), "Send to turn on again")
    wait_until(lambda: get_text(problem) == "", "the explanation to go away")

    # Typed into the field, an address is not called wrong while it is
    # being written; leaving the field says what is wrong with it.
    set_text(to, "")
    wait_until(lambda: get_text(problem) == "" and not is_sensitive(send), "an empty To")
    click_pointer(to)
    type_text("Bob <bob@example")
    wait_until(lambda: get_text(to) == "Bob <bob@example", "the typed address", timeout=30)
    assert get_text(problem) == "", get_text(problem)
    assert not is_sensitive(send)
    click_pointer(find(app, "Subject", "text"))
    wait_until(lambda: "is not closed with" in get_text(problem), "the explanation on leaving")
    shot("2-address-explained")
    set_text(to, "Bob Student <bob@example.test>")
    wait_until(lambda: get_text(problem) == "" and is_sensitive(send), "Send to turn on again")


def test_compose_and_send_with_attachment():
    app = state["app"]
    rigdir = netlib.env("EPISTLE_TEST_RIGDIR")
    data = bytes(range(256)) * 40 + "Prüfung ✓".encode()
    path = os.path.join(rigdir, "Noten Björn.bin")
    with open(path, "wb") as f:
        f.write(data)

    set_text(find(app, "To", "text"), "Bob Student <bob@example.test>")
    set_text(find(app, "Subject", "text"), SUBJECT)
    set_text(find(app, "Message Body", "text"), BODY)
    # Opening a file with Epistle (as from Files) attaches it to the message.
    start_app(path).wait(20)
    find(app, "Remove Noten Björn.bin", "push button")
    shot("2-composed")

    before = netlib.maildir_files()
    click(find(app, "Send", "push button"))
    # After the undo delay it goes by itself.
    files = wait_until(lambda: new_maildir_files(before), "the message in the Maildir", timeout=60)
    assert len(files) == 1, files
    msg = netlib.read_message(files[0])
    assert msg["Subject"] == SUBJECT, msg["Subject"]
    assert "bob@example.test" in msg["To"]
    assert msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n") == BODY
    parts = list(msg.iter_attachments())
    assert len(parts) == 1 and parts[0].get_filename() == "Noten Björn.bin", parts
    assert parts[0].get_content() == data, "attachment not byte-exact"
    # Sent: the form is cleared for the next message.
    wait_until(lambda: get_text(find(app, "Subject", "text")) == "", "the form to clear")
    shot("3-sent")


def test_alt_number_switches_the_panes():
    """Alt+1…4 switch the panes, from the keyboard (XTEST)."""
    app = state["app"]
    press("2", "Alt_L")
    find(app, "Open Spreadsheet…", "push button", showing=True, timeout=10)
    press("3", "Alt_L")
    find(app, "picks when a message goes", "label", contains=True, showing=True, timeout=10)
    press("4", "Alt_L")
    # The Inbox: its toolbar, or (no incoming server) its offer to set one up.
    find(app, "", "push button", contains=True, showing=True, timeout=10,
         match_extra=lambda n: n.name == "Get New Mail" or "Set Up Incoming Mail" in n.name)
    press("1", "Alt_L")
    find(app, "To", "text", showing=True, timeout=10)


def test_ctrl_keys_send_from_the_body_and_start_new():
    """Ctrl+Return sends from the message body (not a newline there);
    Ctrl+N asks before it discards a message, Return keeping it (the
    default), and starts a new one when told to. All typed (XTEST)."""
    app = state["app"]
    wait_windows_closed(app)    # the keys go where the pointer is
    set_text(find(app, "To", "text"), "bob@example.test")
    set_text(find(app, "Subject", "text"), "Von der Tastatur")
    body = find(app, "Message Body", "text")
    set_text(body, "Hallo")
    click_pointer(body)
    press("End", "Control_L")
    type_text(" Welt")
    # The typing landed in the body: the keyboard is there.
    wait_until(lambda: get_text(body) == "Hallo Welt", "the typed text in the body", timeout=30)
    before = netlib.maildir_files()
    press("Return", "Control_L")
    send_now = find(app, "Send Now", "push button", timeout=20)
    assert get_text(body) == "Hallo Welt", repr(get_text(body))
    click(send_now)
    files = wait_until(lambda: new_maildir_files(before), "the message sent by Ctrl+Return", timeout=60)
    msg = netlib.read_message(files[0])
    assert msg["Subject"] == "Von der Tastatur", msg["Subject"]
    text = msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Hallo Welt"), repr(text)
    assert "Hallo\n" not in text, repr(text)
    wait_until(lambda: get_text(find(app, "Subject", "text")) == "", "the form to clear")

    # Ctrl+N over a message being written asks first.
    subject = find(app, "Subject", "text")
    set_text(subject, "Noch nicht fertig")
    click_pointer(subject)
    n_windows = app.childCount
    press("n", "Control_L")
    dialog = newest_dialog(app, n_windows)
    find(dialog, "Discard the Message and Start a New One?", "label")
    find(dialog, "“Noch nicht fertig”", "label", contains=True)
    press("Return")     # the default: keep it
    wait_windows_closed(app, n_windows)
    assert get_text(subject) == "Noch nicht fertig", get_text(subject)
    click_pointer(subject)
    press("n", "Control_L")
    dialog = newest_dialog(app, n_windows)
    click(find(dialog, "Discard and Start New", "push button", contains=True))
    wait_windows_closed(app, n_windows)
    wait_until(lambda: get_text(subject) == "", "a new, empty message")


def test_wrong_password_offers_reentry():
    app = state["app"]
    netlib.set_faults({"auth_fail": True})
    set_text(find(app, "To", "text"), "bob@example.test")
    set_text(find(app, "Subject", "text"), "Second try")
    set_text(find(app, "Message Body", "text"), "x\n")
    before_files = netlib.maildir_files()
    before_events = len(netlib.events())
    click(find(app, "Send", "push button"))
    # Past the undo delay at once.
    click(find(app, "Send Now", "push button", timeout=20))

    reenter = find(app, "Re-enter Password", "push button", timeout=30, contains=True)
    assert "Wrong Password" in [n.name for n in find_all(app, lambda n: n.getRoleName() == "label")]
    assert netlib.events_of("mail", before_events) == [], "nothing may be sent after a refused login"
    assert new_maildir_files(before_files) == []
    # The message is kept.
    assert get_text(find(app, "Subject", "text", showing=False)) == "Second try"
    shot("4-wrong-password")

    netlib.set_faults({})
    click(reenter)
    set_text(find(app, "Password", "text"), netlib.PASSWORD)
    click(find(app, "Save", "push button"))
    wait_windows_closed(app)
    files = wait_until(lambda: new_maildir_files(before_files), "the resent message", timeout=60)
    msg = netlib.read_message(files[0])
    assert msg["Subject"] == "Second try"
    # The file can land before the app has the server's answer; the next
    # test types into Compose only after the sent message has left it.
    wait_until(lambda: get_text(find(app, "Subject", "text")) == "", "the form to clear")


def test_partly_refused_says_it_went_to_the_others():
    app = state["app"]
    netlib.set_faults({"rcpt": {"nobody@example.test": "550 5.1.1 No such user here"}})
    try:
        set_text(find(app, "To", "text"), "bob@example.test, nobody@example.test")
        set_text(find(app, "Subject", "text"), "Half and half")
        set_text(find(app, "Message Body", "text"), "x\n")
        before_files = netlib.maildir_files()
        click(find(app, "Send", "push button"))
        click(find(app, "Send Now", "push button", timeout=20))
        find(app, "Sent to 1 of 2; 1 address refused", "label", timeout=30)
        find(app, "nobody@example.test: 550 5.1.1 No such user here", "label", contains=True)
        shot("4b-partly-refused")
    finally:
        netlib.set_faults({})
    files = wait_until(lambda: new_maildir_files(before_files), "the message to bob", timeout=30)
    assert len(files) == 1 and netlib.read_message(files[0])["Subject"] == "Half and half"
    # Only the refused address is left, to correct and send again.
    assert get_text(find(app, "To", "text", showing=False)) == "nobody@example.test"
    dialog = app.getChildAtIndex(app.childCount - 1)
    find(dialog, "Sent to 1 of 2; 1 address refused", "label")
    click(find(dialog, "Close", "push button", contains=True))
    wait_windows_closed(app)
    set_text(find(app, "To", "text"), "")
    set_text(find(app, "Subject", "text"), "")
    set_text(find(app, "Message Body", "text"), "")


def test_cancel_sending_keeps_message():
    app = state["app"]
    netlib.set_faults({"rcpt_delay": 60})
    set_text(find(app, "To", "text"), "bob@example.test")
    set_text(find(app, "Subject", "text"), "Stopped halfway")
    set_text(find(app, "Message Body", "text"), "x\n")
    before_files = netlib.maildir_files()
    before_events = len(netlib.events())
    click(find(app, "Send", "push button"))
    click(find(app, "Send Now", "push button", timeout=20))
    # The server is now sitting on RCPT; the button stops the transfer.
    wait_until(lambda: netlib.events_of("mail", before_events), "MAIL FROM to reach the server")
    start = time.monotonic()
    click(find(app, "Cancel Sending", "push button"))
    find(app, "Send", "push button", timeout=20)
    # Stopped while the server still held RCPT (its 60 s): the transfer
    # was cut, not waited out.
    assert time.monotonic() - start < 60, time.monotonic() - start
    if not netlib.SANITIZED:
        # A toast (gone after a few seconds): a sanitized window walks its
        # accessible tree too slowly to be sure to catch it.
        find(app, "Sending stopped; the message is kept", "label", timeout=20)
    assert get_text(find(app, "Subject", "text")) == "Stopped halfway"
    assert netlib.events_of("data", before_events) == []
    assert new_maildir_files(before_files) == []
    netlib.set_faults({})
    shot("5-cancelled")


def _outbox_rows():
    status, out, err = netlib.cli("outbox", "list")
    assert status == 0, out + err
    return [line for line in out.splitlines() if "\t" in line]


def test_undo_send_brings_message_back():
    app = state["app"]
    rigdir = netlib.env("EPISTLE_TEST_RIGDIR")
    path = os.path.join(rigdir, "Zeugnis Rücknahme.pdf")
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4 undo test\n")
    set_text(find(app, "To", "text"), "undo@example.test")
    set_text(find(app, "Subject", "text"), "Doch nicht")
    set_text(find(app, "Message Body", "text"), "Bitte nicht senden.\n")
    start_app(path).wait(20)
    find(app, "Remove Zeugnis Rücknahme.pdf", "push button")
    before_events = len(netlib.events())
    click(find(app, "Send", "push button"))
    # Within the undo delay (20 s here): Undo on the toast.
    # The toast's own button (GTK 4.8 names it "Undo Undo"), nothing else
    # whose name merely contains the word.
    click(find(app, "Undo", "push button", timeout=20, contains=True,
               match_extra=lambda n: n.parent is not None and n.parent.name == "AdwToastWidget"))
    find(app, "Not sent; the message is back for editing", "label", timeout=20)
    # Intact: every field and the attachment, editable again.
    assert get_text(find(app, "Subject", "text")) == "Doch nicht"
    assert get_text(find(app, "To", "text")) == "undo@example.test"
    assert "Bitte nicht senden." in get_text(find(app, "Message Body", "text"))
    find(app, "Remove Zeugnis Rücknahme.pdf", "push button")
    # Gone from the outbox, so nothing can reach the server later.
    assert not any("undo@example.test" in row for row in _outbox_rows()), _outbox_rows()
    assert netlib.events_of("mail", before_events) == []
    shot("5a-undone")
    click(find(app, "Remove Zeugnis Rücknahme.pdf", "push button"))


def test_451_waits_to_retry_then_send_now():
    app = state["app"]
    netlib.set_faults({"rcpt": {"later@f.test": "451 4.3.0 Try again later"}})
    before_files = netlib.maildir_files()
    set_text(find(app, "To", "text"), "later@f.test")
    set_text(find(app, "Subject", "text"), "Greylisted")
    set_text(find(app, "Message Body", "text"), "y\n")
    click(find(app, "Send", "push button"))
    click(find(app, "Send Now", "push button", timeout=20))
    # Not an error dialog: visibly waiting, with the server's words.
    status = find(app, "Waiting to retry", "label", contains=True, timeout=30)
    assert "451 4.3.0 Try again later" in status.name, status.name
    shot("5b-waiting-to-retry")
    netlib.set_faults({})
    click(find(app, "Send Now", "push button", timeout=20))
    files = wait_until(lambda: new_maildir_files(before_files), "the retried message", timeout=30)
    assert len(files) == 1, files
    assert netlib.read_message(files[0])["Subject"] == "Greylisted"
    wait_until(lambda: get_text(find(app, "Subject", "text")) == "", "the form to clear")


_open_from_primary_menu = uilib.open_from_primary_menu


def test_connection_log_is_redacted():
    app = state["app"]
    _open_from_primary_menu(app, "Connection Log")
    view = find(app, "Protocol Log", "text")
    text = wait_until(lambda: get_text(view) if "RCPT TO" in get_text(view) else None,
                      "the SMTP dialogue in the log")
    assert "STARTTLS" in text and "[redacted]" in text, text[-2000:]
    assert netlib.PASSWORD not in text
    for form in (base64.b64encode(netlib.PASSWORD.encode()).decode(),
                 base64.b64encode(f"\0{netlib.USER}\0{netlib.PASSWORD}".encode()).decode()):
        assert form not in text, "a password form leaked into the connection log"
    assert "Björn" not in text, "message content must not be logged"
    shot("6-connection-log")
    click(find(app, "Copy the Log", "push button"))
    # Closed (Escape, as a person would): nothing of it stays over the
    # window for the next test.
    click_pointer(view)
    press("Escape")
    wait_windows_closed(app)


def test_shortcuts_window_lists_send():
    app = state["app"]
    # The main window alone (the keys go where the pointer is: no window
    # manager here).
    wait_windows_closed(app)
    n_windows = app.childCount
    running = [p for p in state.get("procs", []) if p.poll() is None]
    # Ctrl+? (Shift makes the "?"), typed.
    click_pointer(find(app, "Subject", "text"))
    press("question", "Control_L", "Shift_L")
    find(app, "Send the Message", timeout=10)
    find(app, "Attach Files", "label", timeout=10)
    # Closed, it is gone, not kept hidden: GTK 4.8 answers an accessibility
    # client asking for a window past the last shown one with its last
    # window, and one never shown crashed the app (a screen reader asks so
    # while a window closes).
    click(find(app.getChildAtIndex(app.childCount - 1), "Close", "push button"))
    wait_until(lambda: app.childCount == n_windows, "the shortcuts window to close")
    app.getChildAtIndex(app.childCount)
    assert all(p.poll() is None for p in running), [p.returncode for p in running]
    find(app, "Main Menu", "push button", timeout=10)


def _is_on(node):
    states = node.getState()  # GTK 4.8: "pressed"
    return states.contains(pyatspi.STATE_PRESSED) or states.contains(pyatspi.STATE_CHECKED)


def _markdown_toggle(app):
    # GTK 4.8 gives a GtkToggleButton the plain button role.
    return find(app, "Markdown", match_extra=lambda n: "button" in n.getRoleName())


def _no_app_named(name):
    desktop = pyatspi.Registry.getDesktop(0)
    return all(desktop.getChildAtIndex(i) is None or desktop.getChildAtIndex(i).name != name
               for i in range(desktop.childCount))


def test_draft_restored_after_restart():
    app = state["app"]
    rigdir = netlib.env("EPISTLE_TEST_RIGDIR")
    path = os.path.join(rigdir, "Entwurf Übersicht.txt")
    with open(path, "w") as f:
        f.write("Entwurf\n")
    subject = "Entwurf – noch nicht fertig ✓"
    body = "Liebe Zoë,\n**fast** fertig.\n"
    set_text(find(app, "To", "text"), "Zoë Leser <draft@example.test>")
    set_text(find(app, "Cc", "text"), "cc@example.test")
    set_text(find(app, "Subject", "text"), subject)
    set_text(find(app, "Message Body", "text"), body)
    markdown = _markdown_toggle(app)
    if not _is_on(markdown):
        click(markdown)
    start_app(path).wait(20)
    find(app, "Remove Entwurf Übersicht.txt", "push button")
    # Saved shortly after the last change; then the app dies without warning.
    time.sleep(2)
    find(app, "Draft saved", "label", timeout=20)
    for proc in state["procs"]:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    wait_until(lambda: _no_app_named("epistle"), "the killed app to leave the bus")

    start_app()
    app = find_app("epistle")
    state["app"] = app
    # ("Draft restored" shows only until the re-added attachment is saved.)
    wait_until(lambda: get_text(find(app, "Subject", "text")) == subject, "the restored subject")
    assert get_text(find(app, "To", "text")) == "Zoë Leser <draft@example.test>"
    assert get_text(find(app, "Cc", "text")) == "cc@example.test"
    assert get_text(find(app, "Bcc", "text")) == ""
    assert get_text(find(app, "Subject", "text")) == subject
    assert get_text(find(app, "Message Body", "text")) == body
    markdown = _markdown_toggle(app)
    assert _is_on(markdown), "Markdown is off after the restart"
    find(app, "Remove Entwurf Übersicht.txt", "push button")
    shot("6a-draft-restored")

    # Leave an empty form behind.
    click(markdown)
    click(find(app, "Remove Entwurf Übersicht.txt", "push button"))
    for name in ("To", "Cc", "Subject", "Message Body"):
        set_text(find(app, name, "text"), "")



def test_signature_follows_the_account():
    app = state["app"]
    body = find(app, "Message Body", "text")
    assert get_text(body) == "", "Compose should start empty here"
    try:
        # Given a signature, the empty message gets it, with the cursor
        # above it, and still counts as empty (no draft for it alone).
        uilib.set_signature(app, "Ann Teacher\nKlasse 7b")
        wait_until(lambda: get_text(body) == "\n\n-- \nAnn Teacher\nKlasse 7b",
                   "the signature in the new message")
        assert body.queryText().caretOffset == 0
        # Written above it, then the signature changed: swapped in place,
        # the writing kept.
        body.queryEditableText().insertText(0, "Hallo Bob,\nbis morgen.", len("Hallo Bob,\nbis morgen."))
        uilib.set_signature(app, "Ann Teacher\nKlasse 8a")
        wait_until(lambda: get_text(body) == "Hallo Bob,\nbis morgen.\n\n-- \nAnn Teacher\nKlasse 8a",
                   "the new signature in place of the old")
        shot("4c-signature")
        set_text(find(app, "To", "text"), "bob@example.test")
        set_text(find(app, "Subject", "text"), "Mit Signatur")
        before_files = netlib.maildir_files()
        click(find(app, "Send", "push button"))
        click(find(app, "Send Now", "push button", timeout=20))
        files = wait_until(lambda: new_maildir_files(before_files), "the signed-off message", timeout=30)
        msg = netlib.read_message(files[0])
        text = msg.get_body(preferencelist=("plain",)).get_content()
        assert text.replace("\r\n", "\n").rstrip("\n").endswith(
            "bis morgen.\n\n-- \nAnn Teacher\nKlasse 8a"), repr(text)
        # The next message starts with it again.
        wait_until(lambda: get_text(find(app, "Subject", "text")) == "", "the form to clear")
        wait_until(lambda: get_text(body) == "\n\n-- \nAnn Teacher\nKlasse 8a",
                   "the signature in the next message")
    finally:
        uilib.set_signature(app, "")
    # None any more: the unwritten message loses it.
    wait_until(lambda: get_text(body) == "", "the signature to leave the empty message")


def _keyring_items():
    proc = subprocess.run(["secret-tool", "search", "--all", "--unlock", "xdg:schema",
                           "io.github.epistle.Account"], capture_output=True, text=True, timeout=20)
    return [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("secret = ")]


def test_preferences_remove_account():
    app = state["app"]
    assert len(_keyring_items()) == 1, _keyring_items()
    _open_from_primary_menu(app, "Preferences")
    remove = find(app, "Remove", "push button")
    shot("5-preferences")
    click(remove)
    confirm = find(app, "Remove", "push button", contains=True, timeout=10,
                   match_extra=lambda n: n is not remove)
    click(confirm)
    wait_until(lambda: "No accounts" in netlib.cli("account", "list")[1], "the account to go")
    wait_until(lambda: _keyring_items() == [], "the keyring item to go")
    # Without an account the window goes back to the welcome page.
    find(app, "Add Account", "push button")


def main():
    tests = [test_add_account_through_dialog, test_invalid_address_blocks_send,
             test_compose_and_send_with_attachment,
             test_alt_number_switches_the_panes, test_ctrl_keys_send_from_the_body_and_start_new,
             test_wrong_password_offers_reentry,
             test_partly_refused_says_it_went_to_the_others,
             test_cancel_sending_keeps_message, test_undo_send_brings_message_back,
             test_451_waits_to_retry_then_send_now, test_connection_log_is_redacted,
             test_shortcuts_window_lists_send, test_draft_restored_after_restart,
             test_signature_follows_the_account,
             test_preferences_remove_account]
    only = os.environ.get("EPISTLE_UI_ONLY")
    if only:
        # For a person chasing one test: the first test (it adds the account)
        # and the named ones.
        tests = [t for i, t in enumerate(tests) if i == 0 or t.__name__ in only.split(",")]
    netlib._init()
    # A real settings file (not the rig's memory backend) with a longer undo
    # delay: Undo must land within it even on a loaded machine.
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    os.makedirs(os.path.join(config, "glib-2.0", "settings"), exist_ok=True)
    with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as f:
        f.write("[io/github/epistle/Epistle]\nundo-send-delay=uint32 20\n")
    os.environ["GSETTINGS_BACKEND"] = "keyfile"
    print(f"1..{len(tests)}", flush=True)
    failed = 0
    try:
        for number, test in enumerate(tests, 1):
            try:
                test()
                print(f"ok {number} - {test.__name__}", flush=True)
            except Exception:
                failed += 1
                print(f"not ok {number} - {test.__name__}")
                for line in traceback.format_exc().splitlines():
                    print(f"# {line}")
                for proc in state.get("procs", []):
                    if proc.poll() is not None and proc.returncode != 0:
                        print(f"# the app (pid {proc.pid}) ended with status {proc.returncode}")
                for line in uilib.app_log_tail("epistle-ui.log"):
                    print(f"# app: {line}")
                shot(f"failed-{number}")
                sys.stdout.flush()
    finally:
        netlib.set_faults({})
        stop_apps()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
