"""The provider emulator used by the probe tests and ``bench/bench_probe.py`` (see :mod:`.server`)."""

from .server import FAMILIES, MINIMAX_MISSING_AUTH, Emulator, Fault, Recorded, self_signed_cert
from .transport import RouteToEmulator

__all__ = ["FAMILIES", "MINIMAX_MISSING_AUTH", "Emulator", "Fault", "Recorded", "RouteToEmulator",
           "self_signed_cert"]
