"""The resolver's keyring source: the active account of each provider.

Front ends get it through :func:`load_inputs` (the resolver itself does not import
the store: it takes the source as ``Inputs(keyring=...)``). Import-light on purpose
(only ``os``): a user without ``accounts.json``, or whose accounts all live in
``.env``, never imports ``keyring``/SecretStorage. When keyring accounts exist,
all active ones are fetched on first use in **one** batch over one connection
(so ``list`` with 20 accounts costs about what 1 does), never prompting and
with a deadline. A keyring that cannot be used yields no candidates plus one
warning (``.error``), never an exception: the resolver must still explain the
other sources.
"""

from __future__ import annotations

import os

from . import username

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..resolver.inputs import Inputs
    from ..secret import Secret
    from .backends import Backend


class KeyringSource:
    """Callable ``provider_id -> [(account, Secret)]`` for :class:`Inputs`'s ``keyring=``."""

    def __init__(self, active: dict[str, str], *, backend: Backend | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.active = active          # provider id -> active account (keyring store only)
        self.error: str | None = None
        self.fetches = 0              # batches sent to the keyring (tests, bench)
        self._backend = backend
        self._warn = warn
        self._values: dict[str, Secret | None] | None = None

    def _fetch(self) -> dict[str, Secret | None]:
        if self._values is None:
            from .backends import open_backend
            from .errors import KeyringUnavailable

            self.fetches += 1
            backend = self._backend or open_backend(interactive=False)
            users = [username(p, a) for p, a in sorted(self.active.items())]
            try:
                self._values = backend.get_many(users)
            except KeyringUnavailable as exc:
                self._values = {}
                self.error = f"{exc}; keyring accounts ({len(users)}) are skipped"
                if self._warn is not None:
                    self._warn(self.error)
            finally:
                if self._backend is None:
                    backend.close()
        return self._values

    def __call__(self, provider_id: str) -> list[tuple[str, Secret]]:
        account = self.active.get(provider_id)
        if account is None:
            return []
        value = self._fetch().get(username(provider_id, account))
        return [(account, value)] if value is not None else []


def _stderr(message: str) -> None:
    import sys

    sys.stderr.write(f"hermes-accounts: warning: {message}\n")


def keyring_source(home: str, *, warn: Callable[[str], None] | None = _stderr) -> KeyringSource | None:
    """The source for ``home``, or None when the index lists no active keyring account."""
    if not os.path.exists(os.path.join(home, "accounts.json")):
        return None
    from .index import IndexCorrupt, load_index

    try:
        active = load_index(home).active_keyring()
    except IndexCorrupt as exc:
        message = f"{exc}; keyring accounts are skipped"
        if warn is not None:
            warn(message)
        broken = KeyringSource({})  # no accounts, but the problem travels to global_warnings
        broken.error = message
        return broken
    return KeyringSource(active, warn=warn) if active else None


def load_inputs(home: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None) -> Inputs:
    """The resolver's inputs for ``home`` *with* its keyring accounts — what front ends use.

    Keyring problems become a warning in ``resolver.global_warnings`` (so ``--json``
    carries them), not an exception.
    """
    from ..home import hermes_home
    from ..resolver.inputs import Inputs

    env = os.environ if environ is None else environ
    return Inputs.load(home, env, keyring=keyring_source(hermes_home(home, env), warn=None))
