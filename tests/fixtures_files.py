"""Helpers for the .env / config.yaml writer tests: judge a file the way Hermes reads it."""

from __future__ import annotations

import codecs
import os
import tempfile

import pytest
import yaml
from dotenv import dotenv_values

from hermes_accounts.resolver.inputs import known_env_keys
from hermes_accounts.sources.dotenv_file import sanitize_lines


def hermes_reads_env(raw: bytes) -> dict[str, str | None]:
    """What Hermes ends up with: its sanitiser (BOM, NUL, strip, split), then the real
    python-dotenv (``dotenv_values`` = the dict ``load_dotenv(override=True)`` applies)."""
    text = raw.decode("utf-8-sig").replace("\x00", "")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=True)
    sanitized, _ = sanitize_lines(lines, known_env_keys())
    fd, path = tempfile.mkstemp(suffix=".env")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(sanitized))
        return dict(dotenv_values(path, interpolate=True, encoding="utf-8"))
    finally:
        os.unlink(path)


def hermes_reads_yaml(raw: bytes) -> object:
    """PyYAML, as Hermes loads config.yaml."""
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return yaml.safe_load(text)


def strip_bom(raw: bytes) -> bytes:
    return raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw


@pytest.fixture
def backup_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Backups of in-process writes go here (not the developer's ~/.local/state)."""
    d = tmp_path / "backups"
    monkeypatch.setenv("HERMES_ACCOUNTS_BACKUP_DIR", str(d))
    return d
