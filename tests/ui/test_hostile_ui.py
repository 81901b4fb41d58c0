"""Hostile files opened in the window (issue 16), as Files opens them
(``epistle FILE``, forwarded to the running instance): a FIFO (with a
writer that stopped), a folder named x.csv and a 0-byte .xlsx each give
"“NAME” Cannot Be Read" with what is wrong, at once (a blocked reader would
leave the wizard on "Reading…" and fail the wait); after each, the wizard
still opens a good spreadsheet, and a message scheduled before stays."""

import datetime
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net"))

import netlib  # noqa: E402
import uilib  # noqa: E402
from uilib import shot  # noqa: E402
from atspi import click, find, find_app, wait_until  # noqa: E402

ACCOUNT = "hostile"
state = {}


def start_app(*args):
    return uilib.start_app("epistle-hostile-ui.log", state.setdefault("procs", []), *args)


def scheduled():
    status, out, err = netlib.cli("schedule", "list")
    assert status == 0, out + err
    return sorted(line for line in out.splitlines() if "\t" in line)


def test_wizard_refuses_what_is_not_a_spreadsheet_and_stays_usable():
    netlib.add_account(ACCOUNT)
    at = (datetime.datetime.now() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
    status, out, err = netlib.cli("send", "--account", ACCOUNT, "--to", "kept@example.test",
                                  "--subject", "Kept", "--body", "x\n", "--at", at)
    assert status == 0, (status, out, err)
    stored = scheduled()
    assert len(stored) == 1, stored

    d = os.path.join(netlib.env("EPISTLE_TEST_RIGDIR"), "hostile-ui")
    os.makedirs(d, exist_ok=True)
    fifo = os.path.join(d, "pipe.csv")
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    os.write(writer, b"Name,Email\nAnn,ann@example.test\n")
    folder = os.path.join(d, "x.csv")
    os.makedirs(folder)
    zero = os.path.join(d, "zero.xlsx")
    open(zero, "wb").close()
    good = os.path.join(d, "good.csv")
    with open(good, "w", encoding="utf-8") as f:
        f.write("Name,Email\nAnn,ann@example.test\nBo,bo@example.test\n")

    try:
        start_app(fifo)
        app = find_app("epistle", timeout=60)
        w = find(app, "Merge Wizard", timeout=30)
        cases = [(fifo, "not a regular file"), (folder, "a folder, not a spreadsheet"),
                 (zero, "empty (0 bytes)")]
        for number, (path, phrase) in enumerate(cases):
            name = os.path.basename(path)
            if number > 0:
                start_app(path).wait(20)
            wait_until(lambda: app.childCount > 1, f"the error for {name}", timeout=30)
            dialog = app.getChildAtIndex(app.childCount - 1)
            find(dialog, f"“{name}” Cannot Be Read", "label", timeout=10)
            find(dialog, phrase, "label", contains=True, timeout=5)
            shot(f"hostile-{number + 1}-{name}")
            click(find(dialog, "Close", "push button", contains=True))
            wait_until(lambda: app.childCount == 1, "the dialog to close")

        # Still usable: a good file opens, its rows shown.
        start_app(good).wait(20)
        find(w, "good.csv — 2 rows, 2 columns", "label", timeout=30)
        shot("hostile-4-good")
    finally:
        os.close(writer)
        os.unlink(fifo)
        os.rmdir(folder)
    assert scheduled() == stored


def main():
    uilib.run([test_wizard_refuses_what_is_not_a_spreadsheet_and_stays_usable],
              state.setdefault("procs", []), "epistle-hostile-ui.log", "hostile")


if __name__ == "__main__":
    main()
