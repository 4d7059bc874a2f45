"""Forked worker processes that Ctrl-C stops at once.

multiprocessing.Pool hung on Ctrl-C in about one run in eight: the interrupt reached the workers
too, one died while holding the task queue's lock, and Pool.terminate() (also run at exit by its
finaliser) waited for that lock forever, leaving zombie workers. Here there is nothing shared to
lock: each worker has its own pair of pipes, the parent hands out task numbers one at a time and
reads pickled results, and workers ignore SIGINT. On any exception in the parent (Ctrl-C among
them) every worker is killed with SIGKILL and reaped before the exception goes on. A worker that
dies on its own costs nothing but time: the parent runs its task itself.

Workers are forked, so they inherit everything the parent built (the project, the selection);
only task numbers and results cross the pipes. POSIX only: callers fall back to one process
where `os.fork` is missing.
"""
from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
from collections.abc import Callable, Iterator

_HEADER = struct.Struct("!Q")
_TASK = struct.Struct("!I")


def available() -> bool:
    return hasattr(os, "fork")


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None  # the other end is gone
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve(fn: Callable, items: list, task_r: int, result_w: int) -> None:
    """A worker's loop: read a task number, send back (number, result), until end of input."""
    while True:
        raw = _read_exactly(task_r, _TASK.size)
        if raw is None:
            return
        index = _TASK.unpack(raw)[0]
        body = pickle.dumps((index, fn(items[index])), protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(result_w, _HEADER.pack(len(body)) + body)


class _Worker:
    __slots__ = ("pid", "task_w", "result_r", "busy")

    def __init__(self, pid: int, task_w: int, result_r: int):
        self.pid = pid
        self.task_w = task_w
        self.result_r = result_r
        self.busy: int | None = None  # the task number it is working on


def _start(fn: Callable, items: list, started: list[_Worker]) -> None:
    """Fork one more worker and add it to `started` (before a Ctrl-C can land, so that the
    clean-up always knows every worker)."""
    task_r, task_w = os.pipe()
    result_r, result_w = os.pipe()
    # no SIGINT between fork and the child ignoring it (the child must never run parent code),
    # nor between fork and the parent recording the child
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
                os.close(task_w)
                os.close(result_r)
                for other in started:  # the parent's ends for earlier workers: theirs to close
                    os.close(other.task_w)
                    os.close(other.result_r)
                _serve(fn, items, task_r, result_w)
            finally:
                os._exit(0)  # never the parent's atexit handlers, finalisers or buffers
        started.append(_Worker(pid, task_w, result_r))
        os.close(task_r)
        os.close(result_w)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def _stop(workers: list[_Worker], kill: bool) -> None:
    """Close the pipes and reap every worker (SIGKILL first when `kill`): no zombies."""
    for worker in workers:
        if kill:
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for fd in (worker.task_w, worker.result_r):
            try:
                os.close(fd)
            except OSError:
                pass
    for worker in workers:
        while True:
            try:
                os.waitpid(worker.pid, 0)
                break
            except ChildProcessError:
                break
            except InterruptedError:
                continue
    workers.clear()


def imap(fn: Callable, items: list, processes: int) -> Iterator:
    """fn(item) for every item, in forked processes; results in the order of `items`."""
    workers: list[_Worker] = []
    selector = selectors.DefaultSelector()
    try:
        for _ in range(max(1, min(processes, len(items)))):
            _start(fn, items, workers)
        results: dict[int, object] = {}
        handed = 0
        next_out = 0

        def hand_out(worker: _Worker) -> None:
            nonlocal handed
            if handed < len(items):
                worker.busy = handed
                handed += 1
                os.write(worker.task_w, _TASK.pack(worker.busy))
            else:
                worker.busy = None

        for worker in workers:
            selector.register(worker.result_r, selectors.EVENT_READ, worker)
            hand_out(worker)
        while next_out < len(items):
            while next_out in results:
                yield results.pop(next_out)
                next_out += 1
            if next_out >= len(items):
                break
            if not selector.get_map():  # every worker died: the parent finishes the work
                for index in range(handed, len(items)):
                    results[index] = fn(items[index])
                handed = len(items)
                continue
            for key, _ in selector.select():
                worker = key.data
                header = _read_exactly(worker.result_r, _HEADER.size)
                body = _read_exactly(worker.result_r, _HEADER.unpack(header)[0]) if header else None
                if body is None:  # it died: do its task here
                    selector.unregister(worker.result_r)
                    if worker.busy is not None:
                        results[worker.busy] = fn(items[worker.busy])
                    workers.remove(worker)
                    _stop([worker], kill=True)
                    continue
                index, result = pickle.loads(body)
                results[index] = result
                hand_out(worker)
    except BaseException:
        selector.close()
        _stop(workers, kill=True)
        raise
    selector.close()
    _stop(workers, kill=False)
