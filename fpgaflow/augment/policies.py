"""Augmentation policies over the hit-map transform set: RandAugment, TrivialAugment, AutoAugment-style files.

* :class:`RandAugment` (Cubuk et al. 2020): each map gets ``n_ops`` ops drawn uniformly (with
  replacement) from the op set, all at one global magnitude ``M`` (0..10).
* :class:`TrivialAugment` (Müller & Hutter 2021): each map gets one op drawn uniformly, at a magnitude
  drawn uniformly from 0..10.
* :class:`SubPolicyAugment`: an AutoAugment-style searched policy — a list of sub-policies, each a list
  of ``(op, probability, magnitude)``; each map gets one sub-policy drawn uniformly and each of its ops
  fires with its probability.  Loaded from YAML by :func:`load_policy`::

      sub_policies:
        - [{op: shift, probability: 0.8, magnitude: 4}, {op: gain, probability: 0.6, magnitude: 7}]
        - [{op: spillover, probability: 0.5, magnitude: 5}]

All three are :class:`~fpgaflow.augment.base.BatchTransform` s (``p`` = probability that the policy
touches a map at all), so they sit in a :class:`~fpgaflow.augment.base.Compose`.  The op set defaults
to :data:`~fpgaflow.augment.registry.DEFAULT_POLICY_OPS`: every registered op except ``rotate90``
(90° turns need square maps) and ``roc_dropout`` (empties small windows); name them to use them.
Work is batched: one vectorised call per (op, magnitude) group, not per map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import BatchTransform
from fpgaflow.augment.registry import (
    DEFAULT_POLICY_OPS,
    MAX_MAGNITUDE,
    check_magnitude,
    check_op,
    make_transform,
)
from fpgaflow.config.strict import check, load_yaml
from fpgaflow.data.hitmaps import MapArray
from fpgaflow.errors import ConfigError


def _check_ops(ops: Sequence[str], owner: str) -> tuple[str, ...]:
    if not ops:
        raise ConfigError(f"{owner}: the op set is empty")
    return tuple(check_op(o, owner) for o in ops)


def _apply_groups(
    maps: MapArray, groups: npt.NDArray[np.integer[Any]], transforms: Sequence[BatchTransform], rng: np.random.Generator
) -> MapArray:
    """Apply ``transforms[g]`` to the maps whose ``groups`` entry is ``g`` (``-1``: untouched)."""
    out = maps.copy()
    for g in np.unique(groups):
        if g < 0:
            continue
        sel = groups == g
        out[sel] = transforms[int(g)](out[sel], rng)
    return out


class RandAugment(BatchTransform):
    """``n_ops`` uniformly chosen ops per map at magnitude ``magnitude`` (0..10)."""

    def __init__(
        self, n_ops: int = 2, magnitude: int = 5, ops: Sequence[str] = DEFAULT_POLICY_OPS, p: float = 1.0
    ) -> None:
        super().__init__(p)
        if n_ops < 1:
            raise ConfigError(f"RandAugment: n_ops (N) must be >= 1, got {n_ops}")
        self.n_ops = int(n_ops)
        self.magnitude = check_magnitude(magnitude, "RandAugment")
        self.ops = _check_ops(ops, "RandAugment")
        self._transforms = [make_transform(o, self.magnitude, 1.0) for o in self.ops]

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        choice = rng.integers(0, len(self.ops), size=(n, self.n_ops))
        apply = rng.random(n) < self.p
        return {"choice": np.where(apply[:, None], choice, -1), "seed": rng.integers(0, 2**63 - 1)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        sub = np.random.default_rng(int(params["seed"]))
        out = maps
        for stage in range(self.n_ops):
            out = _apply_groups(out, params["choice"][:, stage], self._transforms, sub)
        return out

    def __repr__(self) -> str:
        return f"RandAugment(n_ops={self.n_ops}, magnitude={self.magnitude}, ops={self.ops}, p={self.p})"


class TrivialAugment(BatchTransform):
    """One uniformly chosen op per map at a uniformly drawn magnitude 0..10."""

    def __init__(self, ops: Sequence[str] = DEFAULT_POLICY_OPS, p: float = 1.0) -> None:
        super().__init__(p)
        self.ops = _check_ops(ops, "TrivialAugment")
        levels = MAX_MAGNITUDE + 1
        self._transforms = [make_transform(o, m, 1.0) for o in self.ops for m in range(levels)]

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        op = rng.integers(0, len(self.ops), size=n)
        mag = rng.integers(0, MAX_MAGNITUDE + 1, size=n)
        apply = rng.random(n) < self.p
        return {
            "group": np.where(apply, op * (MAX_MAGNITUDE + 1) + mag, -1),
            "seed": rng.integers(0, 2**63 - 1),
        }

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        return _apply_groups(maps, params["group"], self._transforms, np.random.default_rng(int(params["seed"])))

    def __repr__(self) -> str:
        return f"TrivialAugment(ops={self.ops}, p={self.p})"


@dataclass(frozen=True)
class PolicyOp:
    """One step of a sub-policy: ``op`` fires with ``probability`` at ``magnitude`` (0..10)."""

    op: str
    probability: float
    magnitude: int

    def __post_init__(self) -> None:
        check_op(self.op, "policy")
        check(
            0.0 <= self.probability <= 1.0,
            f"policy op {self.op!r}: probability must be in [0, 1], got {self.probability}",
        )
        check_magnitude(self.magnitude, f"policy op {self.op!r}")


@dataclass(frozen=True)
class PolicyFile:
    """An AutoAugment-style policy: sub-policies, one drawn uniformly per map."""

    sub_policies: tuple[tuple[PolicyOp, ...], ...]

    def __post_init__(self) -> None:
        check(len(self.sub_policies) >= 1, "policy: sub_policies must hold at least one sub-policy")
        check(all(len(s) >= 1 for s in self.sub_policies), "policy: every sub-policy needs at least one op")


class SubPolicyAugment(BatchTransform):
    """Apply one uniformly drawn sub-policy per map; each of its ops fires with its own probability."""

    def __init__(self, policy: PolicyFile, p: float = 1.0) -> None:
        super().__init__(p)
        self.policy = policy
        self._steps = [[make_transform(s.op, s.magnitude, 1.0) for s in sub] for sub in policy.sub_policies]
        self._depth = max(len(s) for s in policy.sub_policies)

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        which = rng.integers(0, len(self.policy.sub_policies), size=n)
        fire = rng.random((n, self._depth))
        apply = rng.random(n) < self.p
        return {"which": np.where(apply, which, -1), "fire": fire, "seed": rng.integers(0, 2**63 - 1)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        sub = np.random.default_rng(int(params["seed"]))
        out = maps.copy()
        which, fire = params["which"], params["fire"]
        for s, sub_policy in enumerate(self.policy.sub_policies):
            for j, step in enumerate(sub_policy):
                sel = (which == s) & (fire[:, j] < step.probability)
                if sel.any():
                    out[sel] = self._steps[s][j](out[sel], sub)
        return out

    def __repr__(self) -> str:
        return f"SubPolicyAugment({len(self.policy.sub_policies)} sub-policies, p={self.p})"


def load_policy(path: Path | str) -> SubPolicyAugment:
    """Load an AutoAugment-style policy YAML file (unknown ops and keys raise :class:`ConfigError`)."""
    return SubPolicyAugment(load_yaml(PolicyFile, path))
