"""Reading datasets: the bundled file, JSON and JSON Lines (streamed), standard input, the
inspectors-general scraper's folders and bulk zips (hostile bytes, read under limits),
checking every record, and mapping the scraper's records onto the schema.

May import: oigcli.model, and this package.
"""
