"""Write an AutoAugment-style policy file that :func:`fpgaflow.augment.policies.load_policy` (``augment.policy:
file``) reads back, and express RandAugment / TrivialAugment as such files.

A policy file draws one sub-policy uniformly per map.  So RandAugment(N, M) over ``k`` ops is the file of all
``k**N`` ordered N-tuples of ops (with repetition) at magnitude M and probability 1, and TrivialAugment is the
file of ``k × 11`` one-op sub-policies (every op at every magnitude 0..10, probability 1): the augmented maps
follow the same distribution as the policy object's, though not the same random stream.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import yaml

from fpgaflow.augment.policies import PolicyFile, PolicyOp
from fpgaflow.augment.registry import DEFAULT_POLICY_OPS, MAX_MAGNITUDE, check_magnitude, check_op
from fpgaflow.config.strict import to_mapping
from fpgaflow.errors import ConfigError
from fpgaflow_board.atomic import write_text

#: RandAugment files grow as (ops)^N; past this many sub-policies the file is refused (N is too large).
MAX_SUB_POLICIES = 5000


def randaugment_policy(n_ops: int, magnitude: int, ops: Sequence[str] = DEFAULT_POLICY_OPS) -> PolicyFile:
    """RandAugment(``n_ops``, ``magnitude``) over ``ops`` as a policy file (every ordered ``n_ops``-tuple)."""
    names = [check_op(o, "randaugment_policy") for o in ops]
    check_magnitude(magnitude, "randaugment_policy")
    if n_ops < 1 or len(names) ** n_ops > MAX_SUB_POLICIES:
        raise ConfigError(
            f"randaugment_policy: N={n_ops} over {len(names)} ops gives {len(names) ** max(n_ops, 0)} sub-policies; "
            f"N must be >= 1 and the file at most {MAX_SUB_POLICIES} sub-policies"
        )
    return PolicyFile(
        tuple(tuple(PolicyOp(op, 1.0, magnitude) for op in combo) for combo in itertools.product(names, repeat=n_ops))
    )


def trivialaugment_policy(ops: Sequence[str] = DEFAULT_POLICY_OPS) -> PolicyFile:
    """TrivialAugment over ``ops`` as a policy file (one sub-policy per op and magnitude 0..10)."""
    names = [check_op(o, "trivialaugment_policy") for o in ops]
    return PolicyFile(tuple((PolicyOp(op, 1.0, m),) for op in names for m in range(MAX_MAGNITUDE + 1)))


def policy_yaml(policy: PolicyFile, header: str = "") -> str:
    """The policy as YAML text, one sub-policy per line; ``header`` lines become ``#`` comments."""
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    body: str = yaml.safe_dump(to_mapping(policy), sort_keys=False, default_flow_style=None, width=10_000)
    return comment + body


def write_policy(path: Path | str, policy: PolicyFile, header: str = "") -> Path:
    """Write ``policy`` to ``path`` atomically (readable by ``augment.policy: file``)."""
    return write_text(path, policy_yaml(policy, header))
