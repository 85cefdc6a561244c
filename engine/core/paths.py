"""How a file's path is shown in reports and messages."""

from __future__ import annotations

import os
from pathlib import Path


def shown_path(path: str | os.PathLike) -> str:
    """Relative to the current directory when below it (so reports of the same inputs
    compare equal wherever the checkout is), with forward slashes; else as given."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix() if not os.path.isabs(path) else str(path)
