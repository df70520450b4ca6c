"""Two installed oigcli programs against each other, alternately, in one run.

    python bench/ab.py OLD_OIGCLI NEW_OIGCLI [--runs 60] [-- ARGS ...]

For a change that should not make oigcli slower (a refactor): install the commit before
it in one virtual environment and the change in another, and give the two console
scripts. Each command runs RUNS times for each program, the two alternating (and which
goes first alternating too), as whole processes; the minimum and the median of each are
printed, and the ratio of the medians (new / old), so the machine's noise cancels out.
With no ARGS, the commands of bench/startup.py are compared (start-up).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup import COMMANDS

COMPILE = (
    "import compileall, os, oigcli; "
    "compileall.compile_dir(os.path.dirname(oigcli.__file__), quiet=1)"
)
"""Both packages are compiled to bytecode first: where PYTHONDONTWRITEBYTECODE is set, a
package whose bytecode was never written is compiled again at every start (10 ms and
more), which would be measured instead of the code."""


def _compile(program: str) -> None:
    python = Path(program).parent / "python"
    subprocess.run([str(python), "-c", COMPILE], cwd="/", check=True)  # (not the cwd's)


def _seconds(program: str, args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([program, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("args", nargs="*", help="one command's arguments (after --)")
    options = parser.parse_args(argv)
    commands = [options.args] if options.args else COMMANDS
    for program in (options.old, options.new):
        _compile(program)
    print("| command | old min / median (ms) | new min / median (ms) | new / old (medians) |")
    print("|---|---:|---:|---:|")
    for args in commands:
        times: dict[str, list[float]] = {"old": [], "new": []}
        for i in range(options.runs):
            for which in ("old", "new") if i % 2 else ("new", "old"):
                times[which].append(_seconds(getattr(options, which), args))
        old, new = (
            (min(times[k]) * 1000, statistics.median(times[k]) * 1000) for k in ("old", "new")
        )
        print(
            f"| `oigcli {' '.join(args)}` | {old[0]:.1f} / {old[1]:.1f} "
            f"| {new[0]:.1f} / {new[1]:.1f} | {new[1] / old[1]:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
