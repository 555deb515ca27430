"""Test settings for gfnoma.

The tests check correctness, not speed. They run torch single-threaded: on a shared 2-core
machine, OpenMP worker threads that have to wait for a busy core slow every large tensor
operation down by an order of magnitude, and one thread keeps the suite's run time stable.
Speed is measured by the scripts in ``benchmarks/`` instead. The setting is restored after
each test module, so tests outside ``tests/gfnoma`` are not affected.
"""

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _single_threaded_torch():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
