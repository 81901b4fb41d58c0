"""Credentials go to the real keyring (gnome-keyring over the rig's private
D-Bus session) and nowhere else."""

import base64
import os
import subprocess

import netlib
from netlib import cli, env

SCHEMA = "io.github.epistle.Account"


def _secret_tool(*args):
    return subprocess.run(["secret-tool", *args], capture_output=True, text=True, timeout=20)


def _keyring_items():
    proc = _secret_tool("search", "--all", "--unlock", "xdg:schema", SCHEMA)
    assert proc.returncode in (0, 1), proc.stderr
    return [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("secret = ")]


def _files_under_xdg():
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        for root, _dirs, files in os.walk(env(var)):
            for name in files:
                yield os.path.join(root, name)


def test_password_in_keyring_only():
    secret = "Pässwört with spaces & ünïcode " + os.urandom(6).hex()
    netlib.add_account("kr", password=secret)

    items = _keyring_items()
    assert f"secret = {secret}" in items, items

    needles = [secret.encode(), base64.b64encode(secret.encode()),
               secret.encode("utf-16-le")]
    checked = 0
    for path in _files_under_xdg():
        with open(path, "rb") as f:
            data = f.read()
        checked += 1
        for needle in needles:
            assert needle not in data, f"the password was written to {path}"
    assert checked > 0, "expected the database under XDG_DATA_HOME"
    assert os.path.exists(os.path.join(env("XDG_DATA_HOME"), "epistle", "epistle.db"))


def test_keyring_password_is_used():
    netlib.add_account("kr-use")
    status, out, err = cli("send", "--account", "kr-use", "--to", "bob@example.test",
                           "--subject", "from the keyring", "--body", "x")
    assert status == 0, out + err
    netlib.wait_for_message(netlib.message_id_from(out))


def test_remove_clears_keyring():
    netlib.add_account("kr-remove", password="remove-me-" + os.urandom(4).hex())
    count = len(_keyring_items())
    status, out, err = cli("account", "remove", "kr-remove")
    assert status == 0, out + err
    assert len(_keyring_items()) == count - 1
    status, out, err = cli("account", "list")
    assert "kr-remove" not in out
    status, out, err = cli("account", "remove", "kr-remove")
    assert status == 2 and "kr-remove" in err, (status, err)


def test_list_shows_no_secret():
    netlib.add_account("kr-list", password="listed-" + os.urandom(4).hex())
    status, out, err = cli("account", "list")
    assert status == 0, err
    assert "kr-list" in out and "listed-" not in out


if __name__ == "__main__":
    netlib.run([test_password_in_keyring_only, test_keyring_password_is_used,
                test_remove_clears_keyring, test_list_shows_no_secret])
