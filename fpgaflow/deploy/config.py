"""Typed config of ``fpgaflow deploy``: which board, where the bundle goes there, how the driver runs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fpgaflow.config.strict import check

_HOST = re.compile(r"^([A-Za-z0-9._-]+@)?[A-Za-z0-9._:-]+$")
_REMOTE_DIR = re.compile(r"^[A-Za-z0-9_./-]+$")


@dataclass(frozen=True)
class DeployConfig:
    """Settings of ``fpgaflow deploy``.

    ``host``: the board as ssh names it, ``USER@BOARD`` (PYNQ images: user ``xilinx``), or an alias from
    ``~/.ssh/config``; required.  ``remote_dir``: the folder on the board that receives one folder per run
    (absolute, so it does not depend on which shell starts where).  ``remote_shell``: how the board starts
    the driver — as root (the PL and the DMA buffers need it) in a login shell (PYNQ's ``/etc/profile.d``
    puts its Python environment and XRT on the path); ``sudo -n`` fails at once instead of asking for a
    password.  ``python``: the interpreter there.  ``batch_size``: maps per DMA transfer; ``timeout_s``:
    the driver's limit per DMA wait.  ``ssh``/``scp`` and ``ssh_options``: the OpenSSH client programs and
    the options given to both (``BatchMode=yes``: never prompt).  ``command_timeout_s``: limit per
    ssh/scp call.
    """

    host: str = ""
    remote_dir: str = "/home/xilinx/fpgaflow"
    remote_shell: tuple[str, ...] = ("sudo", "-n", "bash", "-lc")
    python: str = "python3"
    batch_size: int = 256
    timeout_s: float = 2.0
    ssh: str = "ssh"
    scp: str = "scp"
    ssh_options: tuple[str, ...] = ("-o", "BatchMode=yes", "-o", "ConnectTimeout=10")
    command_timeout_s: float = 600.0

    def __post_init__(self) -> None:
        check(
            self.host == "" or _HOST.match(self.host) is not None,
            f"deploy.host must look like USER@BOARD (letters, digits, . _ - :), got {self.host!r}",
        )
        check(
            _REMOTE_DIR.match(self.remote_dir) is not None and ".." not in self.remote_dir.split("/"),
            f"deploy.remote_dir must be a plain path (letters, digits, _ . / -, no ..), got {self.remote_dir!r}",
        )
        check(self.batch_size >= 1, f"deploy.batch_size must be >= 1, got {self.batch_size}")
        check(0 < self.timeout_s < float("inf"), f"deploy.timeout_s must be a positive number, got {self.timeout_s}")
        check(
            0 < self.command_timeout_s < float("inf"),
            f"deploy.command_timeout_s must be a positive number, got {self.command_timeout_s}",
        )
