"""Talking to the OS keyring, with a deadline on every call.

Three backends share one small interface (:class:`Backend`):

- :class:`SecretServiceBackend` — Linux. A whole batch (every active account,
  or every account for a drift check) is read over **one** D-Bus connection
  with a single ``GetSecrets`` call: Python ``keyring`` opens a new connection
  and a new Diffie-Hellman session per ``get_password`` (~20 ms each), which
  would make 20 accounts cost 20× one. Non-interactive reads (the resolver,
  the agent's start) use the lean jeepney client in :mod:`.ss_reader`;
  writes, deletes and unlock prompts use SecretStorage (DH-encrypted).
- :class:`KeyringLibBackend` — everything else (macOS Keychain, Windows
  Credential Manager, or any ``PYTHON_KEYRING_BACKEND``), through ``keyring``.
- :class:`MemoryBackend` — unit tests of the logic above the store.

Entries are service ``hermes-accounts``, username ``PROVIDER/ACCOUNT``, the
same attributes ``keyring`` uses, so ``secret-tool lookup service
hermes-accounts username openai/default`` and ``keyring get hermes-accounts
openai/default`` find them.

Every operation runs in a daemon worker thread and is abandoned after a
deadline (:func:`with_deadline`): an unlock prompt on a screen nobody watches
or a stopped daemon must not hang the agent or the CLI.
"""

from __future__ import annotations

import os
import sys
import threading

from ..secret import Secret
from . import SERVICE
from .errors import KeyringUnavailable, diagnose, no_bus, timeout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import TypeVar

    T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
APPLICATION = "hermes-accounts"


def default_timeout() -> float:
    """``HERMES_ACCOUNTS_KEYRING_TIMEOUT`` seconds (default 5)."""
    raw = os.environ.get("HERMES_ACCOUNTS_KEYRING_TIMEOUT", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        value = DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def with_deadline(fn: Callable[[], T], seconds: float, on_timeout: Callable[[], None] | None = None) -> T:
    """Run ``fn`` in a daemon thread; raise :class:`KeyringUnavailable` after ``seconds``.

    A daemon thread (not a ThreadPoolExecutor, whose workers are joined at
    interpreter exit) so that a call stuck forever cannot keep the process alive.
    Exceptions from ``fn`` are re-raised here, mapped by :func:`diagnose`.
    """
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=work, name="hermes-accounts-keyring", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if on_timeout is not None:
            try:
                on_timeout()
            except Exception:  # noqa: S110 - best effort: free the stuck socket
                pass
        raise timeout(seconds)
    if "error" in box:
        err = box["error"]
        assert isinstance(err, BaseException)
        if isinstance(err, KeyringUnavailable):
            raise err
        raise diagnose(err) from None
    return box["value"]  # type: ignore[return-value]


class Backend:
    """What the account store needs from a keyring. Values travel as :class:`Secret`."""

    name = "abstract"

    def get_many(self, usernames: Iterable[str]) -> dict[str, Secret | None]:
        """Each username's secret (None when absent), fetched as one batch."""
        raise NotImplementedError

    def set(self, username: str, secret: Secret, label: str) -> None:
        raise NotImplementedError

    def delete(self, username: str) -> bool:
        """Remove the entry; False when there was none."""
        raise NotImplementedError

    def list_usernames(self) -> list[str] | None:
        """Usernames stored under our service, or None when the keyring cannot list."""
        return None

    def close(self) -> None:
        """Release connections. Safe to call twice."""


class MemoryBackend(Backend):
    """An in-process dict; for unit tests only (never chosen automatically)."""

    name = "memory"

    def __init__(self, entries: dict[str, str] | None = None) -> None:
        self.entries: dict[str, str] = dict(entries or {})
        self.batches = 0

    def get_many(self, usernames: Iterable[str]) -> dict[str, Secret | None]:
        self.batches += 1
        return {u: Secret(self.entries[u]) if u in self.entries else None for u in usernames}

    def set(self, username: str, secret: Secret, label: str) -> None:
        self.entries[username] = secret.reveal()

    def delete(self, username: str) -> bool:
        return self.entries.pop(username, None) is not None

    def list_usernames(self) -> list[str] | None:
        return sorted(self.entries)


def refuse_file_backends(kr: object) -> None:
    """Refuse keyrings.alt / keyrings.cryptfile when keyring picked them on its own.

    Those store keys in files (PlaintextKeyring: base64 only) or prompt on the
    TTY for a master password; being handed one silently would be the plaintext
    fallback users did not ask for. Naming one in ``PYTHON_KEYRING_BACKEND`` is
    an explicit choice and is honoured.
    """
    from .errors import KeyringUnavailable

    for b in getattr(kr, "backends", None) or [kr]:
        module = type(b).__module__
        if module.startswith(("keyrings.alt", "keyrings.cryptfile")):
            raise KeyringUnavailable(
                "file-backend", f"Python keyring picked {module}.{type(b).__name__}, a file, not an OS "
                                "keyring",
                "set up a real keyring (Secret Service, Keychain, Credential Manager), name that backend "
                "in PYTHON_KEYRING_BACKEND if you really want it, or use `--store dotenv`")


class KeyringLibBackend(Backend):
    """Python ``keyring``: macOS Keychain, Windows Credential Manager, configured backends."""

    name = "keyring"

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds or default_timeout()
        self._kr: object | None = None

    def _keyring(self) -> object:
        if self._kr is None:
            import keyring

            kr = keyring.get_keyring()
            if not os.environ.get("PYTHON_KEYRING_BACKEND"):
                refuse_file_backends(kr)
            self._kr = kr
        return self._kr

    def get_many(self, usernames: Iterable[str]) -> dict[str, Secret | None]:
        names = list(usernames)

        def work() -> dict[str, Secret | None]:
            kr = self._keyring()
            out: dict[str, Secret | None] = {}
            for u in names:
                value = kr.get_password(SERVICE, u)  # type: ignore[attr-defined]
                out[u] = Secret(value) if value is not None else None
            return out

        return with_deadline(work, self.seconds)

    def set(self, username: str, secret: Secret, label: str) -> None:
        with_deadline(lambda: self._keyring().set_password(  # type: ignore[attr-defined]
            SERVICE, username, secret.reveal()), self.seconds)

    def delete(self, username: str) -> bool:
        def work() -> bool:
            kr = self._keyring()
            if kr.get_password(SERVICE, username) is None:  # type: ignore[attr-defined]
                return False
            kr.delete_password(SERVICE, username)  # type: ignore[attr-defined]
            return True

        return with_deadline(work, self.seconds)


class SecretServiceBackend(Backend):
    """The freedesktop Secret Service (gnome-keyring, KeePassXC) over one D-Bus connection.

    ``interactive`` allows an unlock prompt for a locked collection (the CLI on
    a desktop); the resolver path never prompts and reports "locked" instead.
    """

    name = "secret-service"

    def __init__(self, seconds: float | None = None, *, interactive: bool = False) -> None:
        self.seconds = seconds or default_timeout()
        self.interactive = interactive
        self._conn: object | None = None
        self._collection: object | None = None
        self._session: object | None = None
        self._broken: KeyringUnavailable | None = None

    # -- connection ------------------------------------------------------------
    def _open(self) -> None:
        """Connect, find the default collection, unlock if allowed, open a session."""
        if self._conn is not None:
            return
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            raise no_bus()
        import secretstorage
        from secretstorage.collection import Collection
        from secretstorage.exceptions import ItemNotFoundException
        from secretstorage.util import open_session

        from .errors import locked, no_service

        conn = secretstorage.dbus_init()
        self._conn = conn
        if not secretstorage.check_service_availability(conn):
            raise no_service("org.freedesktop.secrets is neither running nor activatable")
        try:
            collection = Collection(conn)  # the "default" alias
        except ItemNotFoundException:
            if not self.interactive:
                raise locked("there is no default collection yet") from None
            collection = secretstorage.get_default_collection(conn)  # may prompt to create one
        if collection.is_locked():
            if not self.interactive:
                raise locked()
            dismissed = collection.unlock(timeout=self.seconds)
            if dismissed or collection.is_locked():
                raise locked("unlocking was refused or no prompt could be shown")
        self._collection = collection
        self._session = open_session(conn)
        collection.session = self._session

    def close(self) -> None:
        conn, self._conn = self._conn, None
        self._collection = self._session = None
        if conn is not None:
            try:
                conn.close()  # type: ignore[attr-defined]
            except Exception:  # noqa: S110 - closing a dead socket
                pass

    def _run(self, fn: Callable[[], T]) -> T:
        if self._broken is not None:
            raise self._broken

        def work() -> T:
            try:
                self._open()
                return fn()
            except BaseException:
                self.close()  # a failed connection is not reused
                raise

        try:
            return with_deadline(work, self.seconds, on_timeout=self.close)
        except KeyringUnavailable as exc:
            if exc.kind == "timeout":
                self._broken = exc  # the worker may still hold the connection
            raise

    # -- D-Bus helpers (run inside the worker) --------------------------------
    def _search(self, attributes: dict[str, str]) -> list[str]:
        """Item paths in the (unlocked) default collection matching ``attributes``."""
        coll = self._collection
        return list(coll._collection.call("SearchItems", "a{ss}", attributes)[0])  # type: ignore[attr-defined]

    def _paths_for(self, username: str) -> list[str]:
        return self._search({"service": SERVICE, "username": username})

    def _decrypt(self, secret: tuple) -> str:
        session = self._session
        value = bytes(secret[2])
        if session.encrypted:  # type: ignore[attr-defined]
            from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

            dec = Cipher(algorithms.AES(session.aes_key), modes.CBC(bytes(secret[1]))).decryptor()  # type: ignore[attr-defined]
            padded = dec.update(value) + dec.finalize()
            value = padded[:-padded[-1]]
        return value.decode("utf-8")

    # -- interface ---------------------------------------------------------------
    def get_many(self, usernames: Iterable[str]) -> dict[str, Secret | None]:
        names = list(usernames)
        if not self.interactive and self._conn is None:
            # The agent's start path: the lean jeepney reader (see ss_reader).
            from .ss_reader import read_batch

            if self._broken is not None:
                raise self._broken
            try:
                raw = with_deadline(lambda: read_batch(names, SERVICE, self.seconds), self.seconds)
            except KeyringUnavailable as exc:
                if exc.kind == "timeout":
                    self._broken = exc
                raise
            return {u: Secret(v) if v is not None else None for u, v in raw.items()}

        def work() -> dict[str, Secret | None]:
            from secretstorage.defines import SS_PATH
            from secretstorage.util import SERVICE_IFACE, DBusAddressWrapper

            first: dict[str, str] = {}
            for u in names:
                paths = self._paths_for(u)
                if paths:
                    first[u] = paths[0]
            out: dict[str, Secret | None] = dict.fromkeys(names)
            if not first:
                return out
            service = DBusAddressWrapper(SS_PATH, SERVICE_IFACE, self._conn)
            secrets = service.call("GetSecrets", "aoo", list(first.values()),
                                   self._session.object_path)[0]  # type: ignore[attr-defined]
            for u, path in first.items():
                if path in secrets:
                    out[u] = Secret(self._decrypt(secrets[path]))
            return out

        return self._run(work)

    def set(self, username: str, secret: Secret, label: str) -> None:
        def work() -> None:
            from secretstorage.item import Item

            paths = self._paths_for(username)
            if paths:
                item = Item(self._conn, paths[0], self._session)
                item.set_secret(secret.reveal().encode("utf-8"))
                item.set_label(label)
                for extra in paths[1:]:
                    Item(self._conn, extra, self._session).delete()
                return
            attrs = {"service": SERVICE, "username": username, "application": APPLICATION}
            self._collection.create_item(label, attrs, secret.reveal().encode("utf-8"),  # type: ignore[attr-defined]
                                         replace=True)

        self._run(work)

    def delete(self, username: str) -> bool:
        def work() -> bool:
            from secretstorage.item import Item

            paths = self._paths_for(username)
            for path in paths:
                Item(self._conn, path, self._session).delete()
            return bool(paths)

        return self._run(work)

    def list_usernames(self) -> list[str] | None:
        def work() -> list[str]:
            from secretstorage.defines import SS_PREFIX
            from secretstorage.util import DBusAddressWrapper

            out = []
            for path in self._search({"service": SERVICE}):
                attrs = DBusAddressWrapper(path, SS_PREFIX + "Item", self._conn).get_property("Attributes")
                if "username" in attrs:
                    out.append(str(attrs["username"]))
            return sorted(out)

        return self._run(work)


def open_backend(*, interactive: bool = False, seconds: float | None = None) -> Backend:
    """The keyring backend for this platform.

    Linux uses the Secret Service directly unless ``PYTHON_KEYRING_BACKEND``
    names another backend (then ``keyring`` is honoured, as users expect).
    """
    forced = os.environ.get("PYTHON_KEYRING_BACKEND", "").strip()
    if sys.platform.startswith("linux") and (not forced or forced.endswith("SecretService.Keyring")):
        from importlib.util import find_spec

        # find_spec, not import: importing SecretStorage costs ~30 ms the read path never needs.
        if find_spec("secretstorage") is None or find_spec("jeepney") is None:
            return KeyringLibBackend(seconds)
        return SecretServiceBackend(seconds, interactive=interactive)
    return KeyringLibBackend(seconds)


__all__ = ["Backend", "KeyringLibBackend", "KeyringUnavailable", "MemoryBackend",
           "SecretServiceBackend", "default_timeout", "open_backend", "with_deadline"]
