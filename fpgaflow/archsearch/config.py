"""The architecture search space and each candidate's brief training, as one typed config (``fpgaflow search``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fpgaflow.config.strict import check
from fpgaflow.fit.config import FitConfig


def _default_fit() -> FitConfig:
    """Each candidate's fit: per-layer balanced reuse from R1, both strategies, the exact precision plan, the
    flagship's one-pixel-per-clock floor, no C simulation (the emulator is bit-exact)."""
    return FitConfig(
        reuse_factors=(1,),
        reuse_modes=("balanced",),
        strategies=("Latency", "Resource"),
        trim_bits=(0,),
        min_maps_per_s=6000.0,
        csim_maps=0,
    )


@dataclass(frozen=True)
class ArchSearchConfig:
    """What ``fpgaflow search`` varies around a run's model, and how briefly each candidate trains.

    The space is one axis at a time: the base (the run config's ``model:`` and ``prune:``) plus, for every value
    listed on an axis, the base with only that axis changed: ``1 + (values listed)`` candidates, each a model
    trained and fitted, so the cost grows linearly with the values listed.  Axes:

    * ``filters``: every conv block's filter count;
    * ``depths``: conv blocks — the base's first block, then copies of its second, the base's last pooling after
      the last (the flagship's 3 = the 4 × 4 patchify conv and two 3 × 3 convs);
    * ``final_pools``: the last block's max-pool size (the dense layer reads (28 / pool)² × filters values);
    * ``dense_units``: one hidden quantised dense layer of that width before the output (0: none);
    * ``weight_bits``: weights and biases ``ap_fixed<bits, 1>`` (the base's integer bits kept);
    * ``activation_bits``: activations ``ap_ufixed<bits, I>`` (the base's I kept);
    * ``sparsities``: the pruning target (fraction of weights zero: multipliers hls4ml drops).

    Training: the first ``train_maps``/``val_maps`` maps of the run's training and validation splits;
    ``float_pretrain_epochs`` float epochs then ``epochs`` quantisation-aware (pruned) epochs, with the run
    config's learning rate, schedule, batch size and augmentation; ``seed`` for every candidate alike.
    Scoring: each trained candidate is fitted (:func:`fpgaflow.fit.fit_model` with ``fit``): its accuracy is the
    bit-exact emulator's on the validation maps for the design fit chose, its resources that design's estimate
    against ``fit.budget`` of ``fit.board``.
    """

    filters: tuple[int, ...] = ()
    depths: tuple[int, ...] = ()
    final_pools: tuple[int, ...] = ()
    dense_units: tuple[int, ...] = ()
    weight_bits: tuple[int, ...] = ()
    activation_bits: tuple[int, ...] = ()
    sparsities: tuple[float, ...] = ()
    train_maps: int = 4000
    val_maps: int = 2000
    epochs: int = 3
    float_pretrain_epochs: int = 2
    seed: int = 0
    fit: FitConfig = field(default_factory=_default_fit)

    def __post_init__(self) -> None:
        check(all(f >= 1 for f in self.filters), f"search.filters must be >= 1, got {self.filters}")
        check(all(d >= 1 for d in self.depths), f"search.depths must be >= 1, got {self.depths}")
        check(all(p >= 1 for p in self.final_pools), f"search.final_pools must be >= 1, got {self.final_pools}")
        check(all(u >= 0 for u in self.dense_units), f"search.dense_units must be >= 0, got {self.dense_units}")
        for key in ("weight_bits", "activation_bits"):
            bits = getattr(self, key)
            check(all(2 <= b <= 16 for b in bits), f"search.{key} must be in [2, 16], got {bits}")
        check(
            all(0.0 <= s < 1.0 for s in self.sparsities), f"search.sparsities must be in [0, 1), got {self.sparsities}"
        )
        check(self.train_maps >= 2 and self.val_maps >= 2, "search.train_maps and search.val_maps must be >= 2")
        check(self.epochs >= 1, f"search.epochs must be >= 1, got {self.epochs}")
        check(self.float_pretrain_epochs >= 0, "search.float_pretrain_epochs must be >= 0")
