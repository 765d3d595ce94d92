"""Train a (pruned, quantised) hit-map classifier with Keras ``fit`` and an augmentation strategy.

Everything a user can get wrong is checked before the first step: the data shapes against the model's
input, the model name, the pruned layer names, the strategy's batch-size needs; the config dataclasses
already rejected sparsity outside [0, 1) and quantiser widths below 2 bits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.augment import AugmentConfig, build_class_weights, build_strategy
from fpgaflow.compress import prune
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import to_mapping
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.errors import ConfigError, DataError
from fpgaflow.modelio.input_layout import input_shape_for, model_inputs
from fpgaflow.train import callbacks as cb
from fpgaflow.train import checkpoint, determinism, distill
from fpgaflow.train.config import ModelConfig, TrainConfig
from fpgaflow.train.models import build_model, check_input_shape

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """The trained model (pruning stripped), its per-epoch history and achieved sparsity.

    ``resumed_from`` is the number of epochs restored from a checkpoint (0 for a fresh run).
    """

    model: Any
    history: dict[str, list[float]]
    sparsity: float
    layer_sparsity: dict[str, float]
    resumed_from: int = 0
    #: the epoch (1-based) whose weights the model holds when early stopping restored the best one, else None
    best_epoch: int | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.history.get("loss", []))


def check_data(train_set: HitMapSet, val_set: HitMapSet) -> None:
    """Raise DataError unless training and validation maps share one shape and both classes are present."""
    if len(train_set) == 0 or len(val_set) == 0:
        raise DataError(f"empty data: {len(train_set)} training and {len(val_set)} validation maps")
    if train_set.map_shape != val_set.map_shape:
        raise DataError(f"training maps are {train_set.map_shape} but validation maps are {val_set.map_shape}")
    for name, part in (("training", train_set), ("validation", val_set)):
        classes = set(np.unique(part.labels).tolist())
        if not classes <= {0, 1}:
            raise DataError(f"labels must be 0 (noise) or 1 (particle), got classes {sorted(classes)}")
        if classes != {0, 1}:
            raise DataError(
                f"the {len(part)} {name} maps are all of class {classes.pop()}; a classifier needs both classes "
                "(0 = background, 1 = particle)"
            )


def config_hash(*configs: Any, extra: Any = None) -> str:
    """Short stable hash of configs (and e.g. the data's digest): a checkpoint only resumes the same run."""
    payload = json.dumps([to_mapping(c) for c in configs] + [extra], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def train_classifier(
    train_set: HitMapSet,
    val_set: HitMapSet,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    prune_cfg: PruneConfig,
    augment_cfg: AugmentConfig,
    *,
    checkpoint_dir: Path | None = None,
    warm_start: Any = None,
    targets: np.ndarray | None = None,
) -> TrainResult:
    """Build, (prune-)train and strip a classifier.  Only ``train_set`` is augmented.

    With ``checkpoint_dir`` every epoch is checkpointed there and an interrupted run resumes from the last
    complete epoch (see :mod:`fpgaflow.train.checkpoint`).  ``warm_start``: a trained (stripped) model of the
    same architecture (float or quantised) whose weights replace the random initialisation (active learning's
    rounds, float pre-training; a resumed run restores its checkpoint over them); the optimizer and the
    learning-rate schedule start afresh.  With ``train_cfg.float_pretrain_epochs`` the float twin of the
    quantised model is trained first (its epochs checkpointed in ``checkpoint_dir/float_pretrain``) and is the
    warm start.  With ``train_cfg.distill_weight`` the training targets are soft (:mod:`fpgaflow.train.distill`;
    ``targets``: ones already made, as the float pre-training receives them).
    """
    import tensorflow as tf

    from fpgaflow.augment.keras_adapter import fit_with_strategy

    check_data(train_set, val_set)
    if train_cfg.distill_weight and (augment_cfg.balance_threshold or augment_cfg.class_weighting != "none"):
        raise ConfigError(
            "train.distill_weight > 0 needs augment.balance_threshold: 0 and augment.class_weighting: none (class"
            " balancing and class weights count hard labels; distillation's targets are soft)"
        )
    if train_cfg.distill_weight and targets is None:
        teacher = distill.teacher_scores(train_set, train_cfg.distill_folds, train_cfg.seed)
        targets = distill.soft_targets(train_set.labels, teacher, train_cfg.distill_weight)
    if train_cfg.float_pretrain_epochs and model_cfg.quantized and warm_start is None:
        warm_start = pretrain_float(
            train_set, val_set, model_cfg, train_cfg, augment_cfg, checkpoint_dir, targets=targets
        ).model
    determinism.configure(train_cfg.seed, train_cfg.deterministic)
    labels = train_set.labels.astype(np.float32) if targets is None else targets
    strategy = build_strategy(augment_cfg)
    steps = strategy.steps_per_epoch(labels, train_cfg.batch_size)
    input_shape = input_shape_for(train_set.map_shape, model_cfg.space_to_depth)
    model = build_model(model_cfg, input_shape)
    check_input_shape(model, input_shape)
    if warm_start is not None:
        _copy_weights(warm_start, model)
    pruning = prune_cfg.enabled and prune_cfg.target_sparsity > 0
    callbacks: list[Any] = [cb.lr_schedule(train_cfg)]
    if pruning:
        model = prune.wrap_for_pruning(model, prune_cfg, total_steps=steps * train_cfg.epochs)
        callbacks += prune.pruning_callbacks()
    optimizer = tf.keras.optimizers.Adam(train_cfg.learning_rate_at(0))
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=[_accuracy_metric(targets is not None)])

    state = checkpoint.TrainState()
    ckpt = None
    if checkpoint_dir is not None:
        checkpoint_dir = Path(checkpoint_dir)
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
        # The data's content hash, not only its shape and count: other maps (another seed, a replaced
        # input file) must never resume, or finish, the training of a model on the old maps.
        data = [train_set.map_shape, len(train_set), train_set.digest(), val_set.digest()]
        digest = config_hash(model_cfg, train_cfg, prune_cfg, augment_cfg, extra=data)
        ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer)
        state = checkpoint.load_state(checkpoint_dir, digest) or checkpoint.TrainState(config_hash=digest)
        if state.epochs_done:
            optimizer.build(model.trainable_variables)
            checkpoint.restore(checkpoint_dir, ckpt, state)
    resumed_from = state.epochs_done
    callbacks.append(cb.log_epochs(train_cfg.epochs, resumed_from))
    early = None
    if train_cfg.early_stopping_patience:
        best_weights = checkpoint.load_best_weights(checkpoint_dir, state) if checkpoint_dir is not None else None
        resumed_best = state.best_epoch is not None and best_weights is not None
        early = cb.early_stopping(
            train_cfg,
            state.best if resumed_best else None,
            state.wait,
            first_epoch=first_competing_epoch(train_cfg, prune_cfg) if pruning else 0,
            best_epoch=state.best_epoch if resumed_best else None,
            best_weights=best_weights,
            on_improve=(lambda e, w: checkpoint.save_best_weights(checkpoint_dir, e, w)) if checkpoint_dir else None,
        )
        callbacks.append(early)
    if ckpt is not None and checkpoint_dir is not None:
        callbacks.append(checkpoint.checkpoint_callback(checkpoint_dir, ckpt, state, early))

    history: dict[str, list[float]] = state.history
    if state.epochs_done < train_cfg.epochs and not state.stopped:
        hist = fit_with_strategy(
            model,
            train_set.maps,
            labels,
            strategy,
            train_cfg.batch_size,
            epochs=train_cfg.epochs,
            validation_data=(val_set.maps, val_set.labels.astype(np.float32)),
            x_transform=lambda x: model_inputs(x, model_cfg.input_scale, input_shape),
            initial_epoch=state.epochs_done,
            callbacks=callbacks,
            class_weight=build_class_weights(augment_cfg, train_set.labels),
            verbose=0,
        )
        if ckpt is None:
            history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    elif early is not None and train_cfg.restore_best_weights and early.best_weights is not None:
        model.set_weights(early.best_weights)  # a finished run resumed: its model is the best epoch's
    if pruning:
        model = prune.strip(model)
    result = TrainResult(model, history, prune.total_sparsity(model), prune.layer_sparsity(model), resumed_from)
    if early is not None and early.best_epoch is not None:
        result.best_epoch = early.best_epoch + 1
    return result


def first_competing_epoch(train_cfg: TrainConfig, prune_cfg: PruneConfig) -> int:
    """The first epoch (0-based) whose weights early stopping may keep: the one in which the pruning schedule
    reaches its target sparsity (``end_fraction`` of the optimizer steps), so the model it restores is pruned
    to the target."""
    return max(0, math.ceil(prune_cfg.end_fraction * train_cfg.epochs) - 1)


def pretrain_float(
    train_set: HitMapSet,
    val_set: HitMapSet,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    augment_cfg: AugmentConfig,
    checkpoint_dir: Path | None = None,
    targets: np.ndarray | None = None,
) -> TrainResult:
    """Train the float twin of ``model_cfg`` (same layers, no quantisers, no pruning) for
    ``train_cfg.float_pretrain_epochs`` epochs: the starting point of quantisation-aware training."""
    float_cfg = replace(model_cfg, quantized=False)
    float_train = replace(
        train_cfg,
        epochs=train_cfg.float_pretrain_epochs,
        float_pretrain_epochs=0,
        learning_rate=train_cfg.float_pretrain_learning_rate or train_cfg.learning_rate,
    )
    sub = None if checkpoint_dir is None else Path(checkpoint_dir) / "float_pretrain"
    log.info("float pre-training: %d epochs", float_train.epochs)
    return train_classifier(
        train_set,
        val_set,
        float_cfg,
        float_train,
        PruneConfig(enabled=False),
        augment_cfg,
        checkpoint_dir=sub,
        targets=targets,
    )


def _accuracy_metric(soft: bool) -> Any:
    """Keras' ``accuracy``; with soft targets (distillation, weight < ½) the accuracy of the rounded target, which
    is the label, so the training accuracy still counts the true labels."""
    if not soft:
        return "accuracy"
    import tensorflow as tf

    def hard_label_accuracy(y_true: Any, y_pred: Any) -> Any:
        return tf.keras.metrics.binary_accuracy(tf.round(y_true), y_pred)

    return tf.keras.metrics.MeanMetricWrapper(hard_label_accuracy, name="accuracy")


def _copy_weights(source: Any, target: Any) -> None:
    """Give ``target`` the weights of ``source`` (same architecture, float or quantised: QKeras layers keep
    float weights and quantise them on use), or a ConfigError naming the mismatch."""
    got = [w.shape for w in source.get_weights()]
    want = [w.shape for w in target.get_weights()]
    if got != want:
        raise ConfigError(f"warm_start: model {source.name!r} has weights {got}, the model to train {want}")
    target.set_weights(source.get_weights())


def predict_scores(model: Any, maps: np.ndarray, input_scale: float, batch_size: int = 1024) -> np.ndarray:
    """Particle scores in [0, 1] for ADC maps, shape (n,) (fed in the model's layout,
    :mod:`fpgaflow.modelio.input_layout`)."""
    x = model_inputs(maps, input_scale, tuple(model.input_shape[1:]))
    scores = model.predict(x, batch_size=batch_size, verbose=0)
    return np.asarray(scores, dtype=np.float64).reshape(-1)
