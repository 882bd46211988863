"""Account commands: ``set``, ``remove``, ``accounts``, ``activate``, ``rename``, ``import``.

Thin on purpose: parsing and printing here, every decision in
:mod:`hermes_accounts.store`. Keys are read from stdin (when it is not a
terminal) or a hidden prompt — never from argv, where ``ps`` and shell history
would see them. Nothing printed ever contains a key: only masks and
fingerprints.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from ..store.accounts import AccountStore

MAX_STDIN = 64 * 1024


def register(subs: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    import argparse

    p = subs.add_parser(
        "set", parents=parents, help="store a provider key in the OS keyring (read from stdin or a prompt)",
        description="Store an API key as PROVIDER/ACCOUNT in the OS keyring (service hermes-accounts, "
                    "username PROVIDER/ACCOUNT). The key is read from stdin when it is not a terminal, "
                    "otherwise from a hidden prompt; never from the command line. The first account of "
                    "a provider becomes its active one.")
    p.add_argument("provider", help="provider id or alias (e.g. openrouter, anthropic, glm)")
    p.add_argument("--account", default="default", metavar="NAME", help="account name (default: default)")
    p.add_argument("--activate", action="store_true", help="make this the provider's active account")
    p.add_argument("--label", metavar="TEXT", help="a note shown in `accounts` (not secret)")
    p.add_argument("--store", choices=("keyring", "dotenv"), default="keyring",
                   help="keyring (default), or dotenv: plaintext in $HERMES_HOME/.env (0600), "
                        "an explicit choice for machines without a usable keyring")
    # Catches a key typed on the command line so argparse does not echo it back in an error.
    p.add_argument("stray", nargs="*", help=argparse.SUPPRESS)
    p.set_defaults(handler=run_set)

    p = subs.add_parser("remove", parents=parents, help="delete a stored account",
                        description="Delete PROVIDER's account from the keyring (or .env) and the index.")
    p.add_argument("provider", help="PROVIDER or PROVIDER/ACCOUNT")
    p.add_argument("--account", metavar="NAME", help="account name (default: default)")
    p.set_defaults(handler=run_remove)

    p = subs.add_parser(
        "accounts", parents=parents, help="list stored accounts and check them against the keyring",
        description="List accounts (label, masked key, fingerprint, times, active flag) and check each "
                    "against the keyring or .env: missing entries and keys changed outside "
                    "hermes-accounts are reported. Exit 1 when something is wrong.")
    p.add_argument("provider", nargs="?", help="only this provider")
    p.add_argument("--json", action="store_true", help="a JSON array (no secrets)")
    p.set_defaults(handler=run_accounts)

    p = subs.add_parser("activate", parents=parents, help="make PROVIDER/ACCOUNT the active account",
                        description="Make PROVIDER/ACCOUNT the account the keyring supplies for PROVIDER.")
    p.add_argument("ref", metavar="PROVIDER/ACCOUNT")
    p.set_defaults(handler=run_activate)

    p = subs.add_parser("rename", parents=parents, help="rename an account",
                        description="Rename PROVIDER/OLD to NEW (the keyring entry moves; active follows).")
    p.add_argument("ref", metavar="PROVIDER/OLD")
    p.add_argument("new", metavar="NEW")
    p.set_defaults(handler=run_rename)

    p = subs.add_parser(
        "import", parents=parents, help="move keys from .env (and the shell) into the keyring",
        description="Find provider keys in $HERMES_HOME/.env (and with --from-env the current "
                    "environment), store each in the OS keyring as an account, read each back and "
                    "compare fingerprints before reporting success.")
    p.add_argument("--dry-run", action="store_true", help="show what would be imported; change nothing")
    p.add_argument("--from-env", action="store_true", help="also import keys exported in this shell")
    p.add_argument("--keep-dotenv", action="store_true",
                   help="leave the imported keys in .env (by default each line whose key is now the "
                        "active keyring account is replaced by a comment, with a backup)")
    p.set_defaults(handler=run_import)


# -- helpers -------------------------------------------------------------------
def _home(args: argparse.Namespace) -> str:
    from ..home import hermes_home

    return hermes_home(args.home)


def _guard(fn):  # type: ignore[no-untyped-def]
    """Turn store errors into exit codes and one-line messages."""
    import functools

    @functools.wraps(fn)
    def wrapper(args: argparse.Namespace) -> int:
        import sys

        from ..store.accounts import AccountError, UsageProblem
        from ..store.errors import KeyringUnavailable
        from ..store.index import IndexCorrupt
        from ..store.validate import InvalidKey
        from . import EXIT_FAIL, UsageError

        try:
            return fn(args)
        except (UsageProblem, InvalidKey) as exc:
            raise UsageError(str(exc)) from None
        except (AccountError, KeyringUnavailable, IndexCorrupt) as exc:
            print(f"hermes-accounts: {exc}", file=sys.stderr)
            return EXIT_FAIL

    return wrapper


def read_key(prompt: str) -> str:
    """The key from stdin (piped) or a hidden prompt (terminal)."""
    import sys

    if sys.stdin is None:
        raise EOFError
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt)
    return sys.stdin.read(MAX_STDIN + 1)


def _store(home: str) -> AccountStore:
    from ..store.accounts import AccountStore

    return AccountStore(home)


def _where(store_kind: str, provider: str, account: str, env_var: str | None, home: str) -> str:
    if store_kind == "dotenv":
        import os

        return f"PLAINTEXT in {os.path.join(home, '.env')} as {env_var} (--store dotenv)"
    return f"the OS keyring (service hermes-accounts, username {provider}/{account})"


def _shadow_note(home: str, provider: str, account: str) -> str | None:
    """If Hermes would use another source than this keyring account, say which and how to fix it."""
    from ..resolver import resolve
    from ..store.source import load_inputs

    try:
        res = resolve(provider, load_inputs(home))
    except Exception:  # advice only: the key is already stored
        return None
    label = f"keyring:{provider}/{account}"
    for c in res.candidates:
        if c.source == label and c.status != "used":
            return f"Hermes will not use this key yet: {c.reason}"
    return None


# -- commands ------------------------------------------------------------------
@_guard
def run_set(args: argparse.Namespace) -> int:
    import sys

    from ..secret import Secret
    from ..store.accounts import check_account_name, key_provider
    from ..store.validate import InvalidKey, clean_key, prefix_warnings
    from . import EXIT_OK

    if args.stray:
        raise InvalidKey("keys are never taken from the command line (`ps` and your shell history would "
                         "keep them); pipe the key on stdin or answer the hidden prompt. If you typed "
                         "it, clear it from your history")
    p = key_provider(args.provider)
    account = check_account_name(args.account)
    try:
        raw = read_key(f"{p.name} key for {p.id}/{account} (input hidden): ")
    except (EOFError, KeyboardInterrupt):
        raise InvalidKey("no key entered") from None
    if len(raw) > MAX_STDIN:
        raise InvalidKey(f"stdin holds more than {MAX_STDIN} bytes; that is not a key")
    secret = Secret(clean_key(raw))
    del raw
    for w in prefix_warnings(p, secret.reveal()):
        print(f"hermes-accounts: warning: {w}", file=sys.stderr)
    home = _home(args)
    store = _store(home)
    try:
        meta, active, old = store.set(p.id, account, secret, label=args.label, activate=args.activate,
                                      store=args.store)
    finally:
        store.close()
    verb = "replaced" if old is not None else "stored"
    print(f"{verb} {p.id}/{account} in {_where(meta.store, p.id, account, p.primary_env_var, home)}")
    print(f"  key          {meta.masked}  {meta.fingerprint}" + ("  (verified by reading it back)"
                                                                  if meta.store == "keyring" else ""))
    if old is not None and old.fingerprint != meta.fingerprint:
        print(f"  previous     {old.masked}  {old.fingerprint}")
    if active and meta.store == "dotenv":
        print(f"  active       yes: Hermes reads it from .env ({p.primary_env_var})")
    elif active:
        from ..sources.agent_keyring import agent_reads_keyring

        reads, why = agent_reads_keyring()
        print(f"  active       yes: the active {p.id} account in the keyring"
              + ("" if reads else f"\n  note         {why}; keep the key in .env (or the shell) "
                                  "for the agent until then"))
    else:
        print(f"  active       no: `hermes-accounts activate {p.id}/{account}` to use it")
    if active and meta.store == "keyring":
        note = _shadow_note(home, p.id, account)
        if note:
            print(f"hermes-accounts: note: {note}", file=sys.stderr)
    return EXIT_OK


@_guard
def run_remove(args: argparse.Namespace) -> int:
    from ..store.accounts import UsageProblem, check_account_name, key_provider, split_ref
    from . import EXIT_OK

    if "/" in args.provider:
        if args.account:
            raise UsageProblem("give the account either as PROVIDER/ACCOUNT or with --account, not both")
        p, account = split_ref(args.provider)
    else:
        p, account = key_provider(args.provider), check_account_name(args.account or "default")
    store = _store(_home(args))
    try:
        meta, present = store.remove(p.id, account)
        remaining = sorted(store.index.providers.get(p.id).accounts) if p.id in store.index.providers else []
    finally:
        store.close()
    where = ".env" if meta.store == "dotenv" else "the keyring"
    print(f"removed {p.id}/{account} ({meta.masked}  {meta.fingerprint}) from {where} and the index"
          + ("" if present else f" (it was already gone from {where})"))
    if remaining:
        print(f"  {p.id} has no active account now; pick one: "
              + ", ".join(f"`hermes-accounts activate {p.id}/{n}`" for n in remaining))
    return EXIT_OK


@_guard
def run_activate(args: argparse.Namespace) -> int:
    import sys

    from ..store.accounts import split_ref
    from . import EXIT_OK

    p, account = split_ref(args.ref)
    home = _home(args)
    store = _store(home)
    try:
        meta = store.activate(p.id, account)
    finally:
        store.close()
    print(f"{p.id}/{account} is now active ({meta.masked}  {meta.fingerprint}, {meta.store})")
    if meta.store == "keyring":
        note = _shadow_note(home, p.id, account)
        if note:
            print(f"hermes-accounts: note: {note}", file=sys.stderr)
    return EXIT_OK


@_guard
def run_rename(args: argparse.Namespace) -> int:
    from ..store.accounts import split_ref
    from . import EXIT_OK

    p, old = split_ref(args.ref)
    store = _store(_home(args))
    try:
        meta = store.rename(p.id, old, args.new)
        active = store.index.providers[p.id].active == args.new
    finally:
        store.close()
    print(f"renamed {p.id}/{old} to {p.id}/{args.new} ({meta.masked}  {meta.fingerprint})"
          + ("; still active" if active else ""))
    return EXIT_OK


@_guard
def run_accounts(args: argparse.Namespace) -> int:
    import sys

    from . import EXIT_FAIL, EXIT_OK, render

    store = _store(_home(args))
    try:
        rows, error = store.statuses(args.provider)
    finally:
        store.close()
    if args.json:
        render.dump_json([r.to_dict() for r in rows])
    elif not rows:
        print("no accounts yet: `hermes-accounts set PROVIDER` stores one, "
              "`hermes-accounts import` moves the keys in .env to the keyring")
    else:
        table = [("PROVIDER", "ACCOUNT", "ACTIVE", "STORE", "KEY", "FINGERPRINT", "UPDATED", "STATUS",
                  "LABEL")]
        for r in rows:
            m = r.meta
            table.append((r.provider, r.account, "*" if r.active else "", m.store if m else "keyring",
                          m.masked if m else "?", m.fingerprint if m else "?", m.updated if m else "",
                          r.state, m.label if m else ""))
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        for row in table:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        for r in rows:
            if r.problem:
                print(f"  ! {r.provider}/{r.account}: {r.problem}")
        if any(r.meta and r.meta.store == "dotenv" for r in rows):
            print("  (dotenv = stored in plaintext in $HERMES_HOME/.env, by explicit choice)")
    if error:
        print(f"hermes-accounts: {error}", file=sys.stderr)
    bad = error is not None or any(r.state in ("missing", "changed", "untracked") for r in rows)
    return EXIT_FAIL if bad else EXIT_OK


@_guard
def run_import(args: argparse.Namespace) -> int:
    import os
    import sys

    from ..store.importer import find_importable
    from . import EXIT_FAIL, EXIT_OK

    home = _home(args)
    store = _store(home)
    plan = find_importable(home, store.index, dict(os.environ) if args.from_env else None)
    if not plan:
        print(f"nothing to import: no provider keys in {os.path.join(home, '.env')}"
              + (" or the environment" if args.from_env else " (--from-env also looks at the shell)"))
        return EXIT_OK
    failures = 0
    try:
        for item in plan:
            head = f"{item.origin}  {item.secret.masked}  {item.secret.fingerprint}"
            if item.skip:
                print(f"  skip    {head}: {item.skip}")
                continue
            for w in item.warnings:
                print(f"  warning {item.origin}: {w}")
            target = f"{item.provider}/{item.account}"
            if args.dry_run:
                print(f"  would   {head} -> keyring {target}" + (" (active)" if item.activate else ""))
                continue
            try:
                store.set(item.provider, item.account, item.secret, activate=item.activate)
            except Exception as exc:  # one bad key must not stop the others
                from .render import safe_error

                failures += 1
                print(f"  FAILED  {head} -> {target}: {safe_error(exc)}")
                from ..store.errors import KeyringUnavailable

                if isinstance(exc, KeyringUnavailable):
                    break  # the next ones would fail the same way
                continue
            print(f"  stored  {head} -> keyring {target} (read back, fingerprint matches)"
                  + (" (active)" if item.activate else ""))
    finally:
        store.close()
    done = [i for i in plan if not i.skip]
    in_dotenv = [i for i in done if not i.origin.startswith("environment")]
    if args.dry_run:
        print(f"dry run: {len(done)} key(s) would be stored; nothing was changed")
        moving = [i for i in in_dotenv if i.activate]
        if moving and not args.keep_dotenv:
            print(f"  then {len(moving)} line(s) would leave .env (their key becomes the active keyring "
                  "account); --keep-dotenv keeps them")
    elif not done:
        print("nothing imported: every key found was skipped (reasons above)")
    elif not failures:
        print(f"imported {len(done)} key(s)")
        if in_dotenv and not args.keep_dotenv and _clean_dotenv(
                home, sorted({i.provider for i in in_dotenv})):
            # The keys are in the keyring; only the .env clean-up did not happen.
            print("  the keys are stored, but .env still has them (and wins over the keyring): "
                  "run `hermes-accounts write` once the problem above is fixed", file=sys.stderr)
            return EXIT_FAIL
        elif in_dotenv:
            print("  the keys are still in .env, which wins over the keyring (--keep-dotenv)")
        for i in done:
            if i.origin.startswith("environment"):
                var = i.origin.split()[-1]
                print(f"  the shell still exports {var}, which wins over the keyring: `unset {var}` and "
                      "remove it from your shell profile")
    if failures:
        print(f"hermes-accounts: {failures} key(s) could not be imported", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _clean_dotenv(home: str, providers: list[str]) -> int:
    """Take imported keys out of .env with the files layer (lock, backup, atomic). Returns failures."""
    import sys

    from ..files.clean import remove_keys_now_in_keyring
    from ..files.plan import PlanError
    from ..store import username
    from ..store.accounts import AccountStore
    from ..store.errors import KeyringUnavailable

    store = AccountStore(home)
    try:
        active = {p: store.index.providers[p].active for p in providers if p in store.index.providers}
        users = [username(p, a) for p, a in active.items() if a]
        found = store.backend.get_many(users) if users else {}
    except KeyringUnavailable as exc:
        print(f"hermes-accounts: .env left as it is: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()

    def verify(provider: str, account: str) -> str | None:
        got = found.get(username(provider, account))
        return got.fingerprint if got is not None else None

    try:
        plan = remove_keys_now_in_keyring(home, providers, verify=verify)
    except PlanError as exc:
        print(f"hermes-accounts: .env left as it is: {exc}", file=sys.stderr)
        return 1
    for fix in plan.fixes:
        print(f"  cleaned {fix}")
    env = plan.file(".env")
    if env is not None and env.backup:
        print(f"  backup  {env.backup}")
    for w in plan.warnings:
        print(f"  warning {w}")
    return 0
