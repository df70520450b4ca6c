"""The cache folder: where it is, whether it can be trusted, and how its files are opened.

The threat (docs/robustness.md, "The cache"): other local users, and whatever they can
write. An index in the cache decides what a query prints, and its builder writes files
there, so the folder is used only when nobody else can change it:

- it is ``$XDG_CACHE_HOME/oigcli``, else ``~/.cache/oigcli`` (an absolute path, or none);
- it is created 0700, and used only if ``lstat`` shows a real folder (not a link) owned by
  this user and not writable by group or others (one that is readable by them is made
  0700, so an index never shows a private file's content to another user);
- every folder above it is owned by this user or by root, and is not writable by group or
  others unless it has the sticky bit (as /tmp has), so nobody can swap it for another;
- files in it are opened with ``O_NOFOLLOW`` and ``O_NONBLOCK`` and used only if ``fstat``
  shows a regular file owned by this user: a planted link is never followed and a FIFO
  never waited on; new files are created with ``O_EXCL`` and mode 0600.

When the folder fails a rule, oigcli runs without a cache (reading the file each time) and
``--verbose`` says why. Nothing here prints or exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

PRIVATE = 0o700
FILE_MODE = 0o600
MAX_BYTES = 12 << 30
"""Indexes beyond this many bytes in all are removed, least recently used first (the one
just built is always kept, whatever its size): by default room for two indexes of the
whole inspectors-general archive (about 4.5 GB each: today's copy and yesterday's, as the
README's cron recipe keeps them) and the files a person queries. OIGCLI_CACHE_MAX sets it."""
KEPT_SECONDS = 3600
"""An index built less than this long ago is not removed to make room (nor one in use)."""
UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def max_bytes(environ: Mapping[str, str]) -> int:
    """The cache's cap: OIGCLI_CACHE_MAX (``500M``, ``12G``, ``1.5T``, or bytes; K, M, G
    and T are powers of 1024, with or without a trailing B or iB), MAX_BYTES when it is
    unset or empty. ValueError, with a message for a person, when it cannot be read."""
    text = environ.get("OIGCLI_CACHE_MAX", "").strip()
    if not text:
        return MAX_BYTES
    number, unit = text.upper(), ""
    for suffix in ("IB", "B"):
        if number.endswith(suffix) and number[: -len(suffix)][-1:] in "KMGT":
            number = number[: -len(suffix)]
    if number[-1:] in "KMGTB":
        number, unit = number[:-1], number[-1]
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1 << 60 or number.strip() != number or not number:
        raise ValueError(f"OIGCLI_CACHE_MAX={text!r} is not a size; write it as 500M, 12G or 1.5T")
    return int(value * UNITS[unit])


class Folder(NamedTuple):
    """The cache folder, or why there is none (``path`` None)."""

    path: Path | None
    reason: str | None = None


def location(environ: Mapping[str, str]) -> Path | None:
    """``$XDG_CACHE_HOME/oigcli``, else ``$HOME/.cache/oigcli`` (the environment given,
    then the process's), else the account's home folder's. The XDG spec ignores a
    relative XDG_CACHE_HOME; a relative or empty HOME is ignored too, so a cache never
    lands in the current folder. None when no absolute folder can be found."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        for home in (environ.get("HOME", ""), os.path.expanduser("~"), _account_home()):
            if os.path.isabs(home):
                break
        else:
            return None
        base = os.path.join(home, ".cache")
    return Path(os.path.normpath(base)) / "oigcli"


def _account_home() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_dir
    except (ImportError, KeyError, OSError):
        return ""


def folder(environ: Mapping[str, str], create: bool = False) -> Folder:
    """The cache folder if it can be trusted (made, 0700, when ``create``)."""
    where = location(environ)
    if where is None:
        return Folder(None, "no absolute XDG_CACHE_HOME or HOME to keep a cache in")
    reason = prepare(where) if create else untrusted(where)
    return Folder(None, reason) if reason else Folder(where)


def prepare(where: Path) -> str | None:
    """Make the folder ``where`` (0700) if it is missing; then why it cannot hold a cache,
    or None when it can."""
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        unsafe = _unsafe_ancestor(where)  # before making anything where others can write
        if unsafe:
            return unsafe
        where.mkdir(mode=PRIVATE)
    except FileExistsError:
        pass
    except OSError as exc:
        return f"{where} cannot be made ({exc.strerror or exc})"
    return untrusted(where)


def untrusted(where: Path) -> str | None:
    """Why the folder ``where`` cannot hold a cache; None when it can."""
    try:
        info = os.lstat(where)
    except FileNotFoundError:
        return f"{where} does not exist yet"
    except OSError as exc:
        return f"{where} cannot be examined ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return f"{where} is a symbolic link, which could lead anywhere"
    if not stat.S_ISDIR(info.st_mode):
        return f"{where} is not a folder"
    if info.st_uid != os.geteuid():
        return f"{where} belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o022:
        return f"{where} can be written by group or others (mode {info.st_mode & 0o777:o})"
    if info.st_mode & 0o077:  # ours, but others may read the indexes in it: no longer
        try:
            os.chmod(where, PRIVATE, follow_symlinks=False)
        except (OSError, NotImplementedError):
            return f"{where} can be read by others and cannot be made private"
    return _unsafe_ancestor(where)


def _unsafe_ancestor(where: Path) -> str | None:
    """Why a folder above ``where`` would let another user replace it; None if none."""
    try:
        real = Path(os.path.realpath(where.parent))
    except (OSError, ValueError):
        return f"{where.parent} cannot be resolved"
    me = os.geteuid()
    for above in (real, *real.parents):
        try:
            info = os.lstat(above)
        except OSError as exc:
            return f"{above} cannot be examined ({exc.strerror or exc})"
        if info.st_uid not in (me, 0):
            return f"{above}, a folder above the cache, belongs to another user"
        if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            return f"{above}, a folder above the cache, can be written by group or others"
    return None


# --- files in the folder -----------------------------------------------------------------


def regular(path: Path) -> bool:
    """Whether ``path`` is a regular file of ours, looked at without following a link."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()


def open_file(path: Path, flags: int, exclusive: bool = False) -> int:
    """A descriptor of the regular file of ours at ``path`` (created 0600 with
    ``os.O_CREAT`` in ``flags``; it must not exist yet when ``exclusive``). Links are not
    followed and a FIFO is not waited on. OSError when it is not such a file."""
    flags |= os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if exclusive:
        flags |= os.O_CREAT | os.O_EXCL
    fd = os.open(path, flags, FILE_MODE)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise OSError(f"{path} is not a regular file of ours")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path`` (replacing a regular file of ours)."""
    temporary = path.with_name(path.name + ".new")
    remove(temporary)
    fd = open_file(temporary, os.O_WRONLY, exclusive=True)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def read_small(path: Path, limit: int = 1 << 16) -> bytes | None:
    """The content of a small regular file of ours; None for anything else."""
    try:
        fd = open_file(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


@contextlib.contextmanager
def locked(path: Path, wait: bool = False) -> Iterator[bool]:
    """Hold the lock file at ``path`` (made if missing): yields True when held, False
    when another process holds it and ``wait`` is False, or it cannot be made.

    Lock files are removed by ``prune`` under their own lock, so a lock taken on a file
    that is no longer at ``path`` is let go and taken again on the one that is."""

    while True:
        try:
            fd = open_file(path, os.O_RDWR | os.O_CREAT)
        except OSError:
            yield False
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            now = os.lstat(path)
            held = os.fstat(fd)
        except (BlockingIOError, FileNotFoundError) as exc:
            os.close(fd)
            if isinstance(exc, BlockingIOError):
                yield False
                return
            continue  # removed while we waited: lock the new one
        except OSError:
            os.close(fd)
            yield False
            return
        if (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
            os.close(fd)
            continue
        break
    try:
        yield True
    finally:
        os.close(fd)


def shared(path: Path) -> int | None:
    """A descriptor holding a shared lock on the lock file at ``path`` (made if missing),
    held by a query while it reads an index, so that no prune removes it meanwhile; None
    when it cannot be had (a prune at work: the query then reads the dataset itself)."""
    try:
        fd = open_file(path, os.O_RDWR | os.O_CREAT)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def busy(path: Path) -> bool:
    """Whether another process holds the lock file at ``path`` now."""

    try:
        fd = open_file(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False
