"""The MPA detector against brute-force MAP and a per-block numpy reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from link_reference import map_block, mpa_block

from scma_alloc.link import MPADetector, bit_labels, load_codebook

# A cycle-free factor graph (a chain): resources 0-1-2, users 0..3.
TREE = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]])


def _blocks(codewords, n_blocks, noise_var, rng, fading):
    n_users, n_resources, order = codewords.shape
    m = rng.integers(0, order, size=(n_blocks, n_users))
    x = codewords[np.arange(n_users)[None, :], :, m]  # (B, J, K)
    h = None
    if fading:
        shape = (n_blocks, n_resources, n_users)
        h = (rng.normal(size=shape) + 1j * rng.normal(size=shape)) / np.sqrt(2)
    signal = x.sum(axis=1) if h is None else np.einsum("bkj,bjk->bk", h, x)
    noise = rng.normal(size=(n_blocks, n_resources)) + 1j * rng.normal(
        size=(n_blocks, n_resources)
    )
    return m, signal + np.sqrt(noise_var / 2) * noise, h


def _tree_codebook(rng):
    cw = rng.normal(size=(4, 3, 4)) + 1j * rng.normal(size=(4, 3, 4))
    return cw * TREE.T[:, :, None] / np.sqrt(2)


@pytest.mark.parametrize("fading", [False, True])
def test_log_mpa_is_map_on_a_tree(fading):
    rng = np.random.default_rng(1)
    cw = _tree_codebook(rng)
    _, y, h = _blocks(cw, 12, 0.5, rng, fading)
    det = MPADetector(cw, TREE, iterations=4, dtype=torch.float64, device="cpu")
    post, llr = det.log_posteriors(y, 0.5, h).numpy(), det.llr(y, 0.5, h).numpy()
    for b in range(len(y)):
        ref_post, ref_llr = map_block(cw, y[b], 0.5, None if h is None else h[b])
        np.testing.assert_allclose(post[b], ref_post, atol=1e-10)
        np.testing.assert_allclose(llr[b], ref_llr, atol=1e-10)
        np.testing.assert_array_equal(post[b].argmax(axis=1), ref_post.argmax(axis=1))
    det32 = MPADetector(cw, TREE, iterations=4, device="cpu")
    np.testing.assert_allclose(det32.llr(y, 0.5, h).numpy(), llr, atol=1e-4)


@pytest.mark.parametrize("method", ["log-mpa", "max-log-mpa"])
@pytest.mark.parametrize("fading", [False, True])
def test_cs1_matches_the_per_block_reference(method, fading):
    rng = np.random.default_rng(2)
    cb = load_codebook("CS1")
    _, y, h = _blocks(cb.codewords, 4, 0.3, rng, fading)
    det = MPADetector(cb, iterations=3, method=method, dtype=torch.float64, device="cpu")
    llr = det.llr(y, 0.3, h).numpy()
    for b in range(len(y)):
        _, ref = mpa_block(
            cb.codewords,
            cb.factor_graph,
            y[b],
            0.3,
            None if h is None else h[b],
            iterations=3,
            max_log=method == "max-log-mpa",
        )
        np.testing.assert_allclose(llr[b], ref, atol=1e-9)


def test_irregular_graph_matches_the_reference():
    # Degrees 1, 2 and 3 on the resources, one user on three resources (general VN update).
    rng = np.random.default_rng(3)
    graph = np.array([[1, 0, 0, 0], [1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 0, 0]])
    cw = (rng.normal(size=(4, 4, 4)) + 1j * rng.normal(size=(4, 4, 4))) * graph.T[:, :, None]
    _, y, h = _blocks(cw, 3, 0.4, rng, True)
    det = MPADetector(cw, graph, iterations=3, dtype=torch.float64, device="cpu")
    llr = det.llr(y, 0.4, h).numpy()
    for b in range(len(y)):
        _, ref = mpa_block(cw, graph, y[b], 0.4, h[b], iterations=3)
        np.testing.assert_allclose(llr[b], ref, atol=1e-9)


def test_ber_close_to_map_on_cs1():
    # 4 x 6 has cycles: MPA is not MAP, but its bit decisions nearly agree.
    rng = np.random.default_rng(4)
    cb = load_codebook("CS1")
    noise_var = 10 ** (-1.0)  # Es/N0 10 dB
    m, y, _ = _blocks(cb.codewords, 1500, noise_var, rng, False)
    det = MPADetector(cb, iterations=6, device="cpu")
    hat = (det.llr(y, noise_var).numpy() > 0).astype(int)
    bits = bit_labels(4)[m]
    map_hat = np.array([map_block(cb.codewords, y[b], noise_var)[1] > 0 for b in range(len(y))])
    ber_mpa = np.mean(hat != bits)
    ber_map = np.mean(map_hat != bits)
    assert 0.02 < ber_map < 0.08
    assert ber_map * 0.95 <= ber_mpa <= ber_map * 1.15
    assert np.mean(hat != map_hat) <= 0.02


def test_chunks_threads_and_noise_per_block_agree():
    rng = np.random.default_rng(5)
    cb = load_codebook("CS2")
    _, y, h = _blocks(cb.codewords, 300, 0.2, rng, True)
    ref = MPADetector(cb, device="cpu", chunk_size=1000, threads=1).llr(y, 0.2, h)
    for chunk, threads in ((64, 1), (50, 2)):
        out = MPADetector(cb, device="cpu", chunk_size=chunk, threads=threads).llr(y, 0.2, h)
        torch.testing.assert_close(out, ref)
    per_block = MPADetector(cb, device="cpu").llr(y, np.full(300, 0.2), h)
    torch.testing.assert_close(per_block, ref, rtol=1e-5, atol=1e-4)


def test_noiseless_blocks_are_decided_right_at_high_snr():
    cb = load_codebook("CS1")
    m = np.array([[0, 1, 2, 3, 0, 1], [3, 3, 3, 3, 3, 3]])
    y = cb.codewords[np.arange(6)[None, :], :, m].sum(axis=1)
    for method in ("log-mpa", "max-log-mpa"):
        det = MPADetector(cb, method=method, device="cpu")
        np.testing.assert_array_equal(det.decide(y, 1e-4), m)
        llr = det.llr(y, 1e-4)
        assert torch.all(torch.isfinite(llr))
        np.testing.assert_array_equal((llr > 0).numpy(), bit_labels(4)[m].astype(bool))


def test_bad_arguments_are_named():
    cb = load_codebook("CS1")
    with pytest.raises(ValueError, match="method"):
        MPADetector(cb, method="mpa")
    with pytest.raises(ValueError, match="iterations"):
        MPADetector(cb, iterations=0)
    with pytest.raises(TypeError, match="dtype"):
        MPADetector(cb, dtype=torch.float16)
    with pytest.raises(ValueError, match="graph"):
        MPADetector(cb, graph=np.ones((3, 6)))
    det = MPADetector(cb, device="cpu")
    with pytest.raises(ValueError, match="y must have shape"):
        det.llr(np.zeros((2, 3), complex), 1.0)
    with pytest.raises(ValueError, match="noise_var"):
        det.llr(np.zeros((2, 4), complex), -1.0)
    with pytest.raises(TypeError, match="noise_var"):
        det.llr(np.zeros((2, 4), complex), "1")
    with pytest.raises(ValueError, match="channel"):
        det.llr(np.zeros((2, 4), complex), 1.0, np.ones((2, 4, 5)))
