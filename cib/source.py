"""The one way every subcommand reads its input: a file, standard input or
the live CIB, as bytes, bounded whatever the source.

A path may name a regular file, a device (``/dev/zero`` never ends), a FIFO
or ``-`` for standard input; ``LIVE_CIB`` stands for the running cluster's
CIB (``cibadmin -Q``).  Every source is read in chunks with a cap, so no input
can make pengine read without limit.  A bz2-compressed input (as Pacemaker
keeps its ``pe-input-N.bz2`` files) is recognised by its content, whatever
its name, and decompressed incrementally with the same cap on the output, so
a bz2 bomb is refused after at most ``MAX_INPUT_BYTES`` of output.
"""

from __future__ import annotations

import bz2
import os
import re
import subprocess
import sys

from pengine.cib.errors import InputError, PengineError, UsageError
from pengine.cib.span import Span

MAX_INPUT_BYTES = 64 * 1024 * 1024  # real CIBs are a few MiB at most (as xml_source)
_CHUNK = 1024 * 1024
# XML compresses some 10 to 50 times; past 8 MiB of output, a ratio of 1000
# is a bomb, refused before decompressing all 64 MiB.
_BOMB_MIN_BYTES = 8 * 1024 * 1024
_BOMB_RATIO = 1000

# A NUL can never be part of a file name, so this cannot name a real file.
LIVE_CIB = "\0live-cib"
STDIN = "-"
LIVE_CIB_COMMAND = ("cibadmin", "-Q")
LIVE_CIB_TIMEOUT = 60

# "BZh", a block size digit, then the block (or end-of-stream) magic.
_BZ2_MAGIC = re.compile(rb"BZh[1-9](?:\x31\x41\x59\x26\x53\x59|\x17\x72\x45\x38\x50\x90)")
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
               (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))
_OTHER_COMPRESSIONS = ((b"\x1f\x8b", "gzip", "gunzip"), (b"\xfd7zXZ\x00", "xz", "unxz"),
                       (b"\x28\xb5\x2f\xfd", "zstd", "unzstd"))


def display_name(path: str) -> str:
    """How diagnostics name a source."""
    if path == STDIN:
        return "<stdin>"
    if path == LIVE_CIB:
        return "<live CIB>"
    return path


def _too_large(name: str, what: str = "input") -> InputError:
    return InputError(f"{what} is larger than any CIB (more than {MAX_INPUT_BYTES} bytes; "
                      f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB allowed)", Span(name),
                      hint="is this really a CIB? a device or an endless stream?")


def read_capped(handle, name: str) -> bytes:
    """At most MAX_INPUT_BYTES from a binary handle, or an InputError naming ``name``."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = handle.read(min(_CHUNK, MAX_INPUT_BYTES + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        if total > MAX_INPUT_BYTES:
            raise _too_large(name)
    return b"".join(parts)


def read_bytes(path: str) -> bytes:
    """The raw bytes of a source: a file or device (capped), ``-`` for stdin,
    or LIVE_CIB.  OSError becomes a UsageError (exit 2)."""
    name = display_name(path)
    if path == LIVE_CIB:
        return read_live_cib()
    try:
        if path == STDIN:
            return read_capped(sys.stdin.buffer, name)
        if os.path.isdir(path):
            raise UsageError(f"cannot read {path}: it is a directory")
        size = os.stat(path).st_size if os.path.isfile(path) else 0
        if size > MAX_INPUT_BYTES:
            raise InputError(f"file is {size} bytes, larger than any CIB "
                             f"({MAX_INPUT_BYTES} bytes allowed)", Span(name),
                             hint="is this really a CIB?")
        with open(path, "rb") as handle:
            return read_capped(handle, name)
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None


def read_live_cib() -> bytes:
    """The running cluster's CIB, as ``cibadmin -Q`` prints it; a UsageError
    (exit 2) when no cluster answers."""
    name = display_name(LIVE_CIB)
    try:
        with subprocess.Popen(LIVE_CIB_COMMAND, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) as process:
            try:
                data = read_capped(process.stdout, name)
            except InputError:
                process.kill()
                raise
            try:
                err = process.stderr.read(4096)
                rc = process.wait(timeout=LIVE_CIB_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                raise UsageError(f"cannot read the live CIB: {' '.join(LIVE_CIB_COMMAND)} did not "
                                 f"finish in {LIVE_CIB_TIMEOUT} s") from None
    except FileNotFoundError:
        raise UsageError(f"cannot read the live CIB: {LIVE_CIB_COMMAND[0]} is not installed "
                         "(it comes with Pacemaker's command-line tools)") from None
    except OSError as error:
        raise UsageError(f"cannot read the live CIB: {error.strerror or error}") from None
    if rc != 0 or not data.strip():
        reason = " ".join(err.decode("utf-8", "replace").split()) or f"exit status {rc}"
        raise UsageError(f"cannot read the live CIB: {' '.join(LIVE_CIB_COMMAND)} failed: "
                         f"{reason} (is this a running cluster node?)")
    return data


def is_bz2(data: bytes) -> bool:
    return _BZ2_MAGIC.match(data) is not None


def decompress_bz2(data: bytes, name: str) -> bytes:
    """Decompress every bz2 stream of ``data``, never producing more than
    MAX_INPUT_BYTES: a bomb stops at the cap, not when memory runs out."""
    parts: list[bytes] = []
    total = 0
    remaining = data
    while remaining:
        decompressor = bz2.BZ2Decompressor()
        pending = remaining
        try:
            while not decompressor.eof:
                chunk = decompressor.decompress(pending, max_length=_CHUNK)
                pending = b""
                parts.append(chunk)
                total += len(chunk)
                if total > MAX_INPUT_BYTES:
                    raise _too_large(name, "decompressed input")
                if total > _BOMB_MIN_BYTES and total > _BOMB_RATIO * len(data):
                    raise InputError(f"bz2-compressed input expands more than {_BOMB_RATIO} "
                                     "times (no CIB compresses like that)", Span(name),
                                     hint="is this a decompression bomb?")
                if not chunk and decompressor.needs_input:
                    raise InputError("bz2-compressed input is truncated", Span(name),
                                     hint="the file ends inside the compressed data")
        except (OSError, EOFError, ValueError) as error:
            raise InputError(f"bz2-compressed input is corrupt: {error}", Span(name)) from None
        remaining = decompressor.unused_data
        if remaining and not is_bz2(remaining):
            break       # trailing garbage after a stream: bzip2 ignores it too
    return b"".join(parts)


def decode_input(data: bytes, name: str) -> bytes:
    """Raw bytes as the readers take them: decompressed, and refused early
    (with a clear reason) where they cannot be a CIB or crm text."""
    if is_bz2(data):
        data = decompress_bz2(data, name)
    for magic, kind, tool in _OTHER_COMPRESSIONS:
        if data.startswith(magic):
            raise InputError(f"the input is {kind}-compressed; pengine reads plain or "
                             f"bz2-compressed input (as Pacemaker)", Span(name, 1, 1),
                             hint=f"decompress it first ({tool})")
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise InputError(f"the input is {encoding} text; a CIB and crm text are UTF-8",
                             Span(name, 1, 1),
                             hint=f"convert it first: iconv -f {encoding} -t UTF-8")
    return data


def strip_bom(data: bytes) -> bytes:
    return data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data


# Standard input, the live CIB, a FIFO or a device can be read only once, but a command may look at
# its input twice (check: the schema stage, then the model): keep what they gave.
_ONCE_ONLY: dict[str, object] = {}


def read_input(path: str) -> bytes:
    """Read and decode one source: what ``cib.load.read_text`` returns."""
    if path in (STDIN, LIVE_CIB) or not os.path.isfile(path):    # pipes and devices too
        if path not in _ONCE_ONLY:
            try:
                _ONCE_ONLY[path] = decode_input(read_bytes(path), display_name(path))
            except PengineError as error:   # refused once, refused again: never a second read
                _ONCE_ONLY[path] = error
        found = _ONCE_ONLY[path]
        if isinstance(found, PengineError):
            raise found
        return found
    return decode_input(read_bytes(path), display_name(path))
