"""The baselines a physicist tries before a neural network, measured on the same maps (no TensorFlow here).

``evaluate_baselines(train_maps, train_labels, test_maps, test_labels)`` fits every family on the training
maps, picks each family's best member on validation maps and returns a :class:`BaselineTable` measured on the
test maps; ``table.compare(model_scores)`` gives the paired comparison of a classifier with each family's
best.  Families (``docs/baselines.md``):

* ``any_pixel`` — particle if any pixel is read out;
* ``single_cut`` — the best threshold on total ADC, highest pixel, read-out pixels or clusters;
* ``shape_table`` — a cluster-shape look-up table in the style of CMS's cluster-shape filter;
* ``tree`` — boosted trees on ~20 per-map cluster features;
* ``two_stage`` — a per-cluster tree, then a per-map combiner of the cluster scores.

The truth ceiling (``fpgaflow/baselines/ceiling.py``) is kept for the simulator's per-cluster truth.
"""

from fpgaflow.baselines.base import Baseline, LearnedCut, learn_cut
from fpgaflow.baselines.config import FAMILIES, BaselineConfig
from fpgaflow.baselines.evaluate import evaluate_baselines, members
from fpgaflow.baselines.features import CLUSTER_FEATURES, MAP_FEATURES, Feature, cluster_table, map_features
from fpgaflow.baselines.sample import MapSample, prepare
from fpgaflow.baselines.table import BaselineResult, BaselineTable

__all__ = [
    "CLUSTER_FEATURES",
    "FAMILIES",
    "MAP_FEATURES",
    "Baseline",
    "BaselineConfig",
    "BaselineResult",
    "BaselineTable",
    "Feature",
    "LearnedCut",
    "MapSample",
    "cluster_table",
    "evaluate_baselines",
    "learn_cut",
    "map_features",
    "members",
    "prepare",
]
