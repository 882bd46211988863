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

import importlib
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_NO_CREDENTIAL = 4

# Command modules, in the order `--help` lists them.
COMMANDS: tuple[str, ...] = ("explain", "list_cmd", "accounts_cmds", "test_cmd", "write_cmd",
                             "use_cmd")


class UsageError(Exception):
    """Bad input from the user: exit 2 with this message."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Fill ``parser`` with every sub-command. Shared with Hermes' ``hermes accounts``."""
    import argparse
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", metavar="PATH",
                        help="Hermes home (default: $HERMES_HOME, else ~/.hermes)")
    parser.add_argument("--home", metavar="PATH", dest="top_home", help=argparse.SUPPRESS)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"hermes_accounts.cli.{name}").register(subs, [common])


def build_parser(prog: str = "hermes-accounts") -> argparse.ArgumentParser:
    import argparse

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


# The flags of the two commands on an agent's start-up path, for the fast path below.
_FAST = {
    "explain": ({"--json": "json"}, {"--base-url": "base_url", "--home": "home"}, 1),
    "list": ({"--json": "json", "--all": "all"}, {"--home": "home"}, 0),
}


def fast_parse(argv: list[str]) -> argparse.Namespace | None:
    """Parse the plain forms of ``explain`` and ``list`` without building argparse.

    Building the full parser (gettext, locale, shutil, every sub-command) is a
    third of a cold ``explain``; scripts and agents call these two at every
    start. Anything but the plain forms (help, unknown or abbreviated flags,
    repeats, ``--``) returns None and goes through argparse, which stays the
    one definition; ``tests/test_cli_fastpath.py`` checks both agree.
    """
    if not argv or argv[0] not in _FAST:
        return None
    flags, options, npos = _FAST[argv[0]]
    values: dict[str, object] = {"command": argv[0], "top_home": None,
                                 **{dest: False for dest in flags.values()},
                                 **{dest: None for dest in options.values()}}
    positional: list[str] = []
    seen: set[str] = set()
    rest = iter(argv[1:])
    for token in rest:
        name, eq, inline = token.partition("=")
        if token in flags and token not in seen:
            values[flags[token]] = True
        elif name in options and name not in seen:
            value = inline if eq else next(rest, None)
            if value is None or (not eq and value.startswith("-")) or not value:
                return None
            values[options[name]] = value
            token = name
        elif not token.startswith("-") and len(positional) < npos:
            positional.append(token)
            continue
        else:
            return None
        seen.add(token)
    if len(positional) != npos:
        return None
    if npos:
        values["provider"] = positional[0]
    module = importlib.import_module(
        f"hermes_accounts.cli.{'explain' if argv[0] == 'explain' else 'list_cmd'}")
    values["handler"] = module.run
    from types import SimpleNamespace

    return SimpleNamespace(**values)  # type: ignore[return-value]


def refuse_keys_in_argv(argv: list[str]) -> str | None:
    """A one-line error when an argument looks like an API key, else None.

    Keys are never taken from the command line (they would stay in shell history
    and ``ps``); worse, every error message that quotes an argument — an unknown
    provider, argparse's "invalid choice" — would print it. Checked before
    anything parses argv, so no path can echo it.
    """
    from hermes_accounts.secret import looks_like_secret, mask

    for token in argv:
        parts = [token] if "://" in token else token.replace("=", "/").split("/")
        for part in parts:
            if looks_like_secret(part):
                return (f"an argument looks like an API key ({mask(part)}); keys are never taken from "
                        "the command line. Pipe it instead: `... | hermes-accounts set PROVIDER`")
    return None


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    refused = refuse_keys_in_argv(argv)
    if refused:
        print(f"hermes-accounts: {refused}", file=sys.stderr)
        return EXIT_USAGE
    args = fast_parse(argv)
    if args is None:
        args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except Exception as exc:  # last line of defence: one line, no tracebacks with locals
        from hermes_accounts.cli.render import safe_error

        print(f"hermes-accounts: {safe_error(exc)}", file=sys.stderr)
        if os.environ.get("HERMES_ACCOUNTS_DEBUG"):
            import traceback

            traceback.print_tb(exc.__traceback__)  # frames and source lines, never locals
        return EXIT_FAIL
