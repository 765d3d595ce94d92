"""fpgaflow.figures: what each figure shows, read off the matplotlib objects (labels, units, aspect, colour
bars, masked pixels, legends), not off pixels."""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow.figures import canvas
from fpgaflow.figures.confusion import confusion_counts, confusion_figure
from fpgaflow.figures.curves import history_figure
from fpgaflow.figures.histograms import Binning, class_histogram_figure
from fpgaflow.figures.hitmaps import (
    GalleryRow,
    PixelGeometry,
    class_rows,
    gallery_figure,
    hitmap_figure,
)
from fpgaflow.figures.resources import ResourceBar, resources_figure
from fpgaflow.figures.roc import RocCurve, WorkingPoint, roc_figure
from fpgaflow.figures.study import StudyBar, study_figure
from fpgaflow.figures.tradeoff import DesignPoint, tradeoff_figure


@pytest.fixture(autouse=True)
def _close_all():
    yield
    canvas.pyplot().close("all")


def _map() -> np.ndarray:
    m = np.zeros((32, 32), dtype=np.float32)
    m[10:12, 5] = [40.0, 120.0]
    m[20, 20] = 255.0
    return m


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def test_hit_map_in_mm_at_true_aspect_with_empty_pixels_masked() -> None:
    fig = hitmap_figure(_map(), "one map")
    (ax,) = _image_axes(fig)
    image = ax.images[0]
    assert ax.get_xlabel() == "z (mm)" and ax.get_ylabel() == "r-φ (mm)"
    # 32 columns × 150 µm = 4.8 mm wide, 32 rows × 100 µm = 3.2 mm high, equal scales: the map's true shape.
    assert image.get_extent() == pytest.approx((0.0, 4.8, 3.2, 0.0))
    assert ax.get_aspect() == 1.0
    data = image.get_array()
    assert np.ma.is_masked(data)
    assert data.mask.sum() == 32 * 32 - 3  # every pixel that was not read out, and only those
    assert not data.mask[10, 5] and data.mask[0, 0]
    assert image.get_cmap().get_bad()[3] == 0.0  # masked pixels are transparent over the white axes
    assert image.get_clim() == (0.0, 255.0)


def test_colour_bar_in_adc_counts_and_kilo_electrons() -> None:
    fig = hitmap_figure(_map())
    bar_ax = next(ax for ax in fig.axes if not ax.images and ax.get_ylabel())
    assert bar_ax.get_ylabel() == "charge per pixel (ADC counts)"
    (ke,) = bar_ax.child_axes
    assert ke.get_ylabel() == "charge (ke⁻; 135 e⁻ per ADC count)"
    # 255 ADC counts at 135 e⁻ each: the secondary scale's top is 34.4 ke⁻.
    fig.canvas.draw()
    assert ke.get_ylim()[1] == pytest.approx(255 * 0.135)


def test_rebinned_pitch_changes_extent_not_shape() -> None:
    fig = hitmap_figure(np.ones((16, 8)), geometry=PixelGeometry(pitch_row_um=200.0, pitch_col_um=300.0))
    assert _image_axes(fig)[0].images[0].get_extent() == pytest.approx((0.0, 2.4, 3.2, 0.0))


def test_gallery_rows_per_class_titled_with_label_and_score() -> None:
    maps = np.stack([_map()] * 6)
    labels = np.array([1, 1, 1, 0, 0, 0])
    scores = np.array([0.9, 0.4, 0.8, 0.1, 0.7, 0.2])
    fig = gallery_figure(class_rows(maps, labels, scores, per_class=3))
    titles = [(ax.get_title(), ax.title.get_color()) for ax in _image_axes(fig)]
    assert titles[:3] == [
        ("particle, score 0.90", "black"),
        ("particle, score 0.40", "tab:red"),  # wrong at the 0.5 cut
        ("particle, score 0.80", "black"),
    ]
    assert titles[4] == ("background, score 0.70", "tab:red")
    assert _image_axes(fig)[0].get_ylabel() == "particle maps\nr-φ (mm)"
    assert _image_axes(fig)[3].get_ylabel() == "background maps\nr-φ (mm)"
    assert sum(1 for ax in fig.axes if ax.get_ylabel() == "charge per pixel (ADC counts)") == 1  # one shared bar


def test_gallery_without_scores_and_with_an_empty_class() -> None:
    rows = [
        GalleryRow("particle maps", np.stack([_map()] * 2), np.array([1, 1])),
        GalleryRow("background maps", np.zeros((0, 32, 32)), np.zeros(0)),
    ]
    fig = gallery_figure(rows)
    assert [ax.get_title() for ax in _image_axes(fig)] == ["particle", "particle"]
    assert any(t.get_text() == "no maps" for ax in fig.axes for t in ax.texts)


def test_histogram_says_counts_or_density_and_its_units() -> None:
    values = {"particle": [1.0, 2.0, 2.5, 50.0], "background": [0.5, 0.7]}
    binning = Binning("total charge per map", "ke⁻", 10, 0.0, 10.0)
    fig = class_histogram_figure(values, binning, log=True)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "total charge per map (ke⁻)"
    assert ax.get_ylabel() == "maps per bin (bin width 1 ke⁻)"
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["particle (4)", "background (2)"]
    assert ax.get_legend().get_title().get_text() == "edge bins include under/overflow"  # the 50 ke⁻ map: last bin
    dens = class_histogram_figure(values, binning, density=True).axes[0]
    assert dens.get_ylabel() == "fraction of maps per ke⁻" and dens.get_yscale() == "linear"


def test_histogram_contents_fold_the_overflow() -> None:
    from fpgaflow.figures.histograms import draw_class_histograms

    _, ax = canvas.new_figure(4, 3)
    contents = draw_class_histograms(ax, {"particle": [1.0, 2.0, 50.0, -3.0]}, Binning("x", "mm", 5, 0.0, 10.0))
    # bins 2 mm wide: 1.0 and the underflow -3.0 in the first, 2.0 in the second, the overflow 50.0 in the last
    np.testing.assert_array_equal(contents["particle"], [2.0, 1.0, 0.0, 0.0, 1.0])


def test_training_curves() -> None:
    h = {"loss": [0.6, 0.4], "val_loss": [0.5, 0.45], "accuracy": [0.7, 0.8], "val_accuracy": [0.75, 0.8]}
    fig = history_figure({**h, "lr": [0.01, 0.01]})
    loss, acc = fig.axes[:2]
    assert loss.get_ylabel() == "loss (binary cross-entropy)" and acc.get_ylabel() == "accuracy (%)"
    assert loss.get_xlabel() == acc.get_xlabel() == "epoch"
    np.testing.assert_allclose(acc.lines[0].get_ydata(), [70.0, 80.0])
    assert "learning rate 0.01" in fig.get_suptitle()
    assert len(history_figure({**h, "lr": [0.01, 0.001]}).axes) == 3  # a changing rate gets its own axis


def test_roc_with_auc_rejection_and_baseline_working_points() -> None:
    fpr = np.array([0.0, 0.05, 0.1, 1.0])
    tpr = np.array([0.0, 0.9, 0.95, 1.0])
    fig = roc_figure(
        [RocCurve("deployed", fpr, tpr, 0.962, 0.011)],
        [WorkingPoint("single_cut: total_adc", 0.93, 0.08), WorkingPoint("any_pixel", 1.0, 0.0)],
        {0.9: 20.0, 0.95: 10.0},
        n_background=450,
    )
    lin, rej = fig.axes
    assert lin.get_xlabel().startswith("background efficiency") and lin.get_ylabel().startswith("signal efficiency")
    assert rej.get_ylabel() == "background rejection 1/ε_B" and rej.get_yscale() == "log"
    legend = [t.get_text() for t in lin.get_legend().get_texts()]
    assert "deployed (AUC 0.962 ± 0.011)" in legend
    assert "single_cut: total_adc: ε_S 93.0 %, ε_B 8.0 %" in legend
    assert [t.get_text() for t in rej.texts] == ["20", "10"]
    assert rej.get_title() == "deployed:\nrejection at ε_S = 90 %, 95 % (dotted lines)"
    # No background map passes the any-pixel rule here (ε_B = 0): drawn at the bound, 450 background maps.
    assert any(line.get_ydata()[0] == 450 for line in rej.lines if line.get_marker() == "^")


def test_confusion_matrix_contrast() -> None:
    m = confusion_counts([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(m, [[5, 1], [1, 3]])
    fig = confusion_figure(m)
    ax = fig.axes[0]
    cells = {t.get_text(): t.get_color() for t in ax.texts}
    assert cells == {"5\n83.3 %": "white", "1\n16.7 %": "black", "1\n25.0 %": "black", "3\n75.0 %": "white"}
    assert ax.get_ylabel() == "true class" and ax.get_xlabel() == "predicted class (score ≥ 0.5)"
    assert fig.axes[1].get_ylabel() == "fraction of the true class"


def test_estimate_bars_say_what_the_error_bars_are() -> None:
    bars = [ResourceBar("LUT", 21_480, 53_200, "fits", 17_000, 26_000), ResourceBar("DSP48", 0, 220, "fits", 0, 0)]
    fig = resources_figure(bars, 0.7, "pynq-z2", "expected range: 8 of 10 held-out designs")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "expected range: 8 of 10 held-out designs" in labels and "budget 70 %" in labels
    assert ax.get_ylabel() == "estimated utilisation of the pynq-z2 (%)"
    assert ax.patches[0].get_facecolor() == pytest.approx((0.172, 0.627, 0.172, 1.0), abs=1e-3)  # green: fits
    plain = resources_figure([ResourceBar("LUT", 21_480, 53_200, "does not fit")], 0.7, "pynq-z2").axes[0]
    assert "no interval: the estimate is a single number" in [t.get_text() for t in plain.get_legend().get_texts()]
    with pytest.raises(ValueError, match="legend label"):
        resources_figure(bars, 0.7, "pynq-z2")


def test_fit_tradeoff_puts_what_differs_on_the_axes() -> None:
    points = [
        DesignPoint(30_000, 100_000.0, 0.858, "fits", "rf1"),
        DesignPoint(12_000, 2_800.0, 0.858, "fits", "rf32"),
        DesignPoint(90_000, 390_000.0, 0.861, "does not fit", "rf1 wide"),
    ]
    fig = tradeoff_figure(points, 0, 37_240, [(100_000.0, "throughput target")], 900)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("estimated LUTs") and ax.get_ylabel() == "modelled throughput (maps/s)"
    assert ax.get_xscale() == ax.get_yscale() == "log"
    colours = np.concatenate([c.get_array() for c in ax.collections if c.get_array() is not None])
    np.testing.assert_allclose(sorted(colours), [85.8, 85.8, 86.1])  # accuracy is the colour
    assert fig.axes[1].get_ylabel() == "accuracy (%) on 900 maps"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "chosen: rf1" in legend and "throughput target: 100,000 maps/s" in legend
    assert "fits (fill: accuracy)" in legend and "does not fit" in legend
    fig.canvas.draw()  # the log axes carry plain numbers (20,000 LUTs), never 2×10⁴
    ticks = [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_xticklabels(minor=True)) if t.get_text()]
    assert "20,000" in ticks and "100,000" in [t.get_text() for t in ax.get_yticklabels()]
    assert not any("times" in t or "^" in t for t in ticks), ticks


def test_study_plot_has_a_title_and_the_no_augmentation_line() -> None:
    bars = [StudyBar("original", 3, 0.87, 0.007, 0.848, 0.002), StudyBar("doubling", 3, 0.875, 0.004, 0.873, 0.002)]
    fig = study_figure(bars, bars[0], "augmentation study")
    ax = fig.axes[0]
    assert ax.get_title() == "augmentation study"
    line = next(ln for ln in ax.lines if ln.get_label().startswith("no augmentation"))
    assert line.get_xdata()[0] == pytest.approx(84.8)
    assert "3 seeds" in ax.get_xlabel()
