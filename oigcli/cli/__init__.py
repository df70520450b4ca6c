"""The command line: the Typer app and its commands, the options shared by several
commands (declared once), and shell completion. Parses, asks oigcli.api, hands the
answer to oigcli.output; turns errors into messages and exit statuses in one place.

May import: anything in oigcli.
"""
