"""Connectivity tests that send exactly what the agent would send.

Layers, each importable on its own (only :mod:`.runner` imports httpx, and only
when it runs):

- :mod:`.request` — a :class:`~hermes_accounts.resolver.model.Resolution` becomes
  one :class:`ProbeRequest` (URL, the single credential header, Anthropic version
  and beta headers, body) or a :class:`NotSent` (no credential / nothing to probe).
- :mod:`.session` — which endpoints a test covers (shared by every front end) and their requests.
- :mod:`.accounts` — testing one named account (``PROVIDER/ACCOUNT``) through the
  same resolution.
- :mod:`.runner` — concurrent sending with per-host limits, a per-probe timeout and
  an overall deadline; same-origin redirects only.
- :mod:`.outcomes`, :mod:`.hints` — classification and the one-line fix for each outcome.
- :mod:`.result` — :class:`ProbeResult` (the ``test --json`` contract) and redaction.
- :mod:`.curl` — ``--show-request``.
"""

from .outcomes import OUTCOMES, PASSING
from .request import NotSent, ProbeRequest, plan
from .result import ProbeResult

__all__ = ["OUTCOMES", "PASSING", "NotSent", "ProbeRequest", "ProbeResult", "plan"]
