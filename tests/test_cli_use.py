"""``hermes-accounts use`` end to end: the real CLI, real files, the real keyring, real Hermes."""

from __future__ import annotations

import json
import os
import stat

import pytest

from hermes_accounts.secret import Secret
from tests.fixtures_files import hermes_reads_yaml
from tests.fixtures_home import sentinel

STALE = """\
_config_version: 50
# switched by hand last week
model:
  provider: openrouter   # the old one
  default: anthropic/claude-sonnet-4
  base_url: https://openrouter.ai/api/v1
  api_mode: chat_completions
  api_key: {api_key}
  key_env: OPENROUTER_API_KEY
  context_length: 200000
terminal:
  backend: local
"""


def _no_leak(result, *keys):  # type: ignore[no-untyped-def]
    for key in keys:
        assert key not in result.stdout and key not in result.stderr
    return result


def test_switch_drops_the_old_route_and_explain_shows_the_new_one(home) -> None:
    inline, mm = sentinel("sk-or-v1-"), sentinel("mm-")
    home.dotenv(f"MINIMAX_API_KEY={mm}\n")
    cfg = home.config(STALE.format(api_key=inline))
    os.chmod(cfg, 0o640)
    r = _no_leak(home.run("use", "minimax", "--model", "MiniMax-M2.7"), inline, mm)
    assert r.returncode == 0, r.stderr
    assert hermes_reads_yaml(cfg.read_bytes()) == {
        "_config_version": 50, "terminal": {"backend": "local"},
        "model": {"provider": "minimax", "default": "MiniMax-M2.7", "context_length": 200000}}
    text = cfg.read_text()
    assert "# switched by hand last week" in text and "# the old one" in text
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    for key in ("base_url", "api_mode", "api_key", "key_env"):
        assert f"removed model.{key}" in r.stdout
    assert Secret(inline).masked in r.stdout  # the removed inline key, masked
    explain = r.stdout[r.stdout.index("minimax — MiniMax"):]
    assert "(active provider)" in explain and "https://api.minimax.io/anthropic  [default]" in explain
    assert "from dotenv:MINIMAX_API_KEY" in explain
    assert explain == _no_leak(home.run("explain", "minimax"), mm).stdout


def test_no_credential_exit_4_and_model_warning(home) -> None:
    home.config("model:\n  provider: zai\n  default: glm-4.6\n")
    r = home.run("use", "deepseek")
    assert r.returncode == 4
    assert "model.default is still 'glm-4.6'" in r.stdout and "--model" in r.stdout
    assert "no usable credential: set DEEPSEEK_API_KEY" in r.stdout
    assert hermes_reads_yaml((home.path / "config.yaml").read_bytes())["model"] == {
        "provider": "deepseek", "default": "glm-4.6"}


def test_base_url_kept_only_when_not_default(home) -> None:
    cfg = home.config("model:\n  provider: zai\n")
    r = home.run("use", "minimax", "--base-url", "https://api.minimax.io/anthropic/")
    assert r.returncode == 4 and "is minimax's default" in r.stdout
    assert hermes_reads_yaml(cfg.read_bytes())["model"] == {"provider": "minimax"}
    r = home.run("use", "anthropic", "--base-url", "https://proxy.example.com/anthropic")
    assert hermes_reads_yaml(cfg.read_bytes())["model"] == {
        "provider": "anthropic", "base_url": "https://proxy.example.com/anthropic"}
    assert "https://proxy.example.com/anthropic  [config.yaml model.base_url]" in r.stdout
    # the same route again keeps its URL (and everything else)
    before = cfg.read_bytes()
    r = home.run("use", "claude")
    assert "already uses anthropic" in r.stdout and cfg.read_bytes() == before


@pytest.mark.parametrize("args, needle", [
    (["use", "minimax", "--base-url", "ftp://x"], "must be an http(s) URL"),
    (["use", "minimax", "--base-url", "https://a b"], "must be an http(s) URL"),
    (["use", "custom"], "custom has no default endpoint"),
    (["use", "minmax"], "Did you mean: minimax"),
    (["use", "minimax/"], "name an account"),
])
def test_bad_input_exit_2_config_untouched(home, args, needle) -> None:
    cfg = home.config("model:\n  provider: zai  # keep\n")
    before = cfg.read_bytes()
    r = home.run(*args)
    assert r.returncode == 2 and needle in r.stderr and r.stderr.count("\n") == 1
    assert cfg.read_bytes() == before


def test_custom_endpoint_and_missing_config(home) -> None:
    r = home.run("use", "custom", "--base-url", "http://localhost:8080/v1", "--model", "qwen3")
    cfg = home.path / "config.yaml"
    assert hermes_reads_yaml(cfg.read_bytes()) == {"model": {
        "provider": "custom", "base_url": "http://localhost:8080/v1", "default": "qwen3"}}
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert "custom — Custom endpoint  (active provider)" in r.stdout


def test_dry_run_changes_nothing(home) -> None:
    cfg = home.config(STALE.format(api_key="sk-or-v1-abcdefghijklmnop12345"))
    before = cfg.read_bytes()
    r = home.run("use", "minimax", "--dry-run")
    assert r.returncode == 0 and "dry run: nothing was written" in r.stdout
    assert "-  provider: openrouter   # the old one" in r.stdout
    assert "+  provider: minimax      # the old one" in r.stdout
    assert cfg.read_bytes() == before and sorted(p.name for p in home.path.iterdir()) == ["config.yaml"]


def test_model_alias_key_is_respected(home) -> None:
    cfg = home.config("model:\n  provider: zai\n  model: glm-4.6\n")
    home.run("use", "deepseek", "--model", "deepseek-chat")
    assert hermes_reads_yaml(cfg.read_bytes())["model"] == {"provider": "deepseek", "model": "deepseek-chat"}


@pytest.mark.keyring
def test_use_activates_the_keyring_account(keyring_home) -> None:
    h = keyring_home
    a, b = sentinel("mm-"), sentinel("mm-")
    assert h.run("set", "minimax", "--account", "a", stdin=a + "\n").returncode == 0
    assert h.run("set", "minimax", "--account", "b", stdin=b + "\n").returncode == 0
    h.config("model:\n  provider: zai\n")
    r = _no_leak(h.run("use", "minimax/b", "--dry-run"), a, b)
    assert "would activate minimax/b" in r.stdout
    assert json.loads((h.path / "accounts.json").read_text())["providers"]["minimax"]["active"] == "a"

    r = _no_leak(h.run("use", "minimax/b"), a, b)
    assert r.returncode == 0, r.stderr
    assert "activated minimax/b" in r.stdout and "from keyring:minimax/b" in r.stdout
    assert json.loads((h.path / "accounts.json").read_text())["providers"]["minimax"]["active"] == "b"
    ex = json.loads(h.run("explain", "minimax", "--json").stdout)
    assert ex["active"] and ex["credential"]["fingerprint"] == Secret(b).fingerprint

    before = (h.path / "config.yaml").read_bytes()
    r = h.run("use", "minimax/nope")
    assert r.returncode == 2 and "no account minimax/nope (known: a, b)" in r.stderr
    assert (h.path / "config.yaml").read_bytes() == before


def test_real_hermes_agrees_after_switch(home, oracle) -> None:
    ds = sentinel()
    home.dotenv(f"DEEPSEEK_API_KEY={ds}\n")
    home.config(STALE.format(api_key=sentinel("sk-or-v1-")))
    assert home.run("use", "deepseek", "--model", "deepseek-chat").returncode == 0
    ours, theirs = oracle.compare(home, "deepseek", requested="")  # what a bare `hermes` start picks
    assert ours.provider == "deepseek" and theirs["key_fingerprint"] == Secret(ds).fingerprint
    assert theirs["base_url"] == "https://api.deepseek.com/v1"
