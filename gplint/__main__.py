"""`python -m gplint` and the `gplint` command. Importing the CLI is inside the try, so a Ctrl-C
that lands while gplint is still loading exits 130 like any other, without a traceback (an
uncaught KeyboardInterrupt would kill the process by SIGINT instead)."""
import sys


def entry() -> int:
    try:
        if sys.argv[1:] == ["--version"]:
            # argparse and the CLI cost more than the interpreter's own start: answer before them
            # (the same line argparse's `version` action prints)
            from . import __version__

            sys.stdout.write(f"gplint {__version__}\n")
            return 0
        from .cli import main

        # under a profiler or coverage tracer the normal exit lets it write its results
        traced = sys.getprofile() is not None or sys.gettrace() is not None
        code = main(process_ends=not traced)
    except KeyboardInterrupt:
        return 130
    return code if traced else _end_process(code)


def _end_process(code: int):
    """Leave without tearing the run down. A lint's documents and trees hold reference cycles,
    and freeing them at exit takes the collector a walk over everything the run built (15% of
    the CPU time of a 2,000-workflow run, measured). Nothing is left to finish: reports, the
    cache and fixed files are written and closed before main returns, so only the standard
    streams' buffers need flushing (the worker processes end the same way, workers.py)."""
    import os

    try:
        sys.stdout.flush()
    except OSError:  # the reader went away (`gplint | head`): the report is cut short
        code = code or 1
    try:
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(entry())
