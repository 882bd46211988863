"""Atomic, private file writes with a backup of what was there before.

A crash mid-write must never leave a half-written index or ``.env``: we write a
temp file in the same directory, fsync it, and ``os.replace`` it over the
target. The previous content is kept as ``NAME.bak`` (0600 as well), so a bad
write loses nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile


def write_private(path: str, data: str, *, backup: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, mode 0600, keeping ``path.bak``."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if backup and os.path.exists(path):
        bak = path + ".bak"
        fd = os.open(bak + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as dst, open(path, "rb") as src:
            shutil.copyfileobj(src, dst)
        os.chmod(bak + ".tmp", 0o600)
        os.replace(bak + ".tmp", bak)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
