"""What the input and the activations of a trained model carry: the ADC range of the maps (how many read-out pixels
sit at the ADC's ceiling) and, per layer, the share of non-zero outputs, their 99th percentile and the share that
reaches a saturation value (default 7.96: the top of ``ap_ufixed<8,3>``, 7.97).  The diagnosis of issue 22's
closing-the-gap screening (bench/results_search.md):

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/activation_ranges.py \
        RUN/model/model.h5 RUN/data/val.npz --maps 2000
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

#: The top of ``ap_ufixed<8,3>`` (7.96875) less half a step: an activation at or above it is saturated.
SATURATION = 7.96


def adc_stats(maps: npt.NDArray[Any], ceiling: float = 255.0) -> dict[str, float]:
    """Read-out pixels per map, quantiles of the non-zero pixels and the share of them at ``ceiling`` or above."""
    nonzero = maps[maps > 0]
    q = np.quantile(nonzero, [0.1, 0.5, 0.9]) if nonzero.size else np.zeros(3)
    return {
        "pixels_per_map": float((maps > 0).reshape(len(maps), -1).sum(1).mean()),
        "q10": float(q[0]),
        "median": float(q[1]),
        "q90": float(q[2]),
        "max": float(nonzero.max()) if nonzero.size else 0.0,
        "at_ceiling": float((nonzero >= ceiling).mean()) if nonzero.size else 0.0,
    }


def activation_stats(model: Any, x: npt.NDArray[Any], saturation: float = SATURATION) -> list[dict[str, Any]]:
    """One row per layer after the input: its name, the share of outputs > 0, their 99th percentile, the largest
    output, the share of the non-zero outputs at ``saturation`` or above and the channels never above 0."""
    import tensorflow as tf

    rows = []
    for layer in model.layers[1:]:
        out = tf.keras.Model(model.input, layer.output).predict(x, batch_size=256, verbose=0)
        pos = out[out > 0]
        flat = out.reshape(-1, out.shape[-1])
        rows.append(
            {
                "layer": layer.name,
                "nonzero": float((out > 0).mean()),
                "q99": float(np.quantile(pos, 0.99)) if pos.size else 0.0,
                "max": float(out.max()),
                "saturated": float((pos >= saturation).mean()) if pos.size else 0.0,
                "dead_channels": int((flat.max(0) <= 0).sum()),
            }
        )
    return rows


def main() -> None:
    from fpgaflow.modelio.input_layout import model_inputs
    from fpgaflow.modelio.input_scale import input_scale_for
    from fpgaflow.modelio.load import load_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path)
    ap.add_argument("maps", type=Path, help="an .npz split of a run (its 'maps' array)")
    ap.add_argument("--maps", dest="n_maps", type=int, default=2000, help="first N maps (default 2000)")
    args = ap.parse_args()
    with np.load(args.maps) as data:
        maps = data["maps"][: args.n_maps]
    a = adc_stats(maps)
    print(
        f"{len(maps)} maps: {a['pixels_per_map']:.1f} read-out pixels per map; non-zero ADC q10 / median / q90 "
        f"{a['q10']:.0f} / {a['median']:.0f} / {a['q90']:.0f}, max {a['max']:.0f}; at the ceiling: "
        f"{100 * a['at_ceiling']:.1f} %"
    )
    model = load_model(args.model)
    x = model_inputs(maps, input_scale_for(args.model), tuple(model.input_shape[1:]))
    print("| layer | outputs > 0 | q99 of those | max | saturated (>= 7.96) | dead channels |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in activation_stats(model, x):
        print(
            f"| {r['layer']} | {100 * r['nonzero']:.2f} % | {r['q99']:.3f} | {r['max']:.3f} | "
            f"{100 * r['saturated']:.3f} % | {r['dead_channels']} |"
        )


if __name__ == "__main__":
    main()
