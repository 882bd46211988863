"""Build the probe request from a :class:`Resolution`: the same URL, header and key the agent uses.

Nothing here decides *which* credential or header: the resolver did that. This
module only turns the decision into bytes on the wire, following the Hermes
0.19 adapters (hermes-compat.md §2.2, §5):

* the one credential header the resolver named (``Authorization: Bearer``,
  ``x-api-key`` or ``x-goog-api-key``) and never a second one;
* for ``anthropic_messages`` endpoints: ``anthropic-version: 2023-06-01`` (the
  SDK adds it), Hermes' beta list for that URL (MiniMax drops the tool-streaming
  and 1M betas), the OAuth betas and Claude Code identity for an Anthropic OAuth
  token, and the trailing ``/v1`` stripped from the base because the SDK appends
  ``/v1/messages``;
* the cheapest request that proves the key, from the catalog's ``Provider.probe``,
  switched to the other API family when the resolved URL changed the api mode
  (a MiniMax ``/v1`` URL is OpenAI-style, a DeepSeek ``/anthropic`` URL is not).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .. import catalog
from ..catalog.model import ANTHROPIC, AWS_SDK, EXTERNAL_PROCESS, H_BEARER, H_GOOG, H_X_API_KEY, Probe
from ..resolver import endpoints as ep
from ..secret import Secret
from . import outcomes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..resolver.model import Resolution

ANTHROPIC_VERSION = "2023-06-01"
# agent/anthropic_adapter.py (Hermes 0.19)
COMMON_BETAS = ("interleaved-thinking-2025-05-14", "fine-grained-tool-streaming-2025-05-14")
TOOL_STREAMING_BETA = "fine-grained-tool-streaming-2025-05-14"
CONTEXT_1M_BETA = "context-1m-2025-08-07"
OAUTH_BETAS = ("claude-code-20250219", "oauth-2025-04-20")
CLAUDE_CODE_UA = "claude-code/2.1.74 (external, cli)"  # Hermes' fallback version
KIMI_CODING_UA = "claude-code/0.1.0"                  # Kimi /coding answers 403 without it
USER_AGENT = "hermes-accounts"

# Generic probes, used when the catalog has none or the api mode changed the family.
MODELS = Probe("GET", "/models")
MESSAGES = Probe("POST", "/v1/messages", body="anthropic_min")

# The model named in a one-token Messages probe when config.yaml names none for this provider.
# Anthropic-compatible servers check the key before the model, so any plausible name proves auth.
DEFAULT_PROBE_MODELS = {
    "minimax": "MiniMax-M2.7",
    "minimax-cn": "MiniMax-M2.7",
    "kimi-coding": "kimi-for-coding",
    "anthropic": "claude-haiku-4-5",
}
FALLBACK_PROBE_MODEL = "claude-haiku-4-5"

HEADER_NAMES = {H_BEARER: "Authorization", H_X_API_KEY: "x-api-key", H_GOOG: "x-goog-api-key"}
HEADER_LABELS = {H_BEARER: "Authorization: Bearer", H_X_API_KEY: "x-api-key",
                 H_GOOG: "x-goog-api-key"}

# What Hermes sends when these endpoints have no key (local servers often need none).
PLACEHOLDER_KEYS = {"custom": "no-key-required", "lmstudio": "dummy-lm-api-key"}
PLACEHOLDER_SOURCE = "placeholder"

SKIP_REASONS = {
    "copilot": "Copilot exchanges the GitHub token for a short-lived API token first; "
               "`hermes doctor` checks it",
    "opencode-go": "OpenCode Go has no shared /models endpoint to probe; the model you chose decides "
                   "the route",
    "opencode-free": "keyless endpoint: there is no key to test",
}


class WireHeaders(dict):
    """The headers actually sent; ``repr``/``str`` show the masked form."""

    def __init__(self, data: dict[str, str], *, shown: dict[str, str]) -> None:
        super().__init__(data)
        self._shown = shown

    def __repr__(self) -> str:
        return repr(self._shown)

    __str__ = __repr__


@dataclass(frozen=True)
class ProbeRequest:
    """One request, ready to send. ``headers`` never holds the key: :meth:`wire_headers` adds it."""

    provider: str
    name: str
    account: str | None
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    credential_header: str           # resolver's auth_header: authorization / x-api-key / x-goog-api-key
    secret: Secret = field(repr=False)
    source: str = ""                 # where the key came from (dotenv:VAR, keyring:P/A, ...)
    header_rule: str = ""            # why this header (from the resolver)
    body: bytes | None = None
    probe: str = ""                  # "GET /models" etc., for humans
    anthropic_messages: bool = False
    base_url: str = ""               # the resolver's endpoint, and where it came from (for hints)
    base_url_source: str = ""
    api_mode: str = ""

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.account}" if self.account else self.provider

    @property
    def header_label(self) -> str:
        return HEADER_LABELS.get(self.credential_header, self.credential_header)

    def credential_pair(self, value: str) -> tuple[str, str]:
        name = HEADER_NAMES[self.credential_header]
        return (name, f"Bearer {value}") if self.credential_header == H_BEARER else (name, value)

    def wire_headers(self) -> dict[str, str]:
        """Every header as sent, the key included. Call only where the request is really sent.

        The dict masks itself in ``repr`` so that a traceback printer that shows locals
        (Textual does) cannot print the key.
        """
        name, value = self.credential_pair(self.secret.reveal())
        return WireHeaders({**dict(self.headers), name: value}, shown=dict(self.shown_headers()))

    def shown_headers(self) -> list[tuple[str, str]]:
        """Every header as shown to people: the key masked."""
        return [self.credential_pair(self.secret.masked), *self.headers]

    def __repr__(self) -> str:
        return f"ProbeRequest({self.label}: {self.method} {self.url}, {self.header_label} {self.secret!r})"


@dataclass(frozen=True)
class NotSent:
    """Why an endpoint gets no request: no usable credential, or no probe for its kind of login."""

    provider: str
    name: str
    account: str | None
    outcome: str
    hint: str
    url: str = ""

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.account}" if self.account else self.provider


def foreign_key(res: Resolution) -> str | None:
    """Why the resolved key must not be sent to this endpoint, or None.

    Hermes 0.19 falls back to ``OPENAI_API_KEY`` for OpenRouter and sends it even
    though it is not an OpenRouter key (``sk-or-``). The agent then gets a 401; a
    connectivity test must not hand the user's OpenAI key to openrouter.ai to
    find that out.
    """
    provider = catalog.lookup(res.provider)
    if provider is None or not provider.required_prefix or res.secret is None:
        return None
    if res.secret.reveal().startswith(provider.required_prefix):
        return None
    cred = res.credential
    var = cred.env_var if cred is not None and cred.env_var else (cred.source if cred else "the key")
    return (f"{var} ({res.secret.masked}) is not a key for {provider.name} ({provider.name} keys start with "
            f"{provider.required_prefix}); Hermes 0.19 would send it to {ep.hostname(res.base_url)} and "
            f"get a 401, and hermes-accounts never sends a key to a host it does not belong to. "
            f"Set {provider.primary_env_var}")


def choose_probe(res: Resolution) -> Probe | None:
    """The catalog's probe, switched to the family the resolved api mode speaks."""
    provider = catalog.lookup(res.provider)
    probe = provider.probe if provider else None
    anthropic = res.api_mode == ANTHROPIC
    if probe is None:
        if res.provider in ("custom", "azure-foundry"):
            return MESSAGES if anthropic else MODELS
        return None
    if anthropic and not probe.path.startswith("/v1/"):
        return MESSAGES   # e.g. DeepSeek at .../anthropic, Kimi Code keys at api.kimi.com/coding
    if not anthropic and probe.path.startswith("/v1/messages"):
        return MODELS     # e.g. a stale MiniMax /v1 URL: the agent speaks chat completions there
    return probe


def probe_url(base_url: str, path: str, *, anthropic_messages: bool) -> str:
    """``base + path``; for Anthropic Messages endpoints a trailing ``/v1`` is dropped first.

    Hermes strips ``/v1`` (``re.sub(r"/v1/?$", "", base)``) because the Anthropic SDK
    appends ``/v1/messages`` itself; probing any other URL would test a request the
    agent never sends.
    """
    base = base_url.strip().rstrip("/")
    if anthropic_messages:
        base = re.sub(r"/v1/?$", "", base)
    return base + path


def anthropic_betas(base_url: str, *, oauth: bool) -> list[str]:
    """Hermes' ``_common_betas_for_base_url`` plus the OAuth-only betas."""
    norm = base_url.strip().rstrip("/").lower()
    betas = list(COMMON_BETAS)
    if "azure.com" in norm:
        betas.append(CONTEXT_1M_BETA)
    if norm.startswith(ep.BEARER_PREFIXES):
        betas = [b for b in betas if b not in (TOOL_STREAMING_BETA, CONTEXT_1M_BETA)]
    if oauth:
        betas.extend(OAUTH_BETAS)
    return betas


def probe_body(template: str | None, model: str) -> bytes | None:
    if template is None:
        return None
    if template == "anthropic_min":
        return json.dumps({"model": model, "max_tokens": 1,
                           "messages": [{"role": "user", "content": "ping"}]},
                          separators=(",", ":")).encode()
    raise ValueError(f"unknown probe body template {template!r}")


def configured_model(res: Resolution, config_model: dict | None) -> str:
    """``model.default`` when this provider is the configured one, else a plausible default."""
    if res.active and config_model:
        name = config_model.get("default") or config_model.get("model")
        if isinstance(name, str) and name.strip():
            return name.strip()
    return DEFAULT_PROBE_MODELS.get(res.provider, FALLBACK_PROBE_MODEL)


def plan(res: Resolution, *, account: str | None = None, config_model: dict | None = None
         ) -> ProbeRequest | NotSent:
    """The request that proves ``res``'s credential, or why there is none."""
    provider = catalog.lookup(res.provider)
    if provider is not None and provider.auth_type in (AWS_SDK, EXTERNAL_PROCESS):
        return NotSent(res.provider, res.name, account, outcomes.SKIPPED,
                       f"{res.name} signs requests itself (no API key header); `hermes doctor` checks it",
                       res.base_url)
    if provider is not None and not provider.has_api_key and res.provider not in (
            "anthropic", "custom", "azure-foundry"):
        return NotSent(res.provider, res.name, account, outcomes.SKIPPED,
                       f"{res.name} logs in with OAuth; its tokens are single-use on refresh, so it "
                       "is not probed here (`hermes auth status` shows the login)", res.base_url)
    if res.provider in SKIP_REASONS:
        return NotSent(res.provider, res.name, account, outcomes.SKIPPED, SKIP_REASONS[res.provider],
                       res.base_url)
    if res.provider == "custom" and (res.base_url_source == "default" or not res.base_url
                                     or "fallback" in res.base_url_source.lower()):
        # Hermes 0.19 sends a custom provider without a base URL to OpenRouter, with whatever
        # OpenRouter/OpenAI key it finds; a test must not send a key anywhere the user did not name.
        return NotSent(res.provider, res.name, account, outcomes.NO_CREDENTIAL,
                       "custom provider without a base URL: set model.base_url (and model.api_key if the "
                       "server needs one) in config.yaml; nothing is sent until then", res.base_url)
    placeholder = None
    no_key = res.credential is None or res.secret is None or not res.secret.reveal().strip()
    if no_key and res.provider in PLACEHOLDER_KEYS and res.base_url:
        placeholder = Secret(PLACEHOLDER_KEYS[res.provider])
    elif no_key:
        var = provider.primary_env_var if provider else None
        if var:
            fix = f"set {var} (`hermes-accounts set {res.provider}`)"
        elif res.provider == "custom":
            fix = "set model.base_url (and model.api_key if the server needs one) in config.yaml"
        else:
            fix = f"log in with `hermes auth add {res.provider}`"
        return NotSent(res.provider, res.name, account, outcomes.NO_CREDENTIAL,
                       f"no usable credential for {res.name}: {fix}; "
                       f"`hermes-accounts explain {res.provider}` shows every candidate", res.base_url)
    foreign = None if no_key else foreign_key(res)
    if foreign:
        return NotSent(res.provider, res.name, account, outcomes.NO_CREDENTIAL, foreign, res.base_url)
    if not res.base_url or "://" not in res.base_url or not res.base_url.startswith(("http://", "https://")):
        return NotSent(res.provider, res.name, account, outcomes.SKIPPED,
                       f"no HTTP endpoint to probe ({res.base_url or 'no base URL'}); set "
                       f"{provider.base_url_env if provider and provider.base_url_env else 'model.base_url'}",
                       res.base_url)
    if res.auth_header not in HEADER_NAMES:
        return NotSent(res.provider, res.name, account, outcomes.SKIPPED,
                       f"the resolver names no credential header for {res.name}", res.base_url)
    probe = choose_probe(res)
    if probe is None:
        return NotSent(res.provider, res.name, account, outcomes.SKIPPED,
                       f"no probe is defined for {res.name}", res.base_url)
    anthropic = res.api_mode == ANTHROPIC
    url = probe_url(res.base_url, probe.path, anthropic_messages=anthropic)
    headers: list[tuple[str, str]] = [("accept", "application/json")]
    user_agent = USER_AGENT
    if anthropic:
        headers.append(("anthropic-version", ANTHROPIC_VERSION))
        betas = anthropic_betas(res.base_url, oauth=res.oauth)
        if betas:
            headers.append(("anthropic-beta", ",".join(betas)))
        if res.oauth:
            user_agent = CLAUDE_CODE_UA
            headers.append(("x-app", "cli"))
        if res.base_url.strip().lower().startswith("https://api.kimi.com/coding"):
            user_agent = KIMI_CODING_UA
    elif ep.host_matches(res.base_url, "api.kimi.com"):
        user_agent = KIMI_CODING_UA
    headers.append(("user-agent", user_agent))
    body = probe_body(probe.body, configured_model(res, config_model))
    if body is not None:
        headers.append(("content-type", "application/json"))
    secret = placeholder or res.secret
    source = PLACEHOLDER_SOURCE if placeholder else res.credential.source  # type: ignore[union-attr]
    return ProbeRequest(
        provider=res.provider, name=res.name, account=account, method=probe.method, url=url,
        headers=tuple(headers), credential_header=res.auth_header, secret=secret,  # type: ignore[arg-type]
        source=source, header_rule=res.header_rule, body=body,
        probe=f"{probe.method} {probe.path}", anthropic_messages=anthropic,
        base_url=res.base_url, base_url_source=res.base_url_source, api_mode=res.api_mode)
