"""Writing Hermes' own files — ``$HERMES_HOME/.env`` and ``config.yaml`` — without losing anything.

Users edit these files by hand, and Hermes reads them on every start, so every
write here follows the same rules:

- :mod:`.atomic` — read a file once (bytes, hash, mode, real path behind a
  symlink), back it up, and replace it atomically (temp file in the same
  directory, fsync, rename, fsync the directory). A write refuses when the file
  changed since it was read; a group of writes is undone if one fails.
- :mod:`.lock` — one cross-process lock, ``$HERMES_HOME/.hermes-accounts.lock``,
  so two hermes-accounts writers (two TUIs, a TUI and a CLI) never interleave.
- :mod:`.dotenv_edit` — a line-preserving ``.env`` editor on top of the
  python-dotenv grammar port: every statement keeps its exact bytes unless an
  edit targets it.
- :mod:`.dotenv_clean` — the rules of a clean ``.env`` (keys now in the keyring,
  ``ANTHROPIC_AUTH_TOKEN``, MiniMax ``/v1`` URLs, duplicates, empty ``KEY=``).
- :mod:`.config_edit` — round-trip edits of ``config.yaml`` (ruamel.yaml), only
  of the keys this tool owns, verified against PyYAML (what Hermes reads with).
- :mod:`.diffview` — unified diffs with every secret masked.
- :mod:`.plan` — the whole transaction: plan, show, lock, re-check, write.
- :mod:`.clean` — the one call the keyring ``import`` makes after verifying.

Nothing here is imported by the resolver's hot path.
"""
