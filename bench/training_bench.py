#!/usr/bin/env python
"""Throughput of the phase classifiers: JAX/Flax in both formulations against the same nets in PyTorch.

The default nets, CNNConfig.default(3, L) (periodic 3^3 convolutions with 8 and 16 channels,
2^3 max pooling, dropout, dense 64) and CNNConfig.default(2, L2) (16 and 32 channels, dense 128),
float32, Adam. Three implementations of each, side by side in one process:

    JAX plain  PhaseCNN(impl="native"): XLA's convolution and pooling (what a GPU runs)
    JAX fast   PhaseCNN(impl="cpu"): FFT convolutions in 3D, first-maximum pooling (CPU default)
    PyTorch    the same architecture with circular padding (oneDNN on CPU)

Reported: samples/s of a training step (the training core's jitted step: forward, backward,
Adam; batch --batch), of inference (softmax of the logits, batch --infer-batch), and the time of
the first convolution's forward pass alone. The variants run interleaved, --rounds times
--repeats calls each; a variant's time is its fastest round, which filters out passing load from
other processes. Lasting load does not hit both frameworks alike: PyTorch's OpenMP threads slow
down many times when another process holds one of their cores, JAX's thread pool does not, so
compare on an idle machine or with ``--threads N``, which pins the process to N cores and gives
PyTorch N threads (JAX's thread pool follows the affinity).

    python bench/training_bench.py --output bench/out-training.md
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np


def best_times(calls: dict, rounds: int, repeats: int) -> dict[str, float]:
    """Seconds per call of each function: the fastest of ``rounds`` interleaved rounds."""
    for call in calls.values():  # compilation, warm-up
        call()
        call()
    best = {name: np.inf for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(repeats):
                call()
            best[name] = min(best[name], (time.perf_counter() - start) / repeats)
    return best


def jax_calls(cnn, impl: str, batch: int, infer_batch: int) -> dict:
    import jax
    import jax.numpy as jnp
    import optax

    from wavelearn.learning.core import make_step
    from wavelearn.learning.phases.network import PhaseCNN
    from wavelearn.learning.phases.training import ClassifierTask, TrainConfig

    settings = TrainConfig(batch_size=batch)
    empty = np.zeros((0,) + (cnn.L,) * cnn.dim, np.float32)
    task = ClassifierTask(cnn, settings, empty, np.zeros(0, int), empty, np.zeros(0, int))
    task.network = PhaseCNN(cnn, impl=impl)
    optimizer = optax.adam(settings.learning_rate)
    update = make_step(task, optimizer)  # the training core's jitted step, as in training
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.random((batch,) + (cnn.L,) * cnn.dim + (1,), dtype=np.float32))
    y = jnp.asarray(rng.integers(0, cnn.n_classes, batch))
    xi = jnp.asarray(rng.random((infer_batch,) + (cnn.L,) * cnn.dim + (1,), dtype=np.float32))
    key = jax.random.PRNGKey(0)
    params, extra = task.init(key)
    state = {"params": params, "opt": optimizer.init(params)}

    def train():
        state["params"], state["opt"], _, metrics = update(state["params"], state["opt"], extra, (x, y), key)
        metrics["loss"].block_until_ready()

    # as TrainedNetwork.predict
    predict = jax.jit(lambda p, v: jax.nn.softmax(task.network.apply({"params": p}, v)))

    # the first convolution alone, as the implementation computes it (the CPU formulation keeps
    # XLA's convolution in 2D)
    kernel = params["Conv_0"]["kernel"]
    if impl == "cpu" and cnn.dim == 3:
        from wavelearn.learning.phases.layers import periodic_conv_fft

        conv, conv_input = jax.jit(periodic_conv_fft), jnp.moveaxis(x, -1, 1)
    else:
        from wavelearn.learning.phases.network import periodic_conv

        conv, conv_input = jax.jit(lambda v, k: periodic_conv(v, k, cnn.dim)), x
    return {"train": train,
            "infer": lambda: predict(state["params"], xi).block_until_ready(),
            "conv": lambda: conv(conv_input, kernel).block_until_ready()}


def torch_calls(cnn, batch: int, infer_batch: int) -> tuple[dict, str]:
    import torch
    from torch import nn

    conv_cls = {2: nn.Conv2d, 3: nn.Conv3d}[cnn.dim]
    pool = {2: nn.functional.max_pool2d, 3: nn.functional.max_pool3d}[cnn.dim]

    class Net(nn.Module):
        """CNNConfig's architecture (PhaseCNN) in PyTorch."""

        def __init__(self):
            super().__init__()
            convs, channels, size = [], 1, cnn.L
            for features in cnn.features:
                block = []
                for _ in range(cnn.convs_per_block):
                    block.append(conv_cls(channels, features, 3, padding=1, padding_mode="circular"))
                    channels = features
                convs.append(nn.ModuleList(block))
                size = size // 2 if size >= 2 else size
            self.blocks = nn.ModuleList(convs)
            self.head = nn.Sequential(nn.Flatten(), nn.Dropout(cnn.dropout),
                                      nn.Linear(channels * size**cnn.dim, cnn.dense), nn.ReLU(),
                                      nn.Dropout(cnn.dropout), nn.Linear(cnn.dense, cnn.n_classes))

        def forward(self, v):
            for block in self.blocks:
                for conv in block:
                    v = torch.relu(conv(v))
                if min(v.shape[2:]) >= 2:
                    v = pool(v, 2)
            return self.head(v)

    device = "cuda" if torch.cuda.is_available() else "cpu"
    net = Net().to(device)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.random((batch, 1) + (cnn.L,) * cnn.dim, dtype=np.float32), device=device)
    y = torch.tensor(rng.integers(0, cnn.n_classes, batch), device=device)
    xi = torch.tensor(rng.random((infer_batch, 1) + (cnn.L,) * cnn.dim, dtype=np.float32), device=device)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    def train():
        net.train()
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        sync()

    def infer():
        net.eval()
        with torch.no_grad():
            torch.softmax(net(xi), -1)
        sync()

    def conv():
        with torch.no_grad():
            net.blocks[0][0](x)
        sync()

    return {"train": train, "infer": infer, "conv": conv}, device


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--L", type=int, default=20, help="3D lattice size")
    parser.add_argument("--L2", type=int, default=32, help="2D lattice size")
    parser.add_argument("--batch", type=int, default=32, help="training batch")
    parser.add_argument("--infer-batch", type=int, default=256, help="inference batch (that of predict)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="cores to use (default: all available)")
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    if args.threads:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.threads])
    threads = len(os.sched_getaffinity(0))

    import jax
    import torch

    from wavelearn.learning.phases.network import CNNConfig

    torch.set_num_threads(threads)
    b, bi = args.batch, args.infer_batch
    rows = []
    for dim, L in ((3, args.L), (2, args.L2)):
        cnn = CNNConfig.default(dim, L)
        variants = {"plain": jax_calls(cnn, "native", b, bi), "fast": jax_calls(cnn, "cpu", b, bi)}
        variants["torch"], tdev = torch_calls(cnn, b, bi)
        calls = {(v, k): f for v, fs in variants.items() for k, f in fs.items()}
        t = best_times(calls, args.rounds, args.repeats)
        name = f"{dim}D L = {L}, {cnn.features[0]}/{cnn.features[1]} channels"
        for kind, n, label in (("train", b, f"training step, batch {b}, samples/s"),
                               ("infer", bi, f"inference, batch {bi}, samples/s")):
            rate = {v: n / t[(v, kind)] for v in variants}
            rows.append(f"| {name} | {label} | {rate['plain']:.0f} | {rate['fast']:.0f} | "
                        f"{rate['torch']:.0f} | {rate['plain'] / rate['torch']:.2f}x | "
                        f"{rate['fast'] / rate['torch']:.2f}x | {rate['fast'] / rate['plain']:.1f}x |")
        conv = {v: 1e3 * t[(v, "conv")] for v in variants}
        rows.append(f"| {name} | first convolution (1 -> {cnn.features[0]}) forward, batch {b}, ms | "
                    f"{conv['plain']:.2f} | {conv['fast']:.2f} | {conv['torch']:.2f} | "
                    f"{conv['torch'] / conv['plain']:.2f}x | {conv['torch'] / conv['fast']:.2f}x | "
                    f"{conv['plain'] / conv['fast']:.1f}x |")
    lines = [
        "## CNN training throughput: JAX/Flax vs PyTorch",
        "",
        f"CNNConfig.default nets; {platform.machine()}, {threads} thread(s) for each framework; "
        f"JAX {jax.__version__} on {jax.devices()[0].platform}, PyTorch {torch.__version__} on {tdev}; "
        f"fastest of {args.rounds} interleaved rounds of {args.repeats} calls. "
        f"Command: `python bench/training_bench.py {' '.join(sys.argv[1:])}`.",
        "",
        "| net | measurement | JAX plain | JAX fast | PyTorch | plain / PyTorch | fast / PyTorch "
        "| fast / plain |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Ratios are of throughput (for the convolution rows, of speed: PyTorch's time over JAX's); "
        "above 1 JAX is faster.",
        "",
    ]
    print("\n".join(lines))
    if args.output:
        Path(args.output).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
