"""Where Hermes keeps its files: ``$HERMES_HOME`` (default ``~/.hermes``).

Plain ``os.path`` strings, not ``pathlib``: this runs at every agent start and
``pathlib`` alone costs more than the whole resolution.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def hermes_home(explicit: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None) -> str:
    """``--home``, else ``$HERMES_HOME``, else ``~/.hermes`` (Hermes' own order)."""
    if explicit:
        return os.path.expanduser(os.fspath(explicit))
    env = os.environ if environ is None else environ
    value = (env.get("HERMES_HOME") or "").strip()
    if value:
        return os.path.expanduser(value)
    return os.path.join(os.path.expanduser("~"), ".hermes")


def claude_credentials_path(environ: Mapping[str, str] | None = None) -> str:
    """Claude Code's credentials file (``$CLAUDE_CONFIG_DIR`` or ``$HOME/.claude``)."""
    env = os.environ if environ is None else environ
    base = (env.get("CLAUDE_CONFIG_DIR") or "").strip()
    if base:
        root = os.path.expanduser(base)
    else:
        root = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".claude")
    return os.path.join(root, ".credentials.json")
