"""Ctrl-C that waits for the end of a short critical section (one file's atomic write).

A KeyboardInterrupt between creating a temporary file and renaming it over the original would
leave the temporary file behind. Inside `deferred()` SIGINT is only recorded; when the section
ends the interrupt is raised, so gplint still stops right after that one write and exits 130.
"""
from __future__ import annotations

import contextlib
import signal
import threading


@contextlib.contextmanager
def deferred():
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; nothing to defer elsewhere
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
