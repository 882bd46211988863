"""Secret never shows its value unless asked; fingerprints follow the documented formula."""

from __future__ import annotations

import copy
import hashlib
import logging
import pickle

import pytest

from hermes_accounts.secret import Secret, fingerprint, mask, redact
from tests.fixtures_home import sentinel


def test_every_string_form_is_masked() -> None:
    raw = sentinel()
    s = Secret(raw)
    forms = [repr(s), str(s), f"{s}", f"{s!r}", f"{s:>40}", "%s" % s, "{}".format(s),  # noqa: UP031, UP032
             repr([s]), repr({"k": s}), str((s,))]
    for form in forms:
        assert raw not in form
        assert "SENTINEL" not in form
    assert s.reveal() == raw
    assert s.masked == raw[:4] + "\u2026" + raw[-4:]


def test_logging_and_exceptions_do_not_leak(caplog: pytest.LogCaptureFixture) -> None:
    raw = sentinel()
    s = Secret(raw)
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("key=%s %r", s, s)
    assert raw not in caplog.text
    err = ValueError(f"bad key {s}")
    assert raw not in str(err) and raw not in repr(err)


def test_cannot_be_pickled_and_error_has_no_value() -> None:
    raw = sentinel()
    with pytest.raises(TypeError) as info:
        pickle.dumps(Secret(raw))
    assert raw not in str(info.value)
    s = Secret(raw)
    assert copy.deepcopy(s) is s and copy.copy(s) is s


def test_immutable_and_equality() -> None:
    a, b = Secret("same-value-123456"), Secret("same-value-123456")
    assert a == b and hash(a) == hash(b)
    assert a != Secret("other-value-123456")
    with pytest.raises(AttributeError):
        a._value = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Secret(123)  # type: ignore[arg-type]


def test_fingerprint_formula() -> None:
    raw = "sk-café-1234567890"
    expected = "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]
    assert fingerprint(raw) == expected == Secret(raw).fingerprint


@pytest.mark.parametrize(("value", "shown"), [
    ("sk-c-abcdefghij-7890", "sk-c\u20267890"),
    ("abcdefghij", "ab\u2026ij"),
    ("abc", "***"),
    ("", ""),
])
def test_mask_reveals_little_of_short_values(value: str, shown: str) -> None:
    assert mask(value) == shown


def test_redact_masks_every_known_secret_in_text() -> None:
    k1, k2 = sentinel(), sentinel("mm-")
    text = f'{{"error": "invalid key {k1}", "echo": "{k2}{k2}"}}'
    out = redact(text, [Secret(k1), k2])
    assert k1 not in out and k2 not in out
    assert mask(k1) in out
