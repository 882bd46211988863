"""Read the parts of ``config.yaml`` the resolver needs: the ``model:`` section.

Hermes parses the whole file with PyYAML; importing PyYAML costs ~30 ms, more
than a whole resolution. Almost every real ``config.yaml`` writes ``model:`` as
a block mapping of plain or quoted scalars, so a small scanner reads that case
and everything else (flow mappings, anchors, block scalars, tabs, a document
PyYAML would reject …) falls back to PyYAML itself, so the answer is always
PyYAML's. ``tests/test_config_yaml.py`` compares both on generated files.
"""

from __future__ import annotations

# Keys of ``model:`` the resolver reads.
MODEL_KEYS = ("provider", "default", "model", "base_url", "api_mode", "api_key",
              "key_env", "api_key_env")


class ConfigSnapshot:
    """``model:`` settings, plus whether the file exists and what was wrong with it."""

    __slots__ = ("error", "exists", "full", "model", "path")

    def __init__(self, path: str) -> None:
        self.path = path
        self.exists = False
        self.model: dict[str, str] = {}
        self.error: str | None = None
        self.full: dict | None = None  # only set when PyYAML had to parse the file

    @property
    def provider(self) -> str:
        return (self.model.get("provider") or "").strip().lower()


class _Fallback(Exception):
    """The fast scanner met YAML it does not handle; PyYAML decides."""


_PLAIN_BAD_START = set("&*!|>[]{}%@`,?")
# Plain scalars YAML 1.1 (PyYAML) does not read as strings.
_YAML11_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "y", "n"})


def _scalar(raw: str) -> str | None:
    """A one-line YAML scalar (plain, 'single' or "double" without escapes)."""
    text = raw.strip()
    if not text:
        return None
    if text[0] == "'":
        end = text.rfind("'")
        if end <= 0 or text[end + 1:].strip()[:1] not in ("", "#"):
            raise _Fallback
        inner = text[1:end]
        if "'" in inner.replace("''", ""):
            raise _Fallback
        return inner.replace("''", "'")
    if text[0] == '"':
        end = text.rfind('"')
        inner = text[1:end] if end > 0 else ""
        if end <= 0 or "\\" in inner or '"' in inner or text[end + 1:].strip()[:1] not in ("", "#"):
            raise _Fallback
        return inner
    if text[0] in _PLAIN_BAD_START or (text[0] == "-" and text[1:2] in (" ", "")):
        raise _Fallback
    hash_at = text.find(" #")
    if hash_at >= 0:
        text = text[:hash_at].rstrip()
    if ": " in text or text.endswith(":") or "\t" in text:
        raise _Fallback
    lowered = text.lower()
    if lowered in ("null", "~", ""):
        return None
    return text


def _model_value(raw: str) -> str | None:
    """A ``model:`` value we return: must be a string for PyYAML too, else PyYAML decides.

    (Other keys are only checked for shape, so ``_config_version: 50`` stays on the
    fast path.)
    """
    text = _scalar(raw)
    if text is not None and raw.strip()[:1] not in ("'", '"') and (
            text.lower() in _YAML11_WORDS or text[0] in "+-.0123456789=<"):
        raise _Fallback  # PyYAML would make it a bool/number/date/merge key, not this string
    return text


def _scan_model(text: str) -> dict[str, str] | None:
    """The ``model:`` block mapping's scalar values; ``None`` if there is no ``model:``.

    Every line of the document is checked against a conservative block-YAML
    shape (``key: scalar``, ``key:`` opening a deeper block, ``- item``) so a
    file PyYAML would reject never passes here; anything unusual falls back.
    """
    if "\t" in text or "\n---" in text[3:] or "\n..." in text or text.startswith("%"):
        raise _Fallback
    result: dict[str, str] | None = None
    in_model = False
    model_indent: int | None = None
    top_keys: set[str] = set()
    prev_lead = 0
    prev_opens = True  # the document start may be followed by any indent 0
    kinds: dict[int, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = len(line) - len(line.lstrip(" "))
        if lead > prev_lead and not prev_opens:
            raise _Fallback
        # Siblings at one indent are all "- " items or all keys; a mix is invalid YAML.
        kind = "seq" if stripped == "-" or stripped.startswith("- ") else "map"
        for deeper in [k for k in kinds if k > lead]:
            del kinds[deeper]
        if kinds.setdefault(lead, kind) != kind:
            raise _Fallback
        if lead == 0 and (stripped == "-" or stripped.startswith("- ")):
            raise _Fallback  # a top-level sequence: PyYAML decides (and Hermes ignores it)
        body = stripped
        while body.startswith("- "):
            body = body[2:].lstrip(" ")
        body_lead = lead + len(stripped) - len(body)
        if body == "-":
            prev_lead, prev_opens = lead, True
            continue
        key, sep, value = body.partition(":")
        if not sep:
            if body is stripped:
                raise _Fallback  # a bare scalar line outside a list
            _scalar(body)
            prev_lead, prev_opens = body_lead, False
            continue
        if (value and value[0] != " ") or not key or key[0] in "'\"?&*!{[|>" or " #" in key:
            raise _Fallback
        key = key.strip()
        opens = not value.strip() or value.strip().startswith("#")
        if lead == 0 and body is stripped:
            if key in top_keys:
                raise _Fallback  # duplicate top-level key: let PyYAML apply its rule
            top_keys.add(key)
            in_model = key == "model"
            if in_model:
                if not opens:
                    raise _Fallback  # `model: name` or a flow mapping
                result = {}
                model_indent = None
        elif in_model and result is not None and body is stripped:
            if model_indent is None:
                model_indent = lead
            if lead == model_indent:
                if key in result:
                    raise _Fallback
                if key in MODEL_KEYS and not opens:
                    parsed = _model_value(value)
                    if parsed is not None:
                        result[key] = parsed
                    prev_lead, prev_opens = lead, False
                    continue
            elif lead < model_indent:
                raise _Fallback
        if not opens:
            _scalar(value)
        prev_lead, prev_opens = body_lead, opens
    return result


def read_config(path: str) -> ConfigSnapshot:
    """Read ``model:`` from ``path``; a broken file gives an error, never an exception."""
    snap = ConfigSnapshot(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return snap
    except (OSError, UnicodeDecodeError) as exc:
        snap.exists = True
        snap.error = f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc.__class__.__name__})"
        return snap
    snap.exists = True
    try:
        model = _scan_model(text)
        if model is not None:
            snap.model = model
        return snap
    except _Fallback:
        pass
    return _read_with_pyyaml(snap, text)


def _read_with_pyyaml(snap: ConfigSnapshot, text: str) -> ConfigSnapshot:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        snap.error = f"{snap.path}: needs PyYAML to read this file"
        return snap
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        snap.error = (f"{snap.path}{where}: {problem}; Hermes cannot read this file and "
                      "falls back to its defaults")
        return snap
    if data is None:
        data = {}
    if not isinstance(data, dict):
        snap.error = f"{snap.path}: top level is not a mapping; Hermes ignores it"
        return snap
    snap.full = data
    model = data.get("model")
    if isinstance(model, str):
        snap.model = {"default": model}
    elif isinstance(model, dict):
        snap.model = {k: str(v) for k, v in model.items()
                      if k in MODEL_KEYS and v is not None and not isinstance(v, (dict, list))}
    return snap
