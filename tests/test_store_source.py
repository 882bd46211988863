"""The resolver's keyring source: active account only, one batch, no keyring import when unused."""

from __future__ import annotations

import subprocess
import sys

from hermes_accounts.resolver import Inputs, resolve, resolve_all
from hermes_accounts.secret import Secret
from hermes_accounts.store.accounts import AccountStore
from hermes_accounts.store.backends import MemoryBackend
from hermes_accounts.store.errors import no_bus
from hermes_accounts.store.source import KeyringSource, keyring_source
from tests.fixtures_home import ROOT, sentinel


def _inputs(home, mem, environ=None):
    src = keyring_source(str(home.path), warn=None)
    if src is not None:
        src._backend = mem
    return Inputs.load(home.path, {**home.env, **(environ or {})}, keyring=src), src


def test_no_index_means_no_source(home):
    assert keyring_source(str(home.path)) is None
    assert Inputs.load(home.path, home.env).keyring is None


def test_no_keyring_import_without_keyring_accounts(home):
    """Users without keyring accounts must not pay for importing keyring/SecretStorage."""
    store = AccountStore(str(home.path), MemoryBackend())
    store.set("deepseek", "plain", Secret(sentinel()), store="dotenv")
    code = ("import sys; from hermes_accounts.resolver import Inputs, resolve_all; "
            f"resolve_all(Inputs.load({str(home.path)!r})); "
            "print(sorted(m for m in ('keyring', 'secretstorage', 'jeepney', 'dataclasses') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT),
                         env=home.env, check=True).stdout.strip()
    assert out == "[]"


def test_active_account_only_and_one_batch_for_all(home):
    mem = MemoryBackend()
    store = AccountStore(str(home.path), mem)
    active, other, ds = sentinel("xai-"), sentinel("xai-"), sentinel()
    store.set("xai", "main", Secret(active))
    store.set("xai", "spare", Secret(other))
    store.set("deepseek", "default", Secret(ds))
    mem.batches = 0
    inputs, src = _inputs(home, mem)
    results = {r.provider: r for r in resolve_all(inputs)}
    assert mem.batches == 1 and src.fetches == 1
    assert results["xai"].credential.source == "keyring:xai/main"
    assert results["xai"].credential.secret.reveal() == active
    assert [c.source for c in results["xai"].candidates if c.source.startswith("keyring")] == \
        ["keyring:xai/main"]
    assert results["deepseek"].credential.source == "keyring:deepseek/default"


def test_dotenv_and_shell_shadow_the_keyring_with_the_fix(home):
    mem = MemoryBackend()
    AccountStore(str(home.path), mem).set("deepseek", "default", Secret(sentinel()))
    home.dotenv(f"DEEPSEEK_API_KEY={sentinel()}\n")
    res = resolve("deepseek", _inputs(home, mem)[0])
    assert res.credential.source == "dotenv:DEEPSEEK_API_KEY"
    [kc] = [c for c in res.candidates if c.source == "keyring:deepseek/default"]
    assert kc.status == "shadowed" and ".env wins over the keyring" in kc.reason
    (home.path / ".env").unlink()
    res = resolve("deepseek", _inputs(home, mem, {"DEEPSEEK_API_KEY": sentinel()})[0])
    assert res.credential.source == "env:DEEPSEEK_API_KEY"
    [kc] = [c for c in res.candidates if c.source == "keyring:deepseek/default"]
    assert "unset DEEPSEEK_API_KEY" in kc.reason


class Dead(MemoryBackend):
    def get_many(self, usernames):
        raise no_bus()


def test_unusable_keyring_gives_no_candidates_and_one_warning():
    seen = []
    src = KeyringSource({"xai": "a", "deepseek": "b"}, backend=Dead(), warn=seen.append)
    assert src("xai") == [] and src("deepseek") == [] and src("nvidia") == []
    assert len(seen) == 1 and "D-Bus" in seen[0] and "(2) are skipped" in seen[0]


def test_corrupt_index_warns_and_resolves_the_rest(home):
    (home.path / "accounts.json").write_text("{oops")
    seen = []
    source = keyring_source(str(home.path), warn=seen.append)
    assert source is not None and source("deepseek") == []
    assert "not valid JSON" in seen[0] and source.error == seen[0]
