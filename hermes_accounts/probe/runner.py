"""Send probes concurrently (asyncio + httpx) and classify what comes back.

Why it is shaped like this:

* **Concurrent, bounded per host.** Every endpoint is probed at once, so ``test
  --all`` costs about one probe, not twenty; a per-host semaphore keeps several
  accounts on one host from opening a burst of connections.
* **Two clocks.** ``timeout`` bounds each probe (from the moment it gets its
  connection slot), ``deadline`` bounds the whole run; what is still pending at
  the deadline is cancelled and reported as ``timeout``.
* **Results stream.** ``on_result`` is called as each probe finishes.
* **The key stays with its endpoint.** Redirects are followed only within the
  same origin (scheme, host, port); a redirect elsewhere is reported, never
  followed with the credential attached. TLS verification is never turned off.
* **No secret escapes.** Every message, URL and hint is scrubbed of every known
  secret before it leaves this module; exceptions are reduced to a class name
  and a scrubbed one-line message.
"""

from __future__ import annotations

import asyncio
import time

from . import hints
from . import outcomes as o
from .request import PLACEHOLDER_SOURCE, NotSent, ProbeRequest
from .result import ProbeResult, provider_message, scrub_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import httpx

    from ..secret import Secret

DEFAULT_TIMEOUT = 10.0
PER_HOST = 4
MAX_REDIRECTS = 3
MAX_BODY = 64 * 1024


def not_sent_result(ns: NotSent) -> ProbeResult:
    return ProbeResult(provider=ns.provider, name=ns.name, account=ns.account, outcome=ns.outcome,
                       hint=ns.hint, url=ns.url)


def _base_result(req: ProbeRequest) -> ProbeResult:
    return ProbeResult(provider=req.provider, name=req.name, account=req.account, outcome=o.OK,
                       method=req.method, url=req.url, header=req.header_label,
                       header_rule=req.header_rule, source=req.source, masked=req.secret.masked,
                       fingerprint=req.secret.fingerprint, probe=req.probe)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, port)


def _context(req: ProbeRequest, **kw: object) -> hints.Context:
    return hints.Context(req.base_url, req.base_url_source, req.api_mode, **kw)  # type: ignore[arg-type]


def _error_text(exc: BaseException) -> str:
    """A one-line description of a transport error, innermost useful cause first."""
    parts: list[str] = []
    cur: BaseException | None = exc
    seen = 0
    while cur is not None and seen < 6:
        text = str(cur).strip()
        if text and text not in parts:
            parts.append(text)
        cur = cur.__cause__ or cur.__context__
        seen += 1
    line = parts[-1] if parts else type(exc).__name__
    return " ".join(line.split())[:200]


async def _send(client: httpx.AsyncClient, req: ProbeRequest, timeout: float
                ) -> tuple[int, bytes, dict[str, str], str, str]:
    """(status, body, headers, final_url, refused_location). Follows same-origin redirects only."""
    import httpx

    method, url, body = req.method, httpx.URL(req.url), req.body
    headers = req.wire_headers()
    for _hop in range(MAX_REDIRECTS + 1):
        request = client.build_request(method, url, headers=headers, content=body,
                                       timeout=httpx.Timeout(timeout))
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY:
                    break
            data = b"".join(chunks)[:MAX_BODY]
        finally:
            await response.aclose()
        location = response.headers.get("location", "")
        if response.is_redirect and location:
            target = url.join(location)
            if _origin(target) != _origin(url):
                return response.status_code, data, dict(response.headers), str(url), str(target)
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None
            url = target
            continue
        return response.status_code, data, dict(response.headers), str(url), ""
    return response.status_code, data, dict(response.headers), str(url), ""


async def probe_one(client: httpx.AsyncClient, req: ProbeRequest, *, timeout: float,
                    slot: asyncio.Semaphore, secrets: Sequence[Secret | str]) -> ProbeResult:
    """Send one probe and classify it. Never raises for network trouble."""
    result = _base_result(req)
    async with slot:
        start = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                status, body, headers, final_url, refused = await _send(client, req, timeout)
        except Exception as exc:  # every transport failure becomes an outcome
            result.latency_ms = (time.perf_counter() - start) * 1000
            result.outcome = o.classify_exception(exc)
            error = scrub_text(_error_text(exc), secrets)
            if result.outcome == o.TIMEOUT:
                error = f"no response within {timeout:g} s"
            result.message = error
            result.hint = hints.hint(result.outcome, req, _context(req, timeout=timeout, error=error))
            return result.scrub(secrets)
    result.latency_ms = (time.perf_counter() - start) * 1000
    result.status = status
    if refused:
        result.outcome = o.WRONG_URL
        result.message = f"HTTP {status} redirect to {refused} (not followed)"
    else:
        result.outcome = o.classify_status(status, body, anthropic_messages=req.anthropic_messages)
        if result.outcome != o.OK or status >= 300:
            result.message = provider_message(body, secrets)
    if final_url != req.url:
        result.url = final_url
    if result.outcome != o.OK:
        ctx = _context(req, status=status, message=result.message, location=refused,
                       retry_after=headers.get("retry-after", ""), timeout=timeout)
        result.hint = hints.hint(result.outcome, req, ctx)
    elif status >= 400:
        result.hint = (f"the key was accepted; the server then rejected the one-token probe "
                       f"(HTTP {status}), which proves auth without spending tokens")
    return result.scrub(secrets)


def _deadline_result(req: ProbeRequest, timeout: float, secrets: Sequence[Secret | str]) -> ProbeResult:
    result = _base_result(req)
    result.outcome = o.TIMEOUT
    result.message = "cancelled at the overall deadline"
    result.hint = hints.hint(o.TIMEOUT, req, _context(req, timeout=timeout, deadline_hit=True))
    return result.scrub(secrets)


def make_client(transport: httpx.AsyncBaseTransport | None = None, *, timeout: float = DEFAULT_TIMEOUT
                ) -> httpx.AsyncClient:
    """The one client all probes share: verification on, no automatic redirects, env proxies honoured."""
    import httpx

    return httpx.AsyncClient(
        transport=transport, timeout=httpx.Timeout(timeout), follow_redirects=False,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=16), verify=True,
        trust_env=True)


async def run(plans: Iterable[ProbeRequest | NotSent], *, timeout: float = DEFAULT_TIMEOUT,
              deadline: float | None = None, per_host: int = PER_HOST,
              transport: httpx.AsyncBaseTransport | None = None,
              on_result: Callable[[ProbeResult], None] | None = None,
              secrets: Iterable[Secret | str] = ()) -> list[ProbeResult]:
    """Probe every plan concurrently; results come back in the order of ``plans``.

    ``secrets``: every secret the caller knows (all candidates of all resolutions),
    used to scrub everything a server or an exception says.
    """
    import httpx

    plans = list(plans)
    known: list[Secret | str] = list(secrets)
    for p in plans:
        if isinstance(p, ProbeRequest) and p.source != PLACEHOLDER_SOURCE:
            known.append(p.secret)  # (Hermes' public placeholders are not secrets: hints may name them)
    results: list[ProbeResult | None] = [None] * len(plans)
    for i, p in enumerate(plans):
        if isinstance(p, NotSent):
            results[i] = not_sent_result(p)
            if on_result:
                on_result(results[i])
    jobs = [(i, p) for i, p in enumerate(plans) if isinstance(p, ProbeRequest)]
    if jobs:
        slots: dict[tuple[str, str, int | None], asyncio.Semaphore] = {}
        async with make_client(transport, timeout=timeout) as client:
            tasks: dict[asyncio.Task[ProbeResult], int] = {}
            for i, req in jobs:
                origin = _origin(httpx.URL(req.url))
                slot = slots.setdefault(origin, asyncio.Semaphore(per_host))
                task = asyncio.create_task(probe_one(client, req, timeout=timeout, slot=slot,
                                                     secrets=known))
                tasks[task] = i
            loop = asyncio.get_running_loop()
            end = None if deadline is None else loop.time() + deadline
            pending = set(tasks)
            while pending:
                left = None if end is None else max(0.0, end - loop.time())
                done, pending = await asyncio.wait(pending, timeout=left,
                                                   return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    results[tasks[task]] = task.result()
                    if on_result:
                        on_result(results[tasks[task]])
                if not done and pending:
                    for task in pending:
                        task.cancel()
                    await asyncio.gather(*pending, return_exceptions=True)
                    for task in pending:
                        i = tasks[task]
                        results[i] = _deadline_result(plans[i], timeout, known)  # type: ignore[arg-type]
                        if on_result:
                            on_result(results[i])
                    pending = set()
    return [r for r in results if r is not None]


def run_sync(plans: Iterable[ProbeRequest | NotSent], **kw: object) -> list[ProbeResult]:
    """:func:`run` from synchronous code (the CLI)."""
    return asyncio.run(run(plans, **kw))  # type: ignore[arg-type]
