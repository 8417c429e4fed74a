"""The fast routing replay (benchmarks/_routing_fast.py) is the engine replay without the store:
choices are tried on it, so it must route exactly as `Engine.route` does on the same stream."""

import random
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import routing_quality as rq  # noqa: E402


@pytest.mark.parametrize("declared", [True, False])
def test_fast_replay_routes_as_the_engine_does(declared):
    rows = rq.load(rq.SHARED_DATA / "routellm" / "mmlu_dev.csv")
    rows = random.Random(7).sample(rows, 160)
    job = (rows, declared, 1.5, 3, (False, False, True))
    engine, fast = rq.run_stream(job), rq.fast_stream(job)
    assert 0 < engine["share"] < 1  # both models were used: the comparison says something
    assert (fast["share"], fast["acc"]) == (engine["share"], engine["acc"])
