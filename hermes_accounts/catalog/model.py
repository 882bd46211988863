"""The shape of one provider entry in the catalog.

Providers are data, not code: adding one is adding a row in
:mod:`hermes_accounts.catalog.providers`. Everything the resolver, the probe and
the writers need to know about a provider lives in these fields.
"""

from __future__ import annotations

# Hermes auth types (hermes_cli/auth.py ProviderConfig.auth_type).
API_KEY = "api_key"
OAUTH_DEVICE_CODE = "oauth_device_code"
OAUTH_EXTERNAL = "oauth_external"
OAUTH_MINIMAX = "oauth_minimax"
EXTERNAL_PROCESS = "external_process"
AWS_SDK = "aws_sdk"

# api modes as Hermes names them.
CHAT = "chat_completions"
RESPONSES = "codex_responses"
ANTHROPIC = "anthropic_messages"
BEDROCK = "bedrock_converse"
API_MODES = (CHAT, RESPONSES, ANTHROPIC, BEDROCK, "codex_app_server")

# Credential headers (the JSON contract's ``auth_header`` values).
H_BEARER = "authorization"
H_X_API_KEY = "x-api-key"
H_GOOG = "x-goog-api-key"


class Probe:
    """The cheapest request that proves a key works (hermes-compat.md §5).

    ``path`` is appended to the resolved base URL. ``body`` names a request
    body template (``anthropic_min``: a one-token Messages request).
    """

    __slots__ = ("method", "path", "body")

    def __init__(self, method: str, path: str, body: str | None = None) -> None:
        self.method = method
        self.path = path
        self.body = body

    def __repr__(self) -> str:
        return f"Probe({self.method} {self.path})"


class Provider:
    """One Hermes provider: ids, key variables in priority order, URL, wire auth.

    A plain slotted class rather than a dataclass: ``dataclasses`` pulls in
    ``inspect`` (~20 ms), and the catalog is on every agent start's hot path.
    """

    __slots__ = ("id", "name", "default_url", "key_env_vars", "base_url_env", "aliases",
                 "auth_type", "api_mode", "auth_header", "required_prefix", "typical_prefix",
                 "probe", "in_registry", "auto_eligible")

    def __init__(
        self,
        id: str,  # noqa: A002 - the catalog's own vocabulary
        name: str,
        default_url: str,
        key_env_vars: tuple[str, ...] = (),
        base_url_env: str | None = None,
        *,
        aliases: tuple[str, ...] = (),
        auth_type: str = API_KEY,
        api_mode: str | None = None,
        auth_header: str | None = None,
        required_prefix: str | None = None,
        typical_prefix: str | None = None,
        probe: Probe | None = None,
        in_registry: bool = True,
        auto_eligible: bool = True,
    ) -> None:
        self.id = id
        self.name = name
        self.default_url = default_url
        self.key_env_vars = key_env_vars
        self.base_url_env = base_url_env
        self.aliases = aliases
        self.auth_type = auth_type
        # Fixed api mode; None means "derived from the URL as Hermes does".
        self.api_mode = api_mode
        # Fixed credential header; None means "derived from api mode and URL".
        self.auth_header = auth_header
        # A prefix Hermes requires (a key without it is ignored with a warning).
        self.required_prefix = required_prefix
        # A prefix keys of this provider usually have (a hint, never enforced).
        self.typical_prefix = typical_prefix
        self.probe = probe
        # False for providers Hermes handles outside PROVIDER_REGISTRY.
        self.in_registry = in_registry
        # Hermes never picks these in `auto` mode.
        self.auto_eligible = auto_eligible

    def __repr__(self) -> str:
        return f"Provider({self.id!r})"

    @property
    def has_api_key(self) -> bool:
        return self.auth_type == API_KEY and bool(self.key_env_vars)

    @property
    def primary_env_var(self) -> str | None:
        """The variable Hermes itself writes (`hermes model`): the first one."""
        return self.key_env_vars[0] if self.key_env_vars else None
