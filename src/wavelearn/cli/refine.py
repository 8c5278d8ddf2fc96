"""``wavelearn refine``: one round of the adaptive refinement of a study's grid (a checkpoint job).

Run by the workflow's checkpoint ``refine`` as ``wavelearn refine``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import defaultdict

from wavelearn.cli.options import number
from wavelearn.errors import ParameterError


def _values(text: str) -> list[float]:
    try:
        return [number(v) for v in text.split(",") if v]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected comma-separated numbers, e.g. 16.25,16.75") from None


def _parser(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("shards", nargs="+", metavar="SHARD", help="the shards of every point sampled so far (all L)")
    p.add_argument("--round", type=int, required=True, help="the round number k (1: the coarse grid only)")
    p.add_argument("--parameter", required=True, choices=("W", "p", "flux"))
    p.add_argument("--width", type=float, required=True, help="stop when the bracket is narrower than this")
    p.add_argument("--max-points", type=int, default=8, help="values to add at most, over all rounds (default 8)")
    p.add_argument("--per-round", type=int, default=2, help="values to add at most per round (default 2)")
    p.add_argument("--observable", default="r", choices=("r", "d2_lambda"))
    p.add_argument("--refined", type=_values, default=[], metavar="X,Y,...",
                   help="the values added by earlier rounds")
    p.add_argument("--bootstrap", type=int, default=200, metavar="N", help="bootstrap replicas (default 200)")
    p.add_argument("--output", required=True, help="the round file to write (JSON)")
    return p


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("refine", help="one round of adaptive refinement: new grid values around the crossings",
                       description=__doc__.splitlines()[0].replace("``", ""))
    _parser(p).set_defaults(run=run)


def crossings_of_shards(shards: list[str], observable: str, workdir: str, n_boot: int) -> tuple[list[dict], list]:
    """The crossing rows of ``observable`` for successive sizes, and the sampled values of the
    scanned parameters, from shards gathered per L into temporary datasets in ``workdir``."""
    import h5py
    import numpy as np

    from wavelearn.analysis.criticality import analyse, scan_parameter
    from wavelearn.analysis.scaling import pairwise_crossings
    from wavelearn.io.datasets import gather_shards

    by_size = defaultdict(list)
    for path in shards:
        with h5py.File(path, "r") as f:
            by_size[int(f.attrs["L"])].append(path)
    datasets = []
    for L, paths in sorted(by_size.items()):
        datasets.append(os.path.join(workdir, f"L{L}.h5"))
        gather_shards(paths, datasets[-1])
    points = analyse(datasets, n_boot)
    rows = [p.row for p in points]
    parameter = scan_parameter(rows)
    keep = [p for p in points if np.isfinite(p.row[observable]) and p.row[f"{observable}_error"] > 0]
    if not keep:
        return [], rows
    x = np.array([p.row[parameter] for p in keep])
    L = np.array([p.row["L"] for p in keep])
    q = np.array([p.row[observable] for p in keep])
    replicas = np.stack([p.replicas[observable] for p in keep], axis=1)
    found = pairwise_crossings(x, L, q, replicas=replicas)
    return [dict(L1=c.L1, L2=c.L2, x_c=c.x, x_c_low=c.interval[0], x_c_high=c.interval[1]) for c in found], rows


def run(args: argparse.Namespace) -> int:
    from wavelearn.campaign.refine import RefineSettings, decide, write_round
    from wavelearn.io.provenance import provenance

    if args.round < 1:
        raise ParameterError(f"--round {args.round}: rounds count from 1")
    settings = RefineSettings(parameter=args.parameter, width=args.width, max_points=args.max_points,
                              per_round=args.per_round, observable=args.observable)
    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".refine-") as tmp:
        crossings, rows = crossings_of_shards(args.shards, args.observable, tmp, args.bootstrap)
    sampled = sorted({r[args.parameter] for r in rows})
    decision = decide(settings, sampled, args.refined, crossings, args.round)
    write_round(decision, args.output, provenance())
    for c in crossings:
        print(f"crossing L={c['L1']},{c['L2']}: {args.parameter} = {c['x_c']:.4g} "
              f"[{c['x_c_low']:.4g}, {c['x_c_high']:.4g}]")
    added = ", ".join(f"{v:g}" for v in decision.added) or "nothing"
    print(f"round {decision.round}: added {added}; {'done' if decision.done else 'continue'}: {decision.reason}")
    print(f"wrote {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m wavelearn.cli.refine``: the same as ``wavelearn refine`` (one error handling)."""
    from wavelearn.cli.main import main as wavelearn

    return wavelearn(["refine", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
