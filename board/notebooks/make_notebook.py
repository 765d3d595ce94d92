"""Generate classify_hitmaps.ipynb beside this script (the cells stay reviewable as code; rerun after edits)."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    new_markdown_cell("""# Classify pixel hit maps on the PYNQ-Z2

This notebook ships inside an fpgaflow board bundle (`RUN_DIR/board`, made by `fpgaflow run`). It loads the
bundle, classifies the bundled test hit maps with the FPGA, and shows accuracy, a confusion matrix, timing
and a few maps with their scores.

**Which board?** `FPGAFLOW_SIMULATED_BOARD=1` forces the simulated PYNQ-Z2 (the bundle's bit-accurate C
simulation behind a register-level DMA model), `=0` forces the real board. Unset: the real board when `pynq`
finds a device and the bundle has a bitstream, else the simulated one. The simulated board is a host-only
tool: it ships only in bundles written before the Vivado build (after `fpgaflow build` the bundle carries the
bitstream instead), and its C simulation runs on the build host's CPU, not the board's ARM. CI runs this
notebook top to bottom on the simulated board; on a board it runs unchanged. Needs numpy, matplotlib and
(on the board) pynq."""),
    new_code_cell("""import os
import sys
from pathlib import Path

import numpy as np

BUNDLE = Path(os.environ.get("FPGAFLOW_BUNDLE", ".")).resolve()
sys.path.insert(0, str(BUNDLE))  # the bundle carries its own copy of the driver package

from fpgaflow_board.results import design_digest, save_results
from fpgaflow_board.session import open_bundle

session = open_bundle(BUNDLE)
clf = session.classifier
m = session.manifest
print(f"board: {session.board}; design {m.project_name}, input {m.input_shape}, "
      f"{m.input_precision} in / {m.output_precision} out, stream words {m.stream_dtype}")
print(f"DMA {clf.design.dma_path}, network {clf.design.network_path}, "
      f"at most {clf.design.max_transfer_bytes} bytes per transfer")"""),
    new_code_cell("""with np.load(BUNDLE / m.test_maps) as data:
    maps, labels = data["maps"], data["labels"].astype(int)
with np.load(BUNDLE / m.expected_outputs) as data:
    expected_raw, expected_scores = data["csim_raw"], data["csim"]
print(f"{len(maps)} test maps, {int(labels.sum())} with a particle")

result = clf.classify(maps, batch_size=64)
print(result.timing.summary())
if result.n_out_of_range:
    print(f"warning: {result.n_out_of_range} inputs outside {m.input_precision} (wrapped in hardware)")"""),
    new_code_cell("""accuracy = float(np.mean(result.labels == labels))
bit_exact = float(np.mean(result.raw[:, 0] == expected_raw))
agreement = float(np.mean(result.labels == (expected_scores >= m.threshold)))
print(f"accuracy {accuracy:.4f}; agreement with the C simulation: decisions {agreement:.4f}, "
      f"raw outputs bit-exact {bit_exact:.4f}")

confusion = np.zeros((2, 2), dtype=int)
np.add.at(confusion, (labels, result.labels.astype(int)), 1)
print("confusion matrix (rows: true, columns: predicted)", m.class_names)
print(confusion)"""),
    new_markdown_cell("""## Beside the baselines

The bundle's `baselines.json` holds what a pixel physicist tries first — the any-pixel rule, the best single
cut, a cluster-shape table, boosted trees on cluster features, a two-stage cluster tree — fitted on the host on
the run's training maps, with each one's decision on these very test maps (numbers, not models: the board
needs numpy only). Δ is this design's accuracy here minus the baseline's; "only it" / "only design" count the
maps where just one of the two is right (McNemar's test uses exactly those)."""),
    new_code_cell("""import json
from math import comb

def wilson_half_width(k, n, z=1.0):  # one-sigma binomial interval, as the host reports
    p = k / n
    return z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)

def mcnemar_mid_p(b, c):
    n, m = b + c, min(b, c)
    if n == 0:
        return 1.0
    cdf = sum(comb(n, i) for i in range(m + 1)) / 2**n
    return min(1.0, 2 * cdf - comb(n, m) / 2**n)

baselines_file = BUNDLE / "baselines.json"
if baselines_file.is_file():
    baselines = json.loads(baselines_file.read_text())
    design_right = result.labels == labels
    n = len(labels)
    head = ("classifier", "accuracy (%)", "Δ (pp)", "only it", "only design", "McNemar p")
    print("{:52s} {:>13s} {:>7s} {:>8s} {:>12s} {:>10s}".format(*head))
    print(f"{'this design on the ' + session.board + ' board':52s} "
          f"{100 * accuracy:7.1f} ± {100 * wilson_half_width(int(design_right.sum()), n):.1f}")
    for family, b in baselines["families"].items():
        right = np.asarray(b["decisions"]) == labels
        only_it, only_design = int(np.sum(right & ~design_right)), int(np.sum(~right & design_right))
        print(f"{family + ': ' + b['working_point']:52s} {100 * right.mean():7.1f} ± "
              f"{100 * wilson_half_width(int(right.sum()), n):.1f} {100 * (accuracy - right.mean()):+7.1f} "
              f"{only_it:8d} {only_design:12d} {mcnemar_mid_p(only_it, only_design):10.2g}")
    print("on the host:", baselines["headline"])
else:
    print("this bundle carries no baselines.json (made before fpgaflow measured baselines in every run)")"""),
    new_code_cell("""%matplotlib inline
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(3.5, 3))
ax.imshow(confusion, cmap="Blues")
for (i, j), v in np.ndenumerate(confusion):
    ax.text(j, i, str(v), ha="center", va="center")
ax.set_xticks([0, 1], m.class_names)
ax.set_yticks([0, 1], m.class_names)
ax.set_xlabel("predicted")
ax.set_ylabel("true")
ax.set_title(f"accuracy {accuracy:.3f}")
plt.show()"""),
    new_code_cell("""# Throughput against batch size: small batches pay the per-transfer overhead.
# On the simulated board these are speeds of the host computer running the C simulation, not the board's.
rates = {}
for batch_size in (1, 16, 64, 256):
    n = min(len(maps), 4 * batch_size)
    rates[batch_size] = clf.classify(maps[:n], batch_size=batch_size).timing
for batch_size, t in rates.items():
    print(f"batch {batch_size:4d}: {t.maps_per_s:10,.0f} maps/s, median batch latency {t.latency_ms():8.3f} ms "
          f"({t.where})")"""),
    new_code_cell("""show = np.concatenate([np.flatnonzero(labels == 1)[:3], np.flatnonzero(labels == 0)[:3]])
fig, axes = plt.subplots(1, len(show), figsize=(2.2 * len(show), 2.6))
for ax, i in zip(axes, show, strict=True):
    ax.imshow(maps[i, ..., 0], cmap="viridis")
    ax.set_title(f"#{i} true {labels[i]}\\nscore {result.scores[i]:.3f}", fontsize=9)
    ax.axis("off")
plt.show()"""),
    new_code_cell("""out = Path(os.environ.get("FPGAFLOW_RESULTS", "results.npz"))
save_results(out, result, session.board, m.project_name, design_digest(m))
clf.close()
print(f"saved {out}; on the host run:  fpgaflow check {BUNDLE.name} {out.name}")"""),
]


def build() -> nbformat.NotebookNode:
    for i, cell in enumerate(CELLS):
        cell["id"] = f"cell-{i}"  # stable ids: regenerating gives an identical file
    nb = new_notebook(
        cells=CELLS,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nb


if __name__ == "__main__":
    nbformat.write(build(), Path(__file__).with_name("classify_hitmaps.ipynb"))
