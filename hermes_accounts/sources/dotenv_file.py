"""Read ``$HERMES_HOME/.env`` the way Hermes reads it, without changing it.

Hermes (``hermes_cli/env_loader.py``) first sanitises the file in place — BOM
sniffing (UTF-16 decoded, UTF-32 refused, UTF-8 BOM dropped), NUL bytes
stripped, each line stripped, ``KEY=a OTHER_KEY=b`` concatenations split on
known names — then loads it with python-dotenv ``override=True``. Credential
lookups later go through Hermes' own line parser (``hermes_cli.config.load_env``)
first. This module reproduces all of that in memory and reports, per line, what
it had to repair, so ``explain`` can say what Hermes will really see.
"""

from __future__ import annotations

import codecs

from . import dotenv_grammar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

# Names ending like this are credentials; Hermes strips non-ASCII from them (#6843).
CREDENTIAL_SUFFIXES = ("_API_KEY", "_TOKEN", "_SECRET", "_KEY")
_STRUCTURED_MARKERS = ("://", "?", "&")


class DotenvSnapshot:
    """What one ``.env`` file contributes, as Hermes would see it."""

    __slots__ = (
        "duplicates",
        "error",
        "exists",
        "hermes_values",
        "line_of",
        "path",
        "values",
        "warnings",
    )

    def __init__(self, path: str) -> None:
        self.path = path
        self.exists = False
        # python-dotenv's view (what load_dotenv(override=True) puts in os.environ).
        self.values: dict[str, str | None] = {}
        # Hermes' own line parser (what get_env_value_prefer_dotenv reads first).
        self.hermes_values: dict[str, str] = {}
        self.line_of: dict[str, int] = {}
        self.duplicates: dict[str, list[int]] = {}
        self.warnings: list[str] = []
        self.error: str | None = None

    def where(self, key: str) -> str:
        line = self.line_of.get(key)
        return f"{self.path}:{line}" if line else str(self.path)


def decode_env_bytes(raw: bytes) -> tuple[list[str] | None, str | None]:
    """Decode like Hermes: returns (lines, warning). ``None`` lines: unreadable."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None, "UTF-32 encoded; Hermes refuses to read it. Save it as UTF-8."
    note = None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            return None, "invalid UTF-16; Hermes cannot read it. Save it as UTF-8."
        note = "UTF-16 encoded; Hermes converts it to UTF-8 on its next start"
    else:
        text = raw.decode("utf-8-sig", errors="replace")
        if text.startswith("\ufffd"):
            return None, "starts with undecodable bytes; Hermes leaves it unsanitised"
        if raw.startswith(codecs.BOM_UTF8):
            note = "has a UTF-8 byte-order mark; Hermes strips it"
    if "\x00" in text:
        text = text.replace("\x00", "")
        note = (note + "; " if note else "") + "contains NUL bytes; Hermes strips them"
    # universal newlines, like open().readlines()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=True)
    return lines, note


def sanitize_lines(lines: list[str], known_keys: frozenset[str]) -> tuple[list[str], list[int]]:
    """Hermes' ``_sanitize_env_lines``: strip each line, split concatenated pairs.

    Returns the new lines and the 1-based numbers of lines that were split.
    """
    out: list[str] = []
    split_lines: list[int] = []
    for number, line in enumerate(lines, 1):
        stripped = line.rstrip("\r\n").strip()
        if not stripped or stripped.startswith("#"):
            out.append(line.rstrip("\r\n") + "\n")
            continue
        ranges: list[tuple[int, int]] = []
        if stripped.count("=") >= 2:  # a concatenation needs two KEY= at least
            for key in known_keys:
                needle = key + "="
                idx = stripped.find(needle)
                while idx >= 0:
                    ranges.append((idx, idx + len(needle)))
                    idx = stripped.find(needle, idx + len(needle))
        positions = sorted({
            s for s, e in ranges
            if not any(s2 <= s and e2 >= e and (s2, e2) != (s, e) for s2, e2 in ranges)
        })
        if len(positions) > 1 and positions[0] == 0:
            segments = [stripped[p:(positions[i + 1] if i + 1 < len(positions) else None)]
                        for i, p in enumerate(positions)]
            if all(not _structured(seg.split("=", 1)[1]) for seg in segments[:-1]):
                out.extend(seg.strip() + "\n" for seg in segments if seg.strip())
                split_lines.append(number)
                continue
        out.append(stripped + "\n")
    return out, split_lines


def _structured(value: str) -> bool:
    return any(m in value for m in _STRUCTURED_MARKERS) or any(c.isspace() for c in value)


def hermes_line_value(raw_value: str) -> str:
    """Hermes' ``_parse_env_value``: the subset of quoting Hermes writes itself."""
    value = raw_value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        out: list[str] = []
        quoted = value[1:-1]
        i = 0
        while i < len(quoted):
            ch = quoted[i]
            if ch == "\\" and i + 1 < len(quoted) and quoted[i + 1] in '"\\':
                out.append(quoted[i + 1])
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def read_dotenv(path: str, environ: Mapping[str, str], known_keys: frozenset[str]) -> DotenvSnapshot:
    """Parse ``path`` as Hermes would; never raises for a bad file, reports instead."""
    snap = DotenvSnapshot(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return snap
    except OSError as exc:
        snap.exists = True
        snap.error = f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})"
        return snap
    snap.exists = True
    lines, note = decode_env_bytes(raw)
    if lines is None:
        snap.error = f"{path}: {note}"
        return snap
    if note:
        snap.warnings.append(f"{path}: {note}")
    sanitized, split = sanitize_lines(lines, known_keys)
    for number in split:
        snap.warnings.append(
            f"{path}:{number}: several KEY=value pairs on one line; Hermes splits them")
    text = "".join(sanitized)
    bindings: list[tuple[str, str | None]] = []
    for b in dotenv_grammar.parse(text):
        if b.error:
            shown = b.original.strip().split("=", 1)[0][:40]
            snap.warnings.append(
                f"{path}:{b.line}: python-dotenv cannot parse this line ({shown!r}…); "
                "Hermes ignores it")
            continue
        if b.key is None:
            continue
        if b.key in snap.line_of:
            snap.duplicates.setdefault(b.key, [snap.line_of[b.key]]).append(b.line)
        snap.line_of[b.key] = b.line
        bindings.append((b.key, b.value))
    snap.values = dotenv_grammar.resolve(bindings, environ, override=True)
    # Hermes' own line parser, on the same sanitised lines.
    for line in sanitized:
        s = line.strip()
        if s and not s.startswith("#") and "=" in s:
            if s.startswith("export "):
                s = s[7:]
            key, _, value = s.partition("=")
            snap.hermes_values[key.strip()] = hermes_line_value(value)
    for key, lines_ in snap.duplicates.items():
        snap.warnings.append(
            f"{path}: {key} is set {len(lines_)} times (lines {', '.join(map(str, lines_))}); "
            f"the last one (line {lines_[-1]}) wins")
    return snap
