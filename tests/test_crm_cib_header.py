"""The CIB written from crm text (``show --as xml``, ``simulate -I``/``-O``) is
one Pacemaker's own tools take as is: its ``<cib>`` carries validate-with,
epoch, num_updates, admin_epoch and crm_feature_set, and the referee's
crm_simulate (Pacemaker 3.0.2, ../shared/referee) reads it and plans issue
16's example as pengine does."""

from __future__ import annotations

import subprocess
import tarfile
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import cts_dir, run_pengine

# beside the corpus: ../shared/referee
TARBALL = cts_dir().parent / "referee" / "pacemaker-3.0.2-amd64.tar.xz"
CONFIG = """node node1
node node2
primitive a ocf:pacemaker:Dummy
primitive b ocf:pacemaker:Dummy
location la a rule -inf: #uname eq node1
property fencing-enabled=false
"""
HEADER = ("validate-with", "epoch", "num_updates", "admin_epoch", "crm_feature_set")


@pytest.fixture(scope="module")
def referee(tmp_path_factory):
    """``run`` of Pacemaker 3.0.2's offline tools, extracted for these tests."""
    if not TARBALL.exists():
        pytest.skip(f"no referee tarball at {TARBALL}")
    where = tmp_path_factory.mktemp("referee")
    with tarfile.open(TARBALL) as archive:
        archive.extractall(where, filter="data")
    run = where / "pacemaker-3.0.2" / "run"
    probe = subprocess.run([str(run), "crm_simulate", "--version"], capture_output=True,
                           text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip("the referee's crm_simulate does not run here (Debian: libqb100 libxslt1.1 "
                    f"libglib2.0-0 libgnutls30 libdbus-1-3 libbz2-1.0): {probe.stderr[-300:]}")
    return run


def header(path) -> dict[str, str]:
    return dict(ET.parse(path).getroot().attrib)


def test_show_simulate_input_and_output_carry_a_full_header(write, tmp_path):
    config = write("r.crm", CONFIG)
    shown = tmp_path / "shown.xml"
    result = run_pengine("show", config, "--as", "xml")
    assert result.returncode == 0, result.stderr
    shown.write_text(result.stdout)
    result = run_pengine("simulate", config, "-S", "-I", tmp_path / "in.xml",
                         "-O", tmp_path / "out.xml")
    assert result.returncode == 0, result.stderr
    for path in (shown, tmp_path / "in.xml", tmp_path / "out.xml"):
        attributes = header(path)
        assert all(attributes.get(name) for name in HEADER), (path.name, attributes)
        assert attributes["validate-with"].startswith("pacemaker-")
        assert int(attributes["epoch"]) >= 1 and attributes["num_updates"].isdigit()
    assert header(tmp_path / "in.xml")["have-quorum"] == "1"


def test_the_referee_reads_them_and_agrees(write, tmp_path, referee):
    config = write("r.crm", CONFIG)
    assert run_pengine("simulate", config, "-S", "-I", tmp_path / "in.xml",
                       "-O", tmp_path / "out.xml").returncode == 0
    shown = tmp_path / "shown.xml"
    shown.write_text(run_pengine("show", config, "--as", "xml").stdout)
    for path in (tmp_path / "in.xml", tmp_path / "out.xml", shown):
        verify = subprocess.run([str(referee), "crm_verify", "-x", str(path), "-V"],
                                capture_output=True, text=True, timeout=120)
        assert verify.returncode == 0, (path.name, verify.stdout + verify.stderr)
        simulated = subprocess.run([str(referee), "crm_simulate", "-x", str(path), "-S"],
                                   capture_output=True, text=True, timeout=120)
        assert simulated.returncode == 0, (path.name, simulated.stderr)
    # Pacemaker plans the input pengine saved as pengine planned it
    planned = subprocess.run([str(referee), "crm_simulate", "-x", str(tmp_path / "in.xml"), "-S"],
                             capture_output=True, text=True, timeout=120).stdout
    assert "* Start      a       ( node2 )" in planned


