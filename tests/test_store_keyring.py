"""The store against a real gnome-keyring Secret Service, including its failure modes.

Failure tests run on a private daemon (``private_keyring``) that the test may
kill, stop or lock; ordinary tests use the session's keyring.
"""

from __future__ import annotations

import os
import subprocess
import time
from contextlib import closing

import pytest

from hermes_accounts.secret import Secret
from hermes_accounts.store.backends import SecretServiceBackend, open_backend, with_deadline
from hermes_accounts.store.errors import KeyringUnavailable
from tests.fixtures_home import sentinel
from tests.fixtures_keyring import keyring_items

pytestmark = pytest.mark.keyring


@pytest.fixture
def backend(secret_service):
    from tests.fixtures_keyring import clear_service

    clear_service()
    b = SecretServiceBackend(5, interactive=False)
    yield b
    b.close()
    clear_service()


def test_linux_picks_secret_service_unless_keyring_is_told_otherwise(monkeypatch):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    assert open_backend().name == "secret-service"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    assert open_backend().name == "keyring"


def test_round_trip_visible_to_secret_tool_and_keyring(backend):
    key = sentinel()
    backend.set("deepseek/default", Secret(key), "label")
    assert backend.get_many(["deepseek/default"])["deepseek/default"].reveal() == key
    if subprocess.run(["which", "secret-tool"], capture_output=True).returncode == 0:
        out = subprocess.run(["secret-tool", "lookup", "service", "hermes-accounts", "username",
                              "deepseek/default"], capture_output=True, text=True)
        assert out.stdout == key
    from keyring.backends import SecretService

    assert SecretService.Keyring().get_password("hermes-accounts", "deepseek/default") == key
    assert keyring_items() == {"deepseek/default": key}


def test_set_replaces_instead_of_duplicating(backend):
    k1, k2 = sentinel(), sentinel()
    backend.set("xai/a", Secret(k1), "l")
    backend.set("xai/a", Secret(k2), "l")
    assert keyring_items() == {"xai/a": k2}


def test_entry_made_by_python_keyring_is_found_and_replaced(backend):
    from keyring.backends import SecretService

    SecretService.Keyring().set_password("hermes-accounts", "xai/a", sentinel())
    mine = sentinel()
    backend.set("xai/a", Secret(mine), "l")
    assert keyring_items() == {"xai/a": mine}


def test_batch_get_of_many_with_misses(backend):
    keys = {f"p{i}/default": sentinel() for i in range(20)}
    for user, key in keys.items():
        backend.set(user, Secret(key), "l")
    got = backend.get_many([*keys, "nope/none"])
    assert {u: s.reveal() for u, s in got.items() if s} == keys
    assert got["nope/none"] is None
    assert sorted(backend.list_usernames()) == sorted(keys)


def test_delete(backend):
    backend.set("xai/a", Secret(sentinel()), "l")
    assert backend.delete("xai/a") is True
    assert backend.delete("xai/a") is False
    assert keyring_items() == {}


def test_unicode_and_long_values(backend):
    key = "k" * 600 + "é"
    backend.set("xai/long", Secret(key), "l")
    assert backend.get_many(["xai/long"])["xai/long"].reveal() == key


# -- failure modes, for real ------------------------------------------------------
def _with_bus(address):
    old = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    return old


def _restore(old):
    if old is None:
        os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
    else:
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = old


def test_no_bus_is_diagnosed_at_once(monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    t = time.perf_counter()
    with pytest.raises(KeyringUnavailable) as err:
        SecretServiceBackend(5).get_many(["xai/a"])
    assert time.perf_counter() - t < 1
    assert err.value.kind == "no-bus"
    assert "dbus-run-session" in str(err.value) and "--store dotenv" in str(err.value)


def test_dead_socket_is_diagnosed(monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/nothing-here")
    with pytest.raises(KeyringUnavailable) as err:
        SecretServiceBackend(5).get_many(["xai/a"])
    assert err.value.kind in ("bus-down", "no-service")


def test_daemon_killed_mid_run(private_keyring):
    old = _with_bus(private_keyring.address)
    try:
        b = SecretServiceBackend(5)
        key = sentinel()
        b.set("xai/a", Secret(key), "l")
        assert b.get_many(["xai/a"])["xai/a"].reveal() == key
        b.close()
        private_keyring.kill_daemon()
        t = time.perf_counter()
        with pytest.raises(KeyringUnavailable) as err:
            SecretServiceBackend(5).get_many(["xai/a"])
        # the bus auto-activates a new daemon, which loads the keyring locked
        assert err.value.kind in ("locked", "no-service", "bus-down")
        assert time.perf_counter() - t < 5
    finally:
        _restore(old)


def _lock_default(address):
    import secretstorage

    old = _with_bus(address)
    try:
        with closing(secretstorage.dbus_init()) as conn:
            secretstorage.get_default_collection(conn).lock()
    finally:
        _restore(old)


def _unlock_default(address, password=b"test"):
    import secretstorage
    from secretstorage.util import DBusAddressWrapper, format_secret, open_session

    old = _with_bus(address)
    try:
        with closing(secretstorage.dbus_init()) as conn:
            g = DBusAddressWrapper("/org/freedesktop/secrets",
                                   "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface", conn)
            secret = format_secret(open_session(conn), password, "text/plain")
            g.call("UnlockWithMasterPassword", "o(oayays)", "/org/freedesktop/secrets/collection/login",
                   secret)
    finally:
        _restore(old)


def test_locked_collection(private_keyring):
    old = _with_bus(private_keyring.address)
    try:
        key = sentinel()
        b = SecretServiceBackend(5)
        b.set("xai/a", Secret(key), "l")
        b.close()
        _lock_default(private_keyring.address)
        with pytest.raises(KeyringUnavailable) as err:
            SecretServiceBackend(5, interactive=False).get_many(["xai/a"])
        assert err.value.kind == "locked" and "unlock" in err.value.fix
        # interactive: tries the unlock prompt, which cannot be shown headless -> fails fast
        t = time.perf_counter()
        with pytest.raises(KeyringUnavailable) as err:
            SecretServiceBackend(5, interactive=True).set("xai/a", Secret(sentinel()), "l")
        assert err.value.kind in ("locked", "timeout") and time.perf_counter() - t < 7
        _unlock_default(private_keyring.address)
        assert SecretServiceBackend(5).get_many(["xai/a"])["xai/a"].reveal() == key
    finally:
        _restore(old)


def test_hung_daemon_times_out(private_keyring):
    old = _with_bus(private_keyring.address)
    try:
        b = SecretServiceBackend(5)
        b.set("xai/a", Secret(sentinel()), "l")
        b.close()
        private_keyring.stop_daemon()  # on the bus, never answers
        hung = SecretServiceBackend(1.0)
        t = time.perf_counter()
        with pytest.raises(KeyringUnavailable) as err:
            hung.get_many(["xai/a"])
        elapsed = time.perf_counter() - t
        assert err.value.kind == "timeout" and 0.9 < elapsed < 3
        assert "HERMES_ACCOUNTS_KEYRING_TIMEOUT" in str(err.value)
        with pytest.raises(KeyringUnavailable):  # a timed-out backend is not reused
            hung.get_many(["xai/a"])
    finally:
        _restore(old)


def test_with_deadline_passes_results_and_maps_errors():
    assert with_deadline(lambda: 42, 1) == 42

    def boom():
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    with pytest.raises(KeyringUnavailable) as err:
        with_deadline(boom, 1)
    assert err.value.kind == "bus-down"
    t = time.perf_counter()
    with pytest.raises(KeyringUnavailable) as err:
        with_deadline(lambda: time.sleep(30), 0.2)
    assert err.value.kind == "timeout" and time.perf_counter() - t < 1


# -- the lean reader on the agent's start path ----------------------------------------
@pytest.mark.parametrize("mode", ["plain", "dh"])
def test_lean_reader_reads_what_secretstorage_wrote(backend, mode):
    from hermes_accounts.store.ss_reader import read_batch

    keys = {f"p{i}/default": sentinel() for i in range(3)}
    for user, key in keys.items():
        backend.set(user, Secret(key), "l")
    got = read_batch([*keys, "none/x"], "hermes-accounts", 5, mode)
    assert got == {**keys, "none/x": None}


def test_start_path_skips_secretstorage_and_reports_locked(private_keyring, home):
    """The resolver reads keyring accounts without importing SecretStorage or cryptography."""
    import sys

    from tests.fixtures_home import ROOT

    home.env.update(private_keyring.env())
    key = sentinel()
    assert home.run("set", "deepseek", stdin=key).returncode == 0
    code = ("import sys; from hermes_accounts.resolver import resolve, global_warnings; "
            "from hermes_accounts.store.source import load_inputs; "
            "i = load_inputs(); r = resolve('deepseek', i); "
            "print(r.credential.source if r.credential else None, "
            "sorted(m for m in ('secretstorage', 'cryptography', 'keyring') if m in sys.modules)); "
            "print(*global_warnings(i), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT),
                         env=home.env, check=True)
    assert out.stdout.split(None, 1) == ["keyring:deepseek/default", "[]\n"]
    assert key not in out.stdout + out.stderr
    _lock_default(private_keyring.address)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT),
                         env=home.env, check=True)
    assert out.stdout.startswith("None") and "locked" in out.stderr
