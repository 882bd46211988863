"""The ``hermes-accounts`` command line.

One argparse definition (:func:`add_arguments`) serves both the standalone
``hermes-accounts`` program and Hermes' ``hermes accounts`` (the plugin hands its
sub-parser to the same function). Each command lives in its own module under
``hermes_accounts.cli`` exposing ``register(subparsers, parents)`` and
``run(args) -> int``; heavy imports happen inside ``run`` so that ``--help`` and
the resolver's hot path stay fast.

Exit codes: 0 success, 2 usage error or unknown provider, 4 no usable
credential, 1 any other failure (with a one-line message, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_NO_CREDENTIAL = 4

# Command modules, in the order `--help` lists them.
COMMANDS: tuple[str, ...] = ("explain", "list_cmd")


class UsageError(Exception):
    """Bad input from the user: exit 2 with this message."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Fill ``parser`` with every sub-command. Shared with Hermes' ``hermes accounts``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", metavar="PATH",
                        help="Hermes home (default: $HERMES_HOME, else ~/.hermes)")
    parser.add_argument("--home", metavar="PATH", dest="top_home", help=argparse.SUPPRESS)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"hermes_accounts.cli.{name}").register(subs, [common])


def build_parser(prog: str = "hermes-accounts") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="See which credential Hermes Agent really uses for each provider, "
                    "and manage provider accounts.",
        epilog="Exit codes: 0 ok, 2 usage error / unknown provider, 4 no usable credential.",
    )
    from hermes_accounts import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_arguments(parser)
    return parser


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed command; turns expected errors into exit codes and one-line messages."""
    if getattr(args, "home", None) is None and getattr(args, "top_home", None):
        args.home = args.top_home
    handler = getattr(args, "handler", None)
    if handler is None:
        from hermes_accounts.cli import list_cmd

        args.json = False
        args.home = getattr(args, "top_home", None)
        handler = list_cmd.run
    from hermes_accounts.catalog import UnknownProvider

    try:
        return handler(args)
    except UnknownProvider as exc:
        print(f"hermes-accounts: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"hermes-accounts: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hermes-accounts: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `hermes-accounts list | head`: stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return dispatch(args)
    except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks with locals
        from hermes_accounts.cli.render import safe_error

        print(f"hermes-accounts: {safe_error(exc)}", file=sys.stderr)
        if os.environ.get("HERMES_ACCOUNTS_DEBUG"):
            import traceback

            traceback.print_tb(exc.__traceback__)  # frames and source lines, never locals
        return EXIT_FAIL
