"""The agent-facing API: one credential header, on the right host, through the real SDKs."""

from __future__ import annotations

import json

import pytest

from hermes_accounts import api
from tests.fixtures_home import sentinel

anthropic = pytest.importorskip("anthropic")
httpx2 = pytest.importorskip("httpx2")  # the transport the anthropic SDK ships with
openai = pytest.importorskip("openai")


def sent_headers_anthropic(kwargs: dict) -> dict:
    """Build the real Anthropic client and capture the request it would send."""
    seen: dict = {}

    def handler(request):  # type: ignore[no-untyped-def]
        seen.update({k.lower(): v for k, v in request.headers.items()})
        seen["url"] = str(request.url)
        return httpx2.Response(200, json={
            "id": "m", "type": "message", "role": "assistant", "model": "m", "content": [],
            "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1}})

    client = anthropic.Anthropic(**kwargs, http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    client.messages.create(model="m", max_tokens=1, messages=[{"role": "user", "content": "hi"}])
    return seen


@pytest.fixture
def leaky_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Anthropic credentials in the process env, where the SDK would pick them up."""
    leaks = {"ANTHROPIC_API_KEY": sentinel("sk-ant-api03-"),
             "ANTHROPIC_AUTH_TOKEN": sentinel("sk-ant-oat01-")}
    for k, v in leaks.items():
        monkeypatch.setenv(k, v)
    return leaks


def test_minimax_goes_as_bearer_only_even_with_anthropic_keys_in_env(home, leaky_env) -> None:
    key = sentinel("mm-")
    home.dotenv(f"MINIMAX_API_KEY={key}\n")
    res = api.resolve("minimax", home=home.path, environ=home.env)
    seen = sent_headers_anthropic(api.client_kwargs(res, "anthropic"))
    assert seen["url"] == "https://api.minimax.io/anthropic/v1/messages"
    assert seen["authorization"] == f"Bearer {key}"
    assert "x-api-key" not in seen
    for leak in leaky_env.values():
        assert leak not in repr(seen)


def test_native_api_key_goes_as_x_api_key_only(home, leaky_env) -> None:
    key = sentinel("sk-ant-api03-")
    home.dotenv(f"ANTHROPIC_API_KEY={key}\n")
    res = api.resolve("anthropic", home=home.path, environ=home.env)
    seen = sent_headers_anthropic(api.client_kwargs(res, "anthropic"))
    assert seen["x-api-key"] == key and "authorization" not in seen
    assert seen["url"] == "https://api.anthropic.com/v1/messages"


def test_native_oauth_token_goes_as_bearer_with_betas(home) -> None:
    tok = sentinel("sk-ant-oat01-")
    home.dotenv(f"ANTHROPIC_TOKEN={tok}\n")
    home.config("model:\n  provider: anthropic\n")
    res = api.resolve("anthropic", home=home.path, environ=home.env)
    assert res.oauth
    seen = sent_headers_anthropic(api.client_kwargs(res, "anthropic"))
    assert seen["authorization"] == f"Bearer {tok}" and "x-api-key" not in seen
    assert "oauth-2025-04-20" in seen["anthropic-beta"]


def test_openai_sdk_and_httpx_args(home) -> None:
    key = sentinel("sk-")
    home.dotenv(f"DEEPSEEK_API_KEY={key}\nGOOGLE_API_KEY={sentinel('AIza')}\n")
    res = api.resolve("deepseek", home=home.path, environ=home.env)
    kw = api.client_kwargs(res, "openai")
    assert kw == {"api_key": key, "base_url": "https://api.deepseek.com/v1"}
    client = openai.OpenAI(**kw)
    assert client.api_key == key
    gem = api.resolve("gemini", home=home.path, environ=home.env)
    with pytest.raises(ValueError, match="x-goog-api-key"):
        api.client_kwargs(gem, "openai")
    hx = api.client_kwargs(gem, "httpx")
    assert set(hx["headers"]) == {"x-goog-api-key"}


def test_client_args_repr_is_masked(home) -> None:
    key = sentinel("mm-")
    home.dotenv(f"MINIMAX_API_KEY={key}\n")
    res = api.resolve("minimax", home=home.path, environ=home.env)
    for sdk in ("anthropic", "httpx"):
        kw = api.client_kwargs(res, sdk)
        assert key not in repr(kw) and key not in str(kw) and key not in f"{kw}"


def test_no_credential_raises_with_hint(home) -> None:
    res = api.resolve("minimax", home=home.path, environ=home.env)
    with pytest.raises(api.NoCredential, match="MINIMAX_API_KEY"):
        api.client_kwargs(res, "anthropic")


def test_refresh_rereads_own_key_and_keeps_the_endpoint(home, monkeypatch) -> None:
    old, new = sentinel("mm-"), sentinel("mm-")
    home.dotenv(f"MINIMAX_API_KEY={old}\n")
    res = api.resolve("minimax", base_url="https://api.minimaxi.com/anthropic", home=home.path,
                      environ=home.env)
    home.dotenv(f"MINIMAX_API_KEY={new}\n")  # the user rotated the key
    home.claude_credentials(sentinel("sk-ant-oat01-"))
    from hermes_accounts.resolver.inputs import Inputs

    def forbidden(self):  # type: ignore[no-untyped-def]
        raise AssertionError("Anthropic token discovery called for MiniMax refresh")

    monkeypatch.setattr(Inputs, "anthropic_discovery", forbidden)
    env = {**home.env, "ANTHROPIC_TOKEN": sentinel("sk-ant-oat01-")}
    fresh = api.refresh(res, home=home.path, environ=env)
    assert fresh.base_url == "https://api.minimaxi.com/anthropic"
    assert fresh.secret is not None and fresh.secret.reveal() == new


def test_refresh_on_native_anthropic_may_rediscover(home) -> None:
    tok = sentinel("sk-ant-oat01-")
    home.config("model:\n  provider: anthropic\n")
    res = api.resolve("anthropic", home=home.path, environ=home.env)
    assert res.credential is None
    home.claude_credentials(tok)
    fresh = api.refresh(res, home=home.path, environ=home.env)
    assert fresh.credential is not None and fresh.credential.source == "claude-code"


def test_native_predicate() -> None:
    assert api.is_native_anthropic("anthropic", "https://api.anthropic.com")
    assert api.is_native_anthropic("anthropic", None)
    assert not api.is_native_anthropic("anthropic", "https://api.anthropic.com.evil.test/v1")
    assert not api.is_native_anthropic("anthropic", "https://proxy.test/api.anthropic.com")
    assert not api.is_native_anthropic("minimax", "https://api.anthropic.com")
    assert not api.is_native_anthropic("anthropic", "https://api.minimax.io/anthropic")


def test_oauth_pool_row_with_its_own_foreign_base_url_is_gated(home) -> None:
    """A `hermes auth add` OAuth row pointing elsewhere must not carry the token there."""
    tok, key = sentinel("sk-ant-oat01-"), sentinel("sk-ant-api03-")
    home.config("model:\n  provider: anthropic\n")
    home.dotenv(f"ANTHROPIC_API_KEY={key}\n")
    home.auth_json({"version": 1, "credential_pool": {"anthropic": [
        {"id": "m1", "auth_type": "oauth", "source": "manual", "priority": 0,
         "access_token": tok, "base_url": "http://127.0.0.1:9/anthropic"}]}})
    res = api.resolve("anthropic", home=home.path, environ=home.env)
    row = next(c for c in res.candidates if c.source == "auth.json:m1")
    assert row.status == "rejected" and "only serve api.anthropic.com" in row.reason
    assert res.credential is not None and res.credential.secret.reveal() == key
    assert res.base_url == "https://api.anthropic.com"
    r = home.run("explain", "anthropic", "--json")
    assert tok not in r.stdout and json.loads(r.stdout)["credential"]["source"] == "dotenv:ANTHROPIC_API_KEY"


def test_plain_http_to_anthropic_is_not_native() -> None:
    assert not api.is_native_anthropic("anthropic", "http://api.anthropic.com")
