"""The gate (Hermes #2374): Anthropic token discovery serves native Anthropic only.

Regression tests the original report asked for. Every Anthropic source holds a
unique sentinel — ``ANTHROPIC_TOKEN`` (.env), ``CLAUDE_CODE_OAUTH_TOKEN`` and
``ANTHROPIC_API_KEY`` (shell), ``~/.claude/.credentials.json``,
``$HERMES_HOME/.anthropic_oauth.json`` and an OAuth row in ``auth.json`` — and
token discovery itself is made impossible (``Inputs.anthropic_discovery`` raises)
for MiniMax, MiniMax China and custom ``/anthropic`` endpoints, on first
resolution and on refresh. No sentinel may appear in any result, JSON or CLI output.
"""

from __future__ import annotations

import json

import pytest

from hermes_accounts import api
from hermes_accounts.resolver import Inputs, resolve, resolve_all
from tests.fixtures_home import sentinel

PROXY = "https://llm-proxy.example.com/anthropic"

# (provider, own key variable, config.yaml, extra .env lines)
ENDPOINTS = {
    "minimax": ("minimax", "MINIMAX_API_KEY", "model:\n  provider: minimax\n", ""),
    "minimax-cn": ("minimax-cn", "MINIMAX_CN_API_KEY", "model:\n  provider: minimax-cn\n", ""),
    "custom-anthropic-url": ("custom", None,
                             f"model:\n  provider: custom\n  base_url: {PROXY}\n", ""),
    "deepseek-anthropic-url": ("deepseek", "DEEPSEEK_API_KEY", "model:\n  provider: deepseek\n",
                               "DEEPSEEK_BASE_URL=https://api.deepseek.com/anthropic\n"),
}


def plant(home, own_var: str | None, config: str, extra: str = "", *, own: bool = True) -> dict:
    """Sentinels in every Anthropic source, plus (optionally) the endpoint's own key."""
    keys = {
        "ANTHROPIC_TOKEN": sentinel("sk-ant-oat01-"),
        "CLAUDE_CODE_OAUTH_TOKEN": sentinel("sk-ant-oat01-"),
        "ANTHROPIC_API_KEY": sentinel("sk-ant-api03-"),
        "claude": sentinel("sk-ant-oat01-"),
        "pkce": sentinel("sk-ant-oat01-"),
        "pool": sentinel("sk-ant-oat01-"),
        "own": sentinel("own-"),
    }
    lines = [f"ANTHROPIC_TOKEN={keys['ANTHROPIC_TOKEN']}"]
    if own and own_var:
        lines.append(f"{own_var}={keys['own']}")
    home.dotenv("\n".join(lines) + "\n" + extra)
    if own and own_var is None:  # custom: the key lives in config.yaml
        config += f"  api_key: {keys['own']}\n"
    home.config(config)
    home.env.update(CLAUDE_CODE_OAUTH_TOKEN=keys["CLAUDE_CODE_OAUTH_TOKEN"],
                    ANTHROPIC_API_KEY=keys["ANTHROPIC_API_KEY"])
    home.claude_credentials(keys["claude"])
    (home.path / ".anthropic_oauth.json").write_text(json.dumps(
        {"accessToken": keys["pkce"], "refreshToken": "rt-x", "expiresAt": 9999999999999}))
    home.auth_json({"version": 1, "active_provider": "anthropic", "credential_pool": {"anthropic": [
        {"id": "oat1", "label": "claude", "auth_type": "oauth", "priority": 0, "source": "manual",
         "access_token": keys["pool"]}]}})
    return keys


def anthropic_values(keys: dict) -> list[str]:
    return [v for k, v in keys.items() if k != "own"]


@pytest.fixture
def no_discovery(monkeypatch):
    """Make Anthropic token discovery impossible: any call fails the test."""
    calls: list[str] = []

    def forbidden(self):
        calls.append("called")
        raise AssertionError("Anthropic token discovery called for a non-Anthropic endpoint")

    monkeypatch.setattr(Inputs, "anthropic_discovery", forbidden)
    return calls


def assert_clean(text: str, keys: dict) -> None:
    for value in anthropic_values(keys):
        assert value not in text
    assert keys["own"] not in text  # our own key is only ever shown masked


@pytest.mark.parametrize("name", ENDPOINTS)
def test_init_never_calls_discovery_and_keeps_own_key(home, no_discovery, name):
    provider, var, config, extra = ENDPOINTS[name]
    keys = plant(home, var, config, extra)
    res = resolve(provider, home.inputs())
    assert no_discovery == []
    assert res.api_mode == "anthropic_messages"
    assert res.credential is not None and res.credential.secret.reveal() == keys["own"]
    assert not res.native_anthropic
    for c in res.candidates:
        assert c.secret is None or c.secret.reveal() not in anthropic_values(keys)
    assert_clean(json.dumps(res.to_dict()) + repr(res), keys)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_without_own_key_the_answer_is_none_never_a_borrowed_one(home, no_discovery, name):
    provider, var, config, extra = ENDPOINTS[name]
    keys = plant(home, var, config, extra, own=False)
    res = resolve(provider, home.inputs())
    assert no_discovery == []
    assert res.credential is None
    assert_clean(json.dumps(res.to_dict()) + repr(res), keys)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_refresh_never_calls_discovery(home, no_discovery, name):
    """After a 401 the agent refreshes: same endpoint, own sources only, still no discovery."""
    provider, var, config, extra = ENDPOINTS[name]
    keys = plant(home, var, config, extra)
    env = dict(home.env)
    first = api.resolve(provider, home=home.path, environ=env)
    if var:  # the key was rotated in .env meanwhile
        rotated = sentinel("own-rotated-")
        home.dotenv(f"ANTHROPIC_TOKEN={keys['ANTHROPIC_TOKEN']}\n{var}={rotated}\n{extra}")
    again = api.refresh(first, home=home.path, environ=env)
    assert no_discovery == []
    assert again.base_url == first.base_url and again.provider == first.provider
    assert again.credential is not None
    assert again.credential.secret.reveal() not in anthropic_values(keys)
    if var:
        assert again.credential.secret.reveal() == rotated
    kwargs = api.client_kwargs(again, "httpx")
    assert not any(v in json.dumps(kwargs) for v in anthropic_values(keys))
    assert_clean(json.dumps(again.to_dict()) + repr(again) + repr(kwargs), keys)


def test_refresh_without_own_key_stays_empty(home, no_discovery):
    keys = plant(home, "MINIMAX_API_KEY", "model:\n  provider: minimax\n", own=False)
    first = api.resolve("minimax", home=home.path, environ=dict(home.env))
    again = api.refresh(first, home=home.path, environ=dict(home.env))
    assert no_discovery == [] and first.credential is None and again.credential is None
    with pytest.raises(api.NoCredential) as err:
        api.client_kwargs(again, "anthropic")
    assert_clean(str(err.value), keys)


def test_anthropic_on_a_proxy_never_calls_discovery(home, no_discovery):
    """Provider anthropic, custom base URL: only the explicit ANTHROPIC_API_KEY may go there."""
    keys = plant(home, None, f"model:\n  provider: anthropic\n  base_url: {PROXY}\n", own=False)
    res = resolve("anthropic", home.inputs())
    assert no_discovery == []
    assert res.base_url == PROXY and not res.native_anthropic
    assert res.credential is not None
    assert res.credential.secret.reveal() == keys["ANTHROPIC_API_KEY"]
    assert res.auth_header == "x-api-key"
    oauth = {keys[k] for k in ("ANTHROPIC_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "pool")}
    for c in res.candidates:
        if c.secret is not None and c.secret.reveal() in oauth:
            assert c.status == "rejected" and "api.anthropic.com" in c.reason
    assert any("switched off" in w for w in res.warnings)


def test_the_fixture_bites_on_native_anthropic(home, no_discovery):
    """Control: native Anthropic does call discovery, so the tests above can fail."""
    plant(home, None, "model:\n  provider: anthropic\n")
    with pytest.raises(AssertionError, match="discovery called"):
        resolve("anthropic", home.inputs())
    assert no_discovery == ["called"]


def test_resolve_all_reads_discovery_at_most_once_and_only_for_anthropic(home):
    keys = plant(home, "MINIMAX_API_KEY", "model:\n  provider: minimax\n")
    inputs = home.inputs()
    results = resolve_all(inputs)
    assert inputs.discovery_reads <= 1
    for res in results:
        if res.provider == "anthropic":
            continue
        if res.credential is not None:
            assert res.credential.secret.reveal() not in anthropic_values(keys), res.provider
        assert_clean(json.dumps(res.to_dict()), keys)


@pytest.mark.parametrize("args", [
    ("explain", "minimax", "--json"), ("explain", "minimax"),
    ("explain", "minimax-cn", "--json"), ("explain", "custom", "--json"), ("explain", "custom"),
    ("explain", "anthropic", "--base-url", PROXY, "--json"), ("list", "--json"), ("list", "--all"),
])
def test_cli_output_never_contains_a_sentinel(home, args):
    keys = plant(home, "MINIMAX_API_KEY",
                 "model:\n  provider: minimax\n  base_url: https://api.minimax.io/anthropic\n")
    with open(home.path / ".env", "a", encoding="utf-8") as fh:
        fh.write(f"MINIMAX_CN_API_KEY={sentinel('own-cn-')}\n")
    r = home.run(*args)
    assert r.returncode in (0, 4), r.stderr
    assert r.stdout.strip(), "the command printed nothing, so the check would prove nothing"
    assert "Traceback" not in r.stderr
    for value in [*anthropic_values(keys), keys["own"]]:
        assert value not in r.stdout and value not in r.stderr
    if args[:2] == ("explain", "minimax") and "--json" in args:
        data = json.loads(r.stdout)
        assert data["credential"]["fingerprint"] == api.resolve(
            "minimax", home=home.path, environ=dict(home.env)).credential.secret.fingerprint
        assert data["auth_header"] == "authorization"


@pytest.mark.hermes
def test_hermes_agrees_minimax_never_borrows(home, oracle):
    """The real Hermes 0.19, same planted sentinels: MiniMax gets its own key, in Bearer."""
    keys = plant(home, "MINIMAX_API_KEY", "model:\n  provider: minimax\n")
    ours, theirs = oracle.compare(home, "minimax")
    from hermes_accounts.secret import fingerprint

    assert theirs["key_fingerprint"] == fingerprint(keys["own"]) and theirs["auth_header"] == "authorization"
    for value in anthropic_values(keys):
        assert value not in theirs["_stderr"]
    # But Hermes 0.19 builds anthropic.Anthropic(auth_token=...) without omitting api_key, and
    # the SDK it installs (0.87) fills api_key from ANTHROPIC_API_KEY: the Anthropic key rides
    # along as X-Api-Key to MiniMax. We say so (and api.client_kwargs omits it).
    assert theirs["sdk_env_headers"] == {"x-api-key": fingerprint(keys["ANTHROPIC_API_KEY"])}
    assert any("ANTHROPIC_API_KEY" in w and "X-Api-Key" in w for w in ours.warnings)
