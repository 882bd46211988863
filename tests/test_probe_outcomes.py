"""Classification of answers and transport errors, provider messages, and redaction of echoed keys."""

from __future__ import annotations

import json
import socket
import ssl

import pytest

from hermes_accounts.probe import outcomes as o
from hermes_accounts.probe.result import ProbeResult, provider_message, scrub_text
from tests.fixtures_home import sentinel


@pytest.mark.parametrize(("status", "expected"), [
    (200, o.OK), (204, o.OK), (401, o.AUTH_FAILED), (403, o.AUTH_FAILED), (404, o.WRONG_URL),
    (405, o.WRONG_URL), (429, o.RATE_LIMITED), (402, o.PAYMENT_REQUIRED), (500, o.SERVER_ERROR),
    (503, o.SERVER_ERROR), (400, o.UNEXPECTED_STATUS), (418, o.UNEXPECTED_STATUS), (307, o.WRONG_URL),
])
def test_status_classification(status, expected):
    assert o.classify_status(status, b"{}", anthropic_messages=False) == expected


def test_anthropic_shaped_400_proves_auth_on_a_messages_probe_only():
    body = json.dumps({"type": "error", "error": {"type": "invalid_request_error",
                                                  "message": "max_tokens: too small"}}).encode()
    assert o.classify_status(400, body, anthropic_messages=True) == o.OK
    assert o.classify_status(400, body, anthropic_messages=False) == o.UNEXPECTED_STATUS
    assert o.classify_status(400, b"<html>", anthropic_messages=True) == o.UNEXPECTED_STATUS
    model_404 = json.dumps({"type": "error", "error": {"type": "not_found_error",
                                                       "message": "model: nope"}}).encode()
    path_404 = json.dumps({"type": "error", "error": {"type": "not_found_error",
                                                      "message": "Not Found"}}).encode()
    assert o.classify_status(404, model_404, anthropic_messages=True) == o.OK
    assert o.classify_status(404, path_404, anthropic_messages=True) == o.WRONG_URL


def _wrapped(inner: BaseException, outer: type[Exception] = RuntimeError) -> Exception:
    try:
        try:
            raise inner
        except BaseException as e:
            raise outer("wrapped") from e
    except Exception as e:
        return e


def test_exception_classification_walks_the_cause_chain():
    assert o.classify_exception(_wrapped(socket.gaierror(-2, "Name or service not known"))) == o.DNS_ERROR
    assert o.classify_exception(_wrapped(ssl.SSLCertVerificationError(1, "verify failed"))) == o.TLS_ERROR
    assert o.classify_exception(_wrapped(ConnectionRefusedError(111, "refused"))) == o.CONNECTION_REFUSED
    assert o.classify_exception(_wrapped(TimeoutError())) == o.TIMEOUT
    assert o.classify_exception(_wrapped(ConnectionResetError(104, "reset by peer"))) == o.CONNECTION_RESET


@pytest.mark.parametrize(("body", "expected"), [
    ({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
     "invalid x-api-key"),
    ({"error": {"message": "User not found.", "code": 401}}, "User not found."),
    ({"message": "Missing Authentication header", "code": 401}, "Missing Authentication header"),
    ({"base_resp": {"status_code": 2049, "status_msg": "invalid api key"}}, "invalid api key (2049)"),
    ({"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "API key not valid."}},
     "INVALID_ARGUMENT: API key not valid."),
    ({"detail": "Not authenticated"}, "Not authenticated"),
])
def test_provider_message_shapes(body, expected):
    assert provider_message(json.dumps(body).encode(), []) == expected


def test_provider_message_plain_text_and_html():
    assert provider_message(b"upstream   connect\nerror", []) == "upstream connect error"
    assert provider_message(b"<html><body>502</body></html>", []) == "(an HTML page)"


def test_echoed_key_is_masked_whole_and_in_fragments():
    key = sentinel("sk-")
    body = json.dumps({"error": {"message": f"Incorrect API key provided: {key}"}}).encode()
    msg = provider_message(body, [key])
    assert key not in msg and "Incorrect API key provided: sk-S" in msg
    # A server that echoes only part of the key (a truncated echo) still leaks nothing long.
    fragment = key[3:30]
    scrubbed = scrub_text(f"bad key {fragment}...", [key])
    assert fragment not in scrubbed


def test_long_messages_are_cut_after_redaction():
    key = sentinel("sk-")
    text = ("x " * 200 + key).encode()
    out = provider_message(text, [key])
    assert key not in out and len(out) <= 300


def test_result_json_has_no_secret_even_if_fields_carried_it():
    key = sentinel("sk-")
    r = ProbeResult("openai-api", "OpenAI API", None, o.AUTH_FAILED, hint=f"h {key}",
                    message=f"m {key}", url=f"https://x/?key={key}")
    r.scrub([key])
    assert key not in json.dumps(r.to_dict())


def test_a_400_that_says_the_key_is_invalid_is_auth_failed():
    google = json.dumps({"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                   "message": "API key not valid. Please pass a valid API key.",
                                   "details": [{"reason": "API_KEY_INVALID"}]}}).encode()
    assert o.classify_status(400, google, anthropic_messages=False) == o.AUTH_FAILED
    other = json.dumps({"error": {"message": "model is required"}}).encode()
    assert o.classify_status(400, other, anthropic_messages=False) == o.UNEXPECTED_STATUS
