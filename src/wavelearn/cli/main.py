"""``wavelearn`` — eigenstates of disordered lattices, and what is learned from them.

Each sub-command lives in its own module and registers itself in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys

from wavelearn import __version__
from wavelearn.cli import eigensolve, gather, plan, scan, show, summarize, train
from wavelearn.errors import WavelearnError

COMMANDS = (eigensolve, gather, plan, summarize, train, scan, show)


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (WavelearnError, OSError) as err:  # OSError: missing, unreadable or non-HDF5 files
        print(f"wavelearn {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
