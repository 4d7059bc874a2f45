"""A guard against hangs in tests: not a benchmark (speed is measured by bench/bench.py), just a
bound so that a regression to exponential time fails instead of stalling the suite."""
from __future__ import annotations

import contextlib
import signal


class Hung(Exception):
    pass


@contextlib.contextmanager
def hang_guard(seconds: int = 20):
    def expire(*_):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
