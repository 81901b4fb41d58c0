"""uilib.py: what the UI tests share: screenshots, and starting and
stopping the app they drive (its output goes to a log in the rig)."""

import os
import signal
import subprocess
import time

import netlib
from atspi import TIME_SCALE, click, find, find_all, screenshot, set_text, wait_until

APP = os.environ.get("EPISTLE_APP", "epistle")
SHOTS = os.environ.get("EPISTLE_UI_SHOTS")


def shot(name):
    """Saves a screenshot as $EPISTLE_UI_SHOTS/NAME.png, when asked for."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        screenshot(os.path.join(SHOTS, name + ".png"))


class App(subprocess.Popen):
    """The app's process; its wait() deadline stretches as wait_until's does."""

    def wait(self, timeout=None):
        return super().wait(None if timeout is None else timeout * TIME_SCALE)


def start_app(log_name, procs, *args):
    """Starts epistle with ARGS, its output appended to LOG_NAME in the rig;
    the process is added to PROCS (for stop_all)."""
    log = open(os.path.join(netlib.env("EPISTLE_TEST_RIGDIR"), log_name), "a")
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        # Sanitized build: memory errors and UB stop the window (the rig
        # collects the report and fails the test), but no leak check at its
        # exit: GTK, Pango, fontconfig and the AT-SPI bridge keep caches for
        # the process's lifetime, allocated through Debian's GLib, which
        # LeakSanitizer's fast unwinder cannot see past, so no suppression
        # could name them without hiding Epistle's own leaks too. The core
        # the window uses is leak-checked by the core and CLI tests.
        # The fast unwinder too: the window allocates too much to unwind
        # fully at every allocation.
        env["ASAN_OPTIONS"] += ":detect_leaks=0:fast_unwind_on_malloc=1"
    proc = App([APP, *args], stdout=log, stderr=subprocess.STDOUT, env=env)
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


def run(tests, procs, log_name, prefix):
    """Runs TESTS in order as TAP (EPISTLE_UI_ONLY=a,b keeps the first and
    the named ones); a failure prints the app's last log lines and saves a
    screenshot; after a failed first test the rest are skipped. Stops
    PROCS at the end; exits 1 if anything failed."""
    import sys
    import traceback
    only = os.environ.get("EPISTLE_UI_ONLY")
    if only:
        tests = [t for i, t in enumerate(tests) if i == 0 or t.__name__ in only.split(",")]
    netlib._init()
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
                for line in app_log_tail(log_name):
                    print(f"# app: {line}")
                shot(f"{prefix}-failed-{number}")
                sys.stdout.flush()
                if number == 1:
                    for m in range(2, len(tests) + 1):
                        print(f"not ok {m} - {tests[m - 1].__name__} # skipped: the first test failed")
                        failed += 1
                    break
    finally:
        stop_all(procs)
    sys.exit(1 if failed else 0)


def app_log_tail(log_name):
    """The app log's last 10 lines; if a sanitizer reported in it, its
    report instead (up to 80 lines), waited for up to 60 s to finish:
    a crashed app's stack is what a failed test must show."""
    log = os.path.join(netlib.env("EPISTLE_TEST_RIGDIR"), log_name)
    if not os.path.exists(log):
        return []
    deadline = time.monotonic() + 60
    while True:
        with open(log, errors="replace") as f:
            lines = f.read().splitlines()
        starts = [i for i, line in enumerate(lines)
                  if "AddressSanitizer" in line or "LeakSanitizer" in line or "runtime error:" in line]
        if not starts:
            return lines[-10:]
        report = lines[max(0, starts[0] - 3):]
        if any(line.startswith("SUMMARY:") or "ABORTING" in line for line in report) \
                or time.monotonic() > deadline:
            return report[:80]
        time.sleep(0.5)


def open_from_primary_menu(app, item):
    """Opens ITEM of the main window's primary menu."""
    # The main page's primary menu (the welcome page has one too, earlier).
    menus = find_all(app, lambda n: n.name == "Main Menu" and n.getRoleName() == "push button"
                     and n.queryAction().nActions > 0)
    assert menus, "no Main Menu button"
    click(menus[-1])
    click(find(app, item, contains=True, timeout=10,
               match_extra=lambda n: n.getRoleName() != "label"))


def _window_named(app, name):
    return next((app.getChildAtIndex(i) for i in range(app.childCount)
                 if app.getChildAtIndex(i) is not None and app.getChildAtIndex(i).name == name), None)


def set_signature(app, text):
    """Gives the (only) account the signature TEXT in Preferences."""
    n_windows = app.childCount
    open_from_primary_menu(app, "Preferences")
    prefs = wait_until(lambda: _window_named(app, "Preferences"), "Preferences to open")
    click(find(prefs, "Edit", "push button"))
    set_text(find(app, "Signature", "text"), text)
    click(find(app, "Save", "push button"))
    wait_until(lambda: app.childCount == n_windows + 1, "the account dialog to close")
    click(find(prefs, "Close", "push button"))
    wait_until(lambda: _window_named(app, "Preferences") is None, "Preferences to close")
