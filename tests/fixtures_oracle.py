"""The Hermes oracle: run the real Hermes Agent 0.19 on a scenario and compare with ours.

``HERMES_ORACLE_PYTHON`` names the Python of a venv with ``hermes-agent`` installed
(``scripts/test`` installs ``.venv-hermes`` and always sets it). Without it the
oracle tests skip, saying why; with it set to something broken they fail.

:meth:`Oracle.compare` runs *our* resolver first (Hermes rewrites ``.env`` when it
sanitises it and seeds ``auth.json``, so it must see the files the user wrote),
then ``tests/oracle/hermes_probe.py`` under Hermes' Python, and asserts field by
field: the winning key (by fingerprint), the variable it came from, base URL,
api mode and credential header.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.fixtures_home import ROOT, Home

PROBE = ROOT / "tests" / "oracle" / "hermes_probe.py"

# Hermes returns a credential even when none is configured for these; ours says "none".
PLACEHOLDER_KEYS = {"lmstudio": "dummy-lm-api-key", "custom": "no-key-required"}


class Oracle:
    def __init__(self, python: str) -> None:
        self.python = python
        self.calls = 0

    def ask(self, home: Home, provider: str, env: dict[str, str] | None = None) -> dict:
        """Hermes' answer for ``provider`` ("" = what a bare ``hermes`` start picks)."""
        full = {k: v for k, v in home.env.items() if k != "PYTHONPATH"}
        full.update(env or {})
        full["PYTHONDONTWRITEBYTECODE"] = "1"
        full["HERMES_MANAGED_DIR"] = str(home.root / "no-managed-scope")
        proc = subprocess.run([self.python, str(PROBE), provider, str(home.root)],
                              capture_output=True, text=True, env=full, cwd=str(home.root),
                              timeout=60)
        self.calls += 1
        if os.environ.get("ORACLE_LOG"):  # count the comparisons of a run: ORACLE_LOG=/tmp/x
            with open(os.environ["ORACLE_LOG"], "a", encoding="utf-8") as fh:
                fh.write(f"{provider or '-'}\n")
        assert proc.returncode == 0, f"oracle probe failed:\n{proc.stderr[-2000:]}"
        answer = json.loads(proc.stdout.strip().splitlines()[-1])
        # Isolation is part of every comparison: Hermes saw only the temp home.
        assert answer["outside_writes"] == [], answer["outside_writes"]
        # Only the adapter's `claude --version` lookup (for the OAuth User-Agent) may try one.
        assert set(answer["subprocesses"]) <= {"claude", "claude-code"}, answer["subprocesses"]
        answer["_stderr"] = proc.stderr
        return answer

    def compare(self, home: Home, provider: str, env: dict[str, str] | None = None, *,
                requested: str | None = None, allow_network: bool = False,
                check_header: bool = True):
        """Resolve with ours and with Hermes; assert they agree. Returns (ours, hermes)."""
        from hermes_accounts.resolver import resolve

        ours = resolve(provider, home.inputs(env))
        theirs = self.ask(home, provider if requested is None else requested, env)
        if not allow_network:
            assert theirs["network"] == [], f"Hermes tried the network: {theirs['network']}"
        assert_same(ours, theirs, check_header=check_header)
        return ours, theirs


def hermes_var(source: str | None) -> str | None:
    """``env:VAR`` (Hermes' pool label) or a bare ``VAR`` (its non-pool label) → VAR."""
    if not source:
        return None
    if source.startswith("env:"):
        return source[4:]
    if source.isupper() and source.replace("_", "").isalnum():
        return source
    return None


def assert_same(ours, theirs: dict, *, check_header: bool = True) -> None:
    """Field-by-field agreement between a :class:`Resolution` and the probe's JSON."""
    ctx = f"\nours: {ours.to_dict()}\nhermes: { {k: v for k, v in theirs.items() if k != '_stderr'} }"
    if "error_class" in theirs:
        assert ours.credential is None, f"Hermes found no usable credential, we did{ctx}"
        return
    placeholder = PLACEHOLDER_KEYS.get(ours.provider)
    from hermes_accounts.secret import fingerprint

    if ours.credential is None:
        # Hermes sends a placeholder/short value its pool met first: ours reports "no usable
        # credential" and names exactly that value as the one Hermes sends.
        sent = [c for c in ours.candidates if c.status == "rejected" and c.secret is not None
                and c.secret.fingerprint == theirs["key_fingerprint"]]
        blocked = any(c.reason.startswith(("placeholder", "too short")) for c in sent) and any(
            "sends this value" in w for w in ours.warnings)
        assert blocked or (placeholder and theirs["key_fingerprint"] == fingerprint(placeholder)), (
            f"Hermes found a credential, we did not{ctx}")
    else:
        assert ours.credential.secret.fingerprint == theirs["key_fingerprint"], f"different key{ctx}"
        var = hermes_var(theirs.get("source"))
        if var is not None:
            assert ours.credential.env_var == var, f"different variable{ctx}"
            assert ours.credential.source in (f"dotenv:{var}", f"env:{var}"), ctx
    assert ours.base_url == theirs["base_url"], f"different base URL{ctx}"
    assert ours.api_mode == theirs["api_mode"], f"different api mode{ctx}"
    if check_header and ours.credential is not None and theirs.get("auth_header") is not None:
        assert ours.auth_header == theirs["auth_header"], f"different header{ctx}"
    # A second header the Anthropic SDK would fill from the environment: we must warn about it.
    for header, fp in (theirs.get("sdk_env_headers") or {}).items() if ours.credential else ():
        if fp == theirs["key_fingerprint"]:
            continue  # the same key twice: nothing extra leaves
        var = "ANTHROPIC_API_KEY" if header == "x-api-key" else "ANTHROPIC_AUTH_TOKEN"
        assert any(w.startswith(f"{var} is set") and "SDK" in w for w in ours.warnings), (
            f"Hermes' SDK also sends {header} from {var}; we did not warn{ctx}")


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    python = os.environ.get("HERMES_ORACLE_PYTHON", "").strip()
    if not python:
        pytest.skip("HERMES_ORACLE_PYTHON is unset: no Hermes Agent to compare with "
                    "(scripts/test installs .venv-hermes and sets it)")
    assert Path(python).exists(), f"HERMES_ORACLE_PYTHON={python} does not exist"
    return Oracle(python)
