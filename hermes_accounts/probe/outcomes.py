"""The outcome vocabulary of a connectivity test, and how HTTP answers and errors map onto it.

Outcomes are stable strings (they appear in ``test --json``). Classification is
deliberately split from hint writing (:mod:`.hints`): the outcome says *what*
happened, the hint says *why* in terms of this endpoint's resolution.
"""

from __future__ import annotations

import json
import socket
import ssl

OK = "ok"
AUTH_FAILED = "auth_failed"            # 401 / 403
WRONG_URL = "wrong_url"                # 404 / 405, or a redirect we refuse to follow
RATE_LIMITED = "rate_limited"          # 429: the key is valid
PAYMENT_REQUIRED = "payment_required"  # 402
SERVER_ERROR = "server_error"          # 5xx
UNEXPECTED_STATUS = "unexpected_status"  # any other answer (e.g. a non-Anthropic 400)
TIMEOUT = "timeout"
DNS_ERROR = "dns_error"
TLS_ERROR = "tls_error"
CONNECTION_REFUSED = "connection_refused"
CONNECTION_RESET = "connection_reset"  # the server dropped the connection mid-request
NO_CREDENTIAL = "no_credential"
SKIPPED = "skipped"                    # no network probe for this kind of login

OUTCOMES = (OK, AUTH_FAILED, WRONG_URL, RATE_LIMITED, PAYMENT_REQUIRED, SERVER_ERROR,
            UNEXPECTED_STATUS, TIMEOUT, DNS_ERROR, TLS_ERROR, CONNECTION_REFUSED,
            CONNECTION_RESET, NO_CREDENTIAL, SKIPPED)

# What counts as "the key works" for the exit code: a 429 proves the key is valid.
PASSING = frozenset({OK, RATE_LIMITED})
# Outcomes that never reached the network.
NOT_SENT = frozenset({NO_CREDENTIAL, SKIPPED})


def classify_status(status: int, body: bytes, *, anthropic_messages: bool) -> str:
    """The outcome for an HTTP answer.

    On a one-token Messages probe, an Anthropic-shaped 400 (or a "model not found"
    404) still proves the route and the key: Anthropic-compatible servers check
    auth before they validate the body (hermes-compat.md §5, Hermes #66756).
    """
    if 200 <= status < 300:
        return OK
    if status in (401, 403):
        return AUTH_FAILED
    if status == 402:
        return PAYMENT_REQUIRED
    if status == 429:
        return RATE_LIMITED
    if status >= 500:
        return SERVER_ERROR
    if status in (400, 422) and _says_bad_key(body):
        return AUTH_FAILED  # Google answers an invalid API key with 400 API_KEY_INVALID
    if anthropic_messages and status in (400, 404, 422) and _anthropic_shaped(body, status):
        return OK
    if status in (404, 405):
        return WRONG_URL
    if 300 <= status < 400:
        return WRONG_URL
    return UNEXPECTED_STATUS


BAD_KEY_MARKERS = ("api_key_invalid", "api key not valid", "invalid api key", "invalid_api_key",
                   "incorrect api key", "invalid x-api-key", "authentication_error")


def _says_bad_key(body: bytes) -> bool:
    text = body[:4096].decode("utf-8", "replace").lower()
    return any(marker in text for marker in BAD_KEY_MARKERS)


def _anthropic_shaped(body: bytes, status: int) -> bool:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return False
    if not isinstance(data, dict) or data.get("type") != "error":
        return False
    err = data.get("error")
    if not isinstance(err, dict):
        return False
    kind = err.get("type")
    if status == 404:
        return kind == "not_found_error" and "model" in str(err.get("message", "")).lower()
    return kind == "invalid_request_error"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen and len(seen) < 12:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


TLS_MARKERS = ("[ssl", "ssl:", "certificate verify", "tlsv1", "wrong version number", "sslv3")


def classify_exception(exc: BaseException) -> str:
    """The outcome for a transport error (httpx / httpcore / OS exceptions, walked down the cause chain)."""
    import asyncio

    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, socket.gaierror) for e in chain) or "name or service not known" in text \
            or "nodename nor servname" in text or "temporary failure in name resolution" in text \
            or "no address associated" in text:
        return DNS_ERROR
    # Timeouts first: a handshake that times out says "_ssl.c: ... timed out" but is a timeout.
    if any(isinstance(e, TimeoutError | asyncio.TimeoutError) for e in chain) or any(
            n.endswith("Timeout") for n in names):
        return TIMEOUT
    if any(isinstance(e, ssl.SSLError | ssl.CertificateError) for e in chain) or any(
            marker in text for marker in TLS_MARKERS):
        return TLS_ERROR
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "connection refused" in text \
            or "errno 111" in text or "connect call failed" in text:
        return CONNECTION_REFUSED
    if "ConnectError" in names or any(isinstance(e, OSError) and e.errno in (101, 113) for e in chain):
        return CONNECTION_REFUSED  # unreachable network/host: no connection was ever made
    # ReadError, WriteError, RemoteProtocolError, ConnectionResetError, BrokenPipeError, ...
    return CONNECTION_RESET
