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
from .dotenv_edit import EnvDoc

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


def env_display_lines(doc: EnvDoc) -> list[str]:
    """The doc's physical lines (without line endings), values masked, line count unchanged."""
    parts: list[str] = []
    for st in doc.statements:
        parts.append(st.lead)
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
            body = body[:start] + shown + body[end:]
        else:
            pieces = _NEWLINE_KEEP.split(body)
            pieces[0::2] = [_mask_comment_line(p) for p in pieces[0::2]]
            body = "".join(pieces)
        parts.append(body)
    return raw_lines("".join(parts))


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


def unified(a_raw: list[str], b_raw: list[str], a_shown: list[str], b_shown: list[str],
            a_name: str, b_name: str, secrets: list[str], context: int = 3) -> str:
    """A unified diff matched on the raw lines, printed from the masked ones."""
    if len(a_shown) != len(a_raw) or len(b_shown) != len(b_raw):
        # never fall back to raw text: mask the whole line instead
        a_shown = [_mask_token_like(x) for x in a_raw] if len(a_shown) != len(a_raw) else a_shown
        b_shown = [_mask_token_like(x) for x in b_raw] if len(b_shown) != len(b_raw) else b_shown
    matcher = difflib.SequenceMatcher(None, a_raw, b_raw, autojunk=False)
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
    return redact(text, [s for s in secrets if len(s) >= 8]) + ("\n" if out else "")


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"
