"""Round-trip edits of config.yaml: only owned keys change, PyYAML (Hermes) reads the intent."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hermes_accounts.files.config_edit import ConfigDoc, ConfigFileError

HERMES_STYLE = """\
_config_version: 50
# Model settings — edited by hand
model:
  provider: "openrouter"   # was openrouter
  default: 'anthropic/claude-sonnet-4'
  # the proxy I used last month
  base_url: https://openrouter.ai/api/v1
  api_mode: chat_completions
  api_key: sk-or-v1-notreallyakey0123456789
  context_length: 200000
  extra_headers:
    X-Title: hermes
fallback_providers:
- provider: openrouter
  model: anthropic/claude-sonnet-4
terminal:
    backend: local    # four-space indent
    cwd: "~/work"
unknown_future_key: {a: 1, b: [x, y]}
"""


def _untouched_lines(before: str, after: str, block_start: str = "model:") -> None:
    """Every line outside the model block is identical and in place."""
    def outside(text: str) -> list[str]:
        lines = text.splitlines()
        i = next(k for k, ln in enumerate(lines) if ln.startswith(block_start))
        j = i + 1
        while j < len(lines) and (lines[j].startswith((" ", "\t", "#")) or not lines[j].strip()):
            j += 1
        return lines[:i] + lines[j:]
    assert outside(before) == outside(after)


def test_switch_edits_only_owned_keys_and_keeps_comments_order_quotes() -> None:
    doc = ConfigDoc(HERMES_STYLE)
    doc.edit_model({"provider": "minimax", "base_url": None, "api_mode": None, "api_key": None,
                    "default": "MiniMax-M2.7"})
    text = doc.text
    _untouched_lines(HERMES_STYLE, text)
    assert '  provider: "minimax"' in text and "# was openrouter" in text
    assert "  default: 'MiniMax-M2.7'" in text
    assert "# the proxy I used last month" in text  # comment of a deleted key's neighbour kept
    assert "base_url" not in text and "api_key" not in text and "api_mode" not in text
    assert text.index("provider:") < text.index("default:") < text.index("context_length")
    data = yaml.safe_load(text)
    want = yaml.safe_load(HERMES_STYLE)
    want["model"].update(provider="minimax", default="MiniMax-M2.7")
    for k in ("base_url", "api_mode", "api_key"):
        del want["model"][k]
    assert data == want


def test_comment_after_deleted_key_survives() -> None:
    src = "model:\n  provider: x\n  base_url: https://a/v1\n  # keep me\n  default: m\n"
    doc = ConfigDoc(src)
    doc.edit_model({"base_url": None})
    assert doc.text == "model:\n  provider: x\n  # keep me\n  default: m\n"


@pytest.mark.parametrize("src, expect", [
    ("", "model:\n  provider: minimax\n"),
    ("a: 1", "a: 1\nmodel:\n  provider: minimax\n"),
    ("model: gpt-4\nx: 1\n", None),
    ("model:\n    provider: zai\n    default: glm\n", "model:\n    provider: minimax\n    default: glm\n"),
    ("model:\r\n  provider: zai\r\nx: 1\r\n", "model:\r\n  provider: minimax\r\nx: 1\r\n"),
    ("model: {provider: zai, default: glm}\n", None),
    ("base: &b {provider: zai}\nmodel: *b\n", None),
    ("{model: {provider: zai}, x: 1}\n", None),
    ("? model\n: {provider: zai}\nx: 1\n", None),
])
def test_shapes_of_model(src: str, expect: str | None) -> None:
    doc = ConfigDoc(src)
    doc.edit_model({"provider": "minimax"})
    if expect is not None:
        assert doc.text == expect
    got = yaml.safe_load(doc.text)
    assert got["model"]["provider"] == "minimax"
    if src.startswith("base:"):
        assert got["base"] == {"provider": "zai"}  # the anchor's other user is untouched
    if src.startswith("model: gpt-4"):
        assert got["model"]["default"] == "gpt-4" and got["x"] == 1


def test_yaml_11_words_are_quoted_for_pyyaml() -> None:
    doc = ConfigDoc("model:\n  provider: zai\n")
    doc.edit_model({"default": "no", "api_mode": "1.5", "base_url": "https://h:8080/v1"})
    got = yaml.safe_load(doc.text)["model"]
    assert got == {"provider": "zai", "default": "no", "api_mode": "1.5", "base_url": "https://h:8080/v1"}


def test_bom_is_kept() -> None:
    raw = "\ufeffmodel:\n  provider: zai\n".encode()
    doc = ConfigDoc.parse(raw)
    doc.edit_model({"provider": "minimax"})
    assert doc.to_bytes() == "\ufeffmodel:\n  provider: minimax\n".encode()


@pytest.mark.parametrize("src, needle", [
    ("model:\n  provider: [zai\n", "config.yaml:3"),
    ("- a\n- b\n", "top level is not a mapping"),
    ("model:\n\tprovider: zai\n", "config.yaml:2"),
])
def test_malformed_yaml_is_a_clear_error(src: str, needle: str) -> None:
    with pytest.raises(ConfigFileError) as exc:
        ConfigDoc(src)
    assert needle in str(exc.value) and "nothing was written" in str(exc.value)


def test_duplicate_model_sections_refuse() -> None:
    doc = ConfigDoc("model:\n  provider: a\nmodel:\n  provider: b\n")
    with pytest.raises(ConfigFileError) as exc:
        doc.edit_model({"provider": "minimax"})
    assert "nothing was written" in str(exc.value)


def test_plugin_list_entry() -> None:
    src = "plugins:\n  enabled:\n  - other   # theirs\n  disabled: []\nmodel:\n  provider: zai\n"
    doc = ConfigDoc(src)
    doc.ensure_in_list("plugins", "enabled", "accounts")
    doc.ensure_in_list("plugins", "enabled", "accounts")
    assert yaml.safe_load(doc.text)["plugins"] == {"enabled": ["other", "accounts"], "disabled": []}
    assert "# theirs" in doc.text and doc.text.endswith("model:\n  provider: zai\n")


# -- generated configs -------------------------------------------------------------------------

WORD = st.text(alphabet=st.sampled_from(list("abcxyz-_019")), max_size=8).map(lambda w: "v" + w)
SCALAR = st.one_of(WORD, st.integers(0, 10**6).map(str), st.sampled_from(["yes", "no", "on", "~", "1.0"]),
                   WORD.map(lambda w: f"'{w} q'"), WORD.map(lambda w: f'"{w} dq"'))


@st.composite
def config_text(draw: st.DrawFn) -> str:
    indent = " " * draw(st.sampled_from([2, 4]))
    out = []
    sections = draw(st.lists(WORD, min_size=1, max_size=5, unique=True))
    model_at = draw(st.integers(0, len(sections)))
    for name in [*sections[:model_at], "model", *sections[model_at:]]:
        if name == "model" and name in sections:
            continue
        if draw(st.booleans()):
            out.append(f"# about {name}")
        out.append(f"{name}:")
        keys = draw(st.lists(st.sampled_from(["provider", "default", "base_url", "api_mode", "api_key",
                                              "key_env", "extra", "timeout", "nested"]),
                             min_size=1, max_size=6, unique=True))
        for k in keys:
            if k == "nested":
                out.append(f"{indent}nested:")
                out.append(f"{indent}{indent}inner: {draw(SCALAR)}")
                continue
            comment = f"  # {draw(WORD)}" if draw(st.booleans()) else ""
            out.append(f"{indent}{k}: {draw(SCALAR)}{comment}")
            if draw(st.integers(0, 4)) == 0:
                out.append(f"{indent}# after {k}")
        if draw(st.booleans()):
            out.append("")
    return "\n".join(out) + "\n"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(src=config_text(),
       changes=st.dictionaries(st.sampled_from(["provider", "default", "base_url", "api_mode", "api_key",
                                                "key_env"]),
                               st.one_of(st.none(), WORD, st.sampled_from(["no", "https://x.io/v1", "0"])),
                               max_size=4))
def test_generated_configs_read_back_as_intended(src: str, changes: dict) -> None:
    before = yaml.safe_load(src)
    doc = ConfigDoc(src)
    doc.edit_model(changes)
    after = yaml.safe_load(doc.text)
    want = dict(before)
    model = dict(want.get("model") or {})
    for k, v in changes.items():
        if v is None:
            model.pop(k, None)
        else:
            model[k] = v
    want["model"] = model
    assert after == want
    # every comment line of the original is still there, in order
    comments = [ln.strip() for ln in src.splitlines() if ln.strip().startswith("#")]
    kept = [ln.strip() for ln in doc.text.splitlines() if "#" in ln]
    it = iter(kept)
    assert all(any(c in k for k in it) for c in comments)
    # sections other than model are byte-identical
    if "model" in before:
        _untouched_lines(src, doc.text)
