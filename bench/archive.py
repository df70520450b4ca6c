"""The scraper's archive as a folder: oigcli's full-text queries against grep, in one run.

    python bench/archive.py 1000 10000      # trees under bench/data/; BENCHMARKS.md's
                                            # "archive" section is rewritten
    python bench/archive.py 200 --output -  # a smoke run, printed

Each tree is written the way the inspectors-general scraper writes one
(``<inspector>/<year>/<report_id>/report.json`` with ``report.txt`` beside it), by a
seeded generator: the same size gives the same bytes. A report's text is about 20 KB
(3,000 words), as an extracted audit report's is; a rare word ("tunnel") is in about 1% of
the texts, so a query for it selects like a real one.

Measured, each against ``grep -rli WORD TREE`` in the same run (a ratio, so the machine's
speed cancels out):

- the first query (no index: the folder is read; a builder is then started and killed);
- repeated ``search WORD`` and ``filter --text WORD`` (from the folder's index);
- peak memory of each (it should not grow with the number of reports).

Targets (issue #14): repeated <= 0.1x grep's time, first <= 1.5x, memory flat.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import WORDS  # noqa: E402
from scale import ROOT, _first, _run, _stop_builders, environment, replace_section  # noqa: E402

INSPECTORS = ["dhs", "dod", "epa", "gpo", "lsc", "peacecorps", "fed", "flra"]
TEXT_WORDS = 3000
WORD = "tunnel"
RUNS = 5


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write_tree(size: int) -> Path:
    """A scraper's folder of ``size`` reports, under bench/data/tree-<size>."""
    root = HERE / "data" / f"tree-{size}"
    if (root / ".complete").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(size)
    for i in range(size):
        inspector = INSPECTORS[i % len(INSPECTORS)]
        year = rng.randint(2005, 2025)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        report_id = f"{inspector.upper()}-{year % 100:02d}-{i:06d}"
        if inspector == "dhs":
            report_id += f"_{year}"  # the DHS scraper's year suffix
        record = {
            "inspector": inspector,
            "inspector_url": f"https://oig.{inspector}.example.gov/",
            "agency": inspector,
            "agency_name": inspector.upper(),
            "report_id": report_id,
            "title": _words(rng, rng.randint(6, 16)).capitalize(),
            "summary": _words(rng, rng.randint(60, 200)).capitalize() + ".",
            "published_on": date,
            "year": year,
            "type": rng.choice(["audit", "inspection", "evaluation", "other"]),
            "url": f"https://oig.{inspector}.example.gov/{report_id}.pdf",
            "file_type": "pdf",
        }
        text = _words(rng, TEXT_WORDS)
        if rng.random() < 0.01:
            text += " The tunnel was not monitored."
        folder = root / inspector / str(year) / report_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        (folder / "report.txt").write_text(text, encoding="utf-8")
    (root / ".complete").write_text("", encoding="utf-8")
    return root


def _oigcli() -> list[str]:
    return [sys.executable, "-m", "oigcli"]


def _median(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    runs = [_run(argv, env) for _ in range(RUNS)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def _grep(root: Path) -> tuple[float, float]:
    argv = ["grep", "-rli", WORD, str(root)]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times), 0.0


def measure(root: Path) -> list[tuple[str, float, float, float]]:
    """(query, seconds, peak MiB, ratio to grep) for each query on the tree."""
    grep, _ = _grep(root)
    rows = [("grep -rli", grep, 0.0, 1.0)]
    data = ["--data", str(root)]
    queries = {
        "search": [*_oigcli(), "search", WORD, *data, "--json"],
        "filter --text": [*_oigcli(), "filter", "--text", WORD, *data, "--json"],
    }
    for name, argv in queries.items():
        seconds, peak = statistics.median(_first(argv)[0] for _ in range(3)), _first(argv)[1]
        rows.append((f"first {name}", seconds, peak, seconds / grep))
    with tempfile.TemporaryDirectory() as cache:
        env = environment(XDG_CACHE_HOME=cache)
        subprocess.run([*_oigcli(), "index", str(root)], env=env, check=True)
        _stop_builders(cache)
        for name, argv in queries.items():
            seconds, peak = _median(argv, env)
            rows.append((f"repeated {name}", seconds, peak, seconds / grep))
        built = sum(f.stat().st_size for f in Path(cache).rglob("*.sqlite3"))
        rows.append(("index size (MB)", built / 1e6, 0.0, 0.0))
    return rows


TARGETS = {"first": 1.5, "repeated": 0.1}


def _verdict(name: str, ratio: float) -> str:
    for kind, target in TARGETS.items():
        if name.startswith(kind):
            return "met" if ratio <= target else f"**missed** (target {target}x)"
    return ""


def main(argv: list[str]) -> int:
    output = ROOT / "BENCHMARKS.md"
    if "--output" in argv:
        where = argv.index("--output")
        output = Path(argv[where + 1])
        argv = argv[:where] + argv[where + 2 :]
    sizes = [int(a) for a in argv] or [1000, 10_000]
    lines = [
        "## The archive as a folder: full text against grep (issue #14)",
        "",
        f"`python bench/archive.py {' '.join(str(s) for s in sizes)}` on "
        f"{os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}. Trees in the scraper's layout, about 20 KB of text a "
        f'report; the word "{WORD}" is in about 1% of the texts. Medians of {RUNS} runs '
        "(3 for first queries, each with an empty cache); ratios to `grep -rli` on the "
        "same tree in the same run. Targets: first <= 1.5x grep, repeated <= 0.1x grep, "
        "peak memory flat in the number of reports.",
    ]
    for size in sizes:
        root = write_tree(size)
        text_mb = sum(p.stat().st_size for p in root.rglob("report.txt")) / 1e6
        lines += ["", f"### {size:,} reports ({text_mb:.0f} MB of text)", ""]
        lines += ["| query | seconds | peak MiB | ratio to grep | target |", "|---" * 5 + "|"]
        for name, seconds, peak, ratio in measure(root):
            if name.startswith("index size"):
                lines.append(f"| index size | {seconds:.0f} MB | | | |")
                continue
            lines.append(
                f"| {name} | {seconds:.3f} | {peak:.0f} | {ratio:.2f}x | {_verdict(name, ratio)} |"
            )
    text = "\n".join(lines) + "\n"
    if str(output) == "-":
        print(text)
    else:
        replace_section(output, "archive", text)
        print(f"wrote the archive section of {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
