"""Which endpoints a test covers, and their requests: shared by every front end (CLI, TUI, plugin).

A :class:`TestPlan` holds, in order, the resolution and request (or the reason
for none) of every endpoint to test, plus every secret the resolutions know —
the scrub list for whatever the servers answer.

Selection rules (what ``hermes-accounts test`` documents):

* named targets (``PROVIDER`` or ``PROVIDER/ACCOUNT``), in the order given;
* ``all_``: every provider with a usable credential, plus the active one;
* neither: the active provider (``model.provider``), else as ``all_``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import catalog
from ..resolver import resolve, resolve_all
from ..secret import Secret, url_secrets
from . import accounts, request

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..resolver import Inputs
    from ..resolver.model import Resolution
    from .request import NotSent, ProbeRequest


class SelectionError(ValueError):
    """The targets cannot be tested as asked (a usage error for front ends)."""


@dataclass
class TestPlan:
    resolutions: list[Resolution] = field(default_factory=list)
    requests: list[ProbeRequest | NotSent] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)

    __test__ = False  # not a pytest test class, despite the name

    def warnings_by_label(self) -> dict[str, list[str]]:
        return {r.label: list(res.warnings) for r, res in zip(self.requests, self.resolutions, strict=True)}


def parse_target(text: str) -> tuple[str, str | None]:
    """``PROVIDER`` or ``PROVIDER/ACCOUNT`` → (provider name, account or None)."""
    name, slash, account = text.partition("/")
    if not name.strip() or (slash and not account.strip()):
        raise SelectionError(f"expected PROVIDER or PROVIDER/ACCOUNT, got {text!r}")
    return name.strip(), (account.strip() or None)


def select(inputs: Inputs, targets: list[str] | tuple[str, ...] = (), *, all_: bool = False,
           base_url: str | None = None) -> tuple[list[tuple[Resolution, str | None]], list[Resolution]]:
    """(resolution, account) pairs to test, and every provider's resolution (for the secret set).

    Raises :class:`catalog.UnknownProvider` for an unknown name, :class:`SelectionError` otherwise.
    """
    everything = resolve_all(inputs)
    by_id = {r.provider: r for r in everything}
    if targets and all_:
        raise SelectionError("give PROVIDER names or --all, not both")
    if base_url and len(targets) != 1:
        raise SelectionError("--base-url needs exactly one PROVIDER")
    chosen: list[tuple[Resolution, str | None]] = []
    if targets:
        seen: set[tuple[str, str | None]] = set()
        for text in targets:
            name, account = parse_target(text)
            pid = catalog.get(name).id
            if (pid, account) in seen:
                continue
            seen.add((pid, account))
            # A fresh resolution when it will be changed (another URL, another account's key).
            res = resolve(pid, inputs, base_url=base_url) if (base_url or account) else by_id[pid]
            chosen.append((res, account))
        return chosen, everything
    active = inputs.configured_provider
    if not all_ and active and active in by_id:
        return [(by_id[active], None)], everything
    # Every configured endpoint; a key the prober would refuse to send (an OPENAI_API_KEY that
    # Hermes would also hand OpenRouter) is not "configured" unless that provider is active.
    chosen = [(r, None) for r in everything
              if r.active or (r.credential is not None and request.foreign_key(r) is None)]
    return chosen, everything


def build(inputs: Inputs, targets: list[str] | tuple[str, ...] = (), *, all_: bool = False,
          base_url: str | None = None) -> TestPlan:
    """Select, load named accounts' keys, and plan every request."""
    chosen, everything = select(inputs, targets, all_=all_, base_url=base_url)
    config_model = inputs.config.model or {}
    plan = TestPlan()
    for res, account in chosen:
        if account is not None:
            try:
                secret, source = accounts.load_account_secret(inputs.home, res.provider, account, res)
                accounts.use_account(res, account, secret, source)
            except accounts.AccountProblem as exc:
                raise SelectionError(str(exc)) from None
        plan.resolutions.append(res)
        plan.requests.append(request.plan(res, account=account, config_model=config_model))
    plan.secrets = [c.secret for r in everything for c in r.candidates if c.secret is not None]
    plan.secrets += [r.secret for r in plan.resolutions if r.secret is not None]
    plan.secrets += [Secret(s) for r in everything for s in url_secrets(r.base_url)]
    return plan
