"""Measure the baselines on a run's (or a file's) maps and write the table directory (what ``fpgaflow
baselines`` does)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpgaflow.baselines.config import BaselineConfig
from fpgaflow.baselines.evaluate import evaluate_baselines
from fpgaflow.baselines.inputs import load_split_maps, module_positions
from fpgaflow.baselines.measure_truth import aligned_cluster_labels
from fpgaflow.baselines.table import BaselineTable
from fpgaflow.outdir import check_output_dir, staged_output_dir

#: Files written into the output directory.
TABLE_MD = "baselines.md"
TABLE_JSON = "baselines.json"
SCORES_NPZ = "baseline_scores.npz"


@dataclass(frozen=True)
class WrittenBaselines:
    """The measured ``table``, where its maps came from (``maps``) and the directory it was written to."""

    table: BaselineTable
    maps: str
    out: Path

    def markdown(self) -> str:
        return f"# Baselines\n\nMaps: {self.maps}.\n\n{self.table.to_markdown()}"

    def lines(self) -> list[str]:
        """The Markdown table and the files written."""
        files = ", ".join(str(self.out / name) for name in (TABLE_MD, TABLE_JSON, SCORES_NPZ))
        return [self.markdown(), f"written: {files}"]


def write_baselines(
    maps: Path,
    cfg: BaselineConfig,
    out: Path,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    split_seed: int = 1,
) -> WrittenBaselines:
    """Evaluate every baseline on ``maps`` (see :func:`~fpgaflow.baselines.inputs.load_split_maps`; the split
    arguments apply to a single file) and write into ``out`` (staged, see :mod:`fpgaflow.outdir`):

    * ``baselines.md`` — the family table and every member;
    * ``baselines.json`` — every member's figures, working point and validation figures, and each family's
      best against the strongest (paired comparison);
    * ``baseline_scores.npz`` — the test ``labels`` and each family's best ``<family>_scores``, ``_cut``,
      ``_name``.
    """
    from fpgaflow.config.strict import to_mapping

    check_output_dir(out, "baselines", replace=True)  # before the work, not after it
    split = load_split_maps(maps, val_fraction, test_fraction, split_seed)
    val = split.val
    table = evaluate_baselines(
        split.train.maps,
        split.train.labels,
        split.test.maps,
        split.test.labels,
        None if val is None else val.maps,
        None if val is None else val.labels,
        train_cluster_labels=aligned_cluster_labels(split.train),
        cfg=cfg,
        positions=module_positions(split.train, val, split.test),
    )
    done = WrittenBaselines(table, split.source, out)
    with staged_output_dir(out, "baselines", {"config": to_mapping(cfg), "maps": split.source}) as staging:
        write_table(done, staging)
    return done


def write_table(done: WrittenBaselines, directory: Path) -> list[Path]:
    """Write ``baselines.md``, ``baselines.json`` and ``baseline_scores.npz`` of ``done`` into ``directory``
    (each file atomically); what ``fpgaflow baselines`` and the run's baselines step write."""
    from fpgaflow_board.atomic import write_json, write_npz, write_text

    return [
        write_text(directory / TABLE_MD, done.markdown()),
        write_json(directory / TABLE_JSON, {"maps": done.maps, **done.table.to_dict()}, allow_nan=False),
        write_npz(directory / SCORES_NPZ, compressed=True, **done.table.score_arrays()),
    ]
