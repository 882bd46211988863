"""An isolated ``$HERMES_HOME`` per test, sentinel keys, and a real-process CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def sentinel(prefix: str = "sk-test-") -> str:
    """A unique, realistic-looking key that must never appear in any output."""
    return f"{prefix}SENTINEL{uuid.uuid4().hex}"


class Home:
    """A throwaway Hermes home plus the environment a command runs with."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / "hermes"
        self.path.mkdir()
        self.user_home = root / "user"
        self.user_home.mkdir()
        self.env: dict[str, str] = {
            "HOME": str(self.user_home),
            "HERMES_HOME": str(self.path),
            "PATH": os.environ.get("PATH", ""),
            "NO_COLOR": "1",
            # Model a user whose agent reads the keyring (the plugin's job); tests of the
            # default, plugin-less behaviour remove it.
            "HERMES_ACCOUNTS_AGENT_READS_KEYRING": "1",
        }
        for keep in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "SYSTEMROOT", "PYTHONPATH"):
            if keep in os.environ:
                self.env[keep] = os.environ[keep]

    def dotenv(self, text: str) -> Path:
        p = self.path / ".env"
        p.write_text(text, encoding="utf-8")
        return p

    def config(self, text: str) -> Path:
        p = self.path / "config.yaml"
        p.write_text(text, encoding="utf-8")
        return p

    def auth_json(self, data: dict) -> Path:
        import json

        p = self.path / "auth.json"
        p.write_text(json.dumps(data), encoding="utf-8")
        return p

    def claude_credentials(self, token: str, *, expires_ms: int | None = None) -> Path:
        import json
        import time

        d = self.user_home / ".claude"
        d.mkdir(exist_ok=True)
        p = d / ".credentials.json"
        p.write_text(json.dumps({"claudeAiOauth": {
            "accessToken": token, "refreshToken": "rt-" + token[-12:],
            "expiresAt": expires_ms or int((time.time() + 3600) * 1000),
            "scopes": ["user:inference"]}}), encoding="utf-8")
        return p

    def run(self, *args: str, stdin: str | None = None, env: dict | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run the real ``hermes-accounts`` in a subprocess (what users run)."""
        full_env = {**self.env, **(env or {})}
        return subprocess.run([sys.executable, "-m", "hermes_accounts", *args], input=stdin,
                              capture_output=True, text=True, env=full_env, cwd=str(ROOT),
                              timeout=timeout)

    def inputs(self, environ: dict | None = None, **kw):
        from hermes_accounts.resolver import Inputs

        return Inputs.load(self.path, {**self.env, **(environ or {})}, **kw)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


@pytest.fixture(autouse=True)
def _backups_stay_in_tmp(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process writes back up into a temp dir, never the developer's ~/.local/state; and the
    agent is modelled as reading the keyring (tests of the plugin-less default unset it)."""
    monkeypatch.setenv("HERMES_ACCOUNTS_AGENT_READS_KEYRING", "1")
    if "HERMES_ACCOUNTS_BACKUP_DIR" not in os.environ:
        monkeypatch.setenv("HERMES_ACCOUNTS_BACKUP_DIR", str(tmp_path_factory.mktemp("backups")))
