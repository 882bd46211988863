"""The resolver and the explain/list path import nothing heavy (it runs at every agent start)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("textual", "httpx", "rich", "keyring", "secretstorage", "jeepney", "yaml", "ruamel",
         "dotenv", "anthropic", "openai")
SLOW_STDLIB = ("dataclasses", "pathlib", "typing", "argparse", "urllib.parse", "inspect")


def modules_after(code: str, env: dict | None = None) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, env=env)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_resolver_and_api_import_no_heavy_package() -> None:
    mods = modules_after("import hermes_accounts.resolver, hermes_accounts.api")
    assert not {m for m in mods if m.split(".")[0] in HEAVY}


def test_explain_fast_path_imports_neither_heavy_packages_nor_slow_stdlib(home) -> None:
    home.dotenv("MINIMAX_API_KEY=mm-test-abcdefghijklmnop\n")
    home.config("model:\n  provider: minimax\n  default: MiniMax-M2.7\n")
    code = ("import io, contextlib\nfrom hermes_accounts.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['explain', 'minimax', '--home', {str(home.path)!r}])\n")
    mods = modules_after(code, env=home.env)
    assert not {m for m in mods if m.split(".")[0] in HEAVY}
    assert not (mods & set(SLOW_STDLIB)), sorted(mods & set(SLOW_STDLIB))


def test_resolver_layer_does_not_reach_up_into_the_store(tmp_path) -> None:
    code = ("from hermes_accounts.resolver import Inputs, resolve_all\n"
            f"resolve_all(Inputs.load({str(tmp_path)!r}, {{}}))\n")
    mods = modules_after(code)
    higher = {m for m in mods if m.split(".")[:2] in (["hermes_accounts", p] for p in
                                                       ("store", "files", "probe", "cli", "api"))}
    assert not higher, sorted(higher)
