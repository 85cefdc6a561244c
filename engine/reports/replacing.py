"""Writing a report where an earlier one is, without paying to free the earlier one.

Re-running a check over last run's report is the usual case (a CI job, an
auditor's second pass). Truncating a quarter-gigabyte file in place frees its
pages in the writer's time, and ext4 (auto_da_alloc) flushes a file that was
truncated and written again when it is closed: a tenth of a second, twice.
Instead the earlier report is moved aside and deleted in a thread while the
new one is written to a newly created file. (polars' own write_csv(path)
creates the file and then opens it again truncating it, so it pays the flush
even for a new file: the report is written to a file opened here.)
"""

from __future__ import annotations

import os
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def replacing(path: str) -> Iterator[str]:
    """Yields `path`, to be written as a new file; an earlier report there is deleted.

    Only a plain file of ours with one name, that we may write, is moved aside: a link,
    or a file shared under another name, is truncated in place as `open` would, so it
    keeps pointing where it did, and a read-only report stays refused. The new file
    gets the earlier one's permissions.
    """
    aside = _move_aside(path)
    if aside is None:
        yield path
        return
    old, mode = aside
    deleting = threading.Thread(target=_delete, args=(old,), daemon=True)
    deleting.start()
    try:
        yield path
        if os.path.exists(path):
            os.chmod(path, mode)
    finally:
        deleting.join()


def _move_aside(path: str) -> tuple[str, int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_uid != os.getuid() \
            or not os.access(path, os.W_OK):
        return None
    target = Path(path)
    old = str(target.with_name(f".{target.name}.{os.getpid()}.old"))
    try:
        os.rename(path, old)
    except OSError:
        return None
    return old, stat.S_IMODE(info.st_mode)


def _delete(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # it is only the earlier report; nothing of this run is lost
