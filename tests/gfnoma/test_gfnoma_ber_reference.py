"""Monte-Carlo BER against exact references.

Tolerances: ``SIGMAS`` standard errors of the BER estimate from a fixed number of samples
(fixed sample size, so the estimate is unbiased), with the standard error from the binomial
formula times a design effect of 2 for the two bits of a symbol sharing one fading draw
(see ``gfnoma_reference.binomial_sigma``). All runs are seeded.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gfnoma_reference import binomial_sigma

from gfnoma import (
    P_ASY,
    GrantFreeChannel,
    Signatures,
    count_errors,
    get_receiver,
    musa_like,
    qpsk_demap,
    qpsk_mrc_rayleigh_ber,
    simulate_ber,
    wbe,
)

SIGMAS = 5.0
ALL_RECEIVERS = ["mf", "mmse-sic", "oracle-ls", "oracle-mmse", "map", "ml"]


def _assert_matches_closed_form(table, branches):
    for _, row in table.iterrows():
        ref = float(qpsk_mrc_rayleigh_ber(row.snr_db, branches)[0])
        tol = SIGMAS * binomial_sigma(ref, int(row.bits))
        assert abs(row.ber - ref) <= tol, (row.receiver, row.snr_db, row.ber, ref, tol)


def _single_user():
    # One user, equal-magnitude chips (|s_k|^2 = 1/H), always active: H-branch MRC.
    return Signatures(np.array([[1], [1j], [-1], [-1j]]), [1.0], q=1, name="single")


@pytest.mark.parametrize("receiver", ["mf", "mmse-sic"])
def test_single_user_mf_and_mmse_match_mrc_closed_form(receiver):
    res = simulate_ber(
        _single_user(),
        receiver,
        [0.0, 5.0, 10.0],
        target_errors=10**12,  # fixed sample size
        max_samples=200_000,
        batch_size=50_000,
        seed=1,
        progress=False,
    )
    assert (res.table["samples"] == 200_000).all()
    _assert_matches_closed_form(res.table, branches=4)


def test_single_user_every_receiver_is_mrc():
    # With one always-active user every receiver must reduce to the MRC quadrant decision.
    sig = _single_user()
    ch = GrantFreeChannel(sig.activation, 4, seed=2)
    out = ch(sig.tensor(), 20_000, 3.0)
    s, p = sig.tensor(), sig.activation_tensor()
    g = out.h * s
    mrc = (g.conj() * out.y.unsqueeze(-1)).sum(dim=1)
    for name in ALL_RECEIVERS:
        det = get_receiver(name)(out.y, out.h, s, p, out.noise_var, active=out.active)
        assert det.active.all()
        torch.testing.assert_close(qpsk_demap(det.symbols), qpsk_demap(mrc))


def _disjoint(n_users, chips_per_user):
    h = n_users * chips_per_user
    s = np.zeros((h, n_users), dtype=complex)
    for n in range(n_users):
        s[n * chips_per_user : (n + 1) * chips_per_user, n] = np.exp(
            1j * np.pi / 3 * np.arange(chips_per_user)
        )
    return Signatures(s, [1.0] * n_users, name=f"disjoint{chips_per_user}")


@pytest.mark.parametrize(("n_users", "chips"), [(2, 2), (4, 1)])
@pytest.mark.parametrize("receiver", ALL_RECEIVERS)
def test_orthogonal_all_active_every_receiver_matches_closed_form(n_users, chips, receiver):
    # Orthogonality survives independent per-chip fading only for disjoint chip supports
    # (see docs); each user then sees `chips`-branch MRC.
    sig = _disjoint(n_users, chips)
    res = simulate_ber(
        sig,
        receiver,
        [0.0, 8.0],
        target_errors=10**12,
        max_samples=60_000,
        batch_size=20_000,
        seed=3,
        progress=False,
    )
    _assert_matches_closed_form(res.table, branches=chips)
    assert (res.table["miss_rate"] == 0).all()


def test_orthogonal_all_active_receivers_decide_identically():
    sig = _disjoint(2, 2)
    ch = GrantFreeChannel(sig.activation, 4, seed=4)
    out = ch(sig.tensor(), 20_000, 5.0)
    s, p = sig.tensor(), sig.activation_tensor()
    ref = None
    for name in ALL_RECEIVERS:
        bits = qpsk_demap(
            get_receiver(name)(out.y, out.h, s, p, out.noise_var, active=out.active).symbols
        )
        if ref is None:
            ref = bits
        assert torch.equal(bits, ref), name


def test_dense_orthogonal_signatures_are_not_orthogonal_after_per_chip_fading():
    # Why the orthogonal test uses disjoint supports: Hadamard columns (orthogonal, dense)
    # interfere once each chip fades independently, so MF is far from 4-branch MRC.
    had = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]])
    sig = Signatures(had, [1.0] * 4, q=1, name="Hadamard")
    res = simulate_ber(
        sig, "mf", [10.0], target_errors=10**12, max_samples=20_000, seed=5, progress=False
    )
    row = res.table.iloc[0]
    ref = float(qpsk_mrc_rayleigh_ber(10.0, 4)[0])
    assert row.ber > ref + 10 * binomial_sigma(ref, int(row.bits))


def _per_sample_errors(out, det):
    """Bit errors per channel use (misses count both bits, false alarms count nothing)."""
    wrong = (qpsk_demap(det.symbols) != out.bits).sum(dim=-1)
    per_user = torch.where(det.active, wrong, 2)
    return torch.where(out.active, per_user, 0).sum(dim=1).double()


@pytest.mark.parametrize("make", [wbe, musa_like])
@pytest.mark.parametrize("joint", ["map", "ml"])
def test_joint_detection_never_worse_than_mmse_sic(make, joint):
    sig = make(P_ASY, 4)
    s, p = sig.tensor(), sig.activation_tensor()
    for snr in (0.0, 10.0, 20.0):
        ch = GrantFreeChannel(sig.activation, 4, seed=6)
        out = ch(s, 8_000, snr)  # the same samples for both receivers: a paired comparison
        det_joint = get_receiver(joint)(out.y, out.h, s, p, out.noise_var)
        det_sic = get_receiver("mmse-sic")(out.y, out.h, s, p, out.noise_var)
        e_joint = _per_sample_errors(out, det_joint)
        e_sic = _per_sample_errors(out, det_sic)
        d = e_joint - e_sic
        se = d.std().item() / np.sqrt(d.numel())
        assert d.mean().item() <= 4.0 * se, (snr, d.mean().item(), se)
        # and the comparison is not vacuous: both made errors at this SNR
        assert e_sic.sum() > 0


def test_ber_counts_from_simulate_equal_direct_count():
    # simulate_ber's table equals counting the same seeded samples by hand.
    from gfnoma.simulate import point_seed

    sig = wbe(P_ASY, 4)
    res = simulate_ber(
        sig,
        "mmse-sic",
        [7.0],
        target_errors=10**12,
        max_samples=3000,
        batch_size=3000,
        seed=9,
        progress=False,
    )
    ch = GrantFreeChannel(sig.activation, 4, seed=point_seed(9, 7.0))
    out = ch(sig.tensor(), 3000, 7.0)
    s, p = sig.tensor(), sig.activation_tensor()
    det = get_receiver("mmse-sic")(out.y, out.h, s, p, out.noise_var)
    c = count_errors(out.bits, qpsk_demap(det.symbols), out.active, det.active)
    row = res.table.iloc[0]
    assert row.bit_errors == c.total_bit_errors and row.bits == c.total_bits
    assert row.ber == pytest.approx(c.ber)
