"""Key checks before storing: hard errors for unusable values, warnings for likely mix-ups."""

from __future__ import annotations

import pytest

from hermes_accounts import catalog
from hermes_accounts.store.validate import InvalidKey, clean_key, prefix_warnings
from tests.fixtures_home import sentinel


def test_trailing_newline_from_echo_is_stripped():
    key = sentinel()
    assert clean_key(key + "\n") == key
    assert clean_key("  " + key + "\r\n") == key


@pytest.mark.parametrize("build, needle", [
    (lambda k: "", "empty"),
    (lambda k: "\n\n", "empty"),
    (lambda k: k[:10] + " " + k[10:], "whitespace"),
    (lambda k: k[:10] + "\n" + k[10:], "line break"),
    (lambda k: f'"{k}"', "quotes"),
    (lambda k: f"OPENAI_API_KEY={k}", "assignment"),
    (lambda k: k + "\u201d", "non-ASCII"),
    (lambda k: "changeme", "placeholder"),
    (lambda k: "xxxxxxxx", "placeholder"),
    (lambda k: "<your key>".replace(" ", "_"), "placeholder"),
    (lambda k: "abc", "shorter than 4"),
])
def test_unusable_values_are_refused_without_echoing_them(build, needle):
    key = sentinel()
    with pytest.raises(InvalidKey) as err:
        clean_key(build(key))
    assert needle in str(err.value)
    assert "SENTINEL" not in str(err.value)


def test_anthropic_api_key_and_oauth_token():
    p = catalog.get("anthropic")
    assert prefix_warnings(p, "sk-ant-api03-" + "a" * 30) == []
    [w] = prefix_warnings(p, "sk-ant-oat01-" + "a" * 30)
    assert "OAuth token" in w and "sk-ant-api" in w
    [w] = prefix_warnings(p, "sk-proj-" + "a" * 30)
    assert "sk-ant-api" in w


def test_anthropic_token_given_to_minimax_is_flagged():
    [w] = prefix_warnings(catalog.get("minimax"), "sk-ant-oat01-" + "b" * 30)
    assert "Anthropic" in w and "401" in w


def test_openrouter_warns_about_its_prefix():
    p = catalog.get("openrouter")
    assert prefix_warnings(p, "sk-or-v1-" + "c" * 30) == []
    [w] = prefix_warnings(p, "sk-proj-" + "c" * 30)
    assert "sk-or-" in w and "401" in w and "sends it anyway" in w


def test_key_of_another_issuer_is_named():
    [w] = prefix_warnings(catalog.get("openai-api"), "sk-or-v1-" + "d" * 30)
    assert "OpenRouter" in w
    [w] = prefix_warnings(catalog.get("deepseek"), "xai-" + "d" * 30)
    assert "xAI" in w


def test_typical_prefix_is_only_a_hint():
    [w] = prefix_warnings(catalog.get("xai"), "zz-" + "e" * 30)
    assert "usually start with xai-" in w
    assert prefix_warnings(catalog.get("zai"), "anything-" + "e" * 30) == []
