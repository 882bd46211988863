"""Ask the real Hermes Agent which credential it would use (run with Hermes' own Python).

Usage (from the tests, in a subprocess)::

    $HERMES_ORACLE_PYTHON tests/oracle/hermes_probe.py PROVIDER [ROOT]

with ``HOME``/``HERMES_HOME`` (and whatever shell variables the scenario needs)
set in the environment. ``PROVIDER`` may be ``""`` to let Hermes pick from
``config.yaml``/``HERMES_INFERENCE_PROVIDER``/auto, as a plain ``hermes`` start does.

It starts Hermes the way the agent does — ``load_hermes_dotenv`` (which sanitises
and may rewrite ``.env``, then loads it with ``override=True``), then
``resolve_runtime_provider(requested=...)`` — and prints one JSON object:
``provider``, ``api_mode``, ``base_url``, ``source``, ``key_fingerprint`` (never
the key), and for ``anthropic_messages`` runtimes how Hermes' Anthropic adapter
would build its SDK client (``auth_header``: which constructor argument it
passes the key in). On failure: ``error_class`` and a redacted ``error``.

Isolation, enforced with an audit hook (``sys.addaudithook``) rather than trust:

* every socket connect / DNS lookup is refused and recorded (``network``): Hermes
  must decide from files alone, and the zai/copilot resolvers that do probe the
  network fall back exactly as they would offline;
* every write outside ``ROOT`` (default: the parent of ``$HOME``) is refused and
  recorded (``outside_writes``); Hermes may rewrite ``.env`` and ``auth.json``
  inside the temp home, which is what it does on a real start;
* subprocesses are recorded (``subprocesses``) and refused.

The Anthropic SDK is *not* needed: the adapter's ``_get_anthropic_sdk`` is
replaced by a recorder, so ``build_anthropic_client`` runs for real up to the
SDK constructor and we see the exact arguments it would pass.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

BLOCKED_NET = "network access blocked by the hermes-accounts oracle probe"


def fingerprint(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def main() -> int:
    requested = sys.argv[1] if len(sys.argv) > 1 else ""
    home = os.environ["HOME"]
    root = os.path.realpath(sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(home))
    allowed = (root + os.sep, "/dev/null")
    report: dict = {"network": [], "outside_writes": [], "subprocesses": []}
    secrets: list[str] = []

    def audit(event: str, args: tuple) -> None:
        if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
            target = args[1] if event == "socket.connect" else args[0]
            report["network"].append(f"{event} {str(target)[:80]}")
            raise OSError(BLOCKED_NET)
        if event == "open":
            path, mode, flags = [*args, None, None, None][:3]
            if isinstance(path, int) or path is None:
                return
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            if writing:
                p = os.path.realpath(os.fsdecode(path))
                if not (p + os.sep).startswith(allowed[0]) and p != "/dev/null":
                    report["outside_writes"].append(p)
                    raise PermissionError(f"oracle probe: write outside {root} refused: {p}")
        elif event in ("os.rename", "os.replace", "os.remove", "os.unlink", "os.mkdir", "os.rmdir"):
            for a in args[:2]:
                if isinstance(a, (str, bytes)):
                    p = os.path.realpath(os.fsdecode(a))
                    if not (p + os.sep).startswith(allowed[0]):
                        report["outside_writes"].append(f"{event} {p}")
                        raise PermissionError(f"oracle probe: {event} outside {root} refused")
        elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn"):
            exe = args[0] if args else "?"
            report["subprocesses"].append(str(exe)[:120])
            raise PermissionError("oracle probe: subprocesses refused")

    sys.addaudithook(audit)

    from hermes_cli.env_loader import load_hermes_dotenv

    load_hermes_dotenv(hermes_home=os.environ.get("HERMES_HOME") or None)

    import agent.anthropic_adapter as adapter

    calls: list[dict] = []

    class _RecordingSDK:
        class Anthropic:
            def __init__(self, **kwargs: object) -> None:
                calls.append(kwargs)

    adapter._get_anthropic_sdk = lambda: _RecordingSDK  # type: ignore[attr-defined]

    from hermes_cli.runtime_provider import resolve_runtime_provider

    try:
        runtime = resolve_runtime_provider(requested=requested or None)
    except Exception as exc:  # the error class is the answer
        message = str(exc)
        for name, value in os.environ.items():
            if name.endswith(("_KEY", "_TOKEN", "_SECRET")) and len(value) >= 4:
                message = message.replace(value, "<redacted>")
        report.update(error_class=type(exc).__name__, error=message[:300])
        print(json.dumps(report, sort_keys=True))
        return 0

    key = runtime.get("api_key")
    key = key if isinstance(key, str) else ""
    secrets.append(key)
    report.update(
        provider=runtime.get("provider"),
        requested_provider=runtime.get("requested_provider"),
        api_mode=runtime.get("api_mode"),
        base_url=runtime.get("base_url"),
        source=runtime.get("source"),
        key_fingerprint=fingerprint(key) if key else None,
        key_length=len(key),
    )
    if runtime.get("api_mode") == "anthropic_messages" and key:
        try:
            adapter.build_anthropic_client(key, runtime.get("base_url") or None)
        except Exception as exc:
            report["client_error"] = type(exc).__name__
        if calls:
            kw = calls[-1]
            if kw.get("auth_token"):
                report["auth_header"] = "authorization"
            elif kw.get("api_key"):
                report["auth_header"] = "x-api-key"
            else:
                report["auth_header"] = None
            report["client_base_url"] = kw.get("base_url")
            # The real SDK fills the argument Hermes did not pass from the
            # environment (api_key ← ANTHROPIC_API_KEY, auth_token ←
            # ANTHROPIC_AUTH_TOKEN) and then sends *both* headers.
            extra = {}
            if not kw.get("api_key") and os.environ.get("ANTHROPIC_API_KEY"):
                extra["x-api-key"] = fingerprint(os.environ["ANTHROPIC_API_KEY"])
            if not kw.get("auth_token") and os.environ.get("ANTHROPIC_AUTH_TOKEN"):
                extra["authorization"] = fingerprint(os.environ["ANTHROPIC_AUTH_TOKEN"])
            report["sdk_env_headers"] = extra
    elif runtime.get("api_mode") in ("chat_completions", "codex_responses") and key:
        # The OpenAI SDK sends Authorization: Bearer; for provider gemini on Google's native
        # host Hermes builds GeminiNativeClient instead (agent_runtime_helpers), x-goog-api-key.
        from agent.gemini_native_adapter import is_native_gemini_base_url

        native = runtime.get("provider") == "gemini" and is_native_gemini_base_url(
            runtime.get("base_url") or "")
        report["auth_header"] = "x-goog-api-key" if native else "authorization"
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
