"""Reading the files inside a dataset (a scraper's folder or zip) as hostile bytes.

A downloaded archive decides its own file names, types and sizes, and a zip decides what
its directory says about each member. Nothing here believes either:

- a file in a folder (``read_file``) is opened without following a link (a planted
  ``report.json`` link to a private file of yours is refused, not printed), without
  waiting (a FIFO is refused, not waited on), only when ``fstat`` says it is a regular
  file, and read up to a limit of bytes actually read, whatever its size said;
- a zip (``Zip``) is refused whole when its directory names a member twice or two of its
  entries overlap (one 64 MiB member listed 200 times); a member is inflated here, not by
  ``zipfile`` (which asks bzip2 for everything at once: 927 bytes became 2.1 GB), a
  bounded amount at a time, and stops as soon as it has produced more than its limit or
  more than the directory said; and all the members read from one zip together inflate to
  at most ``ZIP_TOTAL_BYTES``.

Every refusal is ``Refused``, whose message says what was found, for a dataset's problems.
"""

from __future__ import annotations

import bz2
import errno
import hashlib
import os
import stat
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

if TYPE_CHECKING:
    import zipfile

JSON_BYTES = 64 << 20
"""A report.json larger than this is not read (a scraper's report.json is a few KB)."""
TEXT_BYTES = 256 << 20
"""A report.txt larger than this is not read (a scraper's texts are at most a few MB)."""
ZIP_TOTAL_BYTES = 16 << 30
"""What the members read from one zip may inflate to, all together, in one reading. The
real archive's report.json and report.txt files come to about 4 GB; a zip that needs four
times that is a bomb, and the members past it are problems, not read."""
CHUNK = 1 << 16
"""Compressed bytes read, and most bytes inflated, at a time."""


class Refused(Exception):
    """A file or member that is not read; the message says why, for a person."""


class Stat(NamedTuple):
    """What a file was when it was read: a builder checks it against the folder's identity
    (a file swapped for another while it was read has another inode or other times)."""

    size: int
    inode: int
    mtime_ns: int
    ctime_ns: int
    digest: bytes = b""
    """A hash of the content read (``read_file`` gives one; a stat of a path, none): an
    index that follows its folder tells a file only touched (a hard link made to it) from
    one rewritten."""

    def numbers(self) -> Stat:
        """The same without the digest, as a stat of the path gives it."""
        return self._replace(digest=b"")


def read_file(path: str, limit: int, what: str, seen: dict[str, Stat] | None = None) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them. Refused for a
    link, anything but a regular file, a file over the limit, or one that changed while it
    was read; ``seen``, when given, gets the file's ``Stat`` under ``path``."""
    try:  # O_NONBLOCK: a FIFO is never waited on; O_NOFOLLOW: a link is not followed
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise Refused(_open_error(exc)) from None
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise Refused("not a regular file (a FIFO, a device or a folder); not read")
        if before.st_size > limit:
            raise Refused(_too_large(before.st_size, limit, what))
        data = _read_up_to(fd, limit + 1, before.st_size)
        if len(data) > limit:
            raise Refused(
                f"grew past {limit:,} bytes while it was read, more than a {what} can be "
                f"({limit >> 20} MiB); not read"
            )
        after = os.fstat(fd)
    except OSError as exc:
        raise Refused(f"cannot read it ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    found = Stat(after.st_size, after.st_ino, after.st_mtime_ns, after.st_ctime_ns)
    if found != Stat(before.st_size, before.st_ino, before.st_mtime_ns, before.st_ctime_ns):
        raise Refused("changed while it was read; not read")
    if seen is not None:
        seen[path] = found._replace(digest=content_digest(data))
    return data


def content_digest(data: bytes) -> bytes:
    """What ``Stat.digest`` holds: a 16-byte BLAKE2b hash of the bytes."""
    return hashlib.blake2b(data, digest_size=16).digest()


def _read_up_to(fd: int, most: int, size_hint: int) -> bytes:
    """At most ``most`` bytes from ``fd``, as os.read gives them (no buffer object and no
    read-ahead of the limit: a small file costs one read)."""
    chunks = []
    left = most
    while left > 0 and (chunk := os.read(fd, min(left, max(size_hint, CHUNK)))):
        chunks.append(chunk)
        left -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _open_error(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a link; not followed (files in a dataset are read only as themselves)"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read it ({exc.strerror or exc})"


def _too_large(size: int, limit: int, what: str) -> str:
    return f"{size:,} bytes, more than a {what} can be ({limit >> 20} MiB); not read"


# --- zips -------------------------------------------------------------------------------

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # as zipfile.structFileHeader
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ENCRYPTED = 0x1
_UTF8_NAME = 0x800
STORED, DEFLATED, BZIP2 = 0, 8, 12
"""The compression methods read (the scraper's bulk zip is deflated)."""


class Zip:
    """A zip read in place from ``file`` (kept open by its owner), its directory checked
    before anything is inflated. Raises Refused (the whole zip) for a directory that lies
    about its members' places: a name listed twice, entries that overlap."""

    def __init__(self, file: BinaryIO) -> None:
        import zipfile

        self.file = file
        try:
            archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise Refused(f"not a zip file that can be read ({exc})") from None
        self.infos = archive.infolist()
        end = archive.start_dir  # where the directory begins: the members end before it
        archive.close()  # (it does not close a file it was given)
        self.by_name = {info.filename: info for info in self.infos}
        if len(self.by_name) < len(self.infos):
            listed = Counter(info.filename for info in self.infos)
            twice = min(name for name, times in listed.items() if times > 1)
            raise Refused(f"the zip lists {twice!r} twice; a zip made to mislead: not read")
        _check_no_overlap(self.infos, end)
        self.inflated = 0
        """What this zip's members have inflated to, all together, so far."""

    def names(self) -> list[str]:
        return list(self.by_name)

    def read(self, name: str, limit: int, what: str) -> bytes:
        """The member ``name``, inflated: Refused when it is missing, encrypted, compressed
        in a way not read here, damaged, or more than ``limit`` bytes (or than the zip
        said), or when the zip's total would pass ZIP_TOTAL_BYTES."""
        info = self.by_name.get(name)
        if info is None:
            raise Refused("not in the zip")
        if info.file_size > limit:
            raise Refused(f"{_too_large(info.file_size, limit, what)} (uncompressed)")
        if self.inflated + info.file_size > ZIP_TOTAL_BYTES:
            raise Refused(
                f"not read: the zip's members come to more than {ZIP_TOTAL_BYTES >> 30} GiB "
                "uncompressed, more than oigcli reads from one zip"
            )
        try:
            data = self._inflate(info)
        except (OSError, ValueError) as exc:  # the disk failed under it (EIO), or closed
            raise Refused(f"cannot be read from the zip ({exc})") from None
        self.inflated += len(data)
        return data

    def _inflate(self, info: zipfile.ZipInfo) -> bytes:
        flags, name_length, extra_length = self._header(info)
        if (flags | info.flag_bits) & _ENCRYPTED:
            raise Refused("encrypted; not read")
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        left = info.compress_size
        self.file.seek(start)

        def raw() -> bytes:
            nonlocal left
            data = self.file.read(min(left, CHUNK)) if left > 0 else b""
            left -= len(data)
            return data

        declared = info.file_size
        produced, crc, out = 0, 0, []
        for chunk in _chunks(info.compress_type, raw, declared + 1):
            produced += len(chunk)
            if produced > declared:
                raise Refused(
                    f"the zip says {declared:,} bytes uncompressed, but the member holds more; "
                    "a zip made to mislead: not read"
                )
            crc = zlib.crc32(chunk, crc)
            out.append(chunk)
        if produced < declared:
            raise Refused(f"cut short ({produced:,} of {declared:,} bytes); not read")
        if crc != info.CRC:
            raise Refused("damaged (its checksum does not match); not read")
        return b"".join(out)

    def _header(self, info: zipfile.ZipInfo) -> tuple[int, int, int]:
        """The member's local header's flags and the lengths of its name and extra field."""
        try:
            self.file.seek(info.header_offset)
            header = self.file.read(_LOCAL_HEADER.size)
        except (OSError, ValueError) as exc:
            raise Refused(f"cannot be read from the zip ({exc})") from None
        if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            raise Refused("damaged (no member where the zip's directory says); not read")
        fields = _LOCAL_HEADER.unpack(header)  # as zipfile's _FH_* constants number them
        return fields[3], fields[10], fields[11]


def _chunks(method: int, raw: Callable[[], bytes], most: int) -> Iterator[bytes]:
    """The member's bytes, inflated as ``raw`` gives compressed ones: ``most`` bytes in
    all at the most, and never more than is still wanted at a time (one step of a bomb
    cannot allocate gigabytes)."""
    made = 0

    def room() -> int:
        return max(most - made, 0) or 1  # (one more byte still shows that there is more)

    if method == STORED:
        while made < most and (chunk := raw()):
            chunk = chunk[: room()]
            made += len(chunk)
            yield chunk
        return
    if method == DEFLATED:
        inflater = zlib.decompressobj(-15)
        pending = b""
        while made < most and not inflater.eof:
            if not pending and not (pending := raw()):
                return  # cut short: the caller counts the bytes
            try:
                chunk = inflater.decompress(pending, room())
            except zlib.error as exc:
                raise Refused(f"damaged ({exc}); not read") from None
            pending = inflater.unconsumed_tail
            made += len(chunk)
            yield chunk
        return
    if method == BZIP2:
        unpacker = bz2.BZ2Decompressor()
        while made < most and not unpacker.eof:
            data = b""
            if unpacker.needs_input and not (data := raw()):
                return
            try:
                chunk = unpacker.decompress(data, room())
            except (OSError, EOFError, ValueError) as exc:
                raise Refused(f"damaged ({exc}); not read") from None
            made += len(chunk)
            yield chunk
        return
    raise Refused(
        f"compressed with method {method}, which oigcli does not read "
        "(stored, deflate and bzip2 are); not read"
    )


def _check_no_overlap(infos: list[zipfile.ZipInfo], end: int) -> None:
    """Each entry's local header, name and data end before the next entry begins (the
    shortest they can be, by the directory's own sizes), and the last before the
    directory: otherwise one member's bytes are read as several."""
    placed = sorted(infos, key=lambda info: info.header_offset)
    for info, after in zip(placed, [*placed[1:], None], strict=True):
        encoding = "utf-8" if info.flag_bits & _UTF8_NAME else "cp437"
        try:
            name_bytes = len(info.orig_filename.encode(encoding))
        except UnicodeEncodeError:
            name_bytes = len(info.orig_filename.encode("utf-8"))
        shortest_end = info.header_offset + _LOCAL_HEADER.size + name_bytes + info.compress_size
        limit = end if after is None else after.header_offset
        if shortest_end > limit:
            other = "the zip's directory" if after is None else repr(after.filename)
            raise Refused(
                f"the zip's entries overlap ({info.filename!r} runs into {other}); "
                "a zip made to mislead: not read"
            )
