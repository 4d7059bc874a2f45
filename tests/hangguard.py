"""A guard against hangs in tests: not a benchmark (speed is measured by bench/bench.py), just a
bound so that a regression to exponential or quadratic time fails instead of stalling the suite.

The bound is on the CPU time this process spends (ITIMER_PROF counts user + system time), never
on the wall clock: a busy machine slows a test down but does not make it use more CPU, so a
guard set at 10x or more of the expected cost does not fail under load. Python checks signals
between bytecodes, so a loop inside C code is interrupted when it returns to Python.
"""
from __future__ import annotations

import contextlib
import signal


class Hung(Exception):
    pass


@contextlib.contextmanager
def hang_guard(cpu_seconds: float = 20):
    """Raise Hung when the body uses more than `cpu_seconds` of CPU time."""
    def expire(*_):
        raise Hung(f"still running after {cpu_seconds} s of CPU time")

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
