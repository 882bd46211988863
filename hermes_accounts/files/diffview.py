"""Unified diffs of ``.env`` / ``config.yaml`` with every secret masked.

The diff is computed on the real lines (so two keys that mask alike still show
as a change) and *rendered* from masked copies of the same lines: a value is
shown as ``sk-c…7890``, the continuation lines of a multi-line value as ``…``.
Only values of ``*_URL`` variables are shown (their user-info masked), because
the diff exists to show URL fixes. Comments are masked too — a commented-out
key is still a key — and, as a last net, every known secret value is redacted
from every displayed line.
"""

from __future__ import annotations

import difflib
import re

from ..secret import mask, redact
from .dotenv_edit import EnvDoc, Statement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

_NEWLINE = re.compile(r"\r\n|\n|\r")
_NEWLINE_KEEP = re.compile(r"(\r\n|\n|\r)")
_COMMENT_ASSIGN = re.compile(r"^(\s*#+\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=\s*)(.*)$")
_YAML_SECRET = re.compile(
    r"^(\s*(?:-\s+)?['\"]?[\w.-]*(?:key|token|secret|password|passwd|credential|auth)[\w.-]*['\"]?"
    r"\s*:\s+)(\S.*?)(\s+#.*)?$", re.IGNORECASE)
_USERINFO = re.compile(r"(://)([^/@\s]+)@")
_LONG_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.]{20,}")


def _mask_url(url: str) -> str:
    return _USERINFO.sub(lambda m: m.group(1) + "…@", url)


def _mask_token_like(text: str) -> str:
    """Mask long key-looking words (letters and digits, no URL) in free text."""
    def one(m: re.Match[str]) -> str:
        word = m.group(0)
        if "/" in word or not (any(c.isdigit() for c in word) and any(c.isalpha() for c in word)):
            return word
        return mask(word)

    return _LONG_TOKEN.sub(one, text)


def _mask_comment_line(line: str) -> str:
    m = _COMMENT_ASSIGN.match(line)
    if m:
        value = m.group(2)
        key = m.group(1).rstrip(" =\t")
        if key.endswith("_URL"):
            return m.group(1) + _mask_url(value)
        return m.group(1) + (mask(value.strip("'\"")) if value.strip() else value)
    return _mask_token_like(line)


def _display_statement(st: Statement) -> str:
    body = st.body
    span = st.value_span() if st.key else None
    if span is not None and st.value is not None:
        start, end, quote = span
        if st.key.endswith("_URL"):  # type: ignore[union-attr]
            shown = _mask_url(body[start:end])
        else:
            extra = len(_NEWLINE.findall(body[start:end]))
            inner = "…" if extra else (mask(st.value) if st.value else "")
            shown = quote + inner + "\n…" * extra + quote
        return st.lead + body[:start] + shown + body[end:]
    return st.lead + _display_comments(body)


_COMMENT_PREFIX = re.compile(r"^([ \t]*#+[ \t]?)")


def _display_comments(body: str) -> str:
    """Comment lines, masked — including the continuation lines of a commented-out
    multi-line quoted value, which are shown as ``…`` up to the closing quote."""
    pieces = _NEWLINE_KEEP.split(body)
    out: list[str] = []
    quote = ""
    for content in pieces[0::2]:
        if quote:
            m = _COMMENT_PREFIX.match(content)
            prefix = m.group(1) if m else ""
            closed = _closes(content[len(prefix):], quote)
            out.append(prefix + "…" + (quote if closed else ""))
            quote = "" if closed else quote
            continue
        out.append(_mask_comment_line(content))
        m = _COMMENT_ASSIGN.match(content)
        if m:
            value = m.group(2).lstrip()
            if value[:1] in ("'", '"') and not _closes(value[1:], value[0]):
                quote = value[0]
    pieces[0::2] = out
    return "".join(pieces)


def _closes(text: str, quote: str) -> bool:
    """Whether ``text`` holds the closing ``quote`` (backslash escapes skipped)."""
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return True
        i += 1
    return False


class EnvDisplay:
    """The doc's physical lines with values masked, rendered only where a hunk needs them.

    Same length as the raw lines; a 2,000-line file with three changes renders
    a few statements, not 2,000.
    """

    def __init__(self, doc: EnvDoc) -> None:
        self.statements = doc.statements
        self.starts: list[int] = []   # first physical line (0-based) of each statement
        n = 0
        for st in self.statements:
            self.starts.append(n)
            n += count_lines(st.text)
        self.total = n
        self._cache: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return self.total

    def _lines_of(self, i: int) -> list[str]:
        if i not in self._cache:
            self._cache[i] = raw_lines(_display_statement(self.statements[i]))
        return self._cache[i]

    def __getitem__(self, item: slice) -> list[str]:
        import bisect

        start, stop, _ = item.indices(self.total)
        out: list[str] = []
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        while i < len(self.statements) and self.starts[i] < stop:
            lines = self._lines_of(i)
            base = self.starts[i]
            out.extend(ln for k, ln in enumerate(lines, base) if start <= k < stop)
            i += 1
        return out


def secret_values(*docs: EnvDoc) -> list[str]:
    """Every value of every binding (but ``*_URL``), and each line of a multi-line one, for
    the redaction net of :func:`unified`."""
    out: list[str] = []
    for doc in docs:
        for st in doc.bindings():
            if st.value and not (st.key or "").endswith("_URL"):
                out.append(st.value)
                if "\n" in st.value or "\r" in st.value:
                    out.extend(p.strip() for p in _NEWLINE.split(st.value) if len(p.strip()) >= 8)
    return out


def count_lines(text: str) -> int:
    """``len(raw_lines(text))`` without building the list."""
    if not text:
        return 0
    n = text.count("\n") + text.count("\r") - text.count("\r\n")
    return n if text.endswith(("\n", "\r")) else n + 1


def raw_lines(text: str) -> list[str]:
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def yaml_display_lines(text: str) -> list[str]:
    out = []
    for ln in raw_lines(text):
        m = _YAML_SECRET.match(ln)
        if m:
            ln = m.group(1) + mask(m.group(2).strip("'\"")) + (m.group(3) or "")
        elif ln.lstrip().startswith("#"):
            ln = _mask_comment_line(ln)
        out.append(ln)
    return out


Opcode = tuple[str, int, int, int, int]


def env_opcodes(before: EnvDoc, after: EnvDoc) -> list[Opcode]:
    """Exact line opcodes of an edited doc: statement by statement, no diff search.

    ``after`` is ``before`` with some statements rewritten (same statements,
    same order, perhaps some appended), so what changed is known; a generic diff of a 2,000-line file
    full of blank lines would cost seconds and could mis-align equal lines.
    """
    ops: list[Opcode] = []
    i = j = 0
    from itertools import zip_longest

    for old_st, new_st in zip_longest(before.statements, after.statements):  # after may append
        pairs = ((old_st.lead if old_st else "", new_st.lead if new_st else ""),
                 (old_st.body if old_st else "", new_st.body if new_st else ""))
        for old, new in pairs:
            n_old = count_lines(old)
            n_new = count_lines(new)
            tag = "equal" if old == new else "replace"
            if n_old or n_new:
                _push(ops, tag, i, i + n_old, j, j + n_new)
            i += n_old
            j += n_new
    return ops


def trimmed_opcodes(a: list[str], b: list[str]) -> list[Opcode]:
    """Opcodes for a local edit (config.yaml): common head and tail, then difflib on the middle."""
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while (tail < len(a) - head and tail < len(b) - head
           and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]):
        tail += 1
    ops: list[Opcode] = []
    if head:
        _push(ops, "equal", 0, head, 0, head)
    mid = difflib.SequenceMatcher(None, a[head:len(a) - tail], b[head:len(b) - tail], autojunk=False)
    for tag, i1, i2, j1, j2 in mid.get_opcodes():
        _push(ops, "equal" if tag == "equal" else "replace", head + i1, head + i2, head + j1, head + j2)
    if tail:
        _push(ops, "equal", len(a) - tail, len(a), len(b) - tail, len(b))
    return ops


def _push(ops: list[Opcode], tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
    if ops and ops[-1][0] == tag and ops[-1][2] == i1 and ops[-1][4] == j1:
        ops[-1] = (tag, ops[-1][1], i2, ops[-1][3], j2)
    else:
        ops.append((tag, i1, i2, j1, j2))


def unified(a_raw: list[str], b_raw: list[str], a_shown: Sequence[str], b_shown: Sequence[str],
            a_name: str, b_name: str, secrets: list[str], context: int = 3,
            ops: list[Opcode] | None = None) -> str:
    """A unified diff matched on the raw lines, printed from the masked ones."""
    if len(a_shown) != len(a_raw) or len(b_shown) != len(b_raw):
        # never fall back to raw text: mask the whole line instead
        a_shown = [_mask_token_like(x) for x in a_raw] if len(a_shown) != len(a_raw) else a_shown
        b_shown = [_mask_token_like(x) for x in b_raw] if len(b_shown) != len(b_raw) else b_shown
    matcher = difflib.SequenceMatcher(None, [], [])
    matcher.opcodes = ops if ops is not None else trimmed_opcodes(a_raw, b_raw)  # type: ignore[attr-defined]
    out: list[str] = []
    for group in matcher.get_grouped_opcodes(context):
        if not out:
            out += [f"--- {a_name}", f"+++ {b_name}"]
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + x for x in a_shown[a1:a2]]
                continue
            out += ["-" + x for x in a_shown[a1:a2]]
            out += ["+" + x for x in b_shown[b1:b2]]
    text = "\n".join(out)
    return _redact(text, secrets) + ("\n" if out else "")


def _redact(text: str, secrets: list[str]) -> str:
    """:func:`secret.redact`, but linear: only secrets whose first 8 characters occur are tried."""
    cands = {s for s in secrets if len(s) >= 8}
    if not cands or not text:
        return text
    grams = {text[i:i + 8] for i in range(len(text) - 7)}
    return redact(text, [s for s in cands if s[:8] in grams])


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"
