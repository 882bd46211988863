"""Account operations that keep the keyring and the index consistent.

Order of writes is chosen so that a failure loses nothing: the key goes into
the keyring first and is read back (fingerprints compared) before the index
says it exists; on removal the index is updated only after the keyring entry
is gone (or was already gone). Front ends call these and only format results.
"""

from __future__ import annotations

import os
import re

from .. import catalog
from ..secret import Secret
from . import DEFAULT_ACCOUNT, username
from .backends import Backend, open_backend
from .index import AccountIndex, AccountMeta, load_index, now_iso

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Container
    from typing import TypeVar

    T = TypeVar("T")

ACCOUNT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")


class AccountError(Exception):
    """An operation that cannot be done as asked; the message says why and what to do."""


class UsageProblem(AccountError):
    """Bad input (unknown account, bad name): a usage error for the CLI."""


def check_account_name(name: str) -> str:
    if not ACCOUNT_RE.match(name or ""):
        raise UsageProblem(f"invalid account name {name!r}: use 1-64 letters, digits, '.', '_', '-', '@', "
                           "'+', starting with a letter or digit (no '/')")
    return name


def key_provider(name: str) -> catalog.Provider:
    """A catalog provider that takes API keys (raises for unknown ones or OAuth-only ones)."""
    p = catalog.get(name)
    if not p.key_env_vars and p.auth_type == "api_key":
        raise UsageProblem(f"{p.id} ({p.name}) takes its key from config.yaml (model.api_key or "
                           "model.key_env), not from a provider variable; there is nothing to store "
                           "per provider")
    if not p.key_env_vars:
        raise UsageProblem(f"{p.id} ({p.name}) does not use an API key (it signs in with "
                           f"{p.auth_type.replace('_', ' ')}); there is nothing to store")
    return p


def split_ref(ref: str) -> tuple[catalog.Provider, str]:
    """``PROVIDER/ACCOUNT`` → (provider, account)."""
    if "/" not in ref:
        raise UsageProblem(f"expected PROVIDER/ACCOUNT, got {ref!r} (e.g. openrouter/work)")
    prov, acct = ref.split("/", 1)
    return key_provider(prov), check_account_name(acct)


class Status:
    """One account as listed: index facts plus what the keyring says now."""

    __slots__ = ("account", "active", "meta", "problem", "provider", "state")

    def __init__(self, provider: str, account: str, meta: AccountMeta | None, active: bool,
                 state: str, problem: str = "") -> None:
        self.provider = provider
        self.account = account
        self.meta = meta
        self.active = active
        self.state = state  # ok | missing | changed | untracked | unchecked | unknown
        self.problem = problem

    @property
    def source(self) -> str:
        """The label ``explain`` uses for this account's key."""
        if self.meta is not None and self.meta.store == "dotenv":
            p = catalog.lookup(self.provider)
            return f"dotenv:{p.primary_env_var if p else '?'}"
        return f"keyring:{self.provider}/{self.account}"

    def to_dict(self) -> dict[str, object]:
        m = self.meta
        return {"provider": self.provider, "account": self.account, "active": self.active,
                "store": m.store if m else "keyring", "label": m.label if m else "",
                "masked": m.masked if m else None, "fingerprint": m.fingerprint if m else None,
                "created": m.created if m else None, "updated": m.updated if m else None,
                "source": self.source,
                "status": self.state, "problem": self.problem or None}


def _locked(method: Callable[..., T]) -> Callable[..., T]:
    """Run an operation under the home's writer lock, on an index re-read under that lock.

    The same ``$HERMES_HOME/.hermes-accounts.lock`` the ``.env``/``config.yaml``
    writers hold, so ``set`` in one terminal and ``write``/``import`` in another
    cannot lose each other's index updates.
    """
    import functools

    @functools.wraps(method)
    def wrapper(self: AccountStore, *args: object, **kw: object) -> T:
        from ..files.lock import LockTimeout, home_lock

        try:
            with home_lock(self.home):
                self.index = load_index(self.home)
                return method(self, *args, **kw)
        except LockTimeout as exc:
            raise AccountError(str(exc)) from None

    return wrapper


class AccountStore:
    """The accounts of one Hermes home. The keyring backend is opened on first use."""

    def __init__(self, home: str, backend: Backend | Callable[[], Backend] | None = None) -> None:
        self.home = home
        self.index: AccountIndex = load_index(home)
        self._backend = backend if isinstance(backend, Backend) else None
        self._factory = backend if callable(backend) and not isinstance(backend, Backend) else None

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = self._factory() if self._factory else open_backend(interactive=True)
        return self._backend

    @property
    def dotenv_path(self) -> str:
        return os.path.join(self.home, ".env")

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()

    # -- helpers -----------------------------------------------------------------
    def _store_verified(self, user: str, secret: Secret, label: str) -> None:
        """Write to the keyring and read it back; raise unless the fingerprint matches."""
        self.backend.set(user, secret, label)
        back = self.backend.get_many([user]).get(user)
        if back is None or back.fingerprint != secret.fingerprint:
            got = back.fingerprint if back is not None else "nothing"
            raise AccountError(f"the keyring did not keep {user}: stored {secret.fingerprint}, read back "
                               f"{got}; nothing was recorded")

    def _dotenv_fingerprint(self, var: str) -> str | None:
        from ..resolver.inputs import known_env_keys
        from ..sources.dotenv_file import read_dotenv

        snap = read_dotenv(self.dotenv_path, {}, known_env_keys())
        value = (snap.hermes_values.get(var) or "").strip()
        return Secret(value).fingerprint if value else None

    # -- operations --------------------------------------------------------------
    @_locked
    def set(self, provider: str, account: str, secret: Secret, *, label: str | None = None,
            activate: bool = False, store: str = "keyring") -> tuple[AccountMeta, bool, AccountMeta | None]:
        """Store ``secret`` as PROVIDER/ACCOUNT. Returns (meta, is_active, previous meta)."""
        p = key_provider(provider)
        check_account_name(account)
        pa = self.index.provider(p.id)
        old = pa.accounts.get(account)
        var = p.primary_env_var
        assert var is not None
        if store == "dotenv":
            other = [n for n, m in pa.accounts.items() if m.store == "dotenv" and n != account]
            if other:
                raise AccountError(f"{p.id}/{other[0]} already lives in .env ({var}); .env holds one key per "
                                   f"variable: remove it or move it to the keyring first")
            current = self._dotenv_fingerprint(var)
            mine = old is not None and old.store == "dotenv" and old.fingerprint == current
            if current is not None and current != secret.fingerprint and not mine:
                raise AccountError(f"{self.dotenv_path} already sets {var} to another key ({current}); "
                                   "keep it with `hermes-accounts import` or remove that line first, "
                                   "so it is not lost")
            _dotenv_write(self.home, var, secret.reveal())
            if self._dotenv_fingerprint(var) != secret.fingerprint:
                raise AccountError(f"{self.dotenv_path}: {var} did not read back as written")
            if old is not None and old.store == "keyring":
                self.backend.delete(username(p.id, account))
        else:
            self._store_verified(username(p.id, account), secret,
                                 f"Hermes {p.name} key ({p.id}/{account})")
            if old is not None and old.store == "dotenv" and self._dotenv_fingerprint(var) == old.fingerprint:
                from ..sources.agent_keyring import agent_reads_keyring

                if agent_reads_keyring()[0]:
                    # Moved to the keyring, which the agent reads: the plaintext copy goes.
                    _dotenv_write(self.home, var, None)
                # else the .env line stays: it is the only key the agent can read
        stamp = now_iso()
        meta = AccountMeta(store, secret.fingerprint, secret.masked,
                           label if label is not None else (old.label if old else ""),
                           old.created if old else stamp, stamp)
        pa.accounts[account] = meta
        if activate or pa.active is None or pa.active not in pa.accounts:
            pa.active = account
        self.index.save()
        return meta, pa.active == account, old

    @_locked
    def remove(self, provider: str, account: str) -> tuple[AccountMeta, bool]:
        """Delete the key and the index entry. Returns (meta, whether the keyring/.env still had it)."""
        p = key_provider(provider)
        pa = self.index.providers.get(p.id)
        meta = pa.accounts.get(account) if pa else None
        if pa is None or meta is None:
            raise UsageProblem(f"no account {p.id}/{account}{self._known(p.id)}")
        if meta.store == "dotenv":
            var = p.primary_env_var or ""
            present = self._dotenv_fingerprint(var) == meta.fingerprint
            if present:
                _dotenv_write(self.home, var, None)
        else:
            present = self.backend.delete(username(p.id, account))
        del pa.accounts[account]
        if pa.active == account:
            pa.active = None
        self.index.save()
        return meta, present

    @_locked
    def activate(self, provider: str, account: str) -> AccountMeta:
        p = key_provider(provider)
        pa = self.index.providers.get(p.id)
        meta = pa.accounts.get(account) if pa else None
        if pa is None or meta is None:
            raise UsageProblem(f"no account {p.id}/{account}{self._known(p.id)}")
        if meta.store == "keyring":
            got = self.backend.get_many([username(p.id, account)]).get(username(p.id, account))
            if got is None:
                raise AccountError(f"{p.id}/{account} is missing from the keyring (removed outside "
                                   f"hermes-accounts); store it again with `hermes-accounts set {p.id} "
                                   f"--account {account}`")
            if got.fingerprint != meta.fingerprint:
                raise AccountError(f"{p.id}/{account} was changed outside hermes-accounts (keyring has "
                                   f"{got.fingerprint}, index {meta.fingerprint}); store it again with "
                                   f"`hermes-accounts set {p.id} --account {account}`")
        pa.active = account
        self.index.save()
        return meta

    @_locked
    def rename(self, provider: str, old: str, new: str) -> AccountMeta:
        p = key_provider(provider)
        check_account_name(new)
        pa = self.index.providers.get(p.id)
        meta = pa.accounts.get(old) if pa else None
        if pa is None or meta is None:
            raise UsageProblem(f"no account {p.id}/{old}{self._known(p.id)}")
        if new in pa.accounts:
            raise UsageProblem(f"{p.id}/{new} already exists; remove it first or pick another name")
        if meta.store == "keyring":
            src = username(p.id, old)
            value = self.backend.get_many([src]).get(src)
            if value is None:
                raise AccountError(f"{p.id}/{old} is missing from the keyring; nothing to rename")
            self._store_verified(username(p.id, new), value, f"Hermes {p.name} key ({p.id}/{new})")
            self.backend.delete(src)
        pa.accounts[new] = pa.accounts.pop(old)
        pa.accounts[new].updated = now_iso()
        if pa.active == old:
            pa.active = new
        self.index.save()
        return pa.accounts[new]

    def statuses(self, provider: str | None = None, *, check: bool = True) -> tuple[list[Status], str | None]:
        """Every account (optionally one provider's) with drift state; plus a keyring error, if any.

        Keyring accounts are checked in one batch; ``.env`` accounts against the
        file; keyring entries under our service that the index does not know are
        listed as ``untracked`` (Secret Service only — other keyrings cannot list).
        """
        pid = key_provider(provider).id if provider else None
        rows: list[Status] = []
        for prov, pa in sorted(self.index.providers.items()):
            if pid and prov != pid:
                continue
            for name, meta in sorted(pa.accounts.items()):
                rows.append(Status(prov, name, meta, pa.active == name, "unchecked"))
        error = None
        if not check:
            return rows, None
        users = [username(r.provider, r.account) for r in rows if r.meta and r.meta.store == "keyring"]
        found: dict[str, Secret | None] = {}
        listed: list[str] | None = None
        if users or pid is None:
            from .errors import KeyringUnavailable

            try:
                found = self.backend.get_many(users) if users else {}
                listed = self.backend.list_usernames()
            except KeyringUnavailable as exc:
                error = str(exc)
        for r in rows:
            m = r.meta
            assert m is not None
            known = catalog.lookup(r.provider)
            if known is None or not known.key_env_vars:
                r.state, r.problem = "unknown", f"{r.provider} is not a provider this version knows"
            elif m.store == "dotenv":
                var = known.primary_env_var or ""
                fp = self._dotenv_fingerprint(var)
                self._judge(r, fp, f"{var} is not in {self.dotenv_path}", "in .env")
            elif error is None:
                got = found.get(username(r.provider, r.account))
                self._judge(r, got.fingerprint if got is not None else None,
                            "missing in the keyring (deleted outside hermes-accounts)", "in the keyring")
        if listed is not None:
            known = {username(r.provider, r.account) for r in rows}
            for user in listed:
                prov, _, acct = user.partition("/")
                if user not in known and (pid is None or prov == pid) and not self.index.get(prov, acct):
                    rows.append(Status(prov, acct, None, False, "untracked",
                                       "in the keyring under hermes-accounts but not in accounts.json "
                                       "(stored outside hermes-accounts); store it again with "
                                       f"`hermes-accounts set {prov} --account {acct}` to adopt it"))
        return rows, error

    @staticmethod
    def _judge(row: Status, fp: str | None, missing: str, where: str) -> None:
        assert row.meta is not None
        if fp is None:
            row.state, row.problem = "missing", missing
        elif fp != row.meta.fingerprint:
            row.state = "changed"
            row.problem = (f"changed outside hermes-accounts: {where} now {fp}, recorded "
                           f"{row.meta.fingerprint}")
        else:
            row.state = "ok"

    def _known(self, pid: str) -> str:
        pa = self.index.providers.get(pid)
        names = sorted(pa.accounts) if pa else []
        return f" (known: {', '.join(names)})" if names else f" ({pid} has no accounts)"


def new_account_name(existing: Container[str]) -> str:
    """``default`` if free, else ``imported``, ``imported-2``, …"""
    if DEFAULT_ACCOUNT not in existing:
        return DEFAULT_ACCOUNT
    name, n = "imported", 1
    while name in existing:
        n += 1
        name = f"imported-{n}"
    return name


def _dotenv_write(home: str, var: str, value: str | None) -> None:
    """Set (or, with None, remove) one ``.env`` variable through the files layer's safe writer:
    the home lock, a backup outside the home, symlinks written through, every other byte kept."""
    from ..files.dotenv_vars import remove_env_var, set_env_var
    from ..files.plan import PlanError

    try:
        if value is None:
            remove_env_var(home, var)
        else:
            set_env_var(home, var, value)
    except PlanError as exc:
        raise AccountError(str(exc)) from None
