"""Accounts: several named keys per provider, one active, stored in the OS keyring.

Layout (each module small, imported only when needed so the resolver's hot path
never pays for the keyring):

- :mod:`.index` — the non-secret ``$HERMES_HOME/accounts.json`` (what exists,
  fingerprints, the active account). Keyrings cannot list their entries, so
  this file is the table of contents; it never holds a key.
- :mod:`.backends` — talking to the OS keyring: Secret Service directly over one
  D-Bus connection on Linux, Python ``keyring`` elsewhere, an in-memory one for
  unit tests. Every call runs with a deadline and fails with a diagnosis.
- :mod:`.accounts` — the operations (set, remove, activate, rename, list with
  drift checks, import) that keep index and keyring consistent.
- :mod:`.source` — the resolver's ``keyring=`` callable (active account per
  provider, fetched in one batch).
- :mod:`.validate`, :mod:`.atomic` — key checks; atomic 0600 writes of the index.
  The explicit ``--store dotenv`` opt-in writes ``.env`` through the files layer.
"""

SERVICE = "hermes-accounts"
DEFAULT_ACCOUNT = "default"


def username(provider: str, account: str) -> str:
    """The keyring username for an account: ``PROVIDER/ACCOUNT``."""
    return f"{provider}/{account}"
