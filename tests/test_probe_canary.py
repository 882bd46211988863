"""The canary: Anthropic sentinels planted in every Anthropic source never reach another endpoint.

Every Anthropic credential source Hermes (or Claude Code) reads gets a unique
sentinel: ``.env`` and the shell (``ANTHROPIC_TOKEN``, ``CLAUDE_CODE_OAUTH_TOKEN``,
``ANTHROPIC_API_KEY``, ``ANTHROPIC_AUTH_TOKEN``), Claude Code's credentials file,
Hermes' PKCE file, the ``auth.json`` pool and OAuth state — and even a pool row
for MiniMax that wrongly holds an Anthropic token. Then MiniMax, MiniMax China, a
custom ``/anthropic`` endpoint, Gemini and several OpenAI-compatible endpoints
are tested against the emulator, which records every header. No sentinel may
arrive anywhere, and each endpoint must receive its own key, in exactly the
header the resolver decided, and no other credential header.
"""

from __future__ import annotations

import json

from hermes_accounts.probe import runner
from hermes_accounts.probe.request import ProbeRequest, plan
from hermes_accounts.resolver import resolve
from tests.emulator import RouteToEmulator
from tests.fixtures_home import sentinel

CRED_HEADERS = ("authorization", "x-api-key", "x-goog-api-key")
WIRE = {"authorization": "authorization", "x-api-key": "x-api-key", "x-goog-api-key": "x-goog-api-key"}


def plant_anthropic_everywhere(home) -> tuple[list[str], dict[str, str], str]:
    """Returns (all sentinels, shell env to run with, .env text with the Anthropic lines)."""
    s = {name: sentinel(prefix) for name, prefix in [
        ("dot_token", "sk-ant-oat01-"), ("dot_cc", "sk-ant-oat01-"), ("dot_api", "sk-ant-api03-"),
        ("dot_auth", "sk-ant-oat01-"), ("sh_token", "sk-ant-oat01-"), ("sh_cc", "sk-ant-oat01-"),
        ("sh_api", "sk-ant-api03-"), ("sh_auth", "sk-ant-oat01-"), ("claude", "sk-ant-oat01-"),
        ("pkce", "sk-ant-oat01-"), ("pool", "sk-ant-oat01-"), ("pool_mm", "sk-ant-oat01-"),
        ("state", "sk-ant-oat01-")]}
    home.claude_credentials(s["claude"])
    (home.path / ".anthropic_oauth.json").write_text(json.dumps(
        {"accessToken": s["pkce"], "refreshToken": "rt-" + s["pkce"][-10:], "expiresAt": 4102444800000}))
    home.auth_json({"version": 1, "providers": {"anthropic": {"access_token": s["state"]}},
                    "credential_pool": {
                        "anthropic": [{"id": "a1b2c3", "label": "claude", "auth_type": "oauth",
                                       "priority": 0, "source": "manual:hermes_pkce",
                                       "access_token": s["pool"]}],
                        "minimax": [{"id": "d4e5f6", "label": "oops", "auth_type": "api_key",
                                     "priority": 0, "source": "manual", "access_token": s["pool_mm"]}]}})
    dot = (f"ANTHROPIC_TOKEN={s['dot_token']}\nCLAUDE_CODE_OAUTH_TOKEN={s['dot_cc']}\n"
           f"ANTHROPIC_API_KEY={s['dot_api']}\nANTHROPIC_AUTH_TOKEN={s['dot_auth']}\n")
    shell = {"ANTHROPIC_TOKEN": s["sh_token"], "CLAUDE_CODE_OAUTH_TOKEN": s["sh_cc"],
             "ANTHROPIC_API_KEY": s["sh_api"], "ANTHROPIC_AUTH_TOKEN": s["sh_auth"]}
    return list(s.values()), shell, dot


def test_no_anthropic_sentinel_reaches_any_endpoint_and_each_gets_its_own_key(home, emu):
    canaries, shell, dot = plant_anthropic_everywhere(home)
    own = {
        "minimax": ("minimax", "MINIMAX_API_KEY", "MINIMAX_BASE_URL", "/minimax/anthropic", "mm-"),
        "minimax-cn": ("minimax", "MINIMAX_CN_API_KEY", "MINIMAX_CN_BASE_URL", "/minimax-cn/anthropic",
                       "mm-"),
        "deepseek": ("openai", "DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL", "/openai-deepseek/v1", "sk-"),
        "nvidia": ("openai", "NVIDIA_API_KEY", "NVIDIA_BASE_URL", "/openai-nvidia/v1", "nvapi-"),
        "zai": ("openai", "GLM_API_KEY", "GLM_BASE_URL", "/openai-zai/api/paas/v4", "glm-"),
        "huggingface": ("openai", "HF_TOKEN", "HF_BASE_URL", "/openai-hf/v1", "hf_"),
        "gemini": ("gemini", "GEMINI_API_KEY", "GEMINI_BASE_URL", "/gemini/v1beta", "AIza"),
    }
    keys: dict[str, str] = {}
    lines = [dot]
    for pid, (family, key_var, url_var, path, prefix) in own.items():
        keys[pid] = emu.add_key(family, sentinel(prefix))
        lines.append(f"{key_var}={keys[pid]}\n{url_var}={emu.url(path)}\n")
    keys["custom"] = emu.add_key("compat", sentinel("proxy-"))
    home.dotenv("".join(lines))
    home.config(f"model:\n  provider: custom\n  base_url: {emu.url('/compat/anthropic')}\n"
                f"  api_key: {keys['custom']}\n  default: claude-sonnet-4\n")

    targets = [*own, "custom"]
    proc = home.run("test", *targets, "--json", "--show-request", env=shell)
    rows = {r["provider"]: r for r in json.loads(proc.stdout)}
    assert set(rows) == set(targets)
    every_secret = canaries + list(keys.values())
    for secret in every_secret:
        assert secret not in proc.stdout and secret not in proc.stderr

    # 1. No sentinel reached any endpoint, in any header, path or body.
    recorded = emu.requests()
    assert len(recorded) == len(targets)
    for rec in recorded:
        blob = json.dumps(rec.headers) + rec.path + rec.body.decode("utf-8", "replace")
        for canary in canaries:
            assert canary not in blob, f"an Anthropic sentinel reached {rec.scope}"

    # 2. Each endpoint got its own key, in the resolver's header, and no other credential header.
    for pid in targets:
        decided = json.loads(home.run("explain", pid, "--json", env=shell).stdout)
        header = decided["auth_header"]
        assert decided["credential"]["fingerprint"] == rows[pid]["credential"]["fingerprint"]
        scope = "compat" if pid == "custom" else own[pid][3].split("/")[1]
        [rec] = emu.requests(scope)
        expected = f"Bearer {keys[pid]}" if header == "authorization" else keys[pid]
        assert rec.header(WIRE[header]) == expected, (pid, header)
        others = [h for h in CRED_HEADERS if h != header and rec.header(h) is not None]
        assert others == [], (pid, others)

    # The emulator's MiniMax and proxy URLs are not MiniMax URLs to Hermes: x-api-key, as decided.
    assert rows["minimax"]["header"] == "x-api-key" and rows["minimax"]["outcome"] == "auth_failed"
    assert rows["custom"]["header"] == "x-api-key" and rows["custom"]["outcome"] == "ok"
    # A non-Google GEMINI_BASE_URL gets Bearer, as Hermes 0.19 sends it (the OpenAI client);
    # the emulator's Gemini route answers 401 ACCESS_TOKEN_TYPE_UNSUPPORTED, like Google.
    assert rows["gemini"]["header"] == "Authorization: Bearer"
    assert rows["gemini"]["outcome"] == "auth_failed"
    for pid in ("deepseek", "nvidia", "zai", "huggingface"):
        assert rows[pid]["outcome"] == "ok" and rows[pid]["header"] == "Authorization: Bearer"


def test_real_minimax_urls_get_bearer_with_their_own_key_despite_every_anthropic_source(home, emu):
    """Byte-for-byte what the agent sends to the real MiniMax hosts, routed to the emulator."""
    canaries, shell, dot = plant_anthropic_everywhere(home)
    mm, mmcn = emu.add_key("minimax", sentinel("mm-")), emu.add_key("minimax", sentinel("mmcn-"))
    home.dotenv(dot + f"MINIMAX_API_KEY={mm}\nMINIMAX_CN_API_KEY={mmcn}\n")
    inputs = home.inputs(shell)
    reqs = [plan(resolve(p, inputs)) for p in ("minimax", "minimax-cn")]
    assert all(isinstance(r, ProbeRequest) for r in reqs)
    transport = RouteToEmulator(emu.port)
    results = runner.run_sync(reqs, timeout=5, transport=transport, secrets=canaries)
    assert [r.outcome for r in results] == ["ok", "ok"]
    assert sorted(transport.seen) == ["https://api.minimax.io/anthropic/v1/messages",
                                      "https://api.minimaxi.com/anthropic/v1/messages"]
    for host, key in (("api.minimax.io", mm), ("api.minimaxi.com", mmcn)):
        [rec] = emu.requests(host)
        assert rec.header("authorization") == f"Bearer {key}"
        assert rec.header("x-api-key") is None
        blob = json.dumps(rec.headers) + rec.body.decode()
        assert not any(c in blob for c in canaries)
