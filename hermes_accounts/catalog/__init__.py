"""The provider catalog: lookup by id or alias, close matches for typos."""

from __future__ import annotations

from .model import Probe, Provider
from .providers import PROVIDERS

__all__ = ["PROVIDERS", "Probe", "Provider", "UnknownProvider", "all_providers", "get", "lookup"]

_BY_ID: dict[str, Provider] = {p.id: p for p in PROVIDERS}
_BY_NAME: dict[str, Provider] = {}
for _p in PROVIDERS:
    _BY_NAME[_p.id] = _p
    for _alias in _p.aliases:
        _BY_NAME.setdefault(_alias, _p)


class UnknownProvider(LookupError):
    """An id or alias the catalog does not know; carries close matches."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown provider {name!r}.{hint} Run `hermes-accounts list` to see all.")


def all_providers() -> tuple[Provider, ...]:
    return PROVIDERS


def lookup(name: str) -> Provider | None:
    """The provider for an id or alias (case-insensitive), or None."""
    return _BY_NAME.get((name or "").strip().lower())


def get(name: str) -> Provider:
    """The provider for an id or alias; raises :class:`UnknownProvider` with suggestions."""
    provider = lookup(name)
    if provider is None:
        raise UnknownProvider(name, suggest(name))
    return provider


def suggest(name: str, limit: int = 5) -> list[str]:
    """Close matches among ids and aliases, shown as ``alias (→ id)``."""
    import difflib

    key = (name or "").strip().lower()
    names = list(_BY_NAME)
    hits = difflib.get_close_matches(key, names, n=limit, cutoff=0.6)
    hits += [n for n in names if key and key in n and n not in hits][: max(0, limit - len(hits))]
    out = []
    for hit in hits[:limit]:
        target = _BY_NAME[hit].id
        out.append(hit if hit == target else f"{hit} (\u2192 {target})")
    return out
