"""``hermes-accounts test`` as users run it: a real subprocess, a real home, the emulator as the provider."""

from __future__ import annotations

import json

import pytest

from tests.fixtures_home import sentinel


def setup_openai(home, emu, providers: dict[str, str], *, valid: bool = True) -> dict[str, str]:
    """providers: id -> (KEY_VAR, URL_VAR) as "KEY_VAR URL_VAR"; returns id -> key."""
    lines, keys = [], {}
    for pid, vars_ in providers.items():
        key_var, url_var = vars_.split()
        key = sentinel("sk-")
        if valid:
            emu.add_key("openai", key)
        keys[pid] = key
        lines += [f"{key_var}={key}", f"{url_var}={emu.url(f'/openai-{pid}/v1')}"]
    home.dotenv("\n".join(lines) + "\n")
    return keys


THREE = {"deepseek": "DEEPSEEK_API_KEY DEEPSEEK_BASE_URL", "nvidia": "NVIDIA_API_KEY NVIDIA_BASE_URL",
         "huggingface": "HF_TOKEN HF_BASE_URL"}


def assert_no_secret(proc, keys) -> None:
    for key in keys:
        assert key not in proc.stdout and key not in proc.stderr


def test_all_ok_exit_0_and_json_contract(home, emu):
    keys = setup_openai(home, emu, THREE)
    proc = home.run("test", "--all", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["provider"] for r in rows] == ["deepseek", "nvidia", "huggingface"]  # registry order
    for r in rows:
        assert r["outcome"] == "ok" and r["status"] == 200 and r["latency_ms"] >= 0
        assert r["header"] == "Authorization: Bearer"
        assert r["request"]["method"] == "GET"
        assert r["request"]["url"].endswith(f"/openai-{r['provider']}/v1/models")
        assert r["credential"]["source"].startswith("dotenv:")
        assert r["credential"]["fingerprint"].startswith("sha256:")
        assert set(r) >= {"provider", "account", "name", "outcome", "latency_ms", "status", "message",
                          "hint", "request", "header", "credential"}
    assert_no_secret(proc, keys.values())
    # Every endpoint got its own key.
    for pid, key in keys.items():
        [seen] = emu.requests(f"openai-{pid}")
        assert seen.header("authorization") == f"Bearer {key}"


def test_one_failure_makes_exit_1_and_text_names_it(home, emu):
    keys = setup_openai(home, emu, THREE)
    emu.keys["openai"].discard(keys["nvidia"])
    proc = home.run("test", "--all")
    assert proc.returncode == 1
    line = next(ln for ln in proc.stdout.splitlines() if " nvidia " in ln)
    assert "auth_failed" in line and "401" in line and "Authorization: Bearer" in line
    assert "provider says: Incorrect API key provided" in proc.stdout
    assert "→" in proc.stdout and "hermes-accounts set nvidia" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "3 endpoints: 2 ok, 1 auth_failed"
    assert_no_secret(proc, keys.values())


def test_rate_limited_still_exits_0(home, emu):
    setup_openai(home, emu, {"deepseek": THREE["deepseek"]})
    emu.fault("openai-deepseek", status=429)
    proc = home.run("test", "deepseek", "--json")
    assert proc.returncode == 0
    [row] = json.loads(proc.stdout)
    assert row["outcome"] == "rate_limited" and "key is valid" in row["hint"]


def test_server_error_exits_1(home, emu):
    setup_openai(home, emu, {"deepseek": THREE["deepseek"]})
    emu.fault("openai-deepseek", status=503)
    proc = home.run("test", "deepseek", "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)[0]["outcome"] == "server_error"


def test_no_credential_exits_4(home, emu):
    proc = home.run("test", "minimax", "--json")
    assert proc.returncode == 4
    [row] = json.loads(proc.stdout)
    assert row["outcome"] == "no_credential" and "MINIMAX_API_KEY" in row["hint"]
    assert emu.requests() == []


def test_default_is_the_active_provider(home, emu):
    setup_openai(home, emu, THREE)
    home.config("model:\n  provider: nvidia\n  default: some-model\n")
    proc = home.run("test", "--json")
    assert proc.returncode == 0
    assert [r["provider"] for r in json.loads(proc.stdout)] == ["nvidia"]
    assert [r.scope for r in emu.requests()] == ["openai-nvidia"]


def test_all_includes_oauth_logins_as_skipped_without_failing(home, emu):
    setup_openai(home, emu, {"deepseek": THREE["deepseek"]})
    home.auth_json({"version": 1, "providers": {"nous": {"access_token": sentinel("nous-"),
                                                        "refresh_token": sentinel("rt-")}}})
    proc = home.run("test", "--all", "--json")
    rows = {r["provider"]: r for r in json.loads(proc.stdout)}
    assert rows["deepseek"]["outcome"] == "ok"
    assert rows["nous"]["outcome"] == "skipped" and rows["nous"]["request"] is None
    assert "OAuth" in rows["nous"]["hint"]
    assert proc.returncode == 0


def test_show_request_prints_a_masked_curl(home, emu):
    key = emu.add_key("minimax", sentinel("mm-"))
    home.dotenv(f"MINIMAX_API_KEY={key}\nMINIMAX_BASE_URL={emu.url('/minimax/anthropic')}\n")
    proc = home.run("test", "minimax", "--show-request")
    assert key not in proc.stdout + proc.stderr
    assert f"curl -sS -X POST {emu.url('/minimax/anthropic/v1/messages')}" in proc.stdout
    assert "-H 'x-api-key: mm-S" in proc.stdout and "anthropic-version: 2023-06-01" in proc.stdout
    assert "# key masked:" in proc.stdout and "dotenv:MINIMAX_API_KEY" in proc.stdout
    # And the hint explains the MiniMax 401 (the emulator URL is not a MiniMax URL to Hermes).
    assert "MiniMax wants Authorization: Bearer; this key went as x-api-key because" in proc.stdout
    js = home.run("test", "minimax", "--show-request", "--json")
    [row] = json.loads(js.stdout)
    assert row["curl"].startswith("# key masked:") and key not in js.stdout


def test_key_echoed_in_error_body_never_reaches_output(home, emu):
    keys = setup_openai(home, emu, {"deepseek": THREE["deepseek"]}, valid=False)
    emu.fault("openai-deepseek", echo_key=True)
    for args in (("test", "deepseek"), ("test", "deepseek", "--json")):
        proc = home.run(*args)
        assert proc.returncode == 1
        assert_no_secret(proc, keys.values())
        assert "Incorrect API key provided: sk-S" in proc.stdout


def test_timeout_option_and_tls_error(home, emu):
    key = emu.add_key("openai", sentinel("sk-"))
    home.dotenv(f"DEEPSEEK_API_KEY={key}\nDEEPSEEK_BASE_URL={emu.url('/openai-slow/v1')}\n"
                f"NVIDIA_API_KEY={key}\nNVIDIA_BASE_URL={emu.tls_url('/openai/v1')}\n")
    emu.fault("openai-slow", latency=3)
    proc = home.run("test", "deepseek", "nvidia", "--timeout", "0.5", "--json")
    rows = {r["provider"]: r for r in json.loads(proc.stdout)}
    assert rows["deepseek"]["outcome"] == "timeout"
    assert rows["nvidia"]["outcome"] == "tls_error"
    assert proc.returncode == 1 and key not in proc.stdout


def test_base_url_option_tests_another_endpoint(home, emu):
    key = emu.add_key("openai", sentinel("sk-"))
    home.dotenv(f"DEEPSEEK_API_KEY={key}\n")
    proc = home.run("test", "deepseek", "--base-url", emu.url("/openai-alt/v1"), "--json")
    assert proc.returncode == 0, proc.stdout
    assert emu.requests("openai-alt")[0].header("authorization") == f"Bearer {key}"


@pytest.mark.parametrize(("args", "needle"), [
    (("test", "minimaxx"), "unknown provider"),
    (("test", "minimax", "--all"), "not both"),
    (("test", "--timeout", "0"), "--timeout must be a positive"),
    (("test", "deepseek", "nvidia", "--base-url", "http://x"), "exactly one PROVIDER"),
    (("test", "deepseek/"), "PROVIDER/ACCOUNT"),
    (("test", "deepseek/nosuch"), "no account deepseek/nosuch"),
])
def test_usage_errors_exit_2_with_one_line(home, args, needle):
    proc = home.run(*args)
    assert proc.returncode == 2
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


@pytest.mark.keyring
def test_provider_slash_account_sends_that_accounts_key(keyring_home, emu):
    home = keyring_home
    env_key = emu.add_key("openai", sentinel("sk-"))
    work_key = emu.add_key("openai", sentinel("sk-"))
    home.dotenv(f"DEEPSEEK_API_KEY={env_key}\nDEEPSEEK_BASE_URL={emu.url('/openai-acct/v1')}\n")
    stored = home.run("set", "deepseek", "--account", "work", stdin=work_key + "\n")
    assert stored.returncode == 0, stored.stderr
    proc = home.run("test", "deepseek/work", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [row] = json.loads(proc.stdout)
    assert row["account"] == "work" and row["credential"]["source"] == "keyring:deepseek/work"
    [seen] = emu.requests("openai-acct")
    assert seen.header("authorization") == f"Bearer {work_key}"
    assert work_key not in proc.stdout + proc.stderr and env_key not in proc.stdout + proc.stderr
    # Without /ACCOUNT the resolved credential (.env beats the keyring) is what gets tested.
    emu.clear()
    home.run("test", "deepseek", "--json")
    assert emu.requests("openai-acct")[0].header("authorization") == f"Bearer {env_key}"


def test_custom_endpoint_without_key_sends_hermes_placeholder(home, emu):
    """A keyless custom endpoint (a local server) gets what Hermes sends: Bearer no-key-required."""
    home.config(f"model:\n  provider: custom\n  base_url: {emu.url('/openai-local/v1')}\n  default: llama\n")
    proc = home.run("test", "--json")
    [row] = json.loads(proc.stdout)
    assert row["provider"] == "custom" and row["credential"]["source"] == "placeholder"
    assert emu.requests("openai-local")[0].header("authorization") == "Bearer no-key-required"
    # This server wants a real key: the hint says so, and where to put it.
    assert row["outcome"] == "auth_failed" and "model.api_key" in row["hint"]
    assert "'no-key-required'" in row["hint"]
    assert proc.returncode == 1
    # A server without auth accepts the placeholder: ok.
    emu.add_key("openai", "no-key-required")
    proc = home.run("test", "custom", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)[0]["outcome"] == "ok"


def test_custom_without_base_url_explains_what_to_set_and_sends_nothing(home):
    """Hermes 0.19 would fall back to OpenRouter with any OpenRouter/OpenAI key; the test sends nothing."""
    key = sentinel("sk-or-v1-")
    home.dotenv(f"OPENROUTER_API_KEY={key}\n")
    home.config("model:\n  provider: custom\n")
    proc = home.run("test", "--json")
    [row] = json.loads(proc.stdout)
    assert row["outcome"] == "no_credential" and "model.base_url" in row["hint"]
    assert row["request"] is None and key not in proc.stdout + proc.stderr
    assert proc.returncode == 4


def test_a_second_header_hermes_sdk_would_add_is_reported_but_never_sent(home, emu):
    """Hermes 0.19's Anthropic SDK fills the other auth header from the environment; we warn, never send."""
    key = emu.add_key("minimax", sentinel("mm-"))
    leak = sentinel("sk-ant-oat01-")
    home.dotenv(f"MINIMAX_API_KEY={key}\nMINIMAX_BASE_URL={emu.url('/minimax/anthropic')}\n")
    proc = home.run("test", "minimax", env={"ANTHROPIC_AUTH_TOKEN": leak})
    assert "    ! ANTHROPIC_AUTH_TOKEN is set" in proc.stdout and "also receives it as" in proc.stdout
    js = home.run("test", "minimax", "--json", env={"ANTHROPIC_AUTH_TOKEN": leak})
    [row] = json.loads(js.stdout)
    assert any("ANTHROPIC_AUTH_TOKEN" in w for w in row["warnings"])
    for rec in emu.requests("minimax"):
        assert rec.header("authorization") is None and rec.header("x-api-key") == key
    for out in (proc.stdout + proc.stderr, js.stdout + js.stderr):
        assert leak not in out and key not in out


def test_tls_is_verified_and_a_trusted_ca_makes_it_pass(home, emu):
    """Verification is never switched off; trusting the CA (SSL_CERT_FILE, as the hint says) works."""
    key = emu.add_key("openai", sentinel("sk-"))
    home.dotenv(f"NVIDIA_API_KEY={key}\nNVIDIA_BASE_URL={emu.tls_url('/openai-tls/v1')}\n")
    untrusted = home.run("test", "nvidia", "--json")
    assert json.loads(untrusted.stdout)[0]["outcome"] == "tls_error" and untrusted.returncode == 1
    assert emu.requests("openai-tls") == []
    trusted = home.run("test", "nvidia", "--json", env={"SSL_CERT_FILE": emu.cert_path})
    assert trusted.returncode == 0, trusted.stdout
    [seen] = emu.requests("openai-tls")
    assert seen.tls and seen.header("authorization") == f"Bearer {key}"


def test_results_stream_while_slower_probes_are_still_running(home, emu):
    import subprocess
    import sys

    from tests.fixtures_home import ROOT

    key = emu.add_key("openai", sentinel("sk-"))
    home.dotenv(f"DEEPSEEK_API_KEY={key}\nDEEPSEEK_BASE_URL={emu.url('/openai-fast/v1')}\n"
                f"NVIDIA_API_KEY={key}\nNVIDIA_BASE_URL={emu.url('/openai-slow/v1')}\n")
    emu.fault("openai-slow", latency=4)
    proc = subprocess.Popen([sys.executable, "-m", "hermes_accounts", "test", "nvidia", "deepseek"],
                            stdout=subprocess.PIPE, text=True, env=home.env, cwd=str(ROOT))
    try:
        first = proc.stdout.readline()
        assert " deepseek " in first and " ok " in first
        assert proc.poll() is None  # nvidia's probe is still waiting for its answer
        rest = proc.stdout.read()
    finally:
        proc.wait(30)
    assert " nvidia " in rest and proc.returncode == 0


def test_provider_slash_account_picks_the_header_like_the_resolver(keyring_home, emu):
    """A Gemini account behind a non-Google URL goes as Bearer, exactly as `test gemini` and the agent."""
    home = keyring_home
    key = emu.add_key("gemini", sentinel("AIza"))
    home.dotenv(f"GEMINI_BASE_URL={emu.url('/gemini/v1beta')}\n")
    assert home.run("set", "gemini", "--account", "work", stdin=key + "\n").returncode == 0
    proc = home.run("test", "gemini/work", "--json")
    [row] = json.loads(proc.stdout)
    assert row["header"] == "Authorization: Bearer"
    [seen] = emu.requests("gemini")
    assert seen.header("authorization") == f"Bearer {key}" and seen.header("x-goog-api-key") is None
