"""A mutation fuzzer over Pacemaker's regression corpus: each job takes a
corpus CIB or its crm twin (read at run time from ``$PENGINE_CTS_DIR``,
default ``../shared/pacemaker-cts``; nothing is copied into the repository)
and changes it the way files get damaged or hand-edited: bytes flipped,
ranges cut, repeated or swapped, attribute values replaced by awkward ones,
elements duplicated or nested, the file truncated or compressed."""

from __future__ import annotations

import bz2
import functools
import os
import random
import re
from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent.parent
MAX_CORPUS_BYTES = 40_000      # the larger cases are slow to schedule: fewer runs per minute

AWKWARD = ["", "0", "-1", "INFINITY", "-INFINITY", "inf", "nan", "1e300", "²",
           "9223372036854775807", "-9223372036854775808", "\x1b[31m", "\u202e", "true",
           "false", "x", "2026-13-45", "9999-12-31T23:59:59Z", "P-1D", "25-99", "a" * 200,
           "&amp;", "&#27;", "&#x110000;", "%s", "${x}", "(a+)+$", "probe_complete",
           "notaclass", "Promoted", "Unpromoted", "bogus", "1000000"]
XML_SNIPPETS = [b"<group id=\"gx\"><group id=\"gy\"/></group>", b"<!DOCTYPE x>",
                b"<!ENTITY e \"x\">", b"&e;", b"<primitive id=\"dup\"/>", b"</cib>",
                b"<?xml version=\"1.0\" encoding=\"foo\"?>", b"\xef\xbb\xbf", b"\x00", b"\xff",
                b"<clone id=\"cx\"><clone id=\"cy\"/></clone>", b"<![CDATA[x]]>",
                b"<nvpair name=\"probe_complete\" value=\"false\"/>"]
CRM_SNIPPETS = ["group gx gx", "group ga ga ga", "\nclone cz cz\n", " \\\n", "\x01", "\x1b",
                "\nlocation lx /(a+)+$/ 100: node1\n", "\nprimitive p\u00e9 Dummy\n", "'", '"',
                "\nproperty stonith-enabled=x\n", "\norder oo inf: ( a b ) ( c d )\n",
                "\nrsc_defaults clone-max=1000000\n", "\nnode node1\n"]


def corpus_dir() -> Path:
    return Path(os.environ.get("PENGINE_CTS_DIR", REPO.parent / "shared" / "pacemaker-cts"))


@functools.lru_cache(maxsize=1)
def corpus_files() -> tuple[str, ...]:
    root = corpus_dir()
    found = []
    for sub, suffix in (("xml", ".xml"), ("crm", ".crm")):
        folder = root / sub
        if folder.is_dir():
            found += sorted(str(p) for p in folder.iterdir()
                            if p.suffix == suffix and p.stat().st_size <= MAX_CORPUS_BYTES)
    return tuple(found)


def mutate(data: bytes, is_xml: bool, rng: random.Random) -> bytes:
    """One to four random mutations of ``data``."""
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        kind = rng.randrange(10)
        at = rng.randrange(len(data))
        if kind == 0:                                         # flip a byte
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
        elif kind == 1:                                       # cut a range
            data = data[:at] + data[at + rng.randint(1, 400):]
        elif kind == 2:                                       # repeat a range
            piece = data[at:at + rng.randint(1, 600)]
            data = data[:at] + piece * rng.randint(2, 5) + data[at:]
        elif kind == 3:                                       # truncate
            data = data[:at]
        elif kind == 4 and is_xml:                            # replace an attribute value
            values = list(re.finditer(rb'="([^"]*)"', data))
            if values:
                match = rng.choice(values)
                new = rng.choice(AWKWARD).replace("&", "&amp;" if rng.random() < 0.5 else "&")
                data = (data[:match.start(1)] + new.encode("utf-8").replace(b'"', b"&quot;")
                        + data[match.end(1):])
        elif kind == 4:                                       # replace a crm word
            words = list(re.finditer(rb"[=: ]([A-Za-z0-9_.:-]+)", data))
            if words:
                match = rng.choice(words)
                data = (data[:match.start(1)] + rng.choice(AWKWARD).encode("utf-8")
                        + data[match.end(1):])
        elif kind == 5:                                       # insert a snippet
            snippet = rng.choice(XML_SNIPPETS) if is_xml else \
                rng.choice(CRM_SNIPPETS).encode("utf-8")
            data = data[:at] + snippet + data[at:]
        elif kind == 6 and is_xml:                            # duplicate an element
            elements = list(re.finditer(rb"<(primitive|node|rsc_colocation|rsc_order|"
                                        rb"rsc_location|group|clone|lrm_rsc_op|nvpair)\b"
                                        rb"[^>]*/>", data))
            if elements:
                match = rng.choice(elements)
                data = data[:match.end()] + match.group() + data[match.end():]
        elif kind == 6:                                       # swap two lines
            lines = data.split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif kind == 7:                                       # a word duplicated in place
            words = list(re.finditer(rb"\b[a-zA-Z][\w-]*\b", data))
            if words:
                match = rng.choice(words)
                data = data[:match.end()] + b" " + match.group() + data[match.end():]
        elif kind == 8:                                       # a number made extreme
            numbers = list(re.finditer(rb"-?\d+", data))
            if numbers:
                match = rng.choice(numbers)
                data = (data[:match.start()] + rng.choice(
                    [b"9223372036854775807", b"-9223372036854775808", b"0", b"-1",
                     b"99999999999999999999999", b"1000000"]) + data[match.end():])
        else:                                                 # reordered halves
            data = data[at:] + data[:at]
    return data


def make_job(path: str, rng: random.Random) -> dict:
    original = Path(path).read_bytes()
    is_xml = path.endswith(".xml")
    data = mutate(original, is_xml, rng)
    if rng.random() < 0.05:
        data = bz2.compress(data)                             # same rules, compressed
    name = "in.xml" if is_xml else "in.crm"
    if is_xml:
        argv = rng.choice([["simulate", "-x", name, "-S"], ["check", name], ["show", name],
                           ["simulate", "-x", name, "-S", "-s"]])
    else:
        argv = rng.choice([["simulate", name, "-S"], ["check", name], ["show", name],
                           ["diff", name, name]])
    return {"kind": "mutation", "files": {name: data}, "argv": argv, "resources": [],
            "origin": Path(path).name}


def mutation_jobs():
    files = corpus_files()
    if not files:
        return st.nothing()
    return st.builds(make_job, st.sampled_from(files), st.randoms(use_true_random=False))
