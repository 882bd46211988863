"""`explain` and `list` as users run them: real processes, real files, sentinel keys."""

from __future__ import annotations

import json

import pytest

from hermes_accounts.secret import fingerprint, mask
from tests.fixtures_home import sentinel

CONTRACT = {"provider", "base_url", "api_mode", "auth_header", "credential", "candidates", "warnings"}


def assert_absent(secret: str, *outputs: str) -> None:
    for out in outputs:
        assert secret not in out
        assert secret[8:] not in out  # no long fragment either


def test_explain_json_contract_and_no_secret(home) -> None:
    key = sentinel("mm-")
    shell = sentinel("mm-")
    home.dotenv(f"# my keys\nMINIMAX_API_KEY={key}\n")
    home.config("model:\n  provider: minimax\n")
    r = home.run("explain", "minimax", "--json", env={"MINIMAX_API_KEY": shell})
    assert r.returncode == 0, r.stderr
    assert_absent(key, r.stdout, r.stderr)
    assert_absent(shell, r.stdout, r.stderr)
    d = json.loads(r.stdout)
    assert CONTRACT <= set(d)
    assert d["provider"] == "minimax"
    assert d["base_url"] == "https://api.minimax.io/anthropic"
    assert d["api_mode"] == "anthropic_messages"
    assert d["auth_header"] == "authorization"
    cred = d["credential"]
    assert cred == {"source": "dotenv:MINIMAX_API_KEY", "env_var": "MINIMAX_API_KEY",
                    "masked": mask(key), "fingerprint": fingerprint(key)}
    statuses = {(c["source"], c["status"]) for c in d["candidates"]}
    assert statuses == {("dotenv:MINIMAX_API_KEY", "used"), ("env:MINIMAX_API_KEY", "shadowed")}
    shadowed = next(c for c in d["candidates"] if c["status"] == "shadowed")
    assert "override" in shadowed["reason"] and shadowed["fingerprint"] == fingerprint(shell)
    assert any("Hermes uses the .env value" in w for w in d["warnings"])


def test_explain_text_shows_trace(home) -> None:
    key = sentinel("mm-")
    home.dotenv(f"MINIMAX_API_KEY={key}\nMINIMAX_BASE_URL=https://api.minimax.io/v1\n")
    r = home.run("explain", "minimax")
    assert r.returncode == 0
    assert_absent(key, r.stdout, r.stderr)
    assert "dotenv:MINIMAX_API_KEY" in r.stdout and mask(key) in r.stdout
    assert "stale MiniMax /v1 URL" in r.stdout
    assert "chat_completions" in r.stdout  # what Hermes would really do with that URL


def test_exit_4_when_nothing_usable_and_2_for_unknown(home) -> None:
    home.dotenv("DEEPSEEK_API_KEY=changeme\n")
    r = home.run("explain", "deepseek", "--json")
    assert r.returncode == 4
    d = json.loads(r.stdout)
    assert d["credential"] is None
    assert d["candidates"][0]["status"] == "rejected"
    assert d["candidates"][0]["reason"] == "placeholder value"
    r = home.run("explain", "deepsek")
    assert r.returncode == 2
    assert "deepseek" in r.stderr and "Traceback" not in r.stderr
    r = home.run("explain", "kimi")  # an alias
    assert r.returncode == 4 and "kimi-coding" in r.stdout


def test_home_flag_beats_env(home, tmp_path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    key = sentinel("sk-")
    (other / ".env").write_text(f"DEEPSEEK_API_KEY={key}\n")
    r = home.run("explain", "deepseek", "--json", "--home", str(other))
    assert r.returncode == 0
    assert json.loads(r.stdout)["credential"]["fingerprint"] == fingerprint(key)


def test_list_json_has_every_provider_and_marks_active(home) -> None:
    key = sentinel("sk-or-v1-")
    home.dotenv(f"OPENROUTER_API_KEY={key}\n")
    home.config("model:\n  provider: openrouter\n")
    r = home.run("list", "--json")
    assert r.returncode == 0
    assert_absent(key, r.stdout, r.stderr)
    rows = json.loads(r.stdout)
    from hermes_accounts.catalog import PROVIDERS

    assert [row["provider"] for row in rows] == [p.id for p in PROVIDERS]
    assert all(CONTRACT <= set(row) for row in rows)
    active = [row for row in rows if row["active"]]
    assert [a["provider"] for a in active] == ["openrouter"]
    assert active[0]["credential"]["fingerprint"] == fingerprint(key)
    text = home.run("list")
    assert "* \u2713 openrouter" in text.stdout
    assert_absent(key, text.stdout)


@pytest.mark.parametrize("name,content", [
    ("dotenv-garbage", b"MINIMAX_API_KEY=mm-ok-abcdefghijkl\n'unterminated\n\x00\xff\xfe junk\n"),
    ("dotenv-utf16", "MINIMAX_API_KEY=mm-ok-abcdefghijkl\n".encode("utf-16")),
    ("dotenv-utf32", "MINIMAX_API_KEY=mm-ok-abcdefghijkl\n".encode("utf-32")),
    ("dotenv-bom-nul", b"\xef\xbb\xbfMINIMAX_API_KEY=mm-ok-\x00abcdefghijkl\n"),
])
def test_broken_dotenv_never_crashes(home, name: str, content: bytes) -> None:
    (home.path / ".env").write_bytes(content)
    for args in (("list",), ("list", "--json"), ("explain", "minimax", "--json")):
        r = home.run(*args)
        assert r.returncode in (0, 4), r.stderr
        assert "Traceback" not in r.stderr
    d = json.loads(home.run("explain", "minimax", "--json").stdout)
    if name == "dotenv-utf32":
        assert d["credential"] is None and any("UTF-32" in w for w in d["warnings"])
    else:
        assert d["credential"]["fingerprint"] == fingerprint("mm-ok-abcdefghijkl")
    if name == "dotenv-garbage":
        assert any(".env:2" in w and "cannot parse" in w for w in d["warnings"])


@pytest.mark.parametrize("filename,content,needle", [
    ("config.yaml", "model:\n  provider: minimax\n bad: [\n", "config.yaml:3"),
    ("config.yaml", "- just\n- a list\n", "not a mapping"),
    ("auth.json", "{not json", "auth.json"),
    ("auth.json", "[1, 2]", "not an object"),
])
def test_broken_config_and_auth_are_one_line_warnings(home, filename: str, content: str,
                                                      needle: str) -> None:
    home.dotenv("MINIMAX_API_KEY=mm-ok-abcdefghijkl\n")
    (home.path / filename).write_text(content)
    r = home.run("list")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert needle in r.stdout
    d = json.loads(home.run("explain", "minimax", "--json").stdout)
    assert any(needle in w for w in d["warnings"])


def test_claude_credentials_of_wrong_shape(home) -> None:
    (home.user_home / ".claude").mkdir()
    (home.user_home / ".claude" / ".credentials.json").write_text('{"claudeAiOauth": "nope"}')
    home.config("model:\n  provider: anthropic\n")
    r = home.run("explain", "anthropic", "--json")
    assert r.returncode == 4 and "Traceback" not in r.stderr
    assert any("unexpected shape" in w for w in json.loads(r.stdout)["warnings"])


def test_unreadable_file_is_reported(home) -> None:
    (home.path / ".env").mkdir()  # a directory where the file should be: unreadable even as root
    r = home.run("list", "--json")
    assert r.returncode == 0
    assert "cannot read" in r.stdout


def test_bare_command_lists(home) -> None:
    r = home.run()
    assert r.returncode == 0 and "provider" in r.stdout.lower()


@pytest.mark.parametrize("argv", [
    ("explain", "{k}"), ("set", "{k}"), ("test", "openrouter/{k}"), ("set", "openrouter", "--store", "{k}"),
    ("explain", "minimax", "--base-url={k}"), ("list", "{k}"),
])
def test_a_key_on_the_command_line_is_refused_without_echo(home, argv) -> None:
    key = sentinel("sk-or-v1-")
    r = home.run(*(a.format(k=key) for a in argv))
    assert r.returncode == 2
    assert "looks like an API key" in r.stderr and mask(key) in r.stderr
    assert_absent(key, r.stdout, r.stderr)


def test_ordinary_arguments_are_not_mistaken_for_keys(home) -> None:
    r = home.run("explain", "alibaba-coding-plan", "--base-url",
                 "https://coding-intl.dashscope.aliyuncs.com/v1", "--json")
    assert r.returncode == 4 and "looks like an API key" not in r.stderr


def test_a_key_inside_the_base_url_is_masked_everywhere(home) -> None:
    key, tok = sentinel("AIza"), sentinel("tok")
    home.dotenv(f"DEEPSEEK_API_KEY={sentinel('sk-')}\n"
                f"DEEPSEEK_BASE_URL=https://user:{tok}@127.0.0.1:9/v1?key={key}\n")  # loopback only
    for args in (("explain", "deepseek"), ("explain", "deepseek", "--json"), ("list",),
                 ("list", "--json"), ("test", "deepseek", "--json", "--show-request", "--timeout", "1")):
        r = home.run(*args)
        assert_absent(key, r.stdout, r.stderr)
        assert_absent(tok, r.stdout, r.stderr)
    d = json.loads(home.run("explain", "deepseek", "--json").stdout)
    assert d["base_url"].startswith("https://") and "127.0.0.1:9/v1" in d["base_url"]
