"""Claude Code's OAuth credentials (``~/.claude/.credentials.json``) and Hermes' PKCE file.

These are *Anthropic token discovery* sources: the gate lets the resolver open
them only for native Anthropic. Reading is read-only; hermes-accounts never
refreshes or rewrites them (refresh tokens are single-use).
"""

from __future__ import annotations


class OAuthFile:
    """An OAuth access token found in a file, with its expiry."""

    __slots__ = ("error", "expires_at", "has_refresh", "path", "token")

    def __init__(self, path: str) -> None:
        self.path = path
        self.token = ""
        self.expires_at: float | None = None  # epoch seconds
        self.has_refresh = False
        self.error: str | None = None


def read_oauth_file(path: str, *, nested_key: str | None) -> OAuthFile | None:
    """Read ``{nested_key: {accessToken, refreshToken, expiresAt(ms)}}``; None if absent."""
    result = OAuthFile(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        result.error = f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})"
        return result
    import json

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        result.error = f"{path}: not valid JSON; ignored"
        return result
    block = data.get(nested_key) if nested_key and isinstance(data, dict) else data
    if not isinstance(block, dict):
        result.error = f"{path}: unexpected shape (no {nested_key or 'token'} object); ignored"
        return result
    token = block.get("accessToken")
    if not isinstance(token, str) or not token.strip():
        result.error = f"{path}: no accessToken; ignored"
        return result
    result.token = token.strip()
    expires = block.get("expiresAt")
    if isinstance(expires, (int, float)) and not isinstance(expires, bool):
        result.expires_at = expires / 1000.0 if expires > 1e12 else float(expires)
    result.has_refresh = isinstance(block.get("refreshToken"), str) and bool(block["refreshToken"])
    return result
