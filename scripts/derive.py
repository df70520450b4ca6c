"""The redaction flag the dataset builder reads from a title. (Recommendation counts and
amounts are read by oigcli itself, oigcli.model.derive, for the bundled data and for
every scraper record alike.)"""

from __future__ import annotations

import re

_REDACTED = re.compile(r"\bredacted\b", re.IGNORECASE)


def is_redacted(title: str) -> bool:
    """True when the title marks the public version as redacted ("(REDACTED)", "(Redacted)")."""
    return _REDACTED.search(title) is not None
