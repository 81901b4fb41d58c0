"""Single messages through the outbox, against the real rig with the real
CLI: a 451 is retried and delivered, a connection dropped mid-DATA is
retried, a 550 fails with the server's words and leaves nothing queued, a
message left by a temporary failure goes with `outbox run`, and a sender
killed with SIGKILL while its message is on the wire leaves it in the
journal: the next run sends it (same Message-ID) and says so. Every case
counts what reached the Maildir: each message exactly once."""

import os
import signal
import subprocess
import time

import netlib
from netlib import cli

SUBJECT = "Ausstehend"


def _send_args(account, to, *extra):
    return ["send", "--account", account, "--to", to, "--subject", SUBJECT,
            "--body", "Hallo\n", *extra]


def _popen(*args):
    return subprocess.Popen([netlib.CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_events(kind, since, count, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = netlib.events_of(kind, since)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {netlib.events()[since:]}")


def _delivered(message_id):
    return [p for p in netlib.maildir_files()
            if netlib.read_message(p).get("Message-ID", "").strip() == message_id]


def _outbox_ids(account):
    status, out, err = cli("outbox", "list")
    assert status == 0, out + err
    return [line.split("\t") for line in out.splitlines() if "\t" in line]


def test_451_is_retried_and_delivered():
    netlib.add_account("retry451")
    netlib.set_faults({"rcpt": {"t451@f.test": "451 4.3.0 Try again later"}})
    before = len(netlib.events())
    proc = _popen(*_send_args("retry451", "t451@f.test", "--wait", "--retry-after", "1",
                              "--max-attempts", "4"))
    # The first attempt meets the 451; the server then recovers.
    rcpts = _wait_events("rcpt", before, 1, "the first RCPT")
    assert rcpts[0]["reply"].startswith("451"), rcpts
    netlib.set_faults({})
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (proc.returncode, out, err)
    assert "451 4.3.0 Try again later" in err and "deferred" in err, err
    message_id = netlib.message_id_from(out)
    assert message_id, out
    assert len(_delivered(message_id)) == 1
    # The transcript: MAIL, RCPT 451, (a new transaction) MAIL, RCPT 250, DATA.
    seen = [(netlib.event_kind(e), e.get("reply", "")[:3]) for e in netlib.events()[before:]
            if netlib.event_kind(e) in ("mail", "rcpt", "data")]
    assert seen == [("mail", "250"), ("rcpt", "451"), ("mail", "250"), ("rcpt", "250"),
                    ("data", "250")], seen
    print("# 451 transcript:", seen)


def test_451_without_wait_stays_queued_then_outbox_run_sends_it():
    netlib.add_account("queued451")
    netlib.set_faults({"rcpt": {"q451@f.test": "451 4.3.0 Try again later"}})
    status, out, err = cli(*_send_args("queued451", "q451@f.test"))
    assert status == 6, (status, out, err)
    assert "451 4.3.0 Try again later" in err and "outbox run" in err, err
    listed = [row for row in _outbox_ids("queued451") if row[3] == "q451@f.test"]
    assert len(listed) == 1 and listed[0][1] == "deferred", listed
    before = len(netlib.maildir_files())
    netlib.set_faults({})
    status, out, err = cli("outbox", "run", "--account", "queued451", "--retry-after", "0")
    assert status == 0, (status, out, err)
    assert len(netlib.maildir_files()) == before + 1
    assert [row for row in _outbox_ids("queued451") if row[3] == "q451@f.test"] == []
    # A second run has nothing left: nobody gets it twice.
    status, out, err = cli("outbox", "run", "--account", "queued451")
    assert status == 0 and "Nothing to send" in out, (status, out, err)
    assert len(netlib.maildir_files()) == before + 1


def test_dropped_mid_data_is_retried():
    netlib.add_account("dropdata")
    netlib.set_faults({"drop_mid_data": 100, "times": {"drop_mid_data": 1}})
    before_files = len(netlib.maildir_files())
    before = len(netlib.events())
    status, out, err = cli(*_send_args("dropdata", "bob@example.test", "--wait",
                                       "--retry-after", "1"))
    assert status == 0, (status, out, err)
    datas = [e.get("reply") for e in netlib.events_of("data", before)]
    assert datas[0] == "dropped-mid-data" and datas[-1].startswith("250"), datas
    assert len(netlib.maildir_files()) == before_files + 1
    netlib.set_faults({})


def test_550_fails_with_the_servers_words_and_is_not_queued():
    netlib.add_account("perm550")
    netlib.set_faults({"rcpt": {"gone@f.test": "550 5.1.1 <gone@f.test>: No such user here"}})
    before = len(netlib.events())
    status, out, err = cli(*_send_args("perm550", "gone@f.test", "--wait", "--retry-after", "1"))
    assert status == 5, (status, out, err)
    assert "550 5.1.1 <gone@f.test>: No such user here" in err, err
    # Permanent: one attempt only, and nothing left to retry.
    assert len(netlib.events_of("rcpt", before)) == 1
    assert [row for row in _outbox_ids("perm550") if row[3] == "gone@f.test"] == []
    netlib.set_faults({})


def test_killed_in_flight_is_sent_once_or_reported():
    netlib.add_account("killed")
    # The server sits on RCPT: the message is claimed ("sending") and on
    # the wire when the sender dies.
    netlib.set_faults({"rcpt_delay": 30})
    before = len(netlib.events())
    before_files = len(netlib.maildir_files())
    proc = _popen(*_send_args("killed", "carol@example.test"))
    _wait_events("mail", before, 1, "MAIL FROM of the doomed sender")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    netlib.set_faults({})
    listed = [row for row in _outbox_ids("killed") if row[3] == "carol@example.test"]
    assert len(listed) == 1 and listed[0][1] == "sending", listed
    status, out, err = cli("outbox", "run", "--account", "killed")
    assert status == 0, (status, out, err)
    assert "Sent again after an interruption" in out, out
    message_id = netlib.message_id_from(out)
    # The killed attempt never reached DATA: exactly one copy arrived.
    assert len(_delivered(message_id)) == 1
    assert len(netlib.maildir_files()) == before_files + 1
    status, out, err = cli("outbox", "run", "--account", "killed")
    assert status == 0 and "Nothing to send" in out, (status, out, err)


if __name__ == "__main__":
    netlib.run([test_451_is_retried_and_delivered,
                test_451_without_wait_stays_queued_then_outbox_run_sends_it,
                test_dropped_mid_data_is_retried,
                test_550_fails_with_the_servers_words_and_is_not_queued,
                test_killed_in_flight_is_sent_once_or_reported])
