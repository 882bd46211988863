"""The account commands end to end: the real CLI in a subprocess, the real Secret Service.

Every test uses sentinel keys and checks that they never show up in any
output, the index, or JSON — only masks and fingerprints may.
"""

from __future__ import annotations

import json
import stat
import time

import pytest

from hermes_accounts.secret import Secret
from tests.fixtures_home import sentinel
from tests.fixtures_keyring import keyring_items

pytestmark = pytest.mark.keyring


def _clean(result, *keys):
    """Assert no key leaked into stdout/stderr; return the result."""
    for key in keys:
        assert key not in result.stdout and key not in result.stderr
    return result


def _files_clean(home, *keys):
    for p in home.path.iterdir():
        if p.name.startswith("accounts.json"):
            text = p.read_text()
            for key in keys:
                assert key not in text


def test_set_stores_in_keyring_and_prints_only_mask(keyring_home):
    h = keyring_home
    key = sentinel("sk-or-v1-")
    r = _clean(h.run("set", "openrouter", stdin=key + "\n"), key)
    assert r.returncode == 0, r.stderr
    s = Secret(key)
    assert s.masked in r.stdout and s.fingerprint in r.stdout
    assert "username openrouter/default" in r.stdout and "active       yes" in r.stdout
    assert keyring_items() == {"openrouter/default": key}
    idx = h.path / "accounts.json"
    assert stat.S_IMODE(idx.stat().st_mode) == 0o600
    _files_clean(h, key)
    data = json.loads(idx.read_text())
    assert data["providers"]["openrouter"]["active"] == "default"


def test_key_on_command_line_is_refused_without_echo(keyring_home):
    key = sentinel()
    r = _clean(keyring_home.run("set", "deepseek", key), key)
    assert r.returncode == 2 and "never taken from the command line" in r.stderr
    assert keyring_items() == {}


@pytest.mark.parametrize("stdin, needle", [
    ("", "empty"), ("changeme\n", "placeholder"), ("two words\n", "whitespace"),
])
def test_bad_input_exit_2_nothing_stored(keyring_home, stdin, needle):
    r = keyring_home.run("set", "deepseek", stdin=stdin)
    assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert keyring_items() == {} and not (keyring_home.path / "accounts.json").exists()


def test_unknown_provider_and_oauth_provider(keyring_home):
    r = keyring_home.run("set", "openruoter", stdin=sentinel())
    assert r.returncode == 2 and "openrouter" in r.stderr
    r = keyring_home.run("set", "nous", stdin=sentinel())
    assert r.returncode == 2 and "does not use an API key" in r.stderr


def test_prefix_mismatch_warns_but_stores(keyring_home):
    key = sentinel("sk-ant-oat01-")
    r = _clean(keyring_home.run("set", "minimax", stdin=key), key)
    assert r.returncode == 0
    assert "Anthropic" in r.stderr and "401" in r.stderr
    assert "minimax/default" in keyring_items()


def test_accounts_activate_rename_remove(keyring_home):
    h = keyring_home
    k1, k2 = sentinel("xai-"), sentinel("xai-")
    assert h.run("set", "xai", stdin=k1).returncode == 0
    assert h.run("set", "xai", "--account", "work", "--label", "team", stdin=k2).returncode == 0
    r = _clean(h.run("accounts", "--json"), k1, k2)
    rows = {row["account"]: row for row in json.loads(r.stdout)}
    assert rows["default"]["active"] and not rows["work"]["active"]
    assert rows["work"]["label"] == "team" and rows["work"]["status"] == "ok"
    assert rows["work"]["fingerprint"] == Secret(k2).fingerprint
    assert rows["work"]["masked"] == Secret(k2).masked
    assert rows["work"]["source"] == "keyring:xai/work"
    assert set(rows["work"]) >= {"created", "updated", "store"}

    assert _clean(h.run("activate", "xai/work"), k2).returncode == 0
    ex = json.loads(h.run("explain", "xai", "--json").stdout)
    assert ex["credential"]["source"] == "keyring:xai/work"
    assert ex["credential"]["fingerprint"] == Secret(k2).fingerprint

    r = h.run("rename", "xai/work", "team")
    assert r.returncode == 0 and "still active" in r.stdout
    assert set(keyring_items()) == {"xai/default", "xai/team"}
    ex = json.loads(h.run("explain", "xai", "--json").stdout)
    assert ex["credential"]["source"] == "keyring:xai/team"

    r = h.run("remove", "xai/team")
    assert r.returncode == 0 and "activate xai/default" in r.stdout
    assert set(keyring_items()) == {"xai/default"}
    assert h.run("activate", "xai/nope").returncode == 2
    text = _clean(h.run("accounts"), k1, k2)
    assert "xai" in text.stdout and "default" in text.stdout


def test_drift_is_reported(keyring_home):
    h = keyring_home
    k1, k2 = sentinel(), sentinel()
    h.run("set", "deepseek", stdin=k1)
    h.run("set", "deepseek", "--account", "b", stdin=k2)
    import keyring.backends.SecretService as ss

    kr = ss.Keyring()
    kr.delete_password("hermes-accounts", "deepseek/b")
    changed = sentinel()
    from hermes_accounts.store.backends import SecretServiceBackend

    SecretServiceBackend(5).set("deepseek/default", Secret(changed), "x")
    kr.set_password("hermes-accounts", "nvidia/stray", sentinel())
    r = _clean(h.run("accounts", "--json"), k1, k2, changed)
    assert r.returncode == 1
    state = {f"{x['provider']}/{x['account']}": x["status"] for x in json.loads(r.stdout)}
    assert state == {"deepseek/default": "changed", "deepseek/b": "missing", "nvidia/stray": "untracked"}
    r = h.run("activate", "deepseek/b")
    assert r.returncode == 1 and "missing from the keyring" in r.stderr


def test_import_moves_dotenv_keys_out_of_dotenv(keyring_home):
    h = keyring_home
    ds, orr = sentinel(), sentinel("sk-or-v1-")
    original = f"# mine\nDEEPSEEK_API_KEY={ds}\nOPENROUTER_API_KEY={orr}\nGLM_API_KEY=changeme\n"
    env = h.dotenv(original)
    r = _clean(h.run("import", "--dry-run"), ds, orr)
    assert r.returncode == 0 and "would" in r.stdout and "nothing was changed" in r.stdout
    assert "2 line(s) would leave .env" in r.stdout
    assert keyring_items() == {} and not (h.path / "accounts.json").exists()
    assert env.read_text() == original

    r = _clean(h.run("import"), ds, orr)
    assert r.returncode == 0, r.stderr
    assert "fingerprint matches" in r.stdout and "placeholder" in r.stdout and "cleaned" in r.stdout
    assert keyring_items() == {"deepseek/default": ds, "openrouter/default": orr}
    _files_clean(h, ds, orr)
    text = env.read_text()
    assert ds not in text and orr not in text and "# mine" in text and "GLM_API_KEY" in text
    assert "backup" in r.stdout
    backups = [p for p in h.root.rglob("*")
               if p.is_file() and p != env and ds in p.read_text(errors="replace")]
    assert backups, "the previous .env must be kept as a backup"

    ex = json.loads(_clean(h.run("explain", "deepseek", "--json"), ds).stdout)
    assert ex["credential"]["source"] == "keyring:deepseek/default"
    assert ex["credential"]["fingerprint"] == Secret(ds).fingerprint
    r = h.run("import")
    assert r.returncode == 0 and "nothing imported" in r.stdout and "placeholder" in r.stdout
    h.dotenv("")
    assert "nothing to import" in h.run("import").stdout


def test_import_keep_dotenv_then_explain_shows_shadowing_and_fix(keyring_home):
    h = keyring_home
    ds = sentinel()
    h.dotenv(f"DEEPSEEK_API_KEY={ds}\n")
    r = _clean(h.run("import", "--keep-dotenv"), ds)
    assert r.returncode == 0 and "still in .env" in r.stdout
    assert (h.path / ".env").read_text() == f"DEEPSEEK_API_KEY={ds}\n"
    ex = json.loads(_clean(h.run("explain", "deepseek", "--json"), ds).stdout)
    assert ex["credential"]["source"] == "dotenv:DEEPSEEK_API_KEY"
    [kc] = [c for c in ex["candidates"] if c["source"] == "keyring:deepseek/default"]
    assert kc["status"] == "shadowed" and ".env wins over the keyring" in kc["reason"]
    assert ds not in json.dumps(ex)
    r = h.run("explain", "deepseek", env={"DEEPSEEK_API_KEY": sentinel()})
    assert "dotenv:DEEPSEEK_API_KEY" in r.stdout
    h.dotenv("")
    r = h.run("explain", "deepseek", env={"DEEPSEEK_API_KEY": sentinel()})
    assert "unset DEEPSEEK_API_KEY" in r.stdout


def test_import_does_not_remove_a_key_that_does_not_become_active(keyring_home):
    """A second key imported as a spare account stays in .env: removing it would change what Hermes uses."""
    h = keyring_home
    first, second = sentinel(), sentinel()
    assert h.run("set", "deepseek", stdin=first).returncode == 0
    h.dotenv(f"DEEPSEEK_API_KEY={second}\n")
    r = _clean(h.run("import"), first, second)
    assert r.returncode == 0 and "deepseek/imported" in r.stdout
    assert (h.path / ".env").read_text() == f"DEEPSEEK_API_KEY={second}\n"


def test_import_from_env(keyring_home):
    key = sentinel("nvapi-")
    r = _clean(keyring_home.run("import", "--from-env", env={"NVIDIA_API_KEY": key}), key)
    assert r.returncode == 0 and keyring_items() == {"nvidia/default": key}
    assert "unset NVIDIA_API_KEY" in r.stdout


def test_list_json_uses_keyring(keyring_home):
    h = keyring_home
    key = sentinel("hf_")
    h.run("set", "huggingface", stdin=key)
    r = _clean(h.run("list", "--json"), key)
    rows = {row["provider"]: row for row in json.loads(r.stdout)}
    assert rows["huggingface"]["credential"]["source"] == "keyring:huggingface/default"


# -- no usable keyring ------------------------------------------------------------
def test_no_bus_fails_clearly_and_dotenv_is_explicit(home):
    home.env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    key = sentinel()
    t = time.perf_counter()
    r = _clean(home.run("set", "deepseek", stdin=key), key)
    assert time.perf_counter() - t < 10
    assert r.returncode == 1 and "D-Bus" in r.stderr and "--store dotenv" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not (home.path / ".env").exists() and not (home.path / "accounts.json").exists()

    r = _clean(home.run("set", "deepseek", "--store", "dotenv", stdin=key), key)
    assert r.returncode == 0 and "PLAINTEXT" in r.stdout
    env = home.path / ".env"
    assert env.read_text() == f"DEEPSEEK_API_KEY={key}\n" and stat.S_IMODE(env.stat().st_mode) == 0o600
    rows = json.loads(home.run("accounts", "--json").stdout)
    assert [(x["store"], x["status"], x["source"]) for x in rows] == \
        [("dotenv", "ok", "dotenv:DEEPSEEK_API_KEY")]
    assert "plaintext" in home.run("accounts").stdout
    r = home.run("remove", "deepseek")
    assert r.returncode == 0 and "DEEPSEEK_API_KEY" not in env.read_text()


def test_explain_with_unusable_keyring_warns_and_still_resolves(keyring_home):
    h = keyring_home
    h.run("set", "deepseek", stdin=sentinel())
    env = {"DBUS_SESSION_BUS_ADDRESS": ""}
    r = h.run("explain", "deepseek", env=env)
    assert r.returncode == 4 and "keyring accounts (1) are skipped" in r.stdout
    data = json.loads(h.run("explain", "deepseek", "--json", env=env).stdout)
    assert any("keyring accounts (1) are skipped" in w for w in data["warnings"])
    h.dotenv(f"DEEPSEEK_API_KEY={sentinel()}\n")
    assert h.run("explain", "deepseek", env=env).returncode == 0


def test_hung_keyring_cli_times_out(home, private_keyring):
    home.env.update(private_keyring.env())
    key = sentinel()
    assert home.run("set", "deepseek", stdin=key).returncode == 0
    private_keyring.stop_daemon()
    env = {"HERMES_ACCOUNTS_KEYRING_TIMEOUT": "1"}
    for args in (("set", "deepseek", "--account", "b"), ("accounts",), ("explain", "deepseek")):
        t = time.perf_counter()
        r = _clean(home.run(*args, stdin=sentinel(), env=env, timeout=20), key)
        assert time.perf_counter() - t < 6, args
        # explain shows it among its warnings (stdout, and --json); the others on stderr
        shown = r.stdout if args[0] == "explain" else r.stderr
        assert r.returncode in (1, 4) and "did not answer within 1 s" in shown, (args, r.stderr)


def test_daemon_killed_then_commands_report_locked(home, private_keyring):
    home.env.update(private_keyring.env())
    key = sentinel()
    assert home.run("set", "deepseek", stdin=key).returncode == 0
    private_keyring.kill_daemon()
    r = _clean(home.run("explain", "deepseek"), key)
    assert r.returncode == 4 and "keyring accounts (1) are skipped" in r.stdout
    r = _clean(home.run("accounts"), key)
    assert r.returncode == 1 and "keyring" in r.stderr and "unchecked" in r.stdout
    r = _clean(home.run("set", "deepseek", "--account", "b", stdin=sentinel()), key)
    assert r.returncode == 1 and "OS keyring unavailable" in r.stderr


def test_locked_collection_cli(home, private_keyring):
    from tests.test_store_keyring import _lock_default, _unlock_default

    home.env.update(private_keyring.env())
    key = sentinel()
    assert home.run("set", "deepseek", stdin=key).returncode == 0
    _lock_default(private_keyring.address)
    r = _clean(home.run("explain", "deepseek"), key)
    assert r.returncode == 4 and "locked" in r.stdout
    r = home.run("set", "deepseek", "--account", "b", stdin=sentinel())
    assert r.returncode == 1 and "locked" in r.stderr
    _unlock_default(private_keyring.address)
    assert home.run("explain", "deepseek").returncode == 0


def test_hidden_prompt_on_a_terminal(keyring_home):
    """On a terminal the key is read with echo off: it never appears on the screen."""
    import os
    import pty
    import sys

    from tests.fixtures_home import ROOT

    key = sentinel()
    env = {**keyring_home.env}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real CLI with the pty as its controlling terminal
        os.chdir(str(ROOT))
        os.execve(sys.executable, [sys.executable, "-m", "hermes_accounts", "set", "deepseek"], env)  # noqa: S606
    screen = b""
    deadline = time.monotonic() + 30
    while b"input hidden" not in screen and time.monotonic() < deadline:
        screen += os.read(fd, 1024)
    os.write(fd, key.encode() + b"\n")
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = screen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert key not in text and Secret(key).fingerprint in text
    assert keyring_items() == {"deepseek/default": key}


def test_portable_keyring_backend_on_the_real_secret_service(keyring_home):
    """The Keychain / Credential Manager path (Python keyring), exercised against the real daemon."""
    h = keyring_home
    key = sentinel()
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.chainer.ChainerBackend"}
    import keyring
    from keyring.backends.chainer import ChainerBackend

    from hermes_accounts.store.backends import KeyringLibBackend

    previous = keyring.get_keyring()  # keyring caches its backend per process: choose it here
    keyring.set_keyring(ChainerBackend())
    try:
        b = KeyringLibBackend(5)
        b.set("deepseek/default", Secret(key), "l")
        assert b.get_many(["deepseek/default", "x/y"]) == {"deepseek/default": Secret(key), "x/y": None}
        assert b.delete("deepseek/default") is True and b.delete("deepseek/default") is False
    finally:
        keyring.set_keyring(previous)
    assert h.run("set", "deepseek", stdin=key, env=env).returncode == 0
    assert keyring_items() == {"deepseek/default": key}


def test_no_keyring_backend_at_all_is_explained(home):
    key = sentinel()
    r = _clean(home.run("set", "deepseek", stdin=key,
                        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}), key)
    assert r.returncode == 1 and "no keyring backend" in r.stderr and "--store dotenv" in r.stderr
    assert not (home.path / "accounts.json").exists()



def test_corrupt_index_is_an_explain_warning(home):
    (home.path / "accounts.json").write_text("{not json")
    home.dotenv(f"DEEPSEEK_API_KEY={sentinel()}\n")
    d = json.loads(home.run("explain", "deepseek", "--json").stdout)
    assert d["credential"]["source"] == "dotenv:DEEPSEEK_API_KEY"
    assert any("accounts.json" in w and "skipped" in w for w in d["warnings"])


def test_an_untracked_keyring_entry_alone_is_drift(keyring_home):
    h = keyring_home
    assert h.run("set", "xai", stdin=sentinel("xai-")).returncode == 0
    import keyring.backends.SecretService as ss

    ss.Keyring().set_password("hermes-accounts", "nvidia/stray", sentinel())
    r = h.run("accounts", "--json")
    assert r.returncode == 1
    assert {x["status"] for x in json.loads(r.stdout)} == {"ok", "untracked"}
