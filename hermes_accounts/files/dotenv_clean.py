"""What a clean ``$HERMES_HOME/.env`` is, as edits on an :class:`~.dotenv_edit.EnvDoc`.

Each rule fixes something Hermes never reads or that breaks it, and names the
line it touched:

- a key whose fingerprint equals the *active keyring account* of its provider
  (and the keyring really holds it) is removed; a comment says where it lives;
- ``ANTHROPIC_AUTH_TOKEN`` (Claude Code's name; Hermes never reads it, and the
  Anthropic SDK would pick it up) and an Anthropic token saved under another
  provider's variable are commented out — kept readable, never silently lost —
  or dropped when the same value is already in an Anthropic variable;
- a MiniMax ``/v1`` base URL becomes ``/anthropic`` (``/v1`` puts MiniMax on
  chat completions and 401s);
- earlier duplicates are dropped (python-dotenv keeps the *last*; a different
  earlier value is commented out, not deleted);
- empty ``KEY=`` lines of provider variables are removed: with
  ``override=True`` they blank a key exported in the shell or supplied by the
  keyring plugin. ``ANTHROPIC_API_KEY=`` / ``ANTHROPIC_TOKEN=`` /
  ``CLAUDE_CODE_OAUTH_TOKEN=`` stay: Hermes writes those on purpose to choose
  between an API key and an OAuth login.

A statement is never changed when a later line expands it (``${KEY}``), and the
result is verified: every variable the rules did not target must read the same
before and after, through Hermes' sanitiser and python-dotenv's grammar.
"""

from __future__ import annotations

from .. import catalog
from ..resolver import endpoints as ep
from ..secret import Secret
from ..sources import dotenv_grammar
from .dotenv_edit import EnvDoc, Statement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

ANTHROPIC_SLOTS = frozenset({"ANTHROPIC_API_KEY", "ANTHROPIC_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"})
MINIMAX_URL_VARS = ("MINIMAX_BASE_URL", "MINIMAX_CN_BASE_URL")
MINIMAX_HOSTS = ("api.minimax.io", "api.minimaxi.com", "api.minimax.chat", "api.minimax.cn")
ABSENT = object()


class Fix:
    """One named change: where, which variable, what happened and why."""

    __slots__ = ("action", "key", "line", "reason")

    def __init__(self, line: int, key: str, action: str, reason: str) -> None:
        self.line = line
        self.key = key
        self.action = action    # removed | commented out | rewritten
        self.reason = reason

    def describe(self, path: str) -> str:
        return f"{path}:{self.line}  {self.key}: {self.action} — {self.reason}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fix) and (self.line, self.key, self.action, self.reason) == (
            other.line, other.key, other.action, other.reason)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Fix({self.line}, {self.key!r}, {self.action!r})"


class KeyringEntry:
    """An active keyring account whose provider reads some variable."""

    __slots__ = ("account", "fingerprint", "provider")

    def __init__(self, provider: str, account: str, fingerprint: str) -> None:
        self.provider = provider
        self.account = account
        self.fingerprint = fingerprint


class CleanResult:
    __slots__ = ("expected", "fixes", "warnings")

    def __init__(self) -> None:
        self.fixes: list[Fix] = []
        self.warnings: list[str] = []
        # variable -> expected python-dotenv value afterwards (ABSENT: no longer set)
        self.expected: dict[str, object] = {}


def provider_vars() -> tuple[dict[str, str], frozenset[str]]:
    """(key variable → first provider using it, every key and base-URL variable)."""
    owner: dict[str, str] = {}
    known: set[str] = set()
    for p in catalog.PROVIDERS:
        for var in p.key_env_vars:
            owner.setdefault(var, p.id)
            known.add(var)
        if p.base_url_env:
            known.add(p.base_url_env)
    return owner, frozenset(known)


def keyring_entries(index: object) -> dict[str, list[KeyringEntry]]:
    """Variable → active keyring accounts whose provider reads that variable."""
    out: dict[str, list[KeyringEntry]] = {}
    for pid, pa in getattr(index, "providers", {}).items():
        meta = pa.accounts.get(pa.active) if pa.active else None
        if meta is None or meta.store != "keyring" or not meta.fingerprint:
            continue
        p = catalog.lookup(pid)
        if p is None:
            continue
        for var in p.key_env_vars:
            out.setdefault(var, []).append(KeyringEntry(p.id, pa.active, meta.fingerprint))
    return out


def _referenced_later(doc: EnvDoc, st: Statement) -> int | None:
    """Line of a later statement that expands ``${KEY}``, if any."""
    needles = ("${" + st.key + "}", "${" + st.key + ":-")  # type: ignore[operator]
    for other in doc.statements[st.index + 1:]:
        if other.key is not None and any(n in other.body for n in needles):
            return other.line
    return None


def _minimax_fixed_url(url: str) -> str | None:
    host = ep.hostname(url)
    if host not in MINIMAX_HOSTS:
        return None
    path = ep.url_path(url).rstrip("/")
    if not path.endswith("/v1") or "anthropic" in path:
        return None
    base = url.strip().rstrip("/")
    return base[:-3] + "/anthropic"


class _Cleaner:
    def __init__(self, doc: EnvDoc, environ: Mapping[str, str],
                 keyring: dict[str, list[KeyringEntry]],
                 verify: Callable[[str, str], str | None] | None,
                 only_keyring: bool, providers: frozenset[str] | None) -> None:
        self.doc = doc
        self.environ = environ
        self.keyring = keyring
        self.verify = verify
        self.only_keyring = only_keyring
        self.providers = providers
        self.owner, self.known = provider_vars()
        # Why a key must stay in .env even though the keyring has it ("" when the agent
        # can read the keyring): removing it would leave the agent without a key.
        self.agent_blind_to_keyring = ""
        if keyring:
            from ..sources.agent_keyring import agent_reads_keyring

            reads, why = agent_reads_keyring(environ)
            self.agent_blind_to_keyring = "" if reads else why
        self.res = CleanResult()
        self._verified: dict[tuple[str, str], str | None] = {}

    def run(self) -> CleanResult:
        by_key: dict[str, list[Statement]] = {}
        for st in self.doc.bindings():
            by_key.setdefault(st.key, []).append(st)  # type: ignore[arg-type]
        if not self.only_keyring:
            for key, sts in by_key.items():
                if len(sts) > 1:
                    self._duplicates(key, sts)
        for st in list(self.doc.bindings()):
            if sum(1 for o in by_key[st.key] if o.key is not None) > 1:  # type: ignore[index]
                continue  # an earlier duplicate survived (see _duplicates): leave the key alone
            self._statement(st)
        self.res.fixes.sort(key=lambda f: f.line)
        return self.res

    # -- rules ----------------------------------------------------------------------
    def _duplicates(self, key: str, sts: list[Statement]) -> None:
        winner = sts[-1]
        for st in sts[:-1]:
            ref = _referenced_later(self.doc, st)
            if ref is not None:
                self.res.warnings.append(
                    f"line {st.line}: {key} is set again on line {winner.line} (the later one wins), "
                    f"but line {ref} expands ${{{key}}} in between; left as it is")
                continue
            line = st.line
            if (st.value or "") in ("", winner.value or ""):
                self.doc.remove(st)
                self.res.fixes.append(Fix(line, key, "removed",
                                          f"duplicate; line {winner.line} sets it again and wins "
                                          "(python-dotenv keeps the last)"))
            else:
                self.doc.comment_out(st, f"hermes-accounts: superseded by the later {key} "
                                         "(python-dotenv keeps the last one)")
                self.res.fixes.append(Fix(line, key, "commented out",
                                          f"duplicate with a different value; line {winner.line} "
                                          "wins (python-dotenv keeps the last)"))

    def _statement(self, st: Statement) -> None:
        key = st.key
        assert key is not None
        value = (st.value or "").strip()
        if self._keyring_rule(st, key, value) or self.only_keyring:
            return
        if key == "ANTHROPIC_AUTH_TOKEN":
            self._disable(st, key, value, "Hermes never reads ANTHROPIC_AUTH_TOKEN (Claude Code's "
                                          "name) and the Anthropic SDK would send it; use "
                                          "ANTHROPIC_TOKEN or `hermes-accounts set anthropic`",
                          "Hermes never reads ANTHROPIC_AUTH_TOKEN (Claude Code's name)")
            return
        owner = self.owner.get(key)
        if (owner and owner != "anthropic" and key not in ANTHROPIC_SLOTS
                and ep.looks_anthropic(value)):
            name = catalog.get(owner).name
            self._disable(st, key, value, f"an Anthropic token saved under {name}'s variable; "
                                          f"{name} answers 401 to it (store it with "
                                          "`hermes-accounts set anthropic`)",
                          f"an Anthropic token, never valid for {name}")
            return
        if key in MINIMAX_URL_VARS and st.value:
            fixed = _minimax_fixed_url(st.value)
            if fixed and self._safe(st):
                line = st.line
                self.doc.set_value(st, fixed)
                self.res.expected[key] = fixed
                self.res.fixes.append(Fix(line, key, "rewritten",
                                          f"the stale MiniMax /v1 URL → {fixed} (/v1 puts MiniMax "
                                          "on chat completions, which answers 401)"))
            return
        if st.value == "" and key in self.known and key not in ANTHROPIC_SLOTS and self._safe(st):
            line = st.line
            shell = (self.environ.get(key) or "").strip()
            effect = (f"it blanked the {key} exported in the shell" if shell else
                      "with override=True it blanks any exported value (shell, systemd, "
                      "the keyring plugin)")
            self.doc.remove(st)
            self.res.expected[key] = ABSENT
            self.res.fixes.append(Fix(line, key, "removed", f"empty {key}= line: {effect}"))

    def _keyring_rule(self, st: Statement, key: str, value: str) -> bool:
        entries = self.keyring.get(key)
        if not entries or not value:
            return False
        fp = Secret(value).fingerprint
        for e in entries:
            if self.providers is not None and e.provider not in self.providers:
                continue
            if e.fingerprint != fp:
                continue
            if self.agent_blind_to_keyring:
                self.res.warnings.append(
                    f"line {st.line}: {key} is also in the OS keyring ({e.provider}/{e.account}) but "
                    f"stays here: {self.agent_blind_to_keyring}")
                return True
            if not self._confirmed(e):
                self.res.warnings.append(
                    f"line {st.line}: {key} matches {e.provider}/{e.account} in accounts.json, but "
                    "the OS keyring could not confirm it holds that key; left in .env")
                return True
            if not self._safe(st):
                return True
            line = st.line
            self.doc.replace(st, [f"# {key}: in the OS keyring (hermes-accounts "
                                  f"{e.provider}/{e.account})"])
            self.res.expected[key] = ABSENT
            self.res.fixes.append(Fix(line, key, "removed",
                                      f"the same key is in the OS keyring "
                                      f"({e.provider}/{e.account}); the line now says so"))
            shell = (self.environ.get(key) or "").strip()
            if shell and Secret(shell).fingerprint != fp:
                self.res.warnings.append(
                    f"the shell exports a different {key} ({Secret(shell).masked}); without the "
                    f".env line it wins over the keyring — `unset {key}` in your shell profile")
            return True
        return False

    def _confirmed(self, e: KeyringEntry) -> bool:
        if self.verify is None:
            return True
        k = (e.provider, e.account)
        if k not in self._verified:
            try:
                self._verified[k] = self.verify(e.provider, e.account)
            except Exception:
                self._verified[k] = None
        return self._verified[k] == e.fingerprint

    def _disable(self, st: Statement, key: str, value: str, reason: str, note: str) -> None:
        if not self._safe(st):
            return
        line = st.line
        elsewhere = [o for o in self.doc.bindings()
                     if o is not st and o.key in ANTHROPIC_SLOTS and (o.value or "").strip() == value]
        if not value or elsewhere:
            self.doc.remove(st)
            why = ("empty" if not value else
                   f"the same value is in {elsewhere[0].key} (line {elsewhere[0].line})")
            self.res.fixes.append(Fix(line, key, "removed", f"{reason}; {why}"))
        else:
            self.doc.comment_out(st, f"hermes-accounts: disabled: {note}")
            self.res.fixes.append(Fix(line, key, "commented out", reason))
        self.res.expected[key] = ABSENT

    def _safe(self, st: Statement) -> bool:
        ref = _referenced_later(self.doc, st)
        if ref is None:
            return True
        self.res.warnings.append(f"line {st.line}: {st.key} is expanded by line {ref} "
                                 f"(${{{st.key}}}); left as it is")
        return False


def clean(doc: EnvDoc, environ: Mapping[str, str], *,
          keyring: dict[str, list[KeyringEntry]] | None = None,
          verify: Callable[[str, str], str | None] | None = None,
          only_keyring: bool = False, providers: frozenset[str] | None = None) -> CleanResult:
    """Apply the rules to ``doc`` in place; return what was done and what to expect."""
    return _Cleaner(doc, environ, keyring or {}, verify, only_keyring, providers).run()


def dotenv_view(bindings: list[tuple[str, str | None]], environ: Mapping[str, str]) -> dict[str, str | None]:
    """python-dotenv's values (``load_dotenv(override=True)``) for parsed bindings, ``${}`` expanded."""
    return dotenv_grammar.resolve(bindings, environ, override=True)


def verify(before: EnvDoc, after_text: str, environ: Mapping[str, str],
           expected: dict[str, object]) -> list[str]:
    """Variables whose value changed though no rule meant to change them (empty: all good).

    ``after_text`` is parsed afresh, so an edit that reads back differently from
    what it meant is caught too. Hermes' sanitiser is not needed here: it works
    line by line, and every line no rule owns is byte-identical before and after.
    """
    after = EnvDoc.parse(after_text.encode("utf-8"))
    old = dotenv_view([(s.key, s.value) for s in before.bindings()], environ)  # type: ignore[misc]
    new = dotenv_view([(s.key, s.value) for s in after.bindings()], environ)  # type: ignore[misc]
    bad = []
    for key in sorted(set(old) | set(new)):
        want = expected.get(key, old.get(key, ABSENT) if key in old else ABSENT)
        got = new[key] if key in new else ABSENT
        if want is not got and want != got:
            bad.append(key)
    return bad
