"""``test PROVIDER/ACCOUNT``: probe one stored account through the provider's real resolution.

The account's key replaces the resolved credential; everything else (base URL,
api mode) stays what the agent would use, and the header is re-derived for
that key by the resolver's own rules. The gate still holds: an Anthropic
credential stored under another provider, or an Anthropic OAuth token for a
non-Anthropic host, is refused here exactly as the resolver refuses it.
"""

from __future__ import annotations

from .. import catalog
from ..resolver import endpoints as ep
from ..resolver.model import USED, Candidate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..resolver.model import Resolution
    from ..secret import Secret


class AccountProblem(Exception):
    """The account cannot be tested as asked; the message says why (usage error for the CLI)."""


def load_account_secret(home: str, provider_id: str, account: str, res: Resolution) -> tuple[Secret, str]:
    """(secret, source label) of PROVIDER/ACCOUNT from ``accounts.json`` and its store."""
    from ..store import username
    from ..store.accounts import AccountError, check_account_name
    from ..store.index import IndexCorrupt, load_index

    try:
        check_account_name(account)
        index = load_index(home)
    except (AccountError, IndexCorrupt) as exc:
        raise AccountProblem(str(exc)) from None
    meta = index.get(provider_id, account)
    if meta is None:
        known = sorted(index.providers.get(provider_id).accounts) if provider_id in index.providers else []
        listed = f" (known: {', '.join(known)})" if known else ""
        raise AccountProblem(f"no account {provider_id}/{account}{listed}; "
                             f"`hermes-accounts accounts {provider_id}` lists them")
    if meta.store == "dotenv":
        p = catalog.get(provider_id)
        for c in res.candidates:
            if c.source == f"dotenv:{p.primary_env_var}" and c.secret is not None:
                if meta.fingerprint and c.secret.fingerprint != meta.fingerprint:
                    raise AccountProblem(
                        f"{provider_id}/{account} is recorded as {meta.masked} in .env but "
                        f"{p.primary_env_var} now holds {c.secret.masked}; re-run "
                        f"`hermes-accounts set {provider_id} --account {account}`")
                return c.secret, c.source
        raise AccountProblem(f"{provider_id}/{account} lives in .env, but {p.primary_env_var} "
                             "is not set there")
    from ..store.backends import open_backend
    from ..store.errors import KeyringUnavailable

    user = username(provider_id, account)
    try:
        backend = open_backend(interactive=False)
        try:
            value = backend.get_many([user]).get(user)
        finally:
            backend.close()
    except KeyringUnavailable as exc:
        raise AccountProblem(f"cannot read {user} from the keyring: {exc}") from None
    if value is None:
        raise AccountProblem(f"{user} is in accounts.json but not in the keyring; "
                             f"`hermes-accounts set {provider_id} --account {account}` stores it again")
    return value, f"keyring:{user}"


def use_account(res: Resolution, account: str, secret: Secret, source: str) -> Resolution:
    """Make ``res`` send ``secret`` (in place), with the header the resolver would pick for it."""
    p = catalog.get(res.provider)
    key = secret.reveal()
    host = ep.hostname(res.base_url) or res.provider
    if p.id != "anthropic" and ep.looks_anthropic(key):
        raise AccountProblem(f"{p.id}/{account} holds an Anthropic credential ({secret.masked}); it is "
                             f"never sent to {host}. Store the {p.name} key there")
    if p.id == "anthropic" and not res.native_anthropic and ep.is_oauth_token(key):
        raise AccountProblem(f"anthropic/{account} is an OAuth token; OAuth tokens only serve "
                             f"api.anthropic.com and are not sent to {host}")
    cand = Candidate(source, p.primary_env_var, secret, where="selected with PROVIDER/ACCOUNT")
    cand.set(USED, f"account {account} selected on the command line")
    res.credential = cand
    res.auth_header, res.header_rule = ep.credential_header(p, res.api_mode, res.base_url, key)
    res.oauth = bool(res.native_anthropic and ep.is_oauth_token(key))
    return res
