"""``wavelearn nqs``: an RBM wave function trained by variational Monte Carlo on a spin model."""

from __future__ import annotations

import argparse

from wavelearn.cli.options import number


def _sz(text: str):
    if text in ("auto", "none"):
        return None if text == "none" else "auto"
    try:
        return number(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a finite number, 'auto' or 'none'") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "nqs", help="RBM neural quantum state by VMC + stochastic reconfiguration; exact energy as referee",
        description="Train a restricted Boltzmann machine psi(sigma) (Carleo & Troyer 2017) on the ground state of a "
                    "spin-1/2 model on a periodic chain or square lattice by variational Monte Carlo with "
                    "stochastic reconfiguration, checkpointing every iteration into WORKDIR (a rerun resumes). "
                    "The exact ground-state energy of the same Sz sector is computed where N allows and the "
                    "relative error reported. Energies use PAULI operators sigma (H = J sum sigma_i.sigma_j for "
                    "Heisenberg): 4x the energy written with S = sigma/2.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    m = p.add_argument_group("model (Pauli convention, periodic boundaries)")
    m.add_argument("--model", choices=("ising", "xxz", "heisenberg", "j1j2"), default="heisenberg")
    m.add_argument("--geometry", choices=("chain", "square"), default="chain")
    m.add_argument("--L", type=int, default=16, help="sites per side (N = L or L^2)")
    m.add_argument("--J", type=float, default=1.0, help="nearest-neighbour coupling")
    m.add_argument("--h", type=float, default=1.0, help="transverse field (ising)")
    m.add_argument("--delta", type=float, default=1.0, help="zz anisotropy (xxz)")
    m.add_argument("--J2", type=float, default=0.0, help="next-nearest coupling (j1j2)")
    m.add_argument("--W", type=float, default=0.0, help="random z fields uniform in [-W, W]")
    m.add_argument("--disorder-seed", type=int, default=0, help="campaign seed of the random fields")
    m.add_argument("--realization", type=int, default=0, help="disorder realization")
    m.add_argument("--sz", type=_sz, default="auto", help="total Sz sector (S = sigma/2): number, auto (0 for "
                                                            "Sz-conserving models with even N) or none")
    w = p.add_argument_group("wave function")
    w.add_argument("--alpha", type=float, default=1.0, help="hidden units per spin")
    w.add_argument("--complex", action="store_true", help="complex parameters (default real)")
    w.add_argument("--marshall", choices=("auto", "yes", "no"), default="auto",
                   help="Marshall sign (auto: antiferromagnets on bipartite lattices)")
    w.add_argument("--symmetric", action="store_true", help="translation-invariant RBM (alpha filters)")
    s = p.add_argument_group("sampling and optimisation")
    s.add_argument("--sampler", choices=("exchange", "local", "exact"), default=None,
                   help="Metropolis exchange (Sz-conserving), local flips, or exact sums (small N) "
                        "[exchange when a sector is fixed, else local]")
    s.add_argument("--chains", type=int, default=16)
    s.add_argument("--samples", type=int, default=1008, help="samples per iteration (all chains)")
    s.add_argument("--discard", type=int, default=None, help="burn-in sweeps per chain and iteration [samples/chain/10]")
    s.add_argument("--sweep", type=int, default=None, help="proposals between kept samples [N]")
    s.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    s.add_argument("--learning-rate", type=float, default=0.05)
    s.add_argument("--final-learning-rate", type=float, default=None, help="cosine decay to this rate")
    s.add_argument("--warmup", type=int, default=0, help="iterations of linear learning-rate warm-up")
    s.add_argument("--no-sr", action="store_true", help="plain gradient instead of stochastic reconfiguration")
    s.add_argument("--diag-shift", type=float, default=0.1, help="SR diagonal shift")
    s.add_argument("--final-diag-shift", type=float, default=None,
                   help="decay the diagonal shift geometrically to this over the iterations")
    s.add_argument("--diag-scale", type=float, default=0.0,
                   help="relative SR shift: S + shift + scale diag(S) (helps the symmetric RBM)")
    s.add_argument("--sr-solver", choices=("cg", "cholesky"), default="cg")
    s.add_argument("--iterations", type=int, default=300)
    s.add_argument("--seed", type=int, default=0, help="seed of the initial parameters and the chains")
    o = p.add_argument_group("outputs")
    o.add_argument("--exact", choices=("auto", "none", "dense", "scipy", "slepc"), default="auto",
                   help="exact diagonalisation backend (auto: skipped above 10^6 states)")
    o.add_argument("--workdir", required=True, help="folder for checkpoints and history.csv")
    o.add_argument("--output", default=None, help="HDF5 of the run (trace, parameters, exact energy)")
    o.add_argument("--no-progress", action="store_true", help="one log line per iteration instead of a bar")
    p.set_defaults(run=run)
    q = sub.add_parser("plot-nqs", help="energy traces and relative error against alpha of VMC runs",
                       description="From RUN files of 'wavelearn nqs': the energy per iteration with its error "
                                   "bar and the exact energy, and the final relative error against alpha.")
    q.add_argument("runs", nargs="+", metavar="RUN", help="HDF5 files written by 'wavelearn nqs --output'")
    q.add_argument("--energy-plot", required=True, help="PNG or PDF of the energy traces")
    q.add_argument("--alpha-plot", required=True, help="PNG or PDF of the relative error against alpha")
    q.set_defaults(run=run_plots)


def settings_from_args(args: argparse.Namespace):
    from wavelearn.learning.nqs.rbm import RBMConfig
    from wavelearn.learning.nqs.sampler import SamplerSettings
    from wavelearn.learning.nqs.sr import SRSettings
    from wavelearn.learning.nqs.vmc import OptimizerSettings, VMCSettings, default_marshall
    from wavelearn.manybody import SpinModel

    model = SpinModel(args.model, args.geometry, args.L, J=args.J, h=args.h, delta=args.delta, J2=args.J2, W=args.W,
                      seed=args.disorder_seed, realization=args.realization)
    sz = args.sz
    if sz == "auto":
        sz = model.default_sz()
    kind = args.sampler or ("exchange" if sz is not None else "local")
    marshall = default_marshall(model) if args.marshall == "auto" else args.marshall == "yes"
    return VMCSettings(
        model=model,
        rbm=RBMConfig(alpha=args.alpha, complex_params=args.complex, marshall=marshall, symmetric=args.symmetric),
        sampler=SamplerSettings(kind, args.chains, args.samples, args.discard, args.sweep),
        sr=None if args.no_sr else SRSettings(args.diag_shift, args.sr_solver, final_diag_shift=args.final_diag_shift,
                                              decay_steps=max(1, args.iterations), diag_scale=args.diag_scale),
        optimizer=OptimizerSettings(args.optimizer, args.learning_rate, args.final_learning_rate,
                                    max(1, args.iterations), args.warmup),
        sz=sz)


def run(args: argparse.Namespace) -> int:
    from wavelearn.learning.core import PrintEpochs, ProgressBar
    from wavelearn.learning.nqs.vmc import train_and_save

    settings = settings_from_args(args)
    callback = PrintEpochs() if args.no_progress else ProgressBar(args.iterations, desc="VMC")
    result = train_and_save(settings, args.iterations, args.workdir, args.output, seed=args.seed, exact=args.exact,
                            callbacks=[callback])
    n = settings.model.n_sites
    line = (f"{settings.model.label()} (N={n}, alpha={settings.rbm.alpha:g}): E = {result.energy:.6f} "
            f"+- {result.energy_error:.6f} (Pauli convention), E/N = {result.energy / n:.6f}")
    if result.exact_energy is not None:
        line += f"; exact {result.exact_energy:.6f}, relative error {result.relative_error:.2e}"
    print(line + (f"; run in {args.output}" if args.output else ""))
    return 0


def run_plots(args: argparse.Namespace) -> int:
    from wavelearn.io.nqs import read_run
    from wavelearn.learning.nqs.plots import plot_energy_trace, plot_error_vs_alpha

    runs = [read_run(path) for path in args.runs]
    plot_energy_trace(runs, args.energy_plot)
    plot_error_vs_alpha(runs, args.alpha_plot)
    print(f"wrote {args.energy_plot} and {args.alpha_plot} from {len(runs)} run(s)")
    return 0
