"""Seeding and op determinism for TensorFlow training.

What is deterministic (CPU, TF 2.15, same machine and thread count): with ``train.deterministic: true``
the process sets ``TF_DETERMINISTIC_OPS=1`` and calls ``tf.config.experimental.enable_op_determinism()``,
and ``tf.keras.utils.set_random_seed(seed)`` seeds weight initialisation and dropout; batches come from the
augmentation strategy's own seeded generators.  Two runs with the same seeds then give bit-identical
weights.  Not covered: different thread counts or CPUs (reduction order changes the float sums), GPUs
without deterministic kernels, and dropout after a resume (TF's stateful RNG position is not
checkpointed, so a resumed run with dropout follows a different — equally valid — random stream).
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def configure(seed: int, deterministic: bool) -> None:
    """Seed TensorFlow/Keras (``tf.keras.utils.set_random_seed``) and, if asked, enable op determinism.

    ``set_random_seed`` also seeds Python's and NumPy's global generators: TF's initialisers and QKeras
    read them; fpgaflow's own randomness always uses explicit ``numpy.random.Generator`` objects.
    Op determinism is process-wide and cannot be switched off again.
    """
    import tensorflow as tf

    if deterministic:
        os.environ["TF_DETERMINISTIC_OPS"] = "1"
        tf.config.experimental.enable_op_determinism()
    tf.keras.utils.set_random_seed(seed)
    log.debug("TF seeded with %d (op determinism %s)", seed, "on" if deterministic else "off")
