"""The fixtures' own parsing can only pass when Snakemake said what the test reads (issue 18)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("wavelearn_conftest", Path(__file__).with_name("conftest.py"))
conftest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conftest)

TABLE = """Building DAG of jobs...
Job stats:
job           count
----------  -------
all               1
eigensolve        4
gather            2
total             7

Reasons:
"""


def test_a_job_table_is_read_row_by_row():
    assert conftest.parse_job_stats(TABLE) == {"all": 1, "eigensolve": 4, "gather": 2}


def test_nothing_to_do_is_the_only_empty_plan():
    assert conftest.parse_job_stats("Building DAG of jobs...\nNothing to be done (all requested files are present "
                                    "and up to date).\n") == {}


@pytest.mark.parametrize("text", [
    "",  # no output at all
    "Building DAG of jobs...\nWorkflowError: something\n",  # an error instead of a plan
    TABLE.replace("total             7", "total             8"),  # rows lost in parsing
    TABLE.replace("eigensolve        4", "eigen-solve      4"),  # a row the pattern does not read
    "Job stats:\njob count\n--- -----\n",  # a header without rows
])
def test_output_that_does_not_parse_fails_the_test(text):
    with pytest.raises(pytest.fail.Exception):
        conftest.parse_job_stats(text)
