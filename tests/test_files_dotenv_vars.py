"""Setting and removing one .env variable through the safe writer (for ``--store dotenv``)."""

from __future__ import annotations

import os
import stat

import pytest

from hermes_accounts.files.dotenv_vars import remove_env_var, set_env_var
from hermes_accounts.files.plan import PlanError
from tests.fixtures_files import hermes_reads_env
from tests.fixtures_home import sentinel


@pytest.fixture
def h(home, backup_dir):  # type: ignore[no-untyped-def]
    return home


def test_set_creates_a_private_file(h) -> None:
    key = sentinel()
    p = set_env_var(str(h.path), "DEEPSEEK_API_KEY", key)
    env = h.path / ".env"
    assert env.read_text() == f"DEEPSEEK_API_KEY={key}\n"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert key not in p.diff() and p.files[0].backup is None


def test_set_rewrites_in_place_and_keeps_everything_else(h) -> None:
    key = sentinel()
    env = h.dotenv("# keys\r\nexport DEEPSEEK_API_KEY='old-value-123456'  # work\r\nA=\"x\ny\"\r\n"
                   "DEEPSEEK_API_KEY='second-old-1234'\r\nZ=1")
    set_env_var(str(h.path), "DEEPSEEK_API_KEY", key)
    assert env.read_bytes().decode() == ("# keys\r\nexport DEEPSEEK_API_KEY='old-value-123456'  # work\r\n"
                                         f"A=\"x\ny\"\r\nDEEPSEEK_API_KEY='{key}'\r\nZ=1")
    assert hermes_reads_env(env.read_bytes())["DEEPSEEK_API_KEY"] == key
    set_env_var(str(h.path), "NEW_ONE", "has space")
    assert env.read_bytes().decode().endswith("Z=1\r\nNEW_ONE=\"has space\"\r\n")
    assert hermes_reads_env(env.read_bytes())["NEW_ONE"] == "has space"


def test_remove_every_binding_including_multiline(h) -> None:
    env = h.dotenv('K=1\n# keep\nK="a\nb"\nOTHER=2\n')
    remove_env_var(str(h.path), "K")
    assert env.read_text() == "# keep\nOTHER=2\n"
    p = remove_env_var(str(h.path), "K")
    assert not p.changed


def test_symlink_written_through(h, tmp_path) -> None:
    real = tmp_path / "real.env"
    real.write_text("A=1\n")
    (h.path / ".env").symlink_to(real)
    set_env_var(str(h.path), "B", "2")
    assert (h.path / ".env").is_symlink() and real.read_text() == "A=1\nB=2\n"


@pytest.mark.parametrize("var, value, needle", [
    ("1BAD", "x", "not a valid variable name"),
    ("GOOD", "a\nb", "line break"),
    ("GOOD", "${HOME}", "would not read back"),
    ("A", "changed", "would also change B"),
])
def test_refusals_leave_the_file(h, var, value, needle) -> None:
    env = h.dotenv("A=1\nB=${A}\n")
    before = env.read_bytes()
    os.chmod(env, 0o640)
    with pytest.raises(PlanError) as exc:
        set_env_var(str(h.path), var, value)
    assert needle in str(exc.value) and env.read_bytes() == before
    assert stat.S_IMODE(env.stat().st_mode) == 0o640
