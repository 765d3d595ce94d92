"""The run report in a real browser: Debian's headless Chromium renders report.html from a file (no network,
no DevTools protocol).  A copy of the page with a probe script appended says, after the load event, where
each section and image was laid out and whether each image decoded (``--dump-dom``); a screenshot of the page
itself must then show each figure where the probe found it, pixel for pixel.

`make test` installs Chromium when it can (Makefile: browser-if-possible); without it this test skips,
saying so."""

from __future__ import annotations

import base64
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from report_run import make_run

from fpgaflow.pipeline.report import SECTION_IDS, write_reports

CHROMIUM = shutil.which("chromium")

#: Headless flags that work on a closed network as root (no sandbox, no background connections).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often give /dev/shm 64 MiB: Chromium's tabs crash there
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
WIDTH, HEIGHT = 1280, 2400

PROBE = """<script>
window.addEventListener("load", function () {
  var out = {sections: {}, images: []};
  document.querySelectorAll("section").forEach(function (s) {
    var r = s.getBoundingClientRect();
    out.sections[s.id] = {height: r.height, top: r.top + window.scrollY, shown: s.offsetParent !== null};
  });
  document.querySelectorAll("img").forEach(function (i) {
    var r = i.getBoundingClientRect();
    out.images.push({alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth,
                     naturalHeight: i.naturalHeight, x: r.left + window.scrollX, y: r.top + window.scrollY,
                     width: r.width, height: r.height, src: i.src});
  });
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def why_no_chromium() -> str:
    """Why the browser test cannot run here, in words (what `make test`'s browser-if-possible target met)."""
    if os.geteuid() != 0:
        return "no chromium on PATH, and installing it needs root (as root: apt-get install chromium)"
    if shutil.which("apt-get") is None:
        return "no chromium on PATH, and no apt-get to install it (install Chromium; the test runs `chromium`)"
    return "no chromium on PATH: `make test` tried apt-get install chromium and it failed (offline?)"


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=why_no_chromium())


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={WIDTH},{HEIGHT}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def why_chromium_cannot_start(tmp_path: Path) -> str | None:
    """``None`` when Chromium starts here (a blank page loads), else why not, quoting the browser's last error
    line: an install that cannot start (Ubuntu's snap stub in a container, a missing library)."""
    try:
        blank = _chromium(tmp_path, "--dump-dom", "about:blank")
    except subprocess.CalledProcessError as exc:
        lines = str(exc.stderr or "").strip().splitlines()
        return f"{CHROMIUM} is installed but does not start here: {lines[-1] if lines else exc}"
    except subprocess.TimeoutExpired:
        return f"{CHROMIUM} is installed but did not load a blank page in 120 s"
    return None if "<body></body>" in blank.stdout else f"{CHROMIUM} loaded a blank page as {blank.stdout[:80]!r}"


@pytest.fixture
def browser(tmp_path: Path) -> None:
    """Skip (saying why) where Chromium is installed but cannot start; our page is not involved yet."""
    why = why_chromium_cannot_start(tmp_path)
    if why:
        pytest.skip(why)


@needs_chromium
@pytest.mark.usefixtures("browser")
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    from PIL import Image

    run = tmp_path / "run"
    make_run(run)
    page = write_reports(run).html
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")

    dom = _chromium(tmp_path, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run: the page did not finish loading"
    laid_out = json.loads(html.unescape(found.group(1)))

    # Every section is displayed, in order, with its content.
    sections = laid_out["sections"]
    assert list(sections) == list(SECTION_IDS)
    tops = [sections[s]["top"] for s in SECTION_IDS]
    assert tops == sorted(tops)
    for name, box in sections.items():
        assert box["shown"] and box["height"] > 60, (name, box)

    # No broken image: every figure decoded, at its own size (none scaled up, none empty).
    images = laid_out["images"]
    assert len(images) == 7
    for img in images:
        assert img["complete"] and img["naturalWidth"] > 300 and img["naturalHeight"] > 150, img["alt"]
        assert img["src"].startswith("data:image/png;base64,")

    # The screenshot of the page itself shows each figure that lies in view where the probe found it.
    shot = tmp_path / "page.png"
    _chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    screen = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int16)
    assert screen.shape == (HEIGHT, WIDTH, 3)
    assert (np.abs(screen - 255).sum(axis=2) > 30).mean() > 0.05  # not a blank page
    compared = 0
    for img in images:
        x, y = round(img["x"]) + 1, round(img["y"]) + 1  # inside the 1 px border
        w, h = img["naturalWidth"], img["naturalHeight"]
        unscaled = abs(img["width"] - 2 - w) < 0.5
        if not unscaled or y + h > HEIGHT:
            continue
        png = Image.open(io.BytesIO(base64.b64decode(img["src"].split(",", 1)[1]))).convert("RGB")
        expected = np.asarray(png, dtype=np.int16)
        shown = screen[y : y + h, x : x + w]
        assert np.abs(shown - expected).mean() < 4.0, img["alt"]
        compared += 1
    assert compared >= 1, "no figure fell inside the screenshot unscaled"


MAKE = shutil.which("make")
ROOT = Path(__file__).resolve().parents[1]


def _browser_target(tmp_path: Path, uid: int, apt_get: str | None, chromium: bool) -> str:
    """Run the Makefile's browser-if-possible target with a PATH holding only fakes: ``id -u`` printing
    ``uid``, ``apt-get`` running the shell line ``apt_get`` (absent when ``None``), ``chromium`` when asked."""
    assert MAKE is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    fakes = {"id": f"echo {uid}", "apt-get": apt_get, "chromium": "exit 0" if chromium else None}
    for name, body in fakes.items():
        if body is not None:
            (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
            (bin_dir / name).chmod(0o755)
    done = subprocess.run(
        [MAKE, "-s", "--no-print-directory", "-C", str(ROOT), "browser-if-possible"],
        check=False,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr  # `make test` goes on to the tests whatever happens here
    return done.stdout.strip()


@pytest.mark.skipif(MAKE is None, reason="no make")
def test_make_test_installs_chromium_or_says_why_the_browser_test_skips(tmp_path: Path) -> None:
    assert _browser_target(tmp_path / "present", 0, None, chromium=True) == ""
    assert _browser_target(tmp_path / "user", 1000, "exit 1", chromium=False) == (
        "note: no chromium, and apt-get needs root; the report's browser test will skip"
    )
    log = tmp_path / "apt.log"
    offline = _browser_target(tmp_path / "offline", 0, f'echo "$@" >> {log}; exit 100', chromium=False)
    assert offline.splitlines() == [
        "installing Debian's chromium (headless browser for the report test)",
        "note: chromium could not be installed; the report's browser test will skip",
    ]
    assert log.read_text().splitlines() == ["update -qq"]  # the install is not tried after a failed update
    (tmp_path / "apt2.log").write_text("")
    ok = _browser_target(tmp_path / "online", 0, f'echo "$@" >> {tmp_path / "apt2.log"}', chromium=False)
    assert ok == "installing Debian's chromium (headless browser for the report test)"
    assert (tmp_path / "apt2.log").read_text().splitlines() == [
        "update -qq",
        "install -y -qq --no-install-recommends chromium",
    ]


def test_a_chromium_that_cannot_start_is_named_with_its_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'snap-confine: cannot run in a container' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", str(fake))
    assert (
        why_chromium_cannot_start(tmp_path)
        == f"{fake} is installed but does not start here: snap-confine: cannot run in a container"
    )
    fake.write_text("#!/bin/sh\necho '<html><head></head><body></body></html>'\n")
    assert why_chromium_cannot_start(tmp_path) is None
