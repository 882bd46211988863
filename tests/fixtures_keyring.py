"""A real Secret Service for the keyring tests (gnome-keyring on a private D-Bus).

Works both ways: under ``scripts/with-keyring`` (``WITH_KEYRING=1``, how
``scripts/test`` and CI run) the session's daemon is used; under a plain
``pytest`` the fixture starts the wrapper itself and points
``DBUS_SESSION_BUS_ADDRESS`` at it. A developer's own keyring is never touched:
the wrapper's daemon keeps its files in a throwaway temp dir.

``private_keyring`` starts a *separate* wrapper per test, for the failure modes
that break the daemon (SIGKILL, SIGSTOP, lock): those must not disturb the
other tests' keyring. Every process killed or stopped there was started by the
fixture itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WRAPPER = ROOT / "scripts" / "with-keyring"
SERVICE = "hermes-accounts"

_REPORT = ('echo "$DBUS_SESSION_BUS_ADDRESS $WITH_KEYRING_DAEMON_PID $WITH_KEYRING_DIR"; '
           "exec cat >/dev/null")


def _have_tools() -> bool:
    return all(shutil.which(b) for b in ("dbus-daemon", "dbus-send", "gnome-keyring-daemon"))


class KeyringProcess:
    """A wrapper instance we started: its bus address, daemon PID and temp dir."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("WITH_KEYRING", "DBUS_SESSION_BUS_ADDRESS")}
        self.proc = subprocess.Popen([str(WRAPPER), "sh", "-c", _REPORT], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if len(line) != 3:
            self.proc.wait(10)
            pytest.fail(f"scripts/with-keyring failed to start (rc={self.proc.returncode})")
        self.address, pid, self.dir = line
        self.daemon_pid = int(pid)
        self.stopped = False

    def env(self) -> dict[str, str]:
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def stop_daemon(self) -> None:
        """SIGSTOP: the daemon keeps its bus name but never answers (a hung keyring)."""
        os.kill(self.daemon_pid, signal.SIGSTOP)
        self.stopped = True

    def kill_daemon(self) -> None:
        os.kill(self.daemon_pid, signal.SIGKILL)

    def close(self) -> None:
        if self.stopped:
            try:
                os.kill(self.daemon_pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(5)


def clear_service(address: str | None = None) -> None:
    """Delete every entry under service ``hermes-accounts`` (test isolation)."""
    import secretstorage

    old = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        with closing(secretstorage.dbus_init()) as conn:
            coll = secretstorage.get_default_collection(conn)
            for item in coll.search_items({"service": SERVICE}):
                item.delete()
    finally:
        if address:
            if old is None:
                os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = old


@pytest.fixture(scope="session")
def secret_service() -> dict[str, str]:
    """The bus of a real, unlocked gnome-keyring; returns env vars for subprocesses."""
    if not _have_tools():
        pytest.skip("gnome-keyring/dbus not installed (scripts/test installs them)")
    proc = None
    mp = pytest.MonkeyPatch()
    if os.environ.get("WITH_KEYRING") != "1" or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        proc = KeyringProcess()
        mp.setenv("DBUS_SESSION_BUS_ADDRESS", proc.address)
    mp.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    clear_service()
    yield {"DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"]}
    mp.undo()
    if proc is not None:
        proc.close()


@pytest.fixture
def keyring_home(home, secret_service):  # type: ignore[no-untyped-def]
    """A Hermes home whose CLI runs see the real Secret Service; entries cleared before and after."""
    home.env.update(secret_service)
    clear_service()
    yield home
    clear_service()


@pytest.fixture
def private_keyring():  # type: ignore[no-untyped-def]
    """A separate keyring daemon for this test alone (may be killed, stopped or locked)."""
    if not _have_tools():
        pytest.skip("gnome-keyring/dbus not installed (scripts/test installs them)")
    kp = KeyringProcess()
    yield kp
    kp.close()


def keyring_items(address: str | None = None) -> dict[str, str]:
    """username -> secret for our service, read with SecretStorage (an independent path)."""
    import secretstorage

    env_addr = address or os.environ["DBUS_SESSION_BUS_ADDRESS"]
    old = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = env_addr
    try:
        with closing(secretstorage.dbus_init()) as conn:
            coll = secretstorage.get_default_collection(conn)
            return {i.get_attributes()["username"]: i.get_secret().decode()
                    for i in coll.search_items({"service": SERVICE})}
    finally:
        if old is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = old
