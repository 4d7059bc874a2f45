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

        return main()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(entry())
