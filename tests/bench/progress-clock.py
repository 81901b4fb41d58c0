#!/usr/bin/python3
"""Runs epistle-cli and times its send phase from its own progress lines
("Sent N of T, …", one every 100 messages when stderr is not a terminal),
so that reading and checking a large file and creating its campaign do
not count in a messages-per-second figure.

    progress-clock.py OUTFILE CMD...

Passes CMD's stdout and stderr through, exits with its status, and writes
"FIRST_N FIRST_S LAST_N LAST_S" to OUTFILE: the first and the last
progress line's count and monotonic time in seconds. The rate of the send
phase is (LAST_N - FIRST_N) / (LAST_S - FIRST_S).
"""

import re
import subprocess
import sys
import time

PROGRESS = re.compile(r"^Sent (\d+) of (\d+)")


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    first = last = None
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    for raw in proc.stderr:
        now = time.monotonic()
        sys.stderr.buffer.write(raw)
        m = PROGRESS.match(raw.decode("utf-8", "replace"))
        if m:
            n = int(m.group(1))
            if first is None and n > 0:
                first = (n, now)
            last = (n, now)
    status = proc.wait()
    with open(out, "w") as f:
        if first is not None:
            f.write(f"{first[0]} {first[1]:.6f} {last[0]} {last[1]:.6f}\n")
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
