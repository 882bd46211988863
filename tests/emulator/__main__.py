"""Run the provider emulator by hand: ``python -m tests.emulator [--key FAMILY:KEY ...] [--latency S]``.

Prints the base URL to put in a provider's base-URL variable (e.g.
``DEEPSEEK_BASE_URL=http://127.0.0.1:PORT/openai/v1``), then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from .server import FAMILIES, Emulator, self_signed_cert


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__.splitlines()[0])
    ap.add_argument("--key", action="append", default=[], metavar="FAMILY:KEY",
                    help=f"accept KEY on FAMILY ({', '.join(FAMILIES)}); repeatable")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds before every answer")
    ap.add_argument("--status", type=int, default=None, help="answer every request with this status")
    args = ap.parse_args()
    emu = Emulator().start(tls_cert=self_signed_cert(tempfile.mkdtemp(prefix="emulator-")))
    for item in args.key:
        family, _, key = item.partition(":")
        emu.add_key(family, key)
    if args.latency or args.status:
        emu.fault("*", latency=args.latency, status=args.status)
    print(f"plain: {emu.url()}/<family>[-label]/...   bad TLS: {emu.tls_url()}/...", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
