"""python-dotenv's ``.env`` grammar, without python-dotenv's import cost.

Hermes loads ``$HERMES_HOME/.env`` with python-dotenv, so the resolver must read
the file exactly as python-dotenv does. ``import dotenv`` costs ~50 ms (logging,
tempfile, pathlib …), more than the resolver's whole start-up budget, so this
module ports the parser and variable expansion of python-dotenv 1.2
(BSD-3-Clause, ``dotenv/parser.py`` and ``dotenv/variables.py``) to plain
``re``. ``tests/test_dotenv_grammar.py`` checks it against the real library on
generated files.
"""

from __future__ import annotations

import codecs
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping



class _Patterns:
    """python-dotenv's regular expressions, compiled on first use.

    Most ``.env`` files are plain ``KEY=value`` lines that :func:`_simple_line`
    reads with string methods; compiling these ~17 patterns costs more than
    parsing such a file, so it happens only for the first line that needs them.
    """

    def __init__(self) -> None:
        self.newline = re.compile(r"(\r\n|\n|\r)")
        self.multiline_whitespace = re.compile(r"\s*", re.MULTILINE)
        self.whitespace = re.compile(r"[^\S\r\n]*")
        self.export = re.compile(r"(?:export[^\S\r\n]+)?")
        self.single_quoted_key = re.compile(r"'([^']+)'")
        self.unquoted_key = re.compile(r"([^=\#\s]+)")
        self.equal_sign = re.compile(r"(=[^\S\r\n]*)")
        self.single_quoted_value = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
        self.double_quoted_value = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
        self.unquoted_value = re.compile(r"([^\r\n]*)")
        self.comment = re.compile(r"(?:[^\S\r\n]*#[^\r\n]*)?")
        self.end_of_line = re.compile(r"[^\S\r\n]*(?:\r\n|\n|\r|$)")
        self.rest_of_line = re.compile(r"[^\r\n]*(?:\r|\n|\r\n)?")
        self.double_quote_escapes = re.compile(r"\\[\\'\"abfnrtv]")
        self.single_quote_escapes = re.compile(r"\\[\\']")
        self.inline_comment = re.compile(r"\s+#.*")
        self.posix_variable = re.compile(r"\$\{(?P<name>[^\}:]*)(?::-(?P<default>[^\}]*))?\}")


_compiled: _Patterns | None = None


def _rx() -> _Patterns:
    global _compiled
    if _compiled is None:
        _compiled = _Patterns()
    return _compiled


class Binding:
    """One parsed statement: ``key``/``value`` (None when absent), its text and line.

    A slotted class, not a NamedTuple: ``typing`` is not imported on the hot path.
    """

    __slots__ = ("error", "key", "line", "original", "value")

    def __init__(self, key: str | None, value: str | None, original: str, line: int,
                 error: bool) -> None:
        self.key = key
        self.value = value
        self.original = original
        self.line = line
        self.error = error

    def __repr__(self) -> str:
        return f"Binding(line={self.line}, key={self.key!r}, error={self.error})"


class _Error(Exception):
    pass


class _Reader:
    __slots__ = ("line", "mark_line", "mark_pos", "pos", "string")

    def __init__(self, text: str) -> None:
        self.string = text
        self.pos = 0
        self.line = 1
        self.mark_pos = 0
        self.mark_line = 1

    def has_next(self) -> bool:
        return self.pos < len(self.string)

    def set_mark(self) -> None:
        self.mark_pos, self.mark_line = self.pos, self.line

    def marked(self) -> str:
        return self.string[self.mark_pos:self.pos]

    def peek(self, count: int) -> str:
        return self.string[self.pos:self.pos + count]

    def read_regex(self, regex: re.Pattern[str]) -> tuple[str, ...]:
        match = regex.match(self.string, self.pos)
        if match is None:
            raise _Error
        text = self.string[match.start():match.end()]
        self.pos += len(text)
        self.line += len(_rx().newline.findall(text))
        return match.groups()


def _decode_escapes(regex: re.Pattern[str], string: str) -> str:
    return regex.sub(lambda m: codecs.decode(m.group(0), "unicode-escape"), string)


def _parse_value(reader: _Reader) -> str:
    char = reader.peek(1)
    if char == "'":
        (value,) = reader.read_regex(_rx().single_quoted_value)
        return _decode_escapes(_rx().single_quote_escapes, value)
    if char == '"':
        (value,) = reader.read_regex(_rx().double_quoted_value)
        return _decode_escapes(_rx().double_quote_escapes, value)
    if char in ("", "\n", "\r"):
        return ""
    (part,) = reader.read_regex(_rx().unquoted_value)
    return _rx().inline_comment.sub("", part).rstrip()


def _statement_line(reader: _Reader) -> int:
    """The line the statement itself starts on (python-dotenv reports the line
    where the preceding blank lines start, which misleads; we show the real one)."""
    original = reader.marked()
    lead = len(original) - len(original.lstrip())
    return reader.mark_line + len(_rx().newline.findall(original[:lead]))


def _parse_binding(reader: _Reader) -> Binding:
    reader.set_mark()
    try:
        reader.read_regex(_rx().multiline_whitespace)
        if not reader.has_next():
            return Binding(None, None, reader.marked(), reader.mark_line, False)
        reader.read_regex(_rx().export)
        if reader.peek(1) == "#":
            key = None
        elif reader.peek(1) == "'":
            (key,) = reader.read_regex(_rx().single_quoted_key)
        else:
            (key,) = reader.read_regex(_rx().unquoted_key)
        reader.read_regex(_rx().whitespace)
        value: str | None
        if reader.peek(1) == "=":
            (equal_sign,) = reader.read_regex(_rx().equal_sign)
            if len(equal_sign) > 1 and reader.peek(1) == "#":
                value = ""
            else:
                value = _parse_value(reader)
        else:
            value = None
        reader.read_regex(_rx().comment)
        reader.read_regex(_rx().end_of_line)
        return Binding(key, value, reader.marked(), _statement_line(reader), False)
    except _Error:
        reader.read_regex(_rx().rest_of_line)
        return Binding(None, None, reader.marked(), _statement_line(reader), True)


_SKIP = Binding(None, None, "", 0, False)
_PLAIN_BAD = ("'", '"', "\\", "#")


def _simple_line(line: str, number: int) -> Binding | None:
    """Read a plain line with string methods, exactly as python-dotenv would.

    Returns ``_SKIP`` for blank and comment lines, a binding for a plain
    ``[export ]KEY=value`` line, or None when the line needs the full grammar
    (quotes, escapes, inline ``#``, non-ASCII, control characters, no ``=``).
    """
    stripped = line.strip(" \t")
    if not stripped:
        return _SKIP if line.isascii() else None
    if not line.isascii() or not line.replace("\t", " ").isprintable():
        return None
    if stripped[0] == "#":
        return _SKIP
    if any(ch in stripped for ch in _PLAIN_BAD):
        return None
    body = stripped
    if body.startswith("export") and body[6:7] in (" ", "\t"):
        body = body[7:].lstrip(" \t")
    key, eq, value = body.partition("=")
    key = key.rstrip(" \t")
    if not eq or not key or " " in key or "\t" in key:
        return None
    return Binding(key, value.strip(" \t"), line + "\n", number, False)


def parse_statement(text: str, pos: int, line: int) -> tuple[Binding, int]:
    """One statement of the full grammar starting at ``pos`` (on line ``line``).

    Returns the binding (comments and blank runs included, as python-dotenv
    yields them) and the offset just past it. For editors that need every byte;
    the resolver uses :func:`parse`.
    """
    reader = _Reader(text)
    reader.pos, reader.line = pos, line
    return _parse_binding(reader), reader.pos


def parse(text: str) -> Iterator[Binding]:
    """Yield every statement of a ``.env`` text, errors included, in order."""
    text = text.removeprefix("\ufeff")
    pos, number = 0, 1
    if "\r" not in text:
        size = len(text)
        while pos < size:
            end = text.find("\n", pos)
            line = text[pos:] if end < 0 else text[pos:end]
            binding = _simple_line(line, number)
            if binding is None:
                break
            if binding is not _SKIP:
                yield binding
            pos = size if end < 0 else end + 1
            number += 1
        else:
            return
    reader = _Reader(text)
    reader.pos, reader.line = pos, number
    while reader.has_next():
        yield _parse_binding(reader)


def expand(value: str, env: Mapping[str, str | None]) -> str:
    """POSIX ``${NAME}`` / ``${NAME:-default}`` expansion as python-dotenv does it."""
    if "${" not in value:
        return value
    out: list[str] = []
    cursor = 0
    for match in _rx().posix_variable.finditer(value):
        start, end = match.span()
        if start > cursor:
            out.append(value[cursor:start])
        default = match["default"] if match["default"] is not None else ""
        result = env.get(match["name"], default)
        out.append(result if result is not None else "")
        cursor = end
    out.append(value[cursor:])
    return "".join(out)


def resolve(bindings: list[tuple[str, str | None]], environ: Mapping[str, str],
            *, override: bool = True) -> dict[str, str | None]:
    """python-dotenv's ``resolve_variables``: expand each value in file order."""
    new_values: dict[str, str | None] = {}
    for name, value in bindings:
        if value is None:
            new_values[name] = None
            continue
        if "${" in value:
            env: dict[str, str | None] = {}
            if override:
                env.update(environ)
                env.update(new_values)
            else:
                env.update(new_values)
                env.update(environ)
            value = expand(value, env)
        new_values[name] = value
    return new_values
