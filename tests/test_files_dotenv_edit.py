"""The line-preserving .env editor and the cleaning rules.

Properties (hypothesis) on generated files — comments, ``export``, quotes, ``#``
inside values, CRLF, BOM, unicode, multi-line quoted values: parsing and writing
back is the identity; cleaning keeps every line it does not own byte for byte,
and Hermes (its sanitiser, then the real python-dotenv) reads the result to the
intended values.
"""

from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hermes_accounts.files.dotenv_clean import KeyringEntry, clean
from hermes_accounts.files.dotenv_edit import EnvDoc, EnvFileError
from hermes_accounts.secret import Secret
from tests.fixtures_files import hermes_reads_env

# -- generated .env files ----------------------------------------------------------------

KEYS = ["MINIMAX_API_KEY", "MINIMAX_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY",
        "DEEPSEEK_API_KEY", "ANTHROPIC_TOKEN", "ANTHROPIC_API_KEY", "GLM_API_KEY",
        "TELEGRAM_BOT_TOKEN", "MY_SETTING", "lower_key", "K2"]
TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ019-_./:@+=,~ #é日本🙂")), max_size=14)
SAFE = st.text(alphabet=st.sampled_from(list("abcXYZ019-_./:@+,~é日本🙂")), min_size=1, max_size=14)
SPECIAL = st.sampled_from(["", "https://api.minimax.io/v1", "https://api.minimaxi.com/v1/",
                           "sk-ant-oat01-" + "q" * 20, "sk-ant-api03-" + "w" * 20,
                           "mm-key-0123456789abcdef", "changeme"])

# The keyring rule only fires when the agent can read the keyring (sources/agent_keyring.py).
AGENT_READS_KEYRING = {"HERMES_ACCOUNTS_AGENT_READS_KEYRING": "1"}


@st.composite
def binding(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(KEYS))
    export = draw(st.sampled_from(["", "export "]))
    sep = draw(st.sampled_from(["=", " = ", "= "]))
    value = draw(st.one_of(SPECIAL, SAFE))
    style = draw(st.sampled_from(["plain", "single", "double", "double_escaped", "multi", "comment"]))
    if style == "plain":
        text = value
    elif style == "single":
        text = f"'{value}'"
    elif style == "double":
        text = f'"{value} # not a comment"'
    elif style == "double_escaped":
        text = '"' + value + ' \\"q\\" \\\\ end"'
    elif style == "multi":
        text = f'"{value}\nsecond line {draw(SAFE)}\n  third"'
    else:
        text = f"{value} # inline {draw(TEXT)}"
    return f"{export}{key}{sep}{text}"


@st.composite
def env_file(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.one_of(
        binding(), binding(), binding(),
        st.builds(lambda t: "# " + t, TEXT),
        st.sampled_from(["", "   ", "#", "   # indented comment"]),
    ), min_size=1, max_size=14))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(ln.replace("\n", newline) for ln in lines)
    if draw(st.booleans()):
        text += newline
    raw = text.encode("utf-8")
    if draw(st.booleans()):
        raw = codecs.BOM_UTF8 + raw
    return raw


def _keyring_for(doc: EnvDoc, picks: list[int]) -> dict[str, list[KeyringEntry]]:
    """Pretend some of the file's provider keys were moved to the keyring."""
    provider_of = {"MINIMAX_API_KEY": "minimax", "DEEPSEEK_API_KEY": "deepseek",
                   "GLM_API_KEY": "zai", "OPENAI_API_KEY": "openai-api"}
    out: dict[str, list[KeyringEntry]] = {}
    candidates = [s for s in doc.bindings() if s.key in provider_of and (s.value or "").strip()]
    for i in picks:
        if candidates:
            s = candidates[i % len(candidates)]
            fp = Secret(s.value.strip()).fingerprint  # type: ignore[union-attr]
            out[s.key] = [KeyringEntry(provider_of[s.key], "default", fp)]  # type: ignore[index]
    return out


def _lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=env_file())
def test_parse_and_write_back_is_identity(raw: bytes) -> None:
    doc = EnvDoc.parse(raw)
    assert doc.to_bytes() == raw


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=env_file(), picks=st.lists(st.integers(0, 20), max_size=3))
def test_clean_keeps_unowned_lines_and_hermes_reads_intended_values(raw: bytes, picks: list[int]) -> None:
    before = hermes_reads_env(raw)
    doc = EnvDoc.parse(raw)
    keyring = _keyring_for(doc, picks)
    original = EnvDoc.parse(raw)
    result = clean(doc, AGENT_READS_KEYRING, keyring=keyring)
    out = doc.to_bytes()

    # 1. every statement no rule touched is byte-identical and in order
    touched = {f.line for f in result.fixes}
    kept = [s.text for s in original.statements if s.line not in touched or s.key is None]
    rest = [s.text for s in doc.statements]
    it = iter(rest)
    assert all(any(k == r for r in it) for k in kept), "an untouched statement changed or moved"
    assert raw.startswith(codecs.BOM_UTF8) == out.startswith(codecs.BOM_UTF8)
    # untouched physical lines survive byte for byte (as a subsequence)
    owned_lines: set[int] = set()
    for s in original.statements:
        if s.key is not None and s.line in touched:
            owned_lines.update(range(s.line, s.line + max(1, len(_lines(s.body.encode())))))
    raw_lines = _lines(raw.removeprefix(codecs.BOM_UTF8))
    out_iter = iter(_lines(out.removeprefix(codecs.BOM_UTF8)))
    for n, line in enumerate(raw_lines, 1):
        if n not in owned_lines:
            assert any(line == o for o in out_iter), f"line {n} {line!r} lost"

    # 2. Hermes (sanitiser + real python-dotenv) reads what was intended
    after = hermes_reads_env(out)
    intended = dict(before)
    for f in result.fixes:
        if "duplicate" in f.reason:
            continue
        if f.action == "rewritten":
            intended[f.key] = result.expected[f.key]  # type: ignore[assignment]
        elif sum(1 for s in doc.bindings() if s.key == f.key) == 0:
            intended.pop(f.key, None)
    assert after == intended

    # 3. the rules did what they say
    for f in result.fixes:
        assert f.key not in ("ANTHROPIC_AUTH_TOKEN",) or f.key not in after
    for key, value in after.items():
        if key == "MINIMAX_BASE_URL" and value and value.endswith("/v1"):
            assert "minimax" not in value or any("MINIMAX_BASE_URL" in w for w in result.warnings)
    assert "ANTHROPIC_AUTH_TOKEN" not in after or any("ANTHROPIC_AUTH_TOKEN" in w for w in result.warnings)
    keys_after = [s.key for s in doc.bindings()]
    dupes = {k for k in keys_after if keys_after.count(k) > 1}
    assert all(any(k in w for w in result.warnings) for k in dupes)


@settings(max_examples=60, deadline=None)
@given(raw=env_file())
def test_cleaning_twice_changes_nothing_more(raw: bytes) -> None:
    doc = EnvDoc.parse(raw)
    clean(doc, {})
    once = doc.to_bytes()
    again = EnvDoc.parse(once)
    result = clean(again, {})
    assert again.to_bytes() == once and result.fixes == []


# -- editor unit tests -----------------------------------------------------------------------

def test_set_value_keeps_export_quotes_and_comment() -> None:
    raw = b'export MINIMAX_BASE_URL = "https://api.minimax.io/v1"   # stale\r\nA=1\r\n'
    doc = EnvDoc.parse(raw)
    st0 = doc.bindings()[0]
    doc.set_value(st0, "https://api.minimax.io/anthropic")
    assert doc.to_bytes() == (b'export MINIMAX_BASE_URL = "https://api.minimax.io/anthropic"'
                              b'   # stale\r\nA=1\r\n')
    for quote, expect in (("'x'", b"K='new'"), ("x", b"K=new"), ('"x"', b'K="new"')):
        d = EnvDoc.parse(b"K=" + quote.encode())
        d.set_value(d.bindings()[0], "new")
        assert d.to_bytes() == expect


def test_remove_keeps_blank_lines_and_neighbours() -> None:
    raw = b"# head\n\n\n  KEY=value  # c\n\nNEXT=1"
    doc = EnvDoc.parse(raw)
    doc.remove(doc.bindings()[0])
    assert doc.to_bytes() == b"# head\n\n\n\nNEXT=1"


def test_comment_out_multiline_value() -> None:
    raw = b'A="one\ntwo"\nB=2\n'
    doc = EnvDoc.parse(raw)
    doc.comment_out(doc.bindings()[0], "note")
    assert doc.to_bytes() == b'# note\n# A="one\n# two"\nB=2\n'
    assert hermes_reads_env(doc.to_bytes()) == {"B": "2"}


@pytest.mark.parametrize("raw, needle", [
    (codecs.BOM_UTF32_LE + "A=1\n".encode("utf-32-le"), "UTF-32"),
    (b"A=1\nB=\xff\xfe\n", ":2: not valid UTF-8"),
    (b"A=1\nB=x\x00y\n", "NUL"),
    (b"A=1\nB='unterminated\n", ":2: python-dotenv cannot parse"),
])
def test_unreadable_files_are_refused_with_the_line(raw: bytes, needle: str) -> None:
    with pytest.raises(EnvFileError) as exc:
        EnvDoc.parse(raw, "/h/.env")
    assert needle in str(exc.value) and "nothing was written" in str(exc.value)
    assert "unterminated" not in str(exc.value)  # never echoes a value


def test_utf16_is_converted_like_hermes_does() -> None:
    raw = "A=1\nB=é\n".encode("utf-16")
    doc = EnvDoc.parse(raw)
    assert doc.to_bytes() == "A=1\nB=é\n".encode() and "UTF-16" in (doc.note or "")


# -- rule unit tests ----------------------------------------------------------------------------

def test_keyring_key_removed_only_on_fingerprint_match() -> None:
    key, other = "mm-live-0123456789abcdef", "mm-other-0123456789abcdef"
    doc = EnvDoc.parse(f"MINIMAX_API_KEY={key}\nDEEPSEEK_API_KEY={other}\n".encode())
    keyring = {"MINIMAX_API_KEY": [KeyringEntry("minimax", "work", Secret(key).fingerprint)],
               "DEEPSEEK_API_KEY": [KeyringEntry("deepseek", "default", Secret("nope").fingerprint)]}
    result = clean(doc, AGENT_READS_KEYRING, keyring=keyring)
    text = doc.to_bytes().decode()
    assert text == (f"# MINIMAX_API_KEY: in the OS keyring (hermes-accounts minimax/work)\n"
                    f"DEEPSEEK_API_KEY={other}\n")
    assert [f.key for f in result.fixes] == ["MINIMAX_API_KEY"]


def test_keyring_removal_needs_the_keyring_to_confirm() -> None:
    key = "mm-live-0123456789abcdef"
    raw = f"MINIMAX_API_KEY={key}\n".encode()
    keyring = {"MINIMAX_API_KEY": [KeyringEntry("minimax", "default", Secret(key).fingerprint)]}
    for answer in (None, Secret("different").fingerprint):
        doc = EnvDoc.parse(raw)
        result = clean(doc, AGENT_READS_KEYRING, keyring=keyring, verify=lambda p, a, ans=answer: ans)
        assert doc.to_bytes() == raw and "could not confirm" in result.warnings[0]

    def broken(p: str, a: str) -> str:
        raise RuntimeError("no bus")

    doc = EnvDoc.parse(raw)
    clean(doc, AGENT_READS_KEYRING, keyring=keyring, verify=broken)
    assert doc.to_bytes() == raw
    doc = EnvDoc.parse(raw)
    clean(doc, AGENT_READS_KEYRING, keyring=keyring, verify=lambda p, a: Secret(key).fingerprint)
    assert key not in doc.to_bytes().decode()


def test_shell_export_warning_when_key_leaves_env() -> None:
    key = "mm-live-0123456789abcdef"
    doc = EnvDoc.parse(f"MINIMAX_API_KEY={key}\n".encode())
    keyring = {"MINIMAX_API_KEY": [KeyringEntry("minimax", "default", Secret(key).fingerprint)]}
    result = clean(doc, {**AGENT_READS_KEYRING, "MINIMAX_API_KEY": "mm-shell-0123456789abcdef"},
                   keyring=keyring)
    assert any("unset MINIMAX_API_KEY" in w for w in result.warnings)
    assert "mm-shell-0123456789abcdef" not in " ".join(result.warnings)


def test_duplicates_keep_the_last_and_never_delete_a_different_value() -> None:
    doc = EnvDoc.parse(b"A=old\nB=1\nA=\nA=new\nB=1\n")
    result = clean(doc, {})
    assert doc.to_bytes() == (b"# hermes-accounts: superseded by the later A (python-dotenv keeps the "
                              b"last one)\n# A=old\nA=new\nB=1\n")
    assert sorted((f.line, f.action) for f in result.fixes) == [
        (1, "commented out"), (2, "removed"), (3, "removed")]


def test_expansion_blocks_a_change() -> None:
    raw = b"DEEPSEEK_API_KEY=\nX=${DEEPSEEK_API_KEY:-fallback}\nA=1\nY=${A}\nA=2\n"
    doc = EnvDoc.parse(raw)
    result = clean(doc, {})
    assert doc.to_bytes() == raw
    assert len(result.warnings) == 2 and all("left as it is" in w for w in result.warnings)


def test_anthropic_slot_blanks_are_kept_and_same_token_is_dropped() -> None:
    tok = "sk-ant-oat01-" + "z" * 30
    raw = f"ANTHROPIC_API_KEY=\nANTHROPIC_TOKEN={tok}\nANTHROPIC_AUTH_TOKEN={tok}\nMINIMAX_API_KEY={tok}\n"
    doc = EnvDoc.parse(raw.encode())
    result = clean(doc, {})
    assert doc.to_bytes().decode() == f"ANTHROPIC_API_KEY=\nANTHROPIC_TOKEN={tok}\n"
    assert {f.key: f.action for f in result.fixes} == {"ANTHROPIC_AUTH_TOKEN": "removed",
                                                       "MINIMAX_API_KEY": "removed"}


def test_minimax_url_rewritten_only_on_minimax_hosts() -> None:
    doc = EnvDoc.parse(b"MINIMAX_BASE_URL=https://api.minimax.io/v1\n"
                       b"MINIMAX_CN_BASE_URL='https://api.minimaxi.com/v1/'\n")
    clean(doc, {})
    assert doc.to_bytes() == (b"MINIMAX_BASE_URL=https://api.minimax.io/anthropic\n"
                              b"MINIMAX_CN_BASE_URL='https://api.minimaxi.com/anthropic'\n")
    proxy = b"MINIMAX_BASE_URL=https://proxy.example/v1\n"
    doc = EnvDoc.parse(proxy)
    assert clean(doc, {}).fixes == [] and doc.to_bytes() == proxy


def test_empty_line_of_unrelated_variable_is_kept() -> None:
    raw = b"HTTP_PROXY=\nMY_FLAG=\n"
    doc = EnvDoc.parse(raw)
    assert clean(doc, {}).fixes == [] and doc.to_bytes() == raw


def test_generated_strategy_produces_interesting_files() -> None:
    """Guard against a strategy that silently stopped generating the cases we claim to cover."""
    seen: set[str] = set()

    @settings(max_examples=200, deadline=None)
    @given(raw=env_file())
    def probe(raw: bytes) -> None:
        assume(True)
        if b"\r\n" in raw:
            seen.add("crlf")
        if raw.startswith(codecs.BOM_UTF8):
            seen.add("bom")
        if b"export " in raw:
            seen.add("export")
        if b'"' in raw and b"\n" in raw.split(b'"', 2)[1] if raw.count(b'"') >= 2 else False:
            seen.add("multiline")
        if any(b > 127 for b in raw.removeprefix(codecs.BOM_UTF8)):
            seen.add("unicode")
        doc = EnvDoc.parse(raw)
        if clean(doc, {}).fixes:
            seen.add("fixed")

    probe()
    assert {"crlf", "bom", "export", "unicode", "fixed"} <= seen


LINE_CHARS = st.sampled_from([*"AB_=#'\" \t\\xé1$-{}", "export ", "KEY", "=\"", "='", "\r\n", "\n"])


VALUE_CHARS = st.text(alphabet=st.sampled_from(list("ab1 #'\"\\=é\t")), max_size=8)
STRUCTURED = st.builds(
    lambda ind, exp, key, sp1, sp2, val, com: f"{ind}{exp}{key}{sp1}={sp2}{val}{com}",
    st.sampled_from(["", " ", "\t"]), st.sampled_from(["", "export ", "export\t"]),
    st.sampled_from(["A", "KEY", "A_B", "'Q'"]), st.sampled_from(["", " "]),
    st.sampled_from(["", " ", "  "]),
    st.one_of(VALUE_CHARS, VALUE_CHARS.map(lambda v: f"'{v}'"), VALUE_CHARS.map(lambda v: f'"{v}"')),
    st.sampled_from(["", " ", " # c", "# c", "\t#c"]))


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.one_of(STRUCTURED, st.lists(LINE_CHARS, max_size=8).map("".join)), max_size=12),
       newline=st.sampled_from(["\n", "\r\n"]))
def test_statements_match_python_dotenv_on_arbitrary_text(lines: list[str], newline: str) -> None:
    """The editor's reading (fast path + grammar) is python-dotenv's own, statement by statement."""
    import io

    from dotenv.parser import parse_stream

    text = newline.join(lines)
    theirs = list(parse_stream(io.StringIO(text)))
    try:
        doc = EnvDoc.parse(text.encode())
    except EnvFileError:
        assert any(b.error for b in theirs)
        return
    assert not any(b.error for b in theirs)
    assert [(s.key, s.value) for s in doc.bindings()] == [(b.key, b.value) for b in theirs if b.key]
    assert doc.to_bytes() == text.encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=env_file(), picks=st.lists(st.integers(0, 20), max_size=3))
def test_masked_diff_never_shows_a_value(raw: bytes, picks: list[int]) -> None:
    """Removed, commented-out and context lines alike: no key value reaches the diff."""
    from hermes_accounts.files.diffview import EnvDisplay, env_opcodes, raw_lines, secret_values, unified

    before = EnvDoc.parse(raw)
    after = before.clone()
    result = clean(after, {}, keyring=_keyring_for(before, picks))
    secrets = secret_values(before)
    diff = unified(raw_lines(before.text()), raw_lines(after.text()), EnvDisplay(before),
                   EnvDisplay(after), "a", "b", secrets, ops=env_opcodes(before, after))
    assert bool(diff) == bool(result.fixes)
    shown_on_purpose = {s.value for s in before.bindings() if s.key.endswith("_URL")}  # URLs are shown
    for value in secrets:
        for piece in value.splitlines():
            piece = piece.strip()
            if len(piece) >= 8 and not any(piece in u for u in shown_on_purpose if u):
                assert piece not in diff, piece
    if diff:  # the diff is still useful: every fixed line number appears in a hunk
        assert diff.count("\n@@ ") + diff.startswith("@@") >= 1
