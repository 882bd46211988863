"""Until the agent can read the keyring (the hermes-accounts plugin), no key leaves `.env`.

Hermes reads `.env`, the shell and `auth.json` — never the OS keyring. Taking a key out of
`.env` because the keyring holds it would leave the agent without one, so `write` and
`import` keep such lines and say why, `set` says the agent does not see keyring keys yet,
and `explain` warns when the keyring would be the winner.
"""

from __future__ import annotations

import json

import pytest

from hermes_accounts.sources.agent_keyring import NOT_YET, OVERRIDE_ENV, agent_reads_keyring
from tests.fixtures_home import sentinel

pytestmark = pytest.mark.keyring


def plugin_less(h) -> None:  # type: ignore[no-untyped-def]
    h.env.pop(OVERRIDE_ENV, None)


def test_default_is_not_ready_and_override_is_explicit() -> None:
    assert agent_reads_keyring({}) == (False, NOT_YET)
    assert agent_reads_keyring({OVERRIDE_ENV: "1"})[0] is True
    assert agent_reads_keyring({OVERRIDE_ENV: "0"})[0] is False


def test_write_keeps_keys_the_agent_could_not_read_otherwise(keyring_home) -> None:
    h = keyring_home
    plugin_less(h)
    mm = sentinel("mm-")
    assert h.run("set", "minimax", "--account", "work", stdin=mm + "\n").returncode == 0
    env = h.dotenv(f"# keys\nMINIMAX_API_KEY={mm}\n")
    r = h.run("write")
    assert r.returncode == 0, r.stderr
    assert env.read_text() == f"# keys\nMINIMAX_API_KEY={mm}\n"
    assert "stays here" in r.stdout and "plugin" in r.stdout
    assert mm not in r.stdout + r.stderr


def test_import_stores_but_keeps_env(keyring_home) -> None:
    h = keyring_home
    plugin_less(h)
    key = sentinel("sk-")
    env = h.dotenv(f"DEEPSEEK_API_KEY={key}\n")
    r = h.run("import")
    assert r.returncode == 0, r.stderr
    assert env.read_text() == f"DEEPSEEK_API_KEY={key}\n"
    assert "plugin" in r.stdout
    listed = json.loads(h.run("accounts", "deepseek", "--json").stdout)
    assert key not in json.dumps(listed)


def test_set_says_the_agent_does_not_see_it_yet(keyring_home) -> None:
    h = keyring_home
    plugin_less(h)
    r = h.run("set", "xai", stdin=sentinel("xai-") + "\n")
    assert r.returncode == 0, r.stderr
    assert "plugin" in r.stdout and "keep the key in .env" in r.stdout


def test_explain_warns_when_the_keyring_would_win(keyring_home) -> None:
    h = keyring_home
    assert h.run("set", "deepseek", stdin=sentinel() + "\n").returncode == 0
    with_plugin = json.loads(h.run("explain", "deepseek", "--json").stdout)
    assert with_plugin["credential"]["source"] == "keyring:deepseek/default"
    assert not any("plugin" in w for w in with_plugin["warnings"])
    plugin_less(h)
    d = json.loads(h.run("explain", "deepseek", "--json").stdout)
    assert d["credential"]["source"] == "keyring:deepseek/default"
    assert any("the agent itself has no key" in w for w in d["warnings"])
