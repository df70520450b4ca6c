"""Precision and coverage of oigcli's values read from reports' words, on the labelled
corpus of real report texts (tests/corpus/derived.jsonl).

    python scripts/derived_precision.py           # a table per rule and per field

Each corpus line is a passage of a real report's summary or text, with the values a
person read in it (``labels``; a field not labelled is not stated there), and its
``set``: ``development`` (the passages the rules were written against) or ``held-out``
(labelled before the rules were run on them). A value the rules give is right when it
equals the label, wrong when it differs or when the passage states none.
docs/derived.md keeps this script's output.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oigcli.model.derive import DERIVED, derive  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "derived.jsonl"


def main() -> int:
    items = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    failed = False
    for name in ("development", "held-out", "all"):
        chosen = [i for i in items if name in ("all", i["set"])]
        failed |= report(chosen, f"{name}: {len(chosen)} passages")
    return 1 if failed else 0


def report(items: list[dict[str, Any]], heading: str) -> bool:
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    stated: Counter[str] = Counter()
    found: Counter[str] = Counter()
    errors = []
    for item in items:
        text = item["text"]
        findings = derive(text, None) if item["field"] == "summary" else derive(None, text)
        for field in DERIVED:
            label = item["labels"].get(field)
            stated[field] += label is not None
            finding = findings.get(field)
            if finding is None:
                continue
            if finding.value == label:
                right[finding.rule] += 1
                found[field] += 1
            else:
                wrong[finding.rule] += 1
                errors.append(f"{item['id']}: {field} {finding.value} (labelled {label})")
    print(f"### {heading}\n")
    print("| rule | values read | right | wrong | precision |")
    print("|---|---:|---:|---:|---:|")
    for rule in sorted(set(right) | set(wrong)):
        total = right[rule] + wrong[rule]
        print(f"| {rule} | {total} | {right[rule]} | {wrong[rule]} | {right[rule] / total:.0%} |")
    print("\n| field | stated in the passages | read right | coverage |")
    print("|---|---:|---:|---:|")
    for field in DERIVED:
        share = f"{found[field] / stated[field]:.0%}" if stated[field] else "n/a"
        print(f"| {field} | {stated[field]} | {found[field]} | {share} |")
    print()
    for line in errors:
        print(f"wrong: {line}", file=sys.stderr)
    return bool(errors)


if __name__ == "__main__":
    raise SystemExit(main())
