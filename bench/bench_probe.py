"""Benchmark: ``hermes-accounts test`` with 20 endpoints that each answer after 300 ms.

Target (issue 5): ``test --all`` over 20 endpoints finishes in at most 1.5x the
time of a single probe (at most 450 ms of probing), not 20x.

Set-up: the provider emulator (tests/emulator) listens on 20 loopback addresses
(127.0.0.1 … 127.0.0.20: twenty hosts, like twenty real providers), every route
answering after 300 ms; a throwaway ``$HERMES_HOME/.env`` points 20 providers at
them through their base-URL variables, the way users configure endpoints.

Measured (time.perf_counter, median of N runs):

1. probing only, in-process (``probe.runner.run``): one endpoint; all 20
   concurrently; all 20 one after another over one client (what a plain loop costs);
2. the whole CLI, as a user runs it (subprocess): ``test deepseek`` vs ``test --all``;
3. for reference, 20 endpoints on ONE host, where the per-host connection limit
   (4) makes the probes go in waves.

Run: ``.venv/bin/python bench/bench_probe.py [--runs N] [--latency S]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from hermes_accounts.probe import runner  # noqa: E402
from hermes_accounts.probe.request import ProbeRequest, plan  # noqa: E402
from hermes_accounts.resolver import Inputs, resolve  # noqa: E402
from tests.emulator import Emulator  # noqa: E402

# 20 providers with a base-URL variable and an OpenAI-style (Bearer) or Gemini probe.
PROVIDERS = [
    ("upstage", "UPSTAGE_API_KEY", "UPSTAGE_BASE_URL"),
    ("gemini", "GEMINI_API_KEY", "GEMINI_BASE_URL"),
    ("zai", "GLM_API_KEY", "GLM_BASE_URL"),
    ("kimi-coding", "KIMI_API_KEY", "KIMI_BASE_URL"),
    ("stepfun", "STEPFUN_API_KEY", "STEPFUN_BASE_URL"),
    ("arcee", "ARCEEAI_API_KEY", "ARCEE_BASE_URL"),
    ("gmi", "GMI_API_KEY", "GMI_BASE_URL"),
    ("alibaba", "DASHSCOPE_API_KEY", "DASHSCOPE_BASE_URL"),
    ("alibaba-coding-plan", "ALIBABA_CODING_PLAN_API_KEY", "ALIBABA_CODING_PLAN_BASE_URL"),
    ("deepseek", "DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL"),
    ("xai", "XAI_API_KEY", "XAI_BASE_URL"),
    ("nvidia", "NVIDIA_API_KEY", "NVIDIA_BASE_URL"),
    ("opencode-zen", "OPENCODE_ZEN_API_KEY", "OPENCODE_ZEN_BASE_URL"),
    ("kilocode", "KILOCODE_API_KEY", "KILOCODE_BASE_URL"),
    ("huggingface", "HF_TOKEN", "HF_BASE_URL"),
    ("xiaomi", "XIAOMI_API_KEY", "XIAOMI_BASE_URL"),
    ("tencent-tokenhub", "TOKENHUB_API_KEY", "TOKENHUB_BASE_URL"),
    ("ollama-cloud", "OLLAMA_API_KEY", "OLLAMA_BASE_URL"),
    ("deepinfra", "DEEPINFRA_API_KEY", "DEEPINFRA_BASE_URL"),
    ("novita", "NOVITA_API_KEY", "NOVITA_BASE_URL"),
]


def write_home(emu: Emulator, root: str, *, one_host: bool) -> str:
    home = os.path.join(root, "one-host" if one_host else "many-hosts")
    os.makedirs(home, exist_ok=True)
    lines = []
    for i, (pid, key_var, url_var) in enumerate(PROVIDERS):
        family = "gemini" if pid == "gemini" else "openai"
        key = emu.add_key(family, f"bench-key-{pid}-0123456789abcdef")
        path = f"/{family}-{pid}" + ("/v1beta" if family == "gemini" else "/v1")
        lines += [f"{key_var}={key}", f"{url_var}={emu.url(path, 0 if one_host else i)}"]
    with open(os.path.join(home, ".env"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return home


def plans_for(home: str) -> list[ProbeRequest]:
    inputs = Inputs.load(home, {"HOME": home, "PATH": os.environ.get("PATH", "")})
    out = []
    for pid, _, _ in PROVIDERS:
        req = plan(resolve(pid, inputs))
        assert isinstance(req, ProbeRequest), req
        out.append(req)
    return out


def timed(fn, runs: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


def check_all_ok(results) -> None:  # type: ignore[no-untyped-def]
    bad = [(r.provider, r.outcome) for r in results if r.outcome != "ok"]
    if bad:
        raise SystemExit(f"bench set-up broken, not every probe is ok: {bad}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--latency", type=float, default=0.3)
    args = ap.parse_args()
    hosts = tuple(f"127.0.0.{i}" for i in range(1, len(PROVIDERS) + 1))
    emu = Emulator().start(hosts=hosts)
    emu.fault("*", latency=args.latency)
    root = tempfile.mkdtemp(prefix="bench-probe-")
    try:
        many = write_home(emu, root, one_host=False)
        one = write_home(emu, root, one_host=True)
        reqs = plans_for(many)
        reqs_one_host = plans_for(one)

        def single() -> None:
            check_all_ok(asyncio.run(runner.run(reqs[:1])))

        def concurrent() -> None:
            check_all_ok(asyncio.run(runner.run(reqs)))

        async def one_by_one() -> list:  # type: ignore[type-arg]
            slot = asyncio.Semaphore(1)
            async with runner.make_client() as client:
                return [await runner.probe_one(client, r, timeout=10, slot=slot, secrets=[]) for r in reqs]

        def sequential() -> None:
            check_all_ok(asyncio.run(one_by_one()))

        def concurrent_one_host() -> None:
            check_all_ok(asyncio.run(runner.run(reqs_one_host)))

        env = {"HOME": root, "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"}

        def cli(*argv: str, home: str = many) -> None:
            proc = subprocess.run([sys.executable, "-m", "hermes_accounts", "test", "--home", home, *argv],
                                  capture_output=True, text=True, env=env, cwd=ROOT)
            if proc.returncode != 0:
                raise SystemExit(f"`test {' '.join(argv)}` failed ({proc.returncode}): "
                                 f"{proc.stdout}{proc.stderr}")

        print(f"20 endpoints, each answering after {args.latency * 1000:.0f} ms; median of {args.runs} runs")
        rows = [
            ("probing: 1 endpoint", single, args.runs),
            ("probing: 20 endpoints concurrently (20 hosts)", concurrent, args.runs),
            ("probing: 20 endpoints sequentially", sequential, max(1, args.runs // 3)),
            ("probing: 20 endpoints on ONE host (per-host limit 4)", concurrent_one_host, args.runs),
            ("CLI: test deepseek", lambda: cli("deepseek"), args.runs),
            ("CLI: test --all (20 endpoints)", lambda: cli("--all"), args.runs),
        ]
        med: dict[str, float] = {}
        for name, fn, runs in rows:
            fn()  # warm-up
            m, samples = timed(fn, runs)
            med[name] = m
            print(f"  {name:<54} {m * 1000:8.0f} ms   (min {min(samples) * 1000:.0f}, "
                  f"max {max(samples) * 1000:.0f})")
        ratio = med[rows[1][0]] / med[rows[0][0]]
        cli_ratio = med[rows[5][0]] / med[rows[4][0]]
        print(f"  probing ratio all/single: {ratio:.2f}x   (target <= 1.5x; "
              f"sequential/single {med[rows[2][0]] / med[rows[0][0]]:.1f}x)")
        print(f"  CLI ratio --all/single:   {cli_ratio:.2f}x   (target <= 1.5x)")
        ok = ratio <= 1.5 and cli_ratio <= 1.5 and med[rows[1][0]] <= 0.45 + args.latency * 0.5
        print("  PASS" if ok else "  FAIL")
        return 0 if ok else 1
    finally:
        emu.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
