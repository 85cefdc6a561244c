"""The one place ringfence starts threads.

polars and hashlib release the GIL, so stages that share nothing run side by side:
inputs read and hashed at once, the cross-line checks and award limits beside
classification, findings text beside the rest of a report's rows. durable-rules is
never called from these threads: it is not thread-safe (see packs/durable_runner.py),
and classification, which alone calls it, runs on the calling thread.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor


def pool(workers: int) -> ThreadPoolExecutor:
    """Threads for `workers` stages at once; the caller shuts it down (or uses `with`)."""
    return ThreadPoolExecutor(max_workers=workers)
