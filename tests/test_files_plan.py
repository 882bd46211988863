"""The write transaction: both files validated first, re-plan on concurrent change, all or nothing."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from hermes_accounts.files import atomic, plan
from hermes_accounts.files.clean import remove_keys_now_in_keyring
from hermes_accounts.secret import Secret
from tests.fixtures_files import hermes_reads_env, hermes_reads_yaml
from tests.fixtures_home import sentinel

DIRTY_ENV = "# keys\nDEEPSEEK_API_KEY={key}\nMINIMAX_BASE_URL=https://api.minimax.io/v1\nGLM_API_KEY=\n"
CONFIG = "# mine\nmodel:\n  provider: minimax   # keep\n  base_url: https://api.minimax.io/v1\n"


@pytest.fixture
def h(home, backup_dir):  # type: ignore[no-untyped-def]
    return home


def _plan(h) -> plan.Plan:  # type: ignore[no-untyped-def]
    return plan.plan_write(str(h.path), {}, verify_keyring=None)


def test_write_fixes_both_files_masks_the_diff_and_keeps_modes(h) -> None:
    key = sentinel()
    env = h.dotenv(DIRTY_ENV.format(key=key))
    os.chmod(env, 0o644)
    cfg = h.config(CONFIG)
    os.chmod(cfg, 0o640)
    p = plan.run(str(h.path), lambda: _plan(h))
    assert key not in p.diff() and Secret(key).masked in p.diff()
    assert "-MINIMAX_BASE_URL=https://api.minimax.io/v1" in p.diff()
    assert "+MINIMAX_BASE_URL=https://api.minimax.io/anthropic" in p.diff()
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    assert hermes_reads_env(env.read_bytes()) == {"DEEPSEEK_API_KEY": key,
                                                  "MINIMAX_BASE_URL": "https://api.minimax.io/anthropic"}
    assert hermes_reads_yaml(cfg.read_bytes()) == {"model": {
        "provider": "minimax", "base_url": "https://api.minimax.io/anthropic"}}
    assert "# mine" in cfg.read_text() and "# keep" in cfg.read_text()
    assert all(f.backup and os.path.exists(f.backup) for f in p.files)
    assert len(p.fixes) == 3
    again = _plan(h)
    assert not again.changed and again.fixes == []


def test_dry_run_writes_nothing_not_even_a_lock(h) -> None:
    env = h.dotenv(DIRTY_ENV.format(key=sentinel()))
    before = (env.read_bytes(), env.stat().st_mtime_ns)
    p = plan.run(str(h.path), lambda: _plan(h), dry_run=True)
    assert p.changed and (env.read_bytes(), env.stat().st_mtime_ns) == before
    assert sorted(x.name for x in h.path.iterdir()) == [".env"]


@pytest.mark.parametrize("bad_file, content, needle", [
    ("config.yaml", "model:\n  provider: [minimax\n", "config.yaml:3"),
    (".env", "A=1\nB='open\n", ".env:2"),
])
def test_an_unreadable_file_stops_everything(h, bad_file, content, needle) -> None:
    good = {".env": DIRTY_ENV.format(key=sentinel()), "config.yaml": CONFIG}
    for name, text in good.items():
        (h.path / name).write_text(content if name == bad_file else text)
    snapshot = {n: (h.path / n).read_bytes() for n in good}
    with pytest.raises(plan.PlanError) as exc:
        plan.run(str(h.path), lambda: _plan(h))
    assert needle in str(exc.value) and "nothing was written" in str(exc.value)
    assert {n: (h.path / n).read_bytes() for n in good} == snapshot


def test_a_concurrent_writer_is_re_read_not_overwritten(h) -> None:
    env = h.dotenv(DIRTY_ENV.format(key="sk-abcdefgh12345678"))
    calls = []

    def hermes_config_set(ch: atomic.Change) -> None:
        if not calls and ch.snap.path.endswith(".env"):
            with open(env, "a") as fh:
                fh.write("TELEGRAM_BOT_TOKEN=written-by-hermes\n")
        calls.append(ch.snap.path)

    p = plan.run(str(h.path), lambda: _plan(h), before_rename=hermes_config_set)
    assert p.replanned == 1
    text = env.read_text()
    assert "TELEGRAM_BOT_TOKEN=written-by-hermes" in text
    assert "https://api.minimax.io/anthropic" in text and "GLM_API_KEY" not in text


def test_a_file_that_keeps_changing_gives_up_cleanly(h) -> None:
    env = h.dotenv(DIRTY_ENV.format(key="sk-abcdefgh12345678"))
    n = [0]

    def always(ch: atomic.Change) -> None:
        n[0] += 1
        with open(env, "a") as fh:
            fh.write(f"X{n[0]}=1\n")

    with pytest.raises(plan.PlanError) as exc:
        plan.run(str(h.path), lambda: _plan(h), before_rename=always)
    assert "kept changing" in str(exc.value)
    assert env.read_text().endswith(f"X{n[0]}=1\n") and "GLM_API_KEY=\n" in env.read_text()


def test_second_rename_fails_first_file_is_restored(h, monkeypatch) -> None:
    env = h.dotenv(DIRTY_ENV.format(key="sk-abcdefgh12345678"))
    cfg = h.config(CONFIG)
    originals = (env.read_bytes(), cfg.read_bytes())
    real = os.replace

    def fail_config(src: str, dst: str) -> None:
        if dst.endswith("config.yaml"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(atomic, "_replace", fail_config)
    with pytest.raises(plan.PlanError) as exc:
        plan.run(str(h.path), lambda: _plan(h))
    assert "disk is full" in str(exc.value)
    assert (env.read_bytes(), cfg.read_bytes()) == originals
    assert not [p for p in h.path.iterdir() if p.name.endswith(".tmp")]


def test_symlinked_env_is_written_through(h, tmp_path) -> None:
    real = tmp_path / "dotfiles.env"
    real.write_text("GLM_API_KEY=\nA=1\n")
    (h.path / ".env").symlink_to(real)
    plan.run(str(h.path), lambda: _plan(h))
    assert (h.path / ".env").is_symlink() and real.read_text() == "A=1\n"


def test_remove_keys_now_in_keyring_touches_only_keyring_keys(h) -> None:
    key = sentinel("mm-")
    env = h.dotenv(f"MINIMAX_API_KEY={key}\nGLM_API_KEY=\nMINIMAX_BASE_URL=https://api.minimax.io/v1\n")
    (h.path / "accounts.json").write_text(
        '{"version": 1, "providers": {"minimax": {"active": "work", "accounts": {"work": '
        f'{{"store": "keyring", "fingerprint": "{Secret(key).fingerprint}", "masked": "x"}}}}}}}}}}')
    cfg = h.config(CONFIG)
    cfg_before = cfg.read_bytes()
    p = remove_keys_now_in_keyring(str(h.path), ["minimax"], verify=lambda pr, a: Secret(key).fingerprint)
    assert env.read_text() == ("# MINIMAX_API_KEY: in the OS keyring (hermes-accounts minimax/work)\n"
                               "GLM_API_KEY=\nMINIMAX_BASE_URL=https://api.minimax.io/v1\n")
    assert cfg.read_bytes() == cfg_before
    assert len(p.fixes) == 1 and key not in " ".join(p.fixes) + p.diff()
    # other providers only: nothing to do
    env.write_text(f"MINIMAX_API_KEY={key}\n")
    p = remove_keys_now_in_keyring(str(h.path), ["deepseek"], verify=lambda pr, a: Secret(key).fingerprint)
    assert not p.changed and env.read_text() == f"MINIMAX_API_KEY={key}\n"


def test_corrupt_accounts_index_leaves_keys_in_place(h) -> None:
    key = sentinel()
    h.dotenv(f"DEEPSEEK_API_KEY={key}\n")
    (h.path / "accounts.json").write_text("{not json")
    p = _plan(h)
    assert not p.changed and any("accounts.json" in w for w in p.warnings)


def test_a_rule_bug_is_caught_before_anything_is_written(h, monkeypatch) -> None:
    """The safety net: if an edit changed a variable no rule meant to change, nothing is written."""
    from hermes_accounts.files import dotenv_clean

    env = h.dotenv("A=1\nB=${A}-x\nGLM_API_KEY=\n")
    before = env.read_bytes()
    real_clean = dotenv_clean.clean

    def buggy(doc, *a, **k):  # type: ignore[no-untyped-def]
        result = real_clean(doc, *a, **k)
        doc.remove(doc.bindings()[0])  # drops A, which B expands
        return result

    monkeypatch.setattr(plan, "clean", buggy)
    with pytest.raises(plan.PlanError) as exc:
        plan.run(str(h.path), lambda: _plan(h))
    assert "would change A, B unexpectedly" in str(exc.value)
    assert env.read_bytes() == before
