"""The commands that ask the active dataset: list, show, open, filter, search, stats,
recommendations."""

from typing import Annotated, Any

import typer

from oigcli import api
from oigcli.api import Shape
from oigcli.cli import complete
from oigcli.cli.app import (
    ARGUMENTS,
    NUMBER_FORMS,
    app,
    asking,
    emit,
    env_for,
    epilog,
    printer,
    tell_notes,
)
from oigcli.cli.options import (
    CRITERIA,
    DATA_ONLY,
    IN_OUT,
    SHAPE,
    FieldsOption,
    InOut,
    core_parser,
)
from oigcli.model.errors import NotFound, UsageError
from oigcli.model.schema import FIELD_NAMES, LIST_COLUMNS, SHOWN_NAMES, TEXT
from oigcli.model.text import sanitise, web_address
from oigcli.query.criteria import UNKNOWN_VALUE, Criteria


@app.command(
    "list",
    epilog=epilog(
        "oigcli list",
        "oigcli list --sort=-recommendations --limit 3 --fields report_number,recommendations",
        "oigcli list --json | jq 'map(select(.redacted)) | length'",
    ),
)
@SHAPE.adds
@IN_OUT.adds
def list_(
    ctx: typer.Context,
    shape: Shape,
    io: InOut,
) -> None:
    """List every report, newest first.

    Newest first means by fiscal year, then issue date (unknown dates after
    known ones), then report number compared as numbers (OIG-21-9 before
    OIG-21-19).
    """
    env = env_for(ctx, io)
    with asking(env, io) as reports:
        emit(env, io, reports.select(None, shape), LIST_COLUMNS, SHOWN_NAMES)


@app.command(
    epilog=epilog(
        "oigcli show 21-27",
        "oigcli show OIG-21-63 OIG-21-48",
        "oigcli show 21-27 --json | jq .recommendations",
    ),
)
@IN_OUT.adds
def show(
    ctx: typer.Context,
    numbers: Annotated[
        list[str],
        typer.Argument(
            metavar="NUMBER|ID...",
            autocompletion=complete.report_numbers,
            help=f"Report numbers or ids: {NUMBER_FORMS}",
            show_default=False,
        ),
    ],
    io: InOut,
    fields: FieldsOption = None,
) -> None:
    """Show reports in full: every field, unknown values as "unknown".

    The full text is long: show says how long it is, and --fields text prints it.
    With --json, one number prints one object and several print an array in the
    order asked. Numbers that do not exist are named on stderr, with close ones,
    after the reports that do; the exit status is then 1. A number that several
    reports have (two inspectors' 14-01) is an error (exit 2) that lists their
    ids: show one by its id.
    """
    from oigcli.query.rows import parse_fields, project

    env = env_for(ctx, io)
    chosen = SHOWN_NAMES if fields is None else parse_fields(fields, FIELD_NAMES)
    out = printer(env, io)
    length = fields is None and out.people  # a person is told the text's length
    with asking(env, io) as reports:
        located, missing, notes = reports.locate(numbers, texts=length or TEXT in chosen)
    tell_notes(env, notes)
    if located:  # as gh does: what was found is printed; what was not, named (exit 1)
        rows = project(located, chosen)
        if length:
            for row, report in zip(rows, located, strict=True):
                row[TEXT] = _text_length(report.get(TEXT))
        out.reports(rows, chosen, one=len(numbers) == 1)
    if missing:
        raise NotFound(f"{missing}\n{EVERY_NUMBER}")


def _text_length(text: str | None) -> str | None:
    """What ``show`` says of a report's full text instead of printing it."""
    if text is None:
        return None
    return f"{len(text):,} characters (--fields text prints it)"


@app.command(
    "open",
    epilog=epilog(
        "oigcli open OIG-21-40 --data inspectors-general/data",
        "oigcli open OIG-21-40 --print --data inspectors-general/data",
    ),
)
@DATA_ONLY.adds
def open_(
    ctx: typer.Context,
    number: Annotated[
        str,
        typer.Argument(
            metavar="NUMBER|ID",
            autocompletion=complete.report_numbers,
            help=f"A report number or id: {NUMBER_FORMS}",
            show_default=False,
        ),
    ],
    io: InOut,
    print_url: Annotated[
        bool,
        typer.Option(
            "--print",
            help="Print the link instead of opening it (as also happens when no browser "
            "can be started).",
        ),
    ] = False,
) -> None:
    """Open a report's document in the browser, or else its landing page.

    Only web addresses (http, https) are opened. A report with neither link
    known exits 1 and says so (an unreleased report may have only its landing
    page).
    """

    env = env_for(ctx, io)
    with asking(env, io) as reports:
        located, missing, notes = reports.locate([number])
    tell_notes(env, notes)
    if missing:
        raise NotFound(f"{missing}\n{EVERY_NUMBER}")
    report = located[0]
    url = report["document_url"] or report["landing_url"]
    shown = sanitise(report["id"])
    if not url:
        raise NotFound(
            f"{shown} has no known link to its document or landing page, so there is "
            "nothing to open"
        )
    if not web_address(url):
        raise NotFound(
            f"{shown}'s link {sanitise(url)!r} is not a web address (http or https); "
            "it is not opened"
        )
    if not print_url and env.browse(url):
        return
    if not print_url:
        env.error("Note: no browser could be started; the link is:")
    env.write(url + "\n")


@app.command(
    "filter",
    epilog=epilog(
        "oigcli filter --component cbp --fy 2021",
        'oigcli filter --text "medical migrants"',
        "oigcli filter --nonconcurred --json | jq -r '.[].title'",
        "oigcli filter --where 'recommendations>=5' --where 'title~(?i)mail|device'",
        "oigcli filter --since 2020-10 --until 2021-09 --not-redacted",
    ),
)
@CRITERIA.adds
@SHAPE.adds
@IN_OUT.adds
def filter_(
    ctx: typer.Context,
    criteria: Criteria,  # built by CRITERIA from the options it adds
    shape: Shape,
    io: InOut,
) -> None:
    """List the reports that match every given criterion, newest first.

    No criteria lists every report. No match is not an error: the table is
    empty (a note goes to stderr) and JSON is [].
    """

    env = env_for(ctx, io)
    with asking(env, io) as reports:
        emit(env, io, reports.select(criteria, shape), LIST_COLUMNS, SHOWN_NAMES)


def _grouping(value: str) -> Any:
    from oigcli.query.stats import grouping  # (imported when used: start-up)

    return grouping(value)


SEARCH_COLUMNS = ("report_number", "inspector", "score", "title", "snippet")


@app.command(
    epilog=epilog(
        "oigcli search medical care",
        "oigcli search '\"mail facility\"' inspection",
        "oigcli search 'canine OR \"mail facility\" -jfk'",
        "oigcli search 'recommend*' --fy 2021 --limit 3 --json | jq -r '.[].snippet'",
    ),
)
@CRITERIA.adds
@SHAPE.adds
@IN_OUT.adds
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            help='Words and "quoted phrases" (one argument or several), all of which must '
            "appear in the title, summary or full text (whole words, any case; a word "
            "matches every word with its English stem, a phrase as written); word* matches "
            'words that start with word; a OR b needs either; -word (or -"a phrase") leaves '
            "out the reports that have it: write it inside the query's quotes "
            "('medical -care') or after --.",
            show_default=False,
        ),
    ],
    criteria: Criteria,  # built by CRITERIA from the options it adds
    shape: Shape,
    io: InOut,
) -> None:
    """Search titles, summaries and full texts, best match first.

    Title matches first, then summary matches, then by BM25 relevance as SQLite's
    FTS5 computes it, a title word weighing four times a summary word. Each
    result has a score and a snippet of the text around the first match
    (highlighted on a terminal). Takes filter's criteria; --sort replaces the
    ranking.
    """
    from oigcli.query import search as engine

    env = env_for(ctx, io)
    terms = " ".join(words)  # several arguments are one query, as they would be quoted
    with asking(env, io) as reports:
        shaped = reports.rank(terms, criteria, shape)
    shaped.notes[:] = [_exclusion_hint(note, criteria, terms) for note in shaped.notes]
    pattern = engine.parse_query(terms).pattern()
    emit(env, io, shaped, SEARCH_COLUMNS, api.SEARCH_SHOWN, mark=pattern)


EVERY_NUMBER = "Run 'oigcli list' to see every report number."


def _exclusion_hint(note: str, criteria: Criteria, terms: str) -> str:
    """The note on a component no report has, when it came from ``search CBP -canine``:
    the option parser reads -canine as -c anine (a word to leave out, written bare
    among the words). The note then says how to leave the word out."""
    typed_as = ARGUMENTS.get()
    for name, typed in criteria.named:
        if (
            name == "components"
            and f"-c{typed}" in typed_as
            and note.startswith(f"{UNKNOWN_VALUE}component {typed!r}.")
        ):
            word = sanitise(f"-c{typed}")
            query = sanitise(f"{terms} {word}".strip())
            return (
                f"{note} If {word} was a word to leave out, it was read as -c {sanitise(typed)}:"
                f" write it inside the query's quotes (oigcli search '{query}') or after --"
                f" (oigcli search -- {query})."
            )
    return note


@app.command(
    epilog=epilog(
        "oigcli stats",
        "oigcli stats --by redacted",
        "oigcli stats --by component --since 2020-10 --json | jq .total.concurrence_rate",
    ),
)
@CRITERIA.adds
@IN_OUT.adds
def stats(
    ctx: typer.Context,
    criteria: Criteria,  # built by CRITERIA from the options it adds
    io: InOut,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            autocompletion=complete.groupings,
            parser=core_parser(_grouping),
            help="Group by fiscal_year (the default), component, redacted, recommendations, "
            "oversight_area or another category; tag (a report counts once per tag); or "
            "year or month of the issue date (unknown dates in an 'unknown' group).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Count reports and recommendations, in total and per group.

    Takes filter's criteria and summarises exactly the reports filter would
    list. Recommendations the summary does not count (null) add nothing; the
    concurrence rate is concurred / recommendations, unknown when there are none.
    """
    env = env_for(ctx, io)
    if by and len(by) > 1:
        raise UsageError(f"--by is given {len(by)} times ({', '.join(by)}); stats groups by one")
    grouping = by[0] if by else "fiscal_year"
    with asking(env, io) as reports:
        summary, notes = reports.summarize(criteria, grouping)
    tell_notes(env, notes)
    printer(env, io).summary(summary)


@app.command(
    epilog=epilog(
        "oigcli recommendations --data inspectors-general/data --inspector dhs --fy 2021",
        "oigcli recommendations --data inspectors-general/data --json"
        " | jq -r '.[] | select(.response == \"non-concur\") | .id' | sort -u",
        "oigcli recommendations --data inspectors-general/data -c cbp --format csv > recs.csv",
    ),
)
@CRITERIA.adds
@IN_OUT.adds
def recommendations(
    ctx: typer.Context,
    criteria: Criteria,  # built by CRITERIA from the options it adds
    io: InOut,
) -> None:
    """List the recommendations reports number in their texts, a row each.

    Reads the full text (report.txt) of each report filter's criteria select,
    newest first, for lines that begin "Recommendation N:", and the agency's
    response to each where the text states it ("CBP Response to Recommendation
    1: Concur."). Rows: id, report_number, number, text, response (concur,
    non-concur, partially concur, or null) and response_text. A report gives rows
    only when its numbers run 1 to N, agree with its count of recommendations
    when that is known, and each text is whole; otherwise none, and stderr says
    why. The bundled dataset has summaries, not texts: it numbers none.
    """
    from oigcli.model.recommend import RECOMMENDATION_COLUMNS, RECOMMENDATION_FIELDS

    env = env_for(ctx, io)
    with asking(env, io) as reports:
        listing, notes = reports.recommend(criteria)
        tell_notes(env, notes)
        out = printer(env, io)
        fields = out.fields(None, RECOMMENDATION_COLUMNS, RECOMMENDATION_FIELDS)
        out.rows(listing, fields, False, listing.empty)
    tell_notes(env, listing.notes())
