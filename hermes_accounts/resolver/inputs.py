"""Everything the resolver reads, loaded once: env, ``.env``, config, ``auth.json``.

The resolver itself is pure (inputs → :class:`Resolution`); this module gathers
the inputs. Anthropic token discovery (Claude Code's credentials file, Hermes'
PKCE file) is *not* read here: :meth:`Inputs.anthropic_discovery` reads it on
demand, and only the gated native-Anthropic path calls it.
"""

from __future__ import annotations

import os

from .. import catalog
from ..home import hermes_home
from ..secret import Secret
from ..sources.auth_json import AuthSnapshot, read_auth_json
from ..sources.claude_code import OAuthFile, read_oauth_file
from ..sources.config_yaml import ConfigSnapshot, read_config
from ..sources.dotenv_file import CREDENTIAL_SUFFIXES, DotenvSnapshot, read_dotenv

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

# Variables Hermes splits concatenated lines on, beyond the catalog's own.
_EXTRA_KNOWN = ("ANTHROPIC_TOKEN", "OPENAI_BASE_URL", "HERMES_INFERENCE_PROVIDER",
                "CUSTOM_BASE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


_KNOWN: frozenset[str] | None = None


def known_env_keys() -> frozenset[str]:
    """Variable names Hermes splits concatenated ``.env`` lines on (computed once)."""
    global _KNOWN
    if _KNOWN is None:
        names: set[str] = set(_EXTRA_KNOWN)
        for p in catalog.PROVIDERS:
            names.update(p.key_env_vars)
            if p.base_url_env:
                names.add(p.base_url_env)
        _KNOWN = frozenset(names)
    return _KNOWN


class EnvValue:
    """One variable as Hermes sees it: the ``.env`` line, the shell, and the winner."""

    __slots__ = ("dotenv", "dotenv_dotenv", "dotenv_line", "effective", "name", "shell")

    def __init__(self, name: str, dotenv: str | None, dotenv_line: int | None,
                 dotenv_dotenv: str | None, shell: str | None) -> None:
        self.name = name
        self.dotenv = dotenv              # Hermes' line parser (credential lookups)
        self.dotenv_line = dotenv_line
        self.dotenv_dotenv = dotenv_dotenv  # python-dotenv's value (os.environ overlay)
        self.shell = shell
        # get_env_value_prefer_dotenv: .env value if non-empty, else os.environ
        # (which load_dotenv(override=True) already overwrote, even with "").
        overlay = dotenv_dotenv if dotenv_dotenv is not None else shell
        self.effective = (dotenv or "").strip() or (overlay or "").strip()


class Inputs:
    """A snapshot of every source, so that resolving 40 providers reads each file once."""

    def __init__(self, home: str, environ: Mapping[str, str], dotenv: DotenvSnapshot,
                 config: ConfigSnapshot, *,
                 keyring: Callable[[str], list[tuple[str, Secret]]] | None = None) -> None:
        self.home = home
        self.environ = environ
        self.dotenv = dotenv
        self.config = config
        self.keyring = keyring
        self._auth: AuthSnapshot | None = None
        self._discovery: tuple[OAuthFile | None, OAuthFile | None] | None = None
        self.discovery_reads = 0  # how often token discovery touched the disk (tests)

    @classmethod
    def load(cls, home: str | os.PathLike[str] | None = None,
             environ: Mapping[str, str] | None = None, **kw: object) -> Inputs:
        env = dict(os.environ if environ is None else environ)
        root = hermes_home(home, env)
        dotenv = read_dotenv(os.path.join(root, ".env"), env, known_env_keys())
        config = read_config(os.path.join(root, "config.yaml"))
        # The keyring source (``keyring=``) is injected by the callers that want it
        # (``store.source.load_inputs``): the resolver layer does not depend on the store.
        return cls(root, env, dotenv, config, **kw)  # type: ignore[arg-type]

    # -- sources ---------------------------------------------------------------
    @property
    def auth(self) -> AuthSnapshot:
        if self._auth is None:
            self._auth = read_auth_json(os.path.join(self.home, "auth.json"))
        return self._auth

    def env(self, name: str) -> EnvValue:
        d = self.dotenv
        return EnvValue(name, d.hermes_values.get(name), d.line_of.get(name),
                        d.values.get(name) if name in d.values else None,
                        self.environ.get(name))

    @property
    def claude_path(self) -> str:
        """Where Hermes looks for Claude Code's login: ``$HOME/.claude/.credentials.json``."""
        home = self.environ.get("HOME") or os.path.expanduser("~")
        return os.path.join(home, ".claude", ".credentials.json")

    def anthropic_discovery(self) -> tuple[OAuthFile | None, OAuthFile | None]:
        """Claude Code's credentials and Hermes' own PKCE file. Gated: native Anthropic only."""
        if self._discovery is None:
            self.discovery_reads += 1
            # Hermes 0.19 reads Path.home()/.claude only; it ignores CLAUDE_CONFIG_DIR.
            claude = read_oauth_file(self.claude_path, nested_key="claudeAiOauth")
            pkce = read_oauth_file(os.path.join(self.home, ".anthropic_oauth.json"), nested_key=None)
            self._discovery = (claude, pkce)
        return self._discovery

    @property
    def configured_provider(self) -> str | None:
        """``model.provider`` (alias-normalised), else ``HERMES_INFERENCE_PROVIDER``."""
        raw = self.config.provider or self.env("HERMES_INFERENCE_PROVIDER").effective.lower()
        if not raw or raw == "auto":
            return None
        if raw.startswith("custom:"):
            return "custom"
        p = catalog.lookup(raw)
        return p.id if p else raw


def strip_non_ascii(name: str, value: str) -> tuple[str, bool]:
    """Hermes strips non-ASCII from credential-named variables (#6843)."""
    if value.isascii() or not name.endswith(CREDENTIAL_SUFFIXES):
        return value, False
    return value.encode("ascii", "ignore").decode("ascii"), True
