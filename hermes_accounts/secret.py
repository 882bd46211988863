"""A string wrapper that refuses to show its value by accident.

Every credential the tool handles travels as a :class:`Secret`. Its ``repr``,
``str``, ``format`` and f-string forms are masked, it cannot be pickled, and
equality is constant-time, so a secret that ends up in a log line, a traceback
(Textual prints locals on crash), JSON output or an exception message shows up
as ``sk-c…7890`` instead of the key. Reading the value is always an explicit
``reveal()`` call, which makes every place that sends a key easy to audit.
"""

from __future__ import annotations

try:  # the bare C implementation: ~3 ms cheaper to import than hashlib's OpenSSL binding
    from _sha256 import sha256 as _sha256
except ImportError:  # pragma: no cover - Python 3.12+ renamed it
    try:
        from _sha2 import sha256 as _sha256
    except ImportError:
        from hashlib import sha256 as _sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Secret", "fingerprint", "looks_like_secret", "mask", "redact", "url_secrets"]

_ELLIPSIS = "\u2026"


def mask(value: str) -> str:
    """Mask ``value`` as ``sk-c…7890``; short values reveal almost nothing."""
    n = len(value)
    if n >= 16:
        return f"{value[:4]}{_ELLIPSIS}{value[-4:]}"
    if n >= 8:
        return f"{value[:2]}{_ELLIPSIS}{value[-2:]}"
    return "*" * min(n, 4) if n else ""


def fingerprint(value: str) -> str:
    """``sha256:`` plus the first 12 hex digits of the SHA-256 of the UTF-8 bytes.

    Stable across machines and tools, so a key can be matched to where it is
    stored without printing it.
    """
    return "sha256:" + _sha256(value.encode("utf-8")).hexdigest()[:12]


class Secret:
    """A credential value that masks itself everywhere except :meth:`reveal`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError("Secret takes a str")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """Return the raw value. Call only where the key is really sent or stored."""
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            import hmac

            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self.fingerprint))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("a Secret cannot be pickled; store it in the keyring instead")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: object) -> Secret:
        return self


def redact(text: str, secrets: Iterable[Secret | str]) -> str:
    """Replace every occurrence of any known secret in ``text`` by its mask.

    Used on anything that may echo a key back: provider error bodies,
    exception messages, subprocess output.
    """
    values = sorted(
        {s.reveal() if isinstance(s, Secret) else s for s in secrets},
        key=len,
        reverse=True,
    )
    for value in values:
        if len(value) >= 4 and value in text:
            text = text.replace(value, mask(value))
    return text


_KEY_PREFIXES = ("sk-", "sk_", "AIza", "xai-", "hf_", "nvapi-", "gsk_", "ghp_", "gho_", "github_pat_",
                 "eyJ", "pplx-", "fw_", "glpat-", "cc-")


def looks_like_secret(text: str) -> bool:
    """Whether a command-line word is probably an API key pasted in the wrong place.

    Known key prefixes (16+ characters), or a long (32+) run of letters and
    digits with no URL/path punctuation. Provider ids, account names, URLs and
    paths do not match; the cost of a rare false positive is a clear error.
    """
    if len(text) >= 16 and text.startswith(_KEY_PREFIXES):
        return True
    return (len(text) >= 32 and not any(c in text for c in "/:. ")
            and any(c.isdigit() for c in text) and any(c.isalpha() for c in text))


_SECRET_PARAMS = ("key", "api_key", "apikey", "api-key", "token", "access_token", "auth", "secret",
                  "password", "sig", "signature")


def url_secrets(url: str | None) -> list[str]:
    """Credentials embedded in a URL: ``user:password@`` and key-like query values.

    Some users paste a base URL with a key in it (``?key=AIza…``, a proxy's
    ``user:token@host``). Everything that shows a URL passes these to
    :func:`redact`, so such a key is masked like any other.
    """
    if not url or ("@" not in url and "=" not in url):
        return []
    out: list[str] = []
    rest = url.split("://", 1)[1] if "://" in url else url
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    if "@" in authority:
        userinfo = authority.rsplit("@", 1)[0]
        out.append(userinfo)
        if ":" in userinfo:
            out.append(userinfo.split(":", 1)[1])
    if "?" in url:
        for pair in url.split("?", 1)[1].split("#", 1)[0].split("&"):
            name, _, value = pair.partition("=")
            if value and (name.lower() in _SECRET_PARAMS or looks_like_secret(value)):
                out.append(value)
    return [v for v in out if len(v) >= 4]
