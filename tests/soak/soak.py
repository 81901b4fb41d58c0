#!/usr/bin/python3
"""A crash soak for the send journal (issue 16, item 4). Not in the suite.

Run inside the rig (tests/soak/README.md):

  tests/servers/rig.sh /usr/bin/python3 tests/soak/soak.py [--seed N] [--mode merge|scheduled|both]

A campaign of --recipients rows (2,000) with 4 connections, unpaced, is
killed with SIGKILL at --kills (20) points and resumed each time with
`campaign resume ID`; once, it is also stopped with SIGSTOP for longer than
the server's idle timeout and then continued (a laptop lid). Kill points
are counts of messages the server has accepted (its event log), drawn
from a seeded random generator over the whole campaign; no sleep decides
where a kill lands. At the end every recipient is counted at the server,
in its event log and in the Maildir, and checked against the journal:

  - nobody lost: every recipient delivered at least once;
  - a recipient delivered twice was reported uncertain by the journal
    ("campaign show": "was in flight during a crash");
  - nobody delivered more than twice;
  - the recipients reported uncertain are at most kills × 4 × batch.

"scheduled" does the same for a campaign scheduled with --at a few
seconds ahead and sent by `outbox run` (the headless path): its first
kills land around its start time (within its first messages), the rest
over the whole run.

Prints a summary table; exits 1 on any violation (and prints each).
"""

import argparse
import bisect
import datetime
import email.parser
import email.policy
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net"))
import netlib  # noqa: E402
from netlib import cli, env  # noqa: E402

CONNECTIONS = 4
BATCH = int(os.environ.get("EPISTLE_SEND_BATCH", "8"))
SERVER_TIMEOUT = 4.0         # the rig closes on a client silent this long
LID_SECONDS = SERVER_TIMEOUT + 4.0
RUN_LIMIT = 600.0            # seconds any one run may take
TIMELINE = []                # (time, what): kills, lid, run starts; for diagnostics
WORK = tempfile.mkdtemp(prefix="ep-soak-", dir=os.environ.get("EPISTLE_TEST_RIGDIR"))


class Events:
    """Follows the server's event log incrementally (the file only grows),
    so a poll costs what was appended since the last one, not the file."""

    def __init__(self):
        self.path = env("EPISTLE_TEST_SMTP_EVENTS")
        self.offset = 0
        self.partial = ""
        self.delivered = []          # the recipients list of each accepted message
        self.timeouts = 0
        self.times = {}              # address → [(time, conn, client gone)] of its deliveries

    def poll(self):
        with open(self.path, encoding="utf-8") as f:
            f.seek(self.offset)
            chunk = f.read()
            self.offset = f.tell()
        if not chunk:
            return
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()   # a line still being written
        for line in lines:
            if not line.strip():
                continue
            e = json.loads(line)
            kind = e.get("event")
            if kind == "data" and str(e.get("reply", "")).startswith("250"):
                self.delivered.append(tuple(e.get("recipients") or ()))
                for address in e.get("recipients") or ():
                    self.times.setdefault(address, []).append(
                        (e["time"], e["conn"], bool(e.get("client_gone"))))
            elif kind == "timeout":
                self.timeouts += 1

    @property
    def count(self):
        return len(self.delivered)


def campaign_id(text):
    m = re.search(r"^Campaign (\d+)", text, re.M)
    return m.group(1) if m else None


class Run:
    """One epistle-cli process, its output in files (read while it runs)."""

    serial = 0

    def __init__(self, args, tag):
        Run.serial += 1
        tag = f"{tag}-{Run.serial}"
        self.out_path = os.path.join(WORK, f"{tag}.out")
        self.err_path = os.path.join(WORK, f"{tag}.err")
        self.out = open(self.out_path, "w")
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen([netlib.CLI, *args], stdout=self.out, stderr=self.err,
                                     stdin=subprocess.DEVNULL)
        self.started = time.monotonic()
        TIMELINE.append((time.time(), f"start {args[0]} {args[1]}"))

    def stdout(self):
        with open(self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            TIMELINE.append((time.time(), "SIGKILL"))
        self.proc.wait(timeout=30)
        self.out.close()
        self.err.close()

    def wait(self):
        try:
            self.proc.wait(timeout=max(1.0, RUN_LIMIT - (time.monotonic() - self.started)))
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"a run took longer than {RUN_LIMIT} s: {self.stdout()[-400:]}")
        self.out.close()
        self.err.close()
        return self.proc.returncode


def wait_count(events, run, target, deadline):
    """Until the server has accepted @target messages in all, @run exits,
    or the deadline passes. Returns True when the target was reached."""
    while time.monotonic() < deadline:
        events.poll()
        if events.count >= target:
            return True
        if run.proc.poll() is not None:
            events.poll()
            return events.count >= target
        time.sleep(0.003)
    return False


def lid(run, events, log, base):
    """SIGSTOP for longer than the server's timeout, then SIGCONT."""
    before = events.timeouts
    at = events.count - base
    run.proc.send_signal(signal.SIGSTOP)
    TIMELINE.append((time.time(), f"lid start at {at}"))
    time.sleep(LID_SECONDS)       # the one sleep: the lid stays shut this long
    events.poll()
    run.proc.send_signal(signal.SIGCONT)
    TIMELINE.append((time.time(), f"lid end (stopped at {at})"))
    closed = events.timeouts - before
    log(f"  lid: stopped at {at} delivered for {LID_SECONDS:.0f} s; "
        f"the server closed {closed} idle connection(s); continued")
    return closed


def kill_points(rnd, total, kills, low, high):
    """@kills distinct message counts in [low, high), sorted."""
    return sorted(rnd.sample(range(low, high), kills))


def maildir_counts(subject_prefix):
    """Recipient address (To) → copies in the Maildir, for this soak's mail."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    counts = {}
    for path in netlib.maildir_files():
        with open(path, "rb") as f:
            msg = parser.parse(f)
        if str(msg.get("Subject", "")).startswith(subject_prefix):
            to = str(msg.get("To", ""))
            counts[to] = counts.get(to, 0) + 1
    return counts


def soak(mode, seed, total, kills, log):
    rnd = random.Random(f"{seed}-{mode}")
    tag = "S" if mode == "scheduled" else "M"
    prefix = f"Soak {tag} "
    account = f"soak-{mode}"
    netlib.add_account(account)
    rows = [(f"{tag} {i}", f"{mode}-{i:05}@example.test") for i in range(1, total + 1)]
    data, tmpl = netlib.write_merge(
        f"soak-{mode}", "Name,Email\n" + "".join(f"{n},{a}\n" for n, a in rows),
        "To: {{ Email }}\nSubject: Soak {{ Name }}\n\nHello {{ Name }}, this is the soak.\n")
    events = Events()
    events.poll()
    base = events.count            # mail accepted before this soak (the other mode's)

    # Where the kills land: counts of messages accepted in this campaign.
    # "scheduled": the first third within its first messages (its start),
    # the rest anywhere. The lid falls between two kills.
    if mode == "scheduled":
        early = max(1, kills // 3)
        points = sorted(rnd.sample(range(0, 3 * CONNECTIONS * BATCH), early) +
                        kill_points(rnd, total, kills - early, 100, total - 20))
    else:
        points = kill_points(rnd, total, kills, 20, total - 20)
    # The lid comes in the run after kill number lid_after (one with room).
    ends = points[1:] + [total]
    roomy = [i for i in range(kills) if ends[i] - points[i] >= 40] or [kills - 1]
    lid_after = rnd.choice(roomy)
    lid_at = rnd.randrange(points[lid_after] + 10, max(points[lid_after] + 11, ends[lid_after] - 10))
    log(f"{mode}: {total} recipients, {CONNECTIONS} connections, batch {BATCH}; "
        f"kill points {points}; lid at {lid_at}")

    netlib.set_faults({"timeout": SERVER_TIMEOUT})
    started = time.monotonic()
    cid = None
    runs = done_kills = lid_closed = 0
    lid_done = False
    problems = []
    resumed_by_outbox_run = 0
    not_resumed_by_outbox_run = 0

    if mode == "scheduled":
        at = (datetime.datetime.now() + datetime.timedelta(seconds=8)).replace(microsecond=0)
        at_text = at.strftime("%Y-%m-%dT%H:%M:%S")
        status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", account,
                               "--connections", str(CONNECTIONS), "--rate", "0", "--at", at_text,
                               "--yes", timeout=300)
        assert status == 0 and "Scheduled for" in out, (status, out, err)
        cid = campaign_id(out)
        assert cid, out
        due = at.timestamp()
        # Runs of `outbox run` before the time send nothing and say so.
        TIMELINE.append((time.time(), f"scheduled for {due:.3f}"))
        while time.time() < due - 0.5:
            TIMELINE.append((time.time(), "outbox run (before its time)"))
            status, out, err = cli("outbox", "run", timeout=60)
            assert status == 0, (status, out, err)
            events.poll()
            assert events.count == base, "outbox run sent a campaign before its time"
            time.sleep(0.2)
        # (`outbox run` then says "the outbox is empty" when the only thing
        # waiting is a campaign: it counts only single messages as waiting.)
        while time.time() < due + 0.05:
            time.sleep(0.01)

    def start(first):
        nonlocal resumed_by_outbox_run, not_resumed_by_outbox_run
        if mode == "merge" and first:
            return Run(["merge", "--data", data, "--template", tmpl, "--account", account,
                        "--connections", str(CONNECTIONS), "--rate", "0", "--yes"], f"{mode}-run{runs}")
        if mode == "scheduled":
            # The headless path first: what a cron job would do after a crash.
            run = Run(["outbox", "run", "--retry-after", "1"], f"{mode}-run{runs}")
            if first:
                return run
            # Did it take the campaign up? Its output says so, or it exits.
            while (run.proc.poll() is None and time.monotonic() - run.started < 10
                   and campaign_id(run.stdout()) != cid):
                time.sleep(0.01)
            if run.proc.poll() is None:
                resumed_by_outbox_run += 1
                return run
            run.wait()
            if campaign_id(run.stdout()) == cid:
                resumed_by_outbox_run += 1
                return run      # it ran (and ended) within the probe
            not_resumed_by_outbox_run += 1
        return Run(["campaign", "resume", cid, "--retry-after", "1"], f"{mode}-run{runs}")

    deadline = time.monotonic() + RUN_LIMIT * (kills + 2)
    while True:
        base_of_run = events.count
        run = start(runs == 0)
        runs += 1
        target = points[done_kills] if done_kills < kills else None
        if not lid_done and done_kills == lid_after + 1:
            if wait_count(events, run, base + lid_at, deadline) and run.proc.poll() is None:
                lid_closed = lid(run, events, log, base)
                lid_done = True
        if target is None:
            status = run.wait()
            break
        reached = wait_count(events, run, base + target, deadline)
        if run.proc.poll() is not None:
            run.wait()
            problems.append(f"run {runs} ended (status {run.proc.returncode}) before kill point "
                            f"{target}: {run.stdout()[-300:]}{run.stderr()[-300:]}")
            status = run.proc.returncode
            break
        if not reached:
            run.kill()
            problems.append(f"run {runs}: the server never reached {target} (deadline)")
            status = None
            break
        run.kill()
        events.poll()
        done_kills += 1
        cid = cid or campaign_id(run.stdout())
        if cid is None:
            problems.append(f"run {runs}: killed before it printed its campaign number")
            break
        log(f"  kill {done_kills}: at {events.count - base} delivered (point {target})")

    out = run.stdout()
    if mode == "scheduled" and cid:
        # Whatever `outbox run` left, a resume finishes (and says so).
        status2, out2, err2 = cli("campaign", "resume", cid, "--retry-after", "1", timeout=300)
        if "has finished" not in (out2 + err2) and status2 != 0:
            problems.append(f"the final resume: {status2} {out2}{err2}")
    elapsed = time.monotonic() - started
    netlib.set_faults({})
    events.poll()

    # --- the count --------------------------------------------------------------
    status_show, show, err = cli("campaign", "show", cid)
    assert status_show == 0, (show, err)
    uncertain = set(re.findall(r"^Row \d+\t(\S+)\tsent \(was in flight", show, re.M))
    not_sent = re.findall(r"^Row \d+\t(\S+)\t(?!sent)(\S+)", show, re.M)
    per_event = {}
    for recipients in events.delivered[base:]:
        for address in recipients:
            per_event[address] = per_event.get(address, 0) + 1
    per_maildir = maildir_counts(prefix)
    lost, unreported, over_two, mismatch, in_window = [], [], [], [], []
    kill_times = [t for t, what in TIMELINE if what == "SIGKILL"]
    run_starts = [t for t, what in TIMELINE if what.startswith("start ")]

    def killed_in_flight(t):
        """A kill landed while the copy delivered at @t was on the wire or
        its reply not yet recorded: after its run started, at most 0.1 s
        after the server logged it (a resent copy is recorded at once), or
        before (the client was gone while the server delivered it)."""
        for k in kill_times:
            start = max([r for r in run_starts if r < k], default=0)
            if start < t and -0.1 <= t - k <= 1.0 and (k - t) <= 0.1:
                return True
        return False

    for _, address in rows:
        # The Maildir is the truth; the event log should agree with it.
        n = per_maildir.get(address, 0)
        if per_event.get(address, 0) != n:
            mismatch.append((address, per_event.get(address, 0), n))
        if n == 0:
            lost.append(address)
        elif n == 2 and address not in uncertain:
            unreported.append(address)
        elif n > 2:
            # Beyond two copies: each copy but the first and the last must
            # have had a kill land on it in flight (no journal can do better).
            times = sorted(t for t, _, _ in events.times.get(address, []))
            if len(times) == n and all(killed_in_flight(t) for t in times[1:-1]):
                in_window.append((address, n))
            else:
                over_two.append((address, n))
    strangers = set(per_maildir) - {a for _, a in rows}
    duplicates = sum(1 for n in per_maildir.values() if n > 1)
    for address in [a for a, _ in over_two + in_window] + unreported[:5]:
        lines = [line for line in show.splitlines() if f"\t{address}\t" in line]
        log(f"  {address}: journal {lines}")
        for t, conn, gone in events.times.get(address, []):
            log(f"    delivered {t:.3f} on connection {conn}{' (client gone)' if gone else ''}")
    if over_two or unreported or lost or os.environ.get("SOAK_TIMELINE"):
        for t, what in TIMELINE:
            log(f"    {t:.3f} {what}")
    bound = done_kills * CONNECTIONS * BATCH
    if lost:
        problems.append(f"LOST {len(lost)}: {lost[:20]}")
    if unreported:
        problems.append(f"UNREPORTED DUPLICATES {len(unreported)}: {unreported[:20]}")
    if over_two:
        problems.append(f"MORE THAN TWO COPIES {len(over_two)}: {over_two[:20]}")
    if mismatch:
        problems.append(f"event log and Maildir disagree for {len(mismatch)}: {mismatch[:10]}")
    if strangers:
        problems.append(f"delivered to addresses not in the campaign: {sorted(strangers)[:10]}")
    if not_sent:
        problems.append(f"journal says not sent: {not_sent[:10]}")
    if len(uncertain) > bound:
        problems.append(f"{len(uncertain)} uncertain, more than {done_kills} kills × "
                        f"{CONNECTIONS} × {BATCH} = {bound}")
    if f"{total} of {total} sent" not in out + show and f"Recipients: {total} — {total} sent" not in show:
        problems.append(f"the journal does not say all {total} sent: {show.splitlines()[:4]}")
    if not lid_done:
        problems.append("the lid never happened (the run ended first)")
    elif lid_closed == 0:
        problems.append("the server closed no connection during the lid (timeout not reached?)")
    if mode == "scheduled" and not_resumed_by_outbox_run:
        problems.append(f"`outbox run` did not resume the killed scheduled campaign "
                        f"{not_resumed_by_outbox_run} time(s) (resumed with `campaign resume`)")
    return dict(mode=mode, runs=runs, kills=done_kills, delivered=sum(per_maildir.values()),
                distinct=len(per_maildir), lost=len(lost), duplicates=duplicates,
                uncertain=len(uncertain), max_copies=max(per_maildir.values(), default=0),
                elapsed=elapsed, lid_closed=lid_closed, problems=problems,
                third_in_window=len(in_window),
                outbox_resumes=resumed_by_outbox_run)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=int(os.environ.get("EPISTLE_SOAK_SEED", "0")) or None)
    p.add_argument("--mode", choices=("merge", "scheduled", "both"), default="both")
    p.add_argument("--recipients", type=int, default=2000)
    p.add_argument("--kills", type=int, default=20)
    args = p.parse_args()
    seed = args.seed or random.SystemRandom().randrange(1, 2**31)
    os.environ.setdefault("TZ", "UTC")
    netlib._init()

    def log(text):
        print(text, flush=True)

    log(f"soak: seed {seed} (rerun with --seed {seed}); batch {BATCH}; "
        f"server timeout {SERVER_TIMEOUT} s, lid {LID_SECONDS} s")
    results = []
    for mode in (("merge", "scheduled") if args.mode == "both" else (args.mode,)):
        try:
            results.append(soak(mode, seed, args.recipients, args.kills, log))
        except Exception as e:  # noqa: BLE001 - a failed soak is a result too
            import traceback
            traceback.print_exc()
            results.append(dict(mode=mode, runs=0, kills=0, delivered=0, distinct=0, lost=0,
                                duplicates=0, uncertain=0, max_copies=0, elapsed=0.0,
                                lid_closed=0, outbox_resumes=0, problems=[f"error: {e!r}"]))

    cols = ("mode", "runs", "kills", "delivered", "lost", "duplicates", "uncertain",
            "max copies", "3rd copy: killed in flight twice", "lid closes", "elapsed")
    print()
    print(f"seed {seed}, {args.recipients} recipients, {CONNECTIONS} connections, batch {BATCH}")
    print(" | ".join(cols))
    for r in results:
        print(" | ".join(str(x) for x in (
            r["mode"], r["runs"], r["kills"], r["delivered"], r["lost"], r["duplicates"],
            r["uncertain"], r["max_copies"], r.get("third_in_window", 0), r["lid_closed"],
            f"{r['elapsed']:.0f} s")))
    failed = False
    for r in results:
        for problem in r["problems"]:
            failed = True
            print(f"VIOLATION ({r['mode']}): {problem}")
    print("soak: FAILED" if failed else "soak: passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
