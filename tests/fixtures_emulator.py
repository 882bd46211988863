"""Fixtures for the provider emulator: one real server per test session, reset for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator import Emulator, self_signed_cert


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    cert = self_signed_cert(str(tmp_path_factory.mktemp("emulator-tls")))
    emu = Emulator().start(tls_cert=cert)
    yield emu
    emu.stop()


@pytest.fixture
def emu(emulator_server: Emulator) -> Emulator:
    """The session emulator with no keys, faults or recorded requests."""
    emulator_server.clear()
    emulator_server.keys.clear()
    return emulator_server
