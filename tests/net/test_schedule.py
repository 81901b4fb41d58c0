"""Send later through the real CLI against the rig: `send --at` and `merge
--at` store the built mail and send nothing; `schedule list/show/cancel/
reschedule/send-now` act on it; `outbox run` sends what is due and leaves
what is not; a cancelled item never reaches the server; bad, past,
non-existent and ambiguous local times are refused with a clear message.
Every case counts what reached the Maildir."""

import datetime
import os
import signal
import subprocess
import time

import netlib
from netlib import cli

ACCOUNT = "later"


def _local(seconds_ahead):
    at = datetime.datetime.now() + datetime.timedelta(seconds=seconds_ahead)
    return at.strftime("%Y-%m-%dT%H:%M:%S")


def _delivered(subject):
    return [p for p in netlib.maildir_files()
            if str(netlib.read_message(p).get("Subject", "")) == subject]


def _scheduled():
    status, out, err = cli("schedule", "list")
    assert status == 0, out + err
    return [line.split("\t") for line in out.splitlines() if "\t" in line]


def _send_at(subject, to, at):
    status, out, err = cli("send", "--account", ACCOUNT, "--to", to, "--subject", subject,
                           "--body", "Bis später\n", "--at", at)
    assert status == 0, (status, out, err)
    assert "Scheduled for" in out, out
    number = out.split("number ")[1].split(";")[0]
    return number


def _wait_until_due(at_text):
    due = datetime.datetime.fromisoformat(at_text).timestamp()
    deadline = time.monotonic() + 30
    while time.time() < due + 0.2:
        assert time.monotonic() < deadline, "the clock did not reach the time"
        time.sleep(0.05)


def test_send_at_then_outbox_run_sends_only_what_is_due():
    netlib.add_account(ACCOUNT)
    before = len(netlib.events())
    later = _send_at("Später A", "later-a@example.test", _local(7200))
    soon = _send_at("Später B", "later-b@example.test", _local(7200))
    # Stored, not sent.
    assert netlib.events_of("mail", before) == []
    listed = {row[0]: row for row in _scheduled()}
    assert later in listed and soon in listed, listed
    assert listed[later][4] == "Später A" and listed[later][3] == "1", listed[later]
    # Local time with the zone (the rig runs in UTC).
    assert "UTC" in listed[later][1], listed[later]

    at = _local(2)
    status, out, err = cli("schedule", "reschedule", soon, "--at", at)
    assert status == 0 and "will be sent at" in out, (status, out, err)
    _wait_until_due(at)
    status, out, err = cli("outbox", "run")
    assert status == 0, (status, out, err)
    assert "1 scheduled item waits" in out, out
    assert len(_delivered("Später B")) == 1
    assert _delivered("Später A") == []
    assert [row[0] for row in _scheduled()] == [later]

    # Run again: nothing more goes, nothing twice.
    status, out, err = cli("outbox", "run")
    assert status == 0 and "Nothing is due yet" in out, (status, out, err)
    assert len(_delivered("Später B")) == 1
    status, out, err = cli("schedule", "show", soon)
    assert status == 0 and "Started:" in out and "finished" in out, out

    # Send Now: it goes at once, once.
    status, out, err = cli("schedule", "send-now", later)
    assert status == 0, (status, out, err)
    assert len(_delivered("Später A")) == 1
    assert _scheduled() == []


def test_cancel_means_the_server_never_sees_it():
    before = len(netlib.events())
    number = _send_at("Abgesagt", "cancelled@example.test", _local(3600))
    status, out, err = cli("schedule", "cancel", number)
    assert status == 0 and "nothing was sent" in out, (status, out, err)
    assert _scheduled() == []
    status, out, err = cli("outbox", "run")
    assert status == 0, (status, out, err)
    rcpts = [e for e in netlib.events_of("rcpt", before) if "cancelled@" in str(e)]
    assert rcpts == [], rcpts
    assert _delivered("Abgesagt") == []
    # Cancelled is gone: cancelling again says so.
    status, out, err = cli("schedule", "cancel", number)
    assert status != 0, (status, out, err)


def test_bad_times_are_refused_never_shifted():
    def refused(at, *want, tz=None):
        environ = dict(os.environ, TZ=tz) if tz else None
        import subprocess
        proc = subprocess.run([netlib.CLI, "send", "--account", ACCOUNT, "--to", "x@example.test",
                               "--subject", "Nie", "--body", "x\n", "--at", at],
                              capture_output=True, text=True, env=environ, timeout=60)
        assert proc.returncode == 2, (at, proc.returncode, proc.stdout, proc.stderr)
        for w in want:
            assert w in proc.stderr, (at, w, proc.stderr)

    before = len(netlib.events())
    refused("tomorrow", "--at")
    refused("2026-02-30T08:00", "--at")
    refused("2020-01-01T08:00", "in the past")
    # A local time that does not exist (clocks go forward) or happens twice.
    refused("2030-03-31T02:30", "2030-03-31", tz="Europe/Berlin")
    refused("2030-10-27T02:30", "+02:00", "+01:00", tz="Europe/Berlin")
    refused("2030-03-10T02:30", "2030-03-10", tz="America/New_York")
    refused("2030-11-03T01:30", "-04:00", "-05:00", tz="America/New_York")
    assert _scheduled() == []
    assert netlib.events_of("mail", before) == []
    # With the offset it is unambiguous, and accepted.
    number = _send_at("Eindeutig", "offset@example.test", "2030-10-27T02:30+01:00")
    status, out, err = cli("schedule", "show", number)
    assert status == 0 and "2030" in out and "01:30" in out, out  # 01:30 UTC
    status, out, err = cli("schedule", "cancel", number)
    assert status == 0, (status, out, err)


def test_scheduled_campaign_goes_when_due_to_everyone_once():
    data, tmpl = netlib.write_merge(
        "later",
        "Name,Email\n" + "".join(f"Zoë {i},late{i:02}@example.test\n" for i in range(1, 51)),
        "To: {{ Email }}\nSubject: Später {{ Name }}\n\nHallo {{ Name }}\n")
    status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", ACCOUNT,
                           "--rate", "0", "--at", _local(7200), "--yes")
    assert status == 0 and "Scheduled for" in out, (status, out, err)
    rows = [row for row in _scheduled() if row[4] == "later.csv"]
    assert len(rows) == 1 and rows[0][2] == "campaign" and rows[0][3] == "50", rows
    # The spreadsheet changes after scheduling: what goes is what was scheduled.
    with open(data, "w", encoding="utf-8") as f:
        f.write("Name,Email\nSomeone Else,else@example.test\n")

    at = _local(2)
    status, out, err = cli("schedule", "reschedule", rows[0][0], "--at", at)
    assert status == 0, (status, out, err)
    _wait_until_due(at)
    status, out, err = cli("outbox", "run")
    assert status == 0, (status, out, err)
    got = {}
    for p in netlib.maildir_files():
        msg = netlib.read_message(p)
        if str(msg.get("Subject", "")).startswith("Später Zoë"):
            got.setdefault(str(msg["To"]), []).append(p)
    assert sorted(got) == [f"late{i:02}@example.test" for i in range(1, 51)], sorted(got)
    assert all(len(v) == 1 for v in got.values())
    status, out, err = cli("schedule", "show", rows[0][0])
    assert status == 0 and ("late" in out or "on time" in out), out


def test_outbox_run_resumes_a_scheduled_campaign_that_was_killed():
    """A scheduled campaign killed mid-run is left "running" with nobody
    holding its lock: the next `outbox run` (cron) takes it up again and
    everyone gets it, the batch in flight at most twice."""
    rows = [f"killed{i:02}@example.test" for i in range(1, 21)]
    data, tmpl = netlib.write_merge(
        "killed", "Email\n" + "".join(r + "\n" for r in rows),
        "To: {{ Email }}\nSubject: Abgebrochen {{ Email }}\n\nHallo\n")
    at = _local(2)
    status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", ACCOUNT,
                           "--rate", "0", "--at", at, "--yes")
    assert status == 0 and "Scheduled for" in out, (status, out, err)
    _wait_until_due(at)
    held = rows[9]
    before = len(netlib.events())
    netlib.set_faults({"hold_rcpt": {held: 60}})
    proc = subprocess.Popen([netlib.CLI, "outbox", "run"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if any(e.get("address") == held for e in netlib.events_of("hold", before)):
                break
            time.sleep(0.01)
        else:
            raise AssertionError("the rig never held " + held)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        netlib.set_faults({})

    status, out, err = cli("outbox", "run", timeout=240)
    assert status == 0, (status, out, err)
    assert "Nothing to send" not in out, out
    counts = {}
    for path in netlib.maildir_files():
        msg = netlib.read_message(path)
        if str(msg.get("Subject", "")).startswith("Abgebrochen "):
            counts[str(msg["To"])] = counts.get(str(msg["To"]), 0) + 1
    assert sorted(counts) == rows, sorted(counts)
    assert all(n <= 2 for n in counts.values()), counts
    assert sum(1 for n in counts.values() if n == 2) <= 8, counts


def test_spread_over_days_sends_the_first_days_share_and_keeps_the_plan():
    # Its own account: the daily limit counts what the account sent in the
    # last 24 hours, and the other tests send from "later".
    netlib.add_account("spread")
    data, tmpl = netlib.write_merge(
        "spread",
        "Name,Email\n" + "".join(f"Jörg {i},spread{i:03}@example.test\n" for i in range(1, 121)),
        "To: {{ Email }}\nSubject: Verteilt {{ Name }}\n\nHallo {{ Name }}\n")
    status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", "spread",
                           "--rate", "0", "--daily-limit", "50", "--spread", "--yes", timeout=120)
    assert status == 0, (status, out, err)
    # The plan, before anything is sent: 50, 50 and 20 on three days.
    assert "Spread over 3 days, at most 50 a day" in out, out
    counts = [line.rsplit(": ", 1)[1] for line in out.splitlines()
              if line.endswith(" messages") and ", " in line and ":" in line.split(", ")[1]]
    assert counts == ["50 messages", "50 messages", "20 messages"], out
    assert "70 messages are left; they go from" in out, out

    def arrived():
        got = {}
        for p in netlib.maildir_files():
            msg = netlib.read_message(p)
            if str(msg.get("Subject", "")).startswith("Verteilt "):
                got.setdefault(str(msg["To"]), []).append(p)
        return got

    got = arrived()
    assert len(got) == 50 and all(len(v) == 1 for v in got.values()), sorted(got)
    assert sorted(got) == [f"spread{i:03}@example.test" for i in range(1, 51)], sorted(got)

    # A new process (as after a restart) sees the rest waiting, with its plan.
    rows = [row for row in _scheduled() if row[4] == "spread.csv"]
    assert len(rows) == 1, _scheduled()
    status, out, err = cli("schedule", "show", rows[0][0])
    assert status == 0, (status, out, err)
    assert "Recipients:  120 (70 not sent yet)" in out, out
    assert "Spread:      at most 50 a day, every day" in out, out
    plan = [line for line in out.splitlines() if line.endswith(" messages")]
    assert len(plan) == 2 and plan[0].startswith("Plan:") and plan[0].endswith(": 50 messages") \
        and plan[1].endswith(": 20 messages"), out
    # Its next day has not come: outbox run leaves it.
    status, out, err = cli("outbox", "run")
    assert status == 0, (status, out, err)
    assert len(arrived()) == 50
    status, out, err = cli("schedule", "cancel", rows[0][0])
    assert status == 0 and "50 of 120 had been sent; the other 70 will not be" in out, (status, out, err)
    assert len(arrived()) == 50


def test_spread_outside_its_window_waits_for_it():
    netlib.add_account("window")
    data, tmpl = netlib.write_merge(
        "window",
        "Name,Email\nAda,ada@example.test\nBob,bob@example.test\n",
        "To: {{ Email }}\nSubject: Fenster {{ Name }}\n\nHallo\n")
    # A one-hour window that does not hold the present hour.
    hour = (datetime.datetime.now().hour + 2) % 24
    window = f"{hour:02}:00-{hour:02}:59"
    status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", "window",
                           "--rate", "0", "--daily-limit", "10", "--spread", "--window", window,
                           "--yes")
    assert status == 0, (status, out, err)
    assert f"every day, {hour:02}:00–{hour:02}:59" in out, out
    assert f", {hour:02}:00: 2 messages" in out, out
    assert "Scheduled for" in out, out
    assert not [p for p in netlib.maildir_files()
                if str(netlib.read_message(p).get("Subject", "")).startswith("Fenster ")]
    # Nonsense windows are refused before anything is stored.
    for bad in ("18:00-08:00", "25:00-26:00", "morgens"):
        status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", "window",
                               "--daily-limit", "10", "--spread", "--window", bad, "--yes")
        assert status != 0 and "window" in err, (bad, status, out, err)
    status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", "window",
                           "--window", "08:00-18:00", "--yes")
    assert status != 0 and "--spread" in err, (status, out, err)


if __name__ == "__main__":
    netlib.run([
        test_send_at_then_outbox_run_sends_only_what_is_due,
        test_cancel_means_the_server_never_sees_it,
        test_bad_times_are_refused_never_shifted,
        test_scheduled_campaign_goes_when_due_to_everyone_once,
        test_outbox_run_resumes_a_scheduled_campaign_that_was_killed,
        test_spread_over_days_sends_the_first_days_share_and_keeps_the_plan,
        test_spread_outside_its_window_waits_for_it,
    ])
