"""Where the reports come from: the ``Source`` protocol, the one function that chooses a
source for a dataset (``source.open``), the scan that reads the data, and the SQLite index
in the user's cache (its identity, reader, builder) with the cache folder's rules.

May import: oigcli.model, oigcli.load, oigcli.query, and this package.
"""
