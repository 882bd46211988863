"""accounts.json: the contract other layers code against, atomic private writes, clear errors."""

from __future__ import annotations

import json
import stat

import pytest

from hermes_accounts.store.index import AccountMeta, IndexCorrupt, load_index


def test_missing_index_is_empty(tmp_path):
    idx = load_index(str(tmp_path))
    assert idx.providers == {}
    assert not idx.has_keyring_accounts()
    assert not (tmp_path / "accounts.json").exists()


def test_round_trip_matches_contract_and_is_private(tmp_path):
    idx = load_index(str(tmp_path))
    pa = idx.provider("openrouter")
    pa.accounts["work"] = AccountMeta("keyring", "sha256:0123456789ab", "sk-o…7890", "job",
                                      "2026-11-29T10:00:00Z", "2026-11-29T11:00:00Z")
    pa.active = "work"
    idx.save()
    path = tmp_path / "accounts.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data == {"version": 1, "providers": {"openrouter": {"active": "work", "accounts": {"work": {
        "store": "keyring", "fingerprint": "sha256:0123456789ab", "masked": "sk-o…7890", "label": "job",
        "created": "2026-11-29T10:00:00Z", "updated": "2026-11-29T11:00:00Z"}}}}}
    again = load_index(str(tmp_path))
    meta = again.providers["openrouter"].accounts["work"]
    assert (meta.store, meta.fingerprint, meta.label) == ("keyring", "sha256:0123456789ab", "job")
    assert again.active_keyring() == {"openrouter": "work"}


def test_second_save_keeps_a_private_backup(tmp_path):
    idx = load_index(str(tmp_path))
    idx.provider("xai").accounts["a"] = AccountMeta("keyring", "sha256:1", "x")
    idx.save()
    idx.provider("xai").accounts["b"] = AccountMeta("dotenv", "sha256:2", "y")
    idx.save()
    bak = tmp_path / "accounts.json.bak"
    assert stat.S_IMODE(bak.stat().st_mode) == 0o600
    assert list(json.loads(bak.read_text())["providers"]["xai"]["accounts"]) == ["a"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_dotenv_accounts_are_not_keyring_sources(tmp_path):
    idx = load_index(str(tmp_path))
    pa = idx.provider("deepseek")
    pa.accounts["plain"] = AccountMeta("dotenv", "sha256:2", "y")
    pa.active = "plain"
    assert idx.active_keyring() == {}
    assert not idx.has_keyring_accounts()


@pytest.mark.parametrize("content, needle", [
    ("{not json", "not valid JSON"),
    ('{"version": 1, "providers": []}', "no \"providers\" object"),
    ('{"version": 7, "providers": {}}', "version 7"),
    ('{"version": 1, "providers": {"x": {"accounts": {"a": {"store": "paper"}}}}}', "unknown store"),
])
def test_corrupt_index_names_file_and_fix(tmp_path, content, needle):
    (tmp_path / "accounts.json").write_text(content)
    with pytest.raises(IndexCorrupt) as err:
        load_index(str(tmp_path))
    msg = str(err.value)
    assert needle in msg and str(tmp_path / "accounts.json") in msg
    assert "\n" not in msg
