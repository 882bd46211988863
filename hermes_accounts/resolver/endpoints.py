"""What a base URL implies: host, api mode, credential header, and the native-Anthropic gate.

Mirrors Hermes' ``_detect_api_mode_for_url`` (runtime_provider.py) and the
Anthropic adapter's ``_auth_style`` order (hermes-compat.md §2.2), with one
deliberate difference: :func:`is_native_anthropic` is the gate that keeps
Anthropic-discovered tokens on Anthropic's own hosts.
"""

from __future__ import annotations

from ..catalog.model import (
    ANTHROPIC,
    AWS_SDK,
    CHAT,
    EXTERNAL_PROCESS,
    H_BEARER,
    H_X_API_KEY,
    RESPONSES,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..catalog.model import Provider

# Hosts/prefixes whose Anthropic-compatible endpoint wants Authorization: Bearer.
BEARER_PREFIXES = ("https://api.minimax.io/anthropic", "https://api.minimaxi.com/anthropic")
# Hermes 0.19's ``_requires_bearer_auth`` knows only Palantir besides these (newer
# versions add CommandCode and the Nous Portal; 0.19 sends those x-api-key).
BEARER_HOST_SUFFIXES = ("palantirfoundry.com",)


def hostname(url: str | None) -> str:
    """Lower-case host of ``url`` without port or user info ("" if none).

    A few lines instead of ``urllib.parse`` (whose import is slower than a
    whole resolution).
    """
    if not url:
        return ""
    text = url.strip()
    scheme_end = text.find("://")
    if scheme_end >= 0:
        text = text[scheme_end + 3:]
    for sep in "/?#":
        cut = text.find(sep)
        if cut >= 0:
            text = text[:cut]
    text = text.rpartition("@")[2]
    if text.startswith("["):
        return text[1:text.find("]")].lower() if "]" in text else text.lower()
    return text.partition(":")[0].lower().rstrip(".")


def url_path(url: str) -> str:
    text = url.strip()
    scheme_end = text.find("://")
    rest = text[scheme_end + 3:] if scheme_end >= 0 else text
    slash = rest.find("/")
    path = rest[slash:] if slash >= 0 else ""
    for sep in "?#":
        path = path.split(sep, 1)[0]
    return path


def host_matches(url: str | None, domain: str) -> bool:
    """True when the URL's host is ``domain`` or a subdomain of it (never a lookalike)."""
    host = hostname(url)
    return host == domain or host.endswith("." + domain)


def is_native_anthropic(provider_id: str, base_url: str | None) -> bool:
    """The gate: Anthropic token discovery and refresh serve only this combination.

    Provider ``anthropic`` *and* an ``https://`` URL whose host is under
    ``anthropic.com`` (exact host match, so ``api.anthropic.com.evil.test`` and
    ``proxy/api.anthropic.com`` are not native, nor is plain ``http://``). An
    empty URL means Anthropic's default.
    """
    if provider_id != "anthropic":
        return False
    if not base_url or not base_url.strip():
        return True
    return base_url.strip().lower().startswith("https://") and host_matches(base_url, "anthropic.com")


def detect_api_mode(base_url: str) -> str:
    """Hermes' api-mode auto-detection from the URL."""
    host = hostname(base_url)
    if host in ("api.x.ai", "api.openai.com"):
        return RESPONSES
    if host == "api.anthropic.com":
        return ANTHROPIC
    path = url_path(base_url).lower().rstrip("/")
    if path.endswith("/anthropic") or path.endswith("/anthropic/v1"):
        return ANTHROPIC
    if host == "api.kimi.com" and "/coding" in base_url.lower():
        return ANTHROPIC
    return CHAT


def requires_bearer(base_url: str) -> bool:
    """Anthropic-compatible endpoints that reject ``x-api-key`` (Hermes #4028 and later)."""
    norm = base_url.strip().rstrip("/").lower()
    if norm.startswith(BEARER_PREFIXES) or "azure.com" in norm:
        return True
    return any(host_matches(norm, h) for h in BEARER_HOST_SUFFIXES)


def is_oauth_token(key: str) -> bool:
    """Hermes' ``_is_oauth_token``: Anthropic setup/OAuth tokens, JWTs, Claude Code tokens."""
    if not key or key.startswith("sk-ant-api"):
        return False
    return key.startswith(("sk-ant-", "eyJ", "cc-"))


def looks_anthropic(key: str) -> bool:
    """Any Anthropic-issued credential (API key or OAuth token)."""
    return key.startswith("sk-ant-")


def anthropic_header(base_url: str, key: str | None) -> tuple[str | None, str]:
    """(header, rule) for an ``anthropic_messages`` endpoint — Hermes' ``_auth_style`` order."""
    norm = (base_url or "").strip().rstrip("/").lower()
    if norm.startswith("https://api.kimi.com/coding"):
        return H_X_API_KEY, "Kimi /coding takes x-api-key"
    if norm and requires_bearer(norm):
        return H_BEARER, "this Anthropic-compatible host requires Authorization: Bearer"
    if norm and "anthropic.com" not in norm:
        return H_X_API_KEY, "third-party Anthropic-compatible endpoints take x-api-key"
    if key is None:
        return None, "native Anthropic: the header depends on the key type"
    if is_oauth_token(key):
        return H_BEARER, "Anthropic OAuth token: Authorization: Bearer with the OAuth betas"
    return H_X_API_KEY, "Anthropic API key: x-api-key"


def anthropic_url_override_ok(url: str) -> bool:
    """Hermes' ``_anthropic_base_url_override_ok``: may ``model.base_url`` back provider anthropic?

    Anthropic/Claude hosts, Azure, and anything that speaks the Messages API by
    Hermes' URL convention (``…/anthropic``, Kimi ``/coding``); a stale
    OpenAI-style URL (e.g. OpenRouter) is ignored and Hermes uses api.anthropic.com.
    """
    host = hostname(url)
    if not host:
        return False
    if host == "api.anthropic.com" or host.endswith((".anthropic.com", ".claude.com", ".azure.com")):
        return True
    return detect_api_mode(url) == ANTHROPIC


def credential_header(provider: Provider, api_mode: str, base_url: str,
                      key: str | None) -> tuple[str | None, str]:
    """(header, rule): the one credential header the agent sends, and why.

    The single place this is decided — the resolver and ``test PROVIDER/ACCOUNT``
    both call it, so a probe can never send a key differently from the agent.
    """
    if provider.auth_type in (AWS_SDK, EXTERNAL_PROCESS):
        return None, "no API key header (signed/external auth)"
    if provider.auth_header and api_mode != ANTHROPIC and _fixed_header_applies(provider, base_url):
        return provider.auth_header, f"{provider.name} takes {provider.auth_header}"
    if api_mode == ANTHROPIC:
        return anthropic_header(base_url, key)
    return H_BEARER, "OpenAI-compatible: Authorization: Bearer"


def _fixed_header_applies(provider: Provider, base_url: str) -> bool:
    """Hermes 0.19 builds Gemini's own client (x-goog-api-key) only on Google's native
    host; elsewhere (``…/v1beta/openai``, a proxy) the OpenAI SDK sends Bearer."""
    if provider.id != "gemini":
        return True
    url = base_url.strip().rstrip("/").lower()
    return hostname(url) == "generativelanguage.googleapis.com" and not url.endswith("/openai")
