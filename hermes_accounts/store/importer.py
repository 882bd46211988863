"""Which keys ``import`` would move into the keyring, and under which account names.

Pure planning (no keyring access), so ``--dry-run`` is exact and cheap. Keys
come from ``$HERMES_HOME/.env`` as Hermes parses it and, when asked, from the
process environment. A variable shared by two providers (``OPENAI_API_KEY`` is
OpenAI's and OpenRouter's fallback) goes to the first provider listing it,
except that an ``sk-or-`` value goes to OpenRouter. A key already stored for
the provider (same fingerprint) is skipped, as are values that fail the same
checks as ``set``.
"""

from __future__ import annotations

import os

from .. import catalog
from ..secret import Secret
from .accounts import new_account_name
from .validate import InvalidKey, clean_key, prefix_warnings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .index import AccountIndex


class ImportItem:
    """One key found, and what import does with it (``skip`` set: nothing)."""

    __slots__ = ("account", "activate", "origin", "provider", "secret", "skip", "warnings")

    def __init__(self, origin: str, provider: str, secret: Secret) -> None:
        self.origin = origin
        self.provider = provider
        self.secret = secret
        self.account = ""
        self.activate = False
        self.skip: str | None = None
        self.warnings: list[str] = []


def owner_of(var: str, value: str) -> catalog.Provider | None:
    if var in ("OPENAI_API_KEY", "OPENROUTER_API_KEY") and value.startswith("sk-or-"):
        return catalog.get("openrouter")
    for p in catalog.PROVIDERS:
        if var in p.key_env_vars:
            return p
    return None


def find_importable(home: str, index: AccountIndex,
                    environ: dict[str, str] | None = None) -> list[ImportItem]:
    from ..resolver.inputs import known_env_keys
    from ..sources.dotenv_file import read_dotenv

    path = os.path.join(home, ".env")
    snap = read_dotenv(path, {}, known_env_keys())
    found: list[tuple[str, str, str]] = []  # (origin, var, value)
    for var, value in snap.hermes_values.items():
        found.append((f"{path}:{snap.line_of.get(var, '?')} {var}", var, value))
    if environ:
        for var in sorted(known_env_keys()):
            if environ.get(var):
                found.append((f"environment {var}", var, environ[var]))
    names: dict[str, set[str]] = {pid: set(pa.accounts) for pid, pa in index.providers.items()}
    fps: dict[str, dict[str, str]] = {
        pid: {m.fingerprint: n for n, m in pa.accounts.items()} for pid, pa in index.providers.items()}
    has_active = {pid for pid, pa in index.providers.items() if pa.active in pa.accounts}
    out: list[ImportItem] = []
    for origin, var, value in found:
        p = owner_of(var, value.strip())
        if p is None or not value.strip():
            continue
        item = ImportItem(origin, p.id, Secret(value.strip()))
        out.append(item)
        try:
            item.secret = Secret(clean_key(value))
        except InvalidKey as exc:
            item.skip = str(exc)
            continue
        already = fps.get(p.id, {}).get(item.secret.fingerprint)
        if already:
            item.skip = f"already stored as {p.id}/{already}"
            continue
        item.warnings = prefix_warnings(p, item.secret.reveal())
        taken = names.setdefault(p.id, set())
        item.account = new_account_name(taken)
        taken.add(item.account)
        fps.setdefault(p.id, {})[item.secret.fingerprint] = item.account
        if p.id not in has_active:
            item.activate = True
            has_active.add(p.id)
    return out
