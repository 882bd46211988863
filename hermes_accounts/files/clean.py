"""The one call ``import`` makes once keys are verified in the keyring: take them out of ``.env``.

Only the keyring rule runs here (no other cleaning the user did not ask for):
a ``.env`` line goes only when its value's fingerprint equals the *active*
keyring account of its provider and the keyring confirms it holds that key;
a comment says where the key lives now. Same transaction as ``write``: lock,
backup, atomic replace, re-plan if the file changed meanwhile.
"""

from __future__ import annotations

from .plan import AUTO, Plan, plan_write, run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping


def remove_keys_now_in_keyring(home: str, providers: Iterable[str] | None = None, *,
                               environ: Mapping[str, str] | None = None,
                               verify: Callable[[str, str], str | None] | str | None = AUTO,
                               dry_run: bool = False) -> Plan:
    """Remove from ``$HERMES_HOME/.env`` the keys now held by active keyring accounts.

    ``providers`` limits it to those provider ids (e.g. the ones just imported).
    Returns the plan (``.fixes`` names each removed line, ``.files[0].backup``
    the backup). Raises :class:`~.plan.PlanError` with a one-line message if the
    file cannot be read or written; the file is then untouched.
    """
    from .. import catalog

    only = frozenset(catalog.get(p).id for p in providers) if providers is not None else None
    return run(home, lambda: plan_write(home, environ, verify_keyring=verify, only_keyring=True,
                                        providers=only, touch_config=False),
               dry_run=dry_run)
