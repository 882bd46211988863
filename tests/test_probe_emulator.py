"""The prober against the provider emulator (a real HTTP server): outcomes, headers on the wire, safety."""

from __future__ import annotations

import json

import pytest

from hermes_accounts.probe import outcomes as o
from hermes_accounts.probe import runner
from hermes_accounts.probe.request import ProbeRequest, plan
from hermes_accounts.resolver import resolve
from tests.emulator import MINIMAX_MISSING_AUTH, RouteToEmulator
from tests.fixtures_home import sentinel


def planned(home, provider: str, dotenv: str) -> ProbeRequest:
    home.dotenv(dotenv)
    inputs = home.inputs()
    req = plan(resolve(provider, inputs), config_model=inputs.config.model)
    assert isinstance(req, ProbeRequest), req
    return req


def probe(req: ProbeRequest, **kw):
    kw.setdefault("timeout", 5.0)
    return runner.run_sync([req], secrets=[req.secret], **kw)[0]


def openai_req(home, emu, scope: str = "openai", key: str | None = None, valid: bool = True) -> ProbeRequest:
    key = key or sentinel("sk-")
    if valid:
        emu.add_key("openai", key)
    return planned(home, "deepseek",
                   f"DEEPSEEK_API_KEY={key}\nDEEPSEEK_BASE_URL={emu.url('/' + scope + '/v1')}\n")


# -- each family's rules --------------------------------------------------------------

def test_openai_compatible_ok_with_bearer(home, emu):
    req = openai_req(home, emu)
    r = probe(req)
    assert (r.outcome, r.status, r.header) == (o.OK, 200, "Authorization: Bearer")
    [seen] = emu.requests("openai")
    assert seen.path == "/openai/v1/models"
    assert seen.header("authorization") == f"Bearer {req.secret.reveal()}"
    assert seen.header("x-api-key") is None


def test_openai_compatible_wrong_key_is_auth_failed_with_hint(home, emu):
    req = openai_req(home, emu, valid=False)
    r = probe(req)
    assert (r.outcome, r.status) == (o.AUTH_FAILED, 401)
    assert "Incorrect API key provided" in r.message
    assert "dotenv:DEEPSEEK_API_KEY" in r.hint and "hermes-accounts set deepseek" in r.hint


def test_gemini_takes_x_goog_api_key(home, emu):
    """Google's own host: the native client's header (routed to the emulator, URL and Host kept)."""
    key = emu.add_key("gemini", sentinel("AIza"))
    req = planned(home, "gemini", f"GEMINI_API_KEY={key}\n")
    transport = RouteToEmulator(emu.port)
    r = probe(req, transport=transport)
    assert r.outcome == o.OK and r.header == "x-goog-api-key"
    assert transport.seen == ["https://generativelanguage.googleapis.com/v1beta/models"]
    [seen] = emu.requests()
    assert seen.header("x-goog-api-key") == key and seen.header("authorization") is None


def test_gemini_through_a_proxy_url_goes_as_bearer_like_the_agent(home, emu):
    """Hermes 0.19 uses the OpenAI client off Google's host: the probe sends what it sends."""
    key = emu.add_key("gemini", sentinel("AIza"))
    req = planned(home, "gemini", f"GEMINI_API_KEY={key}\nGEMINI_BASE_URL={emu.url('/gemini/v1beta')}\n")
    r = probe(req)
    assert (r.outcome, r.header) == (o.AUTH_FAILED, "Authorization: Bearer")
    [seen] = emu.requests("gemini")
    assert seen.header("authorization") == f"Bearer {key}" and seen.header("x-goog-api-key") is None


def test_openrouter_probes_the_key_endpoint_that_needs_auth(home, emu):
    key = emu.add_key("openrouter", sentinel("sk-or-v1-"))
    req = planned(home, "openrouter", f"OPENROUTER_API_KEY={key}\n"
                                      f"OPENROUTER_BASE_URL={emu.url('/openrouter/api/v1')}\n")
    assert probe(req).outcome == o.OK
    assert emu.requests("openrouter")[0].path == "/openrouter/api/v1/key"


def test_minimax_at_a_non_minimax_url_goes_as_x_api_key_and_gets_minimax_401(home, emu):
    """The resolver says x-api-key for an unknown /anthropic host; MiniMax's route rejects exactly that."""
    key = emu.add_key("minimax", sentinel("mm-"))
    req = planned(home, "minimax", f"MINIMAX_API_KEY={key}\n"
                                   f"MINIMAX_BASE_URL={emu.url('/minimax/anthropic')}\n")
    assert req.credential_header == "x-api-key"
    r = probe(req)
    assert (r.outcome, r.status) == (o.AUTH_FAILED, 401)
    assert r.message == MINIMAX_MISSING_AUTH["error"]["message"]
    assert r.hint.startswith("MiniMax wants Authorization: Bearer; this key went as x-api-key because")
    assert "dotenv:MINIMAX_BASE_URL" in r.hint and "https://api.minimax.io/anthropic" in r.hint
    [seen] = emu.requests("minimax")
    assert seen.header("x-api-key") == key and seen.header("authorization") is None


@pytest.mark.parametrize("provider,host,var", [("minimax", "api.minimax.io", "MINIMAX_API_KEY"),
                                               ("minimax-cn", "api.minimaxi.com", "MINIMAX_CN_API_KEY")])
def test_minimax_real_url_gets_bearer_on_the_wire(home, emu, provider, host, var):
    """Resolve with the real MiniMax URL; only the TCP connection goes to the emulator."""
    key = emu.add_key("minimax", sentinel("mm-"))
    req = planned(home, provider, f"{var}={key}\n")
    assert req.url == f"https://{host}/anthropic/v1/messages"
    transport = RouteToEmulator(emu.port)
    r = probe(req, transport=transport)
    assert (r.outcome, r.status, r.header) == (o.OK, 200, "Authorization: Bearer")
    assert transport.seen == [req.url]
    [seen] = emu.requests(host)
    assert (seen.method, seen.host, seen.path) == ("POST", host, "/anthropic/v1/messages")
    assert seen.header("authorization") == f"Bearer {key}" and seen.header("x-api-key") is None
    assert seen.header("anthropic-version") == "2023-06-01"
    assert "fine-grained-tool-streaming" not in seen.header("anthropic-beta")
    assert json.loads(seen.body)["max_tokens"] == 1


def test_native_anthropic_oauth_token_gets_bearer_and_oauth_beta(home, emu):
    token = emu.add_key("anthropic", sentinel("sk-ant-oat01-"))
    req = planned(home, "anthropic", f"ANTHROPIC_TOKEN={token}\n")
    r = probe(req, transport=RouteToEmulator(emu.port))
    assert r.outcome == o.OK, r
    [seen] = emu.requests("api.anthropic.com")
    assert seen.path == "/v1/models?limit=1"
    assert seen.header("authorization") == f"Bearer {token}" and seen.header("x-api-key") is None
    assert "oauth-2025-04-20" in seen.header("anthropic-beta")


def test_native_anthropic_api_key_goes_as_x_api_key(home, emu):
    key = emu.add_key("anthropic", sentinel("sk-ant-api03-"))
    req = planned(home, "anthropic", f"ANTHROPIC_API_KEY={key}\n")
    assert probe(req, transport=RouteToEmulator(emu.port)).outcome == o.OK
    [seen] = emu.requests("api.anthropic.com")
    assert seen.header("x-api-key") == key and seen.header("authorization") is None


def test_revoked_anthropic_key_hint_names_the_header_and_source(home, emu):
    req = planned(home, "anthropic", f"ANTHROPIC_API_KEY={sentinel('sk-ant-api03-')}\n")
    r = probe(req, transport=RouteToEmulator(emu.port))
    assert (r.outcome, r.message) == (o.AUTH_FAILED, "invalid x-api-key")
    assert "x-api-key" in r.hint and "dotenv:ANTHROPIC_API_KEY" in r.hint


# -- faults ----------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "outcome", "in_hint"), [
    (429, o.RATE_LIMITED, "retry after 17 s"),
    (500, o.SERVER_ERROR, "not your key"),
    (404, o.WRONG_URL, "does not exist (HTTP 404)"),
    (402, o.PAYMENT_REQUIRED, "credits"),
])
def test_forced_status_faults(home, emu, status, outcome, in_hint):
    req = openai_req(home, emu)
    emu.fault("openai", status=status)
    r = probe(req)
    assert (r.outcome, r.status) == (outcome, status)
    assert in_hint in r.hint


def test_latency_is_measured(home, emu):
    req = openai_req(home, emu)
    emu.fault("openai", latency=0.2)
    r = probe(req)
    assert r.outcome == o.OK and r.latency_ms >= 190


def test_connection_reset(home, emu):
    req = openai_req(home, emu)
    emu.fault("openai", reset=True)
    r = probe(req)
    assert r.outcome == o.CONNECTION_RESET and r.status is None and r.hint


def test_slow_headers_time_out(home, emu):
    req = openai_req(home, emu)
    emu.fault("openai", slow_headers=2.0)
    r = probe(req, timeout=0.4)
    assert r.outcome == o.TIMEOUT
    assert "0.4 s" in r.hint and "--timeout" in r.hint


def test_bad_tls_is_a_tls_error_and_verification_stays_on(home, emu):
    key = emu.add_key("openai", sentinel("sk-"))
    req = planned(home, "deepseek",
                  f"DEEPSEEK_API_KEY={key}\nDEEPSEEK_BASE_URL={emu.tls_url('/openai/v1')}\n")
    r = probe(req)
    assert r.outcome == o.TLS_ERROR
    assert "certificate" in r.message.lower() and "verification stays on" in r.hint
    # The handshake failed, so no request (and no key) ever reached the server.
    assert emu.requests("openai") == []


def test_connection_refused_and_dns_error(home, emu):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    key = sentinel("sk-")
    refused = planned(home, "deepseek", f"DEEPSEEK_API_KEY={key}\nDEEPSEEK_BASE_URL=http://127.0.0.1:{port}/v1\n")
    assert probe(refused).outcome == o.CONNECTION_REFUSED
    dns = planned(home, "deepseek", f"DEEPSEEK_API_KEY={key}\nDEEPSEEK_BASE_URL=http://no-such-host.invalid/v1\n")
    r = probe(dns)
    assert r.outcome == o.DNS_ERROR and "no-such-host.invalid does not resolve" in r.hint


def test_the_key_echoed_back_by_the_server_is_masked(home, emu):
    req = openai_req(home, emu, valid=False)
    emu.fault("openai", echo_key=True)
    r = probe(req)
    key = req.secret.reveal()
    assert r.outcome == o.AUTH_FAILED
    assert key not in json.dumps(r.to_dict()) and req.secret.masked in r.message


# -- redirects: the key never follows to another host ---------------------------------------

def test_redirect_to_another_host_is_not_followed(home, emu):
    req = openai_req(home, emu)
    elsewhere = f"http://localhost:{emu.port}/openai-elsewhere/v1/models"
    emu.fault("openai", redirect=elsewhere)
    r = probe(req)
    assert (r.outcome, r.status) == (o.WRONG_URL, 307)
    assert "not followed" in r.hint and elsewhere in r.hint
    assert emu.requests("openai-elsewhere") == []  # nothing, key or not, went to the other host


def test_redirect_within_the_same_origin_is_followed_with_the_key(home, emu):
    req = openai_req(home, emu)
    emu.fault("openai", redirect=emu.url("/openai-moved/v1/models"))
    r = probe(req)
    assert r.outcome == o.OK and r.url.endswith("/openai-moved/v1/models")
    [moved] = emu.requests("openai-moved")
    assert moved.header("authorization") == f"Bearer {req.secret.reveal()}"


# -- concurrency -----------------------------------------------------------------------------

def test_results_stream_in_arrival_order_and_return_in_request_order(home, emu):
    slow = openai_req(home, emu, scope="openai-slow")
    fast = openai_req(home, emu, scope="openai-fast")
    emu.fault("openai-slow", latency=0.5)
    seen: list[str] = []
    results = runner.run_sync([slow, fast], timeout=5, secrets=[],
                              on_result=lambda r: seen.append(r.url.split("/")[3]))
    assert seen == ["openai-fast", "openai-slow"]
    assert [r.url.split("/")[3] for r in results] == ["openai-slow", "openai-fast"]


def test_per_host_connection_limit(home, emu):
    reqs = [openai_req(home, emu, scope=f"openai-n{i}") for i in range(8)]
    emu.fault("*", latency=0.15)
    results = runner.run_sync(reqs, timeout=5, per_host=3, secrets=[])
    assert all(r.outcome == o.OK for r in results)
    assert emu.peak == 3
    emu.clear()
    emu.fault("*", latency=0.15)
    runner.run_sync(reqs, timeout=5, per_host=8, secrets=[])
    assert emu.peak == 8  # all at once when the limit allows it


def test_overall_deadline_cancels_what_is_left(home, emu):
    fast = openai_req(home, emu, scope="openai-fast")
    slow = openai_req(home, emu, scope="openai-slow")
    emu.fault("openai-slow", latency=3)
    fast_r, slow_r = runner.run_sync([fast, slow], timeout=10, deadline=0.5, secrets=[])
    assert fast_r.outcome == o.OK
    assert slow_r.outcome == o.TIMEOUT and "deadline" in slow_r.hint


# -- wrong URLs get a hint about the URL, not the key -------------------------------------------

def test_stale_minimax_v1_url_is_wrong_url_with_the_fix(home, emu):
    key = emu.add_key("minimax", sentinel("mm-"))
    req = planned(home, "minimax", f"MINIMAX_API_KEY={key}\nMINIMAX_BASE_URL={emu.url('/minimax/v1')}\n")
    r = probe(req)
    assert (r.outcome, r.status) == (o.WRONG_URL, 404)
    assert "stale MiniMax /v1 URL" in r.hint and "MINIMAX_BASE_URL=https://api.minimax.io/anthropic" in r.hint


def test_doubled_path_is_named_in_the_hint(home, emu):
    key = emu.add_key("compat", sentinel("proxy-"))
    home.config(f"model:\n  provider: custom\n  base_url: {emu.url('/compat/anthropic/v1/v1')}\n"
                f"  api_key: {key}\n")
    inputs = home.inputs()
    req = plan(resolve("custom", inputs), config_model=inputs.config.model)
    r = probe(req)
    assert r.outcome == o.WRONG_URL and "the path is doubled" in r.hint


def test_https_to_a_plain_http_port_says_use_http(home, emu):
    key = emu.add_key("openai", sentinel("sk-"))
    https_url = emu.url("/openai/v1").replace("http://", "https://")
    req = planned(home, "deepseek", f"DEEPSEEK_API_KEY={key}\nDEEPSEEK_BASE_URL={https_url}\n")
    r = probe(req)
    assert r.outcome == o.TLS_ERROR and "http:// instead of https://" in r.hint


def test_gemini_invalid_key_400_is_auth_failed(home, emu):
    req = planned(home, "gemini", f"GEMINI_API_KEY={sentinel('AIza')}\n")
    r = probe(req, transport=RouteToEmulator(emu.port))
    assert (r.outcome, r.status) == (o.AUTH_FAILED, 400)
    assert "API key not valid" in r.message and "x-goog-api-key" in r.hint


def test_regional_providers_get_a_region_hint(home, emu):
    """DashScope's real host, routed to the emulator: a rejected key gets the region explanation."""
    req = planned(home, "alibaba", f"DASHSCOPE_API_KEY={sentinel('sk-')}\n")
    assert req.url == "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/models"
    r = probe(req, transport=RouteToEmulator(emu.port))
    assert (r.outcome, r.status) == (o.AUTH_FAILED, 401)
    assert "DashScope keys are regional" in r.hint and "DASHSCOPE_BASE_URL" in r.hint
    [seen] = emu.requests("dashscope-intl.aliyuncs.com")
    assert seen.header("authorization") == f"Bearer {req.secret.reveal()}"


def test_a_same_origin_redirect_loop_stops(home, emu):
    req = openai_req(home, emu, scope="openai-loop")
    emu.fault("openai-loop", redirect=emu.url("/openai-loop/v1/models"))
    r = probe(req)
    assert (r.outcome, r.status) == (o.WRONG_URL, 307) and "keeps redirecting" in r.hint
    assert len(emu.requests("openai-loop")) == 4  # the first request and three redirects, then stop
