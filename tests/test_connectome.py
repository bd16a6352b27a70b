"""Tests of neuralmass.connectome, neuralmass.io and plots.connectome."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from neuralmass.connectome import (
    Connectome,
    ConnectomeError,
    eigen_decomposition,
    fetch_connectome,
    load_connectome,
    read_region_table,
    region_order_for_matrix,
    row_normalise,
    sha256_of,
    write_eigenvalues_csv,
)
from neuralmass.io import atomic_path
from neuralmass.plots.connectome import plot_connectome

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
AAL90_SC = SHARED_DATA / "aal90_sc2017.dat"
AAL90_REGIONS = SHARED_DATA / "aal90_regions.dat"

# science.md section 2.
AAL90_SC_SHA256 = "5d9d4d7e233cb20ccfec40ef09e9d87c7864124a842f983cd165cb14fa161909"
AAL90_NONZEROS = 7936
LAMBDA_2 = 0.739349
LAMBDA_MIN = -0.256715

# Asymmetric 3-node cycle with A[0, 1] = 2.5 (into 0 from 1) and A[1, 0] = 0.
TINY = np.array([[0.0, 2.5, 0.0], [0.0, 0.0, 0.5], [1.0, 0.0, 0.0]])
TINY_EDGELIST = "3\n0 1 2.5\n\n1 2 0.5\n2 0 1.0\n"
TINY_LABELS = ("rA", "rB", "rC")


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture
def aal90_path(tmp_path):
    """The study's AAL90 edge list, copied into a private folder."""
    destination = tmp_path / "aal90_sc2017.dat"
    shutil.copyfile(AAL90_SC, destination)
    return destination


@pytest.fixture
def regions_path(tmp_path):
    destination = tmp_path / "aal90_regions.dat"
    shutil.copyfile(AAL90_REGIONS, destination)
    return destination


@pytest.fixture
def aal90(aal90_path):
    return load_connectome(aal90_path)


@pytest.fixture
def aal90_spectrum(aal90):
    W = row_normalise(aal90.weights)
    eigenvalues, eigenvectors = eigen_decomposition(W)
    return W, eigenvalues, eigenvectors


def write_tvb_zip(path, weights, labels, folder="connectivity_3/"):
    """Write a TVB connectivity zip as tvb-data ships it.

    TVB's weights[i, j] is the weight into i from j (tvb coupling.py), the
    same orientation as ours, so the matrix is written as it is.
    """
    n = len(labels)
    rng = np.random.default_rng(7)
    centres = "".join(
        f"{label} {x:.2f} {y:.2f} {z:.2f}\n"
        for label, (x, y, z) in zip(labels, rng.uniform(-60, 60, (n, 3)), strict=True)
    )

    def matrix_text(matrix):
        return "\n".join(" ".join(f"{v!r}" for v in row) for row in matrix) + "\n"

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(folder + "weights.txt", matrix_text(weights.tolist()))
        archive.writestr(folder + "centres.txt", centres)
        archive.writestr(folder + "tract_lengths.txt", matrix_text(10 * weights + 1))
        archive.writestr(folder + "cortical.txt", "1\n" * n)
        archive.writestr(folder + "hemispheres.txt", "0\n" * n)
    return path


def write_lines(path, text):
    path.write_text(text)
    return path


# --------------------------------------------------------------------------
# The study's connectome
# --------------------------------------------------------------------------


def test_aal90_file_is_the_published_one():
    assert sha256_of(AAL90_SC) == AAL90_SC_SHA256


def test_aal90_structure(aal90, aal90_path):
    A = aal90.weights
    assert A.shape == (90, 90)
    assert np.count_nonzero(A) == AAL90_NONZEROS
    assert np.count_nonzero(np.diag(A)) == 0
    assert not np.array_equal(A, A.T)
    assert aal90.labels == tuple(f"node_{k}" for k in range(90))
    assert aal90.source == str(aal90_path)
    # First data row of the file: "0 1 0.15271" -> A[0, 1].
    assert A[0, 1] == 0.15271


def test_aal90_row_normalisation(aal90_spectrum):
    W, _, _ = aal90_spectrum
    np.testing.assert_allclose(W.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_aal90_spectrum(aal90_spectrum):
    W, eigenvalues, eigenvectors = aal90_spectrum
    assert eigenvalues.dtype == np.float64
    assert eigenvectors.dtype == np.float64
    assert eigenvalues.shape == (90,)
    assert np.all(np.diff(eigenvalues) <= 0)
    assert abs(eigenvalues[0] - 1.0) <= 1e-12
    assert abs(eigenvalues[1] - LAMBDA_2) <= 1e-6
    assert abs(eigenvalues[-1] - LAMBDA_MIN) <= 1e-6
    assert np.all(np.abs(eigenvalues) <= 1 + 1e-12)

    residual = W @ eigenvectors - eigenvectors * eigenvalues
    assert np.abs(residual).max() <= 1e-10
    np.testing.assert_allclose(np.linalg.norm(eigenvectors, axis=0), 1.0, atol=1e-12)
    # Lambda_1 belongs to the uniform mode, with a positive sign.
    np.testing.assert_allclose(eigenvectors[:, 0], 1 / np.sqrt(90), atol=1e-12)


def test_aal90_eigenvalues_csv_round_trip(aal90_spectrum, tmp_path):
    _, eigenvalues, _ = aal90_spectrum
    path = tmp_path / "out" / "eigenvalues.csv"
    write_eigenvalues_csv(eigenvalues, path)

    table = pd.read_csv(path)
    assert list(table.columns) == ["alpha", "lambda_re", "lambda_im"]
    assert table["alpha"].tolist() == list(range(1, 91))
    np.testing.assert_array_equal(table["lambda_re"].to_numpy(), eigenvalues)
    assert (table["lambda_im"] == 0).all()
    assert sorted(p.name for p in path.parent.iterdir()) == ["eigenvalues.csv"]


def test_complex_eigenvalues_csv(tmp_path):
    path = tmp_path / "eig.csv"
    write_eigenvalues_csv(np.array([0.5 + 0.25j, 0.5 - 0.25j]), path)
    table = pd.read_csv(path)
    assert table["lambda_im"].tolist() == [0.25, -0.25]
    assert table["lambda_re"].tolist() == [0.5, 0.5]


# --------------------------------------------------------------------------
# Orientation and formats
# --------------------------------------------------------------------------


def test_edgelist_orientation(tmp_path):
    path = write_lines(tmp_path / "tiny.dat", TINY_EDGELIST)
    A = load_connectome(path).weights
    assert A[0, 1] == 2.5
    assert A[1, 0] == 0.0
    np.testing.assert_array_equal(A, TINY)
    # Row i of W holds node i's inputs: node 0 listens to node 1 only.
    x = np.array([10.0, 20.0, 30.0])
    assert (row_normalise(A) @ x)[0] == 20.0


def _write_npy(path, matrix):
    np.save(path, matrix)


def _write_csv(path, matrix):
    path.write_text("\n".join(",".join(repr(v) for v in row) for row in matrix))


def _write_tsv(path, matrix):
    path.write_text("\n".join("\t".join(repr(v) for v in row) for row in matrix))


@pytest.mark.parametrize(
    ("name", "writer"),
    [("tiny.npy", _write_npy), ("tiny.csv", _write_csv), ("tiny.tsv", _write_tsv)],
)
def test_dense_formats_match_edgelist(tmp_path, name, writer):
    edgelist = load_connectome(write_lines(tmp_path / "tiny.dat", TINY_EDGELIST))
    path = tmp_path / name
    writer(path, TINY.tolist() if name != "tiny.npy" else TINY)
    dense = load_connectome(path)
    assert dense.weights.dtype == np.float64
    np.testing.assert_array_equal(dense.weights, edgelist.weights)


def test_tsv_accepts_spaces(tmp_path):
    path = write_lines(tmp_path / "tiny.tsv", "0  2.5 0\n0 0\t0.5\n\n1.0 0 0\n")
    np.testing.assert_array_equal(load_connectome(path).weights, TINY)


@pytest.mark.parametrize("folder", ["connectivity_3/", ""])
def test_tvb_zip_matches_edgelist(tmp_path, folder):
    edgelist = load_connectome(write_lines(tmp_path / "tiny.dat", TINY_EDGELIST))
    path = write_tvb_zip(tmp_path / "connectivity_3.zip", TINY, TINY_LABELS, folder)
    tvb = load_connectome(path)
    np.testing.assert_array_equal(tvb.weights, edgelist.weights)
    assert tvb.labels == TINY_LABELS


def test_explicit_format_overrides_extension(tmp_path):
    path = tmp_path / "matrix.data"
    _write_csv(path, TINY.tolist())
    np.testing.assert_array_equal(load_connectome(path, fmt="csv").weights, TINY)


def test_diagonal_is_kept(tmp_path):
    path = write_lines(tmp_path / "loops.dat", "2\n0 0 1.5\n0 1 1\n1 0 2\n")
    np.testing.assert_array_equal(
        load_connectome(path).weights, [[1.5, 1.0], [2.0, 0.0]]
    )


def test_connectome_is_frozen_and_read_only(tmp_path):
    connectome = load_connectome(write_lines(tmp_path / "tiny.dat", TINY_EDGELIST))
    with pytest.raises(dataclasses.FrozenInstanceError):
        connectome.labels = ("a", "b", "c")
    with pytest.raises(ValueError, match="read-only"):
        connectome.weights[0, 0] = 1.0


def test_connectome_checks_labels():
    with pytest.raises(ConnectomeError, match="2 labels for 3 nodes"):
        Connectome(weights=TINY, labels=("a", "b"), source="x.dat")


# --------------------------------------------------------------------------
# Bad inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "3\n0 1 2.5\n1 2\n2 0 1\n",
            ["bad.dat line 3", "expected 3 fields", "'1 2'"],
            id="two-fields",
        ),
        pytest.param(
            "3\n0 1 2.5\n1 2 0.5 7\n",
            ["bad.dat line 3", "got 4", "'1 2 0.5 7'"],
            id="four-fields",
        ),
        pytest.param(
            "3\n0 1 2.5\n1.0 2 0.5\n",
            ["bad.dat line 3", "index '1.0' is not an integer"],
            id="non-integer-index",
        ),
        pytest.param(
            "3\n0 1 2.5\n1 3 0.5\n",
            ["bad.dat line 3", "index 3 is out of range [0, 3)"],
            id="index-out-of-range",
        ),
        pytest.param(
            "3\n0 1 2.5\n-1 2 0.5\n",
            ["bad.dat line 3", "index -1 is out of range"],
            id="negative-index",
        ),
        pytest.param(
            "3\n0 1 2.5\n\n1 2 nan\n",
            ["bad.dat line 4", "weight 'nan' is not finite"],
            id="nan-weight",
        ),
        pytest.param(
            "3\n0 1 2.5\n1 2 inf\n",
            ["bad.dat line 3", "weight 'inf' is not finite"],
            id="inf-weight",
        ),
        pytest.param(
            "3\n0 1 2.5\n1 2 -0.2\n",
            ["bad.dat line 3", "weight '-0.2' is negative"],
            id="negative-weight",
        ),
        pytest.param(
            "3\n0 1 2.5\n1 2 heavy\n",
            ["bad.dat line 3", "weight 'heavy' is not a number"],
            id="text-weight",
        ),
        pytest.param(
            "3\n0 1 2.5\n1 2 0.5\n0 1 1.0\n",
            ["bad.dat line 4", "duplicate entry (i, j) = (0, 1)", "line 2"],
            id="duplicate",
        ),
        pytest.param(
            "3.0\n0 1 2.5\n", ["bad.dat line 1", "'3.0'"], id="non-integer-header"
        ),
        pytest.param("0\n", ["bad.dat line 1", "'0'"], id="zero-header"),
        pytest.param("\n\n", ["bad.dat", "empty"], id="empty"),
        pytest.param("1\n0 0 1.0\n", ["bad.dat", "N = 1"], id="single-node"),
    ],
)
def test_bad_edgelist(tmp_path, text, expected):
    path = write_lines(tmp_path / "bad.dat", text)
    with pytest.raises(ConnectomeError) as caught:
        load_connectome(path)
    for part in expected:
        assert part in str(caught.value)


def test_negative_entry_in_npy(tmp_path):
    matrix = TINY.copy()
    matrix[1, 2] = -0.2
    np.save(tmp_path / "weights.npy", matrix)
    with pytest.raises(ConnectomeError) as caught:
        load_connectome(tmp_path / "weights.npy")
    assert "weights.npy: entry [1, 2] = -0.2 is negative" in str(caught.value)


def test_nan_entry_in_csv(tmp_path):
    path = write_lines(tmp_path / "w.csv", "0,2.5,0\n0,0,nan\n1,0,0\n")
    with pytest.raises(ConnectomeError, match=r"w\.csv: entry \[1, 2\] = nan is not"):
        load_connectome(path)


def test_text_entry_in_csv(tmp_path):
    path = write_lines(tmp_path / "w.csv", "0,2.5,0\n0,0,x\n1,0,0\n")
    with pytest.raises(ConnectomeError, match=r"w\.csv line 2, column 2: 'x'"):
        load_connectome(path)


def test_non_square_dense_matrix(tmp_path):
    path = write_lines(tmp_path / "wide.csv", "0,1,1\n1,0,1\n")
    with pytest.raises(
        ConnectomeError, match=r"wide\.csv: matrix is 2 x 3, not square"
    ):
        load_connectome(path)
    np.save(tmp_path / "wide.npy", np.ones((2, 3)))
    with pytest.raises(ConnectomeError, match=r"wide\.npy: matrix is 2 x 3"):
        load_connectome(tmp_path / "wide.npy")


def test_ragged_dense_matrix(tmp_path):
    path = write_lines(tmp_path / "ragged.tsv", "0 1 1\n1 0\n1 1 0\n")
    with pytest.raises(ConnectomeError, match=r"ragged\.tsv line 2: 2 values"):
        load_connectome(path)


def test_unknown_extension(tmp_path):
    path = write_lines(tmp_path / "weights.mat", "")
    with pytest.raises(ConnectomeError) as caught:
        load_connectome(path)
    message = str(caught.value)
    assert "weights.mat" in message and "'.mat'" in message
    for allowed in (".dat", ".txt", ".npy", ".csv", ".tsv", ".zip", "edgelist", "tvb"):
        assert allowed in message


def test_unknown_format_name(tmp_path):
    path = write_lines(tmp_path / "tiny.dat", TINY_EDGELIST)
    with pytest.raises(ConnectomeError, match="unknown connectome format 'hdf5'"):
        load_connectome(path, fmt="hdf5")


def test_tvb_zip_without_weights(tmp_path):
    path = tmp_path / "broken.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("c/centres.txt", "a 0 0 0\nb 1 1 1\n")
    with pytest.raises(ConnectomeError, match=r"broken\.zip: no member named weights"):
        load_connectome(path)


def test_tvb_zip_with_wrong_centres_count(tmp_path):
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weights.txt", "0 2.5 0\n0 0 0.5\n1 0 0\n")
        archive.writestr("centres.txt", "a 0 0 0\nb 1 1 1\n")
    with pytest.raises(ConnectomeError) as caught:
        load_connectome(path)
    message = str(caught.value)
    assert "c.zip:centres.txt lists 2 regions" in message
    assert "c.zip:weights.txt has 3 rows" in message


def test_node_without_inputs_is_an_error(tmp_path):
    # Node 2 receives nothing (row 2 is empty) but sends to node 1.
    text = "3\n0 1 1.0\n1 0 1.0\n1 2 0.5\n"
    path = write_lines(tmp_path / "isolated.dat", text)
    with pytest.raises(ConnectomeError) as caught:
        load_connectome(path)
    assert str(caught.value) == (
        "isolated.dat: node(s) 2 ('node_2') have no inputs (row sums 0); set "
        "drop_nodes_without_inputs: true to drop them"
    )


def test_node_without_inputs_is_dropped(tmp_path, caplog):
    text = "3\n0 1 1.0\n1 0 1.0\n1 2 0.5\n"
    path = write_lines(tmp_path / "isolated.dat", text)
    with caplog.at_level(logging.WARNING, logger="neuralmass.connectome"):
        connectome = load_connectome(path, drop_nodes_without_inputs=True)
    np.testing.assert_array_equal(connectome.weights, [[0.0, 1.0], [1.0, 0.0]])
    assert connectome.labels == ("node_0", "node_1")
    assert "2 ('node_2')" in caplog.text


def test_dropping_repeats_until_every_node_has_inputs(tmp_path, regions_path, caplog):
    # Node 3 has no inputs; node 2 listens only to node 3, so it loses its
    # inputs once node 3 is gone. Labels follow (here from a region table).
    A = np.ones((90, 90)) - np.eye(90)
    A[3, :] = 0.0
    A[2, :] = 0.0
    A[2, 3] = 1.0
    path = tmp_path / "chain.npy"
    np.save(path, A)
    names = list(region_order_for_matrix(read_region_table(regions_path))["name"])

    with pytest.raises(ConnectomeError, match=r"node\(s\) 3 \('MFG\.L'\)"):
        load_connectome(path, regions=regions_path)
    with caplog.at_level(logging.WARNING, logger="neuralmass.connectome"):
        connectome = load_connectome(
            path, regions=regions_path, drop_nodes_without_inputs=True
        )
    keep = [k for k in range(90) if k not in (2, 3)]
    np.testing.assert_array_equal(connectome.weights, A[np.ix_(keep, keep)])
    assert connectome.labels == tuple(names[k] for k in keep)
    assert "3 ('MFG.L')" in caplog.text and "2 ('ORBsup.L')" in caplog.text
    assert np.all(connectome.weights.sum(axis=1) > 0)


def test_dropping_everything_is_an_error(tmp_path):
    path = write_lines(tmp_path / "chain.dat", "3\n0 1 1\n1 2 1\n")
    with pytest.raises(ConnectomeError, match="only 1 node"):
        load_connectome(path, drop_nodes_without_inputs=True)


def test_row_normalise_rejects_empty_row():
    with pytest.raises(ConnectomeError, match=r"row\(s\) 1 sum to 0"):
        row_normalise([[0.0, 1.0], [0.0, 0.0]])


# --------------------------------------------------------------------------
# Region table
# --------------------------------------------------------------------------


def test_region_table(regions_path):
    table = read_region_table(regions_path)
    assert len(table) == 90
    assert list(table.columns) == ["name", "x", "y", "z", "lobe", "hemisphere"]
    # The table alternates hemispheres: PreCG.L, PreCG.R, ..., ITG.L, ITG.R.
    assert table["name"].iloc[:2].tolist() == ["PreCG.L", "PreCG.R"]
    assert table["name"].iloc[-1] == "ITG.R"
    assert table["hemisphere"].tolist() == ["L", "R"] * 45
    assert table.loc[0, ["x", "y", "z"]].tolist() == [-38.65, -5.68, 50.94]
    assert table.loc[0, "lobe"] == "Frontal"


def test_region_order_for_matrix(regions_path):
    ordered = region_order_for_matrix(read_region_table(regions_path))
    names = ordered["name"].tolist()
    # Left regions in table order, then right regions in reverse table order.
    assert names[0] == "PreCG.L"
    assert names[44] == "ITG.L"
    assert names[45] == "ITG.R"
    assert names[-1] == "PreCG.R"
    assert all(names[89 - k] == names[k][:-1] + "R" for k in range(45))
    assert ordered.index[-1] == 1  # PreCG.R is table row 1


def test_region_order_matches_the_matrix(aal90, regions_path):
    # Connection strength falls with distance; only the documented order
    # makes the matrix look like that.
    table = read_region_table(regions_path)
    A = aal90.weights
    present = A > 0

    def distance_weight_correlation(order):
        xyz = table.loc[order, ["x", "y", "z"]].to_numpy()
        distance = np.linalg.norm(xyz[:, None] - xyz[None], axis=2)
        return np.corrcoef(distance[present], np.log(A[present]))[0, 1]

    documented = distance_weight_correlation(region_order_for_matrix(table).index)
    as_listed = distance_weight_correlation(table.index)
    assert documented < -0.5
    assert as_listed > -0.2


def test_labels_from_region_table(aal90_path, regions_path):
    connectome = load_connectome(aal90_path, regions=regions_path)
    assert connectome.labels[0] == "PreCG.L"
    assert connectome.labels[-1] == "PreCG.R"
    assert len(connectome.labels) == 90


def test_region_table_size_mismatch(tmp_path, regions_path):
    path = write_lines(tmp_path / "tiny.dat", TINY_EDGELIST)
    with pytest.raises(ConnectomeError) as caught:
        load_connectome(path, regions=regions_path)
    message = str(caught.value)
    assert "aal90_regions.dat has 90 regions" in message
    assert "tiny.dat has 3 nodes" in message


def test_region_table_bad_hemisphere(tmp_path):
    path = write_lines(
        tmp_path / "regions.dat",
        "# name x y z lobe hemi\nA 0 0 0 Frontal L\nB 1 1 1 Frontal M\n",
    )
    with pytest.raises(ConnectomeError, match=r"regions\.dat line 3: hemisphere 'M'"):
        read_region_table(path)


def test_region_table_bad_coordinate(tmp_path):
    path = write_lines(tmp_path / "regions.dat", "A 0 north 0 Frontal L\n")
    with pytest.raises(ConnectomeError, match="coordinate y 'north'"):
        read_region_table(path)


# --------------------------------------------------------------------------
# Eigen-decomposition
# --------------------------------------------------------------------------


def test_eigen_decomposition_sorts_complex_spectrum():
    # Eigenvalues 0.5, +-0.9i and -0.3 (block diagonal), given unsorted.
    W = np.zeros((4, 4))
    W[0, 0] = -0.3
    W[1:3, 1:3] = [[0.0, -0.9], [0.9, 0.0]]
    W[3, 3] = 0.5
    eigenvalues, eigenvectors = eigen_decomposition(W)
    assert np.iscomplexobj(eigenvalues)
    np.testing.assert_allclose(eigenvalues, [0.5, 0.9j, -0.9j, -0.3], atol=1e-15)
    residual = W @ eigenvectors - eigenvectors * eigenvalues
    assert np.abs(residual).max() <= 1e-14


def test_eigen_decomposition_ties_by_imaginary_part():
    W = np.array([[0.2, -0.4], [0.4, 0.2]])  # 0.2 -+ 0.4i
    eigenvalues, _ = eigen_decomposition(W)
    np.testing.assert_allclose(eigenvalues, [0.2 + 0.4j, 0.2 - 0.4j], atol=1e-15)


def test_eigen_decomposition_negligible_imaginary_pair():
    # Eigenvalues 1 +- 1e-14 i: real to 1e-12 * max|Lambda|, so the result is
    # real and the pair's plane is kept as two independent vectors.
    d = 1e-14
    W = np.array([[1.0, -d, 0.0], [d, 1.0, 0.0], [0.0, 0.0, 0.25]])
    eigenvalues, eigenvectors = eigen_decomposition(W)
    assert eigenvalues.dtype == np.float64
    assert eigenvectors.dtype == np.float64
    np.testing.assert_allclose(eigenvalues, [1.0, 1.0, 0.25], atol=1e-15)
    assert np.abs(W @ eigenvectors - eigenvectors * eigenvalues).max() <= 1e-12
    assert abs(np.linalg.det(eigenvectors)) > 0.5


# --------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------


@pytest.fixture
def remote_file(tmp_path):
    """A file served by file:// from a folder apart from the destination."""
    remote = tmp_path / "remote"
    remote.mkdir()
    path = remote / "sc.dat"
    path.write_text(TINY_EDGELIST)
    return path


def test_fetch_downloads_and_checks(tmp_path, remote_file):
    destination = tmp_path / "data" / "sc.dat"
    digest = hashlib.sha256(remote_file.read_bytes()).hexdigest()
    result = fetch_connectome(remote_file.as_uri(), digest, destination)
    assert result == destination
    assert destination.read_text() == TINY_EDGELIST
    assert sha256_of(destination) == digest
    assert [p.name for p in destination.parent.iterdir()] == ["sc.dat"]


def test_fetch_checksum_mismatch_leaves_nothing(tmp_path, remote_file):
    destination = tmp_path / "data" / "sc.dat"
    wrong = "0" * 64
    actual = hashlib.sha256(remote_file.read_bytes()).hexdigest()
    with pytest.raises(ConnectomeError) as caught:
        fetch_connectome(remote_file.as_uri(), wrong, destination)
    message = str(caught.value)
    assert wrong in message and actual in message and str(destination) in message
    assert not destination.exists()
    assert list(destination.parent.iterdir()) == []


def test_fetch_keeps_matching_file_without_download(tmp_path):
    destination = write_lines(tmp_path / "sc.dat", TINY_EDGELIST)
    digest = sha256_of(destination)
    url = (tmp_path / "does-not-exist.dat").as_uri()
    assert fetch_connectome(url, digest.upper(), destination) == destination


def test_fetch_refuses_existing_file_with_other_digest(tmp_path, remote_file):
    destination = write_lines(tmp_path / "sc.dat", "something else\n")
    expected = hashlib.sha256(remote_file.read_bytes()).hexdigest()
    with pytest.raises(ConnectomeError) as caught:
        fetch_connectome(remote_file.as_uri(), expected, destination)
    message = str(caught.value)
    assert str(destination) in message
    assert expected in message and sha256_of(destination) in message
    assert "Delete it" in message
    assert destination.read_text() == "something else\n"


def test_fetch_network_error(tmp_path):
    destination = tmp_path / "data" / "sc.dat"
    url = (tmp_path / "missing.dat").as_uri()
    with pytest.raises(ConnectomeError) as caught:
        fetch_connectome(url, AAL90_SC_SHA256, destination)
    assert str(caught.value) == (
        f"could not download {url}; place the file (with sha256 "
        f"{AAL90_SC_SHA256}) at {destination} by hand, or point the config at a local "
        "copy (connectome.path, or connectome.regions.path for the region table)"
    )
    assert list(destination.parent.iterdir()) == []


def test_fetch_rejects_malformed_digest(tmp_path, remote_file):
    with pytest.raises(ConnectomeError, match="not a SHA-256 digest"):
        fetch_connectome(remote_file.as_uri(), "abc", tmp_path / "sc.dat")


# --------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------


def test_atomic_path_leaves_no_partial_file(tmp_path):
    path = tmp_path / "table.csv"
    with pytest.raises(RuntimeError, match="writer failed"):
        with atomic_path(path) as temporary:
            temporary.write_text("alpha,lambda_re\n1,")
            raise RuntimeError("writer failed")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_old_file_when_writer_fails(tmp_path):
    path = write_lines(tmp_path / "table.csv", "old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as temporary:
            pd.DataFrame({"a": [1]}).to_csv(temporary)
            raise RuntimeError("writer failed")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_atomic_path_keeps_suffix_and_replaces(tmp_path):
    path = tmp_path / "sub" / "figure.png"
    path.parent.mkdir()
    path.write_bytes(b"old")
    with atomic_path(path) as temporary:
        assert temporary.parent == path.parent
        assert temporary.name.startswith(".figure.png.tmp")
        assert temporary.suffix == ".png"
        assert not temporary.exists()
        temporary.write_bytes(b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in path.parent.iterdir()] == ["figure.png"]


def test_atomic_path_requires_the_writer_to_write(tmp_path):
    with pytest.raises(FileNotFoundError, match="did not create"):
        with atomic_path(tmp_path / "x.csv"):
            pass
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# Figure
# --------------------------------------------------------------------------


def test_plot_connectome(aal90_path, regions_path, tmp_path):
    import matplotlib.pyplot as plt

    connectome = load_connectome(aal90_path, regions=regions_path)
    W = row_normalise(connectome.weights)
    eigenvalues, _ = eigen_decomposition(W)
    figures_before = plt.get_fignums()
    path = tmp_path / "figures" / "connectome.png"
    plot_connectome(W, eigenvalues, connectome.labels, path)

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["connectome.png"]
    assert plt.get_fignums() == figures_before


def test_plot_connectome_small_complex(tmp_path):
    W = row_normalise(np.roll(np.eye(3), 1, axis=1))  # 3-cycle: cube roots of 1
    eigenvalues, _ = eigen_decomposition(W)
    assert np.iscomplexobj(eigenvalues)
    path = tmp_path / "cycle.pdf"
    plot_connectome(W, eigenvalues, TINY_LABELS, path)
    assert path.read_bytes()[:5] == b"%PDF-"


def test_plot_connectome_checks_shapes(tmp_path):
    with pytest.raises(ValueError, match="expected N = 3"):
        plot_connectome(TINY, np.ones(2), TINY_LABELS, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []
