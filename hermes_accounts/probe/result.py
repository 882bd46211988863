"""What one connectivity test found: :class:`ProbeResult`, and the provider's own error message.

Every text field passes through :func:`hermes_accounts.secret.redact` with every
secret the resolution knows, before it is stored: some providers echo the key
back in their error body, and exception strings can carry URLs or headers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..secret import Secret, mask, redact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_MESSAGE = 300
_TOKEN = re.compile(r"[A-Za-z0-9_\-+/]{10,}")


def scrub_text(text: str, secrets: Iterable[Secret | str]) -> str:
    """:func:`redact`, plus any long fragment of a known secret (a server echoing a truncated key)."""
    values = [s.reveal() if isinstance(s, Secret) else s for s in secrets]
    values = [v for v in values if v and len(v) >= 4]
    text = redact(text, values)

    def _mask(m: re.Match[str]) -> str:
        token = m.group(0)
        if any(token in v for v in values):
            return mask(token)
        return token

    return _TOKEN.sub(_mask, text) if values else text


@dataclass
class ProbeResult:
    """One endpoint's outcome. :meth:`to_dict` is the ``test --json`` contract; it holds no secret."""

    provider: str
    name: str
    account: str | None
    outcome: str
    hint: str = ""
    latency_ms: float | None = None
    status: int | None = None
    message: str = ""        # the provider's own error message (redacted), or the transport error
    method: str = ""
    url: str = ""
    header: str = ""         # "Authorization: Bearer", "x-api-key", "x-goog-api-key"
    header_rule: str = ""
    source: str = ""
    masked: str = ""
    fingerprint: str = ""
    probe: str = ""
    curl: str = ""           # filled only with --show-request
    warnings: list[str] = field(default_factory=list)  # the resolution's warnings (explain shows them too)

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.account}" if self.account else self.provider

    def to_dict(self) -> dict:
        d = {
            "provider": self.provider,
            "account": self.account,
            "name": self.name,
            "outcome": self.outcome,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
            "status": self.status,
            "message": self.message,
            "hint": self.hint,
            "request": {"method": self.method, "url": self.url, "probe": self.probe} if self.method
            else None,
            "header": self.header or None,
            "header_rule": self.header_rule or None,
            "credential": {"source": self.source, "masked": self.masked,
                           "fingerprint": self.fingerprint} if self.source else None,
        }
        d["warnings"] = list(self.warnings)
        if self.curl:
            d["curl"] = self.curl
        return d

    def scrub(self, secrets: Iterable[Secret | str]) -> ProbeResult:
        """Mask every known secret in every text field (defence in depth)."""
        known = list(secrets)
        for name in ("message", "hint", "url", "curl", "header_rule"):
            value = getattr(self, name)
            if value:
                setattr(self, name, scrub_text(value, known))
        self.warnings = [scrub_text(w, known) for w in self.warnings]
        return self


def provider_message(body: bytes, secrets: Iterable[Secret | str]) -> str:
    """The provider's own error text, one line, redacted; "" for a success body.

    Understands the shapes seen in hermes-compat.md §5: Anthropic/MiniMax
    ``{"error": {"message"}}``, OpenAI ``{"error": {"message"}}``, OpenRouter
    ``{"message"}``, MiniMax native ``{"base_resp": {"status_msg"}}``, Google
    ``{"error": {"status", "message"}}``, FastAPI ``{"detail"}``; else the raw text.
    """
    text = ""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            text = str(err.get("message") or err.get("status") or err.get("type") or "")
            status = err.get("status")
            if status and isinstance(status, str) and status not in text:
                text = f"{status}: {text}" if text else status
        elif isinstance(err, str):
            text = err
        if not text:
            base = data.get("base_resp")
            if isinstance(base, dict) and base.get("status_msg"):
                text = f"{base.get('status_msg')} ({base.get('status_code')})"
        if not text:
            for key in ("message", "detail", "msg"):
                if isinstance(data.get(key), str):
                    text = data[key]
                    break
    if not text and data is None:
        text = body.decode("utf-8", "replace").strip()
        if text.lstrip().startswith("<"):
            text = "(an HTML page)"
    text = " ".join(text.split())
    text = scrub_text(text, secrets)
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "\u2026"
    return text
