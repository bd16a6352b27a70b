"""File helpers shared by the pipeline's writers.

The one helper here, :func:`atomic_path`, lets any writer that takes a path
(``pandas.DataFrame.to_csv``, ``matplotlib.figure.Figure.savefig``,
``xarray.Dataset.to_netcdf``, ``numpy.save``) produce its output atomically:
readers, and Snakemake, see either the previous file or the complete new
one, never a partial file left by a crash or an exception.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to `path`; move it onto `path` on success.

    The temporary file lives in the same directory as `path`, so the final
    :func:`os.replace` is an atomic rename on POSIX file systems. Its name is
    hidden and keeps the suffix of `path` (``fig.png`` gives
    ``.fig.png.tmpXXXXXXXX.png``), so writers that pick the format from the
    suffix (matplotlib, pandas compression, xarray) behave as they would on
    `path` itself.

    Parameters
    ----------
    path : str or os.PathLike
        Final destination. Missing parent directories are created. An
        existing file at `path` is replaced only when the block succeeds.

    Yields
    ------
    pathlib.Path
        Temporary path for the writer. Nothing exists there yet: the writer
        creates it, so the file gets the usual permissions from the umask.

    Raises
    ------
    FileNotFoundError
        If the block finished without creating the temporary file.

    Notes
    -----
    If the block raises, the temporary file is deleted (if the writer created
    it) and the exception propagates; `path` is left untouched. Only the
    rename is atomic: the data are not ``fsync``-ed, so a power cut right
    after the rename can still lose them.

    Examples
    --------
    >>> import pandas as pd
    >>> with atomic_path("table.csv") as tmp:  # doctest: +SKIP
    ...     pd.DataFrame({"a": [1, 2]}).to_csv(tmp, index=False)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    # Reserve a unique name, then free it so that the writer creates the file
    # itself (mkstemp would leave it with mode 0600).
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.tmp", suffix=path.suffix, dir=path.parent
    )
    os.close(fd)
    temporary = Path(name)
    temporary.unlink()

    try:
        yield temporary
        if not temporary.exists():
            raise FileNotFoundError(
                f"{temporary}: the writer did not create this temporary file, "
                f"so {path} was not written"
            )
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
