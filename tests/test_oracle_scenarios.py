"""Scenario by scenario, our resolver against the real Hermes 0.19.

Each scenario is data: a ``.env`` (text, or bytes for encoding cases), the shell,
``config.yaml``, ``auth.json`` and Claude Code's credentials file. ``{A}``, ``{B}``,
``{C}`` become unique sentinel keys, ``{OAT}`` an Anthropic OAuth token, ``{ANT}`` an
Anthropic API key, ``{KIMI}`` a Kimi Code key, ``{OR}`` an OpenRouter key.
:meth:`Oracle.compare` asserts key, variable, base URL, api mode and header agree.
"""

from __future__ import annotations

import time

import pytest

from tests.fixtures_home import sentinel

pytestmark = pytest.mark.hermes

NOW_MS = int(time.time() * 1000)


class Sc:
    def __init__(self, name: str, provider: str, *, dotenv: str | None = None,
                 encoding: str = "utf-8", env: dict | None = None, config: str | None = None,
                 auth: dict | None = None, claude: str | None = None, requested: str | None = None,
                 network: bool = False) -> None:
        self.name, self.provider, self.dotenv, self.encoding = name, provider, dotenv, encoding
        self.env, self.config, self.auth, self.claude = env or {}, config, auth, claude
        self.requested, self.network = requested, network

    def __repr__(self) -> str:
        return self.name


def cfg(provider: str, **model: str) -> str:
    lines = [f"  provider: {provider}"] + [f"  {k}: {v}" for k, v in model.items()]
    return "model:\n" + "\n".join(lines) + "\n"


def pool(provider: str, *rows: dict, suppressed: list[str] | None = None,
         active: str | None = None) -> dict:
    data: dict = {"version": 1, "credential_pool": {provider: list(rows)}}
    if suppressed:
        data["suppressed_sources"] = {provider: suppressed}
    if active:
        data["active_provider"] = active
    return data


def manual(token: str, priority: int, **extra: object) -> dict:
    return {"id": f"man{priority}", "label": "work", "auth_type": "api_key", "priority": priority,
            "source": "manual", "access_token": token, **extra}


def env_row(var: str, priority: int, **extra: object) -> dict:
    return {"id": f"env{priority}", "label": var, "auth_type": "api_key", "priority": priority,
            "source": f"env:{var}", "access_token": "", **extra}


MM = cfg("minimax")
SCENARIOS = [
    # --- .env versus the shell -------------------------------------------------
    Sc("dotenv-beats-shell", "minimax", dotenv="MINIMAX_API_KEY={A}\n",
       env={"MINIMAX_API_KEY": "{B}"}, config=MM),
    Sc("shell-only", "deepseek", env={"DEEPSEEK_API_KEY": "{A}"}, config=cfg("deepseek")),
    Sc("empty-dotenv-line-with-shell-export", "deepseek", dotenv="DEEPSEEK_API_KEY=\n",
       env={"DEEPSEEK_API_KEY": "{A}"}, config=cfg("deepseek")),
    Sc("second-var-in-dotenv-first-in-shell", "gemini", dotenv="GEMINI_API_KEY={A}\n",
       env={"GOOGLE_API_KEY": "{B}"}, config=cfg("gemini")),
    Sc("first-var-in-dotenv-second-in-shell", "zai", dotenv="GLM_API_KEY={A}\n",
       env={"ZAI_API_KEY": "{B}"}, config=cfg("zai"), network=True),
    # --- placeholders and short values ----------------------------------------
    *[Sc(f"placeholder-{v.strip('*') or 'stars'}-in-dotenv", "minimax",
         dotenv=f"MINIMAX_API_KEY={v}\n", config=MM) for v in ("changeme", "***", "dummy")],
    Sc("placeholder-in-dotenv-real-in-shell", "deepseek", dotenv="DEEPSEEK_API_KEY=changeme\n",
       env={"DEEPSEEK_API_KEY": "{A}"}, config=cfg("deepseek")),
    Sc("placeholder-in-shell", "deepseek", env={"DEEPSEEK_API_KEY": "dummy"}, config=cfg("deepseek")),
    Sc("too-short-in-dotenv", "deepseek", dotenv="DEEPSEEK_API_KEY=abc\n", config=cfg("deepseek")),
    Sc("too-short-in-shell", "deepseek", env={"DEEPSEEK_API_KEY": "ab"}, config=cfg("deepseek")),
    Sc("placeholder-first-var-real-second", "gemini", dotenv="GOOGLE_API_KEY=***\nGEMINI_API_KEY={A}\n",
       config=cfg("gemini")),
    # --- .env syntax -------------------------------------------------------------
    Sc("inline-comment", "deepseek", dotenv="DEEPSEEK_API_KEY={A} # my key\n", config=cfg("deepseek")),
    Sc("double-quotes", "deepseek", dotenv='DEEPSEEK_API_KEY="{A}"\n', config=cfg("deepseek")),
    Sc("single-quotes", "deepseek", dotenv="DEEPSEEK_API_KEY='{A}'\n", config=cfg("deepseek")),
    Sc("quoted-with-comment", "deepseek", dotenv='DEEPSEEK_API_KEY="{A}" # note\n',
       config=cfg("deepseek")),
    Sc("export-prefix", "deepseek", dotenv="export DEEPSEEK_API_KEY={A}\n", config=cfg("deepseek")),
    Sc("crlf", "minimax", dotenv="# keys\r\nMINIMAX_API_KEY={A}\r\nOTHER=1\r\n", config=MM),
    Sc("utf8-bom", "minimax", dotenv="MINIMAX_API_KEY={A}\n", encoding="utf-8-sig", config=MM),
    Sc("utf16-bom", "minimax", dotenv="MINIMAX_API_KEY={A}\n", encoding="utf-16", config=MM),
    Sc("nul-bytes", "minimax", dotenv="MINIMAX_API_KEY={A}\x00\n", config=MM),
    Sc("concatenated-lines", "minimax", dotenv="DEEPSEEK_API_KEY={B}MINIMAX_API_KEY={A}\n", config=MM),
    Sc("concatenated-lines-other-side", "deepseek",
       dotenv="DEEPSEEK_API_KEY={B}MINIMAX_API_KEY={A}\n", config=cfg("deepseek")),
    Sc("non-ascii-in-key", "minimax", dotenv="MINIMAX_API_KEY={A}\u200b\u028b\n", config=MM),
    Sc("spaces-around-equals", "deepseek", dotenv="DEEPSEEK_API_KEY = {A}\n", config=cfg("deepseek")),
    Sc("duplicate-lines-last-wins", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\nDEEPSEEK_API_KEY={B}\n",
       config=cfg("deepseek")),
    Sc("variable-expansion", "deepseek", dotenv="BASE={A}\nDEEPSEEK_API_KEY=${{BASE}}\n",
       config=cfg("deepseek")),
    Sc("malformed-line-then-key", "deepseek", dotenv="this is not valid\nDEEPSEEK_API_KEY={A}\n",
       config=cfg("deepseek")),
    Sc("unterminated-quote", "deepseek", dotenv="DEEPSEEK_API_KEY='{A}\nOTHER=1\n", config=cfg("deepseek")),
    Sc("quoted-hash-inside", "deepseek", dotenv='DEEPSEEK_API_KEY="{A}#x"\n', config=cfg("deepseek")),
    Sc("surrounding-spaces", "deepseek", dotenv="DEEPSEEK_API_KEY=   {A}   \n", config=cfg("deepseek")),
    Sc("export-with-quotes-and-crlf", "deepseek", dotenv='export DEEPSEEK_API_KEY="{A}"\r\n',
       config=cfg("deepseek")),
    Sc("utf16-with-shell-value", "minimax", dotenv="MINIMAX_API_KEY={A}\r\n", encoding="utf-16",
       env={"MINIMAX_API_KEY": "{B}"}, config=MM),
    Sc("key-without-equals", "deepseek", dotenv="DEEPSEEK_API_KEY\n", env={"DEEPSEEK_API_KEY": "{A}"},
       config=cfg("deepseek")),
    Sc("non-ascii-in-shell-key-no-dotenv", "deepseek", env={"DEEPSEEK_API_KEY": "{A}\u00e9"},
       config=cfg("deepseek")),
    Sc("non-ascii-in-shell-key-with-dotenv", "deepseek", dotenv="OTHER=1\n",
       env={"DEEPSEEK_API_KEY": "{A}\u00e9"}, config=cfg("deepseek")),
    # --- base URLs and api modes ----------------------------------------------------
    Sc("model-base-url-same-provider", "minimax", dotenv="MINIMAX_API_KEY={A}\n",
       config=cfg("minimax", base_url="https://api.minimaxi.com/anthropic")),
    Sc("model-base-url-other-provider", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       config=cfg("minimax", base_url="https://api.minimax.io/anthropic"), requested="deepseek"),
    Sc("base-url-env-vs-model-base-url", "deepseek",
       dotenv="DEEPSEEK_API_KEY={A}\nDEEPSEEK_BASE_URL=https://env.example.com/v1\n",
       config=cfg("deepseek", base_url="https://cfg.example.com/v1")),
    Sc("base-url-env-only", "deepseek",
       dotenv="DEEPSEEK_API_KEY={A}\nDEEPSEEK_BASE_URL=https://api.deepseek.com/anthropic\n",
       config=cfg("deepseek")),
    Sc("base-url-env-in-shell", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       env={"DEEPSEEK_BASE_URL": "https://shell.example.com/v1/"}, config=cfg("deepseek")),
    Sc("stale-minimax-v1", "minimax",
       dotenv="MINIMAX_API_KEY={A}\nMINIMAX_BASE_URL=https://api.minimax.io/v1\n", config=MM),
    Sc("stale-minimax-cn-v1", "minimax-cn",
       dotenv="MINIMAX_CN_API_KEY={A}\nMINIMAX_CN_BASE_URL=https://api.minimaxi.com/v1\n",
       config=cfg("minimax-cn")),
    Sc("model-api-mode-same-provider", "minimax", dotenv="MINIMAX_API_KEY={A}\n",
       config=cfg("minimax", api_mode="chat_completions")),
    Sc("model-api-mode-other-provider", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       config=cfg("minimax", api_mode="anthropic_messages"), requested="deepseek"),
    Sc("model-api-mode-invalid", "minimax", dotenv="MINIMAX_API_KEY={A}\n",
       config=cfg("minimax", api_mode="messages")),
    Sc("model-api-mode-responses-alias", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       config=cfg("deepseek", api_mode="responses")),
    Sc("alias-in-config", "kimi-coding", dotenv="KIMI_API_KEY={A}\n",
       config=cfg("kimi", base_url="https://cfg.example.com/v1"), requested=""),
    Sc("provider-from-env-var", "deepseek",
       dotenv="DEEPSEEK_API_KEY={A}\nHERMES_INFERENCE_PROVIDER=deepseek\n", requested=""),
    Sc("lmstudio-no-key", "lmstudio", config=cfg("lmstudio")),
    Sc("lmstudio-base-url-without-v1", "lmstudio", dotenv="LM_BASE_URL=http://127.0.0.1:9999\n",
       config=cfg("lmstudio")),
    Sc("lmstudio-api-v1", "lmstudio", dotenv="LM_API_KEY={A}\nLM_BASE_URL=http://localhost:1234/api/v1\n",
       config=cfg("lmstudio")),
    # --- kimi / openrouter key-shape rules -----------------------------------------
    Sc("kimi-sk-kimi-redirect", "kimi-coding", dotenv="KIMI_API_KEY={KIMI}\n", config=cfg("kimi-coding")),
    Sc("kimi-sk-kimi-with-base-url-env", "kimi-coding",
       dotenv="KIMI_API_KEY={KIMI}\nKIMI_BASE_URL=https://api.moonshot.ai/v1\n", config=cfg("kimi-coding")),
    Sc("kimi-cn-sk-kimi-no-redirect-in-pool", "kimi-coding-cn", dotenv="KIMI_CN_API_KEY={KIMI}\n",
       config=cfg("kimi-coding-cn")),
    Sc("kimi-second-var-sk-kimi", "kimi-coding", dotenv="KIMI_CODING_API_KEY={KIMI}\n",
       config=cfg("kimi-coding")),
    Sc("kimi-sk-kimi-with-model-base-url", "kimi-coding", dotenv="KIMI_API_KEY={KIMI}\n",
       config=cfg("kimi-coding", base_url="https://cfg.example.com/v1")),
    Sc("zai-cached-endpoint", "zai", dotenv="GLM_API_KEY=zai-fixed-key-0123456789\n",
       auth={"version": 1, "providers": {"zai": {"detected_endpoint": {
           "base_url": "https://open.bigmodel.cn/api/coding/paas/v4", "key_hash": "ZAIHASH"}}}},
       config=cfg("zai")),
    Sc("provider-env-var-vs-config", "minimax", dotenv="MINIMAX_API_KEY={A}\nDEEPSEEK_API_KEY={B}\n",
       env={"HERMES_INFERENCE_PROVIDER": "deepseek"}, config=MM, requested=""),
    Sc("kimi-plain-key", "kimi-coding", dotenv="KIMI_API_KEY={A}\n", config=cfg("kimi-coding")),
    Sc("openrouter-sk-or", "openrouter", dotenv="OPENROUTER_API_KEY={OR}\n", config=cfg("openrouter")),
    Sc("openrouter-non-sk-or", "openrouter", dotenv="OPENROUTER_API_KEY={A}\n", config=cfg("openrouter")),
    Sc("openrouter-openai-key-fallback", "openrouter", env={"OPENAI_API_KEY": "{A}"},
       config=cfg("openrouter")),
    Sc("openrouter-both", "openrouter", dotenv="OPENAI_API_KEY={A}\nOPENROUTER_API_KEY={OR}\n",
       config=cfg("openrouter")),
    # --- custom endpoints -------------------------------------------------------------
    Sc("custom-anthropic-url-model-key", "custom",
       config=cfg("custom", base_url="https://proxy.example.com/anthropic", api_key="{A}")),
    Sc("custom-anthropic-url-no-key-with-anthropic-sources", "custom",
       dotenv="ANTHROPIC_TOKEN={OAT}\nANTHROPIC_API_KEY={ANT}\n", claude="{OAT}",
       config=cfg("custom", base_url="https://proxy.example.com/anthropic")),
    Sc("custom-openai-url", "custom", dotenv="OPENAI_API_KEY={A}\n",
       config=cfg("custom", base_url="https://api.openai.com/v1")),
    Sc("custom-host-derived-key", "custom", dotenv="DEEPSEEK_API_KEY={A}\n",
       config=cfg("custom", base_url="https://api.deepseek.com/v1")),
    # Hermes asks a local server for its model name when model.default is empty (blocked here).
    Sc("custom-local-no-key", "custom", config=cfg("custom", base_url="http://127.0.0.1:8080/v1"),
       network=True),
    # --- credential headers on Anthropic-compatible hosts (Hermes 0.19's adapter) -------------
    Sc("header-custom-anthropic-auth-token-env", "custom", env={"ANTHROPIC_AUTH_TOKEN": "{OAT}"},
       config=cfg("custom", base_url="https://proxy.example.com/anthropic", api_key="{A}")),
    Sc("header-commandcode-is-x-api-key-in-0.19", "custom",
       config=cfg("custom", base_url="https://api.commandcode.ai/anthropic", api_key="{A}")),
    Sc("header-nous-portal-is-x-api-key-in-0.19", "custom",
       config=cfg("custom", base_url="https://inference-api.nousresearch.com/anthropic", api_key="{A}")),
    Sc("header-azure-bearer", "custom",
       config=cfg("custom", base_url="https://acme.services.ai.azure.com/anthropic", api_key="{A}")),
    Sc("header-palantir-bearer", "custom",
       config=cfg("custom", base_url="https://acme.palantirfoundry.com/api/v2/llm/proxy/anthropic",
                  api_key="{A}")),
    Sc("header-minimax-lookalike-host", "custom",
       config=cfg("custom", base_url="https://api.minimax.io.example.com/anthropic", api_key="{A}")),
    Sc("header-deepseek-anthropic-route", "deepseek",
       dotenv="DEEPSEEK_API_KEY={A}\nDEEPSEEK_BASE_URL=https://api.deepseek.com/anthropic\n",
       env={"ANTHROPIC_AUTH_TOKEN": "{OAT}"}, config=cfg("deepseek")),
    Sc("header-minimax-with-anthropic-api-key-in-shell", "minimax", dotenv="MINIMAX_API_KEY={A}\n",
       env={"ANTHROPIC_API_KEY": "{ANT}"}, config=MM),
    Sc("header-anthropic-oauth-with-api-key-env", "anthropic",
       dotenv="ANTHROPIC_TOKEN={OAT}\n", env={"ANTHROPIC_API_KEY": "{ANT}"}, config=cfg("anthropic")),
    Sc("claude-config-dir-is-not-read-by-hermes", "anthropic", claude="{OAT}",
       env={"CLAUDE_CONFIG_DIR": "MOVE_CLAUDE"}, config=cfg("anthropic")),
    Sc("custom-key-env", "custom", dotenv="MY_PROXY_KEY={A}\n",
       config=cfg("custom", base_url="https://proxy.example.com/v1", key_env="MY_PROXY_KEY")),
    Sc("custom-base-url-env", "custom", dotenv="CUSTOM_BASE_URL=https://env-proxy.example.com/v1\n",
       config=cfg("custom", base_url="https://proxy.example.com/v1", api_key="{A}")),
    Sc("custom-stale-responses-mode", "custom",
       config=cfg("custom", base_url="https://proxy.example.com/v1", api_key="{A}",
                  api_mode="codex_responses")),
    Sc("custom-alias-ollama", "custom",
       config=cfg("ollama", base_url="https://proxy.example.com/v1", api_key="{A}"), requested=""),
    Sc("azure-foundry-openai-style", "azure-foundry", dotenv="AZURE_FOUNDRY_API_KEY={A}\n",
       config=cfg("azure-foundry", base_url="https://acme.openai.azure.com/openai/v1",
                  api_mode="chat_completions")),
    Sc("azure-foundry-anthropic-style", "azure-foundry", dotenv="AZURE_FOUNDRY_API_KEY={A}\n",
       config=cfg("azure-foundry", base_url="https://acme.services.ai.azure.com/anthropic/v1",
                  api_mode="anthropic_messages")),
    Sc("anthropic-azure-base-url", "anthropic", dotenv="ANTHROPIC_API_KEY={A}\n",
       config=cfg("anthropic", base_url="https://acme.services.ai.azure.com/anthropic")),
    Sc("auto-with-config-provider", "minimax", dotenv="MINIMAX_API_KEY={A}\n", config=MM, requested=""),
    Sc("gemini-openai-compat-url-is-bearer", "gemini",
       dotenv="GOOGLE_API_KEY={A}\nGEMINI_BASE_URL=https://generativelanguage.googleapis.com/v1beta/openai\n",
       config=cfg("gemini")),
    Sc("gemini-proxy-url-is-bearer", "gemini",
       dotenv="GOOGLE_API_KEY={A}\nGEMINI_BASE_URL=https://gw.example.com/v1beta\n", config=cfg("gemini")),
    Sc("gemini-anthropic-mode-is-x-api-key", "gemini", dotenv="GOOGLE_API_KEY={A}\n",
       config=cfg("gemini", api_mode="anthropic_messages")),
    # --- auth.json pool -----------------------------------------------------------------
    Sc("pool-manual-older-than-env", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", manual("{B}", 0)), config=cfg("deepseek")),
    Sc("pool-manual-newer-than-env", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", env_row("DEEPSEEK_API_KEY", 0), manual("{B}", 1)), config=cfg("deepseek")),
    Sc("pool-manual-dead", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", manual("{B}", 0, last_status="dead", last_status_at=time.time(),
                                    last_error_code=401)), config=cfg("deepseek")),
    Sc("pool-manual-exhausted", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", manual("{B}", 0, last_status="exhausted", last_status_at=time.time(),
                                    last_error_code=429)), config=cfg("deepseek")),
    Sc("pool-manual-exhausted-long-ago", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", manual("{B}", 0, last_status="exhausted",
                                    last_status_at=time.time() - 7200, last_error_code=429)),
       config=cfg("deepseek")),
    Sc("pool-env-suppressed", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", suppressed=["env:DEEPSEEK_API_KEY"]), config=cfg("deepseek")),
    Sc("pool-env-suppressed-manual-left", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", manual("{B}", 3), suppressed=["env:DEEPSEEK_API_KEY"]),
       config=cfg("deepseek")),
    Sc("pool-only-manual", "minimax", auth=pool("minimax", manual("{B}", 0)), config=MM),
    Sc("pool-manual-with-default-url-and-model-base-url", "minimax",
       auth=pool("minimax", manual("{B}", 0, base_url="https://api.minimax.io/anthropic")),
       config=cfg("minimax", base_url="https://api.minimaxi.com/anthropic")),
    Sc("pool-manual-with-own-url", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", manual("{B}", 0, base_url="https://proxy.example.com/v1")),
       config=cfg("deepseek", base_url="https://cfg.example.com/v1")),
    Sc("pool-kimi-manual-sk-kimi", "kimi-coding",
       auth=pool("kimi-coding", manual("{KIMI}", 0, base_url="https://api.moonshot.ai/v1")),
       config=cfg("kimi-coding")),
    Sc("pool-everything-exhausted-direct-lookup", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth=pool("deepseek", env_row("DEEPSEEK_API_KEY", 0, last_status="exhausted",
                                     last_status_at=time.time(), last_error_code=429)),
       config=cfg("deepseek")),
    Sc("pool-suppressed-placeholder-direct-lookup-skips-it", "deepseek",
       dotenv="DEEPSEEK_API_KEY=changeme\n", auth=pool("deepseek", suppressed=["env:DEEPSEEK_API_KEY"]),
       config=cfg("deepseek")),
    Sc("pool-second-var-seeded-first", "gemini", dotenv="GOOGLE_API_KEY={A}\nGEMINI_API_KEY={B}\n",
       auth=pool("gemini", env_row("GEMINI_API_KEY", 0)), config=cfg("gemini")),
    Sc("pool-env-exhausted-falls-to-next", "gemini", dotenv="GOOGLE_API_KEY={A}\nGEMINI_API_KEY={B}\n",
       auth=pool("gemini", env_row("GOOGLE_API_KEY", 0, last_status="exhausted",
                                   last_status_at=time.time(), last_error_code=401)),
       config=cfg("gemini")),
    # --- Anthropic ------------------------------------------------------------------------
    Sc("anthropic-token-beats-api-key", "anthropic",
       dotenv="ANTHROPIC_API_KEY={ANT}\nANTHROPIC_TOKEN={OAT}\n",
       config=cfg("anthropic")),
    Sc("anthropic-api-key-only", "anthropic", dotenv="ANTHROPIC_API_KEY={ANT}\n", config=cfg("anthropic")),
    Sc("anthropic-claude-code-token-env", "anthropic", env={"CLAUDE_CODE_OAUTH_TOKEN": "{OAT}"},
       config=cfg("anthropic")),
    Sc("anthropic-claude-file-configured", "anthropic", claude="{OAT}", config=cfg("anthropic")),
    Sc("anthropic-claude-file-not-configured", "anthropic", claude="{OAT}", config=cfg("deepseek"),
       requested="anthropic"),
    Sc("anthropic-claude-file-and-api-key", "anthropic", claude="{OAT}",
       dotenv="ANTHROPIC_API_KEY={ANT}\n", config=cfg("anthropic")),
    Sc("anthropic-claude-file-and-token", "anthropic", claude="{OAT}",
       dotenv="ANTHROPIC_TOKEN={OAT}\n", config=cfg("anthropic")),
    Sc("anthropic-manual-pool-entry", "anthropic", dotenv="ANTHROPIC_API_KEY={ANT}\n",
       auth=pool("anthropic", manual("{OAT}", 0, auth_type="oauth")), config=cfg("anthropic")),
    Sc("anthropic-base-url-openrouter-ignored", "anthropic", dotenv="ANTHROPIC_API_KEY={ANT}\n",
       config=cfg("anthropic", base_url="https://openrouter.ai/api/v1")),
    Sc("anthropic-base-url-env", "anthropic",
       dotenv="ANTHROPIC_API_KEY={ANT}\nANTHROPIC_BASE_URL=https://proxy.example.com/anthropic\n",
       config=cfg("anthropic")),
    Sc("anthropic-proxy-api-key", "anthropic", dotenv="ANTHROPIC_API_KEY={A}\n",
       config=cfg("anthropic", base_url="https://proxy.example.com/anthropic")),
    Sc("anthropic-no-credentials", "anthropic", config=cfg("anthropic")),
    Sc("anthropic-auth-token-ignored", "anthropic", env={"ANTHROPIC_AUTH_TOKEN": "{OAT}"},
       config=cfg("anthropic")),
    # --- the gate: MiniMax never borrows Anthropic credentials ----------------------------------
    Sc("minimax-every-anthropic-source", "minimax", dotenv="MINIMAX_API_KEY={A}\nANTHROPIC_TOKEN={OAT}\n",
       env={"CLAUDE_CODE_OAUTH_TOKEN": "{OAT}", "ANTHROPIC_API_KEY": "{ANT}"}, claude="{OAT}",
       auth=pool("anthropic", manual("{OAT}", 0, auth_type="oauth"), active="minimax"), config=MM),
    Sc("minimax-no-key-every-anthropic-source", "minimax", dotenv="ANTHROPIC_TOKEN={OAT}\n",
       env={"CLAUDE_CODE_OAUTH_TOKEN": "{OAT}", "ANTHROPIC_API_KEY": "{ANT}"}, claude="{OAT}",
       auth=pool("anthropic", manual("{OAT}", 0, auth_type="oauth")), config=MM),
    Sc("minimax-cn-every-anthropic-source", "minimax-cn",
       dotenv="MINIMAX_CN_API_KEY={A}\nANTHROPIC_TOKEN={OAT}\n",
       env={"CLAUDE_CODE_OAUTH_TOKEN": "{OAT}", "ANTHROPIC_API_KEY": "{ANT}"}, claude="{OAT}",
       config=cfg("minimax-cn")),
    Sc("minimax-cn-no-key-every-anthropic-source", "minimax-cn", dotenv="ANTHROPIC_TOKEN={OAT}\n",
       env={"CLAUDE_CODE_OAUTH_TOKEN": "{OAT}", "ANTHROPIC_API_KEY": "{ANT}"}, claude="{OAT}",
       config=cfg("minimax-cn")),
    # --- broken files ---------------------------------------------------------------------------
    Sc("corrupt-config-yaml", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       config="model:\n  provider: [deepseek\n  base_url: x\n", requested="deepseek"),
    Sc("corrupt-auth-json", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n", auth="{not json",
       config=cfg("deepseek")),
    Sc("auth-json-wrong-shape", "deepseek", dotenv="DEEPSEEK_API_KEY={A}\n",
       auth={"credential_pool": {"deepseek": "nope"}, "suppressed_sources": []},
       config=cfg("deepseek")),
    Sc("claude-file-wrong-shape", "anthropic", dotenv="ANTHROPIC_API_KEY={ANT}\n",
       claude="RAW:[1, 2, 3]", config=cfg("anthropic")),
]


def _fill(text, keys: dict[str, str]):
    if isinstance(text, str):
        for name, value in keys.items():
            text = text.replace("{" + name + "}", value)
        return text.replace("${{", "${").replace("}}", "}")
    if isinstance(text, dict):
        return {k: _fill(v, keys) for k, v in text.items()}
    if isinstance(text, list):
        return [_fill(v, keys) for v in text]
    return text


def setup(home, sc: Sc) -> dict[str, str]:
    import hashlib

    zai_hash = hashlib.sha256(b"zai-fixed-key-0123456789").hexdigest()[:16]
    if isinstance(sc.auth, dict) and "ZAIHASH" in str(sc.auth):
        sc.auth["providers"]["zai"]["detected_endpoint"]["key_hash"] = zai_hash
    keys = {"A": sentinel("k-a-"), "B": sentinel("k-b-"), "C": sentinel("k-c-"),
            "OAT": sentinel("sk-ant-oat01-"), "ANT": sentinel("sk-ant-api03-"),
            "KIMI": sentinel("sk-kimi-"), "OR": sentinel("sk-or-v1-")}
    if sc.dotenv is not None:
        (home.path / ".env").write_bytes(_fill(sc.dotenv, keys).encode(sc.encoding))
    if sc.config is not None:
        home.config(_fill(sc.config, keys))
    if isinstance(sc.auth, str):
        (home.path / "auth.json").write_text(sc.auth)
    elif sc.auth is not None:
        home.auth_json(_fill(sc.auth, keys))
    if sc.claude is not None:
        claude = _fill(sc.claude, keys)
        path = home.claude_credentials(claude if not claude.startswith("RAW:") else "x" * 20)
        if claude.startswith("RAW:"):
            path.write_text(claude[4:])
        if sc.env.get("CLAUDE_CONFIG_DIR") == "MOVE_CLAUDE":  # Claude Code's own override dir
            moved = home.root / "claude-config"
            path.parent.rename(moved)
            keys["CLAUDE_DIR"] = str(moved)
    return keys


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda sc: repr(sc) if isinstance(sc, Sc) else None)
def test_scenario_matches_hermes(home, oracle, sc: Sc):
    keys = setup(home, sc)
    env = {k: (keys["CLAUDE_DIR"] if v == "MOVE_CLAUDE" else v) for k, v in _fill(sc.env, keys).items()}
    ours, theirs = oracle.compare(home, sc.provider, env, requested=sc.requested,
                                  allow_network=sc.network)
    # Anthropic sentinels never leave through a non-Anthropic provider, in either tool.
    if sc.provider != "anthropic" and ours.credential is not None:
        assert ours.credential.secret.reveal() not in (keys["OAT"], keys["ANT"])
    for text in (str(ours.to_dict()), theirs["_stderr"]):
        for name, value in keys.items():
            assert name == "CLAUDE_DIR" or value not in text


# --- the deliberate differences: Hermes sends these, we refuse (and explain why) --------------

DIVERGENT = [
    # Hermes forwards discovered Anthropic OAuth tokens to whatever base URL provider anthropic
    # has; the gate keeps them on anthropic.com.
    Sc("anthropic-proxy-with-oauth-token", "anthropic", dotenv="ANTHROPIC_TOKEN={OAT}\n",
       config=cfg("anthropic", base_url="https://proxy.example.com/anthropic")),
    Sc("anthropic-proxy-with-claude-login", "anthropic", claude="{OAT}",
       config=cfg("anthropic", base_url="https://proxy.example.com/anthropic")),
    # An Anthropic token pasted into MINIMAX_API_KEY: Hermes sends it to MiniMax.
    Sc("minimax-key-is-anthropic-token", "minimax", dotenv="MINIMAX_API_KEY={OAT}\n", config=MM),
]


@pytest.mark.parametrize("sc", DIVERGENT, ids=repr)
def test_deliberate_divergence_hermes_sends_anthropic_token_we_refuse(home, oracle, sc: Sc):
    """Hermes really does send the Anthropic token off-Anthropic here; we never do, and say so."""
    from hermes_accounts.resolver import resolve

    keys = setup(home, sc)
    ours = resolve(sc.provider, home.inputs(_fill(sc.env, keys)))
    theirs = oracle.ask(home, sc.provider, _fill(sc.env, keys))
    from hermes_accounts.secret import fingerprint

    assert theirs["key_fingerprint"] == fingerprint(keys["OAT"])          # Hermes leaks it
    assert "anthropic.com" not in theirs["base_url"]
    assert ours.credential is None                                        # we do not
    refused = [c for c in ours.candidates if c.secret and c.secret.reveal() == keys["OAT"]]
    assert all(c.status == "rejected" and "anthropic.com" in c.reason for c in refused)
    if sc.claude is not None:  # the gate never even opened Claude Code's file
        assert not refused
        assert any("Claude Code's login" in w and "switched off" in w for w in ours.warnings)
    else:
        assert refused
    assert ours.base_url == theirs["base_url"] and ours.api_mode == theirs["api_mode"]
