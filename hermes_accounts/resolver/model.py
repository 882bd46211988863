"""The resolver's answer: a :class:`Resolution` and its :class:`Candidate` rows.

``to_dict()`` is the stable JSON contract of ``explain --json`` / ``list --json``
(README "JSON contract"); it never contains a secret value.
"""

from __future__ import annotations

from ..secret import Secret

USED = "used"
SHADOWED = "shadowed"
REJECTED = "rejected"
EMPTY = "empty"


class Candidate:
    """One place a credential could come from, and what happened to it."""

    __slots__ = ("discovery", "env_var", "reason", "secret", "source", "status", "where")

    def __init__(self, source: str, env_var: str | None, secret: Secret | None,
                 *, where: str | None = None, discovery: bool = False) -> None:
        self.source = source          # dotenv:VAR, env:VAR, keyring:P/A, claude-code, auth.json:ID
        self.env_var = env_var
        self.secret = secret
        self.status = SHADOWED
        self.reason = ""
        self.where = where            # file:line or similar, for humans
        self.discovery = discovery    # an Anthropic token-discovery source (gated)

    def set(self, status: str, reason: str) -> Candidate:
        self.status = status
        self.reason = reason
        return self

    def to_dict(self, *, with_status: bool = True) -> dict:
        d: dict = {
            "source": self.source,
            "env_var": self.env_var,
            "masked": self.secret.masked if self.secret else None,
            "fingerprint": self.secret.fingerprint if self.secret else None,
        }
        if with_status:
            d["status"] = self.status
            d["reason"] = self.reason
        return d

    def __repr__(self) -> str:
        return f"Candidate({self.source!r}, {self.secret!r}, {self.status}: {self.reason})"


class Resolution:
    """Which credential one endpoint uses, from where, in which header, and why."""

    __slots__ = (
        "active",
        "api_mode",
        "auth_header",
        "base_url",
        "base_url_source",
        "candidates",
        "credential",
        "header_rule",
        "name",
        "native_anthropic",
        "oauth",
        "provider",
        "warnings",
    )

    def __init__(self, provider: str, name: str) -> None:
        self.provider = provider
        self.name = name
        self.base_url = ""
        self.base_url_source = "default"
        self.api_mode = ""
        self.auth_header: str | None = None
        self.header_rule = ""
        self.credential: Candidate | None = None
        self.candidates: list[Candidate] = []
        self.warnings: list[str] = []
        self.native_anthropic = False
        self.active = False
        self.oauth = False

    @property
    def ok(self) -> bool:
        return self.credential is not None

    @property
    def secret(self) -> Secret | None:
        return self.credential.secret if self.credential else None

    def to_dict(self) -> dict:
        from ..secret import redact, url_secrets

        hidden = url_secrets(self.base_url)  # a key pasted into the base URL is masked too

        def shown(text: str) -> str:
            return redact(text, hidden) if hidden else text

        candidates = [c.to_dict() for c in self.candidates]
        for c in candidates:
            c["reason"] = shown(c["reason"])
        return {
            "provider": self.provider,
            "name": self.name,
            "active": self.active,
            "base_url": shown(self.base_url),
            "base_url_source": self.base_url_source,
            "api_mode": self.api_mode,
            "auth_header": self.auth_header,
            "credential": self.credential.to_dict(with_status=False) if self.credential else None,
            "candidates": candidates,
            "warnings": [shown(w) for w in self.warnings],
        }

    def __repr__(self) -> str:
        return (f"Resolution({self.provider!r}, {self.base_url!r}, {self.api_mode}, "
                f"{self.auth_header}, credential={self.credential!r})")
