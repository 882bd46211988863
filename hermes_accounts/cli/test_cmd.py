"""``hermes-accounts test``: does each endpoint accept the key the agent would send it?

Thin front end: the resolver picks credential, URL and header; :mod:`hermes_accounts.probe`
builds and sends the request and classifies the answer; this module selects the
endpoints, prints results as they arrive and sets the exit code.

Exit codes: 0 every tested endpoint is ok or rate-limited; 1 a probe failed (or
nothing could be tested); 4 nothing failed but an endpoint has no usable
credential; 2 usage error.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from ..probe.result import ProbeResult

# Resolver warnings that mean the agent's request differs from this probe (shown in text mode;
# --json carries every warning).
WIRE_WARNING = "also receives it as"

MARKS = {"ok": "\u2713", "rate_limited": "~", "no_credential": "\u2205", "skipped": "\u00b7"}


def register(subs: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subs.add_parser(
        "test", parents=parents,
        help="send each endpoint the request the agent would send; report what it says",
        description="Connectivity test built from the same resolution the agent uses: the same base "
                    "URL, key and header. For each endpoint: outcome, latency, HTTP status, the "
                    "provider's own error message (secrets masked), the header used and a hint. "
                    "Without PROVIDER or --all it tests the active provider (model.provider), or every "
                    "configured one if none is set. Exit 0 only if every tested endpoint is ok or "
                    "rate-limited; 1 if one failed; 4 if one has no usable credential.")
    p.add_argument("targets", nargs="*", metavar="PROVIDER[/ACCOUNT]",
                   help="provider id or alias, optionally /ACCOUNT for a stored account")
    p.add_argument("--all", action="store_true",
                   help="every provider with a usable credential (and the active one), concurrently")
    p.add_argument("--json", action="store_true", help="a JSON array, one object per endpoint (no secrets)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="per-probe timeout (default 10)")
    p.add_argument("--deadline", type=float, default=None, metavar="SECONDS",
                   help="overall deadline for all probes (default: 3 x --timeout)")
    p.add_argument("--base-url", metavar="URL",
                   help="test this endpoint instead of the configured one (one PROVIDER only)")
    p.add_argument("--show-request", action="store_true",
                   help="print each request as a curl command, the key masked")
    p.set_defaults(handler=run)


COLORS = {"ok": "32", "rate_limited": "33", "no_credential": "2", "skipped": "2"}


def _paint(text: str, code: str, on: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if on else text


def _fmt_line(r: ProbeResult, width: int, color: bool = False) -> list[str]:
    mark = MARKS.get(r.outcome, "\u2717")
    latency = f"{r.latency_ms:.0f} ms" if r.latency_ms is not None else "\u2014"
    status = str(r.status) if r.status is not None else "\u2014"
    head = f"{mark} {r.label:<{width}}  {r.outcome:<18} {latency:>8}  {status:>3}"
    if r.method:
        head += f"  {r.header:<21}  {r.masked:<11}  {r.method} {r.url}"
    lines = [_paint(head.rstrip(), COLORS.get(r.outcome, "31"), color)]
    if r.message:
        lines.append(f"    {'provider says' if r.status is not None else 'error'}: {r.message}")
    if r.hint:
        lines.append(f"    \u2192 {r.hint}")
    for w in r.warnings:
        if WIRE_WARNING in w:
            lines.append(_paint(f"    ! {w}", "33", color))
    if r.curl:
        lines.extend("    " + ln for ln in r.curl.splitlines())
    return lines


def run(args: argparse.Namespace) -> int:
    import sys

    from ..probe import curl, outcomes, runner, session
    from ..probe.request import ProbeRequest
    from ..resolver import global_warnings
    from ..store.source import load_inputs
    from . import EXIT_FAIL, EXIT_NO_CREDENTIAL, EXIT_OK, UsageError, render

    if args.timeout is None or not args.timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.deadline is not None and not args.deadline > 0:
        raise UsageError("--deadline must be a positive number of seconds")
    deadline = args.deadline if args.deadline is not None else args.timeout * 3
    inputs = load_inputs(args.home)
    try:
        plan = session.build(inputs, args.targets, all_=args.all, base_url=args.base_url)
    except session.SelectionError as exc:
        raise UsageError(str(exc)) from None
    if not plan.requests:
        print("hermes-accounts: no provider has a usable credential; `hermes-accounts list --all` "
              "shows every provider", file=sys.stderr)
        return EXIT_NO_CREDENTIAL
    curls = {p.label: curl.render(p) for p in plan.requests
             if args.show_request and isinstance(p, ProbeRequest)}
    warnings_of = plan.warnings_by_label()
    width = max(len(p.label) for p in plan.requests)
    color = render.color_enabled()
    if not args.json:
        for w in global_warnings(inputs):
            print(f"hermes-accounts: warning: {w}", file=sys.stderr)

    def on_result(result: ProbeResult) -> None:
        # Attach the curl text and the resolution's warnings first, so they stream with the result.
        result.curl = curls.get(result.label, "")
        result.warnings = warnings_of.get(result.label, [])
        result.scrub(plan.secrets)
        if not args.json:
            sys.stdout.write("\n".join(_fmt_line(result, width, color)) + "\n")
            sys.stdout.flush()

    results = runner.run_sync(plan.requests, timeout=args.timeout, deadline=deadline,
                              on_result=on_result, secrets=plan.secrets)
    if args.json:
        render.dump_json([r.to_dict() for r in results])
    else:
        counts: dict[str, int] = {}
        for r in results:
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        print(f"{len(results)} endpoint{'s' if len(results) != 1 else ''}: {summary}")
    tested = [r for r in results if r.outcome not in outcomes.NOT_SENT]
    if any(r.outcome not in outcomes.PASSING for r in tested):
        return EXIT_FAIL
    if any(r.outcome == outcomes.NO_CREDENTIAL for r in results):
        return EXIT_NO_CREDENTIAL
    if not tested:
        print("hermes-accounts: nothing could be tested (see the hints above)", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK
