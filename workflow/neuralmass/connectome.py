"""Structural connectome: loading, validation, normalisation and spectrum.

Orientation convention used throughout the package: ``A[i, j]`` is the
weight of the connection INTO region ``i`` FROM region ``j`` (row = target,
column = source), so that node ``i`` receives ``C_i = sum_j W[i, j] x_j``
(science.md, section 1). Every loader returns the matrix in this orientation.

Formats read by :func:`load_connectome`
---------------------------------------
``edgelist`` (``.dat``, ``.txt``)
    The study's format: first line ``N``, then rows ``i j w`` with 0-based
    integer indices, meaning ``A[i, j] = w``; stored as given, not
    transposed. Pairs not listed are 0. Blank lines are ignored.
``npy``, ``csv``, ``tsv``
    A dense square matrix without header, rows = targets ``i``, columns =
    sources ``j``; stored as given. ``csv`` is comma separated, ``tsv``
    separated by tabs or any whitespace.
``tvb`` (``.zip``)
    A connectivity archive as shipped by tvb-data (``connectivity_76.zip``):
    members ``weights.txt`` (N x N, whitespace separated) and
    ``centres.txt`` (``label x y z`` per line), possibly inside a folder;
    other members (``tract_lengths.txt``, ...) are ignored. TVB uses the same
    orientation as this package, so ``weights.txt`` is NOT transposed: in
    tvb-root (``tvb_library/tvb/simulator/coupling.py``), ``Coupling.__call__``
    takes ``history.es_weights``, built in ``history.py``
    ``DenseHistory.__init__`` as ``weights[:, na, :, na]`` with axes
    ``(to, ncv, from, m)``, and sums ``(g_ij * x_j).sum(axis=2)`` over the
    *from* axis; ``SparseCoupling.__call__`` groups the non-zero weights by row
    (``nnz_row_el_idx``, commented "to (rows)") and sums over columns ("from
    (columns)"). Node ``i``'s input is thus ``sum_j weights[i, j] x_j``, as
    the module docstring of ``coupling.py`` also states ("u_kj ... describes
    the connection strength from node j to node k").
"""

from __future__ import annotations

import bz2
import hashlib
import logging
import math
import os
import re
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from neuralmass.io import atomic_path

__all__ = [
    "Connectome",
    "ConnectomeError",
    "eigen_decomposition",
    "fetch_connectome",
    "load_connectome",
    "read_region_table",
    "region_order_for_matrix",
    "row_normalise",
    "sha256_of",
    "write_eigenvalues_csv",
]

log = logging.getLogger(__name__)

#: Formats accepted by :func:`load_connectome`, besides ``"auto"``.
FORMATS = ("edgelist", "npy", "csv", "tsv", "tvb")

#: File name extension -> format, used by ``fmt="auto"``.
EXTENSION_FORMATS = {
    ".dat": "edgelist",
    ".txt": "edgelist",
    ".npy": "npy",
    ".csv": "csv",
    ".tsv": "tsv",
    ".zip": "tvb",
}

#: Smallest network that has a transverse mode (Lambda_2) to analyse.
MIN_NODES = 2

#: Eigenvalues count as real when every |Im| is below this times max |Lambda|;
#: a few ulps of the largest eigenvalue, far below any physical splitting.
REAL_SPECTRUM_RTOL = 1e-12

#: Seconds to wait for the connectome server before giving up.
DOWNLOAD_TIMEOUT = 60

#: Bytes read at a time when hashing or downloading.
CHUNK_SIZE = 1 << 20

#: Member names of a TVB connectivity zip (TVB also accepts "centers").
TVB_WEIGHTS = ("weights.txt", "weights.txt.bz2")
TVB_CENTRES = ("centres.txt", "centres.txt.bz2", "centers.txt", "centers.txt.bz2")

#: Region table columns returned by :func:`read_region_table`.
REGION_COLUMNS = ("name", "x", "y", "z", "lobe", "hemisphere")
HEMISPHERES = ("L", "R")

_SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


class ConnectomeError(ValueError):
    """A connectome or region file is malformed, inconsistent or unavailable.

    The message names the file, the line, entry or field, and the offending
    value.
    """


@dataclass(frozen=True, eq=False)
class Connectome:
    """A validated structural connectome.

    Attributes
    ----------
    weights : numpy.ndarray, shape (N, N), float64, read-only
        ``weights[i, j]`` is the weight INTO region ``i`` FROM region ``j``.
        Finite and non-negative; every row has a positive sum.
    labels : tuple of str, length N
        Region name of each row/column, in matrix order.
    source : str
        Path of the file the weights were read from.
    """

    weights: np.ndarray
    labels: tuple[str, ...]
    source: str

    def __post_init__(self) -> None:
        weights = np.array(self.weights, dtype=np.float64)
        weights.setflags(write=False)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "labels", tuple(str(x) for x in self.labels))
        object.__setattr__(self, "source", str(self.source))
        n = weights.shape[0] if weights.ndim == 2 else -1
        if weights.shape != (n, n):
            raise ConnectomeError(
                f"{self.source}: weights have shape {weights.shape}, not (N, N)"
            )
        if len(self.labels) != n:
            raise ConnectomeError(
                f"{self.source}: {len(self.labels)} labels for {n} nodes"
            )

    @property
    def n_nodes(self) -> int:
        """Number of regions N."""
        return self.weights.shape[0]


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def load_connectome(
    path: str | os.PathLike[str],
    fmt: str = "auto",
    regions: str | os.PathLike[str] | None = None,
    drop_nodes_without_inputs: bool = False,
) -> Connectome:
    """Read and validate a structural connectome.

    See the module docstring for the formats and their orientation; the
    result always has ``weights[i, j]`` = weight into ``i`` from ``j``.

    Parameters
    ----------
    path : str or os.PathLike
        Connectome file.
    fmt : {"auto", "edgelist", "npy", "csv", "tsv", "tvb"}, default "auto"
        File format. ``"auto"`` picks it from the extension: ``.dat`` and
        ``.txt`` edge list, ``.npy``, ``.csv``, ``.tsv``, ``.zip`` TVB.
    regions : str or os.PathLike, optional
        Region table (see :func:`read_region_table`) with exactly N rows.
        Labels are then its names in matrix order
        (:func:`region_order_for_matrix`). Without it, labels are
        ``"node_0"``, ``"node_1"``, ... or, for TVB, those of
        ``centres.txt``.
    drop_nodes_without_inputs : bool, default False
        What to do with nodes whose row sums to 0 (no inputs; they cannot be
        row-normalised). False: raise. True: remove their rows and columns
        and their labels, log them, and repeat until every remaining node
        has an input (removing a node can leave others without inputs).

    Returns
    -------
    Connectome
        Weights (N x N, float64), labels and source path.

    Raises
    ------
    ConnectomeError
        If the format is unknown; the file is malformed; the matrix is not
        square, has fewer than 2 nodes, or has non-finite or negative
        entries; the region table has a different size; or some node has no
        inputs and `drop_nodes_without_inputs` is False.

    Notes
    -----
    The diagonal is kept as stored (the study's AAL90 matrix has none).
    """
    path = Path(path)
    fmt = _resolve_format(path, fmt)

    # Read the matrix (and TVB's labels) in the package's orientation.
    file_labels = None
    if fmt == "edgelist":
        weights = _read_edgelist(path)
    elif fmt == "npy":
        weights = _read_npy(path)
    elif fmt in ("csv", "tsv"):
        text = _read_text(path, path.name)
        weights = _parse_dense(text, path.name, "," if fmt == "csv" else None)
    else:
        weights, file_labels = _read_tvb_zip(path)
    _check_matrix(weights, path.name)
    n = weights.shape[0]

    # Labels, from the region table when given.
    if regions is not None:
        table = read_region_table(regions)
        if len(table) != n:
            raise ConnectomeError(
                f"{Path(regions).name} has {len(table)} regions but "
                f"{path.name} has {n} nodes; the region table must list "
                "exactly the matrix's regions"
            )
        labels = list(region_order_for_matrix(table)["name"])
    elif file_labels is not None:
        labels = list(file_labels)
    else:
        labels = [f"node_{k}" for k in range(n)]

    weights, labels = _handle_nodes_without_inputs(
        weights, labels, path.name, drop_nodes_without_inputs
    )
    return Connectome(weights=weights, labels=tuple(labels), source=str(path))


def _resolve_format(path: Path, fmt: str) -> str:
    """Return the concrete format of `path` for the requested `fmt`."""
    if fmt == "auto":
        suffix = path.suffix.lower()
        if suffix not in EXTENSION_FORMATS:
            allowed = ", ".join(
                f"{ext} ({name})" for ext, name in EXTENSION_FORMATS.items()
            )
            raise ConnectomeError(
                f"{path.name}: unknown connectome extension {suffix!r}; "
                f"allowed: {allowed}, or give fmt as one of {', '.join(FORMATS)}"
            )
        return EXTENSION_FORMATS[suffix]
    if fmt not in FORMATS:
        raise ConnectomeError(
            f"{path.name}: unknown connectome format {fmt!r}; allowed: "
            f"auto, {', '.join(FORMATS)}"
        )
    return fmt


def _read_text(path: Path, name: str) -> str:
    """Return the text of `path`, with errors as ConnectomeError."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConnectomeError(f"{name}: file not found ({path})") from exc
    except UnicodeDecodeError as exc:
        raise ConnectomeError(f"{name}: not a UTF-8 text file ({exc})") from exc


def _read_edgelist(path: Path) -> np.ndarray:
    """Parse the study's ``N`` / ``i j w`` edge list into ``A[i, j] = w``."""
    name = path.name
    lines = [
        (number, line.split())
        for number, line in enumerate(_read_text(path, name).splitlines(), 1)
        if line.strip()
    ]
    if not lines:
        raise ConnectomeError(f"{name}: file is empty; expected N on the first line")

    # Header: the number of nodes.
    number, fields = lines[0]
    if len(fields) != 1 or not _is_integer(fields[0]) or int(fields[0]) < 1:
        raise ConnectomeError(
            f"{name} line {number}: expected the number of nodes N (an integer "
            f">= 1) alone on the first line, got {' '.join(fields)!r}"
        )
    n = int(fields[0])

    # Body: one entry per line.
    weights = np.zeros((n, n))
    first_seen: dict[tuple[int, int], int] = {}
    for number, fields in lines[1:]:
        where = f"{name} line {number}"
        if len(fields) != 3:
            raise ConnectomeError(
                f"{where}: expected 3 fields 'i j w', got {len(fields)}: "
                f"{' '.join(fields)!r}"
            )
        i, j = (_parse_index(token, n, where) for token in fields[:2])
        w = _parse_weight(fields[2], where)
        if (i, j) in first_seen:
            raise ConnectomeError(
                f"{where}: duplicate entry (i, j) = ({i}, {j}), first given on "
                f"line {first_seen[i, j]}"
            )
        first_seen[i, j] = number
        weights[i, j] = w
    return weights


def _is_integer(token: str) -> bool:
    """True if `token` is a decimal integer such as ``7`` or ``-3``."""
    return re.fullmatch(r"[+-]?\d+", token) is not None


def _parse_index(token: str, n: int, where: str) -> int:
    """Parse a 0-based node index in ``[0, n)``."""
    if not _is_integer(token):
        raise ConnectomeError(f"{where}: index {token!r} is not an integer")
    index = int(token)
    if not 0 <= index < n:
        raise ConnectomeError(
            f"{where}: index {index} is out of range [0, {n}) for N = {n}"
        )
    return index


def _parse_weight(token: str, where: str) -> float:
    """Parse a finite, non-negative weight."""
    try:
        w = float(token)
    except ValueError:
        raise ConnectomeError(f"{where}: weight {token!r} is not a number") from None
    if not math.isfinite(w):
        raise ConnectomeError(f"{where}: weight {token!r} is not finite")
    if w < 0:
        raise ConnectomeError(f"{where}: weight {token!r} is negative")
    return w


def _read_npy(path: Path) -> np.ndarray:
    """Load a dense matrix from a ``.npy`` file (no pickles)."""
    try:
        array = np.load(path, allow_pickle=False)
    except FileNotFoundError as exc:
        raise ConnectomeError(f"{path.name}: file not found ({path})") from exc
    except (OSError, ValueError) as exc:
        raise ConnectomeError(
            f"{path.name}: not a readable .npy array ({exc})"
        ) from exc
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "iuf":
        kind = getattr(array, "dtype", type(array))
        raise ConnectomeError(
            f"{path.name}: array has dtype {kind}; expected real numbers"
        )
    return array.astype(np.float64)


def _parse_dense(text: str, name: str, delimiter: str | None) -> np.ndarray:
    """Parse a headerless dense matrix, one row per non-blank line.

    `delimiter` None splits on any whitespace (tabs included).
    """
    rows = []
    first_width = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(delimiter)]
        values = []
        for column, token in enumerate(fields):
            try:
                values.append(float(token))
            except ValueError:
                raise ConnectomeError(
                    f"{name} line {number}, column {column}: {token!r} is not a number"
                ) from None
        if first_width is None:
            first_width = (number, len(values))
        elif len(values) != first_width[1]:
            raise ConnectomeError(
                f"{name} line {number}: {len(values)} values, but line "
                f"{first_width[0]} has {first_width[1]}; rows must have equal "
                "length"
            )
        rows.append(values)
    if not rows:
        raise ConnectomeError(f"{name}: file holds no matrix rows")
    return np.array(rows, dtype=np.float64)


def _read_tvb_zip(path: Path) -> tuple[np.ndarray, list[str]]:
    """Read ``weights.txt`` and the labels of ``centres.txt`` from a TVB zip.

    TVB's ``weights[i, j]`` is already into ``i`` from ``j`` (see the module
    docstring), so the matrix is returned as stored.
    """
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise ConnectomeError(f"{name}: file not found ({path})") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise ConnectomeError(f"{name}: not a readable zip archive ({exc})") from exc

    with archive:
        members = [
            m
            for m in archive.namelist()
            if not m.endswith("/")
            and not m.startswith("__MACOSX")
            and not PurePosixPath(m).name.startswith((".", "_"))
        ]
        weights_member = _find_member(members, TVB_WEIGHTS, name)
        centres_member = _find_member(members, TVB_CENTRES, name)
        weights_text = _read_member(archive, weights_member, name)
        centres_text = _read_member(archive, centres_member, name)

    weights_name = f"{name}:{weights_member}"
    weights = _parse_dense(weights_text, weights_name, None)

    labels = []
    centres_name = f"{name}:{centres_member}"
    for number, line in enumerate(centres_text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 4:
            raise ConnectomeError(
                f"{centres_name} line {number}: expected 'label x y z', got "
                f"{line.strip()!r}"
            )
        labels.append(fields[0])
    if weights.ndim == 2 and len(labels) != weights.shape[0]:
        raise ConnectomeError(
            f"{centres_name} lists {len(labels)} regions but {weights_name} has "
            f"{weights.shape[0]} rows"
        )
    return weights, labels


def _find_member(members: list[str], names: tuple[str, ...], archive: str) -> str:
    """Return the one member of `archive` whose base name is in `names`."""
    found = [m for m in members if PurePosixPath(m).name.lower() in names]
    if len(found) != 1:
        problem = "no member" if not found else f"{len(found)} members"
        raise ConnectomeError(
            f"{archive}: {problem} named {' or '.join(names)} (found: "
            f"{', '.join(found or members) or 'an empty archive'}); a TVB "
            "connectivity zip needs exactly one"
        )
    return found[0]


def _read_member(archive: zipfile.ZipFile, member: str, name: str) -> str:
    """Return the text of a zip member, decompressing ``.bz2`` members."""
    data = archive.read(member)
    try:
        if member.lower().endswith(".bz2"):
            data = bz2.decompress(data)
        return data.decode("utf-8")
    except (OSError, ValueError) as exc:
        raise ConnectomeError(f"{name}:{member}: not readable text ({exc})") from exc


def _check_matrix(weights: np.ndarray, name: str) -> None:
    """Check that `weights` is square, N >= 2, finite and non-negative."""
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        shape = " x ".join(str(s) for s in weights.shape) or "a scalar"
        raise ConnectomeError(f"{name}: matrix is {shape}, not square (N x N)")
    n = weights.shape[0]
    if n < MIN_NODES:
        raise ConnectomeError(
            f"{name}: N = {n} node(s); a connectome needs at least {MIN_NODES}"
        )
    finite = np.isfinite(weights)
    for bad, what in ((~finite, "not finite"), (finite & (weights < 0), "negative")):
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise ConnectomeError(
                f"{name}: entry [{i}, {j}] = {float(weights[i, j])!r} is {what} "
                f"({int(bad.sum())} such entries in all)"
            )


def _handle_nodes_without_inputs(
    weights: np.ndarray, labels: list[str], name: str, drop: bool
) -> tuple[np.ndarray, list[str]]:
    """Raise on, or repeatedly drop, nodes whose row sums to 0."""
    original = np.arange(weights.shape[0])
    while True:
        empty = np.flatnonzero(weights.sum(axis=1) == 0)
        if empty.size == 0:
            return weights, labels
        listed = ", ".join(f"{original[k]} ({labels[k]!r})" for k in empty)
        if not drop:
            raise ConnectomeError(
                f"{name}: node(s) {listed} have no inputs (row sums 0); set "
                "drop_nodes_without_inputs: true to drop them"
            )
        log.warning("%s: dropping node(s) %s: no inputs (row sums 0)", name, listed)
        keep = np.setdiff1d(np.arange(weights.shape[0]), empty)
        weights = weights[np.ix_(keep, keep)]
        labels = [labels[k] for k in keep]
        original = original[keep]
        if weights.shape[0] < MIN_NODES:
            raise ConnectomeError(
                f"{name}: only {weights.shape[0]} node(s) left after dropping "
                f"nodes without inputs; a connectome needs at least {MIN_NODES}"
            )


# --------------------------------------------------------------------------
# Region table
# --------------------------------------------------------------------------


def read_region_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a region table such as ``aal90_regions.dat``.

    Lines starting with ``#`` and blank lines are skipped. Each other line is
    whitespace separated, in one of two layouts (one per file):

    - 8 fields, as in ``aal90_regions.dat`` (written by R with row names):
      ``row name x y z lobe hemisphere index``, where ``row`` and ``index``
      are integers and are not returned;
    - 6 fields: ``name x y z lobe hemisphere``.

    Parameters
    ----------
    path : str or os.PathLike
        Region table file.

    Returns
    -------
    pandas.DataFrame
        Columns ``name`` (str), ``x``, ``y``, ``z`` (MNI coordinates, mm,
        float), ``lobe`` (str), ``hemisphere`` (``"L"`` or ``"R"``), one row
        per region in table order, with a 0-based RangeIndex.

    Raises
    ------
    ConnectomeError
        On a wrong field count, a non-numeric coordinate or integer column,
        a hemisphere other than L or R, or repeated names; the message names
        the file, the line and the value.
    """
    path = Path(path)
    name = path.name
    records = []
    layout = None
    for number, line in enumerate(_read_text(path, name).splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        where = f"{name} line {number}"
        if layout is None:
            layout = len(fields)
        if len(fields) != layout or layout not in (6, 8):
            raise ConnectomeError(
                f"{where}: {len(fields)} fields; expected 8 'row name x y z lobe "
                "hemisphere index' or 6 'name x y z lobe hemisphere' on every line "
                f"(the first line has {layout})"
            )
        if layout == 8:
            for field, token in (("row", fields[0]), ("index", fields[7])):
                if not _is_integer(token):
                    raise ConnectomeError(
                        f"{where}: {field} {token!r} is not an integer"
                    )
            fields = fields[1:7]
        region, *xyz, lobe, hemisphere = fields
        coordinates = []
        for axis, token in zip("xyz", xyz, strict=True):
            try:
                value = float(token)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise ConnectomeError(
                    f"{where}: coordinate {axis} {token!r} is not a finite number"
                )
            coordinates.append(value)
        if hemisphere not in HEMISPHERES:
            raise ConnectomeError(
                f"{where}: hemisphere {hemisphere!r} is not one of "
                f"{', '.join(HEMISPHERES)}"
            )
        records.append((region, *coordinates, lobe, hemisphere))
    if not records:
        raise ConnectomeError(f"{name}: no regions found")

    table = pd.DataFrame.from_records(records, columns=list(REGION_COLUMNS))
    repeated = table["name"][table["name"].duplicated()]
    if not repeated.empty:
        raise ConnectomeError(
            f"{name}: region name {repeated.iloc[0]!r} appears more than once"
        )
    return table


def region_order_for_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Reorder a region table to the row order of the study's matrix.

    science.md, section 2: matrix rows follow the left-hemisphere regions in
    table order, then the right-hemisphere regions in reverse table order.
    For the AAL90 table (which alternates ``X.L``, ``X.R``) node 0 is
    ``PreCG.L``, node 44 ``ITG.L``, node 45 ``ITG.R`` and node 89
    ``PreCG.R``, so homologous regions ``k`` and ``N - 1 - k`` mirror each
    other.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`read_region_table` (needs ``hemisphere``).

    Returns
    -------
    pandas.DataFrame
        The rows of `table`, row ``k`` describing matrix node ``k``. The
        index is kept, so ``result.index[k]`` is node ``k``'s table row.

    Raises
    ------
    ConnectomeError
        If a hemisphere is not ``"L"`` or ``"R"``.
    """
    hemisphere = table["hemisphere"]
    other = hemisphere[~hemisphere.isin(HEMISPHERES)]
    if not other.empty:
        raise ConnectomeError(
            f"region table row {other.index[0]}: hemisphere {other.iloc[0]!r} is "
            f"not one of {', '.join(HEMISPHERES)}"
        )
    left = table[hemisphere == "L"]
    right = table[hemisphere == "R"].iloc[::-1]
    return pd.concat([left, right])


# --------------------------------------------------------------------------
# Normalisation and spectrum
# --------------------------------------------------------------------------


def row_normalise(A: np.ndarray) -> np.ndarray:
    """Return the coupling matrix ``W = A / rowsum(A)``.

    Parameters
    ----------
    A : array_like, shape (N, N)
        Non-negative weights, ``A[i, j]`` into ``i`` from ``j``.

    Returns
    -------
    W : numpy.ndarray, shape (N, N), float64
        ``W[i, j] = A[i, j] / sum_k A[i, k]``, so ``W 1 = 1``.

    Raises
    ------
    ConnectomeError
        If `A` is not a square matrix or some row sums to 0.
    """
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ConnectomeError(f"A: shape {A.shape} is not square (N x N)")
    row_sums = A.sum(axis=1)
    empty = np.flatnonzero(row_sums == 0)
    if empty.size:
        raise ConnectomeError(
            f"A: row(s) {', '.join(map(str, empty))} sum to 0 (nodes without "
            "inputs); cannot row-normalise"
        )
    return A / row_sums[:, np.newaxis]


def eigen_decomposition(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Right eigenvalues and eigenvectors of `W`, sorted.

    Solves ``W v_alpha = Lambda_alpha v_alpha`` and orders the pairs by
    ``Re Lambda`` descending, ties by ``Im Lambda`` descending, so that for a
    row-normalised connectome ``Lambda_1 = 1`` (the uniform mode) comes first
    and ``Lambda_min`` last.

    Parameters
    ----------
    W : array_like, shape (N, N)
        Real square matrix.

    Returns
    -------
    eigenvalues : numpy.ndarray, shape (N,)
        ``Lambda_1, ..., Lambda_N``.
    eigenvectors : numpy.ndarray, shape (N, N)
        Column ``alpha`` is the unit-norm right eigenvector of
        ``eigenvalues[alpha]``.

    Notes
    -----
    Both arrays are float64 when every ``|Im Lambda|`` is below
    ``REAL_SPECTRUM_RTOL * max |Lambda|``, else complex128. In the real case
    a conjugate pair with a negligible imaginary part (a nearly double real
    eigenvalue) is replaced by the real and imaginary parts of its vector,
    which span the same invariant plane, and each real eigenvector's largest
    component is made positive. The eigenvectors are not orthogonal when `W`
    is not symmetric.
    """
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ConnectomeError(f"W: shape {W.shape} is not square (N x N)")
    if not np.isfinite(W).all():
        raise ConnectomeError("W: has non-finite entries")
    eigenvalues, eigenvectors = np.linalg.eig(W)

    scale = np.abs(eigenvalues).max()
    if np.all(np.abs(eigenvalues.imag) <= REAL_SPECTRUM_RTOL * scale):
        eigenvalues, eigenvectors = _real_basis(eigenvalues, eigenvectors)
        order = np.argsort(-eigenvalues, kind="stable")
    else:
        order = np.lexsort((-eigenvalues.imag, -eigenvalues.real))
    return eigenvalues[order], eigenvectors[:, order]


def _real_basis(
    eigenvalues: np.ndarray, eigenvectors: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Real eigenvalues and vectors from LAPACK output with negligible Im."""
    vectors = np.real(eigenvectors).copy()
    if np.iscomplexobj(eigenvectors):
        # LAPACK stores a conjugate pair in adjacent columns, + Im first.
        k = 0
        while k < eigenvalues.size:
            if eigenvalues[k].imag > 0:
                pair = eigenvectors[:, k]
                vectors[:, k] = pair.real / np.linalg.norm(pair.real)
                vectors[:, k + 1] = pair.imag / np.linalg.norm(pair.imag)
                k += 2
            else:
                k += 1
    largest = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[largest, np.arange(vectors.shape[1])])
    return np.real(eigenvalues).copy(), vectors * signs


def write_eigenvalues_csv(
    eigenvalues: np.ndarray, path: str | os.PathLike[str]
) -> None:
    """Write the spectrum as CSV, atomically.

    Parameters
    ----------
    eigenvalues : array_like, shape (N,)
        Real or complex eigenvalues, in the order to write (as returned by
        :func:`eigen_decomposition`).
    path : str or os.PathLike
        Output file. Columns: ``alpha`` (1-based mode index), ``lambda_re``,
        ``lambda_im``; floats are written to round-trip exactly.
    """
    eigenvalues = np.asarray(eigenvalues).ravel()
    table = pd.DataFrame(
        {
            "alpha": np.arange(1, eigenvalues.size + 1),
            "lambda_re": eigenvalues.real.astype(np.float64),
            "lambda_im": np.imag(eigenvalues).astype(np.float64),
        }
    )
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)


# --------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 hex digest (lower case) of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_connectome(
    url: str, sha256: str, destination: str | os.PathLike[str]
) -> Path:
    """Make sure `destination` holds the file with digest `sha256`.

    If `destination` exists with the right digest it is returned as is.
    Otherwise the file is downloaded from `url` (``urllib``, timeout
    ``DOWNLOAD_TIMEOUT`` s) to a temporary file in the same folder, checked,
    and renamed onto `destination`; no partial or wrong file is ever left at
    `destination`.

    Parameters
    ----------
    url : str
        Where to download from (``https://``, ``file://``, ...).
    sha256 : str
        Expected SHA-256 hex digest (64 hex digits, case ignored).
    destination : str or os.PathLike
        Local path of the connectome. Missing folders are created.

    Returns
    -------
    pathlib.Path
        `destination`.

    Raises
    ------
    ConnectomeError
        If `sha256` is not a digest; if `destination` exists with another
        digest (it is left in place); if the download fails; or if the
        downloaded file has another digest (it is deleted).
    """
    destination = Path(destination)
    expected = sha256.strip().lower()
    if not _SHA256_PATTERN.fullmatch(expected):
        raise ConnectomeError(
            f"sha256 {sha256!r} for {destination.name} is not a SHA-256 digest "
            "(64 hexadecimal digits)"
        )

    if destination.exists():
        actual = sha256_of(destination)
        if actual == expected:
            return destination
        raise ConnectomeError(
            f"{destination}: sha256 is {actual}, expected {expected}; this is not "
            "the expected connectome. Delete it to download it again, replace it "
            "with the right file, or set connectome path (and sha256) in config "
            "to use it deliberately"
        )

    with atomic_path(destination) as temporary:
        digest = hashlib.sha256()
        try:
            with (
                urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response,
                open(temporary, "wb") as stream,
            ):
                while chunk := response.read(CHUNK_SIZE):
                    digest.update(chunk)
                    stream.write(chunk)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            # URLError, HTTPError, timeouts, refused connections, bad URLs
            raise ConnectomeError(
                f"could not download {url}; place the file (with sha256 "
                f"{expected}) at {destination} by hand, or point the config at a local "
                "copy (connectome.path, or connectome.regions.path for the region "
                "table)"
            ) from exc
        actual = digest.hexdigest()
        if actual != expected:
            raise ConnectomeError(
                f"{url}: downloaded file has sha256 {actual}, expected {expected}; "
                f"nothing was written to {destination}. Check url and sha256 in "
                "config, or place the right file there by hand"
            )
    log.info("downloaded %s to %s (sha256 %s)", url, destination, expected)
    return destination
