"""bench/bench_flagship.py's ``--config``: which results file a config writes, and a seed cache that measured another
config is refused rather than quoted (nothing is trained here: the check runs before the pipeline)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(REPO / "bench"))  # bench_flagship imports bench_emulate as a sibling script
    spec = importlib.util.spec_from_file_location("bench_flagship", REPO / "bench" / "bench_flagship.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_results_file_names_the_config(bench: ModuleType) -> None:
    assert bench.results_path("models/default.yaml") == REPO / "bench" / "results_flagship.md"
    assert bench.results_path("models/flagship_gmp.yaml") == REPO / "bench" / "results_flagship_flagship_gmp.md"


def test_config_digest_ignores_comments_and_follows_the_seed(bench: ModuleType, tmp_path: Path) -> None:
    text = (REPO / "models" / "default.yaml").read_text(encoding="utf-8")
    copy = tmp_path / "copy.yaml"
    copy.write_text("# a comment that changes nothing\n" + text, encoding="utf-8")
    default = bench.seed_config(2)
    assert (default.data.seed, default.train.seed) == (2, 4)
    assert bench.config_digest(bench.seed_config(2, str(copy))) == bench.config_digest(default)
    assert bench.config_digest(bench.seed_config(3)) != bench.config_digest(default)


def test_a_seed_cache_of_another_config_is_refused(bench: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "seed1.json").write_text(json.dumps({"config": "models/other.yaml", "config_digest": "0" * 16}))
    with pytest.raises(SystemExit, match=r"seed1.json measured another run config \(models/other.yaml"):
        bench.measure_seed(1, tmp_path)
    digest = bench.config_digest(bench.seed_config(1))
    (tmp_path / "seed1.json").write_text(json.dumps({"config_digest": digest, "seed": 1}))
    assert bench.measure_seed(1, tmp_path) == {"config_digest": digest, "seed": 1}


def _finished_run(run_dir: Path, cfg_dict: dict[str, object], scores: bool = True) -> None:
    (run_dir / ".fpgaflow").mkdir(parents=True)
    (run_dir / ".fpgaflow" / "run.json").write_text(json.dumps({"config": cfg_dict}), encoding="utf-8")
    if scores:
        (run_dir / "verify").mkdir()
        (run_dir / "verify" / "scores.npz").write_bytes(b"")


def test_speed_only_times_the_run_of_the_same_config_and_seed(bench: ModuleType, tmp_path: Path) -> None:
    _finished_run(tmp_path / "seed1", bench.seed_config(1).to_dict())
    assert bench.speed_run_dir(tmp_path, 1) == tmp_path / "seed1"
    with pytest.raises(SystemExit, match=r"seed2 has no readable run config"):
        bench.speed_run_dir(tmp_path, 2)
    _finished_run(tmp_path / "other" / "seed1", bench.seed_config(2).to_dict())
    with pytest.raises(SystemExit, match=r"seed1 was run with another config than models/default.yaml at data seed 1"):
        bench.speed_run_dir(tmp_path / "other", 1)
    _finished_run(tmp_path / "unfinished" / "seed1", bench.seed_config(1).to_dict(), scores=False)
    with pytest.raises(SystemExit, match=r"has no verify scores"):
        bench.speed_run_dir(tmp_path / "unfinished", 1)
