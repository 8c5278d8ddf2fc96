"""``wavelearn table``: a results table (CSV) printed with every number to the precision it carries.

A value with a standard error (``X`` beside ``X_stderr``) is printed as ``X ± error`` and a
critical point with its 95 % interval (``X_c`` beside ``low``, ``high``) as ``X_c [low, high]``,
both rounded by :func:`wavelearn.analysis.critical.format_interval`'s rule (two significant
digits of the uncertainty: the digits the number carries), the same as ``wavelearn phase-diagram``
prints. Every NaN is marked and explained below the table: why it is there and what would fix it.
"""

from __future__ import annotations

import argparse
import csv
import math

from wavelearn.analysis.critical import format_interval, uncertainty_decimals

HELP = "print a results CSV (summary, phase diagram) to the precision its numbers carry, NaN explained"

DESCRIPTION = """\
Print results tables as make run does. A value with a standard error (columns X and X_stderr)
is printed as 'X ± error', a critical point with its 95 % interval (X_c, low, high) as
'X_c [low, high]', both to two significant digits of the uncertainty: the digits the value
carries (the rounding of 'wavelearn phase-diagram'). Every NaN is marked and explained below
the table: why it is there and what would fix it. A run file of 'wavelearn nqs' (.h5) is one
line: the VMC energy with its statistical error, the exact energy and the relative error.

example:
  wavelearn table results/summary.csv results/learning/*/scan_*/phase_diagram.csv
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("table", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tables", nargs="+", metavar="FILE",
                   help="results/summary.csv, a phase_diagram.csv, another CSV wavelearn wrote, or a run file "
                        "of 'wavelearn nqs' (.h5: its energy, one line)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    for i, path in enumerate(args.tables):
        if path.endswith(".h5"):
            print(nqs_line(path))
            continue
        if i:
            print()
        for line in table_lines(path):
            print(line)
    return 0


def nqs_line(path: str) -> str:
    """The final energy of a VMC run with its statistical error, the exact energy and the relative
    error, each to the digits it carries."""
    from wavelearn.io.nqs import read_run

    run = read_run(path)
    line = f"{path}: E = {with_error(run.energy, run.energy_error)} (Pauli convention)"
    if run.exact_energy is None or not math.isfinite(run.exact_energy):
        return line + ", no exact energy (the sector is too large for exact diagonalisation)"
    decimals = uncertainty_decimals(run.energy_error) if run.energy_error > 0 else 6
    return line + f", exact {run.exact_energy:.{decimals}f}, relative error {run.relative_error:.1e}"


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def with_error(value: float, error: float) -> str:
    """``0.2345 ± 0.0012``: the error's two significant digits decide the decimals."""
    if not math.isfinite(value):
        return "nan"
    if not math.isfinite(error) or error < 0:
        return f"{value:.4g} ± nan"
    if error == 0:  # every realization agrees: the value's own digits
        return f"{value:.4g} ± 0"
    decimals = uncertainty_decimals(error)
    return f"{value:.{decimals}f} ± {error:.{decimals}f}"


#: why a NaN appears, per (column, situation); {L}, {row} are filled in
WHY = {
    "participation": "no usable state at this point: every one is a vector of a degenerate level (left out, "
                     "column degenerate_excluded); a nonzero W or another energy gives non-degenerate states",
    "participation_stderr": "one state at this point: no standard error; raise realizations or nev",
    "no_crossing": "P(first class) does not cross 1/2 inside the scanned range at L={L}: the scan does not reach "
                   "both phases there; widen the range of the scanned parameter",
    "no_interval": "fewer than half of the bootstrap resamples cross 1/2 at L={L}: the realizations per point "
                   "do not resolve the crossing; raise realizations",
    "no_size_crossing": "the P curves of L={pair} do not cross inside the scanned range (their difference keeps "
                        "its sign): the sizes are too close, or the difference is noise; raise realizations, add "
                        "larger L or points near the transition",
    "size_crossing_interval": "no interval: the crossing of two sizes is a single estimate, without a bootstrap",
}


def table_lines(path: str) -> list[str]:
    """The CSV at ``path`` as aligned text lines, then one numbered line per kind of NaN (or of
    missing interval) in it, saying why and what would fix it."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return [f"{path}: no rows"]
    columns = list(rows[0])
    critical = next((c for c in columns if c.endswith("_c") and {"low", "high"} <= set(columns)), None)
    paired = {c for c in columns if f"{c}_stderr" in columns}
    hidden = {f"{c}_stderr" for c in paired} | ({"low", "high"} if critical else set())
    shown = [c for c in columns if c not in hidden]
    notes: dict[str, str] = {}

    def note(key: str, **names) -> str:
        text = WHY[key].format(**names)
        return notes.setdefault(text, f"({len(notes) + 1})")

    body = []
    for row in rows:
        cells = []
        for c in shown:
            value = _float(row[c]) if row[c] != "" else None
            if c == critical:
                cells.append(_critical_cell(row, c, note))
            elif c in paired and value is not None:
                error = _float(row[f"{c}_stderr"])
                cell = with_error(value, error if error is not None else math.nan)
                if math.isnan(value):
                    cell += " " + note(c)
                elif error is None or math.isnan(error):
                    cell += " " + note(f"{c}_stderr")
                cells.append(cell)
            elif value is not None and c not in ("L", "samples", "states", "realizations") and "." in row[c]:
                cells.append(f"{value:g}")
            else:
                cells.append(row[c])
        body.append(cells)
    header = [f"{c} ± error" if c in paired else (f"{c} [95 % interval]" if c == critical else c) for c in shown]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(shown))]
    # Numbers right-aligned (their digits line up), words (study names) left-aligned.
    text = [any(_float(line[i].split(" ")[0]) is None for line in body) for i in range(len(shown))]
    lines = ["  ".join(cell.ljust(w) if left else cell.rjust(w) for cell, w, left in zip(line, widths, text)).rstrip()
             for line in [header, *body]]
    return lines + [f"{mark} {text}" for text, mark in notes.items()]


def _critical_cell(row: dict, column: str, note) -> str:
    value, low, high = (_float(row[k]) for k in (column, "low", "high"))
    size = row.get("L", "")
    if "x" in size:  # the crossing of two sizes' curves
        if value is None or math.isnan(value):
            return "nan " + note("no_size_crossing", pair=size.replace("x", " and L="))
        return f"{value:.4g} " + note("size_crossing_interval")
    if value is None or math.isnan(value):
        return "nan " + note("no_crossing", L=size)
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return f"{value:.4g} [nan] " + note("no_interval", L=size)
    return format_interval(value, low, high)
