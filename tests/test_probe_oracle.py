"""Our Anthropic-style probe headers agree with Hermes 0.19's own ``build_anthropic_client``.

The real ``agent.anthropic_adapter.build_anthropic_client`` runs under Hermes'
Python with the Anthropic SDK class replaced by a recorder, so we see exactly
the arguments Hermes hands the SDK: ``api_key`` (→ ``x-api-key``) or
``auth_token`` (→ ``Authorization: Bearer``), the base URL (after Hermes strips
``/v1``; the SDK appends ``/v1/messages``) and the default headers (betas,
Claude Code identity, Kimi's User-Agent). The key itself never leaves the
oracle process: only its fingerprint does.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from hermes_accounts.probe.request import ProbeRequest, plan
from hermes_accounts.resolver import resolve
from tests.fixtures_home import sentinel

pytestmark = pytest.mark.hermes

RECORDER = r"""
import hashlib, json, sys, types
import agent.anthropic_adapter as aa

seen = {}
class Recorder:
    def __init__(self, **kw):
        seen.update(kw)

aa._get_anthropic_sdk = lambda: types.SimpleNamespace(Anthropic=Recorder)
aa._detect_claude_code_version = lambda: aa._CLAUDE_CODE_VERSION_FALLBACK
key = sys.stdin.read().strip()
aa.build_anthropic_client(key, sys.argv[1] or None)
fp = lambda v: "sha256:" + hashlib.sha256(v.encode()).hexdigest()[:12]
print(json.dumps({
    "api_key": fp(seen["api_key"]) if seen.get("api_key") else None,
    "auth_token": fp(seen["auth_token"]) if seen.get("auth_token") else None,
    "base_url": seen.get("base_url"),
    "headers": {k.lower(): v for k, v in (seen.get("default_headers") or {}).items()},
}))
"""


def hermes_client_args(oracle, req: ProbeRequest, base_url: str) -> dict:
    proc = subprocess.run([oracle.python, "-c", RECORDER, base_url], input=req.secret.reveal(),
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert req.secret.reveal() not in proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


CASES = [
    ("minimax", "MINIMAX_API_KEY", "mm-", ""),
    ("minimax", "MINIMAX_API_KEY", "mm-", "MINIMAX_BASE_URL=https://api.minimax.io/anthropic/v1"),
    ("minimax", "MINIMAX_API_KEY", "mm-", "MINIMAX_BASE_URL=https://mm-proxy.example/anthropic"),
    ("minimax-cn", "MINIMAX_CN_API_KEY", "mm-", ""),
    ("anthropic", "ANTHROPIC_API_KEY", "sk-ant-api03-", ""),
    ("anthropic", "ANTHROPIC_TOKEN", "sk-ant-oat01-", ""),
    ("kimi-coding", "KIMI_API_KEY", "sk-kimi-", ""),
    ("deepseek", "DEEPSEEK_API_KEY", "sk-", "DEEPSEEK_BASE_URL=https://api.deepseek.com/anthropic"),
]


@pytest.mark.parametrize(("provider", "var", "prefix", "extra"), CASES,
                         ids=[f"{c[0]}:{c[2]}{'+' + c[3].split('=')[1] if c[3] else ''}" for c in CASES])
def test_probe_headers_match_hermes_build_anthropic_client(oracle, home, provider, var, prefix, extra):
    home.dotenv(f"{var}={sentinel(prefix)}\n{extra}\n")
    res = resolve(provider, home.inputs())
    req = plan(res)
    assert isinstance(req, ProbeRequest) and req.anthropic_messages
    theirs = hermes_client_args(oracle, req, res.base_url)
    # The one credential argument, and the same key.
    if theirs["auth_token"]:
        assert (req.credential_header, theirs["api_key"]) == ("authorization", None)
        assert theirs["auth_token"] == req.secret.fingerprint
    else:
        assert req.credential_header == "x-api-key" and theirs["api_key"] == req.secret.fingerprint
    # The URL: Hermes' base (``/v1`` stripped) + what the SDK appends.
    assert req.url.startswith(theirs["base_url"].rstrip("/") + "/v1/")
    if req.method == "POST":
        assert req.url == theirs["base_url"].rstrip("/") + "/v1/messages"
    # Betas and identity headers, exactly.
    ours = {k.lower(): v for k, v in req.headers}
    assert ours.get("anthropic-beta") == theirs["headers"].get("anthropic-beta")
    for name in ("user-agent", "x-app"):
        if name in theirs["headers"]:
            assert ours.get(name) == theirs["headers"][name], name
