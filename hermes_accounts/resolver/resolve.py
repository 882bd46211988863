"""The gated resolver: which credential an endpoint really uses, and why the others lost.

Order of candidates follows Hermes 0.19 (hermes-compat.md §3.3): ``auth.json``
pool rows by priority (a manual ``hermes auth add`` key keeps its place ahead of
newer env keys), then each key variable in registry order, each read from
``$HERMES_HOME/.env`` before the shell; the keyring (supplied to the agent by the
hermes-accounts plugin) comes last. For native Anthropic the pool ranks
``ANTHROPIC_TOKEN``, ``CLAUDE_CODE_OAUTH_TOKEN``, Hermes' PKCE login and Claude
Code's credentials ahead of ``ANTHROPIC_API_KEY``.

The gate: Anthropic token discovery is consulted only for provider
``anthropic`` on an ``anthropic.com`` host. Every other endpoint keeps its own
key in its own header, and resolves to "no credential" rather than a borrowed one.
"""

from __future__ import annotations

import os

from .. import catalog
from ..catalog.model import (
    ANTHROPIC,
    API_KEY,
    AWS_SDK,
    CHAT,
    EXTERNAL_PROCESS,
    H_BEARER,
    H_X_API_KEY,
    RESPONSES,
)
from ..home import claude_credentials_path
from ..secret import Secret
from . import endpoints as ep
from .inputs import Inputs, strip_non_ascii
from .model import EMPTY, REJECTED, SHADOWED, USED, Candidate, Resolution

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..catalog.model import Provider

# hermes_cli/auth.py _PLACEHOLDER_SECRET_VALUES
PLACEHOLDERS = frozenset({"*", "**", "***", "changeme", "your_api_key", "your_api_key_here",
                          "your-api-key", "placeholder", "example", "dummy", "null", "none"})
ANTHROPIC_DISCOVERY_VARS = ("ANTHROPIC_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN")
GATE_REASON = "Anthropic OAuth tokens only serve api.anthropic.com"
EXPIRED = "expired and has no refresh token"
KIMI_CODE_URL = "https://api.kimi.com/coding"
# hermes_cli.runtime_provider._VALID_API_MODES (0.19: no "responses" alias).
VALID_API_MODES = frozenset({"chat_completions", "codex_responses", "anthropic_messages",
                             "bedrock_converse", "codex_app_server"})


def lmstudio_url(url: str) -> str:
    """Hermes' ``_normalize_lmstudio_runtime_base_url``: whatever was pasted → ``…/v1``."""
    root = (url or "").strip().rstrip("/")
    for suffix in ("/api/v1", "/api", "/v1"):
        if root.endswith(suffix):
            root = root[: -len(suffix)].rstrip("/")
            break
    return (root or "http://127.0.0.1:1234") + "/v1"


def host_vendor_var(url: str) -> str | None:
    """Hermes' ``_host_derived_api_key`` name: ``api.deepseek.com`` → ``DEEPSEEK_API_KEY``."""
    host = ep.hostname(url)
    if not host or host == "localhost" or ":" in host or any(c.isdigit() for c in host.split(".")[-1]):
        return None
    labels = [lbl for lbl in host.split(".") if lbl]
    while labels and labels[0] in ("api", "www"):
        labels.pop(0)
    if len(labels) < 2:
        return None
    vendor = "".join(ch if ch.isalnum() else "_" for ch in labels[-2]).upper()
    if not vendor or not vendor[0].isalpha() or vendor in ("OPENAI", "OPENROUTER", "OLLAMA"):
        return None
    return f"{vendor}_API_KEY"


def parse_api_mode(raw: str | None) -> str | None:
    """Hermes' ``_parse_api_mode``: a known mode (case-insensitive), else None."""
    mode = (raw or "").strip().lower()
    return mode if mode in VALID_API_MODES else None


def unusable_reason(value: str) -> tuple[str, str] | None:
    """(status, reason) when Hermes' ``has_usable_secret`` would skip the value."""
    cleaned = value.strip()
    if not cleaned:
        return EMPTY, "empty value"
    if cleaned.lower() in PLACEHOLDERS:
        return REJECTED, "placeholder value"
    if len(cleaned) < 4:
        return REJECTED, "too short (under 4 characters)"
    return None


# ---------------------------------------------------------------------------
# public entry points
# ---------------------------------------------------------------------------

def resolve(provider: str, inputs: Inputs, *, base_url: str | None = None) -> Resolution:
    """Resolve one provider (id or alias). Raises :class:`catalog.UnknownProvider`."""
    return _Resolver(catalog.get(provider), inputs, base_url).run()


def resolve_all(inputs: Inputs) -> list[Resolution]:
    """Every catalog provider, in registry order, from one snapshot of the sources."""
    return [_Resolver(p, inputs, None).run() for p in catalog.PROVIDERS]


def global_warnings(inputs: Inputs) -> list[str]:
    """Problems with the files themselves (shown once, not per provider)."""
    out = list(inputs.dotenv.warnings)
    if inputs.dotenv.error:
        out.append(inputs.dotenv.error)
    if inputs.config.error:
        out.append(inputs.config.error)
    if inputs.auth.error:
        out.append(inputs.auth.error)
    keyring_error = getattr(inputs.keyring, "error", None)
    if keyring_error:
        out.append(keyring_error)
    return out


# ---------------------------------------------------------------------------

class _Resolver:
    def __init__(self, provider: Provider, inputs: Inputs, base_url: str | None) -> None:
        self.p = provider
        self.inputs = inputs
        self.explicit_url = (base_url or "").strip().rstrip("/") or None
        self.res = Resolution(provider.id, provider.name)
        configured = inputs.configured_provider
        self.same = configured == provider.id
        self.res.active = self.same
        # Hermes 0.19 honours model.base_url / model.api_mode only when model.provider
        # is literally this id (``cfg_provider == provider``): an alias such as
        # ``kimi`` selects kimi-coding but its base_url/api_mode are ignored.
        # ``custom`` accepts its aliases (``_config_base_url_trustworthy_for_bare_custom``).
        raw = inputs.config.provider
        self.raw_same = raw == provider.id or (provider.id == "custom" and self.same)
        self.cfg = inputs.config.model if self.raw_same else {}
        if self.same and not self.raw_same and (inputs.config.model.get("base_url")
                                                or inputs.config.model.get("api_mode")):
            self.res.warnings.append(
                f"model.provider is the alias {raw!r}: Hermes 0.19 then ignores model.base_url and "
                f"model.api_mode (it compares them with the id {provider.id!r}). "
                f"Write `provider: {provider.id}` in config.yaml")
        self._weak: dict[int, str] = {}       # id(candidate) -> why Hermes' check would skip it
        self._entry_of: dict[int, object] = {}  # id(candidate) -> its auth.json pool row
        self._pool_path = True                # False: Hermes' direct lookup found the key
        self._direct: dict[int, str] = {}     # id(candidate) -> why the direct lookup reads it
        self._blocker: Candidate | None = None  # a placeholder Hermes sends, blocking the rest
        self._stale: set[int] = set()         # expired OAuth logins Hermes still sends

    # -- driver ---------------------------------------------------------------
    def run(self) -> Resolution:
        p, res = self.p, self.res
        self._base_url()
        res.native_anthropic = ep.is_native_anthropic(p.id, res.base_url)
        pooled = p.auth_type == API_KEY and p.id not in ("anthropic", "custom", "azure-foundry")
        if p.id == "anthropic":
            self._anthropic_candidates()
        elif p.id == "custom":
            self._custom_candidates()
        elif pooled:
            self._api_key_candidates()
        elif p.auth_type == API_KEY:
            self._legacy_api_key_candidates()
        elif p.auth_type == AWS_SDK:
            self._aws_candidates()
        elif p.auth_type == EXTERNAL_PROCESS:
            res.warnings.append(f"{p.name} runs an external process that owns its own login")
        else:
            self._oauth_candidates()
        if p.id == "anthropic":
            self._gate_pool_row_urls()
        self._pick()
        if pooled:
            self._pooled_base_url()
        elif p.id == "anthropic":
            self._anthropic_final_url()
        self._kimi_redirect()
        self._api_mode()
        self._header()
        self._notes()
        self._weak_notes()
        res.warnings = list(dict.fromkeys(res.warnings))
        return res

    # -- base URL ---------------------------------------------------------------
    def _base_url(self) -> None:
        p, res = self.p, self.res
        env_url = ""
        env_src = ""
        if p.base_url_env:
            v = self.inputs.env(p.base_url_env)
            env_url = v.effective.rstrip("/")
            if env_url:
                env_src = (f"dotenv:{p.base_url_env}" if (v.dotenv or "").strip()
                           else f"env:{p.base_url_env}")
        cfg_url = (self.cfg.get("base_url") or "").strip().rstrip("/")
        if p.id == "anthropic" and cfg_url and not ep.anthropic_url_override_ok(cfg_url):
            res.warnings.append(
                f"model.base_url ({cfg_url}) is ignored: Hermes 0.19 accepts only Anthropic, Azure "
                "or …/anthropic URLs for provider anthropic and falls back to https://api.anthropic.com")
            cfg_url = ""
        if self.explicit_url:
            res.base_url, res.base_url_source = self.explicit_url, "--base-url"
        elif p.id == "custom":
            custom_env = self.inputs.env("CUSTOM_BASE_URL").effective.rstrip("/")
            or_env = self.inputs.env("OPENROUTER_BASE_URL").effective.rstrip("/")
            if custom_env:
                res.base_url, res.base_url_source = custom_env, "CUSTOM_BASE_URL"
                if cfg_url and cfg_url != custom_env:
                    res.warnings.append(f"model.base_url ({cfg_url}) is ignored: CUSTOM_BASE_URL "
                                        f"({custom_env}) wins in Hermes 0.19")
            elif cfg_url:
                res.base_url, res.base_url_source = cfg_url, "config.yaml model.base_url"
            else:
                res.base_url = or_env or "https://openrouter.ai/api/v1"
                res.base_url_source = "OPENROUTER_BASE_URL" if or_env else "OpenRouter (fallback)"
                res.warnings.append(
                    f"custom provider without a base URL: Hermes 0.19 falls back to {res.base_url} "
                    "with your OpenRouter/OpenAI key. Set model.base_url "
                    "(`hermes-accounts use custom --base-url URL`)")
        elif p.id in ("anthropic", "azure-foundry") and cfg_url:
            # Hermes: for these the config URL beats the env override.
            res.base_url, res.base_url_source = cfg_url, "config.yaml model.base_url"
            if env_url and env_url != cfg_url:
                res.warnings.append(f"{p.base_url_env} ({env_url}) is ignored: "
                                    f"model.base_url in config.yaml wins for {p.id}")
        elif env_url:
            res.base_url, res.base_url_source = env_url, env_src
        elif cfg_url:
            res.base_url, res.base_url_source = cfg_url, "config.yaml model.base_url"
        else:
            res.base_url = p.default_url
        if p.id == "lmstudio":
            res.base_url = lmstudio_url(res.base_url)

    # -- candidate builders ---------------------------------------------------
    def _env_candidates(self, var: str, *, pool_id: str | None = None,
                        why: str = "") -> list[Candidate]:
        """``dotenv:VAR`` then ``env:VAR``, with the shell shadowed the way Hermes does it."""
        v = self.inputs.env(var)
        out: list[Candidate] = []
        dot = None
        suffix = f" (auth.json pool entry {pool_id})" if pool_id else ""
        if v.dotenv is not None:
            where = self.inputs.dotenv.where(var)
            dot = Candidate(f"dotenv:{var}", var, self._secret(var, v.dotenv, where, from_dotenv=True),
                            where=where, discovery=var in ANTHROPIC_DISCOVERY_VARS)
            if not v.dotenv.strip():
                dot.set(EMPTY, "empty value")
            out.append(dot)
            if (v.dotenv_dotenv or "").strip() and v.dotenv_dotenv.strip() != v.dotenv.strip():
                self.res.warnings.append(
                    f"{where}: python-dotenv and Hermes' key lookup read {var} differently "
                    f"(an inline comment, quotes or ${{}} expansion); Hermes sends the raw text "
                    f"{Secret(v.dotenv.strip()).masked!s}. Write the bare value.")
        if v.shell is not None:
            shell = Candidate(f"env:{var}", var, self._secret(var, v.shell, f"${var}"),
                              where="process environment",
                              discovery=var in ANTHROPIC_DISCOVERY_VARS)
            if dot is not None and dot.status != EMPTY:
                shell.set(SHADOWED, f"overridden by {dot.where} (Hermes loads .env with "
                                    "override=True, so .env beats the shell)")
                if v.shell.strip() and v.shell.strip() != v.dotenv.strip():
                    self.res.warnings.append(
                        f"the shell exports {var}={Secret(v.shell.strip()).masked} but {dot.where} "
                        f"sets {Secret(v.dotenv.strip()).masked}; Hermes uses the .env value")
            elif dot is not None and v.shell.strip():
                shell.set(SHADOWED, f"blanked by the empty {var}= line at {dot.where} "
                                    "(Hermes loads .env with override=True)")
                self.res.warnings.append(
                    f"{dot.where}: the empty line {var}= blanks the key exported in the shell; "
                    "delete the line to use the shell value")
            elif not v.shell.strip():
                shell.set(EMPTY, "empty value")
            out.append(shell)
        for c in out:
            if why and c.status == SHADOWED and not c.reason:
                c.reason = why
            c.where = c.where if not suffix else f"{c.where}{suffix}"
        return out

    def _secret(self, var: str, raw: str, where: str, *, from_dotenv: bool = False) -> Secret:
        """The value Hermes sends. Non-ASCII is stripped only from ``os.environ``.

        Hermes 0.19 strips non-ASCII from credential variables in ``os.environ``
        (#6843), but its key lookups read ``.env`` itself first, so a ``.env``
        value keeps the stray characters and the request then fails to encode.
        """
        value = raw.strip()
        if value.isascii():
            return Secret(value)
        if from_dotenv:
            self.res.warnings.append(
                f"{where}: {var} contains non-ASCII characters (usually a key pasted from a PDF "
                "or web page). Hermes 0.19 reads the .env value as it is and the request fails "
                "(an HTTP header cannot carry them) — re-copy the key")
            return Secret(value)
        if not self.inputs.dotenv.exists:
            # The stripping pass runs only as part of loading $HERMES_HOME/.env.
            self.res.warnings.append(
                f"{where}: {var} contains non-ASCII characters (usually a key pasted from a PDF or "
                "web page). Without a .env file Hermes 0.19 never strips them and the request "
                "fails — re-copy the key")
            return Secret(value)
        value, stripped = strip_non_ascii(var, value)
        if stripped:
            self.res.warnings.append(
                f"{where}: {var} contains non-ASCII characters; Hermes strips them before "
                "sending (usually a key pasted from a PDF or web page — re-copy it)")
        return Secret(value)

    def _pool_candidates(self, provider_id: str, *, oauth_only: bool = False
                         ) -> tuple[list[Candidate], set[str]]:
        """auth.json rows by priority; env-backed rows are hydrated from the live env.

        Of several rows for the same ``env:VAR`` Hermes keeps the first in the file
        (``_upsert_entry`` drops the others on load).
        """
        out: list[Candidate] = []
        env_seen: set[str] = set()
        first: dict[str, object] = {}
        for entry in self.inputs.auth.pool.get(provider_id, ()):
            if entry.env_var:
                first.setdefault(entry.source, entry)
        for entry in self.inputs.auth.entries(provider_id):
            if oauth_only and entry.auth_type != "oauth":
                continue
            if entry.env_var:
                if first.get(entry.source) is not entry:
                    continue
                env_seen.add(entry.env_var)
                cands = self._env_candidates(entry.env_var, pool_id=entry.id)
            elif entry.token:
                c = Candidate(f"auth.json:{entry.id}", None, Secret(entry.token),
                              where=f"{self.inputs.auth.path} ({entry.source or 'pool'}"
                                    f"{', ' + entry.label if entry.label else ''})",
                              discovery=entry.auth_type == "oauth")
                cands = [c]
            else:
                continue
            for c in cands:
                self._entry_of[id(c)] = entry
                self._apply_pool_status(c, entry)
            out.extend(cands)
        return out, env_seen

    def _apply_pool_status(self, c: Candidate, entry: object) -> None:
        status = getattr(entry, "status", "ok")
        if c.status in (EMPTY, REJECTED):
            return
        if status == "dead":
            c.set(REJECTED, f"auth.json marks this credential dead ({entry.error_reason or 'auth failure'}); "  # type: ignore[attr-defined]
                            "Hermes skips it until `hermes auth reset`")
            return
        until = entry.cooling_until()  # type: ignore[attr-defined]
        if until is not None:
            import time

            mins = max(1, int((until - time.time()) / 60))
            c.set(REJECTED, f"cooling down in auth.json after HTTP {entry.error_code} "  # type: ignore[attr-defined]
                            f"(about {mins} min left); `hermes auth reset {entry.provider}` clears it")  # type: ignore[attr-defined]

    def _suppress(self, cands: list[Candidate], provider_id: str) -> None:
        suppressed = self.inputs.auth.suppressed.get(provider_id, set())
        for c in cands:
            if c.env_var and f"env:{c.env_var}" in suppressed and c.status not in (EMPTY,):
                c.set(REJECTED, f"suppressed: `hermes auth remove {provider_id}` removed env:{c.env_var}")

    def _keyring_candidates(self) -> list[Candidate]:
        if self.inputs.keyring is None:
            return []
        out = []
        for account, secret in self.inputs.keyring(self.p.id):
            out.append(Candidate(f"keyring:{self.p.id}/{account}", self.p.primary_env_var,
                                 secret, where="OS keyring"))
        return out

    def _legacy_api_key_candidates(self) -> None:
        """Providers Hermes resolves outside its credential pool (azure-foundry)."""
        p, res = self.p, self.res
        ordered: list[Candidate] = []
        key_env = (self.cfg.get("key_env") or self.cfg.get("api_key_env") or "").strip()
        if key_env:
            ordered.extend(self._env_candidates(key_env))
        pool, env_seen = self._pool_candidates(p.id)
        ordered.extend(pool)
        for var in p.key_env_vars:
            if var not in env_seen and var != key_env:
                ordered.extend(self._env_candidates(var))
        self._suppress(ordered, p.id)
        ordered.extend(self._keyring_candidates())
        for c in ordered:
            self._screen(c)
        res.candidates = ordered

    def _uses_pool(self) -> bool:
        """OpenRouter skips the pool when a custom endpoint is configured (runtime_provider)."""
        if self.p.id != "openrouter":
            return True
        custom = any(self.inputs.env(v).effective for v in ("OPENAI_BASE_URL", "OPENROUTER_BASE_URL"))
        model = self.inputs.config.model
        if (model.get("base_url") or "").strip() and self.inputs.config.provider in ("auto", "custom"):
            custom = True
        return not custom and not self.explicit_url

    def _api_key_candidates(self) -> None:
        """Hermes 0.19's order for an API-key provider (``resolve_runtime_provider``).

        1. The credential pool (``load_pool``): ``auth.json`` rows by priority, env rows
           hydrated from ``.env``-then-shell, key variables not yet in ``auth.json``
           appended in registry order. Dead rows, rows cooling down, suppressed and
           empty ones are skipped — but placeholders and short values are *not*
           (``_seed_from_env`` seeds any non-empty value), so Hermes sends them.
        2. Only when nothing in the pool is available: a direct lookup of each key
           variable (``resolve_api_key_provider_credentials``), which does skip
           placeholders but ignores suppression and cooldowns.
        """
        p, res, auth = self.p, self.res, self.inputs.auth
        suppressed = auth.suppressed.get(p.id, set())
        seed_vars = ("OPENROUTER_API_KEY",) if p.id == "openrouter" else p.key_env_vars
        pool: list[Candidate] = []
        if self._uses_pool():
            pool, persisted = self._pool_candidates(p.id)
            for var in seed_vars:
                if var not in persisted:
                    pool.extend(self._env_candidates(var))
            for c in pool:
                if c.env_var and f"env:{c.env_var}" in suppressed and c.status != EMPTY:
                    c.set(REJECTED, f"suppressed: `hermes auth remove {p.id}` removed "
                                    f"env:{c.env_var} from Hermes' credential pool")
                self._screen(c, pool=True)
        ordered = pool
        if not any(self._usable(c) for c in pool):
            self._pool_path = False
            direct_vars = (("OPENROUTER_API_KEY", "OPENAI_API_KEY") if p.id == "openrouter"
                           else p.key_env_vars)
            why = ("Hermes' direct key lookup (its credential pool had nothing available); "
                   "it skips placeholders but ignores `hermes auth remove` and pool cooldowns")
            for var in direct_vars:
                for c in self._env_candidates(var):
                    self._screen(c)
                    self._direct[id(c)] = why
                    ordered.append(c)
        ordered.extend(self._keyring_candidates())
        for c in ordered[len(pool):]:
            if c.source.startswith("keyring:"):
                self._screen(c)
        res.candidates = ordered

    @staticmethod
    def _usable(c: Candidate) -> bool:
        return c.secret is not None and c.status not in (EMPTY, REJECTED) and not (
            c.status == SHADOWED and c.reason)

    # -- the base URL of a pooled provider, once the winner is known ------------------
    def _pooled_base_url(self) -> None:
        """``_resolve_runtime_from_pool_entry`` or ``resolve_api_key_provider_credentials``."""
        p, res = self.p, self.res
        if self.explicit_url:
            return
        default = p.default_url.rstrip("/")
        env_url, env_src = "", ""
        if p.base_url_env:
            v = self.inputs.env(p.base_url_env)
            env_url = v.effective.rstrip("/")
            env_src = f"dotenv:{p.base_url_env}" if (v.dotenv or "").strip() else f"env:{p.base_url_env}"
        cfg_url = (self.cfg.get("base_url") or "").strip().rstrip("/")
        win = res.credential or self._blocker  # a placeholder Hermes sends also picks the URL
        key = win.secret.reveal() if win and win.secret else ""
        entry = self._entry_of.get(id(win)) if win else None
        if p.id == "openrouter":
            custom = self.inputs.env("CUSTOM_BASE_URL").effective.rstrip("/")
            if win is not None and self._pool_path:
                url, src = default, "default"
            elif custom:
                url, src = custom, "CUSTOM_BASE_URL"
            elif env_url:
                url, src = env_url, env_src
            else:
                url, src = default, "default"
            res.base_url, res.base_url_source = url, src
            return
        if win is not None and self._pool_path and entry is not None and not entry.env_var:
            url, src = entry.base_url, f"auth.json pool entry {entry.id}"
            if not url:
                res.warnings.append(
                    f"the auth.json pool entry {entry.id} has no base_url: Hermes 0.19 then sends "
                    f"{p.name} requests with an empty base URL (the SDK's default host). Re-add it "
                    f"with `hermes auth add {p.id}`")
        elif win is not None and self._pool_path:
            url, src = (env_url, env_src) if env_url else (default, "default")
            if p.id == "kimi-coding" and not env_url and key.startswith("sk-kimi-"):
                url, src = KIMI_CODE_URL, "sk-kimi- key (Kimi Code)"
            elif p.id == "zai" and not env_url:
                url, src = self._zai_cached(key) or (url, src)
        else:
            url, src = (env_url, env_src) if env_url else (default, "default")
            if p.id in ("kimi-coding", "kimi-coding-cn") and not env_url and key.startswith("sk-kimi-"):
                url, src = KIMI_CODE_URL, "sk-kimi- key (Kimi Code)"
            elif p.id == "zai" and not env_url:
                url, src = self._zai_cached(key) or (url, src)
        pool_win = win is not None and self._pool_path
        if cfg_url and (not pool_win or url.rstrip("/") == default):
            url, src = cfg_url, "config.yaml model.base_url"
        elif cfg_url and cfg_url != url:
            res.warnings.append(
                f"model.base_url ({cfg_url}) is ignored: Hermes uses the pool entry's URL "
                f"{url} ({src}) unless that is the default. Unset {p.base_url_env or 'it'} or "
                f"run `hermes-accounts use {p.id} --base-url URL`")
        if p.id == "lmstudio":
            url = lmstudio_url(url)
        res.base_url, res.base_url_source = url, src

    def _zai_cached(self, key: str) -> tuple[str, str] | None:
        """The endpoint Hermes detected for this Z.AI key earlier (``auth.json``), if any."""
        state = self.inputs.auth.providers.get("zai") or {}
        cached = state.get("detected_endpoint")
        if key and isinstance(cached, dict) and cached.get("base_url"):
            import hashlib

            if cached.get("key_hash") == hashlib.sha256(key.encode()).hexdigest()[:16]:
                return str(cached["base_url"]).rstrip("/"), "auth.json zai detected_endpoint"
        return None

    def _screen(self, c: Candidate, *, pool: bool = False) -> None:
        """Skip what Hermes skips, and what the gate forbids, before picking.

        ``pool``: the candidate sits in Hermes' credential pool, which does not
        screen placeholders or short values — Hermes sends them — so they stay
        usable here too and :meth:`_weak_notes` warns if one wins.
        """
        if c.status in (EMPTY, REJECTED) or c.secret is None:
            return
        value = c.secret.reveal()
        bad = unusable_reason(value)
        if bad and (bad[0] == EMPTY or not pool):
            c.set(*bad)
            return
        if bad:
            self._weak[id(c)] = bad[1]
        p = self.p
        if p.required_prefix and not value.startswith(p.required_prefix):
            # The catalog's prefix is a hint: Hermes 0.19 has no such check and sends it.
            self._weak.setdefault(id(c), f"not an {p.name} key (those start with "
                                         f"{p.required_prefix})")
        if p.id != "anthropic" and ep.looks_anthropic(value):
            host = ep.hostname(self.res.base_url) or p.id
            c.set(REJECTED, f"an Anthropic credential stored for {p.id}: never sent to {host} "
                            "(it belongs to api.anthropic.com)")
            self.res.warnings.append(
                f"{c.where}: {c.env_var or c.source} holds an Anthropic token/key "
                f"({c.secret.masked}); {p.name} would answer 401. Store the {p.name} key there")

    def _os_value(self, var: str) -> str:
        """``os.getenv(var)`` after Hermes loaded ``.env`` (python-dotenv, override=True)."""
        v = self.inputs.env(var)
        raw = (v.dotenv_dotenv if v.dotenv_dotenv is not None else v.shell) or ""
        return strip_non_ascii(var, raw.strip())[0] if self.inputs.dotenv.exists else raw.strip()

    def _anthropic_explicit(self) -> bool:
        """``is_provider_explicitly_configured("anthropic")`` (the PR #4210 gate on Claude Code)."""
        return (self.inputs.auth.active_provider or "").strip().lower() == "anthropic" or \
            self.inputs.config.provider == "anthropic" or any(
                unusable_reason(self._os_value(v)) is None
                for v in ("ANTHROPIC_API_KEY", "ANTHROPIC_TOKEN"))

    def _anthropic_candidates(self) -> None:
        """Hermes 0.19's native-Anthropic order, behind our gate.

        Pool (``load_pool("anthropic")``, priorities normalised): manual rows,
        ``ANTHROPIC_TOKEN``, ``CLAUDE_CODE_OAUTH_TOKEN``, Hermes' PKCE login, Claude
        Code's login (both only when anthropic is explicitly configured, and pruned
        when only ``ANTHROPIC_API_KEY`` is set), ``ANTHROPIC_API_KEY``. If nothing
        there is available, ``resolve_anthropic_token()`` reads the same variables
        and Claude Code's file directly — without the explicit-configuration check.
        """
        res, inputs = self.res, self.inputs
        native = res.native_anthropic
        host = ep.hostname(res.base_url)
        manual, env_seen = self._pool_candidates("anthropic")
        manual_rows = [c for c in manual if c.source.startswith("auth.json:")]
        env_by_var: dict[str, list[Candidate]] = {}
        for var in ("ANTHROPIC_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY"):
            if var in env_seen:
                env_by_var[var] = [c for c in manual if c.env_var == var]
            else:
                env_by_var[var] = self._env_candidates(var)
        api_key_set = bool(inputs.env("ANTHROPIC_API_KEY").effective)
        oauth_env_set = any(inputs.env(v).effective for v in ANTHROPIC_DISCOVERY_VARS)
        explicit = self._anthropic_explicit()
        files: list[Candidate] = []
        found: list[tuple[str, object]] = []
        if native:
            claude, pkce = inputs.anthropic_discovery()
            moved = claude_credentials_path(inputs.environ)
            if moved != inputs.claude_path and os.path.exists(moved):
                res.warnings.append(
                    f"Claude Code's login is at {moved} (CLAUDE_CONFIG_DIR), but Hermes 0.19 reads only "
                    f"{inputs.claude_path}; it will not find this login")
            for label, f in (("hermes-pkce", pkce), ("claude-code", claude)):
                if f is None:
                    continue
                if f.error:
                    res.warnings.append(f.error)
                    continue
                found.append((label, f))
                c = Candidate(label, None, Secret(f.token), where=f.path, discovery=True)
                if not explicit:
                    c.set(REJECTED, "not in Hermes' credential pool: it seeds Claude Code and "
                                    "PKCE logins only when anthropic is explicitly configured "
                                    "(model.provider, auth.json active_provider, ANTHROPIC_API_KEY "
                                    "or ANTHROPIC_TOKEN)")
                elif api_key_set and not oauth_env_set:
                    c.set(REJECTED, "ANTHROPIC_API_KEY is set and no OAuth variable is, so "
                                    "Hermes prunes OAuth logins (the API key wins)")
                elif self._expired(f):
                    c.set(REJECTED, EXPIRED)
                files.append(c)
        pool = [*manual_rows, *env_by_var["ANTHROPIC_TOKEN"],
                *env_by_var["CLAUDE_CODE_OAUTH_TOKEN"], *files, *env_by_var["ANTHROPIC_API_KEY"]]
        self._suppress(pool, "anthropic")
        for c in pool:
            self._screen(c, pool=True)
        ordered = pool
        if not any(self._usable(c) for c in pool):
            # resolve_anthropic_token(): the same variables, then Claude Code's file
            # (no explicit-configuration check), then ANTHROPIC_API_KEY.
            self._pool_path = False
            why = ("Hermes' direct lookup resolve_anthropic_token() (its credential pool had "
                   "nothing available)")
            direct: list[Candidate] = []
            for var in ANTHROPIC_DISCOVERY_VARS:
                direct.extend(self._env_candidates(var))
            for label, f in found:
                if label == "claude-code" and not self._expired(f):
                    direct.append(Candidate(label, None, Secret(f.token), where=f.path,
                                            discovery=True))
                    if not explicit:
                        res.warnings.append(
                            "Hermes 0.19 reads Claude Code's login through resolve_anthropic_token() "
                            "even though anthropic is not configured (its PR #4210 check covers only "
                            "the credential pool); set model.provider: anthropic if that is intended")
            # Step 4, the pool's OAuth rows read without the expiry check: an expired login
            # Hermes could not renew is still sent.
            for c in files:
                if c.reason == EXPIRED:
                    stale = Candidate(c.source, None, c.secret, where=c.where, discovery=True)
                    direct.append(stale)
                    self._stale.add(id(stale))
            direct.extend(self._env_candidates("ANTHROPIC_API_KEY"))
            for c in direct:
                if c.status not in (EMPTY, REJECTED) and c.secret is not None \
                        and not c.secret.reveal().strip():
                    c.set(EMPTY, "empty value")
                self._direct[id(c)] = why
            ordered = [*pool, *direct]
        ordered.extend(self._keyring_candidates())
        for c in ordered:
            if c.source.startswith("keyring:"):
                self._screen(c)
            if native or c.status in (EMPTY, REJECTED) or c.secret is None:
                continue
            if c.discovery or ep.is_oauth_token(c.secret.reveal()):
                c.set(REJECTED, f"{GATE_REASON}; not sent to {host} (a custom Anthropic endpoint)")
        if not native:
            res.warnings.append(
                f"{host} is not Anthropic's own host: Anthropic token discovery (ANTHROPIC_TOKEN, "
                "CLAUDE_CODE_OAUTH_TOKEN, Claude Code's login, OAuth pool rows) is switched off for "
                "it; only an explicitly set ANTHROPIC_API_KEY may go there. "
                "(Hermes 0.19 itself would forward those tokens.)")
        res.candidates = ordered

    @staticmethod
    def _expired(f: object) -> bool:
        """Expired (with Hermes' 60 s margin) and no refresh token to renew it."""
        expires = getattr(f, "expires_at", None)
        if expires is None or getattr(f, "has_refresh", False):
            return False
        import time

        return expires - 60 < time.time()

    def _gate_pool_row_urls(self) -> None:
        """The gate, for pool rows that carry their own base URL.

        A ``hermes auth add`` row is sent to *its* ``base_url`` when it wins
        (unless ``--base-url`` or ``model.base_url`` decides the endpoint). An
        Anthropic OAuth token in such a row must not win if that URL is not
        Anthropic's own host: rejected here, before picking, so the next
        candidate wins instead.
        """
        res = self.res
        if self.explicit_url or res.base_url_source == "config.yaml model.base_url":
            return
        for c in res.candidates:
            entry = self._entry_of.get(id(c))
            url = getattr(entry, "base_url", "") if entry is not None else ""
            if (not url or getattr(entry, "env_var", None) or c.secret is None
                    or c.status in (EMPTY, REJECTED) or ep.is_native_anthropic("anthropic", url)):
                continue
            if c.discovery or ep.is_oauth_token(c.secret.reveal()):
                c.set(REJECTED, f"{GATE_REASON}; this pool row would send it to "
                                f"{ep.hostname(url) or url} (its own base_url)")

    def _anthropic_final_url(self) -> None:
        """Where Hermes sends it: model.base_url (if acceptable), else the winning pool row's URL."""
        res = self.res
        if self.explicit_url or res.base_url_source == "config.yaml model.base_url":
            return
        win = res.credential or self._blocker
        entry = self._entry_of.get(id(win)) if win is not None else None
        default = self.p.default_url
        if win is None:
            return
        if not self._pool_path or win.source in ("claude-code", "hermes-pkce"):
            url, src = default, "default"
        elif entry is not None and not getattr(entry, "env_var", None):
            url = getattr(entry, "base_url", "") or default
            src = f"auth.json pool entry {entry.id}" if url != default else "default"  # type: ignore[attr-defined]
        else:
            return  # env rows: ANTHROPIC_BASE_URL or the default, as _base_url found
        if url != res.base_url and res.base_url_source != "default":
            res.warnings.append(f"{res.base_url_source} ({res.base_url}) is not used for this "
                                f"credential: Hermes sends it to {url}")
        res.base_url, res.base_url_source = url, src
        res.native_anthropic = ep.is_native_anthropic("anthropic", url)

    def _custom_candidates(self) -> None:
        """Hermes 0.19's bare ``custom`` (``_resolve_openrouter_runtime``, requested custom).

        URL: ``CUSTOM_BASE_URL``, then ``model.base_url``, then ``OPENROUTER_BASE_URL``,
        then OpenRouter itself. Key: on an OpenRouter host ``OPENROUTER_API_KEY`` /
        ``OPENAI_API_KEY``; elsewhere ``model.api_key``, then the host-gated
        ``OLLAMA_API_KEY`` / ``OPENAI_API_KEY`` / ``OPENROUTER_API_KEY``, then
        ``<VENDOR>_API_KEY`` from the host — placeholders skipped. ``model.key_env``
        is not read. Nothing usable: Hermes sends ``no-key-required``.
        """
        res = self.res
        ordered: list[Candidate] = []
        if (self.cfg.get("key_env") or self.cfg.get("api_key_env") or "").strip():
            res.warnings.append("model.key_env is not read by Hermes 0.19 for provider custom; "
                                "put the key in model.api_key or a host-named <VENDOR>_API_KEY")
        if ep.host_matches(res.base_url, "openrouter.ai"):
            for var in ("OPENROUTER_API_KEY", "OPENAI_API_KEY"):
                ordered.extend(self._env_candidates(var))
        else:
            api_key = (self.cfg.get("api_key") or self.cfg.get("api") or "").strip()
            if api_key:
                ordered.append(Candidate("config:model.api_key", None, Secret(api_key),
                                         where=f"{self.inputs.config.path} model.api_key"))
            gated = (("ollama.com", "OLLAMA_API_KEY"), ("openai.com", "OPENAI_API_KEY"),
                     ("openrouter.ai", "OPENROUTER_API_KEY"))
            for domain, var in gated:
                if ep.host_matches(res.base_url, domain):
                    ordered.extend(self._env_candidates(var))
            var = host_vendor_var(res.base_url)
            if var and var not in {c.env_var for c in ordered}:
                ordered.extend(self._env_candidates(var))
        for c in ordered:
            self._screen(c)
        res.candidates = ordered

    def _oauth_candidates(self) -> None:
        p, res = self.p, self.res
        ordered, _ = self._pool_candidates(p.id)
        state = self.inputs.auth.providers.get(p.id) or {}
        token = state.get("access_token") or (state.get("tokens") or {}).get("access_token")
        if isinstance(token, str) and token.strip():
            ordered.append(Candidate(f"auth.json:{p.id}", None, Secret(token.strip()),
                                     where=f"{self.inputs.auth.path} providers.{p.id}"))
        res.candidates = ordered
        if not ordered:
            res.warnings.append(f"{p.name} logs in with OAuth: run `hermes auth add {p.id}` "
                                "(or `hermes model`) — no API key involved")

    def _aws_candidates(self) -> None:
        ordered: list[Candidate] = []
        for var in ("AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"):
            ordered.extend(self._env_candidates(var))
        for c in ordered:
            if c.status not in (EMPTY, REJECTED, SHADOWED) and c.secret is not None:
                bad = unusable_reason(c.secret.reveal())
                if bad:
                    c.set(*bad)
        self.res.candidates = ordered

    # -- choose ------------------------------------------------------------
    def _pick(self) -> None:
        """First usable candidate wins; a placeholder Hermes would send means "none usable".

        Hermes 0.19's pool sends a placeholder it meets first (``changeme``, ``***``,
        short values). That is no usable credential — ``credential`` stays None,
        the candidate is ``rejected`` with the usual reason — but it still blocks
        every later key, exactly as in Hermes, and :meth:`_weak_notes` says so.
        """
        res = self.res
        winner: Candidate | None = None
        blocker: Candidate | None = None
        for c in res.candidates:
            if c.status in (EMPTY, REJECTED):
                continue
            if c.reason and c.status == SHADOWED:
                continue  # shadowed for a specific reason (.env override, blanked)
            if blocker is not None:
                c.set(SHADOWED, f"shadowed by {blocker.source}: Hermes 0.19 sends that "
                                f"{self._weak[id(blocker)].split(' (')[0]} first")
            elif winner is None and self._is_placeholder(c):
                blocker = c
                c.set(REJECTED, self._weak[id(c)])
                self._blocker = c
            elif winner is None:
                winner = c
                c.set(USED, self._used_reason(c))
            else:
                c.set(SHADOWED, f"shadowed by {winner.source}" + self._fix_hint(c, winner))
        res.credential = winner
        if winner is not None and winner.source.startswith("keyring:"):
            from ..sources.agent_keyring import agent_reads_keyring

            reads, why = agent_reads_keyring(self.inputs.environ)
            if not reads:
                res.warnings.append(
                    f"{winner.source} wins here, but {why}: the agent itself has no key for "
                    f"{self.p.id} — keep {self.p.primary_env_var} in .env (or the shell) until then")

    def _is_placeholder(self, c: Candidate) -> bool:
        why = self._weak.get(id(c), "")
        return bool(why) and not why.startswith("not an")

    def _weak_notes(self) -> None:
        blocker, win = self._blocker, self.res.credential
        if blocker is not None:
            what = ("a placeholder" if self._weak[id(blocker)].startswith("placeholder")
                    else "a value under 4 characters")
            self.res.warnings.insert(0,
                f"{blocker.where}: {blocker.env_var or blocker.source} holds {what} "
                f"({blocker.secret.masked if blocker.secret else ''}). Hermes 0.19's credential pool "
                f"does not screen placeholders: it sends this value (the provider answers 401) and "
                f"never reaches a later key. Put the real key there or delete the line")
        if win is not None and id(win) in self._weak:  # a key without the provider's prefix
            why = self._weak[id(win)]
            win.reason = f"{win.reason}; {why}, and Hermes 0.19 sends it anyway"
            self.res.warnings.append(
                f"{win.where}: {win.env_var or win.source} ({win.secret.masked if win.secret else ''}) "
                f"is {why}; Hermes 0.19 sends it anyway and {self.p.name} answers 401")

    def _used_reason(self, c: Candidate) -> str:
        if id(c) in self._stale:
            self.res.warnings.append(
                f"{c.where}: this {c.source} login has expired and has no refresh token, yet Hermes "
                "0.19 still sends it (its read-only pool lookup in resolve_anthropic_token() skips "
                "the expiry check) and Anthropic answers 401. Log in again (`claude`, or "
                "`hermes auth add anthropic`)")
            return ("Hermes' direct lookup resolve_anthropic_token(): its credential pool's OAuth "
                    "rows, read without the expiry check")
        if id(c) in self._direct:
            return self._direct[id(c)]
        if c.source.startswith("auth.json:"):
            return "first usable credential in Hermes' auth.json pool (fill_first, by priority)"
        if c.source.startswith("keyring:"):
            return "from the OS keyring (no .env or shell key for this provider)"
        if c.env_var and c.env_var in self.p.key_env_vars and len(self.p.key_env_vars) > 1:
            order = ", ".join(self.p.key_env_vars)
            return f"first usable key in Hermes' order ({order})"
        return "first usable credential"

    @staticmethod
    def _fix_hint(c: Candidate, winner: Candidate) -> str:
        if c.source.startswith("keyring:") and winner.source.startswith(("dotenv:", "env:")):
            if winner.source.startswith("dotenv:"):
                return " (.env wins over the keyring; `hermes-accounts write` removes it from .env)"
            return f" (the shell wins over the keyring; `unset {winner.env_var}`)"
        if winner.source.startswith("auth.json:") and c.source.startswith(("dotenv:", "env:")):
            return " (a `hermes auth add` pool entry ranks first; `hermes auth remove` it to use this key)"
        return ""

    # -- derived fields -------------------------------------------------------
    def _kimi_redirect(self) -> None:
        res = self.res
        if self.p.has_api_key and self.p.id not in ("anthropic", "custom", "azure-foundry"):
            return  # _pooled_base_url applied Hermes' own rule
        if (self.p.id == "kimi-coding" and res.base_url_source == "default" and res.credential
                and res.credential.secret and res.credential.secret.reveal().startswith("sk-kimi-")):
            res.base_url = "https://api.kimi.com/coding"
            res.base_url_source = "sk-kimi- key (Kimi Code)"

    def _api_mode(self) -> None:
        p, res = self.p, self.res
        raw_mode = (self.cfg.get("api_mode") or "").strip()
        cfg_mode = parse_api_mode(raw_mode)
        if raw_mode and cfg_mode is None:
            res.warnings.append(f"model.api_mode {raw_mode!r} is not a mode Hermes 0.19 knows "
                                f"({', '.join(sorted(VALID_API_MODES))}); it is ignored")
        if p.api_mode:
            res.api_mode = p.api_mode
        elif p.id == "custom":
            # _resolve_plain_custom_api_mode: a stale codex_responses is dropped off OpenAI/xAI.
            detected = ep.detect_api_mode(res.base_url) if res.base_url else CHAT
            if cfg_mode == RESPONSES and detected != RESPONSES:
                res.warnings.append(f"model.api_mode codex_responses is ignored for {res.base_url}: "
                                    "Hermes 0.19 keeps custom endpoints on chat completions")
                cfg_mode = None
            res.api_mode = cfg_mode or detected
            return
        elif p.id == "azure-foundry":
            # No URL detection: model.api_mode or chat; Anthropic style drops a trailing /v1.
            res.api_mode = cfg_mode or CHAT
            if res.api_mode == ANTHROPIC and res.base_url.rstrip("/").endswith("/v1"):
                res.base_url = res.base_url.rstrip("/")[:-3]
            return
        elif p.id == "openrouter":
            # pool path: always chat; direct path: model.api_mode whatever the provider.
            mode = None if self._pool_path else parse_api_mode(self.inputs.config.model.get("api_mode"))
            res.api_mode = mode or ep.detect_api_mode(res.base_url) if not self._pool_path else CHAT
            return
        elif p.id == "anthropic":
            res.api_mode = ANTHROPIC
        elif p.id == "xai":
            res.api_mode = RESPONSES
        elif cfg_mode and p.id not in ("opencode-zen", "opencode-go"):
            res.api_mode = cfg_mode
            detected = ep.detect_api_mode(res.base_url) if res.base_url else cfg_mode
            if detected != cfg_mode:
                res.warnings.append(f"model.api_mode is {cfg_mode} but {res.base_url} looks like "
                                    f"{detected}; check it belongs to this endpoint")
        else:
            res.api_mode = ep.detect_api_mode(res.base_url) if res.base_url else "chat_completions"

    def _header(self) -> None:
        res = self.res
        key = res.credential.secret.reveal() if res.credential and res.credential.secret else None
        res.auth_header, res.header_rule = ep.credential_header(self.p, res.api_mode, res.base_url, key)
        res.oauth = bool(res.native_anthropic and key and ep.is_oauth_token(key))

    def _sdk_env_fill(self, key: str) -> None:
        """The second header Hermes 0.19's Anthropic SDK adds from the environment.

        ``build_anthropic_client`` passes the key as ``auth_token`` *or* ``api_key``
        and does not omit the other; anthropic 0.87 (what Hermes installs) then
        fills it from ``ANTHROPIC_API_KEY`` / ``ANTHROPIC_AUTH_TOKEN`` and sends both
        headers. (``api.client_kwargs`` omits it; this explains what Hermes does.)
        """
        res = self.res
        host = ep.hostname(res.base_url) or "api.anthropic.com"
        if res.auth_header == H_BEARER:
            var, header = "ANTHROPIC_API_KEY", "X-Api-Key"
        elif res.auth_header == H_X_API_KEY:
            var, header = "ANTHROPIC_AUTH_TOKEN", "Authorization: Bearer"
        else:
            return
        other = self._os_value(var)
        if not other or other == key:
            return
        leak = "" if ep.host_matches(res.base_url or "https://api.anthropic.com", "anthropic.com") \
            else " — an Anthropic credential sent to a third party"
        res.warnings.append(
            f"{var} is set ({Secret(other).masked}): Hermes 0.19 passes this endpoint's key as "
            f"{'auth_token' if res.auth_header == H_BEARER else 'api_key'} only, and its Anthropic "
            f"SDK (0.87) fills the other argument from {var}, so {host} also receives it as "
            f"{header}{leak}. Unset {var} in Hermes' environment (the hermes-accounts plugin "
            "sends exactly one header)")

    def _notes(self) -> None:
        p, res, inputs = self.p, self.res, self.inputs
        if p.id in ("minimax", "minimax-cn") and res.base_url:
            path = ep.url_path(res.base_url).rstrip("/")
            if path.endswith("/v1") and "anthropic" not in path:
                good = p.default_url
                res.warnings.append(
                    f"{res.base_url} ({res.base_url_source}) is the stale MiniMax /v1 URL: Hermes then "
                    f"uses chat completions and gets 401s. Set {p.base_url_env}={good} or unset it")
            for stale in ("MINIMAX_TOKEN", "MINIMAX_CN_TOKEN"):
                if inputs.env(stale).effective:
                    res.warnings.append(f"{stale} is set but Hermes never reads it; the key "
                                        f"belongs in {p.primary_env_var}")
        if res.api_mode == ANTHROPIC and res.credential is not None and res.credential.secret:
            self._sdk_env_fill(res.credential.secret.reveal())
        elif p.id == "anthropic" and inputs.env("ANTHROPIC_AUTH_TOKEN").effective:
            res.warnings.append("ANTHROPIC_AUTH_TOKEN is set but Hermes never reads it "
                                "(Claude Code's name); use ANTHROPIC_TOKEN or ANTHROPIC_API_KEY")
        if p.id != "anthropic" and res.api_mode == ANTHROPIC:
            present = [v for v in ANTHROPIC_DISCOVERY_VARS if inputs.env(v).effective]
            if present:
                res.warnings.append(
                    f"{', '.join(present)} {'is' if len(present) == 1 else 'are'} set; Anthropic "
                    f"tokens serve only native Anthropic and are never sent to "
                    f"{ep.hostname(res.base_url) or p.id} (Hermes #2374)")
        if res.credential is None and p.auth_type == API_KEY and p.key_env_vars:
            if p.id == "lmstudio":
                res.warnings.append("no key: Hermes sends the placeholder dummy-lm-api-key "
                                    "(fine for an LM Studio server without auth)")
            else:
                res.warnings.append(f"no usable credential: set {p.primary_env_var} "
                                    f"(`hermes-accounts set {p.id}`)")
        if p.id == "custom" and res.credential is None and res.base_url:
            res.warnings.append("no key: Hermes sends the placeholder no-key-required")
        if p.id == "azure-foundry" and not res.base_url:
            res.warnings.append("Azure Foundry needs model.base_url (your resource's endpoint)")
