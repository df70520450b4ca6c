"""Start-up time of every oigcli command against a bare Typer app, in the same run.

    python bench/startup.py [--runs N]

Each command and the reference run alternately, N times each (default 21), as whole
processes; medians are compared as ratios, because these machines are noisy and only a
comparison made in one run means anything. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["show", "21-27"],
    ["filter", "--text", "medical"],
    ["search", "medical"],
    ["stats"],
    ["stats", "--json"],
    ["validate"],
    ["schema"],
    ["--help"],
]


def _oigcli() -> list[str]:
    found = shutil.which("oigcli", path=str(Path(sys.executable).parent)) or shutil.which("oigcli")
    if found is None:
        raise SystemExit("oigcli is not installed in this environment (pip install .)")
    return [found]


def environment(**more: str) -> dict[str, str]:
    """The environment benchmarks run in: this one, but writing bytecode, as a user's
    Python does (pip compiles a package when it installs it; an editable install is
    compiled by the warm-up runs). PYTHONDONTWRITEBYTECODE would make every run compile
    oigcli's source again, a cost no installed oigcli pays."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **more}


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        env=environment(PAGER=""),
    )
    return time.perf_counter() - start


def measure(runs: int) -> list[tuple[str, float, float, float]]:
    reference = [sys.executable, str(HERE / "bare_typer.py")]
    rows = []
    for command in COMMANDS:
        argv = [*_oigcli(), *command]
        for _ in range(2):  # warm the file cache and .pyc files
            _time(reference), _time(argv)
        ours, theirs = [], []
        for _ in range(runs):
            theirs.append(_time(reference))
            ours.append(_time(argv))
        a, b = statistics.median(ours), statistics.median(theirs)
        rows.append(("oigcli " + " ".join(command), a * 1000, b * 1000, a / b))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    rows = measure(args.runs)
    print("| command | oigcli median (ms) | bare Typer median (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for name, ours, ref, ratio in rows:
        print(f"| `{name}` | {ours:.1f} | {ref:.1f} | {ratio:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
