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

_newline = re.compile(r"(\r\n|\n|\r)")
_multiline_whitespace = re.compile(r"\s*", re.MULTILINE)
_whitespace = re.compile(r"[^\S\r\n]*")
_export = re.compile(r"(?:export[^\S\r\n]+)?")
_single_quoted_key = re.compile(r"'([^']+)'")
_unquoted_key = re.compile(r"([^=\#\s]+)")
_equal_sign = re.compile(r"(=[^\S\r\n]*)")
_single_quoted_value = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
_double_quoted_value = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_unquoted_value = re.compile(r"([^\r\n]*)")
_comment = re.compile(r"(?:[^\S\r\n]*#[^\r\n]*)?")
_end_of_line = re.compile(r"[^\S\r\n]*(?:\r\n|\n|\r|$)")
_rest_of_line = re.compile(r"[^\r\n]*(?:\r|\n|\r\n)?")
_double_quote_escapes = re.compile(r"\\[\\'\"abfnrtv]")
_single_quote_escapes = re.compile(r"\\[\\']")
_inline_comment = re.compile(r"\s+#.*")
_posix_variable = re.compile(r"\$\{(?P<name>[^\}:]*)(?::-(?P<default>[^\}]*))?\}")


class Binding:
    """One parsed statement: ``key``/``value`` (None when absent), its text and line.

    A slotted class, not a NamedTuple: ``typing`` is not imported on the hot path.
    """

    __slots__ = ("key", "value", "original", "line", "error")

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
    __slots__ = ("string", "pos", "line", "mark_pos", "mark_line")

    def __init__(self, text: str) -> None:
        self.string = text.removeprefix("\ufeff")
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
        self.line += len(_newline.findall(text))
        return match.groups()


def _decode_escapes(regex: re.Pattern[str], string: str) -> str:
    return regex.sub(lambda m: codecs.decode(m.group(0), "unicode-escape"), string)


def _parse_value(reader: _Reader) -> str:
    char = reader.peek(1)
    if char == "'":
        (value,) = reader.read_regex(_single_quoted_value)
        return _decode_escapes(_single_quote_escapes, value)
    if char == '"':
        (value,) = reader.read_regex(_double_quoted_value)
        return _decode_escapes(_double_quote_escapes, value)
    if char in ("", "\n", "\r"):
        return ""
    (part,) = reader.read_regex(_unquoted_value)
    return _inline_comment.sub("", part).rstrip()


def _parse_binding(reader: _Reader) -> Binding:
    reader.set_mark()
    try:
        reader.read_regex(_multiline_whitespace)
        if not reader.has_next():
            return Binding(None, None, reader.marked(), reader.mark_line, False)
        reader.read_regex(_export)
        if reader.peek(1) == "#":
            key = None
        elif reader.peek(1) == "'":
            (key,) = reader.read_regex(_single_quoted_key)
        else:
            (key,) = reader.read_regex(_unquoted_key)
        reader.read_regex(_whitespace)
        value: str | None
        if reader.peek(1) == "=":
            (equal_sign,) = reader.read_regex(_equal_sign)
            if len(equal_sign) > 1 and reader.peek(1) == "#":
                value = ""
            else:
                value = _parse_value(reader)
        else:
            value = None
        reader.read_regex(_comment)
        reader.read_regex(_end_of_line)
        return Binding(key, value, reader.marked(), reader.mark_line, False)
    except _Error:
        reader.read_regex(_rest_of_line)
        return Binding(None, None, reader.marked(), reader.mark_line, True)


def parse(text: str) -> Iterator[Binding]:
    """Yield every statement of a ``.env`` text, errors included, in order."""
    reader = _Reader(text)
    while reader.has_next():
        yield _parse_binding(reader)


def expand(value: str, env: Mapping[str, str | None]) -> str:
    """POSIX ``${NAME}`` / ``${NAME:-default}`` expansion as python-dotenv does it."""
    if "${" not in value:
        return value
    out: list[str] = []
    cursor = 0
    for match in _posix_variable.finditer(value):
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
