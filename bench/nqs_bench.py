"""VMC of RBM wave functions: wavelearn against NetKet on the same model, alpha, samples and SR settings.

    # ours (project venv)
    OMP_NUM_THREADS=2 .venv/bin/python bench/nqs_bench.py --impl wavelearn --cases chain20 square4 square6
    # NetKet 3.23 (its own venv, never the project's), with wavelearn importable from src/:
    PYTHONPATH=src /tmp/netket-venv/bin/python bench/nqs_bench.py --impl both --cases chain20

Setup of the issue (both implementations): Heisenberg antiferromagnet, periodic, Pauli convention
(H = sum sigma_i . sigma_j, Marshall sign), Sz = 0, RBM alpha = 1 float64, Metropolis exchange with
16 chains, 1008 samples per iteration, SGD eta = 0.05 preconditioned by SR with diagonal shift 0.1,
300 iterations. Energy: the mean over the last 10 % of iterations (the same estimator for both);
relative error against exact diagonalisation (N <= 20, here by scipy Lanczos) or, for 6 x 6, the
exact-diagonalisation value E/N = -0.678872 (S convention; Schulz, Ziman & Poilblanc 1996) x 4.
Time per iteration: median wall time of iterations 11..end (compilation excluded); for wavelearn
it includes the core's checkpoint after every iteration.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np

CASES = {"chain20": ("chain", 20), "square4": ("square", 4), "square6": ("square", 6)}
E_PER_SITE_6x6 = -0.678872 * 4  # Pauli convention


def exact_energy(geometry: str, L: int) -> float:
    if (geometry, L) == ("square", 6):
        return E_PER_SITE_6x6 * 36
    from wavelearn.manybody import SpinModel
    from wavelearn.manybody.exact import ground_energy

    return ground_energy(SpinModel("heisenberg", geometry, L), backend="scipy")


class Timer:
    def __init__(self):
        self.stamps = []

    def on_epoch_end(self, epoch, record, state):
        self.stamps.append(time.perf_counter())

    def on_fit_end(self, result):
        pass

    def per_iteration(self) -> float:
        return float(np.median(np.diff(self.stamps[10:])))


def run_wavelearn(geometry, L, args):
    from wavelearn.learning.nqs.rbm import RBMConfig
    from wavelearn.learning.nqs.sampler import SamplerSettings
    from wavelearn.learning.nqs.sr import SRSettings
    from wavelearn.learning.nqs.vmc import OptimizerSettings, VMCSettings, run_vmc
    from wavelearn.manybody import SpinModel

    settings = VMCSettings(
        model=SpinModel("heisenberg", geometry, L),
        rbm=RBMConfig(alpha=args.alpha, marshall=True, symmetric=args.symmetric),
        sampler=SamplerSettings(args.sampler, args.chains, args.samples, sweep=args.sweep),
        sr=SRSettings(args.diag_shift, args.solver, final_diag_shift=args.final_diag_shift,
                      decay_steps=args.iterations, diag_scale=args.diag_scale),
        optimizer=OptimizerSettings("sgd", args.lr, args.final_lr, args.iterations, args.warmup))
    timer = Timer()
    with tempfile.TemporaryDirectory() as work:
        result = run_vmc(settings, args.iterations, work, seed=args.seed, callbacks=[timer])
    return result.energy, timer.per_iteration(), [row["train_energy"] for row in result.history]


def run_netket(geometry, L, args):
    import netket as nk

    graph = nk.graph.Chain(L, pbc=True) if geometry == "chain" else nk.graph.Square(L, pbc=True)
    hilbert = nk.hilbert.Spin(s=0.5, total_sz=0, N=graph.n_nodes)
    hamiltonian = nk.operator.Heisenberg(hilbert=hilbert, graph=graph)  # sigma.sigma with Marshall sign rule
    model = nk.models.RBM(alpha=args.alpha, param_dtype=float)
    sampler = nk.sampler.MetropolisExchange(hilbert, graph=graph, n_chains=args.chains)
    state = nk.vqs.MCState(sampler, model, n_samples=args.samples, seed=args.seed, sampler_seed=args.seed + 1)
    driver = nk.driver.VMC(hamiltonian, nk.optimizer.Sgd(learning_rate=args.lr), variational_state=state,
                           preconditioner=nk.optimizer.SR(diag_shift=args.diag_shift))
    stamps = []

    def callback(step, log_data, drv):
        stamps.append(time.perf_counter())
        return True

    log = nk.logging.RuntimeLog()
    driver.run(n_iter=args.iterations, out=log, callback=callback, show_progress=False)
    energies = np.real(np.asarray(log.data["Energy"]["Mean"]))
    k = max(1, args.iterations // 10)
    return float(energies[-k:].mean()), float(np.median(np.diff(stamps[10:]))), energies.tolist()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--impl", choices=("wavelearn", "netket", "both"), default="wavelearn")
    parser.add_argument("--cases", nargs="+", choices=tuple(CASES), default=["chain20"])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--chains", type=int, default=16)
    parser.add_argument("--samples", type=int, default=1008)
    parser.add_argument("--sampler", choices=("exchange", "exact"), default="exchange",
                        help="wavelearn: exact sums instead of Markov chains (small N; separates noise from bias)")
    parser.add_argument("--sweep", type=int, default=None, help="wavelearn: proposals per kept sample [N]")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--final-lr", type=float, default=None, help="wavelearn: cosine decay to this rate")
    parser.add_argument("--warmup", type=int, default=0, help="wavelearn: linear learning-rate warm-up iterations")
    parser.add_argument("--diag-shift", type=float, default=0.1)
    parser.add_argument("--diag-scale", type=float, default=0.0, help="wavelearn: relative SR shift")
    parser.add_argument("--final-diag-shift", type=float, default=None, help="wavelearn: geometric decay to this")
    parser.add_argument("--solver", choices=("cg", "cholesky"), default="cg")
    parser.add_argument("--symmetric", action="store_true", help="wavelearn: translation-symmetric RBM")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="append one JSON line per result to this file")
    args = parser.parse_args()
    impls = ("wavelearn", "netket") if args.impl == "both" else (args.impl,)
    print("| case | impl | settings | E | exact | rel. error | ms / iteration |")
    print("|---|---|---|---|---|---|---|")
    for case in args.cases:
        geometry, L = CASES[case]
        exact = exact_energy(geometry, L)
        for impl in impls:
            energy, seconds, trace = (run_wavelearn if impl == "wavelearn" else run_netket)(geometry, L, args)
            rel = abs((energy - exact) / exact)
            extra = (f"sym={args.symmetric} sweep={args.sweep} lr={args.lr}->{args.final_lr} warmup={args.warmup} "
                     f"shift={args.diag_shift}->{args.final_diag_shift} scale={args.diag_scale} {args.solver}"
                     if impl == "wavelearn" else f"lr={args.lr}")
            print(f"| {case} | {impl} | {extra} | {energy:.5f} | {exact:.5f} | {rel:.2e} | {1e3 * seconds:.1f} |",
                  flush=True)
            if args.json:
                with open(args.json, "a") as handle:
                    handle.write(json.dumps({"case": case, "impl": impl, "args": vars(args), "energy": energy,
                                             "exact": exact, "relative_error": rel, "seconds_per_iteration": seconds,
                                             "trace": trace}) + "\n")


if __name__ == "__main__":
    main()
