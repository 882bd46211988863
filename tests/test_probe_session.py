"""Which endpoints a test covers (shared by the CLI and later front ends)."""

from __future__ import annotations

import pytest

from hermes_accounts.catalog import UnknownProvider
from hermes_accounts.probe import session
from hermes_accounts.probe.request import NotSent, ProbeRequest
from tests.fixtures_home import sentinel


def labels(plan: session.TestPlan) -> list[str]:
    return [p.label for p in plan.requests]


def test_default_is_the_active_provider_else_every_configured_one(home):
    home.dotenv(f"DEEPSEEK_API_KEY={sentinel('sk-')}\nNVIDIA_API_KEY={sentinel('nvapi-')}\n")
    assert labels(session.build(home.inputs())) == ["deepseek", "nvidia"]
    home.config("model:\n  provider: nvidia\n")
    assert labels(session.build(home.inputs())) == ["nvidia"]


def test_all_adds_the_active_provider_even_without_a_credential(home):
    home.dotenv(f"DEEPSEEK_API_KEY={sentinel('sk-')}\n")
    home.config("model:\n  provider: minimax\n")
    plan = session.build(home.inputs(), all_=True)
    assert labels(plan) == ["minimax", "deepseek"]  # registry order
    assert isinstance(plan.requests[0], NotSent) and isinstance(plan.requests[1], ProbeRequest)


def test_targets_keep_their_order_aliases_resolve_and_repeats_collapse(home):
    home.dotenv(f"DEEPSEEK_API_KEY={sentinel('sk-')}\nGLM_API_KEY={sentinel('glm-')}\n")
    assert labels(session.build(home.inputs(), ["glm", "deepseek", "zai"])) == ["zai", "deepseek"]


def test_secret_list_covers_every_candidate_of_every_provider(home):
    keys = [sentinel("sk-"), sentinel("sk-ant-oat01-"), sentinel("mm-")]
    home.dotenv(f"DEEPSEEK_API_KEY={keys[0]}\nANTHROPIC_TOKEN={keys[1]}\nMINIMAX_API_KEY={keys[2]}\n")
    plan = session.build(home.inputs(), ["deepseek"])
    known = {s.reveal() for s in plan.secrets}
    assert set(keys) <= known  # even keys of providers not being tested


@pytest.mark.parametrize(("targets", "kw", "needle"), [
    (["deepseek"], {"all_": True}, "not both"),
    (["deepseek", "nvidia"], {"base_url": "http://x"}, "exactly one"),
    ([], {"base_url": "http://x"}, "exactly one"),
    (["/work"], {}, "PROVIDER/ACCOUNT"),
    (["deepseek/"], {}, "PROVIDER/ACCOUNT"),
])
def test_selection_errors(home, targets, kw, needle):
    with pytest.raises(session.SelectionError, match=needle):
        session.build(home.inputs(), targets, **kw)


def test_unknown_provider_suggests(home):
    with pytest.raises(UnknownProvider, match="minimax"):
        session.build(home.inputs(), ["minimaxx"])


def test_an_openai_key_is_never_sent_to_openrouter(home, emu):
    """Hermes 0.19 falls back to OPENAI_API_KEY for OpenRouter; the prober refuses to send it there."""
    key = sentinel("sk-proj-")
    home.dotenv(f"OPENAI_API_KEY={key}\nOPENAI_BASE_URL={emu.url('/openai-oa/v1')}\n"
                f"OPENROUTER_BASE_URL={emu.url('/openrouter/api/v1')}\n")
    emu.add_key("openai", key)
    assert "openrouter" not in labels(session.build(home.inputs(), all_=True))
    [ns] = session.build(home.inputs(), ["openrouter"]).requests
    assert isinstance(ns, NotSent) and ns.outcome == "no_credential"
    assert "not a key for OpenRouter" in ns.hint and "OPENROUTER_API_KEY" in ns.hint and key not in ns.hint
    proc = home.run("test", "--all", "--json")
    assert emu.requests("openrouter") == [] and key not in proc.stdout
    assert proc.returncode == 0  # openai-api itself is fine
