"""Benchmark the keyring path of the resolver against a real Secret Service.

    .venv/bin/python bench/bench_keyring.py [--runs 21]

Runs under ``scripts/with-keyring`` by itself when not already inside it, so
it never touches your own keyring. Measures, as cold processes (a new
interpreter per run, interleaved, median of ``--runs``, time.perf_counter
around subprocess.run):

(a) ``explain deepseek --json`` with the key in ``.env`` vs the key as the
    active keyring account. Target: keyring adds ≤ 60 ms.
(b) ``list --json`` with 1 vs 20 active keyring accounts (20 providers).
    Target: 20 accounts ≤ 1.5× the time with 1 (one batch, one connection).
(c) the import cost of the keyring path: ``import hermes_accounts.resolver``
    alone vs plus the modules the keyring source loads (the lean reader,
    jeepney, cryptography's AES), and the in-process split import / first batch.

The keyring-sourced explain is measured with both read transports in the same
run (default ``plain``, and ``dh``; see hermes_accounts/store/ss_reader.py);
``HERMES_ACCOUNTS_KEYRING_TRANSPORT=dh`` makes ``dh`` the main one.

Bytecode is compiled first (as pip does on install).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _providers(n: int) -> list[str]:
    from hermes_accounts import catalog

    out = [p.id for p in catalog.PROVIDERS
           if p.has_api_key and not p.required_prefix and p.id not in ("anthropic", "custom")]
    return out[:n]


def make_home(root: Path, name: str, *, dotenv: bool, accounts: int) -> dict[str, str]:
    """A Hermes home: deepseek's key in .env or the keyring, plus more keyring accounts."""
    from hermes_accounts.secret import Secret
    from hermes_accounts.store.accounts import AccountStore

    home = root / name
    home.mkdir()
    (home / "config.yaml").write_text("model:\n  provider: deepseek\n")
    if dotenv:
        (home / ".env").write_text("DEEPSEEK_API_KEY=sk-bench-deepseek-0123456789abcdef\n")
    store = AccountStore(str(home))
    names = ["deepseek", *[p for p in _providers(accounts + 1) if p != "deepseek"]][:accounts]
    for pid in names:
        store.set(pid, "default", Secret(f"sk-bench-{pid}-keyring-0123456789abcdef"))
    store.close()
    user = root / f"{name}-user"
    user.mkdir()
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(user), "HERMES_HOME": str(home),
            "LANG": "C.UTF-8", "DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"]}


def cold(cmds: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, tuple[float, float]]:
    """(median, min) wall time (ms) of each command, runs interleaved so load drift hits all alike."""
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(2):  # warm the page cache
        for argv, env in cmds.values():
            subprocess.run(argv, env=env, capture_output=True, check=True)
    for _ in range(runs):
        for key, (argv, env) in cmds.items():
            t = time.perf_counter()
            r = subprocess.run(argv, env=env, capture_output=True)
            times[key].append((time.perf_counter() - t) * 1000)
            if r.returncode != 0:
                raise SystemExit(f"{key} failed ({r.returncode}): {r.stderr.strip()[:300]}")
    return {k: (statistics.median(v), min(v)) for k, v in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    if os.environ.get("WITH_KEYRING") != "1":
        wrapper = ROOT / "scripts" / "with-keyring"
        return subprocess.call([str(wrapper), sys.executable, *sys.argv])
    compileall.compile_dir(str(ROOT / "hermes_accounts"), quiet=1)
    py = sys.executable
    cli = [py, "-m", "hermes_accounts"]
    dh = os.environ.get("HERMES_ACCOUNTS_KEYRING_TRANSPORT", "").strip().lower() == "dh"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env_dotenv = make_home(root, "dotenv", dotenv=True, accounts=0)
        env_kr1 = make_home(root, "kr1", dotenv=False, accounts=1)
        env_kr20 = make_home(root, "kr20", dotenv=False, accounts=20)
        from hermes_accounts.store.index import load_index

        n20 = len(load_index(env_kr20["HERMES_HOME"]).active_keyring())
        res = cold({
            "pass": ([py, "-c", "pass"], env_dotenv),
            "explain .env": ([*cli, "explain", "deepseek", "--json"], env_dotenv),
            "explain keyring": ([*cli, "explain", "deepseek", "--json"], env_kr1),
            "explain keyring, other transport": ([*cli, "explain", "deepseek", "--json"],
                                                 {**env_kr1, "HERMES_ACCOUNTS_KEYRING_TRANSPORT":
                                                  "plain" if dh else "dh"}),
            "list .env": ([*cli, "list", "--json"], env_dotenv),
            "list keyring x1": ([*cli, "list", "--json"], env_kr1),
            "list keyring x20": ([*cli, "list", "--json"], env_kr20),
            "import resolver": ([py, "-c", "import hermes_accounts.resolver"], env_dotenv),
            "import resolver+keyring path": (
                [py, "-c", "import hermes_accounts.resolver, hermes_accounts.store.source, "
                           "hermes_accounts.store.backends, hermes_accounts.store.ss_reader, "
                           "jeepney.io.blocking"
                           + (", cryptography.hazmat.primitives.ciphers" if dh else "")],
                env_dotenv),
        }, args.runs)
        split = subprocess.run([py, "-c", (
            "import time; t0=time.perf_counter(); "
            "from hermes_accounts.store.source import keyring_source; "
            f"s=keyring_source({env_kr20['HERMES_HOME']!r}); "
            "import hermes_accounts.store.backends, hermes_accounts.store.ss_reader, jeepney.io.blocking"
            + (", cryptography.hazmat.primitives.ciphers" if dh else "") + "; "
            "t1=time.perf_counter(); s('deepseek'); t2=time.perf_counter(); "
            "print(f'{(t1-t0)*1000:.1f} {(t2-t1)*1000:.1f}')")],
            env=env_kr20, capture_output=True, text=True, check=True).stdout.split()
    print(f"cold processes, median of {args.runs} (ms), real gnome-keyring on a private bus, "
          f"read transport {'dh' if dh else 'plain'}")
    print(f"  {'':34s} {'median':>7s} {'min':>7s}")
    for k, (med, low) in res.items():
        print(f"  {k:34s} {med:7.1f} {low:7.1f}")
    m = {k: v[0] for k, v in res.items()}
    add = m["explain keyring"] - m["explain .env"]
    other = m["explain keyring, other transport"] - m["explain .env"]
    ratio = m["list keyring x20"] / m["list keyring x1"]
    imp = m["import resolver+keyring path"] - m["import resolver"]
    print(f"(a) keyring-sourced explain adds {add:.1f} ms over .env-sourced   (target <= 60 ms) "
          f"{'OK' if add <= 60 else 'MISSED'}; with the {'plain' if dh else 'dh'} transport {other:.1f} ms")
    print(f"(b) list --json: {n20} keyring accounts / 1 = {ratio:.2f}x   (target <= 1.5x) "
          f"{'OK' if ratio <= 1.5 else 'MISSED'}")
    print(f"(c) import cost of the keyring path: {imp:.1f} ms cold; in-process: imports {split[0]} ms, "
          f"first batch of 20 over one connection {split[1]} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
