"""oigcli: query Inspector General oversight reports from the shell, or from Python.

    import oigcli
    with oigcli.open() as reports:        # the bundled dataset; or open("reports.json")
        for report in reports.filter(component="CBP", fy="2021"):
            print(report["report_number"], report["title"])

docs/api.md describes every method. The names below are loaded when first used, so the
command line (which imports this package) pays nothing for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

__all__ = [
    "DatasetError",
    "NotFound",
    "OigError",
    "OutputError",
    "Reports",
    "UsageError",
    "__version__",
    "open",
]

if TYPE_CHECKING:
    from oigcli.api import Reports, open
    from oigcli.model.errors import DatasetError, NotFound, OigError, OutputError, UsageError

_HOMES = {
    "open": "oigcli.api",
    "Reports": "oigcli.api",
    **dict.fromkeys(
        ("OigError", "NotFound", "UsageError", "DatasetError", "OutputError"), "oigcli.model.errors"
    ),
}


def __dir__() -> list[str]:
    """What a notebook's completion and ``dir(oigcli)`` offer: the public names."""
    return sorted(__all__)


def __getattr__(name: str) -> Any:
    """``oigcli.open`` and the rest, imported on first use (PEP 562)."""
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'oigcli' has no attribute {name!r}")
