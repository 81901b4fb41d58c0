"""uilib.py: what the UI tests share: screenshots, and starting and
stopping the app they drive (its output goes to a log in the rig)."""

import os
import signal
import subprocess

import netlib
from atspi import screenshot

APP = os.environ.get("EPISTLE_APP", "epistle")
SHOTS = os.environ.get("EPISTLE_UI_SHOTS")


def shot(name):
    """Saves a screenshot as $EPISTLE_UI_SHOTS/NAME.png, when asked for."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        screenshot(os.path.join(SHOTS, name + ".png"))


def start_app(log_name, procs, *args):
    """Starts epistle with ARGS, its output appended to LOG_NAME in the rig;
    the process is added to PROCS (for stop_all)."""
    log = open(os.path.join(netlib.env("EPISTLE_TEST_RIGDIR"), log_name), "a")
    proc = subprocess.Popen([APP, *args], stdout=log, stderr=subprocess.STDOUT)
    procs.append(proc)
    return proc


def stop(proc):
    """SIGTERM, then SIGKILL if it has not ended within 10 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def stop_all(procs):
    for proc in procs:
        stop(proc)
