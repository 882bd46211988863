"""The catalog agrees with the registry Hermes 0.19 printed itself (tests/data)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from hermes_accounts import catalog
from hermes_accounts.catalog.model import API_KEY

DATA = Path(__file__).parent / "data"
# OAuth providers whose URL override Hermes reads in code, not through the registry row.
RUNTIME_URL_VARS = {"nous": "NOUS_INFERENCE_BASE_URL", "qwen-oauth": "HERMES_QWEN_BASE_URL"}


def registry_rows() -> list[dict[str, str]]:
    with open(DATA / "hermes-0.19-registry.tsv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.mark.parametrize("row", registry_rows(), ids=lambda r: r["provider_id"])
def test_every_registry_row_is_in_the_catalog(row: dict[str, str]) -> None:
    provider = catalog.lookup(row["provider_id"])
    assert provider is not None, f"{row['provider_id']} missing (as id or alias)"
    keys = tuple(v for v in row["key_env_vars_in_priority_order"].split(",") if v)
    assert provider.key_env_vars == keys
    assert provider.default_url == row["default_base_url"]
    if provider.id == row["provider_id"] and provider.id not in RUNTIME_URL_VARS:
        assert (provider.base_url_env or "") == row["base_url_env_var"]
    assert provider.auth_type == row["auth_type"]


def test_alias_rows_resolve_to_the_id_hermes_reports() -> None:
    results = json.loads((DATA / "hermes-0.19-defaults.json").read_text())["results"]
    for r in results:
        if "provider" in r:
            assert catalog.get(r["configured_provider"]).id == r["provider"]


def test_ids_and_aliases_are_unique_and_lowercase() -> None:
    seen: dict[str, str] = {}
    for p in catalog.PROVIDERS:
        for name in (p.id, *p.aliases):
            assert name == name.lower()
            assert name not in seen, f"{name} claimed by {seen.get(name)} and {p.id}"
            seen[name] = p.id


def test_registry_order_is_kept() -> None:
    ids = [p.id for p in catalog.PROVIDERS if p.in_registry]
    hermes_ids = []
    for r in registry_rows():
        pid = catalog.get(r["provider_id"]).id
        if pid not in hermes_ids:
            hermes_ids.append(pid)
    assert [i for i in ids if i in hermes_ids] == hermes_ids


def test_api_key_providers_have_a_probe_or_a_reason() -> None:
    no_probe_ok = {"copilot", "opencode-go", "azure-foundry", "custom"}
    for p in catalog.PROVIDERS:
        if p.auth_type == API_KEY and p.id not in no_probe_ok:
            assert p.probe is not None, p.id


def test_openrouter_and_custom_are_present() -> None:
    assert catalog.get("openrouter").required_prefix == "sk-or-"
    assert catalog.get("ollama").id == "custom"


def test_unknown_provider_suggests_close_matches() -> None:
    with pytest.raises(catalog.UnknownProvider) as info:
        catalog.get("minmax")
    assert "minimax" in info.value.suggestions
    assert "minimax" in str(info.value)
