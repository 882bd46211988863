"""Set or remove one variable in ``$HERMES_HOME/.env`` through the safe writer.

For the explicit plaintext opt-in (``set --store dotenv``) and anything else that
must write a single key: the same guarantees as ``write`` — the home's lock,
a backup outside the home, atomic 0600 replace written through symlinks,
re-plan if Hermes changed the file meanwhile, every other byte kept (comments,
quoting, multi-line values) — and the result verified: only ``VAR`` reads
differently afterwards, or nothing is written.
"""

from __future__ import annotations

import re

from .dotenv_clean import ABSENT, verify
from .dotenv_edit import EnvDoc
from .plan import FilePlan, Plan, PlanError, _snap, env_path, load_env_doc, run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check(var: str) -> None:
    if not _NAME.fullmatch(var or ""):
        raise PlanError(f"{var!r} is not a valid variable name; nothing was written")


def _edit(home: str, var: str, edit: Callable[[EnvDoc], object]) -> Plan:
    from .diffview import EnvDisplay, env_opcodes, raw_lines, secret_values, unified

    plan = Plan(home)
    snap = _snap(env_path(home))
    before = load_env_doc(snap) if snap.exists else EnvDoc([], bom=False, newline="\n")
    after = before.clone()
    want = edit(after)
    bad = verify(before, after.text(), {}, {var: want})
    if var in bad:
        raise PlanError(f"{snap.path}: {var} would not read back as written (python-dotenv expands "
                        "${…} in any value); nothing was written")
    if bad:
        raise PlanError(f"{snap.path}: changing {var} would also change {', '.join(bad[:5])} "
                        f"(a line expands ${{{var}}}); edit it by hand — nothing was written")
    fp = FilePlan(".env", snap, mode=0o600)
    if after.text() != before.text() or (not snap.exists and after.statements):
        fp.new = after.to_bytes()
        secrets = secret_values(before, after)
        fp.diff = unified(raw_lines(before.text()), raw_lines(after.text()), EnvDisplay(before),
                          EnvDisplay(after), snap.path, f"{snap.path} (after)", secrets,
                          ops=env_opcodes(before, after) if snap.exists else None)
    plan.files.append(fp)
    return plan


def set_env_var(home: str, var: str, value: str) -> Plan:
    """Bind ``var`` to ``value``: the last existing line is rewritten in place (quote style
    kept), else a line is appended. Returns the committed plan (``.files[0].backup``)."""
    _check(var)
    if "\n" in value or "\r" in value or "\x00" in value:
        raise PlanError(f"{var}: the value has a line break or NUL byte; nothing was written")

    def edit(doc: EnvDoc) -> str:
        mine = [s for s in doc.bindings() if s.key == var]
        if mine:
            if mine[-1].value != value:
                doc.set_value(mine[-1], value)
        else:
            doc.append(var, value)
        return value

    return run(home, lambda: _edit(home, var, edit))


def remove_env_var(home: str, var: str) -> Plan:
    """Delete every line binding ``var`` (python-dotenv would read the last one)."""
    _check(var)

    def edit(doc: EnvDoc) -> object:
        for s in doc.bindings():
            if s.key == var:
                doc.remove(s)
        return ABSENT

    return run(home, lambda: _edit(home, var, edit))
