"""The candidate architectures of a search: the base model, and the base with one axis changed per listed value."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fpgaflow.archsearch.config import ArchSearchConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import ConfigError
from fpgaflow.train.config import ModelConfig


@dataclass(frozen=True)
class Architecture:
    """One candidate: ``label`` (``base`` or ``axis=value``), its model config and pruning config."""

    label: str
    model: ModelConfig
    prune: PruneConfig


def with_depth(base: ModelConfig, depth: int) -> ModelConfig:
    """``depth`` conv blocks: the base's first, then copies of its second (its first when it has one), the base's
    last pooling after the last block and no pooling before."""
    kernels, strides, pools, filters = base.kernels(), base.strides(), base.pools(), base.conv_filters
    second = 1 if len(filters) > 1 else 0
    idx = [0] + [second] * (depth - 1)
    return replace(
        base,
        conv_filters=tuple(filters[i] for i in idx),
        kernel_sizes=tuple(kernels[i] for i in idx),
        conv_strides=tuple(strides[0] if k == 0 else (strides[i] if second else 1) for k, i in enumerate(idx)),
        pool_sizes=tuple(pools[-1] if k == depth - 1 else 1 for k in range(depth)),
        conv_paddings=tuple(base.conv_paddings[i] for i in idx) if base.conv_paddings else (),
    )


def enumerate_architectures(base: ModelConfig, prune: PruneConfig, cfg: ArchSearchConfig) -> list[Architecture]:
    """The base, then one candidate per listed value (axes in :class:`ArchSearchConfig` order); a value equal to
    the base's is skipped (it is the base).  Raises :class:`ConfigError` for a base that is not a ``qcnn``."""
    if base.name != "qcnn":
        raise ConfigError(f"search: the architecture search varies the qcnn model, not {base.name!r}")
    out = [Architecture("base", base, prune)]
    n_blocks = len(base.conv_filters)

    def add(label: str, model: ModelConfig, pruning: PruneConfig = prune) -> None:
        if (model, pruning) != (base, prune):
            out.append(Architecture(label, model, pruning))

    for f in cfg.filters:
        add(f"filters={f}", replace(base, conv_filters=(f,) * n_blocks))
    for d in cfg.depths:
        add(f"depth={d}", with_depth(base, d))
    for p in cfg.final_pools:
        pools = base.pools()
        add(f"final_pool={p}", replace(base, pool_sizes=(*pools[:-1], p)))
    for u in cfg.dense_units:
        add(f"dense={u}", replace(base, dense_units=(u,) if u else ()))
    for b in cfg.weight_bits:
        add(f"weight_bits={b}", replace(base, weights=replace(base.weights, bits=b)))
    for b in cfg.activation_bits:
        add(f"activation_bits={b}", replace(base, activations=replace(base.activations, bits=b)))
    for s in cfg.sparsities:
        add(
            f"sparsity={s:g}",
            base,
            replace(prune, enabled=s > 0, target_sparsity=s if s > 0 else prune.target_sparsity),
        )
    return out
