"""Attacks from the second security review (issue #21), one or more tests each.

Each test is an attack or a fault that failed before its fix. Where the attack is about
exhaustion (memory, time), oigcli runs as a subprocess under an address-space limit and
a timeout, so a regression fails the test rather than the machine."""

from __future__ import annotations

import base64
import json
import os
import resource
import struct
import subprocess
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke, oigcli_executable, write_file
from oigcli.load import dataset, members
from oigcli.output.export import metadata_path
from oigcli.query.criteria import Criteria
from oigcli.sources.index import builder as index_builder
from oigcli.sources.index import identity as index_identity
from oigcli.sources.index import reader as index_reader
from scraper import ARCHIVE, folder_of, write_full_archive, zip_archive

# bz2.compress(b"\0" * 10**9, 9): a gigabyte of zeros in 722 bytes (it takes 8 s to make).
GIGABYTE_OF_ZEROS_BZ2 = base64.b64decode(
    "QlpoOTFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWUMEJfUBFJ/AIMAAAAQACCAAMMwFKaaqoiQ2AJEh4u5IpwoSBLaDFuA="
)
MEMORY_LIMIT = 512 << 20
"""Address space a subprocess may use: oigcli needs under 100 MiB; a bomb, gigabytes."""

RECORD = ARCHIVE[0]
MEMBER = f"data/{folder_of(RECORD)}/report.json"
TEXT_MEMBER = f"data/{folder_of(RECORD)}/report.txt"


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(
    args: Sequence[str], timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """oigcli as a program, with at most MEMORY_LIMIT of memory and ``timeout`` seconds."""
    return subprocess.run(
        [oigcli_executable(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limited,
        env=env,
        check=False,
    )


def _clean(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr


# --- crafted zips -------------------------------------------------------------------------


class Member:
    """One entry of a crafted zip: what its directory says and what its bytes are."""

    def __init__(
        self,
        name: str,
        data: bytes,
        method: int = members.STORED,
        size: int | None = None,
        crc: int | None = None,
        content: bytes | None = None,
    ) -> None:
        self.name, self.data, self.method = name, data, method
        real = data if content is None else content
        self.size = len(real) if size is None else size  # declared, uncompressed
        self.crc = zlib.crc32(real) if crc is None else crc


def deflated(content: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(content) + packer.flush()


def craft_zip(
    target: Path, entries: Sequence[Member], directory: Sequence[tuple[str, int]] = ()
) -> Path:
    """A zip whose local headers and directory say what ``entries`` say, true or not.
    ``directory``: more directory entries, (name, index of the member whose bytes it
    points at), as a zip made to mislead has them."""
    body, places = b"", []
    for member in entries:
        places.append(len(body))
        name = member.name.encode()
        body += (
            struct.pack(
                "<4s2B4HL2L2H",
                b"PK\x03\x04",
                46,
                0,
                0x800,
                member.method,
                0,
                0x21,
                member.crc,
                len(member.data),
                member.size,
                len(name),
                0,
            )
            + name
            + member.data
        )
    listed = [(m.name, i) for i, m in enumerate(entries)] + list(directory)
    central = b""
    for name_text, place in listed:
        member, name = entries[place], name_text.encode()
        central += (
            struct.pack(
                "<4s4B4HL2L5H2L",
                b"PK\x01\x02",
                46,
                3,
                46,
                0,
                0x800,
                member.method,
                0,
                0x21,
                member.crc,
                len(member.data),
                member.size,
                len(name),
                0,
                0,
                0,
                0,
                0o100644 << 16,
                places[place],
            )
            + name
        )
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(listed), len(listed), len(central), len(body), 0
    )
    target.write_bytes(body + central + end)
    return target


def record_bytes(record: dict[str, Any] = RECORD) -> bytes:
    return json.dumps(record).encode()


# --- 1. zips that lie about sizes -------------------------------------------------------


def test_a_report_json_that_inflates_past_what_the_zip_says_is_stopped(tmp_path: Path) -> None:
    """927 bytes whose directory said 100 used 2.1 GB: zipfile asks bzip2 for all of it
    at once. Now inflation stops one byte past what the zip said."""
    bomb = craft_zip(
        tmp_path / "bomb.zip",
        [Member(MEMBER, GIGABYTE_OF_ZEROS_BZ2, members.BZIP2, size=100, crc=0)],
    )
    for command in (["list"], ["validate"], ["search", "tunnel"]):
        done = run_limited(
            [*command, "--data", str(bomb)] if command != ["validate"] else ["validate", str(bomb)]
        )
        _clean(done)
        assert done.returncode == 3
        assert (
            "the zip says 100 bytes uncompressed, but the member holds more"
            in done.stdout + done.stderr
        )


def test_a_report_txt_bomb_is_not_read_by_a_query_or_the_builder(tmp_path: Path) -> None:
    """The same in a report.txt grew the background builder past 1.8 GB."""
    padding = os.urandom(index_identity.MIN_BYTES)  # so that the zip is large enough to be indexed
    bomb = craft_zip(
        tmp_path / "bomb.zip",
        [
            Member(MEMBER, record_bytes()),
            Member(TEXT_MEMBER, GIGABYTE_OF_ZEROS_BZ2, members.BZIP2, size=100, crc=0),
            Member("data/padding.bin", padding),
        ],
    )
    report = f"{RECORD['inspector']}/{RECORD['report_id']}"
    done = run_limited(["show", report, "--fields", "text", "--json", "--data", str(bomb)])
    _clean(done)
    assert done.returncode == 0 and json.loads(done.stdout) == {"text": None}
    built = run_limited(["index", str(bomb)])  # the builder, in the foreground
    _clean(built)
    assert built.returncode == 0, built.stderr
    again = run_limited(["show", report, "--json", "--verbose", "--data", str(bomb)])
    assert again.returncode == 0 and json.loads(again.stdout)["title"] == RECORD["title"]


def test_a_member_that_says_it_is_small_is_read_only_as_far_as_it_says(tmp_path: Path) -> None:
    stored = craft_zip(tmp_path / "stored.zip", [Member(MEMBER, record_bytes(), size=10)])
    deflate = craft_zip(
        tmp_path / "deflated.zip",
        [
            Member(
                MEMBER, deflated(record_bytes()), members.DEFLATED, size=10, content=record_bytes()
            )
        ],
    )
    for zipped in (stored, deflate):
        data = dataset.read(str(zipped))
        assert not data.reports
        assert [p.message for p in data.problems] == [
            "the zip says 10 bytes uncompressed, but the member holds more; "
            "a zip made to mislead: not read"
        ]


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (Member(MEMBER, record_bytes(), crc=1), "damaged (its checksum does not match); not read"),
        (Member(MEMBER, record_bytes()[:-5], content=record_bytes()), "cut short"),
        (Member(MEMBER, b"\xff" * 40, members.DEFLATED, size=40), "damaged (Error -3"),
        (
            Member(MEMBER, record_bytes(), 14),
            "compressed with method 14, which oigcli does not read",
        ),
        (Member(MEMBER, record_bytes(), members.BZIP2), "damaged (Invalid data stream)"),
    ],
)
def test_damaged_or_unreadable_members_are_problems(
    tmp_path: Path, member: Member, message: str
) -> None:
    data = dataset.read(str(craft_zip(tmp_path / "odd.zip", [member])))
    assert not data.reports and len(data.problems) == 1
    assert data.problems[0].message.startswith(message), data.problems[0].message


def test_a_zips_members_inflate_to_a_bounded_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One reading of one zip inflates at most ZIP_TOTAL_BYTES; what is past it is a
    problem, not read (a zip of a million honest 64 MiB members is a bomb too)."""
    archive = zip_archive(write_full_archive(tmp_path / "tree"), tmp_path / "bulk.zip")
    whole = dataset.read(str(archive))
    assert not whole.problems
    sizes = sorted(len(json.dumps(r, indent=2)) for r in ARCHIVE)
    monkeypatch.setattr(members, "ZIP_TOTAL_BYTES", sum(sizes[:3]))
    cut = dataset.read(str(archive))
    assert 0 < len(cut.reports) < len(whole.reports)
    assert len(cut.reports) + len(cut.problems) == len(whole.reports)
    assert all("more than 0 GiB uncompressed" in p.message for p in cut.problems)


def test_a_well_made_zip_is_read_whole(tmp_path: Path) -> None:
    """Stored, deflated and bzip2 members that say the truth read as the folder does."""
    tree = write_full_archive(tmp_path / "tree")
    from_folder = dataset.read(str(tree), texts=True).reports
    for method in (members.STORED, members.DEFLATED, members.BZIP2):
        import zipfile

        target = tmp_path / f"bulk-{method}.zip"
        with zipfile.ZipFile(target, "w", method) as archive:
            for path in sorted(tree.rglob("*")):
                if path.is_file():
                    archive.write(path, "data/" + path.relative_to(tree).as_posix())
        from_zip = dataset.read(str(target), texts=True)
        assert not from_zip.problems
        assert from_zip.reports == from_folder


# --- 2. repeated members ------------------------------------------------------------------


def test_one_member_listed_many_times_is_refused_at_once(tmp_path: Path) -> None:
    """200 directory entries pointing at one 64 MiB member (a 79 KB zip) took 113 s."""
    big = b" " * (4 << 20) + record_bytes()
    member = Member(MEMBER, deflated(big), members.DEFLATED, content=big)
    overlapping = craft_zip(
        tmp_path / "overlap.zip",
        [member],
        [(f"data/dhs/2021/r{n}/report.json", 0) for n in range(200)],
    )
    for args in (["list", "--data", str(overlapping)], ["validate", str(overlapping)]):
        done = run_limited(args, timeout=30)
        _clean(done)
        assert done.returncode == 3
        assert "the zip's entries overlap" in done.stderr + done.stdout


def test_a_name_listed_twice_is_refused(tmp_path: Path) -> None:
    twice = craft_zip(
        tmp_path / "twice.zip",
        [
            Member(MEMBER, record_bytes()),
            Member(MEMBER, record_bytes({**RECORD, "title": "FORGED"})),
        ],
    )
    done = run_limited(["list", "--data", str(twice)], timeout=30)
    _clean(done)
    assert done.returncode == 3 and f"the zip lists {MEMBER!r} twice" in done.stderr
    assert "FORGED" not in done.stdout


# --- 3. report.json read as report.txt is -----------------------------------------------


def _tree_with(tmp_path: Path, make: Callable[[Path], None]) -> tuple[Path, Path]:
    """The full test archive with one report.json replaced by what ``make`` puts there."""
    root = write_full_archive(tmp_path / "tree")
    victim = root / folder_of(RECORD) / "report.json"
    victim.unlink()
    make(victim)
    return root, victim


def test_a_fifo_named_report_json_hangs_nothing(tmp_path: Path) -> None:
    root, _ = _tree_with(tmp_path, os.mkfifo)
    for args in (["list", "--data", str(root)], ["validate", str(root)]):
        done = run_limited(args, timeout=30)
        _clean(done)
        assert done.returncode == 3
        assert (
            "not a regular file (a FIFO, a device or a folder); not read"
            in done.stdout + done.stderr
        )
    completion = subprocess.run(
        [oigcli_executable()],
        env={
            **os.environ,
            "_OIGCLI_COMPLETE": "complete_bash",
            "_TYPER_COMPLETE_ARGS": f"oigcli filter --data {root} -c ",
            "COMP_WORDS": f"oigcli filter --data {root} -c ",
            "COMP_CWORD": "5",
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completion.returncode == 0 and "Traceback" not in completion.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "private"])
def test_a_report_json_that_is_a_link_is_not_followed(
    tmp_path: Path, invoke: Invoke, target: str
) -> None:
    """A link to /dev/zero read without limit; a link to a private report-shaped file
    was followed, and its text printed and exported."""
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({**RECORD, "title": "PRIVATE KEY MATERIAL"}), encoding="utf-8")
    pointed = "/dev/zero" if target == "/dev/zero" else str(secret)
    root, _ = _tree_with(tmp_path, lambda victim: victim.symlink_to(pointed))
    done = run_limited(["list", "--json", "--skip-invalid", "--data", str(root)], timeout=30)
    _clean(done)
    assert done.returncode == 0 and "PRIVATE" not in done.stdout
    assert len(json.loads(done.stdout)) == len(ARCHIVE) - 1
    checked = invoke("validate", str(root))
    assert checked.exit_code == 3
    assert "a link; not followed (files in a dataset are read only as themselves)" in checked.stdout


def test_a_huge_sparse_report_json_is_not_read(tmp_path: Path) -> None:
    def sparse(victim: Path) -> None:
        with open(victim, "wb") as file:
            file.truncate(3 << 30)  # 3 GB of nothing, in no disk space

    root, _ = _tree_with(tmp_path, sparse)
    done = run_limited(["validate", str(root)], timeout=30)
    _clean(done)
    assert done.returncode == 3
    assert "3,221,225,472 bytes, more than a report.json can be (64 MiB); not read" in done.stdout


def test_a_report_json_that_grows_past_the_limit_while_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit is of bytes read, not of the size fstat said."""
    path = tmp_path / "report.json"
    path.write_bytes(b"x" * 100)
    real_fstat = os.fstat
    monkeypatch.setattr(
        os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:]))
    )
    with pytest.raises(members.Refused, match="grew past 50 bytes while it was read"):
        members.read_file(str(path), 50, "report.json")


# --- 4. the builder reads what it identified --------------------------------------------


FORGED = {**RECORD, "title": "FORGED 2999", "url": "https://attacker.example/"}


def test_a_link_swapped_while_the_builder_reads_gives_no_forged_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user owns a link on the dataset's path and points it at a forged file for
    the moment the builder reads (then back): the index must hold the real reports."""
    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)
    real = Path(write_file(tmp_path, json.dumps([RECORD]), "real.json"))
    forged = Path(write_file(tmp_path, json.dumps([FORGED]), "forged.json"))
    link = tmp_path / "shared" / "data.json"
    link.parent.mkdir()
    link.symlink_to(real)
    _swap_while_read(monkeypatch, link, forged, real)
    cache = tmp_path / "cache"
    assert index_builder.build(str(link), cache, settle=False) is not None
    opened = index_reader.open_index(str(link), cache)
    assert opened is not None
    titles = [report["title"] for report in opened.rows(Criteria().narrowing())]
    opened.close()
    assert titles == [RECORD["title"]]  # the real file's, never "FORGED 2999"


def test_a_tree_swapped_while_the_builder_reads_gives_no_forged_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a scraper's folder reached through a link: the builder reads the
    folder it identified, never the link again. (A link swapped inside the tree changes
    its folder's times, which the identity holds: that is caught as a change.)"""
    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)
    real = write_full_archive(tmp_path / "real")
    forged = write_full_archive(tmp_path / "forged")
    (forged / folder_of(RECORD) / "report.json").write_text(json.dumps(FORGED), encoding="utf-8")
    link = tmp_path / "shared" / "archive"
    link.parent.mkdir()
    link.symlink_to(real)
    _swap_while_read(monkeypatch, link, forged, real)
    cache = tmp_path / "cache"
    assert index_builder.build(str(link), cache, settle=False) is not None
    opened = index_reader.open_index(str(link), cache)
    assert opened is not None
    titles = {report["title"] for report in opened.rows(Criteria().narrowing())}
    opened.close()
    assert "FORGED 2999" not in titles and RECORD["title"] in titles


def test_each_file_the_builder_reads_is_checked_against_the_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder's files are read by path: what each was while read (fstat of the open
    file) must be what the identity stat'ed, or nothing is indexed."""
    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)
    root = write_full_archive(tmp_path / "tree")
    reading = members.read_file

    def another_file(path: str, limit: int, what: str, seen: Any = None) -> bytes:
        data = reading(path, limit, what, seen)
        if seen is not None and path.endswith(f"{RECORD['report_id']}/report.json"):
            seen[path] = seen[path]._replace(inode=seen[path].inode + 1)  # another file
        return data

    monkeypatch.setattr(members, "read_file", another_file)
    assert index_builder.build(str(root), tmp_path / "cache", settle=False) is None
    monkeypatch.setattr(members, "read_file", reading)
    assert index_builder.build(str(root), tmp_path / "cache", settle=False) is not None


def _swap_while_read(monkeypatch: pytest.MonkeyPatch, link: Path, forged: Path, real: Path) -> None:
    """While the builder's dataset.read runs, ``link`` points at ``forged``; before and
    after, at ``real`` (as the attacker's swap for a millisecond)."""
    reading = dataset.read

    def swapped(*args: Any, **kwargs: Any) -> Any:
        _point(link, forged)
        try:
            return reading(*args, **kwargs)
        finally:
            _point(link, real)

    monkeypatch.setattr(dataset, "read", swapped)


def _point(link: Path, target: Path) -> None:
    new = link.with_name(link.name + ".new")
    new.symlink_to(target)
    os.replace(new, link)


# --- 5. escapes in machine formats on a terminal ---------------------------------------

HOSTILE = (
    "Bell\x07 esc\x1b[2J osc8\x1b]8;;https://attacker.example/\x1b\\link\x1b]8;;\x1b\\ "
    "osc52\x1b]52;c;cm0gLXJmIH4=\x07 csi\x9b31m rlo\u202eevil alm\u061c lri\u2066 del\x7f cr\rover"
)
UNSAFE_ON_A_TERMINAL = set("\x07\x1b\x9b\u202e\u061c\u2066\x7f")


def _hostile_archive(folder: Path) -> Path:
    record = {**RECORD, "title": HOSTILE, "summary": HOSTILE}
    path = folder / "hostile.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--format", "csv"],
        ["list", "--format", "tsv"],
        ["list", "--json"],
        ["list", "--format", "jsonl"],
        ["list", "--format", "markdown"],
        ["list"],
        ["show", "{id}", "--json"],
        ["show", "{id}"],
        ["search", "bell", "--format", "csv"],
        ["stats", "--by", "component", "--format", "csv"],
        ["report", "--format", "html"],
        ["report", "--format", "markdown"],
        ["diff", "BUNDLED", "{data}", "--format", "csv"],
        ["diff", "BUNDLED", "{data}", "--format", "jsonl"],
        ["export", "--sqlite", "{tmp}/x.db"],
    ],
    ids=lambda args: " ".join(args),
)
def test_no_control_or_bidi_character_reaches_a_terminal(
    tmp_path: Path, invoke: Invoke, args: list[str]
) -> None:
    """CSV and TSV printed raw ESC, BEL, OSC 8 and OSC 52 to a terminal; JSON and JSON
    Lines U+009B and U+202E; the HTML brief, unpaged. On a terminal every format now
    escapes them; JSON stays the same JSON."""
    from conftest import BUNDLED_JSON, fake_terminal

    data = str(_hostile_archive(tmp_path))
    filled = [
        a.replace("{data}", data)
        .replace("{id}", f"{RECORD['inspector']}/{RECORD['report_id']}")
        .replace("{tmp}", str(tmp_path))
        .replace("BUNDLED", str(BUNDLED_JSON))
        for a in args
    ]
    if "diff" not in filled:
        filled += ["--data", data]
    env, out, err = fake_terminal(80, environ={"PAGER": "", "TERM": "xterm"})
    result = invoke(*filled, env=env)
    assert result.exit_code in (0, 1), err.getvalue()
    shown = out.getvalue() + err.getvalue()
    assert not UNSAFE_ON_A_TERMINAL & set(shown), sorted(UNSAFE_ON_A_TERMINAL & set(shown))
    assert "\r" not in shown.replace("\r\n", "")
    if "--json" in filled:
        value = json.loads(out.getvalue())
        assert (value[0] if isinstance(value, list) else value)["title"] == HOSTILE


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl"])
def test_a_pipe_gets_the_exact_data(tmp_path: Path, invoke: Invoke, fmt: str) -> None:
    """Only a terminal gets escapes: a pipe or a file keeps every character."""
    result = invoke(
        "list", "--format", fmt, "--fields", "title", "--data", str(_hostile_archive(tmp_path))
    )
    assert result.exit_code == 0
    if fmt == "json":
        assert json.loads(result.stdout) == [{"title": HOSTILE}]
    elif fmt == "jsonl":
        assert json.loads(result.stdout) == {"title": HOSTILE}
    else:
        assert (
            "\x1b]52;c;" in result.stdout and "\u202e" in result.stdout and "\x9b" in result.stdout
        )


def test_a_search_table_keeps_its_own_colour_and_escapes_the_datas(
    tmp_path: Path, invoke: Invoke
) -> None:
    from conftest import fake_terminal

    env, out, _ = fake_terminal(200, environ={"PAGER": "", "TERM": "xterm"})
    result = invoke("search", "osc52", "--data", str(_hostile_archive(tmp_path)), env=env)
    assert result.exit_code == 0
    shown = out.getvalue()
    assert "\x1b[1m" in shown  # the match, in bold: oigcli's own
    assert "\x1b]" not in shown and "\x07" not in shown and "\u202e" not in shown


# --- 7. the smaller ones ---------------------------------------------------------------


def test_completion_without_its_shells_variables_is_a_usage_error() -> None:
    done = subprocess.run(
        [oigcli_executable()],
        env={**os.environ, "_OIGCLI_COMPLETE": "complete_bash"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: completion needs COMP_WORDS, which the shell sets")


def test_an_option_of_another_command_suggests_only_a_line_that_works(invoke: Invoke) -> None:
    """`oigcli report --format html --no-pager` suggested `oigcli list --format html
    --no-pager`, which list refuses (it has no html). (report now takes --no-pager;
    --fields is such an option still.)"""
    result = invoke("report", "--format", "html", "--fields", "title")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: No such option: --fields (list, show, ")
    assert "did you mean" not in result.stderr
    assert invoke("report", "--format", "html", "--no-pager").exit_code == 0
    moved = invoke("list", "--format", "html", "-c", "CBP")
    assert "did you mean `oigcli report --format html -c CBP`?" in moved.stderr
    assert (
        "did you mean `oigcli filter -c CBP --json`?"
        in invoke("list", "-c", "CBP", "--json").stderr
    )


def test_a_regular_expression_has_one_budget_for_the_whole_query(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit was per value: (a|aa)+$ over 200 titles ran 120 s. Now the values of one
    query share one budget (1 s, and 0.1 s a million characters). A clock that says each
    search took 0.3 s: after the fourth value the budget is spent, whatever each took."""
    from oigcli.query import where

    now = [0.0]

    def clock() -> float:
        now[0] += 0.3  # read before and after each search: each takes 0.3 s
        return now[0]

    monkeypatch.setattr(where, "clock", clock)
    reports = [{**RECORD, "report_id": f"r-{n}", "title": f"Title {n}"} for n in range(200)]
    path = write_file(tmp_path, json.dumps(reports))
    result = invoke("filter", "--data", path, "--where", "title~Title")
    assert result.exit_code == 2 and "is too costly" in result.stderr
    assert now[0] == pytest.approx(0.3 * 2 * 4)  # four values searched, not two hundred


def test_a_catastrophic_pattern_over_many_values_stops_within_the_budget(tmp_path: Path) -> None:
    reports = [{**RECORD, "report_id": f"r-{n}", "title": "a" * 40 + "!"} for n in range(200)]
    path = write_file(tmp_path, json.dumps(reports))
    done = run_limited(["filter", "--data", path, "--where", "title~(a|aa)+$"], timeout=30)
    _clean(done)  # 200 s before: one second a value
    assert done.returncode == 2 and "is too costly" in done.stderr


def test_a_pattern_nested_hundreds_deep_is_a_usage_error(invoke: Invoke) -> None:
    """400 levels of parentheses: a RecursionError traceback."""
    result = invoke("filter", "--where", "title~" + "(" * 400 + "a" + ")" * 400)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "nested too deeply" in result.stderr and len(result.stderr) < 400


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_exported_files_respect_the_umask(tmp_path: Path, umask: int) -> None:
    """Exported files were 0644 whatever the umask, and --replace made a 0600 one 0644."""
    database, brief = tmp_path / "r.db", tmp_path / "charts"
    done = subprocess.run(
        f"umask {umask:o} && {oigcli_executable()} export --sqlite {database} && "
        f"{oigcli_executable()} report --format markdown --assets {brief} > /dev/null",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for written in (database, metadata_path(database), *brief.glob("*.svg")):
        assert written.stat().st_mode & 0o777 == 0o666 & ~umask, written


def test_replace_keeps_the_permissions_of_the_file_it_replaces(
    tmp_path: Path, invoke: Invoke
) -> None:
    database = tmp_path / "r.db"
    assert invoke("export", "--sqlite", str(database)).exit_code == 0
    database.chmod(0o600)
    assert invoke("export", "--sqlite", str(database), "--replace").exit_code == 0
    assert database.stat().st_mode & 0o777 == 0o600


def test_a_folder_deeper_than_the_system_allows_is_named(tmp_path: Path, invoke: Invoke) -> None:
    """A report folder past PATH_MAX was skipped silently."""
    root = write_full_archive(tmp_path / "tree")
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(24):  # 24 folders of 200 characters: over 4,096 bytes of path
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        report = os.open("report.json", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(report, record_bytes({**RECORD, "report_id": "deep"}))
        os.close(report)
    finally:
        os.close(fd)
    result = invoke("list", "--json", "--data", str(root))
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == len(ARCHIVE)
    assert "is longer than this system allows; the reports below it are not read." in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--data", "a\x00b"],
        ["validate", "a\x00b"],
        ["index", "a\x00b"],
        ["diff", "a\x00b", "b.json"],
        ["export", "--sqlite", "out\x00.db"],
        ["report", "--assets", "charts\x00"],
    ],
    ids=["--data", "validate", "index", "diff", "--sqlite", "--assets"],
)
def test_a_path_with_a_nul_byte_is_a_usage_error(invoke: Invoke, args: list[str]) -> None:
    """No shell can pass one, but a caller in Python can (the fuzzer did): it was a
    ValueError traceback ("embedded null byte") in every command that takes a path."""
    result = invoke(*args)
    assert result.exit_code == 2 and "has a NUL byte, which no file name can have" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_api_refuses_a_path_with_a_nul_byte() -> None:
    import oigcli

    with pytest.raises(oigcli.UsageError, match="NUL byte"):
        oigcli.open("reports\x00.json")


def test_an_io_error_inside_a_zip_is_a_problem_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fails under a member (EIO) while it is inflated."""
    archive = zip_archive(write_full_archive(tmp_path / "tree"), tmp_path / "bulk.zip")
    real = members.Zip._inflate

    def failing(self: members.Zip, info: Any) -> bytes:
        if info.filename.endswith(f"{RECORD['report_id']}/report.json"):
            raise OSError(5, "Input/output error")
        return real(self, info)

    monkeypatch.setattr(members.Zip, "_inflate", failing)
    data = dataset.read(str(archive))
    assert len(data.reports) == len(ARCHIVE) - 1
    assert [p.message for p in data.problems] == [
        "cannot be read from the zip ([Errno 5] Input/output error)"
    ]
