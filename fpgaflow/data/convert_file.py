"""Copy a hit-map set between storage forms: ``.npz``, ``.h5``/``.hdf5`` and npz shard directories (what
``fpgaflow data convert IN OUT`` does).

The maps, labels, soft labels and metadata arrive unchanged (the same float32 ADC counts, bit for bit); the
set streams through in chunks, so HDF5 and shards never need the whole set in memory (``.npz`` output is
written in one piece, as npz requires).  ``IN`` may also be a ROOT digi ntuple.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from fpgaflow.data.dataset import open_dataset
from fpgaflow.data.shards import SHARD_SIZE, write_shards, write_stream
from fpgaflow.errors import DataError
from fpgaflow.outdir import staged_output_dir

#: Maps read from the input at a time.
CHUNK_MAPS = 4096


def convert_file(src: Path | str, out: Path | str, shard_size: int = SHARD_SIZE) -> Path:
    """Write the hit maps of ``src`` to ``out``, whose suffix picks the form (``.npz``, ``.h5``/``.hdf5``; no
    suffix: a directory of npz shards of ``shard_size`` maps, staged as ``fpgaflow data simulate`` does)."""
    src, out = Path(src), Path(out)
    if out.exists() and out.resolve() == src.resolve():
        raise DataError(f"{out}: the output is the input; choose another path")
    ds = open_dataset(src)
    chunks = ds.chunks(CHUNK_MAPS)
    first = next(chunks, None)
    if first is None:
        raise DataError(f"{src}: holds no hit maps")
    stream = itertools.chain([first], chunks)
    shape = ds.map_shape
    if out.suffix:
        return write_stream(
            stream,
            out,
            n_maps=len(ds),
            map_shape=shape,
            metadata=ds.metadata,
            with_soft_labels=first.soft_labels is not None,
        )
    with staged_output_dir(out, "shards") as staging:
        write_shards(stream, staging, n_maps=len(ds), map_shape=shape, metadata=ds.metadata, shard_size=shard_size)
    return out
