"""One input reader for every subcommand (cib/source.py): bz2 recognised by
content, standard input (-x -, -X), the live CIB (-L), bounded reads from any
source, and a file meaning the same in simulate, check, show, explain, graph
and diff."""

from __future__ import annotations

import bz2
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_pengine

SAMPLE_XML = REPO / "samples" / "webfarm-status.xml"
SAMPLE_CRM = REPO / "samples" / "webfarm.crm"


def run_with_stdin(data: bytes, *args, env_extra=None, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "pengine.cli", *map(str, args)], input=data,
                          env=env, cwd=REPO, capture_output=True, timeout=timeout)


# ------------------------------------------------------------------- bz2 --

def test_bz2_by_content_whatever_the_name(tmp_path):
    plain = run_pengine("simulate", "-x", SAMPLE_XML, "-S")
    assert plain.returncode == 0, plain.stderr
    packed = tmp_path / "pe-input-12"          # no .bz2 suffix: content decides
    packed.write_bytes(bz2.compress(SAMPLE_XML.read_bytes()))
    compressed = run_pengine("simulate", "-x", packed, "-S")
    assert compressed.returncode == 0, compressed.stderr
    assert compressed.stdout == plain.stdout
    for command in (["check", packed], ["show", packed], ["explain", "web-ip", packed],
                    ["graph", "-x", packed, "-o", tmp_path / "g.dot"],
                    ["diff", packed, packed]):
        result = run_pengine(*command)
        assert result.returncode == 0, (command, result.stderr)


def test_bz2_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xml.bz2"
    compressor = bz2.BZ2Compressor(1)
    chunk = b"\0" * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(80)]   # 80 MiB of zeros
    bomb.write_bytes(b"".join(parts) + compressor.flush())
    assert bomb.stat().st_size < 1 << 20
    result = run_pengine("simulate", "-x", bomb)
    assert result.returncode == 1
    assert "expands more than 1000 times" in result.stderr or \
        "decompressed input is larger than any CIB" in result.stderr
    assert str(bomb) in result.stderr


def test_truncated_and_corrupt_bz2(tmp_path):
    packed = bz2.compress(SAMPLE_XML.read_bytes())
    cut = tmp_path / "cut.bz2"
    cut.write_bytes(packed[: len(packed) // 2])
    result = run_pengine("simulate", "-x", cut)
    assert result.returncode == 1 and "truncated" in result.stderr, result.stderr
    bad = tmp_path / "bad.bz2"
    bad.write_bytes(packed[:20] + b"\xff" * 50 + packed[70:])
    result = run_pengine("check", bad)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_other_compressions_are_named(tmp_path):
    import gzip
    gz = tmp_path / "cib.xml.gz"
    gz.write_bytes(gzip.compress(SAMPLE_XML.read_bytes()))
    result = run_pengine("simulate", "-x", gz)
    assert result.returncode == 1 and "gzip-compressed" in result.stderr


# ----------------------------------------------------------------- stdin --

@pytest.mark.parametrize("flags", [["-x", "-"], ["-X"], ["--xml-pipe"]])
def test_simulate_reads_standard_input(flags):
    plain = run_pengine("simulate", "-x", SAMPLE_XML, "-S")
    piped = run_with_stdin(SAMPLE_XML.read_bytes(), "simulate", *flags, "-S")
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.decode() == plain.stdout


def test_standard_input_compressed_and_every_subcommand(tmp_path):
    data = bz2.compress(SAMPLE_XML.read_bytes())
    for command in (["check", "-X"], ["check", "-"], ["explain", "web-ip", "-X"],
                    ["graph", "-X", "-o", str(tmp_path / "g.dot")],
                    ["diff", str(SAMPLE_XML), str(SAMPLE_XML), "-X"],
                    ["simulate", "-x", "-", "-S"]):
        result = run_with_stdin(data, *command)
        assert result.returncode == 0, (command, result.stderr)
    result = run_with_stdin(data, "check", "-X")
    assert b"<stdin>" in result.stderr or result.stderr.strip().endswith(b"in 1 file")


def test_stdin_only_once_and_one_source():
    result = run_with_stdin(b"", "simulate", "-x", str(SAMPLE_XML), "-X")
    assert result.returncode == 2 and b"only one of" in result.stderr
    result = run_with_stdin(b"", "diff", "-", "-")
    assert result.returncode == 2 and b"only once" in result.stderr


def test_endless_stdin_is_cut(tmp_path):
    """A pipe that never ends is read with a cap, not until memory runs out."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with subprocess.Popen(["cat", "/dev/zero"], stdout=subprocess.PIPE) as source:
        result = subprocess.run([sys.executable, "-m", "pengine.cli", "simulate", "-X"],
                                stdin=source.stdout, capture_output=True, env=env, timeout=120)
        source.kill()
    assert result.returncode == 1
    assert b"larger than any CIB" in result.stderr


# ------------------------------------------------------------- live CIB --

@pytest.mark.parametrize("command", [["simulate", "-L"], ["check", "-L"],
                                     ["explain", "web-ip", "-L"],
                                     ["graph", "-L", "-o", "/tmp/never.dot"],
                                     ["diff", str(SAMPLE_CRM), str(SAMPLE_CRM), "-L"]])
def test_live_check_without_a_cluster_is_a_usage_error(tmp_path, command):
    fake = tmp_path / "bin"
    fake.mkdir()
    cibadmin = fake / "cibadmin"
    cibadmin.write_text("#!/bin/sh\necho 'Could not connect to the CIB: Transport endpoint "
                        "is not connected' >&2\nexit 102\n")
    cibadmin.chmod(0o755)
    env = {"PATH": f"{fake}:{os.environ['PATH']}"}
    result = run_with_stdin(b"", *command, env_extra=env)
    assert result.returncode == 2, result.stderr
    assert b"cannot read the live CIB" in result.stderr
    assert b"Transport endpoint is not connected" in result.stderr
    assert b"Traceback" not in result.stderr


def test_live_check_reads_cibadmin_output(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    cibadmin = fake / "cibadmin"
    cibadmin.write_text(f"#!/bin/sh\n[ \"$1\" = -Q ] || exit 64\ncat '{SAMPLE_XML}'\n")
    cibadmin.chmod(0o755)
    env = {"PATH": f"{fake}:{os.environ['PATH']}"}
    live = run_with_stdin(b"", "simulate", "-L", "-S", env_extra=env)
    plain = run_pengine("simulate", "-x", SAMPLE_XML, "-S")
    assert live.returncode == 0, live.stderr
    assert live.stdout.decode() == plain.stdout


def test_live_check_without_cibadmin(tmp_path):
    result = run_with_stdin(b"", "simulate", "-L", env_extra={"PATH": str(tmp_path)})
    assert result.returncode == 2
    assert b"cibadmin is not installed" in result.stderr


# ------------------------------------------- the same file everywhere --

def test_bom_means_the_same_everywhere(tmp_path):
    xml = tmp_path / "bom.xml"
    xml.write_bytes(b"\xef\xbb\xbf" + SAMPLE_XML.read_bytes())
    crm = tmp_path / "bom.crm"
    crm.write_bytes(b"\xef\xbb\xbf" + SAMPLE_CRM.read_bytes())
    for path in (xml, crm):
        for command in (["simulate", path], ["check", path], ["show", path],
                        ["diff", path, path]):
            if command[0] == "simulate" and path.suffix == ".xml":
                command = ["simulate", "-x", path]
            result = run_pengine(*command)
            assert result.returncode == 0, (command, result.stderr)


def test_empty_file_means_the_same_everywhere(tmp_path):
    for name in ("empty.xml", "empty.crm", "blank"):
        path = tmp_path / name
        path.write_bytes(b"  \n")
        for command in (["simulate", path], ["check", path], ["show", path],
                        ["diff", path, SAMPLE_CRM], ["explain", "x", path]):
            result = run_pengine(*command)
            assert result.returncode == 1, (command, result.stderr)
            assert "file is empty" in result.stdout + result.stderr, command


@pytest.mark.parametrize("encoding", ["foo", "utf-7", "utf-32", "shift_jis", "big5"])
def test_declared_encoding_is_a_positioned_error(tmp_path, encoding):
    path = tmp_path / "enc.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode()
                     + SAMPLE_XML.read_bytes().split(b"?>", 1)[-1])
    for command in (["simulate", "-x", path], ["check", path], ["show", path]):
        result = run_pengine(*command)
        assert result.returncode == 1, result.stderr
        assert f"{path}:1:31: error: unsupported encoding '{encoding}'" in \
            result.stdout + result.stderr


def test_latin1_declaration_still_reads(tmp_path):
    path = tmp_path / "latin.xml"
    body = SAMPLE_XML.read_bytes().split(b"?>", 1)[-1]
    path.write_bytes(b'<?xml version="1.0" encoding="ISO-8859-1"?>' + body)
    assert run_pengine("check", path).returncode == 0


def test_utf16_is_named(tmp_path):
    path = tmp_path / "u16.xml"
    path.write_bytes(SAMPLE_XML.read_text().encode("utf-16"))
    result = run_pengine("simulate", "-x", path)
    assert result.returncode == 1 and "UTF-16" in result.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_read_with_a_cap(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    result = run_pengine("simulate", "-x", device)
    assert result.returncode == 1
    assert f"{device}: error: input is larger than any CIB" in result.stderr


def test_fifo_is_read_with_a_cap(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat /dev/zero > '{fifo}'"])
    try:
        result = run_pengine("check", fifo)
    finally:
        writer.kill()
        writer.wait()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert result.returncode == 1 and "larger than any CIB" in result.stdout + result.stderr


def test_oversized_file_is_named(tmp_path):
    big = tmp_path / "big.xml"
    with open(big, "wb") as handle:
        handle.truncate(65 * 1024 * 1024)
    for command in (["simulate", "-x", big], ["check", big]):
        result = run_pengine(*command)
        assert result.returncode == 1
        assert f"{big}: error: file is 68157440 bytes" in result.stdout + result.stderr


def test_long_text_node_is_linear_and_bounded(tmp_path):
    """A text node of many lines used to be accumulated quadratically."""
    path = tmp_path / "text.xml"
    path.write_text("<cib><configuration><crm_config/><nodes/><resources>" + "x\n" * 800_000
                    + "</resources><constraints/></configuration></cib>")
    result = run_pengine("check", path)
    assert result.returncode == 1
    assert "text inside <resources> is longer than" in result.stdout


def test_unreadable_directory_is_usage_error(tmp_path):
    result = run_pengine("simulate", "-x", tmp_path)
    assert result.returncode == 2 and "directory" in result.stderr


def test_input_paths_module_is_shared():
    """Every reading subcommand takes -X and -L (the one input reader)."""
    from pengine.cli import build_parser
    parser = build_parser()
    for argv in (["simulate", "-X"], ["check", "-L"], ["explain", "r", "-X"],
                 ["graph", "-L", "-o", "x.dot"], ["diff", "a", "b", "-L"]):
        args = parser.parse_args(argv)
        assert args.xml_pipe or args.live_check
    assert Path(REPO / "cib" / "source.py").exists()


def test_bz2_output_cap_holds_below_the_bomb_ratio(monkeypatch):
    """Compressible but not bomb-like input still stops at the byte cap."""
    import random

    from pengine.cib import source
    from pengine.cib.errors import InputError
    monkeypatch.setattr(source, "MAX_INPUT_BYTES", 200_000)
    rng = random.Random(7)
    text = "".join(rng.choice("abcdefgh<>/= \n") for _ in range(400_000)).encode()
    with pytest.raises(InputError, match="decompressed input is larger"):
        source.decompress_bz2(bz2.compress(text), "x.bz2")
    assert source.decompress_bz2(bz2.compress(text[:100_000]), "x.bz2") == text[:100_000]
