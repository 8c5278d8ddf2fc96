#!/usr/bin/env python
"""Training throughput of the fingerprint VAE (samples/s), on the CPU and on a GPU when JAX sees one.

One jitted training step of the training core (wavelearn.learning.core.make_step: loss, gradient,
Adam update) on a batch of random fingerprints of the given shape — the content does not change
the cost — for the VAE with and without the wave-function branch. The default shape is that of
the 'wavelearn transport' example (60 x 40 sites, 101 field points) with the default
architecture (VAEConfig: latent 7, conv 16 32, dense 128, decoder 32 16).

    python bench/vae_bench.py --fields 101 --height 60 --width 40 --batch 32 --output bench/out-vae.md
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=101)
    parser.add_argument("--height", type=int, default=60)
    parser.add_argument("--width", type=int, default=40)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="timed run per case")
    parser.add_argument("--output", help="markdown table to write")
    args = parser.parse_args(argv)

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
