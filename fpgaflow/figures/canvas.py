"""Make, save and embed a figure: matplotlib's off-screen Agg backend, atomic PNG files, PNG bytes.

Every figure function in :mod:`fpgaflow.figures` returns a ``matplotlib.figure.Figure`` (so tests can inspect
its axes, labels and artists); the caller saves it with :func:`save_png` or embeds it with :func:`png_bytes`,
both of which close it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fpgaflow_board.atomic import atomic_file

#: Resolution of saved figures (dots per inch).
DPI = 110

#: Colours by budget verdict (the estimator's words, :mod:`fpgaflow.estimate.budget`), shared by the resource
#: bars and the design-search plot.
VERDICT_COLOURS = {"fits": "tab:green", "fits only if the estimate is high": "tab:orange", "does not fit": "tab:red"}


def plain_log_ticks(axis: Any) -> None:
    """Label a log-scaled ``axis`` (``ax.xaxis`` or ``ax.yaxis``) with plain numbers — ``20,000``, ``60``,
    ``0.5`` — instead of ``2×10⁴``; minor ticks are labelled only where matplotlib would (less than about a
    decade shown)."""
    from matplotlib.ticker import FuncFormatter, LogFormatter

    def plain(value: float, _pos: int | None = None) -> str:
        return f"{value:,.0f}" if value >= 1 else f"{value:.3g}"

    class Plain(LogFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return plain(x) if super().__call__(x, pos) else ""

    axis.set_major_formatter(FuncFormatter(plain))
    axis.set_minor_formatter(Plain(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def new_figure(
    width: float, height: float, nrows: int = 1, ncols: int = 1, layout: str | None = "constrained", **kwargs: Any
) -> tuple[Any, Any]:
    """A ``width`` × ``height`` inch figure with a grid of axes (constrained layout unless ``layout`` says
    otherwise: ``None`` for a large grid placed by hand, where constrained layout costs seconds); returns
    ``(fig, axes)`` with ``axes`` a single Axes for a 1 × 1 grid, else an array."""
    plt = pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout=layout, **kwargs)
    return fig, axes


def close(fig: Any) -> None:
    pyplot().close(fig)


def save_png(fig: Any, path: Path | str, dpi: int = DPI) -> Path:
    """Write ``fig`` as a PNG at ``path`` (atomically: a reader sees no half-written file) and close it."""
    path = Path(path)
    try:
        with atomic_file(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format="png")
    finally:
        close(fig)
    return path


def png_bytes(fig: Any, dpi: int = DPI) -> bytes:
    """``fig`` as PNG bytes (for a data URI in a self-contained page); closes it."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, dpi=dpi, format="png")
    finally:
        close(fig)
    return buf.getvalue()
