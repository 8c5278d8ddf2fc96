"""The ``wavelearn`` entry point: every command reachable, and a job imports only what it needs."""

import argparse
import subprocess
import sys

from wavelearn.cli.main import MODULES, build_parser


def test_the_command_table_lists_exactly_the_registered_commands():
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(sub.choices) == sorted(MODULES)
    for command in MODULES:  # each builds alone, as a job's parser does
        alone = next(a for a in build_parser(command)._actions if isinstance(a, argparse._SubParsersAction))
        assert command in alone.choices


def test_an_eigensolve_job_does_not_import_jax(env):
    # Job start-up: JAX (about a second) is for the training commands only.
    code = ("import sys; from wavelearn.cli.main import build_parser; "
            "build_parser('eigensolve').parse_args(['eigensolve', '--L', '4', '-o', 'x.h5']); "
            "print('jax' in sys.modules, 'flax' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["False", "False"]
