"""Why the keyring cannot be used, and what the user should do about it.

Every failure of the OS keyring ends up as one :class:`KeyringUnavailable`
carrying a short ``problem`` and a concrete ``fix``, whatever library raised
it: ``keyring`` raises ``KeyringError`` subclasses, SecretStorage raises its own
exceptions (not ``KeyringError``), a dead bus raises ``ConnectionRefusedError``,
and a hang raises nothing at all — the deadline turns it into one.
"""

from __future__ import annotations

import os

DOTENV_HINT = "or store the key in plaintext on purpose with `--store dotenv`"
UNLOCK_HINT = ("unlock it (log in to the desktop session, or on a headless machine start the daemon "
               "with the password on stdin: `printf %s \"$PW\" | gnome-keyring-daemon --unlock "
               "--components=secrets`)")


class KeyringUnavailable(Exception):
    """The OS keyring cannot be used right now. ``kind`` is a stable short code."""

    def __init__(self, kind: str, problem: str, fix: str) -> None:
        self.kind = kind
        self.problem = problem
        self.fix = fix
        super().__init__(f"OS keyring unavailable: {problem}; {fix}")


def no_bus() -> KeyringUnavailable:
    return KeyringUnavailable(
        "no-bus", "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset, as over SSH or in a container)",
        "start one with `dbus-run-session -- $SHELL` and unlock gnome-keyring inside it "
        f"(`printf %s \"$PW\" | gnome-keyring-daemon --unlock --components=secrets`), {DOTENV_HINT}")


def timeout(seconds: float) -> KeyringUnavailable:
    return KeyringUnavailable(
        "timeout", f"the keyring did not answer within {seconds:g} s (an unlock prompt nobody can see, "
                   "or a hung keyring daemon)",
        f"unlock the keyring or restart its daemon, raise HERMES_ACCOUNTS_KEYRING_TIMEOUT, {DOTENV_HINT}")


def locked(detail: str = "") -> KeyringUnavailable:
    extra = f" ({detail})" if detail else ""
    return KeyringUnavailable("locked", f"the default keyring collection is locked{extra}",
                              f"{UNLOCK_HINT}, {DOTENV_HINT}")


def no_service(detail: str = "") -> KeyringUnavailable:
    extra = f" ({detail})" if detail else ""
    return KeyringUnavailable(
        "no-service", f"no Secret Service answers on the D-Bus session bus{extra}",
        "install and start one (`apt install gnome-keyring`, or KeePassXC with Secret Service "
        f"integration), {DOTENV_HINT}")


def diagnose(exc: BaseException) -> KeyringUnavailable:
    """Map whatever a keyring library raised to a :class:`KeyringUnavailable`.

    Only the exception's class and message are inspected; neither ever holds a
    key (we never pass keys in attributes or labels).
    """
    if isinstance(exc, KeyringUnavailable):
        return exc
    name = type(exc).__name__
    text = str(exc).splitlines()[0] if str(exc) else name
    if "DBUS_SESSION_BUS_ADDRESS" in text and "unset" in text:
        return no_bus()
    if name in ("KeyringLocked", "LockedException"):
        return locked(text)
    if name in ("PromptDismissedException", "InitError"):
        return locked(f"unlocking needs a prompt that cannot be shown: {text}")
    if isinstance(exc, (ConnectionError, FileNotFoundError)) or "Connection refused" in text \
            or "No such file" in text:
        addr = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        return KeyringUnavailable(
            "bus-down", f"the D-Bus session bus {addr} does not answer ({text})",
            f"start a session bus and keyring (`dbus-run-session -- $SHELL`), {DOTENV_HINT}")
    if isinstance(exc, TimeoutError):
        return KeyringUnavailable("timeout", f"the D-Bus session bus did not answer ({text})",
                                  f"check the bus and keyring daemon, {DOTENV_HINT}")
    if name == "NoKeyringError":
        return KeyringUnavailable(
            "no-backend", "no keyring backend is available (Python keyring found none)",
            f"install a keyring (gnome-keyring / KeePassXC on Linux) or check PYTHON_KEYRING_BACKEND, "
            f"{DOTENV_HINT}")
    if name in ("SecretServiceNotAvailableException", "ItemNotFoundException"):
        return no_service(text)
    return KeyringUnavailable("error", f"{name}: {text}", f"check the keyring, {DOTENV_HINT}")
