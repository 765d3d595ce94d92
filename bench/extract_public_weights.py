"""Copy the weights of the public calibration designs out of their repositories into ``.npz`` files.

    .venv/bin/python bench/extract_public_weights.py --mirrors DIR

``DIR`` holds one git clone per repository, named ``owner+name/repo`` (e.g. ``EmileBrt+CNNKDD/repo``).  Each
array is read at the commit the design's reports come from (``shared/calibration/public-designs/*/MODEL.md``):
the hls4ml firmware text files (``firmware/weights/*.txt``, the values hls4ml wrote, before the C++ type
casts them) or, where no firmware was committed, the Keras weights file.  The output,
``fpgaflow/estimate/public_designs/weights/<design>.npz`` (float32 arrays keyed ``layer/kind``), is committed:
the estimator's calibration rebuilds each design from it and never needs the repositories.
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

log = logging.getLogger("extract_public_weights")
OUT = Path(__file__).resolve().parents[1] / "fpgaflow" / "estimate" / "public_designs" / "weights"

_DNOS = "pominiq+DNNonSilicon"
_NEUT = "uw-acme+HLS4ML_-NeutDetector"
_VSMAN = "uw-acme+HLS4ML_VS_MANUAL"
_PYNQIA = "Gabriele-bot+PYNQ_IA"
_ECE = "seanlipps+ECE226_CoDesign"


def _fw(repo: str, commit: str, folder: str, files: dict[str, str]) -> list[tuple[str, str, str, str]]:
    return [(key, repo, commit, f"{folder}/firmware/weights/{name}.txt") for key, name in files.items()]


_MLP = {"dense/kernel": "w2", "dense/bias": "b2", "dense_1/kernel": "w4", "dense_1/bias": "b4"}
_MNIST = {
    "conv2d/kernel": "w2",
    "conv2d/bias": "b2",
    "conv2d_1/kernel": "w5",
    "conv2d_1/bias": "b5",
    "dense/kernel": "w9",
    "dense/bias": "b9",
}
_NEUT_FILES = {
    "conv1d/kernel": "w2",
    "conv1d/bias": "b2",
    "conv1d_1/kernel": "w5",
    "conv1d_1/bias": "b5",
    "conv1d_2/kernel": "w8",
    "conv1d_2/bias": "b8",
    "wavrec_out/kernel": "w12",
    "wavrec_out/bias": "b12",
}
_JET = {
    "fc1/kernel": "w2",
    "fc1/bias": "b2",
    "fc2/kernel": "w5",
    "fc2/bias": "b5",
    "fc3/kernel": "w8",
    "fc3/bias": "b8",
    "output/kernel": "w11",
    "output/bias": "b11",
}
_HAR = {"conv1/kernel": "w2", "conv1/bias": "b2", "dense/kernel": "w6", "dense/bias": "b6"}
_RNN = {"rnn/kernel": "w2", "rnn/recurrent_kernel": "wr2", "rnn/bias": "b2", "rnn/recurrent_bias": "br2"}

#: design -> [(array key, repository, commit, path)] ("h5:" paths are Keras weight files: path::dataset).
SOURCES: dict[str, list[tuple[str, str, str, str]]] = {
    "kdd_qcnn_v1": _fw(
        "EmileBrt+CNNKDD",
        "1255febeb8",
        "quantized_pruned_cnn",
        {
            "fused_convbn/kernel": "w2",
            "fused_convbn/bias": "b2",
            "bn_dense/scale": "s7",
            "bn_dense/bias": "b7",
            "output_dense/kernel": "w8",
            "output_dense/bias": "b8",
        },
    ),
    "dnd_q4mlp_z7100": [
        (f"{layer}/{kind}", "thaarres+dnd_hls4ml", "4b2d9c5136", f"h5:{path}::{layer}/{layer}/{kind}:0")
        for layer in ("fc1", "fc2")
        for kind in ("kernel", "bias")
        for path in ("hls4ml_model_generation/0316_soft_4bit_alpha1_sigmoid.h5",)
    ],
    "dnos_mlp_rf1": _fw(_DNOS, "7d3cf3586f", "Folder_2_HLS4ML_Vivado_HLS/models/Dummy_RF1_no_pruning", _MLP),
    "dnos_mlp_rf1_pruned": _fw(_DNOS, "7d3cf3586f", "Folder_2_HLS4ML_Vivado_HLS/models/hls4ml_prj", _MLP),
    "dnos_mlp_rf8_pruned": _fw(_DNOS, "8e4ac39231", "Folder_2_HLS4ML_Vivado_HLS/models/hls4ml_prj", _MLP),
    "dnos_mlp_rf16_pruned75": _fw(
        _DNOS, "d3a8c69079", "Folder_2_HLS4ML_Vivado_HLS/models/Dummy_RF16_with_pruning75", _MLP
    ),
    "dnos_mnistcnn_rf1_u50": _fw(_DNOS, "d3a8c69079", "Folder_2_HLS4ML_Vivado_HLS/models/MNIST_original", _MNIST),
    "dnos_mnistcnn_rf16": _fw(_DNOS, "c28e4f1689", "hls4ml_prj", _MNIST),
    "dnos_mnistcnn_rf64": _fw(
        _DNOS, "4ea9b875b2", "Folder_2_HLS4ML_Vivado_HLS/models/hls4ml_prj_20231210-173433", _MNIST
    ),
    "dnos_sepcnn_cifar_rf16_xc7z020": _fw(
        _DNOS,
        "a44b786db8",
        "hls4ml_prj",
        {
            "separable_conv2d/depthwise_kernel": "d2",
            "separable_conv2d/pointwise_kernel": "p2",
            "separable_conv2d/bias": "b2",
            "batch_normalization/scale": "s5",
            "batch_normalization/bias": "b5",
            "separable_conv2d_1/depthwise_kernel": "d6",
            "separable_conv2d_1/pointwise_kernel": "p6",
            "separable_conv2d_1/bias": "b6",
            "batch_normalization_1/scale": "s9",
            "batch_normalization_1/bias": "b9",
            "separable_conv2d_2/depthwise_kernel": "d10",
            "separable_conv2d_2/pointwise_kernel": "p10",
            "separable_conv2d_2/bias": "b10",
            "dense/kernel": "w13",
            "dense/bias": "b13",
            "dense_1/kernel": "w15",
            "dense_1/bias": "b15",
        },
    ),
    "neut_cnn1d_rf16_7vx690t": _fw(_NEUT, "8a7ea1ad30", "src/hdl/uplane-reuse16", _NEUT_FILES),
    "neut_cnn1d_rf12_7vx690t": _fw(_NEUT, "99f32880b2", "src/hdl/uplane_reuse12_implementation", _NEUT_FILES),
    "vsman_toptag_gru_7vx690t": _fw(
        _VSMAN,
        "29b3c5465b",
        "documents/Benchmarks/Toptag/model_gru_hls/hls4ml_prj",
        {
            **_RNN,
            "layer3/kernel": "w3",
            "layer3/bias": "b3",
            "output_sigmoid/kernel": "w6",
            "output_sigmoid/bias": "b6",
        },
    ),
    "vsman_toptag_lstm_7vx690t": _fw(
        _VSMAN,
        "29b3c5465b",
        "documents/Benchmarks/Toptag/model_lstm_hls/hls4ml_prj",
        {
            **_RNN,
            "layer3/kernel": "w3",
            "layer3/bias": "b3",
            "output_sigmoid/kernel": "w5",
            "output_sigmoid/bias": "b5",
        },
    ),
    "ece226_har_cnn1d_stream_u250": _fw(_ECE, "5d10485a80", "model_1/hls4ml_prj", _HAR),
    "ece226_har_cnn1d_parallel_u250": _fw(_ECE, "bfc2fecfc4", "model_1/hls4ml_prj", _HAR),
    "example_jetmlp_vu9p": _fw(
        "astitwlathe+example-hls4ml",
        "3d789a7ffb",
        "my-hls-test",
        {
            "fc1/kernel": "w2",
            "fc1/bias": "b2",
            "fc2/kernel": "w4",
            "fc2/bias": "b4",
            "fc3/kernel": "w6",
            "fc3/bias": "b6",
            "output/kernel": "w8",
            "output/bias": "b8",
        },
    ),
    "pynqia_mnist_cnn_z020": _fw(
        _PYNQIA,
        "f77db009fe",
        "NN_train/MNIST_Test/HLS_projects/Qkeras_pruned_CNN/hls4ml_PYNQ_prj",
        {
            "q_conv2d/kernel": "w2",
            "q_conv2d/bias": "b2",
            "q_conv2d_1/kernel": "w6",
            "q_conv2d_1/bias": "b6",
            "q_dense/kernel": "w10",
            "q_dense/bias": "b10",
        },
    ),
    "pynqia_jet_qkeras_pruned": _fw(
        _PYNQIA, "f77db009fe", "NN_train/jet_tagging/HLS_projects/Qkeras_pruned/hls4ml_PYNQ_prj", _JET
    ),
    "pynqia_jet_keras_resource": _fw(
        _PYNQIA, "f77db009fe", "NN_train/jet_tagging/HLS_projects/Keras_only/hls4ml_PYNQ_prj", _JET
    ),
    "pynqia_jet_keras_latency": _fw(
        _PYNQIA, "f77db009fe", "NN_train/jet_tagging/HLS_projects/Keras_only/hls4ml_prj", _JET
    ),
    "iris_mlp_z020": _fw(
        "Thifjj+Iris_hls4ml_pynqZ2",
        "4667937147",
        "projeto_iris_hls_ip_axi",
        {
            "fc1/kernel": "w2",
            "fc1/bias": "b2",
            "fc2/kernel": "w4",
            "fc2/bias": "b4",
            "fc3/kernel": "w6",
            "fc3/bias": "b6",
        },
    ),
}


def _git_show(mirrors: Path, repo: str, commit: str, path: str) -> bytes:
    clone = mirrors / repo / "repo"
    return subprocess.run(["git", "-C", str(clone), "show", f"{commit}:{path}"], capture_output=True, check=True).stdout


def read_array(mirrors: Path, repo: str, commit: str, path: str) -> np.ndarray:
    """One weight array: a firmware text file (comma/space separated numbers) or an h5 dataset."""
    if path.startswith("h5:"):
        import h5py

        file, dataset = path[3:].split("::")
        with h5py.File(io.BytesIO(_git_show(mirrors, repo, commit, file)), "r") as h5:
            return np.asarray(h5[dataset], dtype=np.float32).ravel()
    text = _git_show(mirrors, repo, commit, path).decode()
    return np.array([float(x) for x in re.split(r"[,\s]+", text.strip()) if x], dtype=np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", type=Path, required=True, help="folder of owner+name/repo git clones")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    OUT.mkdir(parents=True, exist_ok=True)
    for design, entries in SOURCES.items():
        arrays = {key: read_array(args.mirrors, repo, commit, path) for key, repo, commit, path in entries}
        np.savez_compressed(OUT / f"{design}.npz", **arrays)
        log.info("%s: %s", design, ", ".join(f"{k} {v.size}" for k, v in arrays.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
