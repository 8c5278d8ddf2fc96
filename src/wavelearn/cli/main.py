"""``wavelearn`` — eigenstates of disordered lattices, and what is learned from them.

Each sub-command lives in its own module and registers itself; :data:`MODULES` maps every
command name to its module.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from wavelearn import __version__
from wavelearn.cli.options import integer, number
from wavelearn.errors import WavelearnError

# Command -> the module that registers it, in the order of --help. A job imports only its own
# command's module: registering the training commands imports JAX (their defaults live in the
# training dataclasses), which would add about a second to the start-up of every eigensolve job.
MODULES = {
    "eigensolve": "eigensolve", "gather": "gather", "plan": "plan", "summarize": "summarize",
    "plot-states": "summarize", "criticality": "criticality", "refine": "refine", "train": "train",
    "scan": "scan", "phase-diagram": "scan", "transport": "transport", "gather-fingerprints": "transport",
    "plot-fingerprints": "transport", "vae": "vae", "nqs": "nqs", "plot-nqs": "nqs", "show": "show",
    "table": "table",
}


class Parser(argparse.ArgumentParser):
    """Every command's parser (sub-commands inherit the class): ``type=int`` and ``type=float``
    accept what the config accepts as an integer and a number (:mod:`wavelearn.cli.options`), so
    no nan, inf or overflowing value reaches a dataclass that checks ranges with comparisons; and
    a usage error is one line, exit status 2, like every other error of ``wavelearn``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register("type", int, integer)
        self.register("type", float, number)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of ``command``'s module when it is a known command."""
    parser = Parser(
        prog="wavelearn",
        description=__doc__.splitlines()[0].replace("``", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'wavelearn COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"wavelearn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = [MODULES[command]] if command in MODULES else list(dict.fromkeys(MODULES.values()))
    for name in names:
        importlib.import_module(f"wavelearn.cli.{name}").register(sub)
    return parser


def abort_other_ranks(code: int) -> None:
    """Under MPI with several ranks, an error on one rank must end all of them: the others may be
    waiting in a collective call that never completes. MPI_Abort ends the whole job, non-zero."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized() and mpi.COMM_WORLD.Get_size() > 1:
        sys.stdout.flush()
        sys.stderr.flush()
        mpi.COMM_WORLD.Abort(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader closed the pipe (`wavelearn show ... | head`): not an error. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (WavelearnError, OSError) as err:  # OSError: missing, unreadable or non-HDF5 files
        print(f"wavelearn {args.command}: error: {err}", file=sys.stderr)
        abort_other_ranks(2)
        return 2
    except BaseException:
        import traceback

        traceback.print_exc()
        abort_other_ranks(1)
        raise


if __name__ == "__main__":
    sys.exit(main())
