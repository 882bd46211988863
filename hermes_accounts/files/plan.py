"""Plan, show, lock, re-check, write: the transaction behind ``write``, ``use`` and ``import``.

A *plan* is computed from snapshots of ``.env`` and ``config.yaml`` (bytes and
hash) and holds the new bytes, the named fixes and a masked diff. Planning
writes nothing and needs no lock, so ``--dry-run`` is exactly what a real run
would do. :func:`run` then takes the home's lock, plans *again* from disk, lets
the caller show the plan, and commits; if a file changed on disk between the
read and the rename (Hermes writing it, an editor), the commit is abandoned and
the plan is recomputed from the new content — the other writer's change is
kept, never overwritten.
"""

from __future__ import annotations

import os

from . import atomic
from .config_edit import ConfigDoc, ConfigFileError
from .dotenv_clean import Fix, clean, keyring_entries, verify
from .dotenv_edit import EnvDoc, EnvFileError
from .lock import home_lock

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

RETRIES = 3


class PlanError(ValueError):
    """A file cannot be cleaned or edited safely; one line, nothing was written."""


class FilePlan:
    """One file: what it is now, what it becomes (None: unchanged), and the masked diff."""

    __slots__ = ("backup", "diff", "mode", "name", "new", "snap")

    def __init__(self, name: str, snap: atomic.Snapshot, *, mode: int = 0o600) -> None:
        self.name = name
        self.snap = snap
        self.new: bytes | None = None
        self.mode = mode
        self.diff = ""
        self.backup: str | None = None

    @property
    def changed(self) -> bool:
        return self.new is not None and (not self.snap.exists or self.new != self.snap.data)

    def __repr__(self) -> str:
        return f"FilePlan({self.name!r}, changed={self.changed})"


class Plan:
    """Both files' plans, the named fixes, warnings and notes (all secret-free text)."""

    __slots__ = ("files", "fixes", "home", "notes", "replanned", "warnings")

    def __init__(self, home: str) -> None:
        self.home = home
        self.files: list[FilePlan] = []
        self.fixes: list[str] = []      # "path:line  KEY: action — reason"
        self.warnings: list[str] = []
        self.notes: list[str] = []      # config changes, encoding notes
        self.replanned = 0

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.files)

    def diff(self) -> str:
        return "".join(f.diff for f in self.files if f.changed)

    def file(self, name: str) -> FilePlan | None:
        return next((f for f in self.files if f.name == name), None)

    def __repr__(self) -> str:
        return f"Plan({self.home!r}, files={self.files!r}, fixes={len(self.fixes)})"


def env_path(home: str) -> str:
    return os.path.join(home, ".env")


def config_path(home: str) -> str:
    return os.path.join(home, "config.yaml")


def _snap(path: str) -> atomic.Snapshot:
    try:
        return atomic.snapshot(path)
    except atomic.WriteError as exc:
        raise PlanError(str(exc)) from None


def load_env_doc(snap: atomic.Snapshot) -> EnvDoc:
    try:
        return EnvDoc.parse(snap.data, snap.path)
    except EnvFileError as exc:
        raise PlanError(str(exc)) from None


def load_config_doc(snap: atomic.Snapshot) -> ConfigDoc:
    try:
        return ConfigDoc.parse(snap.data, snap.path)
    except ConfigFileError as exc:
        raise PlanError(str(exc)) from None


# -- keyring ---------------------------------------------------------------------------

def load_keyring_index(home: str, warnings: list[str]) -> object | None:
    """The accounts index, or None (with a warning) when it cannot be read."""
    try:
        from ..store.index import IndexCorrupt, load_index
    except ImportError:  # pragma: no cover - the store ships with the package
        return None
    try:
        return load_index(home)
    except IndexCorrupt as exc:
        warnings.append(f"{exc}; keys in .env were left in place")
        return None


def keyring_verifier(home: str) -> Callable[[str, str], str | None]:
    """(provider, account) → fingerprint of what the OS keyring really holds (None: nothing).

    A key is removed from ``.env`` only when the keyring confirms it holds the
    same key: accounts.json alone could be stale (an entry deleted with
    ``secret-tool``, another machine's index).
    """
    cache: dict[str, str | None] = {}

    def get(provider: str, account: str) -> str | None:
        from ..store import username
        from ..store.accounts import AccountStore

        user = username(provider, account)
        if user not in cache:
            store = AccountStore(home)
            try:
                got = store.backend.get_many([user]).get(user)
            finally:
                store.close()
            cache[user] = got.fingerprint if got is not None else None
        return cache[user]

    return get


AUTO = "auto"


# -- planning ---------------------------------------------------------------------------

def _env_plan(home: str, snap: atomic.Snapshot, plan: Plan, environ: Mapping[str, str], *,
              verify_keyring: Callable[[str, str], str | None] | None, only_keyring: bool,
              providers: frozenset[str] | None) -> tuple[FilePlan, list[str]]:
    from .diffview import EnvDisplay, env_opcodes, raw_lines, unified

    fp = FilePlan(".env", snap, mode=0o600)
    if not snap.exists:
        return fp, []
    before = load_env_doc(snap)
    after = before.clone()
    index = load_keyring_index(home, plan.warnings)
    entries = keyring_entries(index) if index is not None else {}
    result = clean(after, environ, keyring=entries, verify=verify_keyring,
                   only_keyring=only_keyring, providers=providers)
    plan.warnings.extend(f"{snap.path}: {w}" for w in result.warnings)
    if after.note:
        plan.notes.append(f"{snap.path}: {after.note}")
    from .diffview import secret_values

    secrets = secret_values(before)
    if not result.fixes and not after.note:
        return fp, secrets
    bad = verify(before, after.text(), environ, result.expected)
    if bad:
        raise PlanError(f"{snap.path}: cleaning would change {', '.join(bad[:5])} unexpectedly "
                        "(python-dotenv reads the result differently); nothing was written — "
                        "please report this")
    plan.fixes.extend(f.describe(snap.path) for f in result.fixes)
    fp.new = after.to_bytes()
    fp.diff = unified(raw_lines(before.text()), raw_lines(after.text()),
                      EnvDisplay(before), EnvDisplay(after),
                      f"{snap.path}", f"{snap.path} (after)", secrets,
                      ops=env_opcodes(before, after))
    return fp, secrets


def _config_plan(snap: atomic.Snapshot, plan: Plan, edit: Callable[[ConfigDoc, Plan], None] | None,
                 secrets: list[str], doc: ConfigDoc | None = None) -> FilePlan:
    from .diffview import raw_lines, unified, yaml_display_lines

    fp = FilePlan("config.yaml", snap, mode=snap.mode if snap.mode is not None else 0o600)
    if edit is None and not snap.exists:
        return fp
    if doc is None:
        doc = load_config_doc(snap) if snap.exists else ConfigDoc("", path=snap.path)
    before = doc.text
    if edit is not None:
        try:
            edit(doc, plan)
        except ConfigFileError as exc:
            raise PlanError(str(exc)) from None
    if doc.text == before:
        return fp
    fp.new = doc.to_bytes()
    fp.diff = unified(raw_lines(before), raw_lines(doc.text), yaml_display_lines(before),
                      yaml_display_lines(doc.text), snap.path if snap.exists else "/dev/null",
                      f"{snap.path} (after)", secrets)
    return fp


def minimax_config_fix(doc: ConfigDoc, plan: Plan) -> None:
    """``model.base_url`` on MiniMax's stale ``/v1`` → ``/anthropic`` (like the .env rule)."""
    from .. import catalog
    from .dotenv_clean import _minimax_fixed_url

    model = doc.model()
    p = catalog.lookup(str(model.get("provider") or ""))
    url = model.get("base_url")
    if p is None or p.id not in ("minimax", "minimax-cn") or not isinstance(url, str):
        return
    fixed = _minimax_fixed_url(url)
    if fixed:
        doc.edit_model({"base_url": fixed})
        plan.fixes.append(f"{doc.path}  model.base_url: rewritten — the stale MiniMax /v1 URL → "
                          f"{fixed} (/v1 puts MiniMax on chat completions, which answers 401)")


def plan_write(home: str, environ: Mapping[str, str] | None = None, *,
               verify_keyring: Callable[[str, str], str | None] | str | None = AUTO,
               config_edit: Callable[[ConfigDoc, Plan], None] | None = minimax_config_fix,
               only_keyring: bool = False, providers: frozenset[str] | None = None,
               touch_config: bool = True) -> Plan:
    """The clean ``.env`` and ``config.yaml`` for ``home``; reads, never writes.

    Both files are read and validated first: a file Hermes cannot read stops the
    whole plan, so neither is touched.
    """
    env = dict(os.environ if environ is None else environ)
    if verify_keyring == AUTO:
        verify_keyring = keyring_verifier(home)
    plan = Plan(home)
    env_snap = _snap(env_path(home))
    cfg_snap = _snap(config_path(home)) if touch_config else None
    # validate config.yaml before anything else: a file Hermes cannot read stops both
    cfg_doc = load_config_doc(cfg_snap) if cfg_snap is not None and cfg_snap.exists else None
    env_fp, secrets = _env_plan(home, env_snap, plan, env,
                                verify_keyring=verify_keyring,  # type: ignore[arg-type]
                                only_keyring=only_keyring, providers=providers)
    plan.files.append(env_fp)
    if cfg_snap is not None:
        plan.files.append(_config_plan(cfg_snap, plan, config_edit, secrets, doc=cfg_doc))
    return plan


def plan_config(home: str, edit: Callable[[ConfigDoc, Plan], None]) -> Plan:
    """A plan that only edits ``config.yaml`` (``use``)."""
    plan = Plan(home)
    cfg_snap = _snap(config_path(home))
    secrets: list[str] = []
    env_snap = _snap(env_path(home))
    if env_snap.exists:
        try:
            from .diffview import secret_values

            secrets = secret_values(EnvDoc.parse(env_snap.data))
        except EnvFileError:
            secrets = []
    plan.files.append(_config_plan(cfg_snap, plan, edit, secrets))
    return plan


# -- committing ---------------------------------------------------------------------------

def run(home: str, make_plan: Callable[[], Plan], *, dry_run: bool = False,
        show: Callable[[Plan], None] | None = None,
        after_commit: Callable[[Plan], None] | None = None,
        before_rename: Callable[[atomic.Change], None] | None = None,
        lock_timeout: float | None = None) -> Plan:
    """Plan (and unless ``dry_run``, write) under the home's lock, re-planning on concurrent change.

    ``show`` is called with each plan about to be committed (the CLI prints the
    diff); ``after_commit`` runs still under the lock (``use`` activates the
    account there).
    """
    if dry_run:
        plan = make_plan()
        if show is not None:
            show(plan)
        return plan
    from .lock import LockTimeout

    try:
        with home_lock(home, lock_timeout):
            for attempt in range(RETRIES + 1):
                plan = make_plan()
                plan.replanned = attempt
                if show is not None:
                    show(plan)
                changes = [atomic.Change(f.snap, f.new, f.mode) for f in plan.files if f.changed]
                if not changes:
                    if after_commit is not None:
                        after_commit(plan)
                    return plan
                try:
                    atomic.commit(home, changes, before_rename=before_rename)  # type: ignore[arg-type]
                except atomic.FileChanged:
                    if attempt == RETRIES:
                        raise PlanError("the files kept changing on disk while being written "
                                        f"({RETRIES + 1} attempts); nothing was overwritten — "
                                        "try again when the other program is done") from None
                    continue
                for f, ch in zip([f for f in plan.files if f.changed], changes, strict=True):
                    f.backup = ch.backup_path
                if after_commit is not None:
                    after_commit(plan)
                return plan
    except LockTimeout as exc:
        raise PlanError(str(exc)) from None
    except atomic.WriteError as exc:
        raise PlanError(str(exc)) from None
    raise AssertionError("unreachable")  # pragma: no cover


__all__ = ["FilePlan", "Fix", "Plan", "PlanError", "plan_config", "plan_write", "run"]
