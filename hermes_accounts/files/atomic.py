"""Read once, back up, replace atomically — and never clobber a file that changed meanwhile.

Why each step exists:

- **Snapshot** (:func:`snapshot`): the bytes, their SHA-256, mode and the real
  path are captured when a file is read, so a later write can prove the file is
  still what the plan was computed from (Hermes' own writers take no
  cross-process lock on ``.env``/``config.yaml``; the hash is the only guard).
- **Symlinks** are written *through*: the temp file is created next to the real
  file and renamed over it, so the link survives (dotfiles repositories,
  Hermes #16743). A dangling or looping link, or a link to something that is
  not a regular file, is refused with a message instead of being replaced by a
  regular file that would orphan the real one.
- **Backups** go to a private directory *outside* ``$HERMES_HOME``
  (``$XDG_STATE_HOME/hermes-accounts/backups/<home>/``): a backup of ``.env``
  holds keys, and Hermes' profile export copies unknown files in the home.
  Files are 0600, the directory 0700, the newest :data:`KEEP_BACKUPS` kept.
- **Atomic replace**: temp file in the same directory, write, fsync, chmod,
  re-check the target's hash, rename, fsync the directory. Any failure (full
  disk, unwritable directory, failed rename) removes the temp file and leaves
  the original untouched; :func:`commit` undoes earlier renames of the same
  group.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

KEEP_BACKUPS = 10
BACKUP_DIR_ENV = "HERMES_ACCOUNTS_BACKUP_DIR"

# Indirection so tests can make the rename fail (the last step before success).
_replace: Callable[[str, str], None] = os.replace
_mkstemp: Callable[..., tuple[int, str]] | None = None  # tempfile.mkstemp, imported on first write


class WriteError(Exception):
    """A write could not happen; the message is one line and names the file and the fix."""


class FileChanged(WriteError):
    """The file on disk is no longer the one the plan was computed from."""


class Snapshot:
    """A file as read: what was there, where it really lives, and how to recognise it again.

    (Plain slotted classes here and below: ``dataclasses`` alone costs ~25 ms of
    imports, a tenth of ``write --dry-run``'s budget.)
    """

    __slots__ = ("data", "digest", "exists", "is_link", "mode", "owner", "path", "real")

    def __init__(self, path: str, real: str, exists: bool, data: bytes = b"", digest: str = "",
                 mode: int | None = None, is_link: bool = False,
                 owner: tuple[int, int] | None = None) -> None:
        self.path = path          # the path the user knows ($HERMES_HOME/.env)
        self.real = real          # where the bytes live (the symlink target, or path itself)
        self.exists = exists
        self.data = data
        self.digest = digest
        self.mode = mode          # permission bits, None for a missing file
        self.is_link = is_link
        self.owner = owner        # (uid, gid): kept when root rewrites a user's file

    def __repr__(self) -> str:
        return f"Snapshot({self.path!r}, exists={self.exists}, digest={self.digest[:12]})"


class Change:
    """New content for one snapshotted file."""

    __slots__ = ("_tmp", "backup_path", "data", "mode", "snap")

    def __init__(self, snap: Snapshot, data: bytes, mode: int) -> None:
        self.snap = snap
        self.data = data
        self.mode = mode                   # permission bits to write with
        self.backup_path: str | None = None
        self._tmp: str | None = None

    def __repr__(self) -> str:
        return f"Change({self.snap.path!r}, {len(self.data)} bytes)"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def real_target(path: str) -> tuple[str, bool]:
    """(the real file behind ``path``, whether ``path`` is a symlink). Raises :class:`WriteError`."""
    if not os.path.islink(path):
        if os.path.exists(path) and not os.path.isfile(path):
            raise WriteError(f"{path} is not a regular file; refusing to replace it")
        return path, False
    target = os.readlink(path)
    real = os.path.realpath(path)
    if os.path.islink(real) or not os.path.exists(real):
        raise WriteError(
            f"{path} is a symlink to {target}, which does not exist (or loops); refusing to "
            "replace the link with a regular file — create the target or remove the link")
    if not os.path.isfile(real):
        raise WriteError(f"{path} is a symlink to {real}, which is not a regular file; "
                         "refusing to write")
    return real, True


def snapshot(path: str) -> Snapshot:
    """Read ``path`` (following a symlink to its real file); a missing file is an empty snapshot."""
    real, is_link = real_target(path)
    try:
        with open(real, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
    except FileNotFoundError:
        return Snapshot(path, real, False, is_link=is_link)
    except OSError as exc:
        raise WriteError(f"cannot read {path}: {exc.strerror or exc}") from None
    return Snapshot(path, real, True, data, digest(data), stat.S_IMODE(st.st_mode), is_link,
                    (st.st_uid, st.st_gid))


def current_digest(snap: Snapshot) -> str | None:
    """The hash of what is on disk now at ``snap.real`` (None: missing)."""
    try:
        with open(snap.real, "rb") as fh:
            return digest(fh.read())
    except FileNotFoundError:
        return None


def unchanged(snap: Snapshot) -> bool:
    now = current_digest(snap)
    return (now is None) if not snap.exists else now == snap.digest


# -- backups -------------------------------------------------------------------

def backup_dir(home: str) -> str:
    """Where backups of this home's files go (created 0700 on first use)."""
    base = os.environ.get(BACKUP_DIR_ENV)
    if not base:
        state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                  ".local", "state")
        base = os.path.join(state, "hermes-accounts", "backups")
    real_home = os.path.realpath(home)
    slug = os.path.basename(real_home.rstrip(os.sep)).lstrip(".") or "home"
    tag = hashlib.sha256(real_home.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return os.path.join(base, f"{slug}-{tag}")


def _backup_name(path: str) -> str:
    name = os.path.basename(path)
    return "dotenv" if name == ".env" else name.lstrip(".")


def make_backup(home: str, snap: Snapshot, keep: int = KEEP_BACKUPS) -> str | None:
    """Copy the snapshot's bytes to a timestamped 0600 file; prune to the newest ``keep``."""
    if not snap.exists:
        return None
    directory = backup_dir(home)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now * 1e6) % 1000000:06d}Z"
        prefix = _backup_name(snap.path) + "."
        target = os.path.join(directory, f"{prefix}{stamp}.bak")
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(snap.data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise WriteError(f"cannot back up {snap.path} to {directory}: {exc.strerror or exc}; "
                         "nothing was written") from None
    olds = sorted(n for n in os.listdir(directory) if n.startswith(prefix) and n.endswith(".bak"))
    for old in olds[:-keep] if keep > 0 else olds:
        try:
            os.unlink(os.path.join(directory, old))
        except OSError:
            pass
    return target


def list_backups(home: str, filename: str) -> list[str]:
    """Backups of ``filename`` (``.env`` or ``config.yaml``), oldest first."""
    directory = backup_dir(home)
    prefix = _backup_name(filename) + "."
    try:
        names = sorted(n for n in os.listdir(directory) if n.startswith(prefix) and n.endswith(".bak"))
    except FileNotFoundError:
        return []
    return [os.path.join(directory, n) for n in names]


# -- the write itself -------------------------------------------------------------

def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _describe(exc: OSError, path: str) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full; {path} was not changed"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"cannot write to {os.path.dirname(path) or '.'} "
                f"({exc.strerror}); {path} was not changed")
    return f"{exc.strerror or exc.__class__.__name__}; {path} was not changed"


def _temp_file() -> Callable[..., tuple[int, str]]:
    global _mkstemp
    if _mkstemp is None:
        import tempfile  # ~35 ms of imports: only when something is really written

        _mkstemp = tempfile.mkstemp
    return _mkstemp


def prepare(change: Change) -> None:
    """Write the new bytes to a fsynced temp file beside the real target."""
    real = change.snap.real
    directory = os.path.dirname(os.path.abspath(real))
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp = _temp_file()(prefix="." + os.path.basename(real) + ".", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise WriteError(_describe(exc, change.snap.path)) from None
    change._tmp = tmp
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(change.data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, change.mode)
        owner = change.snap.owner
        if owner is not None and hasattr(os, "geteuid") and os.geteuid() == 0:
            os.chown(tmp, *owner)  # root editing a user's (or a container volume's) file
    except OSError as exc:
        discard(change)
        raise WriteError(_describe(exc, change.snap.path)) from None


def discard(change: Change) -> None:
    if change._tmp:
        try:
            os.unlink(change._tmp)
        except OSError:
            pass
        change._tmp = None


def commit(home: str, changes: list[Change], *, backup: bool = True,
           before_rename: Callable[[Change], None] | None = None) -> None:
    """Back up, then atomically replace every file in ``changes``, all or nothing.

    Each target is re-hashed immediately before its rename; if it changed since
    its snapshot, :class:`FileChanged` is raised and any file of the group that
    was already replaced is put back (atomically, from the snapshot's bytes).
    ``before_rename`` is a test hook (simulates another writer).
    """
    done: list[Change] = []
    try:
        for ch in changes:
            prepare(ch)
        for ch in changes:
            if backup:
                ch.backup_path = make_backup(home, ch.snap)
        for ch in changes:
            if before_rename is not None:
                before_rename(ch)
            if not unchanged(ch.snap):
                raise FileChanged(f"{ch.snap.path} changed on disk while it was being written")
            try:
                _replace(ch._tmp, ch.snap.real)  # type: ignore[arg-type]
            except OSError as exc:
                raise WriteError(_describe(exc, ch.snap.path)) from None
            ch._tmp = None
            done.append(ch)
            _fsync_dir(os.path.dirname(os.path.abspath(ch.snap.real)))
    except BaseException:
        for ch in changes:
            discard(ch)
        _undo(done)
        raise


def _undo(done: list[Change]) -> None:
    """Put back files of a failed group that were already replaced."""
    for ch in reversed(done):
        try:
            if ch.snap.exists:
                restore = Change(ch.snap, ch.snap.data, ch.snap.mode or 0o600)
                prepare(restore)
                _replace(restore._tmp, ch.snap.real)  # type: ignore[arg-type]
            else:
                os.unlink(ch.snap.real)
        except (OSError, WriteError):
            pass  # the backup still holds the original
