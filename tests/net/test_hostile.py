"""Hostile input through epistle-cli's front doors (issue 16): a 0-byte
file, a 2 GiB sparse file, a folder, a FIFO (with a writer that stops), a
million columns, a value past 1 MiB, 10,000 and 100,000 nested {{#if}}, a
50 MB template. Each must end at once (a hang is the timeout, a failure)
with exit status 2 and an error naming the file and what is wrong, within
1 GiB of memory, and what is already stored (a scheduled campaign, a
scheduled message) must stay as it was.

The memory bound is the peak resident size the kernel reports for the
process, and in the normal build also a 1 GiB address space (RLIMIT_AS),
so an allocation past it fails at once. AddressSanitizer reserves terabytes
of address space for its shadow memory and cannot start under RLIMIT_AS:
under it (build-aux/test.sh --sanitize) only the peak resident size is
checked."""

import datetime
import os
import resource
import subprocess
import threading
import zipfile

import netlib
from netlib import cli

ACCOUNT = "hostile"
GIB = 1 << 30


SANITIZED = netlib.SANITIZED


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


# The deadline is a limit, not a wait: under AddressSanitizer every
# allocation costs several times more (meson's --timeout-multiplier 3).
DEADLINE = 90 if SANITIZED else 30


def _cli_bounded(*args):
    """Runs epistle-cli with a 30 s deadline (90 s sanitized); fails if its
    peak RSS passed 1 GiB. Returns (status, stdout, stderr)."""
    with open(os.devnull, "rb") as null:
        proc = subprocess.Popen([netlib.CLI, *args], stdin=null, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=None if SANITIZED else _limit)
    timer = threading.Timer(DEADLINE, proc.kill)
    timer.start()
    try:
        # Read both pipes to their end (the process exits or is killed),
        # then reap it with wait4, which reports its peak resident size.
        out = []
        reader = threading.Thread(target=lambda: out.append(proc.stderr.read()))
        reader.start()
        stdout = proc.stdout.read()
        reader.join()
        _, wstatus, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(wstatus)
    finally:
        killed = not timer.is_alive()
        timer.cancel()
        proc.stdout.close()
        proc.stderr.close()
    assert not killed, (args, f"still running after {DEADLINE} s")
    assert usage.ru_maxrss * 1024 < GIB, (args, f"peak RSS {usage.ru_maxrss} KiB")
    return proc.returncode, stdout.decode(errors="replace"), out[0].decode(errors="replace")


def _dir():
    d = os.path.join(netlib.env("EPISTLE_TEST_RIGDIR"), "hostile")
    os.makedirs(d, exist_ok=True)
    return d


def _write(name, data):
    path = os.path.join(_dir(), name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _scheduled():
    status, out, err = cli("schedule", "list")
    assert status == 0, out + err
    return sorted(line for line in out.splitlines() if "\t" in line)


STORED = []


def test_store_something_first():
    netlib.add_account(ACCOUNT)
    at = (datetime.datetime.now() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
    data, tmpl = netlib.write_merge("kept", "Name,Email\nAnn,ann@example.test\nBo,bo@example.test\n",
                                    "To: {{ Email }}\nSubject: Kept {{ Name }}\n\nHallo\n")
    status, out, err = cli("merge", "--data", data, "--template", tmpl, "--account", ACCOUNT,
                           "--rate", "0", "--at", at, "--yes")
    assert status == 0 and "Scheduled for" in out, (status, out, err)
    status, out, err = cli("send", "--account", ACCOUNT, "--to", "cy@example.test",
                           "--subject", "Kept too", "--body", "x\n", "--at", at)
    assert status == 0, (status, out, err)
    STORED[:] = _scheduled()
    assert len(STORED) == 2, STORED


def _refused(args, name, phrase):
    status, out, err = _cli_bounded(*args)
    assert status == 2, (args, status, out, err)
    assert name in err and phrase in err, (args, err)
    assert "Traceback" not in err and "CRITICAL" not in err, err


def _data_cases():
    d = _dir()
    cases = []
    for ext in ("csv", "xlsx", "ods"):
        cases.append((_write("zero." + ext, b""), "empty (0 bytes)"))
    for ext in ("csv", "xlsx"):
        path = os.path.join(d, "sparse." + ext)
        with open(path, "wb") as f:
            f.truncate(2 * GIB)
        cases.append((path, "larger than 1 GiB"))
    folder = os.path.join(d, "x.csv")
    os.makedirs(folder, exist_ok=True)
    cases.append((folder, "folder"))
    n = 1000000
    cases.append((_write("wide.csv", ",".join(f"c{i}" for i in range(n)).encode() + b"\n"),
                  "more than 16384 columns"))
    with zipfile.ZipFile(os.path.join(d, "wide.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml",
                   '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                   '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                   '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml",
                   '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<sheetData><row r="1">' +
                   "".join(f'<c t="inlineStr"><is><t>c{i}</t></is></c>' for i in range(n)) +
                   "</row></sheetData></worksheet>")
    cases.append((os.path.join(d, "wide.xlsx"), "past column 16384"))
    cases.append((_write("cell.csv", b"Name,Email\nAnn," + b"x" * (1024 * 1024 + 1) + b"\n"),
                  "longer than 1024 KiB"))
    return cases


def test_hostile_data_files():
    _, tmpl = netlib.write_merge("ok", "Name,Email\nAnn,ann@example.test\n",
                                 "To: {{ Email }}\nSubject: Hi\n\nHallo\n")
    cases = _data_cases()
    try:
        for path, phrase in cases:
            name = os.path.basename(path)
            _refused(["table", path], name, phrase)
            _refused(["merge", "--data", path, "--template", tmpl, "--dry-run"], name, phrase)
            _refused(["merge", "--data", path, "--template", tmpl, "--account", ACCOUNT,
                      "--rate", "0", "--yes"], name, phrase)
    finally:
        for path, _ in cases:
            if os.path.isdir(path):
                os.rmdir(path)
            else:
                os.unlink(path)
    assert _scheduled() == STORED


def test_fifo_with_a_writer_that_stops():
    _, tmpl = netlib.write_merge("ok", "Name,Email\nAnn,ann@example.test\n",
                                 "To: {{ Email }}\nSubject: Hi\n\nHallo\n")
    fifo = os.path.join(_dir(), "pipe.csv")
    os.mkfifo(fifo)
    # O_RDWR does not wait for a reader: a writer that wrote a little and
    # then stopped, the pipe still open.
    writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        os.write(writer, b"Name,Email\nAnn,ann@example.test\n")
        _refused(["table", fifo], "pipe.csv", "not a regular file")
        _refused(["merge", "--data", fifo, "--template", tmpl, "--dry-run"],
                 "pipe.csv", "not a regular file")
        _refused(["merge", "--data", netlib.write_merge("ok", "Name,Email\nA,a@example.test\n",
                                                        "x")[0],
                  "--template", fifo, "--dry-run"], "pipe.csv", "not a regular file")
    finally:
        os.close(writer)
        os.unlink(fifo)
    assert _scheduled() == STORED


def test_hostile_templates():
    data, _ = netlib.write_merge("ok", "Name,Email\nAnn,ann@example.test\n", "x")
    head = b"To: {{ Email }}\nSubject: Hi\n\n"
    cases = []
    for depth in (10000, 100000):
        cases.append((_write(f"nest{depth}.txt",
                             head + b"{{#if Name}}" * depth + b"x" + b"{{/if}}" * depth + b"\n"),
                      "nested more than 100 deep"))
    line = b"A long line of a long letter, written again and again.\n"
    cases.append((_write("big.txt", head + line * (50 * 1000 * 1000 // len(line))),
                  "larger than 8 MiB"))
    folder = os.path.join(_dir(), "t.txt")
    os.makedirs(folder, exist_ok=True)
    cases.append((folder, "is a folder"))
    try:
        for path, phrase in cases:
            name = os.path.basename(path)
            _refused(["merge", "--data", data, "--template", path, "--dry-run"], name, phrase)
            _refused(["merge", "--data", data, "--template", path, "--account", ACCOUNT,
                      "--rate", "0", "--yes"], name, phrase)
    finally:
        for path, _ in cases:
            if os.path.isdir(path):
                os.rmdir(path)
            else:
                os.unlink(path)
    assert _scheduled() == STORED


def test_stored_campaign_still_whole():
    status, out, err = cli("schedule", "list")
    assert status == 0 and "kept.csv" in out, (status, out, err)
    for row in _scheduled():
        status, out, err = cli("schedule", "cancel", row.split("\t")[0])
        assert status == 0, (status, out, err)


if __name__ == "__main__":
    netlib.run([
        test_store_something_first,
        test_hostile_data_files,
        test_fifo_with_a_writer_that_stops,
        test_hostile_templates,
        test_stored_campaign_still_whole,
    ])
