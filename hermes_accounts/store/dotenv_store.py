"""The explicit plaintext opt-in: one ``VAR=value`` line in ``$HERMES_HOME/.env``.

Deliberately minimal — replace or remove the lines binding one variable,
atomically, 0600, keeping ``.env.bak``. The ``files`` layer will offer the full
``.env`` writer (comments, quoting, Hermes' parser as judge); until then this
keeps ``--store dotenv`` and ``import`` self-contained. Other lines are kept
byte for byte.
"""

from __future__ import annotations

import os
import re

from .atomic import write_private


def _binds(line: str, var: str) -> bool:
    return re.match(rf"\s*(?:export\s+)?{re.escape(var)}\s*=", line) is not None


def read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read().splitlines(keepends=True)
    except FileNotFoundError:
        return []


def set_var(path: str, var: str, value: str) -> None:
    """Bind ``var`` to ``value``: the first binding line is replaced, later ones dropped."""
    if any(ch.isspace() for ch in value) or "#" in value or not value:
        raise ValueError("refusing to write a value with whitespace or '#' to .env unquoted")
    lines, out, done = read_lines(path), [], False
    for line in lines:
        if _binds(line, var):
            if not done:
                out.append(f"{var}={value}\n")
                done = True
            continue
        out.append(line)
    if not done:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out.append(f"{var}={value}\n")
    write_private(path, "".join(out))


def remove_var(path: str, var: str) -> bool:
    """Drop every line binding ``var``; False (and no write) when there was none."""
    if not os.path.exists(path):
        return False
    lines = read_lines(path)
    kept = [line for line in lines if not _binds(line, var)]
    if len(kept) == len(lines):
        return False
    write_private(path, "".join(kept))
    return True
