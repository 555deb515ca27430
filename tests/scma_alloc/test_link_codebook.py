"""Codebooks: the shipped sets, the readers, the normalisation and the properties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.io import savemat

from scma_alloc.link import (
    CODEBOOK_NAMES,
    Codebook,
    load_codebook,
    read_codebook,
    save_codebook,
)

CS1_GRAPH = np.array(
    [[0, 1, 1, 0, 1, 0], [1, 0, 1, 0, 0, 1], [0, 1, 0, 1, 0, 1], [1, 0, 0, 1, 1, 0]]
)


@pytest.mark.parametrize("name", CODEBOOK_NAMES)
def test_shipped_sets_load_normalised(name):
    cb = load_codebook(name)
    assert (cb.n_users, cb.n_resources, cb.order) == (6, 4, 4)
    assert cb.mean_power_per_resource_element() == pytest.approx(1.0, abs=1e-12)
    raw = load_codebook(name, normalize=False)
    assert raw.mean_power_per_resource_element() == pytest.approx(1.0, abs=1e-3)
    assert np.all(cb.users_per_resource == 3) and np.all(cb.resources_per_user == 2)
    assert cb.bits_per_resource_element == 3


def test_cs1_table_and_graph():
    cb = load_codebook("CS1", normalize=False)
    np.testing.assert_array_equal(cb.factor_graph, CS1_GRAPH)
    assert cb.codewords[0, 1, 0] == pytest.approx(-0.1815 - 0.1318j)
    assert cb.codewords[0, 3, 0] == pytest.approx(0.7851)
    assert load_codebook("cs1") == load_codebook("CS1")


def test_properties_of_cs1():
    cb = load_codebook("CS1")
    assert cb.min_distance("user") == pytest.approx(1.1546, abs=1e-3)
    assert 0 < cb.min_distance("superposed") < cb.min_distance("user")
    assert cb.min_product_distance() == pytest.approx(0.566, abs=1e-3)
    assert cb.min_product_distance(per_user=True).shape == (6,)
    np.testing.assert_array_equal(cb.distinct_points(), 4 * CS1_GRAPH)
    np.testing.assert_array_equal(cb.distinct_points("superposed"), [64] * 4)
    with pytest.raises(ValueError, match="kind"):
        cb.min_distance("joint")


def test_properties_by_hand():
    # Two users on one resource: BPSK {+1, -1} and {+1j, -1j}; distances by hand.
    cb = Codebook(np.array([[[1, -1]], [[1j, -1j]]]))
    assert cb.min_distance("user") == pytest.approx(2.0)
    assert cb.min_distance("superposed") == pytest.approx(2.0)
    assert cb.min_product_distance() == pytest.approx(2.0)
    np.testing.assert_array_equal(cb.distinct_points("superposed"), [4])
    # A collision: both users BPSK on the real axis -> 1 + (-1) == -1 + 1.
    same = Codebook(np.array([[[1, -1]], [[1, -1]]]))
    assert same.min_distance("superposed") == pytest.approx(0.0)
    assert same.distinct_points("superposed")[0] == 3


def test_text_round_trip(tmp_path):
    cb = load_codebook("CS4")
    path = save_codebook(cb, tmp_path / "cs4.cb")
    again = read_codebook(path)
    np.testing.assert_allclose(again.codewords, cb.codewords, atol=1e-9)
    assert load_codebook(path) == load_codebook(path)  # a path loads, normalised


def test_mat_layout(tmp_path):
    cb = load_codebook("CS1")
    kmj = np.transpose(cb.codewords, (1, 2, 0))  # K x M x J, as MATLAB's CB(:, :, j)
    savemat(tmp_path / "cb.mat", {"CB": kmj})
    loaded = load_codebook(tmp_path / "cb.mat")
    np.testing.assert_allclose(loaded.codewords, cb.codewords, atol=1e-12)
    savemat(tmp_path / "two.mat", {"A": kmj, "B": kmj})
    with pytest.raises(ValueError, match="variable="):
        read_codebook(tmp_path / "two.mat")
    assert read_codebook(tmp_path / "two.mat", variable="B") == read_codebook(tmp_path / "cb.mat")
    save_codebook(cb, tmp_path / "out.mat")
    np.testing.assert_allclose(read_codebook(tmp_path / "out.mat").codewords, cb.codewords)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("6 4\n", "J K M"),
        ("a b c\n1 2", "three integers"),
        ("1 1 2\n1 0 -1", "needs 1 rows of 4 numbers"),
        ("1 1 2\n1 0 -1 x", "not a number"),
        ("1 1 3\n1 0 -1 0 0 1", "power of two"),
        ("1 1 2\n0 0 0 0", "only zero"),
    ],
)
def test_malformed_text_is_refused(tmp_path, text, match):
    path = tmp_path / "bad.cb"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_codebook(path)


def test_bad_arguments():
    with pytest.raises(ValueError, match="neither a shipped set"):
        load_codebook("CS9")
    with pytest.raises(TypeError, match="name_or_path"):
        load_codebook(3)
    with pytest.raises(ValueError, match="shape"):
        Codebook(np.ones((4, 6)))
    with pytest.raises(TypeError, match="numeric"):
        Codebook(np.array([["a"]]))
    with pytest.raises(ValueError, match="finite"):
        Codebook(np.full((1, 1, 2), np.nan))


@pytest.mark.parametrize(
    "module", ["_codebook", "_io", "_detector", "_channel", "_layers", "_simulate", "_allocation"]
)
def test_docstring_examples(module, run_doctests):
    assert run_doctests(f"scma_alloc.link.{module}").failed == 0
