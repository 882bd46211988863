"""The probe request is built from the resolver's answer: URL, the one credential header, Anthropic
headers."""

from __future__ import annotations

import json

import pytest

from hermes_accounts.probe import curl, outcomes
from hermes_accounts.probe.request import NotSent, ProbeRequest, plan, probe_url
from hermes_accounts.resolver import resolve
from tests.fixtures_home import sentinel

CRED_HEADERS = {"authorization", "x-api-key", "x-goog-api-key"}


def build(home, provider: str, dotenv: str, **kw) -> ProbeRequest | NotSent:
    home.dotenv(dotenv)
    inputs = home.inputs()
    return plan(resolve(provider, inputs, **kw), config_model=inputs.config.model)


def cred_headers(req: ProbeRequest) -> dict[str, str]:
    return {k.lower(): v for k, v in req.wire_headers().items() if k.lower() in CRED_HEADERS}


def test_minimax_default_url_gets_bearer_messages_probe_without_stripped_betas(home):
    key = sentinel("mm-")
    req = build(home, "minimax", f"MINIMAX_API_KEY={key}\n")
    assert isinstance(req, ProbeRequest)
    assert (req.method, req.url) == ("POST", "https://api.minimax.io/anthropic/v1/messages")
    assert cred_headers(req) == {"authorization": f"Bearer {key}"}
    h = dict(req.headers)
    assert h["anthropic-version"] == "2023-06-01"
    # Hermes strips the tool-streaming and 1M betas for MiniMax.
    assert h["anthropic-beta"] == "interleaved-thinking-2025-05-14"
    body = json.loads(req.body)
    assert body["max_tokens"] == 1 and body["model"] == "MiniMax-M2.7"


def test_trailing_v1_is_stripped_for_anthropic_messages_only():
    assert probe_url("https://api.minimax.io/anthropic/v1", "/v1/messages", anthropic_messages=True) \
        == "https://api.minimax.io/anthropic/v1/messages"
    assert probe_url("https://api.deepseek.com/v1/", "/models", anthropic_messages=False) \
        == "https://api.deepseek.com/v1/models"


def test_minimax_v1_override_url_switches_to_the_openai_style_probe(home):
    req = build(home, "minimax", f"MINIMAX_API_KEY={sentinel('mm-')}\n"
                                 "MINIMAX_BASE_URL=https://api.minimax.io/v1\n")
    assert isinstance(req, ProbeRequest)
    assert (req.method, req.url) == ("GET", "https://api.minimax.io/v1/models")
    assert req.api_mode == "chat_completions"
    assert "anthropic-version" not in dict(req.headers)


def test_third_party_anthropic_url_gets_x_api_key_as_the_resolver_says(home):
    key = sentinel("mm-")
    req = build(home, "minimax", f"MINIMAX_API_KEY={key}\nMINIMAX_BASE_URL=http://127.0.0.1:9/anthropic\n")
    assert isinstance(req, ProbeRequest)
    assert req.url == "http://127.0.0.1:9/anthropic/v1/messages"
    assert cred_headers(req) == {"x-api-key": key}
    # Not a MiniMax URL by Hermes' prefix rule: the common betas are kept.
    assert dict(req.headers)["anthropic-beta"] == ("interleaved-thinking-2025-05-14,"
                                                  "fine-grained-tool-streaming-2025-05-14")


def test_native_anthropic_api_key_and_oauth_token(home):
    api = sentinel("sk-ant-api03-")
    req = build(home, "anthropic", f"ANTHROPIC_API_KEY={api}\n")
    assert req.url == "https://api.anthropic.com/v1/models?limit=1"
    assert cred_headers(req) == {"x-api-key": api}
    assert "oauth-2025-04-20" not in dict(req.headers).get("anthropic-beta", "")

    oat = sentinel("sk-ant-oat01-")
    req = build(home, "anthropic", f"ANTHROPIC_TOKEN={oat}\n")
    assert cred_headers(req) == {"authorization": f"Bearer {oat}"}
    h = dict(req.headers)
    assert h["anthropic-version"] == "2023-06-01"
    assert h["anthropic-beta"].split(",")[-2:] == ["claude-code-20250219", "oauth-2025-04-20"]
    assert h["user-agent"].startswith("claude-code/") and h["x-app"] == "cli"


def test_gemini_key_goes_in_x_goog_api_key(home):
    key = sentinel("AIza")
    req = build(home, "gemini", f"GEMINI_API_KEY={key}\n")
    assert req.url == "https://generativelanguage.googleapis.com/v1beta/models"
    assert cred_headers(req) == {"x-goog-api-key": key}


def test_deepseek_anthropic_base_switches_to_a_messages_probe(home):
    key = sentinel("sk-")
    req = build(home, "deepseek", f"DEEPSEEK_API_KEY={key}\n"
                                  "DEEPSEEK_BASE_URL=https://api.deepseek.com/anthropic\n")
    assert (req.method, req.url) == ("POST", "https://api.deepseek.com/anthropic/v1/messages")
    assert cred_headers(req) == {"x-api-key": key}


def test_kimi_code_key_goes_to_kimi_coding_with_the_claude_code_agent(home):
    key = sentinel("sk-kimi-")
    req = build(home, "kimi-coding", f"KIMI_API_KEY={key}\n")
    assert req.url == "https://api.kimi.com/coding/v1/messages"
    assert cred_headers(req) == {"x-api-key": key}
    assert dict(req.headers)["user-agent"] == "claude-code/0.1.0"


def test_configured_model_is_used_for_the_active_provider(home):
    home.config("model:\n  provider: minimax\n  default: MiniMax-M2.5\n")
    req = build(home, "minimax", f"MINIMAX_API_KEY={sentinel('mm-')}\n")
    assert json.loads(req.body)["model"] == "MiniMax-M2.5"


@pytest.mark.parametrize(("provider", "dotenv", "outcome"), [
    ("minimax", "", outcomes.NO_CREDENTIAL),
    ("nous", "", outcomes.SKIPPED),
    ("bedrock", "AWS_ACCESS_KEY_ID=AKIAEXAMPLEEXAMPLE\n", outcomes.SKIPPED),
    ("copilot", "GH_TOKEN=gho_abcdefghijklmnop\n", outcomes.SKIPPED),
])
def test_endpoints_that_get_no_request(home, provider, dotenv, outcome):
    ns = build(home, provider, dotenv)
    assert isinstance(ns, NotSent)
    assert ns.outcome == outcome and ns.hint


def test_anthropic_token_never_planned_for_minimax(home):
    """The gate: with only Anthropic tokens around, MiniMax has no credential at all."""
    home.claude_credentials(sentinel("sk-ant-oat01-"))
    ns = build(home, "minimax", f"ANTHROPIC_TOKEN={sentinel('sk-ant-oat01-')}\n"
                                f"ANTHROPIC_API_KEY={sentinel('sk-ant-api03-')}\n")
    assert isinstance(ns, NotSent) and ns.outcome == outcomes.NO_CREDENTIAL


def test_key_is_absent_from_repr_shown_headers_and_curl(home):
    key = sentinel("mm-")
    req = build(home, "minimax", f"MINIMAX_API_KEY={key}\n")
    text = curl.render(req)
    for shown in (repr(req), str(req.shown_headers()), text, str(req.headers)):
        assert key not in shown
    assert "Authorization: Bearer mm-S" in text  # the mask keeps the first four characters
    assert text.splitlines()[1].startswith("curl -sS -X POST https://api.minimax.io/anthropic/v1/messages")
    assert "--data-raw" in text and '"max_tokens":1' in text


def test_wire_headers_carry_the_key_but_never_print_it(home):
    key = sentinel("mm-")
    req = build(home, "minimax", f"MINIMAX_API_KEY={key}\n")
    wire = req.wire_headers()
    assert wire["Authorization"] == f"Bearer {key}"  # really sent
    assert key not in repr(wire) and key not in str(wire) and "mm-S" in repr(wire)
