"""Writing: the formats for programs (JSON, JSON Lines, CSV, TSV, streamed), the formats
for people (tables, report pages, Markdown), the brief, the SQLite export, and the
terminal environment (streams, width, colour, paging, escaping).

May import: oigcli.model, oigcli.query and oigcli.load (for the shapes it writes: rows,
summaries, problems, differences), and this package; never oigcli.cli.
"""
