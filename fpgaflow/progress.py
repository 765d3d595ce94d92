"""Progress of a long loop: a tqdm bar on a terminal, plain log lines otherwise (one helper for every stage).

>>> with Progress(900, "C-sim", unit="maps") as bar:       # doctest: +SKIP
...     for batch in batches:
...         bar.update(len(batch), note="agreement 1.000")

On a terminal (stderr is a TTY and INFO logging is on) the loop draws a tqdm bar on stderr, which disappears
when the loop ends.  Elsewhere — a log file, CI, a pipe, ``-q`` — it logs ``desc: k / total unit`` at INFO
each time another ``log_every`` of the total is done (every update with ``log_every=0``), and nothing at all
when INFO is off.  ``FPGAFLOW_PROGRESS=bar|log`` forces either form.  tqdm is imported only for a bar, so
the base install (numpy + pyyaml) logs.
"""

from __future__ import annotations

import logging
import os
import sys
from types import TracebackType
from typing import Any, Literal

#: Environment variable forcing the form: ``bar`` or ``log`` (unset: by terminal).
ENV_PROGRESS = "FPGAFLOW_PROGRESS"

Form = Literal["bar", "log"]

_log = logging.getLogger("fpgaflow.progress")


def choose_form(logger: logging.Logger) -> Form:
    """``bar`` on an interactive terminal with INFO logging on (and tqdm installed), else ``log``."""
    forced = os.environ.get(ENV_PROGRESS, "").strip().lower()
    if forced in ("bar", "log"):
        return forced  # type: ignore[return-value]
    if not logger.isEnabledFor(logging.INFO) or not sys.stderr.isatty():
        return "log"
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return "log"
    return "bar"


class Progress:
    """``total`` units of work (``None``: unknown), called ``desc``, ``initial`` of them already done (e.g. the
    epochs of a resumed training); use it as a context manager.  See the module docstring."""

    def __init__(
        self,
        total: int | None,
        desc: str,
        unit: str = "it",
        *,
        logger: logging.Logger | None = None,
        log_every: float = 0.1,
        initial: int = 0,
        form: Form | None = None,
    ) -> None:
        self.total = total
        self.desc = desc
        self.unit = unit
        self.done = initial
        self._logger = logger or _log
        self._step = max(1, round(log_every * total)) if total and log_every > 0 else 1
        self.form: Form = form or choose_form(self._logger)
        self._bar: Any = None
        if self.form == "bar":
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=initial, desc=desc, unit=f" {unit}", leave=False, dynamic_ncols=True)

    def update(self, n: int = 1, note: str = "") -> None:
        """``n`` more units done; ``note`` (e.g. the epoch's loss) is shown beside the count."""
        before, self.done = self.done, self.done + n
        if self._bar is not None:
            if note:
                self._bar.set_postfix_str(note, refresh=False)
            self._bar.update(n)
            return
        crossed = self.done // self._step != before // self._step or (
            self.total is not None and self.done >= self.total
        )
        if crossed and self._logger.isEnabledFor(logging.INFO):
            of = f" / {self.total}" if self.total is not None else ""
            self._logger.info("%s: %d%s %s%s", self.desc, self.done, of, self.unit, f" ({note})" if note else "")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
