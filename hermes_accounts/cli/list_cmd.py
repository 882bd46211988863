"""``hermes-accounts list``: one row per catalog provider, the active one marked."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def register(subs: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subs.add_parser(
        "list", parents=parents, help="every provider: configured or not, source, masked key, endpoint",
        description="One row per provider Hermes knows: whether it has a usable credential, "
                    "where it comes from, the masked key, the header and the endpoint. "
                    "The active provider (model.provider) is marked with *.")
    p.add_argument("--json", action="store_true", help="a JSON array, one object per provider")
    p.add_argument("--all", action="store_true", help="also show providers without a credential")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..resolver import global_warnings, resolve_all
    from ..store.source import load_inputs
    from . import EXIT_OK, render

    inputs = load_inputs(args.home)
    rows = resolve_all(inputs)
    if getattr(args, "json", False):
        shared = global_warnings(inputs)
        out = []
        for r in rows:
            d = r.to_dict()
            d["warnings"] = [*shared, *d["warnings"]]
            out.append(d)
        render.dump_json(out)
    else:
        import sys

        sys.stdout.write(render.list_text(rows, global_warnings(inputs),
                                          show_all=getattr(args, "all", False)))
    return EXIT_OK
