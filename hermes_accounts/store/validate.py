"""Checks on a key before it is stored: hard errors for what can never work,
warnings for what probably is a mix-up (a key pasted for the wrong provider).

Hard errors (:class:`InvalidKey`): empty, whitespace or a line break inside,
placeholders, quotes or ``VAR=`` pasted along, non-ASCII (Hermes strips it from
credential variables, so the key would arrive mangled), under 4 characters
(Hermes skips those). Messages never contain the key.
"""

from __future__ import annotations

from .. import catalog

PLACEHOLDERS = frozenset({"*", "**", "***", "changeme", "your_api_key", "your_api_key_here",
                          "your-api-key", "placeholder", "example", "dummy", "null", "none",
                          "xxx", "todo", "key", "api_key", "apikey", "secret", "test", "sk-...",
                          "sk-xxx", "<key>", "<api_key>", "your-key-here", "replace-me"})

# Prefixes that identify the issuer, to spot a key given to the wrong provider.
KNOWN_PREFIXES = (
    ("sk-ant-", "anthropic", "Anthropic"), ("sk-or-", "openrouter", "OpenRouter"),
    ("xai-", "xai", "xAI"), ("nvapi-", "nvidia", "NVIDIA"), ("hf_", "huggingface", "Hugging Face"),
    ("AIza", "gemini", "Google"), ("fw_", "fireworks", "Fireworks"), ("sk-kimi-", "kimi-coding", "Kimi"),
    ("gsk_", "groq", "Groq"), ("ghp_", "copilot", "GitHub"), ("github_pat_", "copilot", "GitHub"),
)


class InvalidKey(ValueError):
    """A value that must not be stored; the message says why (never the value)."""


def clean_key(raw: str) -> str:
    """Strip surrounding whitespace (the newline ``echo`` adds) and reject unusable values."""
    value = raw.strip()
    if not value:
        raise InvalidKey("the key is empty (nothing on stdin, or an empty prompt answer)")
    for i, ch in enumerate(value):
        if ch.isspace():
            what = "a line break" if ch in "\r\n" else "whitespace"
            raise InvalidKey(f"the key contains {what} at character {i + 1}; paste only the key, on one line")
    if value[0] in "\"'" or value[-1] in "\"'":
        raise InvalidKey("the key is wrapped in quotes; paste it without them")
    head = value.split("=", 1)[0]
    if "=" in value and head.isupper() and head.replace("_", "").isalnum():
        raise InvalidKey(f"that is a {head}=… assignment; paste only the value after '='")
    if not value.isascii():
        raise InvalidKey("the key contains non-ASCII characters (a smart quote or a stray symbol?); "
                         "Hermes would strip them and send a broken key")
    low = value.lower()
    if low in PLACEHOLDERS or (low.startswith("<") and low.endswith(">")) or set(low) <= set("x*.-_"):
        raise InvalidKey("that is a placeholder, not a key")
    if len(value) < 4:
        raise InvalidKey("the key is shorter than 4 characters; Hermes ignores such values")
    return value


def prefix_warnings(provider: catalog.Provider, value: str) -> list[str]:
    """Hints that the key may belong elsewhere. Never fatal: prefixes change."""
    out: list[str] = []
    pid, name = provider.id, provider.name
    if pid == "anthropic":
        if not value.startswith("sk-ant-"):
            out.append("Anthropic keys start with sk-ant-api… (API key) or sk-ant-oat… (OAuth token); "
                       "this one does not")
        elif value.startswith("sk-ant-oat"):
            out.append("this is an Anthropic OAuth token (sk-ant-oat…), not an API key (sk-ant-api…): it "
                       "expires and is billed to a Claude subscription; use an API key for unattended agents")
        return out
    if value.startswith("sk-ant-"):
        out.append(f"this is an Anthropic key/token (sk-ant-…); {name} will answer 401 and hermes-accounts "
                   f"will never send it to {name}. Store the {name} key instead")
        return out
    if provider.required_prefix and not value.startswith(provider.required_prefix):
        out.append(f"{name} keys start with {provider.required_prefix}; this one does not, so {name} "
                   "will most likely answer 401 (Hermes 0.19 sends it anyway)")
        return out
    for prefix, owner, owner_name in KNOWN_PREFIXES:
        typical = provider.typical_prefix or ""
        if value.startswith(prefix) and owner != pid and not typical.startswith(prefix):
            out.append(f"this looks like a {owner_name} key ({prefix}…), not a {name} key")
            return out
    if provider.typical_prefix and not value.startswith(provider.typical_prefix):
        out.append(f"{name} keys usually start with {provider.typical_prefix}; this one does not")
    return out
