"""A dataset's index in the user's cache, so that repeated queries skip the JSON.

A dataset file, a zip (or a folder inside one) and a scraper's folder are indexed alike.

Reading a large JSON file is most of a first query's time; an index answers the next ones
from SQLite (the standard library's), with FTS5 for words. It is only ever a faster way to
the same answer:

- **Which reports.** The index narrows the reports a query reads to candidates; the query
  then decides about each candidate exactly as it does reading the file. Narrowing is by
  report number or id (``show``), by the words of ``search`` (FTS5 holds the very words
  search counts in titles, summaries and full texts, each also as its stem, so it finds
  exactly the reports that contain them, and their document frequencies), and by the text
  of ``filter --text`` (a word that is part of a text must be part of one of the dataset's
  words: the vocabulary gives those). Full texts are kept compressed, for the query to
  decide with. Two answers are SQLite's whole: a search in its own order (``Index.rank``:
  FTS5's bm25(), which search.Ranking computes alike, and the tiers from the titles'
  index; only the page's reports are read), and a ``--text`` of whole word runs
  (``Index.decides``: a report contains such a word exactly when one of its words does).
- **Only the file it was made from.** An index records its dataset's identity: the real
  path, device, inode, size, modification and change times (nanoseconds), and a
  fingerprint of the content (a hash of the size and 16 blocks spread over the file; the
  whole file when it is small); of a folder, every report.json and report.txt in it by
  path, size, inode and times (``identify_tree``), so that a file added, removed or
  changed anywhere in it is noticed. Any difference and the index is not used. The change time
  cannot be set back by ``touch``, and an index is only made of a file left unchanged for
  ``SETTLED_NS`` before and while it is read, so two writes within one clock tick cannot
  leave a stale index behind (git calls this "racy": a file modified in the same tick as
  its index was made).
- **Following a folder.** A scraper's folder's index records, for each report.json and
  report.txt it read, its numbers and a hash of its content, and the folder each report
  came from. A query that finds a few of its reports added, changed or removed (and
  settled) updates it in place before answering (oigcli.sources.index.update): those
  reports are taken out and read again, in one SQLite transaction under the index's lock;
  a file whose numbers changed but whose hash did not (a hard link made to it) is kept.
  Readers hold the lock shared, so none reads an index while it is updated, and none
  reads one while a rollback journal is left by an update cut short.
- **Whole or not at all.** An index is built in a temporary file next to where it goes,
  made durable, then renamed over the old one, so a reader sees the old index or the new
  one and never half of one. A lock lets one builder work on a dataset at a time. An index
  that cannot be read as one is deleted and not used.

The first query of a file that has no usable index answers by reading the file, then
starts the builder (``main(["--background", CACHE, FILE])`` under ``python -I``: its own
session, no terminal, standard streams on /dev/null, so a pipe closes when the query is
done), as ``git gc --auto`` does. The cache folder's rules are oigcli.sources.cache's.
``--no-cache`` neither uses nor builds an index; standard input, the bundled dataset,
files under ``MIN_BYTES`` and folders of fewer than ``MIN_TREE_REPORTS`` reports are never
indexed.
"""
