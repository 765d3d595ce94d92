"""Put a board bundle on a PYNQ-Z2, run it there, and check the results on the host.

Steps (each an ssh or scp call, see :class:`~fpgaflow.deploy.remote.Remote`):

1. read the bundle's manifest here (the same checks the board makes) and refuse one without a bitstream;
2. ``ssh mkdir -p`` the run's folder ``<remote_dir>/<run name>`` and its sub-folders;
3. ``scp`` exactly the files the manifest lists, plus ``manifest.json`` (nothing else of the run);
4. ``ssh`` the bundle's own driver as root in a login shell:
   ``cd <folder> && python3 -m fpgaflow_board . --real --out results.npz --batch-size N --timeout S``
   (``--real``: a board without a usable overlay fails in one line instead of falling back to anything);
5. ``scp`` ``results.npz`` back and judge it with ``fpgaflow check``'s function (bit-exact with the C
   simulation by default).

A run's bundle is deployed under the run directory's lock (:func:`fpgaflow.outdir.hold_lock`): a
``fpgaflow run``/``build`` rewriting ``RUN_DIR/board`` meanwhile is refused, and a deploy is refused while
one runs, so the files sent are the ones the manifest checked.

The host's output directory (``RUN_DIR/deploy`` unless given) holds ``results.npz``, ``board.log`` (what
the board printed), ``check.txt`` and ``check.json``.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path, PurePosixPath

from fpgaflow.deploy.config import DeployConfig
from fpgaflow.deploy.remote import Remote
from fpgaflow.errors import DataError, StepError
from fpgaflow.outdir import MARKER_DIR, hold_lock, staged_output_dir
from fpgaflow.verify.check import CheckReport, check_results
from fpgaflow.verify.config import CheckConfig
from fpgaflow_board.atomic import write_json, write_text
from fpgaflow_board.errors import BundleError
from fpgaflow_board.manifest import MANIFEST_NAME, Manifest, read_manifest

log = logging.getLogger(__name__)

#: The results file the board writes and the host fetches.
RESULTS = "results.npz"


@dataclass(frozen=True)
class Deployment:
    """What a deployment did: the bundle, where it went, the results and their check."""

    bundle: Path
    host: str
    remote_dir: str
    out_dir: Path
    results: Path
    report: CheckReport
    board_output: str


def resolve_bundle(target: Path) -> tuple[Path, str]:
    """(bundle directory, run name) for a run directory (its ``board/``) or a bundle directory."""
    target = Path(target).resolve()
    if (target / MANIFEST_NAME).is_file():
        return target, target.parent.name if target.name == "board" else target.name
    if (target / "board" / MANIFEST_NAME).is_file():
        return target / "board", target.name
    raise DataError(f"{target}: neither a board bundle (no {MANIFEST_NAME}) nor a run directory with board/")


def default_out_dir(bundle: Path) -> Path:
    """``RUN_DIR/deploy`` for a run's bundle, else ``<bundle>_deploy`` beside the bundle."""
    run_dir = _run_of(bundle)
    return run_dir / "deploy" if run_dir is not None else bundle.with_name(bundle.name + "_deploy")


def bundle_files(manifest: Manifest) -> list[str]:
    """Every file to copy: the manifest's checksummed files and the manifest itself (relative POSIX paths),
    grouped by folder."""
    return sorted({*manifest.files, MANIFEST_NAME}, key=lambda name: (_parent(name), name))


def _parent(name: str) -> str:
    return str(PurePosixPath(name).parent)


def board_command(cfg: DeployConfig, remote: str) -> str:
    """The command line the board's login shell runs (every word quoted)."""
    inner = (
        f"cd {shlex.quote(remote)} && {shlex.quote(cfg.python)} -m fpgaflow_board . --real "
        f"--out {RESULTS} --batch-size {cfg.batch_size} --timeout {cfg.timeout_s:g}"
    )
    return shlex.join([*cfg.remote_shell, inner]) if cfg.remote_shell else inner


def _run_of(bundle: Path) -> Path | None:
    """The run directory whose ``board/`` is ``bundle``, or ``None`` for a stand-alone bundle."""
    return bundle.parent if bundle.name == "board" and (bundle.parent / MARKER_DIR / "run.json").is_file() else None


@contextmanager
def _bundle_held(bundle: Path) -> Iterator[None]:
    run_dir = _run_of(bundle)
    with hold_lock(run_dir) if run_dir is not None else nullcontext():
        yield


def deploy(
    target: Path, cfg: DeployConfig, out_dir: Path | None = None, check: CheckConfig | None = None
) -> Deployment:
    """Run the bundle of ``target`` (a run directory or a bundle) on ``cfg.host``; see the module docstring."""
    bundle, run_name = resolve_bundle(target)
    with _bundle_held(bundle):
        return _deploy(bundle, run_name, cfg, out_dir, check)


def _deploy(
    bundle: Path, run_name: str, cfg: DeployConfig, out_dir: Path | None, check: CheckConfig | None
) -> Deployment:
    try:
        manifest = read_manifest(bundle)
    except BundleError as exc:
        raise DataError(str(exc)) from None
    if not manifest.bitstream:
        raise StepError(
            f"{bundle} has no bitstream ({manifest.bitstream_note or 'not built'}): build it first with "
            "`fpgaflow build RUN_DIR`, which writes the bundle again with fpgaflow.bit/.hwh"
        )
    remote_host = Remote(cfg)
    remote = f"{cfg.remote_dir.rstrip('/')}/{run_name}"
    files = bundle_files(manifest)
    folders = sorted({remote} | {f"{remote}/{_parent(f)}" for f in files if _parent(f) != "."})
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(bundle)
    with staged_output_dir(out_dir, "deploy", {"host": cfg.host, "remote_dir": remote, "bundle": str(bundle)}) as stage:
        remote_host.ssh(shlex.join(["mkdir", "-p", *folders]), f"create {remote}")
        for folder, group in groupby(files, key=_parent):
            dest = remote if folder == "." else f"{remote}/{folder}"
            remote_host.upload([bundle / f for f in group], dest)
        run = remote_host.ssh(board_command(cfg, remote), f"run the bundle in {remote}")
        board_output = run.stdout + (run.stderr if run.stderr else "")
        write_text(stage / "board.log", board_output)
        remote_host.download(f"{remote}/{RESULTS}", stage / RESULTS)
        report = check_results(bundle, stage / RESULTS, check)
        write_text(stage / "check.txt", report.format() + "\n")
        write_json(stage / "check.json", report.to_dict(), default=str)
    log.info("deploy: %s ran on %s; results in %s", bundle, cfg.host, out_dir)
    return Deployment(bundle, cfg.host, remote, out_dir, out_dir / RESULTS, report, board_output)
