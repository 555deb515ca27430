"""simulate_ber / ber_sweep / make_mc_fun: stopping rules, seeding, interruption, memory."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from gfnoma import (
    MMSESIC,
    P_ASY,
    BERResult,
    Detection,
    Receiver,
    Signatures,
    ber_sweep,
    make_mc_fun,
    musa_like,
    simulate_ber,
    wbe,
)
from gfnoma.simulate import point_seed

FAST = {"progress": False}


def _drop_time(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["seconds"])


def test_table_columns_and_types():
    res = simulate_ber(wbe(), "mmse-sic", [0.0, 10.0], max_samples=4000, batch_size=2000, **FAST)
    assert isinstance(res, BERResult) and not res.interrupted
    t = res.table
    expected = {
        "signatures",
        "receiver",
        "snr_db",
        "ber",
        "bit_errors",
        "bits",
        "samples",
        "user_symbols",
        "activity_error_rate",
        "miss_rate",
        "false_alarm_rate",
        "jain",
        "pinv_fraction",
        "status",
        "seconds",
    } | {f"ber_user{n}" for n in range(6)}
    assert expected <= set(t.columns)
    assert list(t["snr_db"]) == [0.0, 10.0]
    assert (t["signatures"] == "WBE").all() and (t["receiver"] == "MMSE-SIC").all()
    assert (t["user_symbols"] == 6 * t["samples"]).all()
    assert t["pinv_fraction"].isna().all()  # only oracle receivers report it
    np.testing.assert_allclose(t["ber"], t["bit_errors"] / t["bits"])
    assert "MMSE-SIC" in repr(res)


def test_stops_at_target_errors_after_the_first_batch_reaching_it():
    kw = {"batch_size": 500, "seed": 3, **FAST}
    res = simulate_ber(wbe(), "mmse-sic", [15.0], target_errors=2000, max_samples=10**6, **kw)
    row = res.table.iloc[0]
    assert row.status == "target_errors" and row.bit_errors >= 2000
    assert row.samples >= 2000  # several batches were needed
    assert row.samples % 500 == 0 and row.samples < 10**6
    # the same seeded run capped one batch earlier has not reached the target yet
    earlier = simulate_ber(
        wbe(), "mmse-sic", [15.0], target_errors=2000, max_samples=int(row.samples) - 500, **kw
    ).table.iloc[0]
    assert earlier.bit_errors < 2000 and earlier.status == "max_samples"


def test_sample_cap_with_partial_last_batch():
    res = simulate_ber(
        wbe(), "mf", [30.0], target_errors=10**9, max_samples=2500, batch_size=1000, **FAST
    )
    row = res.table.iloc[0]
    assert row.samples == 2500 and row.status == "max_samples"


def test_seeded_determinism():
    kw = {"max_samples": 3000, "batch_size": 1000, **FAST}
    a = simulate_ber(musa_like(), "mmse-sic", [0.0, 5.0], seed=4, **kw).table
    b = simulate_ber(musa_like(), "mmse-sic", [0.0, 5.0], seed=4, **kw).table
    c = simulate_ber(musa_like(), "mmse-sic", [0.0, 5.0], seed=5, **kw).table
    pd.testing.assert_frame_equal(_drop_time(a), _drop_time(b))
    assert not a["bit_errors"].equals(c["bit_errors"])


def test_points_are_seeded_independently_of_other_points():
    kw = {"max_samples": 2000, "batch_size": 1000, "seed": 1, **FAST}
    both = simulate_ber(wbe(), "mf", [0.0, 10.0], **kw).table
    alone = simulate_ber(wbe(), "mf", [10.0], **kw).table
    pd.testing.assert_frame_equal(
        _drop_time(both.iloc[[1]]).reset_index(drop=True), _drop_time(alone)
    )
    assert point_seed(1, 10.0) != point_seed(1, -10.0) != point_seed(2, 10.0)


def test_oracle_receivers_share_samples():
    kw = {"max_samples": 4000, "batch_size": 2000, "seed": 2, **FAST}
    ls = simulate_ber(wbe(), "oracle-ls", [5.0], **kw).table.iloc[0]
    mmse = simulate_ber(wbe(), "oracle-mmse", [5.0], **kw).table.iloc[0]
    # same activity draws -> the same fraction of channel uses with |Gamma| > H
    assert ls.pinv_fraction == mmse.pinv_fraction
    # P(|Gamma| > 4) for p_asy: sum over activity patterns, exact
    p = np.array(P_ASY)
    import itertools

    exact = sum(
        np.prod(np.where(a, p, 1 - p)) for a in itertools.product([0, 1], repeat=6) if sum(a) > 4
    )
    se = math.sqrt(exact * (1 - exact) / 4000)
    assert abs(ls.pinv_fraction - exact) < 5 * se
    assert ls.miss_rate == 0 and ls.false_alarm_rate == 0


class _Spy(Receiver):
    """Wraps MMSE-SIC, records batch sizes, optionally raises KeyboardInterrupt."""

    name = "spy"
    label = "spy"

    def __init__(self, interrupt_at: int | None = None):
        super().__init__()
        self.inner = MMSESIC()
        self.calls = 0
        self.sizes: list[int] = []
        self.interrupt_at = interrupt_at

    def forward(self, y, h, s, p, noise_var, active=None):
        self.calls += 1
        self.sizes.append(y.shape[0])
        if self.interrupt_at is not None and self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        return self.inner(y, h, s, p, noise_var)


def test_memory_is_bounded_by_batch_size():
    spy = _Spy()
    simulate_ber(wbe(), spy, [0.0], target_errors=10**9, max_samples=7000, batch_size=1000, **FAST)
    assert max(spy.sizes) == 1000 and sum(spy.sizes) == 7000 and len(spy.sizes) == 7


def test_keyboard_interrupt_keeps_finished_points():
    spy = _Spy(interrupt_at=4)  # points of 2 batches each: interrupt in the second point
    res = simulate_ber(
        wbe(),
        spy,
        [0.0, 5.0, 10.0],
        target_errors=10**9,
        max_samples=2000,
        batch_size=1000,
        **FAST,
    )
    assert res.interrupted
    t = res.table
    assert list(t["snr_db"]) == [0.0, 5.0]  # the third point never started
    assert t.iloc[0].status == "max_samples" and t.iloc[0].samples == 2000
    assert t.iloc[1].status == "interrupted" and t.iloc[1].samples == 1000  # partial counts
    assert "interrupted=True" in repr(res)


def test_sweep_interrupt_stops_remaining_pairs():
    spy = _Spy(interrupt_at=2)
    res = ber_sweep(
        [wbe(), musa_like()], [spy], [0.0, 5.0], max_samples=1000, batch_size=1000, **FAST
    )
    assert res.interrupted
    assert set(res.table["signatures"]) == {"WBE"}


def test_early_stop_skips_after_error_free_point():
    sig = Signatures(np.ones((4, 1)), [1.0], name="single")
    res = simulate_ber(
        sig, "mf", [0.0, 60.0, 70.0], max_samples=1000, batch_size=1000, early_stop=True, **FAST
    )
    t = res.table
    assert t.iloc[1].bit_errors == 0
    assert t.iloc[2].status == "skipped" and t.iloc[2].samples == 0 and math.isnan(t.iloc[2].ber)


def test_ber_sweep_all_pairs():
    res = ber_sweep(
        [wbe(), musa_like()], ["mf", "mmse-sic"], [0.0], max_samples=500, batch_size=500, **FAST
    )
    pairs = set(zip(res.table["signatures"], res.table["receiver"], strict=True))
    assert pairs == {
        ("WBE", "MF"),
        ("WBE", "MMSE-SIC"),
        ("MUSA-like", "MF"),
        ("MUSA-like", "MMSE-SIC"),
    }


def test_mc_fun_form():
    mc = make_mc_fun(wbe(), "mmse-sic", seed=0)
    bits, bits_hat = mc(1000, 10.0)
    assert bits.ndim == 1 and bits.shape == bits_hat.shape
    assert bits.dtype == torch.float32
    assert set(torch.unique(bits).tolist()) <= {0.0, 1.0}
    assert set(torch.unique(bits_hat).tolist()) <= {-1.0, 0.0, 1.0}
    # about 2 bits per active user: 1000 uses x sum(p) x 2 = 7200 expected, binomial spread
    mean, sd = 1000 * 3.6 * 2, 2 * math.sqrt(1000 * (3 * 0.16 + 3 * 0.24))
    assert abs(bits.numel() - mean) < 5 * sd
    # the generator advances: a second call gives other samples
    bits2, _ = mc(1000, 10.0)
    assert bits2.shape != bits.shape or not torch.equal(bits, bits2)
    # same seed, same sequence of calls -> same results
    mc_b = make_mc_fun(wbe(), "mmse-sic", seed=0)
    b1, bh1 = mc_b(1000, 10.0)
    assert torch.equal(b1, bits) and torch.equal(bh1, bits_hat)


def test_mc_fun_counts_misses_as_errors():
    class Silent(Receiver):
        name = "silent"
        label = "silent"

        def forward(self, y, h, s, p, noise_var, active=None):
            b, n = y.shape[0], s.shape[1]
            return Detection(
                torch.zeros(b, n, dtype=torch.complex64), torch.zeros(b, n, dtype=torch.bool)
            )

    bits, bits_hat = make_mc_fun(wbe(), Silent(), seed=1)(500, 10.0)
    assert (bits_hat == -1).all() and (bits != bits_hat).float().mean() == 1.0
    res = simulate_ber(wbe(), Silent(), [10.0], max_samples=500, batch_size=500, **FAST)
    assert res.table.iloc[0].ber == 1.0 and res.table.iloc[0].miss_rate == 1.0
    assert res.table.iloc[0].false_alarm_rate == 0.0


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"target_errors": 0}, ValueError, "target_errors must be >= 1"),
        ({"max_samples": 0}, ValueError, "max_samples must be >= 1"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an integer"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"dtype": torch.float32}, TypeError, "dtype must be"),
    ],
)
def test_simulate_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        simulate_ber(wbe(), "mf", [0.0], **kwargs)


def test_simulate_validation_arguments():
    with pytest.raises(TypeError, match="signatures must be a Signatures object"):
        simulate_ber(np.ones((4, 6)), "mf", [0.0])
    with pytest.raises(ValueError, match="receiver must be one of"):
        simulate_ber(wbe(), "zf", [0.0])
    with pytest.raises(ValueError, match="snr_db must be finite"):
        simulate_ber(wbe(), "mf", [0.0, float("nan")])
    with pytest.raises(TypeError, match="snr_db must be a number"):
        simulate_ber(wbe(), "mf", "10")
    big = wbe([0.5] * 20, 8)
    with pytest.raises(ValueError, match=r"n_users: .*N=20 exceeds max_users=8"):
        simulate_ber(big, "ml", [0.0])
    with pytest.raises(ValueError, match="n_users"):
        ber_sweep([wbe(), big], ["mf", "map"], [0.0])  # validated before the first run
    with pytest.raises(ValueError, match="signature_sets must not be empty"):
        ber_sweep([], ["mf"], [0.0])
