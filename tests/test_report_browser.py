"""The HTML report in a real browser: headless Chromium (Debian's
``chromium``) loads the page, its script runs, and the graph and the summary
are laid out; a screenshot of each page is kept as a test artifact in
``tests/artifacts/`` (printed by the test).  Skipped where Chromium or
Graphviz is absent."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES, run_pengine
from htmltree import parse_html

ARTIFACTS = Path(os.environ.get("PENGINE_TEST_ARTIFACTS", REPO / "tests" / "artifacts"))
WINDOW = (1400, 2400)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


Image = pytest.importorskip("PIL.Image", reason="Pillow not installed (pip install '.[test]')")

pytestmark = [
    pytest.mark.skipif(chromium() is None, reason="Chromium not installed "
                                                  "(Debian: apt-get install chromium)"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed"),
]


def browse(page: Path, tmp_path: Path, *args: str, fragment: str = "") -> subprocess.CompletedProcess:
    """Run headless Chromium on a local page, with a profile of its own and no
    network (the page must need none)."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
               "--disable-background-networking", "--proxy-server=127.0.0.1:9",
               f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", *args,
               page.resolve().as_uri() + fragment]
    env = dict(os.environ, HOME=str(tmp_path))
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=180, env=env, stdin=subprocess.DEVNULL)


def dump_dom(page: Path, tmp_path: Path, fragment: str = ""):
    result = browse(page, tmp_path, "--dump-dom", fragment=fragment)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<body" in result.stdout, result.stderr[-2000:]
    return parse_html(result.stdout)


def screenshot(page: Path, tmp_path: Path, name: str, fragment: str = "") -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    if target.exists():
        target.unlink()
    result = browse(page, tmp_path, f"--screenshot={target}", fragment=fragment)
    assert result.returncode == 0 and target.exists(), result.stderr[-2000:]
    return target


def box(element) -> tuple[int, int, int, int]:
    """The page box (x, y, width, height) the report's script recorded."""
    x, y, width, height = map(int, element.get("data-box").split(","))
    return x, y, width, height


def ink(image, area: tuple[int, int, int, int] | None = None) -> tuple[float, int]:
    """(share of pixels that are not white, number of colours) in an area
    (x, y, width, height) of a screenshot, or in all of it."""
    if area is not None:
        x, y, width, height = area
        image = image.crop((x, y, min(x + width, image.width), min(y + height, image.height)))
    image = image.convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    total = image.width * image.height
    white = sum(count for count, colour in colours if colour == (255, 255, 255))
    return (total - white) / max(total, 1), len(colours)


def report_artifact(capsys, *paths: Path) -> None:
    with capsys.disabled():
        for path in paths:
            print(f"\n[artifact] {path}")


# ------------------------------------------------------------------- tests --

def test_simulate_report_is_displayed_in_chromium(tmp_path, capsys):
    page = ARTIFACTS / "report-webfarm-fail-node1.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = run_pengine("simulate", "-x", SAMPLES / "webfarm-status.xml", "-S", "-f", "node1",
                         "--report", page)
    assert result.returncode == 0, result.stderr
    source = parse_html(page.read_text(encoding="utf-8"))
    details = json.loads(source.find("script", cls="pg-details").text)
    fence = next(name for name, d in details.items() if d["action"] == "fence (reboot) node1")

    # The page as it opens: the script has run and laid the graph out, and
    # the screenshot shows the graph and the summary where they were laid out.
    dom = dump_dom(page, tmp_path)
    assert dom.find("body").get("data-ready") == "1"
    assert dom.by_id("pg-tip").get("hidden") is not None
    figure = dom.find("figure", cls="pg-graph")
    width, height = map(int, figure.get("data-rendered").split("x"))
    assert width > 300 and height > 150
    assert int(figure.get("data-actions")) >= len(details)      # + the legend
    summary = dom.by_id("summary").find("ul", cls="pg-summary")
    assert len(summary.find_all("li", cls="pg-change")) == 5
    assert "Fence" in summary.find("li").text
    assert dom.by_id("cluster").find("table", cls="pg-grid") is not None
    graph_box, summary_box = box(figure.find("svg")), box(summary)
    shot = screenshot(page, tmp_path, "report-webfarm-fail-node1.png")
    with Image.open(shot) as image:
        assert image.size == WINDOW
        assert graph_box[1] + graph_box[3] <= WINDOW[1]        # both within the screenshot
        share, colours = ink(image)
        assert share > 0.03 and colours > 20                    # a page, not a blank
        share, colours = ink(image, graph_box)
        assert share > 0.05 and colours > 10                    # the graph is drawn there
        share, _ = ink(image, summary_box)
        assert share > 0.05                                     # and the summary

    # Opened with a link to the fencing action: its details are shown, as on hover.
    dom = dump_dom(page, tmp_path, fragment=f"#action=g0:{fence}")
    tip = dom.by_id("pg-tip")
    assert tip.get("hidden") is None and tip.get("data-action") == f"g0:{fence}"
    text = " ".join(tip.text.split())
    assert "fence (reboot) node1" in text
    assert "peer is no longer part of the cluster" in text
    assert "waits for" in text and "then" in text and "stop web-ip on node1" in text
    hovered = dom.find("g", cls="pg-current")
    assert hovered is not None and hovered.get("data-action") == fence
    detail_shot = screenshot(page, tmp_path, "report-webfarm-fail-node1-fence-details.png",
                             fragment=f"#action=g0:{fence}")
    with Image.open(detail_shot) as image:
        share, colours = ink(image)
        assert share > 0.03 and colours > 20
    report_artifact(capsys, page, shot, detail_shot)


def test_scenario_report_is_displayed_in_chromium(tmp_path, capsys):
    page = ARTIFACTS / "report-haproxy-failover.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = run_pengine("scenario", SAMPLES / "haproxy-failover.toml", "--report", page)
    assert result.returncode == 0, result.stderr
    dom = dump_dom(page, tmp_path)
    assert dom.find("body").get("data-ready") == "1"
    figures = dom.find_all("figure", cls="pg-graph")
    assert len(figures) == 5
    for figure in figures:
        width, height = map(int, figure.get("data-rendered").split("x"))
        assert width > 50 and height > 30
    assert len(dom.by_id("timeline").find("tbody").find_all("tr")) == 5
    first_graph = box(figures[0].find("svg"))
    shot = screenshot(page, tmp_path, "report-haproxy-failover.png")
    with Image.open(shot) as image:
        assert image.size == WINDOW
        share, colours = ink(image)
        assert share > 0.03 and colours > 20
        share, _ = ink(image, first_graph)
        assert share > 0.05
    report_artifact(capsys, page, shot)
