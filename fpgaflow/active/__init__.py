"""Pool-based active learning: start from a few labelled hit maps, and each round train the deployed-size
QKeras model, score the unlabelled pool, label the maps worth labelling, until the label budget is spent —
with any augmentation (none, RandAugment, TrivialAugment, a searched policy file) and any acquisition
(random control, entropy, margin, core-set).  ``fpgaflow active CONFIG --out DIR`` runs the grid on the
study's executors and writes label-efficiency curves, per-method tables and the labels each method needs to
reach the random/no-augmentation accuracy at the full budget.

TensorFlow is imported lazily inside the jobs, so planning a run does not load it.
"""
