"""Generated set-ups, each compared with the real Hermes 0.19 (hypothesis + the oracle).

The hand-written scenarios (``test_oracle_scenarios.py``) cover one rule at a
time; here hypothesis combines them: key variables in ``.env`` and/or the shell
with real keys, Kimi Code keys, placeholders, short and empty values; base-URL
variables; ``model.provider`` (same id, alias, other provider) with
``model.base_url``/``api_mode``; and ``auth.json`` pool rows (manual with and
without a URL, exhausted, dead, suppressed). Derandomized, so CI sees the same
examples every run (``ORACLE_EXAMPLES=500`` for a deeper local run).
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures_home import Home, sentinel

pytestmark = pytest.mark.hermes

PROVIDERS = {
    # id: (key vars, base-url var, alias, a non-default URL)
    "gemini": (("GOOGLE_API_KEY", "GEMINI_API_KEY"), "GEMINI_BASE_URL", "google",
               "https://generativelanguage.googleapis.com/v1beta/openai"),
    "kimi-coding": (("KIMI_API_KEY", "KIMI_CODING_API_KEY"), "KIMI_BASE_URL", "kimi",
                    "https://api.kimi.com/coding"),
    "minimax": (("MINIMAX_API_KEY",), "MINIMAX_BASE_URL", "minimax_cn",
                "https://api.minimax.io/v1"),
    "deepseek": (("DEEPSEEK_API_KEY",), "DEEPSEEK_BASE_URL", None, "https://api.deepseek.com/anthropic"),
}
VALUES = st.sampled_from(["real", "real", "kimi", "changeme", "***", "ab", "", None])
MODES = st.sampled_from([None, "chat_completions", "anthropic_messages", "codex_responses", "bogus"])


def value(kind: str | None) -> str | None:
    return {"real": sentinel("k-"), "kimi": sentinel("sk-kimi-"), None: None}.get(kind, kind)


@st.composite
def setups(draw):
    pid = draw(st.sampled_from(sorted(PROVIDERS)))
    key_vars, url_var, alias, other_url = PROVIDERS[pid]
    dotenv, shell = [], {}
    for var in key_vars:
        if (v := value(draw(VALUES))) is not None:
            dotenv.append(f"{var}={v}")
        if (v := value(draw(VALUES))) is not None:
            shell[var] = v
    where_url = draw(st.sampled_from([None, "dotenv", "shell"]))
    if where_url == "dotenv":
        dotenv.append(f"{url_var}={other_url}")
    elif where_url == "shell":
        shell[url_var] = other_url
    cfg_provider = draw(st.sampled_from([pid, pid, alias, "deepseek", None]))
    config = ""
    if cfg_provider:
        config = f"model:\n  provider: {cfg_provider}\n"
        if draw(st.booleans()):
            config += "  base_url: https://cfg.example.com/v1\n"
        if (mode := draw(MODES)) is not None:
            config += f"  api_mode: {mode}\n"
    rows, suppressed = [], []
    now = time.time()
    for i, kind in enumerate(draw(st.lists(st.sampled_from(
            ["manual", "manual-url", "manual-dead", "env-exhausted", "env"]), max_size=2))):
        if kind.startswith("manual"):
            row = {"id": f"m{i}", "source": "manual", "priority": i, "access_token": sentinel("man-")}
            if kind == "manual-url":
                row["base_url"] = "https://pool.example.com/v1"
            if kind == "manual-dead":
                row.update(last_status="dead", last_status_at=now)
        else:
            row = {"id": f"e{i}", "source": f"env:{key_vars[-1]}", "priority": i}
            if kind == "env-exhausted":
                row.update(last_status="exhausted", last_status_at=now, last_error_code=429)
        rows.append(row)
    if draw(st.booleans()):
        suppressed.append(f"env:{key_vars[0]}")
    return pid, "\n".join(dotenv) + "\n", shell, config, rows, suppressed


@settings(max_examples=int(os.environ.get("ORACLE_EXAMPLES", "60")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(setup=setups())
def test_generated_setups_match_hermes(tmp_path_factory, oracle, setup):
    pid, dotenv, shell, config, rows, suppressed = setup
    home = Home(tmp_path_factory.mktemp("gen"))
    home.dotenv(dotenv)
    if config:
        home.config(config)
    if rows or suppressed:
        data: dict = {"version": 1, "credential_pool": {pid: rows}}
        if suppressed:
            data["suppressed_sources"] = {pid: suppressed}
        home.auth_json(data)
    oracle.compare(home, pid, shell)


# --- Anthropic: env tokens, Claude Code's login, configuration, base URLs -------------------

A_VALUES = st.sampled_from(["oat", "api", "api", "changeme", "", None])
A_URLS = st.sampled_from([None, None, "https://proxy.example.com/anthropic", "https://openrouter.ai/api/v1",
                          "https://api.anthropic.com"])


def a_value(kind: str | None) -> str | None:
    return {"oat": sentinel("sk-ant-oat01-"), "api": sentinel("sk-ant-api03-"), None: None}.get(kind, kind)


@st.composite
def anthropic_setups(draw):
    dotenv, shell = [], {}
    for var in ("ANTHROPIC_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY"):
        if (v := a_value(draw(A_VALUES))) is not None:
            (dotenv.append(f"{var}={v}") if draw(st.booleans()) else shell.__setitem__(var, v))
    claude = draw(st.sampled_from([None, "valid", "expired"]))
    cfg_provider = draw(st.sampled_from(["anthropic", "anthropic", "claude", "deepseek", None]))
    config = f"model:\n  provider: {cfg_provider}\n" if cfg_provider else ""
    if cfg_provider and (url := draw(A_URLS)):
        config += f"  base_url: {url}\n"
    manual = draw(st.sampled_from([None, "oat", "api"]))
    active = draw(st.sampled_from([None, "anthropic"]))
    return "\n".join(dotenv) + "\n", shell, config, claude, manual, active


@settings(max_examples=int(os.environ.get("ORACLE_EXAMPLES", "60")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(setup=anthropic_setups())
def test_generated_anthropic_setups_match_hermes(tmp_path_factory, oracle, setup):
    """Same, for provider anthropic; the one deliberate difference is asserted, not skipped."""
    from hermes_accounts.resolver import resolve
    from hermes_accounts.secret import fingerprint
    from tests.fixtures_oracle import assert_same

    dotenv, shell, config, claude, manual, active = setup
    home = Home(tmp_path_factory.mktemp("gena"))
    home.dotenv(dotenv)
    if config:
        home.config(config)
    if claude:
        expires = int((time.time() + (3600 if claude == "valid" else -3600)) * 1000)
        path = home.claude_credentials(sentinel("sk-ant-oat01-"), expires_ms=expires)
        if claude == "expired":  # no refresh token: Hermes cannot renew it offline or online
            import json

            data = json.loads(path.read_text())
            del data["claudeAiOauth"]["refreshToken"]
            path.write_text(json.dumps(data))
    if manual or active:
        data: dict = {"version": 1}
        if manual:
            data["credential_pool"] = {"anthropic": [{
                "id": "m0", "source": "manual", "priority": 0,
                "auth_type": "oauth" if manual == "oat" else "api_key",
                "access_token": a_value(manual)}]}
        if active:
            data["active_provider"] = active
        home.auth_json(data)
    ours = resolve("anthropic", home.inputs(shell))
    theirs = oracle.ask(home, "anthropic", shell)
    assert theirs["network"] == []
    sent_oauth = "key_fingerprint" in theirs and "anthropic.com" not in (theirs["base_url"] or "") and any(
        c.secret is not None and c.secret.fingerprint == theirs["key_fingerprint"]
        and (c.discovery or c.secret.reveal().startswith("sk-ant-oat")) for c in ours.candidates)
    if sent_oauth or (not ours.native_anthropic and "key_fingerprint" in theirs
                      and ours.credential is None):
        # The gate: Hermes sends a discovered OAuth token to a non-Anthropic host; we refuse.
        assert ours.credential is None or ours.credential.secret.fingerprint != theirs["key_fingerprint"]
        assert ours.base_url == theirs["base_url"]
        assert any("switched off" in w for w in ours.warnings)
        return
    assert_same(ours, theirs)
    if ours.credential is not None:
        assert fingerprint(ours.credential.secret.reveal()) == theirs["key_fingerprint"]
