"""The argparse-free fast path for explain/list agrees with the one argparse definition."""

from __future__ import annotations

import pytest

from hermes_accounts.cli import build_parser, fast_parse

AGREE = [
    ["explain", "minimax"],
    ["explain", "minimax", "--json"],
    ["explain", "--json", "minimax"],
    ["explain", "minimax", "--base-url", "https://x/anthropic", "--json"],
    ["explain", "minimax", "--base-url=https://x/anthropic"],
    ["explain", "glm", "--home", "/tmp/h"],
    ["explain", "glm", "--home=/tmp/h", "--json"],
    ["list"],
    ["list", "--json"],
    ["list", "--all", "--json", "--home", "/tmp/h"],
]
FALLBACK = [
    [], ["--help"], ["explain"], ["explain", "-h"], ["explain", "a", "b"], ["explain", "a", "--js"],
    ["explain", "a", "--json", "--json"], ["explain", "a", "--base-url"], ["list", "x"],
    ["list", "--home"], ["explain", "a", "--home", "--json"], ["list", "--"], ["set", "minimax"],
    ["explain", "--base-url", "u"], ["list", "--all=1"],
]


def comparable(ns: object) -> dict:
    d = dict(vars(ns))
    handler = d.pop("handler")
    return {**d, "handler": f"{handler.__module__}.{handler.__name__}"}


@pytest.mark.parametrize("argv", AGREE, ids=" ".join)
def test_fast_path_equals_argparse(argv: list[str]) -> None:
    fast = fast_parse(argv)
    assert fast is not None
    assert comparable(fast) == comparable(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", FALLBACK, ids=" ".join)
def test_anything_else_goes_to_argparse(argv: list[str]) -> None:
    assert fast_parse(argv) is None
