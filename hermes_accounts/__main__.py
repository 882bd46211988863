"""``python -m hermes_accounts`` — same as the ``hermes-accounts`` command."""

from hermes_accounts.cli import main

raise SystemExit(main())
