"""Password-protected mail from the merge wizard, through the real window
(Xvfb, AT-SPI) against the rig's real servers: the Preview step's Privacy
group protects each row with the password in its column, with a hint; the
preview says what the recipient reads; a row without a password is named
and left out; every delivered message opens with its own row's password
only (epistle-cli decrypt and openssl cms), and no password is in any file
Epistle wrote."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net"))

import netlib  # noqa: E402
import uilib  # noqa: E402
from uilib import shot  # noqa: E402
from atspi import (click, find, find_all, find_app, get_text, is_sensitive,  # noqa: E402
                   set_text, wait_until)

ACCOUNT = "school"
state = {}


def start_app(*args):
    return uilib.start_app("epistle-pwmail-merge-ui.log", state.setdefault("procs", []), *args)


def new_files(before):
    return [p for p in netlib.maildir_files() if p not in before]


def raw(path):
    with open(path, "rb") as f:
        return f.read()


def test_wizard_protects_each_row_with_its_password():
    netlib.add_account(ACCOUNT)
    rigdir = netlib.env("EPISTLE_TEST_RIGDIR")
    app_proc = None
    # Fixed and strong: random ones can fail libpwquality's dictionary check.
    passwords = {f"eltern{i}@example.test": f"{tree}-Wolke-{i * 37}-Fähre"
                 for i, tree in ((1, "Birke"), (2, "Eiche"), (3, "Linde"))}
    path = os.path.join(rigdir, "zeugnisse.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("Name,Email,Passwort\n"
                + "".join(f"Kind {i},eltern{i}@example.test,{passwords[f'eltern{i}@example.test']}\n"
                          for i in (1, 2, 3))
                + "Kind 4,eltern4@example.test,\n")
    os.environ["EPISTLE_TEST_KDF_ITERATIONS"] = "20000"
    app_proc = start_app(path)
    app = state["app"] = find_app("epistle", timeout=60)
    w = find(app, "Merge Wizard", timeout=30)
    find(w, "zeugnisse.csv — 4 rows, 3 columns", "label", timeout=30)
    click(find(w, "Next", "push button"))
    find(w, "Step 2 of 4: Message", "label", contains=True, timeout=30)
    to = find(w, "To", "text")
    wait_until(lambda: get_text(to) == "{{ Email }}", "To to be the address column")
    set_text(find(w, "Subject", "text"), "Zeugnis von {{ Name }}")
    set_text(find(w, "Message Body", "text"), "Das Zeugnis von {{ Name }}: VERTRAULICH\n")
    next_button = find(w, "Next", "push button")
    wait_until(lambda: is_sensitive(next_button), "Next to allow the preview")
    click(next_button)
    find(w, "All 4 rows are ready to send.", "label", timeout=30)
    # GTK 4.8: a GtkSwitch is a "check box", named after its row and label.
    switch = find(w, "Protect Each Message with a Password", "check box", timeout=30, contains=True)
    click(switch)
    # The column named like a password column is the one chosen.
    find(w, "From the Column “Passwort”", "label", timeout=30)
    find(w, "3 of 4 rows can be sent; 1 has problems.", "label", timeout=60)
    find(w, "Row 5", "label", timeout=20)
    hint = find(w, "Password Hint for the Recipients (Optional)", "text", timeout=20)
    set_text(hint, "wie im Elternbrief")
    labels = [n.name for n in find_all(w, lambda n: n.getRoleName() == "label")]
    assert any("No password in the column" in n for n in labels), labels
    wait_until(lambda: any("The recipient reads" in n.name and "wie im Elternbrief" in n.name
                           for n in find_all(w, lambda n: n.getRoleName() == "label")),
               "the preview to say what the recipient reads, with the hint", timeout=30)
    shot("pwmail-1-wizard-preview")
    click(find(w, "Continue with the 3 Rows without Problems", "push button", contains=True))
    find(w, "Step 4 of 4: Send", "label", timeout=30)
    before = netlib.maildir_files()
    n_windows = app.childCount
    click(find(w, "Send 3 Messages", "push button", contains=True))
    wait_until(lambda: app.childCount > n_windows, "the confirmation")
    dialog = app.getChildAtIndex(app.childCount - 1)
    find(dialog, "protected with its row’s password", contains=True, timeout=20)
    shot("pwmail-2-wizard-confirm")
    click(find(dialog, "Send", "push button", contains=True, match_extra=lambda n: "3" not in n.name))
    files = wait_until(lambda: len(new_files(before)) >= 3 and new_files(before),
                       "the three messages", timeout=120)
    assert len(files) == 3, files
    for f in files:
        data = raw(f)
        assert b"VERTRAULICH" not in data and b"wie im Elternbrief" in data
        address = next(a for a in passwords if a.encode() in data.split(b"\r\n\r\n")[0])
        for other, pw in passwords.items():
            proc = subprocess.run([netlib.CLI, "decrypt", "--password-stdin", f],
                                  input=(pw + "\n").encode(), capture_output=True, timeout=60)
            if other == address:
                assert proc.returncode == 0 and b"VERTRAULICH" in proc.stdout, proc.stderr
            else:
                assert proc.returncode == 7 and proc.stdout == b"", (address, other)
    for top in (os.environ["XDG_DATA_HOME"], os.environ["XDG_CONFIG_HOME"]):
        for root, _, names in os.walk(top):
            for n in names:
                data = raw(os.path.join(root, n))
                for pw in passwords.values():
                    assert pw.encode() not in data, os.path.join(root, n)
    assert app_proc is not None


def main():
    uilib.run([test_wizard_protects_each_row_with_its_password],
              state.setdefault("procs", []), "epistle-pwmail-merge-ui.log", "pwmail-merge")


if __name__ == "__main__":
    main()
