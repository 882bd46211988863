"""One-line hints for every non-ok outcome, written from this endpoint's resolution.

A bare "401" sends users to the wrong place. The hint says which key went,
from where, in which header and *why that header* (the resolver's rule), and
what to change — e.g. "MiniMax wants Authorization: Bearer; this key went as
x-api-key because …".
"""

from __future__ import annotations

from .. import catalog
from ..catalog.model import H_BEARER, H_GOOG, H_X_API_KEY
from ..resolver import endpoints as ep
from . import outcomes as o

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .request import ProbeRequest

# Providers whose keys only work in their own region/plan: (host domain, what to say).
REGIONAL = (
    ("aliyuncs.com", "DashScope keys are regional: an international key (dashscope-intl.aliyuncs.com) "
                     "fails on the China host (dashscope.aliyuncs.com) and vice versa; set "
                     "DASHSCOPE_BASE_URL to your key's region"),
    ("moonshot.ai", "Moonshot keys are regional: api.moonshot.ai takes global keys (kimi-coding), "
                    "api.moonshot.cn takes China keys (kimi-coding-cn)"),
    ("moonshot.cn", "Moonshot keys are regional: api.moonshot.cn takes China keys (kimi-coding-cn), "
                    "api.moonshot.ai takes global keys (kimi-coding)"),
    ("z.ai", "Z.AI keys belong to one plan and region (global, China, coding plan); a key on the "
             "wrong one is rejected; set GLM_BASE_URL to your plan's endpoint"),
    ("bigmodel.cn", "Z.AI keys belong to one plan and region (global, China, coding plan); set "
                    "GLM_BASE_URL to your plan's endpoint"),
)

MINIMAX_URLS = "https://api.minimax.io/anthropic (global) or https://api.minimaxi.com/anthropic (China)"


class Context:
    """What a hint may mention about the endpoint (no secret values: only masked forms)."""

    __slots__ = (
        "api_mode",
        "base_url",
        "base_url_source",
        "deadline_hit",
        "error",
        "location",
        "message",
        "retry_after",
        "status",
        "timeout",
    )

    def __init__(self, base_url: str, base_url_source: str, api_mode: str, *, status: int | None = None,
                 message: str = "", location: str = "", retry_after: str = "", timeout: float = 0.0,
                 deadline_hit: bool = False, error: str = "") -> None:
        self.base_url = base_url
        self.base_url_source = base_url_source
        self.api_mode = api_mode
        self.status = status
        self.message = message
        self.location = location
        self.retry_after = retry_after
        self.timeout = timeout
        self.deadline_hit = deadline_hit
        self.error = error


def _url_var(provider_id: str) -> str:
    p = catalog.lookup(provider_id)
    if p is not None and p.base_url_env:
        return p.base_url_env
    return "model.base_url in config.yaml"


def _where(ctx: Context) -> str:
    src = ctx.base_url_source
    return "the catalog default" if src == "default" else src


def _is_minimax(req: ProbeRequest, ctx: Context) -> bool:
    return req.provider in ("minimax", "minimax-cn") or ep.host_matches(ctx.base_url, "minimax.io") \
        or ep.host_matches(ctx.base_url, "minimaxi.com") or ep.host_matches(ctx.base_url, "minimax.cn")


def hint(outcome: str, req: ProbeRequest, ctx: Context) -> str:
    """The hint for ``outcome`` ("" for ok)."""
    fn = _HINTS.get(outcome)
    return fn(req, ctx) if fn else ""


def _auth_failed(req: ProbeRequest, ctx: Context) -> str:
    host = ep.hostname(req.url)
    msg = ctx.message.lower()
    key = f"{req.secret.masked} from {req.source}"
    if req.source == "placeholder":
        where = "model.api_key in config.yaml" if req.provider == "custom" else "LM_API_KEY"
        return (f"{host} needs a key, but none is configured, so Hermes sends its placeholder "
                f"{req.secret.reveal()!r} (not a secret); set {where}")
    if _is_minimax(req, ctx) and req.credential_header != H_BEARER:
        return (f"MiniMax wants Authorization: Bearer; this key went as {req.header_label} because "
                f"{ctx.base_url} ({_where(ctx)}) is not one of the MiniMax URLs Hermes sends Bearer to "
                f"({MINIMAX_URLS}), so Hermes treats it as a third-party Anthropic endpoint "
                f"({req.header_rule}). Set {_url_var(req.provider)} to the official URL, or unset it")
    if _is_minimax(req, ctx) and ("invalid api key" in msg or "2049" in msg):
        return (f"MiniMax rejected {key}: MiniMax keys are regional — a global (minimax.io) key fails "
                f"on the China host (minimaxi.com) and vice versa; this went to {host}. Use the "
                "matching provider (minimax / minimax-cn) or replace the key")
    if req.credential_header == H_BEARER and ("access_token_type_unsupported" in msg
                                               or ep.host_matches(req.url, "googleapis.com")):
        return (f"Google AI Studio keys go in x-goog-api-key, but this one went as Authorization: Bearer "
                f"because {req.header_rule}; check the provider for {ctx.base_url}")
    if req.provider == "anthropic":
        if "oauth" in msg and "not supported" in msg:
            return (f"{host} does not accept OAuth tokens the way they were sent: {key} went as "
                    f"{req.header_label}; native Anthropic needs the OAuth beta header "
                    "(a token for api.anthropic.com only)")
        if req.credential_header == H_BEARER:
            return (f"Anthropic rejected the OAuth token {key} (expired, revoked or out of extra "
                    "usage): log in again (`claude`, or `hermes auth add anthropic`), or set "
                    "ANTHROPIC_API_KEY and blank ANTHROPIC_TOKEN")
        return (f"Anthropic rejected the API key {key} sent as x-api-key: it is revoked or mistyped; "
                "replace it with `hermes-accounts set anthropic`")
    if ctx.status == 403:
        extra = " (Kimi /coding also needs the claude-code User-Agent, which was sent)" \
            if ep.host_matches(req.url, "api.kimi.com") else ""
        return (f"{host} recognised {key} but denied access (HTTP 403): the key lacks access to this "
                f"endpoint, plan or region{extra}")
    for domain, region in REGIONAL:
        if ep.host_matches(req.url, domain) and ctx.status == 401:
            return f"{host} rejected {key}: {region}"
    if req.credential_header == H_X_API_KEY and "authorization" in msg:
        return (f"{host} asks for the key in Authorization, but it went as x-api-key because "
                f"{req.header_rule}; this endpoint needs Bearer auth, which Hermes uses only for "
                "hosts it knows")
    if req.credential_header == H_GOOG:
        return f"{host} rejected {key} sent as x-goog-api-key: check it is a Google AI Studio key"
    return (f"{host} rejected {key}, sent as {req.header_label} ({req.header_rule}): the key is wrong, "
            f"revoked or for another endpoint/region; replace it with `hermes-accounts set {req.provider}`")


def _wrong_url(req: ProbeRequest, ctx: Context) -> str:
    var = _url_var(req.provider)
    path = ep.url_path(req.url)
    base_path = ep.url_path(ctx.base_url).rstrip("/")
    if ctx.location:
        return (f"{req.url} redirects to {ctx.location}; not followed, because your key must not go to "
                f"another host. If that is the right endpoint, set {var} to it")
    if ctx.status is not None and 300 <= ctx.status < 400:
        return (f"{req.url} keeps redirecting within its own host (HTTP {ctx.status}, more than 3 times); "
                f"set {var} to the final URL")
    if _is_minimax(req, ctx) and base_path.endswith("/v1") and "anthropic" not in base_path:
        p = catalog.lookup(req.provider)
        good = p.default_url if p and p.default_url else "https://api.minimax.io/anthropic"
        return (f"{ctx.base_url} ({_where(ctx)}) is the stale MiniMax /v1 URL: Hermes then speaks chat "
                f"completions, which MiniMax does not serve there. Set {var}={good} or unset it")
    if "/v1/v1" in path or "/anthropic/v1/v1" in path or path.count("/anthropic") > 1:
        return (f"the path is doubled ({path}): {ctx.base_url} ({_where(ctx)}) already contains what "
                f"Hermes appends; set {var} to the base only (e.g. https://host/anthropic)")
    if base_path.endswith(("/messages", "/chat/completions", "/models")):
        return (f"{ctx.base_url} ({_where(ctx)}) ends in an endpoint path; the base URL must stop "
                f"before it (Hermes appends {path[len(base_path):] or '/…'}); fix {var}")
    p = catalog.lookup(req.provider)
    default = f"; the default is {p.default_url}" if p and p.default_url else ""
    return (f"{req.method} {req.url} does not exist (HTTP {ctx.status}): the base URL {ctx.base_url} "
            f"({_where(ctx)}) is wrong for {ctx.api_mode}{default}")


def _rate_limited(req: ProbeRequest, ctx: Context) -> str:
    wait = f"; retry after {ctx.retry_after} s" if ctx.retry_after else ""
    return f"the key is valid; {ep.hostname(req.url)} is rate limiting it (HTTP 429){wait}"


def _payment(req: ProbeRequest, ctx: Context) -> str:
    return (f"the key is valid but the {req.name} account needs credits or billing (HTTP 402); "
            "top up, or switch the agent to another provider")


def _server(req: ProbeRequest, ctx: Context) -> str:
    return (f"{ep.hostname(req.url)} failed with HTTP {ctx.status}: a problem on the provider's side, "
            "not your key; try again later")


def _unexpected(req: ProbeRequest, ctx: Context) -> str:
    return (f"{ep.hostname(req.url)} answered HTTP {ctx.status} to {req.probe}; the key may be fine, "
            f"but check that {ctx.base_url} ({_where(ctx)}) speaks {ctx.api_mode}")


def _timeout(req: ProbeRequest, ctx: Context) -> str:
    host = ep.hostname(req.url)
    if ctx.deadline_hit:
        return (f"no answer from {host} before the overall deadline; raise --deadline, "
                "or test it alone")
    return (f"no answer from {host} within {ctx.timeout:g} s: the endpoint is overloaded or a firewall "
            "or proxy swallows the request; raise --timeout to wait longer")


def _dns(req: ProbeRequest, ctx: Context) -> str:
    return (f"{ep.hostname(req.url)} does not resolve: check the host in {ctx.base_url} "
            f"({_where(ctx)}), or your DNS/VPN")


def _tls(req: ProbeRequest, ctx: Context) -> str:
    detail = f" ({ctx.error})" if ctx.error else ""
    low = ctx.error.lower()
    if "wrong version number" in low or "record layer" in low or "packet length too long" in low:
        return (f"{ep.hostname(req.url)} does not speak TLS on this port{detail}: the URL probably "
                f"wants http:// instead of https:// (it comes from {_where(ctx)})")
    return (f"TLS verification failed for {ep.hostname(req.url)}{detail}; verification stays on. If a "
            "corporate proxy re-signs traffic, point SSL_CERT_FILE at its CA bundle; otherwise the "
            "URL is not the provider's")


def _refused(req: ProbeRequest, ctx: Context) -> str:
    host = ep.hostname(req.url)
    local = host in ("127.0.0.1", "localhost", "::1", "0.0.0.0")  # noqa: S104 - a name, not a bind
    what = "is the local server running, and on this port?" if local else \
        "the host is up but nothing listens on that port (or a firewall rejects it)"
    return f"could not connect to {req.url.split('/')[2]}: {what} The URL comes from {_where(ctx)}"


def _reset(req: ProbeRequest, ctx: Context) -> str:
    return (f"{ep.hostname(req.url)} dropped the connection without an answer: often a proxy or "
            "firewall, or http:// vs https:// on the wrong port")


_HINTS = {
    o.AUTH_FAILED: _auth_failed, o.WRONG_URL: _wrong_url, o.RATE_LIMITED: _rate_limited,
    o.PAYMENT_REQUIRED: _payment, o.SERVER_ERROR: _server, o.UNEXPECTED_STATUS: _unexpected,
    o.TIMEOUT: _timeout, o.DNS_ERROR: _dns, o.TLS_ERROR: _tls, o.CONNECTION_REFUSED: _refused,
    o.CONNECTION_RESET: _reset,
}
