"""Decode a file the writers are about to edit: UTF-8, optional BOM, or a one-line error."""

from __future__ import annotations

import codecs


def decode_utf8(raw: bytes, path: str, error: type[Exception], hint: str) -> tuple[str, bool]:
    """(text, had_bom). Invalid UTF-8 raises ``error`` naming the file and line, never the bytes."""
    bom = raw.startswith(codecs.BOM_UTF8)
    if bom:
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not valid UTF-8; {hint} (nothing was written)") from None
