"""``hermes-accounts write`` end to end: the real CLI in a subprocess, real files, the real keyring.

Sentinel keys must never appear in any output; the written files are judged by
how Hermes reads them (its sanitiser + the real python-dotenv, PyYAML), and once
by the real Hermes Agent itself.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from hermes_accounts.secret import Secret
from tests.fixtures_files import hermes_reads_env, hermes_reads_yaml
from tests.fixtures_home import sentinel


def _no_leak(result, *keys):  # type: ignore[no-untyped-def]
    for key in keys:
        assert key not in result.stdout and key not in result.stderr
    return result


def _backups(h) -> list[str]:  # type: ignore[no-untyped-def]
    base = h.user_home / ".local" / "state" / "hermes-accounts" / "backups"
    return sorted(str(p) for p in base.rglob("*.bak")) if base.exists() else []


def test_dry_run_shows_masked_diff_and_writes_nothing(home) -> None:
    key, tok = sentinel(), sentinel("sk-ant-oat01-")
    env = home.dotenv(f"DEEPSEEK_API_KEY={key}\nANTHROPIC_AUTH_TOKEN={tok}\nDEEPSEEK_API_KEY={key}\n"
                      "MINIMAX_BASE_URL=https://api.minimax.io/v1\nGLM_API_KEY=\n")
    before = env.read_bytes()
    r = _no_leak(home.run("write", "--dry-run"), key, tok)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"--- {env}\n+++ {env} (after)\n@@ ")
    assert "-ANTHROPIC_AUTH_TOKEN=" + Secret(tok).masked in r.stdout
    assert "+MINIMAX_BASE_URL=https://api.minimax.io/anthropic" in r.stdout
    for needle in (":1  DEEPSEEK_API_KEY: removed — duplicate", ":2  ANTHROPIC_AUTH_TOKEN: commented out",
                   ":4  MINIMAX_BASE_URL: rewritten", ":5  GLM_API_KEY: removed — empty"):
        assert needle in r.stdout
    assert "dry run: nothing was written" in r.stdout
    assert env.read_bytes() == before and _backups(home) == []
    assert sorted(p.name for p in home.path.iterdir()) == [".env"]


def test_write_applies_backs_up_and_is_idempotent(home) -> None:
    key = sentinel()
    env = home.dotenv(f"# my file\r\nexport DEEPSEEK_API_KEY='{key}'  # work\r\n\r\nGLM_API_KEY=\r\n"
                      "MINIMAX_BASE_URL=https://api.minimax.io/v1\r\n")
    os.chmod(env, 0o644)
    cfg = home.config("model:\n  provider: minimax  # mine\n  base_url: https://api.minimax.io/v1\n")
    os.chmod(cfg, 0o640)
    original = env.read_bytes()
    r = _no_leak(home.run("write"), key)
    assert r.returncode == 0, r.stderr
    assert env.read_bytes() == (f"# my file\r\nexport DEEPSEEK_API_KEY='{key}'  # work\r\n\r\n"
                                "MINIMAX_BASE_URL=https://api.minimax.io/anthropic\r\n").encode()
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    assert cfg.read_text() == "model:\n  provider: minimax  # mine\n  base_url: https://api.minimax.io/anthropic\n"
    backups = _backups(home)
    assert len(backups) == 2 and f"backup {backups[1]}" in r.stdout
    env_backup = next(b for b in backups if "dotenv." in b)
    assert open(env_backup, "rb").read() == original
    assert stat.S_IMODE(os.stat(env_backup).st_mode) == 0o600
    assert not any(str(home.path) in b for b in backups)
    r = home.run("write")
    assert r.returncode == 0 and "nothing to clean" in r.stdout and len(_backups(home)) == 2


def test_malformed_config_is_refused_and_nothing_changes(home) -> None:
    env = home.dotenv("GLM_API_KEY=\n")
    cfg = home.config("model:\n  provider: minimax\n  base_url: [oops\n")
    files = (env.read_bytes(), cfg.read_bytes())
    r = home.run("write")
    assert r.returncode == 1
    assert r.stderr.startswith("hermes-accounts: ") and r.stderr.count("\n") == 1
    assert "config.yaml:4" in r.stderr and "Traceback" not in r.stderr
    assert (env.read_bytes(), cfg.read_bytes()) == files and _backups(home) == []


def test_unparseable_env_is_refused_without_echoing_it(home) -> None:
    key = sentinel()
    env = home.dotenv(f"DEEPSEEK_API_KEY='{key}\nGLM_API_KEY=\n")
    before = env.read_bytes()
    r = _no_leak(home.run("write"), key)
    assert r.returncode == 1 and ".env:1: python-dotenv cannot parse" in r.stderr
    assert env.read_bytes() == before


def test_another_writer_holding_the_lock(home) -> None:
    home.dotenv("GLM_API_KEY=\n")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time\nfrom hermes_accounts.files.lock import home_lock\n"
         "with home_lock(sys.argv[1]):\n print('held', flush=True); time.sleep(30)", str(home.path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        r = home.run("write", env={"HERMES_ACCOUNTS_LOCK_TIMEOUT": "0.5"})
        assert r.returncode == 1 and f"pid {holder.pid}" in r.stderr and ".hermes-accounts.lock" in r.stderr
        assert (home.path / ".env").read_text() == "GLM_API_KEY=\n"
    finally:
        holder.kill()
        holder.wait()
    assert home.run("write").returncode == 0
    assert (home.path / ".env").read_text() == ""


@pytest.mark.keyring
def test_keys_in_the_keyring_leave_env_and_explain_follows(keyring_home) -> None:
    h = keyring_home
    mm, other = sentinel("mm-"), sentinel()
    r = h.run("set", "minimax", "--account", "work", stdin=mm + "\n")
    assert r.returncode == 0, r.stderr
    env = h.dotenv(f"# keys\nMINIMAX_API_KEY={mm}\nDEEPSEEK_API_KEY={other}\n")
    ex = json.loads(h.run("explain", "minimax", "--json").stdout)
    assert ex["credential"]["source"] == "dotenv:MINIMAX_API_KEY"

    r = _no_leak(h.run("write"), mm, other)
    assert r.returncode == 0, r.stderr
    assert env.read_text() == ("# keys\n# MINIMAX_API_KEY: in the OS keyring (hermes-accounts minimax/work)\n"
                               f"DEEPSEEK_API_KEY={other}\n")
    assert "MINIMAX_API_KEY: removed — the same key is in the OS keyring (minimax/work)" in r.stdout
    ex = json.loads(_no_leak(h.run("explain", "minimax", "--json"), mm).stdout)
    assert ex["credential"]["source"] == "keyring:minimax/work"
    assert ex["credential"]["fingerprint"] == Secret(mm).fingerprint


@pytest.mark.keyring
def test_stale_index_never_removes_the_only_copy(keyring_home) -> None:
    h = keyring_home
    mm = sentinel("mm-")
    assert h.run("set", "minimax", stdin=mm + "\n").returncode == 0
    from tests.fixtures_keyring import clear_service

    clear_service()  # the keyring entry is gone; accounts.json still lists it
    env = h.dotenv(f"MINIMAX_API_KEY={mm}\n")
    r = _no_leak(h.run("write"), mm)
    assert r.returncode == 0 and "could not confirm" in r.stdout
    assert env.read_text() == f"MINIMAX_API_KEY={mm}\n"


def test_real_hermes_reads_the_written_files(home, oracle) -> None:
    """After `write`, Hermes Agent 0.19 itself resolves what we intended."""
    key = sentinel("mm-")
    home.dotenv(f"MINIMAX_API_KEY={key}\nMINIMAX_API_KEY={key}\nMINIMAX_BASE_URL=https://api.minimax.io/v1\n"
                f"ANTHROPIC_AUTH_TOKEN={sentinel('sk-ant-oat01-')}\nDEEPSEEK_API_KEY=\n")
    home.config("model:\n  provider: minimax\n  default: MiniMax-M2.7\n")
    assert home.run("write").returncode == 0
    ours, theirs = oracle.compare(home, "minimax")
    assert ours.base_url == "https://api.minimax.io/anthropic" == theirs["base_url"]
    assert theirs["key_fingerprint"] == Secret(key).fingerprint
    assert theirs["api_mode"] == "anthropic_messages"
    assert hermes_reads_env((home.path / ".env").read_bytes())["MINIMAX_API_KEY"] == key
    assert hermes_reads_yaml((home.path / "config.yaml").read_bytes())["model"]["provider"] == "minimax"


def test_utf16_env_is_converted_and_bom_kept_for_utf8(home) -> None:
    key = sentinel()
    env = home.path / ".env"
    env.write_bytes(f"DEEPSEEK_API_KEY={key}\r\nGLM_API_KEY=\r\n".encode("utf-16"))
    r = _no_leak(home.run("write"), key)
    assert r.returncode == 0 and "converted from UTF-16 to UTF-8" in r.stdout
    assert env.read_bytes() == f"DEEPSEEK_API_KEY={key}\r\n".encode()
    env.write_bytes(b"\xef\xbb\xbf" + f"DEEPSEEK_API_KEY={key}\nGLM_API_KEY=\n".encode())
    assert home.run("write").returncode == 0
    assert env.read_bytes() == b"\xef\xbb\xbf" + f"DEEPSEEK_API_KEY={key}\n".encode()
    assert hermes_reads_env(env.read_bytes()) == {"DEEPSEEK_API_KEY": key}


def test_missing_home_is_not_created(home, tmp_path) -> None:
    ghost = tmp_path / "no-such-home"
    r = home.run("write", "--home", str(ghost))
    assert r.returncode == 0 and "does not exist" in r.stdout and not ghost.exists()


def test_two_writers_at_once_serialise(home) -> None:
    """Two real `write` processes started together: one cleans, the other finds nothing to do."""
    import subprocess as sp

    key = sentinel()
    env = home.dotenv(f"DEEPSEEK_API_KEY={key}\nGLM_API_KEY=\nDEEPSEEK_API_KEY={key}\n")
    cmd = [sys.executable, "-m", "hermes_accounts", "write"]
    procs = [sp.Popen(cmd, env=home.env, stdout=sp.PIPE, stderr=sp.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sum("wrote " in o for o, _ in outs) == 1 and sum("nothing to clean" in o for o, _ in outs) == 1
    assert all(key not in o + e for o, e in outs)
    assert env.read_text() == f"DEEPSEEK_API_KEY={key}\n"
    assert len([b for b in _backups(home) if "dotenv." in b]) == 1


HERMES_LOADER = r"""
import hashlib, json, os, sys
home, keys = sys.argv[1], json.loads(sys.argv[2])
for k in keys:
    os.environ.pop(k, None)
from hermes_cli.env_loader import load_hermes_dotenv
load_hermes_dotenv(hermes_home=home)
print(json.dumps({k: (None if os.environ.get(k) is None else
                      hashlib.sha256(os.environ[k].encode()).hexdigest()) for k in keys}))
"""


def test_our_judge_is_hermes_own_loader(home, oracle, tmp_path) -> None:
    """The written file, loaded by Hermes 0.19's real load_hermes_dotenv, gives exactly the values
    our judge (sanitiser + python-dotenv) says — on a file with every awkward feature."""
    import hashlib
    import shutil

    key, tok = sentinel(), sentinel("sk-ant-oat01-")
    raw = ("\ufeff# top\r\nexport DEEPSEEK_API_KEY='" + key + "'  # work\r\n"
           'MULTI="line one\r\n  line two"\r\nHASH=a#b # c\r\nUNI=日本🙂\r\n'
           f"ANTHROPIC_AUTH_TOKEN={tok}\r\nMINIMAX_BASE_URL=\"https://api.minimax.io/v1\"\r\n"
           "GLM_API_KEY=\r\nHASH=later\r\nTRAILING=x   ")
    (home.path / ".env").write_bytes(raw.encode())
    assert home.run("write").returncode == 0
    written = (home.path / ".env").read_bytes()
    ours = hermes_reads_env(written)
    copy = tmp_path / "hermes-copy"
    shutil.copytree(home.path, copy)
    keys = sorted({*ours, "ANTHROPIC_AUTH_TOKEN", "GLM_API_KEY"})
    proc = subprocess.run([oracle.python, "-c", HERMES_LOADER, str(copy), json.dumps(keys)],
                          capture_output=True, text=True, env={**home.env, "PYTHONPATH": ""}, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = json.loads(proc.stdout.strip().splitlines()[-1])
    assert theirs == {k: (None if ours.get(k) is None else hashlib.sha256(ours[k].encode()).hexdigest())
                      for k in keys}
    assert theirs["ANTHROPIC_AUTH_TOKEN"] is None and theirs["GLM_API_KEY"] is None
    assert ours["DEEPSEEK_API_KEY"] == key and ours["MINIMAX_BASE_URL"] == "https://api.minimax.io/anthropic"
    assert ours["HASH"] == "later" and ours["UNI"] == "日本🙂"
