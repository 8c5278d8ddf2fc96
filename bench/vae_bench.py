#!/usr/bin/env python
"""Training throughput of the fingerprint VAE (samples/s), on the CPU and on a GPU when JAX sees one.

One jitted training step of the training core (wavelearn.learning.core.make_step: loss, gradient,
Adam update) on a batch of random fingerprints of the given shape — the content does not change
the cost — for the VAE with and without the wave-function branch. The default shape is that of
the 'wavelearn transport' example (60 x 40 sites, 101 field points) with the default
architecture (VAEConfig: latent 7, conv 16 32, dense 128, decoder 32 16).

    python bench/vae_bench.py --fields 101 --height 60 --width 40 --batch 32 --output bench/out-vae.md

``--curve DATASET...``: instead, a learning curve on Kwant fingerprints. One held-out set (the
``--validation`` fraction, seeded as ``wavelearn vae train`` splits), and for each of ``--sizes`` a
VAE trained on that many of the remaining layouts (the first of a seeded permutation: the sets
are nested); per size the held-out pixel correlation and position error, the three baselines
built from the same training layouts, the epoch kept, and the wall time of the training.

    python bench/vae_bench.py --curve results/fingerprints/fingerprints.h5 --sizes 100 200 380 \
        --epochs 60 --output bench/out-vae-curve.md

``--lookup DATASET...``: instead, the nearest-neighbour baseline's position error per field
window (``--windows MAX:STEP ...``) on a dataset computed on a fine grid: how much of the layout
each window's g(B) pins down, without any training.

    python bench/vae_bench.py --lookup fine.h5 --output bench/out-vae-window.md

``--image-bounds DATASET...``: instead, what a prediction of the density image can reach on the
held-out split (module function ``image_bounds``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np


def throughput(device, fields: int, height: int, width: int, batch: int, with_wavefunction: bool,
               seconds: float) -> tuple[float, float]:
    """(samples per second of the median training step, seconds of the first call: trace + compile)."""
    import jax
    import optax

    from wavelearn.learning.core import make_step
    from wavelearn.learning.fingerprints.data import VAEData
    from wavelearn.learning.fingerprints.network import VAEConfig
    from wavelearn.learning.fingerprints.training import Normalisation, VAETask, VAETrainConfig

    rng = np.random.default_rng(0)
    n = 2 * batch
    data = VAEData(rng.normal(size=(n, fields)), (rng.random((n, height, width)) > 0.8),
                   rng.random((n, height, width)), [np.zeros((0, 2))] * n, np.linspace(0, 1, fields))
    config = VAEConfig(n_fields=fields, height=height, width=width, with_wavefunction=with_wavefunction)
    settings = VAETrainConfig(batch_size=batch)
    with jax.default_device(device):
        task = VAETask(config, settings, data, data, Normalisation.of(data))
        optimizer = optax.adam(settings.learning_rate)
        step = make_step(task, optimizer)
        params, extra = task.init(jax.random.PRNGKey(0))
        opt_state = optimizer.init(params)
        batches = list(task.batches(0, np.random.default_rng(0)))
        batches = [jax.device_put(b, device) for b in batches]
        key = jax.random.PRNGKey(1)
        start = time.perf_counter()
        params, opt_state, extra, metrics = step(params, opt_state, extra, batches[0], key)
        jax.block_until_ready(metrics)
        compile_seconds = time.perf_counter() - start
        # Each step waits for its result: steps of ~0.1 s or more make the wait negligible, and a
        # long queue of asynchronously dispatched steps would only measure the queue.
        times: list[float] = []
        while sum(times) < seconds or len(times) < 3:
            start = time.perf_counter()
            params, opt_state, extra, metrics = step(params, opt_state, extra, batches[len(times) % len(batches)],
                                                     key)
            jax.block_until_ready((params, metrics))
            times.append(time.perf_counter() - start)
    return batch / float(np.median(times)), compile_seconds


def learning_curve(paths: list[str], sizes: list[int], epochs: int, beta: float, selection: float,
                   validation: float, seed: int, with_wavefunction: bool, workdir: Path) -> list[str]:
    """Markdown rows of the learning curve (module docstring)."""
    import json

    from wavelearn.learning.fingerprints.data import read_datasets, split_layouts
    from wavelearn.learning.fingerprints.network import VAEConfig
    from wavelearn.learning.fingerprints.training import VAETrainConfig, train_vae

    data = read_datasets(paths)
    train_idx, test_idx = split_layouts(len(data), validation, seed)
    order = np.random.default_rng([seed, 2718]).permutation(train_idx)
    config = VAEConfig(n_fields=data.signal.shape[1], height=data.shape[0], width=data.shape[1],
                       with_wavefunction=with_wavefunction)
    settings = VAETrainConfig(epochs=epochs, beta=beta, selection=selection, validation=validation, seed=seed)
    rows = []
    for size in sizes:
        if size > len(order):
            raise SystemExit(f"--sizes {size}: only {len(order)} training layouts")
        start = time.perf_counter()
        train_vae(data, np.sort(order[:size]), test_idx, config, settings, workdir / f"n{size}", progress=False)
        seconds = time.perf_counter() - start
        m = json.loads((workdir / f"n{size}" / "network.json").read_text())["metrics"]
        b = m["baselines"]
        correlation = f"{m['test_correlation']:.3f}" if "test_correlation" in m else "-"
        rows.append(f"| {size} | {len(test_idx)} | {correlation} | {b['mean image']['correlation']:.3f} "
                    f"| {b['nearest neighbour']['correlation']:.3f} | {m['test_position_error']:.2f} "
                    f"| {b['random layout']['position_error']:.2f} | {b['nearest neighbour']['position_error']:.2f} "
                    f"| {m.get('best_epoch', epochs)} / {epochs} | {seconds:.0f} |")
        print(rows[-1], flush=True)
    return rows


def window_lookup(paths: list[str], windows: list[str], splits: int = 4) -> list[str]:
    """Markdown rows: the nearest-neighbour baseline's position error when g(B) is cut to the
    field window ``0..MAX`` sampled every ``STEP`` (each ``MAX:STEP`` of ``windows``; the
    dataset's grid must contain those points), mean over ``splits`` random halves."""
    from wavelearn.learning.fingerprints import metrics as M
    from wavelearn.learning.fingerprints.data import read_datasets

    data = read_datasets(paths)
    rows = []
    for window in windows:
        top, step = (float(v) for v in window.split(":"))
        wanted = np.arange(0.0, top + step / 2, step)
        columns = [int(np.argmin(np.abs(data.field - b))) for b in wanted]
        if np.max(np.abs(data.field[columns] - wanted)) > 1e-9:
            raise SystemExit(f"window {window}: the dataset's field grid lacks some of its points")
        errors = []
        for split in range(splits):
            order = np.random.default_rng(split).permutation(len(data))
            train, test = data.subset(order[len(data) // 4:]), data.subset(order[: len(data) // 4])
            train.signal, test.signal = train.signal[:, columns], test.signal[:, columns]
            b = M.baselines(train, test, split)
            errors.append((b["nearest neighbour"]["position_error"], b["random layout"]["position_error"]))
        nn, random = np.mean(errors, axis=0)
        rows.append(f"| 0..{top:g} every {step:g} | {len(columns)} | {nn:.2f} | {random:.2f} |")
        print(rows[-1], flush=True)
    return rows


def image_bounds(paths: list[str], validation: float, seed: int) -> str:
    """What a prediction of the density image can reach on the held-out split of ``vae train``:
    the mean training image; the mean image with the true antidots cut out (what knowing the
    layout exactly buys without solving the wave problem); the image of the training layout
    closest to the truth *in layout* (an oracle lookup), with that layout's position error."""
    from wavelearn.learning.fingerprints import metrics as M
    from wavelearn.learning.fingerprints.data import read_datasets, split_layouts

    data = read_datasets(paths)
    train_idx, test_idx = split_layouts(len(data), validation, seed)
    train, test = data.subset(train_idx), data.subset(test_idx)
    mean = train.image.astype(np.float64).mean(axis=0)
    closest = [int(np.argmin([M.matched_error(p, t) for p in train.positions])) for t in test.positions]
    oracle_error = np.mean([M.matched_error(train.positions[i], t) for i, t in zip(closest, test.positions)])
    rows = [("mean training image", M.pixel_correlation(np.broadcast_to(mean, test.image.shape), test.image)),
            ("mean image, true antidots cut out", M.pixel_correlation(mean * (1 - test.occupancy), test.image)),
            (f"image of the closest training layout ({oracle_error:.2f} sites away)",
             M.pixel_correlation(train.image[closest], test.image))]
    return "\n".join([f"Pixel correlation with the true images, {len(train)} training / {len(test)} held-out layouts "
                      f"of {' '.join(paths)}", "", "| prediction | pixel correlation |", "|---|---:|",
                      *(f"| {name} | {values.mean():.3f} |" for name, values in rows)]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curve", nargs="+", metavar="DATASET", help="learning curve on these fingerprint files")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400], help="training layouts")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--beta", type=float, default=1e-3)
    parser.add_argument("--selection", type=float, default=0.15)
    parser.add_argument("--validation", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-wavefunction", action="store_true")
    parser.add_argument("--workdir", default="bench/vae-curve", help="networks of the learning curve")
    parser.add_argument("--lookup", nargs="+", metavar="DATASET",
                        help="instead: the nearest-neighbour baseline per field window (--windows)")
    parser.add_argument("--windows", nargs="+", default=["0.04:0.001", "0.04:0.002", "0.06:0.001", "0.06:0.002",
                                                         "0.06:0.003"], metavar="MAX:STEP")
    parser.add_argument("--fields", type=int, default=101)
    parser.add_argument("--height", type=int, default=60)
    parser.add_argument("--width", type=int, default=40)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="timed run per case")
    parser.add_argument("--output", help="markdown table to write")
    parser.add_argument("--image-bounds", nargs="+", metavar="DATASET",
                        help="instead: what predictions of the image can reach (mean image, true holes, oracle)")
    args = parser.parse_args(argv)
    if args.image_bounds:
        text = image_bounds(args.image_bounds, args.validation, args.seed)
        print(text)
        if args.output:
            Path(args.output).write_text(text)
        return 0
    if args.lookup:
        rows = window_lookup(args.lookup, args.windows)
        text = "\n".join([f"Nearest-neighbour lookup per field window on {' '.join(args.lookup)} (3/4 training, "
                           "1/4 test, mean over 4 random splits)", "",
                           "| window | points | NN position error (sites) | random layout |", "|---|---:|---:|---:|",
                           *rows]) + "\n"
        print(text)
        if args.output:
            Path(args.output).write_text(text)
        return 0
    if args.curve:
        rows = learning_curve(args.curve, args.sizes, args.epochs, args.beta, args.selection, args.validation,
                              args.seed, not args.no_wavefunction, Path(args.workdir))
        header = [f"VAE learning curve on {' '.join(args.curve)}: {args.epochs} epochs, beta {args.beta:g}, "
                  f"selection {args.selection:g}, seed {args.seed}, "
                  f"{'layout only' if args.no_wavefunction else 'image + layout'}; {os.cpu_count()} CPU cores",
                  "", "| training layouts | held out | pixel correlation | mean image | nearest neighbour "
                  "| position error (sites) | random layout | nearest neighbour | epoch kept | seconds |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        text = "\n".join(header + rows) + "\n"
        print(text)
        if args.output:
            Path(args.output).write_text(text)
        return 0

    import jax

    devices = [("cpu", jax.devices("cpu")[0])]
    try:
        devices += [(d.platform, d) for d in jax.devices("gpu")[:1]]
    except RuntimeError:
        pass  # no GPU backend
    rows = []
    for name, device in devices:
        for with_wavefunction in (True, False):
            rate, compile_seconds = throughput(device, args.fields, args.height, args.width, args.batch,
                                               with_wavefunction, args.seconds)
            label = "image + layout" if with_wavefunction else "layout only"
            rows.append(f"| {name} ({device.device_kind}) | {label} | {rate:.0f} | {compile_seconds:.1f} |")
            print(rows[-1], flush=True)
    header = [f"VAE training step: g(B) of {args.fields} points -> {args.height}x{args.width} images, "
              f"batch {args.batch}, default VAEConfig; {platform.processor() or platform.machine()}, "
              f"jax {jax.__version__}; {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the end",
              "", "| device | branches | samples/s | first step (s, compile) |", "|---|---|---:|---:|"]
    text = "\n".join(header + rows) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
