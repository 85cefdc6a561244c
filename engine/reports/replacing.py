"""Writing a report atomically where an earlier one may be, without paying to free it.

A report is written to a temporary file beside its target and takes the target's
name only once it is complete: a run that fails, is killed or runs out of memory
or disk leaves the earlier report whole (and at worst a hidden `.NAME.PID.tmp`
beside it, after a kill no handler can see: the next run writing NAME deletes
those whose process is gone).

Re-running a check over last run's report is the usual case (a CI job, an
auditor's second pass), so the swap must stay cheap. `os.replace` over an
existing file is atomic but costs on ext4: it frees the earlier file's pages in
the caller's time, and auto_da_alloc flushes the new file on a rename that
replaces one (a tenth of a second each for a quarter-gigabyte report). Linux's
renameat2(RENAME_EXCHANGE) swaps the two names atomically without the flush;
the earlier report, now under the temporary name, is then deleted (a few
hundredths of a second for a quarter-gigabyte report; the earlier design
deleted it while the new one was written, which atomicity no longer allows).
Elsewhere `os.replace` does the same, only slower.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def replacing(path: str) -> Iterator[str]:
    """Yields a path to write the report to; it becomes `path` when the block completes.

    The target keeps what `open(path, "w")` would keep: a link is written through (its
    target replaced), a read-only report stays refused, the earlier report's permissions
    carry over, and a file shared under another name (a hard link) changes under both
    (copied in once the new report is complete, as a swap would part the names). A
    device or pipe (`/dev/null`, `/dev/stdout`) is written directly.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        yield path  # (judged before resolving links: /dev/stdout names a pipe by a link)
        return
    target = os.path.realpath(path)
    if info is not None and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    folder, name = os.path.split(target)
    _sweep(folder, name)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        yield temporary
        if info is None:
            os.rename(temporary, target)
        elif info.st_nlink > 1:
            with open(temporary, "rb") as new, open(target, "wb") as old:
                shutil.copyfileobj(new, old, 1 << 20)
            os.unlink(temporary)
        else:
            os.chmod(temporary, stat.S_IMODE(info.st_mode))
            _swap(temporary, target)
    except BaseException:
        _delete(temporary)
        raise


def _sweep(folder: str, name: str) -> None:
    """Deletes the temporary files of earlier runs writing `name` that were killed: those
    of a process that no longer exists. A live process's (a run writing the same report
    at once, or another program that took a dead run's number) are left alone."""
    pattern = os.path.join(glob.escape(folder), f".{glob.escape(name)}.*.tmp")
    for left in glob.glob(pattern):
        number = left[len(os.path.join(folder, f".{name}.")):-len(".tmp")]
        if number.isdigit() and not _alive(int(number)):
            _delete(left)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


def is_file_target(path: str) -> bool:
    """Whether a report at `path` is (or will be) a file of its own, and not a device or
    pipe such as /dev/null: only such a report gets files beside it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def _swap(temporary: str, target: str) -> None:
    """`temporary` becomes `target`; the earlier report is deleted."""
    if _exchange(temporary, target):
        _delete(temporary)
    else:
        os.replace(temporary, target)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: str, second: str) -> bool:
    """Swap two names atomically (Linux renameat2); False where that cannot be done."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                     _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # not on this kernel or fs
        return False
    raise OSError(code, os.strerror(code), second)


_LIBC: list = []


def _libc():
    if not _LIBC:
        try:
            _LIBC.append(ctypes.CDLL(None, use_errno=True))
        except OSError:
            _LIBC.append(None)
    return _LIBC[0]


def _delete(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # nothing there, or only the earlier report: nothing of this run is lost

