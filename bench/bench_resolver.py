"""Benchmark the resolver: in-process (warm) and as cold processes.

    .venv/bin/python bench/bench_resolver.py [--runs 30] [--hermes-python PATH]

(a) warm, in one process: ``Inputs.load`` + resolve one provider / all providers,
    reading a realistic ``.env`` (every provider's key), ``config.yaml`` and the
    environment each time. Targets: ≤ 1 ms for one, ≤ 20 ms for all.
(b) cold processes: ``hermes-accounts explain minimax --json`` against a bare
    ``python -c pass`` and against Hermes 0.19 resolving the same config
    (``load_hermes_dotenv`` + ``resolve_runtime_provider``), interleaved, median
    of ``--runs``. Targets: ≤ 2.5× bare Python and ≥ 4× faster than Hermes.

Bytecode is compiled first (as pip does on install): this machine may set
PYTHONDONTWRITEBYTECODE, which would otherwise time the compiler.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_home(root: Path) -> dict[str, str]:
    from hermes_accounts import catalog

    home = root / "hermes"
    home.mkdir()
    lines = ["# realistic .env: a key for every provider, a few comments", ""]
    for p in catalog.PROVIDERS:
        if p.primary_env_var:
            prefix = p.required_prefix or "sk-"
            lines.append(f"{p.primary_env_var}={prefix}bench-{p.id}-0123456789abcdef")
    lines += ["", "TELEGRAM_BOT_TOKEN=123:abc", "TERMINAL_ENV=local"]
    (home / ".env").write_text("\n".join(lines) + "\n")
    (home / "config.yaml").write_text(
        "_config_version: 50\nmodel:\n  provider: minimax\n  default: MiniMax-M2.7\n"
        "  base_url: https://api.minimax.io/anthropic\nterminal:\n  backend: local\n"
        "agent:\n  max_turns: 60\n")
    user = root / "user"
    user.mkdir()
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(user), "HERMES_HOME": str(home),
            "LANG": "C.UTF-8"}


def warm(env: dict[str, str], runs: int) -> None:
    from hermes_accounts.resolver import Inputs, resolve, resolve_all

    def one() -> None:
        resolve("minimax", Inputs.load(env["HERMES_HOME"], env))

    def every() -> None:
        resolve_all(Inputs.load(env["HERMES_HOME"], env))

    for name, fn, target in (("resolve one provider", one, 1.0),
                             ("resolve all providers", every, 20.0)):
        fn()
        times = []
        for _ in range(runs * 10):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        med = statistics.median(times)
        print(f"(a) {name:24s} median {med:7.3f} ms  min {min(times):7.3f} ms  "
              f"target ≤ {target} ms  {'OK' if med <= target else 'MISSED'}")


def cold(env: dict[str, str], runs: int, hermes_python: str | None) -> None:
    py = sys.executable
    ours = [str(Path(py).parent / "hermes-accounts"), "explain", "minimax", "--json"]
    if not Path(ours[0]).exists():
        ours = [py, "-m", "hermes_accounts", "explain", "minimax", "--json"]
    commands = {"python -c pass": [py, "-c", "pass"], "hermes-accounts explain": ours}
    if hermes_python:
        commands["hermes 0.19 resolve"] = [hermes_python, "-c", (
            "from hermes_cli.env_loader import load_hermes_dotenv; load_hermes_dotenv(); "
            "from hermes_cli.runtime_provider import resolve_runtime_provider; "
            "resolve_runtime_provider()")]
    run_env = {k: v for k, v in env.items()}
    times: dict[str, list[float]] = {k: [] for k in commands}
    for name, cmd in commands.items():  # warm-up, and a check that each one works
        r = subprocess.run(cmd, env=run_env, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"(b) {name} failed: {r.stderr.strip()[-300:]}")
            return
    for _ in range(runs):
        for name, cmd in commands.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - t0) * 1000)
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, m in med.items():
        print(f"(b) {name:24s} median {m:7.1f} ms  (min {min(times[name]):.1f}, n={runs})")
    ratio = med["hermes-accounts explain"] / med["python -c pass"]
    verdict = "OK" if ratio <= 2.5 else "MISSED"
    print(f"(b) explain / bare python   {ratio:5.2f}×   target ≤ 2.5×  {verdict}")
    if "hermes 0.19 resolve" in med:
        speedup = med["hermes 0.19 resolve"] / med["hermes-accounts explain"]
        verdict = "OK" if speedup >= 4 else "MISSED"
        print(f"(b) Hermes / explain        {speedup:5.2f}×   target ≥ 4×    {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    default_hermes = ROOT / ".venv-hermes" / "bin" / "python"
    ap.add_argument("--hermes-python", default=os.environ.get("HERMES_ORACLE_PYTHON")
                    or (str(default_hermes) if default_hermes.exists() else None))
    args = ap.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "hermes_accounts")],
                   check=True, stdout=subprocess.DEVNULL)
    tmp = Path(tempfile.mkdtemp(prefix="bench-resolver-"))
    try:
        env = make_home(tmp)
        warm(env, args.runs)
        cold(env, args.runs, args.hermes_python)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
