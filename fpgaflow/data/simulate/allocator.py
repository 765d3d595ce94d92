"""Opt-in glibc allocator tuning for bulk simulation.

The simulator allocates and frees arrays of a few MB per batch.  With glibc's defaults such arrays are
``mmap``-ed and returned to the kernel on every free, so each batch pays page faults on fresh memory —
measured here as more than half of the time for module-sized maps.  :func:`keep_freed_memory` raises the
mmap and trim thresholds (``mallopt``) so freed blocks are reused.  It changes the whole process (memory
is held rather than returned), so only the bulk-generation entry points call it (``fpgaflow data
simulate``, the benchmark); the library never does so on import.  A no-op where glibc is absent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
#: glibc's ceiling for M_MMAP_THRESHOLD on 64-bit (HEAP_MAX_SIZE / 2).
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024


def keep_freed_memory(trim_threshold: int = 512 * 1024 * 1024, top_pad: int = 64 * 1024 * 1024) -> bool:
    """Ask glibc to keep up to ``trim_threshold`` bytes of freed memory; True if glibc accepted it."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = all(
        mallopt(ctypes.c_int(option), ctypes.c_int(value)) == 1
        for option, value in (
            (_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX),
            (_M_TRIM_THRESHOLD, trim_threshold),
            (_M_TOP_PAD, top_pad),
        )
    )
    log.debug("glibc mallopt tuning %s", "applied" if ok else "rejected")
    return ok
