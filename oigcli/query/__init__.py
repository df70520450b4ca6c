"""Asking: criteria and their one definition, ordering, paging and fields, ``--where``
comparisons, search (parsing, stemming, ranking, snippets), grouping and totals, and the
comparison of two datasets. Pure: no storage, no printing.

May import: oigcli.model, and this package.
"""
