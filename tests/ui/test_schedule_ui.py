"""Send later through the real window (Xvfb, AT-SPI) against the rig's real
servers: Send Later… in Compose with a quick choice puts the message in the
Scheduled pane and writes an autostart entry (valid per desktop-file-
validate); a message due in a few seconds goes with the window closed (the
app stays up) at its time by the server's clock, once; Reschedule in the
pane moves it (the outbox keeps the new time); Cancel in the pane means the
server never sees it, and the autostart entry goes with the last
item; Spread Over Days in the wizard shows the per-day plan before
confirming and sends the first day's share; a message and a 50-row
campaign that came due while Epistle was not running are sent by
`epistle --gapplication-service` (as at login), each recipient once, and
recorded late."""

import datetime
import os
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net"))

import netlib  # noqa: E402
import uilib  # noqa: E402
from uilib import shot, stop  # noqa: E402
from atspi import (click, find, find_all, find_app, get_text, is_sensitive, is_visible,  # noqa: E402
                   screenshot, set_text, wait_until)

ACCOUNT = "school"
state = {}


def start_app(*args):
    return uilib.start_app("epistle-schedule-ui.log", state.setdefault("procs", []), *args)


def autostart_path():
    return os.path.join(os.environ["XDG_CONFIG_HOME"], "autostart", "io.github.epistle.Epistle.desktop")


def delivered(subject):
    return [p for p in netlib.maildir_files() if str(netlib.read_message(p).get("Subject", "")) == subject]


def scheduled():
    status, out, err = netlib.cli("schedule", "list")
    assert status == 0, out + err
    return [line.split("\t") for line in out.splitlines() if "\t" in line]


def local(seconds_ahead):
    return (datetime.datetime.now() + datetime.timedelta(seconds=seconds_ahead)).strftime("%Y-%m-%dT%H:%M:%S")


def main_window(app):
    return next(app.getChildAtIndex(i) for i in range(app.childCount)
                if app.getChildAtIndex(i).name == "Epistle" and is_visible(app.getChildAtIndex(i)))


def compose(app, to, subject):
    click(find(app, "Compose", contains=False, match_extra=lambda n: n.getRoleName() != "label"))
    set_text(find(app, "To", "text"), to)
    set_text(find(app, "Subject", "text"), subject)
    set_text(find(app, "Message Body", "text"), "Bis morgen.\n")


def test_send_later_lists_it_and_writes_autostart():
    netlib.add_account(ACCOUNT)
    start_app()
    app = find_app("epistle", timeout=30)
    state["app"] = app
    compose(app, "morgen@example.test", "Morgen früh")
    n_windows = app.childCount
    click(find(app, "Send Later", "push button", contains=True))
    wait_until(lambda: app.childCount > n_windows, "the Send Later dialog")
    dialog = app.getChildAtIndex(app.childCount - 1)
    click(find(dialog, "Tomorrow at 8:00", "push button", contains=True))
    find(dialog, "08:00 UTC, even with the window closed", "label", contains=True)
    shot("sched-1-send-later-dialog")
    click(find(dialog, "Schedule", "push button", contains=True))
    wait_until(lambda: app.childCount <= n_windows, "the dialog to close")
    find(app, "Scheduled for", "label", contains=True, timeout=30)

    tomorrow = (datetime.date.today() + datetime.timedelta(days=1))
    rows = scheduled()
    assert len(rows) == 1 and rows[0][4] == "Morgen früh", rows
    assert rows[0][1].find("08:00") > 0 and str(tomorrow.day) in rows[0][1], rows

    click(find(app, "Scheduled", contains=False, match_extra=lambda n: n.getRoleName() != "label"))
    find(app, "Morgen früh", contains=False, match_extra=lambda n: n.getRoleName() != "label")
    find(app, "Cancel “Morgen früh”", "push button")
    shot("sched-2-scheduled-pane")

    wait_until(lambda: os.path.exists(autostart_path()), "the autostart entry")
    check = subprocess.run(["desktop-file-validate", autostart_path()], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with open(autostart_path()) as f:
        assert "--gapplication-service" in f.read()
    assert delivered("Morgen früh") == []


def test_edit_brings_a_scheduled_message_back_into_compose():
    app = state["app"]
    compose(app, "bearbeiten@example.test", "Zum Bearbeiten")
    n_windows = app.childCount
    click(find(app, "Send Later", "push button", contains=True))
    wait_until(lambda: app.childCount > n_windows, "the Send Later dialog")
    dialog = app.getChildAtIndex(app.childCount - 1)
    click(find(dialog, "Monday at 9:00", "push button", contains=True))
    find(dialog, "09:00 UTC, even with the window closed", "label", contains=True)
    click(find(dialog, "Schedule", "push button", contains=True))
    wait_until(lambda: app.childCount <= n_windows, "the dialog to close")
    wait_until(lambda: any(r[4] == "Zum Bearbeiten" for r in scheduled()), "it to be scheduled")
    wait_until(lambda: get_text(find(app, "Subject", "text")) == "", "Compose to be free")

    window = main_window(app)
    click(find(window, "Scheduled", contains=False, match_extra=lambda n: n.getRoleName() != "label"))
    click(find(window, "Edit “Zum Bearbeiten”", "push button", timeout=30))
    subject = find(app, "Subject", "text")
    wait_until(lambda: get_text(subject) == "Zum Bearbeiten", "the message back in Compose")
    assert get_text(find(app, "To", "text")) == "bearbeiten@example.test"
    assert "Bis morgen." in get_text(find(app, "Message Body", "text"))
    assert not any(r[4] == "Zum Bearbeiten" for r in scheduled()), scheduled()
    find(app, "Back in Compose; it is no longer scheduled", "label", timeout=20)
    shot("sched-7-edit-back-in-compose")
    # Leave Compose empty for the tests after this one.
    for name in ("To", "Subject", "Message Body"):
        set_text(find(app, name, "text"), "")


def wizard_to_send_step(app, name, n_rows, local_part, subject):
    """Opens a spreadsheet of @n_rows in the wizard (as Files does) and
    goes to its Send step; returns the wizard window."""
    rigdir = netlib.env("EPISTLE_TEST_RIGDIR")
    path = os.path.join(rigdir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write("Name,Email\n" + "".join(f"Åsa {i},{local_part}{i}@example.test\n"
                                         for i in range(1, n_rows + 1)))
    start_app(path).wait(20)
    w = find(app, "Merge Wizard", timeout=30)
    find(w, f"{name} — {n_rows} rows, 2 columns", "label", timeout=30)
    click(find(w, "Next", "push button"))
    find(w, "Step 2 of 4: Message", "label", contains=True, timeout=30)
    to = find(w, "To", "text")
    wait_until(lambda: get_text(to) == "{{ Email }}", "To to be the address column")
    set_text(find(w, "Subject", "text"), subject)
    set_text(find(w, "Message Body", "text"), "Hallo {{ Name }}\n")
    next_button = find(w, "Next", "push button")
    wait_until(lambda: is_sensitive(next_button), "Next to allow the preview")
    click(next_button)
    # The preview step (Next is the same button on every step: wait for the
    # step, not for the button).
    find(w, f"All {n_rows} rows are ready to send.", "label", timeout=30)
    find(w, "Step 3 of 4: Preview", "label", timeout=30)
    next_button = find(w, "Next", "push button")
    wait_until(lambda: is_sensitive(next_button), "Next to allow sending")
    click(next_button)
    find(w, "Step 4 of 4: Send", "label", timeout=30)
    return w


def test_wizard_start_at_schedules_the_campaign():
    """Start At… in the wizard's send step: the confirmation says when; the
    campaign waits in the Scheduled pane and nothing is sent now."""
    app = state["app"]
    before = len(netlib.events())
    w = wizard_to_send_step(app, "spaeter.csv", 5, "spaet", "Später für {{ Name }}")

    n_windows = app.childCount
    click(find(w, "Start At", "push button", contains=True))
    wait_until(lambda: app.childCount > n_windows, "the Start At dialog")
    dialog = app.getChildAtIndex(app.childCount - 1)
    click(find(dialog, "Monday at 9:00", "push button", contains=True))
    find(dialog, "09:00 UTC, even with the window closed", "label", contains=True)
    click(find(dialog, "Set", "push button", contains=True))
    wait_until(lambda: app.childCount <= n_windows, "the dialog to close")
    find(w, "09:00 UTC, even with the window closed", "label", contains=True)
    shot("sched-5-wizard-start-at")
    click(find(w, "Schedule 5 Messages", "push button", contains=True))
    wait_until(lambda: app.childCount > n_windows, "the confirmation")
    confirm = app.getChildAtIndex(app.childCount - 1)
    find(confirm, "starting at", "label", contains=True)
    click(find(confirm, "Schedule", "push button", contains=True,
               match_extra=lambda n: "Messages" not in n.name))
    wait_until(lambda: any(r[4] == "spaeter.csv" for r in scheduled()), "the campaign to be scheduled")
    rows = [r for r in scheduled() if r[4] == "spaeter.csv"]
    try:
        assert rows[0][2] == "campaign" and rows[0][3] == "5" and "09:00" in rows[0][1], rows
        window = main_window(app)
        click(find(window, "Scheduled", contains=False, match_extra=lambda n: n.getRoleName() != "label"))
        find(window, "Cancel “spaeter.csv”", "push button", timeout=30)
        shot("sched-6-pane-with-campaign")
        assert netlib.events_of("mail", before) == [], netlib.events()[before:]
    finally:
        status, out, err = netlib.cli("schedule", "cancel", rows[0][0])
        assert status == 0, (status, out, err)


def test_wizard_spread_over_days_plans_and_sends_the_first_days_share():
    """Spread Over Days in the send step: 120 rows at 50 a day are planned
    as 50/50/20 on three days, shown before confirming; the first 50 go at
    once, each once, and the other 70 wait in the Scheduled pane."""
    app = state["app"]
    before = len(netlib.events())
    w = wizard_to_send_step(app, "verteilt.csv", 120, "verteilt", "Verteilt für {{ Name }}")
    find(w, "Daily Limit", "spin button").queryValue().currentValue = 50
    switches = find_all(w, lambda n: n.getRoleName() == "check box" and n.name == "Spread Over Days")
    assert len(switches) == 1, ([(n.getRoleName(), n.name) for n in find_all(
        w, lambda n: "Spread" in n.name or "Weekdays" in n.name)],
        sorted(set(n.getRoleName() for n in find_all(w, lambda n: True))))
    click(switches[0])
    summary = find(w, "Spread over 3 days, at most 50 a day", "label", contains=True, timeout=30)
    plan = summary.name.split("a day: ", 1)[1]
    assert [day.rsplit(": ", 1)[1] for day in plan.split(" · ")] == \
        ["50 messages", "50 messages", "20 messages."], summary.name
    shot("sched-8-wizard-spread-plan")

    n_windows = app.childCount
    click(find(w, "Send 120 Messages", "push button", contains=True))
    wait_until(lambda: app.childCount > n_windows, "the confirmation")
    confirm = app.getChildAtIndex(app.childCount - 1)
    # The plan is in what the person confirms.
    find(confirm, "Spread over 3 days, at most 50 a day", "label", contains=True)
    shot("sched-9-spread-confirm")
    click(find(confirm, "Send", "push button", contains=True,
               match_extra=lambda n: "Messages" not in n.name))
    find(w, "Today’s Share Sent", "label", timeout=120)
    find(w, "70 messages are left; they go from", "label", contains=True)
    shot("sched-10-spread-first-day-sent")
    rows = [r for r in scheduled() if r[4] == "verteilt.csv"]
    try:
        got = {}
        for p in netlib.maildir_files():
            msg = netlib.read_message(p)
            if str(msg.get("Subject", "")).startswith("Verteilt für "):
                got.setdefault(str(msg["To"]), []).append(p)
        assert sorted(got) == sorted(f"verteilt{i}@example.test" for i in range(1, 51)), sorted(got)
        assert all(len(v) == 1 for v in got.values())
        assert len(rows) == 1 and rows[0][2] == "campaign" and rows[0][3] == "70", rows
        window = main_window(app)
        click(find(window, "Scheduled", contains=False, match_extra=lambda n: n.getRoleName() != "label"))
        find(window, "70 of 120 recipients left · at most 50 a day, every day", "label",
             contains=True, timeout=30)
        shot("sched-11-pane-with-spread-campaign")
        assert len(netlib.events_of("mail", before)) == 50
    finally:
        for row in rows:
            status, out, err = netlib.cli("schedule", "cancel", row[0])
            assert status == 0, (status, out, err)


def test_due_message_goes_with_the_window_closed_at_its_time():
    app = state["app"]
    status, out, err = netlib.cli("send", "--account", ACCOUNT, "--to", "gleich@example.test",
                                  "--subject", "Gleich", "--body", "Jetzt.\n", "--at", local(3600))
    assert status == 0, (status, out, err)
    number = out.split("number ")[1].split(";")[0]
    find(app, "Gleich", contains=False, match_extra=lambda n: n.getRoleName() != "label", timeout=30)
    # Due in a few seconds; the running app hears of it over D-Bus.
    at = local(5)
    due = datetime.datetime.fromisoformat(at).timestamp()
    status, out, err = netlib.cli("schedule", "reschedule", number, "--at", at)
    assert status == 0, (status, out, err)
    before = len(netlib.events())
    click(find(main_window(app), "Close", "push button"))
    wait_until(lambda: not any(app.getChildAtIndex(i).name == "Epistle" and is_visible(app.getChildAtIndex(i))
                               for i in range(app.childCount)), "the window to close")
    files = wait_until(lambda: delivered("Gleich"), "the scheduled message", timeout=60)
    assert len(files) == 1, files
    assert state["procs"][0].poll() is None, "the app ended with mail still scheduled"
    mail = [e for e in netlib.events_of("mail", before)]
    assert mail, netlib.events()[before:]
    lateness = mail[0]["time"] - due
    # Never before its time; how late it was is reported (the server's clock).
    assert lateness >= -0.005, f"sent {-lateness:.3f} s before its time"
    print(f"# scheduled message reached the server {lateness:.3f} s after its time")
    assert lateness < 30, f"{lateness:.1f} s late"
    # Reopen the window for the next test.
    start_app().wait(20)
    find(app, "Compose", contains=False, match_extra=lambda n: n.getRoleName() != "label", timeout=30)


def test_reschedule_and_cancel_in_the_pane():
    app = state["app"]
    window = main_window(app)
    click(find(window, "Scheduled", contains=False, match_extra=lambda n: n.getRoleName() != "label"))
    before = len(netlib.events())
    # Reschedule from the pane: the new time is what the outbox keeps.
    n_windows = app.childCount
    click(find(window, "Reschedule “Morgen früh”", "push button"))
    wait_until(lambda: app.childCount > n_windows, "the Reschedule dialog")
    dialog = app.getChildAtIndex(app.childCount - 1)
    click(find(dialog, "Monday at 9:00", "push button", contains=True))
    click(find(dialog, "Reschedule", "push button", contains=True))
    wait_until(lambda: app.childCount <= n_windows, "the dialog to close")
    wait_until(lambda: [r for r in scheduled() if r[4] == "Morgen früh" and r[1].startswith("Mon ")
                        and "09:00" in r[1]], "the new time in the outbox")
    find(window, "09:00 UTC · school · 1 recipient", "label", contains=True, timeout=30)
    n_windows = app.childCount
    click(find(window, "Cancel “Morgen früh”", "push button"))
    wait_until(lambda: app.childCount > n_windows, "the confirmation")
    dialog = app.getChildAtIndex(app.childCount - 1)
    shot("sched-3-cancel-confirm")
    click(find(dialog, "Cancel Sending", "push button", contains=True))
    wait_until(lambda: scheduled() == [], "the item to leave the schedule")
    wait_until(lambda: not os.path.exists(autostart_path()), "the autostart entry to go")
    # The pane: nothing waits; what went is listed with when it went.
    find(window, "Nothing waits to be sent.", "label", timeout=30)
    find(window, "Gleich", contains=False, match_extra=lambda n: n.getRoleName() != "label")
    assert [e for e in netlib.events_of("rcpt", before) if "morgen@" in str(e)] == []
    assert delivered("Morgen früh") == []
    shot("sched-4-after-cancel")


def test_missed_while_not_running_is_sent_late_by_the_service():
    for proc in state.get("procs", []):
        stop(proc)
    status, out, err = netlib.cli("send", "--account", ACCOUNT, "--to", "verpasst@example.test",
                                  "--subject", "Verpasst", "--body", "Spät.\n", "--at", local(3600))
    assert status == 0, (status, out, err)
    number = out.split("number ")[1].split(";")[0]
    # And a campaign of 50 rows, due at the same time.
    data, tmpl = netlib.write_merge(
        "verpasst",
        "Name,Email\n" + "".join(f"Zoë {i},verpasst{i:02}@example.test\n" for i in range(1, 51)),
        "To: {{ Email }}\nSubject: Verpasst {{ Name }}\n\nHallo {{ Name }}\n")
    status, out, err = netlib.cli("merge", "--data", data, "--template", tmpl, "--account", ACCOUNT,
                                  "--rate", "0", "--at", local(3600), "--yes")
    assert status == 0 and "Scheduled for" in out, (status, out, err)
    campaign = [r for r in scheduled() if r[4] == "verpasst.csv"][0][0]
    at = local(2)
    for item in (number, campaign):
        status, out, err = netlib.cli("schedule", "reschedule", item, "--at", at)
        assert status == 0, (status, out, err)
    due = datetime.datetime.fromisoformat(at).timestamp()
    while time.time() < due + 3:
        time.sleep(0.1)
    # As at login: the autostart entry's command, headless.
    service = start_app("--gapplication-service")
    files = wait_until(lambda: delivered("Verpasst"), "the missed message", timeout=60)
    assert len(files) == 1, files
    status, out, err = netlib.cli("schedule", "show", number)
    assert status == 0, out
    lateness = int(out.split("Lateness:")[1].split("s")[0])
    # Started at least the 3 s it waited after its time, and at once when
    # the service came up.
    assert 3 <= lateness < 60, out
    print(f"# the missed message started {lateness} s after its time")

    def campaign_mail():
        got = {}
        for p in netlib.maildir_files():
            msg = netlib.read_message(p)
            if str(msg.get("Subject", "")).startswith("Verpasst Zoë"):
                got.setdefault(str(msg["To"]), []).append(p)
        return got
    wait_until(lambda: len(campaign_mail()) == 50, "the missed campaign's 50 messages", timeout=120)
    # Nothing left: the service ends by itself.
    service.wait(60)
    assert len(delivered("Verpasst")) == 1
    got = campaign_mail()
    assert sorted(got) == [f"verpasst{i:02}@example.test" for i in range(1, 51)], sorted(got)
    assert all(len(v) == 1 for v in got.values()), {k: len(v) for k, v in got.items() if len(v) > 1}
    status, out, err = netlib.cli("schedule", "show", campaign)
    assert status == 0 and "State:       finished" in out, out
    lateness = int(out.split("Lateness:")[1].split("s")[0])
    assert 3 <= lateness < 60, out
    print(f"# the missed campaign started {lateness} s after its time")


def main():
    tests = [test_send_later_lists_it_and_writes_autostart,
             test_edit_brings_a_scheduled_message_back_into_compose,
             test_wizard_start_at_schedules_the_campaign,
             test_wizard_spread_over_days_plans_and_sends_the_first_days_share,
             test_due_message_goes_with_the_window_closed_at_its_time,
             test_reschedule_and_cancel_in_the_pane,
             test_missed_while_not_running_is_sent_late_by_the_service]
    only = os.environ.get("EPISTLE_UI_ONLY")
    if only:
        # For a person chasing one test: the first (it starts the app) and
        # the named ones.
        tests = [t for i, t in enumerate(tests) if i == 0 or t.__name__ in only.split(",")]
    netlib._init()
    # For a person looking at the screenshots: EPISTLE_UI_LOOK=narrow (a
    # 360 px window) and/or dark (the dark style), as the app would be
    # started by someone who prefers them.
    look = os.environ.get("EPISTLE_UI_LOOK", "")
    if "narrow" in look:
        config = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
        os.makedirs(os.path.join(config, "glib-2.0", "settings"), exist_ok=True)
        with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as f:
            f.write("[io/github/epistle/Epistle]\nwindow-width=360\nwindow-height=740\n")
        os.environ["GSETTINGS_BACKEND"] = "keyfile"
    if "dark" in look:
        os.environ["ADW_DEBUG_COLOR_SCHEME"] = "prefer-dark"
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
                for line in uilib.app_log_tail("epistle-schedule-ui.log"):
                    print(f"# app: {line}")
                shot(f"sched-failed-{number}")
                sys.stdout.flush()
                if number == 1:
                    for m in range(2, len(tests) + 1):
                        print(f"not ok {m} - {tests[m - 1].__name__} # skipped: the first test failed")
                        failed += 1
                    break
    finally:
        for proc in state.get("procs", []):
            stop(proc)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
