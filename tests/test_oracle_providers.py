"""Every API-key provider, compared with the real Hermes 0.19 (``tests/fixtures_oracle.py``).

Scenario: the provider's first key variable in ``$HERMES_HOME/.env`` and
``model.provider`` in ``config.yaml`` — then the second/third variables, alone
and together. Each is checked live against Hermes, and the first-variable case
also against Hermes' own recorded answer (``tests/data/hermes-0.19-defaults.json``).
"""

from __future__ import annotations

import json

import pytest

from hermes_accounts import catalog
from hermes_accounts.resolver import resolve
from tests.fixtures_home import ROOT, sentinel

pytestmark = pytest.mark.hermes

DEFAULTS = json.loads((ROOT / "tests/data/hermes-0.19-defaults.json").read_text())["results"]
# copilot's key is exchanged over the network (a different token); zai probes endpoints.
NETWORK = {"copilot", "zai"}


def _key_for(var: str, provider: str) -> str:
    if provider == "openrouter":
        return sentinel("sk-or-v1-")
    if provider == "anthropic":
        return sentinel("sk-ant-api03-")
    return sentinel("k-")


@pytest.mark.parametrize("row", DEFAULTS, ids=lambda r: r["configured_provider"])
def test_first_key_var_matches_recorded_hermes_answer(home, row):
    """Our answer equals what Hermes 0.19 printed for the same setup (no Hermes needed)."""
    var = row["key_env_var_set"]
    home.dotenv(f"{var}={_key_for(var, row['configured_provider'])}\n")
    home.config(f"model:\n  provider: {row['configured_provider']}\n")
    ours = resolve(row["configured_provider"], home.inputs())
    if "hermes_result" in row:  # azure-foundry: Hermes refuses without model.base_url
        assert ours.base_url == "" and any("base_url" in w for w in ours.warnings)
        return
    assert ours.provider == row["provider"]
    assert ours.base_url == row["base_url"]
    assert ours.api_mode == row["api_mode"]
    assert ours.credential is not None and f"env:{ours.credential.env_var}" == row["source"]
    assert ours.credential.source == f"dotenv:{var}"


API_KEY_PROVIDERS = [p for p in catalog.PROVIDERS if p.has_api_key and p.in_registry
                     and p.id not in ("copilot", "azure-foundry")]


@pytest.mark.parametrize("provider", API_KEY_PROVIDERS, ids=lambda p: p.id)
def test_each_key_var_alone_live(home, oracle, provider):
    """Each of the provider's key variables, alone in .env: same key, var, URL, mode, header."""
    for var in provider.key_env_vars:
        (home.path / "auth.json").unlink(missing_ok=True)
        home.dotenv(f"{var}={_key_for(var, provider.id)}\n")
        home.config(f"model:\n  provider: {provider.id}\n")
        ours, _ = oracle.compare(home, provider.id, allow_network=provider.id in NETWORK)
        assert ours.credential is not None and ours.credential.env_var == var


@pytest.mark.parametrize("provider", [p for p in API_KEY_PROVIDERS if len(p.key_env_vars) > 1],
                         ids=lambda p: p.id)
def test_all_key_vars_together_live(home, oracle, provider):
    """All key variables set at once: Hermes' priority order decides, and ours agrees."""
    home.dotenv("".join(f"{v}={_key_for(v, provider.id)}\n" for v in provider.key_env_vars))
    home.config(f"model:\n  provider: {provider.id}\n")
    ours, _ = oracle.compare(home, provider.id, allow_network=provider.id in NETWORK)
    assert ours.credential is not None


@pytest.mark.parametrize("provider", [p for p in API_KEY_PROVIDERS if len(p.key_env_vars) > 1],
                         ids=lambda p: p.id)
def test_later_key_vars_reversed_in_file_live(home, oracle, provider):
    """File order does not matter, registry order does."""
    home.dotenv("".join(f"{v}={_key_for(v, provider.id)}\n"
                        for v in reversed(provider.key_env_vars)))
    home.config(f"model:\n  provider: {provider.id}\n")
    oracle.compare(home, provider.id, allow_network=provider.id in NETWORK)


def test_list_rows_match_hermes_for_every_provider(home, oracle):
    """``list`` (resolve_all over one snapshot): every row equals Hermes asked for that provider.

    One home with a key for every API-key provider, MiniMax active with its own
    model.base_url — which must not leak into any other provider's row.
    """
    from hermes_accounts.resolver import resolve_all
    from tests.fixtures_oracle import assert_same

    lines = [f"{p.key_env_vars[0]}={_key_for(p.key_env_vars[0], p.id)}" for p in API_KEY_PROVIDERS]
    home.dotenv("\n".join(dict.fromkeys(lines)) + "\n")
    home.config("model:\n  provider: minimax\n  base_url: https://api.minimaxi.com/anthropic\n"
                "  api_mode: anthropic_messages\n")
    rows = {r.provider: r for r in resolve_all(home.inputs())}  # before Hermes touches the files
    for p in API_KEY_PROVIDERS:
        theirs = oracle.ask(home, p.id)
        if p.id not in NETWORK:
            assert theirs["network"] == [], p.id
        assert_same(rows[p.id], theirs)
    assert rows["minimax"].base_url == "https://api.minimaxi.com/anthropic"
