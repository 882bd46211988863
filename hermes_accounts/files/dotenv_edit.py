"""A line-preserving ``.env`` editor: change one statement, keep every other byte.

The file is split into python-dotenv's own statements
(:mod:`hermes_accounts.sources.dotenv_grammar` is a faithful port of its
parser), each carrying its exact original text. An edit replaces the text of
one statement; everything else — comments, blank lines, ``export`` prefixes,
quoting, CRLF, a UTF-8 BOM, unicode, multi-line quoted values, the missing
newline at the end — is written back exactly as read. The concatenation of all
statements is the decoded file, which :func:`EnvDoc.parse` asserts.

Files Hermes cannot read are refused rather than "repaired" blindly: UTF-32,
bytes that are not UTF-8, and statements python-dotenv cannot parse.
"""

from __future__ import annotations

import codecs
import re

from ..sources import dotenv_grammar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

_LEAD = re.compile(r"\s*")
_HEAD = re.compile(r"[^\S\r\n]*(?:export[^\S\r\n]+)?(?:'[^']+'|[^=\#\s]+)[^\S\r\n]*=[^\S\r\n]*")
_SQ = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
_DQ = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_UNQUOTED = re.compile(r"[^\r\n]*")
_INLINE_COMMENT = re.compile(r"\s+#.*")
_NEWLINE = re.compile(r"\r\n|\n|\r")
_SAFE_UNQUOTED = re.compile(r"[A-Za-z0-9_./:@%+=,~-]*")


class EnvFileError(ValueError):
    """The ``.env`` cannot be edited safely; the message is one line with the fix."""


class Statement:
    """One python-dotenv statement: leading blank lines, its own text, and what it binds."""

    __slots__ = ("body", "index", "key", "lead", "line", "value")

    def __init__(self, index: int, lead: str, body: str, key: str | None, value: str | None,
                 line: int) -> None:
        self.index = index
        self.lead = lead      # blank lines before the statement (kept on every edit)
        self.body = body      # indentation + the statement + its newline
        self.key = key
        self.value = value
        self.line = line      # 1-based line where the statement itself starts

    @property
    def text(self) -> str:
        return self.lead + self.body

    @property
    def newline(self) -> str:
        m = re.search(r"(\r\n|\n|\r)$", self.body)
        return m.group(1) if m else ""

    def value_span(self) -> tuple[int, int, str] | None:
        """(start, end, quote) of the value inside :attr:`body`; quote is ``'``, ``"`` or ``""``."""
        if self.key is None or self.value is None:
            return None
        head = _HEAD.match(self.body)
        if head is None:
            return None
        start = head.end()
        ch = self.body[start:start + 1]
        if ch in ("'", '"'):
            m = (_SQ if ch == "'" else _DQ).match(self.body, start)
            return (m.start(), m.end(), ch) if m else None
        part = _UNQUOTED.match(self.body, start).group(0)  # type: ignore[union-attr]
        value = _INLINE_COMMENT.sub("", part).rstrip()
        return start, start + len(value), ""

    def __repr__(self) -> str:
        return f"Statement(line={self.line}, key={self.key!r})"


_Row = tuple[str, str, "str | None", "str | None", int, bool]


class EnvDoc:
    """A parsed ``.env``: the statements plus how to encode them back to the same bytes."""

    def __init__(self, statements: list[Statement], *, bom: bool, newline: str,
                 note: str | None = None) -> None:
        self.statements = statements
        self.bom = bom
        self.newline = newline          # the file's usual line ending, for inserted lines
        self.note = note                # e.g. "converted from UTF-16 (as Hermes does)"

    # -- reading ----------------------------------------------------------------
    @classmethod
    def parse(cls, raw: bytes, path: str = ".env") -> EnvDoc:
        """Split ``raw`` into statements; raise :class:`EnvFileError` when Hermes could not read it."""
        note = None
        bom = False
        if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            raise EnvFileError(f"{path} is UTF-32 encoded, which Hermes refuses to read; "
                               "save it as UTF-8 and run again (nothing was written)")
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            try:
                text = raw.decode("utf-16")
            except UnicodeDecodeError:
                raise EnvFileError(f"{path} is not valid UTF-16; save it as UTF-8 "
                                   "(nothing was written)") from None
            note = "converted from UTF-16 to UTF-8 (Hermes does the same on its next start)"
        else:
            from .utf8 import decode_utf8

            text, bom = decode_utf8(raw, path, EnvFileError, "save the file as UTF-8")
        if "\x00" in text:
            raise EnvFileError(f"{path}:{text[:text.index(chr(0))].count(chr(10)) + 1}: contains NUL "
                               "bytes; remove them (Hermes strips them) — nothing was written")
        if text.startswith("\ufeff"):
            raise EnvFileError(f"{path} starts with two byte-order marks; remove them "
                               "(nothing was written)")
        statements: list[Statement] = []
        for lead, body, key, value, start_line, error in _statements(text):
            if error:
                head = body.strip().split("=", 1)[0][:40]
                raise EnvFileError(
                    f"{path}:{start_line}: python-dotenv cannot parse the line starting "
                    f"{head!r} (Hermes ignores it); fix or delete that line and run again "
                    "(nothing was written)")
            statements.append(Statement(len(statements), lead, body, key, value, start_line))
        doc = cls(statements, bom=bom, newline=_dominant_newline(text), note=note)
        if doc.text() != text:  # pragma: no cover - guards the grammar port
            raise EnvFileError(f"{path}: internal error splitting the file; nothing was written")
        return doc

    def text(self) -> str:
        return "".join(s.text for s in self.statements)

    def clone(self) -> EnvDoc:
        """An independent copy to edit (parsing a 2,000-line file twice costs more)."""
        sts = [Statement(s.index, s.lead, s.body, s.key, s.value, s.line) for s in self.statements]
        return EnvDoc(sts, bom=self.bom, newline=self.newline, note=self.note)

    def to_bytes(self) -> bytes:
        data = self.text().encode("utf-8")
        return codecs.BOM_UTF8 + data if self.bom else data

    def bindings(self) -> list[Statement]:
        return [s for s in self.statements if s.key is not None]

    # -- editing (each returns the statement's new body) ----------------------------
    def remove(self, st: Statement) -> None:
        """Delete the statement's own lines; the blank lines before it stay."""
        st.body = ""
        st.key = None
        st.value = None

    def replace(self, st: Statement, lines: list[str]) -> None:
        """Replace the statement by these lines (comments), indented like it was."""
        indent = st.body[:len(st.body) - len(st.body.lstrip(" \t"))]
        nl = st.newline or self.newline
        body = nl.join(indent + ln for ln in lines)
        st.body = body + st.newline
        st.key = None
        st.value = None

    def comment_out(self, st: Statement, note: str) -> None:
        """Turn the statement into comments, preceded by ``note``; its text stays readable."""
        nl = st.newline or self.newline
        own = st.body[:len(st.body) - len(st.newline)] if st.newline else st.body
        lines = [f"# {note}"] + ["# " + ln.lstrip(" \t") if i == 0 else "# " + ln
                                 for i, ln in enumerate(_NEWLINE.split(own))]
        st.body = nl.join(lines) + st.newline
        st.key = None
        st.value = None

    def append(self, key: str, value: str) -> Statement:
        """Add ``KEY=value`` as a new last line (after a newline if the file lacked one)."""
        if self.statements:
            last = self.statements[-1]
            if last.body and not last.body.endswith(("\n", "\r")):
                last.body += self.newline
            elif not last.body and last.lead and not last.lead.endswith(("\n", "\r")):
                last.lead += self.newline
        line = 1 + sum(len(_NEWLINE.findall(s.text)) for s in self.statements)
        st = Statement(len(self.statements), "", f"{key}={quote_value(value)}{self.newline}", key, value,
                       line)
        self.statements.append(st)
        return st

    def set_value(self, st: Statement, value: str) -> None:
        """Replace only the value, keeping key, ``export``, quote style and inline comment."""
        span = st.value_span()
        if span is None:
            raise EnvFileError(f"line {st.line}: cannot locate the value of {st.key}")
        start, end, quote = span
        st.body = st.body[:start] + quote_value(value, quote) + st.body[end:]
        st.value = value


def _statements(text: str) -> Iterator[_Row]:
    """(lead, body, key, value, line, error) for every statement, comments and blank lines included.

    Plain lines (ASCII; a bare, ``'single'`` or ``"double"`` quoted value without
    backslashes) are read with string methods, exactly as python-dotenv reads
    them; anything else goes through the full grammar (python-dotenv's own
    statement loop, ported in :mod:`~hermes_accounts.sources.dotenv_grammar`)
    for one statement, which covers escapes and multi-line quoted values.
    (``dotenv_grammar.parse`` skips comment and blank lines — the resolver does
    not need them — so this uses ``parse_statement``: an editor needs every byte.)
    """
    pos, line, size = 0, 1, len(text)
    lead_start, lead_line = 0, 1
    while pos < size:
        end = text.find("\n", pos)
        end = size if end < 0 else end + 1
        raw = text[pos:end]
        content = raw[:-2] if raw.endswith("\r\n") else raw[:-1] if raw.endswith("\n") else raw
        if not content.strip(" \t") and content.isascii() and "\r" not in content:
            pos, line = end, line + 1  # a blank line: part of the next statement's lead
            continue
        row = _plain(content, raw)
        if row is not None:
            key, value = row
            yield text[lead_start:pos], raw, key, value, line, False
            pos, line = end, line + 1
            lead_start, lead_line = pos, line
            continue
        b, stop = dotenv_grammar.parse_statement(text, lead_start, lead_line)
        original = text[lead_start:stop]
        lead_len = _LEAD.match(original).end()  # type: ignore[union-attr]
        # the statement's own indentation stays with its body
        nl_end = max(original.rfind("\n", 0, lead_len), original.rfind("\r", 0, lead_len)) + 1
        lead, body = original[:nl_end], original[nl_end:]
        yield lead, body, b.key, b.value, lead_line + len(_NEWLINE.findall(lead)), b.error
        pos, line = stop, lead_line + len(_NEWLINE.findall(original))
        lead_start, lead_line = pos, line
    if lead_start < size:
        yield text[lead_start:], "", None, None, line, False


_NOT_PLAIN = ("\\", "\r")


def _plain(content: str, raw: str) -> tuple[str | None, str | None] | None:
    """(key, value) of a comment or plain ``[export ]KEY=value`` line; None: use the grammar."""
    if not content.isascii() or any(c in content for c in _NOT_PLAIN) \
            or not content.replace("\t", " ").isprintable():
        return None
    stripped = content.strip(" \t")
    if stripped[0] == "#":
        return None, None
    body = stripped
    if body.startswith("export") and body[6:7] in (" ", "\t"):
        body = body[7:].lstrip(" \t")
    key, eq, rest = body.partition("=")
    key = key.rstrip(" \t")
    if not eq or not key or any(c in key for c in " \t#'\""):
        return None
    value = rest.lstrip(" \t")
    spaced = len(value) < len(rest)
    if not value:
        return key, ""
    quote = value[0]
    if quote in ("'", '"'):
        close = value.find(quote, 1)
        if close < 0:
            return None
        tail = value[close + 1:].strip(" \t")
        if tail and tail[0] != "#":
            return None
        return key, value[1:close]
    if value[0] == "#" and spaced:
        return key, ""  # `KEY= # note`: python-dotenv reads an empty value
    if "'" in value or '"' in value:
        return None
    cut = _INLINE_COMMENT.search(value)
    return key, (value[:cut.start()] if cut else value).rstrip()


def quote_value(value: str, prefer: str = "") -> str:
    """The value as python-dotenv will read it back, in the preferred quote style if possible."""
    if "\n" in value or "\r" in value:
        raise ValueError("multi-line values are not written")
    if prefer == "'" and "'" not in value and "\\" not in value:
        return f"'{value}'"
    if prefer == "" and _SAFE_UNQUOTED.fullmatch(value) and "${" not in value:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    if crlf > lf and crlf >= cr:
        return "\r\n"
    if cr > lf:
        return "\r"
    return "\n"
