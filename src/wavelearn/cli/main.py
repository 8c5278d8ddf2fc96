"""``wavelearn`` — eigenstates of disordered lattices, and what is learned from them.

Each sub-command lives in its own module and registers itself in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import os
import sys

from wavelearn import __version__
from wavelearn.cli import (
    criticality,
    eigensolve,
    gather,
    nqs,
    plan,
    refine,
    scan,
    show,
    summarize,
    train,
    transport,
    vae,
)
from wavelearn.errors import WavelearnError

COMMANDS = (eigensolve, gather, plan, summarize, criticality, refine, train, scan, transport, vae, nqs, show)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wavelearn",
        description=__doc__.splitlines()[0].replace("``", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'wavelearn COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"wavelearn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
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
    parser = build_parser()
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
