"""Can the real agent read keys from the OS keyring? Only through the hermes-accounts plugin.

Hermes itself reads ``.env``, the shell and ``auth.json``, never the OS keyring.
A key that lives only in the keyring reaches the agent through the
hermes-accounts Hermes plugin (its keyring secret source) — which this version
does not ship yet. Until it is there, nothing may take a key out of ``.env``
on the grounds that the keyring has it: the agent would be left without a key.

``HERMES_ACCOUNTS_AGENT_READS_KEYRING=1`` says the agent gets keyring keys by
other means (for example a Hermes ``secrets:`` command source you wired up).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

OVERRIDE_ENV = "HERMES_ACCOUNTS_AGENT_READS_KEYRING"
NOT_YET = ("Hermes reads keys from the OS keyring only through the hermes-accounts plugin, "
           "which this version does not ship yet")


def agent_reads_keyring(environ: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """(True, how) when the agent can get keyring keys; (False, why not) otherwise."""
    env = os.environ if environ is None else environ
    if (env.get(OVERRIDE_ENV) or "").strip().lower() in ("1", "true", "yes"):
        return True, f"{OVERRIDE_ENV} is set"
    import importlib.util

    if importlib.util.find_spec("hermes_accounts.hermes_plugin") is not None:
        return True, "the hermes-accounts plugin supplies them"
    return False, NOT_YET
