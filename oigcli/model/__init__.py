"""The record and its vocabulary: the field list (schema), the typed errors, dates and
fiscal years, and small text helpers (natural order, suggestions, escaping).

May import: nothing of oigcli but this package. Everything else may import it.
"""
