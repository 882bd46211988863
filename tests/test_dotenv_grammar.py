"""Our python-dotenv port reads every file exactly as python-dotenv itself does.

The port exists for speed (no ``import dotenv`` at agent start); these tests make
it safe: generated files with quotes, escapes, comments, ``export``, CRLF, BOM,
multi-line values and ``${VAR}`` expansion must give identical values.
"""

from __future__ import annotations

import io
import os

import dotenv
import pytest
from dotenv.main import DotEnv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hermes_accounts.sources import dotenv_grammar

KEYS = st.sampled_from(["A", "B_KEY", "MINIMAX_API_KEY", "x.y", "K1", "export", "HOME"])
CHUNKS = st.sampled_from([
    "=", " = ", "'", '"', "\\", "\\n", "\\'", '\\"', "#", " #", " # c", "${A}", "${B_KEY:-d}",
    "$A", "export ", " ", "\t", "\n", "\r\n", "\r", "abc", "sk-ant-oat01-x", "é", "\ufeff", "=x",
    "KEY=", "'quoted value'", '"dq \\" x"', "''", '""', "{", "}", ":-",
])


def _lines() -> st.SearchStrategy[str]:
    structured = st.builds(lambda e, k, sp, v, c, nl: f"{e}{k}{sp}={v}{c}{nl}",
                           st.sampled_from(["", "export ", "  "]), KEYS,
                           st.sampled_from(["", " "]),
                           st.lists(CHUNKS | st.text(max_size=3), max_size=4).map("".join),
                           st.sampled_from(["", " # comment", "#x"]),
                           st.sampled_from(["\n", "\r\n", "\r", ""]))
    noise = st.lists(CHUNKS, max_size=6).map("".join)
    return st.lists(structured | noise, max_size=8).map("".join)


def reference(text: str, environ: dict[str, str]) -> dict[str, str | None]:
    old = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(environ)
        env = DotEnv(dotenv_path=None, stream=io.StringIO(text), interpolate=True, override=True)
        return dict(env.dict())
    finally:
        os.environ.clear()
        os.environ.update(old)


def ours(text: str, environ: dict[str, str]) -> dict[str, str | None]:
    bindings = [(b.key, b.value) for b in dotenv_grammar.parse(text) if b.key is not None]
    return dotenv_grammar.resolve(bindings, environ, override=True)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lines(), st.dictionaries(KEYS, st.text(max_size=5), max_size=3))
def test_generated_files_parse_identically(text: str, environ: dict[str, str]) -> None:
    environ = {k: v for k, v in environ.items() if "\x00" not in v and "=" not in k}
    assert ours(text, environ) == reference(text, environ)


@pytest.mark.parametrize("text", [
    "A=1\nB=2\n",
    "export A='x y' # c\n",
    'A="line1\nline2"\nB=${A}-z\n',
    "A=a #not-comment\nB=b # comment\nC= # empty\n",
    "\ufeffA=bom\r\nB='it''s'\r\n",
    "bad line without equals\n'quoted key'=v\nA==x\n",
    'A="unterminated\nB=2\n',
    "A=${MISSING:-default} ${HOME}\n",
])
def test_known_tricky_files(text: str) -> None:
    env = {"HOME": "/h"}
    assert ours(text, env) == reference(text, env)


def test_errors_are_reported_with_line_numbers() -> None:
    text = "A=1\n'broken\nB=2\n"
    bindings = list(dotenv_grammar.parse(text))
    errors = [b for b in bindings if b.error]
    assert [b.line for b in errors] == [2]
    assert [b.key for b in bindings if b.key] == ["A", "B"]


def test_the_library_is_the_one_hermes_uses() -> None:
    assert hasattr(dotenv, "load_dotenv")


PLAIN = st.lists(st.sampled_from([
    "A=1", "B_KEY = spaced value ", "export MINIMAX_API_KEY=mm-123", "\texport\tK1=\tv\t", "HOME=",
    "", "   ", "# comment", "  # indented comment", "x.y=a=b", "K1=${A}", "exportK=1", "export",
    "A B=1", "=novalue", "NOEQUALS", "A=x\x0by", "A=é", "A='q'", "A=v # c", "\t", "K1=a\tb",
]), max_size=10).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(PLAIN, st.sampled_from(["", "\n", "\nC='multi\nline'\n"]))
def test_plain_files_and_fast_path_switch_parse_identically(text: str, tail: str) -> None:
    text += tail
    env = {"A": "from-env"}
    assert ours(text, env) == reference(text, env)


def test_line_numbers_are_the_statements_own() -> None:
    for text in ("A=1\n\n\nB=2\n", "A=1\n\n\nB='x'\n", "\n\n# c\nB=2"):
        lines = {b.key: b.line for b in dotenv_grammar.parse(text) if b.key}
        assert lines["B"] == 4, (text, lines)
