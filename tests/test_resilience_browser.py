"""The resilience report in a real browser (headless Chromium): the heat map
what-if x service is laid out with its colours, every cell links to a
what-if's section, and each what-if's graph is drawn.  Skipped where
Chromium, Graphviz or Pillow is absent (see test_report_browser)."""

from __future__ import annotations

import pytest

from conftest import SAMPLES, run_pengine
from test_report_browser import (ARTIFACTS, WINDOW, Image, dump_dom, ink, pytestmark,  # noqa: F401
                                 report_artifact, screenshot)

STOPPED_RED = (0xc6, 0x28, 0x28)     # .rs-stopped
MOVED_BLUE = (0x42, 0xa5, 0xf5)      # .rs-moved


def test_resilience_report_is_displayed_in_chromium(tmp_path, capsys):
    page = ARTIFACTS / "report-fragile-resilience.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = run_pengine("resilience", "-x", SAMPLES / "fragile-status.xml", "--report", page)
    assert result.returncode == 0, result.stderr
    dom = dump_dom(page, tmp_path)
    assert dom.find("body").get("data-ready") == "1"
    heat = dom.find("table", cls="rs-heat")
    rows = heat.find("tbody").find_all("tr")
    assert len(rows) == 15                       # 3 failures, 3 drains, 9 thresholds
    links = {a.get("href") for a in heat.find_all("a")}
    for index in range(len(rows)):
        assert f"#w{index}" in links and dom.by_id(f"w{index}") is not None
    assert heat.find("td", cls="rs-stopped") is not None
    figures = dom.find_all("figure", cls="pg-graph")
    assert len(figures) >= 3
    for figure in figures:
        width, height = map(int, figure.get("data-rendered").split("x"))
        assert width > 50 and height > 30
    shot = screenshot(page, tmp_path, "report-fragile-resilience.png")
    with Image.open(shot) as image:
        assert image.size == WINDOW
        share, colours = ink(image)
        assert share > 0.03 and colours > 20
        pixels = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
        assert STOPPED_RED in pixels and MOVED_BLUE in pixels   # the heat map is painted
    report_artifact(capsys, page, shot)
