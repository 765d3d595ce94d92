"""The candidates a search ranks — no augmentation, the RandAugment (N, M) grid, TrivialAugment, the searched
policy — each as the augment config its training jobs use and as the policy file it can be written as."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from fpgaflow.augment.config import AugmentConfig
from fpgaflow.augment.policies import PolicyFile
from fpgaflow.augment.write_policy import randaugment_policy, trivialaugment_policy
from fpgaflow.study.config import StrategyVariant
from fpgaflow.study.search.config import SearchConfig

CandidateKind = Literal["none", "randaugment", "trivialaugment", "searched"]


@dataclass(frozen=True)
class Candidate:
    """One ranked policy: ``label`` (the table's and the job files' name), what it is, how it trains."""

    label: str
    kind: CandidateKind
    augment: AugmentConfig
    n_ops: int = 0
    magnitude: int = 0
    searched: PolicyFile | None = None

    def describe(self) -> str:
        """What the policy does, in words for the table."""
        if self.kind == "none":
            return "no augmentation (strategy none)"
        if self.kind == "randaugment":
            return f"RandAugment: N={self.n_ops} ops per map at magnitude M={self.magnitude}"
        if self.kind == "trivialaugment":
            return "TrivialAugment: one op per map, magnitude uniform 0..10"
        n = len(self.searched.sub_policies) if self.searched is not None else 0
        return f"density-matching search: {n} sub-policies"

    def policy_file(self, ops: tuple[str, ...]) -> PolicyFile | None:
        """The candidate as a policy file (``None`` for no augmentation)."""
        if self.kind == "randaugment":
            return randaugment_policy(self.n_ops, self.magnitude, ops)
        if self.kind == "trivialaugment":
            return trivialaugment_policy(ops)
        return self.searched

    def variant(self) -> StrategyVariant:
        return StrategyVariant(self.label, self.augment)


def make_candidates(
    cfg: SearchConfig, ops: tuple[str, ...], searched: tuple[PolicyFile, str] | None
) -> list[Candidate]:
    """Every candidate of ``cfg``; ``searched``: the density search's policy and the file its jobs load."""
    base = dataclasses.replace(cfg.base_augment, policy_ops=ops)
    out: list[Candidate] = []
    if cfg.no_augmentation:
        out.append(Candidate("none", "none", AugmentConfig(strategy="none")))
    for n in cfg.randaugment.n_ops:
        for m in cfg.randaugment.magnitudes:
            augment = dataclasses.replace(base, policy="randaugment", randaugment_n=n, randaugment_m=m)
            out.append(Candidate(f"randaugment-n{n}-m{m}", "randaugment", augment, n_ops=n, magnitude=m))
    if cfg.trivialaugment:
        out.append(Candidate("trivialaugment", "trivialaugment", dataclasses.replace(base, policy="trivialaugment")))
    if searched is not None:
        policy, path = searched
        augment = dataclasses.replace(base, policy="file", policy_file=path)
        out.append(Candidate("searched", "searched", augment, searched=policy))
    return out
