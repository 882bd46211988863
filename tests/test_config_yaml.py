"""The fast ``model:`` reader gives PyYAML's answer, or defers to PyYAML."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hermes_accounts.sources.config_yaml import MODEL_KEYS, read_config

GOOD = st.sampled_from([
    "minimax", "'minimax'", '"minimax"', "https://api.minimax.io/anthropic", "null", "~", "",
    "'it''s'", "x # comment", "x#y", "yes", "123", "é", "MiniMax-M2.7", "'a: b'", "chat_completions",
])
BAD = st.sampled_from([
    '"a\\"b"', "- item", "[a, b]", "{a: 1}", "&anchor x", "*ref", "|", ">", "a: b", "'unterminated",
    '"unterminated', "@x", "`x", "!tag x",
])
SCALARS = st.one_of(*([GOOD] * 14), BAD)
KEYS = st.sampled_from([*MODEL_KEYS, *MODEL_KEYS, "other", "nested", "'q'", "- x"])
INDENT = st.sampled_from(["  ", "    ", " ", "   "])


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"{draw(st.sampled_from(['_config_version', 'providers', 'x']))}: "
                     f"{draw(SCALARS)}")
    if draw(st.booleans()):
        lines.append("model:" + draw(st.sampled_from(["", "", "", " # c", " minimax", " {provider: x}"])))
        indent = draw(INDENT)
        for _ in range(draw(st.integers(0, 5))):
            key = draw(KEYS)
            value = draw(SCALARS)
            if draw(st.integers(0, 5)) == 0:
                lines.append(f"{indent}{key}:")
                lines.append(f"{indent}{draw(INDENT)}{draw(KEYS)}: {value}")
            else:
                lines.append(f"{draw(st.sampled_from([indent] * 8 + [indent + ' ', '']))}{key}: {value}")
            if draw(st.integers(0, 12)) == 0:
                lines.append(draw(st.sampled_from(["# comment", "", "  - a", "\t", "---", "model:"])))
    for _ in range(draw(st.integers(0, 2))):
        lines.append(f"{draw(st.sampled_from(['fallback_providers', 'aux']))}:")
        lines.append(f"  - provider: {draw(SCALARS)}")
        lines.append(f"    model: {draw(SCALARS)}")
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


def expected(text: str) -> dict[str, str] | None:
    """What Hermes (PyYAML) would see as model settings; None if PyYAML rejects the file."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None if data is not None else {}
    model = data.get("model")
    if isinstance(model, str):
        return {"default": model}
    if not isinstance(model, dict):
        return {}
    return {k: str(v) for k, v in model.items()
            if k in MODEL_KEYS and v is not None and not isinstance(v, (dict, list))}


@settings(max_examples=500, deadline=None)
@given(documents())
def test_generated_configs_match_pyyaml(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.yaml"
    path.write_text(text, encoding="utf-8")
    snap = read_config(str(path))
    want = expected(text)
    if want is None:
        assert snap.error is not None and str(path) in snap.error
        assert snap.model == {}
    else:
        assert snap.error is None, snap.error
        assert snap.model == want


def test_fast_path_needs_no_pyyaml(tmp_path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("_config_version: 50\nmodel:\n  provider: minimax  # c\n  default: 'M2'\n"
                    "providers:\n  p: {base_url: x}\n", encoding="utf-8")
    # a flow mapping elsewhere forces the fallback; without it the scanner answers
    assert read_config(str(path)).full is not None
    path.write_text("model:\n  provider: minimax\n  default: 'M2'\n", encoding="utf-8")
    snap = read_config(str(path))
    assert snap.full is None and snap.model == {"provider": "minimax", "default": "M2"}


def test_invalid_yaml_names_file_and_line(tmp_path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("model:\n  provider: minimax\n bad: [\n", encoding="utf-8")
    snap = read_config(str(path))
    assert snap.error and f"{path}:" in snap.error and snap.model == {}


def test_missing_and_unreadable(tmp_path) -> None:
    assert read_config(str(tmp_path / "nope.yaml")).exists is False
    (tmp_path / "dir.yaml").mkdir()
    snap = read_config(str(tmp_path / "dir.yaml"))
    assert snap.error and "cannot read" in snap.error
