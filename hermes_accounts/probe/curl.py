"""``--show-request``: the probe as a curl command, the key masked, so a user can reproduce it.

The command is exactly the request the prober sends (method, URL, every header,
the body), with the key replaced by its mask and a comment naming where the key
lives, so pasting it cannot leak anything and replacing one word makes it run.
"""

from __future__ import annotations

import shlex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .request import ProbeRequest


def render(req: ProbeRequest) -> str:
    """A multi-line ``curl`` command (POSIX shell quoting)."""
    parts = [f"curl -sS -X {req.method} {shlex.quote(req.url)}"]
    for name, value in req.shown_headers():
        parts.append(f"-H {shlex.quote(f'{name}: {value}')}")
    if req.body is not None:
        parts.append(f"--data-raw {shlex.quote(req.body.decode())}")
    comment = (f"# key masked: {req.secret.masked} ({req.secret.fingerprint}) from {req.source}; "
               "put the real key in its place to run this")
    return comment + "\n" + " \\\n  ".join(parts)
