"""``pengine history`` on real pe-input files (tests/data/history-real: a real
Pacemaker 2.1.5 cluster's crm_report, see its README), through the command."""

from __future__ import annotations

import bz2
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

from tests.conftest import REPO, run_pengine

REAL = REPO / "tests" / "data" / "history-real"
PENGINE_DIR = REAL / "vm" / "pengine"


def logged(directory=REAL) -> dict[int, str]:
    text = (directory / "vm" / "pacemaker.log").read_text()
    return {int(t): f for t, f in re.findall(
        r"Calculated transition (\d+)(?: \(with \w+\))?, saving inputs in \S*/(pe-\w+-\d+\.bz2)",
        text)}


def history_json(*args) -> dict:
    result = run_pengine("history", *map(str, args), "--output-as", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_lists_every_transition_the_log_shows_in_order():
    doc = history_json(REAL)
    listed = {t: rec["input"] + ".bz2" for rec in doc["transitions"] for t in rec["transitions"]}
    assert listed == logged()
    firsts = [rec["transitions"][0] for rec in doc["transitions"]]
    assert firsts == sorted(firsts)
    assert doc["inputs_found"] == len(list(PENGINE_DIR.glob("pe-*.bz2")))
    assert {rec["dc"] for rec in doc["transitions"]} == {"pk2"}
    # the pe-error input of the multiply-active resource is in the series it was saved in
    error = [rec for rec in doc["transitions"] if rec["series"] == "pe-error"]
    assert error and "active on 2 nodes" in error[0]["summary"][0]["why"]


def test_what_changed_and_why():
    records = {rec["input"]: rec for rec in history_json(REAL)["transitions"]}
    failure = records["pe-input-4"]["changes"][0]
    assert failure["kind"] == "failure"
    assert (failure["resource"], failure["operation"], failure["interval_ms"], failure["rc"],
            failure["rc_text"]) == ("dummy1", "monitor", 5000, 7, "not running")
    assert records["pe-input-4"]["summary"][0]["change"] == "Recover"
    assert "monitor failed on pk1 (rc=7 not running)" in records["pe-input-4"]["summary"][0]["why"]
    assert "+location dummy2-prefers dummy2 200: pk1" in records["pe-input-6"]["configuration_diff"]
    assert records["pe-input-6"]["summary"][0]["change"] == "Move"
    assert "pk1 has the highest score (200" in records["pe-input-6"]["summary"][0]["why"]
    assert {"kind": "node", "node": "pk1", "change": "left", "text": "node pk1 left"} in \
        records["pe-input-7"]["changes"]
    starts = records["pe-input-7"]["summary"]
    assert [s["change"] for s in starts] == ["Start", "Start"]
    assert "it ran on pk1, which left" in starts[0]["why"]
    assert any(c["text"] == "node pk1 joined" for c in records["pe-input-8"]["changes"])
    assert records["pe-input-2"]["configuration_diff"][2:] == [
        "+primitive dummy1 ocf:pacemaker:Dummy \\", "+\top monitor interval=5s"]


def test_says_which_pacemaker_wrote_each_input():
    doc = history_json(REAL)
    version = doc["transitions"][0]["version"]
    assert version == {"pacemaker": "2.1.5-a3f44794f94", "crm_feature_set": "3.16.1",
                       "validate_with": "pacemaker-3.9", "warning": version["warning"]}
    assert "pengine schedules as Pacemaker 3.0.2" in version["warning"]
    text = run_pengine("history", REAL).stdout
    assert "written by: Pacemaker 2.1.5-a3f44794f94 (crm_feature_set 3.16.1, " \
           "validate-with pacemaker-3.9)" in text
    assert text.count("warning: written by Pacemaker 2.1.5") == 1     # once per version


def test_archive_and_pengine_directory_read_like_the_folder(tmp_path):
    whole = history_json(REAL)
    for mode, name in (("w:gz", "report.tar.gz"), ("w:bz2", "report.tar.bz2")):
        archive = tmp_path / name
        with tarfile.open(archive, mode) as tar:
            tar.add(REAL, arcname="report")
        doc = history_json(archive)
        assert [r["input"] for r in doc["transitions"]] == [r["input"] for r in whole["transitions"]]
        assert [r["summary"] for r in doc["transitions"]] == \
            [r["summary"] for r in whole["transitions"]]
    # the bare pengine directory: no logs, so no transition numbers, same replay
    bare = history_json(PENGINE_DIR)
    assert bare["logged_transitions"] == []
    assert [r["summary"] for r in bare["transitions"]] == \
        [r["summary"] for r in whole["transitions"]]


def test_order_follows_the_inputs_not_their_file_times(tmp_path):
    copy = tmp_path / "pengine"
    shutil.copytree(PENGINE_DIR, copy)
    for index, path in enumerate(sorted(copy.iterdir(), reverse=True)):
        os.utime(path, (1_000_000 + index, 1_000_000 + index))
    order = [r["input"] for r in history_json(copy)["transitions"]]
    assert order[:3] == ["pe-input-0", "pe-input-1", "pe-input-2"]
    assert order[-1] == "pe-input-9"


def test_from_to_by_number_and_time_and_one_resource():
    doc = history_json(REAL, "--from", "5", "--to", "pe-input-7")
    assert [r["input"] for r in doc["transitions"]] == ["pe-input-5", "pe-input-6", "pe-input-7"]
    # the first one shown is still compared with the input before it
    assert doc["transitions"][0]["first"] is False
    times = history_json(REAL)["transitions"]
    start = times[7]["time"].rstrip("Z").replace(" ", "T")
    doc = history_json(REAL, "--from", start)
    assert doc["transitions"][0]["time"] >= times[7]["time"]
    assert len(doc["transitions"]) < len(times)
    doc = history_json(REAL, "--resource", "dummy2")
    inputs = [r["input"] for r in doc["transitions"]]
    assert "pe-input-3" in inputs and "pe-input-6" in inputs and "pe-input-0" not in inputs
    for record in doc["transitions"]:
        assert all(item["resource"] == "dummy2" for item in record["summary"])
    doc = history_json(REAL, "--from", "8", "--to", "pe-error-0")
    assert [r["input"] for r in doc["transitions"]] == ["pe-input-8", "pe-error-0"]
    missing = run_pengine("history", REAL, "--from", "99")
    assert missing.returncode == 2 and missing.stdout == ""
    assert "--from: there is no pe-input-99 here" in missing.stderr
    bad = run_pengine("history", REAL, "--from", "yesterday-ish")
    assert bad.returncode == 2 and "--from yesterday-ish" in bad.stderr


def test_report_page(tmp_path):
    page = tmp_path / "history.html"
    result = run_pengine("history", REAL, "--report", page)
    assert result.returncode == 0, result.stderr
    html = page.read_text()
    assert html.count('class="pg-step"') == len(list(PENGINE_DIR.glob("pe-*.bz2")))
    assert 'class="pg-timeline"' in html and "pe-input-4" in html
    assert "monitor failed on pk1" in html
    assert "+location dummy2-prefers dummy2 200: pk1" in html
    assert "http://" not in html.replace("http://www.w3.org", "")   # self-contained


def test_progress_bar_only_on_a_terminal(tmp_path):
    copy = tmp_path / "pengine"
    copy.mkdir()
    # many inputs: the same real file under 300 numbers, as a long-lived cluster keeps them
    data = (PENGINE_DIR / "pe-input-4.bz2").read_bytes()
    for number in range(300):
        (copy / f"pe-input-{number}.bz2").write_bytes(data)
    plain = run_pengine("history", copy)
    assert plain.returncode == 0 and "\r[" not in plain.stderr
    assert plain.stdout.count("\n== pe-input-") == 300
    import pty
    leader, follower = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "pengine.cli", "history", str(copy)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    drawn = b""
    while True:     # read while it runs: a full terminal buffer would block it
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    proc.wait(timeout=300)
    assert proc.returncode == 0
    assert b"] 300/300" in drawn


def test_bad_inputs_are_reported_not_fatal(tmp_path):
    copy = tmp_path / "pengine"
    shutil.copytree(PENGINE_DIR, copy)
    (copy / "pe-input-3.bz2").write_bytes(b"BZh91AY&SY garbage")
    # a bz2 bomb: 80 MB of zeros in a few hundred bytes, stopped at the cap (64 MiB)
    (copy / "pe-input-5.bz2").write_bytes(bz2.compress(b"<" * (80 << 20)))
    result = run_pengine("history", copy, "--output-as", "json")
    assert result.returncode == 0, result.stderr
    records = {r["input"]: r for r in json.loads(result.stdout)["transitions"]}
    assert "bz2-compressed input is corrupt" in records["pe-input-3"]["error"]
    assert ("larger than any CIB" in records["pe-input-5"]["error"]
            or "decompression bomb" in records["pe-input-5"]["error"])
    assert records["pe-input-4"]["summary"][0]["change"] == "Recover"
    missing = run_pengine("history", tmp_path / "nowhere")
    assert missing.returncode == 2 and "No such file" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    none = run_pengine("history", empty)
    assert none.returncode == 2 and "no scheduler inputs" in none.stderr


def test_simulate_reads_a_real_pe_input_as_its_uncompressed_twin(tmp_path):
    for path in sorted(PENGINE_DIR.glob("pe-*.bz2")):
        xml = tmp_path / (path.name[:-4] + ".xml")
        xml.write_bytes(bz2.decompress(path.read_bytes()))
        plain = run_pengine("simulate", "-x", xml, "-S")
        packed = run_pengine("simulate", "-x", path, "-S")
        if packed.returncode == 1 and "not UTF-8" in packed.stderr:
            pytest.skip("the common input reader does not decompress bz2 in this branch yet "
                        "(issue 21 item 1, merged by the coordinator)")
        assert (packed.returncode, packed.stdout) == (plain.returncode, plain.stdout), path.name
