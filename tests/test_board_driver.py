"""fpgaflow_board.driver against the simulated PYNQ-Z2 (sim_devices/sim_memory/simulated) on the tiny run's bundle."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fpgaflow_board import dma_status as reg
from fpgaflow_board.csim import CSimLibrary
from fpgaflow_board.dma import Chunk, split_transfers
from fpgaflow_board.driver import HitMapClassifier
from fpgaflow_board.errors import (
    DesignMismatchError,
    DmaError,
    DmaTimeoutError,
    InputShapeError,
    RecoveryNeededError,
)
from fpgaflow_board.manifest import read_manifest
from fpgaflow_board.results import Classification
from fpgaflow_board.scores import apply_output_activation
from fpgaflow_board.simulated import SimulatedBoard


@pytest.fixture(scope="module")
def bundle(tiny_bundle: Path) -> dict[str, Any]:
    m = read_manifest(tiny_bundle)
    with np.load(tiny_bundle / "test_maps.npz") as d:
        maps, labels = d["maps"], d["labels"]
    with np.load(tiny_bundle / "expected_outputs.npz") as d:
        expected = {k: d[k] for k in d.files}
    csim = CSimLibrary(tiny_bundle / m.csim_library, m.n_in, m.n_out, m.project_name)
    # The reference: the C simulation called directly on the scaled maps, no board in between.
    direct = csim.predict(maps.reshape(len(maps), -1) * np.float32(m.input_scale))
    return {
        "dir": tiny_bundle,
        "manifest": m,
        "maps": maps,
        "labels": labels,
        "expected": expected,
        "csim": csim,
        "direct": direct,
    }


@pytest.fixture
def make(bundle: dict[str, Any], tmp_path: Path) -> Callable[..., tuple[HitMapClassifier, SimulatedBoard]]:
    def _make(
        board_kw: dict[str, Any] | None = None,
        hwh_kw: dict[str, Any] | None = None,
        manifest: Any = None,
        **clf_kw: Any,
    ) -> tuple[HitMapClassifier, SimulatedBoard]:
        m = manifest or bundle["manifest"]
        board = SimulatedBoard(m, bundle["csim"], **(board_kw or {}))
        bit = board.write_overlay(tmp_path / f"ov{len(list(tmp_path.iterdir()))}", **(hwh_kw or {}))
        return HitMapClassifier(bit, m, pynq=board.pynq, **clf_kw), board

    return _make


@pytest.mark.parametrize("layout", ["fpgaflow", "hls4ml"])
def test_outputs_bit_identical_to_csim(bundle: dict[str, Any], make: Callable[..., Any], layout: str) -> None:
    clf, board = make(hwh_kw={"layout": layout})
    res = clf.classify(bundle["maps"], batch_size=64)
    assert res.raw.dtype == np.float32
    assert res.raw.shape == (len(bundle["maps"]), 1)
    np.testing.assert_array_equal(res.raw, bundle["direct"])
    np.testing.assert_array_equal(res.raw[:, 0], bundle["expected"]["csim_raw"])
    np.testing.assert_array_equal(res.scores, apply_output_activation(bundle["direct"][:, 0], "sigmoid"))
    assert res.labels.dtype == np.int8
    np.testing.assert_array_equal(res.labels, bundle["expected"]["csim"] >= 0.5)
    assert res.timing.n_maps == len(bundle["maps"])
    assert res.timing.batch_sizes.tolist()[0] == 64
    # The simulated board's speeds are the host's: labelled so wherever they are printed.
    assert clf.host_simulation and res.timing.host_simulation
    assert res.timing.summary().startswith("HOST SIMULATION of the board (the C simulation on this computer")
    assert board.networks[0].maps_done == len(bundle["maps"])
    # Cacheable memory model: the data only arrived because MM2S flushed and S2MM invalidated.
    assert board.memory.flushes >= 4
    assert board.memory.invalidates >= 4
    expected_path = "hier_0/axi_dma_0" if layout == "hls4ml" else "axi_dma_0"
    assert clf.design.dma_path == expected_path


def test_outputs_are_fresh_arrays(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    clf, _ = make()
    maps = bundle["maps"][:8]
    first = clf.predict_raw(maps)
    kept = first.copy()
    first[:] = 99.0
    second = clf.predict_raw(maps)
    assert type(second) is np.ndarray
    assert second.dtype == np.float32
    np.testing.assert_array_equal(second, kept)
    slot = clf._slot(8)
    assert not np.shares_memory(second, slot.out)
    assert not np.shares_memory(second, first)
    third = clf.predict_raw(bundle["maps"][8:16])
    np.testing.assert_array_equal(second, kept)  # the next call does not overwrite earlier results
    np.testing.assert_array_equal(third, bundle["direct"][8:16])


def test_buffers_allocated_once_per_batch_size(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    clf, board = make(max_cached_sizes=2)
    for n in (8, 8, 8, 16, 16, 8):
        clf.predict_raw(bundle["maps"][:n])
    assert clf.allocations == 2
    assert board.memory.allocations == 4
    clf.predict_raw(bundle["maps"][:4])  # a third size evicts the least recently used (16)
    assert clf.allocations == 3
    assert board.memory.live_buffers == 4
    assert sorted({c for c, _ in clf._slots}) == [4, 8]
    clf.close()
    assert board.memory.live_buffers == 0


def test_stream_double_buffers_and_packs_ahead(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    clf, _ = make()
    events: list[str] = []
    encode, finish = clf._encode, clf.dma.finish

    def log_encode(maps: np.ndarray, slot: Any) -> Any:
        events.append(f"encode {len(events)}")
        return encode(maps, slot)

    def log_finish(chunk: Chunk, *args: Any) -> None:
        events.append("finish")
        finish(chunk, *args)

    clf._encode, clf.dma.finish = log_encode, log_finish  # type: ignore[method-assign]
    results = list(clf.classify_stream(bundle["maps"][:100], batch_size=40))
    assert [r.n for r in results] == [40, 40, 20]
    assert [r.first for r in results] == [0, 40, 80]
    # Batch k+1 is packed before batch k's transfer is waited for.
    assert [e.split()[0] for e in events] == ["encode", "encode", "finish", "encode", "finish", "finish"]
    assert clf.allocations == 2  # two slots of 40 maps; the short last batch reuses one
    np.testing.assert_array_equal(np.concatenate([r.raw for r in results]), bundle["direct"][:100])


def test_transfers_split_under_the_length_register(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    clf, board = make(hwh_kw={"length_width": 12})  # 4095 bytes per transfer: 3 maps of 1024 bytes
    assert clf.design.max_transfer_bytes == 4095
    raw = clf.predict_raw(bundle["maps"][:10])
    np.testing.assert_array_equal(raw, bundle["direct"][:10])
    assert clf.dma.transfers == 4
    lengths = [v for off, v in board.dmas[0].register_writes if off in (reg.MM2S + reg.LENGTH, reg.S2MM + reg.LENGTH)]
    assert lengths == [12, 3072, 12, 3072, 12, 3072, 4, 1024]
    assert max(lengths) <= 4095


def test_split_respects_a_64_bit_memory_map(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    clf, board = make(hwh_kw={"length_width": 12, "mm_width": 64})  # 8-byte aligned starts, 4-byte outputs
    np.testing.assert_array_equal(clf.predict_raw(bundle["maps"][:5]), bundle["direct"][:5])
    starts = [v for off, v in board.dmas[0].register_writes if off == reg.S2MM + reg.ADDR]
    assert [a - starts[0] for a in starts] == [0, 8, 16]  # chunks of 2, 2, 1 maps: never a 4-byte start


def test_board_timing_is_not_labelled_as_simulation() -> None:
    timing = Classification.from_batches([], 0.5, 1).timing
    assert not timing.host_simulation and timing.where == "board"
    assert timing.summary().startswith("0 maps in 500.0 ms = 0 maps/s")
    assert Classification.from_batches([], 0.5, 1, host_simulation=True).timing.where == (
        "host simulation, not board throughput"
    )


def test_split_transfers_geometry() -> None:
    assert split_transfers(10, 1024, 4, 4095) == [Chunk(0, 3), Chunk(3, 3), Chunk(6, 3), Chunk(9, 1)]
    assert split_transfers(0, 1024, 4, 4095) == []
    # 6-byte maps on a 4-byte memory map: chunks of an even number of maps keep every start aligned.
    assert split_transfers(7, 6, 2, 20, align=4) == [Chunk(0, 2), Chunk(2, 2), Chunk(4, 2), Chunk(6, 1)]
    with pytest.raises(ValueError, match="c_sg_length_width"):
        split_transfers(1, 1024, 4, 1000)


def test_length_register_too_narrow_fails_at_startup(make: Callable[..., Any]) -> None:
    with pytest.raises(DesignMismatchError, match=r"axi_dma_0: one map needs 1024 bytes .* at most 255 bytes"):
        make(hwh_kw={"length_width": 8})


@pytest.mark.parametrize(
    ("stall", "channel", "status"),
    [
        ("output", r"S2MM \(recv\)", "MM2S_DMASR=0x00001002 [Idle, IOC_Irq]; S2MM_DMASR=0x00000000 [running, busy]"),
        ("input", r"MM2S \(send\)", "MM2S_DMASR=0x00000000 [running, busy]; S2MM_DMASR=0x00000000 [running, busy]"),
    ],
)
def test_stall_times_out_with_decoded_status(
    bundle: dict[str, Any], make: Callable[..., Any], stall: str, channel: str, status: str
) -> None:
    clf, board = make(board_kw={"stall": stall}, timeout_s=0.05)
    with pytest.raises(DmaTimeoutError, match=f"{channel} not idle after 0.05 s") as exc:
        clf.predict_raw(bundle["maps"][:4])
    assert status in str(exc.value)
    assert "call the driver's recover() before retrying" in str(exc.value)
    # The network's state is unknown now: the driver refuses to go on until it is recovered.
    with pytest.raises(RecoveryNeededError, match=f"the last transfer failed \\({channel} timed out after 0.05 s"):
        clf.predict_raw(bundle["maps"][:4])
    assert clf.needs_recovery
    assert clf.recover() == "reset the network IP through nn_reset and soft-reset the DMA axi_dma_0"
    assert board.gpios[0].writes == [(0, 0), (0, 1)]
    assert board.networks[0].resets == 1
    assert not clf.needs_recovery
    np.testing.assert_array_equal(clf.predict_raw(bundle["maps"][:4]), bundle["direct"][:4])


def test_recovery_reloads_the_overlay_when_the_dma_reset_hangs(
    bundle: dict[str, Any], make: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    clf, board = make(board_kw={"stall": "output"}, timeout_s=0.05)
    with pytest.raises(DmaTimeoutError):
        clf.predict_raw(bundle["maps"][:4])

    def hung_reset() -> None:
        raise DmaTimeoutError("DMA soft reset did not complete in 0.05 s")

    monkeypatch.setattr(clf.dma, "reset", hung_reset)
    assert clf.recover() == f"reloaded the overlay {clf.bitfile} (the DMA soft reset did not complete)"
    assert len(board.overlays) == 2
    np.testing.assert_array_equal(clf.predict_raw(bundle["maps"][:4]), bundle["direct"][:4])


def test_a_dma_soft_reset_alone_does_not_recover_the_network(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    """PG021's soft reset resets the DMA, not the IP on its streams: results the network computed for the
    timed-out transfer are still queued inside it and come out in place of the next maps' results."""
    clf, board = make(board_kw={"stall": "output"}, timeout_s=0.05)
    with pytest.raises(DmaTimeoutError):
        clf.predict_raw(bundle["maps"][:4])
    board.networks[0].stall = None  # the hang is over, but nothing reset the network
    clf.dma.reset()  # the DMA's soft reset alone (what the old `reset_dma()` did) clears the driver's guard
    stale = clf.predict_raw(bundle["maps"][4:8])
    np.testing.assert_array_equal(stale, bundle["direct"][:4])  # the previous maps' results
    assert not np.array_equal(stale, bundle["direct"][4:8])


def test_recovery_without_a_network_reset_reloads_the_overlay(
    bundle: dict[str, Any], make: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    """hls4ml's block design has no network reset: reprogramming the fabric is the only honest recovery."""
    clf, board = make(board_kw={"stall": "input"}, hwh_kw={"layout": "hls4ml"}, timeout_s=0.05, download=False)
    assert clf.design.network_reset is None
    with pytest.raises(DmaTimeoutError, match=r"MM2S \(send\) not idle"):
        clf.predict_raw(bundle["maps"][:4])
    with caplog.at_level(logging.WARNING, logger="fpgaflow_board.driver"):
        what = clf.recover()
    assert what == f"reloaded the overlay {clf.bitfile} (the design has no network reset)"
    assert "recovered after: MM2S (send) timed out after 0.05 s (maps 0..3, 4096 bytes to the network)" in caplog.text
    assert len(board.overlays) == 2
    assert board.overlays[1].init_args["download"] is True  # reprogrammed, whatever the first load asked
    assert clf.design.dma is board.dmas[1]
    np.testing.assert_array_equal(clf.predict_raw(bundle["maps"][:4]), bundle["direct"][:4])


class _TwoOutputs:
    """A network that emits two words per map where the design promises one."""

    def __init__(self, csim: CSimLibrary) -> None:
        self.csim = csim

    def predict(self, x: np.ndarray) -> np.ndarray:
        y = self.csim.predict(x)
        return np.concatenate([y, y], axis=1)


def test_dma_error_is_decoded(bundle: dict[str, Any], tmp_path: Path) -> None:
    board = SimulatedBoard(bundle["manifest"], _TwoOutputs(bundle["csim"]))
    clf = HitMapClassifier(board.write_overlay(tmp_path), bundle["manifest"], pynq=board.pynq, timeout_s=0.5)
    with pytest.raises(
        DmaError,
        match=r"S2MM \(recv\) failed .*S2MM_DMASR=0x00004011 \[Halted, DMAIntErr, Err_Irq\]"
        r" \(DMAIntErr: internal error",
    ):
        clf.predict_raw(bundle["maps"][:2])


def test_dma_register_rules(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    _, board = make()
    dma = board.dmas[0]
    assert dma.read(reg.MM2S + reg.DMASR) == 0  # started, not idle before the first transfer
    dma.write(reg.MM2S + reg.LENGTH, 0)
    assert dma.read(reg.MM2S + reg.DMASR) == reg.SR_HALTED | reg.SR_DMA_INT_ERR | reg.SR_ERR_IRQ
    dma.write(reg.MM2S + reg.DMACR, reg.CR_RESET)
    dma.sendchannel.start()
    dma.write(reg.MM2S + reg.ADDR, 0x1000)  # nothing allocated there
    dma.write(reg.MM2S + reg.LENGTH, 1024)
    assert dma.read(reg.MM2S + reg.DMASR) & reg.SR_DMA_DEC_ERR
    assert "DMADecErr: decode error" in reg.ChannelStatus("MM2S", dma.read(reg.MM2S + reg.DMASR)).describe()


def test_unaligned_buffer_is_refused(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    clf, _ = make(board_kw={"buffer_offset": 2})
    with pytest.raises(RuntimeError, match="unaligned transfers; starting address must be aligned to 4 bytes"):
        clf.predict_raw(bundle["maps"][:1])


@pytest.mark.parametrize(
    ("omit", "what"),
    [
        (("network",), r"missing the network IP \(xilinx.com:hls:myproject_axi:1.0"),
        (("dma",), r"missing an AXI DMA \(xilinx.com:ip:axi_dma:7.1"),
        (("dma", "network"), "missing an AXI DMA .* and the network IP"),
    ],
)
def test_startup_check_names_missing_ip(make: Callable[..., Any], omit: tuple[str, ...], what: str) -> None:
    with pytest.raises(DesignMismatchError, match=what + r".*; found: processing_system7_0 \("):
        make(hwh_kw={"omit": omit})


def test_startup_check_stream_width(bundle: dict[str, Any], tmp_path: Path) -> None:
    float_board = SimulatedBoard(bundle["manifest"], bundle["csim"])
    fixed = dataclasses.replace(bundle["manifest"], stream_dtype="fixed")
    with pytest.raises(DesignMismatchError, match=r"stream widths MM2S 32 / S2MM 32 bits, but .* 'fixed' needs 8 / 32"):
        HitMapClassifier(float_board.write_overlay(tmp_path), fixed, pynq=float_board.pynq)


def test_overlay_arguments_pass_through(make: Callable[..., Any]) -> None:
    _, board = make(download=False, ignore_version=True, device="pynq-z2-0", dtbo="extra.dtbo", gen_cache=True)
    args = board.overlays[0].init_args
    assert (args["download"], args["ignore_version"], args["device"], args["dtbo"], args["gen_cache"]) == (
        False,
        True,
        "pynq-z2-0",
        "extra.dtbo",
        True,
    )


def test_fixed_point_stream_words(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    """Designs streaming ap_ufixed<8,0> in / ap_fixed<25,13> out: the driver packs, results stay bit-exact."""
    fixed = dataclasses.replace(bundle["manifest"], stream_dtype="fixed")
    clf, board = make(manifest=fixed)
    assert clf.codec.in_word == np.uint8
    assert clf.codec.out_word == np.uint32
    assert (clf.design.mm2s_stream_bits, clf.design.s2mm_stream_bits) == (8, 32)
    res = clf.classify(bundle["maps"][:50], batch_size=16)
    np.testing.assert_array_equal(res.raw, bundle["direct"][:50])
    assert res.n_out_of_range == 0
    assert board.dmas[0].parameters["c_s_axis_s2mm_tdata_width"] == "32"


def test_a_result_type_wider_than_32_bits_on_a_float_wire_starts(
    bundle: dict[str, Any], make: Callable[..., Any]
) -> None:
    """Only the wire matters to the driver: result_t = ap_fixed<40,8> travels as float words."""
    wide = dataclasses.replace(bundle["manifest"], output_precision="ap_fixed<40,8>")
    clf, _board = make(manifest=wide)
    np.testing.assert_array_equal(clf.predict_raw(bundle["maps"][:8]), bundle["direct"][:8])


def test_sources_file_directory_iterator(bundle: dict[str, Any], make: Callable[..., Any], tmp_path: Path) -> None:
    clf, _ = make()
    maps = bundle["maps"][:30]
    want = bundle["direct"][:30]
    np.savez(tmp_path / "maps.npz", maps=maps, labels=bundle["labels"][:30])
    d = tmp_path / "dir"
    d.mkdir()
    for i in range(3):
        np.save(d / f"part{i}.npy", maps[10 * i : 10 * i + 10, ..., 0])  # without the channel axis
    gen = (m[..., 0] for m in maps)  # one (rows, cols) map at a time
    for source in (tmp_path / "maps.npz", d, gen):
        np.testing.assert_array_equal(clf.classify(source, batch_size=7).raw, want)
    with pytest.raises(InputShapeError, match=r"item 1: hit maps of shape \(8, 8\) do not match .* \(16, 16, 1\)"):
        clf.classify(iter([maps[0], np.zeros((8, 8))]), batch_size=4)


def test_source_error_mid_stream_leaves_the_dma_idle(bundle: dict[str, Any], make: Callable[..., Any]) -> None:
    clf, board = make()

    def maps_then_garbage() -> Any:
        yield bundle["maps"][:8]  # one full batch: its transfer is in flight when the next item fails
        yield np.zeros((3, 3))

    finished: list[Chunk] = []
    finish = clf.dma.finish
    clf.dma.finish = lambda chunk, *a: (finished.append(chunk), finish(chunk, *a))[1]  # type: ignore[method-assign]
    with pytest.raises(InputShapeError, match="item 1"):
        list(clf.classify_stream(maps_then_garbage(), batch_size=8))
    assert finished == [Chunk(0, 8)]  # the in-flight batch was waited for (its result is dropped)
    assert board.dmas[0].read(reg.S2MM + reg.DMASR) & reg.SR_IDLE
    np.testing.assert_array_equal(clf.predict_raw(bundle["maps"][:3]), bundle["direct"][:3])
    early = clf.classify_stream(bundle["maps"][:40], batch_size=8)
    assert next(early).n == 8
    early.close()  # the consumer stops: nothing is left in flight
    np.testing.assert_array_equal(clf.predict_raw(bundle["maps"][:3]), bundle["direct"][:3])
