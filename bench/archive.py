"""The scraper's archive at its real shape: oigcli's full-text queries against grep, ripgrep
and a plain SQLite FTS5 table over the same texts, in one run.

    python bench/archive.py 10000            # a tree under bench/data/; BENCHMARKS.md's
                                             # "archive" section is rewritten
    python bench/archive.py 100000 --runs 3  # the whole archive's size (by hand: ~1 h)
    python bench/archive.py 200 --output -   # CI's smoke run, printed

Each tree is written as the inspectors-general scraper writes one
(``<inspector>/<year>/<report_id>/report.json`` with ``report.txt`` beside it) by a seeded
generator, so the same size gives the same bytes. Its shape is the real archive's
(issue #23, measured on real scraper output):

- report.txt sizes are log-normal, median 7 KB and mean ~36 KB (sigma 2.12), cut at
  300 KB; about 5% are under 200 bytes (a scanned PDF with no text layer);
- words are drawn from a Zipf distribution (s = 1) over 36,000 distinct words: English
  function words first, then the oversight vocabulary with its inflections (so stemming
  has work to do: recommend, recommends, recommended, recommendation, ...), then
  pseudo-words with English endings, each in several forms;
- marker words are planted in known reports (MARKERS), so every answer can be checked
  against grep's.

Measured, each a whole process, medians of ``--runs`` runs alternated with the peers:
first queries (no index), repeated queries (the tree's index ready), ``show``, the
index build, and the plain FTS5 floor (its build, its bm25 top 20 per query).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
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

from scale import ROOT, _first, _run, _stop_builders, environment, replace_section  # noqa: E402

INSPECTORS = ["dhs", "dod", "epa", "gpo", "lsc", "peacecorps", "fed", "flra", "usps", "va"]
MEDIAN_BYTES = 7_000
SIGMA = 2.12
"""Log-normal spread of report.txt sizes: with the cut at MAX_BYTES, the mean is ~36 KB."""
MAX_BYTES = 300_000
POOL_WORDS = 4_000_000
"""Words of the Zipf text that report texts are cut from (each at a random place)."""
MARKERS = {"zyxquartz": 1000, "qvplantedword": 97}
"""Planted words, each in the text of every Nth report (0.1% and ~1%)."""
TITLE_MARKER = ("wombatlegacy", 5000)
"""Planted in the title of every Nth report."""
PHRASE = ("mail facility", 50)
"""Planted as a phrase in every Nth report's text (its words are common on their own)."""

FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "that",
    "is",
    "on",
    "by",
    "with",
    "as",
    "be",
    "we",
    "not",
    "are",
    "was",
    "this",
    "or",
    "from",
    "it",
    "its",
    "at",
    "an",
    "have",
    "has",
    "were",
    "which",
    "their",
    "had",
    "should",
    "would",
    "these",
    "other",
    "all",
    "also",
    "than",
    "been",
    "may",
    "our",
    "did",
    "any",
    "such",
    "more",
    "they",
    "but",
    "each",
    "no",
    "only",
    "into",
    "there",
    "who",
    "could",
    "both",
    "within",
    "those",
    "when",
    "after",
    "during",
    "including",
    "however",
    "because",
    "whether",
    "while",
    "about",
]
OVERSIGHT = [
    "program",
    "department",
    "agency",
    "report",
    "audit",
    "office",
    "federal",
    "management",
    "information",
    "review",
    "security",
    "data",
    "system",
    "contract",
    "grant",
    "funds",
    "costs",
    "process",
    "control",
    "border",
    "inspection",
    "officer",
    "facility",
    "detention",
    "medical",
    "care",
    "custody",
    "policy",
    "oversight",
    "emergency",
    "disaster",
    "funding",
    "procurement",
    "cyber",
    "network",
    "privacy",
    "training",
    "equipment",
    "device",
    "search",
    "mail",
    "cargo",
    "vessel",
    "port",
    "entry",
    "compliance",
    "performance",
    "internal",
    "financial",
    "statement",
    "year",
    "fiscal",
    "general",
    "inspector",
    "employee",
    "staff",
    "government",
    "requirement",
    "risk",
    "improper",
    "payment",
    "payments",
    "oversight",
    "accountability",
    "evaluation",
]
INFLECTED = {
    "recommend": "recommend recommends recommended recommending recommendation recommendations",
    "concur": "concur concurs concurred concurring concurrence",
    "implement": "implement implements implemented implementing implementation",
    "determine": "determine determines determined determining determination determinations",
    "identify": "identify identifies identified identifying identification",
    "ensure": "ensure ensures ensured ensuring",
    "manage": "manage manages managed managing manager managers",
    "require": "require requires required requiring",
}
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "fa",
    "fe",
    "fi",
    "fo",
    "ga",
    "ge",
    "go",
    "ka",
    "ke",
    "ki",
    "ko",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "pa",
    "pe",
    "pi",
    "po",
    "pu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "za",
    "ze",
    "zi",
    "zo",
    "tra",
    "pre",
    "con",
    "dis",
    "pro",
    "ment",
]
ENDINGS = ["", "s", "ed", "ing", "ation", "ations", "er", "ers", "al", "ly", "ment", "ness"]


def vocabulary() -> list[str]:
    """36,000 distinct words, most frequent first: function words, the oversight words and
    their inflections, then pseudo-words in several English forms each."""
    rng = random.Random(23)
    words = list(FUNCTION_WORDS)
    for word in OVERSIGHT:
        words.append(word)
    for forms in INFLECTED.values():
        words.extend(forms.split())
    seen = set(words)
    while len(seen) < 36_000:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        for ending in rng.sample(ENDINGS, 4):
            word = stem + ending
            if word not in seen:
                seen.add(word)
                words.append(word)
    return words[:36_000]


def pool(rng: random.Random) -> str:
    """POOL_WORDS words of Zipf-distributed prose, in sentences and paragraphs."""
    words = vocabulary()
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    drawn = rng.choices(words, cum_weights=weights, k=POOL_WORDS)
    out = []
    for i in range(0, len(drawn), 18):
        sentence = " ".join(drawn[i : i + 18])
        out.append(sentence[:1].upper() + sentence[1:] + (".\n\n" if i % 180 == 0 else ". "))
    return "".join(out)


def _cut(text: str, rng: random.Random, size: int) -> str:
    """About ``size`` characters of ``text`` from a random place, whole words."""
    size = min(size, len(text) - 1)
    start = rng.randrange(0, len(text) - size)
    start = text.find(" ", start) + 1
    end = text.rfind(" ", start, start + size)
    return text[start:end] if end > start else ""


def write_tree(size: int) -> Path:
    """A scraper's folder of ``size`` reports, under bench/data/tree-<size>."""
    root = HERE / "data" / f"tree-{size}"
    if (root / ".real-shape").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(size)
    prose = pool(rng)
    for i in range(size):
        inspector = INSPECTORS[i % len(INSPECTORS)]
        year = rng.randint(2005, 2025)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        report_id = f"{inspector.upper()}-{year % 100:02d}-{i:06d}"
        if inspector == "dhs":
            report_id += f"_{year}"  # the DHS scraper's year suffix
        title = _cut(prose, rng, rng.randint(40, 120)).rstrip(".")
        if i % TITLE_MARKER[1] == 0:
            title += f" {TITLE_MARKER[0]}"
        record = {
            "inspector": inspector,
            "inspector_url": f"https://oig.{inspector}.example.gov/",
            "agency": inspector,
            "agency_name": inspector.upper(),
            "report_id": report_id,
            "title": title[:1].upper() + title[1:],
            "summary": _cut(prose, rng, rng.randint(0, 1500)) or None,
            "published_on": date,
            "year": year,
            "type": rng.choice(["audit", "inspection", "evaluation", "other"]),
            "url": f"https://oig.{inspector}.example.gov/{report_id}.pdf",
            "file_type": "pdf",
        }
        length = min(MAX_BYTES, int(rng.lognormvariate(math.log(MEDIAN_BYTES), SIGMA)))
        text = _cut(prose, rng, length)
        planted = [word for word, every in MARKERS.items() if i % every == 0]
        if i % PHRASE[1] == 0:
            planted.append(PHRASE[0])
        for word in planted:
            at = text.find(" ", rng.randrange(0, len(text) + 1)) if text else -1
            at = len(text) if at < 0 else at
            text = f"{text[:at]} {word}{text[at:]}"
        folder = root / inspector / str(year) / report_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        (folder / "report.txt").write_text(text, encoding="utf-8")
    (root / ".real-shape").write_text("", encoding="utf-8")
    return root


def _oigcli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "oigcli", *arguments]


def _median(argv: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    found = [_run(argv, env) for _ in range(runs)]
    return statistics.median(t for t, _ in found), max(m for _, m in found)


def _peer(argv: list[str], runs: int) -> tuple[float, set[str]]:
    """A peer's median time, and the report folders it named (grep -l and rg -l)."""
    times, named = [], set()
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.PIPE, check=False)
        times.append(time.perf_counter() - start)
        named = {os.path.dirname(p) for p in done.stdout.decode().splitlines()}
    return statistics.median(times), named


FTS_BUILD = """
import json, os, sqlite3, sys
root, db = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db, isolation_level=None)
c.execute("PRAGMA journal_mode = OFF")
c.execute("CREATE VIRTUAL TABLE t USING fts5(title, summary, text)")
c.execute("BEGIN")
for folder, _, files in os.walk(root):
    if "report.json" in files:
        r = json.load(open(os.path.join(folder, "report.json")))
        text = open(os.path.join(folder, "report.txt"), encoding="utf-8").read()
        c.execute("INSERT INTO t VALUES (?, ?, ?)", (r["title"], r["summary"], text))
c.execute("COMMIT")
"""
FTS_QUERY = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
sql = "SELECT rowid, bm25(t, 3, 1, 0.2) FROM t WHERE t MATCH ? ORDER BY rank LIMIT 20"
print(len(c.execute(sql, (sys.argv[2],)).fetchall()))
"""

QUERIES = [  # (what, search words, FTS5 query, grep pattern)
    ("rare word (planted)", "zyxquartz", "zyxquartz", "zyxquartz"),
    ("title word (planted)", TITLE_MARKER[0], TITLE_MARKER[0], TITLE_MARKER[0]),
    ("common word", "program", "program", "program"),
    ("most common word", "the", "the", "the"),
    ("stemmed word", "recommendation", "recommend*", "recommendation"),
    ("phrase (planted)", '"mail facility"', '"mail facility"', "mail[^a-z0-9_]+facility"),
]


def _ids(output: bytes) -> set[str]:
    return {json.loads(line)["id"] for line in output.splitlines() if line.strip()}


def _folder_ids(root: Path, folders: set[str]) -> set[str]:
    ids = set()
    for folder in folders:
        relative = Path(folder).relative_to(root).parts
        ids.add(f"{relative[0]}/{relative[-1]}")
    return ids


def measure(root: Path, runs: int) -> tuple[list[list[str]], list[str]]:
    """The table's rows, and the checks of planted answers against grep's."""
    size = sum(1 for _ in root.glob("*/*/*/report.json"))
    rows: list[list[str]] = []
    checks: list[str] = []
    rg = shutil.which("rg")
    data = ["--data", str(root)]

    def row(query: str, share: str, seconds: float, peak: float, grep: float, peer: float) -> None:
        rows.append(
            [
                query,
                share,
                f"{seconds:.3f}",
                f"{peak:.0f}",
                f"{seconds / grep:.2f}x",
                f"{seconds / peer:.2f}x" if peer else "",
            ]
        )

    peers: dict[str, tuple[float, float, set[str]]] = {}
    for _, _, _, word in QUERIES:
        grep, named = _peer(["grep", "-rliE", word, str(root)], runs)
        rgt = _peer([rg, "-li", word, str(root)], runs)[0] if rg else 0.0
        peers[word] = (grep, rgt, named)
    share = {w: f"{len(p[2]) / size:.0%}" for w, p in peers.items()}

    # first queries: no index (an empty cache each time; the builder it starts is killed)
    grep_program, rg_program, _ = peers["program"]
    firsts = {
        "search program": _oigcli("search", "program", *data, "--json"),
        "filter --text program": _oigcli("filter", "--text", "program", *data, "--format", "jsonl"),
        "stats --by inspector": _oigcli("stats", "--by", "inspector", *data),
        "list --format jsonl": _oigcli("list", "--format", "jsonl", *data),
    }
    for name, argv in firsts.items():
        found = [_first(argv) for _ in range(max(1, runs // 2))]
        seconds = statistics.median(t for t, _ in found)
        row(
            f"first `{name}`",
            share["program"],
            seconds,
            max(m for _, m in found),
            grep_program,
            rg_program,
        )

    with tempfile.TemporaryDirectory() as cache:
        env = environment(XDG_CACHE_HOME=cache)
        build, build_peak = _run(_oigcli("index", str(root)), env)
        _stop_builders(cache)
        index_mb = sum(f.stat().st_size for f in Path(cache).rglob("*.sqlite3")) / 1e6
        fts = os.path.join(cache, "plain-fts5.sqlite3")
        fts_build, fts_peak = _run([sys.executable, "-c", FTS_BUILD, str(root), fts])
        fts_mb = os.path.getsize(fts) / 1e6
        for what, words, match, word in QUERIES:
            grep, rgt, named = peers[word]
            argv = _oigcli("search", words, *data, "--limit", "20", "--json")
            seconds, peak = _median(argv, runs, env)
            floor, _ = _median([sys.executable, "-c", FTS_QUERY, fts, match], runs)
            row(f"`search {words}` ({what}), index ready", share[word], seconds, peak, grep, rgt)
            rows[-1].append(f"{floor:.3f}")
            if "planted" in what:
                found = _ids(
                    subprocess.run(
                        _oigcli("search", words, *data, "--format", "jsonl"),
                        env=env,
                        stdout=subprocess.PIPE,
                        check=True,
                    ).stdout
                )
                expected = _folder_ids(root, named)
                checks.append(
                    f"`search {words}`: {len(found)} reports, grep: {len(expected)}"
                    f" ({'equal' if found == expected else '**different**'})"
                )
        grep, rgt, _ = peers["program"]
        argv = _oigcli("filter", "--text", "program", *data, "--fields", "id", "--format", "tsv")
        seconds, peak = _median(argv, runs, env)
        row(
            "`filter --text program` ids to a pipe, index ready",
            share["program"],
            seconds,
            peak,
            grep,
            rgt,
        )
        one = next(root.glob("dhs/*/*/report.json"))
        for name, argv in {
            "show ID": _oigcli("show", f"dhs/{one.parent.name}", *data, "--json"),
            "filter --fy 2019": _oigcli("filter", "--fy", "2019", *data, "--json"),
            "filter --inspector epa": _oigcli("filter", "--inspector", "epa", *data, "--json"),
            "stats --by inspector": _oigcli("stats", "--by", "inspector", *data, "--json"),
        }.items():
            seconds, peak = _median(argv, runs, env)
            rows.append([f"`{name}`, index ready", "", f"{seconds:.3f}", f"{peak:.0f}", "", ""])
        following, followed = _following(root, data, env)
        rows += following
        checks += followed
        git = _git_status(root, runs)
        rows.append(["`git status` of the tree (freshness peer)", "", f"{git:.3f}", "", "", ""])
        rows.append(
            [
                f"index build ({index_mb:.0f} MB)",
                "",
                f"{build:.1f}",
                f"{build_peak:.0f}",
                "",
                f"{build / fts_build:.2f}x FTS5",
            ]
        )
        rows.append(
            [
                f"plain FTS5 build ({fts_mb:.0f} MB)",
                "",
                f"{fts_build:.1f}",
                f"{fts_peak:.0f}",
                "",
                "",
            ]
        )
    return rows, checks


def _following(
    root: Path, data: list[str], env: dict[str, str]
) -> tuple[list[list[str]], list[str]]:
    """The index following the tree (#23's item 4), each change left to settle first
    (builder.SETTLED_NS): one report added, then a query (the update is in its time), the
    query again; the report removed, then the query; a hard-link copy of the whole tree
    made (``cp -al``: every file's change time moves), then a query of the original (each
    file hashed once, and no report read). Each answer is checked, and that the index
    answered it."""
    rows: list[list[str]] = []
    checks: list[str] = []
    one = next(root.glob("dhs/*/*/report.json"))
    added = one.parent.parent / "BENCH-ADDED-1"
    record = {**json.loads(one.read_text(encoding="utf-8")), "report_id": added.name}
    record["title"] = "Zyxadded benchmark report"
    query = _oigcli("search", "zyxadded", *data, "--limit", "20", "--format", "jsonl")

    def step(name: str, expected: set[str]) -> None:
        seconds, peak = _run(query, env)
        done = subprocess.run([*query, "--verbose"], env=env, capture_output=True, check=True)
        indexed = b"answered from the index" in done.stderr
        rows.append([name, "", f"{seconds:.3f}", f"{peak:.0f}", "", ""])
        right = _ids(done.stdout) == expected
        checks.append(
            f"{name}: {'right' if right else '**wrong**'} answer,"
            f" {'from the index' if indexed else '**not from the index**'}"
        )

    copy = root.with_name(root.name + "-linked")
    try:
        added.mkdir()
        (added / "report.json").write_text(json.dumps(record), encoding="utf-8")
        (added / "report.txt").write_text("Added to the tree: zyxadded.", encoding="utf-8")
        time.sleep(2.1)
        step("one report added, then `search zyxadded`", {f"dhs/{added.name}"})
        step("the same `search zyxadded` again", {f"dhs/{added.name}"})
        shutil.rmtree(added)
        time.sleep(2.1)
        step("the report removed, then `search zyxadded`", set())
        subprocess.run(["cp", "-al", str(root), str(copy)], check=True)
        time.sleep(2.1)
        step("a hard-link copy made, then `search zyxadded` of the original", set())
    finally:
        shutil.rmtree(added, ignore_errors=True)
        shutil.rmtree(copy, ignore_errors=True)
    return rows, checks


def _git_status(root: Path, runs: int) -> float:
    """``git status`` of a git repository of the tree (made once, outside it)."""
    git = shutil.which("git")
    if git is None:
        return 0.0
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "GIT_DIR": os.path.join(work, "git"), "GIT_WORK_TREE": str(root)}
        quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run([git, "init", "-q"], check=True, **quiet)  # type: ignore[call-overload]
        subprocess.run([git, "add", "-A"], check=True, **quiet)  # type: ignore[call-overload]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([git, "status", "--porcelain"], check=True, **quiet)  # type: ignore[call-overload]
            times.append(time.perf_counter() - start)
    return statistics.median(times)


HEADER = ["query", "share", "seconds", "peak MiB", "/ grep -rli", "/ rg -li", "FTS5 floor (s)"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"), help="- for stdout")
    parser.add_argument(
        "--write-only", action="store_true", help="write the trees, measure nothing"
    )
    args = parser.parse_args(argv)
    if args.write_only:
        for size in args.sizes:
            write_tree(size)
        return 0
    lines = [
        "## The archive at its real shape: full text against grep, rg and plain FTS5 (#23)",
        "",
        f"`python bench/archive.py {' '.join(map(str, args.sizes))} --runs {args.runs}` on "
        f"{os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}: trees of the real archive's shape (bench/archive.py's "
        "docstring). Medians of the runs (first queries: half as many, each with an empty "
        "cache); ratios to `grep -rli` and `rg -li` for the same word in the same run. "
        "share: reports that grep finds the word in (the stemmed row: the word as written).",
    ]
    for size in args.sizes:
        # written by a child: a child of this process would start with the prose's pages
        subprocess.run([sys.executable, __file__, str(size), "--write-only"], check=True)
        root = write_tree(size)
        text_mb = sum(p.stat().st_size for p in root.rglob("report.txt")) / 1e6
        rows, checks = measure(root, args.runs)
        lines += ["", f"### {size:,} reports ({text_mb:.0f} MB of text)", ""]
        lines += ["| " + " | ".join(HEADER) + " |", "|---" * len(HEADER) + "|"]
        lines += ["| " + " | ".join(r + [""] * (len(HEADER) - len(r))) + " |" for r in rows]
        lines += ["", "Planted words against grep:", "", *(f"- {c}" for c in checks)]
    text = "\n".join(lines) + "\n"
    if args.output == "-":
        print(text)
    else:
        replace_section(Path(args.output), "archive", text)
        print(f"wrote the archive section of {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
