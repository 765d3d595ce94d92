"""Run a board bundle on a PYNQ-Z2 over ssh/scp and judge what comes back: ``fpgaflow deploy``.

:mod:`fpgaflow.deploy.remote` runs ``ssh``/``scp`` (argument lists, never a local shell);
:mod:`fpgaflow.deploy.deploy` copies exactly the files the bundle's manifest lists, runs the bundle's own
``python -m fpgaflow_board --real`` there, fetches ``results.npz`` and checks it with
:func:`fpgaflow.verify.check.check_results` — the same path the hardware-in-the-loop test drives.
"""

from fpgaflow.deploy.config import DeployConfig

__all__ = ["DeployConfig"]
