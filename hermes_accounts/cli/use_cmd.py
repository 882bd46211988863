"""``hermes-accounts use PROVIDER[/ACCOUNT]``: switch the active provider the way Hermes should.

Switching used to leave the old route behind — ``model.base_url``,
``api_mode``, ``api_key``, ``key_env`` — so the new key went to the old endpoint
(Hermes #113719, #14134, #3685; cc-switch and hermes-studio did the same). Here a
new route starts clean: those keys are dropped, ``base_url`` is written only
when it is not the provider's default, the named keyring account is activated,
and the command ends with what ``explain`` now shows — exactly what the agent
will do.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from ..files.config_edit import ConfigDoc
    from ..files.plan import Plan

# model.* keys that belong to one route (endpoint + credential); dropped on a switch.
ROUTE_KEYS = ("base_url", "api_mode", "api_key", "key_env", "api_key_env")
SECRET_KEYS = ("api_key",)


def register(subs: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    from ..catalog.model import API_MODES

    p = subs.add_parser(
        "use", parents=parents, help="switch Hermes to a provider (and account); prints explain",
        description="Set model.provider in config.yaml, drop the previous route's base_url, "
                    "api_mode, api_key and key_env, set base_url only when it is not the "
                    "provider's default, activate the named keyring account, then show what the "
                    "agent will now do (explain). Comments, order and quoting in config.yaml are "
                    "kept; a backup is made. Exit 4 if the provider then has no usable credential.")
    p.add_argument("target", metavar="PROVIDER[/ACCOUNT]",
                   help="provider id or alias, optionally with a keyring account (minimax/work)")
    p.add_argument("--model", metavar="NAME", help="set model.default")
    p.add_argument("--base-url", metavar="URL", help="a non-default endpoint (kept only if not the default)")
    p.add_argument("--api-mode", choices=API_MODES, metavar="MODE",
                   help=f"force model.api_mode: {', '.join(API_MODES)} (normally derived from the URL)")
    p.add_argument("--dry-run", action="store_true", help="show the config.yaml diff; change nothing")
    p.set_defaults(handler=run)


def _clean_url(raw: str) -> str:
    from . import UsageError

    url = raw.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or any(c.isspace() for c in url):
        raise UsageError(f"--base-url must be an http(s) URL like https://api.example.com/v1, got {raw!r}")
    return url


def _target(text: str) -> tuple[str, str, str | None]:
    """(provider id as written to config.yaml, catalog id, account or None)."""
    from .. import catalog
    from . import UsageError

    name, slash, account = text.strip().partition("/")
    if slash and not account.strip():
        raise UsageError(f"{text!r}: name an account after the slash (e.g. {name}/default)")
    if name.lower().startswith("custom:") and len(name) > 7:
        return name, "custom", account or None
    p = catalog.get(name)
    return p.id, p.id, (account.strip() or None) if slash else None


def plan_use(doc: ConfigDoc, plan: Plan, *, provider: str, catalog_id: str, base_url: str | None,
             api_mode: str | None, model: str | None) -> None:
    """Edit ``doc`` for the switch; record what changed (masked) in ``plan.notes``."""
    from .. import catalog
    from ..secret import mask
    from . import UsageError

    old = doc.model()
    raw_old = str(old.get("provider") or "").strip()
    old_p = catalog.lookup(raw_old)
    old_id = raw_old if raw_old.lower().startswith("custom:") else (old_p.id if old_p else raw_old)
    old_url = str(old.get("base_url") or "").strip().rstrip("/")
    same_route = old_id == provider and (base_url is None or base_url == old_url)
    default_url = catalog.get(catalog_id).default_url.rstrip("/")
    changes: dict[str, str | None] = {"provider": provider}
    if not same_route:
        for key in ROUTE_KEYS:
            if key in old:
                changes[key] = None
                shown = mask(str(old[key])) if key in SECRET_KEYS else str(old[key])
                plan.notes.append(f"removed model.{key} ({shown}): it belonged to the previous route")
    if base_url is not None:
        changes["base_url"] = None if base_url == default_url else base_url
        if base_url == default_url:
            plan.notes.append(f"{base_url} is {catalog_id}'s default; model.base_url is left unset")
    effective_url = base_url if base_url is not None else (old_url if same_route else "")
    if not default_url and not effective_url:
        raise UsageError(f"{provider} has no default endpoint: pass --base-url URL")
    if api_mode:
        changes["api_mode"] = api_mode
    model_key = "model" if "model" in old and "default" not in old else "default"
    if model:
        changes[model_key] = model
    elif old_id != provider and old.get(model_key):
        plan.warnings.append(
            f"model.{model_key} is still {old[model_key]!r}, chosen for {old_id or 'the previous setup'}; "
            f"pass --model NAME if {provider} does not serve it")
    if old_id and old_id != provider:
        plan.notes.append(f"model.provider: {old_id} → {provider}")
    doc.edit_model(changes)


def run(args: argparse.Namespace) -> int:
    import sys
    from contextlib import nullcontext
    from types import SimpleNamespace

    from ..files.lock import LockTimeout, home_lock
    from ..files.plan import PlanError, plan_config
    from ..files.plan import run as run_plan
    from ..home import hermes_home
    from ..store.index import IndexCorrupt
    from . import EXIT_FAIL, EXIT_OK, explain
    from .write_cmd import report

    home = hermes_home(args.home)
    provider, catalog_id, account = _target(args.target)
    base_url = _clean_url(args.base_url) if args.base_url else None

    def make() -> Plan:
        return plan_config(home, lambda doc, plan: plan_use(
            doc, plan, provider=provider, catalog_id=catalog_id, base_url=base_url,
            api_mode=args.api_mode, model=args.model))

    try:
        with home_lock(home) if not args.dry_run else nullcontext():
            if account is not None:
                _check_account(home, catalog_id, account)
            plan = run_plan(home, make, dry_run=True) if args.dry_run else None
            if plan is None:
                # Activate only once config.yaml is written (still under the lock): a failed
                # write leaves both the file and the active account as they were.
                activate = (lambda _plan: _activate(home, catalog_id, account)) if account else None
                plan = run_plan(home, make, after_commit=activate)
    except (PlanError, LockTimeout, IndexCorrupt) as exc:
        print(f"hermes-accounts: {exc}", file=sys.stderr)
        return EXIT_FAIL
    report(plan, dry_run=args.dry_run)
    if args.dry_run:
        if account is not None:
            print(f"would activate {catalog_id}/{account}")
        print("dry run: nothing was written")
        return EXIT_OK
    for f in plan.files:
        if f.changed:
            print(f"wrote {f.snap.path} ({'backup ' + f.backup if f.backup else 'new file'})")
    if not plan.changed:
        print(f"config.yaml already uses {provider}")
    print()
    return explain.run(SimpleNamespace(provider=catalog_id, home=home, base_url=None, json=False))


def _check_account(home: str, provider: str, account: str) -> None:
    from ..store.index import load_index
    from . import UsageError

    index = load_index(home)
    pa = index.providers.get(provider)
    if pa is None or account not in pa.accounts:
        known = ", ".join(sorted(pa.accounts)) if pa and pa.accounts else ""
        hint = f" (known: {known})" if known else f" (`hermes-accounts set {provider} --account {account}`)"
        raise UsageError(f"no account {provider}/{account}{hint}")


def _activate(home: str, provider: str, account: str) -> None:
    import sys

    from ..files.plan import PlanError
    from ..store.accounts import AccountError, AccountStore

    store = AccountStore(home)
    try:
        meta = store.activate(provider, account)
    except AccountError as exc:
        raise PlanError(f"cannot activate {provider}/{account}: {exc}; config.yaml was not changed") from None
    finally:
        store.close()
    print(f"activated {provider}/{account} ({meta.store}, {meta.masked})", file=sys.stdout)
