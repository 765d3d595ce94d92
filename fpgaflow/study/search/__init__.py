"""``fpgaflow augment search``: find the augmentation policy that suits hit maps — a RandAugment (N, M) grid,
TrivialAugment and a density-matching search in the spirit of Fast AutoAugment — and rank them by the
validation accuracy of models trained with each, on the study's executors.

TensorFlow is imported lazily inside the jobs, so planning a search does not load it.
"""
