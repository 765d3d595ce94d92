"""The rounds' label accounting with a numpy learner (no TensorFlow): no map labelled twice, the budget and the
schedule respected, training sets drawn from the pool only (validation and test maps never trained on, so
never augmented, and never acquired), the same start for every method at one seed; the label pool's refusals;
the config's checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fpgaflow.active.config import ActiveConfig
from fpgaflow.active.loop import run_rounds
from fpgaflow.active.pool import LabelPool
from fpgaflow.config.strict import from_mapping
from fpgaflow.data import HitMapSet
from fpgaflow.errors import ConfigError, DataError

pytest.importorskip("skactiveml")

#: Pixel (0, 0) marks where a map comes from: 0 for the pool, 255 for validation and test maps.
MARK_POOL, MARK_HELD_OUT = 0.0, 255.0


def _maps(n: int, mark: float, rng: np.random.Generator) -> HitMapSet:
    """Maps whose pixel (1, 0)/(1, 1) encode their position, pixel (0, 0) their origin; particle maps carry
    more charge in the centre, so a charge cut separates the classes roughly."""
    labels = (rng.random(n) < 0.5).astype(np.int64)
    maps = np.zeros((n, 8, 8, 1), np.float32)
    maps[:, 0, 0, 0] = mark
    maps[:, 1, 0, 0] = np.arange(n) % 250
    maps[:, 1, 1, 0] = np.arange(n) // 250
    maps[:, 4, 4, 0] = 20.0 + 60.0 * labels + rng.normal(0.0, 25.0, n).clip(-19.0, 100.0)
    return HitMapSet(maps, labels)


def _position(maps: np.ndarray) -> np.ndarray:
    return (maps[:, 1, 0, 0] + 250 * maps[:, 1, 1, 0]).astype(np.int64)


class CutLearner:
    """'Trains' a charge cut at the midpoint of the class means of its training maps; records what it saw."""

    def __init__(self) -> None:
        self.cut = 50.0
        self.seen: list[np.ndarray] = []
        self.marks: list[np.ndarray] = []

    def fit(self, train: HitMapSet, round_: int) -> None:
        self.seen.append(_position(train.maps))
        self.marks.append(train.maps[:, 0, 0, 0].copy())
        q = train.maps[:, 4, 4, 0]
        if 0 < train.labels.sum() < len(train):
            self.cut = float((q[train.labels == 1].mean() + q[train.labels == 0].mean()) / 2)

    def scores(self, maps: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(maps[:, 4, 4, 0] - self.cut) / 10.0))

    def embed(self, maps: np.ndarray) -> np.ndarray:
        return maps[:, 4, 4, :].astype(np.float64)


@pytest.fixture(scope="module")
def sets() -> tuple[HitMapSet, HitMapSet, HitMapSet]:
    rng = np.random.default_rng(9)
    return _maps(300, MARK_POOL, rng), _maps(80, MARK_HELD_OUT, rng), _maps(80, MARK_HELD_OUT, rng)


@pytest.mark.parametrize("method", ["random", "entropy", "margin", "coreset"])
def test_label_accounting(method: str, sets: tuple[HitMapSet, HitMapSet, HitMapSet]) -> None:
    pool, val, test = sets
    learner = CutLearner()
    schedule = [10, 25, 40, 50]
    labels, records = run_rounds(pool, val, test, learner, schedule, method, seed=5)
    assert [r.n_labelled for r in records] == schedule
    assert labels.n_labelled == 50 == labels.budget
    assert np.unique(labels.labelled).size == 50  # no map labelled twice
    assert [len(r.acquired) for r in records] == [15, 15, 10, 0]
    # every round trained on exactly the maps labelled so far, all of them pool maps
    so_far: list[int] = []
    for r, (seen, marks) in enumerate(zip(learner.seen, learner.marks, strict=True)):
        so_far += [] if r == 0 else list(records[r - 1].acquired)
        assert (marks == MARK_POOL).all()
        if r:
            assert sorted(seen.tolist()) == sorted(labels.labelled[: schedule[r]].tolist())
        assert set(so_far) <= set(seen.tolist())
    # rounds labelled in order; acquisitions of a round are new
    assert (labels.round_of[labels.labelled] == np.repeat([0, 1, 2, 3], [10, 15, 15, 10])).all()
    assert all(0.0 <= r.test_accuracy <= 1.0 for r in records)


def test_every_method_starts_from_the_same_labelled_maps_at_one_seed(
    sets: tuple[HitMapSet, HitMapSet, HitMapSet],
) -> None:
    pool, val, test = sets
    starts = {}
    for method in ("random", "entropy", "coreset"):
        learner = CutLearner()
        run_rounds(pool, val, test, learner, [20, 30], method, seed=3)
        starts[method] = sorted(learner.seen[0].tolist())
    assert starts["random"] == starts["entropy"] == starts["coreset"]
    learner = CutLearner()
    run_rounds(pool, val, test, learner, [20, 30], "random", seed=4)
    assert sorted(learner.seen[0].tolist()) != starts["random"]


def test_runs_are_deterministic(sets: tuple[HitMapSet, HitMapSet, HitMapSet]) -> None:
    pool, val, test = sets
    a = run_rounds(pool, val, test, CutLearner(), [10, 20, 30], "random", seed=1)[0].labelled
    b = run_rounds(pool, val, test, CutLearner(), [10, 20, 30], "random", seed=1)[0].labelled
    assert a.tolist() == b.tolist()


def test_uncertainty_acquires_the_maps_nearest_the_cut(sets: tuple[HitMapSet, HitMapSet, HitMapSet]) -> None:
    pool, val, test = sets
    learner = CutLearner()
    labels, records = run_rounds(pool, val, test, learner, [20, 30], "entropy", seed=2)
    learner.fit(pool.subset(np.sort(labels.labelled[:20])), 0)  # the cut the acquisition saw
    q = pool.maps[:, 4, 4, 0]
    unlabelled = np.setdiff1d(np.arange(len(pool)), labels.labelled[:20])
    distance = np.abs(q - learner.cut)
    nearest = unlabelled[np.argsort(distance[unlabelled], kind="stable")[:10]]
    assert sorted(records[0].acquired) == sorted(nearest.tolist())


def test_label_pool_refuses_double_labels_overspending_and_foreign_positions() -> None:
    pool = LabelPool(10, [0, 1], budget=5)
    pool.acquire([2, 3])
    with pytest.raises(DataError, match="pool map 2 is already labelled"):
        pool.acquire([2])
    with pytest.raises(DataError, match="exceed the budget"):
        pool.acquire([4, 5])
    with pytest.raises(DataError, match=r"must be in 0\.\.9"):
        pool.acquire([10])
    with pytest.raises(DataError, match="names a map twice"):
        pool.acquire([6, 6])
    assert pool.n_labelled == 4
    assert pool.remaining == 1
    with pytest.raises(DataError, match=r"budget 11 must be in 1\.\.10"):
        LabelPool(10, [0], budget=11)


def test_schedule_and_config_checks() -> None:
    from fpgaflow.active.acquire import ACQUISITIONS

    default = ActiveConfig()
    assert default.acquisitions == ACQUISITIONS == ("random", "entropy", "margin", "coreset")  # all four by default
    assert [a.label for a in default.augments] == ["none"] and default.control_label == "none"
    assert default.schedule() == [100, 200, 300, 400, 500, 600, 700, 800]
    cfg = ActiveConfig(initial_labels=100, batch=150, budget=500)
    assert cfg.schedule() == [100, 250, 400, 500]
    assert ActiveConfig(initial_labels=50, budget=50).schedule() == [50]
    bad: list[dict[str, Any]] = [
        {"acquisitions": ["entropy"]},
        {"budget": 10, "initial_labels": 20},
        {"pool_size": 100, "budget": 800},
        {"control": "nonne"},
        {"augments": [{"label": "a"}, {"label": "a"}]},
        {"acquisitions": ["random", "badge"]},
    ]
    messages = [
        "must include 'random'",
        "must be >= active.initial_labels",
        "pool_size",
        "did you mean 'none'",
        "duplicate",
        "badge",
    ]
    for mapping, message in zip(bad, messages, strict=True):
        with pytest.raises(ConfigError, match=message):
            from_mapping(ActiveConfig, mapping)


def test_small_labelled_sets_are_repeated_to_the_minimum_number_of_steps() -> None:
    from fpgaflow.active.loop import round_repeats

    # 10 maps, batch 32, 12 epochs, >= 200 steps: 52 copies → 17 batches per epoch → 204 steps
    assert round_repeats(10, 32, 12, 200) == 52
    assert round_repeats(100, 32, 12, 200) == 6  # 19 batches × 12 = 228
    assert round_repeats(1000, 32, 12, 200) == 1
    assert round_repeats(10, 32, 12, 0) == 1


TOY_ACTIVE = {
    "data": {"n_maps": 200, "toy": {"rows": 8, "cols": 8}, "val_fraction": 0.2, "test_fraction": 0.2, "seed": 5},
    "initial_labels": 10,
    "batch": 10,
    "budget": 30,
    "seeds": [0, 1],
    "executor": {"kind": "inprocess"},
}


def test_a_cached_run_is_never_reused_for_other_maps(tmp_path: Any) -> None:
    from fpgaflow.active.runner import expand_jobs, write_active_data
    from fpgaflow.data import load_npz

    cfg = from_mapping(ActiveConfig, TOY_ACTIVE)
    data_dir = write_active_data(cfg, tmp_path)
    assert write_active_data(cfg, tmp_path) == data_dir  # same config, same input: the saved maps are reused
    before = expand_jobs(cfg, data_dir, tmp_path / "runs")
    pool = load_npz(data_dir / "pool.npz")
    HitMapSet(pool.maps[::-1].copy(), pool.labels[::-1].copy()).save_npz(data_dir / "pool.npz")  # same maps, reordered
    after = expand_jobs(cfg, data_dir, tmp_path / "runs")
    assert len(before) == 4 * 2 == len(after)  # (random, entropy, margin, core-set) × 2 seeds, one augmentation
    assert [j.job_id for j in before] == [j.job_id for j in after]
    assert not {j.digest for j in before} & {j.digest for j in after}
    other = write_active_data(from_mapping(ActiveConfig, {**TOY_ACTIVE, "pool_size": 50}), tmp_path)
    assert other != data_dir and len(load_npz(other / "pool.npz")) == 50


def test_a_second_run_into_a_held_directory_is_refused(tmp_path: Any) -> None:
    from fpgaflow.active.runner import run_active
    from fpgaflow.errors import OutputDirError
    from fpgaflow.outdir import hold_lock

    out = tmp_path / "active"
    out.mkdir()
    with hold_lock(out), pytest.raises(OutputDirError, match="in use by fpgaflow pid"):
        run_active(from_mapping(ActiveConfig, TOY_ACTIVE), out)
    assert not any(out.glob("data-*"))  # refused before any map was written


def test_a_replaced_input_file_gets_new_maps(tmp_path: Any) -> None:
    from fpgaflow.active.runner import write_active_data
    from fpgaflow.data import load_npz

    rng = np.random.default_rng(0)
    source = tmp_path / "maps.npz"
    _maps(200, MARK_POOL, rng).save_npz(source)
    cfg = from_mapping(ActiveConfig, {**TOY_ACTIVE, "data": {"source": "file", "path": str(source), "seed": 5}})
    first = write_active_data(cfg, tmp_path / "out")
    _maps(200, MARK_HELD_OUT, rng).save_npz(source)  # same count and shape, other maps, same config
    second = write_active_data(cfg, tmp_path / "out")
    assert second != first
    assert set(load_npz(first / "pool.npz").maps[:, 0, 0, 0]) == {MARK_POOL}
    assert set(load_npz(second / "pool.npz").maps[:, 0, 0, 0]) == {MARK_HELD_OUT}


def test_the_window_128_config_trains_the_deployed_model_at_its_input_size() -> None:
    """models/active_128.yaml (docs/active.md's measurement) is the default task at its deployed size: the
    three-conv flagship's model, pruning and conversion (models/flagship_3conv.yaml, the default until issue 22),
    128 x 128 window-128 maps, and the local process pool (the default executor) with 2 workers."""
    from fpgaflow.config.strict import load_yaml
    from fpgaflow.pipeline.config import load_run_config
    from fpgaflow.shipped import shipped_dir
    from fpgaflow.study.config import ExecutorConfig

    cfg = load_yaml(ActiveConfig, shipped_dir("models") / "active_128.yaml")
    flagship = load_run_config(shipped_dir("models") / "flagship_3conv.yaml")
    assert (cfg.model, cfg.prune, cfg.convert) == (flagship.model, flagship.prune, flagship.convert)
    crop = cfg.data.simulate.window
    assert (crop.crop_rows, crop.crop_cols, crop.rebin_rows, crop.rebin_cols) == (128, 128, 1, 1)
    assert cfg.data.task == flagship.data.task == "window-128"
    assert cfg.data.simulate.labels.reco_pt_cut_gev == flagship.data.simulate.labels.reco_pt_cut_gev == 0.5
    assert cfg.schedule() == [200, 400, 600, 800]
    assert [a.label for a in cfg.augments] == ["none", "randaugment", "trivialaugment", "searched"]
    assert cfg.augments[3].augment.policy_file == "models/policy_searched_128.yaml"  # searched on this task
    assert cfg.executor == ExecutorConfig(kind="process", workers=2)
    # The policy was searched on the same maps and model, with the labels of the first round.
    from fpgaflow.study.search.config import SearchConfig

    search = load_yaml(SearchConfig, shipped_dir("models") / "search_policy_128.yaml")
    assert (search.model, search.prune) == (flagship.model, flagship.prune)
    assert search.data == cfg.data
    assert search.train_maps == cfg.initial_labels == 200
    assert search.train.epochs * -(-search.train_maps // search.train.batch_size) >= cfg.min_steps
