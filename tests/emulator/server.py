"""A provider emulator: one real HTTP server process on 127.0.0.1, many routes, real auth rules.

Each route family enforces its provider's auth rules and answers with that
provider's own bodies (hermes-compat.md §5):

============  =====================================================================
family        rule
============  =====================================================================
anthropic     native Anthropic: ``x-api-key`` for API keys; ``Authorization: Bearer``
              plus the ``oauth-2025-04-20`` beta for OAuth tokens; needs
              ``anthropic-version``. Routes ``/v1/models``, ``/v1/messages``.
minimax       MiniMax ``/anthropic``: Bearer only. A request without Authorization
              (e.g. the key as ``x-api-key``) gets MiniMax's exact 401 body. There is
              no ``/v1/models`` (404), as on the real host.
compat        a third-party Anthropic-compatible proxy: ``x-api-key``.
openai        OpenAI-compatible: Bearer; ``…/models``, ``…/chat/completions``.
gemini        Google AI Studio: ``x-goog-api-key``; Bearer → 401 ACCESS_TOKEN_TYPE_UNSUPPORTED.
openrouter    Bearer; ``…/key`` (needs auth), ``…/models`` (public).
============  =====================================================================

A request picks its family from the Host header (``api.minimax.io`` … so a
request routed here at the transport level, URL and Host untouched, is judged
as the real host would judge it) or else from the first path segment:
``/<family>[-<label>]/...``, e.g. ``/openai-p3/v1/models``. The whole first
segment is the *scope* that faults attach to, so twenty endpoints can each have
their own latency or error.

Faults (:class:`Fault`, per scope or ``"*"``): latency, a forced status (429 with
Retry-After, 500, 404, 402), connection reset, slow headers, echoing the key
back in the 401 body, a redirect. Bad TLS is a second listener with a
throwaway self-signed certificate.

Every request is recorded (:attr:`Emulator.log`) with all its headers, so tests
can assert exactly what reached the server.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MINIMAX_MISSING_AUTH = {
    "type": "error",
    "error": {"type": "authorized_error",
              "message": "login fail: Please carry the API secret key in the 'Authorization' field "
                         "of the request header (1004)",
              "http_code": "401"},
}
MINIMAX_INVALID_KEY = {"type": "error",
                       "error": {"type": "authentication_error", "message": "invalid api key"}}
ANTHROPIC_INVALID_KEY = {"type": "error", "error": {"type": "authentication_error",
                                                    "message": "invalid x-api-key"}}
ANTHROPIC_OAUTH_UNSUPPORTED = {"type": "error", "error": {"type": "authentication_error",
                                                          "message": "OAuth authentication is currently "
                                                                     "not supported."}}
GEMINI_BEARER = {"error": {"code": 401, "status": "UNAUTHENTICATED",
                           "message": "Request had invalid authentication credentials. Expected OAuth 2 "
                                      "access token, login cookie or other valid authentication "
                                      "credential.",
                           "details": [{"reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED"}]}}

HOST_FAMILIES = {
    "api.minimax.io": "minimax", "api.minimaxi.com": "minimax", "api.anthropic.com": "anthropic",
    "generativelanguage.googleapis.com": "gemini", "openrouter.ai": "openrouter",
    "dashscope-intl.aliyuncs.com": "openai", "dashscope.aliyuncs.com": "openai",
    "api.moonshot.ai": "openai", "api.moonshot.cn": "openai", "api.deepseek.com": "openai",
}
FAMILIES = ("anthropic", "minimax", "compat", "openai", "gemini", "openrouter")


@dataclass
class Fault:
    """What a scope does instead of (or before) answering normally."""

    latency: float = 0.0          # seconds before the answer
    status: int | None = None     # force this status (with the family's error body)
    reset: bool = False           # drop the connection (RST) after reading the request
    slow_headers: float = 0.0     # send the status line, then stall this long before the headers
    echo_key: bool = False        # put the received key verbatim in the 401 body
    redirect: str | None = None   # answer 307 with this Location


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    host: str
    path: str
    headers: dict[str, str]
    body: bytes
    port: int
    tls: bool
    scope: str = ""
    family: str = ""
    answered: int | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Emulator:
    """The server state shared by every listener; start with :meth:`start`, stop with :meth:`stop`."""

    keys: dict[str, set[str]] = field(default_factory=dict)   # family -> valid keys
    faults: dict[str, Fault] = field(default_factory=dict)    # scope or "*" -> fault
    log: list[Recorded] = field(default_factory=list)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)
    tls_port: int | None = None
    cert_path: str | None = None                              # the bad-TLS listener's certificate
    in_flight: int = 0                                        # requests being answered right now
    peak: int = 0                                             # the most ever answered at once
    generation: int = 0                                       # bumped by clear(); older requests don't count
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- control ----------------------------------------------------------------
    def add_key(self, family: str, key: str) -> str:
        assert family in FAMILIES, family
        self.keys.setdefault(family, set()).add(key)
        return key

    def fault(self, scope: str, **kw: object) -> Fault:
        f = Fault(**kw)  # type: ignore[arg-type]
        self.faults[scope] = f
        return f

    def clear(self) -> None:
        self.faults.clear()
        with self._lock:
            self.log.clear()
            self.peak = 0
            self.in_flight = 0
            self.generation += 1

    def requests(self, scope: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.log if scope is None or r.scope == scope]

    # -- addresses ----------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.servers[0].server_address[1]

    def url(self, path: str = "", host_index: int = 0) -> str:
        """``http://127.0.0.1:PORT`` (or the ``host_index``-th extra loopback listener) + path."""
        host, port = self.servers[host_index].server_address[:2]
        return f"http://{host}:{port}{path}"

    def tls_url(self, path: str = "") -> str:
        return f"https://127.0.0.1:{self.tls_port}{path}"

    # -- lifecycle ------------------------------------------------------------------
    def start(self, *, hosts: tuple[str, ...] = ("127.0.0.1",), tls_cert: tuple[str, str] | None = None
              ) -> Emulator:
        """Listen on each host (all loopback) and, with ``tls_cert=(cert, key)``, a bad-TLS listener."""
        for host in hosts:
            self._listen(host, None)
        if tls_cert is not None:
            import ssl

            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls_cert)
            srv = self._listen("127.0.0.1", ctx)
            self.tls_port = srv.server_address[1]
            self.cert_path = tls_cert[0]
        return self

    def _listen(self, host: str, ssl_ctx: object) -> ThreadingHTTPServer:
        emulator = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256
            allow_reuse_address = True

            def get_request(self):  # type: ignore[no-untyped-def]
                conn, addr = super().get_request()
                if ssl_ctx is not None:
                    conn = ssl_ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)  # type: ignore[attr-defined]
                return conn, addr

        class Handler(_Handler):
            emu = emulator
            tls = ssl_ctx is not None

        srv = Server((host, 0), Handler)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.servers.append(srv)
        return srv

    def stop(self) -> None:
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
        self.servers.clear()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    emu: Emulator
    tls: bool
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, OSError):
            self.close_connection = True
        except Exception:  # e.g. a failed TLS handshake on the bad-TLS port
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    # -- plumbing -----------------------------------------------------------------
    def _send_json(self, status: int, obj: object, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(obj).encode()
        self._done()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", f"req_{uuid.uuid4().hex[:12]}")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            sock.close()
        except OSError:
            pass

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = (headers.get("host") or "").rsplit(":", 1)[0].strip("[]").lower()
        path = self.path
        family = HOST_FAMILIES.get(host)
        scope = host if family else ""
        rest = path
        if family is None:
            seg, _, tail = path.lstrip("/").partition("/")
            family = seg.split("-", 1)[0]
            scope = seg
            rest = "/" + tail
        rec = Recorded(self.command, host, path, headers, body, self.server.server_address[1], self.tls,
                       scope=scope, family=family)
        with self.emu._lock:
            self.emu.log.append(rec)
            self._generation = self.emu.generation
            self.emu.in_flight += 1
            self.emu.peak = max(self.emu.peak, self.emu.in_flight)
        self._counted = True
        try:
            self._answer(rec, family, scope, rest, headers, body)
        finally:
            self._done()

    def _done(self) -> None:
        """Stop counting this request as in flight (just before its answer goes out)."""
        if getattr(self, "_counted", False):
            self._counted = False
            with self.emu._lock:
                if self._generation == self.emu.generation:
                    self.emu.in_flight -= 1

    def _answer(self, rec: Recorded, family: str, scope: str, rest: str, headers: dict[str, str],
                body: bytes) -> None:
        fault = self.emu.faults.get(scope) or self.emu.faults.get("*") or Fault()
        if fault.latency:
            time.sleep(fault.latency)
        if fault.reset:
            self._reset()
            return
        if fault.slow_headers:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self.wfile.flush()
            time.sleep(fault.slow_headers)
            self.close_connection = True
            try:
                self.wfile.write(b"content-length: 2\r\n\r\n{}")
            except OSError:
                pass
            return
        if fault.redirect:
            rec.answered = 307
            self._done()
            self.send_response(307)
            self.send_header("location", fault.redirect)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        status, obj, extra = self._route(family, rest, headers, body, fault)
        rec.answered = status
        self._send_json(status, obj, extra)

    # -- the families ----------------------------------------------------------------
    def _route(self, family: str, path: str, headers: dict[str, str], body: bytes, fault: Fault
               ) -> tuple[int, object, dict[str, str] | None]:
        if family not in FAMILIES:
            return 404, {"error": {"message": f"no route {self.path}"}}, None
        bare = path.split("?", 1)[0].rstrip("/")
        if fault.status is not None:
            return self._forced(family, fault.status)
        handler = getattr(self, f"_fam_{family}")
        return handler(bare, headers, body, fault)

    def _forced(self, family: str, status: int) -> tuple[int, object, dict[str, str] | None]:
        anthropic_like = family in ("anthropic", "minimax", "compat")
        kinds = {429: ("rate_limit_error", "Rate limit exceeded, please retry later"),
                 500: ("api_error", "Internal server error"),
                 529: ("overloaded_error", "Overloaded"),
                 404: ("not_found_error", "Not Found"),
                 402: ("billing_error", "Insufficient credits: add credits to continue")}
        kind, msg = kinds.get(status, ("api_error", f"HTTP {status}"))
        extra = {"retry-after": "17"} if status == 429 else None
        if anthropic_like:
            return status, {"type": "error", "error": {"type": kind, "message": msg}}, extra
        return status, {"error": {"message": msg, "type": kind, "code": status}}, extra

    def _key_ok(self, family: str, key: str) -> bool:
        return key in self.emu.keys.get(family, set())

    @staticmethod
    def _bearer(headers: dict[str, str]) -> str | None:
        auth = headers.get("authorization")
        if auth is None:
            return None
        scheme, _, token = auth.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    def _echo(self, fault: Fault, msg: str, key: str) -> str:
        return f"{msg}: {key}" if fault.echo_key else msg

    @staticmethod
    def _message_ok(body: bytes) -> tuple[int, object, None]:
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            req = None
        if not isinstance(req, dict) or "max_tokens" not in req or not req.get("messages"):
            return 400, {"type": "error", "error": {"type": "invalid_request_error",
                                                    "message": "max_tokens: Field required"}}, None
        return 200, {"id": f"msg_{uuid.uuid4().hex[:10]}", "type": "message", "role": "assistant",
                     "model": req.get("model"), "content": [{"type": "text", "text": "p"}],
                     "stop_reason": "max_tokens", "usage": {"input_tokens": 8, "output_tokens": 1}}, None

    def _fam_anthropic(self, path: str, headers: dict[str, str], body: bytes, fault: Fault):  # type: ignore[no-untyped-def]
        api_key = headers.get("x-api-key")
        bearer = self._bearer(headers)
        if api_key is not None and bearer is not None:
            return 401, {"type": "error", "error": {"type": "authentication_error",
                                                    "message": "send either x-api-key or Authorization, "
                                                               "not both"}}, None
        if api_key is not None:
            if not (api_key.startswith("sk-ant-api") and self._key_ok("anthropic", api_key)):
                err = dict(ANTHROPIC_INVALID_KEY["error"])
                err["message"] = self._echo(fault, err["message"], api_key)
                return 401, {"type": "error", "error": err}, None
        elif bearer:
            betas = headers.get("anthropic-beta", "")
            if "oauth-2025-04-20" not in betas:
                return 401, ANTHROPIC_OAUTH_UNSUPPORTED, None
            if not self._key_ok("anthropic", bearer):
                return 401, {"type": "error", "error": {"type": "authentication_error",
                                                        "message": self._echo(fault, "Invalid bearer token",
                                                                              bearer)}}, None
        else:
            return 401, {"type": "error", "error": {"type": "authentication_error",
                                                    "message": "x-api-key header is required"}}, None
        if "anthropic-version" not in headers:
            return 400, {"type": "error", "error": {"type": "invalid_request_error",
                                                    "message": "anthropic-version: header is required"}}, None
        if path.endswith("/v1/models") and self.command == "GET":
            return 200, {"data": [{"id": "claude-haiku-4-5", "type": "model"}], "has_more": True,
                         "first_id": "claude-haiku-4-5", "last_id": "claude-haiku-4-5"}, None
        if path.endswith("/v1/messages"):
            if self.command != "POST":
                return 405, {"type": "error", "error": {"type": "not_found_error",
                                                        "message": "Method not allowed"}}, None
            return self._message_ok(body)
        return 404, {"type": "error", "error": {"type": "not_found_error", "message": "Not Found"}}, None

    def _fam_minimax(self, path: str, headers: dict[str, str], body: bytes, fault: Fault):  # type: ignore[no-untyped-def]
        if not path.startswith("/anthropic") or not path.endswith("/v1/messages"):
            return 404, {"base_resp": {"status_code": 404, "status_msg": "404 page not found"}}, None
        if path != "/anthropic/v1/messages":
            return 404, {"type": "error", "error": {"type": "not_found_error",
                                                    "message": f"Not found: {path}"}}, None
        bearer = self._bearer(headers)
        if not bearer:
            return 401, dict(MINIMAX_MISSING_AUTH, request_id=uuid.uuid4().hex), None
        if not self._key_ok("minimax", bearer):
            err = dict(MINIMAX_INVALID_KEY["error"])
            err["message"] = self._echo(fault, err["message"], bearer)
            return 401, {"type": "error", "error": err}, None
        if self.command != "POST":
            return 405, {"type": "error", "error": {"type": "invalid_request_error",
                                                    "message": "method not allowed"}}, None
        return self._message_ok(body)

    def _fam_compat(self, path: str, headers: dict[str, str], body: bytes, fault: Fault):  # type: ignore[no-untyped-def]
        if not path.endswith("/v1/messages"):
            return 404, {"type": "error", "error": {"type": "not_found_error", "message": "Not Found"}}, None
        if "/v1/v1/" in path + "/":
            return 404, {"type": "error", "error": {"type": "not_found_error", "message": "Not Found"}}, None
        key = headers.get("x-api-key")
        if not key or not self._key_ok("compat", key):
            return 401, {"type": "error", "error": {"type": "authentication_error",
                                                    "message": self._echo(fault, "invalid x-api-key",
                                                                          key or "")}}, None
        return self._message_ok(body)

    def _fam_openai(self, path: str, headers: dict[str, str], body: bytes, fault: Fault):  # type: ignore[no-untyped-def]
        bearer = self._bearer(headers)
        if bearer is None:
            return 401, {"message": "Missing Authentication header", "code": 401}, None
        if not self._key_ok("openai", bearer):
            shown = bearer if fault.echo_key else (bearer[:3] + "*" * 8 + bearer[-4:])
            return 401, {"error": {"message": f"Incorrect API key provided: {shown}. You can find your "
                                              "API key at https://platform.openai.com/account/api-keys.",
                                   "type": "invalid_request_error", "code": "invalid_api_key"}}, None
        if path.endswith("/models") and self.command == "GET":
            return 200, {"object": "list", "data": [{"id": "gpt-5", "object": "model"}]}, None
        if path.endswith("/chat/completions") and self.command == "POST":
            return 200, {"id": "chatcmpl-1", "object": "chat.completion", "choices": []}, None
        return 404, {"error": {"message": f"Invalid URL ({self.command} {self.path})",
                               "type": "invalid_request_error"}}, None

    def _fam_gemini(self, path: str, headers: dict[str, str], body: bytes, fault: Fault):  # type: ignore[no-untyped-def]
        if self._bearer(headers) is not None:
            return 401, GEMINI_BEARER, None
        key = headers.get("x-goog-api-key")
        if not key or not self._key_ok("gemini", key):
            return 400, {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                   "message": "API key not valid. Please pass a valid API key.",
                                   "details": [{"reason": "API_KEY_INVALID"}]}}, None
        if path.endswith("/models"):
            return 200, {"models": [{"name": "models/gemini-2.5-flash"}]}, None
        return 404, {"error": {"code": 404, "status": "NOT_FOUND", "message": "Not found"}}, None

    def _fam_openrouter(self, path: str, headers: dict[str, str], body: bytes, fault: Fault):  # type: ignore[no-untyped-def]
        if path.endswith("/models"):
            return 200, {"data": [{"id": "anthropic/claude-sonnet-4"}]}, None
        bearer = self._bearer(headers)
        if bearer is None:
            return 401, {"error": {"message": "No auth credentials found", "code": 401}}, None
        if not self._key_ok("openrouter", bearer):
            return 401, {"error": {"message": "User not found.", "code": 401}}, None
        if path.endswith("/key"):
            return 200, {"data": {"label": "sk-or-v1-abc...xyz", "limit": None, "usage": 0.5,
                                  "is_free_tier": False}}, None
        return 404, {"error": {"message": "Not Found", "code": 404}}, None


def self_signed_cert(directory: str, host: str = "127.0.0.1") -> tuple[str, str]:
    """A throwaway self-signed certificate (``cryptography``) valid for ``host``: (cert, key) paths."""
    import datetime
    import ipaddress
    import os

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hermes-accounts emulator")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host)),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, "emulator-cert.pem")
    key_path = os.path.join(directory, "emulator-key.pem")
    with open(cert_path, "wb") as fh:
        fh.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    return cert_path, key_path
