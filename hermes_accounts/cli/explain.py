"""``hermes-accounts explain PROVIDER``: the effective credential for one endpoint and its trace."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def register(subs: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subs.add_parser(
        "explain", parents=parents,
        help="which credential one provider really uses, and why the others lost",
        description="Show the credential Hermes Agent will send to one provider's endpoint: "
                    "source, header, api mode, every other candidate with the reason it lost, "
                    "and warnings with their fix. Exit 0 resolved, 4 no usable credential.")
    p.add_argument("provider", help="provider id or alias (e.g. minimax, anthropic, glm)")
    p.add_argument("--base-url", metavar="URL",
                   help="resolve for this endpoint instead of the configured one")
    p.add_argument("--json", action="store_true", help="one JSON object (stable contract, no secrets)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..resolver import global_warnings, resolve
    from ..store.source import load_inputs
    from . import EXIT_NO_CREDENTIAL, EXIT_OK, render

    inputs = load_inputs(args.home)
    res = resolve(args.provider, inputs, base_url=args.base_url)
    if args.json:
        d = res.to_dict()
        d["warnings"] = [*global_warnings(inputs), *d["warnings"]]
        render.dump_json(d)
    else:
        import sys

        sys.stdout.write(render.explain_text(res, global_warnings(inputs)))
    return EXIT_OK if res.ok else EXIT_NO_CREDENTIAL
