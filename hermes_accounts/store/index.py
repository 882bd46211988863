"""The non-secret account index, ``$HERMES_HOME/accounts.json``.

Keyrings cannot list their entries portably, so this file records which
providers have which accounts, where each key lives (``keyring`` or the
explicit plaintext opt-in ``dotenv``), its fingerprint and mask (to detect
drift without printing the key) and the active account. It never holds a key.

Plain slotted classes rather than dataclasses: the resolver loads this file on
every agent start when it exists, and ``dataclasses`` costs ~20 ms of imports.

Contract (other layers rely on it)::

    {"version": 1, "providers": {"<id>": {"active": "<account>"|null,
      "accounts": {"<account>": {"store": "keyring"|"dotenv",
        "fingerprint": "sha256:…", "masked": "sk-c…7890", "label": "",
        "created": "<ISO-8601 UTC>", "updated": "<ISO-8601 UTC>"}}}}}
"""

from __future__ import annotations

import json
import os

VERSION = 1
FILENAME = "accounts.json"
STORES = ("keyring", "dotenv")


class IndexCorrupt(ValueError):
    """accounts.json exists but cannot be used; the message says how to fix it."""


def now_iso() -> str:
    """The current UTC time as ISO-8601 with a ``Z`` (second precision)."""
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class AccountMeta:
    """One stored key's public facts."""

    __slots__ = ("created", "fingerprint", "label", "masked", "store", "updated")

    def __init__(self, store: str, fingerprint: str, masked: str, label: str = "",
                 created: str = "", updated: str = "") -> None:
        self.store = store
        self.fingerprint = fingerprint
        self.masked = masked
        self.label = label
        self.created = created
        self.updated = updated

    def to_dict(self) -> dict[str, str]:
        return {"store": self.store, "fingerprint": self.fingerprint, "masked": self.masked,
                "label": self.label, "created": self.created, "updated": self.updated}

    def __repr__(self) -> str:
        return f"AccountMeta({self.store}, {self.masked}, {self.fingerprint})"


class ProviderAccounts:
    """All accounts of one provider and which one is active."""

    __slots__ = ("accounts", "active")

    def __init__(self, active: str | None = None,
                 accounts: dict[str, AccountMeta] | None = None) -> None:
        self.active = active
        self.accounts = accounts if accounts is not None else {}

    def to_dict(self) -> dict[str, object]:
        return {"active": self.active,
                "accounts": {name: meta.to_dict() for name, meta in sorted(self.accounts.items())}}


class AccountIndex:
    """The whole index; ``path`` is where it was loaded from (and is saved to)."""

    __slots__ = ("path", "providers")

    def __init__(self, path: str, providers: dict[str, ProviderAccounts] | None = None) -> None:
        self.path = path
        self.providers = providers if providers is not None else {}

    def to_dict(self) -> dict[str, object]:
        return {"version": VERSION,
                "providers": {pid: pa.to_dict() for pid, pa in sorted(self.providers.items())}}

    def get(self, provider: str, account: str) -> AccountMeta | None:
        pa = self.providers.get(provider)
        return pa.accounts.get(account) if pa else None

    def provider(self, provider: str) -> ProviderAccounts:
        """The provider's entry, created empty if needed."""
        return self.providers.setdefault(provider, ProviderAccounts())

    def has_keyring_accounts(self) -> bool:
        return any(m.store == "keyring" for pa in self.providers.values() for m in pa.accounts.values())

    def active_keyring(self) -> dict[str, str]:
        """provider → active account name, for active accounts stored in the keyring."""
        out = {}
        for pid, pa in self.providers.items():
            meta = pa.accounts.get(pa.active) if pa.active else None
            if meta is not None and meta.store == "keyring":
                out[pid] = pa.active
        return out

    def save(self) -> None:
        """Write atomically, 0600, keeping the previous version as ``accounts.json.bak``."""
        from .atomic import write_private

        # Drop providers left with no accounts so the file stays tidy.
        for pid in [p for p, pa in self.providers.items() if not pa.accounts]:
            del self.providers[pid]
        write_private(self.path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")


def index_path(home: str) -> str:
    return os.path.join(home, FILENAME)


def load_index(home: str) -> AccountIndex:
    """Read ``$HERMES_HOME/accounts.json``; a missing file is an empty index.

    Raises :class:`IndexCorrupt` (one-line message naming the file and the fix)
    for unreadable or malformed content, rather than guessing and later
    overwriting the user's data.
    """
    path = index_path(home)
    try:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return AccountIndex(path)
    except OSError as exc:
        raise IndexCorrupt(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_index(path, raw)


def parse_index(path: str, raw: str) -> AccountIndex:
    fix = f"fix it by hand, or restore {path}.bak"
    try:
        data = json.loads(raw) if raw.strip() else {"version": VERSION, "providers": {}}
    except ValueError as exc:
        raise IndexCorrupt(f"{path} is not valid JSON (line {getattr(exc, 'lineno', '?')}); {fix}") from None
    if not isinstance(data, dict) or not isinstance(data.get("providers", {}), dict):
        raise IndexCorrupt(f"{path} is not an accounts index (no \"providers\" object); {fix}")
    version = data.get("version", VERSION)
    if version != VERSION:
        raise IndexCorrupt(f"{path} has version {version!r}; this hermes-accounts reads version "
                          f"{VERSION} (upgrade hermes-accounts)")
    providers: dict[str, ProviderAccounts] = {}
    for pid, entry in data.get("providers", {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("accounts", {}), dict):
            raise IndexCorrupt(f"{path}: provider {pid!r} is malformed; {fix}")
        accounts = {}
        for name, meta in entry.get("accounts", {}).items():
            if not isinstance(meta, dict):
                raise IndexCorrupt(f"{path}: account {pid}/{name} is malformed; {fix}")
            store = meta.get("store", "keyring")
            if store not in STORES:
                raise IndexCorrupt(f"{path}: account {pid}/{name} has unknown store {store!r}; {fix}")
            accounts[str(name)] = AccountMeta(
                store, str(meta.get("fingerprint", "")), str(meta.get("masked", "")),
                str(meta.get("label", "") or ""), str(meta.get("created", "")), str(meta.get("updated", "")))
        active = entry.get("active")
        if active is not None and not isinstance(active, str):
            raise IndexCorrupt(f"{path}: provider {pid!r} has a non-string active account; {fix}")
        providers[str(pid)] = ProviderAccounts(active, accounts)
    return AccountIndex(path, providers)
