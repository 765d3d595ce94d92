"""The augmentation study: a grid of training jobs (strategies × batch sizes × seeds × models, class-imbalance
variants, ensembles) run in-process, on a process pool or on dask.distributed, and its table.

TensorFlow is imported lazily inside the jobs, so planning a study does not load it.
"""
