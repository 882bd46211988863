"""Hermes 0.19 behaviours we match *and* explain (found with the oracle, tests/test_oracle_*.py).

Each test sets up the quirk, checks our prediction (what Hermes really does) and
that ``explain`` carries a warning with the fix. No Hermes needed here.
"""

from __future__ import annotations

import json
import time

from hermes_accounts.resolver import resolve
from tests.fixtures_home import sentinel


def warned(res, *needles: str) -> bool:
    return any(all(n in w for n in needles) for w in res.warnings)


def test_placeholder_first_blocks_a_real_second_key(home):
    """Hermes' pool sends GOOGLE_API_KEY=*** and never reaches GEMINI_API_KEY."""
    real = sentinel("AIza")
    home.dotenv(f"GOOGLE_API_KEY=***\nGEMINI_API_KEY={real}\n")
    res = resolve("gemini", home.inputs())
    assert res.credential is None
    first, second = res.candidates[:2]
    assert first.status == "rejected" and first.reason == "placeholder value"
    assert second.status == "shadowed" and "dotenv:GOOGLE_API_KEY" in second.reason
    assert warned(res, "GOOGLE_API_KEY", "sends this value")
    assert real not in json.dumps(res.to_dict())


def test_short_value_in_shell_is_sent_too(home):
    res = resolve("deepseek", home.inputs({"DEEPSEEK_API_KEY": "ab"}))
    assert res.credential is None and res.candidates[0].reason.startswith("too short")
    assert warned(res, "under 4 characters", "sends this value")


def test_direct_lookup_ignores_suppression(home):
    """`hermes auth remove` suppresses the pool row, but the direct lookup still reads .env."""
    key = sentinel("ds-")
    home.dotenv(f"DEEPSEEK_API_KEY={key}\n")
    home.auth_json({"credential_pool": {}, "suppressed_sources": {"deepseek": ["env:DEEPSEEK_API_KEY"]}})
    res = resolve("deepseek", home.inputs())
    assert res.credential is not None and res.credential.secret.reveal() == key
    assert "ignores `hermes auth remove`" in res.credential.reason
    assert res.candidates[0].status == "rejected" and "suppressed" in res.candidates[0].reason


def test_exhausted_pool_row_falls_back_to_the_same_key(home):
    key = sentinel("ds-")
    home.dotenv(f"DEEPSEEK_API_KEY={key}\n")
    home.auth_json({"credential_pool": {"deepseek": [
        {"id": "e1", "source": "env:DEEPSEEK_API_KEY", "priority": 0, "last_status": "exhausted",
         "last_status_at": time.time(), "last_error_code": 429}]}})
    res = resolve("deepseek", home.inputs())
    assert res.candidates[0].status == "rejected" and "cooling down" in res.candidates[0].reason
    assert res.credential is not None and res.credential.secret.reveal() == key
    assert "direct key lookup" in res.credential.reason


def test_alias_in_config_ignores_model_base_url(home):
    home.dotenv(f"KIMI_API_KEY={sentinel('k-')}\n")
    home.config("model:\n  provider: kimi\n  base_url: https://cfg.example.com/v1\n")
    res = resolve("kimi-coding", home.inputs())
    assert res.active and res.base_url == "https://api.moonshot.ai/v1"
    assert warned(res, "alias 'kimi'", "provider: kimi-coding")


def test_unknown_api_mode_is_ignored_with_a_warning(home):
    home.dotenv(f"DEEPSEEK_API_KEY={sentinel('k-')}\n")
    home.config("model:\n  provider: deepseek\n  api_mode: responses\n")
    res = resolve("deepseek", home.inputs())
    assert res.api_mode == "chat_completions"
    assert warned(res, "'responses'", "ignored")


def test_stale_openrouter_url_for_anthropic_falls_back(home):
    home.dotenv(f"ANTHROPIC_API_KEY={sentinel('sk-ant-api03-')}\n")
    home.config("model:\n  provider: anthropic\n  base_url: https://openrouter.ai/api/v1\n")
    res = resolve("anthropic", home.inputs())
    assert res.base_url == "https://api.anthropic.com" and res.native_anthropic
    assert warned(res, "openrouter.ai", "ignored")


def test_manual_pool_row_without_base_url(home):
    home.auth_json({"credential_pool": {"minimax": [
        {"id": "m1", "source": "manual", "priority": 0, "access_token": sentinel("mm-")}]}})
    home.config("model:\n  provider: minimax\n")
    res = resolve("minimax", home.inputs())
    assert res.base_url == "" and res.api_mode == "chat_completions"
    assert warned(res, "m1", "no base_url", "hermes auth add minimax")


def test_model_base_url_loses_to_base_url_env_on_the_pool_path(home):
    home.dotenv(f"DEEPSEEK_API_KEY={sentinel('k-')}\nDEEPSEEK_BASE_URL=https://env.example.com/v1\n")
    home.config("model:\n  provider: deepseek\n  base_url: https://cfg.example.com/v1\n")
    res = resolve("deepseek", home.inputs())
    assert res.base_url == "https://env.example.com/v1"
    assert warned(res, "cfg.example.com", "ignored")


def test_non_ascii_in_dotenv_is_sent_as_is(home):
    home.dotenv(f"MINIMAX_API_KEY={sentinel('mm-')}\u200b\n")
    res = resolve("minimax", home.inputs())
    assert res.credential is not None and not res.credential.secret.reveal().isascii()
    assert warned(res, "non-ASCII", "as it is")


def test_claude_login_used_without_configuration_via_direct_lookup(home):
    token = sentinel("sk-ant-oat01-")
    home.claude_credentials(token)
    home.config("model:\n  provider: deepseek\n")
    res = resolve("anthropic", home.inputs())
    assert res.credential is not None and res.credential.source == "claude-code"
    assert warned(res, "resolve_anthropic_token", "not configured")


def test_sdk_fills_the_other_header_from_the_environment(home):
    mm, ant = sentinel("mm-"), sentinel("sk-ant-api03-")
    home.dotenv(f"MINIMAX_API_KEY={mm}\n")
    res = resolve("minimax", home.inputs({"ANTHROPIC_API_KEY": ant}))
    assert res.auth_header == "authorization"
    assert warned(res, "ANTHROPIC_API_KEY is set", "X-Api-Key", "third party")
    assert ant not in json.dumps(res.to_dict())


def test_openrouter_key_without_prefix_is_used_with_a_warning(home):
    home.dotenv(f"OPENROUTER_API_KEY={sentinel('k-')}\n")
    res = resolve("openrouter", home.inputs())
    assert res.credential is not None
    assert warned(res, "sk-or-", "sends it anyway")


def test_stale_minimax_v1_url_is_followed_and_explained(home):
    home.dotenv(f"MINIMAX_API_KEY={sentinel('mm-')}\nMINIMAX_BASE_URL=https://api.minimax.io/v1\n")
    res = resolve("minimax", home.inputs())
    assert res.base_url == "https://api.minimax.io/v1" and res.api_mode == "chat_completions"
    assert warned(res, "stale MiniMax /v1", "MINIMAX_BASE_URL=https://api.minimax.io/anthropic")
