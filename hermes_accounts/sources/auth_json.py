"""Read-only view of Hermes' ``$HERMES_HOME/auth.json`` (credential pool, OAuth state).

Hermes owns this file (it takes ``auth.lock`` to write it); hermes-accounts only
reads it, to predict which pool entry wins and to show it.
"""

from __future__ import annotations

import time


class PoolEntry:
    """One ``credential_pool`` row. ``secret`` is set only for rows that carry a raw key."""

    __slots__ = (
        "auth_type",
        "base_url",
        "error_code",
        "error_reason",
        "id",
        "label",
        "priority",
        "provider",
        "reset_at",
        "source",
        "status",
        "status_at",
        "token",
    )

    def __init__(self, provider: str, raw: dict) -> None:
        self.provider = provider
        self.id = str(raw.get("id") or "?")
        self.label = str(raw.get("label") or "")
        self.auth_type = str(raw.get("auth_type") or "api_key")
        try:
            self.priority = int(raw.get("priority") or 0)
        except (TypeError, ValueError):
            self.priority = 0
        self.source = str(raw.get("source") or "")
        token = raw.get("access_token")
        self.token = token.strip() if isinstance(token, str) else ""
        self.base_url = str(raw.get("base_url") or "").rstrip("/")
        self.status = str(raw.get("last_status") or "ok")
        self.status_at = _num(raw.get("last_status_at"))
        self.error_code = raw.get("last_error_code")
        self.reset_at = _num(raw.get("last_error_reset_at"))
        self.error_reason = str(raw.get("last_error_reason") or raw.get("last_error_message") or "")

    @property
    def env_var(self) -> str | None:
        return self.source[4:] if self.source.startswith("env:") else None

    def cooling_until(self, now: float | None = None) -> float | None:
        """When an ``exhausted`` entry becomes usable again (Hermes' TTL rules)."""
        if self.status != "exhausted":
            return None
        if self.reset_at is not None:
            until = self.reset_at
        elif self.status_at is not None:
            ttl = {401: 300, 429: 3600}.get(self.error_code if isinstance(self.error_code, int) else 0, 3600)
            until = self.status_at + ttl
        else:
            return None
        return until if until > (time.time() if now is None else now) else None


def _num(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) / (1000.0 if value > 1e12 else 1.0)
    if isinstance(value, str) and value.strip():
        try:
            return float(value)
        except ValueError:
            try:
                from datetime import datetime

                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
    return None


class AuthSnapshot:
    """The parts of ``auth.json`` the resolver reads."""

    __slots__ = ("active_provider", "error", "exists", "path", "pool", "providers", "suppressed")

    def __init__(self, path: str) -> None:
        self.path = path
        self.exists = False
        self.error: str | None = None
        self.active_provider: str | None = None
        self.pool: dict[str, list[PoolEntry]] = {}
        self.suppressed: dict[str, set[str]] = {}
        self.providers: dict[str, dict] = {}

    def entries(self, provider: str) -> list[PoolEntry]:
        return sorted(self.pool.get(provider, ()), key=lambda e: e.priority)


def read_auth_json(path: str) -> AuthSnapshot:
    """Parse ``auth.json``; a corrupt file is reported (Hermes starts empty then)."""
    snap = AuthSnapshot(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return snap
    except OSError as exc:
        snap.exists = True
        snap.error = f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})"
        return snap
    snap.exists = True
    import json

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        where = f":{line}" if line else ""
        snap.error = (f"{path}{where}: not valid JSON; Hermes moves it to auth.json.corrupt "
                      "and starts with an empty credential pool")
        return snap
    if not isinstance(data, dict):
        snap.error = f"{path}: top level is not an object; Hermes ignores it"
        return snap
    if not isinstance(data.get("providers"), dict) and not isinstance(data.get("credential_pool"), dict):
        # hermes_cli.auth._load_auth_store: without either object the store counts as empty
        # (active_provider and suppressed_sources included).
        snap.error = (f"{path}: has neither a 'providers' nor a 'credential_pool' object, so "
                      "Hermes 0.19 treats it as empty")
        return snap
    active = data.get("active_provider")
    snap.active_provider = active if isinstance(active, str) else None
    pool = data.get("credential_pool")
    if isinstance(pool, dict):
        for provider, rows in pool.items():
            if isinstance(rows, list):
                snap.pool[str(provider)] = [PoolEntry(str(provider), r) for r in rows
                                            if isinstance(r, dict)]
    suppressed = data.get("suppressed_sources")
    if isinstance(suppressed, dict):
        for provider, items in suppressed.items():
            if isinstance(items, list):
                snap.suppressed[str(provider)] = {str(i) for i in items}
    providers = data.get("providers")
    if isinstance(providers, dict):
        snap.providers = {str(k): v for k, v in providers.items() if isinstance(v, dict)}
    return snap
