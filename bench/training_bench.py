#!/usr/bin/env python
"""Training throughput of the 3D phase classifier: JAX/Flax (ours) vs the same net in PyTorch.

Same architecture (CNNConfig.default(3, L): periodic 3^3 convolutions 8 and 16 channels, 2^3
max pooling, dropout, dense 64, 2 logits), same batch, Adam, float32. Reports samples/s of a
full training step, and the time of the first convolution's forward pass alone — where XLA's
CPU 3D convolution loses to PyTorch's (oneDNN).

    python bench/training_bench.py --L 20 --batch 32 --output bench/out-training.md
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np


def timed(fn, repeats: int) -> float:
    fn()  # warm-up / compilation
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def jax_step(L: int, batch: int, repeats: int) -> tuple[float, float, str]:
    import jax
    import jax.numpy as jnp
    import flax.linen as nn

    import optax

    from wavelearn.learning.core import make_step
    from wavelearn.learning.phases.network import CNNConfig, periodic_pad
    from wavelearn.learning.phases.training import ClassifierTask, TrainConfig

    settings = TrainConfig(batch_size=batch)
    empty = np.zeros((0, L, L, L), np.float32)
    task = ClassifierTask(CNNConfig.default(3, L), settings, empty, np.zeros(0, int), empty, np.zeros(0, int))
    optimizer = optax.adam(settings.learning_rate)
    update = make_step(task, optimizer)  # the training core's jitted step, as in training
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.random((batch, L, L, L, 1), dtype=np.float32))
    y = jnp.asarray(rng.integers(0, 2, batch))
    key = jax.random.PRNGKey(0)
    params, extra = task.init(key)
    state = {"params": params, "opt": optimizer.init(params)}

    def step():
        state["params"], state["opt"], _, metrics = update(state["params"], state["opt"], extra, (x, y), key)
        metrics["loss"].block_until_ready()

    conv = nn.Conv(8, (3, 3, 3), padding="VALID")
    cp = conv.init(key, periodic_pad(x, 1, 3))
    f = jax.jit(lambda p, v: conv.apply(p, periodic_pad(v, 1, 3)))
    return timed(step, repeats), timed(lambda: f(cp, x).block_until_ready(), repeats), jax.devices()[0].platform


def torch_step(L: int, batch: int, repeats: int) -> tuple[float, float, str]:
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv3d(1, 8, 3, padding=1, padding_mode="circular")
            self.c2 = nn.Conv3d(8, 16, 3, padding=1, padding_mode="circular")
            n = 16 * (L // 4) ** 3
            self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(n, 64), nn.ReLU(), nn.Dropout(0.3),
                                      nn.Linear(64, 2))

        def forward(self, v):
            v = nn.functional.max_pool3d(torch.relu(self.c1(v)), 2)
            v = nn.functional.max_pool3d(torch.relu(self.c2(v)), 2)
            return self.head(v)

    device = "cuda" if torch.cuda.is_available() else "cpu"
    net = Net().to(device)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.random((batch, 1, L, L, L), dtype=np.float32), device=device)
    y = torch.tensor(rng.integers(0, 2, batch), device=device)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        sync()

    def conv_only():
        with torch.no_grad():
            net.c1(x)
        sync()

    return timed(step, repeats), timed(conv_only, repeats), device


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--L", type=int, default=20)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    jx, jconv, jdev = jax_step(args.L, args.batch, args.repeats)
    tx, tconv, tdev = torch_step(args.L, args.batch, args.repeats)
    b = args.batch
    lines = [
        "## CNN training throughput: JAX/Flax vs PyTorch",
        "",
        f"3D L = {args.L}, batch {b}, CNNConfig.default(3, {args.L}); {platform.machine()}; JAX on {jdev}, "
        f"PyTorch on {tdev}. Command: `python bench/training_bench.py {' '.join(sys.argv[1:])}`.",
        "",
        "| measurement | JAX/Flax | PyTorch | PyTorch / JAX |",
        "|---|---|---|---|",
        f"| training step (forward, backward, Adam), samples/s | {b / jx:.0f} | {b / tx:.0f} | {jx / tx:.1f}x |",
        f"| first convolution (1 -> 8 channels) forward, ms | {1e3 * jconv:.1f} | {1e3 * tconv:.1f} | {jconv / tconv:.1f}x |",
        "",
    ]
    print("\n".join(lines))
    if args.output:
        Path(args.output).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
