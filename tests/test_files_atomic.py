"""Atomic writes, backups, symlinks and the writer lock — on real files and real processes."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import threading
import time

import pytest

from hermes_accounts.files import atomic
from hermes_accounts.files.lock import LockTimeout, home_lock, lock_path


def _write(path, data: bytes, mode: int = 0o644) -> None:
    path.write_bytes(data)
    os.chmod(path, mode)


def test_commit_replaces_keeps_mode_given_and_backs_up(tmp_path, backup_dir) -> None:
    target = tmp_path / ".env"
    _write(target, b"A=1\n", 0o644)
    snap = atomic.snapshot(str(target))
    ch = atomic.Change(snap, b"A=2\n", 0o600)
    atomic.commit(str(tmp_path), [ch])
    assert target.read_bytes() == b"A=2\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert ch.backup_path and open(ch.backup_path, "rb").read() == b"A=1\n"
    assert stat.S_IMODE(os.stat(ch.backup_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(ch.backup_path)).st_mode) == 0o700
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_backups_are_pruned_to_the_newest_n(tmp_path, backup_dir) -> None:
    target = tmp_path / "config.yaml"
    for i in range(atomic.KEEP_BACKUPS + 4):
        _write(target, f"v: {i}\n".encode())
        atomic.commit(str(tmp_path), [atomic.Change(atomic.snapshot(str(target)), b"x: 1\n", 0o644)])
    kept = atomic.list_backups(str(tmp_path), "config.yaml")
    assert len(kept) == atomic.KEEP_BACKUPS
    assert open(kept[-1], "rb").read() == f"v: {atomic.KEEP_BACKUPS + 3}\n".encode()
    assert open(kept[0], "rb").read() == b"v: 4\n"


def test_backups_live_outside_the_hermes_home(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("HERMES_ACCOUNTS_BACKUP_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    home = tmp_path / "hermes"
    home.mkdir()
    d = atomic.backup_dir(str(home))
    assert d.startswith(str(tmp_path / "state" / "hermes-accounts" / "backups"))
    assert not d.startswith(str(home))


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EXDEV, errno.EACCES])
def test_failed_rename_leaves_the_original(tmp_path, backup_dir, monkeypatch, err) -> None:
    target = tmp_path / ".env"
    _write(target, b"KEEP=1\n", 0o600)

    def boom(src: str, dst: str) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(atomic, "_replace", boom)
    with pytest.raises(atomic.WriteError) as exc:
        atomic.commit(str(tmp_path), [atomic.Change(atomic.snapshot(str(target)), b"NEW=1\n", 0o600)])
    assert str(target) in str(exc.value) and "was not changed" in str(exc.value)
    assert target.read_bytes() == b"KEEP=1\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "backups") == [".env"]


def test_full_disk_while_writing_the_temp_file(tmp_path, backup_dir, monkeypatch) -> None:
    target = tmp_path / ".env"
    _write(target, b"KEEP=1\n", 0o600)
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(atomic.WriteError) as exc:
        atomic.commit(str(tmp_path), [atomic.Change(atomic.snapshot(str(target)), b"N=1\n", 0o600)])
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert "disk is full" in str(exc.value)
    assert target.read_bytes() == b"KEEP=1\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_directory(tmp_path, backup_dir) -> None:
    d = tmp_path / "ro"
    d.mkdir()
    target = d / ".env"
    _write(target, b"KEEP=1\n", 0o600)
    os.chmod(d, 0o500)
    try:
        with pytest.raises(atomic.WriteError) as exc:
            atomic.commit(str(d), [atomic.Change(atomic.snapshot(str(target)), b"N=1\n", 0o600)])
        assert "cannot write" in str(exc.value)
    finally:
        os.chmod(d, 0o700)
    assert target.read_bytes() == b"KEEP=1\n"


def test_unwritable_directory_simulated(tmp_path, backup_dir, monkeypatch) -> None:
    """The same path as above for runs as root: mkstemp fails with EACCES."""
    target = tmp_path / ".env"
    _write(target, b"KEEP=1\n", 0o600)

    def denied(*a, **k):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic, "_mkstemp", denied)
    with pytest.raises(atomic.WriteError) as exc:
        atomic.commit(str(tmp_path), [atomic.Change(atomic.snapshot(str(target)), b"N=1\n", 0o600)])
    assert "cannot write to" in str(exc.value) and target.read_bytes() == b"KEEP=1\n"


def test_group_is_all_or_nothing(tmp_path, backup_dir, monkeypatch) -> None:
    a, b = tmp_path / ".env", tmp_path / "config.yaml"
    _write(a, b"A=1\n", 0o600)
    _write(b, b"b: 1\n", 0o640)
    calls = []
    real = os.replace

    def second_fails(src: str, dst: str) -> None:
        calls.append(dst)
        if dst == str(b):
            raise OSError(errno.EIO, "I/O error")
        real(src, dst)

    monkeypatch.setattr(atomic, "_replace", second_fails)
    changes = [atomic.Change(atomic.snapshot(str(a)), b"A=2\n", 0o600),
               atomic.Change(atomic.snapshot(str(b)), b"b: 2\n", 0o640)]
    with pytest.raises(atomic.WriteError):
        atomic.commit(str(tmp_path), changes)
    assert a.read_bytes() == b"A=1\n" and b.read_bytes() == b"b: 1\n"
    assert calls[:2] == [str(a), str(b)]


def test_changed_on_disk_is_not_overwritten(tmp_path, backup_dir) -> None:
    target = tmp_path / ".env"
    _write(target, b"A=1\n", 0o600)
    snap = atomic.snapshot(str(target))

    def other_writer(ch: atomic.Change) -> None:
        target.write_bytes(b"A=1\nHERMES_WROTE=1\n")

    with pytest.raises(atomic.FileChanged):
        atomic.commit(str(tmp_path), [atomic.Change(snap, b"A=2\n", 0o600)], before_rename=other_writer)
    assert target.read_bytes() == b"A=1\nHERMES_WROTE=1\n"


def test_symlink_is_written_through(tmp_path, backup_dir) -> None:
    real_dir = tmp_path / "dotfiles"
    real_dir.mkdir()
    real = real_dir / "hermes.env"
    _write(real, b"A=1\n", 0o600)
    home = tmp_path / "home"
    home.mkdir()
    link = home / ".env"
    link.symlink_to(real)
    snap = atomic.snapshot(str(link))
    assert snap.is_link and snap.real == str(real)
    atomic.commit(str(home), [atomic.Change(snap, b"A=2\n", 0o600)])
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"A=2\n"
    assert not [p for p in real_dir.iterdir() if p.name != "hermes.env"]


@pytest.mark.parametrize("kind", ["dangling", "loop", "directory"])
def test_bad_symlinks_are_refused(tmp_path, kind) -> None:
    link = tmp_path / ".env"
    if kind == "dangling":
        link.symlink_to(tmp_path / "missing" / "x.env")
    elif kind == "loop":
        link.symlink_to(tmp_path / "other")
        (tmp_path / "other").symlink_to(link)
    else:
        (tmp_path / "adir").mkdir()
        link.symlink_to(tmp_path / "adir")
    with pytest.raises(atomic.WriteError) as exc:
        atomic.snapshot(str(link))
    assert "refusing" in str(exc.value) and str(link) in str(exc.value)
    assert link.is_symlink()


# -- the lock ------------------------------------------------------------------------------------

HOLDER = """
import sys, time
from hermes_accounts.files.lock import home_lock
with home_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(home: str, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, home, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_lock_excludes_another_process_and_names_it(tmp_path) -> None:
    proc = _hold(str(tmp_path), 5)
    try:
        t0 = time.monotonic()
        with pytest.raises(LockTimeout) as exc:
            with home_lock(str(tmp_path), timeout=0.3):
                pass
        assert time.monotonic() - t0 >= 0.3
        assert f"pid {proc.pid}" in str(exc.value) and lock_path(str(tmp_path)) in str(exc.value)
    finally:
        proc.kill()
        proc.wait()
    with home_lock(str(tmp_path), timeout=2):  # released when the holder dies
        pass


def test_lock_waits_for_a_short_holder(tmp_path) -> None:
    proc = _hold(str(tmp_path), 0.6)
    t0 = time.monotonic()
    with home_lock(str(tmp_path), timeout=10):
        waited = time.monotonic() - t0
    proc.wait()
    assert waited >= 0.4


def test_lock_is_reentrant_per_thread_but_excludes_other_threads(tmp_path) -> None:
    order: list[str] = []
    inside = threading.Event()

    def other() -> None:
        inside.wait(5)
        with home_lock(str(tmp_path), timeout=5):
            order.append("other")

    t = threading.Thread(target=other)
    t.start()
    with home_lock(str(tmp_path)):
        with home_lock(str(tmp_path)):  # same thread: no deadlock
            inside.set()
            time.sleep(0.3)
            order.append("main")
    t.join(10)
    assert order == ["main", "other"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_root_keeps_the_files_owner(tmp_path, backup_dir) -> None:
    target = tmp_path / ".env"
    _write(target, b"A=1\n", 0o600)
    os.chown(target, 1234, 2345)
    atomic.commit(str(tmp_path), [atomic.Change(atomic.snapshot(str(target)), b"A=2\n", 0o600)])
    st = target.stat()
    assert (st.st_uid, st.st_gid) == (1234, 2345) and target.read_bytes() == b"A=2\n"
