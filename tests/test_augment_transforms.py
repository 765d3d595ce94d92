"""Hit-map transforms: completeness, determinism, purity, charge bookkeeping, no wrap-around, bad args."""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow.augment.base import BatchTransform, Compose
from fpgaflow.augment.crop import Crop, crop_maps
from fpgaflow.augment.dropout import ROC_COLS, ROC_ROWS, DoubleColumnDropout, PixelDropout, RocDropout
from fpgaflow.augment.flip import HorizontalFlip, VerticalFlip
from fpgaflow.augment.gain import GainJitter, scale_charge
from fpgaflow.augment.noise import GaussianNoise, SaltAndPepper
from fpgaflow.augment.registry import TRANSFORMS, make_transform
from fpgaflow.augment.rotate import Rotate90, rotate_maps
from fpgaflow.augment.shift import Shift, shift_maps
from fpgaflow.augment.spillover import Spillover, add_spillover
from fpgaflow.augment.threshold import Threshold, apply_threshold
from fpgaflow.augment.zoom import Zoom, zoom_in, zoom_out
from fpgaflow.data.toy import ToyConfig, generate_toy
from fpgaflow.errors import ConfigError, DataError

#: Every public transform with a non-trivial construction for the generic tests.  The completeness test
#: below fails if a transform is registered without being listed here.
CASES: dict[str, BatchTransform] = {
    "horizontal_flip": HorizontalFlip(1.0),
    "vertical_flip": VerticalFlip(1.0),
    "rotate90": Rotate90(1.0),
    "zoom": Zoom(1.0, max_factor=3),
    "shift": Shift(1.0, 0.3),
    "crop": Crop(1.0, 0.5),
    "gaussian_noise": GaussianNoise(1.0, 4.0),
    "salt_and_pepper": SaltAndPepper(1.0, 0.01, 0.1),
    "pixel_dropout": PixelDropout(1.0, 0.2),
    "double_column_dropout": DoubleColumnDropout(1.0, 2),
    "roc_dropout": RocDropout(1.0, 1, roc_shape=(8, 8)),
    "gain": GainJitter(1.0, 0.3, 0.02),
    "threshold": Threshold(1.0, 20.0, 60.0),
    "spillover": Spillover(1.0, 1.0),
}


@pytest.fixture(scope="module")
def maps() -> np.ndarray:
    return generate_toy(ToyConfig(rows=24, cols=24), 48, 0.5, np.random.default_rng(7)).maps


def test_every_registered_transform_is_tested() -> None:
    assert set(CASES) == set(TRANSFORMS)
    for name, t in CASES.items():
        assert type(t) is TRANSFORMS[name]


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_seed_reproduces_and_apply_is_pure(name: str, maps: np.ndarray) -> None:
    t = CASES[name]
    before = maps.copy()
    a = t(maps, np.random.default_rng(11))
    b = t(maps, np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(maps, before)  # input untouched
    assert a.shape == maps.shape
    assert a.dtype == np.float32
    assert a.min() >= 0.0
    assert a.max() <= 255.0
    # apply() is a pure function of its parameters
    params = t.sample_params(maps.shape[0], np.random.default_rng(11))
    np.testing.assert_array_equal(t.apply(maps, **params), a)
    assert not np.array_equal(a, maps), f"{name} at p=1 changed nothing"


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_p_zero_is_identity(name: str, maps: np.ndarray) -> None:
    t = make_transform(name, 5, p=0.0)
    np.testing.assert_array_equal(t(maps, np.random.default_rng(0)), maps)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@pytest.mark.parametrize("magnitude", [0, 5, 10])
def test_every_magnitude_builds_and_runs(name: str, magnitude: int, maps: np.ndarray) -> None:
    out = make_transform(name, magnitude, 1.0)(maps, np.random.default_rng(magnitude))
    assert out.shape == maps.shape
    assert out.min() >= 0.0
    assert out.max() <= 255.0


@pytest.mark.parametrize("name", sorted(n for n, c in TRANSFORMS.items() if c.conserves_charge))
def test_charge_conserved_exactly(name: str, maps: np.ndarray) -> None:
    out = CASES[name](maps, np.random.default_rng(3))
    np.testing.assert_array_equal(out.sum(axis=(1, 2, 3)), maps.sum(axis=(1, 2, 3)))
    np.testing.assert_array_equal(np.sort(out.ravel()), np.sort(maps.ravel()))


@pytest.mark.parametrize("bad", [-0.1, 1.5])
@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_probability_outside_unit_interval_rejected(name: str, bad: float) -> None:
    with pytest.raises(ConfigError, match="p must be a probability in \\[0, 1\\]"):
        TRANSFORMS[name](bad)


def test_magnitude_outside_scale_rejected() -> None:
    with pytest.raises(ConfigError, match=r"magnitude must be in 0\.\.10"):
        make_transform("shift", 11)
    with pytest.raises(ConfigError, match="did you mean 'shift'"):
        make_transform("shfit", 3)


def test_shift_never_wraps_around() -> None:
    m = np.zeros((1, 6, 6, 1), np.float32)
    m[0, 0, 5, 0] = 100.0  # top-right corner
    out = shift_maps(m, np.array([0]), np.array([2]))  # two columns right: leaves the window
    assert out.sum() == 0.0
    out = shift_maps(m, np.array([-1]), np.array([-2]))  # up: leaves; nothing appears at the bottom
    assert out.sum() == 0.0
    out = shift_maps(m, np.array([3]), np.array([-5]))
    assert out[0, 3, 0, 0] == 100.0
    assert out.sum() == 100.0


def test_shift_keeps_inside_charge_and_fills_zeros(maps: np.ndarray) -> None:
    out = shift_maps(maps, np.full(maps.shape[0], 2), np.full(maps.shape[0], -3))
    np.testing.assert_array_equal(out[:, 2:, :-3], maps[:, :-2, 3:])
    assert (out[:, :2] == 0).all()
    assert (out[:, :, -3:] == 0).all()


def test_shift_transform_matches_zero_padded_reference(maps: np.ndarray) -> None:
    t = Shift(1.0, 0.5)
    params = t.sample_params(maps.shape[0], np.random.default_rng(5))
    out = t.apply(maps, **params)
    rows, cols = maps.shape[1:3]
    for i in range(maps.shape[0]):
        dr = int(np.rint(params["fraction"][i, 0] * rows))
        dc = int(np.rint(params["fraction"][i, 1] * cols))
        big = np.pad(maps[i, ..., 0], ((rows, rows), (cols, cols)))  # zeros around: no wrap possible
        ref = big[rows - dr : 2 * rows - dr, cols - dc : 2 * cols - dc]
        np.testing.assert_array_equal(out[i, ..., 0], ref)


def test_rotation_square_only_and_180_exact() -> None:
    m = np.arange(12, dtype=np.float32).reshape(1, 3, 4, 1)
    with pytest.raises(DataError, match="90° rotation of 3×4"):
        rotate_maps(m, np.array([1]))
    np.testing.assert_array_equal(rotate_maps(m, np.array([2])), m[:, ::-1, ::-1])
    sq = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    np.testing.assert_array_equal(rotate_maps(sq, np.array([1]))[0, ..., 0], np.rot90(sq[0, ..., 0]))
    out = Rotate90(1.0, (2,))(m, np.random.default_rng(0))
    np.testing.assert_array_equal(out, m[:, ::-1, ::-1])


def test_zoom_out_sums_blocks_and_saturates() -> None:
    m = np.zeros((1, 4, 4, 1), np.float32)
    m[0, 0, 0, 0], m[0, 0, 1, 0], m[0, 1, 0, 0] = 20.0, 30.0, 40.0
    m[0, 2, 2, 0], m[0, 3, 3, 0] = 200.0, 100.0
    out = zoom_out(m, 2)  # 2x2 result centred in 4x4 → rows/cols 1..2
    assert out[0, 1, 1, 0] == 90.0  # 20 + 30 + 40
    assert out[0, 2, 2, 0] == 255.0  # 300 saturates
    assert out.sum() == 90.0 + 255.0


def test_zoom_in_splits_charge_evenly() -> None:
    m = np.zeros((1, 4, 4, 1), np.float32)
    m[0, 1, 1, 0] = 80.0
    m[0, 2, 2, 0] = 40.0
    m[0, 0, 0, 0] = 99.0  # outside the central half: leaves the window
    out = zoom_in(m, 2)
    np.testing.assert_array_equal(out[0, :2, :2, 0], np.full((2, 2), 20.0))
    np.testing.assert_array_equal(out[0, 2:, 2:, 0], np.full((2, 2), 10.0))
    assert out.sum() == 120.0


def test_crop_keeps_window_untouched(maps: np.ndarray) -> None:
    n = maps.shape[0]
    out = crop_maps(maps, np.full(n, 4), np.full(n, 6), np.full(n, 10), np.full(n, 8))
    np.testing.assert_array_equal(out[:, 4:14, 6:14], maps[:, 4:14, 6:14])
    assert out.sum() == out[:, 4:14, 6:14].sum()


def test_gaussian_noise_only_on_hit_pixels(maps: np.ndarray) -> None:
    out = GaussianNoise(1.0, 5.0)(maps, np.random.default_rng(1))
    assert (out[maps == 0] == 0).all()  # zero-suppressed pixels stay empty
    assert (out[out > 0] >= 15.0).all()  # re-thresholded
    np.testing.assert_array_equal(out, np.rint(out))  # whole ADC counts
    changed = out[(maps > 0) & (out > 0)] - maps[(maps > 0) & (out > 0)]
    assert 3.0 < changed.std() < 7.0  # σ = 5 ADC (minus rounding and the clipped tail)


def test_salt_adds_hits_above_threshold_and_pepper_removes(maps: np.ndarray) -> None:
    out = SaltAndPepper(1.0, salt_rate=0.05, pepper_rate=0.0)(maps, np.random.default_rng(2))
    new = (out > 0) & (maps == 0)
    assert new.sum() > 0.03 * maps.size
    assert (out[new] >= 15.0).all()
    out = SaltAndPepper(1.0, salt_rate=0.0, pepper_rate=1.0)(maps, np.random.default_rng(2))
    assert out.sum() == 0.0


def test_pixel_dropout_rate(maps: np.ndarray) -> None:
    ones = np.full((20, 24, 24, 1), 50.0, np.float32)
    out = PixelDropout(1.0, 0.25)(ones, np.random.default_rng(4))
    frac = (out == 0).mean()
    assert abs(frac - 0.25) < 0.02  # 11520 pixels: binomial σ ≈ 0.004
    assert set(np.unique(out)) <= {0.0, 50.0}


def test_double_column_dropout_kills_aligned_column_pairs() -> None:
    ones = np.full((30, 24, 24, 1), 50.0, np.float32)
    out = DoubleColumnDropout(1.0, 1)(ones, np.random.default_rng(9))
    for i in range(out.shape[0]):
        dead_cols = np.flatnonzero((out[i, ..., 0] == 0).any(axis=0))
        assert 1 <= dead_cols.size <= 2
        assert dead_cols.max() - dead_cols.min() == dead_cols.size - 1
        # a 24-row window meets one or two 80-row ROCs: the column pair is dead over a contiguous row span
        rows_dead = np.flatnonzero(out[i, :, dead_cols[0], 0] == 0)
        assert rows_dead.size == rows_dead.max() - rows_dead.min() + 1


def test_roc_dropout_kills_one_grid_block() -> None:
    ones = np.full((10, 24, 24, 1), 50.0, np.float32)
    out = RocDropout(1.0, 1, roc_shape=(8, 8))(ones, np.random.default_rng(1))
    for i in range(10):
        dead = np.argwhere(out[i, ..., 0] == 0)
        h = dead[:, 0].max() - dead[:, 0].min() + 1
        w = dead[:, 1].max() - dead[:, 1].min() + 1
        assert dead.shape[0] == h * w
        assert h <= 8
        assert w <= 8
    assert (ROC_ROWS, ROC_COLS) == (80, 52)


def test_gain_scales_charge() -> None:
    m = np.zeros((1, 4, 4, 1), np.float32)
    m[0, 0, 0, 0], m[0, 1, 1, 0], m[0, 2, 2, 0] = 100.0, 16.0, 250.0
    out = scale_charge(m, np.array(0.9).reshape(1, 1, 1, 1), 15.0)
    assert out[0, 0, 0, 0] == 90.0
    assert out[0, 1, 1, 0] == 0.0
    assert out[0, 2, 2, 0] == 225.0
    out = scale_charge(m, np.array(1.2).reshape(1, 1, 1, 1), 15.0)
    assert out[0, 0, 0, 0] == 120.0
    assert out[0, 2, 2, 0] == 255.0


def test_threshold_only_removes() -> None:
    m = np.array([10.0, 20.0, 30.0, 40.0], np.float32).reshape(1, 2, 2, 1)
    out = apply_threshold(m, np.array([25.0]))
    np.testing.assert_array_equal(out.ravel(), [0.0, 0.0, 30.0, 40.0])
    out = Threshold(1.0, 15.0, 35.0)(np.repeat(m, 50, axis=0), np.random.default_rng(0))
    assert ((out == 0) | (out == np.repeat(m, 50, axis=0))).all()


def test_spillover_lands_on_an_edge(maps: np.ndarray) -> None:
    out = Spillover(1.0, 1.0, threshold_adc=0.0)(np.zeros_like(maps), np.random.default_rng(6))
    for i in range(out.shape[0]):
        hit = np.argwhere(out[i, ..., 0] > 0)
        assert hit.size > 0
        near = (hit[:, 0] <= 1) | (hit[:, 0] >= 22) | (hit[:, 1] <= 1) | (hit[:, 1] >= 22)
        assert near.all()


def test_spillover_charge_split() -> None:
    m = np.zeros((1, 8, 8, 1), np.float32)
    out = add_spillover(
        m,
        np.array([True]),
        edge=np.array([2]),
        position=np.array([3]),
        length=np.array([2]),
        depth=np.array([2]),
        charge_adc=np.array([80.0]),
        threshold_adc=15.0,
    )
    np.testing.assert_array_equal(np.argwhere(out[0, ..., 0] > 0), [[3, 0], [3, 1], [4, 0], [4, 1]])
    assert (out[out > 0] == 20.0).all()


def test_compose_seed_reproduces_stream(maps: np.ndarray) -> None:
    c1 = Compose([Shift(0.5), GainJitter(0.5), Spillover(0.5)], seed=4)
    c2 = Compose([Shift(0.5), GainJitter(0.5), Spillover(0.5)], seed=4)
    a1, a2 = c1(maps), c1(maps)
    np.testing.assert_array_equal(a1, c2(maps))
    np.testing.assert_array_equal(a2, c2(maps))
    assert not np.array_equal(a1, a2)
    c1.reset()
    np.testing.assert_array_equal(c1(maps), a1)


def test_every_transform_class_is_registered() -> None:
    import importlib
    import inspect
    import pkgutil

    import fpgaflow.augment as pkg
    from fpgaflow.augment.policies import RandAugment, SubPolicyAugment, TrivialAugment

    policies = {RandAugment, SubPolicyAugment, TrivialAugment}
    found = set()
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name == "keras_adapter":
            continue
        module = importlib.import_module(f"fpgaflow.augment.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BatchTransform) and obj is not BatchTransform and obj not in policies:
                found.add(obj)
    assert found == set(TRANSFORMS.values())
