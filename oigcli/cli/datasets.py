"""The commands that check, compare, keep or describe datasets: validate, diff, export,
index, report, schema, and help."""

import os
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from oigcli import api
from oigcli.api import Shape
from oigcli.cli import complete
from oigcli.cli.app import (
    app,
    asking,
    data_path,
    env_for,
    epilog,
    open_reports,
    printer,
    tell_notes,
)
from oigcli.cli.options import (
    CRITERIA,
    DATA_ONLY,
    IN_OUT,
    OUTPUT_ONLY,
    PAGED_DATA,
    PRINTED,
    TITLE,
    InOut,
    TitleOption,
)
from oigcli.model.errors import OigError, OutputError, UsageError
from oigcli.model.schema import FIELD_NAMES, SHOWN_NAMES, json_schema
from oigcli.model.text import did_you_mean, sanitise, usable_path
from oigcli.output.context import Environment
from oigcli.query.criteria import Criteria


@app.command(
    epilog=epilog(
        "oigcli validate reports.jsonl",
        "oigcli validate inspectors-general/data/dhs --format json | jq length",
        "oigcli list --format jsonl | oigcli validate -",
    ),
)
@IN_OUT.adds
def validate(
    ctx: typer.Context,
    io: InOut,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help="A JSON or JSON Lines file, a scraper directory, or - for stdin. "
            "Default: the active dataset (--data, $OIGCLI_DATA, else the bundled one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a dataset and list every problem, each with its place.

    Checks JSON syntax, field types, required fields (report_number, title,
    fiscal_year), dates, duplicate ids, a fiscal year that disagrees
    with the issue date, and more recommendations concurred than made; and says
    which report.txt files are not clean (not UTF-8, NUL bytes), which are used
    repaired, and which scraper records' folder year, year and date disagree. Exits 0
    when the dataset is valid and 3 when it is not.
    """
    from oigcli.load import dataset, records

    env = env_for(ctx, io)
    target = data_path(env, io.data if path is None else path)
    try:  # every report checked, none kept; the texts read, to say which are not clean
        data = dataset.read(target, env.stdin, pick=lambda report: None, texts=True)
    except OigError as exc:  # nothing could be read: that is the one problem
        data = dataset.Dataset(target or records.BUNDLED)
        data.problems.append(records.Problem(data.source, str(exc).removeprefix(f"{target}: ")))
    printer(env, io).problems(data.problems, data.source, data.records)
    if data.flaws:
        count, shown = len(data.flaws), "\n".join(f"  {sanitise(f)}" for f in data.flaws[:3])
        first = f" (the first 3 of {count:,})" if count > 3 else ""
        env.error(f"Note: texts used repaired{first}:\n{shown}")
    if data.doubts:
        count, shown = len(data.doubts), "\n".join(f"  {sanitise(d)}" for d in data.doubts[:3])
        first = f" (the first 3 of {count:,})" if count > 3 else ""
        env.error(f"Note: years that disagree{first}:\n{shown}")
    if data.problems:
        count = len(data.problems)
        env.error(f"{count} problem{'s' if count != 1 else ''} in {data.source}")
        raise typer.Exit(3)


UNREADABLE = 5
"""diff's exit status when a record of either side could not be read (--skip-invalid):
the difference printed is all that could be told, and a script must not take a report
in an unreadable record as removed (nor as added)."""


@app.command(
    epilog=epilog(
        "oigcli diff reports.json reports.jsonl",
        "oigcli diff reports.json inspectors-general/data --json | jq '.added | length'",
        "oigcli diff reports.json inspectors-general/data -c CBP --format markdown",
        status="Exit status (as diff(1)): 0 the datasets are the same, 1 they differ,\n"
        "2 a usage error, 3 a dataset that cannot be read or is invalid, 4 the output\n"
        "cannot be written, 5 (with --skip-invalid) a record could not be read: it is\n"
        "listed as unreadable, never as removed or added.",
    ),
)
@CRITERIA.adds
@OUTPUT_ONLY.adds
def diff(
    ctx: typer.Context,
    old: Annotated[
        str,
        typer.Argument(
            metavar="OLD",
            help="The earlier dataset: a JSON or JSON Lines file, a scraper folder, a zip, "
            "or - for stdin.",
            show_default=False,
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(metavar="NEW", help="The later dataset, as OLD.", show_default=False),
    ],
    criteria: Criteria,  # built by CRITERIA from the options it adds
    io: InOut,
) -> None:
    """Compare two datasets: the reports added, removed and changed.

    Reports are matched by id, and a changed report lists each field that differs
    with its old and new value (the full text is not compared). The criteria
    narrow both sides. Exit status as diff(1): 0 when they are the same, 1 when
    they differ, 2 on a usage error, 3 when a dataset cannot be used; with
    --skip-invalid, 5 when a record of either side could not be read (it is listed
    as unreadable, never as removed or added).
    """
    env = env_for(ctx, io)
    if old == "-" and new == "-":
        raise UsageError("OLD and NEW cannot both be standard input; save one to a file")
    sides = [open_reports(env, io, data_path(env, path)) for path in (old, new)]
    found, notes = sides[0].difference(sides[1], criteria)
    tell_notes(env, notes)
    printer(env, io).difference(found)
    if found.unreadable:
        raise typer.Exit(UNREADABLE)
    if not found.empty:
        raise typer.Exit(1)


@app.command(
    epilog=epilog(
        "oigcli export --sqlite reports.db",
        "oigcli export --sqlite cbp.db -c CBP --data inspectors-general/data --replace",
    ),
)
@CRITERIA.adds
@DATA_ONLY.adds
def export(
    ctx: typer.Context,
    criteria: Criteria,  # built by CRITERIA from the options it adds
    io: InOut,
    sqlite: Annotated[
        str,
        typer.Option(
            "--sqlite",
            metavar="FILE",
            help="The SQLite database to write; its Datasette metadata is written beside it "
            "(reports.db: reports.metadata.json).",
            show_default=False,
        ),
    ],
    title: TitleOption = TITLE,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Write over FILE and its metadata if they exist."),
    ] = False,
) -> None:
    """Write the selected reports into a SQLite database for Datasette.

    A reports table keyed by id (list fields as JSON arrays), full-text search
    on the title, summary and text as sqlite-utils enable-fts sets it up, and a
    FILE's metadata beside it (reports.db: reports.metadata.json) with facets on
    component, fiscal year, inspector and type: then `datasette reports.db -m
    reports.metadata.json` gives a browsable, searchable
    site. Takes every criterion of filter.
    """

    import json

    from oigcli.output import export as exporting
    from oigcli.output import writers as output

    env = env_for(ctx, io)
    target = Path(usable_path(sqlite, "--sqlite"))
    if target.is_dir() or not target.name:
        raise UsageError(f"{target} is a folder; give the database file to write")
    about = exporting.metadata_path(target)
    if not replace:
        for path in (target, about):
            if os.path.lexists(path):
                raise UsageError(f"{path} exists; add --replace to write over it")
    with asking(env, io) as reports:
        chosen = reports.select(criteria, Shape(fields=",".join(FIELD_NAMES)))
        tell_notes(env, chosen.notes)
        source = reports.path or "the bundled DHS OIG reports (keyword OFO)"
        try:
            count = exporting.write_sqlite(chosen.rows, target)
            text = json.dumps(exporting.metadata(target, title, source), indent=2)
            output.write_file(about, text + "\n")
        except OSError as exc:
            raise OutputError(
                f"cannot write {sanitise(str(exc.filename or target))}: {exc.strerror or exc}"
            ) from None
    env.error(
        f"Wrote {count} report{'s' if count != 1 else ''} to {sanitise(str(target))}; "
        f"browse them with: datasette {sanitise(str(target))} -m {sanitise(str(about))}"
    )


@app.command(
    "index",
    epilog=epilog(
        "oigcli index inspectors-general/data",
        "oigcli index bulk.zip reports.json",
        status="Exit status: 0 every dataset has an index (or is too small to need one),\n"
        "2 a usage error, 3 a dataset that cannot be indexed (missing, invalid,\n"
        "or changed while it was read), 4 the cache cannot be used.",
    ),
)
def index_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Dataset files, zips (or a folder inside one) and scraper folders.",
            show_default=False,
        ),
    ],
) -> None:
    """Index datasets now, in the cache that queries use.

    The first query of a large file, zip or scraper folder indexes it in the
    background; this builds each index at once and waits for it, as a script
    does after it downloads an archive. Repeated queries then answer from the
    index. Success is quiet.
    """

    env = env_for(ctx)
    # Terminated, a builder leaves nothing behind (its temporary file is removed as it
    # unwinds) and exits as a terminated process would: 128 + SIGTERM.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    for path in paths:
        if path in ("", "-"):
            raise UsageError("give a dataset file, zip or folder to index (not standard input)")
        note = api.Reports(path, environ=env.environ).index()
        if note is not None:
            env.error(f"Note: {note}")


class CacheAction(str, Enum):
    list = "list"
    clear = "clear"


CACHE_FIELDS = ("dataset", "exists", "reports", "bytes", "built", "last_used", "index")
CACHE_COLUMNS = ("dataset", "exists", "reports", "size", "built", "last_used")
"""A table's columns: the size in MB rather than bytes, and no file name."""


@app.command(
    "cache",
    epilog=epilog(
        "oigcli cache",
        "oigcli cache --json | jq 'map(.bytes) | add'",
        "oigcli cache clear",
        "OIGCLI_CACHE_MAX=20G oigcli index inspectors-general/data",
        status="Exit status: 0 done (clear: every index removed), 2 a usage error\n"
        "(OIGCLI_CACHE_MAX is not a size), 4 the cache cannot be used, or clear\n"
        "left an index that a query is reading or a builder is writing.",
    ),
)
@PRINTED.adds
def cache_command(
    ctx: typer.Context,
    io: InOut,
    action: Annotated[
        CacheAction,
        typer.Argument(
            help="list (the default): each index with its dataset, reports, size, when it "
            "was built and last used; clear: remove them all.",
            show_default=False,
        ),
    ] = CacheAction.list,
) -> None:
    """List or clear the indexes in the cache.

    A large dataset is indexed in your cache ($XDG_CACHE_HOME/oigcli, else
    ~/.cache/oigcli) after a first query reads it; later queries answer from the
    index while the dataset is as it was. Indexes past OIGCLI_CACHE_MAX (12G by
    default; 500M, 1.5T) are removed, least recently used first, but never one in
    use or built in the last hour.
    """
    from oigcli.sources import source

    env = env_for(ctx, io)
    cap, cache = source.cache_inventory(env.environ)
    if action is CacheAction.clear:
        removed, left = source.clear_cache(cache)
        if left:
            raise OutputError(
                f"{left} index{'es' if left != 1 else ''} in use (a query reading it, or a "
                f"builder writing it) left in {cache}; {removed} removed: try again later"
            )
        return
    rows = source.cached(cache)
    shown = printer(env, io)
    if shown.people:
        rows = [{**row, "size": f"{row['bytes'] / 1e6:,.0f} MB"} for row in rows]
    fields = shown.fields(None, CACHE_COLUMNS, CACHE_FIELDS)
    shown.rows(rows, fields, True, lambda: f"No index in {cache}.")
    if shown.people and rows:
        used = sum(row["bytes"] for row in rows) / 1e6
        env.error(f"{len(rows)} in {cache}: {used:,.0f} MB of at most {cap / 1e6:,.0f} MB.")


class BriefFormat(str, Enum):
    html = "html"
    markdown = "markdown"
    md = "md"


@app.command(
    epilog=epilog(
        "oigcli report --format html > brief.html",
        "oigcli report -c CBP --title 'CBP oversight' --date 2026-11-29 --format markdown",
        "oigcli report --format markdown --assets charts > brief.md",
    ),
)
@CRITERIA.adds
@PAGED_DATA.adds
def report(
    ctx: typer.Context,
    criteria: Criteria,  # built by CRITERIA from the options it adds
    io: InOut,
    format: Annotated[
        BriefFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="html: one self-contained file (inline CSS and SVG charts, no script or "
            "request), for a mail or an archive; markdown (md): tables and text bars, as "
            "GitHub renders them.",
        ),
    ] = BriefFormat.markdown,
    title: TitleOption = TITLE,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="TEXT",
            help="A date (or any text) printed under the title. Without it the brief "
            "holds no time at all, so two runs on the same data are the same.",
        ),
    ] = None,
    assets: Annotated[
        str | None,
        typer.Option(
            "--assets",
            metavar="DIR",
            help="Markdown only: write the charts as SVG files into DIR (made if need be) "
            "and link them from the brief.",
        ),
    ] = None,
) -> None:
    """Write a brief on the selected reports: totals, charts, the full list.

    The headline totals (reports, recommendations, concurred, the concurrence
    rate, reports with unknown counts); reports per fiscal year (every year from
    the first to the last) and recommendations made and concurred per component
    (per inspector when the reports are of several), as charts with their numbers
    in tables, leaving out the groups with no count known; the reports with the
    most recommendations not concurred with; the newest 25 with their summaries
    ("What is new"); and every report, newest first, with its link (and its
    inspector, when there are several). Every number is one
    `oigcli stats --json` gives for the same criteria; unknown stays unknown.
    """

    from oigcli.output import brief
    from oigcli.output import writers as output
    from oigcli.query import stats

    html = format is BriefFormat.html
    if assets is not None and html:
        raise UsageError("--assets is for --format markdown: the HTML holds its charts")
    env = env_for(ctx, io)
    with asking(env, io) as reports:
        chosen = reports.select(criteria, Shape(fields=",".join(SHOWN_NAMES)))
        rows = [{name: row[name] for name in SHOWN_NAMES} for row in chosen.rows]
        tell_notes(env, chosen.notes)
    several = len({row["inspector"] for row in rows}) > 1  # counts per inspector, then
    by = stats.summarize(rows, "inspector" if several else "component")
    made = brief.make(rows, stats.summarize(rows, "fiscal_year"), by, title, date)
    if assets is not None:
        folder = Path(usable_path(assets, "--assets"))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for chart in made.charts:
                output.write_file(folder / f"{chart.name}.svg", brief.svg(chart) + "\n")
        except OSError as exc:
            raise OutputError(
                f"cannot write the charts into {assets}: {exc.strerror or exc}"
            ) from None
    env.output(brief.to_html(made) if html else brief.to_markdown(made, assets))


@app.command(
    epilog=epilog(
        "oigcli schema",
        "oigcli schema | jq '.properties | keys'",
        "oigcli schema > report.schema.json",
    ),
)
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of a report record.

    Generated from the same field list the rest of oigcli uses. A dataset is a
    JSON array of such records, or JSON Lines with one per line.
    """
    from oigcli.output.writers import json_text

    Environment().output(json_text(json_schema()))


@app.command(
    "help",
    epilog=epilog("oigcli help", "oigcli help filter"),
)
def help_(
    ctx: typer.Context,
    command: Annotated[
        str | None,
        typer.Argument(
            metavar="[COMMAND]",
            autocompletion=complete.commands,
            help="The command to describe. Default: oigcli itself.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show the help of oigcli or of one of its commands (as COMMAND --help does)."""
    root = ctx.find_root()
    group = root.command
    assert isinstance(group, TyperGroup)
    if command is None:
        typer.echo(group.get_help(root))
        return
    found = group.get_command(root, command)
    if found is None:
        names = [name for name in group.list_commands(root) if name != "help"]
        raise UsageError(f"no command {command!r}.{did_you_mean(command, names)}")
    with found.make_context(command, [], parent=root, resilient_parsing=True) as inner:
        typer.echo(found.get_help(inner))
