"""One resource/latency table for estimates and for real synthesis reports, so they compare side by side.

Units: ``lut`` 6-input LUTs, ``ff`` flip-flops, ``dsp`` DSP48 slices, ``bram18`` 18 Kib block RAMs
(one RAMB36 = 2 BRAM18), ``latency_cycles``/``interval_cycles`` clock cycles of the HLS clock (interval =
cycles between successive inputs; its inverse times the clock frequency is the throughput).
"""

from __future__ import annotations

from dataclasses import dataclass, field

RESOURCES = ("lut", "ff", "dsp", "bram18")
#: How the FPGA engineer writes each resource (tables, figures, verdicts).
RESOURCE_LABELS = {"lut": "LUT", "ff": "FF", "dsp": "DSP48", "bram18": "BRAM18"}


@dataclass(frozen=True)
class LayerResources:
    """Resources and timing of one layer (or of the whole design when ``name`` is ``total``)."""

    name: str
    lut: float = 0.0
    ff: float = 0.0
    dsp: float = 0.0
    bram18: float = 0.0
    latency_cycles: float | None = None
    interval_cycles: float | None = None

    def get(self, resource: str) -> float:
        return float(getattr(self, resource))


@dataclass(frozen=True)
class Band:
    """The range a resource's real figure is expected in: ``low`` <= report <= ``high`` for 8 designs out of 10
    the model was not fitted on (leave-one-design-out; :class:`fpgaflow.estimate.coefficients.ErrorBand`)."""

    resource: str
    low: float
    high: float


def compact(value: float) -> str:
    """``21,480`` -> ``21.5k``; small counts as integers."""
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1_000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


@dataclass(frozen=True)
class ResourceTable:
    """Per-layer rows plus the design total, with where the numbers came from.

    ``source`` says what produced the numbers (``estimate``, ``vivado_hls csynth``, ``vivado synth``);
    ``clock_period_ns`` converts cycles into µs; ``bands``: an estimate's expected range per resource
    (empty for a report).
    """

    source: str
    total: LayerResources
    layers: tuple[LayerResources, ...] = ()
    clock_period_ns: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    bands: tuple[Band, ...] = ()

    def band(self, resource: str) -> Band | None:
        return next((b for b in self.bands if b.resource == resource), None)

    def with_interval(self, resource: str) -> str:
        """``LUT 21.5k (17k–26k)``: the total and, for an estimate, its expected range."""
        label = RESOURCE_LABELS.get(resource, resource)
        text = f"{label} {compact(self.total.get(resource))}"
        b = self.band(resource)
        return text if b is None else f"{text} ({compact(b.low)}–{compact(b.high)})"

    def latency_us(self) -> float | None:
        if self.total.latency_cycles is None or self.clock_period_ns is None:
            return None
        return self.total.latency_cycles * self.clock_period_ns * 1e-3

    def utilisation(self, budget: dict[str, int]) -> dict[str, float]:
        """Fraction of each resource in ``budget`` (e.g. the board's totals) the design uses."""
        return {r: self.total.get(r) / budget[r] for r in RESOURCES if r in budget and budget[r] > 0}
