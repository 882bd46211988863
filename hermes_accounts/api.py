"""The Python API for agents: resolve a provider, ask the gate, refresh, build SDK clients.

An agent that adopts these four calls cannot send the wrong token or the wrong
header::

    from hermes_accounts import api

    res = api.resolve("minimax")                  # Resolution (see resolver.model)
    client = anthropic.Anthropic(**api.client_kwargs(res, "anthropic"))
    ...
    res = api.refresh(res)                        # after a 401: re-read this endpoint's own sources

The gate is structural: :func:`refresh` re-resolves for the *same* provider and
base URL, and Anthropic token discovery only ever runs inside the resolver's
native-Anthropic path, so a MiniMax or custom ``/anthropic`` endpoint can never be
"refreshed" into an Anthropic OAuth token.
"""

from __future__ import annotations

import os

from .resolver import resolve as _resolve
from .resolver.endpoints import is_native_anthropic
from .resolver.model import Resolution
from .store.source import load_inputs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["ClientArgs", "NoCredential", "client_kwargs", "is_native_anthropic", "refresh", "resolve"]

# Betas Hermes sends with an Anthropic OAuth token (hermes-compat.md §2.2).
OAUTH_BETAS = ("interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14,"
               "claude-code-20250219,oauth-2025-04-20")


class NoCredential(LookupError):
    """The endpoint has no usable credential; the message says how to add one."""


class ClientArgs(dict):
    """Keyword arguments for an SDK client. Its repr masks the key (it holds a raw one)."""

    def __repr__(self) -> str:
        from .secret import mask

        shown = {k: (mask(v) if k in ("api_key", "auth_token") and isinstance(v, str) else
                     {hk: (mask(hv) if isinstance(hv, str) and hk.lower() in _CRED_HEADERS else hv)
                      for hk, hv in v.items()} if isinstance(v, dict) else v)
                 for k, v in self.items()}
        return f"ClientArgs({shown!r})"

    __str__ = __repr__


_CRED_HEADERS = ("authorization", "x-api-key", "x-goog-api-key")


def resolve(provider: str, *, base_url: str | None = None,
            home: str | os.PathLike[str] | None = None,
            environ: Mapping[str, str] | None = None) -> Resolution:
    """Which credential ``provider`` (id or alias) will use, from which source, in which header.

    ``environ`` defaults to ``os.environ``; ``home`` to ``$HERMES_HOME`` / ``~/.hermes``.
    """
    return _resolve(provider, load_inputs(home, environ), base_url=base_url)


def refresh(previous: Resolution, *, home: str | os.PathLike[str] | None = None,
            environ: Mapping[str, str] | None = None) -> Resolution:
    """Re-resolve after an auth failure, for the same provider **and the same base URL**.

    Re-reads the endpoint's own sources (a key rotated in ``.env``, the keyring,
    ``auth.json``). Anthropic token discovery runs again only where the gate
    allows it (native Anthropic); the endpoint never changes, so a refreshed key
    can only go where the old one went.
    """
    return _resolve(previous.provider, load_inputs(home, environ), base_url=previous.base_url)


def client_kwargs(res: Resolution, sdk: str = "openai") -> ClientArgs:
    """The exact constructor arguments for ``anthropic.Anthropic``, ``openai.OpenAI`` or ``httpx``.

    Exactly one credential header is sent. For the Anthropic SDK the other
    header is explicitly omitted (``anthropic.Omit``), because the SDK would
    otherwise fill it from ``ANTHROPIC_API_KEY`` / ``ANTHROPIC_AUTH_TOKEN`` in
    the environment — the leak Hermes fixed in #26970. Raises
    :class:`NoCredential` when there is nothing to send.
    """
    if res.credential is None or res.credential.secret is None:
        hint = next((w for w in res.warnings if "no usable credential" in w), "")
        raise NoCredential(f"{res.provider}: no usable credential. {hint}".strip())
    key = res.credential.secret.reveal()
    base = res.base_url.rstrip("/")
    extra: dict[str, object] = {}
    if res.oauth:
        extra["anthropic-beta"] = OAUTH_BETAS
    if sdk == "httpx":
        value = f"Bearer {key}" if res.auth_header == "authorization" else key
        headers = {res.auth_header or "authorization": value, **extra}
        if res.api_mode == "anthropic_messages":
            headers["anthropic-version"] = "2023-06-01"
        return ClientArgs(base_url=base, headers=headers)
    if sdk == "anthropic":
        if res.api_mode != "anthropic_messages":
            raise ValueError(f"{res.provider} speaks {res.api_mode}, not the Anthropic Messages API")
        import anthropic

        if base.endswith("/v1"):
            base = base[:-3]  # the SDK appends /v1/messages itself
        omit = anthropic.Omit()
        if res.auth_header == "authorization":
            return ClientArgs(auth_token=key, base_url=base,
                              default_headers={"x-api-key": omit, **extra})
        # The header is set explicitly: SDK generations differ in how they send
        # `api_key` (x-api-key before 2.x, Bearer in newer ones).
        return ClientArgs(api_key=key, base_url=base,
                          default_headers={"x-api-key": key, "Authorization": omit, **extra})
    if sdk == "openai":
        if res.auth_header != "authorization":
            raise ValueError(f"{res.provider} takes {res.auth_header}, which the OpenAI SDK cannot "
                             "send; use client_kwargs(res, 'httpx') or the provider's own SDK")
        return ClientArgs(api_key=key, base_url=base)
    raise ValueError(f"unknown sdk {sdk!r}: use 'anthropic', 'openai' or 'httpx'")
