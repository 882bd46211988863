"""hermes-accounts: the account manager for Hermes Agent.

The public Python API for agents lives in :mod:`hermes_accounts.api`
(``resolve``, ``is_native_anthropic``, ``refresh``, ``client_kwargs``). This
package root stays empty so that ``import hermes_accounts.resolver`` at agent
start imports nothing it does not need.
"""

__version__ = "0.1.0"
