"""Account operations over an in-memory keyring: the logic above the store.

The real Secret Service is exercised in test_store_keyring.py and the CLI
tests; here a :class:`MemoryBackend` lets us make the keyring misbehave
(lose a write, change a key behind our back) on demand.
"""

from __future__ import annotations

import json
import stat

import pytest

from hermes_accounts.secret import Secret
from hermes_accounts.store.accounts import AccountError, AccountStore, UsageProblem
from hermes_accounts.store.backends import MemoryBackend
from hermes_accounts.store.errors import KeyringUnavailable, no_bus
from hermes_accounts.store.importer import find_importable
from hermes_accounts.store.index import load_index
from tests.fixtures_home import sentinel


@pytest.fixture
def mem():
    return MemoryBackend()


@pytest.fixture
def store(tmp_path, mem):
    return AccountStore(str(tmp_path), mem)


def test_first_account_becomes_active_second_does_not(store, mem, tmp_path):
    k1, k2 = sentinel("sk-or-v1-"), sentinel("sk-or-v1-")
    meta, active, old = store.set("openrouter", "default", Secret(k1))
    assert active and old is None and meta.fingerprint == Secret(k1).fingerprint
    _, active2, _ = store.set("openrouter", "work", Secret(k2), label="job")
    assert not active2
    assert mem.entries == {"openrouter/default": k1, "openrouter/work": k2}
    idx = load_index(str(tmp_path))
    assert idx.providers["openrouter"].active == "default"
    assert idx.providers["openrouter"].accounts["work"].label == "job"
    raw = (tmp_path / "accounts.json").read_text()
    assert k1 not in raw and k2 not in raw


def test_alias_is_stored_under_canonical_id(store, mem):
    store.set("glm", "default", Secret(sentinel()))
    assert list(mem.entries) == ["zai/default"]


def test_activate_flag_switches(store):
    store.set("xai", "a", Secret(sentinel("xai-")))
    _, active, _ = store.set("xai", "b", Secret(sentinel("xai-")), activate=True)
    assert active and store.index.providers["xai"].active == "b"


def test_replacing_keeps_created_and_label(store):
    store.set("xai", "a", Secret(sentinel("xai-")), label="mine")
    created = store.index.get("xai", "a").created
    new = Secret(sentinel("xai-"))
    meta, _, old = store.set("xai", "a", new)
    assert old is not None and meta.created == created and meta.label == "mine"
    assert meta.fingerprint == new.fingerprint


class LossyBackend(MemoryBackend):
    """Accepts writes, keeps something else: the read-back must catch it."""

    def set(self, username, secret, label):
        self.entries[username] = "sk-something-else-entirely"


def test_read_back_mismatch_records_nothing(tmp_path):
    store = AccountStore(str(tmp_path), LossyBackend())
    with pytest.raises(AccountError, match="did not keep"):
        store.set("xai", "a", Secret(sentinel("xai-")))
    assert not (tmp_path / "accounts.json").exists()


class DeadBackend(MemoryBackend):
    def get_many(self, usernames):
        raise no_bus()

    def set(self, username, secret, label):
        raise no_bus()


def test_unavailable_keyring_never_falls_back_to_plaintext(tmp_path):
    store = AccountStore(str(tmp_path), DeadBackend())
    key = sentinel()
    with pytest.raises(KeyringUnavailable) as err:
        store.set("deepseek", "default", Secret(key))
    assert "--store dotenv" in str(err.value)
    assert not (tmp_path / ".env").exists() and not (tmp_path / "accounts.json").exists()


def test_dotenv_store_is_explicit_private_and_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("HERMES_ACCOUNTS_BACKUP_DIR", str(tmp_path / "backups"))
    store = AccountStore(str(tmp_path), DeadBackend())  # the keyring is never touched
    key = sentinel()
    (tmp_path / ".env").write_text("# mine\nOTHER=1\n")
    meta, active, _ = store.set("deepseek", "plain", Secret(key), store="dotenv")
    env = tmp_path / ".env"
    assert env.read_text() == f"# mine\nOTHER=1\nDEEPSEEK_API_KEY={key}\n"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert not (tmp_path / ".env.bak").exists()  # a backup holding keys never sits in the home
    backups = [p for p in (tmp_path / "backups").rglob("*dotenv*") if p.is_file()]
    assert [b.read_text() for b in backups] == ["# mine\nOTHER=1\n"]
    assert meta.store == "dotenv" and active
    data = json.loads((tmp_path / "accounts.json").read_text())
    assert data["providers"]["deepseek"]["accounts"]["plain"]["store"] == "dotenv"


def test_dotenv_store_refuses_to_overwrite_an_unknown_key(tmp_path):
    store = AccountStore(str(tmp_path), MemoryBackend())
    theirs = sentinel()
    (tmp_path / ".env").write_text(f"DEEPSEEK_API_KEY={theirs}\n")
    with pytest.raises(AccountError, match="already sets DEEPSEEK_API_KEY"):
        store.set("deepseek", "plain", Secret(sentinel()), store="dotenv")
    assert (tmp_path / ".env").read_text() == f"DEEPSEEK_API_KEY={theirs}\n"


def test_remove_active_leaves_none_active(store, mem):
    store.set("xai", "a", Secret(sentinel("xai-")))
    store.set("xai", "b", Secret(sentinel("xai-")))
    _meta, present = store.remove("xai", "a")
    assert present and "xai/a" not in mem.entries and "xai/b" in mem.entries
    assert store.index.providers["xai"].active is None
    with pytest.raises(UsageProblem, match="known: b"):
        store.remove("xai", "a")


def test_remove_already_gone_from_keyring_still_cleans_index(store, mem):
    store.set("xai", "a", Secret(sentinel("xai-")))
    mem.entries.clear()
    _, present = store.remove("xai", "a")
    assert not present and "xai" not in load_index(store.home).providers


def test_rename_moves_entry_and_active(store, mem):
    key = sentinel("xai-")
    store.set("xai", "old", Secret(key))
    store.rename("xai", "old", "new")
    assert mem.entries == {"xai/new": key}
    assert store.index.providers["xai"].active == "new"
    with pytest.raises(UsageProblem):
        store.rename("xai", "new", "bad/name")


def test_activate_refuses_drifted_entries(store, mem):
    store.set("xai", "a", Secret(sentinel("xai-")))
    store.set("xai", "b", Secret(sentinel("xai-")))
    mem.entries["xai/b"] = sentinel("xai-")
    with pytest.raises(AccountError, match="changed outside"):
        store.activate("xai", "b")
    del mem.entries["xai/b"]
    with pytest.raises(AccountError, match="missing from the keyring"):
        store.activate("xai", "b")
    assert store.index.providers["xai"].active == "a"


def test_statuses_report_drift_in_one_batch(store, mem):
    store.set("xai", "a", Secret(sentinel("xai-")))
    store.set("xai", "b", Secret(sentinel("xai-")))
    store.set("deepseek", "c", Secret(sentinel()))
    mem.entries["xai/b"] = sentinel("xai-")        # changed outside
    del mem.entries["deepseek/c"]                   # deleted outside
    mem.entries["nvidia/stray"] = sentinel()        # stored outside
    mem.batches = 0
    rows, error = store.statuses()
    assert error is None and mem.batches == 1
    state = {f"{r.provider}/{r.account}": r.state for r in rows}
    assert state == {"xai/a": "ok", "xai/b": "changed", "deepseek/c": "missing", "nvidia/stray": "untracked"}
    only, _ = store.statuses("xai")
    assert {r.account for r in only} == {"a", "b"}


def test_statuses_with_dead_keyring_still_list(tmp_path):
    AccountStore(str(tmp_path), MemoryBackend()).set("xai", "a", Secret(sentinel("xai-")))
    rows, error = AccountStore(str(tmp_path), DeadBackend()).statuses()
    assert [r.state for r in rows] == ["unchecked"] and "D-Bus" in error


def test_import_plan(tmp_path):
    store = AccountStore(str(tmp_path), MemoryBackend())
    existing = sentinel("xai-")
    store.set("xai", "default", Secret(existing))
    ds, oa, orr = sentinel(), sentinel("sk-proj-"), sentinel("sk-or-v1-")
    (tmp_path / ".env").write_text(
        f"XAI_API_KEY={existing}\nDEEPSEEK_API_KEY={ds}\nOPENAI_API_KEY={oa}\nGLM_API_KEY=changeme\n"
        f"OPENROUTER_API_KEY={orr}\n")
    items = find_importable(str(tmp_path), store.index, {"XAI_API_KEY": sentinel("xai-")})
    plan = {i.origin.split()[-1]: i for i in items if not i.origin.startswith("environment")}
    assert plan["XAI_API_KEY"].skip == "already stored as xai/default"
    assert (plan["DEEPSEEK_API_KEY"].provider, plan["DEEPSEEK_API_KEY"].account) == ("deepseek", "default")
    assert plan["DEEPSEEK_API_KEY"].activate
    assert plan["OPENAI_API_KEY"].provider == "openai-api"
    assert "placeholder" in plan["GLM_API_KEY"].skip
    assert plan["OPENROUTER_API_KEY"].provider == "openrouter"
    env_items = [i for i in items if i.origin.startswith("environment")]
    assert [(i.account, i.activate) for i in env_items] == [("imported", False)]


def test_import_routes_openrouter_key_in_openai_var(tmp_path):
    key = sentinel("sk-or-v1-")
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={key}\n")
    [item] = find_importable(str(tmp_path), load_index(str(tmp_path)))
    assert item.provider == "openrouter"


def test_moving_a_dotenv_account_to_the_keyring(tmp_path, mem):
    store = AccountStore(str(tmp_path), mem)
    key = sentinel()
    store.set("deepseek", "main", Secret(key), store="dotenv")
    store.set("deepseek", "main", Secret(key))  # now into the keyring: the plaintext copy goes
    assert mem.entries == {"deepseek/main": key}
    assert "DEEPSEEK_API_KEY" not in (tmp_path / ".env").read_text()
    assert store.index.get("deepseek", "main").store == "keyring"


def test_moving_to_keyring_keeps_a_dotenv_line_edited_meanwhile(tmp_path, mem):
    store = AccountStore(str(tmp_path), mem)
    store.set("deepseek", "main", Secret(sentinel()), store="dotenv")
    theirs = sentinel()
    (tmp_path / ".env").write_text(f"DEEPSEEK_API_KEY={theirs}\n")
    store.set("deepseek", "main", Secret(sentinel()))
    assert (tmp_path / ".env").read_text() == f"DEEPSEEK_API_KEY={theirs}\n"


class SlowBackend(MemoryBackend):
    """A keyring that takes a while to write: widens the window between reading and saving the index."""

    def set(self, username, secret, label):
        import time

        time.sleep(0.05)
        super().set(username, secret, label)


def test_concurrent_writers_lose_no_index_update(tmp_path):
    """Each thread is a separate writer (own lock descriptor, as another process would be)."""
    import threading

    backend = SlowBackend()
    providers = ["deepseek", "xai", "nvidia", "huggingface", "fireworks", "zai"]
    start = threading.Barrier(len(providers))
    errors = []

    def one(pid):
        store = AccountStore(str(tmp_path), backend)
        start.wait()
        try:
            store.set(pid, "default", Secret(sentinel()))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(p,)) for p in providers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(load_index(str(tmp_path)).providers) == sorted(providers)


def test_unknown_provider_in_a_hand_edited_index_is_reported_not_fatal(tmp_path, mem):
    store = AccountStore(str(tmp_path), mem)
    store.set("xai", "a", Secret(sentinel("xai-")))
    data = json.loads((tmp_path / "accounts.json").read_text())
    data["providers"]["nosuch"] = {"active": "x", "accounts": {"x": {"store": "dotenv", "fingerprint": "f",
                                                                      "masked": "m"}}}
    (tmp_path / "accounts.json").write_text(json.dumps(data))
    rows, error = AccountStore(str(tmp_path), mem).statuses()
    assert error is None
    assert {(r.provider, r.state) for r in rows} == {("xai", "ok"), ("nosuch", "unknown")}
    assert [r.to_dict()["source"] for r in rows if r.provider == "nosuch"] == ["dotenv:?"]


def test_custom_endpoint_has_nothing_to_store(store):
    with pytest.raises(UsageProblem, match=r"config\.yaml"):
        store.set("custom", "default", Secret(sentinel()))


def test_file_backends_chosen_silently_are_refused(monkeypatch):
    import keyring
    from jaraco.classes import properties
    from keyring.backend import KeyringBackend

    from hermes_accounts.store.backends import KeyringLibBackend

    class Plaintext(KeyringBackend):
        # keyring registers every subclass for good; a viable fake "file" backend would
        # leak into later tests' backend chains, so this one is never viable.
        @properties.classproperty
        def priority(cls):  # type: ignore[no-untyped-def]
            raise RuntimeError("test-only backend")

        def get_password(self, service, username):
            return None

        def set_password(self, service, username, password):
            raise AssertionError("must not be called")

        def delete_password(self, service, username):
            pass

    Plaintext.__module__ = "keyrings.alt.file"
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(Plaintext())
    try:
        with pytest.raises(KeyringUnavailable) as err:
            KeyringLibBackend(2).set("xai/a", Secret(sentinel()), "l")
        assert err.value.kind == "file-backend" and "--store dotenv" in str(err.value)
    finally:
        keyring.set_keyring(previous)


def test_moving_a_dotenv_account_to_the_keyring_keeps_env_until_the_agent_reads_it(
        tmp_path, monkeypatch):
    monkeypatch.delenv("HERMES_ACCOUNTS_AGENT_READS_KEYRING", raising=False)
    monkeypatch.setenv("HERMES_ACCOUNTS_BACKUP_DIR", str(tmp_path / "backups"))
    store = AccountStore(str(tmp_path), MemoryBackend())
    key = sentinel()
    store.set("deepseek", "main", Secret(key), store="dotenv")
    store.set("deepseek", "main", Secret(key))  # now into the keyring
    assert (tmp_path / ".env").read_text() == f"DEEPSEEK_API_KEY={key}\n"  # the agent's only key
    monkeypatch.setenv("HERMES_ACCOUNTS_AGENT_READS_KEYRING", "1")
    store.set("deepseek", "main", Secret(key), store="dotenv")
    store.set("deepseek", "main", Secret(key))
    assert "DEEPSEEK_API_KEY" not in (tmp_path / ".env").read_text()
