"""One writer at a time: ``$HERMES_HOME/.hermes-accounts.lock``.

Every hermes-accounts command, TUI and plugin call that writes ``.env``,
``config.yaml`` or ``accounts.json`` holds this lock (an advisory ``flock``)
for its whole read → plan → write sequence, so two of them cannot interleave.

Hermes' own writers (``hermes config set``, ``hermes model``, its ``.env``
sanitiser) take no cross-process lock on these files — only ``auth.json`` has
one (``auth.lock``) — so they cannot be excluded. Against them the guard is
optimistic: each file's hash is re-checked right before the rename and a change
means re-read and re-plan (:mod:`.plan`), never overwrite.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

LOCK_NAME = ".hermes-accounts.lock"
DEFAULT_TIMEOUT = 10.0

# Re-entrant within one thread (a TUI worker calling a layer that locks again); other
# threads open their own descriptor, and flock excludes them like another process.
_held: dict[tuple[str, int], int] = {}
_guard = threading.RLock()


class LockTimeout(Exception):
    """Another writer holds the lock; the message names it."""


def lock_path(home: str) -> str:
    return os.path.join(home, LOCK_NAME)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            pid = fh.read().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


@contextmanager
def home_lock(home: str, timeout: float | None = None) -> Iterator[str]:
    """Hold the home's writer lock; raise :class:`LockTimeout` after ``timeout`` seconds.

    ``HERMES_ACCOUNTS_LOCK_TIMEOUT`` overrides the default (10 s).
    """
    if timeout is None:
        try:
            timeout = float(os.environ.get("HERMES_ACCOUNTS_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
        except ValueError:
            timeout = DEFAULT_TIMEOUT
    path = lock_path(home)
    key = (os.path.realpath(path), threading.get_ident())
    with _guard:
        if _held.get(key):
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield path
        finally:
            with _guard:
                _held[key] -= 1
        return
    os.makedirs(home, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"another hermes-accounts writer holds {path}{_holder(path)}; "
                    f"waited {timeout:g} s — try again when it has finished")
            time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        with _guard:
            _held[key] = 1
        try:
            yield path
        finally:
            with _guard:
                _held.pop(key, None)
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
    finally:
        os.close(fd)  # closing releases the flock
