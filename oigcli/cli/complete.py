"""Shell completion of option values, from the schema and from the active dataset.

Each function is a Typer ``autocompletion`` callback: it gets the partly parsed context
(so ``--data`` given earlier on the line is honoured) and the word being completed, and
returns the candidates that start with it. Nothing here may fail or print: a dataset that
cannot be read simply offers nothing.

(No ``from __future__ import annotations`` here: Typer reads these signatures' types.)
"""

import os
from collections.abc import Callable, Iterable

import typer
from typer._click.shell_completion import CompletionItem, ShellComplete, add_completion_class
from typer._completion_classes import BashComplete, FishComplete, PowerShellComplete, ZshComplete

from oigcli import api
from oigcli.model.errors import DatasetError
from oigcli.model.schema import FIELD_NAMES, FIELDS
from oigcli.model.text import sanitise
from oigcli.query.criteria import CONDITIONS


def _values(ctx: typer.Context, field: str) -> list[str]:
    """Every value of ``field`` (``tags``: every tag) in the active dataset. Each Tab press
    is a run of oigcli: a large file's index answers at once; otherwise the file is read
    (and, being large, indexed for the next press). A dataset with problems offers what
    can be read of it."""

    from oigcli.load import dataset

    path = ctx.params.get("data") or os.environ.get("OIGCLI_DATA") or None
    if path == "-":  # standard input is the shell's, not a dataset, while completing
        return []
    try:
        reports = api.Reports(path, cache=not ctx.params.get("no_cache"))
        try:
            return reports.values(field)
        except DatasetError:  # what can be read of it
            found = (r[field] for r in dataset.read(path).reports)
            every = (v for value in found for v in (value if isinstance(value, list) else [value]))
            return [v for v in every if v]
    except Exception:  # completion must never break the user's shell
        return []


def _names(words: Iterable[str], incomplete: str) -> list[str]:
    """Names (fields, styles) are exact: those that start with what was typed."""
    return sorted({w for w in words if w.startswith(incomplete)})


def _starting(words: Iterable[str], incomplete: str, typed: str | None = None) -> list[str]:
    """Dataset values that start with ``incomplete``, ignoring case, as oigcli does when it
    uses them; each is spelt from what was ``typed`` on, because Typer keeps only
    candidates that start with the typed word."""
    typed = incomplete if typed is None else typed
    folded = incomplete.casefold()
    lower = typed.lower() == typed != typed.upper()  # typed in lower case: carry on so

    def spelt(word: str) -> str:
        rest = word[len(incomplete) :]
        return typed + (rest.lower() if lower else rest)

    return sorted({spelt(w) for w in words if w.casefold().startswith(folded)})


def _last_of_list(incomplete: str, names: Iterable[str], signed: bool = False) -> list[str]:
    """Complete the last item of a comma-separated list (``a,b,ti`` -> ``a,b,title``)."""
    head, _, last = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    sign = "-" if signed and last.startswith("-") else ""
    return [prefix + sign + name for name in _names(names, last.removeprefix(sign))]


def report_numbers(ctx: typer.Context, incomplete: str) -> list[str]:
    from oigcli.query.rows import normalise_number

    if "/" in incomplete:  # an id: <inspector>/<report id>
        return _starting(_values(ctx, "id"), incomplete)
    numbers = _values(ctx, "report_number")
    found = _starting(numbers, incomplete)
    if not found and incomplete:  # "21-6" completes to "21-63", a form show accepts
        found = _starting(numbers, normalise_number(incomplete), typed=incomplete)
    return found


def values_of(field: str) -> Callable[[typer.Context, str], list[str]]:
    """The completion of a value of ``field`` (``tags``: one tag) in the active dataset."""

    def values(ctx: typer.Context, incomplete: str) -> list[str]:
        return _starting(_values(ctx, field), incomplete)

    return values


def for_criterion(completes: str) -> Callable[..., list[str]]:
    """The completion a criterion's option declares (oigcli.query.criteria.Option)."""

    return conditions if completes == CONDITIONS else values_of(completes)


def fields(incomplete: str) -> list[str]:
    return _last_of_list(incomplete, [*FIELD_NAMES, "score", "snippet"])


def sort_keys(incomplete: str) -> list[str]:
    names = [f.name for f in FIELDS if f.scalar]
    return _last_of_list(incomplete, [*names, "score"], signed=True)


def groupings(incomplete: str) -> list[str]:
    from oigcli.query.stats import GROUPINGS

    return _names(GROUPINGS, incomplete)


def conditions(incomplete: str) -> list[str]:
    """Field names; once a field is typed in full, the field with each operator."""
    if incomplete in FIELD_NAMES:
        from oigcli.query.where import OPERATORS

        return [incomplete + op for op in OPERATORS]
    return _names(FIELD_NAMES, incomplete)


def commands(ctx: typer.Context, incomplete: str) -> list[str]:
    root = ctx.find_root().command
    names = root.list_commands(ctx) if isinstance(root, typer.core.TyperGroup) else []
    return _names((n for n in names if n != "help"), incomplete)


def table_styles(incomplete: str) -> list[str]:
    from tabulate import tabulate_formats

    return _names(tabulate_formats, incomplete)


# --- candidates safe for the shell that asked ---------------------------------------------

_BASH_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,/+@=%:-")
_ZSH_PLAIN = (_BASH_PLAIN - {":"}) | {" "}


def for_shell(shell: str, value: str) -> str | None:
    """``value`` as the shell that asked must receive it to insert it as one literal word,
    or None when that cannot be done safely. Values come from datasets, which anybody
    may have written: a component ``X$(touch /tmp/P)`` must never become a command.

    - Anything with a control character (a newline would split it in two, an escape
      would reach the terminal) is dropped, for every shell.
    - bash inserts what it receives as it is: every ASCII character that is not plainly
      safe gets a backslash (``Office\\ of\\ Field``, ``X\\$\\(touch\\ /tmp/P\\)``).
    - zsh evaluates the candidate list Typer prints: only plainly safe characters (and
      any non-ASCII one) pass; others are dropped rather than trusted to its quoting.
    - fish quotes candidates itself; powershell gets single quotes when needed."""

    if sanitise(value) != value:
        return None
    if shell == "bash":
        return "".join(c if c in _BASH_PLAIN or not c.isascii() else "\\" + c for c in value)
    if shell == "zsh":
        return value if all(c in _ZSH_PLAIN or not c.isascii() for c in value) else None
    if shell in ("powershell", "pwsh"):
        if all(c in _BASH_PLAIN or not c.isascii() for c in value):
            return value
        return "'" + value.replace("'", "''") + "'"
    return value


def use_safe_completion() -> None:
    """Replace Typer's completion classes with ones whose candidates pass ``for_shell``."""

    def safe(base: type[ShellComplete]) -> type[ShellComplete]:
        class Safe(base):  # type: ignore[valid-type,misc]
            def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
                found = []
                for item in super().get_completions(args, incomplete):
                    value = for_shell(self.name, str(item.value))
                    if value is not None:
                        found.append(CompletionItem(value, item.type, help=item.help))
                return found

        return Safe

    for base in (BashComplete, ZshComplete, FishComplete, PowerShellComplete):
        add_completion_class(safe(base), base.name)
    add_completion_class(safe(PowerShellComplete), "pwsh")
