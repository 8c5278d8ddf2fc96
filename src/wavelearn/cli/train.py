"""``wavelearn train``: train a CNN phase classifier on gathered eigenstate datasets."""

from __future__ import annotations

import argparse
from dataclasses import replace

from wavelearn.cli.defaults import DEFAULT
from wavelearn.errors import ParameterError


def register(sub: argparse._SubParsersAction) -> None:
    from wavelearn.learning.phases.training import MIN_TRAINING_PER_CLASS, TrainConfig

    p = sub.add_parser(
        "train", help="train a CNN on |psi|^2 of states inside known phases (JAX; GPU when present)",
        description="Label the eigenstates of DATASET files by class windows of a parameter (e.g. metal for "
                    "W in [8, 14], insulator for W in [20, 26]; leave the critical region out), train a "
                    "periodic-padding CNN on |psi|^2, checkpoint every epoch into WORKDIR and resume from "
                    "the last checkpoint when run again. The trained network is WORKDIR/network.json + "
                    "network.msgpack ('wavelearn scan --network WORKDIR'). The smallest data it learns from: "
                    f"{MIN_TRAINING_PER_CLASS} training states of every class (after the validation split); "
                    "fewer is refused with the counts.")
    p.add_argument("datasets", nargs="+", metavar="DATASET", help="gathered datasets (one lattice size)")
    p.add_argument("--class", dest="classes", action="append", required=True, metavar="NAME:PARAM:LOW:HIGH",
                   help="a phase and its window; give one per phase, the first is the 'metal' of P(metal)")
    p.add_argument("--workdir", required=True, help="folder for checkpoints, history.csv and the network")
    p.add_argument("--input", choices=("r", "k"), default="r",
                   help="r: |psi(r)|^2; k: |psi(k)|^2 (datasets gathered from shards with psi) [%(default)s]")
    p.add_argument("--features", type=int, nargs="+", default=None, metavar="N",
                   help="channels of each conv block [2D: 16 32; 3D: 8 16]")
    p.add_argument("--dense", type=int, default=None, help="width of the hidden dense layer [2D: 128; 3D: 64]")
    p.add_argument("--dropout", type=float, default=None, help="dropout rate [0.3]")
    p.add_argument("--epochs", type=int, default=DEFAULT(TrainConfig, "epochs"), help="[%(default)s]")
    p.add_argument("--batch-size", type=int, default=DEFAULT(TrainConfig, "batch_size"), help="[%(default)s]")
    p.add_argument("--learning-rate", type=float, default=DEFAULT(TrainConfig, "learning_rate"),
                   help="Adam step size [%(default)s]")
    p.add_argument("--validation", type=float, default=DEFAULT(TrainConfig, "validation"),
                   help="fraction of realizations held out [%(default)s]")
    p.add_argument("--seed", type=int, default=DEFAULT(TrainConfig, "seed"), help="[%(default)s]")
    p.add_argument("--no-augment", action="store_true", help="no random translations / point-group symmetries")
    p.add_argument("--no-progress", action="store_true", help="one log line per epoch instead of a progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wavelearn.io.datasets import realization_keys
    from wavelearn.learning.phases.data import ClassWindow, label_samples, split_by_group
    from wavelearn.learning.phases.network import CNNConfig
    from wavelearn.learning.core import require_enough
    from wavelearn.learning.phases.training import MIN_TRAINING_PER_CLASS, TrainConfig, train_classifier

    windows = [ClassWindow.parse(text) for text in args.classes]
    if len(windows) < 2:
        raise ParameterError("give at least two --class windows")
    settings = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                           validation=args.validation, seed=args.seed, augment=not args.no_augment)
    samples = label_samples(args.datasets, windows, args.input)
    train_idx, val_idx = split_by_group(samples.groups, settings.validation, settings.seed)
    training = {f"training states of class {name}": int((samples.labels[train_idx] == c).sum())
                for c, name in enumerate(samples.classes)}
    require_enough(training, dict.fromkeys(training, MIN_TRAINING_PER_CLASS),
                   "widen the class windows, add points or realizations inside them, or lower --validation")
    shape = samples.density.shape[1:]
    cnn = CNNConfig.default(len(shape), shape[0], n_classes=len(windows))
    overrides = {"features": tuple(args.features) if args.features else None, "dense": args.dense,
                 "dropout": args.dropout}
    cnn = replace(cnn, **{key: value for key, value in overrides.items() if value is not None})
    result = train_classifier(samples.density, samples.labels, train_idx, val_idx, cnn, settings, args.workdir,
                              samples.classes, progress=not args.no_progress,
                              metadata={"datasets": list(args.datasets), "windows": [vars(w) for w in windows],
                                        "input": args.input,
                                        "degenerate_excluded": samples.degenerate_excluded,
                                        "training_realizations": sorted(set(
                                            realization_keys(samples.meta)[train_idx].tolist()))})
    last = result.last
    print(f"trained on {len(train_idx)} states ({len(val_idx)} held out): loss {last['train_loss']:.3f}, "
          f"accuracy {last['train_accuracy']:.3f}, validation accuracy {last['val_accuracy']:.3f}; "
          f"network in {args.workdir}"
          + (f"; {samples.degenerate_excluded} vectors of degenerate levels left out"
             if samples.degenerate_excluded else ""))
    return 0
