"""``wavelearn vae``: the Y-shaped VAE that reads wave functions and antidot layouts out of
magneto-conductance fingerprints (train, evaluate)."""

from __future__ import annotations

import argparse

from wavelearn.cli.defaults import DEFAULT

HELP = "Y-shaped VAE: g(B) fingerprints -> wave-function image and antidot layout (train, evaluate, table)"

TRAIN_DESCRIPTION = """\
Train the VAE of Daimon et al. (Nat. Commun. 13, 3160 (2022)) on fingerprint datasets
('wavelearn transport' outputs, gathered or not): an encoder from g(B) to a Gaussian latent z,
and two decoders from z to the wave-function image and to the antidot occupancy map. Loss per
pixel: image MSE + layout binary cross entropy + beta * KL(q(z|g) || N(0,1)). A seeded fraction
of the layouts is held out; their losses, pixel correlation and antidot-position error are
logged after every epoch. Checkpoints every epoch in WORKDIR, resumed when run again; the
trained network is WORKDIR/network.json + network.msgpack.

example:
  wavelearn vae train fingerprints.h5 --workdir vae --epochs 100
  wavelearn vae train fingerprints.h5 --workdir vae-layout --epochs 100 --no-wavefunction
"""

EVALUATE_DESCRIPTION = """\
Evaluate trained VAEs on the layouts they held out: pixel correlation of predicted and true
images, antidot-position error (lattice units, optimal matching), and the same for three
baselines (the mean training image; a random training layout; the nearest neighbour: the
training layout whose standardised g(B) is closest). On a device with mirror or rotation
symmetries, which g(B) cannot see, every score is the best over them. Writes OUTPUT/metrics.json,
OUTPUT/reconstructions-K.png and OUTPUT/latent.png (t-SNE of the latent means in 2D and 3D,
the networks side by side).

example:
  wavelearn vae evaluate fingerprints.h5 --network vae --network vae-layout --output vae-report
"""


def register(sub: argparse._SubParsersAction) -> None:
    from wavelearn.learning.fingerprints.network import VAEConfig
    from wavelearn.learning.fingerprints.training import VAETrainConfig

    p = sub.add_parser("vae", help=HELP, description=HELP)
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    from wavelearn.campaign.transport import VAE_MIN_HELD_OUT, VAE_MIN_TRAINING

    t = actions.add_parser("train", help="train (or resume) a VAE", description=TRAIN_DESCRIPTION + (
                               f"\nThe smallest data it learns from: {VAE_MIN_TRAINING} training and {VAE_MIN_HELD_OUT} "
                               "held-out layouts; fewer is refused with the counts.\n"),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("datasets", nargs="+", metavar="DATASET", help="fingerprint files of one billiard")
    t.add_argument("--workdir", required=True, help="folder for checkpoints, history.csv and the network")
    a = t.add_argument_group("architecture")
    a.add_argument("--latent", type=int, default=DEFAULT(VAEConfig, "latent"), help="latent dimension [%(default)s]")
    a.add_argument("--conv-features", type=int, nargs="+", default=list(DEFAULT(VAEConfig, "conv_features")),
                   metavar="N", help="channels of the encoder's 1D convolutions "
                                     f"[{' '.join(map(str, DEFAULT(VAEConfig, 'conv_features')))}]")
    a.add_argument("--kernel", type=int, default=DEFAULT(VAEConfig, "kernel"), help="their width [%(default)s]")
    a.add_argument("--dense", type=int, default=DEFAULT(VAEConfig, "dense"), help="hidden width [%(default)s]")
    a.add_argument("--decoder-features", type=int, nargs="+", default=list(DEFAULT(VAEConfig, "decoder_features")),
                   metavar="N", help="channels of the decoders' transposed convolutions "
                                     f"[{' '.join(map(str, DEFAULT(VAEConfig, 'decoder_features')))}]")
    a.add_argument("--no-wavefunction", action="store_true", help="no image branch (layout only)")
    s = t.add_argument_group("training")
    s.add_argument("--epochs", type=int, default=DEFAULT(VAETrainConfig, "epochs"), help="[%(default)s]")
    s.add_argument("--batch-size", type=int, default=DEFAULT(VAETrainConfig, "batch_size"), help="[%(default)s]")
    s.add_argument("--learning-rate", type=float, default=DEFAULT(VAETrainConfig, "learning_rate"),
                   help="Adam step size [%(default)s]")
    s.add_argument("--beta", type=float, default=DEFAULT(VAETrainConfig, "beta"),
                   help="weight of the KL term against the per-pixel losses [%(default)s]")
    s.add_argument("--image-weight", type=float, default=DEFAULT(VAETrainConfig, "image_weight"), help="[%(default)s]")
    s.add_argument("--layout-weight", type=float, default=DEFAULT(VAETrainConfig, "layout_weight"),
                   help="[%(default)s]")
    s.add_argument("--validation", type=float, default=DEFAULT(VAETrainConfig, "validation"),
                   help="fraction of layouts held out [%(default)s]")
    s.add_argument("--seed", type=int, default=DEFAULT(VAETrainConfig, "seed"), help="[%(default)s]")
    s.add_argument("--selection", type=float, default=DEFAULT(VAETrainConfig, "selection"),
                   help="fraction of the training layouts that choose the kept epoch (lowest reconstruction "
                        "loss); 0 keeps the last epoch [%(default)s]")
    s.add_argument("--no-progress", action="store_true", help="one log line per epoch instead of a progress bar")
    t.set_defaults(run=run_train)

    e = actions.add_parser("evaluate", help="metrics, reconstructions and t-SNE maps of trained VAEs",
                           description=EVALUATE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("datasets", nargs="+", metavar="DATASET", help="the fingerprint files the networks trained on")
    e.add_argument("--network", action="append", required=True, metavar="WORKDIR",
                   help="a trained VAE's folder; repeat to compare (e.g. with and without the image branch)")
    e.add_argument("--output", required=True, help="folder for metrics.json and the figures")
    e.add_argument("--colour-by", default="centre_x", choices=("centre_x", "centre_y", "spread", "count"),
                   help="layout property colouring the latent maps [%(default)s]")
    e.add_argument("--samples", type=int, default=4, help="held-out layouts to draw [%(default)s]")
    e.set_defaults(run=run_evaluate)

    r = actions.add_parser("table", help="print metrics.json of 'vae evaluate' as one table",
                           description="Print the networks' and the baselines' scores of a metrics.json "
                                       "written by 'wavelearn vae evaluate' as one table.")
    r.add_argument("metrics", nargs="+", metavar="METRICS_JSON")
    r.set_defaults(run=run_table)


def run_train(args: argparse.Namespace) -> int:
    from wavelearn.campaign.transport import VAE_MIN_HELD_OUT, VAE_MIN_TRAINING
    from wavelearn.learning.core import require_enough
    from wavelearn.learning.fingerprints.data import read_datasets, split_layouts
    from wavelearn.learning.fingerprints.network import VAEConfig
    from wavelearn.learning.fingerprints.training import VAETrainConfig, train_vae

    settings = VAETrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                              beta=args.beta, image_weight=args.image_weight, layout_weight=args.layout_weight,
                              validation=args.validation, seed=args.seed, selection=args.selection)
    data = read_datasets(args.datasets)
    config = VAEConfig(n_fields=data.signal.shape[1], height=data.shape[0], width=data.shape[1], latent=args.latent,
                       conv_features=tuple(args.conv_features), kernel=args.kernel, dense=args.dense,
                       decoder_features=tuple(args.decoder_features), with_wavefunction=not args.no_wavefunction)
    train_idx, val_idx = split_layouts(len(data), settings.validation, settings.seed)
    require_enough({"training layouts": len(train_idx), "held-out layouts": len(val_idx)},
                   {"training layouts": VAE_MIN_TRAINING, "held-out layouts": VAE_MIN_HELD_OUT},
                   f"{len(data)} layouts with --validation {settings.validation:g}: compute more layouts")
    result = train_vae(data, train_idx, val_idx, config, settings, args.workdir, progress=not args.no_progress,
                       metadata={"datasets": [str(p) for p in args.datasets]})
    last = result.last
    image = f", pixel correlation {last['val_correlation']:.3f}" if "val_correlation" in last else ""
    print(f"trained on {len(train_idx)} layouts ({len(val_idx)} held out): loss {last['train_loss']:.4g}, "
          f"held-out loss {last['val_loss']:.4g}{image}, position error {last['val_position_error']:.3g} sites "
          f"(last epoch); network in {args.workdir}")
    if result.extra is not None:
        print(f"kept epoch {int(result.extra['epoch'])} (lowest loss on the selection layouts); its held-out "
              f"scores and the baselines': wavelearn vae evaluate")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from wavelearn.learning.fingerprints.data import read_datasets
    from wavelearn.learning.fingerprints.inference import evaluate_networks

    from wavelearn.learning.fingerprints.metrics import format_report

    results = evaluate_networks(args.network, read_datasets(args.datasets), args.output, args.colour_by, args.samples)
    print(format_report(results))
    print(f"metrics and figures in {args.output}")
    return 0


def run_table(args: argparse.Namespace) -> int:
    import json

    from wavelearn.learning.fingerprints.metrics import format_report

    for path in args.metrics:
        print(f"{path}:")
        print(format_report(json.loads(open(path).read())))
    return 0
