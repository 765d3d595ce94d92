"""fpgaflow search: the candidate architectures of a space, and a search on a tiny task (trained, fitted, ranked)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.archsearch.candidates import enumerate_architectures
from fpgaflow.archsearch.config import ArchSearchConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import ConfigError, from_mapping
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.fit.config import FitConfig
from fpgaflow.pipeline.config import RunConfig, load_run_config
from fpgaflow.train.config import ModelConfig, TrainConfig


def test_each_axis_changes_only_its_own_part_of_the_flagship() -> None:
    base_run = load_run_config(Path(__file__).resolve().parents[1] / "models" / "flagship_3conv.yaml")
    # the three-conv flagship: 4x4/4 patchify, two 3x3, 4x4 max-pool, 8 filters
    space = from_mapping(
        ArchSearchConfig,
        {
            "filters": [4, 8],
            "depths": [4],
            "final_pools": [2],
            "dense_units": [16],
            "weight_bits": [6],
            "activation_bits": [4],
            "sparsities": [0.75],
        },
    )
    cands = {a.label: a for a in enumerate_architectures(base_run.model, base_run.prune, space)}
    # filters=8 is the base's own value: not a second candidate
    assert list(cands) == [
        "base",
        "filters=4",
        "depth=4",
        "final_pool=2",
        "dense=16",
        "weight_bits=6",
        "activation_bits=4",
        "sparsity=0.75",
    ]
    base = base_run.model
    assert cands["filters=4"].model.conv_filters == (4, 4, 4)
    deep = cands["depth=4"].model
    assert (deep.conv_filters, deep.kernels(), deep.strides(), deep.pools()) == (
        (8, 8, 8, 8),
        (4, 3, 3, 3),
        (4, 1, 1, 1),
        (1, 1, 1, 4),
    )
    assert cands["final_pool=2"].model.pools() == (1, 1, 2)
    assert cands["dense=16"].model.dense_units == (16,)
    assert cands["weight_bits=6"].model.weights.bits == 6 and cands["weight_bits=6"].model.weights.integer == 0
    assert cands["activation_bits=4"].model.activations.bits == 4
    assert cands["activation_bits=4"].model.activations.integer == base.activations.integer
    assert cands["sparsity=0.75"].prune.target_sparsity == 0.75 and cands["sparsity=0.75"].model == base
    for label, cand in cands.items():  # every other field is the base's
        if label not in ("base", "sparsity=0.75"):
            assert cand.prune == base_run.prune
    with pytest.raises(ConfigError, match=r"search\.weight_bits must be in"):
        ArchSearchConfig(weight_bits=(1,))
    with pytest.raises(ConfigError, match="varies the qcnn model"):
        enumerate_architectures(replace(base, name="reduced"), base_run.prune, space)


def _task(n: int, seed: int) -> HitMapSet:
    """16 x 16 maps; a particle map holds one bright 2 x 2 blob, a background map scattered faint pixels."""
    rng = np.random.default_rng(seed)
    maps = (rng.integers(0, 40, (n, 16, 16, 1)) * (rng.random((n, 16, 16, 1)) < 0.08)).astype(np.float32)
    labels = (np.arange(n) % 2).astype(np.int64)
    for i in np.flatnonzero(labels):
        r, c = rng.integers(0, 15, 2)
        maps[i, r : r + 2, c : c + 2, 0] = rng.integers(150, 256, (2, 2))
    return HitMapSet(maps, labels)


@pytest.mark.slow  # trains 4 tiny models and converts 4 designs with hls4ml (~1-2 min on the shared machine)
def test_search_trains_fits_and_ranks_a_tiny_space(tmp_path: Path) -> None:
    from fpgaflow.archsearch.report import write_search_report
    from fpgaflow.archsearch.search_architectures import BaseRun, search_architectures

    run = replace(
        RunConfig(),
        model=ModelConfig(conv_filters=(2, 2), kernel_sizes=(2, 3), conv_strides=(2, 1), pool_sizes=(1, 2)),
        train=TrainConfig(epochs=1, batch_size=32, learning_rate=0.01, seed=1),
        prune=PruneConfig(target_sparsity=0.5),
    )
    space = ArchSearchConfig(
        filters=(1, 6),
        weight_bits=(4,),
        train_maps=240,
        val_maps=200,
        epochs=2,
        float_pretrain_epochs=1,
        fit=FitConfig(
            reuse_factors=(1,), reuse_modes=("uniform",), strategies=("Latency",), trim_bits=(0,), csim_maps=0
        ),
    )
    base = BaseRun(run.model, run.prune, run.train, run.augment)
    rows = search_architectures(_task(240, 1), _task(200, 2), base, space, tmp_path / "work")
    by = {r.label: r for r in rows}
    assert set(by) == {"base", "filters=1", "filters=6", "weight_bits=4"}
    assert all(not r.error and r.accuracy is not None for r in rows)
    # sizes: 16 -> 8 (2x2/2) -> 6 (3x3) -> 3 (pool 2): conv1 4f+f, conv2 9f^2+f, dense 9f+1: 9f^2 + 15f + 1
    assert {k: by[k].n_parameters for k in by} == {"base": 67, "filters=1": 25, "filters=6": 415, "weight_bits=4": 67}
    assert by["filters=6"].lut > by["base"].lut > by["filters=1"].lut  # more filters, more multipliers
    for r in rows:
        assert 0.0 <= (r.accuracy or 0.0) <= 1.0
        # the emulator scores the fitted design bit-exactly; QKeras on the same maps agrees to a few maps
        assert abs((r.accuracy or 0.0) - (r.keras_accuracy or 0.0)) <= 0.02, r
        assert r.sparsity == pytest.approx(0.5, abs=0.05)
    assert max(r.accuracy or 0.0 for r in rows) >= 0.75  # the blob task is learnt in 3 brief epochs
    # ranked: designs in budget by validation accuracy, then fewer LUTs
    keys = [(not r.fits, -(r.accuracy or 0.0), r.lut) for r in rows]
    assert keys == sorted(keys)
    facts = {
        "run": "tiny",
        "n_train": 240,
        "n_val": 200,
        "epochs": 2,
        "float_pretrain_epochs": 1,
        "seed": 0,
        "board": "pynq-z2",
        "budget": 0.7,
        "min_maps_per_s": 0.0,
    }
    written = write_search_report(rows, tmp_path / "out", facts, 0.7 * 53200)
    data = json.loads(written["json"].read_text())
    assert [r["label"] for r in data["ranked"]] == [r.label for r in rows]
    md = written["markdown"].read_text()
    assert f"| 1 | {rows[0].label if rows[0].label != 'base' else '**base**'} | {rows[0].n_parameters:,} |" in md
    assert written["plot"].read_bytes()[:4] == b"\x89PNG"


def test_ranking_puts_designs_in_budget_first_then_accuracy_then_luts() -> None:
    """A candidate whose best design misses the throughput floor (or the budget) ranks after every one that fits,
    however accurate; among those that fit, accuracy, then fewer LUTs; the rest alike."""
    from fpgaflow.archsearch.search_architectures import ArchRow, rank

    def row(label: str, acc: float, lut: float, verdict: str) -> ArchRow:
        return ArchRow(label, 1, 0.5, acc, acc, verdict, lut, 0.0, 0.0, 0.0, 0.1, 6103.0, "d", 1.0)

    rows = [
        row("slow", 0.70, 9000, "below the 6,000 maps/s floor"),
        row("a", 0.65, 20000, "fits"),
        row("b", 0.67, 30000, "fits"),
        row("c", 0.65, 10000, "fits"),
        row("big", 0.69, 90000, "does not fit"),
    ]
    assert [r.label for r in rank(rows)] == ["b", "c", "a", "slow", "big"]  # the rest: by accuracy too
    assert not rows[0].fits and rows[1].fits
