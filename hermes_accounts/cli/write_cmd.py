"""``hermes-accounts write [--dry-run]``: hand the agent a clean ``.env`` and ``config.yaml``.

Shows the masked unified diff and names every fix, then writes (atomically,
with a backup, under the home's lock); ``--dry-run`` stops after showing.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from ..files.plan import Plan


def register(subs: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subs.add_parser(
        "write", parents=parents,
        help="clean $HERMES_HOME/.env and config.yaml (shows a masked diff first)",
        description="Compute clean .env and config.yaml files and show a unified diff (secrets "
                    "masked), then write them: keys that live in the keyring leave .env (a comment "
                    "says where they are), entries Hermes never reads or that break it are fixed "
                    "and named; every other line is kept byte for byte. Writes are atomic, 0600 "
                    "for .env, with a timestamped backup.")
    p.add_argument("--dry-run", action="store_true", help="show the diff and the fixes; write nothing")
    p.set_defaults(handler=run)


def report(plan: Plan, *, dry_run: bool, out: object = None) -> None:
    """Print the diff, the fixes and the warnings of ``plan``."""
    import sys

    w = (out or sys.stdout).write  # type: ignore[attr-defined]
    if plan.replanned:
        w("(a file changed on disk meanwhile: re-read and planned again; the other change is kept)\n")
    diff = plan.diff()
    if diff:
        w(diff)
        w("\n")
    if plan.fixes or plan.notes:
        w("changes\n" if dry_run or not plan.fixes else "fixes\n")
        for f in [*plan.fixes, *plan.notes]:
            w(f"  - {f}\n")
    if plan.warnings:
        w("warnings\n")
        for x in plan.warnings:
            w(f"  ! {x}\n")


def run(args: argparse.Namespace) -> int:
    import os
    import sys

    from ..files.plan import PlanError, plan_write
    from ..files.plan import run as run_plan
    from ..home import hermes_home
    from . import EXIT_FAIL, EXIT_OK

    home = hermes_home(args.home)
    shown: list[Plan] = []

    def show(plan: Plan) -> None:
        if shown:
            sys.stdout.write("\n")
        shown.append(plan)
        report(plan, dry_run=args.dry_run)

    if not os.path.isdir(home):
        print(f"nothing to clean: {home} does not exist")
        return EXIT_OK

    try:
        plan = run_plan(home, lambda: plan_write(home), dry_run=args.dry_run, show=show)
    except PlanError as exc:
        print(f"hermes-accounts: {exc}", file=sys.stderr)
        return EXIT_FAIL
    if not plan.changed:
        print(f"nothing to clean: {home}/.env and config.yaml are already clean")
        return EXIT_OK
    if args.dry_run:
        print("dry run: nothing was written (run `hermes-accounts write` to apply)")
        return EXIT_OK
    for f in plan.files:
        if f.changed:
            where = f"backup {f.backup}" if f.backup else "new file"
            print(f"wrote {f.snap.path} ({where})")
    print("Hermes reads the new files on its next start (restart a running gateway).")
    return EXIT_OK
