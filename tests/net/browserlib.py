"""Drives Debian's real headless Chromium against the password-protected
mail page (src/core/vault/password-page/), which decrypts in the browser.

Needs the Debian packages chromium, chromium-driver and python3-selenium
(run with /usr/bin/python3). Every network request the browser makes goes
through a recording proxy on 127.0.0.1 that answers 404, so a test can prove
the page fetched nothing; loopback is proxied too (--proxy-bypass-list).

    with Browser() as b:
        b.open("/tmp/mail.html")
        assert b.unlock("secret") == "message"
        assert b.body_text() == "Hello\n"
        assert b.download("a.pdf") == pdf_bytes
        assert b.network_requests() == []

Page contract: form#unlock > input#password + button#open; #error shown with
text on a wrong password; #message (hidden until decrypted) holding #subject,
#from, #date, pre#body and ul#attachments > a[download][href^=blob:];
#hint; a <meta http-equiv="Content-Security-Policy">.
"""

import http.server
import json
import os
import tempfile
import threading

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.remote_connection import RemoteConnection
from selenium.webdriver.support.ui import WebDriverWait

CHROMEDRIVER = os.environ.get("EPISTLE_CHROMEDRIVER", "/usr/bin/chromedriver")
# The real binary, not the /usr/bin/chromium shell wrapper, which would add
# --load-extension and the flags from /etc/chromium.d.
CHROMIUM = os.environ.get("EPISTLE_CHROMIUM", "/usr/lib/chromium/chromium")
TIMEOUT = 60  # seconds; bounds every wait (PBKDF2 is slow on a loaded machine)
SKIP_SCHEMES = ("file:", "data:", "blob:")


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Records each request (method, request-target, Host) and answers 404.
    The target is an absolute URL for plain http, host:port for CONNECT."""

    def _record(self):
        with self.server.lock:
            self.server.requests.append((self.command, self.path, self.headers.get("Host")))
        self.close_connection = True
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_CONNECT = _record

    def log_message(self, *args):
        pass


class Browser:
    """Headless Chromium session; use as a context manager (always cleans up)."""

    def __init__(self, timeout=TIMEOUT):
        self.timeout = timeout
        self.driver = self.proxy = self._tmp = None
        self._perf, self._console = [], []  # accumulated logs (get_log drains them)
        self.last_download = None  # path of the file download() last returned

    # -- lifetime ---------------------------------------------------------

    def __enter__(self):
        try:
            self._start()
            return self
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()

    def _start(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="epistle-browser-",
                                                ignore_cleanup_errors=True)
        self.download_dir = os.path.join(self._tmp.name, "downloads")
        os.mkdir(self.download_dir)
        os.mkdir(os.path.join(self._tmp.name, "no-models"))

        self.proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        self.proxy.daemon_threads = True
        self.proxy.lock = threading.Lock()
        self.proxy.requests = []
        threading.Thread(target=self.proxy.serve_forever, daemon=True).start()

        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ["--headless=new", "--disable-gpu", "--no-first-run",
                    f"--user-data-dir={self._tmp.name}/profile",
                    f"--proxy-server=http://127.0.0.1:{self.proxy.server_port}",
                    "--proxy-bypass-list=<-loopback>",  # proxy 127.0.0.1 too
                    "--window-size=1024,768",
                    # Silence Chromium's own chatter, which the proxy would
                    # otherwise record on every run (chromedriver adds these
                    # four too, and merges the --disable-features lists):
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-default-apps",
                    "--disable-features=NetworkTimeServiceQuerying",  # clients2.google.com/time
                    # update.googleapis.com: the on-device AI model manifest is
                    # fetched on demand despite --disable-component-update;
                    # a local (empty) manifest directory stops it.
                    f"--optimization-guide-manifest-override={self._tmp.name}/no-models",
                    # accounts.google.com/ListAccounts: point GAIA at port 1,
                    # which Chromium refuses (ERR_UNSAFE_PORT) before any proxy.
                    "--gaia-url=http://127.0.0.1:1/"]:
            opts.add_argument(arg)
        if os.geteuid() == 0:
            opts.add_argument("--no-sandbox")  # Chromium refuses to start as root otherwise
        opts.add_experimental_option("prefs", {
            "download.default_directory": self.download_dir,
            "download.prompt_for_download": False,
            # A second download from one page would otherwise be held for a prompt.
            "profile.default_content_setting_values.automatic_downloads": 1,
            "safebrowsing.enabled": False,
            # Start on about:blank, not the new-tab page (whose search-engine
            # preconnect reaches start.duckduckgo.com on Debian).
            "session.restore_on_startup": 4, "session.startup_urls": ["about:blank"],
            "homepage": "about:blank", "homepage_is_newtabpage": False,
            "net.network_prediction_options": 2, "search.suggest_enabled": False,
            "signin.allowed": False,
        })
        opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})

        # Bounds each WebDriver command (a class-wide setting in Selenium 4.8).
        RemoteConnection.set_timeout(2 * self.timeout)
        # Under LC_ALL=C Chromium saves "Weiß.pdf" as "download": give it UTF-8.
        service = Service(CHROMEDRIVER, log_path=os.path.join(self._tmp.name, "chromedriver.log"),
                          env={**os.environ, "LC_ALL": "C.UTF-8"})
        self.driver = webdriver.Chrome(service=service, options=opts)
        self.driver.set_page_load_timeout(self.timeout)
        self.driver.set_script_timeout(self.timeout)
        # The prefs alone already work in --headless=new; this CDP call is
        # belt and braces (and makes same-named downloads overwrite).
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {
            "behavior": "allow", "downloadPath": self.download_dir, "eventsEnabled": True})

    def close(self):
        """Quits Chromium and chromedriver, stops the proxy, removes temp dirs."""
        if self.driver is not None:
            try:
                self.driver.quit()
            finally:
                self.driver = None
        if self.proxy is not None:
            self.proxy.shutdown()
            self.proxy.server_close()
            self.proxy = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- page -------------------------------------------------------------

    def open(self, path):
        """Loads file://<absolute path> and waits for its load event."""
        self.driver.get("file://" + os.path.abspath(path))

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, predicate, what="condition", timeout=None):
        """Polls predicate(driver) until it returns something truthy."""
        return WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=0.05).until(
            predicate, f"timed out waiting for {what}")

    def displayed(self, css):
        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return bool(found) and found[0].is_displayed()

    def unlock(self, password):
        """Types password into #password, submits, waits for the outcome.
        Returns "message" (#message shown) or "error" (#error shown with text).
        An error already showing from an earlier try only counts once the page
        touches #error again (seen by a MutationObserver armed before submit)."""
        self.js("""
            window.__bl_touched = !document.querySelector('#error')?.checkVisibility();
            const e = document.querySelector('#error');
            if (e) new MutationObserver(() => { window.__bl_touched = true; })
                .observe(e, {attributes: true, childList: true, characterData: true, subtree: true});
        """)
        field = self.driver.find_element(By.CSS_SELECTOR, "form#unlock input#password")
        field.clear()
        field.send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "form#unlock button#open").click()

        def outcome(driver):
            if self.displayed("#message"):
                return "message"
            if (self.js("return window.__bl_touched === true") and self.displayed("#error")
                    and self.text("#error").strip()):
                return "error"
            return None
        return self.wait(outcome, "#message or #error after submitting the password")

    def text(self, css):
        """Visible (rendered, whitespace-normalised) text; '' if hidden."""
        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def text_content(self, css):
        """Exact DOM textContent (None if no such element)."""
        return self.js("const e = document.querySelector(arguments[0]);"
                       "return e ? e.textContent : null;", css)

    def body_text(self):
        """Exact textContent of pre#body, whitespace preserved."""
        return self.js("return document.querySelector('pre#body').textContent")

    def csp(self):
        """content of <meta http-equiv=Content-Security-Policy>, or None."""
        return self.js("const m = document.querySelector("
                       "'meta[http-equiv=\"content-security-policy\" i]');"
                       "return m ? m.getAttribute('content') : null;")

    def attachments(self):
        """[(download name, href)] of the links in #attachments."""
        return [tuple(x) for x in self.js(
            "return [...document.querySelectorAll('#attachments a')]"
            ".map(a => [a.getAttribute('download'), a.href]);")]

    def download(self, name):
        """Clicks the #attachments link with download=name; returns the saved
        file's bytes once complete. Its path (Chromium may sanitise the name)
        is left in self.last_download until the next download()."""
        links = [a for a in self.driver.find_elements(By.CSS_SELECTOR, "#attachments a")
                 if a.get_attribute("download") == name]
        if not links:
            raise AssertionError(f"no attachment link with download={name!r}")
        # Start from an empty directory: Browser.setDownloadBehavior "allow"
        # overwrites a same-named file in place, so "a new name appeared"
        # would never fire for a second download of one attachment.
        for old in os.listdir(self.download_dir):
            os.remove(os.path.join(self.download_dir, old))
        links[0].click()

        def finished(driver):
            now = os.listdir(self.download_dir)
            if any(f.endswith(".crdownload") or f.startswith(".") for f in now):
                return None  # still being written (renamed when complete)
            return now[0] if now else None
        saved = self.wait(finished, f"download of {name!r}")
        self.last_download = os.path.join(self.download_dir, saved)
        with open(self.last_download, "rb") as f:
            return f.read()

    # -- what the browser did -------------------------------------------

    def _drain_logs(self):
        self._perf += self.driver.get_log("performance")
        self._console += self.driver.get_log("browser")

    def network_requests(self):
        """Every request the proxy received (absolute URL, or host:port for a
        CONNECT) followed by every Network.requestWillBeSent URL that is not
        file:, data: or blob:. [] means the page fetched nothing at all.
        A request that left the browser shows up twice (proxy + log); one
        Chromium blocked itself (CSP, unsafe port such as :9) only once."""
        self._drain_logs()
        with self.proxy.lock:
            seen = [target for _, target, _ in self.proxy.requests]
        for entry in self._perf:
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                url = msg["params"]["request"]["url"]
                if not url.startswith(SKIP_SCHEMES):
                    seen.append(url)
        return seen

    def console_errors(self):
        """Messages of SEVERE browser-log entries (console errors, CSP
        violations, failed loads) seen so far."""
        self._drain_logs()
        return [e["message"] for e in self._console if e.get("level") == "SEVERE"]
