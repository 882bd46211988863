"""The gated credential resolver (pure: inputs in, :class:`Resolution` out).

Imports nothing heavier than the standard library's basics: no textual, httpx,
rich or keyring (``tests/test_import_hygiene.py`` enforces it), because Hermes
runs this at every agent start.
"""

from __future__ import annotations

from .endpoints import is_native_anthropic
from .inputs import Inputs
from .model import Candidate, Resolution
from .resolve import global_warnings, resolve, resolve_all

__all__ = ["Candidate", "Inputs", "Resolution", "global_warnings", "is_native_anthropic",
           "resolve", "resolve_all"]
