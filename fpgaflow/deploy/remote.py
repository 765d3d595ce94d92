"""``ssh``/``scp`` to the board: argument lists (no local shell), bounded in time, one-line errors.

A command that fails raises :class:`StepError` naming the host, what was attempted, the exit status and the
last line the remote side printed (ssh exits 255 when it cannot connect).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from fpgaflow.deploy.config import DeployConfig
from fpgaflow.errors import StepError, ToolNotFoundError

log = logging.getLogger(__name__)


class Remote:
    """The board ``cfg.host`` as reached through ``cfg.ssh``/``cfg.scp``."""

    def __init__(self, cfg: DeployConfig) -> None:
        if not cfg.host:
            raise StepError("no board given: pass --host USER@BOARD (or set deploy.host in the config)")
        self.cfg = cfg
        self.host = cfg.host
        self._ssh = self._tool(cfg.ssh)
        self._scp = self._tool(cfg.scp)

    @staticmethod
    def _tool(name: str) -> str:
        found = shutil.which(name)
        if found is None:
            raise ToolNotFoundError(f"{name} not found on PATH: fpgaflow deploy needs the OpenSSH client (ssh, scp)")
        return found

    def _run(self, argv: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
        log.info("deploy: %s", what)
        log.debug("deploy: %s", " ".join(argv))
        try:
            proc = subprocess.run(
                list(argv), capture_output=True, text=True, timeout=self.cfg.command_timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            raise StepError(
                f"on {self.host}: {what} did not finish within {self.cfg.command_timeout_s:g} s "
                "(deploy.command_timeout_s)"
            ) from None
        if proc.returncode != 0:
            lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
            last = lines[-1].strip() if lines else "no output"
            hint = " (ssh could not connect: check the address, the user and the key)" if proc.returncode == 255 else ""
            raise StepError(f"on {self.host}: {what} failed (exit {proc.returncode}){hint}: {last}")
        return proc

    def ssh(self, command: str, what: str) -> subprocess.CompletedProcess[str]:
        """Run ``command`` (one string for the remote login shell) on the board."""
        return self._run([self._ssh, *self.cfg.ssh_options, self.host, command], what)

    def upload(self, files: Sequence[Path], remote_dir: str) -> None:
        """Copy ``files`` (modes and times kept) into the existing ``remote_dir`` on the board."""
        if files:
            argv = [self._scp, *self.cfg.ssh_options, "-q", "-p", *map(str, files), f"{self.host}:{remote_dir}/"]
            self._run(argv, f"copy {len(files)} file(s) to {remote_dir}")

    def download(self, remote_path: str, local: Path) -> None:
        """Copy ``remote_path`` from the board to ``local``."""
        self._run(
            [self._scp, *self.cfg.ssh_options, "-q", f"{self.host}:{remote_path}", str(local)], f"fetch {remote_path}"
        )
