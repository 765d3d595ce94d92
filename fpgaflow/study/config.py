"""Typed config of ``fpgaflow study``: the grid (strategies × batch sizes × seeds × models × class-imbalance
variants), ensembles built from it, and where the jobs run.

Example (see ``models/study_augmentation.yaml``)::

    data: {source: toy, n_maps: 4000, toy: {rows: 16, cols: 16}, seed: 1}
    train: {epochs: 6, learning_rate: 0.003}
    strategies:
      - {label: original, augment: {strategy: none}}
      - {label: doubling combinational, augment: {strategy: doubling_combinational}}
    batch_sizes: [32]
    seeds: [0, 1]
    models: [{label: qcnn, model: {name: qcnn}}]
    executor: {kind: process, workers: 2}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fpgaflow.augment.config import AugmentConfig
from fpgaflow.baselines.config import BaselineConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import check, suggest
from fpgaflow.data.config import DataConfig
from fpgaflow.train.config import ModelConfig, TrainConfig


@dataclass(frozen=True)
class StrategyVariant:
    """One augmentation strategy of the grid, with the label used in the results table."""

    label: str
    augment: AugmentConfig = field(default_factory=AugmentConfig)


@dataclass(frozen=True)
class ModelVariant:
    """One architecture of the grid."""

    label: str
    model: ModelConfig = field(default_factory=ModelConfig)


@dataclass(frozen=True)
class ImbalanceVariant:
    """A class-imbalance treatment.

    ``particle_fraction`` > 0 first sub-samples the *training* set to that fraction of particle maps (by
    dropping maps of the over-represented class; validation stays as generated).  Then the strategy's
    augment config gets ``class_weighting`` (none | ins | isns | ens: Keras class weights) and
    ``balance_threshold`` (> 0: artificial balancing to that many maps per class per epoch, up-sampled
    copies augmented).
    """

    label: str = "as generated"
    particle_fraction: float = 0.0
    class_weighting: Literal["none", "ins", "isns", "ens"] = "none"
    balance_threshold: int = 0

    def __post_init__(self) -> None:
        check(
            self.particle_fraction == 0.0 or 0.0 < self.particle_fraction < 1.0,
            f"imbalance[{self.label}].particle_fraction must be 0 (keep) or in (0, 1), got {self.particle_fraction}",
        )
        check(self.balance_threshold >= 0, f"imbalance[{self.label}].balance_threshold must be >= 0")


@dataclass(frozen=True)
class EnsembleSpec:
    """An ensemble whose output is the average of its members' particle scores.

    ``bagging``: ``n_bags`` copies of the one model in ``members``, each trained on a balanced bootstrap
    sample of the training set (every class drawn with replacement to the size of the smallest class).
    ``stacking``: the grid's models named in ``members`` (≥ 2), trained as usual, outputs averaged.
    Members use the strategy labelled ``strategy`` (empty = the first strategy).  FPGA cost = sum of members.
    """

    label: str
    kind: Literal["bagging", "stacking"]
    members: tuple[str, ...]
    n_bags: int = 3
    strategy: str = ""

    def __post_init__(self) -> None:
        if self.kind == "bagging":
            check(len(self.members) == 1, f"ensemble {self.label!r}: bagging takes exactly one member model")
            check(self.n_bags >= 2, f"ensemble {self.label!r}: n_bags must be >= 2, got {self.n_bags}")
        else:
            check(len(self.members) >= 2, f"ensemble {self.label!r}: stacking needs >= 2 member models")


@dataclass(frozen=True)
class ExecutorConfig:
    """Where the jobs run (the study, the augmentation-policy search and active learning alike).

    ``process`` (the default): a local pool of ``workers`` processes (spawned; each imports TensorFlow once and
    gets its share of the cores as its thread limit, see :mod:`fpgaflow.study.executors`); ``workers: 0`` (the
    default) = one per core this process may use, and one worker runs the jobs in this process.
    ``inprocess``: one after the other in this process.  ``dask``: dask.distributed — a ``LocalCluster`` of
    ``workers`` workers (``processes: false`` runs them as threads of this process) or, with
    ``scheduler_address`` (e.g. ``tcp://10.0.0.5:8786``), an existing cluster; its workers need fpgaflow
    installed and must see the study's output directory (shared file system).
    """

    kind: Literal["inprocess", "process", "dask"] = "process"
    workers: int = 0
    processes: bool = True
    scheduler_address: str = ""

    def __post_init__(self) -> None:
        check(self.workers >= 0, f"executor.workers must be >= 0 (0 = one per core), got {self.workers}")
        check(
            not self.scheduler_address or self.kind == "dask",
            "executor.scheduler_address needs executor.kind: dask",
        )


@dataclass(frozen=True)
class StudyConfig:
    """The whole study: one training job per (strategy, batch size, seed, model, imbalance) + bagging members.

    ``baselines``: how the reference rows are measured (each baseline family's best, fitted on the study's
    training maps, measured on its validation maps).
    """

    strategies: tuple[StrategyVariant, ...]
    data: DataConfig = field(default_factory=DataConfig)
    models: tuple[ModelVariant, ...] = (ModelVariant("qcnn"),)
    batch_sizes: tuple[int, ...] = (64,)
    seeds: tuple[int, ...] = (0,)
    imbalance: tuple[ImbalanceVariant, ...] = (ImbalanceVariant(),)
    ensembles: tuple[EnsembleSpec, ...] = ()
    train: TrainConfig = field(default_factory=TrainConfig)
    prune: PruneConfig = field(default_factory=lambda: PruneConfig(enabled=False))
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)
    baselines: BaselineConfig = field(default_factory=BaselineConfig)

    def __post_init__(self) -> None:
        check(len(self.strategies) >= 1, "study.strategies needs at least one strategy")
        check(len(self.models) >= 1, "study.models needs at least one model")
        check(len(self.batch_sizes) >= 1 and all(b >= 1 for b in self.batch_sizes), "study.batch_sizes must be >= 1")
        check(len(self.seeds) >= 1, "study.seeds needs at least one seed")
        check(len(self.imbalance) >= 1, "study.imbalance needs at least one variant")
        for axis in ("strategies", "models", "imbalance", "ensembles"):
            labels = [v.label for v in getattr(self, axis)]
            dupes = sorted({lab for lab in labels if labels.count(lab) > 1})
            check(not dupes, f"study.{axis}: duplicate labels {dupes}")
        model_labels = [m.label for m in self.models]
        strategy_labels = [s.label for s in self.strategies]
        for ens in self.ensembles:
            for member in ens.members:
                check(
                    member in model_labels,
                    f"ensemble {ens.label!r}: unknown member model {member!r}{suggest(member, model_labels)}",
                )
            check(
                not ens.strategy or ens.strategy in strategy_labels,
                f"ensemble {ens.label!r}: unknown strategy {ens.strategy!r}{suggest(ens.strategy, strategy_labels)}",
            )
