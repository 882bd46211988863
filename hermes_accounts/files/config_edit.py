"""Round-trip edits of ``config.yaml``: only the keys this tool owns change.

Hermes reads ``config.yaml`` with PyYAML and rewrites it itself, and users edit
it by hand, so a dump of a dict (which drops comments, order, quoting and every
key we do not know) is out of the question. Edits go through ruamel.yaml's
round-trip mode, on the smallest piece that contains them: the top-level block
being edited (``model:`` …) is cut out, loaded, edited and dumped, and spliced
back, so the rest of the file is byte-for-byte what it was and a 1,000-line
config costs milliseconds, not the ~300 ms of a whole-file round trip. When the
block cannot stand alone (anchors, a flow document, duplicate keys …) the whole
document goes through ruamel instead.

Every result is checked the way Hermes will read it: PyYAML must load it to
exactly the original data with only the intended changes, or nothing is
written. Deleting a key keeps the comment lines that followed it (ruamel would
drop them with the key).
"""

from __future__ import annotations

import codecs
import copy
import io
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

MODEL_OWNED = ("provider", "default", "model", "base_url", "api_mode", "api_key", "key_env",
               "api_key_env")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*|'[^']*'|\"[^\"]*\")[ \t]*:(?=[ \t\r\n]|$)")
_DELETE = object()


class ConfigFileError(ValueError):
    """``config.yaml`` cannot be edited safely; one line naming the file, the line and the fix."""


def _pyyaml_load(text: str, path: str) -> object:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigFileError(f"{path}{where}: {problem} — Hermes cannot read this file either; "
                              "fix it and run again (nothing was written)") from None


def _ruamel() -> object:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    return y


class ConfigDoc:
    """``config.yaml`` text plus PyYAML's reading of it (what Hermes sees)."""

    def __init__(self, text: str, *, path: str = "config.yaml", bom: bool = False) -> None:
        self.path = path
        self.text = text
        self.bom = bom
        data = _pyyaml_load(text, path) if text.strip() else None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigFileError(f"{path}: the top level is not a mapping (Hermes ignores such a "
                                  "file); fix it and run again (nothing was written)")
        self.data: dict = data
        self._local_block: str | None = None

    @classmethod
    def parse(cls, raw: bytes, path: str = "config.yaml") -> ConfigDoc:
        from .utf8 import decode_utf8

        text, bom = decode_utf8(raw, path, ConfigFileError, "save it as UTF-8")
        return cls(text, path=path, bom=bom)

    def to_bytes(self) -> bytes:
        data = self.text.encode("utf-8")
        return codecs.BOM_UTF8 + data if self.bom else data

    # -- reading ---------------------------------------------------------------------
    def model(self) -> dict:
        """``model:`` as Hermes normalises it (a bare string is the model name)."""
        m = self.data.get("model")
        if isinstance(m, str):
            return {"default": m}
        return dict(m) if isinstance(m, dict) else {}

    # -- editing ---------------------------------------------------------------------
    def edit_model(self, changes: dict[str, str | None]) -> None:
        """Set (str) or delete (None) keys of ``model:``; everything else stays as written."""
        def apply(block: object) -> object:
            return _apply_model(block, changes)

        def expect(data: dict) -> None:
            m = data.get("model")
            m = {"default": m} if isinstance(m, str) else dict(m) if isinstance(m, dict) else {}
            for k, v in changes.items():
                if v is None:
                    m.pop(k, None)
                else:
                    m[k] = v
            data["model"] = m

        self.edit_block("model", apply, expect)

    def ensure_in_list(self, top: str, key: str, item: str) -> None:
        """Make ``top.key`` a list containing ``item`` (e.g. ``plugins.enabled``), keeping its order."""
        def apply(block: object) -> object:
            from ruamel.yaml.comments import CommentedMap, CommentedSeq

            if not isinstance(block, dict):
                block = CommentedMap()
            seq = block.get(key)
            if not isinstance(seq, list):
                seq = CommentedSeq()
                block[key] = seq
            if item not in seq:
                seq.append(item)
            return block

        def expect(data: dict) -> None:
            block = data.get(top)
            block = dict(block) if isinstance(block, dict) else {}
            seq = list(block.get(key)) if isinstance(block.get(key), list) else []
            if item not in seq:
                seq.append(item)
            block[key] = seq
            data[top] = block

        self.edit_block(top, apply, expect)

    def edit_block(self, top: str, apply: Callable[[object], object],
                   expect: Callable[[dict], None]) -> None:
        """Edit the top-level ``top`` block with ``apply`` (on ruamel nodes), verified by ``expect``."""
        wanted = copy.deepcopy(self.data)
        expect(wanted)
        if wanted == self.data:
            return
        attempts = (self._edit_snippet, self._edit_whole)
        last_error: str | None = None
        for attempt in attempts:
            try:
                new_text = attempt(top, apply)
            except ConfigFileError as exc:
                last_error = str(exc)
                continue
            except Exception as exc:
                first = str(exc).splitlines()[0] if str(exc) else ""
                last_error = f"{self.path}: {exc.__class__.__name__}: {first}"
                continue
            if new_text is None:
                continue
            local = self._local_block
            self._local_block = None
            if local is not None and top in self.data:
                # Only the block changed and it holds no anchor another block could alias:
                # reading the block alone is reading the whole file (2× faster on big files).
                got_block = _pyyaml_load(local, self.path) or {}
                if got_block == {top: wanted[top]}:
                    self.text = new_text
                    self.data = wanted
                    return
            got = _pyyaml_load(new_text, self.path) or {}
            if got == wanted:
                self.text = new_text
                self.data = got  # type: ignore[assignment]
                return
            last_error = (f"{self.path}: the edited file would not read back as intended "
                          f"(anchors, aliases or a duplicate `{top}:`?)")
        raise ConfigFileError(f"{last_error or self.path + ': cannot edit'}; nothing was written")

    # -- strategies ------------------------------------------------------------------
    def _edit_snippet(self, top: str, apply: Callable[[object], object]) -> str | None:
        lines = self.text.splitlines(keepends=True)
        starts = [i for i, ln in enumerate(lines)
                  if (m := _TOP_KEY.match(ln)) and m.group(1).strip("'\"") == top]
        if len(starts) > 1:
            return None
        nl = _newline_of(self.text)
        y = _ruamel()
        if not starts and top in self.data:
            return None  # `top` is written some other way (flow style, `? key`): whole-file edit
        if not starts:
            from ruamel.yaml.comments import CommentedMap

            root = CommentedMap()
            root[top] = apply(None)
            out = io.StringIO()
            y.dump(root, out)  # type: ignore[attr-defined]
            block = out.getvalue().replace("\n", nl)
            text = self.text
            if text and not text.endswith(("\n", "\r")):
                text += nl
            return text + block
        start = starts[0]
        end = start
        for k in range(start + 1, len(lines)):
            stripped = lines[k].strip()
            if not stripped or stripped.startswith("#"):
                continue
            if lines[k][0] not in " \t":
                break
            end = k
        snippet = "".join(lines[start:end + 1])
        indent = _child_indent(lines[start + 1:end + 1])
        offset = _dash_offset(lines[start:end + 1], indent)
        y.indent(mapping=indent, sequence=offset + 2, offset=offset)  # type: ignore[attr-defined]
        root = y.load(snippet)  # type: ignore[attr-defined]
        if not isinstance(root, dict) or list(root) != [next(iter(root), None)]:
            return None
        key = next(iter(root))
        root[key] = apply(root[key])
        out = io.StringIO()
        y.dump(root, out)  # type: ignore[attr-defined]
        block = out.getvalue()
        if not snippet.endswith(("\n", "\r")):
            block = block.rstrip("\n")
        block = block.replace("\n", nl) if nl != "\n" else block
        if "&" not in snippet and "&" not in block and "*" not in block:
            self._local_block = block
        return "".join(lines[:start]) + block + "".join(lines[end + 1:])

    def _edit_whole(self, top: str, apply: Callable[[object], object]) -> str | None:
        y = _ruamel()
        root = y.load(self.text)  # type: ignore[attr-defined]
        if root is None:
            from ruamel.yaml.comments import CommentedMap

            root = CommentedMap()
        node = root.get(top)
        if isinstance(node, dict) and _shared(root, top, node):
            from ruamel.yaml.comments import CommentedMap

            node = CommentedMap(node.items())  # an alias: edit a copy, not every user of the anchor
        root[top] = apply(node)
        out = io.StringIO()
        y.dump(root, out)  # type: ignore[attr-defined]
        nl = _newline_of(self.text)
        return out.getvalue().replace("\n", nl) if nl != "\n" else out.getvalue()


def _shared(root: dict, top: str, node: object) -> bool:
    """Whether ``node`` (``root[top]``) is also reachable elsewhere (a YAML alias)."""
    stack = [v for k, v in root.items() if k != top]
    seen: set[int] = set()
    while stack:
        cur = stack.pop()
        if cur is node:
            return True
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, dict):
            stack.extend(cur.values())
        elif isinstance(cur, list):
            stack.extend(cur)
    return False


def _apply_model(block: object, changes: dict[str, str | None]) -> object:
    from ruamel.yaml.comments import CommentedMap

    if isinstance(block, str):
        name = block
        block = CommentedMap()
        block["default"] = name
    elif not isinstance(block, dict):
        block = CommentedMap()
    for key, value in changes.items():
        if value is None:
            if key in block:
                _delete_key(block, key)  # type: ignore[arg-type]
            continue
        old = block.get(key)
        block[key] = _like(old, value)
    return block


def _like(old: object, value: str) -> object:
    """``value`` in the quote style of the scalar it replaces."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(value)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(value)
    if _plain_reads_back(value):
        return value
    # ruamel speaks YAML 1.2, Hermes' PyYAML 1.1: `no`, `on`, `1_000` … must be quoted
    return SingleQuotedScalarString(value) if "'" not in value else DoubleQuotedScalarString(value)


def _plain_reads_back(value: str) -> bool:
    import yaml

    if not value or value != value.strip() or any(c in value for c in "\n\r\t"):
        return False
    try:
        return yaml.load(value, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == value  # noqa: S506
    except yaml.YAMLError:
        return False


def _delete_key(cm: object, key: str) -> None:
    """Delete ``key`` but keep the comment lines that followed it (ruamel files them under it)."""
    keys = list(cm)  # type: ignore[call-overload]
    pos = keys.index(key)
    items = cm.ca.items  # type: ignore[attr-defined]
    token = items.get(key, [None, None, None, None])[2] if key in items else None
    del cm[key]  # type: ignore[attr-defined]
    items.pop(key, None)
    if token is None:
        return
    text = token.value
    cut = text.find("\n")
    rest = text[cut + 1:] if cut >= 0 else ""
    if not rest.strip():
        return
    if pos > 0:
        prev = keys[pos - 1]
        entry = items.setdefault(prev, [None, None, None, None])
        if entry[2] is None:
            from ruamel.yaml.tokens import CommentToken

            entry[2] = CommentToken("\n" + rest, token.start_mark, None)
        else:
            entry[2].value = entry[2].value + rest
    elif pos < len(keys) - 1:
        nxt = keys[pos + 1]
        lines = [ln.strip().lstrip("#").strip() for ln in rest.splitlines() if ln.strip()]
        cm.yaml_set_comment_before_after_key(nxt, before="\n".join(lines),  # type: ignore[attr-defined]
                                             indent=token.start_mark.column if token.start_mark else 0)


def _child_indent(lines: list[str]) -> int:
    for ln in lines:
        s = ln.lstrip(" ")
        if s.strip() and not s.startswith("#"):
            return max(1, len(ln) - len(s))
    return 2


def _dash_offset(lines: list[str], default: int) -> int:
    """How far list dashes sit right of their parent key (PyYAML writes 0, ruamel 2)."""
    for i, ln in enumerate(lines):
        s = ln.lstrip(" ")
        if not s.startswith("- "):
            continue
        col = len(ln) - len(s)
        for prev in reversed(lines[:i]):
            p = prev.lstrip(" ")
            if p.strip() and not p.startswith("#") and len(prev) - len(p) <= col \
                    and not p.startswith("- ") and p.rstrip().endswith(":"):
                return col - (len(prev) - len(p))
        break
    return default


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"
